"""A test-only oracle: f fully expanded into SymPy scalars, differentiated entry by entry
with SymPy's scalar diff (not matcalc's engine, not its checker)."""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import sympy as sp

from matcalc.checker.evaluate import size
from matcalc.expr import (
    Add, Call, Commutation, Div, EDiv, Entrywise, EPower, Eye, Frechet, Hadamard, Kron, Let, MatMul, MatPower, Neg, Num, Ones, Power,
    Sym, SymbolicPower, Transpose,
)

FUNCS = {"exp": sp.exp, "log": sp.log, "sigmoid": lambda t: 1 / (1 + sp.exp(-t)), "tanh": sp.tanh, "sqrt": sp.sqrt,
         "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "abs": lambda t: sp.Piecewise((t, t > 0), (-t, True)),
         "relu": lambda t: sp.Piecewise((t, t > 0), (0, True))}


def _sz(d, dims):
    return size(d, dims)


def _commutation(m: int, n: int) -> sp.Matrix:
    K = sp.zeros(m * n, m * n)
    for i in range(m):
        for j in range(n):
            K[j + i * n, i + j * m] = 1
    return K


def to_sympy(e, env, dims):
    """e as a SymPy Matrix over the symbol matrices in env."""
    go = lambda a: to_sympy(a, env, dims)  # noqa: E731
    if isinstance(e, Sym):
        return env[e.name]
    if isinstance(e, Let):
        return go(e.body)
    if isinstance(e, Num):
        return sp.Matrix([[sp.Rational(e.value.numerator, e.value.denominator)]])
    if isinstance(e, Eye):
        return sp.eye(_sz(e.n, dims))
    if isinstance(e, Ones):
        return sp.ones(_sz(e.rows, dims), _sz(e.cols, dims))
    if isinstance(e, Commutation):
        return _commutation(_sz(e.m, dims), _sz(e.n, dims))
    if isinstance(e, Kron):
        return sp.kronecker_product(go(e.left), go(e.right))
    if isinstance(e, Add):
        out = go(e.terms[0])
        for t in e.terms[1:]:
            v = go(t)
            if out.shape == (1, 1) and v.shape != (1, 1):
                out = sp.ones(*v.shape) * out[0, 0]
            out = out + (v if v.shape == out.shape else sp.ones(*out.shape) * v[0, 0])
        return out
    if isinstance(e, Neg):
        return -go(e.arg)
    if isinstance(e, MatMul):
        a, b = go(e.left), go(e.right)
        if a.shape[1] != b.shape[0]:
            return a[0, 0] * b if a.shape == (1, 1) else b[0, 0] * a
        return a * b
    if isinstance(e, (Hadamard, EDiv)):
        a, b = go(e.left), go(e.right)
        if a.shape == (1, 1) and b.shape != (1, 1):
            a = sp.ones(*b.shape) * a[0, 0]
        if b.shape == (1, 1) and a.shape != (1, 1):
            b = sp.ones(*a.shape) * b[0, 0]
        op = (lambda x, y: x * y) if isinstance(e, Hadamard) else (lambda x, y: x / y)
        return sp.Matrix(a.shape[0], a.shape[1], lambda i, j: op(a[i, j], b[i, j]))
    if isinstance(e, Div):
        return go(e.left) / go(e.right)[0, 0]
    if isinstance(e, (Power, EPower)):
        k = sp.Rational(e.exponent.numerator, e.exponent.denominator)
        return go(e.base).applyfunc(lambda t: t ** k)
    if isinstance(e, MatPower):
        return go(e.base) ** e.exponent
    if isinstance(e, SymbolicPower):  # the integer symbols are bound to integers
        k, a = int(go(e.exponent)[0, 0]), go(e.base)
        return a.applyfunc(lambda t: t ** k) if e.entrywise or a.shape == (1, 1) else a ** k
    if isinstance(e, Transpose):
        return go(e.arg).T
    if isinstance(e, Entrywise):
        f = FUNCS[e.fn]
        t = sp.Symbol("t")
        g = sp.Lambda(t, sp.diff(f(t), t, e.order))
        return go(e.arg).applyfunc(g)
    if isinstance(e, Call):
        a = go(e.arg)
        return {
            "tr": lambda: sp.Matrix([[a.trace()]]),
            "det": lambda: sp.Matrix([[a.det()]]),
            "logdet": lambda: sp.Matrix([[sp.log(a.det())]]),
            "inv": lambda: a.inv(),
            "sum": lambda: sp.Matrix([[sum(a)]]),
            "norm": lambda: sp.Matrix([[sp.sqrt(sum(x ** 2 for x in a))]]),
            "softmax": lambda: a.applyfunc(sp.exp) / sum(a.applyfunc(sp.exp)),
            "vec": lambda: sp.Matrix([a[i, j] for j in range(a.shape[1]) for i in range(a.shape[0])]),
            "diag": lambda: sp.diag(*list(a)),
            "tril": lambda: sp.Matrix(a.shape[0], a.shape[1], lambda i, j: a[i, j] if j <= i else 0),
            "triu": lambda: sp.Matrix(a.shape[0], a.shape[1], lambda i, j: a[i, j] if j >= i else 0),
            "diagonal": lambda: sp.Matrix([a[i, i] for i in range(a.shape[0])]),
        }.get(e.fn, lambda: _numeric(e.fn, a))()
    if isinstance(e, Frechet):  # the upper-right block of f([[A, E], [0, A]])
        a, d = go(e.at), go(e.direction)
        n = a.shape[0]
        return _numeric(e.fn, sp.Matrix(sp.BlockMatrix([[a, d], [sp.zeros(n), a]])))[:n, n:]
    raise TypeError(type(e).__name__)


def _numeric(fn: str, a: sp.Matrix) -> sp.Matrix:
    """A function through the spectrum of a numeric matrix, by mpmath at 50 digits (a symbolic a: TypeError)."""
    if a.free_symbols:
        raise TypeError(f"{fn} of a symbolic matrix")
    with mpmath.workdps(50):
        m = mpmath.matrix([[mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q if x.is_Rational else mpmath.mpf(str(sp.N(x, 60)))
                            for x in a.row(i)] for i in range(a.shape[0])])
        if fn in ("eigvals", "eigvecs"):
            lam, U = mpmath.eigsy(m)
            order = sorted(range(len(lam)), key=lambda k: lam[k])
            columns = []
            for k in order:
                col = [U[i, k] for i in range(U.rows)]
                sign = 1 if max(col, key=abs) > 0 else -1
                columns.append([sign * x for x in col])
            out = [[lam[k]] for k in order] if fn == "eigvals" else [[c[i] for c in columns] for i in range(U.rows)]
        else:
            f = {"expm": mpmath.expm, "logm": mpmath.logm, "sqrtm": mpmath.sqrtm, "chol": mpmath.cholesky}[fn]
            r = f(m)
            out = [[mpmath.re(r[i, j]) for j in range(r.cols)] for i in range(r.rows)]
        return sp.Matrix([[sp.Float(str(x), 50) for x in row] for row in out])


def _point(scope, dims, seed):
    rng = random.Random(seed)
    env, point = {}, {}
    for name, shape in scope.symbols.items():
        if name in scope.integer:  # an integer symbol: an integer k ≥ 1, never a variable
            env[name] = sp.Matrix([[rng.randint(1, 4)]])
            continue
        r, c = _sz(shape.rows, dims), _sz(shape.cols, dims)
        M = sp.Matrix(r, c, lambda i, j: sp.Symbol(f"{name}_{i}_{j}"))
        env[name] = M
        for i in range(r):
            for j in range(c):
                v = Fraction(rng.randint(1, 16), 8)
                if r == c and i == j:
                    v += r + 1  # well conditioned and positive determinant
                point[M[i, j]] = sp.Rational(v.numerator, v.denominator)
        if name in scope.symmetric:  # a symmetric(n) symbol: its lower triangle mirrors the upper
            for i in range(r):
                for j in range(i):
                    point[M[i, j]] = point[M[j, i]]
    return env, point


def values_at(exprs, scope, seed=2):
    """The entries of each expression at one random rational point (sizes 2, 3, 4, ...)."""
    names = sorted({d for s in scope.symbols.values() for d in (s.rows, s.cols) if isinstance(d, str)})
    dims = {n: 2 + i for i, n in enumerate(names)}
    env, point = _point(scope, dims, seed)
    numeric = {n: M.subs(point) for n, M in env.items()}
    return [[complex(sp.N(v, 40)) for v in to_sympy(e, numeric, dims)] for e in exprs]


def compare(f, x, gradient, scope, dims, seed=1, tol=1e-20):
    """Max |G_ij - ∂f/∂X_ij| at a random rational point, with SymPy's diff."""
    env, point = _point(scope, dims, seed)
    fx = to_sympy(f, env, dims)[0, 0]
    G = to_sympy(gradient, env, dims)
    X = env[x.name]
    worst = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            want = sp.diff(fx, X[i, j]).subs(point)
            got = G[i, j].subs(point)
            worst = max(worst, abs(float(sp.N(want - got, 30))) / max(1.0, abs(float(sp.N(want, 30)))))
    return worst
