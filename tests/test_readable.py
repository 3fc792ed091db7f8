"""Results people can read (issue 27): each test is named after the rule it protects."""
from __future__ import annotations

import numpy as np
import pytest

import matcalc
from matcalc.expr import MatMul, Transpose

SYMBOLS = {"A": "vector(m)", "X": "matrix(m, n)", "B": "vector(n)"}


@pytest.fixture(scope="module")
def d():
    return matcalc.derive("A' * X * B", wrt="X", symbols=SYMBOLS)


def test_expression_repr_is_the_language_text_and_still_a_tree(d):
    assert repr(d.gradient) == "A * B'" == str(d.gradient)
    assert repr(d.f) == "A' * X * B"
    assert isinstance(d.gradient, MatMul) and isinstance(d.gradient.right, Transpose)
    assert repr([d.gradient]) == "[A * B']"


def test_function_returns_a_callable_gradient_numpy(d):
    g = d.function("numpy")
    a, x, b = np.array([1.0, 2.0]), np.arange(6.0).reshape(2, 3), np.array([1.0, 0.0, -1.0])
    assert np.allclose(g(A=a, X=x, B=b), np.outer(a, b))
    assert "def gradient" in g.__matcalc_source__


def test_function_returns_the_hessian_for_a_hessian():
    h = matcalc.derive("x' * A * x", wrt="x", symbols={"A": "matrix(n, n)", "x": "vector(n)"},
                       kind="hessian").function()
    a = np.arange(4.0).reshape(2, 2)
    assert np.allclose(h(A=a, x=np.ones(2)), a + a.T)


def test_notebook_shows_one_aligned_derivation(d):
    md = d._repr_markdown_()
    assert md.count("\\begin{aligned}") == 1 and md.count("$$") == 2
    assert d._repr_latex_().count("\\begin{align*}") == 1
