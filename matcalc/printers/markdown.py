"""Markdown: numbered steps with $$ math that GitHub renders."""
from __future__ import annotations

from ..language import show
from ..report import ClaimReport
from .notation import LATEX
from .rows import derivation_rows, lhs_gradient, verdict_line


def derivation(r: ClaimReport) -> str:
    x = r.claim.wrt.name
    lines = [f"### Claim {r.claim.index}: ${'F' if r.claim.kind == 'jacobian' else 'f'} = {LATEX.show(r.claim.f)}$, "
             f"${lhs_gradient(LATEX, x, True, r.claim.kind)}$", ""]
    if r.derivation is not None:
        lhs_prev = ""
        for i, (lhs, expr, rule) in enumerate(derivation_rows(r, LATEX, latex=True), 1):
            lhs_prev = lhs or lhs_prev
            lines += [f"{i}. {rule}", "", f"   $$ {lhs_prev} = {expr} $$", ""]
        lines.append(f"{r.claim.kind.capitalize()}: `{show(r.derivation.gradient)}`")
        lines.append("")
    if r.claim.gradient is not None:
        lines += [f"Claimed: `{show(r.claim.gradient)}`", ""]
    lines += [f"**Check:** {verdict_line(r)}", ""]
    return "\n".join(lines)


def proof(title: str, source: str, reports: list[ClaimReport]) -> str:
    head = f"## {title}\n\n" + (f"Source: {source}\n\n" if source else "")
    return head + "\n".join(derivation(r) for r in reports)
