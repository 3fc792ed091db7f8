"""The domain (decide.py, clause 4): a point where f or an assumption is certainly undefined is
drawn again, and one whose definedness stays undecided too; an instance with no point is skipped
and said, and a claim with no agreeing comparison at all could not be checked (an error, never
"holds"). A claim certainly undefined where f is defined is refuted. "Certainly" is what the
balls show: a value far below or above any floating-point range is a value, not an underflow to
0 or an overflow."""
from __future__ import annotations

import pytest

import matcalc
from matcalc.errors import MatcalcError

from .claims import SQUARE, VECTOR, refuted_or_unchecked
from .cli_process import cli


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


def test_sizes_where_the_claim_is_undefined_are_skipped_and_said():
    d = matcalc.derive("logdet(X' * X)", "X", {"X": "matrix(m, n)"})
    assert d.verdict.status == "holds" and "skipped" in d.verdict.message


# --- the domain a check was confined to is said ------------------------------------------------------

def test_restrictions_are_said():
    # a claim checked only inside a domain says where: X > 0 for log(X), det(X) > 0 for logdet(X)
    v = matcalc.check("sum(log(X))", "X", "1 ./ X", {"X": "matrix(m, n)"})
    assert v.status == "holds" and "checked where X > 0, as log(X) needs" in v.message
    v = matcalc.check("logdet(X)", "X", "inv(X)'", SQUARE)
    assert v.status == "holds" and "det(X) > 0" in v.message
    v = matcalc.check("sum(sqrt(X .* X))", "X", "X ./ sqrt(X .* X)", {"X": "matrix(m, n)"})
    assert "checked where" not in v.message


# --- f first: a claim is undefined only where f is defined ----------------------------------------

@pytest.mark.parametrize("f, wrt, gradient, symbols", [
    ("sum(log(x + 1))", "x", "1 ./ (x + 1)", VECTOR),
    ("sum(sqrt(x + 1))", "x", "(1/2) ./ sqrt(x + 1)", VECTOR),
    ("sqrt(x' * S * x)", "x", "S * x / sqrt(x' * S * x)", {"x": "vector(n)", "S": "symmetric(n)"}),
    ("-Y' * log(Y)", "Y", "-log(Y) - 1", {"Y": "vector(n)"}),
])
def test_a_true_claim_is_not_refuted_where_f_itself_is_undefined(f, wrt, gradient, symbols):
    for seed in range(3):
        v = matcalc.check(f, wrt, gradient, symbols, seed=seed)
        assert v.status == "holds", (seed, v.message)


def test_refuted_claim_with_abs_of_a_partial_function_gives_a_verdict():
    # a claim undefined at some points (abs(log(x)) where x < 0) is judged where it is defined, and a
    # wrong one is refuted: a verdict, never a traceback
    v = matcalc.check("sum(x .* x)", "x", "2 * x + abs(log(x))", symbols={"x": "vector(n)"})
    assert v.status == "refuted"


def test_refuted_claim_with_abs_of_a_partial_function_no_traceback_in_cli():
    r = cli("diff", "sum(x .* x)", "--wrt", "x", "--sym", "x=vector(n)", "--gradient", "2 * x + abs(log(x))")
    assert "Traceback" not in r.stderr, r.stderr[-800:]
    assert r.returncode == 1


def test_an_entry_no_direction_moves_is_no_kink():
    # the off-diagonal of diag(x) is 0 at every point, and stays 0 under abs: sizes above 1 are judged
    v = matcalc.check("sum(abs(diag(x)))", "x", "abs'(x) * tr(eye(n))", VECTOR)
    assert v.status == "refuted", v.message
    v = matcalc.check("sum(abs(X .* eye(n)))", "X", "abs'(X)", SQUARE)
    assert v.status == "refuted", v.message


def test_a_claim_singular_at_every_point_above_size_1_is_not_held():
    # 0 * logdet(x x') is undefined wherever n > 1 (x x' has rank 1): no agreement but at n = 1
    refuted_or_unchecked("x' * x", "x", "2 * x + 0 * logdet(x * x')", symbols=VECTOR)
    refuted_or_unchecked("x' * x", "x", "2 * x + 0 * inv(x * x') * x", symbols=VECTOR)


def test_a_column_with_an_exact_zero_first_is_not_singular():
    """A column is singular only when every candidate pivot is exactly 0: an exact 0 above a ball
    that holds 0 (2^-300 lost at 192 bits) is undecided, never a certain DomainError."""
    from flint import arb, ctx

    from matcalc.checker.evaluate import eliminate
    from matcalc.checker.ring import DomainError, Undecided
    with ctx.workprec(192):
        tiny = arb(1) + arb(2) ** -300 - arb(1)
        with pytest.raises(Undecided):
            eliminate([(arb(0), arb(1)), (tiny, arb(3))], None)
        det, _ = eliminate([(arb(0), arb(1)), (arb(2), arb(3))], None)
        assert det.contains(-2) and det.rad() == 0
        with pytest.raises(DomainError):
            eliminate([(arb(0), arb(1)), (arb(0), arb(3))], None)


# --- a positive definite argument (chol) ---------------------------------------------------------------

@pytest.mark.parametrize("wrong", [
    "inv(S) + diag(sqrt((diagonal(S) - ones(n)) .^ 2) - (diagonal(S) - ones(n)))",
    "inv(S) + (sqrt((det(S) - 1) ^ 2) - (det(S) - 1)) * eye(n)",
])
def test_positive_definite_points_have_small_entries_and_eigenvalues_too(wrong):
    """A claim wrong only where a diagonal entry or the determinant of S is below 1 is refuted."""
    assert matcalc.check("2 * sum(log(diagonal(chol(S))))", "S", wrong, {"S": "symmetric(n)"}).status == "refuted"


def test_positive_definite_points_are_badly_conditioned_too():
    """A claim wrong only where S is nearly singular relative to its size (det S < tr(S)² / 10⁴) is refuted."""
    wrong = "inv(S) + (sqrt((det(S) - tr(S) ^ 2 / 10000) ^ 2) - (det(S) - tr(S) ^ 2 / 10000)) * eye(2)"
    assert matcalc.check("2 * sum(log(diagonal(chol(S))))", "S", wrong, {"S": "symmetric(2)"}).status == "refuted"


def test_symmetric_symbols_inside_a_cholesky_argument_are_drawn_positive_definite():
    d = matcalc.derive("tr(A' * chol(S + S))", "S", {"S": "symmetric(n)", "A": "matrix(n, n)"})
    assert d.verdict.holds and "skipped" not in d.verdict.message, d.verdict.message
