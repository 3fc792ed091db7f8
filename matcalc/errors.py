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


#: How each front door declares a symbol, for the hint of an undeclared one (NAME, SHAPE filled in).
DECLARE = {"cli": '--sym "{name}={shape}"',
           "python": 'symbols={{"{name}": "{shape}"}}',
           "proof": 'under [symbols]: {name} = "{shape}"'}


def _suggested_shape(name: str) -> str:
    """The shape a name most likely has: a Greek name is a scalar, a capital a matrix, else a column."""
    from .language import GREEK, GREEK_LETTERS  # only for this message

    if name in GREEK or name[:1] in GREEK_LETTERS:
        return "scalar"
    return "matrix(m, n)" if name[:1].isupper() else "vector(n)"


def taught(e: MatcalcError, door: str = "") -> MatcalcError:
    """``e``, where it says a symbol is undeclared, with how to declare it at ``door`` ("cli",
    "python", "proof"; both the command line's and a proof file's form when the door is unknown)."""
    prefix = "undeclared symbol '"
    if not e.message.startswith(prefix) or e.message.count("'") != 2 or "declare it" in e.message:
        return e
    name = e.message[len(prefix):-1]
    forms = [DECLARE[door]] if door in DECLARE else [DECLARE["cli"], "in a proof file " + DECLARE["proof"]]
    hint = " or ".join(f.format(name=name, shape=_suggested_shape(name)) for f in forms)
    e.message = f"{e.message}: declare it, e.g. {hint}"
    e.args = (e.message,)
    return e


class ShapeError(MatcalcError):
    """Operands whose shapes do not fit the operation."""


class NotDifferentiable(MatcalcError):
    """An operation the engine has no differential rule for."""


class InternalError(MatcalcError):
    """matcalc's own fault, never the input's: said as such, with a request to report it."""

    def __init__(self, message: str, **kw):
        super().__init__(f"matcalc could not derive this: {message}; please report it", **kw)
