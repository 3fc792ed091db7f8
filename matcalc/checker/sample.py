"""Random points for an instance: exact rational entries at the instance's scale, symmetric
where declared, determinants of planned signs, assumptions met inside the declared structure;
and the domain restrictions a claim needs.

A symbol is restricted only where the domain requires it: positive when it is itself the
argument of log, sqrt or a fractional power; det > 0 when it is itself the argument of
logdet. Everything else is sampled freely over both signs, and a point where some argument
leaves its domain is drawn again; only when that keeps failing are the symbols under the
failing argument made positive, and the verdict says so.
"""
from __future__ import annotations

import random
from fractions import Fraction

from flint import arb, ctx, fmpq, fmpq_mat

from ..errors import MatcalcError
from ..expr import Call, Entrywise, EPower, Expr, Frechet, Let, Power, Sym, Transpose, distinct_nodes
from .decide import BUDGET
from .evaluate import NEEDS, Bindings, Matrix, evaluate
from .functions import SERIES
from .ring import NotExact, Undecided

#: bits for meeting an assumption with an irrational constant: beyond every comparison's precision, and few
#: enough for the point's rationals to print (about 2,200 digits)
ASSUMPTION_PREC = BUDGET + 1024


def _core(e: Expr) -> Expr:
    while isinstance(e, (Let, Transpose)):
        e = e.body if isinstance(e, Let) else e.arg
    return e


def required(exprs: list[Expr]) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """What the domain requires of the symbols themselves: {symbol: reason} for those that must
    be positive (the argument of log, sqrt, a fractional power) and for those whose determinant
    must be positive (the argument of logdet); and the square symbols under det, logdet or inv."""
    positive: dict[str, str] = {}
    det_positive: dict[str, str] = {}
    invertible: set[str] = set()
    for n in distinct_nodes(*exprs):
        if _needs_positive(n) and isinstance(_core(_argument(n)), Sym):
            positive.setdefault(_core(_argument(n)).name, str(n))
        needs = NEEDS.get(n.fn, ()) if isinstance(n, Call) else ()
        if "invertible" in needs:
            invertible |= {s.name for s in distinct_nodes(n.arg) if isinstance(s, Sym)}
        if "det positive" in needs and isinstance(_core(n.arg), Sym):
            det_positive.setdefault(_core(n.arg).name, str(n))
    return positive, det_positive, invertible


def drawn_symbols(exprs: list[Expr]) -> dict[str, str]:
    """The symbols drawn for what a function of them needs (``DRAWN``): symbol -> that need. A symbol is
    drawn so when it is itself the argument of such a function (chol(S), logm(X)), and so is every symbol
    declared symmetric inside such an argument (chol(S + S), chol(S + B Bᵀ))."""
    out: dict[str, str] = {}
    for n in distinct_nodes(*exprs):
        if not isinstance(n, (Call, Frechet)):
            continue
        point = n.arg if isinstance(n, Call) else n.at  # frechet(logm, X, E) needs what logm(X) needs
        for need in NEEDS.get(n.fn, ()):
            if need in DRAWN:
                out.update((s.name, need) for s in distinct_nodes(point)
                           if isinstance(s, Sym) and (s.symmetric or s is _core(point)))
    return out


#: The smallest shift of a positive definite point, 2^-ILL_CONDITIONED of its factor's largest entry squared.
ILL_CONDITIONED = 40


def positive_definite(a: Matrix, rng: random.Random) -> Matrix:
    """a aᵀ + t I, exact rationals: symmetric positive definite with smallest eigenvalue at least t, t from
    1 down to 2^-40 of a's largest entry squared; half the time a's last column is dropped (a aᵀ then has
    rank n - 1), so the smallest eigenvalue is t itself: well and very badly conditioned points both occur."""
    n = len(a)
    t = max(abs(x) for r in a for x in r) ** 2 * fmpq(1, 2 ** rng.randint(0, ILL_CONDITIONED))
    k = n - 1 if n > 1 and rng.random() < 0.5 else n
    return [[sum((a[i][c] * a[j][c] for c in range(k)), t if i == j else fmpq(0)) for j in range(n)] for i in range(n)]


#: The bits b of a complex pair −1 ± i 2⁻ᵇ drawn near the negative real axis (its argument within 2⁻ᵇ of π).
NEAR_THE_CUT = range(1, 13)


def _shifted(a: Matrix, r) -> Matrix:
    return [[x + r if i == j else x for j, x in enumerate(row)] for i, row in enumerate(a)]


def off_the_negative_axis(a: Matrix, rng: random.Random) -> Matrix:
    """A point for logm and sqrtm, each way a third of the time: a + t I with every eigenvalue's real part
    positive (t = 5/4 of a's largest absolute row sum, Gershgorin); a + t I with t = 2⁻ᵏ of it (k from 1 to
    6), a spectrum straddling the imaginary axis (a point on the negative axis is drawn again); or a complex
    pair close to the cut: P diag([[−1, ε], [−ε, −1]], C) P⁻¹ times a's scale, ε = 2⁻ᵇ (b in NEAR_THE_CUT), C
    the rest shifted right, P = I + a/4n. A symmetric a has no complex pair: its third way is positive definite
    with eigenvalues down to 2⁻⁴⁰ of its scale, next to the branch point 0."""
    n, way = len(a), rng.randrange(3)
    r = max(sum(abs(x) for x in row) for row in a)
    if way == 0 or n == 1:
        return _shifted(a, r * fmpq(5, 4))
    if way == 1:
        return _shifted(a, r * fmpq(1, 2 ** rng.randint(1, 6)))
    if a == symmetrised(a):
        return positive_definite(a, rng)
    scale, eps = max(abs(x) for row in a for x in row), fmpq(1, 2 ** rng.choice(NEAR_THE_CUT))
    B = [[fmpq(0)] * n for _ in range(n)]
    B[0][0] = B[1][1] = -scale
    B[0][1], B[1][0] = eps * scale, -eps * scale
    for i in range(2, n):
        for j in range(2, n):
            B[i][j] = a[i][j] + (r * fmpq(5, 4) if i == j else 0)
    P = fmpq_mat([[(1 if i == j else 0) + x / (4 * n) for j, x in enumerate(row)] for i, row in enumerate(a)])
    X = P * fmpq_mat(B) * P.inv()
    return [[X[i, j] for j in range(n)] for i in range(n)]


#: How a square symbol is drawn for a need of ``NEEDS``.
DRAWN = {"positive definite": positive_definite, "spectrum off the negative axis": off_the_negative_axis}


def _needs_positive(n: Expr) -> bool:
    if isinstance(n, Entrywise) and n.fn in SERIES and SERIES[n.fn][1] == "positive":
        return True
    return isinstance(n, (Power, EPower)) and n.exponent.denominator != 1


def _argument(n: Expr) -> Expr:
    return n.base if isinstance(n, (Power, EPower)) else n.arg


def symbols_under(node: Expr) -> set[str]:
    """The symbols inside the argument of a node whose domain failed."""
    return {s.name for s in distinct_nodes(_argument(node)) if isinstance(s, Sym)} if _needs_positive(node) else set()


def random_matrix(rng: random.Random, rows: int, cols: int, *, positive: bool, dominant: bool,
                  scale: Fraction = Fraction(1), sign: int = 0) -> Matrix:
    """Non-zero rationals p/q of either sign in [-3, 3] (positive ones in (0, 3]; with ``sign``
    ±1, all of that sign), times ``scale``, each with its own denominator q in 5..31: no small
    grid that a claim could vanish on. A square ``dominant`` one gets ±(n+1) on its diagonal,
    each sign at random, so that it is well conditioned."""
    scale = fmpq(scale.numerator, scale.denominator)

    draw = rng.random

    def entry():
        q = 5 + int(27 * draw())
        p = 1 + int(3 * q * draw()) if positive or sign else 0
        while p == 0:
            p = int((6 * q + 1) * draw()) - 3 * q
        if sign < 0 and not positive:
            p = -p
        return fmpq(p, q) * scale

    m = [[entry() for _ in range(cols)] for _ in range(rows)]
    if dominant and rows == cols and not positive:
        m = [[x / 4 + (rng.choice((-1, 1)) * (rows + 1) * scale if i == j else 0) for j, x in enumerate(r)]
             for i, r in enumerate(m)]
    return m


def symmetrised(a: Matrix) -> Matrix:
    """a's upper triangle mirrored into its lower one: a symmetric matrix."""
    return [[a[min(i, j)][max(i, j)] for j in range(len(a))] for i in range(len(a))]


def rational_det(a: Matrix) -> Fraction:
    """det(a) of a rational matrix, exactly (Gaussian elimination in rationals)."""
    m = [[fmpq(x) for x in r] for r in a]
    n, det = len(m), fmpq(1)
    for c in range(n):
        p = next((r for r in range(c, n) if m[r][c] != 0), None)
        if p is None:
            return fmpq(0)
        if p != c:
            m[c], m[p], det = m[p], m[c], -det
        det *= m[c][c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return det


def with_det_sign(a: Matrix, sign: int) -> Matrix:
    """a, changed if need be so that det(a) has the given sign (or is 0): its first row negated;
    a symmetric a keeps its symmetry: a₁₁ moved by t = -2 det(a) / det(minor₁₁), which negates
    det(a) (det is linear in a₁₁ with slope det(minor₁₁)), unless that minor is singular."""
    det = rational_det(a)
    if det * sign >= 0:
        return a
    if a != symmetrised(a) or len(a) == 1:
        return [[-x for x in a[0]]] + a[1:]
    minor = rational_det([r[1:] for r in a[1:]])
    if minor == 0:
        return a
    return [[a[0][0] - 2 * det / minor] + a[0][1:]] + a[1:]


def _names(*exprs) -> list[str]:
    return sorted({n.name for n in distinct_nodes(*exprs) if isinstance(n, Sym)})


def assumed_symbol(assumption) -> str:
    """The symbol an equality constrains (scalar, row, column or matrix: each entry a constraint):
    its only symbol, or the only symbol of its left side when the right side does not use it (the
    right side's symbols are drawn at random: ``Y * ones(n) = c``); a MatcalcError otherwise."""
    names, left = _names(assumption.lhs, assumption.rhs), _names(assumption.lhs)
    if len(names) == 1:
        return names[0]
    if len(left) == 1 and left[0] not in _names(assumption.rhs):
        return left[0]
    raise MatcalcError(f"cannot honour assumption '{assumption}': it must be an equality in one symbol, or have one "
                       f"symbol on its left side, the one it constrains (it uses {', '.join(names) or 'none'})",
                       field="assume")


def check_assumptions(assume, wrt: str | None = None) -> None:
    """At most one assumption per symbol (each is honoured by moving its symbol, which would undo
    another's), and a constrained symbol used by no other assumption, nor tied by one to wrt."""
    seen: dict[str, object] = {}
    for a in assume:
        y = assumed_symbol(a)
        if y in seen:
            raise MatcalcError(f"cannot honour both '{seen[y]}' and '{a}': only one assumption per symbol is supported",
                               field="assume")
        seen[y] = a
        if wrt is not None and wrt != y and wrt in _names(a.lhs, a.rhs):
            raise MatcalcError(f"cannot honour assumption '{a}' here: it ties {y} to {wrt}, the symbol differentiated "
                               f"by (state it for {wrt}, or differentiate by {y})", field="assume")
    for a in assume:
        other = next((y for y, b in seen.items() if b is not a and y in _names(a.lhs, a.rhs)), None)
        if other is not None:
            raise MatcalcError(f"cannot honour both '{seen[other]}' and '{a}': meeting the first moves {other}, "
                               f"which the second uses", field="assume")


MAX_EXPONENT = 1 << 20  # a midpoint beyond 2^±MAX_EXPONENT is no rational a point should hold


def midpoint(x: arb) -> fmpq:
    """The midpoint of a ball, exactly (an arb's midpoint is a binary fraction); Undecided for a
    ball that is not finite or is beyond 2^±MAX_EXPONENT."""
    if not x.is_finite():
        raise Undecided("a value that is not a finite ball")
    if x.is_zero():
        return fmpq(0)
    man, exp = x.mid().man_exp()
    if abs(int(exp)) > MAX_EXPONENT:
        raise Undecided("a value too far beyond the point's scale")
    return fmpq(man) * fmpq(2) ** int(exp)


def satisfy(assumption, b: Bindings, symmetric: bool) -> tuple[str, list[list[fmpq]]]:
    """Make a linear equality g(Y) = lhs − rhs = 0 in one symbol Y hold, each entry of g a
    constraint ⟨a_k, Y⟩ + c_k = 0, by the least move of Y in the span of the normals a_k (their
    symmetric parts for a symmetric Y, which keeps Y symmetric): Y − Σ λ_k a_k with
    (A Aᵀ) λ = g(Y) over independent rows A. Returns (Y, those normals). g is evaluated in exact
    rationals where it has them (a mean's 1/n too: the point then meets it exactly), else at
    ASSUMPTION_PREC bits, far below every comparison's precision."""
    y = assumed_symbol(assumption)
    text = f"{assumption}"
    rows, cols = len(b.values[y]), len(b.values[y][0])

    def g(vals: Matrix, exact: bool) -> list:
        at = Bindings({**b.values, y: vals}, b.dims, b.elementwise, b.scalar, exact=exact)
        lhs, rhs = evaluate(assumption.lhs, at), evaluate(assumption.rhs, at)
        return [v - rhs[i % len(rhs)][j % len(rhs[0])] for i, r in enumerate(lhs) for j, v in enumerate(r)]

    def linear_parts(exact: bool):
        """g at 0, its columns (g at each unit matrix, less g at 0) and g at Y."""
        c = g([[fmpq(0)] * cols for _ in range(rows)], exact)
        units = [g([[fmpq(int(r * cols + k == i)) for k in range(cols)] for r in range(rows)], exact)
                 for i in range(rows * cols)]
        return c, [[v - ck for v, ck in zip(u, c)] for u in units], g(b.values[y], exact)

    current = [x for r in b.values[y] for x in r]
    try:  # in exact rationals where the assumption has them (1/n of a mean too): the point meets it exactly
        c, columns, at_y = linear_parts(True)
        exact, same, point = True, (lambda u, v: u == v), (lambda v: v)
    except NotExact:
        with ctx.workprec(ASSUMPTION_PREC):
            c, columns, at_y = linear_parts(False)
        exact, same, point = all(ck.rad() == 0 for ck in c), (lambda u, v: u.overlaps(v)), midpoint
    with ctx.workprec(ASSUMPTION_PREC):
        for k, value in enumerate(at_y):
            if not same(value, c[k] + sum((col[k] * v for col, v in zip(columns, current)), fmpq(0))):
                raise MatcalcError(f"cannot honour assumption '{text}': it is not a linear equality in {y}",
                                   field="assume")
        normals = [[point(col[k]) for col in columns] for k in range(len(c))]
        y0 = fmpq_mat([[v] for v in current])
        values = [point(ck) + a for ck, a in zip(c, _column(fmpq_mat(normals) * y0))]
    if symmetric:
        normals = [[(a[i] + a[(i % cols) * cols + i // cols]) / 2 for i in range(rows * cols)] for a in normals]
    independent = _independent(normals)
    if not independent:
        raise MatcalcError(f"cannot honour assumption '{text}': it does not constrain {y}"
                           + (" among symmetric matrices" if symmetric else ""), field="assume")
    basis = fmpq_mat([normals[k] for k in independent])
    lam = (basis * basis.transpose()).solve(fmpq_mat([[values[k]] for k in independent]))
    shift = basis.transpose() * lam  # the least move, Σ λ_k a_k
    moved = _column(y0 - shift)
    residual = [v - r for v, r in zip(values, _column(fmpq_mat(normals) * shift))]  # g at the moved point
    if any(r != 0 if exact else abs(r) > fmpq(1, 2 ** BUDGET) for r in residual):
        raise MatcalcError(f"cannot honour assumption '{text}': its equations contradict each other", field="assume")
    b.values[y] = [moved[r * cols:(r + 1) * cols] for r in range(rows)]
    b.cache.clear()
    return y, [normals[k] for k in independent]


def _column(m: fmpq_mat) -> list:
    """The entries of a one-column matrix."""
    return [m[i, 0] for i in range(m.nrows())]


def _independent(rows: list[list[fmpq]]) -> list[int]:
    """The indices of a maximal set of linearly independent rows, earliest first (exact elimination)."""
    kept: list[tuple[int, list[fmpq], int]] = []  # (index, reduced row, its pivot)
    out = []
    for k, row in enumerate(rows):
        r = list(row)
        for _, e, p in kept:
            if r[p]:
                t = r[p] / e[p]
                r = [x - t * z for x, z in zip(r, e)]
        pivot = next((i for i, x in enumerate(r) if x), None)
        if pivot is not None:
            kept.append((k, r, pivot))
            out.append(k)
    return out
