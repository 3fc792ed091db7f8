"""Review 2 of the checker's precision / sampling rules: each test is a confirmed bug (fails now)."""
from __future__ import annotations

import pytest

import matcalc

SQUARE = {"X": "matrix(n, n)"}
TINY = "((1/10)^400)"
# (sqrt(1 + e) - 1) / e = 1/2 for e = 10^-400, but 0 at 370 digits; no intermediate exceeds 2 in size
HALF = f"((sqrt(1 + {TINY}) - 1) / {TINY})"
# log(1 + e^-1000) / e^-1000 = 1, but 0 below ~450 digits; no intermediate exceeds 1 in size
ONE = "(log(1 + exp(-1000)) / exp(-1000))"


def test_wrong_claim_cancelling_through_a_division_is_refuted():
    # true gradient eye(n); the claim is 1.5 * eye(n) -- judged "holds" (error 0.0)
    v = matcalc.check("tr(X)", wrt="X", gradient=f"eye(n) + {HALF} * eye(n)", symbols=SQUARE)
    assert v.status == "refuted", v.message


def test_wrong_claim_cancelling_through_exp_division_is_refuted():
    # true gradient eye(n); the claim is 2 * eye(n) -- judged "holds"
    v = matcalc.check("tr(X)", wrt="X", gradient=f"eye(n) + {ONE} * eye(n)", symbols=SQUARE)
    assert v.status == "refuted", v.message


def test_true_claim_with_cancellation_in_f_holds():
    # f = 1/2 tr(X) exactly (up to 10^-400): the claim (1/2) eye(n) is refuted ("f changes at rate 0.0")
    v = matcalc.check(f"{HALF} * tr(X)", wrt="X", gradient="(1/2) * eye(n)", symbols=SQUARE)
    assert v.status == "holds", v.message


def test_engines_own_gradient_with_cancellation_in_f_holds():
    d = matcalc.derive(f"{ONE} * tr(X)", wrt="X", symbols=SQUARE)
    assert d.verdict.status == "holds", d.verdict.message


def test_engines_own_gradient_of_fast_oscillation_holds():
    # the chain rule's result is right; it is refuted: "claimed derivative is -2.01e+19 but f changes
    # at rate 9.8e+11" (levels 0 and 1, h = 2^-40 and 2^-60, are both far from the asymptotic regime
    # and their difference is taken as a bound on level 0's error)
    d = matcalc.derive("sin((10^10) * sin((10^10) * tr(X)))", wrt="X", symbols=SQUARE)
    assert d.verdict.status == "holds", d.verdict.message


def cayley_hamilton(k: int, of: str = "X") -> dict[str, str]:
    """C = the Cayley-Hamilton polynomial of degree k of the matrix ``of``, coefficients by Newton's
    identities from tr(X^i): 0 for every n×n X with n <= k, not 0 for n > k."""
    let = {f"p{i}": f"tr({of} ^ {i})" for i in range(1, k + 1)}
    let["e0"] = "1"
    for j in range(1, k + 1):
        terms = " + ".join(f"{'' if i % 2 else '-'}e{j - i} * p{i}" for i in range(1, j + 1)).replace("+ -", "- ")
        let[f"e{j}"] = f"({terms}) / {j}"
    let["C"] = " + ".join(f"{'' if j % 2 == 0 else '-'}e{j} * {of} ^ {k - j}" for j in range(k + 1)) \
        .replace("+ -", "- ").replace(f"{of} ^ 0", "eye(n)")
    return let


def test_cayley_hamilton_term_up_to_degree_11_is_refuted():
    # the one assignment of large sizes is 1 + the polynomial degree, capped at MAX_LARGE = 12: a
    # Cayley-Hamilton term of degree 11 is seen at n = 12; degree 12 and beyond is a documented limit
    v = matcalc.check("tr(X)", wrt="X", gradient="eye(n) + C", symbols=SQUARE, let=cayley_hamilton(11))
    assert v.status == "refuted", v.message


def test_counterexample_reports_the_rate_that_refuted():
    # refuted rightly, but the message says "the claimed derivative is 0 but f changes at rate 0.0":
    # the counterexample shows level 0's numeric derivative, not the finer one that refuted
    v = matcalc.check("exp(2000) + tr(X) - exp(2000)", wrt="X", gradient="0 * eye(n)", symbols=SQUARE)
    assert v.status == "refuted"
    assert "rate 0.0" not in v.message, v.message


def test_wrong_hessian_cancelling_through_a_division_is_refuted():
    # the claim is 1.5 (A + A'); judged "holds"
    v = matcalc.check("x' * A * x", wrt="x", hessian=f"A + A' + {HALF} * (A + A')",
                      symbols={"x": "vector(n)", "A": "matrix(n, n)"})
    assert v.status == "refuted", v.message


def test_wrong_jacobian_cancelling_through_a_division_is_refuted():
    # the claim is 1.5 A; judged "holds"
    v = matcalc.check("A * x", wrt="x", jacobian=f"A + {HALF} * A", symbols={"x": "vector(n)", "A": "matrix(m, n)"})
    assert v.status == "refuted", v.message


def test_wrong_diagonal_next_to_huge_off_diagonal_is_refuted():
    # true gradient: 10^40 off the diagonal, 2 X[i,i] on it. The claim adds eye(n) .* C with C the
    # degree-4 Cayley-Hamilton term: 0 at n = 2, 3, 4 (the sizes with entry checks), adj(X) at n = 5
    # (the "large sizes" assignment, which has one direction and no entry check; the direction's
    # relative tolerance is swamped by the 10^40 entries). Diagonal entries wrong by O(1): "holds".
    f = "(10^40) * sum(X) - (10^40) * tr(X) + tr(X .^ 2)"
    g = "(10^40) * (ones(n, n) - eye(n)) + 2 * eye(n) .* X + eye(n) .* C"
    v = matcalc.check(f, wrt="X", gradient=g, symbols=SQUARE, let=cayley_hamilton(4))
    assert v.status == "refuted", v.message


