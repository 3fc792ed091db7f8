"""First order: the trace trick, step by step: f -> df -> tr(df) -> tr(Gᵀ dX) -> G.

Every rewrite is a named rule from ``rules/``; every step records the rule and the
whole expression after it, so the derivation prints as a proof.
"""
from __future__ import annotations

from ..declarations import Assumption, Scope
from ..deep import deep
from ..errors import InternalError, MatcalcError, ShapeError
from ..expr import Add, Call, Differential, Expr, Sym
from .phases import depends_on, differential, simplify, trace
from .policy import simplification
from .rules import algebra as A
from .steps import DF, GRADIENT, Derivation, Steps

#: Where the gradient by a symmetric matrix is defined as the symmetric part of the unconstrained one.
SOURCE = "Srinivasan & Panda, arXiv 1911.06491"
#: The step that identifies the gradient in df = tr(Gᵀ dX).
READ_OFF = "read off the gradient G from df = tr(Gᵀ dX)"


@deep
def derive(f: Expr, wrt: Sym, *, assume: tuple[Assumption, ...] = (), scope: Scope | None = None) -> Derivation:
    """∂f/∂wrt by the trace trick, recording each step; the gradient has wrt's shape."""
    if not f.shape.is_scalar:
        raise MatcalcError(f"f must be scalar, got {f.shape}")
    try:
        d = _derive(f, wrt, assume, scope)
    except ShapeError as e:  # the input was typed: a shape error now is the engine's
        raise InternalError(e.message) from None
    if d.gradient.shape != wrt.shape:
        raise InternalError(f"the gradient {d.gradient} came out {d.gradient.shape}, not {wrt.name}'s shape {wrt.shape}")
    return d


def _derive(f: Expr, wrt: Sym, assume: tuple[Assumption, ...], scope: Scope | None) -> Derivation:
    x = wrt
    dep = depends_on(x)
    steps = Steps()
    if not dep(f):
        G = A.zero(x.shape)
        steps.add("f does not depend on " + x.name, G, GRADIENT)
        return Derivation(f, x, steps.done(), G, tuple(assume))
    df = differential(f, x, dep, steps)
    Ms = trace(df, depends_on(Differential(x)), steps)
    G = Ms[0] if len(Ms) == 1 else Add(tuple(Ms))
    steps.add("collect terms", Call("tr", A.matmul(A.transpose(G), Differential(x))), DF)
    # df = tr(Gᵀ dX) for every dX identifies G as the gradient (cited as "eq. 92" when the rule was
    # first written, the source unnamed; the label says the identity itself)
    steps.add(READ_OFF, G, GRADIENT)
    rules = simplification("gradient", assume, scope)
    G = simplify(G, rules, steps, GRADIENT)
    if x.symmetric:  # df = tr(G₀ᵀ dX) is known for symmetric dX only: the gradient is sym(G₀)
        G = A.symmetrised(G)
        steps.add(f"symmetric gradient: G = (G₀ + G₀ᵀ) / 2, as d{x.name} is symmetric ({SOURCE})", G, GRADIENT)
        G = simplify(G, rules, steps, GRADIENT)
    return Derivation(f, x, steps.done(), G, tuple(assume))
