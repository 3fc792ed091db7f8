"""LaTeX: one align* block per claim, rules as \\text annotations; --standalone makes a document."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..language import GREEK_LETTERS
from ..proof_catalog import grouped
from .notation import LATEX, greek_command
from .plain import claim_count, totals
from .rows import assuming, derivation_rows, file_notes, lhs_gradient, per_file, verdict_line

if TYPE_CHECKING:
    from ..proof_catalog import Entry
    from ..prooffile import ProofFile
    from ..report import ClaimReport

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_REPLACE = {"ᵀ": "$^\\top$", "⊙": "$\\odot$", "∂": "$\\partial$", "−": "-", "—": "--", "–": "--",
            "✓": "$\\checkmark$", "✗": "$\\times$", "‖": "$\\|$", "×": "$\\times$"}


def text(s: str) -> str:
    """Free text for LaTeX: specials escaped, Unicode spelled in ASCII commands."""
    out = []
    for ch in s:
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch in _REPLACE:
            out.append(_REPLACE[ch])
        elif ord(ch) > 127:
            out.append(f"${greek_command(ch)}$" if ch in GREEK_LETTERS else "?")
        else:
            out.append(ch)
    return "".join(out)


def align(r: ClaimReport) -> str:
    """The derivation's steps as one align* block (also what a notebook renders)."""
    return "\\begin{align*}\n" + " \\\\\n".join(aligned(r)) + "\n\\end{align*}"


def aligned(r: ClaimReport) -> list[str]:
    """The derivation's rows for an align* or aligned block: lhs &= expression && \\text{rule}."""
    return [f"{lhs} &= {expr}" + (f" && \\text{{{text(rule)}}}" if rule else "")
            for lhs, expr, rule in derivation_rows(r, LATEX, latex=True)]


def derivation(r: ClaimReport) -> str:
    if r.claim is None:  # a claim that could not be read: its error
        f = f" $f$ = \\texttt{{{text(r.bad.f)}}}." if r.bad.f else ""
        return f"\\paragraph{{Claim {r.bad.index}.}}{f}\n\\emph{{Check:}} {text(verdict_line(r))}"
    x = r.claim.wrt.name
    lines = [f"\\paragraph{{Claim {r.claim.index}.}} "
             f"${'F' if r.claim.kind == 'jacobian' else 'f'} = {LATEX.show(r.claim.f)}$, "
             f"find ${lhs_gradient(LATEX, x, True, r.claim.kind)}$."]
    if r.derivation is not None:
        lines.append(align(r))
    if r.claim.gradient is not None:
        lines.append(f"Claimed: ${lhs_gradient(LATEX, x, True, r.claim.kind)} = {LATEX.show(r.claim.gradient)}$.")
    lines.append(f"\\emph{{Check:}} {text(verdict_line(r))}")
    return "\n".join(lines)


def section(title: str, source: str, reports: list[ClaimReport], *, standalone: bool = False, shapes: str = "") -> str:
    """A section titled ``title``: a paragraph per claim (a whole document with ``standalone``; ``shapes``:
    the inferred shapes, "assuming ...")."""
    head = (f"\\section*{{{text(title)}}}\n" + (f"Source: {text(source)}.\n" if source else "")
            + (f"{text(shapes)}.\n" if shapes else "") + "".join(f"Note: {text(n)}.\n" for n in file_notes(reports)))
    body = head + "\n\n".join(derivation(r) for r in reports) + "\n"
    return document(body) if standalone else body


def proof(proof: ProofFile, reports: list[ClaimReport], *, standalone: bool = False) -> str:
    return section(proof.title, proof.source, reports, standalone=standalone, shapes=assuming(proof.scope))


def check_results(reports: list[ClaimReport], summary: dict, *, quiet: bool = False, standalone: bool = False) -> str:
    """A section per proof file, every claim shown (``quiet`` is for the terminal's list)."""
    body = per_file(reports, lambda file, good: section(file, "", good),
                    lambda file, error: f"{text(file)}: {text(error)}\n")
    return document(body) if standalone else body


def catalog(entries: list[Entry]) -> str:
    """A section per group, a description item per proof."""
    lines = []
    for group, items in grouped(entries):
        lines += [f"\\section*{{{text(group)}}}", "\\begin{description}"]
        lines += [f"\\item[{text(e.name)}] {text(e.title)} ({claim_count(e.claims)})"
                  + (f" [{text(e.source)}]" if e.source else "") for e in items]
        lines.append("\\end{description}")
    return "\n".join(lines + [text(totals(entries)) + "."]) + "\n"


def document(body: str) -> str:
    """A standalone document around ``body`` that pdflatex compiles (amsmath, amssymb)."""
    return ("\\documentclass[10pt]{article}\n\\usepackage[margin=1.5cm,landscape]{geometry}\n"
            "\\usepackage{amsmath,amssymb}\n\\allowdisplaybreaks\n\\begin{document}\n"
            f"{body}\\end{{document}}\n")
