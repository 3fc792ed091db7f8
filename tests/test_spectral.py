"""The checker's functions through a spectrum (matcalc/checker/spectral.py): each method against an
independent one, on exact rational points, in Arb balls."""
from __future__ import annotations

import random

import pytest
from flint import arb, arb_mat, arb_poly, ctx, fmpq

from matcalc.checker import spectral as SP
from matcalc.checker.ring import DomainError, Pair, Tan, Undecided

PREC = 128


def _matrix(rng, n, shift=0, symmetric=False):
    m = [[fmpq(rng.randint(-9, 9), 8) + (shift if i == j else 0) for j in range(n)] for i in range(n)]
    if symmetric:
        m = [[m[min(i, j)][max(i, j)] for j in range(n)] for i in range(n)]
    return m


def _balls(m):
    return [tuple(arb(x) for x in r) for r in m]


def _jet(X, U, V):
    """X + ε₀ U + ε₁ Xᵀ (+ δ V): a matrix over the algebra, first or second order."""
    n = len(X)
    tan = [[Tan(arb(X[i][j]), arb_poly([arb(U[i][j]), arb(X[j][i])])) for j in range(n)] for i in range(n)]
    if V is None:
        return [tuple(r) for r in tan]
    return [tuple(Pair(tan[i][j], Tan(arb(V[i][j]), arb_poly([arb(1), arb(0)]))) for j in range(n)) for i in range(n)]


def _contain_each_other(A: dict, B: dict) -> bool:
    return set(A) == set(B) and all((A[m] - B[m]).contains(arb_mat(A[m].nrows(), A[m].ncols())) for m in A)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_exponential_by_representation_equals_exponential_by_divided_differences(n, order):
    """expm over the algebra: Arb's exp of the regular representation and the path sums of divided
    differences in the eigenbasis hold the same coordinates (two theorems, one answer)."""
    rng = random.Random(n * 10 + order)
    X, U, V = (_matrix(rng, n) for _ in range(3))
    with ctx.workprec(PREC):
        parts = SP.split(_jet(X, U, V if order == 2 else None))
        assert _contain_each_other(SP.function_parts("expm", parts), SP._eigen_parts("expm", parts))


def _difference(name, X, E, h):
    """(f(X + hE) − f(X − hE)) / 2h, in balls."""
    plus = SP.primary(name, [tuple(arb(X[i][j]) + h * arb(E[i][j]) for j in range(len(X))) for i in range(len(X))])
    minus = SP.primary(name, [tuple(arb(X[i][j]) - h * arb(E[i][j]) for j in range(len(X))) for i in range(len(X))])
    return [[(p - m) / (2 * h) for p, m in zip(rp, rm)] for rp, rm in zip(plus, minus)]


@pytest.mark.parametrize("name", ["expm", "logm", "sqrtm"])
def test_frechet_derivative_is_the_limit_of_difference_quotients(name):
    """L_f(X, E) agrees with the central difference at h = 2⁻⁸⁰ to its O(h²) (at 400 bits)."""
    rng = random.Random(7)
    X, E = _matrix(rng, 3, shift=4), _matrix(rng, 3)
    with ctx.workprec(400):
        L = SP.frechet(name, _balls(X), _balls(E))
        D = _difference(name, X, E, arb(2) ** -80)
        assert all(abs(a - b) < arb(2) ** -120 for ra, rb in zip(L, D) for a, b in zip(ra, rb))


def test_logarithm_and_root_invert_exponential_and_square():
    """expm(logm(X)) ∋ X and sqrtm(X)² ∋ X, for a non-symmetric X with a complex pair of eigenvalues."""
    X = [[fmpq(2), fmpq(-3)], [fmpq(3), fmpq(1)]]  # eigenvalues 3/2 ± i √35/2
    with ctx.workprec(PREC):
        L = arb_mat([list(r) for r in SP.primary("logm", _balls(X))])
        Y = arb_mat([list(r) for r in SP.primary("sqrtm", _balls(X))])
        assert (L.exp() - arb_mat(X)).contains(arb_mat(2, 2))
        assert (Y * Y - arb_mat(X)).contains(arb_mat(2, 2))


@pytest.mark.parametrize("name", ["logm", "sqrtm"])
def test_a_negative_real_eigenvalue_is_outside_the_principal_branch(name):
    with ctx.workprec(PREC), pytest.raises(DomainError):
        SP.primary(name, _balls([[fmpq(-2), fmpq(1)], [fmpq(0), fmpq(3)]]))


def test_repeated_eigenvalues_are_undecided_not_guessed():
    with ctx.workprec(PREC), pytest.raises(Undecided):
        SP.primary("logm", _balls([[fmpq(2), fmpq(0)], [fmpq(0), fmpq(2)]]))


def test_symmetric_eigenpairs_diagonalise_and_follow_the_sign_convention():
    """S U ∋ U Λ, Uᵀ U ∋ I, λ ascending, each column's largest-magnitude entry positive."""
    S = _matrix(random.Random(3), 4, symmetric=True)
    with ctx.workprec(PREC):
        lam, U = SP.symmetric_eigen(arb_mat(S))
        assert all(a < b for a, b in zip(lam, lam[1:]))
        D = arb_mat([[lam[i] if i == j else 0 for j in range(4)] for i in range(4)])
        assert (arb_mat(S) * U - U * D).contains(arb_mat(4, 4))
        assert (U.transpose() * U - arb_mat([[int(i == j) for j in range(4)] for i in range(4)])).contains(arb_mat(4, 4))
        for k in range(4):
            column = [U[i, k] for i in range(4)]
            assert max(column, key=lambda x: abs(x.mid())) > 0


def test_eigenpair_derivatives_are_the_limits_of_difference_quotients():
    """The fixed point's ε coefficients of eigvals and eigvecs against central differences (2⁻⁸⁰, 400 bits)."""
    rng = random.Random(5)
    S, E = _matrix(rng, 3, symmetric=True), _matrix(rng, 3, symmetric=True)
    with ctx.workprec(400):
        h = arb(2) ** -80
        jet = [tuple(Tan(arb(S[i][j]), arb_poly([arb(E[i][j])])) for j in range(3)) for i in range(3)]
        for fn in (SP.eigvals, SP.eigvecs):
            exact = fn(jet)
            plus = fn([tuple(arb(S[i][j]) + h * E[i][j] for j in range(3)) for i in range(3)])
            minus = fn([tuple(arb(S[i][j]) - h * E[i][j] for j in range(3)) for i in range(3)])
            for re, rp, rm in zip(exact, plus, minus):
                for e, p, m in zip(re, rp, rm):
                    assert abs(e.d.coeffs()[0] - (p - m) / (2 * h)) < arb(2) ** -120


def test_eigenvalues_of_a_matrix_certainly_not_symmetric_are_outside_the_domain():
    with ctx.workprec(PREC), pytest.raises(DomainError):
        SP.eigvals(_balls([[fmpq(1), fmpq(2)], [fmpq(0), fmpq(3)]]))
