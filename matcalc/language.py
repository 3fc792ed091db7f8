"""Print an expression tree back in the language, so that it parses to the same tree; and the one
printing walk (``Notation``) that every format's printer subclasses.

One precedence table and one ``parenthesize`` rule: a child is wrapped in parentheses
when its own precedence is below what its place requires.
"""
from __future__ import annotations

import unicodedata
from fractions import Fraction

from .expr import (
    Add, Call, Change, Differential, DimValue, Div, EDiv, Entrywise, EPower, Expr, Hadamard, Let,
    MatMul, MatPower, Neg, Num, Partial, Power, ScalarFn, Sym, SymbolicPower, Transpose, is_zero_matrix,
)
from . import ops
from .axes import broadcast_column, column_sums_of, spelt_softmax
from .shapes import dim_factors

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
    if isinstance(e, (Power, EPower, MatPower, SymbolicPower)):
        return POWER
    return ATOM


def number(v: Fraction) -> str:
    """A rational as a literal: 2, or (1/2): exact, and one number when parsed back."""
    return str(v.numerator) if v.denominator == 1 else f"({v.numerator}/{v.denominator})"


def exponent(k: Fraction) -> str:
    text = number(abs(k))
    return f"-{text}" if k < 0 else text


def show(e: Expr) -> str:
    """The expression in the language (a round trip: parse(show(e)) == e, except that a zero matrix as
    the whole expression, 0 * ones(m, n), is written 0: a claimed 0 is the zero matrix of its shape)."""
    return "0" if is_zero_matrix(e) else SOURCE.show(e)


class Notation:
    """The one walk that prints an expression tree; a subclass per format (the language here,
    Unicode and LaTeX in ``printers.notation``, MathML in ``printers.mathml``) spells each form, and an
    operator's record (``matcalc.ops``) may give its own spelling per format. A child is wrapped in
    parentheses when its precedence is below what its place requires."""

    format = ""
    minus = "-"

    def show(self, e: Expr) -> str:
        return self._show(e)

    def precedence(self, e: Expr) -> int:
        return ATOM if self.fold(e) else precedence(e)

    def fold(self, e: Expr) -> tuple[str, Expr, int] | None:
        """(fn, argument, axis) when e spells out a function along an axis that the format writes as
        that call: softmax(Z, axis=0) for exp(Z) ⊘ (1 1ᵀ exp(Z)), softmax(Z, axis=1) for the rows."""
        folded = spelt_softmax(e) if isinstance(e, EDiv) else None
        return ("softmax", *folded) if folded is not None else None

    def axis_call(self, fn: str, arg: Expr, axis: int) -> str:
        return f"{fn}({self._show(arg)}, axis={axis})"

    def terms(self, e: Add) -> tuple[Expr, ...]:
        """The terms of a sum as printed (the language writes a broadcast column bare: A + b)."""
        return e.terms

    def dim(self, dm) -> str:
        """A dimension: n, or a product m·n."""
        k, names = dim_factors(dm)
        return self.dot.join(([str(k)] if k != 1 or not names else []) + [self.name(n) for n in names])

    def power_base(self, e: Expr) -> str:
        """The base of a power, in parentheses when it carries a superscript of its own: (Aᵀ)², (A⁻¹)³."""
        text = self.wrap(e, ATOM)
        own = isinstance(e, Transpose) or (isinstance(e, Call) and ops.get(e.fn).superscript)
        return self.paren(text) if own else text

    def wrap(self, e: Expr, need: int) -> str:
        text = self._show(e)
        return self.paren(text) if self.precedence(e) < need else text

    def wrap_atom(self, e: Expr) -> str:
        return self.wrap(e, ATOM)

    def left_need(self, e: Expr) -> int:
        """The precedence a product's left factor needs: a product of the same kind reads left to right."""
        return PRODUCT if type(e.left) is type(e) else UNARY

    def _show(self, e: Expr) -> str:
        if isinstance(e, Num):
            return self.number(e.value)
        if isinstance(e, (Sym, Let)):
            return self.name(e.name)
        if isinstance(e, DimValue):
            return self.name(e.dim)
        if isinstance(e, Add):
            parts = [self.wrap(e.terms[0], PRODUCT) if not isinstance(e.terms[0], Neg) else self._show(e.terms[0])]
            for t in self.terms(e)[1:]:
                parts.append(f"{self.minus} {self.wrap(t.arg, PRODUCT)}" if isinstance(t, Neg) else f"+ {self.wrap(t, PRODUCT)}")
            return " ".join(parts)
        if isinstance(e, Neg):
            return f"{self.minus}{self.wrap(e.arg, POWER)}"
        if isinstance(e, Div):
            return self.divide(e)
        folded = self.fold(e)
        if folded is not None:
            return self.axis_call(*folded)
        if isinstance(e, MatMul) and is_zero_matrix(e):
            zero = self.zero(e.right)
            if zero is not None:
                return zero
        if isinstance(e, (MatMul, Hadamard, EDiv)):
            return self.product(e, self.times if type(e) is MatMul else self.hadamard if type(e) is Hadamard else self.ediv)
        if isinstance(e, (Power, MatPower, EPower)):
            return self.power(self.power_base(e.base), Fraction(e.exponent), isinstance(e, EPower))
        if isinstance(e, SymbolicPower):
            return self.symbolic_power(self.power_base(e.base), e.exponent, e.entrywise)
        if isinstance(e, Transpose):
            return self.transpose(self.wrap(e.arg, ATOM))
        if isinstance(e, Call):
            own = ops.get(e.fn).notation.get(self.format)
            return own(self, e.arg) if own else self.call(e.fn, e.arg)
        if isinstance(e, (Entrywise, ScalarFn)):
            arg = self._show(e.arg)
            op = ops.get(e.fn) if isinstance(e, Entrywise) else None
            own = op.notation.get(self.format) if op else None
            return (own and own(self, e.order, arg)) or self.function(e.fn, e.order, arg)
        op = ops.of_node(type(e))
        if op is not None:
            return self.node(e, op)
        if isinstance(e, (Differential, Change)):
            inner = self.wrap(e.arg, ATOM) if isinstance(e.arg, (Sym, Let)) else self.paren(self._show(e.arg))
            return f"{self.d}{inner}"
        if isinstance(e, Partial):
            return self.partial(self._show(e.body), self._show(e.x))
        raise TypeError(f"no notation for {type(e).__name__}")

    def partial(self, body: str, x: str) -> str:
        """A partial derivative written in a document, ∂u/∂x."""
        return f"∂({body})/∂{x}"

    def zero(self, ones) -> str | None:
        """The zero matrix of the shape of ``ones`` (0 * ones(m, n)) as the format writes it; None: as
        the product it is (the language has no zero matrix of its own: 0 * ones(m, n) parses back)."""
        return None

    def product(self, e, symbol: str) -> str:
        """Two factors with the operator between them."""
        return f"{self.wrap(e.left, self.left_need(e))}{symbol}{self.wrap(e.right, UNARY)}"

    def node(self, e, op) -> str:
        """A built-in with a node of its own: infix among the products where the format writes it so
        (A ⊗ B), else its record's spelling in this format, else the call form: kron(A, B), eye(n)."""
        symbol = op.infix.get(self.format)
        if symbol is not None:
            return self.product(e, symbol)
        own = op.notation.get(self.format)
        if own is not None:
            return own(self, e)
        dims = [self.dim(getattr(e, f)) for f in e._init_fields if f not in e._child_fields]
        return f"{op.name}({', '.join([self._show(c) for c in e.children] + dims)})"

    def divide(self, e):
        return f"{self.wrap(e.left, PRODUCT)} / {self.wrap(e.right, UNARY)}"

    def paren(self, text):
        return f"({text})"


class SourceNotation(Notation):
    """The language itself: what parses back to the same tree."""

    format, times, hadamard, ediv, d, dot = "source", " * ", " .* ", " ./ ", "d", " * "

    def left_need(self, e):
        # A different product-level operator on the left gets parentheses for the reader;
        # the tree is the same either way (they are left-associative).
        return PRODUCT if type(e.left) in (type(e), Div) else UNARY

    def power_base(self, e):
        return self.wrap(e, ATOM)

    def fold(self, e):
        """Also sum(A, axis=0) for the column sums 1ᵀ A of a matrix A."""
        summed = column_sums_of(e) if isinstance(e, MatMul) else None
        return ("sum", summed, 0) if summed is not None else super().fold(e)

    def terms(self, e):
        """A column c broadcast over the columns, c 1ᵀ, as c where the sum's first term has its full
        shape: parsed back, c is broadcast to c 1ᵀ again."""
        first = e.terms[0]
        if first.shape != e.shape or broadcast_column(first, e.shape) is not None:
            return e.terms
        return (first,) + tuple(broadcast_column(t, e.shape) or t for t in e.terms[1:])

    def number(self, v):
        return number(v)

    def name(self, n):
        return n

    def power(self, base, k, entrywise):  # (x .^ 2) .^ 3, not x .^ 2 .^ 3, which reads as x .^ 8
        return f"{base} {'.^' if entrywise else '^'} {exponent(k)}"

    def symbolic_power(self, base, k: Expr, entrywise):
        """X ^ k, X ^ -k, X ^ (k - 1): a name bare, anything else in parentheses."""
        return f"{base} {'.^' if entrywise else '^'} {self.integer_exponent(k)}"

    def integer_exponent(self, k: Expr) -> str:
        if isinstance(k, Neg):
            return f"-{self.integer_exponent(k.arg)}"
        return self._show(k) if isinstance(k, (Sym, Let, Num, DimValue)) else f"({self._show(k)})"

    def transpose(self, a):
        return f"{a}'"

    def call(self, fn, arg):
        return f"{fn}({self._show(arg)})"

    def function(self, fn, order, arg):
        return f"{fn}{chr(39) * order}({arg})"


SOURCE = SourceNotation()
