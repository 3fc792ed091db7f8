"""The trace trick, step by step: f -> df -> tr(df) -> tr(Gᵀ dX) -> G.

Every rewrite is a named rule from ``rules/``; every step records the rule and the
whole expression after it, so the derivation prints as a proof.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

from .errors import InternalError, MatcalcError, ShapeError
from .expr import Add, Call, Differential, Expr, Let, Neg, Sym, size
from .declarations import Assumption, Scope
from .rules import algebra as A
from .rules import differential as DR
from .rules import trace as TR
from .strategy import GROUPS, Budget, assumption_rule, let_rule, normalise, rewrite

DF, GRADIENT = "df", "gradient"
#: The sides of second-order steps (the printers name each): d vec F, the Jacobian, d²f, H[dX], the Hessian.
DVEC, JACOBIAN, D2F, LINEAR_MAP, HESSIAN = "dvec", "jacobian", "d2f", "linear map", "hessian"
#: A step larger than this (in nodes) is too large to read; runs of them are shown as one.
SHOWN_NODES = 500
#: No expression of a derivation may be larger: beyond it, "could not derive" (never a hang).
MAX_NODES = 1_000_000


@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``side`` = expr, by ``rule``. side is "df" or "gradient" (or a second-order side)."""

    rule: str
    expr: Expr
    side: str


@dataclass(frozen=True)
class Derivation:
    f: Expr
    wrt: Sym
    steps: tuple[Step, ...]
    gradient: Expr  # the result: the gradient, or the Jacobian or Hessian when kind says so
    assume: tuple[Assumption, ...] = ()
    kind: str = "gradient"


def _contains(test):
    """A memoised predicate: does e have a node (itself or below it) that passes ``test``?"""
    memo: dict[Expr, bool] = {}

    def has(e: Expr) -> bool:
        hit = memo.get(e)
        if hit is None:
            hit = memo[e] = test(e) or any(has(c) for c in e.children)
        return hit

    return has


def _depends_on(x: Expr):
    return _contains(lambda e: e == x)


def _differential_phase(f: Expr, x: Sym, dep, steps: "Steps") -> Expr:
    """Push d inward, one sweep over every pending d(·) per step."""
    df: Expr = Differential(f)
    steps.add("differential of f", df, DF)
    pending = _contains(lambda e: isinstance(e, Differential) and e.arg != x)
    while True:
        names: list[str] = []
        memo: dict[Expr, Expr] = {}  # a shared subexpression is swept once

        def sweep(e: Expr) -> Expr:
            hit = memo.get(e)
            if hit is not None:
                return hit
            if not pending(e):
                out = e
            elif isinstance(e, Differential):
                if e.arg == x:
                    out = e
                else:
                    rule = DR.choose(e.arg)
                    names.append(rule.name)
                    out = rule(e.arg, Differential, dep)
            elif isinstance(e, Let):  # d is pushed into a let's body, never left inside a Let
                out = e
            else:
                kids = e.children
                new = tuple(sweep(k) for k in kids)
                out = e.rebuild(*new) if any(a is not b for a, b in zip(new, kids)) else e
            memo[e] = out
            return out

        df = sweep(df)
        if not names:
            return df
        steps.add(", ".join(dict.fromkeys(names)), df, DF, merge=True)


class Steps:
    """The steps of a derivation as it is taken, and its limit on size.

    A step that shows the same expression as the one before is skipped. Consecutive steps
    of one phase too large to read (over SHOWN_NODES nodes) are merged into one citing
    every rule, so a long derivation prints in linear, not quadratic, size; such a step
    may be given as a function that builds it, called only if the step is kept. An
    expression over MAX_NODES nodes stops the derivation with a message.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[str, object, str, int]] = []  # rule, expression (or its builder), side, size
        self.open = False  # the last step may take in the next one

    def add(self, rule: str, expr, side: str, *, merge: bool = False, nodes: int | None = None) -> None:
        nodes = size(expr) if nodes is None else nodes
        if nodes > MAX_NODES:
            raise MatcalcError(f"could not derive: the expression grows past {MAX_NODES:,} nodes "
                               f"at step '{rule}' (limit of the engine)")
        if callable(expr) and nodes <= SHOWN_NODES:
            expr = expr()
        last = self.rows[-1] if self.rows else None
        if last is not None and last[2] == side and last[1] == expr:
            return
        if merge and self.open and last[2] == side and min(last[3], nodes) > SHOWN_NODES:
            rule = ", ".join(dict.fromkeys(last[0].split(", ") + rule.split(", ")))
            self.rows.pop()
        self.rows.append((rule, expr, side, nodes))
        self.open = merge

    def extend(self, steps) -> None:
        """Add finished steps (another derivation's, for one taken further)."""
        for step in steps:
            self.add(step.rule, step.expr, step.side)

    def done(self) -> tuple[Step, ...]:
        return tuple(Step(rule, e() if callable(e) else e, side) for rule, e, side, _ in self.rows)


def _show_terms(terms: list[tuple[Expr, Expr]]) -> Expr:
    """Σ tr(Mᵀ E) as an expression (for display), signs pulled out of the traces."""
    shown = []
    for M, E in terms:
        sign = isinstance(M, Neg)
        t = Call("tr", A.matmul(A.transpose(M.arg if sign else M), E))
        shown.append(Neg(t) if sign else t)
    return shown[0] if len(shown) == 1 else Add(tuple(shown))


def _trace_phase(df: Expr, dep, steps: Steps) -> list[Expr]:
    """From tr(df) move dX to the right of every trace; return the M of each tr(Mᵀ dX)."""
    terms = [(A.ONE, df)]
    if not (isinstance(df, Call) and df.fn == "tr"):
        steps.add("a scalar is its own trace", _show_terms(terms), DF)
    terms = exhaust_terms(terms, TR.rule_for, dep, lambda names, t: steps.add(
        names, lambda: _show_terms(t), DF, merge=True, nodes=sum(size(M) + size(E) + 3 for M, E in t)))
    return [M for M, _ in terms]


def exhaust_terms(terms: list, rule_for, dep, record) -> list:
    """Apply ``rule_for(E)`` to every unfinished term (M, E) in rounds until none applies;
    after each round ``record(names of the rules that fired, terms)``. Shared by the trace
    phase and the vectorisation of second-order derivations."""
    while True:
        names, new = [], []
        for M, E in terms:
            rule = rule_for(E)
            if rule is None:
                new.append((M, E))
            else:
                names.append(rule.name)
                new.extend(rule(M, E, dep))
        terms = new
        if not names:
            return terms
        record(", ".join(dict.fromkeys(names)), terms)


def _simplify_phase(G: Expr, rule_groups, steps: Steps) -> Expr:
    budget = Budget()
    for _ in range(20):
        before = G
        for group in rule_groups:
            fired: list[str] = []
            G = rewrite(G, group, fired, budget)
            if fired:
                steps.add(", ".join(dict.fromkeys(fired)), G, GRADIENT, merge=True)
        if G == before:
            return G
    return G


def derive(f: Expr, wrt: Sym, *, assume: tuple[Assumption, ...] = (), scope: Scope | None = None) -> Derivation:
    """∂f/∂wrt by the trace trick, recording each step; the gradient has wrt's shape."""
    if not f.shape.is_scalar:
        raise MatcalcError(f"f must be scalar, got {f.shape}")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    try:
        d = _derive(f, wrt, assume, scope)
    except ShapeError as e:  # the input was typed: a shape error now is the engine's
        raise InternalError(e.message) from None
    if d.gradient.shape != wrt.shape:
        raise InternalError(f"the gradient {d.gradient} came out {d.gradient.shape}, not {wrt.name}'s shape {wrt.shape}")
    return d


def _derive(f: Expr, wrt: Sym, assume: tuple[Assumption, ...], scope: Scope | None) -> Derivation:
    x = wrt
    dep = _depends_on(x)
    steps = Steps()
    if not dep(f):
        G = A.zero(x.shape)
        steps.add("f does not depend on " + x.name, G, GRADIENT)
        return Derivation(f, x, steps.done(), G, tuple(assume))
    df = _differential_phase(f, x, dep, steps)
    Ms = _trace_phase(df, _depends_on(Differential(x)), steps)
    G = Ms[0] if len(Ms) == 1 else Add(tuple(Ms))
    steps.add("collect terms", Call("tr", A.matmul(A.transpose(G), Differential(x))), DF)
    steps.add("read off the gradient (eq. 92)", G, GRADIENT)
    groups = simplification_groups(GROUPS, assume, scope)
    G = _simplify_phase(G, groups, steps)
    if x.symmetric:  # df = tr(G₀ᵀ dX) is known for symmetric dX only: the gradient is sym(G₀)
        G = A.symmetrised(G)
        steps.add(f"symmetric gradient: G = (G₀ + G₀ᵀ) / 2, as d{x.name} is symmetric ({SOURCE})", G, GRADIENT)
        G = _simplify_phase(G, groups, steps)
    return Derivation(f, x, steps.done(), G, tuple(assume))


#: Where the gradient by a symmetric matrix is defined as the symmetric part of the unconstrained one.
SOURCE = "Srinivasan & Panda, arXiv 1911.06491"


def simplification_groups(base, assume: tuple[Assumption, ...], scope: Scope | None) -> list:
    """The rule groups ``base``, then the assumptions and the [let] names as rules."""
    groups = list(base)
    if assume:
        groups.append(tuple(assumption_rule(normalise(a.lhs), a.rhs, str(a)) for a in assume))
    if scope is not None and scope.lets:
        groups.append((let_rule(scope.lets),))
    return groups
