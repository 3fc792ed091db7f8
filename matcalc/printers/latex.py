"""LaTeX: one align* block per claim, rules as \\text annotations; --standalone makes a document."""
from __future__ import annotations

from ..report import ClaimReport
from ..language import GREEK_LETTERS
from .notation import LATEX, greek_command
from .rows import derivation_rows, lhs_gradient, verdict_line

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_REPLACE = {"ᵀ": "$^\\top$", "⊙": "$\\odot$", "∂": "$\\partial$", "−": "-", "—": "--", "‖": "$\\|$", "×": "$\\times$"}


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
    rows = derivation_rows(r, LATEX, latex=True)
    body = [f"{lhs} &= {expr} && \\text{{{text(rule)}}}" for lhs, expr, rule in rows]
    return "\\begin{align*}\n" + " \\\\\n".join(body) + "\n\\end{align*}"


def derivation(r: ClaimReport) -> str:
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


def proof(title: str, source: str, reports: list[ClaimReport], *, standalone: bool = False) -> str:
    head = f"\\section*{{{text(title)}}}\n" + (f"Source: {text(source)}.\n" if source else "")
    body = head + "\n\n".join(derivation(r) for r in reports) + "\n"
    return document(body) if standalone else body


def document(body: str) -> str:
    """A standalone document around ``body`` that pdflatex compiles (amsmath, amssymb)."""
    return ("\\documentclass[10pt]{article}\n\\usepackage[margin=1.5cm,landscape]{geometry}\n"
            "\\usepackage{amsmath,amssymb}\n\\allowdisplaybreaks\n\\begin{document}\n"
            f"{body}\\end{{document}}\n")
