"""Claims built to slip through a sampler's blind spots: each wrong one must be refuted with a
counterexample, and its true version must hold. One block per blind spot."""
from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import matcalc
from matcalc.checker.verify import check
from matcalc.engine.derivation import derive
from matcalc.errors import MatcalcError
from matcalc.expr import Add, Call, Entrywise, Hadamard, MatMul, Neg, Ones, Power, Sym, walk
from matcalc.language import show

from .strategies import SCOPE, exprs

SQUARE = {"X": "matrix(n, n)"}
MATRIX = {"X": "matrix(m, n)"}

# (blind spot, f, wrt, wrong gradient, true gradient, symbols, functions)
CLAIMS = [
    # 0. a gradient compared on one entry only
    ("shape", "sum(b .* X)", "X", "b * eye(n)", "b * ones(n, n)", {"b": "scalar", **SQUARE}, {}),
    ("shape", "sum(b .* X) + tr(X)", "X", "b * eye(n) + eye(n)", "b * ones(n, n) + eye(n)", {"b": "scalar", **SQUARE}, {}),
    ("shape", "b * sum(X)", "X", "b * eye(n)", "b * ones(n, n)", {"b": "scalar", **SQUARE}, {}),
    # 1. stand-ins that are odd, with sigma(0) = 0
    ("odd", "sum(sigma(-X))", "X", "-sigma'(X)", "-sigma'(-X)", MATRIX, {"sigma": "elementwise"}),
    ("odd", "sum(sigma(X) + sigma(-X))", "X", "0 * X", "sigma'(X) - sigma'(-X)", MATRIX, {"sigma": "elementwise"}),
    ("odd", "sum(sigma(X - X) .* X)", "X", "0 * X", "sigma(X - X)", MATRIX, {"sigma": "elementwise"}),
    ("odd", "sum(sigma'(X))", "X", "-sigma''(-X)", "sigma''(X)", MATRIX, {"sigma": "elementwise"}),
    ("odd", "sum(sigma(X) .* tau(X))", "X", "2 * sigma'(X) .* sigma(X)", "sigma'(X) .* tau(X) + sigma(X) .* tau'(X)",
     MATRIX, {"sigma": "elementwise", "tau": "elementwise"}),
    ("quadratic", "C(2 * X)", "X", "4 * C'(X) - 2 * C'(0 * X)", "2 * C'(2 * X)", MATRIX, {"C": "scalar"}),
    ("homogeneous", "C(2 * X)", "X", "4 * C'(X)", "2 * C'(2 * X)", MATRIX, {"C": "scalar"}),
    ("separable", "C(X')", "X", "C'(X)", "C'(X')'", SQUARE, {"C": "scalar"}),
    # 2. symbols forced positive because they appear under sqrt, log or a fractional power
    ("positive", "sum(sqrt(X .* X))", "X", "ones(m, n)", "X ./ sqrt(X .* X)", MATRIX, {}),
    ("positive", "sum((W * x + sqrt((W * x) .* (W * x))) / 2)", "W", "ones(n) * x'",
     "((ones(n) + (W * x) ./ sqrt((W * x) .* (W * x))) / 2) * x'", {"W": "matrix(n, m)", "x": "vector(m)"}, {}),
    ("positive", "sum((X .^ 2) .^ 0.5)", "X", "ones(m, n)", "X ./ (X .^ 2) .^ 0.5", MATRIX, {}),
    ("positive", "sum(log(X .* X))", "X", "1 ./ X", "2 ./ X", MATRIX, {}),
    # 3. invertible matrices always with det > 0
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
    # 4. tiny values compared with an absolute floor
    ("tiny", "sum(exp(X - 120))", "X", "-exp(X - 120)", "exp(X - 120)", MATRIX, {}),
    ("tiny", "sum(exp(X - 300))", "X", "2 * exp(X - 300)", "exp(X - 300)", MATRIX, {}),
    ("tiny", "sum(exp(-(x .* x) - 200))", "x", "2 * x .* exp(-(x .* x) - 200)", "-2 * x .* exp(-(x .* x) - 200)",
     {"x": "vector(n)"}, {}),
    ("tiny", "exp(-500) * tr(X)", "X", "0 * X", "exp(-500) * eye(n)", SQUARE, {}),
    ("tiny", "x' * x", "x", "2 * x + x * ((exp((1/10) ^ 200) - 1) * 10 ^ 200)", "2 * x", {"x": "vector(n)"}, {}),
    # huge values: points drawn closer to zero, or a claim's values making sizes skipped
    ("huge", "x' * x", "x", "2 * x + (x' * x) ^ 10000 * x", "2 * x", {"x": "vector(n)"}, {}),
    ("huge", "x' * x", "x", "2 * x + 10 ^ 40 * (tr(eye(n)) - 1) * x", "2 * x", {"x": "vector(n)"}, {}),
    ("huge", "sum(sigma'''(10 ^ 7 * x))", "x", "0 * x", "10 ^ 7 * sigma''''(10 ^ 7 * x)", {"x": "vector(n)"},
     {"sigma": "elementwise"}),
    # 5. no size assignment with equal dimensions (and sizes of 5 and up)
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
    # 6. a scalar broadcast in entrywise products
    ("broadcast", "sum(X .* c)", "X", "c * eye(n)", "c * ones(n, n)", {"c": "scalar", **SQUARE}, {}),
    ("broadcast", "sum(X ./ c)", "X", "eye(n) / c", "ones(n, n) / c", {"c": "scalar", **SQUARE}, {}),
    ("broadcast", "sum(X + s)", "s", "1", "sum(ones(m, n))", {"s": "scalar", **MATRIX}, {}),
]
IDS = [f"{c[0]}:{c[1]}" for c in CLAIMS]


@pytest.mark.parametrize("spot, f, wrt, wrong, right, symbols, functions", CLAIMS, ids=IDS)
def test_wrong_claim_is_refuted_with_a_counterexample(spot, f, wrt, wrong, right, symbols, functions):
    v = matcalc.check(f, wrt, wrong, symbols, functions=functions)
    assert v.status == "refuted", f"{spot}: {wrong} accepted for {f}: {v.message}"
    assert v.counterexample and "point" in v.counterexample


@pytest.mark.parametrize("spot, f, wrt, wrong, right, symbols, functions", CLAIMS, ids=IDS)
def test_true_claim_holds_and_is_derived(spot, f, wrt, wrong, right, symbols, functions):
    v = matcalc.check(f, wrt, right, symbols, functions=functions)
    assert v.status == "holds", f"{spot}: {right} refuted for {f}: {v.message}"
    d = matcalc.derive(f, wrt, symbols, functions=functions)
    assert d.verdict.status == "holds", f"{spot}: derived {d.gradient}: {d.verdict.message}"
    assert d.gradient.shape == d.verdict._report.claim.wrt.shape


def test_restrictions_are_said():
    v = matcalc.check("sum(log(X))", "X", "1 ./ X", MATRIX)
    assert v.status == "holds" and "checked where X > 0, as log(X) needs" in v.message
    v = matcalc.check("logdet(X)", "X", "inv(X)'", SQUARE)
    assert v.status == "holds" and "det(X) > 0" in v.message
    v = matcalc.check("sum(sqrt(X .* X))", "X", "X ./ sqrt(X .* X)", MATRIX)
    assert "checked where" not in v.message


def test_zero_derivatives_with_rounding_are_never_refuted():
    """A derivative that is exactly 0, computed with rounding noise, is not refuted by the noise: it
    holds against f's own scale (sum(softmax(z)) = 1), or exactly where f is rational; where f
    itself is 0 in every ball (norm(X)² − tr(XᵀX)), nothing gives a scale, and the checker says it
    could not check rather than guess."""
    assert matcalc.check("sum(softmax(z))", "z", "0 * z", {"z": "vector(n)"}).status == "holds"
    assert matcalc.check("sum(X .* X) - tr(X' * X)", "X", "0 * X", MATRIX).status == "holds"
    with pytest.raises(MatcalcError, match="could not check"):
        matcalc.check("norm(X) ^ 2 - tr(X' * X)", "X", "0 * X", MATRIX)


SQUARE_S = {"S": "matrix(n, n)"}


@pytest.mark.parametrize("f, wrt, gradient, symbols", [
    ("log(sigmoid(det(S)))", "S", "sigmoid(-det(S)) * det(S) * inv(S)'", SQUARE_S),
    ("log(1 + exp(-det(S)))", "S", "-sigmoid(-det(S)) * det(S) * inv(S)'", SQUARE_S),
    ("10 ^ 40 * x' * x", "x", "2 * 10 ^ 40 * x", {"x": "vector(n)"}),
    ("log(10 ^ 400 + x' * x)", "x", "2 * x / (10 ^ 400 + x' * x)", {"x": "vector(n)"}),
    ("sum(exp(-10 ^ 8 * x .* x))", "x", "-2 * 10 ^ 8 * x .* exp(-10 ^ 8 * x .* x)", {"x": "vector(n)"}),
    ("sigmoid(det(S)) + 2", "S", "sigmoid'(det(S)) * det(S) * inv(S)'", SQUARE_S),
])
def test_true_claims_at_extreme_magnitudes_hold(f, wrt, gradient, symbols):
    """Values that round to 1 or 0 at the first precision, huge or tiny ones: resolved, not refuted."""
    for seed in range(3):
        v = matcalc.check(f, wrt, gradient, symbols, seed=seed)
        assert v.status == "holds", f"seed {seed}: {v.message}"


def test_a_dimension_only_in_an_assumption_is_sized():
    v = matcalc.check("x' * x", "x", "2 * x", {"x": "vector(n)", "Y": "vector(n)"}, assume=["sum(Y) = tr(eye(k))"])
    assert v.status == "holds"


def test_checker_refuses_a_gradient_of_the_wrong_shape():
    from matcalc.parser import parse
    from matcalc.prooffile import make_scope
    sc = make_scope({"b": "scalar", **SQUARE})
    X = Sym("X", sc.symbols["X"])
    v = check(parse("sum(b .* X)", sc), X, parse("b", sc), sc)
    assert v.status == "refuted" and "is 1×1, but the gradient of f by X is n×n" in v.message


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


def test_sizes_where_the_claim_is_undefined_are_skipped_and_said():
    d = matcalc.derive("logdet(X' * X)", "X", {"X": "matrix(m, n)"})
    assert d.verdict.status == "holds" and "skipped" in d.verdict.message


def test_engine_failure_says_it_is_matcalcs():
    from matcalc.errors import InternalError
    assert "please report it" in str(InternalError("x"))


# --- property: perturbations that vanish at the old sampler's points are refuted --------------

def _sym(name):
    return Sym(name, SCOPE.symbols[name])


def _blind_terms():
    """Scalars that are 0 at every point the old sampler drew, but not everywhere."""
    A, B, S, x = _sym("A"), _sym("B"), _sym("S"), _sym("x")
    sigma = lambda e: Entrywise("sigma", e)  # noqa: E731
    return [
        ("odd part of sigma", Call("sum", Add((sigma(x), sigma(Neg(x)))))),
        ("sign of x", Call("sum", Add((Entrywise("sqrt", Hadamard(x, x)), Neg(x))))),
        ("sign of det", Add((Entrywise("sqrt", Power(Call("det", S), Fraction(2))), Neg(Call("det", S))))),
        ("m = n", MatMul(Call("det", MatMul(A, B)), Call("det", MatMul(B, A)))),
    ]


TERMS = _blind_terms()


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(exprs(SCOPE.symbols["c"], 2, safe=True), st.integers(0, 5), st.integers(0, len(TERMS) - 1))
def test_perturbations_invisible_to_the_old_sampler_are_refuted(f, k, t):
    syms = [n for n in walk(f) if isinstance(n, Sym)]
    assume(syms)
    x = syms[k % len(syms)]
    try:
        G = derive(f, x, scope=SCOPE).gradient
    except MatcalcError:
        assume(False)
    name, term = TERMS[t]
    if name == "sign of det":  # on logdet(S)'s domain det(S) > 0, where the term is 0: the claim is true there
        assume(not any(isinstance(n, Call) and n.fn == "logdet" for n in walk(f)))
    wrong = Add((G, MatMul(term, Ones(x.shape.rows, x.shape.cols))))
    try:
        v = check(f, x, wrong, SCOPE)
    except MatcalcError as e:
        assume("could not sample" not in str(e) and "kink was never seen" not in str(e))
        raise
    assert v.status == "refuted", f"{name}: {show(wrong)} accepted for {show(f)} wrt {x.name}"


def test_tiny_scaled_claims_are_refuted():
    """f scaled by exp(-200) and its gradient negated: relative error 2, absolute below 1e-80."""
    v = matcalc.check("exp(-200) * (x' * A * x)", "x", "-exp(-200) * (A + A') * x", {"x": "vector(n)", "A": "matrix(n, n)"})
    assert v.status == "refuted"


# --- found by a second adversarial review ---------------------------------------------------------

SIGN_OF_DET = "det(A) / sqrt(det(A) ^ 2)"
SIGN_OF_DIAGONAL = "det(A .* eye(n)) / sqrt(det(A .* eye(n)) ^ 2)"


@pytest.mark.parametrize("f, wrt, claim, symbols", [
    # the sign of det(A) is not that of its diagonal: -1 when det(A) > 0 and the diagonal's product is negative
    ("det(A)", "A", f"det(A) * inv(A)' * ((1 + {SIGN_OF_DET}) / 2 * {SIGN_OF_DIAGONAL} + (1 - {SIGN_OF_DET}) / 2)",
     {"A": "matrix(n, n)"}),
    # each name 1 alone, with four or more names
    ("x' * x", "x", "2 * x + det(B' * C) * (sum(ones(p)) - sum(ones(q))) * x",
     {"x": "vector(p)", "y": "vector(q)", "z": "vector(r)", "B": "matrix(1, n)", "C": "matrix(1, n)"}),
    # each pair equal, with five names (ten pairs: none may be left to chance)
    ("x' * x", "x", "2 * x + det(D' * E) * det(D * E') * (sum(ones(q)) - 1) * x",
     {"x": "vector(m)", "y": "vector(n)", "z": "vector(p)", "D": "matrix(q, r)", "E": "matrix(q, r)"}),
    # each pair equal, with four or more names
    ("x' * x", "x", "2 * x + det(B' * C) * det(F' * G) * (sum(ones(p)) - sum(ones(q))) * x",
     {"B": "matrix(m, n)", "C": "matrix(m, n)", "F": "matrix(n, m)", "G": "matrix(n, m)", "x": "vector(p)",
      "y": "vector(q)"}),
    # a claim whose own domain is smaller than f's
    ("sqrt(sum(x) ^ 2)", "x", "ones(n) + 0 * logdet(ones(n)' * x)", {"x": "vector(n)"}),
    ("sum(sqrt(X .* X))", "X", "ones(m, n) + 0 * log(X)", MATRIX),
    # cancellation inside the claim
    ("x' * x", "x", "2 * x + (exp(1000) + 1 - exp(1000)) * ones(n)", {"x": "vector(n)"}),
])
def test_second_review_wrong_claims_are_refuted(f, wrt, claim, symbols):
    for seed in range(3):
        assert matcalc.check(f, wrt, claim, symbols, seed=seed).status == "refuted", seed


def test_true_hessians_that_cancel_to_zero_are_symmetric():
    """At k = 1 these Hessians are 0, computed as rounding noise: not an asymmetry."""
    for f, symbols in [("norm(A * x)", {"A": "matrix(m, n)", "x": "vector(n)"}),
                       ("log(sum(exp(W * x)))", {"W": "matrix(k, n)", "x": "vector(n)"})]:
        assert matcalc.derive(f, "x", symbols, kind="hessian").verdict.status == "holds"


def test_two_assumptions_on_one_symbol_are_refused():
    with pytest.raises(MatcalcError, match="one assumption per symbol"):
        matcalc.check("tr(X) ^ 2", "X", "2 * eye(n)", SQUARE, assume=["tr(X) = 1", "sum(X) = 2"])


def test_sizes_beyond_the_entry_limit_are_lowered_and_said():
    v = matcalc.check("sum(A) + 0 * sum(kron(kron(A, A), A))", "A", "ones(m, n)", {"A": "matrix(m, n)"})
    assert v.status == "holds" and "sizes lowered to keep every matrix within" in v.message


# --- found by a third review -------------------------------------------------------------------

def test_an_assumption_on_wrt_is_said_and_a_fixed_wrt_is_not_checked():
    v = matcalc.check("sum(x .* x)", "x", "2 * x + 5 * ones(n)", {"x": "vector(n)"}, assume=["sum(x) = 1"])
    assert "dx keeps 'sum(x) = 1'" in v.message and "judged up to a multiple" in v.message
    with pytest.raises(MatcalcError, match="fixes s"):
        matcalc.check("s ^ 2", "s", "7", {"s": "scalar"}, assume=["s = 1"])


def test_an_engine_failure_in_second_order_says_it_is_matcalcs():
    """The Hessian by W of y' softmax(W x) is beyond the engine today: it must say so as its own fault."""
    with pytest.raises(MatcalcError, match="please report it"):
        matcalc.derive("y' * softmax(W * x)", "W", {"W": "matrix(k, n)", "x": "vector(n)", "y": "vector(k)"},
                       kind="hessian")
