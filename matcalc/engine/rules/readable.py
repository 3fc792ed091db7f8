"""Rules a reader applies to a result: counts of entries as dimensions, scalars out of sums and
entrywise quotients, broadcast scalars through products with ones, products of diagonal matrices.

Each maps an expression to an equal one, or to None when it does not apply; the identity is the
first line of its docstring, and the test suite checks each on random instances.
"""
from __future__ import annotations

from ...axes import count
from ...expr import Add, Call, Div, EDiv, Entrywise, EPower, Expr, Hadamard, MatMul, Neg, Num, Ones, Power
from .algebra import ALGEBRA, _ones, built_or_none


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


@ALGEBRA("product of diagonal matrices")
def diagonal_products(e: Expr):
    """diag(a) diag(b) = diag(a ⊙ b); diag(a) + diag(b) = diag(a + b), also inside a product: (P diag(a)) diag(b) = P diag(a ⊙ b)"""
    if isinstance(e, Add) and len(e.terms) >= 2 and all(_diag(t) is not None for t in e.terms):
        return Call("diag", Add(tuple(_diag(t) for t in e.terms)))
    if not isinstance(e, MatMul):
        return None
    left, right = e.left, e.right
    inner = left.right if isinstance(left, MatMul) else left
    a, b = _diag(inner), _diag(right)
    if a is None or b is None or isinstance(inner, Neg):
        return None
    merged = Call("diag", Hadamard(a, b))
    return MatMul(left.left, merged) if isinstance(left, MatMul) else merged


def _diag(e: Expr) -> Expr | None:
    """v when e = diag(v) for a column v; -v when e = -diag(v)."""
    if isinstance(e, Neg):
        v = _diag(e.arg)
        return None if v is None else Neg(v)
    if isinstance(e, Call) and e.fn == "diag" and e.arg.shape.cols == 1 and not e.arg.shape.is_scalar:
        return e.arg
    return None


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
