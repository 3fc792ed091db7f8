"""The rewriting core: named rules, the registrar, traversal strategies and the one fixpoint.

A rule is a named function; a ``Registry`` holds the rules of one kind (differential, trace,
vec, algebra, ...) and refuses a name another rule already has, in any registry, so a step's
label names exactly one rule. A strategy says where the rules of a group fire
(``bottom_up``, ``top_down``) and in which order groups run (``sequence``); ``fixpoint``
repeats a step until nothing changes and says why it stopped (egg's ``StopReason``).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterator

from ..errors import InternalError, MatcalcError
from ..expr import Expr, Let
from ..language import show

#: How many rule firings one simplification may spend (egg's iteration limit); beyond it, an error.
MAX_FIRINGS = 200_000


@dataclass(frozen=True)
class Rule:
    """A named rewrite: ``name`` is what a derivation step cites, ``fn`` does it."""

    name: str
    fn: Callable

    def __call__(self, *args):
        return self.fn(*args)


class DuplicateRule(InternalError):
    """Two different rules registered under one name: a step citing it would be ambiguous."""


#: Every registered rule, by name, across all registries.
NAMES: dict[str, Rule] = {}


class Registry:
    """The rules of one kind, in the order registered, each also found by the keys it was given.

    A key is a node class (``Add``) or a pair (node class, function name), e.g. ``(Call, "logdet")``
    or ``(Entrywise, "sin")``; ``rule_for(e)`` tries e's pair before its class. Register by
    decorator, ``@DIFFERENTIAL("product rule", MatMul)``, or by call, for a function defined
    elsewhere: ``DIFFERENTIAL.add("log-determinant", d_logdet, (Call, "logdet"))``. Adding a name
    already taken by another function raises DuplicateRule; the same function under the same name
    may be added again with more keys.
    """

    def __init__(self, kind: str):
        self.kind = kind
        self.rules: dict[str, Rule] = {}
        self.keys: dict[object, Rule] = {}

    def add(self, name: str, fn: Callable, *keys) -> Rule:
        taken = NAMES.get(name)
        if taken is not None and taken.fn is not fn:
            raise DuplicateRule(f"the rule name '{name}' is taken by {taken.fn.__qualname__}; "
                                f"{fn.__qualname__} needs a name of its own")
        r = NAMES[name] = self.rules[name] = taken or Rule(name, fn)
        for k in keys:
            if self.keys.get(k, r) is not r:
                raise DuplicateRule(f"the {self.kind} key {k} has the rule '{self.keys[k].name}' already")
            self.keys[k] = r
        return r

    def __call__(self, name: str, *keys):
        """A decorator registering the function under ``name`` and ``keys``; the function is returned."""

        def wrap(fn):
            self.add(name, fn, *keys)
            return fn

        return wrap

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __getitem__(self, name: str) -> Rule:
        return self.rules[name]

    def rule_for(self, e: Expr) -> Rule | None:
        """The rule registered for e's head: its (class, function name), else its class."""
        fn = getattr(e, "fn", None)
        return (fn is not None and self.keys.get((type(e), fn))) or self.keys.get(type(e))


# --- strategies ------------------------------------------------------------------------------

class Run:
    """One rewriting run: the firing budget its strategies share, and the names of the rules
    fired since the run last reported (to ``record(names, expression)``, at the end of each part
    of a ``sequence``)."""

    def __init__(self, record: Callable[[str, Expr], None] | None = None):
        self.record = record
        self.left = MAX_FIRINGS
        self.fired: list[str] = []

    def fire(self, rule: Rule, before: Expr) -> Expr | None:
        """rule applied to ``before``: the new form (counted and named), or None when it does not apply."""
        after = rule.fn(before)
        if after is None or after == before:
            return None
        if after.shape != before.shape:  # a rewrite is an identity, so it keeps the shape
            raise InternalError(f"the rule '{rule.name}' turned {before} ({before.shape}) into {after} ({after.shape})")
        self.left -= 1
        if self.left < 0:
            raise MatcalcError(f"could not derive: simplification did not finish within {MAX_FIRINGS:,} "
                               "rule firings (limit of the engine)")
        self.fired.append(rule.name)
        return after

    def report(self, e: Expr) -> None:
        if self.fired and self.record is not None:
            self.record(", ".join(dict.fromkeys(self.fired)), e)
        self.fired = []


#: A strategy rewrites an expression within a run.
Strategy = Callable[[Expr, Run], Expr]


def bottom_up(rules) -> Strategy:
    """The rules applied innermost first, each node rewritten until none applies (the first rule
    that applies fires). A form that comes back while it is being rewritten (c -> 2 c under the
    assumption c = 2 c, or two rules undoing each other) would never finish: an error."""
    rules = tuple(rules)

    def strategy(e: Expr, run: Run) -> Expr:
        memo: dict[Expr, Expr] = {}
        active: set[Expr] = set()

        def first_firing(x: Expr) -> Expr | None:
            for r in rules:
                y = run.fire(r, x)
                if y is not None:
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
                                       f"after {run.fired[-1]}); is an assumption circular?")
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

    return strategy


def top_down(rules) -> Strategy:
    """The rules tried on the largest subexpressions first, in one pass; where one fires, its
    result stays (nothing below it is tried)."""
    rules = tuple(rules)

    def strategy(e: Expr, run: Run) -> Expr:
        if isinstance(e, Let):
            return e
        for r in rules:
            y = run.fire(r, e)
            if y is not None:
                return y
        kids = e.children
        new = tuple(strategy(k, run) for k in kids)
        return e.rebuild(*new) if any(a is not b for a, b in zip(new, kids)) else e

    return strategy


def sequence(*parts: Strategy) -> Strategy:
    """The parts one after the other; after each, the run reports the rules that fired in it."""

    def strategy(e: Expr, run: Run) -> Expr:
        for part in parts:
            e = part(e, run)
            run.report(e)
        return e

    return strategy


# --- the fixpoint ----------------------------------------------------------------------------

class StopReason(Enum):
    """Why ``fixpoint`` stopped: the step changed nothing, the limit of steps was reached, or
    a form came back (the steps cycle)."""

    NORMAL_FORM = "normal form"
    STEP_LIMIT = "step limit"
    RULE_CYCLE = "rule cycle"


def fixpoint(step: Callable, x, limit: int):
    """(x', reason): ``step`` applied to x until it returns its argument unchanged (a normal
    form), ``limit`` times at most, or until a state comes back (found in constant memory by
    Brent's method: each state is compared with one saved at the last power of two)."""
    saved, power, since = x, 1, 0
    for _ in range(limit):
        new = step(x)
        if new == x:
            return x, StopReason.NORMAL_FORM
        x, since = new, since + 1
        if x == saved:
            return x, StopReason.RULE_CYCLE
        if since == power:
            saved, power, since = x, 2 * power, 0
    return x, StopReason.STEP_LIMIT
