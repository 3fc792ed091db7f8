"""Plain text: the terminal layout without colour, for pipes and NO_COLOR."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..language import show
from ..proof_catalog import grouped
from .notation import UNICODE
from .rows import assuming, bad_header, counterexample_lines, derivation_rows, file_notes, lhs_gradient, verdict_line

if TYPE_CHECKING:
    from ..proof_catalog import Entry
    from ..prooffile import ProofFile
    from ..report import ClaimReport

RULE_COLUMN = 60


def claim_header(r: ClaimReport) -> str:
    f = UNICODE.show(r.claim.f)
    what = lhs_gradient(UNICODE, r.claim.wrt.name, False, r.claim.kind)
    text = f"claim {r.claim.index}: {what} for {'F' if r.claim.kind == 'jacobian' else 'f'} = {f}"
    return text


def result_label(r: ClaimReport) -> str:
    """gradient:, jacobian: or hessian:, padded like claimed: and check:."""
    return f"{r.claim.kind}:".ljust(9)


def derivation(r: ClaimReport) -> str:
    if r.claim is None:  # a claim that could not be read: its error
        return f"{bad_header(r)}\n  check:    {verdict_line(r)}"
    lines = [claim_header(r)]
    if r.derivation is not None:
        rows = derivation_rows(r, UNICODE)
        width = max(len(lhs) for lhs, _, _ in rows)
        for lhs, expr, rule in rows:
            left = f"  {lhs.rjust(width)} = {expr}"
            if not rule:  # a name's definition below the result
                lines.append(left)
            else:
                lines.append(f"{left.ljust(RULE_COLUMN)}  [{rule}]" if len(left) < RULE_COLUMN else f"{left}  [{rule}]")
        lines.append(f"  {result_label(r)} {show(r.derivation.gradient)}")
    if r.claim.gradient is not None:
        same = " (the same form as derived)" if r.symbolic_match else ""
        lines.append(f"  claimed:  {show(r.claim.gradient)}{same}")
    lines.append(f"  check:    {verdict_line(r)}")
    return "\n".join(lines)


def header(p: ProofFile) -> str:
    """The proof's title, source and assumptions, above its claims, and its notes."""
    text = p.title + (f"  ({p.source})" if p.source else "")
    shapes = assuming(p.scope)
    text += f"\n{shapes}" if shapes else ""
    text += "\nassuming " + ", ".join(str(a) for a in p.assume) if p.assume else ""
    return text + "".join(f"\nnote: {n}" for n in p.notes)


def proof(proof: ProofFile, reports: list[ClaimReport], *, standalone: bool = False) -> str:
    """The header, then each claim's derivation and verdict (``standalone`` changes nothing)."""
    head = header(proof)
    return "\n\n".join(([head] if head else []) + [derivation(r) for r in reports]) + "\n"


def check_results(reports: list[ClaimReport], summary: dict, *, quiet: bool = False, standalone: bool = False) -> str:
    """A line per claim (``quiet``: only those not as expected) with its counterexample, and the summary."""
    from .rows import label

    lines = []
    noted: set[str] = set()
    for r in reports:
        if r.file not in noted:  # a file's notes above its first claim
            noted.add(r.file)
            lines += [f"note {r.file}: {n}" for n in file_notes([r])]
        if quiet and r.ok:
            continue
        mark = "ok  " if r.ok else "FAIL"
        lines.append(f"{mark} {label(r)}: {verdict_line(r)}")
        lines += [CX_INDENT + line for line in shown_counterexample(r)]
    lines.append(summary_line(summary))
    return "\n".join(lines) + "\n"


#: The indentation of a counterexample's lines under its claim's line.
CX_INDENT = " " * 7


def shown_counterexample(r: ClaimReport) -> list[str]:
    """The lines of the counterexample of a claim not as expected (none for the others)."""
    cx = r.claimed.counterexample if r.claimed is not None and not r.ok else None
    return counterexample_lines(cx) if cx else []


def catalog_lines(entries: list[Entry]) -> list[str]:
    """`matcalc list`: a line per group and per proof (name, claims, title, source), and the totals."""
    lines = []
    for group, items in grouped(entries):
        lines.append(f"{group}:")
        lines += [f"  {e.name:<26} {e.claims:>2} claim{'s' if e.claims != 1 else ' '}  {e.title}"
                  + (f"  [{e.source}]" if e.source else "") for e in items]
    return lines + [totals(entries)]


def claim_count(n: int) -> str:
    return f"{n} claim{'s' if n != 1 else ''}"


def totals(entries: list[Entry]) -> str:
    return f"{len(entries)} proofs, {sum(e.claims for e in entries)} claims"


def catalog(entries: list[Entry]) -> str:
    return "\n".join(catalog_lines(entries)) + "\n"


def summary_line(summary: dict) -> str:
    holds, errors = summary["holds"], summary["error"]
    return (f"{holds} hold{'s' if holds == 1 else ''}, {summary['refuted']} refuted, "
            f"{errors} error{'' if errors == 1 else 's'}; {summary['unexpected']} not as expected")
