"""Markdown: numbered steps with $$ math that GitHub renders."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..language import show
from ..proof_catalog import grouped
from .latex import aligned
from .notation import LATEX
from .plain import claim_count, totals
from .rows import assuming, derivation_rows, file_notes, lhs_gradient, per_file, verdict_line

if TYPE_CHECKING:
    from ..proof_catalog import Entry
    from ..prooffile import ProofFile
    from ..report import ClaimReport


def derivation(r: ClaimReport) -> str:
    if r.claim is None:  # a claim that could not be read: its error
        f = f": `{r.bad.f}`" if r.bad.f else ""
        return "\n".join([f"### Claim {r.bad.index}{f}", "", f"**Check:** {verdict_line(r)}", ""])
    x = r.claim.wrt.name
    lines = [f"### Claim {r.claim.index}: ${'F' if r.claim.kind == 'jacobian' else 'f'} = {LATEX.show(r.claim.f)}$, "
             f"${lhs_gradient(LATEX, x, True, r.claim.kind)}$", ""]
    if r.derivation is not None:
        lhs_prev, i = "", 0
        for lhs, expr, rule in derivation_rows(r, LATEX, latex=True):
            if not rule:  # a name's definition, under the result that uses it
                lines += [f"   $$ {lhs} = {expr} $$", ""]
                continue
            lhs_prev, i = lhs or lhs_prev, i + 1
            lines += [f"{i}. {rule}", "", f"   $$ {lhs_prev} = {expr} $$", ""]
        lines.append(f"{r.claim.kind.capitalize()}: `{show(r.derivation.gradient)}`")
        lines.append("")
    if r.claim.gradient is not None:
        lines += [f"Claimed: `{show(r.claim.gradient)}`", ""]
    lines += [f"**Check:** {verdict_line(r)}", ""]
    return "\n".join(lines)


def notebook(r: ClaimReport) -> str:
    """What a notebook shows: the claim, the derivation as one aligned block (its rules beside the
    steps), the result in the language and the check."""
    x = r.claim.wrt.name
    lines = [f"**${'F' if r.claim.kind == 'jacobian' else 'f'} = {LATEX.show(r.claim.f)}$, "
             f"${lhs_gradient(LATEX, x, True, r.claim.kind)}$**", ""]
    if r.derivation is not None:
        lines += ["$$\\begin{aligned}", " \\\\\n".join(aligned(r)), "\\end{aligned}$$", "",
                  f"{r.claim.kind.capitalize()}: `{show(r.derivation.gradient)}`", ""]
    if r.claim.gradient is not None:
        lines += [f"Claimed: `{show(r.claim.gradient)}`", ""]
    lines += [f"**Check:** {verdict_line(r)}", ""]
    return "\n".join(lines)


def section(title: str, source: str, reports: list[ClaimReport], shapes: str = "") -> str:
    """A section titled ``title``: numbered steps per claim (``shapes``: the inferred shapes, "assuming ...")."""
    head = (f"## {title}\n\n" + (f"Source: {source}\n\n" if source else "") + (f"{shapes}\n\n" if shapes else "")
            + "".join(f"Note: {n}\n\n" for n in file_notes(reports)))
    return head + "\n".join(derivation(r) for r in reports)


def proof(proof: ProofFile, reports: list[ClaimReport], *, standalone: bool = False) -> str:
    """The proof's section (Markdown has no standalone form: ``standalone`` changes nothing)."""
    return section(proof.title, proof.source, reports, assuming(proof.scope))


def check_results(reports: list[ClaimReport], summary: dict, *, quiet: bool = False, standalone: bool = False) -> str:
    """A section per proof file, every claim shown (``quiet`` is for the terminal's list)."""
    return per_file(reports, lambda file, good: section(file, "", good), lambda file, error: f"{file}: {error}\n")


def catalog(entries: list[Entry]) -> str:
    """A section per group, an item per proof."""
    lines = []
    for group, items in grouped(entries):
        lines += [f"## {group}", ""]
        lines += [f"- `{e.name}`: {e.title} ({claim_count(e.claims)})" + (f" [{e.source}]" if e.source else "")
                  for e in items]
        lines.append("")
    return "\n".join(lines + [totals(entries)]) + "\n"
