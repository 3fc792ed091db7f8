"""Check claimed Jacobians and Hessians on concrete instances, independently of the engine.

Both are reduced to scalars and judged by the first-order checker's instances and comparison
(same sizes, points, stand-ins, restrictions, refinement and budgets):
- a Jacobian J of F by X: vec(W)ᵀ J vec(V) against d/dt tr(Wᵀ F(X + tV)) for random V and W
  (and every column of J, up to 36, at the first sizes);
- a Hessian H of f: vec(U)ᵀ H vec(V) against the mixed second difference
  [f(X+hU+hV) - f(X+hU-hV) - f(X-hU+hV) + f(X-hU-hV)] / 4h² for independent random U and V
  (so an asymmetric H with the right quadratic form is caught), every entry at small sizes,
  and H = Hᵀ at every instance.
"""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath

from ..declarations import not_symmetric
from ..expr import Expr, Sym
from ..shapes import hessian, jacobian
from .evaluate import Matrix, dot, to_mpf, vec
from .verify import (
    asymmetry,
    DEFAULT_DPS, LEVELS, MAX_ENTRY_CHECKS, TIME_LIMIT, Verdict, _direction, _fmt, _size_of, check_all,
    differing_entries, format_matrix, instance_facts, sizes_text,
)

SMALL = 36  # counterexamples show whole numeric matrices only up to this many entries of vec(X)


def _unit(rows: int, cols: int, k: int) -> Matrix:
    """The k-th unit matrix in vec order (column by column)."""
    return [[Fraction(int(i + j * rows == k)) for j in range(cols)] for i in range(rows)]


def _flat(V: Matrix) -> list:
    return [r[0] for r in vec(V)]


def _bilinear(u: list, M: Matrix, v: list):
    """uᵀ M v, over the non-zero entries of v (one, for a unit vector)"""
    nonzero = [(j, b) for j, b in enumerate(v) if b]
    weights = [b for _, b in nonzero]
    return dot(u, (dot((row[j] for j, _ in nonzero), weights) for row in M))


class Jacobian:
    """A claimed Jacobian J = d vec F / d vec(X)ᵀ of a matrix F."""

    name = "Jacobian"
    order = 1  # of the derivative the numeric check takes

    def shape(self, f: Expr, x: Sym):
        return jacobian(f.shape, x.shape)

    def value_shape(self, inst, f_value: Matrix) -> tuple[int, int]:
        r, c = inst.shape
        return len(f_value) * len(f_value[0]), r * c

    def tests(self, inst, rng: random.Random, directions: int, entries: int) -> list:
        r, c = inst.shape
        p, q = _size_of(inst.f.shape, inst.b.dims)
        weight = lambda: _direction(rng, p, q, None)  # noqa: E731
        tests = [("direction", (_direction(rng, r, c, inst.tangent), weight())) for _ in range(directions)]
        if entries and inst.tangent is None:
            columns = range(r * c) if r * c <= entries else sorted(rng.sample(range(r * c), entries))
            tests += [("column", (_unit(r, c, k), weight())) for k in columns]
        return tests

    def numeric(self, inst, probe: tuple, level: int):
        V, W = probe
        return inst.directional(V, level, weight=W)

    def claimed(self, J: Matrix, probe: tuple):
        V, W = probe
        return _bilinear(_flat(W), J, _flat(V))

    def defect(self, inst, J: Matrix, noise):
        return None

    def counterexample(self, inst, J, dims, kind, probe, claimed, true, err) -> dict:
        V, W = probe
        cx = instance_facts(inst, dims, kind, err)
        cx.update(direction=format_matrix(V), weight=format_matrix(W),
                  claimed_derivative=_fmt(claimed, 12), numeric_derivative=_fmt(true, 12))
        r, c = inst.shape
        if inst.tangent is None and r * c * len(J) <= SMALL * 4:
            with mpmath.workdps(inst.dps + LEVELS[0][1]):
                N = numeric_jacobian(inst, r, c)
                cx.update(claimed_jacobian=format_matrix(J), numeric_jacobian=format_matrix(N),
                          differing_entries=differing_entries(J, N))
        where = "a column of the Jacobian" if kind == "column" else "a random direction V"
        cx["summary"] = (f"refuted at {sizes_text(dims)}: along {where}, weighted by a random W, the claimed "
                         f"vec(W)ᵀ J vec(V) is {_fmt(claimed, 8)} but tr(Wᵀ F) changes at rate {_fmt(true, 8)}")
        return cx


def numeric_jacobian(inst, r: int, c: int) -> Matrix:
    """Every entry d vec(F)_i / d vec(X)_k, by the same extrapolated differences."""
    p, q = _size_of(inst.f.shape, inst.b.dims)
    rows = []
    for i in range(p * q):
        W = _unit(p, q, i)
        rows.append([inst.directional(_unit(r, c, k), weight=W)[0] for k in range(r * c)])
    return rows


class Hessian:
    """A claimed Hessian H = d²f / d vec X d vec(X)ᵀ of a scalar f."""

    name = "Hessian"
    order = 2  # of the derivative the numeric check takes

    def shape(self, f: Expr, x: Sym):
        return hessian(x.shape)

    def value_shape(self, inst, f_value: Matrix) -> tuple[int, int]:
        r, c = inst.shape
        return r * c, r * c

    def tests(self, inst, rng: random.Random, directions: int, entries: int) -> list:
        r, c = inst.shape
        tests = [("direction", (_direction(rng, r, c, inst.tangent), _direction(rng, r, c, inst.tangent)))
                 for _ in range(directions)]
        if entries == MAX_ENTRY_CHECKS and inst.tangent is None and r * c <= 9:
            tests += [("entry", (_unit(r, c, a), _unit(r, c, b))) for a in range(r * c) for b in range(a, r * c)]
        return tests

    def numeric(self, inst, probe: tuple, level: int):
        U, V = probe
        return inst.mixed(U, V, level)

    def claimed(self, H: Matrix, probe: tuple):
        U, V = probe
        return _bilinear(_flat(U), H, _flat(V))

    def defect(self, inst, H: Matrix, noise):
        """(relative asymmetry, counterexample) when a pair H[i][j], H[j][i] differs beyond 10^-(dps/2) of its own size
        and beyond the rounding of its entries (``noise``: entries that cancel to 0 are not asymmetric)."""
        found = asymmetry(H, inst.dps, noise)
        if found is None:
            return None
        return self._symmetry_counterexample(inst, H, found)

    def _symmetry_counterexample(self, inst, H: Matrix, found):
        err, (i, j) = found
        dims = dict(inst.b.dims)
        cx = instance_facts(inst, dims, "symmetry", err)
        cx["claimed_derivative"] = f"H[{i + 1},{j + 1}] = {_fmt(H[i][j])}, H[{j + 1},{i + 1}] = {_fmt(H[j][i])}"
        _numeric_hessian(cx, inst, H)
        cx["summary"] = (f"refuted at {sizes_text(dims)}: a Hessian is symmetric, but the claimed one has "
                         f"H[{i + 1},{j + 1}] = {_fmt(H[i][j], 8)} and H[{j + 1},{i + 1}] = {_fmt(H[j][i], 8)}")
        return err, cx

    def counterexample(self, inst, H, dims, kind, probe, claimed, true, err) -> dict:
        U, V = probe
        cx = instance_facts(inst, dims, kind, err)
        cx.update(direction_u=format_matrix(U), direction_v=format_matrix(V),
                  claimed_derivative=_fmt(claimed, 12), numeric_derivative=_fmt(true, 12))
        _numeric_hessian(cx, inst, H)
        where = "entries of vec(X)" if kind == "entry" else "random directions U, V"
        cx["summary"] = (f"refuted at {sizes_text(dims)}: along {where} the claimed vec(U)ᵀ H vec(V) is "
                         f"{_fmt(claimed, 8)} but the mixed second difference of f is {_fmt(true, 8)}")
        return cx


def numeric_hessian(inst, r: int, c: int) -> Matrix:
    """Every second partial derivative of f by entries of vec(X), by the mixed difference."""
    n = r * c
    H = [[None] * n for _ in range(n)]
    for a in range(n):
        for b in range(a, n):
            H[a][b] = H[b][a] = inst.mixed(_unit(r, c, a), _unit(r, c, b))[0]
    return H


def _numeric_hessian(cx: dict, inst, H: Matrix) -> None:
    r, c = inst.shape
    if inst.tangent is None and r * c <= SMALL // 4:
        with mpmath.workdps(inst.dps + LEVELS[0][1]):
            N = numeric_hessian(inst, r, c)
            cx.update(claimed_hessian=format_matrix(H), numeric_hessian=format_matrix(N),
                      differing_entries=differing_entries(H, N))


def check_jacobians(F: Expr, x: Sym, claims: list[Expr], scope, assume=(), *, seed: int = 0,
                    dps: int = DEFAULT_DPS, directions: int = 2, time_limit: float = TIME_LIMIT) -> list[Verdict]:
    """Verdicts on claimed Jacobians d vec F / d vec(X)ᵀ, judged on the same instances."""
    not_symmetric(x, "Jacobian")
    return check_all(F, x, claims, scope, assume, seed=seed, dps=dps, directions=directions,
                     time_limit=time_limit, measure=Jacobian())


def check_hessians(f: Expr, x: Sym, claims: list[Expr], scope, assume=(), *, seed: int = 0,
                   dps: int = DEFAULT_DPS, directions: int = 2, time_limit: float = TIME_LIMIT) -> list[Verdict]:
    """Verdicts on claimed Hessians d²f / d vec X d vec(X)ᵀ, judged on the same instances."""
    not_symmetric(x, "Hessian")
    return check_all(f, x, claims, scope, assume, seed=seed, dps=dps, directions=directions,
                     time_limit=time_limit, measure=Hessian())
