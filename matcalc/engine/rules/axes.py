"""Sums along an axis through quotients by repeated sums (how softmax along an axis is spelt out,
``matcalc.axes``), so that an assumption on row or column sums (``ones(m)' * Y = ones(n)'``) meets
the form it names, and the softmax-regression gradient reaches exp(Z) ⊘ (1 1ᵀ exp(Z)) − Y.

Each rule maps an expression to an equal one, or to None; they run in the group of a proof's
assumptions (``policy.simplification``), so a result without assumptions keeps its form.
"""
from __future__ import annotations

from ...expr import EDiv, Expr, Hadamard, MatMul, Num, Ones, Transpose
from ..core import Registry

AXES = Registry("axes")


def factors(e: Expr) -> list[Expr]:
    """The factors of a matrix product however it is associated: A (B C) and (A B) C give [A, B, C]."""
    return factors(e.left) + factors(e.right) if isinstance(e, MatMul) else [e]


def product(fs: list[Expr]) -> Expr:
    """The product of ``fs``, associated to the left as the algebra rules leave it."""
    out = fs[0]
    for f in fs[1:]:
        out = MatMul(out, f)
    return out


def _ones(e: Expr) -> bool:
    """e is a column of ones 1 (n×1, n not 1)."""
    return isinstance(e, Ones) and e.cols == 1 and e.rows != 1


def _ones_row(e: Expr) -> bool:
    """e is a row of ones 1ᵀ (1×n, n not 1)."""
    return isinstance(e, Transpose) and _ones(e.arg)


def repeated(e: Expr, axis: int) -> Expr | None:
    """r when e is the row r (1×n) repeated down the rows, 1 r (axis 0); c when e is the column c
    repeated along the columns, c 1ᵀ (axis 1); else None."""
    fs = factors(e)
    if len(fs) < 2:
        return None
    if axis == 0 and _ones(fs[0]):
        rest = product(fs[1:])
        return rest if rest.shape.rows == 1 else None
    if axis == 1 and _ones_row(fs[-1]):
        rest = product(fs[:-1])
        return rest if rest.shape.cols == 1 else None
    return None


@AXES("axis sum of a quotient")
def column_sums_of_quotient(e: Expr):
    """1ᵀ (A ⊘ (1 r)) = (1ᵀ A) ⊘ r for a row r; and (A ⊘ (c 1ᵀ)) 1 = (A 1) ⊘ c for a column c"""
    if not isinstance(e, MatMul):
        return None
    left, right = factors(e.left), factors(e.right)
    if _ones_row(left[-1]) and isinstance(right[0], EDiv):
        r = repeated(right[0].right, 0)
        if r is not None:
            summed = EDiv(MatMul(left[-1], right[0].left), r)
            return product(left[:-1] + [summed] + right[1:])
    if _ones(right[0]) and isinstance(left[-1], EDiv):
        c = repeated(left[-1].right, 1)
        if c is not None:
            summed = EDiv(MatMul(left[-1].left, right[0]), c)
            return product(left[:-1] + [summed] + right[1:])
    return None


def _reciprocal(e: Expr, axis: int) -> Expr | None:
    """r when e is 1 (1ᵀ ⊘ r) (axis 0: the reciprocals of a row r repeated down the rows), c when e is
    (1 ⊘ c) 1ᵀ (axis 1); else None."""
    fs = factors(e)
    if len(fs) != 2:
        return None
    spread, q = (fs[0], fs[1]) if axis == 0 else (fs[1], fs[0])
    if not (_ones(spread) if axis == 0 else _ones_row(spread)) or not isinstance(q, EDiv):
        return None
    unit = _ones_row(q.left) if axis == 0 else _ones(q.left)
    return q.right if unit or q.left == Num(1) else None


@AXES("quotient by repeated sums")
def quotient_by_repeated(e: Expr):
    """(1 (1ᵀ ⊘ r)) ⊙ E = E ⊘ (1 r) for a row r; and ((1 ⊘ c) 1ᵀ) ⊙ E = E ⊘ (c 1ᵀ) for a column c"""
    if not isinstance(e, Hadamard):
        return None
    for spread, other in ((e.left, e.right), (e.right, e.left)):
        for axis in (0, 1):
            r = _reciprocal(spread, axis)
            if r is not None and r.shape != e.shape:
                return EDiv(other, MatMul(spread.left, r) if axis == 0 else MatMul(r, spread.right))
    return None
