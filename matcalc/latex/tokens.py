"""LaTeX math as tokens, with offsets: control words (\\frac), control symbols (\\|, \\{), and single
characters (letters and digits one at a time, braces, scripts, operators).

Dropped here: spacing (\\, \\! \\; \\: \\> \\quad \\qquad ~ and "\\ "), sizing (\\left \\right \\big… and the
null delimiter "." after them), \\displaystyle, alignment marks & and comments (% to the end of a line).
A few Unicode characters are read as their commands (δ as \\delta, ⊙ as \\odot, − as -).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..language import GREEK_LETTERS

SPACING_SYMBOLS = frozenset(",!;:> ")
SIZING = frozenset("left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr".split())
IGNORED_WORDS = SIZING | frozenset("quad qquad displaystyle textstyle limits nonumber notag".split())
#: Unicode characters read as a command (kind "word") or a character.
UNICODE = {**{ch: ("word", name) for ch, name in GREEK_LETTERS.items()},
           "⊙": ("word", "odot"), "∘": ("word", "circ"), "⊗": ("word", "otimes"), "·": ("word", "cdot"),
           "×": ("word", "times"), "∂": ("word", "partial"), "∇": ("word", "nabla"), "ℓ": ("word", "ell"),
           "‖": ("symbol", "|"), "−": ("char", "-")}


@dataclass(frozen=True)
class Token:
    """kind: "word" (\\frac has text "frac"), "symbol" (\\| has text "|"), "letter", "digit", "char"
    (any other character) or "end"; ``pos``/``end``: offsets in the source; ``gap``: spaces (or a
    dropped command) come before it."""

    kind: str
    text: str
    pos: int
    end: int
    gap: bool = False

    def spelling(self) -> str:
        return {"word": "\\", "symbol": "\\"}.get(self.kind, "") + self.text


def tokens(src: str) -> list[Token]:
    """The tokens of src, ending with an "end" token."""
    out: list[Token] = []
    i, gap, sized = 0, False, False
    while i < len(src):
        ch, start = src[i], i
        if ch.isspace() or ch in "~&":
            i, gap = i + 1, True
            continue
        if ch == "%":
            while i < len(src) and src[i] != "\n":
                i += 1
            gap = True
            continue
        if ch == "\\" and i + 1 < len(src):
            i += 1
            if src[i].isascii() and src[i].isalpha():
                while i < len(src) and src[i].isascii() and src[i].isalpha():
                    i += 1
                kind, text = "word", src[start + 1:i]
            else:
                kind, text = "symbol", src[i]
                i += 1
            if (kind == "word" and text in IGNORED_WORDS) or (kind == "symbol" and text in SPACING_SYMBOLS):
                gap, sized = True, text in SIZING
                continue
        else:
            i += 1
            if sized and ch == ".":  # \left. and \right.: no delimiter
                sized = False
                continue
            kind, text = UNICODE.get(ch, ("letter" if ch.isascii() and ch.isalpha() else
                                          "digit" if ch.isascii() and ch.isdigit() else "char", ch))
        sized = False
        out.append(Token(kind, text, start, i, gap))
        gap = False
    out.append(Token("end", "", len(src), len(src), gap))
    return out
