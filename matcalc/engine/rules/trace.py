"""Trace rules: rewrite tr(Mᵀ E), where E is linear in dX, one step closer to tr(Gᵀ dX).

Each rule takes (M, E, dep) and returns the pairs (M', E') with
tr(Mᵀ E) = Σ tr(M'ᵀ E'); ``dep`` tells which operand holds dX. M is kept tidy by the
smart constructors of ``algebra`` (which only apply identities that are rules there).
"""
from __future__ import annotations

from ... import ops
from ...errors import NotDifferentiable
from ...expr import Add, Call, Differential, Div, EDiv, Expr, Hadamard, MatMul, Neg, Transpose
from ...language import show
from ..core import Registry, Rule
from .algebra import BUILD, hadamard, matmul, neg, transpose

TRACE = Registry("trace")


def _inner(M: Expr, A: Expr) -> Expr:
    """tr(Mᵀ A), the scalar a factor contributes when it scales a matrix."""
    return Call("tr", matmul(transpose(M), A)) if not A.shape.is_scalar else matmul(M, A)


@TRACE("linearity of trace", Add, Neg)
def t_linear(M: Expr, E: Add | Neg, dep) -> list:
    """tr(Mᵀ (A + B)) = tr(Mᵀ A) + tr(Mᵀ B) and tr(Mᵀ (-A)) = tr((-M)ᵀ A)"""
    if isinstance(E, Neg):
        return [(neg(M), E.arg)]
    return [(neg(M), t.arg) if isinstance(t, Neg) else (M, t) for t in E.terms if dep(t)]


@TRACE("cyclic trace", MatMul)
def t_product(M: Expr, E: MatMul, dep) -> list:
    """tr(Mᵀ A B) = tr((Aᵀ M)ᵀ B) = tr((M Bᵀ)ᵀ A)"""
    A, B = E.left, E.right
    scaled = A.shape.cols != B.shape.rows  # one side is a 1×1 factor scaling the other
    if dep(B):
        if scaled and B.shape.is_scalar:
            return [(_inner(M, A), B)]
        return [(matmul(transpose(A), M), B)]
    if scaled and A.shape.is_scalar:
        return [(_inner(M, B), A)]
    return [(matmul(M, transpose(B)), A)]


@TRACE("transpose in trace", Transpose)
def t_transpose(M: Expr, E: Transpose, dep) -> list:
    """tr(Mᵀ Aᵀ) = tr((Mᵀ)ᵀ A)"""
    return [(transpose(M), E.arg)]


@TRACE("Hadamard in trace: tr(Mᵀ (A ⊙ B)) = tr((M ⊙ A)ᵀ B)", Hadamard, EDiv)
def t_entrywise(M: Expr, E: Hadamard | EDiv, dep) -> list:
    """tr(Mᵀ (A ⊙ B)) = tr((M ⊙ A)ᵀ B) and tr(Mᵀ (A ./ B)) = tr((M ./ B)ᵀ A); sum(·) for a broadcast 1×1 B
    (cited as "eq. 100" when the rule was first written, the source unnamed)."""
    if isinstance(E, EDiv):
        inner, weighted = E.left, EDiv(M, over_constant(E, dep))
    else:
        inner, other = (E.right, E.left) if dep(E.right) else (E.left, E.right)
        weighted = hadamard(M, other)
    return [(Call("sum", weighted) if inner.shape.is_scalar and not E.shape.is_scalar else weighted, inner)]


def over_constant(E: Div | EDiv, dep) -> Expr:
    """The divisor of A / c or A ./ B, which must not hold dX (a term linear in dX has it only above the line)."""
    if dep(E.right):
        raise NotDifferentiable(f"dX in a denominator: {show(E)}")
    return E.right


def identity_of(E: Call, field: str, what: str):
    """The linear operator's own identity for a phase (its record's ``trace`` or ``vec``)."""
    move = getattr(ops.get(E.fn), field)
    if move is None:
        raise NotDifferentiable(f"no {what} rule for {show(E)}")
    return move


@TRACE("scalar factor in trace", Div)
def t_div(M: Expr, E: Div, dep) -> list:
    """tr(Mᵀ (A / c)) = tr((M / c)ᵀ A)"""
    return [(Div(M, over_constant(E, dep)), E.left)]


@TRACE("trace and sum as traces", Call)
def t_call(M: Expr, E: Call, dep) -> list:
    """tr(m tr(A)) = tr((m I)ᵀ A);  m sum(A) = tr((m 1 1ᵀ)ᵀ A);  tr(Mᵀ diag(a)) = tr(diagonal(M)ᵀ a); and each linear
    operator's identity in its record (tril, triu, diagonal)"""
    return [(identity_of(E, "trace", "trace")(M, E.arg, BUILD), E.arg)]


def _register_operators() -> None:
    """The trace identity of each built-in with a node of its own (frechet), under its record's name."""
    for op in ops.REGISTRY.values():
        if op.kind == ops.NODE and isinstance(op.trace, ops.Rule):
            TRACE.add(op.trace.name, op.trace.fn, op.build)


_register_operators()


def term_rule(registry, E: Expr, missing: str) -> Rule | None:
    """The registry's rule for a term's E, None when E is dX itself (the term is finished);
    NotDifferentiable saying ``missing`` (formatted with E) when there is none."""
    if isinstance(E, Differential):
        return None
    r = registry.rule_for(E)
    if r is None:
        raise NotDifferentiable(missing.format(show(E)))
    return r


def rule_for(E: Expr) -> Rule | None:
    """The trace rule for E, or None when E is dX itself (the term is finished)."""
    return term_rule(TRACE, E, "no trace rule for {}")
