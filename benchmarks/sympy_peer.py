"""SymPy 1.14's own matrix calculus (MatrixExpr.diff) on matcalc's claims, for comparison.

Each claim is translated into a SymPy matrix expression with symbolic dimensions; the
result is judged at a random point against matcalc's (independently verified) gradient.
"""
from __future__ import annotations

import signal
from fractions import Fraction

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from matcalc.expr import (
    Add, Call, Div, EDiv, Entrywise, EPower, Eye, Hadamard, Let, MatMul, Neg, Num, Ones, Power, Sym, Transpose,
)

T = sp.Symbol("t")
FUNCS = {"exp": sp.exp(T), "log": sp.log(T), "tanh": sp.tanh(T), "sqrt": sp.sqrt(T), "sigmoid": 1 / (1 + sp.exp(-T))}


class Unsupported(Exception):
    """A form SymPy's matrix expressions cannot state (abstract functions)."""


def _dim(d):
    return sp.Symbol(d, integer=True, positive=True) if isinstance(d, str) else d


def _scalar(v):
    """A 1×1 matrix expression as a scalar, where it scales a larger matrix."""
    return v[0, 0] if isinstance(v, sp.MatrixExpr) else v


def _is_scalar(e):
    return e.shape.is_scalar


def to_sympy(e, syms: dict):
    """e as a SymPy (matrix) expression; 1×1 results are scalars."""
    go = lambda a: to_sympy(a, syms)  # noqa: E731
    if isinstance(e, Sym):
        if e.name not in syms:
            syms[e.name] = sp.MatrixSymbol(e.name, _dim(e.shape.rows), _dim(e.shape.cols))
        return syms[e.name]
    if isinstance(e, Let):
        return go(e.body)
    if isinstance(e, Num):
        return sp.Rational(e.value.numerator, e.value.denominator) * sp.OneMatrix(1, 1)
    if isinstance(e, Eye):
        return sp.Identity(_dim(e.n))
    if isinstance(e, Ones):
        return sp.OneMatrix(_dim(e.rows), _dim(e.cols))
    if isinstance(e, Add):
        out = 0
        for t in e.terms:
            v = go(t)
            if _is_scalar(t) and not _is_scalar(e):
                v = _scalar(v) * sp.OneMatrix(_dim(e.shape.rows), _dim(e.shape.cols))
            out = v if out == 0 else out + v
        return out
    if isinstance(e, Neg):
        return -go(e.arg)
    if isinstance(e, MatMul):
        a, b = go(e.left), go(e.right)
        if _is_scalar(e.left) and not _is_scalar(e.right):
            return _scalar(a) * b
        if _is_scalar(e.right) and not _is_scalar(e.left):
            return _scalar(b) * a
        return a * b
    if isinstance(e, (Hadamard, EDiv)):
        a, b = go(e.left), go(e.right)
        if isinstance(e, EDiv):
            b = sp.HadamardPower(b, -1) if not _is_scalar(e.right) else 1 / _scalar(b)
        if _is_scalar(e.left) or _is_scalar(e.right):
            return _scalar(a) * b if _is_scalar(e.left) else a * _scalar(b)
        return sp.HadamardProduct(a, b)
    if isinstance(e, Div):
        return go(e.left) / _scalar(go(e.right))
    if isinstance(e, Power):
        return _scalar(go(e.base)) ** sp.Rational(e.exponent.numerator, e.exponent.denominator)
    if isinstance(e, EPower):
        return sp.HadamardPower(go(e.base), sp.Rational(e.exponent.numerator, e.exponent.denominator))
    if isinstance(e, Transpose):
        v = go(e.arg)
        return v if _is_scalar(e) else v.T
    if isinstance(e, Entrywise) and e.fn in FUNCS:
        lam = sp.Lambda(T, sp.diff(FUNCS[e.fn], T, e.order))
        v = go(e.arg)
        return lam(_scalar(v)) if _is_scalar(e.arg) else ElementwiseApplyFunction(lam, v)
    if isinstance(e, Call):
        a = go(e.arg)
        r, c = _dim(e.arg.shape.rows), _dim(e.arg.shape.cols)
        if e.fn == "tr":
            return sp.Trace(a) if not _is_scalar(e.arg) else a
        if e.fn == "det":
            return sp.Determinant(a)
        if e.fn == "logdet":
            return sp.log(sp.Determinant(a))
        if e.fn == "inv":
            return sp.Inverse(a)
        if e.fn == "sum":
            return _scalar(sp.OneMatrix(1, r) * a * sp.OneMatrix(c, 1)) if not _is_scalar(e.arg) else a
        if e.fn == "norm":
            return sp.sqrt(sp.Trace(a.T * a))
        if e.fn == "softmax":
            ex = ElementwiseApplyFunction(sp.Lambda(T, sp.exp(T)), a)
            return ex / _scalar(sp.OneMatrix(1, r) * ex)
    raise Unsupported(type(e).__name__ + (f" {e.fn}" if hasattr(e, "fn") else ""))


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def sympy_gradient(f, x, seconds: int = 10):
    """(SymPy's d f / d x, the symbol table) or raise Unsupported / the error SymPy raised."""
    syms: dict = {}
    fx = to_sympy(f, syms)
    X = to_sympy(x, syms)
    sp.core.cache.clear_cache()
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        return fx.diff(X), syms
    finally:
        signal.alarm(0)


def explicit_value(expr, syms: dict, values: dict, dims: dict):
    """The value of a SymPy result at concrete sizes and matrices, as a list of rows of floats."""
    subs = {sp.Symbol(d, integer=True, positive=True): v for d, v in dims.items()}
    repl = {}
    for name, s in syms.items():
        v = values[name]
        repl[s] = sp.ImmutableMatrix([[sp.Rational(q.numerator, q.denominator) for q in row] for row in v])
    val = expr.xreplace(repl).subs(subs) if hasattr(expr, "subs") else expr
    val = val.doit()
    if isinstance(val, sp.MatrixBase) or isinstance(val, sp.MatrixExpr):
        val = sp.Matrix(val.as_explicit()) if hasattr(val, "as_explicit") else sp.Matrix(val)
        return [[complex(sp.N(val[i, j], 30)) for j in range(val.shape[1])] for i in range(val.shape[0])]
    return [[complex(sp.N(val, 30))]]


def random_values(scope, dims, seed=3):
    import random
    rng = random.Random(seed)
    out = {}
    for name, s in scope.symbols.items():
        r, c = (d if isinstance(d, int) else dims[d] for d in (s.rows, s.cols))
        out[name] = [[Fraction(rng.randint(1, 16), 8) + (r + 1 if r == c and i == j and r > 1 else 0)
                      for j in range(c)] for i in range(r)]
    return out
