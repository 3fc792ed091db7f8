"""Algebra of Kronecker products, vec, diag and the commutation matrix (Magnus & Neudecker
ch. 2-3), and symmetry by form; each rule maps an expression to an equal one, or None."""
from __future__ import annotations

from ... import ops
from ...expr import Add, Call, Commutation, Div, Expr, Eye, Kron, Let, MatMul, Neg, Num, Ones, Transpose
from ...shapes import dim_mul
from ..core import Registry
from .algebra import built_or_none, symmetric, transpose

KRONECKER = Registry("Kronecker algebra")


@KRONECKER("transpose of a Kronecker product")
def kron_transpose(e: Expr):
    """(A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ"""
    if isinstance(e, Transpose) and isinstance(e.arg, Kron):
        return Kron(Transpose(e.arg.left), Transpose(e.arg.right))


def _fits(a: Kron, b: Kron) -> bool:
    return a.left.shape.cols == b.left.shape.rows and a.right.shape.cols == b.right.shape.rows


@KRONECKER("transpose of a sum")
def transpose_sum(e: Expr):
    """(A + B)ᵀ = Aᵀ + Bᵀ"""
    if isinstance(e, Transpose) and isinstance(e.arg, Add):
        return Add(tuple(Transpose(t) for t in e.arg.terms))


@KRONECKER("mixed product")
def mixed_product(e: Expr):
    """(A ⊗ B)(C ⊗ D) = (A C) ⊗ (B D), and P (A ⊗ B)(C ⊗ D) = P ((A C) ⊗ (B D))"""
    if not isinstance(e, MatMul) or not isinstance(e.right, Kron):
        return None
    left, right = e.left, e.right
    if isinstance(left, Kron) and _fits(left, right):
        return built_or_none(lambda: Kron(MatMul(left.left, right.left), MatMul(left.right, right.right)))
    if isinstance(left, MatMul) and isinstance(left.right, Kron) and _fits(left.right, right):
        k = left.right
        return built_or_none(lambda: MatMul(left.left, Kron(MatMul(k.left, right.left), MatMul(k.right, right.right))))


def _scalar_factor(e: Expr):
    """e = s · rest for a 1×1 s (a sign counts as -1): (s, rest), or None."""
    if isinstance(e, Neg):
        return Num(1), e.arg, True
    if isinstance(e, MatMul) and e.left.shape.is_scalar and not e.right.shape.is_scalar:
        return e.left, e.right, False
    return None


@KRONECKER("Kronecker product with identities and scalars")
def kron_identities(e: Expr):
    """I ⊗ I = I, s ⊗ A = A ⊗ s = s A for 1×1 s, (s A) ⊗ B = A ⊗ (s B) = s (A ⊗ B), (-A) ⊗ B = A ⊗ (-B) = -(A ⊗ B)"""
    if not isinstance(e, Kron):
        return None
    a, b = e.left, e.right
    if isinstance(a, Eye) and isinstance(b, Eye):
        return Eye(dim_mul(a.n, b.n))
    if a.shape.is_scalar:
        return MatMul(a, b)
    if b.shape.is_scalar:
        return MatMul(b, a)
    for i, side in enumerate((a, b)):
        split = _scalar_factor(side)
        if split is not None:
            s, rest, sign = split
            inner = Kron(rest, b) if i == 0 else Kron(a, rest)
            return Neg(inner) if sign else MatMul(s, inner)


@KRONECKER("vec of a vector, of ones, of a scalar multiple")
def vec_identities(e: Expr):
    """vec(a) = a for a column a, vec(aᵀ) = a, vec(1[m×n]) = 1[m·n], vec(s A) = s vec(A), vec(-A) = -vec(A)"""
    if not (isinstance(e, Call) and e.fn == "vec"):
        return None
    a = e.arg
    if a.shape.cols == 1:
        return a
    if isinstance(a, Transpose) and a.arg.shape.cols == 1:
        return a.arg
    if isinstance(a, Ones):
        return Ones(dim_mul(a.rows, a.cols))
    split = _scalar_factor(a)
    if split is not None:
        s, rest, sign = split
        return Neg(Call("vec", rest)) if sign else MatMul(s, Call("vec", rest))


@KRONECKER("diag")
def diag_identities(e: Expr):
    """diag(a)ᵀ = diag(a), diag(1) = I, diag(-a) = -diag(a), diag(s a) = s diag(a)"""
    if isinstance(e, Transpose) and isinstance(e.arg, Call) and e.arg.fn == "diag":
        return e.arg
    if not (isinstance(e, Call) and e.fn == "diag"):
        return None
    if isinstance(e.arg, Ones):
        return Eye(e.arg.rows)
    split = _scalar_factor(e.arg)
    if split is not None:
        s, rest, sign = split
        return Neg(Call("diag", rest)) if sign else MatMul(s, Call("diag", rest))


@KRONECKER("commutation matrix")
def commutation_identities(e: Expr):
    """K(m, 1) = K(1, m) = I, K(m, n)ᵀ = K(n, m)"""
    if isinstance(e, Commutation) and (e.m == 1 or e.n == 1):
        return Eye(dim_mul(e.m, e.n))
    if isinstance(e, Transpose) and isinstance(e.arg, Commutation):
        return Commutation(e.arg.n, e.arg.m)


def _chain(e: Expr) -> list[Expr] | None:
    """The matrix factors of a product chain (1×1 factors dropped), or None for a scaled product."""
    if isinstance(e, MatMul):
        if e.left.shape.is_scalar or e.right.shape.is_scalar:
            return [e.right] if e.left.shape.is_scalar and not e.right.shape.is_scalar else None
        left, right = _chain(e.left), _chain(e.right)
        return None if left is None or right is None else left + right
    return [e]


def _transpose_of(a: Expr, b: Expr) -> bool:
    return a == transpose(b)


def symmetric_form(e: Expr) -> bool:
    """e is symmetric by its form: what ``algebra.symmetric`` knows, diag(a), K(n, n), Kronecker
    products, sums and scalings of symmetric matrices, and chains Pᵀ S P with S symmetric."""
    if isinstance(e, Let):
        return symmetric_form(e.body)
    if symmetric(e):
        return True
    if isinstance(e, Call) and ops.get(e.fn).symmetry == "always":
        return True
    if isinstance(e, Commutation):
        return e.m == e.n
    if isinstance(e, Kron):
        return symmetric_form(e.left) and symmetric_form(e.right)
    if isinstance(e, (Neg, Div)):
        return symmetric_form(e.arg if isinstance(e, Neg) else e.left)
    if isinstance(e, Add):
        return all(symmetric_form(t) for t in e.terms)
    if isinstance(e, MatMul):
        if e.left.shape.is_scalar:
            return symmetric_form(e.right)
        chain = _chain(e)
        if chain is None:
            return False
        k = len(chain)
        for i in range(k // 2):
            if not _transpose_of(chain[i], chain[k - 1 - i]):
                return False
        return k % 2 == 0 or symmetric_form(chain[k // 2])
    return False


@KRONECKER("symmetric by its form")
def transpose_symmetric_form(e: Expr):
    """Aᵀ = A for A symmetric by its form (diag(a), Pᵀ S P, A ⊗ B with A, B symmetric, ...)"""
    if isinstance(e, Transpose) and e.arg.shape.is_square and symmetric_form(e.arg):
        return e.arg
