"""Check a claimed gradient G of f with respect to X on concrete instances.

Two checks, both must pass: directional, (f(X + hV) - f(X - hV)) / 2h extrapolated by
Richardson against tr(Gᵀ V) for random V; and entrywise, every entry of G against the
partial derivative of f by that entry of X (at the first sizes). Numbers are compared
relative to their own size, with no absolute floor; when they differ, both are computed
again with a smaller step and more digits, and the claim is refuted only when the
difference exceeds what that second computation shows the rounding of the first to be.
"""
from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from ..declarations import Scope
from ..deep import deep
from ..errors import MatcalcError
from ..expr import KINKED, Entrywise, Expr, Num, Sym, distinct_nodes
from ..language import show
from .evaluate import Bindings, DomainError, Evaluator, Matrix, NotExact, OutOfTime, dot, largest, size, to_mpf
from .sample import (
    large_size, largest_number, check_assumptions, dimension_names, distinct_sizes, equal_sizes, random_matrix, required, satisfy, symmetrised,
    with_det_sign, symbols_under,
)
from .standins import function_choices

DEFAULT_DPS = 50
UNDEFINED = (DomainError, ZeroDivisionError, OverflowError, ValueError)  # what a point outside a domain raises
RESAMPLES = 12
PLAIN_DRAWS = 20  # draws of a plain invertible matrix until its diagonal's sign differs from its determinant's
HUGE_DIGITS = 100  # f beyond 10^HUGE_DIGITS: the point is drawn again closer to zero (exp(exp(...))), and said
#: (step 2^-k, guard digits) of the numeric derivative: the first, then each finer recomputation.
LEVELS = ((40, 60), (50, 90), (60, 120), (70, 160), (80, 200), (100, 320), (120, 700), (140, 1500))
STABLE = 5  # claims are evaluated with at least this level's digits (370): an ill-conditioned constant resolves
TIME_LIMIT = 60.0  # seconds for one check_all
#: How much farther out than usual the extra points go when an argument of abs or relu has kept
#: one sign at every point (f = sum(relu(X - 4)) is 0 wherever the entries are below 4); also
#: a few times beyond the largest number written in f or a claim.
SPREADS = (8, 64, 1024, 2**20)
TRIES_PER_SPREAD = 3
MAX_ENTRIES = 10_000  # entries of the largest matrix the checker will build
MAX_ENTRY_CHECKS = 36  # entrywise checks at most, on a random sample of a larger gradient
FEW_ENTRY_CHECKS = 3  # entrywise checks at the other distinct sizes (an error next to a large entry)
LARGE_ENTRY_CHECKS = 2  # at the large sizes, where every evaluation costs most: one on the diagonal, one off it
EXACT_DIM = 8  # above this size, exact rationals grow too slowly to be worth it: mpmath instead


@dataclass(frozen=True)
class Verdict:
    """holds / refuted / error, the largest relative error seen, and a counterexample when refuted."""

    status: str
    message: str
    max_error: float | None = None
    checks: int = 0
    counterexample: dict | None = field(default=None, compare=False)


def _fmt(x, digits: int = 6) -> str:
    if isinstance(x, Fraction):
        return str(x) if abs(x.denominator) < 1000 else mpmath.nstr(to_mpf(x), digits)
    if isinstance(x, int):
        return str(x)
    return mpmath.nstr(x, digits)


def format_matrix(a: Matrix) -> str:
    return "[" + "; ".join(" ".join(_fmt(x) for x in r) for r in a) + "]"


class NoPoint(Exception):
    """No point inside the domain was found at one size assignment."""


class _Instance:
    """One concrete instance: sizes, bindings, stand-ins, and derivatives of f by differences."""

    def __init__(self, f: Expr, x: Sym, b: Bindings, tangent: list | None, label: str, dps: int):
        self.f, self.x, self.b, self.tangent, self.label, self.dps = f, x, b, tangent, label, dps
        self.small = max([1, *b.dims.values()] + [max(len(v), len(v[0])) for v in b.values.values()]) <= EXACT_DIM
        self.base = self._exact(f) if self.small else None  # f's exact value here, or None
        self.rational = self.base is not None
        self.values: dict[tuple[int, int], Matrix] = {}
        self.noise: dict[int, object] = {}  # how far rounding may move each entry of a claim's value
        self.peaks: dict[tuple[int, int], object] = {}  # the largest magnitude met computing a claim at a level
        self._start: int | None = None
        self._levels: dict[int, tuple] = {}  # f's value here at each level computed, and its largest magnitude
        self._here: dict[int, Evaluator] = {}  # by precision: f's and the claims' values here, their common parts once
        self._inexact: set[int] = set()  # the claims that are not rational here
        self._judged: dict[tuple[int, int], tuple] = {}  # (claim, level) -> (its value, its noise)

    def _exact(self, e: Expr) -> Matrix | None:
        """e's value in exact rationals, or None when it is not rational."""
        try:
            return Evaluator(Bindings(**{**self.b.__dict__, "exact": True}))(e)
        except NotExact:
            return None

    @property
    def start(self) -> int:
        """0 when f is exact, or when its value here is the same with the first level's digits and
        STABLE's, and the largest value met computing it leaves 50 digits of f's size; else the
        first level whose digits give f's value as the last level's do, up to 10^-40 of that value
        (or of 10^-dps, for a value that is 0): a term lost to cancellation at fewer digits
        ((sqrt(1 + 10^-300) - 1) / 10^-300, e^2000 + tr(X) - e^2000) would make two coarse levels
        agree on a wrong derivative."""
        if self._start is None:
            self._start = 0
            first, peak = self.at_level(0) if self.base is None else (None, 0)
            if first is not None and (10 * peak * mpmath.mpf(10) ** -(self.dps + LEVELS[0][1]) >
                                      mpmath.mpf(10) ** -self.dps * max(abs(v) for r in first for v in r)
                                      or not _same(first, self.at_level(STABLE)[0])):
                finest, _ = self.at_level(len(LEVELS) - 1)
                floor = mpmath.mpf(10) ** -self.dps
                for k in range(len(LEVELS) - 1):
                    value, _ = self.at_level(k)
                    self._start = k
                    if all(abs(a - b) <= mpmath.mpf(10) ** -40 * max(abs(b), floor)
                           for ra, rb in zip(value, finest) for a, b in zip(ra, rb)):
                        break
                else:
                    self._start = len(LEVELS) - 1
        return self._start

    def at_level(self, level: int):
        """f's value here with the digits of ``level``, and the largest magnitude met computing it."""
        if level not in self._levels:
            self._levels[level] = self._value_with(level)
        return self._levels[level]

    def first_level(self, derivative, order: int = 1) -> int:
        """The first level at which a numeric derivative can be told from a claimed one of this
        size: its rounding (10 × the largest magnitude met × 10^-digits) and the error of f's value
        there (its distance from the value with STABLE's digits: a term lost to cancellation under
        a large constant, 10^45 + (sqrt(1 + 10^-150) - 1) 10^150 tr(X), which f's values at 110
        and 370 digits agree on to 10^-40 of their size), divided by (h/2)^order, are below
        10^-(dps/2 + 1) of it; for a derivative 0, the first where f's error is within its
        rounding. Coarser levels could only send the comparison on to a finer one, or agree on a
        wrong number (a gradient that vanishes with a network's depth needs more digits). 0 when
        f is exact."""
        if self.rational:
            return 0
        need = mpmath.mpf(10) ** -(self.dps // 2 + 1) * abs(to_mpf(derivative))
        peak = self.at_level(0)[1]
        for k, (step, guard) in enumerate(LEVELS):
            amplify = mpmath.mpf(2) ** ((step + 1) * order)
            rounding = 10 * peak * mpmath.mpf(10) ** -(self.dps + guard)
            if derivative != 0 and rounding * amplify > need:
                continue  # judged by the first level's largest magnitude, before computing f here
            if k >= STABLE:
                return k
            value, peak_k = self.at_level(k)
            error = 2 * sum(abs(to_mpf(a) - to_mpf(b)) for ra, rb in zip(value, self.at_level(STABLE)[0])
                            for a, b in zip(ra, rb))
            rounding = 10 * peak_k * mpmath.mpf(10) ** -(self.dps + guard)
            if (error <= rounding) if derivative == 0 else ((rounding + error) * amplify <= need):
                return k
        return len(LEVELS) - 1

    def _value_with(self, level: int):
        with mpmath.workdps(self.dps + LEVELS[level][1]):
            return self.evaluated_at() if self.rational else self._floating(self.f)

    def _floating(self, e: Expr) -> tuple[Matrix, object]:
        """e's value here in floating point at the working precision, and the largest magnitude met
        computing it; f and the claims share one evaluator per precision, so the parts they have in
        common (a network's forward pass) are computed once."""
        if mpmath.mp.prec not in self._here:
            self._here[mpmath.mp.prec] = Evaluator(self.b)
        evaluator = self._here[mpmath.mp.prec]
        return evaluator(e), evaluator.peak

    @property
    def shape(self) -> tuple[int, int]:
        value = self.b.values[self.x.name]
        return len(value), len(value[0])

    @property
    def value(self) -> Matrix:
        """f here: exact when it can be, else with the first level's digits."""
        return self.base if self.base is not None else self.at_level(0)[0]

    def evaluated_at(self, *moves: tuple[Matrix, object]) -> tuple[Matrix, object]:
        """f with X moved to X + Σ h V, and the largest magnitude met on the way (0 when exact)."""
        b = Bindings(**{**self.b.__dict__, "moves": {self.x.name: moves} if moves else {}, "exact": self.rational})
        evaluator = Evaluator(b)
        return evaluator(self.f), evaluator.peak

    def difference(self, quotient, level: int = 0, order: int = 1):
        """A difference quotient of f at h and h/2, extrapolated once (Richardson: both are
        central, error O(h²) becomes O(h⁴)), with h = 2^-k and guard digits from LEVELS[level]
        (a power of two keeps exact rationals small). ``quotient(h)`` gives the quotient and the
        largest magnitudes met in evaluating f for it. Returns the estimate, its resolution (the
        smallest value that rounding those magnitudes to the working digits lets the quotient see,
        0 when f is exact) and a bound on its truncation error (|q(h) - q(h/2)|)."""
        k, guard = LEVELS[level]
        with mpmath.workdps(self.dps + guard):
            h = Fraction(1, 2**k) if self.rational else mpmath.mpf(2) ** -k
            try:
                (q1, used1), (q2, used2) = quotient(h), quotient(h / 2)
            except NotExact:  # the rationals grew too long: floating point from now on
                self.rational = False
                return self.difference(quotient, level, order)
            size = max(abs(to_mpf(v)) for v in used1 + used2)
            resolution = 0 if self.rational else 10 * size * mpmath.mpf(10) ** -(self.dps + guard) / (h / 2) ** order
            return (4 * q2 - q1) / 3, resolution, abs(q2 - q1)

    def directional(self, V: Matrix, level: int = 0, weight: Matrix | None = None):
        """d/dt of f(X + tV) (of tr(Wᵀ F(X + tV)) for a matrix F and a weight W), with its resolution."""
        def g(h):
            F, peak = self.evaluated_at((V, h))
            return (F[0][0] if weight is None else _inner(weight, F)), peak

        def quotient(h):
            (plus, p1), (minus, p2) = g(h), g(-h)
            return (plus - minus) / (2 * h), [p1, p2]

        return self.difference(quotient, level)

    def mixed(self, U: Matrix, V: Matrix, level: int = 0):
        """∂²/∂s∂t of f(X + sU + tV), by [f(+h,+h) - f(+h,-h) - f(-h,+h) + f(-h,-h)] / 4h², with its resolution."""
        def quotient(h):
            at = [self.evaluated_at((U, a * h), (V, b * h)) for a, b in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
            f = [F[0][0] for F, _ in at]
            return (f[0] - f[1] - f[2] + f[3]) / (4 * h * h), [peak for _, peak in at]

        return self.difference(quotient, level, order=2)

    def claim(self, i: int, M: Expr, level: int = 0) -> Matrix:
        """The value of the i-th claimed matrix: exact when it is rational; with the digits of
        ``level`` (STABLE at least) when the next level's digits give the same value and the
        largest value met leaves 50 digits of its size ((sqrt(1 + 10^-400) - 1) / 10^-400 is 0
        with 370 digits, 1/2 with 750); else with those of the first level whose value is the
        one the last level's digits give (e^2000 + 1 - e^2000 is 0 with 370 and 750 digits, 1
        with 1,550), its ``noise`` (how far rounding may move an entry) then measured: ten times
        its distance from that value, plus the last level's own rounding (0 * e^900 excuses nothing).
        Judged once per claim and level: every probe of the instance asks again."""
        level = max(level, STABLE)
        if (i, level) not in self._judged:
            self._judged[i, level] = self._judge(i, M, level)
        value, self.noise[i] = self._judged[i, level]
        return value

    def _judge(self, i: int, M: Expr, level: int) -> tuple[Matrix, object]:
        """The value ``claim`` gives, and its noise."""
        last = len(LEVELS) - 1
        value = self.claim_at(i, M, level)
        scale = _magnitude(value)
        if self._rounding(i, level) <= mpmath.mpf(10) ** -self.dps * scale and \
                (level == last or _same(value, self.claim_at(i, M, level + 1))):
            return value, self._rounding(i, level)
        finest = self.claim_at(i, M, last)
        while level < last and not _same(self.claim_at(i, M, level), finest):
            level += 1
        value = self.claim_at(i, M, level)
        return value, self._rounding(i, last) + \
            10 * max(abs(to_mpf(a) - to_mpf(b)) for ra, rb in zip(value, finest) for a, b in zip(ra, rb))

    def _rounding(self, i: int, level: int):
        """10 × the largest value met computing claim i at ``level`` × 10^-digits (0 when exact)."""
        return 10 * self.peaks[i, level] * mpmath.mpf(10) ** -(self.dps + LEVELS[level][1])

    def claim_at(self, i: int, M: Expr, level: int) -> Matrix:
        if (i, level) not in self.values:
            exact = [v for (j, _), v in self.values.items() if j == i and _is_exact(v)]
            self.peaks[i, level] = 0
            if exact:
                self.values[i, level] = exact[0]
            else:
                with mpmath.workdps(self.dps + LEVELS[level][1]):
                    value = self._exact(M) if self.small and i not in self._inexact else None
                    if value is None:
                        self._inexact.add(i)
                        value, self.peaks[i, level] = self._floating(M)
                self.values[i, level] = value
        return self.values[i, level]


def _magnitude(a: Matrix) -> mpmath.mpf:
    """The largest magnitude of an entry of a, as an mpf: taken among the entries as they are when
    they are all exact or all mpf, else entry by entry (a numeric gradient may hold an entry that
    stayed exact beside one computed in floating point, and mpf and Fraction do not compare)."""
    try:
        return to_mpf(largest(a))
    except TypeError:
        return max(abs(to_mpf(v)) for r in a for v in r)


def _same(a: Matrix, b: Matrix) -> bool:
    """Equal to within 10^-40 of the largest entry (two evaluations of one claim, at two precisions)."""
    if a is b:  # an exact value, the same at every precision
        return True
    bound = mpmath.mpf(10) ** -40 * _magnitude(a)
    return all(x == y or abs(to_mpf(x) - to_mpf(y)) <= bound for ra, rb in zip(a, b) for x, y in zip(ra, rb))


def asymmetry(H: Matrix, dps: int, noise=0):
    """(|H[i][j] - H[j][i]| relative to the larger of the two, (i, j)) for the pair where that is
    largest, when beyond 10^-(dps/2) and beyond twice ``noise`` (the rounding of the entries: two
    that cancel to 0 are not asymmetric); else None. Each pair is judged by its own size, so a
    large entry elsewhere hides nothing."""
    worst, where = mpmath.mpf(0), None
    for i, row in enumerate(H):
        for j in range(i + 1, len(row)):
            a, b = to_mpf(H[i][j]), to_mpf(H[j][i])
            d = abs(a - b)
            if d > 2 * noise and d / max(abs(a), abs(b)) > worst:
                worst, where = d / max(abs(a), abs(b)), (i, j)
    return (worst, where) if where is not None and worst > mpmath.mpf(10) ** -(dps // 2) else None


def _is_exact(a: Matrix) -> bool:
    return all(isinstance(x, (int, Fraction)) for r in a for x in r)


def _direction(rng: random.Random, rows: int, cols: int, tangent: list | None, symmetric: bool = False) -> Matrix:
    """A random direction (a symmetric one for a symmetric X), kept on X's assumption if it has one;
    no entry 0 (an entry the direction left still would hide that entry's partial derivative)."""
    v = [Fraction(rng.choice((-1, 1)) * rng.randint(1, 16), 8) for _ in range(rows * cols)]
    if symmetric:
        v = [x for r in symmetrised([v[r * cols:(r + 1) * cols] for r in range(rows)]) for x in r]
    if tangent is not None:  # keep the constrained symbol on its assumption
        t = sum(a * x for a, x in zip(tangent, v)) / sum(a * a for a in tangent)
        v = [x - t * a for x, a in zip(v, tangent)]
    return [v[r * cols:(r + 1) * cols] for r in range(rows)]


def _size_of(shape, dims) -> tuple[int, int]:
    return size(shape.rows, dims), size(shape.cols, dims)


def _sample(f, x, claims: dict[int, Expr], scope, assume, dims, rng, impls, measure, dps=DEFAULT_DPS,
            signs: dict[str, int] | None = None, dominant: bool = False, deadline=None, spread: int = 1):
    """An instance at these sizes where f, the assumptions and every claim evaluate; returns it,
    the restrictions it needed, and the claims that could not be evaluated at another point where
    f could ({index: (point, reason)}: the claim's domain is smaller than f's, so it is wrong).
    Only f and the assumptions restrict a symbol or move a point closer to zero; NoPoint when no
    point is found. Square symbols under det or inv get a determinant of the sign ``signs`` gives
    them, and are drawn diagonally dominant or plain as ``dominant`` says; every entry is ``spread``
    times larger than usual (to reach the far side of a kink)."""
    exprs = [f] + [s for a in assume for s in (a.lhs, a.rhs)]
    must_be_positive, det_positive, _ = required(exprs)
    invertible = required(exprs + list(claims.values()))[2]
    positive = {n: f"{n} > 0, as {why} needs" for n, why in must_be_positive.items()}
    label, ew, sc = impls
    last, huge, failed = None, False, {}
    probing: set[str] = set()  # made positive only to see whether a failing claim is defined anywhere here
    for attempt in range(RESAMPLES):
        shrink = Fraction(1, 2 ** (attempt // 4)) if huge else Fraction(1)  # closer to zero when f blows up
        scale = shrink * spread
        values = {}
        for name, shape in scope.symbols.items():
            r, c = _size_of(shape, dims)
            sign = 1 if name in det_positive else (signs or {}).get(name, rng.choice((-1, 1)))
            for _ in range(PLAIN_DRAWS):
                v = random_matrix(rng, r, c, positive=name in positive or name in probing,
                                  dominant=dominant and name in invertible, scale=scale)
                if name in scope.symmetric:
                    v = symmetrised(v)
                if r != c or name not in invertible:
                    break
                v = with_det_sign(v, sign)  # a chosen sign of det, unless logdet needs it positive
                if dominant or r == 1 or _diagonal_sign(v) != sign:
                    break  # a plain one: its diagonal's sign against its determinant's, as a dominant one never has
            values[name] = v
        b = Bindings(values, dims, ew, sc, deadline=deadline)
        tangent = constraint = None
        try:
            for a in assume:
                y, normal = satisfy(a, b)
                if y == x.name:
                    tangent, constraint = normal, a
            inst = _Instance(f, x, b, tangent, label, dps)
            value = inst.value
            if _magnitude(value) > mpmath.mpf(10) ** HUGE_DIGITS:
                huge = True
                raise DomainError(f"values of f beyond 10^{HUGE_DIGITS}")
        except UNDEFINED as e:
            last = e
            if attempt >= RESAMPLES // 2 - 1 and isinstance(e, DomainError) and e.node is not None:
                for n in sorted(symbols_under(e.node) - positive.keys()):
                    positive[n] = f"{n} > 0 (random points of either sign left the domain of {show(e.node)})"
            continue
        bad = _unevaluable(inst, claims, measure, value)
        for i, (why, node) in bad.items():
            failed.setdefault(i, ({n: format_matrix(v) for n, v in values.items()}, why))
            if attempt >= RESAMPLES // 2 - 1 and node is not None:
                probing |= symbols_under(node)
        if bad:
            last = next(iter(bad.values()))[0]
            continue
        restrictions = [positive[n] for n in positive] + \
            [f"det({n}) > 0, as {why} needs" for n, why in det_positive.items()]
        if constraint is not None:  # one linear constraint on X: only the directions that keep it
            if len(tangent) < 2:
                raise NoPoint(f"the assumption '{constraint}' fixes {x.name} at these sizes: no direction to change along")
            restrictions.append(f"d{x.name} keeps '{constraint}' (so a claim is judged up to a multiple of that "
                                f"assumption's normal)")
        if shrink < 1:
            restrictions.append(f"entries are at most {3 * scale} in size (f exceeds 10^{HUGE_DIGITS} farther out)")
        return inst, restrictions, failed
    raise NoPoint(str(last))


def _diagonal_sign(a: Matrix) -> int:
    """The sign of the product of a's diagonal entries."""
    negative = sum(a[i][i] < 0 for i in range(len(a)))
    return 0 if any(a[i][i] == 0 for i in range(len(a))) else (-1) ** negative


def _unevaluable(inst: _Instance, claims: dict[int, Expr], measure, value: Matrix) -> dict[int, tuple]:
    """{index: (why, the node that failed)} for the claims that cannot be evaluated at this
    instance; a value of the wrong size is matcalc's own error."""
    bad = {}
    want = measure.value_shape(inst, value)
    for i, M in claims.items():
        try:
            got = inst.claim(i, M)
        except UNDEFINED as e:
            bad[i] = (f"the claimed {measure.name} cannot be evaluated at a point where f can ({e})",
                      getattr(e, "node", None))
            continue
        if (len(got), len(got[0])) != want:
            raise MatcalcError(f"a claimed {measure.name}'s value is not {want[0]}×{want[1]}")
    return bad


def _agree(claimed, numeric, tol, claim_noise=0, start: int = 0) -> tuple[bool, mpmath.mpf, object]:
    """Whether the claimed and the numeric derivative agree, and their relative difference.

    ``claimed(k)`` and ``numeric(k)`` (the derivative, its resolution and truncation bound)
    compute both at LEVELS[k]. Equal within ``tol`` of their own size: agree.
    Otherwise each finer level bounds the rounding and truncation of the one before by how far
    the two differ; a difference beyond that bound and the resolution refutes, one within it
    is looked at again, finer; the last level, with no finer one, bounds its own truncation. No
    level refutes, nor bounds a finer one, whose two steps disagree beyond 10^-10 (sin(10^10
    sin(10^10 x)) at h = 2^-60 gives two unrelated numbers).
    A difference that stays within the noise to the last level is rounding (the true value is
    zero, or below every precision tried: other points and directions see it). Levels below
    ``start`` (where f's value is not yet what the finest digits give) are skipped. The third
    result is the numeric derivative that decided.
    """
    prev = None
    for k in range(start, len(LEVELS)):
        n, resolution, truncation = numeric(k)
        c, n, truncation = to_mpf(claimed(k)), to_mpf(n), to_mpf(truncation)
        d, scale = abs(c - n), max(abs(c), abs(n))
        err = d / scale if scale else mpmath.mpf(0)
        if d <= tol * scale:
            return True, err, n
        bound = tol * scale + resolution + claim_noise + truncation
        settled = truncation <= mpmath.mpf(10) ** -10 * scale  # q(h) and q(h/2) agree: the step resolves f
        if settled and prev is not None and prev[2] and d > bound + abs(prev[0] - c) + abs(prev[1] - n):
            return False, err, n
        if settled and k == len(LEVELS) - 1 and d > bound:
            return False, err, n
        prev = (c, n, settled)
    return True, mpmath.mpf(0), n


class Gradient:
    """A claimed gradient G of scalar f: tr(Gᵀ V) against d/dt f(X + tV)."""

    name = "gradient"
    order = 1  # of the derivative the numeric check takes

    def shape(self, f: Expr, x: Sym):
        return x.shape

    def value_shape(self, inst: _Instance, f_value: Matrix) -> tuple[int, int]:
        return inst.shape

    def tests(self, inst: _Instance, rng: random.Random, directions: int, entries: int) -> list:
        rows, cols = inst.shape
        sym = inst.x.symmetric
        tests = [("direction", (_direction(rng, rows, cols, inst.tangent, sym),)) for _ in range(directions)]
        if entries and inst.tangent is None:
            tests += [("entry", (_unit(rows, cols, r, c, sym),)) for r, c in _some_entries(rows, cols, rng, entries)
                      if not sym or r <= c]
        return tests

    def numeric(self, inst: _Instance, probe: tuple, level: int):
        return inst.directional(probe[0], level)

    def claimed(self, M: Matrix, probe: tuple):
        return _inner(M, probe[0])

    def defect(self, inst: _Instance, M: Matrix, noise):
        """A property every claim must have at every instance, or None (the symmetry of a gradient
        by a symmetric X, of a Hessian); ``noise`` bounds the rounding of M's entries."""
        found = asymmetry(M, inst.dps, noise) if inst.x.symmetric else None
        if found is None:
            return None
        err, (i, j) = found
        dims = dict(inst.b.dims)
        cx = instance_facts(inst, dims, "symmetry", err)
        x = inst.x.name
        cx["claimed_gradient"] = format_matrix(M)
        cx["summary"] = (f"refuted at {sizes_text(dims)}: {x} is symmetric, so its gradient is too (the one G with "
                         f"df = tr(Gᵀ d{x}) for every symmetric d{x}), but the claimed one has G[{i + 1},{j + 1}] = "
                         f"{_fmt(M[i][j], 8)} and G[{j + 1},{i + 1}] = {_fmt(M[j][i], 8)}")
        return err, cx

    def counterexample(self, inst, M, dims, kind, probe, claimed, true, err) -> dict:
        return _counterexample(inst, M, dims, kind, probe[0], claimed, true, err)


def check(f: Expr, x: Sym, gradient: Expr, scope: Scope, assume=(), *, seed: int = 0,
          dps: int = DEFAULT_DPS, directions: int = 2, time_limit: float = TIME_LIMIT) -> Verdict:
    """Verdict on the claim ∂f/∂x = gradient, on several sizes and random points."""
    return check_all(f, x, [gradient], scope, assume, seed=seed, dps=dps, directions=directions,
                     time_limit=time_limit)[0]


def _plan(names: list[str], n_choices: int, directions: int, rng: random.Random, fixed: tuple[int, ...] = (),
          n_variants: int = 1, large: int = 5):
    """(sizes, stand-in choice, directions, entry checks, variant) for every instance: distinct
    non-square sizes (and one assignment of sizes ``large`` and up) with every stand-in choice and
    every variant of the invertible matrices (sign pattern of the determinants, dominant or plain),
    every entry at the first, a few at the first choice and variant of the others; then sizes with
    equal dimensions, and every dimension 1."""
    plan = [(dims, c, directions if p == 0 else 1,
             (MAX_ENTRY_CHECKS if k == 0 else FEW_ENTRY_CHECKS) if c == 0 and p == 0 else 0, p)
            for k, dims in enumerate(distinct_sizes(names)) for c in range(n_choices) for p in range(n_variants)]
    if names:  # larger sizes once: a term that vanishes at every size below (Cayley-Hamilton)
        plan.append(({n: large + i for i, n in enumerate(names)}, rng.randrange(n_choices), 1, LARGE_ENTRY_CHECKS,
                     rng.randrange(n_variants)))
    plan += [(dims, c, 1, 0, rng.randrange(n_variants)) for dims in equal_sizes(names, rng, fixed)
             for c in range(n_choices)]
    if names:
        plan.append(({n: 1 for n in names}, 0, 1, 0, rng.randrange(n_variants)))
    return plan


@deep
def check_all(f: Expr, x: Sym, gradients: list[Expr], scope: Scope, assume=(), *, seed: int = 0,
              dps: int = DEFAULT_DPS, directions: int = 2, time_limit: float = TIME_LIMIT,
              measure=None) -> list[Verdict]:
    """Verdicts on several claimed gradients of one f (or Jacobians or Hessians, by ``measure``),
    judged on the same instances, so that each numeric derivative of f is computed once for all
    of them. Beyond ``time_limit`` seconds, or matrices of more than MAX_ENTRIES entries, a
    MatcalcError says it could not check."""
    judge = _Judge(f, x, gradients, scope, tuple(assume), dps, measure or Gradient())
    judge.deadline = time.monotonic() + time_limit
    try:
        return judge.run(random.Random(seed), directions)
    except OutOfTime:
        raise MatcalcError(f"could not check: the time limit of {time_limit:g} s ran out after "
                           f"{max(judge.checks)} checks (limit {time_limit:g} s)") from None


class _Judge:
    """The state of one check: each claim's verdict so far, its largest error and number of
    checks, and what the instances needed (restrictions) or could not have (skipped sizes)."""

    def __init__(self, f, x, claims, scope, assume, dps, measure):
        self.f, self.x, self.claims, self.scope, self.assume, self.dps = f, x, claims, scope, assume, dps
        self.measure = measure
        self.tol = mpmath.mpf(10) ** (-(dps // 2))
        want = measure.shape(f, x)
        self.verdicts: list[Verdict | None] = [
            None if M.shape == want else Verdict(
                "refuted", f"the {measure.name} {show(M)} is {M.shape}, but the {measure.name} of f by "
                           f"{x.name} is {want}")
            for M in claims]
        self.worst = [mpmath.mpf(0)] * len(claims)
        self.checks = [0] * len(claims)
        self.restrictions: dict[str, None] = {}
        self.skipped: dict[str, str] = {}
        self.deadline: float | None = None
        self.shapes: set | None = None
        # the argument of each abs and relu in f and the claims -> the signs its entries took
        self.sides: dict[Expr, set[int]] = {n.arg: set() for n in distinct_nodes(f, *claims)
                                            if isinstance(n, Entrywise) and n.fn in KINKED}

    def run(self, rng: random.Random, directions: int) -> list[Verdict]:
        check_assumptions(self.assume)
        exprs = [self.f, *self.claims] + [s for a in self.assume for s in (a.lhs, a.rhs)]
        names = dimension_names(list(self.scope.symbols.values()), exprs)
        choices = function_choices(self.scope.functions, random.Random(0))
        fixed = tuple(d for s in self.scope.symbols.values() for d in (s.rows, s.cols) if isinstance(d, int))
        invertible = sorted(n for n in required(exprs)[2] if self.scope.symbols[n].is_square)
        variants = 2 ** (min(len(invertible), 2) + 1) if invertible else 1  # det sign patterns × dominant or plain
        plan = _plan(names, len(choices), directions, rng, fixed, variants, large_size(exprs))
        too_big = self._too_big(plan[0][0])
        if too_big:
            raise MatcalcError(f"could not check: {too_big}")
        checked = set()
        with mpmath.workdps(self.dps + LEVELS[-1][1]):  # comparisons at the finest level's digits
            for dims, choice, n_directions, entries, pattern in plan:
                if all(v is not None for v in self.verdicts):
                    break
                too_big = self._too_big(dims)
                if too_big:
                    self.skipped.setdefault(sizes_text(dims), too_big)
                    continue
                impls = function_choices(self.scope.functions, rng)[choice]
                signs = {n: -1 if pattern >> (j + 1) & 1 else 1 for j, n in enumerate(invertible[:2])}
                if self._instance(dims, impls, n_directions, entries, rng, signs, bool(pattern & 1)):
                    checked.add(choice)
            self._beyond_kinks(plan[0][0], choices, rng, n_variants=variants)
        unchecked = [i for i, v in enumerate(self.verdicts) if v is None and not self.checks[i]]
        if unchecked and checked:  # every comparison of that claim was skipped: nothing was checked
            raise MatcalcError(f"could not check: no comparison could be made "
                               f"({'; '.join(self.skipped.values()) or 'no test at any instance'})")
        if any(v is None for v in self.verdicts):
            if not checked:
                raise MatcalcError(f"could not sample a point inside the domain at any size "
                                   f"({'; '.join(self.skipped.values())})")
            if len(checked) < len(choices):  # a claim must hold for every kind of stand-in, not some
                missing = "; ".join(choices[c][0] or "" for c in range(len(choices)) if c not in checked)
                raise MatcalcError(f"could not check with every kind of stand-in function: no point inside "
                                   f"the domain with {missing}")
        tail = "".join(f"; checked where {r}" for r in self.restrictions)
        tail += "".join(f"; skipped {k} ({why})" for k, why in self.skipped.items())
        return [v or Verdict("holds", f"agrees on {self.checks[i]} checks; largest relative error "
                                      f"{mpmath.nstr(self.worst[i], 3)}{tail}", float(self.worst[i]), self.checks[i])
                for i, v in enumerate(self.verdicts)]

    def _too_big(self, dims: dict[str, int]) -> str:
        """Why these sizes would build a matrix of more than MAX_ENTRIES entries, or ''."""
        if self.shapes is None:
            exprs = [self.f, *self.claims] + [s for a in self.assume for s in (a.lhs, a.rhs)]
            self.shapes = {n.shape for n in distinct_nodes(*exprs)} | set(self.scope.symbols.values())
        for shape in self.shapes:
            rows, cols = _size_of(shape, dims)
            if rows * cols > MAX_ENTRIES:
                return f"a {shape} matrix ({rows * cols} entries) is beyond the checker's limit of {MAX_ENTRIES} entries"
        return ""

    def _beyond_kinks(self, dims, choices, rng, n_variants: int) -> None:
        """While the argument of an abs or relu has had entries of one sign only, points ever
        farther out (SPREADS, and beyond the largest number written); a claim still undecided when
        a side stays unreached cannot be checked there (MatcalcError). The verdict says that points
        on a kink are not used."""
        if not self.sides:
            return
        exprs = [self.f, *self.claims]
        bits = int(largest_number(exprs)).bit_length()
        reached = 1
        for spread in sorted({*SPREADS, 2 ** (bits + 2), 2 ** (bits + 6)}):
            for _ in range(TRIES_PER_SPREAD):
                if all(len(s) == 2 for s in self.sides.values()) or all(v is not None for v in self.verdicts):
                    break
                choice = rng.randrange(len(choices))
                impls = function_choices(self.scope.functions, rng)[choice]
                if self._instance(dims, impls, 1, False, rng, {}, bool(rng.randrange(n_variants) & 1), spread):
                    reached = max(reached, spread)
        one_sided = [(arg, "positive" if 1 in signs else "negative" if signs else "zero or undefined")
                     for arg, signs in self.sides.items() if len(signs) < 2]
        if one_sided and any(v is None for v in self.verdicts):
            arg, seen = one_sided[0]
            raise MatcalcError(f"could not check: the entries of {show(arg)}, an argument of abs or relu, were "
                               f"{seen} at every point tried (up to {3 * reached} in size), so the other side of "
                               f"its kink was never seen")
        names = " and ".join(sorted({n.fn for n in distinct_nodes(*exprs) if isinstance(n, Entrywise) and n.fn in KINKED}))
        self.restrictions[f"the arguments of {names} are non-zero (not differentiable at 0)"] = None

    def _record_sides(self, inst: _Instance) -> None:
        """The signs the entries of each abs and relu argument take at this instance (one inside a
        claim already refuted may be undefined here)."""
        evaluator = Evaluator(inst.b)
        for arg, signs in self.sides.items():
            try:
                signs.update(1 if v > 0 else -1 for r in evaluator(arg) for v in r if v != 0)
            except UNDEFINED:
                continue

    def _instance(self, dims, impls, n_directions, entries, rng, signs, dominant, spread: int = 1) -> bool:
        """Sample one instance and judge every claim still undecided on it; False when the sizes
        had no point inside the domain."""
        live = {i: M for i, M in enumerate(self.claims) if self.verdicts[i] is None}
        try:
            inst, needed, failed = _sample(self.f, self.x, live, self.scope, self.assume, dims, rng, impls,
                                           self.measure, self.dps, signs, dominant, self.deadline, spread)
        except NoPoint as e:
            if spread > 1:  # an extra point beyond a kink: its sizes were checked before
                return False
            where = ", ".join(f"{k}={v}" for k, v in dims.items()) or "the declared sizes"
            self.skipped.setdefault(where + (f" with {impls[0]}" if impls[0] else ""), str(e))
            return False
        self._record_sides(inst)
        self.restrictions.update(dict.fromkeys(needed))
        for i, (point, why) in failed.items():  # defined at this instance, not at another where f is
            self._refute(i, mpmath.mpf(1), {"sizes": dict(dims), "functions": impls[0] or None, "point": point,
                                            "check": "domain", "summary": f"refuted at {sizes_text(dims)}: {why}"})
            live.pop(i)
        for i in live:
            value = inst.claim(i, live[i])
            found = self.measure.defect(inst, value, inst.noise[i])
            if found is not None:
                self._refute(i, found[0], found[1])
        try:
            self._compare(inst, live, dims, rng, n_directions, entries)
        except UNDEFINED as e:  # f undefined at a moved point (1 + h)^(10^22), or a claim at more digits
            self.skipped.setdefault(f"{sizes_text(dims)}, near the point", f"not defined at every step ({e})")
            return False
        return True

    def _compare(self, inst: _Instance, live: dict, dims, rng, n_directions: int, entries: int) -> None:
        """The numeric derivatives of f at this instance against every claim still undecided."""
        for kind, probe in self.measure.tests(inst, rng, n_directions, entries):
            numeric = _memo(lambda k, probe=probe: self.measure.numeric(inst, probe, k))
            for i in [i for i in live if self.verdicts[i] is None]:
                value = inst.claim(i, live[i])
                noise = inst.noise[i] * self.measure.claimed(_ones(value), _absolute(probe)) if inst.noise[i] else 0
                start = max(inst.start, inst.first_level(self.measure.claimed(value, probe), self.measure.order))
                ok, err, true = _agree(lambda k: self.measure.claimed(inst.claim(i, live[i], k), probe), numeric,
                                       self.tol, noise, start)
                self.worst[i], self.checks[i] = max(self.worst[i], err), self.checks[i] + 1
                if not ok:
                    M = inst.claim(i, live[i])
                    claimed = self.measure.claimed(M, probe)
                    self._refute(i, err, self.measure.counterexample(inst, M, dims, kind, probe, claimed, true, err))

    def _refute(self, i: int, err, cx: dict) -> None:
        self.worst[i] = max(self.worst[i], err)
        self.verdicts[i] = Verdict("refuted", cx["summary"], float(self.worst[i]), self.checks[i], cx)


def _memo(fn):
    cache: dict = {}

    def get(k):
        if k not in cache:
            cache[k] = fn(k)
        return cache[k]

    return get


def _some_entries(rows: int, cols: int, rng: random.Random, limit: int = MAX_ENTRY_CHECKS) -> list[tuple[int, int]]:
    """Every entry, or for a large matrix its corners and a random sample (``limit`` in all; for
    a small limit a few at random, one on the diagonal and one off it: a large term on the
    diagonal (10^30 I) hides an error there, not off it)."""
    entries = [(r, c) for r in range(rows) for c in range(cols)]
    if len(entries) <= limit:
        return entries
    if limit < MAX_ENTRY_CHECKS:
        chosen = {(rng.randrange(min(rows, cols)),) * 2}
        off = [e for e in entries if e[0] < e[1]] or [e for e in entries if e[0] != e[1]]  # upper: a symmetric X's
        if off:
            chosen.add(rng.choice(off))
        return sorted(chosen | set(rng.sample([e for e in entries if e not in chosen], limit - len(chosen))))
    corners = {(0, 0), (0, cols - 1), (rows - 1, 0), (rows - 1, cols - 1)}
    return sorted(corners | set(rng.sample(entries, limit - len(corners))))


def _ones(M: Matrix) -> Matrix:
    return [[1] * len(M[0]) for _ in M]


def _absolute(probe: tuple) -> tuple:
    """The probe's matrices with every entry made non-negative (to bound rounding through it)."""
    return tuple([[abs(v) for v in r] for r in P] for P in probe)


def _unit(rows: int, cols: int, r: int, c: int, symmetric: bool = False) -> Matrix:
    """E_rc, the unit matrix of entry (r, c); E_rc + E_cr for a symmetric X (r ≠ c)."""
    return [[Fraction(int((i, j) == (r, c) or symmetric and (j, i) == (r, c))) for j in range(cols)]
            for i in range(rows)]


def _inner(G: Matrix, V: Matrix):
    """tr(Gᵀ V)"""
    return dot(itertools.chain.from_iterable(G), itertools.chain.from_iterable(V))


def numeric_gradient(inst: _Instance, rows: int, cols: int) -> Matrix:
    """Every partial derivative of f by an entry of X, by the same extrapolated differences."""
    return [[inst.directional(_unit(rows, cols, r, c))[0] for c in range(cols)] for r in range(rows)]


def differs(g, n, scale) -> bool:
    """An entry differs when it is off by more than 1e-20 of the larger of it and the largest
    entry of either matrix (for display: rounding noise in a zero entry is not a difference)."""
    return abs(to_mpf(g) - to_mpf(n)) > mpmath.mpf(10) ** -20 * max(abs(to_mpf(g)), abs(to_mpf(n)), scale)


def differing_entries(C: Matrix, N: Matrix) -> list[dict]:
    """The entries where a claimed and a numeric matrix differ, 1-based."""
    scale = max(_magnitude(C), _magnitude(N))
    return [{"entry": [r + 1, c + 1], "claimed": _fmt(C[r][c]), "numeric": _fmt(N[r][c])}
            for r in range(len(C)) for c in range(len(C[0])) if differs(C[r][c], N[r][c], scale)]


def instance_facts(inst: _Instance, dims: dict, kind: str, err) -> dict:
    """What every counterexample says of its instance."""
    return {"sizes": dict(dims), "functions": inst.label or None,
            "point": {n: format_matrix(v) for n, v in inst.b.values.items()},
            "check": kind, "relative_error": mpmath.nstr(err, 3)}


def sizes_text(dims: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in dims.items()) or "the declared sizes"


def _counterexample(inst, G, dims, kind, V, claimed, true, err) -> dict:
    x = inst.x.name
    rows, cols = len(G), len(G[0])
    cx = instance_facts(inst, dims, kind, err)
    cx.update(direction=format_matrix(V), claimed_derivative=_fmt(claimed, 12), numeric_derivative=_fmt(true, 12))
    if inst.tangent is None and rows * cols <= 36:
        with mpmath.workdps(inst.dps + LEVELS[0][1]):
            N = numeric_gradient(inst, rows, cols)
            if inst.x.symmetric:  # the gradient along symmetric directions: sym(N) = (N + Nᵀ) / 2
                N = [[(N[i][j] + N[j][i]) / 2 for j in range(cols)] for i in range(rows)]
            cx.update(claimed_gradient=format_matrix(G), numeric_gradient=format_matrix(N),
                      differing_entries=differing_entries(G, N))
    where = f"entry {x}[{[(r + 1, c + 1) for r in range(rows) for c in range(cols) if V[r][c]][0]}]" \
        if kind == "entry" else "a random direction"
    cx["summary"] = (f"refuted at {sizes_text(dims)}: along {where} the claimed derivative is "
                     f"{_fmt(claimed, 8)} but f changes at rate {_fmt(true, 8)}")
    return cx
