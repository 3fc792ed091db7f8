"""Scalar algebra on product chains: 1×1 factors commute with everything, so a product is
k · Π atomᵖ · (its matrix factors, in order), and equal atoms combine or cancel."""
from __future__ import annotations

from fractions import Fraction

from ...expr import Div, Expr, MatMul, Neg, Num, Power, size
from .algebra import ALGEBRA, built_or_none, zero


def _monomial(e: Expr, k: Fraction, powers: dict, matrices: list) -> Fraction | None:
    """Flatten a product into k · Π atomᵖ · (its matrix factors, in order); None when e is not one.

    Scalars (1×1 factors) commute with everything, so they are collected apart from the
    matrix factors, whose order is kept.
    """
    if isinstance(e, Neg):
        return _monomial(e.arg, -k, powers, matrices)
    if isinstance(e, Num):
        return k * e.value
    if isinstance(e, MatMul):
        k = _monomial(e.left, k, powers, matrices)
        return None if k is None else _monomial(e.right, k, powers, matrices)
    if isinstance(e, Div) and not (isinstance(e.right, Num) and e.right.value == 0):
        k = _monomial(e.left, k, powers, matrices)
        if k is None:
            return None
        inverse: dict = {}
        kr = _monomial(e.right, Fraction(1), inverse, den := [])
        if den:  # a denominator like x'y: keep it whole
            inverse, kr = {e.right: 1}, Fraction(1)
        if kr is None or kr == 0:
            return None
        for atom, p in inverse.items():
            powers[atom] = powers.get(atom, 0) - p
        return k / kr
    if isinstance(e, Power) and not isinstance(e.base, (Num, Neg, MatMul, Div, Power)):
        powers[e.base] = powers.get(e.base, 0) + e.exponent
        return k
    if e.shape.is_scalar:
        powers[e] = powers.get(e, 0) + 1
        return k
    matrices.append(e)
    return k


def _power(atom: Expr, p: Fraction) -> Expr:
    return atom if p == 1 else Power(atom, p)


def _chain(factors: list[Expr]) -> Expr:
    out = factors[0]
    for f in factors[1:]:
        out = MatMul(out, f)
    return out


@ALGEBRA("scalar algebra")
def scalar_algebra(e: Expr):
    """scalar factors commute and combine: a b / a = b, a a = a ^ 2, k (j A) B = (kj) A B"""
    if not isinstance(e, (MatMul, Div, Power)):
        return None
    powers: dict = {}
    matrices: list = []
    k = _monomial(e, Fraction(1), powers, matrices)
    if k is None:
        return None
    if k == 0:
        return zero(e.shape)
    num = [_power(a, p) for a, p in powers.items() if p > 0]
    den = [_power(a, -p) for a, p in powers.items() if p < 0]
    factors = ([Num(abs(k))] if abs(k) != 1 or not (num or matrices) else []) + num
    if matrices:
        factors.append(built_or_none(lambda: _chain(matrices)))
        if factors[-1] is None:
            return None
    out = built_or_none(lambda: Div(_chain(factors), _chain(den)) if den else _chain(factors))
    if out is None or out.shape != e.shape:
        return None
    out = Neg(out) if k < 0 else out
    # only when something cancels or combines, or the chain reads left to right
    return out if out != e and size(out) <= size(e) else None
