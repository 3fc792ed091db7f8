"""The Daleckii–Krein form of a primary matrix function's Fréchet derivative at a symmetric point."""
from __future__ import annotations

from ... import ops
from ...expr import Add, Call, EDiv, Entrywise, Expr, Eye, Frechet, Hadamard, MatMul, Neg, Ones, Transpose
from .algebra import ALGEBRA, symmetric


@ALGEBRA("Daleckii–Krein form (symmetric argument)")
def daleckii_krein(e: Expr):
    """L_f(S, E) = U (F ∘ (Uᵀ E U)) Uᵀ for a symmetric S = U diag(λ) Uᵀ with simple eigenvalues, F the divided
    differences of f at λ: F = (f(λ) 1ᵀ − 1 f(λ)ᵀ + diag(f'(λ))) ./ (λ 1ᵀ − 1 λᵀ + I) (Daleckii & Krein 1965;
    Higham 2008, Thm 3.11)"""
    if not isinstance(e, Frechet) or not symmetric(e.at):
        return None
    f, n = ops.get(e.fn).spectral_function, e.shape.rows
    U, lam = Call("eigvecs", e.at), Call("eigvals", e.at)
    one = Ones(n)

    def across(v: Expr) -> Expr:
        """v 1ᵀ − 1 vᵀ: entry (i, j) is vᵢ − vⱼ."""
        return Add((MatMul(v, Transpose(one)), Neg(MatMul(one, Transpose(v)))))

    F = EDiv(Add((across(Entrywise(f, lam)), Call("diag", Entrywise(f, lam, 1)))), Add((across(lam), Eye(n))))
    return MatMul(MatMul(U, Hadamard(F, MatMul(MatMul(Transpose(U), e.direction), U))), Transpose(U))
