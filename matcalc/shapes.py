"""Shapes with symbolic dimensions, and the laws of each operation on them.

A dimension is a name (``n``) or a positive integer; two names are equal only when
spelled alike, and a name never equals an integer. Every value is a matrix: a vector(n)
is n×1, a scalar 1×1.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import MatcalcError, ShapeError

Dim = str | int

#: The largest fixed dimension: a claim is checked on matrices of its fixed sizes, and
#: larger ones are beyond what the checker computes in reasonable time and memory.
MAX_DIM = 1000


def fixed_dim(k: int) -> int:
    """A fixed dimension, within MAX_DIM."""
    if k > MAX_DIM:
        raise MatcalcError(f"dimension {k} is larger than {MAX_DIM}, the largest matcalc checks "
                           "(a name such as n stands for any size)")
    return k


@dataclass(frozen=True)
class Shape:
    rows: Dim
    cols: Dim

    @property
    def is_scalar(self) -> bool:
        return self.rows == 1 and self.cols == 1

    @property
    def is_square(self) -> bool:
        return self.rows == self.cols

    @property
    def t(self) -> "Shape":
        return Shape(self.cols, self.rows)

    def __str__(self) -> str:
        return f"{self.rows}×{self.cols}"

    def declaration(self) -> str:
        """The shape as written in a proof file: scalar, vector(n) or matrix(m, n)."""
        if self.is_scalar:
            return "scalar"
        if self.cols == 1:
            return f"vector({self.rows})"
        return f"matrix({self.rows}, {self.cols})"


SCALAR = Shape(1, 1)


def matmul(a: Shape, b: Shape, what: str = "") -> Shape:
    """(m×k)(k×n) = m×n; a 1×1 factor on either side scales the other."""
    if a.cols == b.rows:
        return Shape(a.rows, b.cols)
    if a.is_scalar:
        return b
    if b.is_scalar:
        return a
    raise ShapeError(f"cannot multiply {what or 'operands'}: inner dimensions differ ({a} by {b})")


def entrywise(a: Shape, b: Shape, what: str = "") -> Shape:
    """Entrywise operations need equal shapes; a scalar is broadcast to every entry."""
    if a == b or b.is_scalar:
        return a
    if a.is_scalar:
        return b
    raise ShapeError(f"shapes differ in {what or 'entrywise operation'} ({a} and {b})")


def square(a: Shape, what: str) -> Shape:
    if not a.is_square:
        raise ShapeError(f"{what} needs a square matrix, got {a}")
    return a


def scalar(a: Shape, what: str) -> Shape:
    if not a.is_scalar:
        raise ShapeError(f"{what} needs a scalar, got {a}")
    return a


def column(a: Shape, what: str) -> Shape:
    if a.cols != 1:
        raise ShapeError(f"{what} needs a column vector, got {a}")
    return a
