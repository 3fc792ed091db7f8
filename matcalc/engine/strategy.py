"""How rules are applied: bottom-up to a fixpoint, in named groups, each change recorded.

What the rules say lives in ``rules/``; this module only decides where and in which
order they fire, and reports the names of those that did.
"""
from __future__ import annotations

from typing import Iterable

from ..errors import InternalError, MatcalcError
from ..expr import Expr, Let
from ..language import show
from .rules import Rule, make_rule
from .rules import algebra as A
from .rules import scalar_algebra as SA
from .rules.entrywise_algebra import RULE as ENTRYWISE_RULE

MAX_FIRINGS = 200_000

#: The simplification groups, in the order a textbook would apply them.
GROUPS: tuple[tuple[Rule, ...], ...] = tuple(
    tuple(r for r in A.RULES if r.fn in fns) for fns in (
        (A.double_transpose, A.transpose_product, A.transpose_entrywise, A.transpose_constant, A.transpose_symmetric,
         A.transpose_power),
        (A.signs, A.identity, A.numbers, A.trace_of_scalar, A.sum_of_entries, A.trace_with_ones, A.scalars_first,
         A.associativity, A.hadamard_scalars, A.quotients, A.inverse, A.powers, A.builtin_derivatives, A.softmax_form),
        (SA.scalar_algebra,),
        (A.collect, A.common_factor),
    )
) + ((ENTRYWISE_RULE,),)


class Budget:
    """How many rule firings a derivation's simplification may spend (egg's iteration limit)."""

    def __init__(self):
        self.left = MAX_FIRINGS

    def spend(self):
        self.left -= 1
        if self.left < 0:
            raise MatcalcError(f"could not derive: simplification did not finish within {MAX_FIRINGS:,} "
                               "rule firings (limit of the engine)")


def rewrite(e: Expr, rules: Iterable[Rule], fired: list[str], budget: Budget | None = None) -> Expr:
    """e with ``rules`` applied bottom-up until none applies; names of rules that fired go to ``fired``.

    A form that comes back while it is being rewritten (c -> 2 c under the assumption
    c = 2 c, or two rules undoing each other) would loop for ever: it is an error.
    """
    rules = tuple(rules)
    budget = budget or Budget()
    if rules and all(r.top_down for r in rules):
        return _top_down(e, rules, fired)
    memo: dict[Expr, Expr] = {}
    active: set[Expr] = set()

    def first_firing(x: Expr) -> Expr | None:
        for r in rules:
            y = r.fn(x)
            if y is not None and y != x:
                _same_shape(r, x, y)
                budget.spend()
                fired.append(r.name)
                return y
        return None

    def go(x: Expr) -> Expr:
        hit = memo.get(x)
        if hit is not None:
            return hit
        seen = [x]  # the forms x took here; each is being rewritten until this returns
        out = x
        while not isinstance(out, Let):
            if out in active:
                raise MatcalcError(f"could not derive: simplification loops ({show(out)} comes back "
                                   f"after {fired[-1]}); is an assumption circular?")
            active.add(out)
            kids = out.children
            new = tuple(go(k) for k in kids)
            if any(a is not b for a, b in zip(new, kids)):
                out = out.rebuild(*new)
            y = first_firing(out)
            if y is None:
                break
            seen.append(out := y)
        active.difference_update(seen)
        for s in seen:
            memo[s] = out
        return out

    return go(e)


def _same_shape(rule: Rule, before: Expr, after: Expr) -> None:
    """A rewrite is an identity, so it keeps the shape; a rule that does not is a bug."""
    if after.shape != before.shape:
        raise InternalError(f"the rule '{rule.name}' turned {before} ({before.shape}) into {after} ({after.shape})")


def _top_down(e: Expr, rules: tuple[Rule, ...], fired: list[str]) -> Expr:
    """Rules tried on the largest subexpressions first; where one fires, its result stays."""
    if isinstance(e, Let):
        return e
    for r in rules:
        y = r.fn(e)
        if y is not None and y != e:
            _same_shape(r, e, y)
            fired.append(r.name)
            return y
    kids = e.children
    new = tuple(_top_down(k, rules, fired) for k in kids)
    return e.rebuild(*new) if any(a is not b for a, b in zip(new, kids)) else e


def assumption_rule(lhs: Expr, rhs: Expr, text: str) -> Rule:
    """A rule replacing lhs (normalised like any gradient) by rhs, citing the assumption."""

    def by_assumption(e: Expr):
        return rhs if e == lhs else None

    by_assumption.__doc__ = f"{text}"
    return make_rule(f"assumption {text}", by_assumption)


def let_rule(lets: dict[str, Expr]) -> Rule:
    """A rule writing a [let] name for any subexpression equal to its body (latest first)."""
    bodies = {body: name for name, body in reversed(list(lets.items()))}

    def by_let(e: Expr):
        name = bodies.get(e)
        return Let(name, e) if name is not None else None

    by_let.__doc__ = "z = body of z, for each [let] name z"
    return make_rule("let", by_let)


def normalise(e: Expr) -> Expr:
    """e after every algebra group, to a fixpoint (no recording)."""
    for _ in range(20):
        before = e
        for group in GROUPS:
            e = rewrite(e, group, [])
        if e == before:
            return e
    return e
