"""What a claim is stated against, shared by the engine and the checker: the declared
names (a Scope) and the assumptions. No parsing here, so the checker never loads lark.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import MatcalcError
from .expr import Expr, Sym
from .language import show
from .shapes import Shape


@dataclass
class Scope:
    """What names mean: declared symbols (with shapes; those declared symmetric(n) named in
    ``symmetric``, those declared integer, 1×1, in ``integer``), functions (by kind) and [let] names;
    ``notes``: one line for each declaration that was not needed (a built-in's name declared as its kind)."""

    symbols: dict[str, Shape] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    lets: dict[str, Expr] = field(default_factory=dict)
    symmetric: set[str] = field(default_factory=set)
    integer: set[str] = field(default_factory=set)
    inferred: tuple[str, ...] = ()  # the symbols whose shapes were inferred, not declared (``matcalc.inference``)
    notes: list[str] = field(default_factory=list)  # what the declarations did not need ("sin is built in: ...")

    def symbol(self, name: str) -> Sym:
        """The declared symbol ``name`` as a node."""
        if name in self.integer:
            return Sym(name, self.symbols[name], integer=True)
        return Sym(name, self.symbols[name], name in self.symmetric)

    def declaration(self, name: str) -> str:
        """The symbol's shape as declared: scalar, integer, vector(n), matrix(m, n) or symmetric(n)."""
        shape = self.symbols[name]
        if name in self.integer:
            return "integer"
        return f"symmetric({shape.rows})" if name in self.symmetric else shape.declaration()


def not_integer(x: Sym) -> None:
    """An integer symbol takes integer values only: nothing is differentiated by it (a MatcalcError)."""
    if x.integer:
        raise MatcalcError(f"{x.name} is an integer symbol (an exponent is one): nothing is differentiated by it; "
                           f"a real exponent a is written through exp and log, exp(a * log(x)) for x .^ a")


def not_symmetric(x: Sym, what: str) -> None:
    """Jacobians and Hessians by a symmetric matrix are not defined here (their value would depend
    on how f is extended off the symmetric matrices): a MatcalcError for a symmetric x."""
    if x.symmetric:
        raise MatcalcError(f"{what}s with respect to a symmetric matrix are not supported: declare {x.name} as "
                           f"matrix(n, n), or claim its gradient")


#: an equals sign that is not an argument's (``axis=0``) nor part of ``==``, ``<=``, ``>=``, ``!=``
_EQUALS = re.compile(r"(?<![=<>!])=(?!=)")
_KEYWORD = re.compile(r"\baxis\s*$")


def assumption_sides(text: str) -> list[str] | None:
    """'LHS = RHS' split at its one equals sign (an ``axis=`` inside is an argument), or None."""
    cuts = [m.start() for m in _EQUALS.finditer(text) if not _KEYWORD.search(text, 0, m.start())]
    if len(cuts) != 1:
        return None
    return [text[:cuts[0]], text[cuts[0] + 1:]]


@dataclass(frozen=True)
class Assumption:
    """An equality ``lhs = rhs`` the derivation may use and the checker must satisfy."""

    lhs: Expr
    rhs: Expr

    def __str__(self) -> str:
        return f"{show(self.lhs)} = {show(self.rhs)}"
