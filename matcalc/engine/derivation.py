"""The trace trick, step by step: f -> df -> tr(df) -> tr(Gᵀ dX) -> G.

Every rewrite is a named rule from ``rules/``; every step records the rule and the
whole expression after it, so the derivation prints as a proof.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InternalError, MatcalcError, ShapeError
from ..expr import Add, Call, Differential, Expr, Let, Neg, Sym, size
from ..declarations import Assumption, Scope
from ..deep import deep
from .rules import algebra as A
from .rules import differential as DR
from .rules import trace as TR
from .strategy import GROUPS, Budget, assumption_rule, let_rule, normalise, rewrite

DF, GRADIENT = "df", "gradient"
#: The sides of second-order steps (the printers name each): d vec F, the Jacobian, d²f, H[dX], the Hessian.
DVEC, JACOBIAN, D2F, LINEAR_MAP, HESSIAN = "dvec", "jacobian", "d2f", "linear map", "hessian"
#: A step larger than this (in nodes: some 1,000 characters printed) is too large to read; runs of
#: them are shown as one. Each step shown is built whole, so this also bounds what showing costs.
SHOWN_NODES = 250
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
    """A memoised predicate: does e have a node (itself or below it) that passes ``test``?
    Walked with a stack, never Python recursion, so any depth is fine."""
    memo: dict[Expr, bool] = {}

    def has(e: Expr) -> bool:
        hit = memo.get(e)
        if hit is not None:
            return hit
        stack = [e]
        while stack:
            n = stack[-1]
            if n in memo:
                stack.pop()
            elif test(n):
                memo[n] = True
                stack.pop()
            else:
                kids = n.children
                todo = [k for k in kids if k not in memo]
                if todo:
                    stack.extend(todo)
                else:
                    memo[n] = any(memo[k] for k in kids)
                    stack.pop()
        return memo[e]

    return has


def _depends_on(x: Expr):
    return _contains(lambda e: e == x)


class _Open:
    """A node of df above a pending d(·): its children are replaced in place as d moves inward, so
    a step costs what it changes, not the length of the path from the root (which made a derivation
    quadratic in the depth of f). ``kids`` holds Exprs and further _Open nodes."""

    __slots__ = ("expr", "kids")

    def __init__(self, expr: Expr | None, kids: list):
        self.expr, self.kids = expr, kids


def _differential_phase(f: Expr, x: Sym, dep, steps: "Steps") -> Expr:
    """Push d inward, one sweep over every pending d(·) per step.

    df is kept as a tree of _Open nodes down to the pending differentials, each a (node, index)
    place; a sweep replaces each place's d(·) by its rule's result, and the whole expression is
    built (with equal parts shared) only for the steps that are shown."""
    df: Expr = Differential(f)
    steps.add("differential of f", df, DF)
    pending = _contains(lambda e: isinstance(e, Differential) and e.arg != x)
    root = _Open(None, [df])
    places: list[tuple[_Open, int]] = []
    _open_at(root, 0, df, pending, places)
    total = size(df)
    interned: dict[Expr, Expr] = {}
    while places:
        names: list[str] = []
        memo: dict[Expr, Expr] = {}  # a shared d(·) is swept once
        for node, i in places:
            d = node.kids[i]
            if d not in memo:
                rule = DR.choose(d.arg)
                names.append(rule.name)
                memo[d] = rule(d.arg, Differential, dep)
        grown = total + sum(size(memo[node.kids[i]]) - size(node.kids[i]) for node, i in places)
        steps.settle(grown, DF, merge=True)  # the step before is built now if it is to be shown
        new_places: list[tuple[_Open, int]] = []
        for node, i in places:
            _open_at(node, i, memo[node.kids[i]], pending, new_places)
        places, total = new_places, grown
        steps.add(", ".join(dict.fromkeys(names)), lambda: _build(root, interned), DF, merge=True, nodes=total)
    steps.settle(0, DF)
    return _build(root, interned)


def _open_at(node: _Open, i: int, e: Expr, pending, places: list) -> None:
    """Put e at node.kids[i], opening every node of e above a pending d(·); the places of
    those d(·) are appended to ``places`` left to right."""
    stack = [(node, i, e)]
    while stack:
        parent, j, e = stack.pop()
        if not pending(e) or isinstance(e, Let):  # d is pushed into a let's body, never left inside a Let
            parent.kids[j] = e
        elif isinstance(e, Differential):
            parent.kids[j] = e
            places.append((parent, j))
        else:
            kids = e.children
            opened = _Open(e, list(kids))
            parent.kids[j] = opened
            stack.extend((opened, k, kids[k]) for k in reversed(range(len(kids))))


def _build(root: _Open, interned: dict) -> Expr:
    """The expression an _Open tree stands for, built bottom-up without recursion; equal
    subexpressions become one object (so later comparisons stay cheap)."""
    out: dict[int, Expr] = {}
    stack: list[tuple[_Open, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if not ready:
            stack.append((node, True))
            stack.extend((k, False) for k in node.kids if isinstance(k, _Open))
            continue
        kids = tuple(out.pop(id(k)) if isinstance(k, _Open) else k for k in node.kids)
        if node.expr is None:
            return kids[0]
        old = node.expr.children
        e = node.expr.rebuild(*kids) if any(a is not b for a, b in zip(kids, old)) else node.expr
        out[id(node)] = interned.setdefault(e, e)
    raise AssertionError("unreachable")


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
        if last is not None and last[2] == side and not callable(expr):
            if callable(last[1]):  # a step kept as its builder: built now, to be compared
                last = self.rows[-1] = (last[0], last[1](), side, last[3])
            if last[1] == expr:
                return
        if merge and self.open and last[2] == side and min(last[3], nodes) > SHOWN_NODES:
            rule = ", ".join(dict.fromkeys(last[0].split(", ") + rule.split(", ")))
            self.rows.pop()
        self.rows.append((rule, expr, side, nodes))
        self.open = merge

    def settle(self, nodes: int, side: str, *, merge: bool = False) -> None:
        """Build the last step now if a step of ``nodes`` nodes added next would keep it (its
        builder reads a state that is about to change)."""
        if not self.rows or not callable(self.rows[-1][1]):
            return
        rule, expr, last_side, n = self.rows[-1]
        if not (merge and self.open and last_side == side and min(n, nodes) > SHOWN_NODES):
            self.rows[-1] = (rule, expr(), last_side, n)

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
