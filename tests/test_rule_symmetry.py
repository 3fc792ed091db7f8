"""Symmetry (measures.py): a symmetric X is moved only along symmetric directions (E_ii and
E_ij + E_ji), a gradient by it must be symmetric, and so must every Hessian, each pair (i, j),
(j, i) compared like any other pair of numbers. The off-diagonal symmetric directions are
probed at every instance, the large sizes included."""
from __future__ import annotations

import pytest
from flint import arb

import matcalc
from matcalc.checker.measures import Gradient, Hessian
from matcalc.prooffile import make_scope

from .claims import SYMMETRIC_A, cayley_hamilton


@pytest.mark.parametrize("seed", range(4))
def test_cayley_hamilton_term_of_a_symmetric_x_is_refuted_at_the_large_size(seed):
    # a symmetric claim wrong only at n >= 5 (C vanishes below), next to 10^30 on the diagonal: only
    # an off-diagonal direction E_ij + E_ji at the large sizes sees it
    v = matcalc.check("10^30 * tr(X) + tr(A * X)", "X", "10^30 * eye(n) + A + C",
                      symbols={"X": "symmetric(n)", "A": "symmetric(n)"}, let=cayley_hamilton(4, of="A"), seed=seed)
    assert v.status == "refuted", v.message


def test_symmetry_is_compared_pair_by_pair():
    """A gradient by a symmetric X has each pair (i, j), (j, i) with i < j compared; one by a general
    X has none; a Hessian has them always."""
    sc = make_scope({"S": "symmetric(n)", "X": "matrix(n, n)"})
    M = [[arb(i * 3 + j) for j in range(3)] for i in range(3)]
    pairs = [(p.entry, c, a) for p, c, a in Gradient().defects(M, sc.symbol("S"))]
    assert [(e, float(c), float(a)) for e, c, a in pairs] == [((0, 1), 1, 3), ((0, 2), 2, 6), ((1, 2), 5, 7)]
    assert Gradient().defects(M, sc.symbol("X")) == []
    assert [p.entry for p, _, _ in Hessian().defects(M, sc.symbol("X"))] == [(0, 1), (0, 2), (1, 2)]


@pytest.mark.parametrize("f, wrong, right", [
    ("tr(S ^ 60) + tr(A * S)", "60 * S ^ 59 + A", "60 * S ^ 59 + (A + A') / 2"),
    ("10^30 * tr(S) + tr(A * S)", "10^30 * eye(n) + A'", "10^30 * eye(n) + (A + A') / 2"),
    ("tr(S ^ 60)", "60 * S ^ 59 + A - A'", "60 * S ^ 59"),
])
def test_asymmetric_claim_hidden_by_a_large_entry_is_refuted(f, wrong, right):
    # symmetric directions cannot see an antisymmetric part, so the pairs (i, j), (j, i) are compared
    # each against its own size: a claim missing the symmetrisation (A for (A + A')/2) is refuted,
    # however large another entry of the gradient (tr(S^60), or 10^30)
    assert matcalc.check(f, "S", right, symbols=SYMMETRIC_A).status == "holds"
    assert matcalc.check(f, "S", wrong, symbols=SYMMETRIC_A).status == "refuted"


def test_true_hessians_that_cancel_to_zero_are_symmetric():
    """At k = 1 these Hessians are 0, computed as rounding noise: not an asymmetry."""
    for f, symbols in [("norm(A * x)", {"A": "matrix(m, n)", "x": "vector(n)"}),
                       ("log(sum(exp(W * x)))", {"W": "matrix(k, n)", "x": "vector(n)"})]:
        assert matcalc.derive(f, "x", symbols, kind="hessian").verdict.status == "holds"
