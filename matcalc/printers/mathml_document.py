"""MathML layout: a derivation is an HTML table whose cells hold <math> elements (from
``mathml``); a proof, and a whole page around it."""
from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..sides import D2F, DF, DVEC, HESSIAN, JACOBIAN, LINEAR_MAP
from ..language import show
from ..proof_catalog import grouped
from .mathml import APPLY, MATHML, math, mi, mn, mo, mrow
from .plain import claim_count, totals
from .rows import assuming, derivation_rows, file_notes, per_file, verdict_line

if TYPE_CHECKING:
    from ..proof_catalog import Entry
    from ..prooffile import ProofFile
    from ..report import ClaimReport


def matrix(rows: list[list[str]]) -> str:
    """A matrix of numbers given as text (a counterexample's point), in parentheses."""
    cells = "".join("<mtr>" + "".join(f"<mtd>{mn(x.replace('-', '−'))}</mtd>" for x in row) + "</mtr>"
                    for row in rows)
    return math(mrow(mo("("), f"<mtable>{cells}</mtable>", mo(")")))


def _partial(top: str, bottom: str) -> str:
    return f"<mfrac>{mrow(mo('∂'), top)}{mrow(bottom)}</mfrac>"


def _vec(x: str) -> str:
    return mrow(mi("vec"), APPLY, x)


def lhs(side: str, x: str) -> str:
    """The left side of a step on ``side``: df, d vec F, d²f, H[dX], or the result's name."""
    f, F, dx = mi("f"), mi("F"), mrow(MATHML.d, MATHML.name(x))
    if side == DF:
        return mrow(MATHML.d, f)
    if side == DVEC:
        return mrow(MATHML.d, _vec(F))
    if side == D2F:
        return mrow(f"<msup>{MATHML.d}{mn('2')}</msup>", f)
    if side == LINEAR_MAP:
        return mrow(mi("H"), mo("["), dx, mo("]"))
    vec_t = f"<msup>{MATHML.paren(_vec(MATHML.name(x)))}{mi('⊤', True)}</msup>"
    if side == JACOBIAN:
        return _partial(_vec(F), mrow(mo("∂"), vec_t))
    if side == HESSIAN:
        top = mrow(f"<msup>{mo('∂')}{mn('2')}</msup>", f)
        return f"<mfrac>{top}{mrow(mo('∂'), _vec(MATHML.name(x)), mo('∂'), vec_t)}</mfrac>"
    return _partial(f, mrow(mo("∂"), MATHML.name(x)))


def steps_table(r: ClaimReport) -> str:
    """The derivation's steps: one table row per step (left side, =, expression, rule)."""
    x = r.claim.wrt.name
    rows = [f'<tr><td class="lhs">{math(left) if left else ""}</td><td class="eq">{math(mo("="))}</td>'
            f'<td class="expr">{math(text)}</td><td class="rule">{escape(rule)}</td></tr>'
            for left, text, rule in derivation_rows(r, MATHML, lhs=lambda side: lhs(side, x))]
    return f'<table class="steps">{"".join(rows)}</table>'


def result(r: ClaimReport) -> str:
    """The derived result as math, its repeated subexpressions named: G, where s = softmax(K q), ..."""
    if r.named is None:
        return math(MATHML.show(r.derivation.gradient))
    where = ", ".join(math(mrow(MATHML.name(name), mo("="), MATHML.show(e))) for name, e in r.named.bindings)
    return f"{math(MATHML.show(r.named.body))}, where {where}"


def verdict_class(r: ClaimReport) -> str:
    """How a verdict is shown: holds, refuted or error; a claim the catalog expects refuted (a planted
    mistake) "expected" when it is, "unexpected" when it is not."""
    if r.error or r.claim.expect == "holds":
        return "error" if r.error else r.verdict
    return "expected" if r.verdict == r.claim.expect else "unexpected"


def derivation(r: ClaimReport) -> str:
    """One claim: f, its steps, the result, the claim and the checker's verdict (a claim that could not
    be read: its f as written and its error)."""
    if r.claim is None:
        f = f": <code>{escape(r.bad.f)}</code>" if r.bad.f else ""
        return (f'<section class="claim"><h3>Claim {r.bad.index}{f}</h3>'
                f'<p class="verdict error">Check: {escape(verdict_line(r))}</p></section>')
    x = r.claim.wrt.name
    f_name = "F" if r.claim.kind == "jacobian" else "f"
    parts = [f'<h3>Claim {r.claim.index}: {math(mrow(mi(f_name), mo("="), MATHML.show(r.claim.f)))}, '
             f'find {math(lhs(r.claim.kind, x))}</h3>']
    if r.derivation is not None:
        parts.append(steps_table(r))
        parts.append(f'<p class="result">{r.claim.kind.capitalize()}: {result(r)} '
                     f'<code>{escape(show(r.derivation.gradient))}</code></p>')
    if r.claim.gradient is not None:
        parts.append(f'<p class="claimed">Claimed: {math(MATHML.show(r.claim.gradient))} '
                     f'<code>{escape(show(r.claim.gradient))}</code></p>')
    parts.append(f'<p class="verdict {escape(verdict_class(r))}">Check: {escape(verdict_line(r))}</p>')
    return f'<section class="claim">{"".join(parts)}</section>'


def section(title: str, source: str, reports: list[ClaimReport], *, standalone: bool = False, shapes: str = "") -> str:
    """Claims under the heading ``title`` as HTML with MathML (a whole page with ``standalone``; ``shapes``:
    the inferred shapes, "assuming ...")."""
    head = (f"<h2>{escape(title)}</h2>\n" + (f"<p>Source: {escape(source)}</p>\n" if source else "")
            + (f'<p class="assumed">{escape(shapes)}</p>\n' if shapes else "")
            + "".join(f'<p class="note">Note: {escape(n)}</p>\n' for n in file_notes(reports)))
    body = head + "\n".join(derivation(r) for r in reports) + "\n"
    return document(title, body) if standalone else body


def proof(proof: ProofFile, reports: list[ClaimReport], *, standalone: bool = False) -> str:
    return section(proof.title, proof.source, reports, standalone=standalone, shapes=assuming(proof.scope))


def check_results(reports: list[ClaimReport], summary: dict, *, quiet: bool = False, standalone: bool = False) -> str:
    """A section per proof file, every claim shown (``quiet`` is for the terminal's list)."""
    body = per_file(reports, lambda file, good: section(file, "", good),
                    lambda file, error: f"<p>{escape(file)}: {escape(error)}</p>\n")
    return document("matcalc check", body) if standalone else body


def catalog(entries: list[Entry]) -> str:
    """A heading and a list per group, an item per proof."""
    parts = []
    for group, items in grouped(entries):
        rows = "".join(f"<li><code>{escape(e.name)}</code>: {escape(e.title)} ({claim_count(e.claims)})"
                       + (f" [{escape(e.source)}]" if e.source else "") + "</li>" for e in items)
        parts.append(f"<h2>{escape(group)}</h2>\n<ul>{rows}</ul>\n")
    return "".join(parts) + f"<p>{totals(entries)}</p>\n"


def document(title: str, body: str) -> str:
    """A whole HTML page around ``body``."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<style>td.rule{{color:#666;font-style:italic;padding-left:2em}} td.lhs{{text-align:right}}</style>'
            f'</head><body>\n{body}</body></html>\n')
