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


# --- errors that teach --------------------------------------------------------------------------

def _cli(*argv):
    import contextlib
    import io

    from matcalc.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_undeclared_symbol_suggests_the_declaration_proof_file():
    from matcalc.prooffile import loads

    (bad,) = loads('name = "t"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "q\' * x"\nwrt = "x"\n').bad
    assert 'declare it, e.g. under [symbols]: q = "vector(n)"' in bad.error  # that claim's error


def test_undeclared_symbol_hint_names_both_forms_when_the_door_is_unknown():
    from matcalc.errors import MatcalcError, taught

    text = str(taught(MatcalcError("undeclared symbol 'W'")))
    assert '--sym "W=matrix(m, n)"' in text and 'W = "matrix(m, n)"' in text


def test_unknown_catalog_name_suggests_the_nearest():
    status, _, err = _cli("prove", "softmax_ce")
    assert status == 2 and "did you mean softmax-ce?" in err


def test_diff_help_lists_the_functions_and_operators():
    from matcalc import ops

    import contextlib
    import io

    from matcalc.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["diff", "--help"])
    text = " ".join(out.getvalue().split())
    for name in ops.REGISTRY:
        assert f" {name}," in text or f" {name} " in text or text.endswith(name), name
    assert ".* ./ (entrywise)" in text


# --- names with _ and norms ---------------------------------------------------------------------

def _shown(text, symbols):
    from matcalc.language import show
    from matcalc.parser import parse
    from matcalc.printers.mathml import MATHML
    from matcalc.printers.notation import LATEX, UNICODE
    from matcalc.prooffile import make_scope

    e = parse(text, make_scope(symbols))
    return show(e), UNICODE.show(e), LATEX.show(e), MATHML.show(e)


def test_underscored_name_prints_with_a_subscript_in_display_formats():
    source, uni, tex, mml = _shown("w2_11 * sigma_1 * x_ij", {"w2_11": "scalar", "sigma_1": "scalar", "x_ij": "scalar"})
    assert source == "w2_11 * sigma_1 * x_ij"  # the language keeps the _: it parses back
    assert uni == "w2₁₁ σ₁ xᵢⱼ"
    assert tex == "w2_{11} \\sigma_{1} x_{ij}"
    assert "<msub><mi>w2</mi><mn>11</mn></msub>" in mml and "<msub><mi>σ</mi><mn>1</mn></msub>" in mml


def test_underscored_name_without_unicode_subscripts_stays_as_it_is():
    _, uni, tex, _ = _shown("x_q", {"x_q": "scalar"})
    assert uni == "x_q" and tex == "x_{q}"


def test_underscored_names_in_plain_and_json_stay_in_the_language():
    d = matcalc.derive("w2_11 * sum(x_1)", wrt="x_1", symbols={"w2_11": "scalar", "x_1": "vector(n)"})
    assert "w2_11" in str(d.gradient) and "w2_11" in d.to_json()


def test_vector_norm_is_not_labelled_frobenius():
    _, uni, tex, mml = _shown("norm(x) + norm(x')", {"x": "vector(n)"})
    assert "_F" not in tex and "\\rVert" in tex and "<mi>F</mi>" not in mml and uni == "‖x‖ + ‖xᵀ‖"


def test_matrix_norm_is_labelled_frobenius():
    _, uni, tex, mml = _shown("norm(X)", {"X": "matrix(m, n)"})
    assert tex.endswith("\\rVert_F") and "<mi>F</mi>" in mml


# --- rule labels --------------------------------------------------------------------------------

def test_rule_labels_name_the_identity_not_an_equation_number():
    import re

    import matcalc.engine  # noqa: F401  (registers every rule)
    from matcalc import ops
    from matcalc.engine import derivation
    from matcalc.engine.core import NAMES

    labels = list(NAMES) + [derivation.READ_OFF]
    labels += [r.name for op in ops.REGISTRY.values() for r in (op.differential, op.trace, *op.algebra)
               if isinstance(r, ops.Rule)]
    numbered = [label for label in labels if re.search(r"\beq\.? ?\d", label)]
    assert not numbered, numbered


def test_read_off_step_says_the_identity(d):
    assert any(s.rule == "read off the gradient G from df = tr(Gᵀ dX)" for s in d.steps)


# --- a zero gradient ----------------------------------------------------------------------------

def test_zero_gradient_is_zero_in_display_and_zeros_in_code():
    d = matcalc.derive("tr(A)", wrt="X", symbols={"A": "matrix(n, n)", "X": "matrix(m, k)"})
    assert str(d.gradient) == "0"  # a claimed 0 is the zero matrix of the shape asked for: this parses back
    assert "\\partial X} &= \\mathbf{0}_{m\\times k}" in d._repr_latex_()
    assert "∂f/∂X = 0 " in str(d)
    for backend in ("numpy", "jax", "torch"):
        body = d.to_code(backend).split("def gradient")[1].split("\n\n\n")[0]
        returned = [line for line in body.splitlines() if line.strip().startswith("return")]
        assert len(returned) == 1 and "zeros((m, k)" in returned[0] and "ones" not in returned[0], returned
    g = d.function("numpy")
    assert (g(A=np.eye(2), X=np.ones((3, 4))) == np.zeros((3, 4))).all()


def test_function_is_an_imported_module_whose_source_is_inspectable(d):
    import inspect

    g = d.function("numpy")
    assert inspect.getsource(g).startswith("def gradient") and g.__module__.startswith("matcalc_numpy_")


def test_a_claimed_zero_is_the_zero_matrix_of_the_shape_asked_for():
    symbols = {"A": "matrix(k, m)", "X": "matrix(m, k)"}
    assert matcalc.check("tr(A)", "X", "0", symbols={"A": "matrix(n, n)", "X": "matrix(m, k)"}).status == "holds"
    assert matcalc.check("tr(A * X)", "X", "0", symbols=symbols).status == "refuted"
    assert matcalc.check("tr(A * X)", "X", hessian="0", symbols=symbols).status == "holds"
