"""Results as a reader would simplify them (issue 27): each test is named after the rule it protects,
asserts the printed result of real examples, that each still checks, and that the text parses back
to a result that checks; the textbook forms printed before stay as they were."""
import pytest

import matcalc
from matcalc.expr import Call, Div, Transpose, walk

LSQ = {"A": "matrix(m, n)", "x": "vector(n)", "b": "vector(m)"}
LOGISTIC = {"X": "matrix(m, n)", "w": "vector(n)", "y": "vector(m)"}


def _result(f, wrt, symbols=None, kind=None):
    d = matcalc.derive(f, wrt, symbols, kind=kind)
    assert d.verdict.status == "holds", (f, d.verdict)
    return d


def _printed(f, wrt, symbols=None, kind=None):
    """The printed result, after checking that it holds and that its text, parsed back, checks too."""
    d = _result(f, wrt, symbols, kind)
    text = str(d.hessian if kind == "hessian" else d.gradient)
    claim = {"hessian": text} if kind == "hessian" else {"gradient": text}
    assert matcalc.check(f, wrt, symbols=symbols, **claim).holds, text
    return text


@pytest.mark.parametrize("f, wrt, symbols", [
    ("norm(A * x - b) ^ 2", "x", LSQ),
    ("-y' * log(softmax(x))", "x", {"x": "vector(n)", "y": "vector(n)"}),
    ("(x' * y)' * (x' * y)", "x", {"x": "vector(n)", "y": "vector(n)"}),
    ("sum(X)' * sum(X)", "X", {"X": "matrix(m, n)"}),
])
def test_scalar_transpose_is_dropped(f, wrt, symbols):
    """No step writes a 1×1 transposed (‖r‖ᵀ 2 in the trace steps), unless f does and d has not reached it."""
    d = _result(f, wrt, symbols)
    for step in d.steps:
        if "'" not in f or step.side != "df":
            assert not any(isinstance(n, Transpose) and n.arg.shape.is_scalar for n in walk(step.expr)), step


@pytest.mark.parametrize("f, expected", [
    ("lambda * norm(x) ^ 2 + 2 * lambda * norm(x) ^ 2", "6 * lambda * x"),
    ("x' * x + x' * x", "4 * x"),
    ("norm(x) ^ 2 / 2 + norm(x) ^ 2", "3 * x"),
    ("sum(x) / n + 2 * sum(x) / n", "3 * ones(n) / n"),
    ("tr(X) / n - tr(X) / (2 * n)", "(1/2) * eye(n) / n"),
])
def test_collect_like_terms_with_scalar_coefficients(f, expected):
    symbols = {"x": "vector(n)", "X": "matrix(n, n)", "lambda": "scalar"}
    assert _printed(f, "X" if "X" in f else "x", symbols) == expected


def test_power_rule_cancels_a_norm():
    d = _result("norm(A * x - b) ^ 2", "x", LSQ)
    assert str(d.gradient) == "2 * A' * (A * x - b)"
    norm_over = [s for s in d.steps for n in walk(s.expr)
                 if isinstance(n, Div) and isinstance(n.right, Call) and n.right.fn == "norm"]
    assert not norm_over, "a squared norm's derivation carries ||r|| / ||r||"
    assert _printed("norm(A * x - b) ^ 3", "x", LSQ) == "3 * norm(A * x - b) * (A' * (A * x - b))"
    assert _printed("norm(A * x - b)", "x", LSQ) == "A' * (A * x - b) / norm(A * x - b)"


@pytest.mark.parametrize("f, wrt, expected", [
    ("norm(A * x - b) ^ 2", "x", "2 * A' * (A * x - b)"),
    ("norm(A * x - b) ^ 2 + lambda * norm(x) ^ 2", "x", "2 * A' * (A * x - b) + 2 * lambda * x"),
    ("sum((W * X + c) .^ 2)", "W", "2 * (W * X + c) * X'"),
])
def test_leading_number_in_a_gradient(f, wrt, expected):
    symbols = {**LSQ, "lambda": "scalar", "W": "matrix(k, m)", "X": "matrix(m, N)", "c": "vector(k)"}
    assert _printed(f, wrt, symbols) == expected


@pytest.mark.parametrize("f, symbols, expected", [
    ("mean(x)", {"x": "vector(n)"}, "ones(n) / n"),
    ("mean(X)", {"X": "matrix(m, n)"}, "ones(m, n) / (m * n)"),
    ("sum(ones(n)' * ones(n) * x)", {"x": "vector(n)"}, "n * ones(n)"),
])
def test_number_of_entries(f, symbols, expected):
    assert _printed(f, "X" if "X" in symbols else "x", symbols) == expected


def test_broadcast_times_ones():
    """var's gradient: the term (x' - mean(x)) 1 1ᵀ / n² is sum(x) - n mean(x) = 0 and goes."""
    assert _printed("var(x)", "x", {"x": "vector(n)"}) == "2 * (x - sum(x) / n) / n"


def test_division_by_scalar_and_sum_of_scaled_give_the_layer_norm_gradient():
    """The textbook layer-norm gradient: g/σ - sum(g) 1/(nσ) - sum(g ⊙ (x - μ)) (x - μ)/(nσ³)."""
    sigma = "sqrt(sum((x - sum(x) / n) .^ 2) / n + (1/100000))"
    expected = (f"g / {sigma} - sum(g) * ones(n) / ({sigma} * n) - sum(g .* (x - sum(x) / n)) * (x - sum(x) / n) / "
                f"({sigma} ^ 3 * n)")
    symbols = {"x": "vector(n)", "g": "vector(n)"}  # as inferred ("assuming g: n, x: n"): / n is that dimension
    assert _printed("sum(g .* (x - mean(x)) ./ sqrt(var(x) + 1e-5))", "x", symbols) == expected


def test_sigmoid_derivative_in_a_hessian():
    f = "-(y' * log(sigmoid(X * w)) + (1 - y)' * log(1 - sigmoid(X * w)))"
    assert _printed(f, "w", LOGISTIC, "hessian") == "X' * diag(sigmoid(X * w) .* (1 - sigmoid(X * w))) * X"
    assert _printed(f, "w", LOGISTIC) == "X' * (sigmoid(X * w) - y)"  # a gradient is unchanged
    assert _printed("y' * sigmoid(X * w)", "w", LOGISTIC) == "X' * (y .* sigmoid'(X * w))"


@pytest.mark.parametrize("f, expected", [
    ("sum(log(1 + exp(-y .* (X * w))))", "X' * diag((exp(-(y .* (X * w))) .* y .^ 2) ./ (exp(-(y .* (X * w))) + 1) .^ 2) * X"),
    ("sum(exp(-y .* (X * w)))", "X' * diag(y .* exp(-(y .* (X * w))) .* y) * X"),
])
def test_diagonal_products_in_a_hessian(f, expected):
    """One diag between X' and X, not a symmetrised sum of diag products."""
    assert _printed(f, "w", LOGISTIC, "hessian") == expected


def test_hadamard_associativity_merges_like_terms():
    assert _printed("sum(exp(-y .* (X * w)))", "w", LOGISTIC, "hessian").count("diag(") == 1


@pytest.mark.parametrize("f, wrt, symbols, kind, expected", [
    ("softmax(z)", "z", {"z": "vector(n)"}, "jacobian", "diag(softmax(z)) - softmax(z) * softmax(z)'"),
    ("log(sum(exp(z)))", "z", {"z": "vector(n)"}, "hessian", "diag(softmax(z)) - softmax(z) * softmax(z)'"),
    ("x' * A * x", "x", {"x": "vector(n)", "A": "matrix(n, n)"}, None, "(A + A') * x"),
    ("norm(A * x - b) ^ 2", "x", LSQ, "hessian", "2 * A' * A"),
    ("-y' * log(softmax(z))", "z", {"z": "vector(n)", "y": "vector(n)"}, None, "sum(y) * softmax(z) - y"),
])
def test_textbook_forms_stay(f, wrt, symbols, kind, expected):
    d = _result(f, wrt, symbols, kind)
    assert str({"jacobian": d.jacobian, "hessian": d.hessian}.get(kind, d.gradient)) == expected


HESSIANS = {"X": "matrix(m, n)", "w": "vector(n)", "y": "vector(m)", "z": "vector(k)", "t": "vector(k)", "x": "vector(n)",
            "mu": "vector(n)", "S": "matrix(n, n)"}


@pytest.mark.parametrize("f, wrt, expected", [
    ("-t' * log(softmax(z))", "z", "sum(t) * (diag(softmax(z)) - softmax(z) * softmax(z)')"),
    ("sum(log(1 + exp(X * w))) - y' * X * w", "w", "X' * diag(exp(X * w) ./ (exp(X * w) + 1) .^ 2) * X"),
])
def test_common_factor_with_numbers_and_scalars(f, wrt, expected):
    """s A - s B = s (A - B) (the catalog's softmax cross-entropy Hessian), 2 X' D₁ X - 2 X' D₂ X = X' (2 D₁ - 2 D₂) X."""
    assert _printed(f, wrt, HESSIANS, "hessian") == expected


def test_diagonal_times_ones():
    """log-sum-exp's Hessian: X' diag(e) 1 eᵀ X and X' e 1ᵀ diag(e) X are both X' e eᵀ X, one term."""
    assert _printed("log(sum(exp(X * w)))", "w", HESSIANS, "hessian") == \
        "X' * diag(exp(X * w)) * X / sum(exp(X * w)) - X' * exp(X * w) * exp(X * w)' * X / sum(exp(X * w)) ^ 2"


def test_collect_like_terms_in_any_order_of_entrywise_factors():
    h = _printed("norm(tanh(X * w) - y) ^ 2", "w", HESSIANS, "hessian")
    assert h.count("diag(") == 1 and h.count("tanh(X * w) - y") == 1, h


def test_collect_like_terms_flattens_a_negated_sum():
    assert _printed("-(x - mu)' * inv(S) * (x - mu) / 2", "mu", HESSIANS, "hessian") == "-((1/2) * inv(S)) - (1/2) * inv(S)'"


def test_trace_of_outer_product_and_inner_products_either_way_round():
    """x' (x' y) y: tr(y x') is x' y, and x' y y with y' x y are like terms."""
    symbols = {"x": "vector(n)", "y": "vector(n)"}
    assert _printed("x' * (x' * y) * y", "x", symbols) == _printed("(x' * y) ^ 2", "x", symbols) == "2 * (y' * x * y)"
    assert _printed("x' * y + y' * x", "x", symbols) == "2 * y"
