"""Numbers for the tests that use the checker's evaluator as a numeric oracle: exact rationals,
SymPy numbers and Arb balls as balls, and matrices of them compared by their midpoints."""
from __future__ import annotations

from fractions import Fraction

from flint import arb, ctx, fmpq

#: bits for an oracle evaluation (about 60 digits)
PREC = 200


def to_arb(x) -> arb:
    """x as a ball at the working precision: an arb as it is, a rational exactly, anything else
    (a SymPy Float, Integer or Rational) from its decimal text."""
    if type(x) is arb:
        return x
    if isinstance(x, (int, fmpq)):
        return arb(x)
    if isinstance(x, Fraction):
        return arb(fmpq(x.numerator, x.denominator))
    if hasattr(x, "p") and hasattr(x, "q"):  # a SymPy Rational
        return arb(fmpq(int(x.p), int(x.q)))
    return arb(str(x))


def close(P, Q, tol=Fraction(1, 10**25), entrywise: bool = False) -> bool:
    """Same shape, and every pair of entries within ``tol`` by their midpoints: relative to the
    larger of 1 and the largest entry of P, or with ``entrywise`` to the larger of 1 and the
    entry itself."""
    if len(P) != len(Q) or any(len(p) != len(q) for p, q in zip(P, Q)):
        return False
    with ctx.workprec(PREC):
        t = to_arb(tol)
        P = [[to_arb(x).mid() for x in r] for r in P]
        Q = [[to_arb(x).mid() for x in r] for r in Q]
        scale = max([abs(x) for r in P for x in r] + [arb(1)])
        return all(abs(p - q) <= t * (max(abs(p), arb(1)) if entrywise else scale)
                   for rp, rq in zip(P, Q) for p, q in zip(rp, rq))
