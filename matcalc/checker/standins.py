"""Concrete stand-ins for declared abstract functions, drawn afresh for every instance.

A claim about an abstract sigma must hold for every sigma, so a stand-in must have no
property a wrong claim could lean on: it is neither odd nor even, sigma(0) ≠ 0, its
derivatives of every order are non-zero, each declared function gets its own, and new
random coefficients are drawn at every point. A scalar function C is neither quadratic,
nor homogeneous, nor a sum over entries.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from math import factorial

import mpmath

from .evaluate import Matrix, ScalarImpl


def _coefficient(rng: random.Random, bound: int = 8, den: int = 4) -> Fraction:
    """A random non-zero rational k/den with 0 < |k| <= bound."""
    return Fraction(rng.choice([k for k in range(-bound, bound + 1) if k]), den)


def _text(terms: list[tuple[Fraction, str]]) -> str:
    out = ""
    for c, t in terms:
        mag = "" if abs(c) == 1 and t else str(abs(c))
        body = f"{mag} {t}".strip() if mag and t else (mag or t)
        out += (" - " if c < 0 else " + ") + body if out else ("-" if c < 0 else "") + body
    return out


@dataclass(frozen=True)
class Polynomial:
    """p(x) = a0 + a1 x + a2 x² + a3 x³, every coefficient non-zero: exact on rationals (its
    fourth derivative vanishes: the transcendental stand-in, drawn as well, has none that does)."""

    a: tuple[Fraction, ...]

    def __call__(self, x, order: int):
        return sum(factorial(k) // factorial(k - order) * c * x ** (k - order)
                   for k, c in enumerate(self.a) if k >= order)

    def __str__(self) -> str:
        return _text([(c, "" if k == 0 else "x" if k == 1 else f"x^{k}") for k, c in enumerate(self.a)])


@dataclass(frozen=True)
class Transcendental:
    """t(x) = c0 + c1 x + c2 sin(w2 x + e2) + c3 sin(w3 x + e3): bounded with all its derivatives
    (no argument overflows), and no derivative of any order vanishes identically."""

    c: tuple[Fraction, ...]
    w: tuple[Fraction, Fraction]
    e: tuple[Fraction, Fraction]

    def __call__(self, x, order: int):
        c0, c1, c2, c3 = (mpmath.mpf(v.numerator) / v.denominator for v in self.c)
        (w2, w3), (e2, e3) = ((mpmath.mpf(v.numerator) / v.denominator for v in pair) for pair in (self.w, self.e))
        poly = (c0 + c1 * x) if order == 0 else c1 if order == 1 else 0
        turn = order * mpmath.pi / 2
        return poly + c2 * w2 ** order * mpmath.sin(w2 * x + e2 + turn) + c3 * w3 ** order * mpmath.sin(w3 * x + e3 + turn)

    def __str__(self) -> str:
        return _text([(self.c[0], ""), (self.c[1], "x"), (self.c[2], f"sin({self.w[0]} x + {self.e[0]})"),
                      (self.c[3], f"sin({self.w[1]} x + {self.e[1]})")])


def elementwise(rng: random.Random, exact: bool):
    """A random stand-in for an elementwise function: a polynomial (exact) or a transcendental one."""
    if exact:  # coefficients shrink like 1/k!, so that compositions stay of moderate size
        return Polynomial(tuple(_coefficient(rng) / factorial(k) for k in range(4)))
    w2 = _coefficient(rng, 6, 4)
    w3 = w2 + _coefficient(rng, 3, 7) if rng.random() < 0.5 else w2 * Fraction(rng.choice((3, 5, 7)), 2)
    return Transcendental(tuple(_coefficient(rng) for _ in range(4)), (w2, w3),
                          (_coefficient(rng, 6, 4), _coefficient(rng, 6, 4)))


def _flat(a: Matrix) -> list:
    return [x for r in a for x in r]


def _shaped(v: list, like: Matrix) -> Matrix:
    cols = len(like[0])
    return [v[r * cols:(r + 1) * cols] for r in range(len(like))]


class ScalarStandIn:
    """C(a) = c0 + cᵀv + ½ vᵀPv + k (qᵀv)³ + [exact: 0 | else: sin(rᵀv)], v = vec(a), with
    P symmetric and c0, c, P, q, r random (drawn once per shape of a)."""

    def __init__(self, rng: random.Random, exact: bool):
        self.rng, self.exact = rng, exact
        self.cache: dict[tuple[int, int], tuple] = {}
        self.k = _coefficient(rng)
        self.c0 = _coefficient(rng)

    def _params(self, a: Matrix):
        key = (len(a), len(a[0]))
        if key not in self.cache:
            n, rng = key[0] * key[1], self.rng
            p = [[_coefficient(rng) for _ in range(n)] for _ in range(n)]
            self.cache[key] = ([[p[i][j] + p[j][i] for j in range(n)] for i in range(n)],
                               *([_coefficient(rng) for _ in range(n)] for _ in range(3)))
        return self.cache[key]

    def value(self, a: Matrix):
        P, c, q, r = self._params(a)
        v = _flat(a)
        quad = sum(v[i] * P[i][j] * v[j] for i in range(len(v)) for j in range(len(v))) / 2
        s = sum(x * y for x, y in zip(q, v))
        out = self.c0 + sum(x * y for x, y in zip(c, v)) + quad + self.k * s ** 3
        return out if self.exact else out + mpmath.sin(sum(x * y for x, y in zip(r, v)))

    def gradient(self, a: Matrix) -> Matrix:
        P, c, q, r = self._params(a)
        v = _flat(a)
        s = sum(x * y for x, y in zip(q, v))
        g = [sum(P[i][j] * v[j] for j in range(len(v))) + c[i] + 3 * self.k * s * s * q[i] for i in range(len(v))]
        if not self.exact:
            e = mpmath.cos(sum(x * y for x, y in zip(r, v)))
            g = [gi + e * ri for gi, ri in zip(g, r)]
        return _shaped(g, a)

    def __str__(self) -> str:
        extra = "" if self.exact else " + sin(r'v)"
        return f"{self.c0} + c'v + v'Pv/2 + {self.k} (q'v)^3{extra} (v = vec(a), random c, P, q{', r' if extra else ''})"


def function_choices(functions: dict[str, str], rng: random.Random) -> list[tuple[str, dict, dict]]:
    """Fresh stand-ins for the declared functions, (label, elementwise impls, scalar impls): one
    exact (polynomial) and one transcendental choice, each function with its own coefficients."""
    if not functions:
        return [("", {}, {})]
    out = []
    for exact in (True, False):
        ew, sc, labels = {}, {}, []
        for name, kind in functions.items():
            if kind == "elementwise":
                ew[name] = elementwise(rng, exact)
                labels.append(f"{name}(x) = {ew[name]}")
            else:
                sc[name] = ScalarStandIn(rng, exact)
                labels.append(f"{name}(a) = {sc[name]}")
        out.append(("; ".join(labels), ew, {n: ScalarImpl(s.value, s.gradient) for n, s in sc.items()}))
    return out
