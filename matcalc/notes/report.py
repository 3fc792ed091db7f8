"""A checked document in every format `matcalc check` prints: a line per equation with its verdict
(plain, rich), the document written back with a mark after each display (Markdown), one record
per equation (JSON), or the plain lines in a LaTeX or HTML block; and the output of a run that
checked documents, with the proof files' results before them."""
from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from .. import __version__
from ..errors import printable
from ..printers import Document, json_out, printer
from ..printers.rows import matrix_lines
from .extract import displays
from .model import Judgement

if TYPE_CHECKING:
    from ..report import ClaimReport
    from . import Checked

MARKS = {"holds": "✓", "refuted": "✗", "skipped": "–", "error": "!"}
#: Indentation of what follows an equation's line (message, counterexample, notes).
INDENT = "    "


def summary(documents: list[Checked]) -> dict:
    """The counts of verdicts over ``documents``, the expected refutations, and those not as expected."""
    js = [j for d in documents for j in d.judgements]
    count = {v: sum(j.verdict == v for j in js) for v in ("holds", "refuted", "skipped", "defined", "error")}
    return {"equations": len(js), **count, "expected": sum(j.verdict == "refuted" and j.expected for j in js),
            "unexpected": sum(len(d.unexpected) for d in documents)}


def summary_line(s: dict) -> str:
    """"N equations: a hold, b refuted (c expected), d skipped, e definitions; f not as expected"."""
    def n(k: int, word: str, plural: str) -> str:
        return f"{k} {word if k == 1 else plural}"

    errors = f", {n(s['error'], 'error', 'errors')}" if s["error"] else ""
    return (f"{n(s['equations'], 'equation', 'equations')}: {n(s['holds'], 'holds', 'hold')}, {s['refuted']} refuted "
            f"({s['expected']} expected), {s['skipped']} skipped, {n(s['defined'], 'definition', 'definitions')}"
            f"{errors}; {s['unexpected']} not as expected")


def verdict(j: Judgement, unexpected: bool) -> str:
    """The verdict's mark and word: ✓ holds, ✗ refuted (expected), – skipped (reason), defined, ! error;
    "(expected: refuted)" after a verdict in a display marked so that has no refutation."""
    word = f"{MARKS[j.verdict]} {j.verdict}" if j.verdict in MARKS else j.verdict
    if j.verdict == "skipped":
        word += f" ({j.message})"
    elif j.expected and j.verdict == "refuted":
        word += " (expected)"
    elif j.expected and unexpected:
        word += " (expected: refuted)"
    return word


def details(j: Judgement) -> list[str]:
    """What follows an equation's line: the message of a refutation or error, the counterexample's
    summary (unless the message says it), sizes and point, the right value, and the notes."""
    lines = [j.message] if j.verdict in ("refuted", "error") and j.message else []
    cx = j.counterexample or {}
    if cx.get("summary") and cx["summary"] not in j.message:
        lines.append(cx["summary"])
    if cx.get("sizes"):
        lines.append("at " + ", ".join(f"{k}={v}" for k, v in cx["sizes"].items()))
    for name, value in (cx.get("point") or {}).items():
        lines += matrix_lines(name, value)
    if j.right and j.right not in j.message:
        lines.append(f"right: {j.right}")
    return lines + [f"note: {n}" for n in j.notes]


def entries(checked: Checked, *, quiet: bool = False) -> list[tuple[str, str]]:
    """A document's lines as (style, text): a line per equation (``quiet``: only those not as
    expected), file:line: verdict  equation, with its details indented below; styles are the
    terminal theme's ("fail", "rule") or ""."""
    bad = {id(j) for j in checked.unexpected}
    cached = " (cached)" if getattr(checked, "cached", False) else ""  # a result from matcalc.cache
    out = []
    for j in checked.judgements:
        if quiet and id(j) not in bad:
            continue
        place = f"{checked.document.name}:{j.line}" if j.line else checked.document.name
        head = f"{place}: {verdict(j, id(j) in bad)}{cached}  {j.text}".rstrip()
        out.append(("fail" if id(j) in bad else "", printable(head)))
        out += [("rule", printable(INDENT + line)) for line in details(j)]
    return out


def plain(checked: Checked, *, quiet: bool = False) -> str:
    return "".join(text + "\n" for _, text in entries(checked, quiet=quiet))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~])")


def _md(text: str) -> str:
    """Free text for Markdown, its special characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _mark(j: Judgement, unexpected: bool, *, with_text: bool) -> str:
    """One judgement after its display in Markdown: the equation as inline math (``with_text``),
    the verdict, its message and notes."""
    said = [j.message] if j.verdict in ("refuted", "error") and j.message else []
    said += j.notes
    head = f"${j.text}$: " if with_text else ""
    return head + _md(verdict(j, unexpected) + (": " + "; ".join(said) if said else ""))


def markdown(checked: Checked) -> str:
    """A Markdown document as written, with a blockquote after each display judged: its mark and
    message (one list item per judgement when there are several), indented as the display's first
    line is (so a display inside a list item keeps its place), and a blank line after."""
    doc = checked.document
    text = doc.text if doc.text.endswith("\n") or not doc.text else doc.text + "\n"
    lines = [line + "\n" for line in text[:-1].split("\n")] if text else []
    by_display: dict[int, list[Judgement]] = {}
    for j in checked.judgements:
        by_display.setdefault(j.display, []).append(j)
    ends = {d.index: (text.count("\n", 0, d.end), _indent(text, d.start)) for d in displays(text, doc.kind)}
    bad = {id(j) for j in checked.unexpected}
    after: dict[int, list[str]] = {}  # the 0-based line after which marks go
    for index, js in by_display.items():
        line, indent = ends.get(index, (len(lines) - 1, ""))  # not a display's: the document's, at its end
        several = len(js) > 1
        item = f"{indent}> {'- ' if several else ''}"
        after.setdefault(line, []).extend(f"{item}{_mark(j, id(j) in bad, with_text=several)}\n" for j in js)
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i in after:
            out += after[i]
            if i + 1 < len(lines) and lines[i + 1].strip():
                out.append("\n")
    return "".join(out)


def _indent(text: str, start: int) -> str:
    """The indentation of what belongs with a display starting at ``start``: its line's leading
    blanks, and a list item's marker as blanks."""
    line_start = text.rfind("\n", 0, start) + 1
    return " " * len(re.match(r"[ \t]*(?:(?:[-+*]|\d+[.)])[ \t]+)?", text[line_start:start]).group())


def json_object(checked: Checked) -> dict:
    """{"document", "equations": one record per judgement, "summary"}."""
    keys = ("line", "text", "kind", "verdict", "message", "expected", "counterexample", "right", "notes")
    cached = {"cached": True} if getattr(checked, "cached", False) else {}  # a result from matcalc.cache
    return {"document": checked.document.name,
            "equations": [{k: getattr(j, k) for k in keys} for j in checked.judgements],
            "summary": summary([checked]), **cached}


def check_output(fmt: str, reports: list[ClaimReport], claims: dict, documents: list[Checked], *, quiet: bool,
                 standalone: bool = False) -> Document:
    """`matcalc check`'s output in format ``fmt`` when documents were checked: the proof files'
    results and ``claims`` summary as their printer shows them (if any), then each document, then
    the documents' summary. JSON: one document's object when it is all that was checked, else the
    claims' "results", the documents and the summary of both (their counts added up)."""
    total = summary(documents)
    if fmt == "json":
        if len(documents) == 1 and not reports:
            return json_out.dumps({"matcalc": __version__, **json_object(documents[0])})
        both = {**total, **{k: v + total.get(k, 0) for k, v in claims.items()}, "claims": len(reports)}
        return json_out.dumps({"matcalc": __version__, "results": [json_out.claim_object(r) for r in reports],
                               "documents": [json_object(d) for d in documents],
                               "summary": both if reports else total})
    before = [printer(fmt).check_results(reports, claims, quiet=quiet)] if reports else []
    if fmt == "rich":
        from rich.console import Group
        from rich.text import Text

        lines = [Text(t, style=s) for d in documents for s, t in entries(d, quiet=quiet)]
        return Group(*before, *lines, Text(summary_line(total), style="head"))
    if fmt == "plain":
        return "".join(before + [plain(d, quiet=quiet) for d in documents] + [summary_line(total) + "\n"])
    if fmt == "markdown":
        headed = len(documents) + len(before) > 1
        parts = [(f"## {_md(d.document.name)}\n\n" if headed else "")
                 + (markdown(d) if d.document.kind == "markdown" else f"```text\n{plain(d)}```\n") for d in documents]
        return "\n".join(before + parts)
    block = "\n".join(_preformatted(fmt, d.document.name, plain(d) + summary_line(summary([d]))) for d in documents)
    body = "".join(before) + block
    if not standalone:
        return body
    if fmt == "latex":
        from ..printers.latex import document

        return document(body)
    from ..printers.mathml_document import document as page

    return page("matcalc check", body)


def _preformatted(fmt: str, name: str, text: str) -> str:
    """A document's plain report under its name, as preformatted LaTeX ("latex") or HTML ("mathml")."""
    if fmt == "mathml":
        return f"<h2>{escape(name)}</h2>\n<pre>{escape(text)}</pre>\n"
    from ..printers.latex import text as latex_text

    lines = " \\\\\n".join("~" * (len(line) - len(line.lstrip())) + latex_text(line.lstrip()) or "~"
                             for line in text.splitlines())
    return f"\\section*{{{latex_text(name)}}}\n\\begin{{flushleft}}\\ttfamily\n{lines}\n\\end{{flushleft}}\n"
