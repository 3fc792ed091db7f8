"""A derivation as rows (left side, right side, rule), in a given notation; shared by the printers."""
from __future__ import annotations

from ..derivation import DF
from ..report import ClaimReport
from .notation import Notation


def lhs_df(n: Notation) -> str:
    return f"{n.d}f"


def lhs_gradient(n: Notation, x: str, latex: bool) -> str:
    return f"\\frac{{\\partial f}}{{\\partial {n.name(x)}}}" if latex else f"∂f/∂{n.name(x)}"


def derivation_rows(r: ClaimReport, n: Notation, *, latex: bool = False) -> list[tuple[str, str, str]]:
    """(lhs, expression, rule) per step; lhs is empty where it continues the line above."""
    rows, last_side = [], None
    x = r.claim.wrt.name
    for step in r.derivation.steps:
        lhs = "" if step.side == last_side else (lhs_df(n) if step.side == DF else lhs_gradient(n, x, latex))
        rows.append((lhs, n.show(step.expr), step.rule))
        last_side = step.side
    return rows


def verdict_line(r: ClaimReport) -> str:
    """What the checker said, in one line."""
    if r.error:
        return f"error: {r.error}"
    expect = "" if r.claim.expect == "holds" else " (expected: refuted)"
    return f"{r.verdict}{expect}: {r.message}"
