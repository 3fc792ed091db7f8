"""A document's display equations as rows (model.Row): Markdown (`$$…$$`, `\\[…\\]`, display
environments; not inline `$…$`, code or HTML comments) or LaTeX (the same in the document body; not
`%` comments, the preamble or verbatim text), with the `matcalc:` directives before each display.

Masking comes first: what is not read (code, comments, the preamble) is blanked out, newlines kept,
so that every offset, and so every line number, is the document's own."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..errors import MatcalcError
from .model import Directive, Row

#: The environments that make a display of their own.
ENVIRONMENTS = ("equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
                "flalign", "flalign*", "eqnarray", "eqnarray*")
#: Environments that, filling a display, only arrange its rows (whose `\\` then separate rows).
ARRANGING = ("aligned", "alignedat", "gathered", "split", *ENVIRONMENTS)
#: LaTeX environments whose text is taken literally, not read.
VERBATIM = ("verbatim", "verbatim*", "Verbatim", "lstlisting", "minted", "comment")

_MARKDOWN_SKIP = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})|<!--|(?P<ticks>`+)", re.M)
_LATEX_SKIP = re.compile(r"\\verb\*?(?P<delim>[^a-zA-Z\s*])|\\begin\{(?P<env>" + "|".join(map(re.escape, VERBATIM))
                         + r")\}|\\.|%", re.S)
_OPEN = re.compile(r"\\\[|\\begin\{(?P<env>[A-Za-z]+\*?)\}|\$\$|\\\(|\\.|\$", re.S)
_ROW_TOKEN = re.compile(r"\\\\\*?(?:\s*\[\s*-?[\d.]+\s*(?:pt|em|ex|mm|cm|in|bp|mu|sp|pc|dd|cc)\s*\])?"
                        r"|\\(?P<group>tag\*?|label|intertext|shortintertext)\s*\{"
                        r"|\\(?:nonumber|notag)(?![A-Za-z])|\\(?P<env>begin|end)\{[^{}]*\}|\\.|[{}&]", re.S)
_DECLARATION = re.compile(r"\s*[^\s=,][^=,]*=")


@dataclass(frozen=True)
class Display:
    """One display of a document: its index, the offsets of its opening and past its closing
    delimiter, and its rows."""

    index: int
    start: int
    end: int
    rows: tuple[Row, ...]


class _Lines:
    """Offsets of a text as 1-based (line, column)."""

    def __init__(self, text: str):
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line(self, offset: int) -> int:
        return bisect_right(self.starts, offset)

    def error(self, offset: int, message: str) -> MatcalcError:
        line = self.line(offset)
        return MatcalcError(message, pos=(line, offset - self.starts[line - 1] + 1))


def rows(text: str, kind: str) -> list[Row]:
    """Every row of every display of ``text`` ("markdown" or "latex"), in document order; a
    MatcalcError at its line for a display never closed or a malformed directive."""
    return [r for d in displays(text, kind) for r in d.rows]


def displays(text: str, kind: str) -> list[Display]:
    """The displays of ``text``, numbered from 0, each with its rows and the directives written
    since the display before it (or inside it) attached."""
    lines = _Lines(text)
    masked, comments = (_mask_markdown if kind == "markdown" else _mask_latex)(text)
    pending = [_directive(lines, offset, body) for offset, body in comments]
    out: list[Display] = []
    for start, body_start, body_end, end in _spans(masked, lines, kind):
        attached = tuple(d for d, (offset, _) in zip(pending, comments) if offset < end)
        pending, comments = pending[len(attached):], comments[len(attached):]
        found = _rows(masked, body_start, body_end, lines, len(out), attached)
        out.append(Display(len(out), start, end, tuple(found)))
    return out


def _blank(chars: list[str], start: int, end: int) -> None:
    """Blank out chars[start:end], keeping newlines."""
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def _directive_bodies(body: str, offset: int) -> list[tuple[int, str]]:
    """The `matcalc:` directives in a comment's text (offset: where it starts): (offset, text) each."""
    if not body.lstrip().startswith("matcalc:"):
        return []
    found = [m.end() for m in re.finditer(r"matcalc:", body)]
    return [(offset + a, body[a:b - len("matcalc:")] if b else body[a:])
            for a, b in zip(found, found[1:] + [0])]


def _mask_markdown(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The text with fenced code, code spans and HTML comments blanked out, and the directives of
    `<!-- matcalc: … -->` comments."""
    chars, comments, i = list(text), [], 0
    while m := _MARKDOWN_SKIP.search(text, i):
        if m["fence"]:
            fence = m["fence"]
            close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
            line_end = text.find("\n", m.end())
            c = close.search(text, line_end) if line_end >= 0 else None
            end = c.end() if c else len(text)
        elif m["ticks"]:
            c = re.compile(rf"(?<!`){m['ticks']}(?!`)").search(text, m.end())
            if not c:
                i = m.end()
                continue
            end = c.end()
        else:
            close = text.find("-->", m.end())
            end = close + 3 if close >= 0 else len(text)
            comments += _directive_bodies(text[m.end():end - 3 if close >= 0 else end], m.end())
        _blank(chars, m.start(), end)
        i = end
    return "".join(chars), comments


def _mask_latex(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The text with comments, verbatim text, the preamble and what follows \\end{document}
    blanked out, and the directives of `% matcalc: …` comments (the preamble's too)."""
    chars, comments, i = list(text), [], 0
    while m := _LATEX_SKIP.search(text, i):
        end = m.end()
        if m["delim"]:
            close = text.find(m["delim"], m.end())
            line_end = text.find("\n", m.end())
            end = close + 1 if close >= 0 and (line_end < 0 or close < line_end) else m.end()
        elif m["env"]:
            close = text.find(f"\\end{{{m['env']}}}", m.end())
            end = close + len(m["env"]) + 6 if close >= 0 else len(text)
        elif m.group() == "%":
            line_end = text.find("\n", m.end())
            end = line_end if line_end >= 0 else len(text)
            body = text[m.end():end].lstrip("%")
            comments += _directive_bodies(body, end - len(body))
        else:  # an escape: \%, \\, \$ ...
            i = end
            continue
        _blank(chars, m.start(), end)
        i = end
    masked = "".join(chars)
    begin = masked.find("\\begin{document}")
    if begin >= 0:
        _blank(chars, 0, begin + len("\\begin{document}"))
        finish = masked.find("\\end{document}", begin)
        if finish >= 0:
            _blank(chars, finish, len(chars))
        masked = "".join(chars)
    return masked, comments


def _directive(lines: _Lines, offset: int, body: str) -> Directive:
    """A directive's text (after `matcalc:`) as a Directive; a MatcalcError at its line when malformed."""
    line = lines.line(offset)
    text = " ".join(body.split())
    word, _, rest = text.partition(" ")
    if word in ("wrt", "assume", "expect") and rest:
        if word == "expect" and rest != "refuted":
            raise lines.error(offset, f"matcalc: expect takes 'refuted', got {rest!r}")
        return Directive(line, word, rest)
    if _DECLARATION.match(text):
        try:
            declarations(text)
        except MatcalcError as e:
            raise lines.error(offset, e.message) from None
        return Directive(line, "declare", text)
    raise lines.error(offset, f"matcalc: cannot read directive {text!r} (expected wrt X, assume A = B, "
                              f"expect refuted, or declarations such as X=matrix(m,n), a=vector(m))")


def declarations(text: str) -> list[tuple[str, str]]:
    """A declaration directive's (name, shape) pairs as written, from NAME=SHAPE, NAME=SHAPE … (a comma
    inside parentheses or braces is not a separator); a MatcalcError for an item that is not
    NAME=SHAPE with a shape matcalc knows."""
    from ..prooffile import parse_declaration

    out = []
    for item in re.split(r",(?![^(){}]*[)}])", text):
        name, sep, shape = (part.strip() for part in item.partition("="))
        if not sep or not name:
            raise MatcalcError(f"matcalc: expected NAME=SHAPE, got {item.strip()!r}")
        try:
            parse_declaration(shape)
        except MatcalcError as e:
            raise MatcalcError(f"matcalc: {name}: {e.message}") from None
        out.append((name, shape))
    return out


def _spans(masked: str, lines: _Lines, kind: str):
    """(start, body start, body end, end) of each display in the masked text; inline math is
    passed over (in Markdown, a `$` without a closing one on its line is a dollar sign)."""
    i = 0
    while m := _OPEN.search(masked, i):
        token, i = m.group(), m.end()
        if token in ("$", "\\("):
            stop = masked.find("\n", i) if token == "$" and kind == "markdown" else -1
            close = _close(masked, i, r"\$" if token == "$" else r"\\\)", stop)
            i = close[1] if close else i
        elif token in ("$$", "\\[") or m["env"] in ENVIRONMENTS:
            closer = {"$$": r"\$\$", "\\[": r"\\\]"}.get(token) or re.escape(f"\\end{{{m['env']}}}")
            close = _close(masked, i, closer)
            if close is None:
                raise lines.error(m.start(), f"{token} is never closed")
            yield m.start(), i, close[0], close[1]
            i = close[1]


def _close(masked: str, start: int, closer: str, stop: int = -1) -> tuple[int, int] | None:
    """The span of the first ``closer`` (a regex) from ``start`` outside escapes, before ``stop`` if given."""
    for m in re.compile(rf"{closer}|\\.", re.S).finditer(masked, start, stop if stop >= 0 else len(masked)):
        if re.fullmatch(closer, m.group()):
            return m.start(), m.end()
    return None


def _unwrap(masked: str, start: int, end: int) -> tuple[int, int]:
    """The body of a display that one arranging environment (aligned, split, …) fills entirely, else the display's."""
    body = masked[start:end]
    m = re.match(r"\s*\\begin\{([A-Za-z]+\*?)\}(?:\{\d+\})?", body)
    if m and m[1] in ARRANGING:
        closing = f"\\end{{{m[1]}}}"
        if body.rstrip().endswith(closing) and body.count(f"\\begin{{{m[1]}}}") == 1:
            return start + m.end(), start + len(body.rstrip()) - len(closing)
    return start, end


def _group_end(masked: str, i: int, end: int) -> int:
    """The offset past the `}` closing the group whose `{` ends just before ``i`` (``end`` if none)."""
    depth = 1
    for m in re.compile(r"\\.|[{}]", re.S).finditer(masked, i, end):
        depth += {"{": 1, "}": -1}.get(m.group(), 0)
        if depth == 0:
            return m.end()
    return end


def _rows(masked: str, start: int, end: int, lines: _Lines, display: int, directives) -> list[Row]:
    """A display body's rows: split at top-level `\\` (outside braces and inner environments), with
    `&`, `\\tag`, `\\label`, `\\nonumber`, `\\notag` and `\\intertext` removed; empty rows dropped."""
    start, end = _unwrap(masked, start, end)
    out: list[Row] = []
    pieces: list[tuple[int, str]] = []
    tag = None
    braces = envs = 0

    def finish() -> None:
        nonlocal pieces, tag
        text = " ".join("".join(p for _, p in pieces).split())
        if text:
            first = next(o + len(p) - len(p.lstrip()) for o, p in pieces if p.strip())
            out.append(Row(lines.line(first), text, display, tag, directives))
        pieces, tag = [], None

    i = start
    while m := _ROW_TOKEN.search(masked, i, end):
        pieces.append((i, masked[i:m.start()]))
        token, i = m.group(), m.end()
        top = braces == 0 and envs == 0
        if token.startswith("\\\\") and top or m["group"] in ("intertext", "shortintertext"):
            i = _group_end(masked, i, end) if m["group"] else i
            finish()
        elif m["group"]:
            i = _group_end(masked, i, end)
            if m["group"].startswith("tag"):
                tag = masked[m.end():i].removesuffix("}").strip()
        elif token in ("\\nonumber", "\\notag") or token == "&" and envs == 0:
            pass
        else:
            braces += {"{": 1, "}": -1}.get(token, 0)
            envs += {"begin": 1, "end": -1}.get(m["env"], 0)
            pieces.append((m.start(), token))
    pieces.append((i, masked[i:end]))
    finish()
    return out
