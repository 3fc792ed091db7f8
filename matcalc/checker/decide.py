"""How the checker decides: the whole rule.

1. **Numbers are enclosures.** Every number is an Arb ball certain to contain the true value
   (exact rational points, Arb's rigorous arithmetic), or, where f and the claims are rational
   and small, the exact rational itself (a ball of radius 0: equal or not); derivatives are
   Taylor coefficients of f(X + Σ εᵢUᵢ) (ring.py), so there is no step size and no truncation
   error.
2. **Comparison.** At a point, a claimed number c (tr(Gᵀ U), a column J vec U, vec(U)ᵀ H vec V)
   and the actual one a (f's Taylor coefficient) are
   - *disjoint*: **refuted**. This is a certificate: the exact point and direction, the
     precision and both balls are reported, and ``matcalc recheck`` recomputes them;
   - *overlapping, both radii ≤ τ·s* with τ = 2⁻¹³³ (about 10⁻⁴⁰) and s the larger of their
     magnitudes, or where both balls contain 0, f's own scale (the largest magnitude its
     derivatives have certainly had, at this instance or an earlier one of the check; while
     none has, that of f's value here): **agree**;
   - otherwise *undecided*.
3. **Refinement.** An instance with an undecided comparison, or whose evaluation met a ball
   too wide to decide an operation (the sign at a kink, a pivot, a finite value), is evaluated
   again at twice the precision, from START bits up to BUDGET. Still undecided then, the
   comparison is **unresolved**: said in the verdict, never counted as agreement.
4. **Domain.** A point where f or an assumption is certainly undefined (log of a negative, abs
   at exactly 0, a singular matrix) is drawn again; one that stays undecided at the budget is
   drawn again too, and an instance with no point is **skipped**, and said. A claim certainly
   undefined at a point where f and its derivatives are defined is refuted by that point (its
   certificate) once the claim is defined at another point of the same sizes; where it is
   defined at none (an inverse singular at every point of those sizes), it is skipped there.
5. **Verdict.** A claim is *refuted* at its first disjoint comparison. It *holds* when every
   comparison at every instance it was judged at agrees, some of them at an instance where no
   dimension is 1, and some at an instance of the plan itself (points scaled out beyond the plan
   to reach the other side of a kink do not count alone: a claim whose every planned size was
   skipped could not be checked); the sizes skipped (no instance of them judged), those where
   some instances were, and the comparisons unresolved are named in the verdict. Any other claim
   could not be checked: an error, exit status 2.

What each clause rules out: (1) and (2) leave no tolerance a wrong claim could hide in
beyond τ of its own size; (3) no level of precision "agrees" by running out of digits; (4) no
point on a kink decides a derivative. Which sizes, points, directions and stand-ins are tried
is the plan (plan.py), and what is compared is the measure's (measures.py): neither changes
this rule.
"""
from __future__ import annotations

from flint import arb, fmpq

TAU = arb(2) ** -133
START = 192
BUDGET = 6144

REFUTED, AGREES, UNDECIDED = "refuted", "agrees", "undecided"


def precisions():
    """START, 2·START, … up to BUDGET bits."""
    p = START
    while p <= BUDGET:
        yield p
        p *= 2


def magnitude(x) -> arb:
    """A lower bound of |x| (0 when the ball contains 0); |x| of an exact x."""
    return arb(abs(x)) if type(x) is fmpq else x.abs_lower()


def size(c: arb, a: arb, scale: arb) -> arb:
    """What clause 2 measures the radii against: the larger magnitude of c and a, or f's own
    scale where both contain 0."""
    s = max(magnitude(c), magnitude(a))
    return scale if s == 0 else s


def compare(c, a, scale: arb) -> str:
    """Clause 2 for one pair of balls (or exact rationals: equal or not); ``scale`` is f's own
    (used where both contain 0)."""
    if type(c) is fmpq and type(a) is fmpq:
        return AGREES if c == a else REFUTED
    if not c.overlaps(a):
        return REFUTED
    if not (c.is_finite() and a.is_finite()):
        return UNDECIDED
    bound = TAU * size(c, a, scale)
    return AGREES if c.rad() <= bound and a.rad() <= bound else UNDECIDED


def relative(c, a, scale: arb) -> float:
    """|c − a| of the midpoints relative to the comparison's size, for display."""
    c, a = arb(c), arb(a)  # (an exact rational's ball, at the working precision)
    s = size(c, a, scale)
    return float(abs(c.mid() - a.mid()) / s) if s != 0 else 0.0
