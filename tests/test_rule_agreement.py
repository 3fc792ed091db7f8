"""The comparison (decide.py, clauses 1 and 2): every number is a ball certain to hold the true
value, and a claimed number agrees with f's Taylor coefficient only when their balls overlap and
both are within 2^-133 of their own size; disjoint balls refute. So no tolerance, absolute or
relative to a larger magnitude met on the way, hides a wrong claim, and cancellation in f or in
the claim cannot make a wrong claim agree or a true one disagree."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
from flint import arb, ctx

import matcalc
from matcalc.checker import decide
from matcalc.checker.evaluate import Bindings, Evaluator, ball
from matcalc.checker.measures import Hessian
from matcalc.errors import MatcalcError
from matcalc.parser import parse
from matcalc.prooffile import make_scope

from .claims import SQUARE, SQUARE_A, SYMMETRIC_A, VECTOR, half, refuted_or_unchecked

# log(1 + e^-1000) / e^-1000 = 1, but 0 below ~450 digits; no intermediate exceeds 1 in size
ONE = "(log(1 + exp(-1000)) / exp(-1000))"
TWO = {"X": "matrix(2, 2)"}


# --- cancellation in the claim or in f ----------------------------------------------------------

def test_wrong_claim_cancelling_through_a_division_is_refuted():
    # true gradient eye(n); the claim is 1.5 * eye(n)
    v = matcalc.check("tr(X)", wrt="X", gradient=f"eye(n) + {half(400)} * eye(n)", symbols=SQUARE)
    assert v.status == "refuted", v.message


def test_wrong_claim_cancelling_through_exp_division_is_refuted():
    # true gradient eye(n); the claim is 2 * eye(n)
    v = matcalc.check("tr(X)", wrt="X", gradient=f"eye(n) + {ONE} * eye(n)", symbols=SQUARE)
    assert v.status == "refuted", v.message


def test_true_claim_with_cancellation_in_f_holds():
    # f = 1/2 tr(X) exactly (up to 10^-400)
    v = matcalc.check(f"{half(400)} * tr(X)", wrt="X", gradient="(1/2) * eye(n)", symbols=SQUARE)
    assert v.status == "holds", v.message


def test_engines_own_gradient_with_cancellation_in_f_holds():
    d = matcalc.derive(f"{ONE} * tr(X)", wrt="X", symbols=SQUARE)
    assert d.verdict.status == "holds", d.verdict.message


def test_engines_own_gradient_of_fast_oscillation_holds():
    # the chain rule's result is right; finite differences at any practical step are far from it
    d = matcalc.derive("sin((10^10) * sin((10^10) * tr(X)))", wrt="X", symbols=SQUARE)
    assert d.verdict.status == "holds", d.verdict.message


def test_wrong_hessian_cancelling_through_a_division_is_refuted():
    # the claim is 1.5 (A + A')
    v = matcalc.check("x' * A * x", wrt="x", hessian=f"A + A' + {half(400)} * (A + A')",
                      symbols={"x": "vector(n)", "A": "matrix(n, n)"})
    assert v.status == "refuted", v.message


def test_wrong_jacobian_cancelling_through_a_division_is_refuted():
    # the claim is 1.5 A
    v = matcalc.check("A * x", wrt="x", jacobian=f"A + {half(400)} * A", symbols={"x": "vector(n)", "A": "matrix(m, n)"})
    assert v.status == "refuted", v.message


@pytest.mark.parametrize("f, gradient, let, verdict", [
    ("s * tr(X)", "(1/2) * eye(n)", {"s": "(sqrt(1 + (1/10)^400) - 1) / (1/10)^400"}, "holds"),
    ("s * tr(X)", "eye(n)", {"s": "(sqrt(1 + (1/10)^400) - 1) / (1/10)^400"}, "refuted"),
    ("s * tr(X)", "0 * s * eye(n)", {"s": "(sqrt(1 + (1/10)^400) - 1) / (1/10)^400"}, "refuted"),
    ("c * tr(X)", "c * eye(n)", {"c": "exp(2000) + 1 - exp(2000)"}, "holds"),
    ("c * tr(X)", "0 * eye(n)", {"c": "exp(2000) + 1 - exp(2000)"}, "refuted"),
    ("(exp(2000) + tr(X) - exp(2000)) * tr(X)", "(exp(2000) + tr(X) - exp(2000)) * eye(n)", {}, "refuted"),
    ("(exp(2000) + tr(X) - exp(2000)) * tr(X)", "2 * (exp(2000) + tr(X) - exp(2000)) * eye(n)", {}, "holds"),
    ("(exp(2000) + tr(X) - exp(2000))", "(exp(2000) + 2 - exp(2000)) * eye(n)", {}, "refuted"),
])
def test_claims_sharing_cancellations_with_f(f, gradient, let, verdict):
    """Claims whose parts (a Let, a cancelling sum under e^2000) f computes too, on the evaluator
    they share at a point."""
    assert matcalc.check(f, "X", gradient, symbols=SQUARE, let=let).status == verdict


def test_term_of_f_lost_to_rounding_does_not_make_a_wrong_claim_hold():
    # f = tr(A X) + (e^big + tr(X) - e^big) = tr(A X) + tr(X): the tr(X) of f, lost to rounding at
    # low precision, is found at a higher one, so the claim A' (truth A' + I) is refuted
    for big in (600, 2000):
        v = matcalc.check(f"tr(A * X) + (exp({big}) + tr(X) - exp({big}))", "X", "A'", symbols=SQUARE_A)
        assert v.status == "refuted", v.message


# --- the size a difference is measured against is the numbers' own ------------------------------

def test_wrong_claim_times_a_huge_and_tiny_factor_is_not_accepted():
    # f = sum(x) exactly, though exp(10^9) is met on the way: the balls are as narrow relative to
    # their own size as anywhere else, so the claim 2 * ones(n) is told apart
    refuted_or_unchecked("sum(x) * exp(1000000000) * exp(-1000000000)", "x", "2 * ones(n)", symbols=VECTOR)


def test_wrong_gradient_of_a_tiny_multiple_is_not_accepted():
    # f = e^-(10^9) sum(exp(x)): every value is tiny, and a claim off by 2 is off by 2 of its own size
    refuted_or_unchecked("sum(exp(x)) * exp(-1000000000)", "x", "2 * exp(x) * exp(-1000000000)", symbols=VECTOR)


def test_magnitudes_are_lower_bounds_and_zero_falls_back_on_fs_scale():
    """decide.magnitude is a lower bound of |x| (0 for a ball holding 0, unbounded exponents); the
    size of a comparison is the larger magnitude, or f's own scale where both balls hold 0."""
    with ctx.workprec(200):
        huge, tiny = -arb(10) ** 400 / 3, arb("1e-100000000000")
        assert decide.magnitude(arb(0)) == 0 and decide.magnitude(arb(3, 4)) == 0
        assert decide.magnitude(huge) <= abs(huge) and decide.magnitude(huge) > 0
        assert decide.magnitude(tiny) > 0 and decide.magnitude(tiny) <= tiny
        assert decide.size(huge, tiny, arb(7)) == decide.magnitude(huge)
        assert decide.size(arb(0), arb(0, arb(10) ** -90), arb(7)) == 7
        assert decide.compare(arb(1, arb(2) ** -140), arb(1) + arb(2) ** -141, arb(1)) == decide.AGREES
        assert decide.compare(arb(1, arb(2) ** -120), arb(1), arb(1)) == decide.UNDECIDED
        assert decide.compare(arb(1), arb(1) + arb(2) ** -150, arb(1)) == decide.REFUTED
        assert decide.compare(arb(0, arb(2) ** -140), arb(0), arb(1)) == decide.AGREES  # both hold 0: f's scale


def test_zero_derivatives_with_rounding_are_never_refuted():
    """A derivative that is exactly 0, computed with rounding noise, is not refuted by the noise: it
    holds against f's own scale (sum(softmax(z)) = 1), or exactly where f is rational; where f
    itself is 0 in every ball (norm(X)² − tr(XᵀX)), nothing gives a scale, and the checker says it
    could not check rather than guess."""
    assert matcalc.check("sum(softmax(z))", "z", "0 * z", {"z": "vector(n)"}).status == "holds"
    assert matcalc.check("sum(X .* X) - tr(X' * X)", "X", "0 * X", {"X": "matrix(m, n)"}).status == "holds"
    with pytest.raises(MatcalcError, match="could not check"):
        matcalc.check("norm(X) ^ 2 - tr(X' * X)", "X", "0 * X", {"X": "matrix(m, n)"})


def test_tiny_scaled_claims_are_refuted():
    """f scaled by exp(-200) and its gradient negated: relative error 2, absolute below 1e-80."""
    v = matcalc.check("exp(-200) * (x' * A * x)", "x", "-exp(-200) * (A + A') * x", {"x": "vector(n)", "A": "matrix(n, n)"})
    assert v.status == "refuted"


@pytest.mark.parametrize("wrong", [
    "A + 0 * exp(900)", "exp(-900) * (exp(900) * A)",
    # the claim's value is A' + ones (wrong), though its 1 is lost next to e^2000 at low precision
    "A' + (exp(2000) + 1 - exp(2000)) * ones(n, n)",
])
def test_huge_cancelling_intermediate_does_not_excuse_a_wrong_claim(wrong):
    # a claim is measured against its own value, never against a huge intermediate it met on the way
    # (0 * exp(900) is exactly 0, at every precision)
    v = matcalc.check("tr(A * X)", "X", wrong, symbols=SQUARE_A)
    assert v.status == "refuted", v.message


def test_huge_intermediate_does_not_excuse_an_asymmetric_claim():
    v = matcalc.check("tr(A * S)", "S", "A + 0 * exp(900)", symbols=SYMMETRIC_A)
    assert v.status == "refuted", v.message


# --- a refutation reports the numbers that refuted -----------------------------------------------

def test_counterexample_reports_the_rate_that_refuted():
    # the message states the two balls' midpoints, which differ (not "rate 0.0" for f's)
    v = matcalc.check("exp(2000) + tr(X) - exp(2000)", wrt="X", gradient="0 * eye(n)", symbols=SQUARE)
    assert v.status == "refuted"
    assert "rate 0.0" not in v.message, v.message


def test_wrong_gradient_of_a_high_power_is_refuted_with_its_differing_entries():
    """f = sum((X - X').^60) by a 2×2 X, claim X (wrong: the gradient is 60 (X - X').^59 -
    60 ((X - X').^59)'). Refuted, and where every unit direction was compared the counterexample
    names every entry where claim and f's derivative differ."""
    v = matcalc.check("sum((X - X') .^ 60)", "X", "X", symbols=TWO, seed=26)
    assert v.status == "refuted", v.message
    assert [d["entry"] for d in v.counterexample["differing_entries"]] == [[1, 1], [1, 2], [2, 1], [2, 2]]


def test_differing_entries_are_exactly_those_whose_balls_are_disjoint():
    """ones + diag(v) against the gradient ones(2, 2) of sum(X): the diagonal entries differ, the
    others do not."""
    v = matcalc.check("sum(X)", "X", "ones(2, 2) + diag(v)", symbols={"X": "matrix(2, 2)", "v": "vector(2)"})
    assert v.status == "refuted"
    assert [d["entry"] for d in v.counterexample["differing_entries"]] == [[1, 1], [2, 2]]


def test_wrong_jacobian_of_a_high_power_is_refuted():
    """F = (X - X').^60, claim eye(4) (wrong)."""
    assert matcalc.check("(X - X') .^ 60", "X", jacobian="eye(4)", symbols=TWO, seed=26).status == "refuted"


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_wrong_gradient_of_a_high_power_is_refuted_at_other_seeds(seed):
    assert matcalc.check("sum((X - X') .^ 60)", "X", "X", symbols=TWO, seed=seed).status == "refuted"


# --- what is compared ----------------------------------------------------------------------------

def test_hessian_comparison_is_the_full_bilinear_form():
    """vec(U)ᵀ H vec(V), summed over V's non-zero entries only, encloses the full form exactly."""
    rng = random.Random(11)
    for _ in range(50):
        n = rng.randint(1, 6)
        u = [Fraction(rng.randint(-5, 5), 3) for _ in range(n)]
        v = [Fraction(rng.choice([0, 0, rng.randint(-5, 5)]), 7) for _ in range(n)]
        M = [[Fraction(rng.randint(-9, 9), 5) for _ in range(n)] for _ in range(n)]
        full = sum(a * sum(m * b for m, b in zip(row, v)) for a, row in zip(u, M))
        with ctx.workprec(200):
            H = [[ball(x) for x in row] for row in M]
            [(_, claimed, _)] = Hessian().compared([[arb(0)]], H, [("entry", "u", u)], ("direction", "v", v), None,
                                                   (n, 1))
            assert claimed.contains(ball(full)) and claimed.rad() <= arb(2) ** -150 * (1 + abs(claimed)), (u, v, M)


# --- one evaluator per point, shared by f and the claims -----------------------------------------

SCOPE = make_scope({"X": "matrix(n, n)", "x": "vector(n)"}, {}, {"big": "exp(2000) + tr(X) - exp(2000)"})
POINT = Bindings({"X": [[Fraction(1, 3), Fraction(-2, 7)], [Fraction(5, 4), Fraction(3, 2)]],
                  "x": [[Fraction(1, 2)], [Fraction(-3, 5)]]}, {"n": 2})


@pytest.mark.parametrize("first, then", [
    ("big * tr(X)", "big * eye(n)"),                                   # a Let shared with f, e^2000 inside it
    ("big * tr(X)", "big"),                                            # the claim is f's subexpression exactly
    ("(exp(2000) + tr(X) - exp(2000)) * tr(X)", "(exp(2000) + tr(X) - exp(2000)) * eye(n)"),
    ("tr(X) * exp(-1000000000)", "exp(-1000000000) * eye(n) + X"),     # a value far beyond a double's range first
    ("tr(X) + 10^400", "X'"),                                          # a huge value met before, not below
    ("sum(log(x))", "x * x' + eye(n)"),                                # the first raises DomainError (log of -3/5)
    ("tr(inv(X - X))", "-(X') + inv(X)"),                              # an undecided pivot, then Neg/Transpose
])
def test_shared_evaluator_gives_each_value_the_ball_a_fresh_one_gives(first, then):
    """f and the claims share one Evaluator per point and precision: what the second expression
    evaluates to must be exactly the ball a fresh Evaluator gives, whatever the first one met."""
    with ctx.workprec(1230):
        ev = Evaluator(POINT)
        try:
            ev(parse(first, SCOPE))
        except ArithmeticError:  # a DomainError, or Undecided (X - X is a ball around 0, not 0)
            pass
        got = ev(parse(then, SCOPE))
        want = Evaluator(POINT)(parse(then, SCOPE))
        assert [[(a.mid(), a.rad()) for a in r] for r in got] == [[(b.mid(), b.rad()) for b in r] for r in want]
