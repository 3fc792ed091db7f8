"""Built-in functions applied to every entry: exp, log, sigmoid, tanh, sqrt, sin, cos, tan, abs, relu.

Each record gives f⁽ᵏ⁾ in closed form where a textbook writes it so (``derivative``, used by the
engine's "derivatives of built-in functions" rule), the same for emitted code (``derivative_code``),
and f⁽ᵏ⁾ in terms of f itself for the SymPy simplification of entrywise regions (``self_derivatives``).
The differential is the engine's chain rule, d f(A) = f'(A) ⊙ dA, for all of them.
"""
from __future__ import annotations

from fractions import Fraction
from math import factorial

from ..expr import Add, EDiv, Entrywise, EPower, Neg, Num, zero
from .base import ENTRYWISE, Code, Op, every_backend, register

ONE = Num(1)


# --- closed forms of f^(k)(u) ------------------------------------------------------------------

def _exp(u, k):
    """exp' = exp"""
    return Entrywise("exp", u) if k == 1 else None


def _log(u, k):
    """log'(u) = 1 ./ u"""
    return EDiv(ONE, u) if k == 1 else None


def _tanh_like(name, sign):
    def derivative(u, k):
        """tanh' = 1 - tanh .^ 2, tan' = 1 + tan .^ 2"""
        if k != 1:
            return None
        t2 = EPower(Entrywise(name, u), Fraction(2))
        return Add((ONE, Neg(t2) if sign < 0 else t2))

    return derivative


def _sqrt(u, k):
    """sqrt'(u) = 1/2 ./ sqrt(u)"""
    return EDiv(Num(Fraction(1, 2)), Entrywise("sqrt", u)) if k == 1 else None


def _trigonometric(name):
    def derivative(u, k):
        """sin' = cos, cos' = -sin: the k-th derivative is ±sin or ±cos"""
        turns = k + (name == "cos")
        f = Entrywise("sin" if turns % 2 == 0 else "cos", u)
        return Neg(f) if turns % 4 >= 2 else f

    return derivative


def _kinked(u, k):
    """abs'' = relu'' = 0 (where the argument is non-zero)"""
    return zero(u.shape) if k >= 2 else None


# --- the same for emitted code: spell(name) is the backend's template text of a function, literal(v)
# a rational as a Python literal ---------------------------------------------------------------

def _exp_code(k, spell, literal):
    return Code(spell("exp"))


def _log_code(k, spell, literal):
    """(-1)^(k-1) (k-1)! x^-k"""
    c = (-1) ** (k - 1) * factorial(k - 1)
    return Code("{0} ** -1", prec=4) if k == 1 else Code(f"{c} * {{0}} ** -{k}", prec=2)


def _sqrt_code(k, spell, literal):
    """(1/2)(1/2 - 1)...(1/2 - k + 1) x^(1/2 - k)"""
    c = Fraction(1)
    for i in range(k):
        c *= Fraction(1, 2) - i
    return Code(f"{literal(c)} * {{0}} ** {literal(Fraction(1, 2) - k)}", prec=2)


def _trigonometric_code(name):
    def code(k, spell, literal):
        turns = k + (name == "cos")
        f = spell("sin" if turns % 2 == 0 else "cos")
        return Code(f"-{f}", prec=3) if turns % 4 >= 2 else Code(f)

    return code


def _tan_code(k, spell, literal):
    """1 + tan², 2 tan (1 + tan²)"""
    t = spell("tan")
    if k > 2:
        return None
    return Code(f"1 + {t} ** 2", prec=1) if k == 1 else Code(f"2 * {t} * (1 + {t} ** 2)", prec=2)


def _tanh_code(k, spell, literal):
    """tanh' = 1 - tanh², tanh'' = -2 tanh (1 - tanh²)"""
    if k == 1:
        return Code(f"1 - {spell('tanh')} ** 2", prec=1)
    return Code("tanh_prime2({0})", "tanh_prime2") if k == 2 else None


def _sigmoid_code(k, spell, literal):
    """sigmoid' = s (1 - s), sigmoid'' = s (1 - s) (1 - 2 s)"""
    return {1: Code("sigmoid_prime({0})", "sigmoid_prime"), 2: Code("sigmoid_prime2({0})", "sigmoid_prime2")}.get(k)


def _kinked_code(name):
    def code(k, spell, literal):
        """the sign (abs), the step (relu), where the argument is non-zero; then 0"""
        if k > 1:
            return Code("0 * {0}", prec=2)
        sign = spell("sign")
        return Code(sign) if name == "abs" else Code(f"({sign} + 1) / 2", prec=2)

    return code


# --- f^(k) in terms of f, for SymPy ---------------------------------------------------------------

def _log_self(f, x, k):
    """log' = 1/x, log'' = -1/x²"""
    return 1 / x() if k == 1 else -1 / x() ** 2


def _sigmoid_self(f, x, k):
    """sigmoid' = s (1 - s), sigmoid'' = s (1 - s) (1 - 2 s)"""
    s = f()
    return s * (1 - s) if k == 1 else s * (1 - s) * (1 - 2 * s)


def _tanh_self(f, x, k):
    """tanh' = 1 - t², tanh'' = -2 t (1 - t²)"""
    t = f()
    return 1 - t**2 if k == 1 else -2 * t * (1 - t**2)


def _sqrt_self(f, x, k):
    """sqrt' = 1 / (2 r), sqrt'' = -1 / (4 r³)"""
    r = f()
    return 1 / (2 * r) if k == 1 else -1 / (4 * r**3)


_HELPERS = {
    "tanh_prime2": '''def tanh_prime2(x):
    """tanh''(x) = -2 tanh(x) (1 - tanh(x)^2)"""
    t = {xp}.tanh(x)
    return -2 * t * (1 - t ** 2)''',
    "sigmoid_prime": '''def sigmoid_prime(x):
    """sigmoid'(x) = s (1 - s), s = sigmoid(x)"""
    s = {sigmoid}
    return s * (1 - s)''',
    "sigmoid_prime2": '''def sigmoid_prime2(x):
    """sigmoid''(x) = s (1 - s) (1 - 2 s), s = sigmoid(x)"""
    s = {sigmoid}
    return s * (1 - s) * (1 - 2 * s)''',
}
_SIGMOID = {"numpy": "sigmoid(x)", "jax": "jax.nn.sigmoid(x)", "torch": "torch.sigmoid(x)"}


def _helpers(*names):
    """The derivative helpers a function's code uses, in every backend."""
    xp = {"numpy": "np", "jax": "jnp", "torch": "torch"}
    return {b: {n: _HELPERS[n].replace("{xp}", xp[b]).replace("{sigmoid}", _SIGMOID[b]) for n in names} for b in xp}


def _sigmoid_helpers():
    out = _helpers("sigmoid_prime", "sigmoid_prime2")
    out["numpy"]["sigmoid"] = '''def sigmoid(x):
    """1 / (1 + exp(-x))"""
    return 1 / (1 + np.exp(-x))'''
    return out


def _tanh_series(h):
    """tanh(h) = 1 - 2 / (e^{2h} + 1), written so that the exponential is at most 1 in size"""
    if h[0] >= 0:
        return 1 - 2 * ((2 * h).exp() + 1).inv()
    return 2 * ((-2 * h).exp() + 1).inv() - 1


def _sigmoid_series(h):
    """sigmoid(h) = 1 / (1 + e^{-h}), written so that the exponential is at most 1 in size"""
    if h[0] >= 0:
        return ((-h).exp() + 1).inv()
    e = h.exp()
    return e * (e + 1).inv()


def _abs_unicode(p, order, arg):
    return None if order > 1 else f"|{arg}|" if order == 0 else f"sgn({arg})"


def _abs_latex(p, order, arg):
    if order > 1:
        return None
    return f"\\left|{arg}\\right|" if order == 0 else f"\\operatorname{{sgn}}\\left({arg}\\right)"


def _abs_mathml(p, order, arg):
    if order > 1:
        return None
    return p.mrow(p.mo("|"), arg, p.mo("|")) if order == 0 else p.mrow(p.mi("sgn"), p.APPLY, p.paren(arg))


def _function(name: str, summary: str, **fields) -> Op:
    """An entrywise function's record; its SymPy formula is its SymPy class's unless given."""
    if "sympy_body" not in fields and "sympy_class" in fields:
        fields["sympy_body"] = lambda sp, t: getattr(sp, fields["sympy_class"])(t)
    return Op(name, ENTRYWISE, summary, f"{name}(A)", **fields)


register(
    _function("exp", "eˣ", sympy_class="exp", latex="\\exp", code=every_backend("{xp}.exp({0})"),
              reference=lambda h: h.exp(), derivative=_exp, derivative_code=_exp_code,
              self_derivatives=lambda f, x, k: f()),
    _function("log", "the natural logarithm of a positive x", latex="\\log", code=every_backend("{xp}.log({0})"),
              reference=lambda h: h.log(), domain="positive", derivative=_log, derivative_code=_log_code,
              sympy_body=lambda sp, t: sp.log(t), self_derivatives=_log_self),
    _function("sigmoid", "1 / (1 + e⁻ˣ)",
              code={"numpy": Code("sigmoid({0})", "sigmoid"), "jax": Code("jax.nn.sigmoid({0})"),
                    "torch": Code("torch.sigmoid({0})")}, helpers=_sigmoid_helpers(),
              reference=_sigmoid_series, derivative_code=_sigmoid_code,
              sympy_body=lambda sp, t: 1 / (1 + sp.exp(-t)), self_derivatives=_sigmoid_self),
    _function("tanh", "the hyperbolic tangent", sympy_class="tanh", latex="\\tanh",
              code=every_backend("{xp}.tanh({0})"), helpers=_helpers("tanh_prime2"),
              reference=_tanh_series, derivative=_tanh_like("tanh", -1), derivative_code=_tanh_code,
              self_derivatives=_tanh_self),
    _function("sqrt", "the square root of a non-negative x", applied=False,
              notation={"latex": lambda p, order, arg: f"\\sqrt{{{arg}}}" if order == 0 else None,
                        "mathml": lambda p, order, arg: f"<msqrt>{arg}</msqrt>" if order == 0 else None},
              code=every_backend("{xp}.sqrt({0})"), reference=lambda h: h.sqrt(), domain="positive",
              derivative=_sqrt, derivative_code=_sqrt_code, sympy_body=lambda sp, t: sp.sqrt(t),
              self_derivatives=_sqrt_self),
    _function("sin", "the sine", sympy_class="sin", latex="\\sin", code=every_backend("{xp}.sin({0})"),
              reference=lambda h: h.sin(), derivative=_trigonometric("sin"),
              derivative_code=_trigonometric_code("sin")),
    _function("cos", "the cosine", sympy_class="cos", latex="\\cos", code=every_backend("{xp}.cos({0})"),
              reference=lambda h: h.cos(), derivative=_trigonometric("cos"),
              derivative_code=_trigonometric_code("cos")),
    _function("tan", "the tangent", sympy_class="tan", latex="\\tan", code=every_backend("{xp}.tan({0})"),
              reference=lambda h: h.tan(), derivative=_tanh_like("tan", 1), derivative_code=_tan_code),
    _function("abs", "the absolute value; its derivative is the sign, where x ≠ 0", sympy_class="Abs", kinked=True,
              notation={"unicode": _abs_unicode, "latex": _abs_latex, "mathml": _abs_mathml},
              code=every_backend("{xp}.abs({0})"), reference=lambda h, s: h * s,
              derivative=_kinked, derivative_code=_kinked_code("abs")),
    _function("relu", "max(0, x); its derivative is the step, where x ≠ 0", kinked=True,
              code={"numpy": Code("np.maximum({0}, 0)"), "jax": Code("jax.nn.relu({0})"),
                    "torch": Code("torch.relu({0})")},
              reference=lambda h, s: h * int(s > 0), derivative=_kinked, derivative_code=_kinked_code("relu"),
              sympy_body=lambda sp, t: sp.Max(t, 0)),
)
