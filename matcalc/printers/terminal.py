"""The terminal: the plain layout with rich styles (rules muted, verdicts coloured)."""
from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from ..language import show
from ..report import ClaimReport, label
from .notation import UNICODE
from .plain import claim_header, result_label, summary_line
from .rows import derivation_rows, verdict_line

THEME = Theme({"rule": "dim italic", "ok": "bold green", "fail": "bold red", "head": "bold", "grad": "bold cyan"})


def console(**kw) -> Console:
    return Console(theme=THEME, **kw)


def _verdict(r: ClaimReport) -> Text:
    return Text(f"  check:    {verdict_line(r)}", style="ok" if r.ok else "fail")


def derivation(r: ClaimReport) -> Group:
    parts = [Text(claim_header(r), style="head")]
    if r.derivation is not None:
        table = Table.grid(padding=(0, 1))
        for _ in range(3):
            table.add_column()
        table.add_column(style="rule")
        for lhs, expr, rule in derivation_rows(r, UNICODE):
            table.add_row(f"  {lhs}", "=", expr, rule)
        parts += [table, Text.assemble(f"  {result_label(r)} ", (show(r.derivation.gradient), "grad"))]
    if r.claim.gradient is not None:
        parts.append(Text(f"  claimed:  {show(r.claim.gradient)}"))
    parts.append(_verdict(r))
    return Group(*parts)


def proof(reports: list[ClaimReport], header: str = "") -> Group:
    items = [Text(header, style="head")] if header else []
    for r in reports:
        items += [derivation(r), Text("")]
    return Group(*items)


def check_results(reports: list[ClaimReport], summary: dict) -> Group:
    items = []
    for r in reports:
        mark = Text("ok  " if r.ok else "FAIL", style="ok" if r.ok else "fail")
        items.append(Text.assemble(mark, f" {label(r)}: {verdict_line(r)}"))
        cx = r.claimed.counterexample if r.claimed is not None and not r.ok else None
        if cx:
            items += [Text(f"       {k}: {v}", style="rule") for k, v in cx.items() if k != "summary"]
    items.append(Text(summary_line(summary), style="head"))
    return Group(*items)
