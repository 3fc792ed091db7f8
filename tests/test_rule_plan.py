"""The plan (plan.py): which sizes, scales, points and directions a claim is judged at. A term
that vanishes at every size up to some degree (a Cayley-Hamilton polynomial) is seen at the large
sizes, one more than f's polynomial degree; every unit direction is probed (a sample of them, on
and off the diagonal, past 64), at every instance, so a wrong entry next to huge ones is seen
for gradients, Jacobians and Hessians alike; an assumption is met exactly, and the directions
keep it."""
from __future__ import annotations

import matcalc

from .claims import SQUARE, cayley_hamilton


# --- sizes past a polynomial's degree ---------------------------------------------------------------

def test_cayley_hamilton_term_up_to_degree_11_is_refuted():
    # the large sizes are 1 + the polynomial degree, up to 12: a Cayley-Hamilton term of degree 11 is
    # seen at n = 12
    v = matcalc.check("tr(X)", wrt="X", gradient="eye(n) + C", symbols=SQUARE, let=cayley_hamilton(11))
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


# --- assumptions ------------------------------------------------------------------------------------

def test_an_assumption_with_an_irrational_constant_is_honoured():
    # the point is moved onto sum(x) = e (exactly where the constant is a binary fraction, else to far
    # below every comparison's precision), and claims are judged up to the assumption's normal
    symbols = {"x": "vector(n)"}
    assert matcalc.check("sum(x .* x)", "x", "2 * x + ones(n)", symbols=symbols, assume=["sum(x) = exp(1)"]).status \
        == "holds"
    assert matcalc.check("sum(x .* x .* x)", "x", "2 * x", symbols=symbols, assume=["sum(x) = exp(1)"]).status \
        == "refuted"
