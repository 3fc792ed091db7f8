"""A derivation as it is taken: its steps (each citing a rule), their sides, and its record.

Steps are the engine's only output besides the result; the printers name each side.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import MatcalcError
from ..expr import Expr, Sym, size
from ..declarations import Assumption

#: The sides of steps (the printers name each): df, the gradient, and of second-order steps d vec F, the
#: Jacobian, d²f, H[dX], the Hessian (defined in matcalc.sides, which the printers import without the engine).
from ..sides import D2F, DF, DVEC, GRADIENT, HESSIAN, JACOBIAN, LINEAR_MAP  # noqa: F401
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
    """∂f/∂wrt (or the Jacobian or Hessian, as ``kind`` says) and the steps that derived it."""

    f: Expr
    wrt: Sym
    steps: tuple[Step, ...]
    gradient: Expr  # the result: the gradient, or the Jacobian or Hessian when kind says so
    assume: tuple[Assumption, ...] = ()
    kind: str = "gradient"
    first_order: Expr | None = None  # for a Hessian: the gradient it was derived from


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

    def remark(self, rule: str, expr: Expr, side: str) -> None:
        """A step kept even though it shows the expression before: a remark such as why
        simplification stopped."""
        self.rows.append((rule, expr, side, size(expr)))
        self.open = False

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
