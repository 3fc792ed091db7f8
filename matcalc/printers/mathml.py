"""MathML Core written from the expression tree, in HTML: browsers render it natively, no
script or font needed. Derivations and pages are laid out in ``mathml_document``."""
from __future__ import annotations

import re
from fractions import Fraction
from html import escape

from .. import ops, scripted
from ..expr import Add, Call, Entrywise, Expr, Neg, ScalarFn
from ..language import GREEK_LETTERS, PRODUCT, UNARY
from ..shapes import dim_factors
from .notation import MathNotation, subscripted, underscored

_GREEK_CHARS = {name: ch for ch, name in GREEK_LETTERS.items()}
APPLY, TIMES = "<mo>&#x2061;</mo>", "<mo>&#x2062;</mo>"  # invisible function application, times
THIN = '<mspace width="0.1667em"></mspace>'


def _applies(e: Expr) -> bool:
    """e is printed as a named function applied to an argument: tr(X), log(x), σ(z) (not A⁻¹, ‖A‖, √a)."""
    if not isinstance(e, (Call, Entrywise, ScalarFn)):
        return False
    op = ops.get(e.fn) if not isinstance(e, ScalarFn) else None
    return op is None or op.applied


def mi(text: str, normal: bool = False) -> str:
    """An identifier; ``normal`` sets it upright (a one-letter identifier is italic by default)."""
    return f'<mi mathvariant="normal">{escape(text)}</mi>' if normal else f"<mi>{escape(text)}</mi>"


def mo(text: str) -> str:
    return f"<mo>{escape(text)}</mo>"


def mrow(*parts: str) -> str:
    return f"<mrow>{''.join(parts)}</mrow>"


def _name(n: str) -> str:
    """A name as LaTeX spells it: Greek as the letter, W1 and W_1 as W with subscript 1, a longer
    name in italics (a multi-letter <mi> would be upright, as a function's name is)."""
    parts = scripted.split(n)
    if parts:  # w_12__1: w with subscript 12 and superscript 1
        base, sub, sup = parts
        element = "msubsup" if sub else "msup"
        return f"<{element}>{_name(base)}{_script(sub) if sub else ''}{_script(sup)}</{element}>"
    split = underscored(n)
    if split and re.fullmatch(r"[A-Za-z]\d+", split[0]):  # w2_11: w2 with subscript 11, as LaTeX writes it
        return f"<msub>{mi(split[0])}{mn(split[1]) if split[1].isdigit() else _name(split[1])}</msub>"
    n = _GREEK_CHARS.get(n, scripted.LETTERLIKE.get(n, n))
    sub = split or subscripted(n)
    if sub:
        return f"<msub>{_name(sub[0])}{mn(sub[1]) if sub[1].isdigit() else _name(sub[1])}</msub>"
    if len(n) == 1 or any(ord(ch) > 127 for ch in n):
        return mi(n)
    return f'<mi style="font-style:italic">{escape(n)}</mi>'


def _script(script: str) -> str:
    """A mangled script as written (lp1 -> l+1, mu -> μ): numbers, identifiers and signs."""
    text = _GREEK_CHARS.get(script) or scripted.script_text(script)
    parts = [mn(p) if p.isdigit() else mo(p.replace("-", "−")) if p in "+-" else mi(p) for p in re.findall(r"\d+|[+-]|[^\d+-]", text)]
    return parts[0] if len(parts) == 1 else mrow(*parts)


def mn(text: str) -> str:
    return f"<mn>{escape(text)}</mn>"


def _rational(v: Fraction) -> str:
    """2, or the fraction 1/2 (the sign is the caller's)."""
    return mn(str(v.numerator)) if v.denominator == 1 else f"<mfrac>{mn(str(v.numerator))}{mn(str(v.denominator))}</mfrac>"


class MathMLNotation(MathNotation):
    """Each form as MathML Core elements; the layout rules (precedence, parentheses) are Notation's."""

    format, minus, times, hadamard, ediv, dot = "mathml", "<mo>−</mo>", TIMES, "<mo>⊙</mo>", "<mo>⊘</mo>", "<mo>·</mo>"
    d = mi("d", True)
    APPLY = APPLY
    mi, mo, mrow, mn = staticmethod(mi), staticmethod(mo), staticmethod(mrow), staticmethod(mn)

    def _show(self, e: Expr) -> str:
        if isinstance(e, Add):
            parts = [self.wrap(e.terms[0], PRODUCT) if not isinstance(e.terms[0], Neg) else self._show(e.terms[0])]
            for t in e.terms[1:]:
                negative = isinstance(t, Neg)
                parts.append((self.minus if negative else mo("+")) + self.wrap(t.arg if negative else t, PRODUCT))
            return mrow(*parts)
        return super()._show(e)

    def product(self, e, symbol):
        if symbol == TIMES and (_applies(e.left) or _applies(e.right)):
            symbol += THIN  # as LaTeX spaces \operatorname: sum(Y) softmax(Z), not sum(Y)softmax(Z)
        return mrow(self.wrap(e.left, self.left_need(e)), symbol, self.wrap(e.right, UNARY))

    def dim(self, dm) -> str:
        k, names = dim_factors(dm)
        parts = ([mn(str(k))] if k != 1 or not names else []) + [self.name(n) for n in names]
        return mrow(*self._join(parts, self.dot))

    @staticmethod
    def _join(parts, sep):
        out = []
        for p in parts:
            out += [sep, p] if out else [p]
        return out

    def paren(self, text):
        """Parentheses that stretch only around a fraction (stretched ones are spaced wide without a math font)."""
        if "<mfrac" in text:
            return mrow(mo("("), text, mo(")"))
        return mrow('<mo stretchy="false">(</mo>', text, '<mo stretchy="false">)</mo>')

    def number(self, v: Fraction):
        return _rational(v)

    def name(self, n):
        return _name(n)

    def divide(self, e):
        return f"<mfrac>{mrow(self._show(e.left))}{mrow(self._show(e.right))}</mfrac>"

    def power(self, base, k, entrywise):
        exp = _rational(abs(k))
        return f"<msup>{mrow(base)}{mrow(mo('∘') if entrywise else '', self.minus if k < 0 else '', exp)}</msup>"

    def symbolic_power(self, base, k, entrywise):
        return f"<msup>{mrow(base)}{mrow(mo('∘') if entrywise else '', self._show(k))}</msup>"

    def zero(self, ones):
        r = self.dim(ones.rows)
        size = r if ones.cols == 1 else mrow(r, mo("×"), self.dim(ones.cols))
        return f"<msub>{mn('𝟎')}{size}</msub>"

    def transpose(self, a):
        return f"<msup>{mrow(a)}{mi('⊤', True)}</msup>"

    def where(self, name):
        return mrow('<mtext>where</mtext><mspace width="0.5em"></mspace>', name)

    def call(self, fn, arg):
        return mrow(mi(fn), APPLY, self.paren(self._show(arg)))

    def axis_call(self, fn, arg, axis):
        return mrow(mi(fn), APPLY, self.paren(mrow(self._show(arg), mo(","), mi("axis"), mo("="), mn(str(axis)))))

    def function(self, fn, order, arg):
        head = self.name(fn) if fn in _GREEK_CHARS or len(fn) == 1 or ord(fn[0]) > 127 else mi(fn)
        if order:
            head = f"<msup>{head}{mo('′' * order)}</msup>"
        return mrow(head, APPLY, self.paren(arg))



MATHML = MathMLNotation()


def math(body: str, *, block: bool = False) -> str:
    """A <math> element around MathML ``body``."""
    return f'<math display="block">{body}</math>' if block else f"<math>{body}</math>"


def expr(e: Expr) -> str:
    """An expression as an inline <math> element."""
    return math(MATHML.show(e))
