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
from typing import Callable

import mpmath

from .evaluate import Arithmetic, Matrix, ScalarImpl, dot


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

    def bound(self, order: int, numbers: Arithmetic) -> Callable:
        """p^(order) as a function of one number of the evaluation (``numbers`` its arithmetic):
        Σ_{k ≥ order} k!/(k - order)! a_k x^(k - order), by Horner's rule."""
        d = [numbers.real(factorial(k) // factorial(k - order) * c) for k, c in enumerate(self.a) if k >= order]
        zero = numbers.real(0)

        def p(x):
            acc = zero
            for c in reversed(d):
                acc = acc * x + c
            return acc

        return p

    def __str__(self) -> str:
        return _text([(c, "" if k == 0 else "x" if k == 1 else f"x^{k}") for k, c in enumerate(self.a)])


@dataclass(frozen=True)
class Transcendental:
    """t(x) = c0 + c1 x + c2 sin(w2 x + e2) + c3 sin(w3 x + e3): bounded with all its derivatives
    (no argument overflows), and no derivative of any order vanishes identically."""

    c: tuple[Fraction, ...]
    w: tuple[Fraction, Fraction]
    e: tuple[Fraction, Fraction]

    def bound(self, order: int, numbers: Arithmetic) -> Callable:
        """t^(order) as a function of one number of the evaluation: the polynomial part's, plus
        c w^k sin^(k)(w x + e), where sin^(k) is sin, cos, -sin, -cos as k mod 4 is 0, 1, 2, 3."""
        c0, c1, c2, c3 = map(numbers.real, self.c)
        (w2, w3), (e2, e3) = map(numbers.real, self.w), map(numbers.real, self.e)
        wave = numbers.cos if order % 2 else numbers.sin
        sign = -1 if order % 4 >= 2 else 1
        k2, k3 = sign * c2 * w2 ** order, sign * c3 * w3 ** order
        zero = numbers.real(0)

        def t(x):
            line = c0 + c1 * x if order == 0 else c1 if order == 1 else zero
            return line + k2 * wave(w2 * x + e2) + k3 * wave(w3 * x + e3)

        return t

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
    P symmetric and c0, c, P, q, r random (drawn once per shape of a). Computed in the
    evaluation's own numbers (``numbers`` is its arithmetic; sin is not exact there)."""

    def __init__(self, rng: random.Random, exact: bool):
        self.rng, self.exact = rng, exact
        self.cache: dict[tuple[int, int], tuple] = {}
        self.converted: dict[tuple, tuple] = {}  # the parameters in each arithmetic and precision
        self.k = _coefficient(rng)
        self.c0 = _coefficient(rng)

    def _params(self, a: Matrix, numbers: Arithmetic):
        key = (len(a), len(a[0]))
        if key not in self.cache:
            n, rng = key[0] * key[1], self.rng
            p = [[_coefficient(rng) for _ in range(n)] for _ in range(n)]
            self.cache[key] = ([[p[i][j] + p[j][i] for j in range(n)] for i in range(n)],
                               *([_coefficient(rng) for _ in range(n)] for _ in range(3)))
        where = (key, numbers.real, mpmath.mp.prec)
        if where not in self.converted:
            P, c, q, r = self.cache[key]
            real = numbers.real
            self.converted[where] = ([list(map(real, row)) for row in P], *(list(map(real, v)) for v in (c, q, r)),
                                     real(self.k), real(self.c0))
        return self.converted[where]

    def value(self, a: Matrix, numbers: Arithmetic):
        P, c, q, r, k, c0 = self._params(a, numbers)
        v = _flat(a)
        quad = sum(x * dot(row, v) for x, row in zip(v, P)) / 2
        out = c0 + dot(c, v) + quad + k * dot(q, v) ** 3
        return out if self.exact else out + numbers.sin(dot(r, v))

    def gradient(self, a: Matrix, numbers: Arithmetic) -> Matrix:
        P, c, q, r, k, _ = self._params(a, numbers)
        v = _flat(a)
        s = dot(q, v)
        g = [dot(row, v) + ci + 3 * k * s * s * qi for row, ci, qi in zip(P, c, q)]
        if not self.exact:
            e = numbers.cos(dot(r, v))
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
        out.append(("; ".join(labels), ew, {n: ScalarImpl(s.value, s.gradient, native=True) for n, s in sc.items()}))
    return out
