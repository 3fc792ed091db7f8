"""Check a claimed gradient G of f with respect to X on concrete instances.

Two checks, both must pass: directional, (f(X + hV) - f(X - hV)) / 2h extrapolated by
Richardson against tr(Gᵀ V) for random V; and entrywise, every entry of G against the
partial derivative of f by that entry of X (at the first sizes). Numbers are compared
relative to their own size, with no absolute floor; when they differ, both are computed
again with a smaller step and more digits, and the claim is refuted only when the
difference exceeds what that second computation shows the rounding of the first to be.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from ..declarations import Scope
from ..errors import MatcalcError
from ..expr import Expr, Sym, distinct_nodes
from ..language import show
from .evaluate import Bindings, DomainError, Evaluator, Matrix, NotExact, OutOfTime, to_mpf
from .sample import (
    dimension_names, distinct_sizes, equal_sizes, with_det_sign, random_matrix, required, satisfy,
    symbols_under,
)
from .standins import function_choices

DEFAULT_DPS = 50
RESAMPLES = 12
HUGE = 10**30  # beyond this a point is resampled closer to zero (exp(exp(...)) and the like)
#: (step 2^-k, guard digits) of the numeric derivative: the first, then each finer recomputation.
LEVELS = ((40, 60), (60, 120), (80, 200), (100, 320))
TIME_LIMIT = 60.0  # seconds for one check_all
MAX_ENTRIES = 10_000  # entries of the largest matrix the checker will build
MAX_ENTRY_CHECKS = 36  # entrywise checks at most, on a random sample of a larger gradient
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
    """One concrete instance: sizes, bindings, stand-ins, and f's derivative along a direction."""

    def __init__(self, f: Expr, x: Sym, b: Bindings, tangent: list | None, label: str, dps: int):
        self.f, self.x, self.b, self.tangent, self.label, self.dps = f, x, b, tangent, label, dps
        self.small = max([1, *b.dims.values()] + [max(len(v), len(v[0])) for v in b.values.values()]) <= EXACT_DIM
        self.rational = self.small and self._exact(f)
        self.grads: dict[tuple[int, int], Matrix] = {}

    def _exact(self, e: Expr) -> bool:
        try:
            Evaluator(Bindings(**{**self.b.__dict__, "exact": True}))(e)
            return True
        except NotExact:
            return False

    @property
    def shape(self) -> tuple[int, int]:
        value = self.b.values[self.x.name]
        return len(value), len(value[0])

    def f_at(self, V: Matrix, h) -> object:
        base = self.b.values[self.x.name]
        moved = [[p + h * v for p, v in zip(rp, rv)] for rp, rv in zip(base, V)]
        b = Bindings(**{**self.b.__dict__, "values": {**self.b.values, self.x.name: moved}, "exact": self.rational})
        return Evaluator(b)(self.f)[0][0]

    def directional(self, V: Matrix, level: int = 0):
        """Central differences at h and h/2, extrapolated once (Richardson, error O(h⁴)), with
        h = 2^-k and guard digits from LEVELS[level] (a power of two keeps exact rationals small).
        Returns the derivative and its resolution: the smallest rate that rounding f's values
        to the working digits lets the differences see (0 when f is evaluated exactly)."""
        k, guard = LEVELS[level]
        with mpmath.workdps(self.dps + guard):
            h = Fraction(1, 2**k) if self.rational else mpmath.mpf(2) ** -k
            try:
                values = {s: (self.f_at(V, s), self.f_at(V, -s)) for s in (h, h / 2)}
            except NotExact:  # the rationals grew too long along V: floating point from now on
                self.rational = False
                return self.directional(V, level)
            d1, d2 = ((a - b) / (2 * s) for s, (a, b) in values.items())
            size = max(abs(to_mpf(v)) for pair in values.values() for v in pair)
            resolution = 0 if self.rational else 10 * size * mpmath.mpf(10) ** -(self.dps + guard) / (h / 2)
            return (4 * d2 - d1) / 3, resolution

    def gradient(self, i: int, G: Expr, level: int = 0) -> Matrix:
        """The value of the i-th gradient, exactly when it is rational, else at the level's digits."""
        if (i, level) not in self.grads:
            exact = level > 0 and (i, 0) in self.grads and _is_exact(self.grads[i, 0])
            if exact:
                self.grads[i, level] = self.grads[i, 0]
            else:
                with mpmath.workdps(self.dps + LEVELS[level][1]):
                    try:
                        if not self.small:
                            raise NotExact()
                        value = Evaluator(Bindings(**{**self.b.__dict__, "exact": True}))(G)
                    except NotExact:
                        value = Evaluator(self.b)(G)
                self.grads[i, level] = value
        return self.grads[i, level]


def _is_exact(a: Matrix) -> bool:
    return all(isinstance(x, (int, Fraction)) for r in a for x in r)


def _direction(rng: random.Random, rows: int, cols: int, tangent: list | None) -> Matrix:
    v = [Fraction(rng.randint(-16, 16), 8) for _ in range(rows * cols)]
    if tangent is not None:  # keep the constrained symbol on its assumption
        t = sum(a * x for a, x in zip(tangent, v)) / sum(a * a for a in tangent)
        v = [x - t * a for x, a in zip(v, tangent)]
    return [v[r * cols:(r + 1) * cols] for r in range(rows)]


def _size_of(shape, dims) -> tuple[int, int]:
    return tuple(d if isinstance(d, int) else dims[d] for d in (shape.rows, shape.cols))


def _sample(f, x, gradients: dict[int, Expr], scope, assume, dims, rng, impls, dps=DEFAULT_DPS, sign=1,
            deadline=None):
    """An instance at these sizes (gradients by their index), drawn again until f and every G evaluate inside their domains;
    returns it with the restrictions it needed. NoPoint when none is found. Square symbols under
    det or inv get a determinant of the given sign."""
    exprs = [f, *gradients.values()] + [s for a in assume for s in (a.lhs, a.rhs)]
    must_be_positive, det_positive, invertible = required(exprs)
    positive = {n: f"{n} > 0, as {why} needs" for n, why in must_be_positive.items()}
    label, ew, sc = impls
    last = None
    for attempt in range(RESAMPLES):
        scale = Fraction(1, 2 ** (attempt // 4))  # shrink the point when values keep blowing up
        values = {}
        for name, shape in scope.symbols.items():
            r, c = _size_of(shape, dims)
            v = random_matrix(rng, r, c, positive=name in positive, invertible=name in invertible, scale=scale)
            if r == c and name in invertible:  # both signs of det across instances, unless logdet needs one
                v = with_det_sign(v, 1 if name in det_positive or sign > 0 else -1)
            values[name] = v
        b = Bindings(values, dims, ew, sc, deadline=deadline)
        tangent = None
        try:
            for a in assume:
                y, normal = satisfy(a, b)
                if y == x.name:
                    tangent = normal
            inst = _Instance(f, x, b, tangent, label, dps)
            with mpmath.workdps(dps + LEVELS[0][1]):
                Gs = [inst.gradient(i, g) for i, g in gradients.items()]
                value = inst.f_at([[0] * inst.shape[1] for _ in range(inst.shape[0])], 0)
            if any((len(G), len(G[0])) != inst.shape for G in Gs):
                raise MatcalcError(f"a gradient's value is not {inst.shape[0]}×{inst.shape[1]} like {x.name}'s")
            if max(abs(to_mpf(v)) for v in [value] + [g for G in Gs for r in G for g in r]) > HUGE:
                raise DomainError("values too large for finite differences")
            restrictions = [positive[n] for n in positive] + \
                [f"det({n}) > 0, as {why} needs" for n, why in det_positive.items()]
            return inst, restrictions
        except (DomainError, ZeroDivisionError, OverflowError, ValueError) as e:
            last = e
            if attempt >= RESAMPLES // 2 - 1 and isinstance(e, DomainError) and e.node is not None:
                for n in sorted(symbols_under(e.node) - positive.keys()):
                    positive[n] = f"{n} > 0 (random points of either sign left the domain of {show(e.node)})"
    raise NoPoint(str(last))


def _agree(claimed, numeric, tol) -> tuple[bool, mpmath.mpf]:
    """Whether the claimed and the numeric derivative agree, and their relative difference.

    ``claimed(k)`` and ``numeric(k)`` (the derivative and its resolution) compute both at
    LEVELS[k]. Equal within ``tol`` of their own size: agree. Otherwise each finer level bounds
    the rounding and truncation of the one before by how far the two differ; a difference
    beyond that bound and the resolution refutes, one within it is looked at again, finer. A
    difference that stays within the noise to the last level is rounding (the true value is
    zero, or below every precision tried: other points and directions see it)."""
    prev = None
    for k in range(len(LEVELS)):
        n, resolution = numeric(k)
        c, n = to_mpf(claimed(k)), to_mpf(n)
        d, scale = abs(c - n), max(abs(c), abs(n))
        err = d / scale if scale else mpmath.mpf(0)
        if d <= tol * scale:
            return True, err
        if prev is not None and d > tol * scale + abs(prev[0] - c) + abs(prev[1] - n) + resolution:
            return False, err
        prev = (c, n)
    return True, mpmath.mpf(0)


def check(f: Expr, x: Sym, gradient: Expr, scope: Scope, assume=(), *, seed: int = 0,
          dps: int = DEFAULT_DPS, directions: int = 2, time_limit: float = TIME_LIMIT) -> Verdict:
    """Verdict on the claim ∂f/∂x = gradient, on several sizes and random points."""
    return check_all(f, x, [gradient], scope, assume, seed=seed, dps=dps, directions=directions,
                     time_limit=time_limit)[0]


def _plan(names: list[str], n_choices: int, directions: int, rng: random.Random, fixed: tuple[int, ...] = ()):
    """(sizes, stand-in choice, directions, entrywise?) for every instance: distinct
    non-square sizes with every stand-in choice, entrywise at the first; then, with fresh exact
    stand-ins, sizes with equal dimensions and every dimension 1."""
    plan = [(dims, c, directions, k == 0) for k, dims in enumerate(distinct_sizes(names)) for c in range(n_choices)]
    plan += [(dims, 0, 1, False) for dims in equal_sizes(names, rng, fixed)]
    if names:
        plan.append(({n: 1 for n in names}, 0, 1, False))
    return plan


def check_all(f: Expr, x: Sym, gradients: list[Expr], scope: Scope, assume=(), *, seed: int = 0,
              dps: int = DEFAULT_DPS, directions: int = 2, time_limit: float = TIME_LIMIT) -> list[Verdict]:
    """Verdicts on several claimed gradients of one f, judged on the same instances, so that
    each numeric derivative of f is computed once for all of them. Beyond ``time_limit``
    seconds, or matrices of more than MAX_ENTRIES entries, a MatcalcError says it could not check."""
    judge = _Judge(f, x, gradients, scope, tuple(assume), dps)
    judge.deadline = time.monotonic() + time_limit
    try:
        return judge.run(random.Random(seed), directions)
    except OutOfTime:
        raise MatcalcError(f"could not check: the time limit of {time_limit:g} s ran out after "
                           f"{max(judge.checks)} checks (limit {time_limit:g} s)") from None


class _Judge:
    """The state of one check: each gradient's verdict so far, its largest error and number of
    checks, and what the instances needed (restrictions) or could not have (skipped sizes)."""

    def __init__(self, f, x, gradients, scope, assume, dps):
        self.f, self.x, self.gradients, self.scope, self.assume, self.dps = f, x, gradients, scope, assume, dps
        self.tol = mpmath.mpf(10) ** (-(dps // 2))
        self.verdicts: list[Verdict | None] = [
            None if g.shape == x.shape else Verdict(
                "refuted", f"the gradient {show(g)} is {g.shape}, but ∂f/∂{x.name} has the shape of {x.name}, {x.shape}")
            for g in gradients]
        self.worst = [mpmath.mpf(0)] * len(gradients)
        self.checks = [0] * len(gradients)
        self.restrictions: dict[str, None] = {}
        self.skipped: dict[str, str] = {}
        self.deadline: float | None = None

    def run(self, rng: random.Random, directions: int) -> list[Verdict]:
        names = dimension_names(list(self.scope.symbols.values()), [self.f, *self.gradients])
        n_choices = len(function_choices(self.scope.functions, random.Random(0)))
        fixed = tuple(d for s in self.scope.symbols.values() for d in (s.rows, s.cols) if isinstance(d, int))
        plan = _plan(names, n_choices, directions, rng, fixed)
        self._within_size(plan[0][0])
        with mpmath.workdps(self.dps + LEVELS[-1][1]):  # comparisons at the finest level's digits
            for k, (dims, choice, n_directions, entrywise) in enumerate(plan):
                if all(v is not None for v in self.verdicts):
                    break
                impls = function_choices(self.scope.functions, rng)[choice]
                self._instance(dims, impls, n_directions, entrywise, rng, (-1) ** k)
        if not any(self.checks) and any(v is None for v in self.verdicts):
            raise MatcalcError(f"could not sample a point inside the domain at any size ({'; '.join(self.skipped.values())})")
        tail = "".join(f"; checked where {r}" for r in self.restrictions)
        tail += "".join(f"; skipped {k} ({why})" for k, why in self.skipped.items())
        return [v or Verdict("holds", f"agrees on {self.checks[i]} checks; largest relative error "
                                      f"{mpmath.nstr(self.worst[i], 3)}{tail}", float(self.worst[i]), self.checks[i])
                for i, v in enumerate(self.verdicts)]

    def _within_size(self, dims: dict[str, int]) -> None:
        """Refuse fixed sizes whose matrices would exceed MAX_ENTRIES (symbolic ones are small)."""
        exprs = [self.f, *self.gradients] + [s for a in self.assume for s in (a.lhs, a.rhs)]
        shapes = {n.shape for n in distinct_nodes(*exprs)} | set(self.scope.symbols.values())
        for shape in shapes:
            rows, cols = _size_of(shape, dims)
            if rows * cols > MAX_ENTRIES:
                raise MatcalcError(f"could not check: a {shape} matrix ({rows * cols} entries) is beyond the "
                                   f"checker's limit of {MAX_ENTRIES} entries")

    def _instance(self, dims, impls, n_directions, entrywise, rng, sign: int) -> None:
        """Sample one instance and judge every gradient still undecided on it."""
        live = {i: g for i, g in enumerate(self.gradients) if self.verdicts[i] is None}
        try:
            inst, needed = _sample(self.f, self.x, live, self.scope, self.assume, dims, rng, impls, self.dps, sign,
                                   self.deadline)
        except NoPoint as e:
            self.skipped.setdefault(", ".join(f"{k}={v}" for k, v in dims.items()) or "the declared sizes", str(e))
            return
        self.restrictions.update(dict.fromkeys(needed))
        rows, cols = inst.shape
        tests = [("direction", _direction(rng, rows, cols, inst.tangent)) for _ in range(n_directions)]
        if entrywise and inst.tangent is None:
            entries = [(r, c) for r in range(rows) for c in range(cols)]
            if len(entries) > MAX_ENTRY_CHECKS:  # a large fixed size: the corners and a random sample
                corners = {(0, 0), (0, cols - 1), (rows - 1, 0), (rows - 1, cols - 1)}
                entries = sorted(corners | set(rng.sample(entries, MAX_ENTRY_CHECKS - len(corners))))
            tests += [("entry", _unit(rows, cols, r, c)) for r, c in entries]
        for kind, V in tests:
            numeric = _memo(lambda k, V=V: inst.directional(V, k))
            for i in [i for i in live if self.verdicts[i] is None]:
                ok, err = _agree(lambda k: _inner(inst.gradient(i, live[i], k), V), numeric, self.tol)
                self.worst[i], self.checks[i] = max(self.worst[i], err), self.checks[i] + 1
                if not ok:
                    G = inst.gradient(i, live[i])
                    cx = _counterexample(inst, G, dims, kind, V, _inner(G, V), numeric(0)[0], err)
                    self.verdicts[i] = Verdict("refuted", cx["summary"], float(self.worst[i]), self.checks[i], cx)


def _memo(fn):
    cache: dict = {}

    def get(k):
        if k not in cache:
            cache[k] = fn(k)
        return cache[k]

    return get


def _unit(rows: int, cols: int, r: int, c: int) -> Matrix:
    return [[Fraction(int((i, j) == (r, c))) for j in range(cols)] for i in range(rows)]


def _inner(G: Matrix, V: Matrix):
    """tr(Gᵀ V)"""
    return sum(g * v for rg, rv in zip(G, V) for g, v in zip(rg, rv))


def numeric_gradient(inst: _Instance, rows: int, cols: int) -> Matrix:
    """Every partial derivative of f by an entry of X, by the same extrapolated differences."""
    return [[inst.directional(_unit(rows, cols, r, c))[0] for c in range(cols)] for r in range(rows)]


def _differs(g, n, scale) -> bool:
    """An entry differs when it is off by more than 1e-20 of the larger of it and the largest
    entry of either matrix (for display: rounding noise in a zero entry is not a difference)."""
    return abs(to_mpf(g) - to_mpf(n)) > mpmath.mpf(10) ** -20 * max(abs(to_mpf(g)), abs(to_mpf(n)), scale)


def _counterexample(inst, G, dims, kind, V, claimed, true, err) -> dict:
    x = inst.x.name
    rows, cols = len(G), len(G[0])
    cx = {
        "sizes": dict(dims),
        "functions": inst.label or None,
        "point": {n: format_matrix(v) for n, v in inst.b.values.items()},
        "check": kind,
        "direction": format_matrix(V),
        "claimed_derivative": _fmt(claimed, 12),
        "numeric_derivative": _fmt(true, 12),
        "relative_error": mpmath.nstr(err, 3),
    }
    if inst.tangent is None and rows * cols <= 36:
        with mpmath.workdps(inst.dps + LEVELS[0][1]):
            N = numeric_gradient(inst, rows, cols)
            scale = max(abs(to_mpf(v)) for M in (G, N) for r in M for v in r)
            cx["claimed_gradient"] = format_matrix(G)
            cx["numeric_gradient"] = format_matrix(N)
            cx["differing_entries"] = [
                {"entry": [r + 1, c + 1], "claimed": _fmt(G[r][c]), "numeric": _fmt(N[r][c])}
                for r in range(rows) for c in range(cols) if _differs(G[r][c], N[r][c], scale)]
    sizes = ", ".join(f"{k}={v}" for k, v in dims.items())
    where = f"entry {x}[{[(r + 1, c + 1) for r in range(rows) for c in range(cols) if V[r][c]][0]}]" \
        if kind == "entry" else "a random direction"
    cx["summary"] = (f"refuted at {sizes or 'the declared sizes'}: along {where} the claimed derivative is "
                     f"{_fmt(claimed, 8)} but f changes at rate {_fmt(true, 8)}")
    return cx
