"""The plan (plan.py): which sizes, scales, points and directions a claim is judged at. A term
that vanishes at every size up to some degree (a Cayley-Hamilton polynomial) is seen at the large
sizes, one more than f's polynomial degree; every unit direction is probed (a sample of them, on
and off the diagonal, past 64), at every instance, so a wrong entry next to huge ones is seen
for gradients, Jacobians and Hessians alike; an assumption is met exactly, and the directions
keep it."""
from __future__ import annotations

import pytest

import matcalc
from matcalc.errors import MatcalcError

from .claims import SQUARE, SQUARE_A, cayley_hamilton


# --- sizes past a polynomial's degree ---------------------------------------------------------------

def test_cayley_hamilton_term_up_to_degree_11_is_refuted():
    # the large sizes are 1 + the polynomial degree, up to 12: a Cayley-Hamilton term of degree 11 is
    # seen at n = 12
    v = matcalc.check("tr(X)", wrt="X", gradient="eye(n) + C", symbols=SQUARE, let=cayley_hamilton(11))
    assert v.status == "refuted", v.message


# By Cayley-Hamilton, ch(A) = A^5 - e1 A^4 + e2 A^3 - e3 A^2 + e4 A - e5 I (e_k from traces of powers
# by Newton's identities) is exactly 0 for every n <= 5 and not for n >= 6: sizes 6 and up are tried.
CAYLEY_HAMILTON_5 = {
    "p1": "tr(A)", "p2": "tr(A ^ 2)", "p3": "tr(A ^ 3)", "p4": "tr(A ^ 4)", "p5": "tr(A ^ 5)",
    "e1": "p1", "e2": "(e1 * p1 - p2) / 2", "e3": "(e2 * p1 - e1 * p2 + p3) / 3",
    "e4": "(e3 * p1 - e2 * p2 + e1 * p3 - p4) / 4", "e5": "(e4 * p1 - e3 * p2 + e2 * p3 - e1 * p4 + p5) / 5",
    "ch": "A ^ 5 - e1 * A ^ 4 + e2 * A ^ 3 - e3 * A ^ 2 + e4 * A - e5 * eye(n)",
}


def test_term_vanishing_up_to_size_5_is_seen():
    v = matcalc.check("tr(A ^ 2)", "A", "2 * A' + ch", symbols={"A": "matrix(n, n)"}, let=CAYLEY_HAMILTON_5)
    assert v.status == "refuted", v.message


# --- entries next to huge ones ----------------------------------------------------------------------

def test_wrong_diagonal_next_to_huge_off_diagonal_is_refuted():
    # true gradient: 10^40 off the diagonal, 2 X[i,i] on it. The claim adds eye(n) .* C with C the
    # degree-4 Cayley-Hamilton term: 0 at n <= 4, adj(X) at n = 5; only an entry direction on the
    # diagonal at a large size sees it (a random direction is swamped by the 10^40 entries)
    f = "(10^40) * sum(X) - (10^40) * tr(X) + tr(X .^ 2)"
    g = "(10^40) * (ones(n, n) - eye(n)) + 2 * eye(n) .* X + eye(n) .* C"
    v = matcalc.check(f, wrt="X", gradient=g, symbols=SQUARE, let=cayley_hamilton(4))
    assert v.status == "refuted", v.message


def test_cayley_hamilton_term_next_to_a_large_diagonal_is_refuted_at_the_large_size():
    # C vanishes for n <= 4, so only the large sizes see it, where 10^30 I swamps a random direction
    # and the diagonal entries: an off-diagonal entry direction must be probed there
    v = matcalc.check("10^30 * tr(X) + tr(A * X)", "X", "10^30 * eye(n) + A' + C",
                      symbols={"X": "matrix(n, n)", "A": "matrix(n, n)"}, let=cayley_hamilton(4, of="A"))
    assert v.status == "refuted", v.message


def test_cayley_hamilton_term_in_a_jacobian_is_refuted():
    # the same for a Jacobian: every column J vec(E_ij) at the large sizes
    v = matcalc.check("10^30 * x + A * x", "x", jacobian="10^30 * eye(n) + A + C",
                      symbols={"x": "vector(n)", "A": "matrix(n, n)"}, let=cayley_hamilton(4, of="A"))
    assert v.status == "refuted", v.message


def test_cayley_hamilton_term_in_a_hessian_is_refuted():
    # and for a Hessian: pairs of unit directions at the large sizes
    v = matcalc.check("10^30 * (x' * x) / 2 + (x' * A * x) / 2", "x",
                      hessian="10^30 * eye(n) + (A + A') / 2 + (C + C') / 2",
                      symbols={"x": "vector(n)", "A": "matrix(n, n)"}, let=cayley_hamilton(4, of="A"))
    assert v.status == "refuted", v.message


def test_wrong_entries_next_to_a_large_diagonal_are_seen_beyond_the_first_size():
    # every entry is compared at every size: the Cayley-Hamilton term A^2 - tr(A) A + det(A) I is
    # exactly 0 at n <= 2, so this O(1) error in every entry, next to 10^30 I, is there only at n >= 3
    ch2 = "A ^ 2 - tr(A) * A + det(A) * eye(n)"
    f = "10^30 * tr(X) + tr(A * X)"
    assert matcalc.check(f, "X", "10^30 * eye(n) + A'", symbols=SQUARE_A).status == "holds"
    v = matcalc.check(f, "X", f"10^30 * eye(n) + A' + {ch2}", symbols=SQUARE_A)
    assert v.status == "refuted", v.message


# --- assumptions ------------------------------------------------------------------------------------

def test_an_assumption_with_an_irrational_constant_is_honoured():
    # the point is moved onto sum(x) = e (exactly where the constant is a binary fraction, else to far
    # below every comparison's precision), and claims are judged up to the assumption's normal
    symbols = {"x": "vector(n)"}
    assert matcalc.check("sum(x .* x)", "x", "2 * x + ones(n)", symbols=symbols, assume=["sum(x) = exp(1)"]).status \
        == "holds"
    assert matcalc.check("sum(x .* x .* x)", "x", "2 * x", symbols=symbols, assume=["sum(x) = exp(1)"]).status \
        == "refuted"


def test_a_dimension_only_in_an_assumption_is_sized():
    v = matcalc.check("x' * x", "x", "2 * x", {"x": "vector(n)", "Y": "vector(n)"}, assume=["sum(Y) = tr(eye(k))"])
    assert v.status == "holds"


def test_two_assumptions_on_one_symbol_are_refused():
    with pytest.raises(MatcalcError, match="one assumption per symbol"):
        matcalc.check("tr(X) ^ 2", "X", "2 * eye(n)", SQUARE, assume=["tr(X) = 1", "sum(X) = 2"])


def test_an_assumption_on_wrt_is_said_and_a_fixed_wrt_is_not_checked():
    v = matcalc.check("sum(x .* x)", "x", "2 * x + 5 * ones(n)", {"x": "vector(n)"}, assume=["sum(x) = 1"])
    assert "dx keeps 'sum(x) = 1'" in v.message and "judged up to a multiple" in v.message
    with pytest.raises(MatcalcError, match="fixes s"):
        matcalc.check("s ^ 2", "s", "7", {"s": "scalar"}, assume=["s = 1"])


# --- sizes within the entry limit -----------------------------------------------------------------------

def test_sizes_beyond_the_entry_limit_are_lowered_and_said():
    v = matcalc.check("sum(A) + 0 * sum(kron(kron(A, A), A))", "A", "ones(m, n)", {"A": "matrix(m, n)"})
    assert v.status == "holds" and "sizes lowered to keep every matrix within" in v.message


def _vanishing_on(sizes, number: str) -> str:
    """A term that is 0 at each of these sizes of n and at no other: (number - 1) * ... * ones(n)."""
    return " * ".join(f"({number} - {k})" for k in sizes) + " * ones(n)"


@pytest.mark.parametrize("number", ["n", "sum(ones(n))", "tr(eye(n))", "ones(n)' * ones(n)"])
def test_a_dimension_used_as_a_number_is_planned_at_degree_plus_one_sizes(number):
    """A claim off by a polynomial in n vanishing at every size the plan would otherwise try is refuted."""
    wrong = f"ones(n) / n + {_vanishing_on(range(1, 16), number)}"
    v = matcalc.check("sum(x) / n", "x", wrong, symbols={"x": "vector(n)"})
    assert v.status == "refuted" and "n=16" in v.message


def test_a_dimension_used_as_a_number_beyond_the_planned_sizes_is_not_decided():
    wrong = f"ones(n) / n + {_vanishing_on(range(1, 40), 'n')}"
    with pytest.raises(matcalc.MatcalcError, match="more than the checker plans"):
        matcalc.check("sum(x) / n", "x", wrong, symbols={"x": "vector(n)"})
