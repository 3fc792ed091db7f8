"""Rules a reader applies to a result: counts of entries as dimensions, scalars out of sums and
entrywise quotients, broadcast scalars through products with ones, products of diagonal matrices.

Each maps an expression to an equal one, or to None when it does not apply; the identity is the
first line of its docstring, and the test suite checks each on random instances.
"""
from __future__ import annotations

from fractions import Fraction

from ...axes import count
from ...expr import (
    Add, Call, Div, EDiv, Entrywise, EPower, Expr, Hadamard, MatMul, MatPower, Neg, Num, Ones, Power, Transpose,
)
from .algebra import ALGEBRA, _ones, built_or_none, coefficient, scaled


@ALGEBRA("number of entries")
def number_of_entries(e: Expr):
    """sum(ones(m, n)) = m n: a matrix of ones sums to its number of entries (1ᵀ 1 = n)"""
    if isinstance(e, Call) and e.fn == "sum" and isinstance(e.arg, Ones):
        n = count(e.arg.rows, e.arg.cols)
        return None if isinstance(n, Call) else n


@ALGEBRA("scalars out of a sum of entries")
def sum_of_scaled(e: Expr):
    """sum(-A) = -sum(A), sum(s A) = s sum(A), sum(A / s) = sum(A) / s for a 1×1 s"""
    if not (isinstance(e, Call) and e.fn == "sum"):
        return None
    a = e.arg
    if isinstance(a, Neg):
        return Neg(Call("sum", a.arg))
    if isinstance(a, MatMul) and a.left.shape.is_scalar and not a.right.shape.is_scalar:
        return MatMul(a.left, Call("sum", a.right))
    if isinstance(a, Div) and not a.left.shape.is_scalar:
        return Div(Call("sum", a.left), a.right)


@ALGEBRA("division by a scalar")
def division_by_scalar(e: Expr):
    """A ./ s = A / s for a 1×1 s; (A / s) ⊙ B = A ⊙ (B / s) = (A ⊙ B) / s; s .^ k = s ^ k for a 1×1 s"""
    if isinstance(e, EPower) and e.base.shape.is_scalar:
        return Power(e.base, e.exponent)
    if isinstance(e, EDiv) and e.right.shape.is_scalar and not e.left.shape.is_scalar:
        return Div(e.left, e.right)
    if isinstance(e, Hadamard):
        for a, b, first in ((e.left, e.right, True), (e.right, e.left, False)):
            if isinstance(a, Div) and a.shape == e.shape:
                return built_or_none(lambda: Div(Hadamard(a.left, b) if first else Hadamard(b, a.left), a.right))


@ALGEBRA("a broadcast scalar times ones")
def broadcast_times_ones(e: Expr):
    """(A + s) 1ᵦₓ꜀ = A 1ᵦₓ꜀ + b s 1ₐₓ꜀ and 1꜀ₓₐ (A + s) = 1꜀ₓₐ A + a s 1꜀ₓᵦ for A a×b and s a 1×1 broadcast
    over it: (xᵀ - c) 1 = sum(x) - n c"""
    if not isinstance(e, MatMul):
        return None
    for total, other, ones_first in ((e.left, e.right, False), (e.right, e.left, True)):
        if not isinstance(total, Add) or not _ones(other) or total.shape.is_scalar \
                or not any(t.shape.is_scalar for t in total.terms):
            continue
        inner = total.shape.rows if ones_first else total.shape.cols
        n = count(inner)
        terms = []
        for t in total.terms:
            if not t.shape.is_scalar:
                terms.append(MatMul(other, t) if ones_first else MatMul(t, other))
            else:
                s = t if n == Num(1) else MatMul(n, t)
                terms.append(s if e.shape.is_scalar else MatMul(s, Ones(e.shape.rows, e.shape.cols)))
        return built_or_none(lambda: Add(tuple(terms)))


def _in_product(e: MatMul, pair) -> Expr | None:
    """pair(A, B) applied to the last two factors of a left-associated product: (P A) B = P pair(A, B)."""
    left = e.left
    inner = left.right if isinstance(left, MatMul) and not left.left.shape.is_scalar else left
    merged = pair(inner, e.right)
    if merged is None:
        return None
    return built_or_none(lambda: MatMul(left.left, merged)) if inner is not left else merged


def _diagonal_pair(a: Expr, b: Expr) -> Expr | None:
    u, v = _diag(a), _diag(b)
    return None if u is None or v is None or isinstance(a, Neg) else Call("diag", Hadamard(u, v))


@ALGEBRA("product of diagonal matrices")
def diagonal_products(e: Expr):
    """diag(a) diag(b) = diag(a ⊙ b); diag(a) ^ k = diag(a .^ k); k diag(a) + diag(b) = diag(k a + b), also inside
    a product: (P diag(a)) diag(b) = P diag(a ⊙ b)"""
    if isinstance(e, Add) and len(e.terms) >= 2 and all(_diag(t) is not None for t in e.terms):
        return Call("diag", Add(tuple(_diag(t) for t in e.terms)))
    if isinstance(e, MatPower) and e.exponent > 0 and _diag(e.base) is not None and not isinstance(e.base, Neg):
        return Call("diag", EPower(_diag(e.base), Fraction(e.exponent)))
    return _in_product(e, _diagonal_pair) if isinstance(e, MatMul) else None


def _diag(e: Expr) -> Expr | None:
    """v when e = diag(v) for a column v; k v when e = k diag(v) for a number k (-v for -diag(v))."""
    k, core = coefficient(e)
    if isinstance(core, Call) and core.fn == "diag" and core.arg.shape.cols == 1 and not core.arg.shape.is_scalar:
        return scaled(k, core.arg)
    return None


def _ones_pair(a: Expr, b: Expr) -> Expr | None:
    if isinstance(b, Ones) and b.cols == 1 and _diag(a) is not None and not isinstance(a, Neg):
        return _diag(a)
    if _ones(a) and a.shape.rows == 1 and _diag(b) is not None and not isinstance(b, Neg):
        return Transpose(_diag(b))
    return None


@ALGEBRA("a diagonal matrix times ones")
def diagonal_times_ones(e: Expr):
    """diag(v) 1 = v and 1ᵀ diag(v) = vᵀ, also inside a product: (P diag(v)) 1 = P v"""
    return _in_product(e, _ones_pair) if isinstance(e, MatMul) else None


@ALGEBRA("the logistic function's derivative")
def sigmoid_derivative(e: Expr):
    """sigmoid'(u) = sigmoid(u) ⊙ (1 - sigmoid(u)): a Hessian of a logistic loss reads X' diag(s ⊙ (1 - s)) X"""
    if isinstance(e, Entrywise) and e.fn == "sigmoid" and e.order == 1:
        s = Entrywise("sigmoid", e.arg)
        rest = Add((Num(1), Neg(s)))
        return MatMul(s, rest) if e.shape.is_scalar else Hadamard(s, rest)


@ALGEBRA("associativity of entrywise products")
def hadamard_associativity(e: Expr):
    """A ⊙ (B ⊙ C) = (A ⊙ B) ⊙ C: entrywise products read left to right, so equal ones are like terms"""
    if isinstance(e, Hadamard) and isinstance(e.right, Hadamard):
        return built_or_none(lambda: Hadamard(Hadamard(e.left, e.right.left), e.right.right))


@ALGEBRA("trace of an outer product")
def trace_of_outer_product(e: Expr):
    """tr(a r) = r a for a column a and a row r (tr(a bᵀ) = bᵀ a): an inner product"""
    if isinstance(e, Call) and e.fn == "tr" and isinstance(e.arg, MatMul) and e.arg.left.shape.cols == 1 \
            and e.arg.right.shape.rows == 1 and not e.arg.shape.is_scalar:
        return MatMul(e.arg.right, e.arg.left)
