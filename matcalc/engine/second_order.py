"""Jacobians and Hessians by the identification theorems (Magnus & Neudecker, ch. 9-10, 18).

Jacobian: dF as for gradients, then vectorised by named rules to d vec F = J d vec X.
Hessian: d²f = tr(dGᵀ dX) with d²X = 0 (G the gradient), brought to the canonical forms
tr(B dXᵀ C dX), tr(B dX C dX) or (d vec X)ᵀ B d vec X, and H read off the table.
"""
from __future__ import annotations

from ..declarations import Assumption, Scope, not_symmetric
from ..errors import InternalError, MatcalcError, ShapeError
from ..expr import Add, Call, Differential, Expr, MatMul, Sym
from ..shapes import hessian as hessian_shape
from ..shapes import jacobian as jacobian_shape
from .derivation import derive
from .phases import depends_on, differential, identify, simplify, vectorise
from .policy import simplification
from .rules.algebra import matmul, transpose, zero
from .rules.vectorise import vec
from .steps import D2F, DVEC, HESSIAN, JACOBIAN, Derivation, Step, Steps


def _relabel(steps, side: str, wrap=None) -> list[Step]:
    return [Step(s.rule, wrap(s.expr) if wrap else s.expr, side) for s in steps]


def derive_jacobian(F: Expr, wrt: Sym, *, assume: tuple[Assumption, ...] = (), scope: Scope | None = None) -> Derivation:
    """d vec F / d vec(X)ᵀ by the first identification theorem, every step named."""
    not_symmetric(wrt, "Jacobian")
    x = wrt
    dep = depends_on(x)
    target = jacobian_shape(F.shape, x.shape)
    steps = Steps()
    if not dep(F):
        J = zero(target)
        steps.add("F does not depend on " + x.name, J, JACOBIAN)
        return Derivation(F, x, steps.done(), J, tuple(assume), "jacobian")
    dF = differential(F, x, dep, steps)
    J = vectorise(dF, depends_on(Differential(x)), steps, target, DVEC)
    steps.add("collect terms", matmul(J, vec(Differential(x))), DVEC)
    steps.add("read off the Jacobian (first identification theorem)", J, JACOBIAN)
    J = simplify(J, simplification("jacobian", assume, scope), steps, JACOBIAN)
    return Derivation(F, x, steps.done(), J, tuple(assume), "jacobian")


def derive_hessian(f: Expr, wrt: Sym, *, assume: tuple[Assumption, ...] = (), scope: Scope | None = None) -> Derivation:
    """d²f / d vec X d vec(X)ᵀ by the second identification theorem, every step named; the
    gradient it goes through is kept as ``first_order``."""
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
    dep = depends_on(x)
    if not dep(G):
        H = zero(hessian_shape(x.shape))
        steps.add("the gradient does not depend on " + x.name, H, HESSIAN)
        return Derivation(f, x, steps.done(), H, tuple(assume), "hessian", G)
    pushed = Steps()
    dG = differential(G, x, dep, pushed)
    steps.extend(_relabel(pushed.done()[1:], D2F, as_trace))
    forms, contributions, used = identify(dG, x, depends_on(dX), steps)
    steps.add("canonical forms", forms[0] if len(forms) == 1 else Add(tuple(forms)), D2F)
    H = contributions[0] if len(contributions) == 1 else Add(tuple(contributions))
    steps.add(", ".join(dict.fromkeys(used)), H, HESSIAN)
    H = simplify(H, simplification("hessian", assume, scope), steps, HESSIAN)
    return Derivation(f, x, steps.done(), H, tuple(assume), "hessian", G)


def derive_kind(kind: str, f: Expr, wrt: Sym, *, assume=(), scope=None) -> Derivation:
    """The derivation a claim of ``kind`` asks for."""
    build = {"gradient": derive, "jacobian": derive_jacobian, "hessian": derive_hessian}[kind]
    try:
        return build(f, wrt, assume=assume, scope=scope)
    except ShapeError as e:  # the input was typed: a shape error now is the engine's
        raise InternalError(e.message) from None
