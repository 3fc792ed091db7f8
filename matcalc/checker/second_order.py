"""Check claimed Jacobians and Hessians on concrete instances, independently of the engine.

Jacobian J of F by X: (F(X + hV) - F(X - hV)) / 2h, extrapolated, against J vec(V) for
random V, and column by column at the smallest sizes. Hessian H of f: the mixed second
difference [f(X+hU+hV) - f(X+hU-hV) - f(X-hU+hV) + f(X-hU-hV)] / 4h², extrapolated, against
vec(U)ᵀ H vec(V) for independent random U and V (so an asymmetric H is caught), entry by
entry at the smallest sizes, and H = Hᵀ on every instance.

The first-order checker's sampler and comparison are used through ``instances`` and
``relative`` only.
"""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath

from ..errors import MatcalcError
from ..expr import Commutation, Expr, Eye, Ones, Sym, walk
from ..shapes import Shape, dim_names
from .evaluate import Bindings, Evaluator, Matrix, to_mpf, vec
from .sample import dimension_names, function_choices, size_assignments
from .verify import DEFAULT_DPS, Verdict, _direction, _fmt, _relative, _sample, format_matrix

MAX_ENTRIES = 36  # entrywise checks and counterexample matrices only up to this many entries of vec(X)


# --- the two entry points into the first-order checker ----------------------------------------

def relative(a, b) -> mpmath.mpf:
    """|a - b| relative to the larger of |a|, |b| (the first-order checker's comparison)."""
    return _relative(a, b)


def instances(f: Expr, x: Sym, claims: list[Expr], scope, assume, rng: random.Random):
    """The first-order checker's instances: (sizes, stand-in label, instance, claimed matrices,
    whether to check entrywise). Distinct non-square sizes with every stand-in function, then
    every dimension 1 where the claim is defined there."""
    extra = [Shape(n, 1) for e in [f, *claims] for node in walk(e) for d in _dims(node) for n in dim_names(d)]
    names = dimension_names(list(scope.symbols.values()) + extra, [f, *claims])
    choices = function_choices(scope.functions, rng)
    plan = [(dims, impls, k == 0, False) for k, dims in enumerate(size_assignments(names)) for impls in choices]
    if names:
        plan.append(({n: 1 for n in names}, choices[0], False, True))
    for dims, impls, entrywise, optional in plan:
        try:
            # x itself goes first: the sampler shapes its zero direction like the first matrix
            inst, Ms = _sample(f, x, [x, *claims], scope, assume, dims, rng, impls)
        except MatcalcError:
            if optional:
                continue
            raise
        yield dims, impls[0], inst, Ms[1:], entrywise


def _dims(node: Expr):
    if isinstance(node, Eye):
        return (node.n,)
    if isinstance(node, Ones):
        return (node.rows, node.cols)
    if isinstance(node, Commutation):
        return (node.m, node.n)
    return ()


# --- evaluation along directions ---------------------------------------------------------------

def _value_at(inst, moves: list[tuple[Matrix, object]]) -> Matrix:
    """f with X moved to X + Σ h V, in exact arithmetic when f is rational."""
    name = inst.x.name
    moved = [list(r) for r in inst.b.values[name]]
    for V, h in moves:
        moved = [[p + h * v for p, v in zip(rp, rv)] for rp, rv in zip(moved, V)]
    b = Bindings(**{**inst.b.__dict__, "values": {**inst.b.values, name: moved}, "exact": inst.rational})
    return Evaluator(b)(inst.f)


def _step(inst):
    return Fraction(1, 2**40) if inst.rational else mpmath.mpf(2) ** -40


def directional_vec(inst, V: Matrix) -> list:
    """vec of (F(X + hV) - F(X - hV)) / 2h, at h and h/2, extrapolated once (Richardson)."""
    def d(h):
        plus, minus = vec(_value_at(inst, [(V, h)])), vec(_value_at(inst, [(V, -h)]))
        return [(p[0] - m[0]) / (2 * h) for p, m in zip(plus, minus)]

    h = _step(inst)
    d1, d2 = d(h), d(h / 2)
    return [(4 * b - a) / 3 for a, b in zip(d1, d2)]


def mixed_difference(inst, U: Matrix, V: Matrix):
    """[f(X+hU+hV) - f(X+hU-hV) - f(X-hU+hV) + f(X-hU-hV)] / 4h², at h and h/2, extrapolated once."""
    def d(h):
        f = lambda su, sv: _value_at(inst, [(U, su * h), (V, sv * h)])[0][0]  # noqa: E731
        return (f(1, 1) - f(1, -1) - f(-1, 1) + f(-1, -1)) / (4 * h * h)

    h = _step(inst)
    return (4 * d(h / 2) - d(h)) / 3


def _unit(rows: int, cols: int, k: int) -> Matrix:
    """The k-th unit matrix in vec order (column by column)."""
    return [[Fraction(int(i + j * rows == k)) for j in range(cols)] for i in range(rows)]


def _flat(V: Matrix) -> list:
    return [r[0] for r in vec(V)]


def _vector_error(a: list, b: list) -> mpmath.mpf:
    scale = max([abs(to_mpf(v)) for v in a + b] + [mpmath.mpf(0)])
    if scale < mpmath.mpf(10) ** (-40):
        return mpmath.mpf(0)
    return max(abs(to_mpf(p) - to_mpf(q)) for p, q in zip(a, b)) / scale


# --- Jacobians ---------------------------------------------------------------------------------

def check_jacobians(F: Expr, x: Sym, claims: list[Expr], scope, assume=(), *, seed: int = 0,
                    dps: int = DEFAULT_DPS, directions: int = 2) -> list[Verdict]:
    """Verdicts on claimed Jacobians d vec F / d vec(X)ᵀ, judged on the same instances."""
    rng, state, runs = _judged(F, x, claims, scope, assume, seed, dps)
    for dims, label, inst, Js, entrywise, (r, c) in runs:
        tests = [("direction", _direction(rng, r, c, inst.tangent)) for _ in range(directions)]
        if entrywise and inst.tangent is None and r * c <= MAX_ENTRIES:
            tests += [("entry", _unit(r, c, k)) for k in range(r * c)]
        for kind, V in tests:
            if state.done():
                break
            true = directional_vec(inst, V)
            v = _flat(V)
            for i in state.live():
                claimed = [sum(a * b for a, b in zip(row, v)) for row in Js[i]]
                err = _vector_error(claimed, true)
                if state.record(i, err):
                    cx = _jacobian_counterexample(inst, Js[i], dims, label, kind, V, claimed, true, err)
                    state.refute(i, cx)
    return state.verdicts()


def numeric_jacobian(inst, r: int, c: int) -> Matrix:
    """Every column d vec F / d X[k], by the same extrapolated differences."""
    columns = [directional_vec(inst, _unit(r, c, k)) for k in range(r * c)]
    return [list(row) for row in zip(*columns)]


def _jacobian_counterexample(inst, J, dims, functions, kind, V, claimed, true, err) -> dict:
    cx = _common(inst, dims, functions, kind, err)
    cx.update(direction=format_matrix(V), claimed_derivative=format_matrix([[v] for v in claimed]),
              numeric_derivative=format_matrix([[v] for v in true]))
    r, c = _size_of(inst)
    if inst.tangent is None and r * c * len(J) <= MAX_ENTRIES * 4:
        N = numeric_jacobian(inst, r, c)
        cx.update(claimed_jacobian=format_matrix(J), numeric_jacobian=format_matrix(N),
                  differing_entries=_differing(J, N))
    where = "a column of the Jacobian" if kind == "entry" else "a random direction V"
    cx["summary"] = (f"refuted at {_sizes(dims)}: along {where}, J vec(V) differs from the change of vec(F) "
                     f"(relative error {mpmath.nstr(err, 3)})")
    return cx


# --- Hessians ----------------------------------------------------------------------------------

def check_hessians(f: Expr, x: Sym, claims: list[Expr], scope, assume=(), *, seed: int = 0,
                   dps: int = DEFAULT_DPS, directions: int = 2) -> list[Verdict]:
    """Verdicts on claimed Hessians d²f / d vec X d vec(X)ᵀ, judged on the same instances."""
    rng, state, runs = _judged(f, x, claims, scope, assume, seed, dps)
    for dims, label, inst, Hs, entrywise, (r, c) in runs:
        for i in state.live():
            asym = _asymmetry(Hs[i])
            if state.record(i, asym[0]):
                state.refute(i, _symmetry_counterexample(inst, Hs[i], dims, label, asym))
        tests = [("direction", _direction(rng, r, c, inst.tangent), _direction(rng, r, c, inst.tangent))
                 for _ in range(directions)]
        if entrywise and inst.tangent is None and r * c <= MAX_ENTRIES // 4:
            tests += [("entry", _unit(r, c, a), _unit(r, c, b)) for a in range(r * c) for b in range(a, r * c)]
        for kind, U, V in tests:
            if state.done():
                break
            true = mixed_difference(inst, U, V)
            u, v = _flat(U), _flat(V)
            for i in state.live():
                claimed = sum(a * sum(h * b for h, b in zip(row, v)) for a, row in zip(u, Hs[i]))
                err = relative(claimed, true)
                if state.record(i, err):
                    state.refute(i, _hessian_counterexample(inst, Hs[i], dims, label, kind, U, V, claimed, true, err))
    return state.verdicts()


def _asymmetry(H: Matrix):
    """(relative asymmetry, worst entry) of H."""
    scale = max([abs(to_mpf(v)) for row in H for v in row] + [mpmath.mpf(0)])
    if scale < mpmath.mpf(10) ** (-40):
        return mpmath.mpf(0), None
    worst, where = mpmath.mpf(0), None
    for i, row in enumerate(H):
        for j in range(i + 1, len(row)):
            d = abs(to_mpf(H[i][j]) - to_mpf(H[j][i])) / scale
            if d > worst:
                worst, where = d, (i, j)
    return worst, where


def numeric_hessian(inst, r: int, c: int) -> Matrix:
    """Every second partial derivative of f by entries of vec(X), by the mixed difference."""
    n = r * c
    H = [[None] * n for _ in range(n)]
    for a in range(n):
        for b in range(a, n):
            H[a][b] = H[b][a] = mixed_difference(inst, _unit(r, c, a), _unit(r, c, b))
    return H


def _hessian_counterexample(inst, H, dims, functions, kind, U, V, claimed, true, err) -> dict:
    cx = _common(inst, dims, functions, kind, err)
    cx.update(direction_u=format_matrix(U), direction_v=format_matrix(V),
              claimed_derivative=_fmt(claimed, 12), numeric_derivative=_fmt(true, 12))
    _numeric_matrix(cx, inst, H)
    where = "entries of vec(X)" if kind == "entry" else "random directions U, V"
    cx["summary"] = (f"refuted at {_sizes(dims)}: along {where} the claimed vec(U)ᵀ H vec(V) is {_fmt(claimed, 8)} "
                     f"but the mixed second difference of f is {_fmt(true, 8)}")
    return cx


def _symmetry_counterexample(inst, H, dims, functions, asym) -> dict:
    err, (i, j) = asym
    cx = _common(inst, dims, functions, "symmetry", err)
    cx.update(claimed_derivative=f"H[{i + 1},{j + 1}] = {_fmt(H[i][j])}, H[{j + 1},{i + 1}] = {_fmt(H[j][i])}")
    _numeric_matrix(cx, inst, H)
    cx["summary"] = (f"refuted at {_sizes(dims)}: a Hessian is symmetric, but the claimed one has "
                     f"H[{i + 1},{j + 1}] = {_fmt(H[i][j], 8)} and H[{j + 1},{i + 1}] = {_fmt(H[j][i], 8)}")
    return cx


def _numeric_matrix(cx: dict, inst, H) -> None:
    r, c = _size_of(inst)
    if inst.tangent is None and r * c <= MAX_ENTRIES // 4:
        N = numeric_hessian(inst, r, c)
        cx.update(claimed_hessian=format_matrix(H), numeric_hessian=format_matrix(N), differing_entries=_differing(H, N))


# --- shared by both ------------------------------------------------------------------------------

class _State:
    """Worst errors, check counts and verdicts of several claims judged together."""

    def __init__(self, n: int, dps: int):
        self.tol = mpmath.mpf(10) ** (-(dps // 2))  # half the digits: what Richardson leaves exact
        self.worst = [mpmath.mpf(0)] * n
        self.checks = [0] * n
        self.found: list[Verdict | None] = [None] * n

    def live(self) -> list[int]:
        return [i for i, v in enumerate(self.found) if v is None]

    def done(self) -> bool:
        return not self.live()

    def record(self, i: int, err) -> bool:
        """Count one check of claim i; True when it fails."""
        self.worst[i] = max(self.worst[i], err)
        self.checks[i] += 1
        return err > self.tol

    def refute(self, i: int, cx: dict) -> None:
        self.found[i] = Verdict("refuted", cx["summary"], float(self.worst[i]), self.checks[i], cx)

    def verdicts(self) -> list[Verdict]:
        return [v or Verdict("holds", f"agrees on {self.checks[i]} checks; largest relative error "
                                      f"{mpmath.nstr(self.worst[i], 3)}", float(self.worst[i]), self.checks[i])
                for i, v in enumerate(self.found)]


def _judged(f, x, claims, scope, assume, seed: int, dps: int):
    """(rng, state of the claims, the instances with X's sizes), evaluated at dps + 60 digits."""
    rng = random.Random(seed)

    def runs():
        with mpmath.workdps(dps + 60):
            for dims, label, inst, Ms, entrywise in instances(f, x, claims, scope, assume, rng):
                yield dims, label, inst, Ms, entrywise, _size_of(inst)

    return rng, _State(len(claims), dps), runs()


def _size_of(inst) -> tuple[int, int]:
    """The sizes of the variable X at this instance."""
    X = inst.b.values[inst.x.name]
    return len(X), len(X[0])


def _common(inst, dims, functions, kind, err) -> dict:
    return {"sizes": dict(dims), "functions": functions or None,
            "point": {n: format_matrix(v) for n, v in inst.b.values.items()},
            "check": kind, "relative_error": mpmath.nstr(err, 3)}


def _differing(C: Matrix, N: Matrix) -> list[dict]:
    return [{"entry": [r + 1, c + 1], "claimed": _fmt(C[r][c]), "numeric": _fmt(N[r][c])}
            for r in range(len(C)) for c in range(len(C[0])) if relative(C[r][c], N[r][c]) > mpmath.mpf(10) ** -20]


def _sizes(dims: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in dims.items()) or "the declared sizes"
