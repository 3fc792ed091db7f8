"""The plan reaches every place a wrong claim can hide (matcalc/checker/plan.py): sizes (equal
dimensions, 1 alone, past a polynomial's degree), scales, entries and determinants of both signs,
both sides of a kink however far out, every unit direction of the tangent space, stand-ins of
every parity. Each case is a claim built to be wrong only where one part of the plan looks, and
must be refuted; the true claim beside it must hold."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import matcalc
from matcalc.checker.plan import ALONE, RANDOM_MAX, assignments, make_plan, scales
from matcalc.checker.verify import check
from matcalc.engine.derivation import derive
from matcalc.errors import MatcalcError
from matcalc.expr import Add, Call, Entrywise, Hadamard, MatMul, Neg, Ones, Power, Sym, walk
from matcalc.language import show
from matcalc.parser import parse
from matcalc.prooffile import make_scope

from .claims import cayley_hamilton
from .strategies import SCOPE, exprs

VECTOR = {"x": "vector(n)"}
SQUARE = {"X": "matrix(n, n)"}
MATRIX = {"X": "matrix(m, n)"}
EIGHT = "8.0000000000000000000000000000000000000001"  # 8 + 10^-40: kinks 5·10^-41 apart
SQRT2 = "1.41421356237309504880168872420969807856967187537694807317668"
SIXTH_DIFFERENCE = " + ".join(f"{c} * det(eye(n) + {j} * X)" for j, c in enumerate([1, -6, 15, -20, 15, -6, 1]))

# (what the plan must reach, f, wrt, wrong claim, true claim, symbols, functions, assumptions)
FAR = "((x - 4) .* (x - 1000))"  # kinks at 4, near the points, and at 1000
FAR_BELOW = "((x - 4) .* (x + 1000))"
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
    ("a kink of a root of multiplicity 2 with a narrow window", "sum(sqrt((x - 4) .^ 2) - sqrt((x - 4 - 10^-30) .^ 2))",
     "x", "0 * x", "(x - 4) ./ sqrt((x - 4) .^ 2) + (10^-30 + 4 - x) ./ sqrt((x - 4 - 10^-30) .^ 2)", VECTOR, {}, []),
    ("a kink of a root of multiplicity 6 with a narrow window",
     "sum(((x - 4) .^ 6) .^ (1/6) - ((x - 4 - 10^-9) .^ 6) .^ (1/6))", "x", "0 * x",
     "(x - 4) .^ 5 ./ ((x - 4) .^ 6) .^ (5/6) - (x - 4 - 10^-9) .^ 5 ./ ((x - 4 - 10^-9) .^ 6) .^ (5/6)", VECTOR, {},
     []),
    ("a window narrower than 2^-128", "sum(relu(x - 4) - relu(x - 4 - 10^-40))", "x", "0 * x",
     "relu'(x - 4) - relu'(x - 4 - 10^-40)", VECTOR, {}, []),
    ("a window narrower than 2^-128 past a kink of abs", "sum(abs(x - 4) - abs(x - 4 - 10^-45))", "x", "0 * x",
     "abs'(x - 4) - abs'(x - 4 - 10^-45)", VECTOR, {}, []),
    # a window is found from the point (the other kinks along the step), whatever makes it
    ("a window made by a constant inside a matrix", "sum(relu(x - 4) - relu(x - 4 - exp(-100 * ones(n))))", "x",
     "0 * x", "relu'(x - 4) - relu'(x - 4 - exp(-100 * ones(n)))", VECTOR, {}, []),
    ("a window made by a dimension", "sum(relu(x - 4) - relu(x - 4 - exp(-100 * n)))", "x", "0 * x",
     "relu'(x - 4) - relu'(x - 4 - exp(-100 * n))", VECTOR, {}, []),
    ("a window made by an integer symbol", "sum(relu(x - 4) - relu(x - 4 - (1/2) ^ (200 * k)))", "x", "0 * x",
     "relu'(x - 4) - relu'(x - 4 - (1/2) ^ (200 * k))", {**VECTOR, "k": "integer"}, {}, []),
    ("a window made by another symbol", "sum(relu(x - 4) - relu(x - 4 - exp(-100 - y .^ 2)))", "x", "0 * x",
     "relu'(x - 4) - relu'(x - 4 - exp(-100 - y .^ 2))", {**VECTOR, "y": "vector(n)"}, {}, []),
    ("a window between kinks of different slopes, no small constant written",
     f"sum(relu(x - 4) - relu(2 * x - {EIGHT}) / 2)", "x", "0 * x", f"relu'(x - 4) - relu'(2 * x - {EIGHT})", VECTOR,
     {}, []),
    ("a window between kinks of norm of a scalar", f"norm(sum(x) - 4) - norm(2 * sum(x) - {EIGHT}) / 2", "x", "0 * x",
     f"(sum(x) - 4) / abs(sum(x) - 4) * ones(n) - (2 * sum(x) - {EIGHT}) / abs(2 * sum(x) - {EIGHT}) * ones(n)", VECTOR,
     {}, []),
    ("a window between kinks of a symmetric matrix", f"sum(relu(S - 4) - relu(2 * S - {EIGHT}) / 2)", "S", "0 * S",
     f"relu'(S - 4) - relu'(2 * S - {EIGHT})", {"S": "symmetric(n)"}, {}, []),
    ("a window between sixth-root kinks, reached from both sides",
     f"sum(((x - 4) .^ 6) .^ (1/6) - ((2 * x - {EIGHT}) .^ 6) .^ (1/6) / 2)", "x", "0 * x",
     f"(x - 4) .^ 5 ./ ((x - 4) .^ 6) .^ (5/6) - (2 * x - {EIGHT}) .^ 5 ./ ((2 * x - {EIGHT}) .^ 6) .^ (5/6)", VECTOR,
     {}, []),
    ("a window between sqrt(2) and its decimals to 10^-60", f"sum(abs(x - sqrt(2)) - abs(x - {SQRT2}))", "x", "0 * x",
     f"abs'(x - sqrt(2)) - abs'(x - {SQRT2})", VECTOR, {}, []),
    ("a window past a kink at sizes beyond the first", "sum(relu(x - 4) - relu(x - 4 - 10^-40))", "x",
     "(n - 1) * (relu'(x - 4) - relu'(x - 4 - 10^-40))", "relu'(x - 4) - relu'(x - 4 - 10^-40)", VECTOR, {}, []),
    ("a window at a kink far out, beyond the one near the points", f"sum(relu({FAR}) - relu({FAR} - 10^-40))", "x",
     f"(relu'({FAR}) - relu'({FAR} - 10^-40)) .* (2 * x - 1004) .* relu'(500 - x)",
     f"(relu'({FAR}) - relu'({FAR} - 10^-40)) .* (2 * x - 1004)", VECTOR, {}, []),
    ("a window at a kink far out on the negative side", f"sum(relu({FAR_BELOW}) - relu({FAR_BELOW} - 10^-40))", "x",
     f"(relu'({FAR_BELOW}) - relu'({FAR_BELOW} - 10^-40)) .* (2 * x + 996) .* relu'(x + 500)",
     f"(relu'({FAR_BELOW}) - relu'({FAR_BELOW} - 10^-40)) .* (2 * x + 996)", VECTOR, {}, []),
]


@pytest.mark.parametrize("what, f, wrt, wrong, right, symbols, functions, assume", CASES, ids=[c[0] for c in CASES])
def test_a_claim_wrong_where_one_part_of_the_plan_looks_is_refuted(what, f, wrt, wrong, right, symbols, functions,
                                                                      assume):
    v = matcalc.check(f, wrt, wrong, symbols, functions=functions, assume=assume)
    assert v.status == "refuted", v.message
    if right is not None:
        v = matcalc.check(f, wrt, right, symbols, functions=functions, assume=assume)
        assert v.status == "holds", v.message


@pytest.mark.parametrize("seed", range(4))
def test_a_window_on_the_diagonal_only_is_seen_at_every_seed(seed):
    # the kink points of a square argument move a diagonal and an off-diagonal entry, not two random ones
    f, symbols = "sum(relu(X - 4) - relu(X - 4 - 10^-40 * eye(8)))", {"X": "matrix(8, 8)"}
    assert matcalc.check(f, "X", "0 * X", symbols, seed=seed).status == "refuted"
    v = matcalc.check(f, "X", "relu'(X - 4) - relu'(X - 4 - 10^-40 * eye(8))", symbols, seed=seed)
    assert v.status == "holds", v.message


def test_a_window_beyond_the_budget_is_said():
    v = matcalc.check("sum(relu(x - 4) - relu(x - 4 - (1/2) ^ 4000))", "x", "0 * x", VECTOR)
    assert "another kink is within 2^-4003" in v.message, v.message


def test_a_true_exact_derivative_of_a_fast_oscillation_holds():
    v = matcalc.check("sum(sin(10^13 * sin(10^13 * x)))", "x",
                      "10^26 * cos(10^13 * x) .* cos(10^13 * sin(10^13 * x))", VECTOR)
    assert v.status == "holds", v.message


def test_a_cayley_hamilton_term_is_seen_one_size_past_its_degree():
    v = matcalc.check("tr(X)", "X", "eye(n) + C", SQUARE, let=cayley_hamilton(11))
    assert v.status == "refuted", v.message


def test_a_jacobian_of_many_entries_is_checked():
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
def test_claims_wrong_only_far_past_a_kink_or_at_equal_and_unit_dimensions_are_refuted(f, wrt, wrong, symbols):
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


@pytest.mark.parametrize("k", [128, 300])
@pytest.mark.parametrize("arg, side", [("x - 4", 1), ("x - 4", -1), ("(x - 4) .^ 2", 1), ("(x - 4) .^ 3", -1),
                                       ("(x - 4) .^ 6", 1), ("(x - 4) .^ 12", 1)])
def test_a_kink_point_is_within_2_to_the_minus_k_of_a_root_of_any_multiplicity(arg, side, k):
    # in the moved symbol, not in the argument: (x - 4)^6 = 2^-128 would leave x 2^-21 from the kink
    import random
    from flint import arb, ctx, fmpq
    from matcalc.checker.evaluate import Bindings, Evaluator
    from matcalc.checker.kinks import approach
    scope = make_scope(VECTOR, {}, {})
    a, rng = parse(arg, scope), random.Random(k)
    b = Bindings({"x": [[fmpq(rng.randint(-90, 90), rng.randint(5, 31))] for _ in range(3)]}, {"n": 3})
    approach(a, side, parse("x", scope), set(), rng, k)(b)
    with ctx.workprec(k + 256):
        x = [arb(v) for v, in b.values["x"]]
        reach = arb(2) ** -k * (1 + max(abs(v) for v in x))
        placed = [0 < abs(v - 4) <= reach and side * w > 0 for v, (w,) in zip(x, Evaluator(b)(a))]
    assert any(placed)


def test_a_window_of_width_1_past_a_kink_at_10_to_the_30_is_seen():
    # the kink points sit 2^-128 of the entries past the kink: within 1 of 10^30
    v = matcalc.check("sum(relu(x - 10^30))", "x", "relu'(x - 10^30 - 1)", VECTOR)
    assert v.status == "refuted", v.message


# -- each place of the plan: entries, signs, stand-ins, determinants, magnitudes, sizes -----------

# (where the plan must look, f, wrt, wrong gradient, true gradient, symbols, functions)
PLACES = [
    # every entry of a gradient is compared, not one
    ("shape", "sum(b .* X)", "X", "b * eye(n)", "b * ones(n, n)", {"b": "scalar", **SQUARE}, {}),
    ("shape", "sum(b .* X) + tr(X)", "X", "b * eye(n) + eye(n)", "b * ones(n, n) + eye(n)", {"b": "scalar", **SQUARE}, {}),
    ("shape", "b * sum(X)", "X", "b * eye(n)", "b * ones(n, n)", {"b": "scalar", **SQUARE}, {}),
    # stand-ins are neither odd (with sigma(0) = 0), quadratic, homogeneous nor separable
    ("odd", "sum(sigma(-X))", "X", "-sigma'(X)", "-sigma'(-X)", MATRIX, {"sigma": "elementwise"}),
    ("odd", "sum(sigma(X) + sigma(-X))", "X", "0 * X", "sigma'(X) - sigma'(-X)", MATRIX, {"sigma": "elementwise"}),
    ("odd", "sum(sigma(X - X) .* X)", "X", "0 * X", "sigma(X - X)", MATRIX, {"sigma": "elementwise"}),
    ("odd", "sum(sigma'(X))", "X", "-sigma''(-X)", "sigma''(X)", MATRIX, {"sigma": "elementwise"}),
    ("odd", "sum(sigma(X) .* tau(X))", "X", "2 * sigma'(X) .* sigma(X)", "sigma'(X) .* tau(X) + sigma(X) .* tau'(X)",
     MATRIX, {"sigma": "elementwise", "tau": "elementwise"}),
    ("quadratic", "C(2 * X)", "X", "4 * C'(X) - 2 * C'(0 * X)", "2 * C'(2 * X)", MATRIX, {"C": "scalar"}),
    ("homogeneous", "C(2 * X)", "X", "4 * C'(X)", "2 * C'(2 * X)", MATRIX, {"C": "scalar"}),
    ("separable", "C(X')", "X", "C'(X)", "C'(X')'", SQUARE, {"C": "scalar"}),
    # entries of both signs, also for symbols under sqrt, log or a fractional power
    ("positive", "sum(sqrt(X .* X))", "X", "ones(m, n)", "X ./ sqrt(X .* X)", MATRIX, {}),
    ("positive", "sum((W * x + sqrt((W * x) .* (W * x))) / 2)", "W", "ones(n) * x'",
     "((ones(n) + (W * x) ./ sqrt((W * x) .* (W * x))) / 2) * x'", {"W": "matrix(n, m)", "x": "vector(m)"}, {}),
    ("positive", "sum((X .^ 2) .^ 0.5)", "X", "ones(m, n)", "X ./ (X .^ 2) .^ 0.5", MATRIX, {}),
    ("positive", "sum(log(X .* X))", "X", "1 ./ X", "2 ./ X", MATRIX, {}),
    # invertible matrices with det of both signs
    ("det sign", "sqrt(det(X) ^ 2)", "X", "det(X) * inv(X)'", "sqrt(det(X) ^ 2) * inv(X)'", SQUARE, {}),
    ("det sign", "sqrt(det(X * X))", "X", "det(X) * inv(X)'", "sqrt(det(X * X)) * inv(X)'", SQUARE, {}),
    ("det sign", "sqrt(det(A + X) ^ 2)", "X", "det(A + X) * inv(A + X)'", "sqrt(det(A + X) ^ 2) * inv(A + X)'",
     {"A": "matrix(n, n)", **SQUARE}, {}),
    ("det sign", "sqrt(det(A * B) ^ 2)", "A", "det(A * B) * inv(A)'", "sqrt(det(A * B) ^ 2) * inv(A)'",
     {"A": "matrix(n, n)", "B": "matrix(n, n)"}, {}),
    ("det sign", "sqrt(det(X) ^ 2)", "X", "det(X) * inv(X)' * det(eye(n) .* X) / sqrt(det(eye(n) .* X) ^ 2)",
     "sqrt(det(X) ^ 2) * inv(X)'", SQUARE, {}),
    ("det sign", "sqrt(det(X) ^ 2)", "X",
     "(1 + (tr(eye(n)) - 1) * (tr(eye(n)) - 2) * (tr(eye(n)) - 4)) * det(X) * inv(X)'",
     "sqrt(det(X) ^ 2) * inv(X)'", SQUARE, {}),
    ("det sign", "(det(X) + sqrt(det(X) ^ 2)) * sum(sigma'''(y))", "y", "0 * y",
     "(det(X) + sqrt(det(X) ^ 2)) * sigma''''(y)", {"X": "matrix(n, n)", "y": "vector(m)"}, {"sigma": "elementwise"}),
    # tiny values are compared against their own size, not an absolute floor
    ("tiny", "sum(exp(X - 120))", "X", "-exp(X - 120)", "exp(X - 120)", MATRIX, {}),
    ("tiny", "sum(exp(X - 300))", "X", "2 * exp(X - 300)", "exp(X - 300)", MATRIX, {}),
    ("tiny", "sum(exp(-(x .* x) - 200))", "x", "2 * x .* exp(-(x .* x) - 200)", "-2 * x .* exp(-(x .* x) - 200)",
     {"x": "vector(n)"}, {}),
    ("tiny", "exp(-500) * tr(X)", "X", "0 * X", "exp(-500) * eye(n)", SQUARE, {}),
    ("tiny", "x' * x", "x", "2 * x + x * ((exp((1/10) ^ 200) - 1) * 10 ^ 200)", "2 * x", {"x": "vector(n)"}, {}),
    # huge values in a claim neither draw the points closer to zero nor make sizes skipped
    ("huge", "x' * x", "x", "2 * x + (x' * x) ^ 10000 * x", "2 * x", {"x": "vector(n)"}, {}),
    ("huge", "x' * x", "x", "2 * x + 10 ^ 40 * (tr(eye(n)) - 1) * x", "2 * x", {"x": "vector(n)"}, {}),
    ("huge", "sum(sigma'''(10 ^ 7 * x))", "x", "0 * x", "10 ^ 7 * sigma''''(10 ^ 7 * x)", {"x": "vector(n)"},
     {"sigma": "elementwise"}),
    # size assignments with equal dimensions, and sizes of 5 and up
    ("equal dims", "det(B' * C) * det(B * C') * sum(sigma'''(x))", "x", "0 * x",
     "det(B' * C) * det(B * C') * sigma''''(x)", {"B": "matrix(m, n)", "C": "matrix(m, n)", "x": "vector(k)"},
     {"sigma": "elementwise"}),
    ("equal dims", "tr(X) * det(B' * C) * det(B * C')", "X", "0 * X", "det(B' * C) * det(B * C') * eye(m)",
     {"X": "matrix(m, m)", "B": "matrix(m, n)", "C": "matrix(m, n)"}, {}),
    ("equal dims", "tr(X) * det(B' * C) * det(B * C')", "X", "2 * det(B' * C) * det(B * C') * eye(m)",
     "det(B' * C) * det(B * C') * eye(m)", {"X": "matrix(m, m)", "B": "matrix(m, n)", "C": "matrix(m, n)"}, {}),
    ("equal dims", "tr(X) * det(E' * F) * det(E * F')", "X", "0 * X", "det(E' * F) * det(E * F') * eye(m)",
     {"X": "matrix(m, m)", "E": "matrix(n, p)", "F": "matrix(n, p)"}, {}),
    ("equal dims", "tr(X) * det(B' * C) * det(B * C')", "X", "0 * X", "det(B' * C) * det(B * C') * eye(m)",
     {"X": "matrix(m, m)", "B": "matrix(5, n)", "C": "matrix(5, n)"}, {}),
    # a scalar broadcast in entrywise products is compared over every entry
    ("broadcast", "sum(X .* c)", "X", "c * eye(n)", "c * ones(n, n)", {"c": "scalar", **SQUARE}, {}),
    ("broadcast", "sum(X ./ c)", "X", "eye(n) / c", "ones(n, n) / c", {"c": "scalar", **SQUARE}, {}),
    ("broadcast", "sum(X + s)", "s", "1", "sum(ones(m, n))", {"s": "scalar", **MATRIX}, {}),
]
PLACE_IDS = [f"{c[0]}:{c[1]}" for c in PLACES]


@pytest.mark.parametrize("place, f, wrt, wrong, right, symbols, functions", PLACES, ids=PLACE_IDS)
def test_a_claim_wrong_at_one_place_is_refuted_with_a_counterexample(place, f, wrt, wrong, right, symbols, functions):
    v = matcalc.check(f, wrt, wrong, symbols, functions=functions)
    assert v.status == "refuted", f"{place}: {wrong} accepted for {f}: {v.message}"
    assert v.counterexample and "point" in v.counterexample


@pytest.mark.parametrize("place, f, wrt, wrong, right, symbols, functions", PLACES, ids=PLACE_IDS)
def test_the_true_claim_beside_it_holds_and_is_derived(place, f, wrt, wrong, right, symbols, functions):
    v = matcalc.check(f, wrt, right, symbols, functions=functions)
    assert v.status == "holds", f"{place}: {right} refuted for {f}: {v.message}"
    d = matcalc.derive(f, wrt, symbols, functions=functions)
    assert d.verdict.status == "holds", f"{place}: derived {d.gradient}: {d.verdict.message}"
    assert d.gradient.shape == d.verdict._report.claim.wrt.shape


@pytest.mark.parametrize("f, wrt, symbols", [
    ("sum(X + s)", "s", {"s": "scalar", **MATRIX}),
    ("tr(s + A)", "s", {"s": "scalar", "A": "matrix(n, n)"}),
    ("norm(v - c)", "c", {"c": "scalar", "v": "vector(n)"}),
    ("sum((v - sum(v) / sum(ones(n))) .^ 2)", "v", {"v": "vector(n)"}),
    ("sum(b .* X)", "X", {"b": "scalar", **SQUARE}),
    ("sum(b .* X)", "b", {"b": "scalar", **SQUARE}),
    ("logdet(X' * X)", "X", {"X": "matrix(m, n)"}),
    ("det(Z' * A * Z)", "Z", {"Z": "matrix(m, n)", "A": "matrix(m, m)"}),
])
def test_broadcasts_and_singular_sizes_derive_right(f, wrt, symbols):
    d = matcalc.derive(f, wrt, symbols)
    assert d.verdict.status == "holds", d.verdict.message


SIGN_OF_DET = "det(A) / sqrt(det(A) ^ 2)"
SIGN_OF_DIAGONAL = "det(A .* eye(n)) / sqrt(det(A .* eye(n)) ^ 2)"


@pytest.mark.parametrize("f, wrt, claim, symbols", [
    # the signs of det(A) and of its diagonal's product are drawn independently: this claim is wrong
    # (-1 times the truth) only where det(A) > 0 and the diagonal's product is negative
    ("det(A)", "A", f"det(A) * inv(A)' * ((1 + {SIGN_OF_DET}) / 2 * {SIGN_OF_DIAGONAL} + (1 - {SIGN_OF_DET}) / 2)",
     {"A": "matrix(n, n)"}),
    # every dimension is 1 alone, with four or more names
    ("x' * x", "x", "2 * x + det(B' * C) * (sum(ones(p)) - sum(ones(q))) * x",
     {"x": "vector(p)", "y": "vector(q)", "z": "vector(r)", "B": "matrix(1, n)", "C": "matrix(1, n)"}),
    # every pair of dimensions is planned equal, with five names (ten pairs, none left to chance)
    ("x' * x", "x", "2 * x + det(D' * E) * det(D * E') * (sum(ones(q)) - 1) * x",
     {"x": "vector(m)", "y": "vector(n)", "z": "vector(p)", "D": "matrix(q, r)", "E": "matrix(q, r)"}),
    # every pair of dimensions is planned equal, with four or more names
    ("x' * x", "x", "2 * x + det(B' * C) * det(F' * G) * (sum(ones(p)) - sum(ones(q))) * x",
     {"B": "matrix(m, n)", "C": "matrix(m, n)", "F": "matrix(n, m)", "G": "matrix(n, m)", "x": "vector(p)",
      "y": "vector(q)"}),
    # a claim undefined where f is defined is refuted there (decide.py, clause 4)
    ("sqrt(sum(x) ^ 2)", "x", "ones(n) + 0 * logdet(ones(n)' * x)", {"x": "vector(n)"}),
    ("sum(sqrt(X .* X))", "X", "ones(m, n) + 0 * log(X)", MATRIX),
    # a constant of the claim lost to cancellation at low precision is found at a higher one (clause 3)
    ("x' * x", "x", "2 * x + (exp(1000) + 1 - exp(1000)) * ones(n)", {"x": "vector(n)"}),
])
def test_claims_wrong_only_at_one_sign_size_relation_domain_or_precision_are_refuted(f, wrt, claim, symbols):
    for seed in range(3):
        assert matcalc.check(f, wrt, claim, symbols, seed=seed).status == "refuted", seed


@pytest.mark.parametrize("f", [
    "sum(relu(x - 10^30))", "sum(relu(x - 10000000))", "sum(abs(x - 10^30) - (10^30 - x))",
    # f is above 10^100 on the far side: refuted there, or the check says that side was never seen
    "sum(relu(x - 100) .^ 60)", "sum(exp(exp(relu(x - 100))))",
])
def test_far_side_of_a_kink_is_reached(f):
    # both sides of every kink are tried at every draw, however far out the kink (10^30 is written as
    # a power, not a number); a side never reached is said ("could not check"), never "holds"
    try:
        v = matcalc.check(f, "x", "0 * x", symbols={"x": "vector(n)"})
    except matcalc.MatcalcError as e:  # "could not check": the far side never reached (f blows up there)
        assert "never seen" in str(e)
        return
    assert v.status == "refuted", v.message


# -- property: a term zero off one part of the plan, added to the engine's gradient, is seen ------

def _sym(name):
    return Sym(name, SCOPE.symbols[name])


def _terms_zero_off_one_part():
    """Scalars that are 0 except at one part of the plan: a sigma that is not odd, a negative entry, a
    negative determinant, equal dimensions (det(A B) det(B A) with A n×m, B m×n)."""
    A, B, S, x = _sym("A"), _sym("B"), _sym("S"), _sym("x")
    sigma = lambda e: Entrywise("sigma", e)  # noqa: E731
    return [
        ("odd part of sigma", Call("sum", Add((sigma(x), sigma(Neg(x)))))),
        ("sign of x", Call("sum", Add((Entrywise("sqrt", Hadamard(x, x)), Neg(x))))),
        ("sign of det", Add((Entrywise("sqrt", Power(Call("det", S), Fraction(2))), Neg(Call("det", S))))),
        ("m = n", MatMul(Call("det", MatMul(A, B)), Call("det", MatMul(B, A)))),
    ]


ONE_PART_TERMS = _terms_zero_off_one_part()


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(exprs(SCOPE.symbols["c"], 2, safe=True), st.integers(0, 5), st.integers(0, len(ONE_PART_TERMS) - 1))
def test_an_engine_gradient_plus_a_term_zero_off_one_part_of_the_plan_is_refuted(f, k, t):
    syms = [n for n in walk(f) if isinstance(n, Sym)]
    assume(syms)
    x = syms[k % len(syms)]
    try:
        G = derive(f, x, scope=SCOPE).gradient
    except MatcalcError:
        assume(False)
    name, term = ONE_PART_TERMS[t]
    if name == "sign of det":  # on logdet(S)'s domain det(S) > 0, where the term is 0: the claim is true there
        assume(not any(isinstance(n, Call) and n.fn == "logdet" for n in walk(f)))
    wrong = Add((G, MatMul(term, Ones(x.shape.rows, x.shape.cols))))
    try:
        v = check(f, x, wrong, SCOPE)
    except MatcalcError as e:
        assume("could not sample" not in str(e) and "kink was never seen" not in str(e))
        raise
    assert v.status == "refuted", f"{name}: {show(wrong)} accepted for {show(f)} wrt {x.name}"
