"""Concrete stand-ins for declared abstract functions, drawn afresh for every instance.

A claim about an abstract sigma must hold for every sigma, so a stand-in has no property a
wrong claim could lean on: its even and odd parts have independent random coefficients, no
derivative of any order vanishes identically, σ(0) ≠ 0, each declared function gets its own,
and new coefficients are drawn at every instance. A scalar function C is neither quadratic, nor
homogeneous, nor even or odd, nor a sum over entries. Stand-ins compute in the checker's
numbers: an elementwise one on Arb power series (its derivatives of every order come from
the series), a scalar one on ring numbers, with its gradient written beside it (tested against
the series in tests/test_checker_standins.py).
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from fractions import Fraction

from flint import arb_series, ctx

from .evaluate import ball, dot
from .functions import builtin


def coefficient(rng: random.Random, bound: int = 8, den: int = 4) -> Fraction:
    """A random non-zero rational k/den with 0 < |k| <= bound."""
    return Fraction(rng.choice([k for k in range(-bound, bound + 1) if k]), den)


@dataclass(frozen=True, eq=False)  # hashed by identity: its balls are cached per stand-in and precision
class Elementwise:
    """σ(x) = c₀ + c₁x + c₂x² + c₃x³ + α sin(w₁x + φ₁) + β cos(w₂x + φ₂): the cubic and the two
    waves give independent even and odd parts, and every derivative is a non-zero function."""

    c: tuple[Fraction, Fraction, Fraction, Fraction]
    alpha: Fraction
    w1: Fraction
    phi1: Fraction
    beta: Fraction
    w2: Fraction
    phi2: Fraction

    def __call__(self, s: arb_series) -> arb_series:
        c0, c1, c2, c3, w1, phi1, alpha, w2, phi2, beta = _balls(self)
        poly = ((s * c3 + c2) * s + c1) * s + c0
        return poly + (s * w1 + phi1).sin() * alpha + (s * w2 + phi2).cos() * beta

    def data(self) -> dict:
        return {"form": "c0 + c1 x + c2 x^2 + c3 x^3 + alpha sin(w1 x + phi1) + beta cos(w2 x + phi2)",
                **{f"c{i}": str(v) for i, v in enumerate(self.c)},
                **{k: str(getattr(self, k)) for k in ("alpha", "w1", "phi1", "beta", "w2", "phi2")}}

    def __str__(self) -> str:
        c = self.c
        return (f"{c[0]} + {c[1]} x + {c[2]} x^2 + {c[3]} x^3 + {self.alpha} sin({self.w1} x + {self.phi1}) + "
                f"{self.beta} cos({self.w2} x + {self.phi2})")


@functools.lru_cache(maxsize=64)
def _cached(stand_in: Elementwise, prec: int) -> tuple:
    return tuple(ball(x) for x in (*stand_in.c, stand_in.w1, stand_in.phi1, stand_in.alpha, stand_in.w2,
                                   stand_in.phi2, stand_in.beta))


def _balls(stand_in: Elementwise) -> tuple:
    """The stand-in's coefficients as balls at the working precision (converted once per precision)."""
    return _cached(stand_in, ctx.prec)


def elementwise(rng: random.Random) -> Elementwise:
    w1 = coefficient(rng, 6, 4)
    w2 = w1 + coefficient(rng, 3, 7)
    return Elementwise(tuple(coefficient(rng) / (k + 1) for k in range(4)), coefficient(rng), w1,
                       coefficient(rng, 6, 4), coefficient(rng), w2, coefficient(rng, 6, 4))


class Scalar:
    """C(a) = c₀ + cᵀv + ½ vᵀPv + k (qᵀv)³ + α sin(rᵀv) + β cos(sᵀv), v = the entries of a read row
    by row, P symmetric, every parameter random and drawn once per shape of a (so C(a) and C(aᵀ)
    differ, as functions of arguments of different shapes do); its gradient
    c + Pv + 3k (qᵀv)² q + α cos(rᵀv) r − β sin(sᵀv) s."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.k, self.c0, self.alpha, self.beta = (coefficient(rng) for _ in range(4))
        self.params: dict[tuple[int, int], tuple] = {}
        self.converted: dict[tuple, tuple] = {}

    def _params(self, shape: tuple[int, int]) -> tuple:
        if shape not in self.params:
            rng, n = self.rng, shape[0] * shape[1]
            p = [[coefficient(rng) for _ in range(n)] for _ in range(n)]
            P = [[p[i][j] + p[j][i] for j in range(n)] for i in range(n)]
            self.params[shape] = (P, *([coefficient(rng) for _ in range(n)] for _ in range(4)))
        return self.params[shape]

    def _balls(self, shape: tuple[int, int]):
        """The parameters for an argument of this shape, as balls at the working precision (once each)."""
        key = (shape, ctx.prec)
        if key not in self.converted:
            P, c, q, r, s = self._params(shape)
            self.converted[key] = ([[ball(x) for x in row] for row in P],
                                   *([ball(x) for x in v] for v in (c, q, r, s)))
        return self.converted[key]

    def value(self, a: list):
        """C(a) of a matrix a (rows of ring numbers)."""
        P, c, q, r, s = self._balls((len(a), len(a[0])))
        v = [x for row in a for x in row]
        quad = dot(v, [dot(row, v) for row in P]) * ball(Fraction(1, 2))
        qv = dot(q, v)
        return (ball(self.c0) + dot(c, v) + quad + ball(self.k) * qv * qv * qv +
                builtin("sin", dot(r, v), 0) * ball(self.alpha) + builtin("cos", dot(s, v), 0) * ball(self.beta))

    def gradient(self, a: list) -> list:
        """C'(a), the entries of a's shape read row by row."""
        P, c, q, r, s = self._balls((len(a), len(a[0])))
        v = [x for row in a for x in row]
        qv = dot(q, v)
        cubic = ball(3 * self.k) * qv * qv
        wave_r = builtin("cos", dot(r, v), 0) * ball(self.alpha)
        wave_s = builtin("sin", dot(s, v), 0) * ball(-self.beta)
        return [dot(row, v) + ci + cubic * qi + wave_r * ri + wave_s * si
                for row, ci, qi, ri, si in zip(P, c, q, r, s)]

    def data(self) -> dict:
        return {"form": "c0 + c'v + v'Pv/2 + k (q'v)^3 + alpha sin(r'v) + beta cos(s'v), v = the entries row by row",
                "c0": str(self.c0), "k": str(self.k), "alpha": str(self.alpha), "beta": str(self.beta),
                "by_shape": {f"{rows}x{cols}": {name: _text(x) for name, x in zip(("P", "c", "q", "r", "s"), p)}
                             for (rows, cols), p in self.params.items()}}

    def __str__(self) -> str:
        return (f"{self.c0} + c'v + v'Pv/2 + {self.k} (q'v)^3 + {self.alpha} sin(r'v) + {self.beta} cos(s'v) "
                f"(v = vec(a), random c, P, q, r, s)")


def _text(x):
    return [_text(y) for y in x] if isinstance(x, list) else str(x)


@dataclass(frozen=True)
class StandIns:
    """One draw of stand-ins for every declared function."""

    elementwise: dict
    scalar: dict

    @property
    def label(self) -> str:
        return "; ".join([f"{n}(x) = {f}" for n, f in self.elementwise.items()] +
                         [f"{n}(a) = {f}" for n, f in self.scalar.items()])

    def data(self) -> dict:
        return {n: f.data() for n, f in {**self.elementwise, **self.scalar}.items()}


def draw(functions: dict[str, str], rng: random.Random) -> StandIns:
    """Fresh stand-ins for the declared functions, each with its own coefficients."""
    ew = {n: elementwise(rng) for n, kind in functions.items() if kind == "elementwise"}
    sc = {n: Scalar(rng) for n, kind in functions.items() if kind != "elementwise"}
    return StandIns(ew, sc)
