"""Mathematical notation for expressions: Unicode (terminal) and LaTeX.

Both use the language's precedence table; only the spelling of each form differs.
"""
from __future__ import annotations

import re
from fractions import Fraction

from .. import ops, scripted
from ..expr import Expr
from ..language import ATOM, GREEK, GREEK_LETTERS, PRODUCT, Notation, precedence


_GREEK_CHARS = {name: ch for ch, name in GREEK_LETTERS.items()}
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
#: The characters of an integer exponent that Unicode writes raised (no superscript q, no capitals but a few).
RAISED = dict(zip("0123456789−+()abcdefghijklmnoprstuvwxyzβγδθιφχ",
                  "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵝᵞᵟᶿᶥᵠᵡ"))


class MathNotation(Notation):
    """The formats of mathematics (Unicode, LaTeX, MathML): a built-in its record writes infix in the
    format (A ⊗ B) has the precedence of the products."""

    def precedence(self, e: Expr) -> int:
        op = ops.of_node(type(e))
        return PRODUCT if op is not None and self.format in op.infix else super().precedence(e)


class UnicodeNotation(MathNotation):
    format, minus, times, hadamard, ediv, d, dot = "unicode", "−", " ", " ⊙ ", " ⊘ ", "d", "·"

    def number(self, v: Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"

    def name(self, n):
        return _unicode_name(n)

    def power(self, base, k, entrywise):
        exp = str(k).translate(SUPERSCRIPT) if k.denominator == 1 else f"^({k})"
        return f"{base}{'∘' if entrywise else ''}{exp}"

    def symbolic_power(self, base, k, entrywise):
        """Xᵏ, Xᵏ⁻¹ where every character has a raised form, else X^(2 k − 1)."""
        text = self._show(k)
        compact = text.replace(" − ", "−").replace(" + ", "+")  # a product's space would vanish: 2 k is not 2k
        raised = "".join(RAISED.get(ch, "") for ch in compact)
        if " " in compact or len(raised) != len(compact):
            raised = f"^{text}" if precedence(k) == ATOM else f"^({text})"
        return f"{base}{'∘' if entrywise else ''}{raised}"

    def transpose(self, a):
        return f"{a}ᵀ"

    def zero(self, ones):
        return "0"

    def where(self, name):
        """The left side of a name's definition below a result: where s."""
        return f"where {name}"

    def call(self, fn, arg):
        return f"{fn}({self._show(arg)})"

    def function(self, fn, order, arg):
        return f"{_unicode_greek(fn)}{chr(39) * order}({arg})"



def _unicode_greek(n: str) -> str:
    """delta -> δ, Sigma -> Σ, ell -> ℓ; other names as they are."""
    return _GREEK_CHARS.get(n, scripted.LETTERLIKE.get(n, n))


#: The characters Unicode writes lowered (subscript digits and the few subscript letters).
LOWERED = dict(zip("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))


def underscored(n: str) -> tuple[str, str] | None:
    """w2_11 -> (w2, 11), sigma_i -> (sigma, i): a name with one _ between a base and a subscript of
    letters and digits, which the display formats write as a subscript (the language keeps the _)."""
    base, sep, sub = n.partition("_")
    return (base, sub) if sep and base and sub and sub.isalnum() and sub.isascii() else None


def _unicode_name(n: str) -> str:
    """A name in Unicode: Greek as the letter; w2_11 as w2₁₁ where every character after the _ has a
    subscript form (else as it is); w_12__1 as w₁₂¹, W__L as W^L (see ``scripted``)."""
    parts = scripted.split(n)
    if parts:
        base, sub, sup = parts
        lowered, raised = _script(sub, LOWERED), _script(sup, RAISED)
        return _unicode_greek(base) + (lowered or _plain("_", sub) if sub else "") + (raised or _plain("^", sup))
    split = underscored(n)
    if split and all(ch in LOWERED for ch in split[1]):
        return _unicode_greek(split[0]) + "".join(LOWERED[ch] for ch in split[1])
    return _unicode_greek(n)


def _script_text(script: str) -> str:
    """A mangled script as written, a Greek name as its letter: lp1 -> l+1, mu -> μ."""
    return _GREEK_CHARS.get(script) or scripted.script_text(script).replace("-", "−")


def _plain(mark: str, script: str) -> str:
    """A script without raised or lowered characters: ^L, ^(L−1)."""
    text = _script_text(script)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _script(script: str, forms: dict[str, str]) -> str:
    """A script in raised or lowered characters, or "" when one of its characters has no such form."""
    text = _script_text(script)
    return "".join(forms[ch] for ch in text) if all(ch in forms for ch in text) else ""


def greek_command(ch: str) -> str:
    """A Greek letter of a name as its LaTeX command (δ -> \\delta, Σ -> \\Sigma)."""
    return "\\" + GREEK_LETTERS[ch]


def subscripted(n: str) -> tuple[str, str] | None:
    """W1 and W_1 -> (W, 1), W_ab -> (W, ab): an ASCII name that the math printers subscript."""
    m = re.fullmatch(r"([A-Za-z]+?)_?(\d+|[A-Za-z]+)?", n) if "_" in n or n[-1:].isdigit() else None
    return (m.group(1), m.group(2)) if m and m.group(2) else None


def _latex_name(n: str) -> str:
    """A symbol's name in LaTeX: Greek as commands, W1 and W_1 as W_{1}, long names in \\mathit;
    w_12__1 as w_{12}^{1} and W__lp1 as W^{l+1} (see ``scripted``)."""
    parts = scripted.split(n)
    if parts:
        base, sub, sup = parts
        return _latex_name(base) + (f"_{{{_latex_script(sub)}}}" if sub else "") + f"^{{{_latex_script(sup)}}}"
    if any(ord(ch) > 127 for ch in n):
        n = "".join(greek_command(ch) + " " if ch in GREEK_LETTERS else ch for ch in n).strip()
        return n
    split = underscored(n)
    if split and re.fullmatch(r"[A-Za-z]\d+", split[0]):
        return f"{split[0]}_{{{split[1]}}}"  # w2_11 -> w2_{11}: the base's digits are not a subscript too
    sub = split or subscripted(n)
    if sub:
        return f"{_latex_name(sub[0])}_{{{sub[1]}}}"
    if n in GREEK or n in scripted.LETTERLIKE:
        return "\\" + n
    if len(n) == 1:
        return n
    return "\\mathit{" + n.replace("_", "\\_") + "}"


def _latex_script(script: str) -> str:
    """A mangled script in LaTeX: lp1 -> l+1, mu -> \\mu."""
    return "\\" + script if script in GREEK else scripted.script_text(script)


class LatexNotation(MathNotation):
    format, minus, times, hadamard, ediv, d, dot = "latex", "-", " ", r" \odot ", r" \oslash ", r"\mathrm{d}", r" \cdot "

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

    def symbolic_power(self, base, k, entrywise):
        circ = "\\circ " if entrywise else ""
        return f"{{{base}}}^{{{circ}{self._show(k)}}}"

    def transpose(self, a):
        return f"{{{a}}}^\\top"

    def where(self, name):
        return f"\\text{{where }} {name}"

    def partial(self, body, x):
        return f"\\frac{{\\partial\\left({body}\\right)}}{{\\partial {x}}}"

    def zero(self, ones):
        size = self.dim(ones.rows) if ones.cols == 1 else f"{self.dim(ones.rows)}\\times {self.dim(ones.cols)}"
        return f"\\mathbf{{0}}_{{{size}}}"

    def call(self, fn, arg):
        return f"\\operatorname{{{fn}}}\\left({self._show(arg)}\\right)"

    def axis_call(self, fn, arg, axis):
        return f"\\operatorname{{{fn}}}\\left({self._show(arg)}, \\text{{axis}}={axis}\\right)"

    def function(self, fn, order, arg):
        op = ops.get(fn)
        head = op.latex if op else None
        if head is None:
            head = _latex_name(fn) if (fn in GREEK or len(fn) == 1 or ord(fn[0]) > 127) else f"\\operatorname{{{fn}}}"
        primes = "\\prime" * order
        return f"{head}{'^{' + primes + '}' if order else ''}\\left({arg}\\right)"



UNICODE = UnicodeNotation()
LATEX = LatexNotation()
