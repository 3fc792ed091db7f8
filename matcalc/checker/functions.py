"""The checker's own table of scalar functions, each as a map of Arb power series, with the
domain each needs of its argument; and the kinked ones (abs, relu), defined piecewise by sign.

A function g is given as series → series, so that g(x₀ + t) yields every derivative of g at
x₀ with rigorous bounds: the checker never writes a derivative formula.
"""
from __future__ import annotations

from flint import arb, arb_series

from .ring import DomainError, Undecided, apply, base, constant_zero, inverse, sign, unit


def _tanh(s: arb_series) -> arb_series:
    """tanh = 1 − 2/(e²ˢ + 1), or its odd mirror for a negative argument (no cancellation)."""
    c = s.coeffs()
    if not c or c[0].mid() >= 0:  # a zero series has no coefficients
        return 1 - 2 * (((2 * s).exp()) + 1).inv()
    return 2 * (((-2 * s).exp()) + 1).inv() - 1


def _sigmoid(s: arb_series) -> arb_series:
    """σ = 1/(1 + e⁻ˢ)"""
    return ((-s).exp() + 1).inv()


#: name -> (the function on series, the domain it needs of x₀: "positive" or None)
SERIES = {
    "exp": (arb_series.exp, None),
    "log": (arb_series.log, "positive"),
    "sqrt": (arb_series.sqrt, "positive"),
    "sin": (arb_series.sin, None),
    "cos": (arb_series.cos, None),
    "tan": (arb_series.tan, None),
    "sigmoid": (_sigmoid, None),
    "tanh": (_tanh, None),
}


#: the same functions on plain balls
VALUES = {"exp": arb.exp, "log": arb.log, "sqrt": arb.sqrt, "sin": arb.sin, "cos": arb.cos, "tan": arb.tan,
          "sigmoid": lambda x: 1 / (1 + (-x).exp()), "tanh": arb.tanh}


def positive(x, what: str):
    """x when its base certainly is > 0; DomainError when it certainly is ≤ 0, else Undecided."""
    b = base(x)
    if b > 0:
        return x
    if b <= 0:
        raise DomainError(f"{what} of a number that is not positive")
    raise Undecided(f"{what} of a ball containing 0")


#: the functions defined piecewise by the sign of x: differentiable only where x ≠ 0
KINKED = ("abs", "relu")
#: every built-in entrywise function the checker evaluates
ENTRYWISE = tuple(SERIES) + KINKED


def builtin(fn: str, x, order: int):
    """The order-th derivative of a built-in entrywise function at x (a ring number)."""
    if fn in KINKED:
        return kinked(fn, x, order)
    series, domain = SERIES[fn]
    if domain == "positive":
        positive(x, fn)
    if order == 0 and type(x) is arb:  # a plain value: Arb's own function, no series
        y = VALUES[fn](x)
        if not y.is_finite():
            raise Undecided("a value that is not a finite ball")
        return y
    return apply(series, x, order)


def kinked(fn: str, x, order: int):
    """|x| or max(0, x), and their derivatives (sign, step, then 0), on the side of 0 that x's
    base is on: at exactly 0 the point is outside the domain, and a ball containing 0 is Undecided.
    An entry that is 0 and that no direction moves (the off-diagonal of diag(x)) stays 0."""
    if order == 0 and constant_zero(x):
        return x
    s, one = sign(x), unit(x)
    if fn == "abs":
        return x * s if order == 0 else one * s if order == 1 else one * 0
    up = s > 0
    if order == 0:
        return x if up else one * 0
    return one * int(up) if order == 1 else one * 0


def power(x, k):
    """x^k for a rational k: ring products for an integer k (an inverse for k < 0), else
    exp(k log x) for x > 0."""
    if k.denominator == 1:
        n = int(k)
        y = inverse(x) if n < 0 else x
        return integer_power(y, abs(n), one=unit(x))
    positive(x, "a fractional power")
    kk = arb(k.numerator) / k.denominator
    return apply(lambda s: (kk * s.log()).exp(), x)


def integer_power(x, n: int, one):
    """xⁿ for n ≥ 0 by repeated squaring (``one`` is x⁰)."""
    result = one
    while n:
        if n & 1:
            result = x if result is one else result * x
        n >>= 1
        if n:
            x = x * x
    return result
