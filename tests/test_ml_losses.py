"""Issue 27, done when: the five ML losses an engineer types (attention, layer norm, batch norm, a
biased MLP over a batch, softmax regression over a batch) derive and check with no declarations,
and their gradients pass the emitted NumPy (and JAX) module's own check() and the SymPy bridge."""
from functools import lru_cache

import pytest

import matcalc
from matcalc.errors import MatcalcError

from .sympy_roundtrip import close, matcalc_value, point, sympy_value
from .test_emit import load_module

ATTENTION = "sum(softmax(Q * K' / sqrt(d), axis=1) * V .* C)"
LAYER_NORM = "sum(c .* (g .* (x - mean(x)) ./ sqrt(var(x) + 1e-5) + b))"
BATCH_NORM = "sum(C .* (g .* (X - mean(X, axis=1)) ./ sqrt(var(X, axis=1) + 1e-5) + b))"
MLP = "sum((W2 * tanh(W1 * X + b1) + b2 - Y) .^ 2)"
SOFTMAX_REGRESSION = "-sum(Y .* log(softmax(W * X + b, axis=0)))"

#: loss -> (every symbol it is differentiated by, the shapes inference gives the ones that matter)
LOSSES = {
    ATTENTION: ("QKV", {"Q": "matrix(m, n)", "K": "matrix(p, n)", "V": "matrix(p, q)", "d": "scalar"}),
    LAYER_NORM: ("xgb", {"x": "vector(n)", "g": "vector(n)", "b": "vector(n)"}),
    BATCH_NORM: (("X", "g", "b"), {"X": "matrix(m, n)", "g": "vector(m)", "b": "vector(m)"}),
    MLP: (("W1", "b1", "W2", "b2"), {"W1": "matrix(n, p)", "b1": "vector(n)", "b2": "vector(m)"}),
    SOFTMAX_REGRESSION: ("Wb", {"W": "matrix(m, p)", "X": "matrix(p, n)", "b": "vector(m)"}),
}
CASES = [(f, w) for f, (wrts, _) in LOSSES.items() for w in wrts]
#: one derivative of each loss for the slower exports (the biases: a gradient summed over the batch)
ONE_EACH = [(ATTENTION, "Q"), (LAYER_NORM, "x"), (BATCH_NORM, "X"), (MLP, "b1"), (SOFTMAX_REGRESSION, "b")]


@lru_cache(maxsize=None)
def derived(f: str, wrt: str):
    return matcalc.derive(f, wrt=wrt)


@pytest.mark.slow  # a sweep over every loss and variable (the ml/ catalog files check them in the default run)
@pytest.mark.parametrize("f, wrt", CASES)
def test_derives_and_holds_with_no_declarations(f, wrt):
    d = derived(f, wrt)
    assert d.verdict.holds, d.verdict
    assumed = LOSSES[f][1]
    assert {k: d.assumed[k] for k in assumed} == assumed


@pytest.mark.parametrize("f, wrt", ONE_EACH)
def test_emitted_numpy_module_checks(f, wrt):
    pytest.importorskip("numpy")
    errors = load_module(derived(f, wrt).to_code("numpy"))["check"]()
    assert errors["gradient"] < 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("f, wrt", [(ATTENTION, "K"), (BATCH_NORM, "g"), (SOFTMAX_REGRESSION, "W")])
def test_emitted_jax_module_agrees_with_jax_grad(f, wrt):
    pytest.importorskip("jax")
    errors = load_module(derived(f, wrt).to_code("jax"))["check"]()  # raises beyond jax.grad's tolerance
    assert errors["gradient"] < 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("f, wrt", ONE_EACH)
def test_sympy_bridge_gives_the_same_gradient(f, wrt):
    pytest.importorskip("sympy")
    d = derived(f, wrt)
    try:
        S = d.to_sympy()
    except MatcalcError as e:  # every one of these is expressible today; say which is not if that changes
        pytest.skip(f"SymPy cannot express the gradient: {e}")
    dims, values = point([d.gradient])
    assert close(matcalc_value(d.gradient, dims, values), sympy_value(S, dims, values))


def test_textbook_attention_gradient_holds_and_the_missing_scale_is_refuted():
    let = {"A": "softmax(Q * K' / sqrt(d), axis=1)", "GZ": "A .* (C * V' - sum((C * V') .* A, axis=1))"}
    assert matcalc.check(ATTENTION, "Q", "GZ * K / sqrt(d)", let=let).holds
    assert matcalc.check(ATTENTION, "Q", "GZ * K", let=let).status == "refuted"


def test_a_bias_gradient_not_summed_over_the_batch():
    """Summed over the batch it holds; averaged it is refuted; left one column per example it is a
    shape error naming both shapes (it cannot be a catalog claim expected to be refuted). Undeclared,
    that claim would make inference take the batch as one column (X: p, Y: m): the claim is typed too."""
    residual = "W2 * tanh(W1 * X + b1) + b2 - Y"
    assert matcalc.check(MLP, "b2", f"2 * sum({residual}, axis=1)").holds
    assert matcalc.check(MLP, "b2", f"2 * mean({residual}, axis=1)").status == "refuted"
    batch = {"W1": "matrix(n, p)", "b1": "vector(n)", "W2": "matrix(m, n)", "b2": "vector(m)",
             "X": "matrix(p, N)", "Y": "matrix(m, N)"}
    with pytest.raises(MatcalcError, match=r"is m×N, but it must be m×1 \(f is 1×1, b2 is m×1\)"):
        matcalc.check(MLP, "b2", f"2 * ({residual})", batch)


def test_softmax_regression_general_form_needs_no_assumption():
    """(softmax(Z) ⊙ 1ᵀY − Y) Xᵀ for any Y; (softmax(Z) − Y) Xᵀ is right only where each column of Y
    sums to 1, so without that assumption it is refuted."""
    p = "softmax(W * X + b, axis=0)"
    assert matcalc.check(SOFTMAX_REGRESSION, "W", f"({p} .* sum(Y, axis=0) - Y) * X'").holds
    assert matcalc.check(SOFTMAX_REGRESSION, "W", f"({p} - Y) * X'").status == "refuted"


def test_an_unreachable_kink_is_said_briefly():
    """sqrt(var(x) + ε) has no point just above its kink: the skipped instance names the argument
    and the closest value reached in three digits, not a 150-digit ball."""
    v = matcalc.check("sum(sqrt(x .^ 2 + 1))", "x", "x ./ sqrt(x .^ 2 + 1)", {"x": "vector(n)"})
    assert v.holds
    assert "did not bring an entry of x .^ 2 + 1 just above 0, closest " in v.message
    assert "+/-" not in v.message and len(v.message) < 300
