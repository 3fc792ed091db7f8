"""The rule of matcalc/checker/decide.py, clause by clause: each clause is a property of the
comparison of two balls, or of a whole check, that a test can make fail."""
from __future__ import annotations

import pytest
from flint import arb, ctx
from hypothesis import given, settings, strategies as st

import matcalc
from matcalc.checker import decide
from matcalc.errors import MatcalcError

MIDS = st.floats(-1e6, 1e6, allow_nan=False)
RADII = st.floats(0, 1e-3)


def _ball(mid: float, rad: float) -> arb:
    return arb(mid, rad)


# -- clause 2: the comparison -------------------------------------------------------------------

@given(MIDS, RADII, MIDS, RADII)
def test_disjoint_balls_refute(m1, r1, m2, r2):
    c, a = _ball(m1, r1), _ball(m2, r2)
    outcome = decide.compare(c, a, arb(1))
    assert (outcome == decide.REFUTED) == (not c.overlaps(a))


@given(MIDS.filter(lambda m: abs(m) > 1e-3), st.integers(0, 30))
def test_overlapping_balls_agree_only_when_both_are_narrower_than_tau(mid, k):
    with ctx.workprec(256):
        rad = arb(2) ** -(110 + 4 * k)  # from 2^-110 (too wide) to 2^-226
        c, a = arb(mid) + arb(0, rad), arb(mid)
        narrow = rad <= decide.TAU * abs(arb(mid)).abs_lower()
        assert decide.compare(c, a, arb(1)) == (decide.AGREES if narrow else decide.UNDECIDED)


def test_balls_that_both_contain_zero_are_measured_against_fs_scale():
    with ctx.workprec(256):
        tiny = arb(0, arb(2) ** -200)
        assert decide.compare(tiny, arb(0), arb(1)) == decide.AGREES
        assert decide.compare(tiny, arb(0), arb(2) ** -100) == decide.UNDECIDED  # f itself that small: not yet


def test_a_ball_that_is_not_finite_decides_nothing():
    assert decide.compare(arb("inf"), arb(1), arb(1)) in (decide.UNDECIDED, decide.REFUTED)
    assert decide.compare(arb(0, float("inf")), arb(1), arb(1)) == decide.UNDECIDED


# -- clause 3: refinement -----------------------------------------------------------------------

def test_precisions_double_from_start_to_the_budget():
    ps = list(decide.precisions())
    assert ps[0] == decide.START and ps[-1] == decide.BUDGET
    assert all(b == 2 * a for a, b in zip(ps, ps[1:]))


def test_a_claim_lost_to_cancellation_at_start_is_decided_at_more_bits():
    # exp(600) + 1 - exp(600) is 1, which START bits cannot see: refinement finds it, both ways
    v = matcalc.check("x' * x", "x", "2 * x + (exp(600) + 1 - exp(600)) * ones(n)", {"x": "vector(n)"})
    assert v.status == "refuted"
    v = matcalc.check("x' * x + (exp(600) + 1 - exp(600)) * sum(x)", "x", "2 * x + ones(n)", {"x": "vector(n)"})
    assert v.status == "holds", v.message


def test_what_stays_undecided_at_the_budget_is_never_agreement():
    # sin(10^3000 x) needs some 10,000 bits to reduce its argument: every comparison stays undecided
    with pytest.raises(MatcalcError, match="could not check: no comparison was decided"):
        matcalc.check("sum(sin(10^3000 * x))", "x", "10^3000 * cos(10^3000 * x)", {"x": "vector(n)"})


# -- clause 4: the domain -----------------------------------------------------------------------

def test_a_claim_certainly_undefined_where_f_is_defined_is_refuted_with_its_point():
    v = matcalc.check("sum(sqrt(X .* X))", "X", "ones(m, n) + 0 * log(X)", {"X": "matrix(m, n)"})
    assert v.status == "refuted" and v.counterexample["check"] == "domain"
    assert v.certificate["kind"] == "domain"


def test_sizes_without_a_point_in_the_domain_are_skipped_and_said():
    d = matcalc.derive("logdet(X' * X)", "X", {"X": "matrix(m, n)"})
    assert d.verdict.status == "holds" and "skipped" in d.verdict.message


def test_a_claim_judged_at_no_size_of_the_plan_could_not_be_checked(monkeypatch):
    """Every planned size skipped is "could not check", never "holds" with "skipped" listed for every
    size: here f's domain (x'x > 10^10) is out of reach of every instance of the plan (cut to scale 1),
    and only the points scaled out beyond it for abs's kink are inside it."""
    from matcalc.checker import verify

    plan = verify._Judge.plan
    monkeypatch.setattr(verify._Judge, "plan", lambda self: [i for i in plan(self) if i.scale == 1])
    with pytest.raises(MatcalcError, match="could not check: every size planned was skipped"):
        matcalc.derive("sum(abs(x)) + log(x' * x - 10^10)", "x", {"x": "vector(n)"})
    with pytest.raises(MatcalcError, match="could not check: every size planned was skipped"):
        matcalc.check("sum(abs(x)) + log(x' * x - 10^10)", "x", "abs'(x) + 2 * x / (x' * x - 10^10)",
                      {"x": "vector(n)"})


def test_a_claim_with_no_point_in_the_domain_at_any_size_could_not_be_checked():
    with pytest.raises(MatcalcError, match="could not check: every size planned was skipped .could not sample a "
                                           "point inside the domain at any size: log of a number that is not positive"):
        matcalc.derive("log(-(x' * x) - 1)", "x", {"x": "vector(n)"})


def test_a_size_judged_at_some_of_its_instances_is_not_said_skipped():
    # x'x > 10^10 is reached only by the plan's instances of n = 2 at large scales: every other size is
    # skipped, and n = 2 is said to have had some instances skipped, not to have been skipped
    v = matcalc.derive("sum(abs(x)) + log(x' * x - 10^10)", "x", {"x": "vector(n)"}).verdict
    assert v.status == "holds" and "skipped n=3 (" in v.message
    assert "skipped n=2 " not in v.message and "some instances at n=2 skipped (" in v.message


# -- clause 5: the verdict ----------------------------------------------------------------------

def test_holds_counts_every_agreeing_comparison_and_instance():
    v = matcalc.check("tr(A * X)", "X", "A'", {"A": "matrix(n, m)", "X": "matrix(m, n)"})
    assert v.status == "holds" and v.checks > 100 and " instances" in v.message


def test_a_refutation_carries_a_certificate_of_exact_numbers():
    v = matcalc.check("tr(A * X)", "X", "A", {"A": "matrix(n, n)", "X": "matrix(n, n)"})
    cert = v.certificate
    assert v.status == "refuted" and cert["kind"] == "gradient"
    assert not arb(cert["claimed"]).overlaps(arb(cert["actual"]))
    assert all("." not in x for rows in cert["point"].values() for r in rows for x in r)  # rationals, not decimals


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 40))
def test_a_claim_wrong_by_a_relative_two_to_the_minus_k_is_refuted(k):
    # far above tau: every such error is beyond the rounding of START bits
    v = matcalc.check("x' * x", "x", f"2 * x * (1 + 2^-{k})", {"x": "vector(n)"})
    assert v.status == "refuted"
