"""Evaluate an expression on concrete matrices in the checker's numbers (ring.py): Arb balls at
the working precision, carrying Taylor coefficients along the tangent directions bound to a
symbol. Matrices are lists of row tuples; symbol values are exact rationals (fmpq or Fraction).
"""
from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

from flint import arb, arb_mat, arb_poly, ctx, fmpq, fmpq_mat, fmpq_poly

from ..errors import MatcalcError
from ..expr import (
    Add, Call, Change, Commutation, Differential, DimValue, Div, EDiv, Entrywise, EPower, Expr, Eye, Frechet, Hadamard,
    Kron, Let, MatMul, MatPower, Neg, Num, Ones, Partial, Power, ScalarFn, Sym, SymbolicPower, Transpose, post_order,
)
from ..shapes import dim_factors
from . import spectral
from .functions import builtin, positive, power
from .ring import DomainError, Pair, Singular, Tan, Undecided, apply, base, coefficient, inverse, nonzero, unit

Matrix = list
ONE = arb(1)


class OutOfTime(MatcalcError):
    """The check's time budget ran out."""


@dataclass
class Bindings:
    """What the leaves mean: exact symbol values, dimension sizes, stand-ins for declared
    functions, values bound to other nodes (a direction bound to d(X)), and the tangent
    directions: symbol -> [U₁, …, U_k] (its value is X + Σ εᵢ Uᵢ) and symbol -> V (+ δ V)."""

    values: dict[str, Matrix]
    dims: dict[str, int]
    elementwise: dict[str, Callable] = field(default_factory=dict)  # name -> function on Arb series
    scalar: dict[str, object] = field(default_factory=dict)  # name -> stand-in with value() and gradient()
    extra: dict[Expr, Matrix] = field(default_factory=dict)
    tangents: dict[str, list] = field(default_factory=dict)
    second: dict[str, Matrix] = field(default_factory=dict)
    deadline: float | None = None
    exact: bool = False  # evaluate in exact rationals (NotExact where a function has no rational value)
    cache: dict = field(default_factory=dict)  # the values (and tangents) as balls, by precision


def size(d, dims: dict[str, int]) -> int:
    """A dimension's size: an integer, a name's size, or the product of its factors' sizes."""
    k, names = dim_factors(d)
    for n in names:
        k *= dims[n]
    return k


def ball(x) -> arb:
    """An exact rational (fmpq, int or Fraction) as a ball at the working precision."""
    if type(x) is fmpq or type(x) is int:
        return arb(x)
    return arb(fmpq(x.numerator, x.denominator))


def exact(x) -> fmpq:
    """An exact rational (fmpq, int or Fraction) as an fmpq."""
    return x if type(x) is fmpq else fmpq(x) if type(x) is int else fmpq(x.numerator, x.denominator)


@functools.lru_cache(maxsize=256)
def _order(e: Expr) -> tuple[Expr, ...]:
    """e's distinct subexpressions, each after its children (the same for every point)."""
    return tuple(post_order(e))


class _Clock(threading.local):
    """The deadline of the evaluation under way in this thread, read inside long operations."""

    deadline: float | None = None


_clock = _Clock()


def _on_time() -> None:
    """OutOfTime when the evaluation under way has passed its deadline."""
    if _clock.deadline is not None and time.monotonic() > _clock.deadline:
        raise OutOfTime("the time limit ran out")


class Evaluator:
    """Evaluates expressions under one set of bindings at the working precision (exactly, in
    rationals, when the bindings say so), each distinct subexpression once."""

    def __init__(self, b: Bindings):
        self.b = b
        self.memo: dict[Expr, Matrix] = {}
        self.number = exact if b.exact else ball
        self.one = self.number(1)

    def __call__(self, e: Expr) -> Matrix:
        _clock.deadline = self.b.deadline
        for n in _order(e):
            if n not in self.memo:
                if self.b.deadline is not None and time.monotonic() > self.b.deadline:
                    raise OutOfTime("the time limit ran out")
                try:
                    self.memo[n] = self._eval(n)
                except (DomainError, Undecided) as err:
                    if err.node is None:
                        err.node = n
                    raise
        return self.memo[e]

    def _eval(self, e: Expr) -> Matrix:
        if e in self.b.extra:
            return [tuple(self.number(x) for x in r) for r in self.b.extra[e]]
        rule = RULES.get(type(e))
        if rule is None:
            if isinstance(e, Differential):
                raise KeyError(f"no value bound to {e}")
            raise TypeError(f"cannot evaluate {type(e).__name__}")
        return rule(self, e)

    def v(self, e: Expr) -> Matrix:
        return self.memo[e]

    def _sym(self, e: Sym) -> Matrix:
        """X, or X + Σ εᵢUᵢ (+ δV) for a symbol with tangents; conversions kept per precision."""
        cache, number = self.b.cache, self.number
        key = (e.name, "exact" if self.b.exact else ctx.prec)
        if key not in cache:
            cache[key] = [tuple(number(x) for x in r) for r in self.b.values[e.name]]
        value = cache[key]
        dirs, second = self.b.tangents.get(e.name), self.b.second.get(e.name)
        if dirs:
            held = cache.get(key + ("tangents",))
            if held is None or held[0] is not dirs:
                poly = fmpq_poly if self.b.exact else arb_poly
                polys = [[poly([exact(U[r][c]) for U in dirs]) for c in range(len(row))]
                         for r, row in enumerate(value)]
                held = cache[key + ("tangents",)] = (dirs, polys)
            value = [tuple(Tan(x, p) for x, p in zip(row, prow)) for row, prow in zip(value, held[1])]
        if second is not None:
            value = [tuple(Pair(x, number(v)) for x, v in zip(row, vrow)) for row, vrow in zip(value, second)]
        return value

    def _num(self, e: Num) -> Matrix:
        return [(self.number(e.value),)]

    def _let(self, e: Let) -> Matrix:
        return self.v(e.body)

    def _dim_value(self, e: DimValue) -> Matrix:
        return [(self.number(size(e.dim, self.b.dims)),)]

    def _eye(self, e: Eye) -> Matrix:
        return identity(size(e.n, self.b.dims), self.one)

    def _ones(self, e: Ones) -> Matrix:
        return [(self.one,) * size(e.cols, self.b.dims) for _ in range(size(e.rows, self.b.dims))]

    def _commutation(self, e: Commutation) -> Matrix:
        return commutation(size(e.m, self.b.dims), size(e.n, self.b.dims), self.one)

    def _add(self, e: Add) -> Matrix:
        acc = self.v(e.terms[0])
        for t in e.terms[1:]:
            acc = entrywise(lambda x, y: x + y, acc, self.v(t))
        return acc

    def _neg(self, e: Neg) -> Matrix:
        return mapped(lambda x: -x, self.v(e.arg))

    def _matmul(self, e: MatMul) -> Matrix:
        return matmul(self.v(e.left), self.v(e.right))

    def _hadamard(self, e: Hadamard) -> Matrix:
        return entrywise(lambda x, y: x * y, self.v(e.left), self.v(e.right))

    def _ediv(self, e: EDiv) -> Matrix:
        return entrywise(lambda x, y: x * inverse(y), self.v(e.left), self.v(e.right))

    def _div(self, e: Div) -> Matrix:
        c = inverse(self.v(e.right)[0][0])
        return mapped(lambda x: x * c, self.v(e.left))

    def _power(self, e: Power | EPower) -> Matrix:
        return mapped(lambda x: power(x, e.exponent), self.v(e.base))

    def _matpower(self, e: MatPower) -> Matrix:
        return matrix_power(self.v(e.base), e.exponent)

    def _symbolic_power(self, e: SymbolicPower) -> Matrix:
        """A ^ k at the value the exponent takes here (A ^ 0 = I, A ^ -k = inv(A) ^ k), or entrywise."""
        k = integer(self.v(e.exponent)[0][0])
        a = self.v(e.base)
        if e.entrywise or _scalar(a):
            return mapped(lambda x: power(x, Fraction(k)), a)
        if k == 0:
            return identity(len(a), unit(a[0][0]))
        return matrix_power(a if k > 0 else _inv(a), abs(k))

    def _transpose(self, e: Transpose) -> Matrix:
        return transpose(self.v(e.arg))

    def _kron(self, e: Kron) -> Matrix:
        return kron(self.v(e.left), self.v(e.right))

    def _frechet(self, e: Frechet) -> Matrix:
        return spectral.frechet(e.fn, self.v(e.at), self.v(e.direction))

    def _call(self, e: Call) -> Matrix:
        return MATRIX_FUNCTIONS[e.fn](self.v(e.arg))

    def _entrywise(self, e: Entrywise) -> Matrix:
        a = self.v(e.arg)
        if e.fn in self.b.elementwise:
            series = self.b.elementwise[e.fn]
            return mapped(lambda x: apply(series, x, e.order), a)
        return mapped(lambda x: builtin(e.fn, x, e.order), a)

    def _scalar_function(self, e: ScalarFn) -> Matrix:
        a = self.v(e.arg)
        stand_in = self.b.scalar[e.fn]
        if e.order == 0:
            return [(stand_in.value(a),)]
        g = stand_in.gradient(a)
        cols = len(a[0])
        return [tuple(g[r * cols:(r + 1) * cols]) for r in range(len(a))]

    def _inner(self, tangents: dict | None = None) -> "Evaluator":
        """An evaluator of the same point, for a derivative written in a document: its own tangents
        (none of the outer ones: a derivative inside a differentiated expression is not evaluated)."""
        b = self.b
        if any(b.tangents.values()) or b.second:
            raise Undecided("a derivative written inside an expression being differentiated")
        return Evaluator(Bindings(b.values, b.dims, b.elementwise, b.scalar, deadline=b.deadline, exact=b.exact,
                                  tangents=tangents or {}))

    def _change(self, e: Change) -> Matrix:
        """d(arg) while x moves along dx: the ε coefficients of arg at x + ε dx."""
        moved = self._inner({e.x.name: [self.b.values[e.dx.name]]})(e.arg)
        return [tuple(coefficient(v, 0) for v in r) for r in moved]

    def _partial(self, e: Partial) -> Matrix:
        """∂body/∂x at x = at: body at at + Σ εᵢⱼ Eᵢⱼ (one tangent per entry), each εᵢⱼ coefficient G;
        by a symmetric x, (G + Gᵀ)/2, the one symmetric G' with tr(G'ᵀ dX) = tr(Gᵀ dX) for every
        symmetric dX."""
        at = self.v(e.at)
        cols = len(at[0])
        poly = fmpq_poly if self.b.exact else arb_poly
        inner = self._inner()
        inner.memo[e.x] = [tuple(Tan(v, poly([0] * (r * cols + c) + [1])) for c, v in enumerate(row))
                           for r, row in enumerate(at)]
        f = inner(e.body)[0][0]
        g = [tuple(coefficient(f, r * cols + c) for c in range(cols)) for r in range(len(at))]
        if e.x.symmetric:
            half = self.number(Fraction(1, 2))
            g = [tuple((g[r][c] + g[c][r]) * half for c in range(cols)) for r in range(len(g))]
        return g



def kron(a: Matrix, b: Matrix) -> Matrix:
    """The Kronecker product: block (i, j) is a[i][j] · b."""
    return [tuple(x * y for x in ra for y in rb) for ra in a for rb in b]


def commutation(m: int, n: int, one=ONE) -> Matrix:
    """K with K vec(A) = vec(Aᵀ) for A m×n: row j + i·n of K picks entry (i, j) of A, at i + j·m in vec(A)."""
    k = [[one * 0] * (m * n) for _ in range(m * n)]
    for i in range(m):
        for j in range(n):
            k[j + i * n][i + j * m] = one
    return [tuple(r) for r in k]


def transpose(a: Matrix) -> Matrix:
    return list(zip(*a))


def mapped(fn, a: Matrix) -> Matrix:
    return [tuple(fn(x) for x in row) for row in a]


def _scalar(a: Matrix) -> bool:
    return len(a) == 1 and len(a[0]) == 1


def entrywise(op, a: Matrix, b: Matrix) -> Matrix:
    """op on matching entries; a 1×1 operand is broadcast to every entry of the other."""
    if _scalar(a) and not _scalar(b):
        x = a[0][0]
        return [tuple(op(x, y) for y in row) for row in b]
    if _scalar(b):
        y = b[0][0]
        return [tuple(op(x, y) for x in row) for row in a]
    if len(a) != len(b) or len(a[0]) != len(b[0]):
        raise ValueError("shape mismatch in an entrywise operation")
    return [tuple(map(op, ra, rb)) for ra, rb in zip(a, b)]


def dot(xs, ys):
    """Σ x·y of two non-empty sequences of ring numbers."""
    it = iter(zip(xs, ys))
    x, y = next(it)
    acc = x * y
    for x, y in it:
        acc = acc + x * y
    return acc


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """The matrix product; a 1×1 factor scales the other."""
    if len(a[0]) != len(b):
        if _scalar(a):
            return entrywise(lambda x, y: x * y, a, b)
        if _scalar(b):
            return entrywise(lambda x, y: x * y, a, b)
        raise ValueError("shape mismatch in product")
    kind = _plain(a) and _plain(b)
    if len(b) > 2 and kind:  # plain numbers: Arb's or FLINT's own product, in C
        m, n, p = len(a), len(b), len(b[0])
        flat = (kind(m, n, [x for r in a for x in r]) * kind(n, p, [x for r in b for x in r])).entries()
        return [tuple(flat[i * p:(i + 1) * p]) for i in range(m)]
    bt = transpose(b)
    out = []
    for row in a:
        _on_time()
        out.append(tuple(dot(row, col) for col in bt))
    return out


def _plain(a: Matrix):
    """arb_mat when every entry is a ball, fmpq_mat when every one is exact (no Taylor
    coefficients), else None."""
    kind = type(a[0][0])
    if kind is not arb and kind is not fmpq or not all(type(x) is kind for r in a for x in r):
        return None
    return arb_mat if kind is arb else fmpq_mat


def eliminate(a: Matrix, rhs: Matrix | None):
    """Gaussian elimination with partial pivoting, the pivot the candidate certainly farthest from
    0: (det a, a⁻¹ rhs, or None without rhs). A column whose candidates are all exactly 0 is a
    DomainError (a singular matrix); one whose best candidate's ball holds 0 is Undecided, or
    Singular when that radius is within 2^(-prec/2) of the column's."""
    n = len(a)
    m = [list(r) + (list(rhs[i]) if rhs is not None else []) for i, r in enumerate(a)]
    det = unit(a[0][0])
    for c in range(n):
        _on_time()
        p = max(range(c, n), key=lambda r: (_certain(base(m[r][c])), _size(base(m[r][c]))))
        pivot = base(m[p][c])
        if all(base(m[r][c]) == 0 for r in range(c, n)):
            raise DomainError("a singular matrix")
        if type(pivot) is arb and pivot.contains(0):
            column = max(abs(base(m[r][c])).upper() for r in range(n))
            if pivot.rad() <= column * arb(2) ** (-(ctx.prec // 2)):
                raise Singular("a matrix singular to within rounding")
            raise Undecided("a pivot whose ball contains 0")
        if p != c:
            m[c], m[p] = m[p], m[c]
            det = -det
        det = det * m[c][c]
        inv = inverse(m[c][c])
        for r in range(n):
            if r != c:
                f = m[r][c] * inv
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
        m[c] = [x * inv for x in m[c]]
    if rhs is None:
        return det, None
    return det, [tuple(row[n:]) for row in m]


def _certain(x):
    """A lower bound of |x| (0 for a ball that holds 0), to prefer pivots certainly non-zero."""
    return abs(x) if type(x) is fmpq else x.abs_lower()


def _size(x):
    """|x| of a number, by its midpoint for a ball (to choose pivots)."""
    return abs(x) if type(x) is fmpq else abs(x.mid())


def identity(n: int, one=ONE) -> Matrix:
    zero = one * 0
    return [tuple(one if i == j else zero for j in range(n)) for i in range(n)]


def integer(x) -> int:
    """The integer a number is (an exponent's value): exact, or the one integer in its ball."""
    x = base(x)
    if type(x) is fmpq:
        if x.q != 1:
            raise DomainError(f"an exponent that is not an integer ({x})")
        return int(x.p)
    z = x.unique_fmpz()
    if z is None:
        raise Undecided("an exponent whose ball holds no single integer")
    return int(z)


def matrix_power(a: Matrix, k: int) -> Matrix:
    """aᵏ for k ≥ 0 by repeated squaring (a⁰ = I)."""
    result = None
    while k:
        if k & 1:
            result = a if result is None else matmul(result, a)
        k >>= 1
        if k:
            a = matmul(a, a)
    return identity(len(a)) if result is None else result


def _det(a: Matrix) -> Matrix:
    """det a by elimination; where a pivot's ball holds 0 (a singular or nearly singular a, whose
    determinant is still defined), by Bird's division-free algorithm."""
    try:
        return [(eliminate(a, None)[0],)]
    except (Undecided, DomainError):
        return [(division_free_det(a),)]


def division_free_det(a: Matrix):
    """det a = (−1)ⁿ⁻¹ (F^{n−1}(a))₁₁ with F(X) = μ(X) a, μ(X) upper triangular with X's entries
    above the diagonal and μ(X)ᵢᵢ = −Σ_{k>i} X_kk (Bird, 2011): ring operations only."""
    n = len(a)
    x = a
    zero = unit(a[0][0]) * 0
    for _ in range(n - 1):
        mu = []
        for i in range(n):
            rest = [x[k][k] for k in range(i + 1, n)]
            diagonal = -sum(rest[1:], rest[0]) if rest else zero
            mu.append(tuple(zero if j < i else diagonal if j == i else x[i][j] for j in range(n)))
        x = matmul(mu, a)
    return x[0][0] if n % 2 else -x[0][0]


def _logdet(a: Matrix) -> Matrix:
    det = positive(eliminate(a, None)[0], "logdet")
    return [(builtin("log", det, 0),)]


def _inv(a: Matrix) -> Matrix:
    return eliminate(a, identity(len(a), unit(a[0][0])))[1]


def _softmax(a: Matrix) -> Matrix:
    ex = [builtin("exp", r[0], 0) for r in a]
    total = inverse(sum(ex[1:], ex[0]))
    return [(x * total,) for x in ex]


def _norm(a: Matrix) -> Matrix:
    squares = dot([x for r in a for x in r], [x for r in a for x in r])
    nonzero(squares, "norm at its kink 0")
    return [(builtin("sqrt", squares, 0),)]


def _trace(a: Matrix) -> Matrix:
    return [(sum((a[i][i] for i in range(1, len(a))), a[0][0]),)]


def _sum(a: Matrix) -> Matrix:
    flat = [x for r in a for x in r]
    return [(sum(flat[1:], flat[0]),)]


def vec(a: Matrix) -> Matrix:
    """The columns of a stacked into one column."""
    return [(a[i][j],) for j in range(len(a[0])) for i in range(len(a))]


def _triangle(lower: bool):
    def part(a: Matrix) -> Matrix:
        zero = unit(a[0][0]) * 0
        return [tuple(x if (j <= i if lower else j >= i) else zero for j, x in enumerate(r)) for i, r in enumerate(a)]

    return part


def _chol(a: Matrix) -> Matrix:
    """L lower triangular with L Lᵀ = a, by the recurrence (reading a's lower triangle); a pivot not
    certainly positive is outside the domain (DomainError) or undecided."""
    n, zero = len(a), unit(a[0][0]) * 0
    L = [[zero] * n for _ in range(n)]
    for j in range(n):
        pivot = a[j][j]
        for k in range(j):
            pivot = pivot - L[j][k] * L[j][k]
        L[j][j] = builtin("sqrt", positive(pivot, "chol"), 0)
        over = inverse(L[j][j])
        for i in range(j + 1, n):
            s = a[i][j]
            for k in range(j):
                s = s - L[i][k] * L[j][k]
            L[i][j] = s * over
    return [tuple(r) for r in L]


def _diagonal(a: Matrix) -> Matrix:
    return [(a[i][i],) for i in range(len(a))]


def _diag(a: Matrix) -> Matrix:
    n, zero = len(a), unit(a[0][0]) * 0
    return [tuple(a[i][0] if i == j else zero for j in range(n)) for i in range(n)]


#: What the checker needs of each function of a matrix, beyond its value: "rational" (a rational
#: function of the entries, so exact in rationals), "invertible" (its argument's square symbols are
#: drawn well conditioned, with planned determinant signs), "det positive" (a symbol argument is
#: drawn with det > 0), "kinked scalar" (not smooth where a 1×1 argument is 0: sampled either side),
#: "positive definite" (a symbol argument is drawn symmetric positive definite), "spectrum off the negative
#: axis" (a symbol argument is drawn shifted towards the right half-plane), "degree grows with size" (not a
#: polynomial of bounded degree in the entries: a Cayley-Hamilton term vanishing below any size can be built
#: from it, so the plan's large sizes are its largest). A
#: function not listed has none of these: evaluated in balls, sampled plainly.
NEEDS = {"tr": {"rational"}, "sum": {"rational"}, "vec": {"rational"}, "diag": {"rational"}, "tril": {"rational"},
         "triu": {"rational"}, "diagonal": {"rational"},
         "det": {"rational", "invertible", "degree grows with size"}, "inv": {"rational", "invertible", "degree grows with size"},
         "logdet": {"invertible", "det positive", "degree grows with size"},
         "norm": {"kinked scalar"}, "chol": {"positive definite", "degree grows with size"},
         "expm": {"degree grows with size"}, "logm": {"spectrum off the negative axis", "degree grows with size"},
         "sqrtm": {"spectrum off the negative axis", "degree grows with size"}, "eigvals": {"degree grows with size"},
         "eigvecs": {"degree grows with size"}}

MATRIX_FUNCTIONS = {"chol": _chol, "tril": _triangle(True), "triu": _triangle(False), "diagonal": _diagonal, "tr": _trace, "sum": _sum, "vec": vec, "diag": _diag, "det": _det, "logdet": _logdet,
                    "inv": _inv, "softmax": _softmax, "norm": _norm,
                    "expm": functools.partial(spectral.primary, "expm"), "logm": functools.partial(spectral.primary, "logm"),
                    "sqrtm": functools.partial(spectral.primary, "sqrtm"), "eigvals": spectral.eigvals,
                    "eigvecs": spectral.eigvecs}

RULES = {
    Sym: Evaluator._sym, Num: Evaluator._num, DimValue: Evaluator._dim_value, Let: Evaluator._let, Eye: Evaluator._eye, Ones: Evaluator._ones,
    Commutation: Evaluator._commutation, Kron: Evaluator._kron, Add: Evaluator._add, Neg: Evaluator._neg,
    MatMul: Evaluator._matmul, Hadamard: Evaluator._hadamard, EDiv: Evaluator._ediv, Div: Evaluator._div,
    Power: Evaluator._power, EPower: Evaluator._power, MatPower: Evaluator._matpower,
    SymbolicPower: Evaluator._symbolic_power,
    Transpose: Evaluator._transpose, Call: Evaluator._call, Entrywise: Evaluator._entrywise,
    ScalarFn: Evaluator._scalar_function, Frechet: Evaluator._frechet, Change: Evaluator._change,
    Partial: Evaluator._partial,
}


def evaluate(e: Expr, b: Bindings, prec: int | None = None) -> Matrix:
    """The value of e under bindings b, at ``prec`` bits (the working precision when None)."""
    if prec is None:
        return Evaluator(b)(e)
    with ctx.workprec(prec):
        return Evaluator(b)(e)
