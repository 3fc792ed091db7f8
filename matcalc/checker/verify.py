"""Check a claimed gradient G of f with respect to X on concrete instances.

Two checks, both must pass: directional, (f(X + hV) - f(X - hV)) / 2h extrapolated by
Richardson against tr(Gᵀ V) for random V; and entrywise, every entry of G against
the partial derivative of f by that entry of X (at the first, smallest sizes).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from ..errors import MatcalcError
from ..expr import Expr, Sym
from ..declarations import Scope
from .evaluate import Bindings, DomainError, Evaluator, Matrix, NotExact, to_mpf
from .sample import dimension_names, function_choices, random_matrix, roles, satisfy, size_assignments

DEFAULT_DPS = 50
RESAMPLES = 25
HUGE = 10**30  # beyond this a point is resampled closer to zero (exp(exp(...)) and the like)


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


def _relative(a, b) -> mpmath.mpf:
    a, b = to_mpf(a), to_mpf(b)
    scale = max(abs(a), abs(b))
    if scale < mpmath.mpf(10) ** (-40):
        return mpmath.mpf(0)
    return abs(a - b) / scale


class _Instance:
    """One concrete instance: sizes, bindings and how to evaluate f along a direction."""

    def __init__(self, f: Expr, x: Sym, b: Bindings, tangent: list | None):
        self.f, self.x, self.b, self.tangent = f, x, b, tangent
        self.rational = self._is_rational()

    def _is_rational(self) -> bool:
        try:
            Evaluator(Bindings(**{**self.b.__dict__, "exact": True}))(self.f)
            return True
        except NotExact:
            return False

    def f_at(self, V: Matrix, h) -> object:
        base = self.b.values[self.x.name]
        moved = [[p + h * v for p, v in zip(rp, rv)] for rp, rv in zip(base, V)]
        b = Bindings(**{**self.b.__dict__, "values": {**self.b.values, self.x.name: moved}, "exact": self.rational})
        return Evaluator(b)(self.f)[0][0]

    def directional(self, V: Matrix):
        """Central differences at h and h/2, extrapolated once (Richardson): error O(h⁴), h = 2⁻⁴⁰ ≈ 1e-12 (a power of two keeps exact rationals small),
        evaluated with 60 guard digits so that the cancellation in f(X + hV) - f(X - hV) costs nothing."""
        h = Fraction(1, 2**40) if self.rational else mpmath.mpf(2) ** -40
        d1, d2 = ((self.f_at(V, k) - self.f_at(V, -k)) / (2 * k) for k in (h, h / 2))
        return (4 * d2 - d1) / 3


def _direction(rng: random.Random, rows: int, cols: int, tangent: list | None) -> Matrix:
    v = [Fraction(rng.randint(-16, 16), 8) for _ in range(rows * cols)]
    if tangent is not None:  # keep the constrained symbol on its assumption
        t = sum(a * x for a, x in zip(tangent, v)) / sum(a * a for a in tangent)
        v = [x - t * a for x, a in zip(v, tangent)]
    return [v[r * cols:(r + 1) * cols] for r in range(rows)]


def _sample(f, x, gradients, scope, assume, dims, rng, impls):
    """Bindings for one instance, resampled until f and every G evaluate inside their domains."""
    positive, dominant = roles([f, *gradients] + [s for a in assume for s in (a.lhs, a.rhs)])
    label, ew, sc = impls
    last = None
    for attempt in range(RESAMPLES):
        scale = Fraction(1, 2 ** (attempt // 3))  # shrink the point when values keep blowing up
        values = {}
        for name, shape in scope.symbols.items():
            r, c = (d if isinstance(d, int) else dims[d] for d in (shape.rows, shape.cols))
            values[name] = random_matrix(rng, r, c, positive=name in positive, dominant=name in dominant, scale=scale)
        b = Bindings(values, dims, ew, sc)
        tangent = None
        try:
            for a in assume:
                y, normal = satisfy(a, b)
                if y == x.name:
                    tangent = normal
            Gs = [Evaluator(b)(g) for g in gradients]
            inst = _Instance(f, x, b, tangent)
            value = inst.f_at([[0] * len(Gs[0][0]) for _ in Gs[0]], 0)
            if max(abs(to_mpf(v)) for v in [value] + [g for G in Gs for r in G for g in r]) > HUGE:
                raise DomainError("values too large for finite differences")
            return inst, Gs
        except (DomainError, ZeroDivisionError, ValueError) as e:
            last = e
    raise MatcalcError(f"could not sample a point inside the domain ({last})")


def check(f: Expr, x: Sym, gradient: Expr, scope: Scope, assume=(), *, seed: int = 0,
          dps: int = DEFAULT_DPS, directions: int = 2) -> Verdict:
    """Verdict on the claim ∂f/∂x = gradient, on several sizes and random points."""
    return check_all(f, x, [gradient], scope, assume, seed=seed, dps=dps, directions=directions)[0]


def check_all(f: Expr, x: Sym, gradients: list[Expr], scope: Scope, assume=(), *, seed: int = 0,
              dps: int = DEFAULT_DPS, directions: int = 2) -> list[Verdict]:
    """Verdicts on several claimed gradients of one f, judged on the same instances, so that
    each numeric derivative of f is computed once for all of them."""
    rng = random.Random(seed)
    names = dimension_names(list(scope.symbols.values()), [f, *gradients])
    tol = mpmath.mpf(10) ** (-(dps // 2))
    worst, checks = [mpmath.mpf(0)] * len(gradients), [0] * len(gradients)
    verdicts: list[Verdict | None] = [None] * len(gradients)
    choices = function_choices(scope.functions, rng)
    # Distinct non-square sizes with every stand-in function, entrywise at the first;
    # then every dimension 1 (where the claim is defined there: a failed sample is skipped).
    plan = [(dims, impls, directions, k == 0, False) for k, dims in enumerate(size_assignments(names))
            for impls in choices]
    if names:
        plan.append(({n: 1 for n in names}, choices[0], 1, False, True))
    with mpmath.workdps(dps + 60):
        for dims, impls, n_directions, entrywise, optional in plan:
            try:
                inst, Gs = _sample(f, x, gradients, scope, assume, dims, rng, impls)
            except MatcalcError:
                if optional:
                    continue
                raise
            rows, cols = len(Gs[0]), len(Gs[0][0])
            tests = [("direction", _direction(rng, rows, cols, inst.tangent)) for _ in range(n_directions)]
            if entrywise and inst.tangent is None:
                tests += [("entry", [[Fraction(int((i, j) == (r, c))) for j in range(cols)] for i in range(rows)])
                          for r in range(rows) for c in range(cols)]
            for kind, V in tests:
                live = [i for i, v in enumerate(verdicts) if v is None]
                if not live:
                    break
                true = inst.directional(V)
                for i in live:
                    G = Gs[i]
                    claimed = sum(g * v for rg, rv in zip(G, V) for g, v in zip(rg, rv))
                    err = _relative(claimed, true)
                    worst[i], checks[i] = max(worst[i], err), checks[i] + 1
                    if err > tol:
                        cx = _counterexample(inst, G, dims, impls[0], kind, V, claimed, true, err)
                        verdicts[i] = Verdict("refuted", cx["summary"], float(worst[i]), checks[i], cx)
    return [v or Verdict("holds", f"agrees on {checks[i]} checks; largest relative error {mpmath.nstr(worst[i], 3)}",
                         float(worst[i]), checks[i]) for i, v in enumerate(verdicts)]


def numeric_gradient(inst: _Instance, rows: int, cols: int) -> Matrix:
    """Every partial derivative of f by an entry of X, by the same extrapolated differences."""
    return [[inst.directional([[Fraction(int((i, j) == (r, c))) for j in range(cols)] for i in range(rows)])
             for c in range(cols)] for r in range(rows)]


def _counterexample(inst, G, dims, functions, kind, V, claimed, true, err) -> dict:
    x = inst.x.name
    rows, cols = len(G), len(G[0])
    cx = {
        "sizes": dict(dims),
        "functions": functions or None,
        "point": {n: format_matrix(v) for n, v in inst.b.values.items()},
        "check": kind,
        "direction": format_matrix(V),
        "claimed_derivative": _fmt(claimed, 12),
        "numeric_derivative": _fmt(true, 12),
        "relative_error": mpmath.nstr(err, 3),
    }
    if inst.tangent is None and rows * cols <= 36:
        N = numeric_gradient(inst, rows, cols)
        cx["claimed_gradient"] = format_matrix(G)
        cx["numeric_gradient"] = format_matrix(N)
        cx["differing_entries"] = [
            {"entry": [r + 1, c + 1], "claimed": _fmt(G[r][c]), "numeric": _fmt(N[r][c])}
            for r in range(rows) for c in range(cols) if _relative(G[r][c], N[r][c]) > mpmath.mpf(10) ** -20]
    sizes = ", ".join(f"{k}={v}" for k, v in dims.items())
    where = f"entry {x}[{[(r + 1, c + 1) for r in range(rows) for c in range(cols) if V[r][c]][0]}]" \
        if kind == "entry" else "a random direction"
    cx["summary"] = (f"refuted at {sizes or 'the declared sizes'}: along {where} the claimed derivative is "
                     f"{_fmt(claimed, 8)} but f changes at rate {_fmt(true, 8)}")
    return cx
