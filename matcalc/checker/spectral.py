"""Functions of a matrix defined through its spectrum, on matrices of the checker's numbers:
the primary functions expm, logm, sqrtm and their Fréchet derivatives, and the eigenvalues and
eigenvectors of a symmetric matrix. Nothing here knows a derivative rule of these functions.

A matrix M of ring numbers (ring.py) is a matrix over a commutative algebra: M = Σₘ Mₘ m, m running
over monomials of nilpotent generators (each ε of a Tan, each δ of a Pair; εᵢεⱼ = 0, δ² = 0), Mₘ plain
ball matrices. A primary function commutes with algebra homomorphisms, so:

- expm: for each maximal monomial T, the quotient algebra spanned by the monomials dividing T is
  represented by block matrices (its regular representation, an injective homomorphism); Arb's
  certified ``arb_mat.exp`` of the block matrix holds every coordinate of expm(M) below T. (With one
  generator this is exp([[X, E], [0, X]]) = [[eˣ, L(X, E)], [0, eˣ]], Mathias 1996.)
- logm, sqrtm: in the eigenbasis of the constant part X = R Λ L (Arb's certified eigen-decomposition,
  L = R⁻¹, simple eigenvalues), M becomes Λ + N with N nilpotent, and exactly
  f(Λ + N)ᵢⱼ = Σ over paths i = k₀, k₁, …, k_r = j of f[λ_k₀, …, λ_k_r] N_k₀k₁ ⋯ N_k_{r-1}k_r,
  with f[…] divided differences (Daleckii–Krein for r = 1); the sum stops where products of N vanish.
- The Fréchet derivative L_f(A, E) is the η-coefficient of f(A + η E), η one more generator.
- Symmetric eigenpairs: Arb's certified eigenvectors made real, unit and sign-fixed give U, Λ; the
  exact eigenpair of U ᵀ M U = Λ + N near (λᵢ, eᵢ) is the fixed point of
  λ = λᵢ + Nᵢᵢ + Σₖ Nᵢₖ wₖ,  wⱼ = (Nⱼᵢ + Σₖ Nⱼₖ wₖ) / (λ − λⱼ)  (j, k ≠ i),
  reached in as many iterations as the longest non-vanishing product, in the ring itself.
"""
from __future__ import annotations

from itertools import product

from flint import acb, acb_mat, acb_series, arb, arb_mat, arb_poly, ctx, fmpq

from .functions import builtin
from .ring import DomainError, NotExact, Pair, Singular, Tan, Undecided, base, depth, inverse

Monomial = frozenset  # of generators: ("e", i) for a Tan's εᵢ, ("d", level) for a Pair's δ, ("h",) for η
ONE_MONOMIAL: Monomial = frozenset()
ETA = ("h",)


# --- a matrix over the algebra, by monomials ------------------------------------------------------

def _coordinates(v) -> dict:
    """{monomial: arb} of one ring number."""
    if type(v) is Tan and type(v.x) is not fmpq:
        out = {ONE_MONOMIAL: v.x}
        out.update((frozenset({("e", i)}), c) for i, c in enumerate(v.d.coeffs()) if c != 0)
        return out
    if type(v) is Pair and type(base(v)) is not fmpq:
        out = _coordinates(v.x)
        g = ("d", depth(v))
        out.update((m | {g}, c) for m, c in _coordinates(v.d).items())
        return out
    if type(base(v)) is fmpq:
        raise NotExact("a matrix function has no rational value")
    return {ONE_MONOMIAL: v}


def split(M: list) -> dict[Monomial, arb_mat]:
    """M = Σₘ Mₘ m: the constant part (monomial ∅) and every monomial's coefficient matrix."""
    n, c = len(M), len(M[0])
    parts: dict[Monomial, list] = {}
    for i, row in enumerate(M):
        for j, v in enumerate(row):
            for m, x in _coordinates(v).items():
                parts.setdefault(m, [[arb(0)] * c for _ in range(n)])[i][j] = x
    parts.setdefault(ONE_MONOMIAL, [[arb(0)] * c for _ in range(n)])
    return {m: arb_mat(rows) for m, rows in parts.items()}


def _layout(v):
    """The nesting of a ring number: None (a ball), ("tan", k), or ("pair", level, inner)."""
    if type(v) is Tan:
        return ("tan", len(v.d.coeffs()))
    if type(v) is Pair:
        return ("pair", depth(v), _merged(_layout(v.x), _layout(v.d)))
    return None


def _merged(a, b):
    if a is None or b is None:
        return a if b is None else b
    if a[0] == "tan":
        return ("tan", max(a[1], b[1]))
    return ("pair", a[1], _merged(a[2], b[2]))


def layout(M: list):
    """The nesting that holds every entry of M (the results are built in it)."""
    out = None
    for row in M:
        for v in row:
            out = _merged(out, _layout(v))
    return out


def _number(coords: dict, lay):
    """The ring number with these coordinates, in nesting ``lay``."""
    if lay is None:
        return coords.get(ONE_MONOMIAL, arb(0))
    if lay[0] == "tan":
        return Tan(coords.get(ONE_MONOMIAL, arb(0)),
                   arb_poly([coords.get(frozenset({("e", i)}), arb(0)) for i in range(lay[1])]))
    g = ("d", lay[1])
    return Pair(_number({m: c for m, c in coords.items() if g not in m}, lay[2]),
                _number({m - {g}: c for m, c in coords.items() if g in m}, lay[2]))


def joined(parts: dict[Monomial, arb_mat], lay) -> list:
    """The matrix of ring numbers Σₘ partsₘ m, in nesting ``lay``."""
    first = next(iter(parts.values()))
    return [tuple(_number({m: p[i, j] for m, p in parts.items()}, lay) for j in range(first.ncols()))
            for i in range(first.nrows())]


def times(a: Monomial, b: Monomial) -> Monomial | None:
    """The product of two monomials, None where it vanishes (a generator twice, or two ε's)."""
    if a & b or (any(g[0] == "e" for g in a) and any(g[0] == "e" for g in b)):
        return None
    return a | b


def _sequences(present: list[Monomial]):
    """Every ordered sequence of non-constant monomials whose product does not vanish, with its product."""
    stack = [((m,), m) for m in present]
    while stack:
        seq, p = stack.pop()
        yield seq, p
        for m in present:
            q = times(p, m)
            if q is not None:
                stack.append((seq + (m,), q))


# --- primary functions -------------------------------------------------------------------------------

def _exp_parts(parts: dict[Monomial, arb_mat]) -> dict[Monomial, arb_mat]:
    """expm of Σₘ Mₘ m, one regular representation per maximal monomial."""
    present = [m for m in parts if m]
    products = {p for _, p in _sequences(present)}
    tops = [t for t in products if not any(t < u for u in products)] or [ONE_MONOMIAL]
    n = parts[ONE_MONOMIAL].nrows()
    out: dict[Monomial, arb_mat] = {}
    for top in tops:
        basis = [m for m in products | {ONE_MONOMIAL} if m <= top]
        index = {m: k for k, m in enumerate(basis)}
        big = arb_mat(n * len(basis), n * len(basis))
        for col in basis:  # block (row, col) = M_{row / col} where col divides row
            for m, P in parts.items():
                if m <= top and times(m, col) is not None:
                    r = index[m | col]
                    for i in range(n):
                        for j in range(n):
                            big[r * n + i, index[col] * n + j] = P[i, j]
        E, c = big.exp(), index[ONE_MONOMIAL] * n  # the coordinates of expm(M) are its blocks (m, ∅)
        for m in basis:
            k = index[m] * n
            out.setdefault(m, arb_mat([[E[k + i, c + j] for j in range(n)] for i in range(n)]))
    return out


#: The scalar function of each primary function, on power series.
SERIES = {"expm": lambda s: s.exp(), "logm": lambda s: s.log(), "sqrtm": lambda s: s.sqrt()}


def _off_the_cut(name: str, lam: acb, scale) -> None:
    """logm and sqrtm need no eigenvalue on the closed negative real axis (their principal branch).
    An isolated eigenvalue of a real matrix whose ball meets the real axis is real; one within
    2^(-prec/2) of ``scale`` around 0 makes the matrix singular to within rounding."""
    if name == "expm" or not lam.imag.contains(0) or lam.real > 0:
        return
    if lam.real < 0:
        raise DomainError(f"{name} of a matrix with a negative real eigenvalue")
    if abs(lam).upper() <= scale * arb(2) ** (-(ctx.prec // 2)):
        raise Singular(f"{name}: an eigenvalue 0 to within rounding")
    raise Undecided(f"{name}: an eigenvalue not certainly off the negative real axis")


def eigen(X: arb_mat):
    """(λ, R, L) with X = R diag(λ) L, L = R⁻¹, certified; Undecided where eigenvalues are not isolated."""
    try:
        lam, L, R = acb_mat(X).eig(left=True, right=True)
    except (ValueError, ZeroDivisionError):
        if _nearly_singular(X):
            raise Singular("a matrix singular to within rounding (a repeated eigenvalue 0)") from None
        raise Undecided("eigenvalues that are repeated or not isolated at this precision") from None
    return lam, R, L


def _nearly_singular(X: arb_mat) -> bool:
    """|det X| ≤ 2^(-prec/2) of its scale (the largest entry to the n-th power)."""
    n = X.nrows()
    scale = max((abs(x).upper() for x in X.entries()), default=arb(0)) ** n
    return abs(X.det()).upper() <= scale * arb(2) ** (-(ctx.prec // 2))


class _Divided:
    """Divided differences f[λ_k₀, …, λ_k_r] of f at the eigenvalues, by index (equal index: equal point)."""

    def __init__(self, name: str, lam: list):
        self.f, self.lam, self.memo = SERIES[name], lam, {}

    def __call__(self, idx: tuple) -> acb:
        idx = tuple(sorted(idx))
        if idx not in self.memo:
            if idx[0] == idx[-1]:  # f⁽ʳ⁾(λ)/r!, the Taylor coefficient
                r = len(idx) - 1
                c = self.f(acb_series([self.lam[idx[0]], 1], prec=r + 1)).coeffs()
                self.memo[idx] = c[r] if r < len(c) else acb(0)
            else:
                self.memo[idx] = (self(idx[1:]) - self(idx[:-1])) / (self.lam[idx[-1]] - self.lam[idx[0]])
            if not self.memo[idx].is_finite():
                raise Undecided("a divided difference that is not a finite ball")
        return self.memo[idx]


def _eigen_parts(name: str, parts: dict[Monomial, arb_mat]) -> dict[Monomial, arb_mat]:
    """f(Σₘ Mₘ m) by the path sums of divided differences in the constant part's eigenbasis."""
    lam, R, L = eigen(parts[ONE_MONOMIAL])
    scale = max(abs(z).upper() for z in lam)
    for z in lam:
        _off_the_cut(name, z, scale)
    n = len(lam)
    dd = _Divided(name, lam)
    N = {m: L * acb_mat(P) * R for m, P in parts.items() if m}
    eig: dict[Monomial, acb_mat] = {ONE_MONOMIAL: acb_mat([[dd((i,)) if i == j else acb(0) for j in range(n)]
                                                          for i in range(n)])}
    for seq, p in _sequences(list(N)):
        S = acb_mat(n, n)
        for i in range(n):
            for j in range(n):
                total = acb(0)
                for inner in product(range(n), repeat=len(seq) - 1):
                    path = (i,) + inner + (j,)
                    term = dd(path)
                    for t, m in enumerate(seq):
                        term *= N[m][path[t], path[t + 1]]
                    total += term
                S[i, j] = total
        eig[p] = eig[p] + S if p in eig else S
    return {m: real(R * F * L) for m, F in eig.items()}


def real(A: acb_mat) -> arb_mat:
    """The real matrix a complex ball matrix encloses (its imaginary parts must hold 0)."""
    rows = []
    for i in range(A.nrows()):
        row = []
        for j in range(A.ncols()):
            z = A[i, j]
            if not z.imag.contains(0):
                raise ArithmeticError("a real matrix function came out complex")
            row.append(z.real)
        rows.append(row)
    return arb_mat(rows)


def function_parts(name: str, parts: dict[Monomial, arb_mat]) -> dict[Monomial, arb_mat]:
    """f(Σₘ Mₘ m) for the primary function ``name``, by monomials."""
    if not all(x.is_finite() for P in parts.values() for x in P.entries()):
        raise Undecided("a matrix that is not finite")
    if name == "expm":
        return _exp_parts(parts)
    return _eigen_parts(name, parts)


def primary(name: str, M: list) -> list:
    """f(M) for f one of expm, logm, sqrtm, M a square matrix of ring numbers."""
    return joined(function_parts(name, split(M)), layout(M))


def frechet(name: str, A: list, E: list) -> list:
    """L_f(A, E), the η-coefficient of f(A + η E)."""
    parts = split(A)
    for m, P in split(E).items():
        parts[m | {ETA}] = P
    out = {m - {ETA}: P for m, P in function_parts(name, parts).items() if ETA in m}
    n = len(A)
    out.setdefault(ONE_MONOMIAL, arb_mat(n, n))
    return joined(out, _merged(layout(A), layout(E)))


# --- eigenvalues and eigenvectors of a symmetric matrix ------------------------------------------

def symmetric_eigen(S: arb_mat):
    """(λ ascending, U) with S = U diag(λ) Uᵀ, each column of U a unit eigenvector whose entry of
    largest magnitude is positive. DomainError for a matrix certainly not symmetric."""
    n = S.nrows()
    for i in range(n):
        for j in range(i):
            if not S[i, j].overlaps(S[j, i]):
                raise DomainError("eigenvalues of a matrix that is not symmetric")
    lam, R, _ = eigen(S)
    order = sorted(range(n), key=lambda k: lam[k].real.mid())
    values = [lam[k].real for k in order]
    if any(not (a < b) for a, b in zip(values, values[1:])):
        raise Undecided("eigenvalues not certainly ordered")
    columns = []
    for k in order:
        v = [R[i, k] for i in range(n)]
        top = _largest(v)
        v = [(x / v[top]).real for x in v]  # the true ratio is real: an eigenvector of a real symmetric S
        norm = sum((x * x for x in v), arb(0)).sqrt()
        columns.append([x / norm for x in v])
    U = arb_mat([[columns[k][i] for k in range(n)] for i in range(n)])
    return values, U


def _largest(v: list) -> int:
    """The index of the entry certainly largest in magnitude (Undecided when two may tie)."""
    mags = [abs(x) for x in v]
    top = max(range(len(v)), key=lambda i: mags[i].mid())
    if any(i != top and not (mags[top] > mags[i]) for i in range(len(v))):
        raise Undecided("the eigenvector sign convention: two entries of nearly equal magnitude")
    return top


def _eigenpairs(M: list):
    """[(λᵢ, vᵢ)] of a symmetric M of ring numbers, ascending, vᵢ unit with its sign convention; a direction
    that is certainly not symmetric leaves the domain (DomainError)."""
    n = len(M)
    for m, P in split(M).items():
        if m and not all(P[i, j].overlaps(P[j, i]) for i in range(n) for j in range(i)):
            raise DomainError("eigenvalues along a direction that is not symmetric")
    values, U = symmetric_eigen(arb_mat([[base(v) for v in row] for row in M]))
    if n == 1:
        return [(M[0][0], [arb(1)])]
    from .evaluate import matmul  # (evaluate imports this module)

    Ut = [tuple(U[j, i] for j in range(n)) for i in range(n)]
    Um = [tuple(U[i, j] for j in range(n)) for i in range(n)]
    N = matmul(matmul(Ut, [tuple(_nilpotent(v) for v in row) for row in M]), Um)
    rounds = max(depth(v) for row in M for v in row)
    pairs = []
    for i in range(n):
        lam, w = values[i], [arb(0)] * n
        for _ in range(rounds):
            lam_next = values[i] + N[i][i] + _total(N[i][k] * w[k] for k in range(n) if k != i)
            w = [arb(0) if j == i else (N[j][i] + _total(N[j][k] * w[k] for k in range(n) if k != i))
                 * inverse(lam_next - values[j]) for j in range(n)]
            lam = lam_next
        v = [U[r, i] + _total(U[r, k] * w[k] for k in range(n) if k != i) for r in range(n)]
        norm = _total(x * x for x in v)
        scale = inverse(builtin("sqrt", norm, 0))
        pairs.append((lam, [x * scale for x in v]))
    return pairs


def _nilpotent(v):
    """v without its constant term (exactly 0 there)."""
    if type(v) is Tan:
        return Tan(arb(0), v.d)
    if type(v) is Pair:
        return Pair(_nilpotent(v.x), v.d)
    return arb(0)


def _total(xs):
    """Σ xs in the ring (0 for none)."""
    return sum(xs, arb(0))


def eigvals(M: list) -> list:
    """The eigenvalues of a symmetric M, ascending, as a column."""
    return [(lam,) for lam, _ in _eigenpairs(M)]


def eigvecs(M: list) -> list:
    """The matching unit eigenvectors of a symmetric M as columns, each with its largest entry positive."""
    pairs = _eigenpairs(M)
    return [tuple(v[r] for _, v in pairs) for r in range(len(M))]
