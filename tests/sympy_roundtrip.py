"""Values of matcalc expressions and of their SymPy translations at one concrete point, for the
bridge's round-trip tests: matcalc's evaluator on the tree and on from_sympy(to_sympy(tree)),
and SymPy's own ``as_explicit()`` on to_sympy(tree) (an oracle that shares no code with matcalc's
evaluator)."""
from __future__ import annotations

import random
from fractions import Fraction

import sympy as sp
from flint import arb_series

from matcalc.checker.evaluate import Bindings, ball, evaluate, size
from matcalc.checker.plan import dimension_names
from matcalc import ops
from matcalc.expr import Entrywise, Expr, Sym, walk

from .balls import PREC, close as _close

#: The stand-in for every declared element-wise function: p(t) = 1/2 + t - t²/3 + t³/5.
POLY = (Fraction(1, 2), Fraction(1), Fraction(-1, 3), Fraction(1, 5))
T = sp.Symbol("t")
DPS = 40


def poly(s: arb_series) -> arb_series:
    """POLY on an Arb power series (the checker takes its derivatives from the series)."""
    c0, c1, c2, c3 = (ball(c) for c in POLY)
    return ((s * c3 + c2) * s + c1) * s + c0


def point(exprs: list[Expr], seed: int = 1) -> tuple[dict, dict]:
    """(sizes, values): distinct sizes 2, 3, ... for the dimension names, and for each symbol entries
    p/q in [1/4, 2] plus its size on the diagonal of a square matrix (positive, invertible, det > 0)."""
    syms = {n.name: n.shape for e in exprs for n in walk(e) if isinstance(n, Sym)}
    integers = {n.name for e in exprs for n in walk(e) if isinstance(n, Sym) and n.integer}
    names = sorted(dimension_names([], exprs))
    dims = {n: 2 + i for i, n in enumerate(names)}
    rng = random.Random(seed)
    values = {}
    for name, s in sorted(syms.items()):
        if name in integers:  # an integer symbol: an integer k ≥ 1
            values[name] = [[Fraction(rng.randint(1, 4))]]
            continue
        r, c = size(s.rows, dims), size(s.cols, dims)
        values[name] = [[Fraction(rng.randint(1, 8), rng.randint(4, 8)) + (r if i == j and r == c > 1 else 0)
                         for j in range(c)] for i in range(r)]
    return dims, values


def matcalc_value(e: Expr, dims: dict, values: dict) -> list[list]:
    functions = {n.fn: poly for n in walk(e) if isinstance(n, Entrywise) and ops.get(n.fn) is None}
    return evaluate(e, Bindings(values, dims, elementwise=functions), prec=PREC)


def sympy_value(S, dims: dict, values: dict) -> list[list]:
    """SymPy's explicit value of S: undefined functions made POLY (and their derivatives evaluated),
    dimensions and symbols made concrete, every matrix expression made explicit (as_explicit)."""
    stand_in = sp.Lambda(T, sum(sp.Rational(c.numerator, c.denominator) * T ** k for k, c in enumerate(POLY)))
    for f in {a.func for a in S.atoms(sp.core.function.AppliedUndef)}:
        S = S.replace(f, stand_in)
    S = S.replace(lambda a: isinstance(a, sp.Derivative), lambda a: a.doit())
    S = S.xreplace({s: sp.Integer(dims[s.name]) for s in S.free_symbols if type(s) is sp.Symbol and s.name in dims})
    concrete = {}
    for s in S.atoms(sp.MatrixSymbol, sp.Symbol):
        v = values.get(s.name)
        if v is not None and type(s) is not sp.Dummy:
            m = sp.ImmutableMatrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in v])
            concrete[s] = m if isinstance(s, sp.MatrixSymbol) else m[0, 0]
    S = S.xreplace(concrete).replace(lambda a: isinstance(a, sp.MatrixExpr), lambda a: a.as_explicit()).doit()
    if isinstance(S, sp.MatrixBase):
        return [[sp.N(S[i, j], DPS) for j in range(S.shape[1])] for i in range(S.shape[0])]
    return [[sp.N(S, DPS)]]


def close(a: list, b: list) -> bool:
    """Same shape, every entry equal to 25 digits relative to its size (or to 1)."""
    return _close(a, b, entrywise=True)
