"""Broadcasting and reductions along an axis (issue 27): NumPy's 2-D broadcasting of + - .* ./, and
sum, mean, var, logsumexp and softmax with axis=, spelt out by the parser (matcalc/axes.py) with
products by ones; derived by the engine and checked by the checker; wrong claims refuted."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import matcalc
from matcalc.checker.evaluate import Bindings, Evaluator
from matcalc.declarations import Scope
from matcalc.errors import MatcalcError
from matcalc.parser import parse
from matcalc.shapes import Shape

SYMBOLS = {"W": "matrix(m, n)", "X": "matrix(n, N)", "b": "vector(m)", "Z": "matrix(m, N)", "C": "matrix(m, N)",
           "Y": "matrix(m, N)", "A": "matrix(m, n)", "r": "matrix(1, N)"}
SCOPE = Scope(symbols={"A": Shape("m", "n"), "b": Shape("m", 1), "r": Shape(1, "n"), "W": Shape("m", "n"),
                       "X": Shape("n", "N"), "Z": Shape("m", "N")})
DIMS = {"m": 3, "n": 4, "N": 5}
RNG = np.random.default_rng(27)
POINT = {"A": RNG.normal(size=(3, 4)), "b": RNG.normal(size=(3, 1)), "r": RNG.normal(size=(1, 4))}


def _value(text: str) -> np.ndarray:
    """text evaluated by the checker's evaluator at POINT, as floats."""
    values = {k: [[Fraction(float(x)) for x in row] for row in v] for k, v in POINT.items()}
    got = Evaluator(Bindings(values=values, dims=DIMS))(parse(text, SCOPE))
    return np.array([[float(x.mid()) for x in row] for row in got])


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


A, B, R = POINT["A"], POINT["b"], POINT["r"]

#: Each spelling of broadcasting and the reductions (matcalc/axes.py) against NumPy at a point.
SPELLING_EXAMPLES = {
    "A + b": A + B, "A - r": A - R, "b + r": B + R, "A .* b": A * B, "A ./ r": A / R, "2 + A .* r": 2 + A * R,
    "sum(A)": np.sum(A, keepdims=True), "sum(A, axis=0)": np.sum(A, axis=0, keepdims=True),
    "sum(A, axis=1)": np.sum(A, axis=1, keepdims=True), "sum(A, axis=-1)": np.sum(A, axis=1, keepdims=True),
    "mean(A)": np.mean(A, keepdims=True), "mean(A, axis=0)": np.mean(A, axis=0, keepdims=True),
    "mean(A, axis=1)": np.mean(A, axis=1, keepdims=True),
    "var(A)": np.var(A, keepdims=True), "var(A, axis=0)": np.var(A, axis=0, keepdims=True),
    "var(A, axis=1)": np.var(A, axis=1, keepdims=True),
    "logsumexp(A)": np.log(np.sum(np.exp(A), keepdims=True)),
    "logsumexp(A, axis=0)": np.log(np.sum(np.exp(A), axis=0, keepdims=True)),
    "logsumexp(A, axis=1)": np.log(np.sum(np.exp(A), axis=1, keepdims=True)),
    "softmax(A, axis=0)": _softmax(A, 0), "softmax(A, axis=1)": _softmax(A, 1),
    "softmax(b, axis=0)": _softmax(B, 0), "softmax(b)": _softmax(B, 0), "softmax(r, axis=1)": _softmax(R, 1),
}


@pytest.mark.parametrize("text", SPELLING_EXAMPLES)
def test_spelling_agrees_with_numpy(text):
    want = SPELLING_EXAMPLES[text]
    got = _value(text)
    assert got.shape == want.shape and np.allclose(got, want, rtol=1e-12, atol=1e-12), (got, want)


@pytest.mark.parametrize("text, shape", [
    ("W * X + b", "m×N"), ("A + b", "m×n"), ("A + r", "m×n"), ("b + r", "m×n"), ("r .* A", "m×n"),
    ("sum(A, axis=0)", "1×n"), ("sum(A, axis=1)", "m×1"), ("mean(A, axis=0)", "1×n"), ("var(A, axis=1)", "m×1"),
    ("logsumexp(A)", "1×1"), ("var(A)", "1×1"), ("softmax(Z, axis=1)", "m×N"), ("softmax(Z, axis=0)", "m×N"),
])
def test_broadcast_shape(text, shape):
    assert str(parse(text, SCOPE).shape) == shape


@pytest.mark.parametrize("text, message, column", [
    ("sum(A, axis=2)", "axis is 0 (down each column) or 1 (along each row), not 2", 13),
    ("sum(A, axis=-3)", "not -3", 13),
    ("tr(A, axis=0)", "tr takes no axis", 7),
    ("A + X", "cannot add A (m×n) and X (n×N)", 3),
    ("A .* Z", "cannot take the Hadamard product of A (m×n) and Z (m×N)", 3),
    ("softmax(A)", "softmax needs a column vector", 1),
])
def test_axis_and_broadcast_errors_point_at_the_place(text, message, column):
    with pytest.raises(MatcalcError) as e:
        parse(text, SCOPE)
    assert message in str(e.value) and e.value.pos == (1, column), (str(e.value), e.value.pos)


def test_broadcast_is_spelt_with_ones_printed_bare_and_parses_back():
    e = parse("W * X + b", SCOPE)
    assert e.terms[1] == parse("b * ones(N)'", SCOPE)
    assert str(e) == "W * X + b"
    assert parse(str(e), SCOPE) == e


DERIVATIONS = [
    ("sum((W * X + b) .^ 2)", "W", "2 * (W * X + b) * X'"),
    ("sum((W * X + b) .^ 2)", "b", "2 * (W * X + b) * ones(N)"),
    ("sum(softmax(Z, axis=1) .* C)", "Z", None),
    ("sum(softmax(Z, axis=0) .* C)", "Z", None),
    ("mean(A .^ 2)", "A", None), ("sum(mean(A, axis=0) .^ 2)", "A", None), ("sum(mean(A, axis=1) .^ 2)", "A", None),
    ("var(A)", "A", None), ("sum(var(A, axis=0))", "A", None), ("sum(var(A, axis=1))", "A", None),
    ("logsumexp(A)", "A", "exp(A) / sum(exp(A))"), ("sum(logsumexp(A, axis=0))", "A", None),
    ("sum(logsumexp(A, axis=1))", "A", None),
    ("-sum(Y .* log(softmax(W * X + b, axis=0)))", "W", None),
    ("-sum(Y .* log(softmax(W * X + b, axis=0)))", "b", None),
]


@pytest.mark.parametrize("f, wrt, gradient", DERIVATIONS)
def test_derivation_through_broadcasting_and_axes_is_checked(f, wrt, gradient):
    d = matcalc.derive(f, wrt, symbols=SYMBOLS)
    assert d.verdict.holds, d.verdict
    if gradient is not None:
        assert str(d.gradient) == gradient
    assert matcalc.check(f, wrt, str(d.gradient), symbols=SYMBOLS).status == "holds"


@pytest.mark.parametrize("f, wrt, claim, status", [
    # the bias gradient is summed over the batch: averaged instead, it is refuted
    ("sum((W * X + b) .^ 2)", "b", "sum(2 * (W * X + b), axis=1)", "holds"),
    ("sum((W * X + b) .^ 2)", "b", "mean(2 * (W * X + b), axis=1)", "refuted"),
    # the row-wise softmax's gradient with the axes swapped
    ("sum(softmax(Z, axis=1) .* C)", "Z", "(C - sum(softmax(Z, axis=1) .* C, axis=1)) .* softmax(Z, axis=1)", "holds"),
    ("sum(softmax(Z, axis=1) .* C)", "Z", "(C - sum(softmax(Z, axis=0) .* C, axis=0)) .* softmax(Z, axis=0)", "refuted"),
    ("sum(mean(A, axis=0) .^ 2)", "A", "2 * ones(m) * mean(A, axis=0) / sum(ones(m))", "holds"),
    ("sum(mean(A, axis=0) .^ 2)", "A", "2 * mean(A, axis=1) * ones(n)' / sum(ones(n))", "refuted"),
    ("-sum(Y .* log(softmax(W * X + b, axis=0)))", "W", "(softmax(W * X + b, axis=0) .* sum(Y, axis=0) - Y) * X'",
     "holds"),
    ("-sum(Y .* log(softmax(W * X + b, axis=0)))", "W", "(softmax(W * X + b, axis=1) .* sum(Y, axis=0) - Y) * X'",
     "refuted"),
])
def test_claims_through_axes(f, wrt, claim, status):
    assert matcalc.check(f, wrt, claim, symbols=SYMBOLS).status == status


def test_bias_gradient_not_summed_is_a_shape_error():
    with pytest.raises(MatcalcError, match="must be m×1"):
        matcalc.check("sum((W * X + b) .^ 2)", "b", "2 * (W * X + b)", symbols=SYMBOLS)


def test_numpy_code_of_a_biased_layer_agrees_with_differences():
    ns = {}
    exec(matcalc.derive("sum((W * X + b) .^ 2)", "b", symbols=SYMBOLS).to_code("numpy"), ns)
    errors = ns["check"]()
    assert max(errors.values()) < 1e-6, errors


def test_sympy_translates_an_axis_sum():
    assert matcalc.to_sympy("sum(A, axis=0)", symbols=SYMBOLS) is not None


def test_spelt_out_names_are_not_reserved():
    scope = Scope(symbols={"A": Shape("m", "n"), "mean": Shape(1, 1)})
    assert str(parse("mean * A", scope)) == "mean * A"
    with pytest.raises(MatcalcError, match="mean is not a function"):
        parse("mean(A)", scope)
    with pytest.raises(MatcalcError, match="mean takes no axis"):
        parse("mean(A, axis=0)", scope)


@pytest.mark.parametrize("f, wrt, numpy_text", [
    ("sum((W * X + b) .^ 2)", "b", "np.sum(2 * (W @ X + b * np.ones((N, 1), dtype=dtype).T), axis=1, keepdims=True)"),
    ("logsumexp(A)", "A", "logsumexp(A, None)"),
    ("sum(logsumexp(A, axis=0))", "A", "logsumexp(A, 0)"),
    ("sum(softmax(Z, axis=1) .* C)", "Z", "softmax_axis(Z, 1)"),
    ("-sum(Y .* log(softmax(W * X + b, axis=0)))", "W", "softmax_axis(W @ X + b * np.ones((N, 1), dtype=dtype).T, 0)"),
])
def test_code_export_writes_the_library_reductions(f, wrt, numpy_text):
    d = matcalc.derive(f, wrt, symbols=SYMBOLS)
    code = d.to_code("numpy")
    assert numpy_text in code
    ns = {}
    exec(code, ns)
    errors = ns["check"]()
    assert max(errors.values()) < 1e-6, errors
    assert "jax.nn.softmax" in d.to_code("jax") or "softmax" not in f
    assert "dim=" in d.to_code("torch")


def test_emitted_logsumexp_and_softmax_are_shifted():
    ns = {}
    exec(matcalc.derive("logsumexp(A)", "A", symbols=SYMBOLS).to_code("numpy"), ns)
    big = np.array([[1000.0, 1000.0], [999.0, 0.0]])
    assert np.isfinite(ns["logsumexp"](big, None)).all() and np.isfinite(ns["logsumexp"](big, 0)).all()
    ns = {}
    exec(matcalc.derive("sum(softmax(Z, axis=1) .* C)", "Z", symbols=SYMBOLS).to_code("numpy"), ns)
    assert np.allclose(ns["softmax_axis"](big, 1).sum(axis=1), 1)
