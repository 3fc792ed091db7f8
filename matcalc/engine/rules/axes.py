"""Sums along an axis through quotients by repeated sums (how softmax along an axis is spelt out,
``matcalc.axes``), so that an assumption on row or column sums (``ones(m)' * Y = ones(n)'``) meets
the form it names, and the softmax-regression gradient reaches exp(Z) ⊘ (1 1ᵀ exp(Z)) − Y.

Each rule maps an expression to an equal one, or to None; they run in the group of a proof's
assumptions (``policy.simplification``), so a result without assumptions keeps its form.
"""
from __future__ import annotations

from ...axes import repeated_sums
from ...expr import EDiv, Entrywise, EPower, Expr, Hadamard, MatMul, Num, Ones, Transpose
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


#: Softmax along an axis gathered from the quotients its derivative leaves (run with every result).
SOFTMAX = Registry("softmax along an axis")


def softmax_of(E: Expr, R: Expr) -> Expr | None:
    """softmax(Z, axis=k) as spelt out, exp(Z) ⊘ (its sums along k, repeated), when E = exp(Z) and R
    is those sums however the product is associated; else None."""
    flipped = isinstance(E, Transpose)  # exp(Z)ᵀ ⊘ (its sums) = softmax(Z, axis=1 - k)ᵀ
    inner = E.arg if flipped else E
    if not (isinstance(inner, Entrywise) and inner.fn == "exp" and inner.order == 0) or E.shape.is_scalar:
        return None
    for axis in (0, 1):
        sums = repeated_sums(E, axis)
        if sums != E and factors(R) == factors(sums):
            return Transpose(EDiv(inner, repeated_sums(inner, 1 - axis))) if flipped else EDiv(E, sums)
    return None


def _both_ways(e: Expr):
    """The factors of a Hadamard product e, in either order (none for another node)."""
    return ((e.left, e.right), (e.right, e.left)) if isinstance(e, Hadamard) else ()


def _gathered(e: Expr, R: Expr) -> tuple[Expr, Expr] | None:
    """(A, softmax) when e is A ⊙ E or E ⊙ A with E ⊘ R softmax along an axis; else None."""
    return next(((a, s) for a, E in _both_ways(e) if (s := softmax_of(E, R)) is not None), None)


@SOFTMAX("softmax gathered from a quotient")
def softmax_from_quotient(e: Expr):
    """(A ⊙ E) ⊘ R = A ⊙ (E ⊘ R) and (A ⊙ E) ⊘ R∘² = (A ⊘ R) ⊙ (E ⊘ R), where E ⊘ R is softmax
    along an axis (E = exp(Z), R its sums along the axis, repeated)"""
    if not isinstance(e, EDiv):
        return None
    squared = isinstance(e.right, EPower) and e.right.exponent == 2
    R = e.right.base if squared else e.right
    found = _gathered(e.left, R)
    if found is None:
        return None
    a, s = found
    return Hadamard(EDiv(a, R), s) if squared else Hadamard(a, s)


@SOFTMAX("a quotient by repeated sums inside the sums")
def quotient_inside_sums(e: Expr):
    """(A 1 1ᵀ) ⊘ (c 1ᵀ) = ((A ⊘ (c 1ᵀ)) 1) 1ᵀ and (1 1ᵀ A) ⊘ (1 r) = 1 (1ᵀ (A ⊘ (1 r))): a divisor
    constant along the summed axis passes through the sums"""
    if not isinstance(e, EDiv) or e.right.shape != e.shape:
        return None
    fs = factors(e.left)
    if len(fs) >= 3 and _ones(fs[-2]) and _ones_row(fs[-1]) and repeated(e.right, 1) is not None:
        return product([EDiv(product(fs[:-2]), e.right)] + fs[-2:])
    if len(fs) >= 3 and _ones(fs[0]) and _ones_row(fs[1]) and repeated(e.right, 0) is not None:
        return product(fs[:2] + [EDiv(product(fs[2:]), e.right)])
    return None


@SOFTMAX("softmax out of a quotient")
def softmax_out_of_quotient(e: Expr):
    """(A ⊘ R) ⊙ E = A ⊙ (E ⊘ R), where E ⊘ R is softmax along an axis"""
    for p, E in _both_ways(e):
        if isinstance(p, EDiv):
            s = softmax_of(E, p.right)
            if s is not None:
                return Hadamard(p.left, s)
    return None


@SOFTMAX("softmax over its sums squared")
def softmax_over_squared_sums(e: Expr):
    """E ⊘ R∘² = (E ⊘ R) ⊘ R, where E ⊘ R is softmax along an axis"""
    if isinstance(e, EDiv) and isinstance(e.right, EPower) and e.right.exponent == 2:
        s = softmax_of(e.left, e.right.base)
        if s is not None:
            return EDiv(s, e.right.base)
    return None


@SOFTMAX("a quotient by repeated sums out of a product")
def quotient_out_of_product(e: Expr):
    """A ⊙ (B ⊘ C) = (A ⊙ B) ⊘ C, for C a row or a column repeated (the sums softmax divides by)"""
    if isinstance(e, Hadamard) and isinstance(e.right, EDiv) and not isinstance(e.left, EDiv) \
            and softmax_of(e.right.left, e.right.right) is None:  # a softmax stays whole
        c = e.right.right
        if any(repeated(c, axis) is not None for axis in (0, 1)) and c.shape == e.shape:
            return EDiv(Hadamard(e.left, e.right.left), c)
    return None


@SOFTMAX("softmax from a quotient spread along an axis")
def softmax_from_spread_quotient(e: Expr):
    """((a ⊘ c) 1ᵀ) ⊙ E = (a 1ᵀ) ⊙ (E ⊘ (c 1ᵀ)) and (1 (a ⊘ r)) ⊙ E = (1 a) ⊙ (E ⊘ (1 r)), where
    E ⊘ (c 1ᵀ), E ⊘ (1 r) is softmax along an axis"""
    for p, E in _both_ways(e):
        fs = factors(p)
        if len(fs) == 2 and isinstance(fs[0], EDiv) and _ones_row(fs[1]):
            s = softmax_of(E, MatMul(fs[0].right, fs[1]))
            if s is not None:
                return Hadamard(MatMul(fs[0].left, fs[1]), s)
        if len(fs) == 2 and _ones(fs[0]) and isinstance(fs[1], EDiv):
            s = softmax_of(E, MatMul(fs[0], fs[1].right))
            if s is not None:
                return Hadamard(MatMul(fs[0], fs[1].left), s)
    return None


@SOFTMAX("softmax of a transpose")
def softmax_of_transpose(e: Expr):
    """exp(Z)ᵀ ⊘ (the sums of exp(Z)ᵀ along axis k, repeated) = softmax(Z, axis=1 - k)ᵀ"""
    if isinstance(e, EDiv) and isinstance(e.left, Transpose):
        return softmax_of(e.left, e.right)
    return None
