"""Names with scripts, as the LaTeX reader writes them in the language and the printers write them back.

A LaTeX name with a superscript that is part of the name (w_{12}^{1}, W^{l+1}, \\delta^{l}) is the
language name base, ``_`` subscript, ``__`` superscript: ``w_12__1``, ``W__lp1``, ``delta__l``; in a
script ``+`` is spelt ``p`` and ``-`` ``m``. A name with a subscript only is base ``_`` subscript
(``e_o1``), which the printers already write as a subscript.
"""
from __future__ import annotations

import re

#: Spellings of a script's characters that are not letters or digits.
SPELT = {"+": "p", "-": "m"}
#: Letter-like names that are not Greek but have a LaTeX command and a Unicode letter.
LETTERLIKE = {"ell": "ℓ"}

_SCRIPTED = re.compile(r"([A-Za-z]+)(?:_([A-Za-z0-9]+))?__([A-Za-z0-9]+)\Z")
_SIGN = re.compile(r"(?<=[A-Za-z0-9])[pm](?=[0-9])")


def mangled(base: str, sub: str, sup: str) -> str:
    """The language name of base with subscript ``sub`` and superscript ``sup`` (either may be "")."""
    return base + (f"_{sub}" if sub else "") + (f"__{sup}" if sup else "")


def split(name: str) -> tuple[str, str, str] | None:
    """w_12__1 -> ("w", "12", "1"), W__lp1 -> ("W", "", "lp1"): a name with a superscript; else None."""
    m = _SCRIPTED.match(name)
    return (m.group(1), m.group(2) or "", m.group(3)) if m else None


def script_text(script: str) -> str:
    """A mangled script as written: lp1 -> l+1, lm1 -> l-1 (a p or m between a letter or digit and a digit)."""
    return _SIGN.sub(lambda m: "+" if m.group() == "p" else "-", script)
