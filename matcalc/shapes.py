"""Shapes with symbolic dimensions, and the laws of each operation on them.

A dimension is a name (``n``), a positive integer, or a product of names (``m·n``, a
DimProduct); two dimensions are equal only when spelled alike up to the order of the
factors, and a name never equals an integer. Every value is a matrix: a vector(n) is n×1,
a scalar 1×1.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import MatcalcError, ShapeError



@dataclass(frozen=True)
class DimProduct:
    """A product of two or more dimension names times a positive integer (m·n, 2·n); built
    only by ``dim_mul``, which keeps it canonical (sorted names, no factor 1)."""

    names: tuple[str, ...]
    factor: int = 1

    def __str__(self) -> str:
        return "·".join(([str(self.factor)] if self.factor != 1 else []) + list(self.names))


Dim = str | int | DimProduct


def dim_factors(d: Dim) -> tuple[int, tuple[str, ...]]:
    """d as (integer factor, sorted names)."""
    if isinstance(d, int):
        return d, ()
    if isinstance(d, str):
        return 1, (d,)
    return d.factor, d.names


def dim_mul(a: Dim, b: Dim) -> Dim:
    """a·b, canonical: 1·n = n, 2·3 = 6, n·m = m·n."""
    ka, na = dim_factors(a)
    kb, nb = dim_factors(b)
    k, names = ka * kb, tuple(sorted(na + nb))
    if not names:
        return k
    if len(names) == 1 and k == 1:
        return names[0]
    return DimProduct(names, k)


def dim_names(d: Dim) -> tuple[str, ...]:
    """The names a dimension is made of."""
    return dim_factors(d)[1]


def dim_text(d: Dim) -> str:
    """A dimension in a shape: n, 3, (m·n)."""
    return f"({d})" if isinstance(d, DimProduct) else str(d)

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
        return f"{dim_text(self.rows)}×{dim_text(self.cols)}"

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


def jacobian(f: Shape, x: Shape) -> Shape:
    """The Jacobian d vec F / d vec(X)ᵀ of F p×q by X m×n is (p·q)×(m·n)."""
    return Shape(dim_mul(f.rows, f.cols), dim_mul(x.rows, x.cols))


def hessian(x: Shape) -> Shape:
    """The Hessian d²f / d vec X d vec(X)ᵀ of a scalar f by X m×n is (m·n)×(m·n)."""
    mn = dim_mul(x.rows, x.cols)
    return Shape(mn, mn)
