"""Values of matcalc expressions and of their SymPy translations at one concrete point, for the
bridge's round-trip tests: matcalc's evaluator on the tree and on from_sympy(to_sympy(tree)),
and SymPy's own ``as_explicit()`` on to_sympy(tree) (an oracle that shares no code with matcalc's
evaluator)."""
from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import sympy as sp

from matcalc.checker.evaluate import Bindings, Evaluator, size
from matcalc.expr import ENTRYWISE, Entrywise, Expr, Sym, walk
from matcalc.checker.sample import dimension_names

#: The stand-in for every declared element-wise function: p(t) = 1/2 + t - t²/3 + t³/5.
POLY = (Fraction(1, 2), Fraction(1), Fraction(-1, 3), Fraction(1, 5))
T = sp.Symbol("t")
DPS = 40


def poly(x, order: int):
    """The order-th derivative of POLY at x."""
    total = 0
    for power, c in enumerate(POLY):
        if power >= order:
            k = c
            for j in range(order):
                k *= power - j
            total += k * x ** (power - order)
    return total


def point(exprs: list[Expr], seed: int = 1) -> tuple[dict, dict]:
    """(sizes, values): distinct sizes 2, 3, ... for the dimension names, and for each symbol entries
    p/q in [1/4, 2] plus its size on the diagonal of a square matrix (positive, invertible, det > 0)."""
    syms = {n.name: n.shape for e in exprs for n in walk(e) if isinstance(n, Sym)}
    names = sorted(dimension_names([], exprs))
    dims = {n: 2 + i for i, n in enumerate(names)}
    rng = random.Random(seed)
    values = {}
    for name, s in sorted(syms.items()):
        r, c = size(s.rows, dims), size(s.cols, dims)
        values[name] = [[Fraction(rng.randint(1, 8), rng.randint(4, 8)) + (r if i == j and r == c > 1 else 0)
                         for j in range(c)] for i in range(r)]
    return dims, values


def matcalc_value(e: Expr, dims: dict, values: dict) -> list[list]:
    functions = {n.fn: poly for n in walk(e) if isinstance(n, Entrywise) and n.fn not in ENTRYWISE}
    with mpmath.workdps(DPS):
        return Evaluator(Bindings(values, dims, elementwise=functions))(e)


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


def _mpf(x) -> mpmath.mpf:
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(str(x) if isinstance(x, sp.Basic) else x)


def close(a: list[list], b: list[list]) -> bool:
    """Same shape, every entry equal to 25 digits relative to its size (or to 1)."""
    if len(a) != len(b) or len(a[0]) != len(b[0]):
        return False
    with mpmath.workdps(DPS):
        return all(abs(_mpf(x) - _mpf(y)) <= mpmath.mpf(10) ** -25 * max(1, abs(_mpf(x)))
                   for ra, rb in zip(a, b) for x, y in zip(ra, rb))
