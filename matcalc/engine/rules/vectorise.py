"""Vectorisation rules: rewrite J vec(E), where E is linear in dX, one step closer to J' vec(dX).

Each rule takes (J, E, dep) and returns the pairs (J', E') with J vec(E) = Σ J' vec(E');
``dep`` tells which operand holds dX. This is the first identification theorem's road
(Magnus & Neudecker, ch. 9): d vec F = J d vec X reads off the Jacobian J.
"""
from __future__ import annotations

from ... import ops
from ...expr import Add, Call, Commutation, Div, EDiv, Expr, Eye, Hadamard, Kron, MatMul, Neg, Transpose
from ..core import Registry, Rule
from .algebra import BUILD, ONE, matmul, neg, transpose, vec
from .trace import identity_of, over_constant, term_rule

VEC = Registry("vec")


def kron(a: Expr, b: Expr) -> Expr:
    """a ⊗ b, with 1 ⊗ b = b and a ⊗ 1 = a for a 1×1 identity factor."""
    if isinstance(a, Eye) and a.n == 1 or a == ONE:
        return b
    if isinstance(b, Eye) and b.n == 1 or b == ONE:
        return a
    return Kron(a, b)


def times(J: Expr, s: Expr) -> Expr:
    """J scaled by a 1×1 s, the scalar written first."""
    if isinstance(s, Neg):
        return neg(times(J, s.arg))
    if J == ONE:
        return s
    if isinstance(J, Neg):
        return neg(times(J.arg, s))
    return matmul(s, J)


@VEC("linearity of vec", Add, Neg)
def v_linear(J: Expr, E: Add | Neg, dep) -> list:
    """J vec(A + B) = J vec(A) + J vec(B) and J vec(-A) = (-J) vec(A)"""
    if isinstance(E, Neg):
        return [(neg(J), E.arg)]
    return [(neg(J), t.arg) if isinstance(t, Neg) else (J, t) for t in E.terms if dep(t)]


def _scaled(J: Expr, E: MatMul, dep) -> list:
    """J vec(s A) = (s J) vec(A) for a constant 1×1 s;  J vec(A s) = (J vec(A)) vec(s) when s holds dX"""
    s, A = (E.left, E.right) if E.left.shape.is_scalar else (E.right, E.left)
    if dep(s):
        return [(matmul(J, vec(A)), s)]
    return [(times(J, s), A)]


@VEC("vec of a product (eq. vec(A dX B) = (Bᵀ ⊗ A) vec dX)", MatMul)
def v_product(J: Expr, E: MatMul, dep) -> list:
    """J vec(A M B) = J (Bᵀ ⊗ A) vec(M);  J vec(A M) = J (I ⊗ A) vec(M);  J vec(M B) = J (Bᵀ ⊗ I) vec(M)"""
    A, B = E.left, E.right
    if A.shape.cols != B.shape.rows:
        return _scaled(J, E, dep)
    for outer, inner, left in ((B, A, True), (A, B, False)):
        if isinstance(inner, MatMul) and inner.left.shape.cols == inner.right.shape.rows and not dep(outer):
            a, m, b = (inner.left, inner.right, B) if left else (A, inner.left, inner.right)
            if dep(m) and not dep(a if left else b):
                return [(matmul(J, _kron_product(a, m, b)), m)]
    if dep(B):
        return [(matmul(J, _kron_product(A, B, None)), B)]
    return [(matmul(J, _kron_product(None, A, B)), A)]


def _kron_product(a: Expr | None, m: Expr, b: Expr | None) -> Expr:
    """The matrix of M -> vec(a M b): (bᵀ ⊗ a), with an absent factor an identity."""
    if b is None and m.shape.cols == 1:
        return a
    if a is None and m.shape.rows == 1:
        return transpose(b)
    left = transpose(b) if b is not None else Eye(m.shape.cols)
    right = a if a is not None else Eye(m.shape.rows)
    return kron(left, right)


@VEC("vec of a transpose (vec(Aᵀ) = K vec(A))", Transpose)
def v_transpose(J: Expr, E: Transpose, dep) -> list:
    """J vec(Aᵀ) = J K(m, n) vec(A) for A m×n (and vec(aᵀ) = vec(a) for a vector a)"""
    m, n = E.arg.shape.rows, E.arg.shape.cols
    if m == 1 or n == 1:
        return [(J, E.arg)]
    return [(matmul(J, Commutation(m, n)), E.arg)]


def _broadcast(J: Expr, a: Expr, E: Expr, dep) -> list | None:
    """A 1×1 operand broadcast over a matrix: J vec(s ⊙ E) = (s J) vec(E);  J vec(a ⊙ s) = (J vec(a)) vec(s)"""
    if a.shape.is_scalar and not E.shape.is_scalar:
        return [(times(J, a), E)]
    if E.shape.is_scalar and not a.shape.is_scalar:
        return [(matmul(J, vec(a)), E)]
    return None


@VEC("vec of a Hadamard product (vec(a ⊙ dX) = diag(vec a) vec dX)", Hadamard)
def v_hadamard(J: Expr, E: Hadamard, dep) -> list:
    """J vec(A ⊙ M) = J diag(vec(A)) vec(M)"""
    A, M = (E.left, E.right) if dep(E.right) else (E.right, E.left)
    return _broadcast(J, A, M, dep) or [(matmul(J, Call("diag", vec(A))), M)]


@VEC("vec of an entrywise quotient", EDiv)
def v_ediv(J: Expr, E: EDiv, dep) -> list:
    """J vec(M ./ B) = J diag(vec(1 ./ B)) vec(M)"""
    B = over_constant(E, dep)
    inverse = Div(ONE, B) if B.shape.is_scalar else EDiv(ONE, B)
    return _broadcast(J, inverse, E.left, dep) or [(matmul(J, Call("diag", vec(inverse))), E.left)]


@VEC("scalar factor in vec", Div)
def v_div(J: Expr, E: Div, dep) -> list:
    """J vec(M / c) = (J / c) vec(M)"""
    return [(Div(J, over_constant(E, dep)), E.left)]


@VEC("vec of a trace or sum (tr(A dX) = vec(Aᵀ)ᵀ vec dX)", Call)
def v_call(J: Expr, E: Call, dep) -> list:
    """J vec(tr(A M)) = J vec(Aᵀ)ᵀ vec(M);  J vec(tr(M)) = J vec(I)ᵀ vec(M);  J vec(sum(M)) = J 1ᵀ vec(M);  J vec(vec(M)) = J vec(M)"""
    return identity_of(E, "vec", "vectorisation")(J, E.arg, dep, BUILD)


def _applying(fn):
    """A record's vec identity ``fn(J, E, dep, build)`` as a vec rule of the engine's (J, E, dep)."""

    def rule(J, E, dep):
        return fn(J, E, dep, BUILD)

    rule.__name__, rule.__doc__ = fn.__name__, fn.__doc__
    return rule


def _register_operators() -> None:
    """The vec identity of each built-in with a node of its own (kron), under its record's name."""
    for op in ops.REGISTRY.values():
        if op.kind == ops.NODE and isinstance(op.vec, ops.Rule):
            VEC.add(op.vec.name, _applying(op.vec.fn), op.build)


_register_operators()


def rule_for(E: Expr) -> Rule | None:
    """The vectorisation rule for E, or None when E is dX itself (the term is finished); where there is none,
    the error gives the reason the operator's record states (frechet: no Kronecker form)."""
    op = ops.of_node(type(E))
    why = f": {op.limits['jacobian']}" if op is not None and "jacobian" in op.limits else ""
    return term_rule(VEC, E, "no vectorisation rule for {} holding dX" + why.replace("{", "{{").replace("}", "}}"))


def display(terms: list[tuple[Expr, Expr]]) -> Expr:
    """Σ J vec(E) as an expression, for a derivation step."""
    shown = [matmul(J, vec(E)) for J, E in terms]
    return shown[0] if len(shown) == 1 else Add(tuple(shown))
