"""The phases of a derivation, shared by first and second order: each takes an expression,
applies its rules and records its steps.

differential  f -> df, d pushed inward to the differentials of the variable
trace         tr(df) -> Σ tr(Mᵀ dX): the terms of the gradient
vectorise     vec(dF) -> Σ J vec(dX): the terms of a Jacobian (or of a Hessian's quadratic form)
identify      d²f -> its canonical forms and the Hessian each identifies (Table 10.2)
simplify      a result through the policy's rule groups to a normal form
"""
from __future__ import annotations

from ..errors import MatcalcError
from ..expr import Add, Call, Commutation, Differential, Expr, Eye, Let, MatMul, Neg, Sym, Transpose, size
from ..shapes import Shape
from ..shapes import hessian as hessian_shape
from .core import Run, StopReason, fixpoint
from .policy import Simplification
from .rules import differential as DR
from .rules import trace as TR
from .rules import vectorise as VR
from .rules.algebra import ONE, matmul, neg, transpose
from .rules.identification import EXPAND, QUADRATIC_FORM, TRACE_PLAIN, TRACE_TRANSPOSED, expand_linear
from .steps import DF, LINEAR_MAP, MAX_NODES, Steps


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


def depends_on(x: Expr):
    """A memoised predicate: does e contain x?"""
    return _contains(lambda e: e == x)


class _Open:
    """A node of df above a pending d(·): its children are replaced in place as d moves inward, so
    a step costs what it changes, not the length of the path from the root (which made a derivation
    quadratic in the depth of f). ``kids`` holds Exprs and further _Open nodes."""

    __slots__ = ("expr", "kids")

    def __init__(self, expr: Expr | None, kids: list):
        self.expr, self.kids = expr, kids


def differential(f: Expr, x: Sym, dep, steps: Steps) -> Expr:
    """df: d pushed inward by the differential rules, one sweep over every pending d(·) per step.

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


def _terms(terms: list, rule_for, dep, record, phase: str) -> list:
    """Apply ``rule_for(E)`` to every unfinished term (M, E) in rounds until none applies; after
    each round ``record(names of the rules that fired, terms)``. Every rule moves E to a proper
    subexpression, so the rounds are fewer than MAX_NODES; reaching it is an error (a term left
    unfinished cannot be read off)."""

    def round_(terms: list) -> list:
        names, new = [], []
        for M, E in terms:
            rule = rule_for(E)
            if rule is None:
                new.append((M, E))
            else:
                names.append(rule.name)
                new.extend(rule(M, E, dep))
        if not names:
            return terms
        record(", ".join(dict.fromkeys(names)), new)
        return new

    terms, reason = fixpoint(round_, terms, MAX_NODES)
    if reason is not StopReason.NORMAL_FORM:
        raise MatcalcError(f"could not derive: the {phase} phase stopped ({reason.value})")
    return terms


def _show_terms(terms: list[tuple[Expr, Expr]]) -> Expr:
    """Σ tr(Mᵀ E) as an expression (for display), signs pulled out of the traces."""
    shown = []
    for M, E in terms:
        sign = isinstance(M, Neg)
        t = Call("tr", matmul(transpose(M.arg if sign else M), E))
        shown.append(Neg(t) if sign else t)
    return shown[0] if len(shown) == 1 else Add(tuple(shown))


def trace(df: Expr, dep, steps: Steps) -> list[Expr]:
    """From tr(df) move dX to the right of every trace by the trace rules; the M of each tr(Mᵀ dX)."""
    terms = [(ONE, df)]
    if not (isinstance(df, Call) and df.fn == "tr"):
        steps.add("a scalar is its own trace", _show_terms(terms), DF)
    terms = _terms(terms, TR.rule_for, dep, lambda names, t: steps.add(
        names, lambda: _show_terms(t), DF, merge=True, nodes=sum(size(M) + size(E) + 3 for M, E in t)), "trace")
    return [M for M, _ in terms]


def vectorise(dF: Expr, dep, steps: Steps, target: Shape, side: str) -> Expr:
    """From vec(dF) move dX out of every term by the vec rules: the J of d vec F = J d vec X."""
    terms = _terms([(ONE, dF)], VR.rule_for, dep, lambda names, t: steps.add(names, VR.display(t), side), "vec")
    Js = [matmul(J, Eye(target.rows)) if J.shape.is_scalar and not target.is_scalar else J for J, _ in terms]
    return Js[0] if len(Js) == 1 else Add(tuple(Js))


def identify(dG: Expr, x: Sym, dXdep, steps: Steps) -> tuple[list[Expr], list[Expr], list[str]]:
    """The canonical forms of d²f = tr(dGᵀ dX), the Hessian each identifies, and the rules used:
    a term ±c L dX R or ±c L dXᵀ R is a trace form; whatever is left is vectorised into the
    quadratic form (d vec X)ᵀ B d vec X."""
    dX = Differential(x)
    m, n = x.shape.rows, x.shape.cols
    terms = None if x.shape.cols == 1 else expand_linear(dG, dXdep)
    forms, contributions, rest, used = [], [], [], []
    for t in terms or []:
        split = t.canonical(dX)
        if split is None:
            rest.append(t.expr())
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
            contributions.append(sign(TRACE_PLAIN(B, C, Commutation(n, m))))
            used.append(TRACE_PLAIN.name)
        else:
            forms.append(sign(Call("tr", MatMul(MatMul(MatMul(B, Transpose(dX)), C), dX))))
            contributions.append(sign(TRACE_TRANSPOSED(B, C)))
            used.append(TRACE_TRANSPOSED.name)
    if terms is None:
        rest = [dG]
    else:
        steps.add(EXPAND.name, Add(tuple(t.expr() for t in terms)) if len(terms) > 1 else terms[0].expr(), LINEAR_MAP)
    if rest:
        rest_sum = rest[0] if len(rest) == 1 else Add(tuple(rest))
        B = vectorise(rest_sum, dXdep, steps, hessian_shape(x.shape), LINEAR_MAP)
        vdX = VR.vec(dX)
        forms.append(MatMul(MatMul(transpose(vdX), B), vdX))
        contributions.append(QUADRATIC_FORM(B))
        used.append(QUADRATIC_FORM.name)
    return forms, contributions, used


def simplify(G: Expr, simplification: Simplification, steps: Steps, side: str) -> Expr:
    """G through ``simplification`` (the policy's): a step for each group that fired, and a step
    "simplification stopped: <reason>" when it stopped short of a normal form (at the round
    limit, or when a round brought back an earlier form); G is then as far as it got, still
    equal to the result, as every rule is an identity. A form coming back within one group,
    and the firing budget, are errors (``core.bottom_up``, ``core.Run``)."""
    run = Run(lambda names, e: steps.add(names, e, side, merge=True))
    G, reason = simplification.to_fixpoint(G, run)
    if reason is not StopReason.NORMAL_FORM:
        steps.remark(f"simplification stopped: {reason.value}", G, side)
    run.record = lambda names, e: steps.add(names, e, side)
    return simplification.finished(G, run)
