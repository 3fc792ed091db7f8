"""SymPy on the second-order claims: the claim written out on explicit matrices of symbols
at small sizes (the test suite's SymPy oracle), then Matrix.jacobian or sympy.hessian, judged
at a random point against matcalc's verified result."""
from __future__ import annotations

import sympy as sp

from matcalc.checker.evaluate import Bindings, evaluate
from matcalc.shapes import dim_names
from tests.sympy_oracle import _point, to_sympy


def dims_of(scope) -> dict:
    names = sorted({n for s in scope.symbols.values() for d in (s.rows, s.cols) for n in dim_names(d)})
    return {n: 2 + i % 2 for i, n in enumerate(names)}


def sympy_second_order(kind: str, f, x, scope, dims: dict, seed: int = 1):
    """SymPy's Jacobian or Hessian of f by x on explicit matrices, and the point to judge it at."""
    env, point = _point(scope, dims, seed)
    F = to_sympy(f, env, dims)
    X = env[x.name]
    v = [X[i, j] for j in range(X.shape[1]) for i in range(X.shape[0])]
    if kind == "hessian":
        return sp.hessian(F[0, 0], v), env, point
    flat = sp.Matrix([F[i, j] for j in range(F.shape[1]) for i in range(F.shape[0])])
    return flat.jacobian(v), env, point


def agrees(M, env, point, result, dims) -> bool:
    """SymPy's matrix M equals matcalc's ``result`` at ``point`` (to 1e-12)."""
    values = {n: [[point[E[i, j]] for j in range(E.shape[1])] for i in range(E.shape[0])] for n, E in env.items()}
    values = {n: [[_fraction(v) for v in r] for r in m] for n, m in values.items()}
    want = evaluate(result, Bindings(values, dims), prec=100)
    got = M.subs(point)
    return all(abs(complex(want[i][j]) - complex(sp.N(got[i, j], 30))) < 1e-12 * (1 + abs(complex(want[i][j])))
               for i in range(M.shape[0]) for j in range(M.shape[1]))


def _fraction(v):
    from fractions import Fraction

    return Fraction(int(v.p), int(v.q))
