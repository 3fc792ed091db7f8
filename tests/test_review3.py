"""The third review's findings (GMP arithmetic): each a claim the checker once misjudged."""
from __future__ import annotations

import matcalc
from matcalc.errors import MatcalcError

from .test_review2 import cayley_hamilton

SQUARE = {"X": "matrix(n, n)", "A": "matrix(n, n)"}
VECTOR = {"x": "vector(n)"}



def test_cayley_hamilton_term_next_to_a_large_diagonal_is_refuted_at_the_large_size():
    # holds (every seed 0-5; refuted at n=5 before): C vanishes for n <= 4, so only n=5 (the large size) sees it,
    # where the one direction is swamped by 10^30 I and LARGE_ENTRY_CHECKS = 1 checks only a diagonal entry,
    # the one place 10^30 also swamps (verify.py:47 and _some_entries; before: 3 entries, 2 off the diagonal)
    v = matcalc.check("10^30 * tr(X) + tr(A * X)", "X", "10^30 * eye(n) + A' + C", symbols=SQUARE,
                      let=cayley_hamilton(4, of="A"))
    assert v.status == "refuted", v.message


def test_true_claim_with_a_ratio_of_tiny_exponentials_holds():
    # refuted "cannot be evaluated at a point where f can (division by zero)": exp(-8e8 x^2) < 2^-(2^30) underflows
    # to 0 silently in MPFR (gmpy2's emin/emax in floating() are not honoured beyond MPFR's default ±2^30; no underflow
    # trap), so 0/0; mpmath (before) had no exponent limit and the claim held
    v = matcalc.check("sum(x)", "x", "exp(-800000000 * x .* x) ./ exp(-800000000 * x .* x)", symbols=VECTOR)
    assert v.status == "holds", v.message


def test_wrong_claim_is_not_accepted_because_f_underflows_at_the_sizes_that_refute_it():
    # holds "skipped n=3, n=4, n=5 (division by zero)": f = tr(X) + 1, but exp(-2.5e8 n) underflows to 0 for n >= 3
    # (same MPFR exponent range as above), so only n = 1, 2 are checked, where the wrong claim is right; before: refuted at n=3
    v = matcalc.check("tr(X) + exp(-250000000 * tr(eye(n))) / exp(-250000000 * tr(eye(n)))", "X",
                      "eye(n) + (tr(eye(n)) - 1) * (tr(eye(n)) - 2) * eye(n)", symbols=SQUARE)
    assert v.status == "refuted", v.message


def test_value_beyond_the_exponent_range_at_a_moved_point_is_no_traceback():
    # DomainError("a value beyond MPFR's exponent range") escapes check() with a traceback: at x = 1 (n=1) f is fine,
    # but (1 + h v)^(10^22) overflows MPFR in the difference quotient (verify.py directional -> evaluated_at, unguarded);
    # before (mpmath): holds
    K = 10**22
    try:
        v = matcalc.check(f"sum((x .^ {K}) ./ (x .^ {K - 1}))", "x", "ones(n)", symbols=VECTOR)
    except MatcalcError:
        return
    assert v.status != "refuted", v.message


def test_an_assumption_with_an_irrational_constant_is_honoured():
    # TypeError (Fraction - mpf) in sample.satisfy: the point is now moved by the constraint's value as the binary
    # fraction the working precision gives, and claims are judged up to the normal as with a rational constant
    symbols = {"x": "vector(n)"}
    assert matcalc.check("sum(x .* x)", "x", "2 * x + ones(n)", symbols=symbols, assume=["sum(x) = exp(1)"]).status \
        == "holds"
    assert matcalc.check("sum(x .* x .* x)", "x", "2 * x", symbols=symbols, assume=["sum(x) = exp(1)"]).status \
        == "refuted"
