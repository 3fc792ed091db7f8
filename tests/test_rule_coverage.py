"""The plan reaches every place a wrong claim can hide (matcalc/checker/plan.py): sizes, scales,
both sides of a kink, every unit direction of the tangent space, stand-ins of every parity. Each
case is a claim built to be wrong only where one part of the plan looks, and must be refuted;
the true claim beside it must hold."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import matcalc
from matcalc.checker.plan import ALONE, RANDOM_MAX, assignments, make_plan, scales
from matcalc.parser import parse
from matcalc.prooffile import make_scope

from .claims import cayley_hamilton

VECTOR = {"x": "vector(n)"}
SQUARE = {"X": "matrix(n, n)"}
SIXTH_DIFFERENCE = " + ".join(f"{c} * det(eye(n) + {j} * X)" for j, c in enumerate([1, -6, 15, -20, 15, -6, 1]))

# (what the plan must reach, f, wrt, wrong claim, true claim, symbols, functions, assumptions)
CASES = [
    ("a derivative too large to resolve is not agreement", "tr(X) + 10^-30 * sin(10^14 * sin(10^14 * sin(10^14 * "
     "tr(X))))", "X", "eye(n)", None, SQUARE, {}, []),
    ("a kink written as sqrt of a square", "sum(sqrt((x - 4) .^ 2))", "x", "-ones(n)", "(x - 4) ./ abs(x - 4)", VECTOR,
     {}, []),
    ("a kink written as a fractional power", "sum(((x - 4) .^ 2) .^ (1/2))", "x", "-ones(n)", "(x - 4) ./ abs(x - 4)",
     VECTOR, {}, []),
    ("a kink of norm", "norm(s - 4)", "s", "-1", "(s - 4) / abs(s - 4)", {"s": "scalar"}, {}, []),
    ("a kink on the diagonal only", "sum(abs(X - 4 * eye(n)))", "X",
     "(ones(n, n) - eye(n)) .* abs'(X) - eye(n)", "abs'(X - 4 * eye(n))", SQUARE, {}, []),
    ("a term that matters beyond [-3, 3]", "sum(x + log(1 + exp(60 * (x - 4))) / 60)", "x", "ones(n)",
     "ones(n) + exp(60 * (x - 4)) ./ (1 + exp(60 * (x - 4)))", VECTOR, {}, []),
    ("a term that matters only near 0", "sum(x) + sum(exp(-10^6 * x .^ 2))", "x", "ones(n)",
     "ones(n) - 2 * 10^6 * x .* exp(-10^6 * x .^ 2)", VECTOR, {}, []),
    ("a scalar stand-in's even part", "C(x) + C(-x)", "x", "(C'(2 * x) - C'(-2 * x)) / 2", "C'(x) - C'(-x)", VECTOR,
     {"C": "scalar"}, []),
    ("n = 6 and beyond", "tr(X)", "X", f"eye(n) + ({SIXTH_DIFFERENCE}) * eye(n)", "eye(n)", SQUARE, {}, []),
    ("n = 2m", "x' * y", "x", "y + det(A * B) * det(B' * A') * x", "y",
     {"x": "vector(m)", "y": "vector(m)", "A": "matrix(n, m)", "B": "matrix(m, n)"}, {}, []),
    ("every entry under an assumption on wrt", "10^30 * tr(X) + sum(B .* X)", "X",
     "10^30 * eye(n) + B + (ones(n, n) - eye(n)) .* C", "10^30 * eye(n) + B",
     {"X": "matrix(n, n)", "B": "matrix(n, n)", "C": "matrix(n, n)"}, {}, ["sum(X) = 1"]),
    ("an assumption met inside the symmetric matrices", "tr(S * A)", "S", "A", "(A + A') / 2",
     {"S": "symmetric(6)", "A": "matrix(6, 6)"}, {}, ["sum(commutation(2, 3) .* S) = 1"]),
    ("a window just past a kink", "sum(relu(x - 4) - relu(x - 4 - 10^-9))", "x", "0 * x",
     "relu'(x - 4) - relu'(x - 4 - 10^-9)", VECTOR, {}, []),
]


@pytest.mark.parametrize("what, f, wrt, wrong, right, symbols, functions, assume", CASES, ids=[c[0] for c in CASES])
def test_a_claim_wrong_where_one_part_of_the_plan_looks_is_refuted(what, f, wrt, wrong, right, symbols, functions,
                                                                      assume):
    v = matcalc.check(f, wrt, wrong, symbols, functions=functions, assume=assume)
    assert v.status == "refuted", v.message
    if right is not None:
        v = matcalc.check(f, wrt, right, symbols, functions=functions, assume=assume)
        assert v.status == "holds", v.message


def test_a_true_exact_derivative_of_a_fast_oscillation_holds():
    v = matcalc.check("sum(sin(10^13 * sin(10^13 * x)))", "x",
                      "10^26 * cos(10^13 * x) .* cos(10^13 * sin(10^13 * x))", VECTOR)
    assert v.status == "holds", v.message


def test_a_cayley_hamilton_term_is_seen_one_size_past_its_degree():
    v = matcalc.check("tr(X)", "X", "eye(n) + C", SQUARE, let=cayley_hamilton(11))
    assert v.status == "refuted", v.message


def test_a_jacobian_too_large_for_the_old_entry_budget_is_checked():
    v = matcalc.check("vec(kron(X, B))", "X", symbols={"X": "matrix(m, n)", "B": "matrix(p, q)"},
                      jacobian="kron(kron(eye(n), commutation(q, m)), eye(p)) * kron(eye(m * n), vec(B))")
    assert v.status == "holds", v.message


# -- the plan as data ---------------------------------------------------------------------------

def _plan(f: str, symbols: dict):
    import random
    scope = make_scope(symbols, {}, {})
    e = parse(f, scope)
    names = sorted({d for s in scope.symbols.values() for d in (s.rows, s.cols) if isinstance(d, str)})
    return make_plan(names, [e.shape, *scope.symbols.values()], [e], random.Random(0))


def test_every_dimension_takes_every_size_alone_with_the_others_distinct():
    plan = _plan("tr(A * B * C)", {"A": "matrix(m, n)", "B": "matrix(n, p)", "C": "matrix(p, m)"})
    for name in "mnp":
        alone = [i.sizes for i in plan if i.why == f"{name} alone at {i.sizes[name]}"]
        assert sorted(s[name] for s in alone) == list(ALONE)
        assert all(len(set(s.values())) == 3 for s in alone if s[name] != 1)


def test_every_pair_is_planned_equal_and_in_each_relation():
    plan = _plan("tr(A * B)", {"A": "matrix(m, n)", "B": "matrix(n, m)"})
    sizes = [i.sizes for i in plan]
    assert any(s["m"] == s["n"] > 1 for s in sizes)
    for rel in (lambda a: a + 1, lambda a: 2 * a, lambda a: 3 * a):
        assert any(s["n"] == rel(s["m"]) for s in sizes) and any(s["m"] == rel(s["n"]) for s in sizes)
    assert max(max(s.values()) for s in sizes) <= RANDOM_MAX + 1


def test_points_are_planned_at_every_scale_with_both_signs():
    plan = _plan("sum(x)", VECTOR)
    for scale in scales([]):
        signs = {i.sign for i in plan if i.scale == scale}
        assert signs == {-1, 0, 1} or scale == 1 and {-1, 1} <= signs


def test_explain_prints_the_plan(capsys):
    from matcalc.cli import main
    assert main(["check", "--explain", "proofs/seed/atxb.toml"]) == 0
    out = capsys.readouterr().out
    assert "instances; at each, every unit direction" in out and "n alone at 8" in out and "decide.py" in out


# -- property: a term vanishing on all but one part of the plan is seen ---------------------------

TERMS = [
    ("one size", lambda k: f"({' * '.join(f'(tr(eye(n)) - {j})' for j in range(1, 9) if j != k)})"),
    ("one region", lambda k: f"sum(relu(x - {3 * k}))"),
    ("one side of a kink", lambda k: f"sum(x .* (x - abs(x))) * {k}"),
    ("one scale", lambda k: f"sum(exp(-10^{k} * x .^ 2))"),
]


@settings(max_examples=12, deadline=None)
@given(st.integers(0, len(TERMS) - 1), st.integers(1, 8))
def test_a_term_vanishing_on_all_but_one_part_of_the_plan_is_refuted(t, k):
    name, term = TERMS[t]
    v = matcalc.check("x' * x", "x", f"2 * x + {term(k)} * ones(n)", VECTOR)
    assert v.status == "refuted", f"{name} {k}: {v.message}"


@pytest.mark.parametrize("f, wrt, wrong, symbols", [
    # a kink far out, behind a constant that is not a number written
    ("sum(sqrt((x - exp(20)) .^ 2))", "x", "-ones(n)", VECTOR),
    ("norm(x - exp(20))", "x", "-1", {"x": "scalar"}),
    ("sum(relu((x - exp(30)) .* x))", "x", "relu'(-x) .* (2 * x - exp(30))", VECTOR),
    # three dimensions equal; two dimensions 1 while a third is not
    ("x' * x", "x", "2 * x + det(B' * C) * det(B * C') * det(D' * E) * det(D * E') * (sum(ones(p)) - 1) * x",
     {"x": "vector(a)", "B": "matrix(p, q)", "C": "matrix(p, q)", "D": "matrix(q, r)", "E": "matrix(q, r)"}),
    ("z' * z", "z", "2 * z + det(x * x') * det(y * y') * (sum(ones(p)) - 1) * z",
     {"z": "vector(p)", "x": "vector(m)", "y": "vector(n)"}),
])
def test_claims_wrong_where_an_earlier_plan_never_looked_are_refuted(f, wrt, wrong, symbols):
    assert matcalc.check(f, wrt, wrong, symbols).status == "refuted"


def _sign(e: str) -> str:
    return f"({e}) / sqrt(({e}) ^ 2)"


@pytest.mark.parametrize("f, wrong", [
    # a window of 10^-3 past a kink spelled sqrt of a square (a double root of the argument)
    ("sqrt((a - 4) ^ 2)", f"{_sign('a - 4')} + ({_sign('a - 4')} - {_sign('a - 4 - (1/1000)')}) / 2"),
    # windows of 10^-6 past kinks at triple roots
    ("abs((a - 4) ^ 3)", "3 * (a - 4) ^ 2 * abs'((a - 4) ^ 3) + relu'((a - 4) ^ 3) - relu'((a - 4 - (1/1000000)) ^ 3)"),
    ("abs(a ^ 3)", "3 * a ^ 2 * abs'(a ^ 3) + relu'(a ^ 3) - relu'((a - (1/1000000)) ^ 3)"),
])
def test_a_window_past_a_multiple_root_kink_is_seen(f, wrong):
    assert matcalc.check(f, "a", wrong, {"a": "scalar"}).status == "refuted"


def test_a_window_of_width_1_past_a_kink_at_10_to_the_30_is_seen():
    # the kink points sit 2^-128 of the entries past the kink: within 1 of 10^30
    v = matcalc.check("sum(relu(x - 10^30))", "x", "relu'(x - 10^30 - 1)", VECTOR)
    assert v.status == "refuted", v.message
