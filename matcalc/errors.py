"""matcalc's one error type: a message that fits on one line, with where it happened."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

#: The fields of a request, spelled as `matcalc diff`'s options and the web form's fields: what
#: ``MatcalcError.field`` names.
FIELDS = ("f", "wrt", "gradient", "jacobian", "hessian", "kind", "sym", "fn", "let", "assume", "seed")


def printable(text: str, keep: str = "") -> str:
    """User text safe to print on a terminal: control and format characters (an escape
    sequence, a bidi override) spelled as escapes such as \\x1b, except those in ``keep``."""
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if ch not in keep and unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


class MatcalcError(Exception):
    """Bad input or an operation matcalc cannot do; printed as one line, exit status 2.

    ``where`` names the file or key (``proofs/x.toml: claims[1].f``); ``pos`` is a
    1-based (line, column) inside the text being parsed; ``field`` is the request field (one of
    FIELDS) whose input is at fault, "" when no one field is.
    """

    def __init__(self, message: str, *, where: str = "", pos: tuple[int, int] | None = None, field: str = ""):
        super().__init__(message)
        self.message = message
        self.where = where
        self.pos = pos
        self.field = field

    def at(self, where: str) -> "MatcalcError":
        """The same error, located inside ``where`` (outer context first)."""
        inner = f"{where}: {self.where}" if self.where else where
        return type(self)(self.message, where=inner, pos=self.pos, field=self.field)

    def __str__(self) -> str:
        place = self.where
        if self.pos is not None:
            place = f"{place}:{self.pos[0]}:{self.pos[1]}" if place else f"{self.pos[0]}:{self.pos[1]}"
        text = f"{place}: {self.message}" if place else self.message
        return printable(" ".join(text.split()))


@contextmanager
def in_field(name: str) -> Iterator[None]:
    """A MatcalcError raised inside belongs to request field ``name``, unless an inner one claimed it."""
    try:
        yield
    except MatcalcError as e:
        e.field = e.field or name
        raise


class ShapeError(MatcalcError):
    """Operands whose shapes do not fit the operation."""


class NotDifferentiable(MatcalcError):
    """An operation the engine has no differential rule for."""


class InternalError(MatcalcError):
    """matcalc's own fault, never the input's: said as such, with a request to report it."""

    def __init__(self, message: str, **kw):
        super().__init__(f"matcalc could not derive this: {message}; please report it", **kw)
