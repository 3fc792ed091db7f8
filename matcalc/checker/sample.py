"""Concrete instances for a claim: sizes for the dimension names, random points inside
each function's domain, assumptions satisfied by construction, and concrete stand-ins
for declared abstract functions (each with a known derivative).
"""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath

from ..errors import MatcalcError
from ..expr import Call, Entrywise, Expr, Eye, Ones, Sym, walk
from ..shapes import Shape
from .evaluate import Bindings, Matrix, NotExact, ScalarImpl, evaluate

SIZES = (2, 3, 4, 5, 6, 7)


def dimension_names(shapes: list[Shape], exprs: list[Expr]) -> list[str]:
    names: dict[str, None] = {}
    for s in shapes:
        for d in (s.rows, s.cols):
            if isinstance(d, str):
                names[d] = None
    for e in exprs:
        for n in walk(e):
            dims = (n.n,) if isinstance(n, Eye) else (n.rows, n.cols) if isinstance(n, Ones) else ()
            for d in dims:
                if isinstance(d, str):
                    names[d] = None
    return list(names)


def size_assignments(names: list[str], count: int = 3) -> list[dict[str, int]]:
    """``count`` assignments giving distinct names distinct sizes (2, 3, 4, ...), rotated between assignments."""
    if len(names) > len(SIZES):
        pool = list(range(2, 2 + len(names)))
    else:
        pool = list(SIZES[: max(len(names), 3)])
    return [{n: pool[(i + k) % len(pool)] for i, n in enumerate(names)} for k in range(count)]


def roles(exprs: list[Expr]) -> tuple[set[str], set[str]]:
    """Symbols that should be positive (under log, sqrt, fractional powers) and those that
    should be well-conditioned square matrices (under det, logdet, inv)."""
    positive, dominant = set(), set()
    for e in exprs:
        for n in walk(e):
            if isinstance(n, Entrywise) and n.fn in ("log", "sqrt"):
                positive |= {s.name for s in walk(n.arg) if isinstance(s, Sym)}
            if getattr(n, "exponent", Fraction(1)).denominator != 1:
                positive |= {s.name for s in walk(n.base) if isinstance(s, Sym)}
            if isinstance(n, Call) and n.fn in ("det", "logdet", "inv"):
                dominant |= {s.name for s in walk(n.arg) if isinstance(s, Sym)}
    return positive, dominant


def random_matrix(rng: random.Random, rows: int, cols: int, *, positive: bool, dominant: bool,
                  scale: Fraction = Fraction(1)) -> Matrix:
    """Small rationals (times ``scale``); positive ones in (0, 3]; a square dominant one is
    I·(n+1) plus small noise, so that its determinant is positive."""
    def entry():
        if positive:
            return Fraction(rng.randint(1, 24), 8) * scale
        v = 0
        while v == 0:
            v = Fraction(rng.randint(-24, 24), 8) * scale
        return v

    m = [[entry() for _ in range(cols)] for _ in range(rows)]
    if dominant and rows == cols:
        m = [[x / 4 + (rows + 1 if i == j else 0) for j, x in enumerate(r)] for i, r in enumerate(m)]
    return m


def _sin(x, order: int):
    return [mpmath.sin, mpmath.cos, lambda t: -mpmath.sin(t), lambda t: -mpmath.cos(t)][order % 4](x)


def _cubic(x, order: int):
    """x³ + 2x and its derivatives."""
    return [x**3 + 2 * x, 3 * x**2 + 2, 6 * x, 6][order] if order < 4 else 0


ELEMENTWISE = (("sin", _sin), ("x^3 + 2x", _cubic))


def _flat(a: Matrix) -> list:
    return [x for r in a for x in r]


def _quadratic(rng: random.Random):
    """C(a) = ½ vec(a)ᵀ P vec(a) + cᵀ vec(a), P symmetric, drawn once per size of a."""
    cache: dict[tuple[int, int], tuple] = {}

    def params(a: Matrix):
        key = (len(a), len(a[0]))
        if key not in cache:
            n = key[0] * key[1]
            p = [[Fraction(rng.randint(-8, 8), 4) for _ in range(n)] for _ in range(n)]
            cache[key] = ([[p[i][j] + p[j][i] for j in range(n)] for i in range(n)],
                          [Fraction(rng.randint(-8, 8), 4) for _ in range(n)])
        return cache[key]

    def value(a: Matrix):
        P, c = params(a)
        v = _flat(a)
        return sum(v[i] * P[i][j] * v[j] for i in range(len(v)) for j in range(len(v))) / 2 + sum(x * y for x, y in zip(c, v))

    def gradient(a: Matrix):
        P, c = params(a)
        v = _flat(a)
        g = [sum(P[i][j] * v[j] for j in range(len(v))) + c[i] for i in range(len(v))]
        cols = len(a[0])
        return [g[r * cols:(r + 1) * cols] for r in range(len(a))]

    return ScalarImpl(value, gradient)


def _sum_exp() -> ScalarImpl:
    return ScalarImpl(lambda a: sum(mpmath.exp(x) for x in _flat(a)),
                      lambda a: [[mpmath.exp(x) for x in r] for r in a])


def function_choices(functions: dict[str, str], rng: random.Random) -> list[tuple[str, dict, dict]]:
    """Two instantiations of the declared functions: (label, elementwise impls, scalar impls)."""
    if not functions:
        return [("", {}, {})]
    out = []
    for i in range(2):
        ew = {n: ELEMENTWISE[i][1] for n, k in functions.items() if k == "elementwise"}
        sc = {n: (_quadratic(rng) if i == 0 else _sum_exp()) for n, k in functions.items() if k == "scalar"}
        label = ", ".join(
            f"{n} = {ELEMENTWISE[i][0]}" if k == "elementwise" else f"{n} = {'a random quadratic' if i == 0 else 'sum(exp(a))'}"
            for n, k in functions.items())
        out.append((label, ew, sc))
    return out


def satisfy(assumption, b: Bindings) -> tuple[str, list]:
    """Make a linear equality in one symbol hold exactly by moving that symbol along the
    equality's normal; returns (symbol, normal) or raises when it cannot be honoured."""
    lhs, rhs = assumption.lhs, assumption.rhs
    names = sorted({n.name for side in (lhs, rhs) for n in walk(side) if isinstance(n, Sym)})
    text = f"{assumption}"
    if len(names) != 1 or not lhs.shape.is_scalar:
        raise MatcalcError(f"cannot honour assumption '{text}': only a scalar equality in one symbol is supported")
    y = names[0]

    def g(vals: Matrix):
        saved = b.values[y]
        b.values[y] = vals
        try:
            try:
                exact = Bindings(**{**b.__dict__, "exact": True})
                return evaluate(lhs, exact)[0][0] - evaluate(rhs, exact)[0][0]
            except NotExact:
                return evaluate(lhs, b)[0][0] - evaluate(rhs, b)[0][0]
        finally:
            b.values[y] = saved

    shape = b.values[y]
    rows, cols = len(shape), len(shape[0])
    zero = [[Fraction(0)] * cols for _ in range(rows)]
    c = g(zero)
    normal = []
    for i in range(rows * cols):
        unit = [[Fraction(int(r * cols + k == i)) for k in range(cols)] for r in range(rows)]
        normal.append(g(unit) - c)
    current = _flat(b.values[y])
    predicted = c + sum(a * v for a, v in zip(normal, current))
    if abs(g(b.values[y]) - predicted) > Fraction(1, 10**20) * (1 + abs(predicted)) or not any(normal):
        raise MatcalcError(f"cannot honour assumption '{text}': it is not a linear equality in {y}")
    t = predicted / sum(a * a for a in normal)
    moved = [v - t * a for v, a in zip(current, normal)]
    b.values[y] = [moved[r * cols:(r + 1) * cols] for r in range(rows)]
    return y, normal
