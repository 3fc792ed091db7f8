"""The domain (decide.py, clause 4): a point where f or an assumption is certainly undefined is
drawn again, and one whose definedness stays undecided too; an instance with no point is skipped
and said, and a claim with no agreeing comparison at all could not be checked (an error, never
"holds"). A claim certainly undefined where f is defined is refuted. "Certainly" is what the
balls show: a value far below or above any floating-point range is a value, not an underflow to
0 or an overflow."""
from __future__ import annotations

import matcalc
from matcalc.errors import MatcalcError

from .claims import SQUARE, VECTOR, refuted_or_unchecked


# --- tiny and huge values are values ---------------------------------------------------------------

def test_true_claim_with_a_ratio_of_tiny_exponentials_holds():
    # exp(-8e8 x^2) is below 2^-(2^30) (where MPFR underflows to 0) but not 0: the ratio is 1, defined
    v = matcalc.check("sum(x)", "x", "exp(-800000000 * x .* x) ./ exp(-800000000 * x .* x)", symbols=VECTOR)
    assert v.status == "holds", v.message


def test_wrong_claim_is_not_accepted_because_f_underflows_at_the_sizes_that_refute_it():
    # f = tr(X) + 1; exp(-2.5e8 n) is tiny for n >= 3, where the claim is wrong, yet defined: those
    # sizes are judged, not skipped
    v = matcalc.check("tr(X) + exp(-250000000 * tr(eye(n))) / exp(-250000000 * tr(eye(n)))", "X",
                      "eye(n) + (tr(eye(n)) - 1) * (tr(eye(n)) - 2) * eye(n)", symbols={**SQUARE, "A": "matrix(n, n)"})
    assert v.status == "refuted", v.message


def test_value_beyond_the_exponent_range_at_a_moved_point_is_no_traceback():
    # (x + εu)^(10^22) at x = 1: a value far beyond any floating-point range near the point; a
    # verdict other than "refuted", or "could not check", but no traceback
    K = 10**22
    try:
        v = matcalc.check(f"sum((x .^ {K}) ./ (x .^ {K - 1}))", "x", "ones(n)", symbols=VECTOR)
    except MatcalcError:
        return
    assert v.status != "refuted", v.message


# --- no point, no agreement ------------------------------------------------------------------------

def test_wrong_claim_is_not_accepted_when_every_comparison_is_skipped():
    # f has a constant term with a nearly singular inverse (pivot 10^-60) and a high power of tr(X)
    c = "(1/10)^60 * tr(inv(ones(2, 2) + (1/10)^60 * eye(2)))"
    refuted_or_unchecked(f"tr(X) ^ 24 / 10^30 + {c}", "X", "25 * tr(X) ^ 23 / 10^30 * eye(n)", symbols=SQUARE)


def test_wrong_claim_is_not_accepted_because_f_is_undefined_only_at_low_precision():
    # c = sqrt(13 + 10^-1000)^2 - 13 > 0, so f = sum(x) + 1 is defined, but c is a ball holding 0
    # at every precision below about 3,300 bits
    c = "(sqrt(13 + (1/10)^1000) * sqrt(13 + (1/10)^1000) - 13)"
    refuted_or_unchecked(f"sum(x) + {c} / {c}", "x", "2 * ones(n)", symbols=VECTOR)
