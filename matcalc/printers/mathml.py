"""MathML Core written from the expression tree, in HTML: browsers render it natively, no
script or font needed. A derivation is an HTML table whose cells hold <math> elements."""
from __future__ import annotations

from fractions import Fraction
from html import escape

from ..engine.derivation import D2F, DF, DVEC, HESSIAN, JACOBIAN, LINEAR_MAP
from ..expr import Add, Call, EDiv, Entrywise, Expr, Hadamard, Kron, MatMul, Neg, ScalarFn
from ..language import ATOM, GREEK_LETTERS, PRODUCT, UNARY, show
from ..report import ClaimReport
from ..shapes import dim_factors
from .notation import Notation, subscripted
from .rows import derivation_rows, verdict_line

_GREEK_CHARS = {name: ch for ch, name in GREEK_LETTERS.items()}
APPLY, TIMES = "<mo>&#x2061;</mo>", "<mo>&#x2062;</mo>"  # invisible function application, times
THIN = '<mspace width="0.1667em"></mspace>'


def _applies(e: Expr) -> bool:
    """e is printed as a named function applied to an argument: tr(X), log(x), σ(z)."""
    if isinstance(e, Call):
        return e.fn not in ("inv", "norm")
    return isinstance(e, (Entrywise, ScalarFn)) and e.fn != "sqrt"


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
    n = _GREEK_CHARS.get(n, n)
    sub = subscripted(n)
    if sub:
        return f"<msub>{_name(sub[0])}{mn(sub[1]) if sub[1].isdigit() else _name(sub[1])}</msub>"
    if len(n) == 1 or any(ord(ch) > 127 for ch in n):
        return mi(n)
    return f'<mi style="font-style:italic">{escape(n)}</mi>'


def mn(text: str) -> str:
    return f"<mn>{escape(text)}</mn>"


def _rational(v: Fraction) -> str:
    """2, or the fraction 1/2 (the sign is the caller's)."""
    return mn(str(v.numerator)) if v.denominator == 1 else f"<mfrac>{mn(str(v.numerator))}{mn(str(v.denominator))}</mfrac>"


class MathMLNotation(Notation):
    """Each form as MathML Core elements; the layout rules (precedence, parentheses) are Notation's."""

    minus, hadamard, ediv, kron, dot = "<mo>−</mo>", "<mo>⊙</mo>", "<mo>⊘</mo>", "<mo>⊗</mo>", "<mo>·</mo>"
    d = mi("d", True)

    def _show(self, e: Expr) -> str:
        if isinstance(e, Add):
            parts = [self.wrap(e.terms[0], PRODUCT) if not isinstance(e.terms[0], Neg) else self._show(e.terms[0])]
            for t in e.terms[1:]:
                negative = isinstance(t, Neg)
                parts.append((self.minus if negative else mo("+")) + self.wrap(t.arg if negative else t, PRODUCT))
            return mrow(*parts)
        if isinstance(e, (MatMul, Hadamard, EDiv, Kron)):
            op = {MatMul: TIMES, Hadamard: self.hadamard, EDiv: self.ediv, Kron: self.kron}[type(e)]
            if op == TIMES and (_applies(e.left) or _applies(e.right)):
                op += THIN  # as LaTeX spaces \operatorname: sum(Y) softmax(Z), not sum(Y)softmax(Z)
            same = type(e.left) is type(e)
            return mrow(self.wrap(e.left, PRODUCT if same else UNARY), op, self.wrap(e.right, UNARY))
        return super()._show(e)

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

    def commutation(self, m, n):
        return f"<msub>{mi('K')}{mrow(m, mo(','), n)}</msub>"

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

    def transpose(self, a):
        return f"<msup>{mrow(a)}{mi('⊤', True)}</msup>"

    def call(self, fn, arg):
        if fn == "inv":
            return f"<msup>{mrow(self.wrap(arg, ATOM))}{mrow(self.minus, mn('1'))}</msup>"
        if fn == "norm":
            return f"<msub>{mrow(mo('‖'), self._show(arg), mo('‖'))}{mi('F')}</msub>"
        head = mrow(mi("log"), mi("det")) if fn == "logdet" else mi(fn)
        return mrow(head, APPLY, self.paren(self._show(arg)))

    def function(self, fn, order, arg):
        if fn == "sqrt" and order == 0:
            return f"<msqrt>{arg}</msqrt>"
        if fn == "abs" and order <= 1:  # |x| and its derivative, the sign
            return mrow(mo("|"), arg, mo("|")) if order == 0 else mrow(mi("sgn"), APPLY, self.paren(arg))
        head = self.name(fn) if fn in _GREEK_CHARS or len(fn) == 1 or ord(fn[0]) > 127 else mi(fn)
        if order:
            head = f"<msup>{head}{mo('′' * order)}</msup>"
        return mrow(head, APPLY, self.paren(arg))

    def eye(self, n):
        return f"<msub>{mi('I')}{n}</msub>"

    def ones(self, r, c):
        size = r if c == 1 else mrow(r, mo("×"), c)
        return f"<msub>{mn('𝟏')}{size}</msub>"


MATHML = MathMLNotation()


def math(body: str, *, block: bool = False) -> str:
    """A <math> element around MathML ``body``."""
    return f'<math display="block">{body}</math>' if block else f"<math>{body}</math>"


def expr(e: Expr) -> str:
    """An expression as an inline <math> element."""
    return math(MATHML.show(e))


def matrix(rows: list[list[str]]) -> str:
    """A matrix of numbers given as text (a counterexample's point), in parentheses."""
    cells = "".join("<mtr>" + "".join(f"<mtd>{mn(x.replace('-', '−'))}</mtd>" for x in row) + "</mtr>"
                    for row in rows)
    return math(mrow(mo("("), f"<mtable>{cells}</mtable>", mo(")")))


def _partial(top: str, bottom: str) -> str:
    return f"<mfrac>{mrow(mo('∂'), top)}{mrow(bottom)}</mfrac>"


def _vec(x: str) -> str:
    return mrow(mi("vec"), APPLY, x)


def lhs(side: str, x: str) -> str:
    """The left side of a step on ``side``: df, d vec F, d²f, H[dX], or the result's name."""
    f, F, dx = mi("f"), mi("F"), mrow(MATHML.d, MATHML.name(x))
    if side == DF:
        return mrow(MATHML.d, f)
    if side == DVEC:
        return mrow(MATHML.d, _vec(F))
    if side == D2F:
        return mrow(f"<msup>{MATHML.d}{mn('2')}</msup>", f)
    if side == LINEAR_MAP:
        return mrow(mi("H"), mo("["), dx, mo("]"))
    vec_t = f"<msup>{MATHML.paren(_vec(MATHML.name(x)))}{mi('⊤', True)}</msup>"
    if side == JACOBIAN:
        return _partial(_vec(F), mrow(mo("∂"), vec_t))
    if side == HESSIAN:
        top = mrow(f"<msup>{mo('∂')}{mn('2')}</msup>", f)
        return f"<mfrac>{top}{mrow(mo('∂'), _vec(MATHML.name(x)), mo('∂'), vec_t)}</mfrac>"
    return _partial(f, mrow(mo("∂"), MATHML.name(x)))


def steps_table(r: ClaimReport) -> str:
    """The derivation's steps: one table row per step (left side, =, expression, rule)."""
    x = r.claim.wrt.name
    rows = [f'<tr><td class="lhs">{math(left) if left else ""}</td><td class="eq">{math(mo("="))}</td>'
            f'<td class="expr">{math(text)}</td><td class="rule">{escape(rule)}</td></tr>'
            for left, text, rule in derivation_rows(r, MATHML, lhs=lambda side: lhs(side, x))]
    return f'<table class="steps">{"".join(rows)}</table>'


def derivation(r: ClaimReport) -> str:
    """One claim: f, its steps, the result, the claim and the checker's verdict."""
    x = r.claim.wrt.name
    f_name = "F" if r.claim.kind == "jacobian" else "f"
    parts = [f'<h3>Claim {r.claim.index}: {math(mrow(mi(f_name), mo("="), MATHML.show(r.claim.f)))}, '
             f'find {math(lhs(r.claim.kind, x))}</h3>']
    if r.derivation is not None:
        parts.append(steps_table(r))
        parts.append(f'<p class="result">{r.claim.kind.capitalize()}: '
                     f'{math(MATHML.show(r.derivation.gradient))} '
                     f'<code>{escape(show(r.derivation.gradient))}</code></p>')
    if r.claim.gradient is not None:
        parts.append(f'<p class="claimed">Claimed: {math(MATHML.show(r.claim.gradient))} '
                     f'<code>{escape(show(r.claim.gradient))}</code></p>')
    parts.append(f'<p class="verdict {escape(r.verdict)}">Check: {escape(verdict_line(r))}</p>')
    return f'<section class="claim">{"".join(parts)}</section>'


def proof(title: str, source: str, reports: list[ClaimReport], *, standalone: bool = False) -> str:
    """The claims of a proof as HTML with MathML (a whole page with ``standalone``)."""
    head = f"<h2>{escape(title)}</h2>\n" + (f"<p>Source: {escape(source)}</p>\n" if source else "")
    body = head + "\n".join(derivation(r) for r in reports) + "\n"
    return document(title, body) if standalone else body


def document(title: str, body: str) -> str:
    """A whole HTML page around ``body``."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<style>td.rule{{color:#666;font-style:italic;padding-left:2em}} td.lhs{{text-align:right}}</style>'
            f'</head><body>\n{body}</body></html>\n')
