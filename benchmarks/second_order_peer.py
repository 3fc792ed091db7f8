"""SymPy on the second-order claims: the Jacobian (Matrix.jacobian) or Hessian (sympy.hessian)
of the claim written out on explicit matrices of symbols at small sizes, timed, and judged at
a random point against matcalc's verified result."""
from __future__ import annotations

import random
from fractions import Fraction

import sympy as sp

from matcalc.checker.evaluate import size
from matcalc.expr import (
    Add, Call, Commutation, Div, EDiv, Entrywise, EPower, Eye, Hadamard, Kron, Let, MatMul, Neg, Num, Ones, Power,
    Sym, Transpose,
)
from matcalc.shapes import dim_names

FUNCS = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "sqrt": sp.sqrt, "sigmoid": lambda t: 1 / (1 + sp.exp(-t))}


class Unsupported(Exception):
    """A form this translation does not cover (abstract functions, derivatives)."""


def _explicit(e, syms: dict, dims: dict) -> sp.Matrix:
    go = lambda a: _explicit(a, syms, dims)  # noqa: E731
    if isinstance(e, Sym):
        if e.name not in syms:
            r, c = size(e.shape.rows, dims), size(e.shape.cols, dims)
            syms[e.name] = sp.Matrix(r, c, lambda i, j: sp.Symbol(f"{e.name}_{i}_{j}"))
        return syms[e.name]
    if isinstance(e, Let):
        return go(e.body)
    if isinstance(e, Num):
        return sp.Matrix([[sp.Rational(e.value.numerator, e.value.denominator)]])
    if isinstance(e, Eye):
        return sp.eye(size(e.n, dims))
    if isinstance(e, Ones):
        return sp.ones(size(e.rows, dims), size(e.cols, dims))
    if isinstance(e, Commutation):
        m, n = size(e.m, dims), size(e.n, dims)
        K = sp.zeros(m * n, m * n)
        for i in range(m):
            for j in range(n):
                K[j + i * n, i + j * m] = 1
        return K
    if isinstance(e, Add):
        out = None
        for t in e.terms:
            v = go(t)
            out = v if out is None else _broadcast(out, v, lambda a, b: a + b)
        return out
    if isinstance(e, Neg):
        return -go(e.arg)
    if isinstance(e, MatMul):
        a, b = go(e.left), go(e.right)
        if a.shape == (1, 1) and b.shape[0] != 1:
            return a[0, 0] * b
        if b.shape == (1, 1) and a.shape[1] != 1:
            return b[0, 0] * a
        return a * b
    if isinstance(e, Hadamard):
        return _broadcast(go(e.left), go(e.right), lambda a, b: a * b)
    if isinstance(e, EDiv):
        return _broadcast(go(e.left), go(e.right), lambda a, b: a / b)
    if isinstance(e, Div):
        return go(e.left) / go(e.right)[0, 0]
    if isinstance(e, (Power, EPower)):
        k = sp.Rational(e.exponent.numerator, e.exponent.denominator)
        return go(e.base).applyfunc(lambda t: t ** k)
    if isinstance(e, Transpose):
        return go(e.arg).T
    if isinstance(e, Kron):
        return sp.kronecker_product(go(e.left), go(e.right))
    if isinstance(e, Entrywise) and e.order == 0 and e.fn in FUNCS:
        return go(e.arg).applyfunc(FUNCS[e.fn])
    if isinstance(e, Call):
        return _call(e.fn, go(e.arg))
    raise Unsupported(type(e).__name__)


def _broadcast(a, b, op):
    if a.shape == (1, 1) and b.shape != (1, 1):
        a = sp.ones(*b.shape) * a[0, 0]
    if b.shape == (1, 1) and a.shape != (1, 1):
        b = sp.ones(*a.shape) * b[0, 0]
    return sp.Matrix(a.shape[0], a.shape[1], lambda i, j: op(a[i, j], b[i, j]))


def _call(fn: str, a: sp.Matrix) -> sp.Matrix:
    if fn == "tr":
        return sp.Matrix([[a.trace()]])
    if fn == "det":
        return sp.Matrix([[a.det()]])
    if fn == "logdet":
        return sp.Matrix([[sp.log(a.det())]])
    if fn == "inv":
        return a.inv()
    if fn == "sum":
        return sp.Matrix([[sum(a)]])
    if fn == "norm":
        return sp.Matrix([[sp.sqrt(sum(t ** 2 for t in a))]])
    if fn == "softmax":
        ex = a.applyfunc(sp.exp)
        return ex / sum(ex)
    if fn == "vec":
        return sp.Matrix([a[i, j] for j in range(a.shape[1]) for i in range(a.shape[0])])
    if fn == "diag":
        return sp.diag(*list(a))
    raise Unsupported(fn)


def sympy_second_order(kind: str, f, x: Sym, scope, dims: dict):
    """SymPy's Jacobian or Hessian of f by x on explicit matrices: (matrix, symbols)."""
    syms: dict = {}
    for name, shape in scope.symbols.items():
        _explicit(Sym(name, shape), syms, dims)
    F = _explicit(f, syms, dims)
    X = syms[x.name]
    v = [X[i, j] for j in range(X.shape[1]) for i in range(X.shape[0])]
    if kind == "hessian":
        return sp.hessian(F[0, 0], v), syms
    flat = sp.Matrix([F[i, j] for j in range(F.shape[1]) for i in range(F.shape[0])])
    return flat.jacobian(v), syms


def point(scope, dims: dict, seed: int = 1) -> dict:
    """Values for every symbol (positive, so logs and square roots are defined; square matrices
    diagonally dominant)."""
    rng = random.Random(seed)
    vals = {}
    for name, shape in scope.symbols.items():
        r, c = size(shape.rows, dims), size(shape.cols, dims)
        vals[name] = [[Fraction(rng.randint(1, 16), 16) + (r + 1 if r == c and r > 1 and i == j else 0)
                       for j in range(c)] for i in range(r)]
    return vals


def value(M: sp.Matrix, syms: dict, vals: dict) -> list[list[complex]]:
    subs = {syms[n][i, j]: sp.Rational(v.numerator, v.denominator) for n, m in vals.items()
            for i, row in enumerate(m) for j, v in enumerate(row)}
    return [[complex(sp.N(M[i, j].subs(subs), 30)) for j in range(M.shape[1])] for i in range(M.shape[0])]


def dims_of(scope) -> dict:
    names = sorted({n for s in scope.symbols.values() for d in (s.rows, s.cols) for n in dim_names(d)})
    return {n: 2 + i % 2 for i, n in enumerate(names)}
