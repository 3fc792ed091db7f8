"""A random point drawn as the checker draws one, with the sampler's public functions
(matcalc/checker/sample.py), for tests and benchmarks that use the checker's evaluator as a
numeric oracle."""
from __future__ import annotations

import random
from fractions import Fraction

from flint import ctx

from matcalc.checker.evaluate import Bindings, Evaluator, size
from matcalc.checker.ring import DomainError, Undecided
from matcalc.checker.sample import assumed_symbol, random_matrix, required, satisfy, symmetrised, with_det_sign


def sizes(scope) -> dict[str, int]:
    """Distinct sizes 2, 3, 4, ... for the scope's dimension names, in order of declaration."""
    names = list(dict.fromkeys(d for s in scope.symbols.values() for d in (s.rows, s.cols) if isinstance(d, str)))
    return {n: 2 + i for i, n in enumerate(names)}


def checker_point(scope, exprs: list, assume, dims: dict, rng: random.Random, elementwise=None, scalar=None,
                  prec: int = 200) -> tuple[Bindings, dict]:
    """(bindings, normals): non-zero rationals p/q, positive where an expression needs it of a symbol,
    det > 0 under logdet, well conditioned under det and inv, symmetric where declared, every
    assumption met (normals: the assumed symbol -> the normal it was moved along); drawn again
    until every expression evaluates at ``prec`` bits."""
    positive, det_positive, invertible = required(list(exprs) + [s for a in assume for s in (a.lhs, a.rhs)])
    for _ in range(50):
        values = {}
        for name, shape in scope.symbols.items():
            if name in scope.integer:  # an integer symbol: an integer k ≥ 1
                values[name] = [[Fraction(rng.randint(1, 4))]]
                continue
            r, c = size(shape.rows, dims), size(shape.cols, dims)
            v = random_matrix(rng, r, c, positive=name in positive, dominant=name in invertible)
            v = symmetrised(v) if name in scope.symmetric else v
            values[name] = with_det_sign(v, 1) if name in det_positive else v
        b = Bindings(values, dims, elementwise or {}, scalar or {})
        try:
            normals = dict(satisfy(a, b, assumed_symbol(a) in scope.symmetric) for a in assume)
            with ctx.workprec(prec):
                ev = Evaluator(b)
                for e in exprs:
                    ev(e)
            return b, normals
        except (DomainError, Undecided, ZeroDivisionError):
            continue
    raise AssertionError(f"no point in the domain of {', '.join(map(str, exprs))}")
