"""Mathematical notation for expressions: Unicode (terminal) and LaTeX.

Both use the language's precedence table; only the spelling of each form differs.
"""
from __future__ import annotations

import re
from fractions import Fraction

from ..expr import (
    Add, Call, Commutation, Differential, Div, EDiv, Entrywise, EPower, Expr, Eye, Hadamard, Kron, Let,
    MatMul, MatPower, Neg, Num, Ones, Power, ScalarFn, Sym, Transpose,
)
from ..language import ATOM, GREEK, GREEK_LETTERS, POWER, PRODUCT, UNARY
from ..language import precedence as _source_precedence
from ..shapes import dim_factors


def precedence(e: Expr) -> int:
    """The language's precedence, except that kron(A, B) is written infix, A ⊗ B, among the products."""
    return PRODUCT if isinstance(e, Kron) else _source_precedence(e)

_GREEK_CHARS = {name: ch for ch, name in GREEK_LETTERS.items()}
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class Notation:
    """How each form is spelled; subclasses give Unicode and LaTeX."""

    def show(self, e: Expr) -> str:
        return self._show(e)

    def dim(self, dm) -> str:
        """A dimension: n, or a product m·n."""
        k, names = dim_factors(dm)
        return self.dot.join(([str(k)] if k != 1 or not names else []) + [self.name(n) for n in names])

    def power_base(self, e: Expr) -> str:
        """The base of a power, in parentheses when it carries a superscript of its own: (Aᵀ)², (A⁻¹)³."""
        text = self.wrap(e, ATOM)
        return self.paren(text) if isinstance(e, Transpose) or (isinstance(e, Call) and e.fn == "inv") else text

    def wrap(self, e: Expr, need: int) -> str:
        text = self._show(e)
        return self.paren(text) if precedence(e) < need else text

    def _show(self, e: Expr) -> str:
        if isinstance(e, Num):
            return self.number(e.value)
        if isinstance(e, (Sym, Let)):
            return self.name(e.name)
        if isinstance(e, Add):
            parts = [self.wrap(e.terms[0], PRODUCT) if not isinstance(e.terms[0], Neg) else self._show(e.terms[0])]
            for t in e.terms[1:]:
                parts.append(f"{self.minus} {self.wrap(t.arg, PRODUCT)}" if isinstance(t, Neg) else f"+ {self.wrap(t, PRODUCT)}")
            return " ".join(parts)
        if isinstance(e, Neg):
            return f"{self.minus}{self.wrap(e.arg, POWER)}"
        if isinstance(e, Div):
            return self.divide(e)
        if isinstance(e, (MatMul, Hadamard, EDiv, Kron)):
            op = {MatMul: " ", Hadamard: self.hadamard, EDiv: self.ediv, Kron: self.kron}[type(e)]
            same = type(e.left) is type(e)
            return f"{self.wrap(e.left, PRODUCT if same else UNARY)}{op}{self.wrap(e.right, UNARY)}"
        if isinstance(e, (Power, MatPower, EPower)):
            return self.power(self.power_base(e.base), Fraction(e.exponent), isinstance(e, EPower))
        if isinstance(e, Transpose):
            return self.transpose(self.wrap(e.arg, ATOM))
        if isinstance(e, Call):
            return self.call(e.fn, e.arg)
        if isinstance(e, (Entrywise, ScalarFn)):
            return self.function(e.fn, e.order, self._show(e.arg))
        if isinstance(e, Eye):
            return self.eye(self.dim(e.n))
        if isinstance(e, Ones):
            return self.ones(self.dim(e.rows), self.dim(e.cols) if e.cols != 1 else 1)
        if isinstance(e, Commutation):
            return self.commutation(self.dim(e.m), self.dim(e.n))
        if isinstance(e, Differential):
            inner = self.wrap(e.arg, ATOM) if isinstance(e.arg, (Sym, Let)) else self.paren(self._show(e.arg))
            return f"{self.d}{inner}"
        raise TypeError(f"no notation for {type(e).__name__}")


class UnicodeNotation(Notation):
    minus, hadamard, ediv, kron, d, dot = "−", " ⊙ ", " ⊘ ", " ⊗ ", "d", "·"

    def commutation(self, m, n):
        return f"K[{m},{n}]"

    def paren(self, text):
        return f"({text})"

    def number(self, v: Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"

    def name(self, n):
        return _unicode_greek(n)

    def divide(self, e):
        return f"{self.wrap(e.left, PRODUCT)} / {self.wrap(e.right, UNARY)}"

    def power(self, base, k, entrywise):
        exp = str(k).translate(SUPERSCRIPT) if k.denominator == 1 else f"^({k})"
        return f"{base}{'∘' if entrywise else ''}{exp}"

    def transpose(self, a):
        return f"{a}ᵀ"

    def call(self, fn, arg):
        if fn == "inv":
            return f"{self.wrap(arg, ATOM)}⁻¹"
        if fn == "norm":
            return f"‖{self._show(arg)}‖"
        return f"{fn}({self._show(arg)})"

    def function(self, fn, order, arg):
        if fn == "abs" and order <= 1:  # |x| and its derivative, the sign
            return f"|{arg}|" if order == 0 else f"sgn({arg})"
        return f"{_unicode_greek(fn)}{chr(39) * order}({arg})"

    def eye(self, n):
        return "I"

    def ones(self, r, c):
        return "1" if c == 1 else f"1[{r}×{c}]"


def _unicode_greek(n: str) -> str:
    """delta -> δ, Sigma -> Σ; other names as they are."""
    return _GREEK_CHARS.get(n, n)


def greek_command(ch: str) -> str:
    """A Greek letter of a name as its LaTeX command (δ -> \\delta, Σ -> \\Sigma)."""
    return "\\" + GREEK_LETTERS[ch]


def subscripted(n: str) -> tuple[str, str] | None:
    """W1 and W_1 -> (W, 1), W_ab -> (W, ab): an ASCII name that the math printers subscript."""
    m = re.fullmatch(r"([A-Za-z]+?)_?(\d+|[A-Za-z]+)?", n) if "_" in n or n[-1:].isdigit() else None
    return (m.group(1), m.group(2)) if m and m.group(2) else None


def _latex_name(n: str) -> str:
    """A symbol's name in LaTeX: Greek as commands, W1 and W_1 as W_{1}, long names in \\mathit."""
    if any(ord(ch) > 127 for ch in n):
        n = "".join(greek_command(ch) + " " if ch in GREEK_LETTERS else ch for ch in n).strip()
        return n
    sub = subscripted(n)
    if sub:
        return f"{_latex_name(sub[0])}_{{{sub[1]}}}"
    if n in GREEK:
        return "\\" + n
    if len(n) == 1:
        return n
    return "\\mathit{" + n.replace("_", "\\_") + "}"


class LatexNotation(Notation):
    minus, hadamard, ediv, kron, d, dot = "-", " \\odot ", " \\oslash ", " \\otimes ", "\\mathrm{d}", " \\cdot "

    def commutation(self, m, n):
        return f"K_{{{m},{n}}}"

    def paren(self, text):
        return f"\\left({text}\\right)"

    def number(self, v: Fraction):
        return str(v.numerator) if v.denominator == 1 else f"\\tfrac{{{v.numerator}}}{{{v.denominator}}}"

    def name(self, n):
        return _latex_name(n)

    def divide(self, e):
        return f"\\frac{{{self._show(e.left)}}}{{{self._show(e.right)}}}"

    def power(self, base, k, entrywise):
        exp = str(k) if k.denominator == 1 else f"{k.numerator}/{k.denominator}"
        circ = "\\circ " if entrywise else ""
        return f"{{{base}}}^{{{circ}{exp}}}"

    def transpose(self, a):
        return f"{{{a}}}^\\top"

    def call(self, fn, arg):
        inner = self._show(arg)
        if fn == "inv":
            return f"{{{self.wrap(arg, ATOM)}}}^{{-1}}"
        if fn == "norm":
            return f"\\left\\lVert {inner} \\right\\rVert_F"
        if fn == "det":
            return f"\\det\\left({inner}\\right)"
        if fn == "logdet":
            return f"\\log\\det\\left({inner}\\right)"
        return f"\\operatorname{{{fn}}}\\left({inner}\\right)"

    def function(self, fn, order, arg):
        if fn == "abs" and order <= 1:  # |x| and its derivative, the sign
            return f"\\left|{arg}\\right|" if order == 0 else f"\\operatorname{{sgn}}\\left({arg}\\right)"
        head = {"exp": "\\exp", "log": "\\log", "tanh": "\\tanh", "sin": "\\sin", "cos": "\\cos",
                "tan": "\\tan"}.get(fn)
        if head is None:
            head = _latex_name(fn) if (fn in GREEK or len(fn) == 1 or ord(fn[0]) > 127) else f"\\operatorname{{{fn}}}"
        if fn == "sqrt" and order == 0:
            return f"\\sqrt{{{arg}}}"
        primes = "\\prime" * order
        return f"{head}{'^{' + primes + '}' if order else ''}\\left({arg}\\right)"

    def eye(self, n):
        return f"I_{{{n}}}"

    def ones(self, r, c):
        return f"\\mathbf{{1}}_{{{r}}}" if str(c) == "1" else f"\\mathbf{{1}}_{{{r}\\times {c}}}"


UNICODE = UnicodeNotation()
LATEX = LatexNotation()
