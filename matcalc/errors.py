"""matcalc's one error type: a message that fits on one line, with where it happened."""
from __future__ import annotations

import unicodedata


def printable(text: str, keep: str = "") -> str:
    """User text safe to print on a terminal: control and format characters (an escape
    sequence, a bidi override) spelled as escapes such as \\x1b, except those in ``keep``."""
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if ch not in keep and unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


class MatcalcError(Exception):
    """Bad input or an operation matcalc cannot do; printed as one line, exit status 2.

    ``where`` names the file or key (``proofs/x.toml: claims[1].f``); ``pos`` is a
    1-based (line, column) inside the text being parsed.
    """

    def __init__(self, message: str, *, where: str = "", pos: tuple[int, int] | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.pos = pos

    def at(self, where: str) -> "MatcalcError":
        """The same error, located inside ``where`` (outer context first)."""
        inner = f"{where}: {self.where}" if self.where else where
        return type(self)(self.message, where=inner, pos=self.pos)

    def __str__(self) -> str:
        place = self.where
        if self.pos is not None:
            place = f"{place}:{self.pos[0]}:{self.pos[1]}" if place else f"{self.pos[0]}:{self.pos[1]}"
        text = f"{place}: {self.message}" if place else self.message
        return printable(" ".join(text.split()))


class ShapeError(MatcalcError):
    """Operands whose shapes do not fit the operation."""


class NotDifferentiable(MatcalcError):
    """An operation the engine has no differential rule for."""


class InternalError(MatcalcError):
    """matcalc's own fault, never the input's: said as such, with a request to report it."""

    def __init__(self, message: str, **kw):
        super().__init__(f"matcalc could not derive this: {message}; please report it", **kw)
