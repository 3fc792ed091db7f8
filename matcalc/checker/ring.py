"""The checker's numbers: Arb balls, and truncated Taylor series over them.

A number is an ``arb`` (an enclosure of a real) or, where f is rational, an exact ``fmpq``; a
``Tan`` x + Σ dᵢ εᵢ (first order in k tangent variables, εᵢ εⱼ = 0, d an arb_poly or fmpq_poly),
or a ``Pair`` x + d δ (first order in one more variable, δ² = 0) over those. Evaluating f at X + Σ εᵢ Uᵢ gives every directional derivative Df[Uᵢ] as the εᵢ
coefficient; at X + δV + Σ εᵢ Uᵢ, the εᵢ coefficient of the δ part is Uᵢᵀ (∂²f) V. Nothing
here knows a derivative rule: there are the ring operations, and ``compose`` applies a scalar
function through its Taylor coefficients, which Arb's power series give (exp, log, sin, ...).
"""
from __future__ import annotations

from typing import Callable

from flint import arb, arb_series, fmpq


class DomainError(ArithmeticError):
    """A value certainly outside a function's domain (log of a negative, a singular inverse, a
    kink such as abs at exactly 0); ``node`` is the subexpression whose operation failed."""

    node = None


class NotExact(ArithmeticError):
    """A function with no exact rational value (exp, log, ...) met in exact evaluation."""


class Undecided(ArithmeticError):
    """A ball too wide to decide what an operation needs (the sign of a pivot, a kink's side,
    a finite value): more precision may decide it; ``node`` is where."""

    node = None


class Singular(Undecided):
    """A matrix singular to within 2^(-prec/2) of its scale (a pivot of its elimination, its determinant):
    singular or so nearly that this point is not worth refining (another point is drawn)."""


class _Jet:
    """What Tan and Pair share: subtraction and division from their +, −x, × and ``inverse``."""

    __slots__ = ()

    def __sub__(self, o):
        return self + (-o)

    def __rsub__(self, o):
        return (-self) + o

    def __truediv__(self, o):
        return self * inverse(o)

    def __rtruediv__(self, o):
        return o * inverse(self)


class Tan(_Jet):
    """x + Σ dᵢ εᵢ with εᵢ εⱼ = 0: x an arb (or fmpq), d an arb_poly (or fmpq_poly) whose
    coefficient i is dᵢ."""

    __slots__ = ("x", "d")

    def __init__(self, x, d):
        self.x, self.d = x, d

    def __add__(self, o):
        if type(o) is Tan:
            return Tan(self.x + o.x, self.d + o.d)
        if type(o) is Pair:
            return NotImplemented
        return Tan(self.x + o, self.d)

    __radd__ = __add__

    def __neg__(self):
        return Tan(-self.x, -self.d)

    def __mul__(self, o):
        if type(o) is Tan:
            return Tan(self.x * o.x, self.d * o.x + o.d * self.x)
        if type(o) is Pair:
            return NotImplemented
        return Tan(self.x * o, self.d * o)

    __rmul__ = __mul__


class Pair(_Jet):
    """x + d δ with δ² = 0, x and d numbers or Tans."""

    __slots__ = ("x", "d")

    def __init__(self, x, d):
        self.x, self.d = x, d

    def __add__(self, o):
        if type(o) is Pair:
            return Pair(self.x + o.x, self.d + o.d)
        return Pair(self.x + o, self.d)

    __radd__ = __add__

    def __neg__(self):
        return Pair(-self.x, -self.d)

    def __mul__(self, o):
        if type(o) is Pair:
            return Pair(self.x * o.x, self.x * o.d + self.d * o.x)
        return Pair(self.x * o, self.d * o)

    __rmul__ = __mul__


def base(v):
    """The constant term: the value at the point itself (an arb or an fmpq)."""
    while type(v) is Tan or type(v) is Pair:
        v = v.x
    return v


def coefficient(x, i: int):
    """The εᵢ coefficient of a number (0 for one that carries no tangent)."""
    return x.d[i] if type(x) is Tan else unit(x) * 0


def unit(v):
    """1 in v's numbers: exact where v is."""
    return fmpq(1) if type(base(v)) is fmpq else arb(1)


def depth(v) -> int:
    """How many derivatives v carries: 0 for a number, 1 for a Tan, one more per Pair."""
    return 1 if type(v) is Tan else 1 + depth(v.x) if type(v) is Pair else 0


def compose(v, c: list):
    """g(v) from the Taylor coefficients c[j] = g⁽ʲ⁾(x₀)/j! at x₀ = base(v), j ≤ depth(v):
    g(x₀ + n) = Σ c[j] nʲ, truncated where the ring's products vanish."""
    if type(v) is Tan:
        return Tan(c[0], v.d * c[1])
    if type(v) is not Pair:
        return c[0]
    inner = depth(v.x)
    derivative = [(j + 1) * c[j + 1] for j in range(inner + 1)]  # g'(x₀ + t)'s coefficients
    return Pair(compose(v.x, c[:inner + 1]), compose(v.x, derivative) * v.d)


def apply(series: Callable, v, order: int = 0):
    """g⁽ᵒʳᵈᵉʳ⁾(v) for g given on Arb power series (``series(s)`` is g(s)): the coefficients of
    g(x₀ + t), differentiated ``order`` times as a series, composed with v. A ball that is not
    finite is Undecided."""
    if type(base(v)) is fmpq:
        raise NotExact("a function with no rational value")
    n = depth(v) + 1
    s = series(arb_series([base(v), 1], prec=n + order))
    for _ in range(order):
        s = s.derivative()
    c = s.coeffs() + [arb(0)] * n
    if not all(x.is_finite() for x in c[:n]):
        raise Undecided("a value that is not a finite ball")
    return compose(v, c[:n])


def inverse(v):
    """1 / v in the truncated ring: 1/(x₀ + n) = Σ (−n)ʲ / x₀ʲ⁺¹; DomainError at exactly 0,
    Undecided for a ball containing 0."""
    r = unit(v) / base(nonzero(v, "division by zero"))
    c = [r]
    for _ in range(depth(v)):
        c.append(-c[-1] * r)
    return compose(v, c)


def nonzero(x, what: str):
    """x when its base certainly is not 0; DomainError when it is exactly 0, else Undecided."""
    b = base(x)
    if b == 0:
        raise DomainError(what)
    if type(b) is arb and b.contains(0):
        raise Undecided(what)
    return x


def constant_zero(v) -> bool:
    """Whether v is exactly 0 with every Taylor coefficient exactly 0 (an entry no direction moves)."""
    if type(v) is Tan:
        return v.x == 0 and all(c == 0 for c in v.d.coeffs())
    if type(v) is Pair:
        return constant_zero(v.x) and constant_zero(v.d)
    return v == 0


def sign(x) -> int:
    """The sign of x's base: +1 or -1, DomainError when it is exactly 0, Undecided when unknown."""
    b = base(nonzero(x, "a kink at exactly 0"))
    return 1 if b > 0 else -1
