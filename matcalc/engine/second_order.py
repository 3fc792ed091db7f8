"""Jacobians and Hessians by the identification theorems (Magnus & Neudecker, ch. 9-10, 18).

Jacobian: dF as for gradients, then vectorised by named rules to d vec F = J d vec X.
Hessian: d²f = tr(dGᵀ dX) with d²X = 0 (G the gradient), brought to the canonical forms
tr(B dXᵀ C dX), tr(B dX C dX) or (d vec X)ᵀ B d vec X, and H read off the table.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..declarations import Assumption, Scope, not_symmetric
from .derivation import (
    D2F, DVEC, HESSIAN, JACOBIAN, LINEAR_MAP, Derivation, Step, Steps, _depends_on, _differential_phase,
    _simplify_phase, derive, exhaust_terms, simplification_groups,
)
from ..errors import InternalError, MatcalcError, ShapeError
from ..expr import Add, Call, Commutation, Differential, Expr, Eye, MatMul, Neg, Num, Sym, Transpose
from .rules import Rule, make_rule
from .rules import kronecker as KR
from .rules import vectorise as VR
from .rules.algebra import ONE, matmul, neg, transpose, zero
from ..shapes import Shape
from ..shapes import hessian as hessian_shape
from ..shapes import jacobian as jacobian_shape
from .strategy import GROUPS, rewrite

HALF = Num(Fraction(1, 2))
MAX_TERMS = 64


def _relabel(steps, side: str, wrap=None) -> list[Step]:
    return [Step(s.rule, wrap(s.expr) if wrap else s.expr, side) for s in steps]


def _simplify(E: Expr, assume, scope, steps: Steps, side: str) -> Expr:
    """E through the algebra groups and the Kronecker group to a fixpoint, then numbers lead."""
    out = Steps()
    groups = simplification_groups(list(GROUPS) + [tuple(KR.RULES)], assume, scope)
    E = _simplify_phase(E, groups, out)
    steps.extend(_relabel(out.done(), side))
    fired: list[str] = []
    E2 = rewrite(E, (KR.LEADING_NUMBER,), fired)
    if fired:
        steps.add(KR.LEADING_NUMBER.name, E2, side)
    return E2


def _vectorise(dF: Expr, dep, steps: Steps, target: Shape, side: str = DVEC) -> Expr:
    """From vec(dF), move dX out of every term: the J of d vec F = J d vec X."""
    terms = exhaust_terms([(ONE, dF)], VR.rule_for, dep, lambda names, t: steps.add(names, VR.display(t), side))
    Js = [matmul(J, Eye(target.rows)) if J.shape.is_scalar and not target.is_scalar else J for J, _ in terms]
    return Js[0] if len(Js) == 1 else Add(tuple(Js))


def derive_jacobian(F: Expr, wrt: Sym, *, assume: tuple[Assumption, ...] = (), scope: Scope | None = None) -> Derivation:
    """d vec F / d vec(X)ᵀ by the first identification theorem, every step named."""
    not_symmetric(wrt, "Jacobian")
    x = wrt
    dep = _depends_on(x)
    target = jacobian_shape(F.shape, x.shape)
    steps = Steps()
    if not dep(F):
        J = zero(target)
        steps.add("F does not depend on " + x.name, J, JACOBIAN)
        return Derivation(F, x, steps.done(), J, tuple(assume), "jacobian")
    dF = _differential_phase(F, x, dep, steps)
    J = _vectorise(dF, _depends_on(Differential(x)), steps, target)
    steps.add("collect terms", matmul(J, VR.vec(Differential(x))), DVEC)
    steps.add("read off the Jacobian (first identification theorem)", J, JACOBIAN)
    J = _simplify(J, assume, scope, steps, JACOBIAN)
    return Derivation(F, x, steps.done(), J, tuple(assume), "jacobian")


# --- the identification table (Magnus & Neudecker, Table 10.2) ---------------------------------

def half(a: Expr, b: Expr, K: Expr | None = None) -> Expr:
    """½ K (a + b), or K a when a = b (K absent: the identity)."""
    if a == b:
        return a if K is None else matmul(K, a)
    first, second = sorted((a, b), key=str)
    both = Add((first, second))
    return MatMul(HALF, both if K is None else matmul(K, both))


def _sym_t(a: Expr) -> Expr:
    """aᵀ, written a when a is symmetric by its form."""
    return a if KR.symmetric_form(a) else transpose(a)


def h_quadratic_form(B: Expr) -> Expr:
    """d²f = (d vec X)ᵀ B d vec X  ⇒  H = ½(B + Bᵀ)"""
    return half(B, _sym_t(B))


def h_trace_transposed(B: Expr, C: Expr) -> Expr:
    """d²f = tr(B dXᵀ C dX)  ⇒  H = ½(Bᵀ ⊗ C + B ⊗ Cᵀ)"""
    return half(VR.kron(_sym_t(B), C), VR.kron(B, _sym_t(C)))


def h_trace_plain(B: Expr, C: Expr, K: Expr) -> Expr:
    """d²f = tr(B dX C dX)  ⇒  H = ½ K (Bᵀ ⊗ C + Cᵀ ⊗ B)"""
    return half(VR.kron(_sym_t(B), C), VR.kron(_sym_t(C), B), K)


TABLE: tuple[Rule, ...] = (
    make_rule("identification: (d vec X)ᵀ B d vec X", h_quadratic_form),
    make_rule("identification: tr(B dXᵀ C dX)", h_trace_transposed),
    make_rule("identification: tr(B dX C dX)", h_trace_plain),
)


@dataclass(frozen=True)
class _Term:
    """One term ±(factors) of H[dX], linear in dX."""

    negative: bool
    factors: tuple[Expr, ...]


def expand_linear(e: Expr, dep) -> list[_Term] | None:
    """(A + B) C = A C + B C, (A B)ᵀ = Bᵀ Aᵀ, -(A) B = -(A B): e as a sum of products (None when too many)"""
    if not dep(e):
        return [_Term(False, (e,))]
    if isinstance(e, Add):
        out = []
        for t in e.terms:
            part = expand_linear(t, dep)
            if part is None:
                return None
            out += part
        return out if len(out) <= MAX_TERMS else None
    if isinstance(e, Neg):
        part = expand_linear(e.arg, dep)
        return None if part is None else [_Term(not t.negative, t.factors) for t in part]
    if isinstance(e, MatMul):
        left, right = expand_linear(e.left, dep), expand_linear(e.right, dep)
        if left is None or right is None or len(left) * len(right) > MAX_TERMS:
            return None
        return [_Term(a.negative != b.negative, a.factors + b.factors) for a in left for b in right]
    if isinstance(e, Transpose):
        part = expand_linear(e.arg, dep)
        return None if part is None else [_Term(t.negative, tuple(transpose(f) for f in reversed(t.factors)))
                                          for t in part]
    return [_Term(False, (e,))]


EXPAND = make_rule("expand into terms linear in dX", expand_linear)


def _product(factors) -> Expr | None:
    out = None
    for f in factors:
        out = f if out is None else matmul(out, f)
    return out


def _build(t: _Term) -> Expr:
    body = _product(t.factors)
    return neg(body) if t.negative else body


def _split(t: _Term, dX: Expr):
    """(c, L, transposed?, R) when t = ±c L dX R or ±c L dXᵀ R with c 1×1 and L, R constant
    matrices (absent: None); None otherwise."""
    idx = [i for i, f in enumerate(t.factors) if f == dX or f == Transpose(dX)]
    if len(idx) != 1 or dX.shape.is_scalar:
        return None
    i = idx[0]
    scalars = [f for f in t.factors if f.shape.is_scalar]
    left = [f for f in t.factors[:i] if not f.shape.is_scalar]
    right = [f for f in t.factors[i + 1:] if not f.shape.is_scalar]
    return _product(scalars), _product(left), t.factors[i] != dX, _product(right)


def _hessian_terms(dG: Expr, x: Sym, dXdep, steps: Steps):
    """The canonical forms of d²f = tr(dGᵀ dX) and the Hessian they identify."""
    dX = Differential(x)
    m, n = x.shape.rows, x.shape.cols
    terms = None if x.shape.cols == 1 else expand_linear(dG, dXdep)
    forms, contributions, rest, used = [], [], [], []
    for t in terms or []:
        split = _split(t, dX)
        if split is None:
            rest.append(_build(t))
            continue
        c, L, transposed, R = split
        L = L if L is not None else Eye(m)
        R = R if R is not None else Eye(n)
        B, C = transpose(R), transpose(L)

        def sign(e: Expr, c=c, negative=t.negative) -> Expr:
            e = e if c is None else matmul(c, e)
            return neg(e) if negative else e

        if transposed:
            forms.append(sign(Call("tr", MatMul(MatMul(MatMul(B, dX), C), dX))))
            contributions.append(sign(TABLE[2](B, C, Commutation(n, m))))
            used.append(TABLE[2].name)
        else:
            forms.append(sign(Call("tr", MatMul(MatMul(MatMul(B, Transpose(dX)), C), dX))))
            contributions.append(sign(TABLE[1](B, C)))
            used.append(TABLE[1].name)
    if terms is None:
        rest = [dG]
    if terms is not None:
        steps.add(EXPAND.name, Add(tuple(_build(t) for t in terms)) if len(terms) > 1 else _build(terms[0]), LINEAR_MAP)
    if rest:
        rest_sum = rest[0] if len(rest) == 1 else Add(tuple(rest))
        B = _vectorise(rest_sum, dXdep, steps, hessian_shape(x.shape), LINEAR_MAP)
        vdX = VR.vec(dX)
        forms.append(MatMul(MatMul(transpose(vdX), B), vdX))
        contributions.append(TABLE[0](B))
        used.append(TABLE[0].name)
    return forms, contributions, used


def derive_hessian(f: Expr, wrt: Sym, *, assume: tuple[Assumption, ...] = (), scope: Scope | None = None) -> Derivation:
    """d²f / d vec X d vec(X)ᵀ by the second identification theorem, every step named."""
    if not f.shape.is_scalar:
        raise MatcalcError(f"a Hessian needs a scalar f, got {f.shape}")
    not_symmetric(wrt, "Hessian")
    x = wrt
    first = derive(f, x, assume=assume, scope=scope)
    steps = Steps()
    steps.extend(first.steps)
    G = first.gradient
    dX = Differential(x)
    as_trace = (lambda e: Call("tr", MatMul(transpose(e), dX))) if x.shape.cols != 1 else \
        (lambda e: MatMul(transpose(e), dX))
    steps.add("second differential, d²X = 0: d²f = tr(dGᵀ dX)", as_trace(Differential(G)), D2F)
    dep = _depends_on(x)
    if not dep(G):
        H = zero(hessian_shape(x.shape))
        steps.add("the gradient does not depend on " + x.name, H, HESSIAN)
        return Derivation(f, x, steps.done(), H, tuple(assume), "hessian")
    pushed = Steps()
    dG = _differential_phase(G, x, dep, pushed)
    steps.extend(_relabel(pushed.done()[1:], D2F, as_trace))
    forms, contributions, used = _hessian_terms(dG, x, _depends_on(dX), steps)
    steps.add("canonical forms", forms[0] if len(forms) == 1 else Add(tuple(forms)), D2F)
    H = contributions[0] if len(contributions) == 1 else Add(tuple(contributions))
    steps.add(", ".join(dict.fromkeys(used)), H, HESSIAN)
    H = _simplify(H, assume, scope, steps, HESSIAN)
    return Derivation(f, x, steps.done(), H, tuple(assume), "hessian")


def derive_kind(kind: str, f: Expr, wrt: Sym, *, assume=(), scope=None) -> Derivation:
    """The derivation a claim of ``kind`` asks for."""
    build = {"gradient": derive, "jacobian": derive_jacobian, "hessian": derive_hessian}[kind]
    try:
        return build(f, wrt, assume=assume, scope=scope)
    except ShapeError as e:  # the input was typed: a shape error now is the engine's
        raise InternalError(e.message) from None
