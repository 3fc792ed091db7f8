"""The terminal: the plain layout with rich styles (rules muted, verdicts coloured). Its documents
are rich renderables (print them with ``console().print``), not text."""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from ..language import show
from .notation import UNICODE
from .plain import CX_INDENT, catalog_lines, claim_header, header, result_label, shown_counterexample, summary_line
from .rows import bad_header, derivation_rows, file_notes, verdict_line

if TYPE_CHECKING:
    from ..proof_catalog import Entry
    from ..prooffile import ProofFile
    from ..report import ClaimReport

THEME = Theme({"rule": "dim italic", "ok": "bold green", "fail": "bold red", "head": "bold", "grad": "bold cyan"})


def console(**kw) -> Console:
    return Console(theme=THEME, **kw)


def _verdict(r: ClaimReport) -> Text:
    return Text(f"  check:    {verdict_line(r)}", style="ok" if r.ok else "fail")


def derivation(r: ClaimReport) -> Group:
    if r.claim is None:  # a claim that could not be read: its error
        return Group(Text(bad_header(r), style="head"), _verdict(r))
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


def proof(proof: ProofFile, reports: list[ClaimReport], *, standalone: bool = False) -> Group:
    """The plain layout, styled (``standalone`` changes nothing)."""
    head = header(proof)
    items = [Text(head, style="head")] if head else []
    for r in reports:
        items += [derivation(r), Text("")]
    return Group(*items)


def check_results(reports: list[ClaimReport], summary: dict, *, quiet: bool = False, standalone: bool = False) -> Group:
    """The plain check list, marks and verdicts coloured."""
    from .rows import label

    items = []
    noted: set[str] = set()
    for r in reports:
        if r.file not in noted:  # a file's notes above its first claim
            noted.add(r.file)
            items += [Text(f"note {r.file}: {n}", style="rule") for n in file_notes([r])]
        if quiet and r.ok:
            continue
        mark = Text("ok  " if r.ok else "FAIL", style="ok" if r.ok else "fail")
        items.append(Text.assemble(mark, f" {label(r)}: {verdict_line(r)}"))
        items += [Text(CX_INDENT + line, style="rule") for line in shown_counterexample(r)]
    items.append(Text(summary_line(summary), style="head"))
    return Group(*items)


def catalog(entries: list[Entry]) -> Text:
    """The plain catalog, group lines in bold (highlighted as the console highlights text)."""
    markup = "\n".join(f"[bold]{escape(line)}[/]" if not line.startswith(" ") else escape(line)
                       for line in catalog_lines(entries))
    return console().render_str(markup)
