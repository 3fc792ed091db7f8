"""Plain text: the terminal layout without colour, for pipes and NO_COLOR."""
from __future__ import annotations

from ..language import show
from ..report import ClaimReport, label
from .notation import UNICODE
from .rows import derivation_rows, lhs_gradient, verdict_line

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
    lines = [claim_header(r)]
    if r.derivation is not None:
        rows = derivation_rows(r, UNICODE)
        width = max(len(lhs) for lhs, _, _ in rows)
        for lhs, expr, rule in rows:
            left = f"  {lhs.rjust(width)} = {expr}"
            lines.append(f"{left.ljust(RULE_COLUMN)}  [{rule}]" if len(left) < RULE_COLUMN else f"{left}  [{rule}]")
        lines.append(f"  {result_label(r)} {show(r.derivation.gradient)}")
    if r.claim.gradient is not None:
        same = " (the same form as derived)" if r.symbolic_match else ""
        lines.append(f"  claimed:  {show(r.claim.gradient)}{same}")
    lines.append(f"  check:    {verdict_line(r)}")
    return "\n".join(lines)


def proof(reports: list[ClaimReport], header: str = "") -> str:
    parts = [header] if header else []
    parts += [derivation(r) for r in reports]
    return "\n\n".join(parts) + "\n"


def check_results(reports: list[ClaimReport], summary: dict) -> str:
    lines = []
    for r in reports:
        mark = "ok  " if r.ok else "FAIL"
        lines.append(f"{mark} {label(r)}: {verdict_line(r)}")
        cx = r.claimed.counterexample if r.claimed is not None and not r.ok else None
        if cx:
            lines.extend(f"       {k}: {v}" for k, v in cx.items() if k != "summary")
    lines.append(summary_line(summary))
    return "\n".join(lines) + "\n"


def summary_line(summary: dict) -> str:
    holds, errors = summary["holds"], summary["error"]
    return (f"{holds} hold{'s' if holds == 1 else ''}, {summary['refuted']} refuted, "
            f"{errors} error{'' if errors == 1 else 's'}; {summary['unexpected']} not as expected")
