"""``matcalc recheck``'s own definitions of the functions through a spectrum, on truncated series in t:
a matrix of series A(t) = Σₖ Aₖ tᵏ (k < L) is held as its coefficient matrices A₀, …, A_{L-1} (Arb balls).
Shares no code with ``matcalc.checker`` (which evaluates these by other theorems):

- expm: A(t) as a matrix over R[t]/(t^L) is represented by the block lower-triangular Toeplitz matrix
  with blocks A_{r-c}, an algebra homomorphism, so Arb's ``arb_mat.exp`` of it holds expm(A(t));
- sqrtm: Y₀ = R √Λ R⁻¹ from Arb's certified eigen-decomposition of A₀, then the identity Y² = A order by
  order: Y₀ Yₖ + Yₖ Y₀ = Aₖ − Σ_{0<i<k} Yᵢ Y_{k−i}, a Sylvester equation solved as
  (I ⊗ Y₀ + Y₀ᵀ ⊗ I) vec(Yₖ) = vec(…);
- logm: Y₀ = R log(Λ) R⁻¹, then exp(Y) = A order by order: L_exp(Y₀, Yₖ) = Aₖ − [tᵏ] exp(Σ_{i<k} Yᵢ tⁱ),
  L_exp(Y₀, ·) as an n²×n² matrix from the blocks exp([[Y₀, Eᵢⱼ], [0, Y₀]]);
- a symmetric A(t)'s eigenpairs: λ₀, v₀ from the certified decomposition, then (A − λ)v = 0, v₀ᵀ v = 1 order
  by order (a bordered linear system), v normalised to unit length with its largest entry positive.
"""
from __future__ import annotations

from flint import acb, acb_mat, arb, arb_mat


class Unclear(ArithmeticError):
    """Balls too wide to decide (eigenvalues not isolated, an eigenvalue near the branch cut)."""


class Outside(ArithmeticError):
    """Certainly outside the domain (a negative real eigenvalue under logm or sqrtm)."""


def _zero(n: int, m: int | None = None) -> arb_mat:
    return arb_mat(n, n if m is None else m)


def _block(blocks: dict, n: int, k: int) -> arb_mat:
    """The (k·n)×(k·n) matrix with the n×n blocks {(r, c): B}."""
    big = arb_mat(k * n, k * n)
    for (r, c), B in blocks.items():
        for i in range(n):
            for j in range(n):
                big[r * n + i, c * n + j] = B[i, j]
    return big


def _part(big: arb_mat, r: int, c: int, n: int) -> arb_mat:
    return arb_mat([[big[r * n + i, c * n + j] for j in range(n)] for i in range(n)])


def exp_series(A: list) -> list:
    """expm(A(t)) by the regular representation of R[t]/(t^L)."""
    n, L = A[0].nrows(), len(A)
    E = _block({(r, c): A[r - c] for r in range(L) for c in range(r + 1)}, n, L).exp()
    return [_part(E, k, 0, n) for k in range(L)]


def _eigen(A0: arb_mat):
    try:
        lam, L, R = acb_mat(A0).eig(left=True, right=True)
    except (ValueError, ZeroDivisionError):
        raise Unclear("eigenvalues not isolated") from None
    return lam, R, L


def _real(A: acb_mat) -> arb_mat:
    return arb_mat([[A[i, j].real for j in range(A.ncols())] for i in range(A.nrows())])


def _principal(name: str, A0: arb_mat) -> arb_mat:
    """logm or sqrtm of A₀ = R Λ R⁻¹: R f(Λ) R⁻¹."""
    lam, R, L = _eigen(A0)
    for z in lam:
        if z.imag.contains(0) and not z.real > 0:
            raise Outside(f"{name}: a negative real eigenvalue") if z.real < 0 else Unclear(f"{name}: near the cut")
    f = [z.log() if name == "logm" else z.sqrt() for z in lam]
    n = len(lam)
    return _real(R * acb_mat([[f[i] if i == j else acb(0) for j in range(n)] for i in range(n)]) * L)


def _vec(M: arb_mat) -> arb_mat:
    n, m = M.nrows(), M.ncols()
    return arb_mat([[M[i, j]] for j in range(m) for i in range(n)])


def _unvec(v: arb_mat, n: int) -> arb_mat:
    return arb_mat([[v[j * n + i, 0] for j in range(n)] for i in range(n)])


def _kron(A: arb_mat, B: arb_mat) -> arb_mat:
    p, q = B.nrows(), B.ncols()
    return arb_mat([[A[i // p, j // q] * B[i % p, j % q] for j in range(A.ncols() * q)]
                    for i in range(A.nrows() * p)])


def _identity(n: int) -> arb_mat:
    return arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])


def sqrt_series(A: list) -> list:
    n = A[0].nrows()
    Y = [_principal("sqrtm", A[0])]
    S = _kron(_identity(n), Y[0]) + _kron(Y[0].transpose(), _identity(n))
    for k in range(1, len(A)):
        rhs = A[k]
        for i in range(1, k):
            rhs = rhs - Y[i] * Y[k - i]
        Y.append(_unvec(S.solve(_vec(rhs)), n))
    return Y


def log_series(A: list) -> list:
    n = A[0].nrows()
    Y = [_principal("logm", A[0])]
    if len(A) == 1:
        return Y
    columns = []
    for j in range(n):
        for i in range(n):
            E = _zero(n)
            E[i, j] = 1
            big = _block({(0, 0): Y[0], (0, 1): E, (1, 1): Y[0]}, n, 2).exp()
            columns.append(_vec(_part(big, 0, 1, n)))
    K = arb_mat([[columns[c][r, 0] for c in range(n * n)] for r in range(n * n)])
    for k in range(1, len(A)):
        known = exp_series(Y + [_zero(n)] * (k + 1 - len(Y)))
        Y.append(_unvec(K.solve(_vec(A[k] - known[k])), n))
    return Y


def symmetric_pairs(A: list) -> list:
    """[(λ(t) coefficients, v(t) coefficient columns)] ascending, with v₀ᵀ v(t) = 1 (not yet unit)."""
    n = A[0].nrows()
    lam, R, _ = _eigen(A[0])
    order = sorted(range(n), key=lambda k: lam[k].real.mid())
    out = []
    for k in order:
        l0 = lam[k].real
        col = [R[i, k] for i in range(n)]
        top = max(range(n), key=lambda i: abs(col[i]).mid())
        v0 = [(x / col[top]).real for x in col]
        norm = sum((x * x for x in v0), arb(0)).sqrt()
        v0 = arb_mat([[x / norm] for x in v0])
        border = arb_mat(n + 1, n + 1)
        for i in range(n):
            for j in range(n):
                border[i, j] = A[0][i, j] - (l0 if i == j else 0)
            border[i, n] = -v0[i, 0]
            border[n, i] = v0[i, 0]
        ls, vs = [l0], [v0]
        for m in range(1, len(A)):
            rhs = _zero(n, 1)
            for i in range(1, m + 1):
                rhs = rhs - A[i] * vs[m - i]
            for i in range(1, m):
                rhs = rhs + vs[m - i] * ls[i]
            sol = border.solve(arb_mat([[rhs[i, 0]] for i in range(n)] + [[0]]))
            vs.append(arb_mat([[sol[i, 0]] for i in range(n)]))
            ls.append(sol[n, 0])
        out.append((ls, vs))
    return out
