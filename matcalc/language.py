"""Print an expression tree back in the language, so that it parses to the same tree.

One precedence table and one ``parenthesize`` rule: a child is wrapped in parentheses
when its own precedence is below what its place requires.
"""
from __future__ import annotations

import unicodedata
from fractions import Fraction

from .expr import (
    Add, Call, Commutation, Differential, Div, EDiv, Entrywise, EPower, Expr, Eye, Hadamard, Kron, Let,
    MatMul, MatPower, Neg, Num, Ones, Power, ScalarFn, Sym, Transpose,
)
from .shapes import DimProduct

#: The Greek letters a name may use (as the letter or spelled out): those every printer,
#: LaTeX too, can spell. Omicron and the capitals written like Latin ones have no LaTeX command.
GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma "
         "tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()
#: δ -> delta, Σ -> Sigma (Unicode spells lambda LAMDA).
GREEK_LETTERS = {
    unicodedata.lookup(f"GREEK {'SMALL' if n[0].islower() else 'CAPITAL'} LETTER {n.upper().replace('LAMBDA', 'LAMDA')}"): n
    for n in GREEK
}
#: A name: a letter (Latin or one of GREEK_LETTERS) or _, then letters, digits and _.
NAME = "[A-Za-z_{0}][A-Za-z0-9_{0}]*".format("".join(GREEK_LETTERS))

SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5
OPERATORS = {MatMul: "*", Hadamard: ".*", EDiv: "./", Div: "/"}


def precedence(e: Expr) -> int:
    if isinstance(e, Add):
        return SUM
    if type(e) in OPERATORS:
        return PRODUCT
    if isinstance(e, Neg):
        return UNARY
    if isinstance(e, (Power, EPower, MatPower)):
        return POWER
    return ATOM


def number(v: Fraction) -> str:
    """A rational as a literal: 2, or (1/2): exact, and one number when parsed back."""
    return str(v.numerator) if v.denominator == 1 else f"({v.numerator}/{v.denominator})"


def exponent(k: Fraction) -> str:
    text = number(abs(k))
    return f"-{text}" if k < 0 else text


def dim(d) -> str:
    """A dimension as written in the language: n, 3, m * n."""
    if isinstance(d, DimProduct):
        return " * ".join(([str(d.factor)] if d.factor != 1 else []) + list(d.names))
    return str(d)


def show(e: Expr) -> str:
    """The expression in the language (a round trip: parse(show(e)) == e)."""
    return _show(e, 0)


def _wrap(e: Expr, need: int) -> str:
    text = _show(e, need)
    return f"({text})" if precedence(e) < need else text


def _show(e: Expr, need: int) -> str:
    if isinstance(e, Num):
        return number(e.value)
    if isinstance(e, (Sym, Let)):
        return e.name
    if isinstance(e, Add):
        parts = [_wrap(e.terms[0], PRODUCT) if not isinstance(e.terms[0], Neg) else _show(e.terms[0], 0)]
        for t in e.terms[1:]:
            parts.append(f"- {_wrap(t.arg, PRODUCT)}" if isinstance(t, Neg) else f"+ {_wrap(t, PRODUCT)}")
        return " ".join(parts)
    if type(e) in OPERATORS:
        # A different product-level operator on the left gets parentheses for the reader;
        # the tree is the same either way (they are left-associative).
        left = _wrap(e.left, PRODUCT if type(e.left) in (type(e), Div) or type(e) is Div else UNARY)
        return f"{left} {OPERATORS[type(e)]} {_wrap(e.right, UNARY)}"
    if isinstance(e, Neg):
        return f"-{_wrap(e.arg, POWER)}"
    if isinstance(e, (Power, EPower, MatPower)):  # (x .^ 2) .^ 3, not x .^ 2 .^ 3, which reads as x .^ 8
        return f"{_wrap(e.base, ATOM)} {'.^' if isinstance(e, EPower) else '^'} {exponent(Fraction(e.exponent))}"
    if isinstance(e, Transpose):
        return f"{_wrap(e.arg, ATOM)}'"
    if isinstance(e, Call):
        return f"{e.fn}({_show(e.arg, 0)})"
    if isinstance(e, (Entrywise, ScalarFn)):
        return f"{e.fn}{chr(39) * e.order}({_show(e.arg, 0)})"
    if isinstance(e, Kron):
        return f"kron({_show(e.left, 0)}, {_show(e.right, 0)})"
    if isinstance(e, Commutation):
        return f"commutation({dim(e.m)}, {dim(e.n)})"
    if isinstance(e, Eye):
        return f"eye({dim(e.n)})"
    if isinstance(e, Ones):
        return f"ones({dim(e.rows)})" if e.cols == 1 else f"ones({dim(e.rows)}, {dim(e.cols)})"
    if isinstance(e, Differential):
        return f"d{_wrap(e.arg, ATOM)}" if isinstance(e.arg, (Sym, Let)) else f"d({_show(e.arg, 0)})"
    raise TypeError(f"no printer for {type(e).__name__}")
