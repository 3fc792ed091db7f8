"""Evaluate an expression on concrete matrices: exact rationals where the operations are
rational, floating point at mpmath's working precision otherwise. Matrices are lists of rows.

The arithmetic is GMP's (gmpy2): rationals as mpq, floating point as MPFR numbers correctly
rounded at mpmath's working precision, each about ten times faster than Python's Fraction and
mpmath's mpf. Values are handed back as Fractions, ints and mpmath.mpf: callers see no other.
"""
from __future__ import annotations

import itertools
import math
import operator
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import gmpy2
import mpmath
from mpmath.libmp import from_rational

from ..errors import MatcalcError

from ..expr import (
    Add, Call, Commutation, Differential, Div, EDiv, Entrywise, EPower, Expr, Eye, Hadamard, Kron, Let,
    KINKED, MatMul, MatPower, Neg, Num, Ones, Power, ScalarFn, Sym, Transpose,
)
from ..shapes import dim_factors

#: A matrix: a list of rows. The evaluator's rows are tuples (of numbers, which the garbage
#: collector then stops tracking: a deep network's values are many); rows given to it may be lists.
Matrix = list
MPFR = type(gmpy2.mpfr(0))
MPQ = type(gmpy2.mpq(0))
RATIONAL = (int, Fraction, MPQ, type(gmpy2.mpz(0)))


class DomainError(ArithmeticError):
    """A value outside a function's domain (log of a negative, a singular inverse, ...);
    ``node`` is the subexpression whose operation failed."""

    node: "Expr | None" = None


class NotExact(ArithmeticError):
    """A transcendental operation met in exact (rational) evaluation, or rationals grown too long
    (more than EXACT_BITS bits, or a power above EXACT_POWER): evaluate in floating point instead."""


EXACT_BITS = 1024
EXACT_POWER = 64


class OutOfTime(MatcalcError):
    """The check's time budget ran out."""


@dataclass
class ScalarImpl:
    """A concrete scalar function C(a) and its gradient C'(a), for a's shape: given a as Fractions
    or mpmath numbers, or, when ``native``, in the evaluation's own numbers together with its
    arithmetic (value(a, numbers)), computing in those."""

    value: Callable[..., object]
    gradient: Callable[..., Matrix]
    native: bool = False


@dataclass
class Bindings:
    """What the leaves mean: symbol values, dimension sizes, concrete abstract functions."""

    values: dict[str, Matrix]
    dims: dict[str, int]
    elementwise: dict[str, Callable] = field(default_factory=dict)  # fn(x, order) -> number
    scalar: dict[str, ScalarImpl] = field(default_factory=dict)
    extra: dict[Expr, Matrix] = field(default_factory=dict)  # e.g. a direction bound to d(X)
    exact: bool = False
    deadline: float | None = None  # time.monotonic() by which evaluation must be done
    #: symbol -> ((V, h), ...): the symbol's value is values[name] + Σ h V (a point moved along directions)
    moves: dict[str, tuple] = field(default_factory=dict)
    #: copies of the values as mpq, by (id, 0, None), and in the arithmetic's numbers with their
    #: largest magnitude, by (id, precision, conversion): shared by the bindings made from these
    converted: dict[tuple, tuple[Matrix, Matrix | None, object]] = field(default_factory=dict)

    def native(self, m: Matrix) -> tuple[Matrix, object]:
        """m in the arithmetic's numbers (mpq when exact) at the current precision, and its largest
        magnitude: computed once per matrix, precision and arithmetic, from an mpq copy made once
        (a copy keeps m alive, so its id stays its own)."""
        hit = self.converted.get((id(m), 0, None))
        if hit is None or hit[0] is not m:  # rationals as mpq, once: each precision's copy rounds them
            rational = all(isinstance(x, RATIONAL) for r in m for x in r)
            hit = self.converted[id(m), 0, None] = (m, apply(gmpy2.mpq, m) if rational else None, 0)
        exact = hit[1]
        if self.exact:
            if exact is None:
                raise NotExact()
            return exact, 0
        real = arithmetic().real
        key = (id(m), mpmath.mp.prec, real)
        hit = self.converted.get(key)
        if hit is None or hit[0] is not m:
            copy = apply(real, m if exact is None else exact)
            hit = self.converted[key] = (m, copy, largest(copy))
        return hit[1], hit[2]

    def symbol(self, name: str) -> tuple[Matrix, object]:
        """A symbol's value in the arithmetic's numbers, moved as ``moves`` says, and its largest magnitude."""
        value, peak = self.native(self.values[name])
        if name not in self.moves:
            return value, peak
        for V, h in self.moves[name]:
            step = gmpy2.mpq(h) if self.exact else arithmetic().real(h)
            value = [tuple([p + step * v for p, v in zip(rp, rv)]) for rp, rv in zip(value, self.native(V)[0])]
        return value, 0 if self.exact else largest(value)


def dot(xs, ys):
    """Σ x·y: in mpq when every x and y is rational (the exact sum Fractions give, about ten times
    faster), handed back as a Fraction or int; else in the numbers given."""
    xs, ys = list(xs), list(ys)
    if all(isinstance(v, (int, Fraction)) for v in itertools.chain(xs, ys)):
        return to_fraction(sum(map(operator.mul, map(gmpy2.mpq, xs), map(gmpy2.mpq, ys))))
    return sum(map(operator.mul, xs, ys))


def largest(a: Matrix):
    """The largest magnitude of an entry of a."""
    return max(map(abs, itertools.chain.from_iterable(a)))


def to_mpf(x) -> mpmath.mpf:
    """A Fraction (or int, mpq, mpf or mpfr) as an mpf at the working precision."""
    if isinstance(x, (Fraction, MPQ)):  # p / q correctly rounded, as mpf(p) / q would give, without the mpf(p)
        return mpmath.mp.make_mpf(from_rational(int(x.numerator), int(x.denominator), mpmath.mp.prec, "n"))
    if isinstance(x, MPFR):  # by mantissa and exponent: gmpy2's own _mpf_ is not normalised (0 is not mpmath's 0)
        man, exp = x.as_mantissa_exp()
        return mpmath.mpf((man, int(exp)))
    return mpmath.mpf(x)


def to_fraction(x):
    """An exact value (int, Fraction, mpz or mpq) as Python's: an int or a Fraction."""
    if isinstance(x, MPQ):
        return int(x.numerator) if x.denominator == 1 else Fraction(int(x.numerator), int(x.denominator))
    return x if isinstance(x, (int, Fraction)) else int(x)


def binary_fraction(x: mpmath.mpf) -> Fraction:
    """The number an mpf holds, exactly: ±man · 2^exp."""
    sign, man, exp, _ = mpmath.mpf(x)._mpf_
    return (-1) ** sign * Fraction(int(man)) * Fraction(2) ** int(exp)


def to_mpfr(x):
    """A Fraction, int, mpq, mpf or mpfr as an MPFR number at the current gmpy2 context's precision."""
    if type(x) is MPQ:
        return gmpy2.mpfr(x)
    if isinstance(x, mpmath.mpf):
        sign, man, exp, _ = x._mpf_
        if not man:
            if exp:  # mpmath's inf and nan have no mantissa and a special exponent
                raise DomainError("a value that is not a finite number")
            return gmpy2.mpfr(0)
        v = gmpy2.mul_2exp(gmpy2.mpfr(man), exp)
        return -v if sign else v
    if isinstance(x, Fraction) and x.numerator.bit_length() <= gmpy2.get_context().precision:
        return gmpy2.mpfr(x.numerator) / x.denominator  # p exact, one rounding: as mpfr(x), twice as fast
    return gmpy2.mpfr(x)


def floating(prec: int):
    """The gmpy2 context of floating-point evaluation: ``prec`` bits, and NaN, a division by zero,
    or a value beyond MPFR's exponents (which reach only about 2^±2^30 in gmpy2, where mpmath's are
    unbounded) raised rather than returned."""
    ctx = gmpy2.context(precision=prec, trap_invalid=True, trap_divzero=True, trap_overflow=True,
                        trap_underflow=True)
    ctx.emax, ctx.emin = gmpy2.get_emax_max(), gmpy2.get_emin_min()  # as keywords gmpy2 2.3 shows but ignores them
    return ctx


@dataclass(frozen=True)
class Arithmetic:
    """The floating-point numbers of one arithmetic: a conversion into them, and their functions."""

    real: Callable
    exp: Callable
    log: Callable
    sqrt: Callable
    sin: Callable
    cos: Callable
    tan: Callable
    tanh: Callable


#: MPFR: about ten times faster than mpmath, with exponents limited to about 2^±2^30
FAST = Arithmetic(to_mpfr, gmpy2.exp, gmpy2.log, gmpy2.sqrt, gmpy2.sin, gmpy2.cos, gmpy2.tan, gmpy2.tanh)
#: mpmath: unbounded exponents, for an evaluation that leaves MPFR's range (exp(-10^9))
WIDE = Arithmetic(to_mpf, mpmath.exp, mpmath.log, mpmath.sqrt, mpmath.sin, mpmath.cos, mpmath.tan,
                  mpmath.tanh)


def _inexact(*_):
    raise NotExact()


#: Exact evaluation's numbers: rationals, and no transcendental function
EXACT = Arithmetic(gmpy2.mpq, *[_inexact] * 7)
BEYOND_RANGE = (gmpy2.OverflowResultError, gmpy2.UnderflowResultError)


class _Active(threading.local):
    """The arithmetic of the evaluation under way in a thread: FAST unless one left MPFR's range
    (a class default, so that reading it raises and formats no AttributeError)."""

    arithmetic = FAST


_active = _Active()


def arithmetic() -> Arithmetic:
    """The arithmetic of the evaluation under way in this thread (FAST unless it left MPFR's range)."""
    return _active.arithmetic


def size(d, dims: dict[str, int]) -> int:
    """A dimension's size: an integer, a name's size, or the product of its factors' sizes."""
    k, names = dim_factors(d)
    for n in names:
        k *= dims[n]
    return k


def kron(a: Matrix, b: Matrix) -> Matrix:
    """The Kronecker product: block (i, j) is a[i][j] · b."""
    return [[x * y for x in ra for y in rb] for ra in a for rb in b]


def vec(a: Matrix) -> Matrix:
    """The columns of a stacked into one column."""
    return [[a[i][j]] for j in range(len(a[0])) for i in range(len(a))]


def diag(a: Matrix) -> Matrix:
    """The diagonal matrix of a column vector."""
    n = len(a)
    return [[a[i][0] if i == j else 0 for j in range(n)] for i in range(n)]


def commutation(m: int, n: int) -> Matrix:
    """K with K vec(A) = vec(Aᵀ) for A m×n: row j + i·n of K picks entry (i, j) of A, at i + j·m in vec(A)."""
    k = [[0] * (m * n) for _ in range(m * n)]
    for i in range(m):
        for j in range(n):
            k[j + i * n][i + j * m] = 1
    return k


def transpose(a: Matrix) -> Matrix:
    return list(zip(*a))


def matmul(a: Matrix, b: Matrix) -> Matrix:
    if len(a[0]) != len(b):
        if len(a) == 1 and len(a[0]) == 1:
            return scale(a[0][0], b)
        if len(b) == 1 and len(b[0]) == 1:
            return scale(b[0][0], a)
        raise ValueError("shape mismatch in product")
    bt = transpose(b)
    return [tuple([sum(map(operator.mul, row, col)) for col in bt]) for row in a]


def scale(c, a: Matrix) -> Matrix:
    return [tuple([c * x for x in row]) for row in a]


def entrywise(op, a: Matrix, b: Matrix) -> Matrix:
    """op on matching entries; a 1×1 operand is broadcast to every entry of the other."""
    if len(a) == 1 and len(a[0]) == 1 and (len(b) > 1 or len(b[0]) > 1):
        return [tuple([op(a[0][0], y) for y in row]) for row in b]
    if len(b) == 1 and len(b[0]) == 1:
        return [tuple([op(x, b[0][0]) for x in row]) for row in a]
    if len(a) != len(b) or len(a[0]) != len(b[0]):
        raise ValueError("shape mismatch in an entrywise operation")
    return [tuple(map(op, ra, rb)) for ra, rb in zip(a, b)]


def apply(fn, a: Matrix) -> Matrix:
    return [tuple([fn(x) for x in row]) for row in a]


def _div(x, y):
    """x / y; of two ints a Fraction (Python's would be a float)."""
    if y == 0:
        raise DomainError("division by zero")
    return gmpy2.mpq(x, y) if isinstance(x, int) and isinstance(y, int) else x / y


def lu_solve_det(a: Matrix, rhs: Matrix | None):
    """Gaussian elimination with partial pivoting: (det(a), a⁻¹ rhs or None when a is singular),
    in mpq when a is exact.

    In floating point a pivot below 10^(-dps/2) of the largest entry counts as zero: such a
    matrix is singular up to rounding, and its inverse would be noise."""
    n = len(a)
    exact = all(isinstance(x, RATIONAL) for r in a for x in r)
    m = [[gmpy2.mpq(x) if exact else x for x in r] + (list(rhs[i]) if rhs is not None else []) for i, r in enumerate(a)]
    tiny = 0 if exact else max(abs(x) for r in a for x in r) * arithmetic().real(10) ** (-(mpmath.mp.dps // 2))
    det = 1
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        if abs(m[p][c]) <= tiny:
            return 0, None
        if p != c:
            m[c], m[p] = m[p], m[c]
            det = -det
        det *= m[c][c]
        for r in range(n):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    if rhs is None:
        return det, None
    return det, [[x / m[i][i] for x in m[i][n:]] for i in range(n)]


def _log(x):
    if x <= 0:
        raise DomainError("log of a non-positive number")
    return arithmetic().log(x)


def _sqrt(x):
    if x < 0:
        raise DomainError("sqrt of a negative number")
    return arithmetic().sqrt(x)


def _sigmoid(a: Arithmetic) -> Callable:
    """σ(x) = 1 / (1 + e^-x) in arithmetic a: 1 from EXP_LIMIT on, outside the domain below -EXP_LIMIT."""
    exp, one, limit = _exp(a), a.real(1), a.real(EXP_LIMIT)
    return lambda x: one if x >= limit else 1 / (1 + exp(-x))


def _power(x, k: Fraction):
    if x == 0 and k < 0:
        raise DomainError("zero to a negative power")
    if k.denominator == 1:  # an int to a negative power as a Fraction (Python's would be a float)
        return (gmpy2.mpq(x) if isinstance(x, int) and k < 0 else x) ** int(k)
    if x < 0:
        raise DomainError("fractional power of a negative number")
    return x ** (arithmetic().real(k.numerator) / k.denominator)


EXP_LIMIT = 10**15  # exp of more than this: a point far outside any sensible range


def _exp(a: Arithmetic) -> Callable:
    """exp in arithmetic a, refusing arguments so large that no sample point should produce them."""
    exp, limit = a.exp, a.real(EXP_LIMIT)

    def guarded(x):
        if abs(x) > limit:
            raise DomainError("exp of a number too large for a sample point")
        return exp(x)

    return guarded


def kinked(fn: str, x, order: int):
    """abs or relu = max(0, x), and their derivatives (sign, step, then 0), exactly; at the
    kink x = 0 none is differentiable, so the point is outside the domain."""
    if x == 0:
        raise DomainError(f"{fn} at its kink 0")
    if order > 0:
        return (1 if x > 0 else -1 if fn == "abs" else 0) if order == 1 else 0
    return abs(x) if fn == "abs" else max(x, 0 * x)


def _tan(x):
    if arithmetic().cos(x) == 0:
        raise DomainError("tan at a pole")
    return arithmetic().tan(x)


FROM_VALUE = ("exp", "sigmoid", "tanh")  # functions whose first two derivatives are functions of their value


def from_value(fn: str, y, order: int):
    """The order-th derivative (1 or 2) of exp, sigmoid or tanh at a point where its value is y:
    exp'' = exp' = exp; σ' = σ(1 - σ), σ'' = σ'(1 - 2σ); tanh' = 1 - tanh², tanh'' = -2 tanh tanh'."""
    if fn == "exp":
        return y
    first = y * (1 - y) if fn == "sigmoid" else 1 - y * y
    return first if order == 1 else first * (1 - 2 * y) if fn == "sigmoid" else -2 * y * first


def builtin_function(fn: str, order: int) -> Callable:
    """The order-th derivative of a built-in entrywise function, as a function of one number in
    the arithmetic under way: chosen once for a whole matrix."""
    a = arithmetic()
    if fn in ("sin", "cos"):  # sin^(k)(x) = sin(x + kπ/2)
        turns = order + (fn == "cos")
        f = a.sin if turns % 2 == 0 else a.cos
        return (lambda x: -f(_reducible(fn, x))) if turns % 4 >= 2 else (lambda x: f(_reducible(fn, x)))
    if fn == "tan" and order <= 2:
        return lambda x: _tan_derivatives(_tan(_reducible(fn, x)))[order]
    if fn == "exp":
        return _exp(a)
    if order == 0:
        return _sigmoid(a) if fn == "sigmoid" else {"log": _log, "tanh": a.tanh, "sqrt": _sqrt}[fn]
    if fn == "log":
        return lambda x: (-1) ** (order - 1) * math.factorial(order - 1) / _inside(fn, x) ** order
    if fn == "sqrt":
        c = Fraction(1)
        for i in range(order):
            c *= Fraction(1, 2) - i
        return lambda x: c * _inside(fn, x) ** (a.real(1) / 2 - order)
    f = {"sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)), "tanh": mpmath.tanh, "tan": mpmath.tan}[fn]

    def numeric(x):  # higher orders (the first two of sigmoid and tanh come from their values, in _eval)
        if fn == "tan":
            _tan(x)  # a pole is outside the domain
        return a.real(mpmath.diff(f, to_mpf(x), order))

    return numeric


def _reducible(fn: str, x):
    """x, unless beyond EXP_LIMIT: no sample point gets there, and sin of it is slow to reduce."""
    if abs(x) > EXP_LIMIT:
        raise DomainError(f"{fn} of a number too large for a sample point")
    return x


def _tan_derivatives(t) -> tuple:
    """tan, tan' = 1 + tan², tan'' = 2 tan (1 + tan²), from tan's value t."""
    return t, 1 + t * t, 2 * t * (1 + t * t)


def _inside(fn: str, x):
    """x, where the derivatives of log and sqrt are defined (x > 0)."""
    if x <= 0:
        raise DomainError(f"{fn}' outside the domain")
    return x


def _softmax(a: Matrix) -> Matrix:
    col = [r[0] for r in a]
    top = max(col)
    ex = [arithmetic().exp(x - top) for x in col]
    total = sum(ex)
    return [[x / total] for x in ex]


class Evaluator:
    """Evaluates expressions under one set of bindings, remembering shared subexpressions."""

    def __init__(self, b: Bindings):
        self.b = b
        self.memo: dict[Expr, Matrix] = {}
        #: the largest magnitude met computing each value (its own entries and all below it): the
        #: rounding of a value is relative to it, and a value shared by two expressions counts in both
        self.peaks: dict[Expr, object] = {}
        self._peak = 0  # that of the value being computed, so far
        self.arithmetic = FAST  # WIDE once a value has left MPFR's exponent range

    @property
    def peak(self) -> mpmath.mpf:
        """The largest magnitude met computing the last value asked for (0 when exact)."""
        return to_mpf(self._peak)

    def __call__(self, e: Expr) -> Matrix:
        """e's value: exact (computed in mpq), or mpmath numbers (computed with MPFR at mpmath's
        working precision)."""
        self._peak = 0
        if self.b.exact:
            return [[to_fraction(x) for x in r] for r in self._value(e)]
        if self.arithmetic is FAST:
            try:
                with floating(mpmath.mp.prec):
                    return [[to_mpf(x) for x in r] for r in self._value(e)]
            except BEYOND_RANGE:  # everything again in mpmath, whose exponents are unbounded
                self.memo.clear()
                self.peaks.clear()
                self._peak, self.arithmetic = 0, WIDE
        previous, _active.arithmetic = arithmetic(), WIDE
        try:
            return [[to_mpf(x) for x in r] for r in self._value(e)]
        finally:
            _active.arithmetic = previous

    def _value(self, e: Expr) -> Matrix:
        hit = self.memo.get(e)
        if hit is not None:
            peak = self.peaks[e]
            if peak > self._peak:
                self._peak = peak
            return hit
        if self.b.deadline is not None and time.monotonic() > self.b.deadline:
            raise OutOfTime("the time limit ran out")
        outer, self._peak = self._peak, 0  # the operands' peaks, as they are computed or found
        try:
            if isinstance(e, Sym) or e in self.b.extra:  # converted once, peak and all
                hit, peak = self.b.native(self.b.extra[e]) if e in self.b.extra else self.b.symbol(e.name)
            else:
                hit = self._eval(e)
                if not self.b.exact:
                    peak = 0 if type(e) in _SAME_MAGNITUDES else largest(hit)
                elif any(isinstance(x, MPQ) and (x.numerator.bit_length() > EXACT_BITS or
                                                 x.denominator.bit_length() > EXACT_BITS) for r in hit for x in r):
                    raise NotExact()
                else:
                    peak = 0
        except DomainError as err:
            if err.node is None:
                err.node = e
            raise
        self.memo[e] = hit
        peak = self.peaks[e] = max(self._peak, peak)
        self._peak = max(outer, peak)
        return hit

    def _number(self, a: Matrix) -> Matrix:
        """A concrete function's values: exact only when all are rational; else MPFR numbers."""
        if self.b.exact:
            if not all(isinstance(x, RATIONAL) for r in a for x in r):
                raise NotExact()
            return apply(gmpy2.mpq, a)
        return apply(arithmetic().real, a)

    def _numbers(self) -> Arithmetic:
        """The arithmetic of this evaluation: EXACT, or the floating point under way."""
        return EXACT if self.b.exact else arithmetic()

    def _outward(self, x):
        """A value as a concrete function receives it: a Fraction or int, or an mpmath number."""
        return to_fraction(x) if self.b.exact else to_mpf(x)

    def _transcendental(self):
        if self.b.exact:
            raise NotExact()

    def _eval(self, e: Expr) -> Matrix:
        """e's value from its operands' (one rule per kind of node, chosen by its type)."""
        rule = _RULES.get(type(e))
        if rule is None:
            if isinstance(e, Differential):
                raise KeyError(f"no value bound to {e}")
            raise TypeError(f"cannot evaluate {type(e).__name__}")
        return rule(self, e)

    def _num(self, e: Num) -> Matrix:
        return [[gmpy2.mpq(e.value) if self.b.exact else arithmetic().real(e.value)]]

    def _let(self, e: Let) -> Matrix:
        return self._value(e.body)

    def _eye(self, e: Eye) -> Matrix:  # constants are GMP numbers like every value: never int / int
        n = size(e.n, self.b.dims)
        return self._number([[1 if i == j else 0 for j in range(n)] for i in range(n)])

    def _ones(self, e: Ones) -> Matrix:
        return self._number([[1] * size(e.cols, self.b.dims) for _ in range(size(e.rows, self.b.dims))])

    def _commutation(self, e: Commutation) -> Matrix:
        return self._number(commutation(size(e.m, self.b.dims), size(e.n, self.b.dims)))

    def _kron(self, e: Kron) -> Matrix:
        return kron(self._value(e.left), self._value(e.right))

    def _add(self, e: Add) -> Matrix:
        acc = self._value(e.terms[0])
        for t in e.terms[1:]:
            acc = entrywise(operator.add, acc, self._value(t))
        return acc

    def _neg(self, e: Neg) -> Matrix:
        return apply(operator.neg, self._value(e.arg))

    def _matmul(self, e: MatMul) -> Matrix:
        return matmul(self._value(e.left), self._value(e.right))

    def _hadamard(self, e: Hadamard) -> Matrix:
        return entrywise(operator.mul, self._value(e.left), self._value(e.right))

    def _ediv(self, e: EDiv) -> Matrix:
        return entrywise(_div, self._value(e.left), self._value(e.right))

    def _div(self, e: Div) -> Matrix:
        c = self._value(e.right)[0][0]
        return apply(lambda x: _div(x, c), self._value(e.left))

    def _power(self, e: Power | EPower) -> Matrix:
        if e.exponent.denominator != 1 or abs(e.exponent) > EXACT_POWER:
            self._transcendental()
        return apply(lambda x: _power(x, e.exponent), self._value(e.base))

    def _matpower(self, e: MatPower) -> Matrix:
        return matrix_power(self._value(e.base), e.exponent)

    def _transpose(self, e: Transpose) -> Matrix:
        return transpose(self._value(e.arg))

    def _function_call(self, e: Call) -> Matrix:
        return self._call(e.fn, self._value(e.arg))

    def _entrywise(self, e: Entrywise) -> Matrix:
        b = self.b
        if e.fn in b.elementwise:
            impl = b.elementwise[e.fn]
            if hasattr(impl, "bound"):  # a stand-in computing in the evaluation's own numbers
                return apply(impl.bound(e.order, self._numbers()), self._value(e.arg))
            return self._number(apply(lambda x: impl(self._outward(x), e.order), self._value(e.arg)))
        if e.fn in KINKED:
            return self._number(apply(lambda x: kinked(e.fn, x, e.order), self._value(e.arg)))
        self._transcendental()
        if e.fn in FROM_VALUE and 1 <= e.order <= 2:  # from the function's own values, computed once
            return apply(lambda y: from_value(e.fn, y, e.order), self._value(Entrywise(e.fn, e.arg)))
        return apply(builtin_function(e.fn, e.order), self._value(e.arg))

    def _scalar_function(self, e: ScalarFn) -> Matrix:
        impl = self.b.scalar[e.fn]
        if impl.native:
            a, numbers = self._value(e.arg), self._numbers()
            return [[impl.value(a, numbers)]] if e.order == 0 else impl.gradient(a, numbers)
        a = apply(self._outward, self._value(e.arg))
        return self._number([[impl.value(a)]] if e.order == 0 else impl.gradient(a))

    def _call(self, fn: str, a: Matrix) -> Matrix:
        if fn == "tr":
            return [[sum(a[i][i] for i in range(len(a)))]]
        if fn == "sum":
            return [[sum(sum(r) for r in a)]]
        if fn == "vec":
            return vec(a)
        if fn == "diag":
            return diag(a)
        if fn in ("det", "logdet"):
            det, _ = lu_solve_det(a, None)
            if fn == "det":
                return [[det]]
            if det <= 0:
                raise DomainError("logdet of a matrix whose determinant is not positive")
            self._transcendental()
            return [[arithmetic().log(det)]]
        if fn == "inv":
            n = len(a)
            det, inv = lu_solve_det(a, [[1 if i == j else 0 for j in range(n)] for i in range(n)])
            if inv is None:
                raise DomainError("inverse of a singular matrix")
            return inv
        self._transcendental()
        if fn == "softmax":
            return _softmax(a)
        if fn == "norm":
            squares = sum(x * x for r in a for x in r)
            if squares == 0:  # like abs and relu at theirs, not differentiable: outside the domain
                raise DomainError("norm at its kink 0")
            return [[arithmetic().sqrt(squares)]]
        raise TypeError(f"unknown function {fn}")


#: Nodes whose entries are their operand's, up to order and sign: its largest magnitude is theirs.
_SAME_MAGNITUDES = frozenset((Let, Transpose, Neg))
#: The rule computing each kind of node's value (Differential has none: it is bound in ``extra``).
_RULES = {
    Num: Evaluator._num, Let: Evaluator._let, Eye: Evaluator._eye, Ones: Evaluator._ones,
    Commutation: Evaluator._commutation, Kron: Evaluator._kron, Add: Evaluator._add, Neg: Evaluator._neg,
    MatMul: Evaluator._matmul, Hadamard: Evaluator._hadamard, EDiv: Evaluator._ediv, Div: Evaluator._div,
    Power: Evaluator._power, EPower: Evaluator._power, MatPower: Evaluator._matpower,
    Transpose: Evaluator._transpose, Call: Evaluator._function_call, Entrywise: Evaluator._entrywise,
    ScalarFn: Evaluator._scalar_function,
}


def matrix_power(a: Matrix, k: int) -> Matrix:
    """a^k for k ≥ 1, by repeated squaring."""
    result = None
    while k:
        if k & 1:
            result = a if result is None else matmul(result, a)
        k >>= 1
        if k:
            a = matmul(a, a)
    return result


def evaluate(e: Expr, b: Bindings) -> Matrix:
    """The value of e under bindings b."""
    return Evaluator(b)(e)
