"""Issue 27, numbers and small syntax: scientific notation, X ^ (-1), a declared dimension used as a
number, NumPy's spellings (A @ B, X.T, Xᵀ) and ||x||. Each reads as its canonical spelling and
prints back in it."""
from fractions import Fraction

import pytest

import matcalc
from matcalc.declarations import Scope
from matcalc.errors import MatcalcError
from matcalc.expr import DimValue, Num
from matcalc.language import show
from matcalc.parser import parse
from matcalc.printers.mathml import MATHML
from matcalc.printers.notation import LATEX, UNICODE
from matcalc.shapes import Shape

from .test_robustness import one_line_error

SYMBOLS = {"X": Shape("n", "n"), "A": Shape("m", "n"), "B": Shape("n", "p"), "x": Shape("n", 1),
           "Q": Shape("t", "d"), "K": Shape("t", "d"), "V": Shape("t", "d"), "y": Shape("t", 1)}
SCOPE = Scope(symbols=dict(SYMBOLS))
ATTENTION = {"Q": "matrix(t, d)", "K": "matrix(t, d)", "x": "vector(t)", "y": "vector(t)"}


def p(text: str):
    return parse(text, SCOPE)


@pytest.mark.parametrize("form, canonical", [
    ("1e-3 * X", "(1/1000) * X"),
    ("2.5E+2 * x", "250 * x"),
    ("1E3 + 0.5e1", "1000 + 5"),
    (".5e-1 * x", "(1/20) * x"),
    ("X ^ (-1)", "X ^ -1"),
    ("X ^ (-2)", "X ^ -2"),
    ("x .^ (-2)", "x .^ -2"),
    ("A @ B", "A * B"),
    ("A @ X @ x", "A * X * x"),
    ("X.T * A.T", "X' * A'"),
    ("Xᵀ * Aᵀ", "X' * A'"),
    ("(A @ B).T", "(A * B)'"),
    ("x.T @ X @ x", "x' * X * x"),
    ("||x||", "norm(x)"),
    ("||X @ x - ||x|| * x|| ^ 2", "norm(X * x - norm(x) * x) ^ 2"),
    ("Q @ K.T / sqrt(d)", "Q * K' / sqrt(d)"),
])
def test_each_form_reads_as_its_canonical_spelling(form, canonical):
    assert p(form) == p(canonical)
    assert parse(show(p(form)), SCOPE) == p(form)


def test_scientific_notation_is_exact():
    assert p("1e-3") == Num(Fraction(1, 1000))
    assert p("2.5E+2") == Num(Fraction(250))
    assert show(p("1e-3")) == "(1/1000)"


def test_a_declared_dimension_is_its_size():
    e = p("sum(x) / n")
    assert e.right == DimValue("n") and e.right.shape.is_scalar
    assert show(p("Q * K' / sqrt(d)")) == "Q * K' / sqrt(d)"
    # printed as the name in every format
    assert "√d" in UNICODE.show(p("x / sqrt(d)")) or "sqrt(d)" in UNICODE.show(p("x / sqrt(d)"))
    assert "\\sqrt{d}" in LATEX.show(p("x / sqrt(d)"))
    assert "<mi>d</mi>" in MATHML.show(p("x / sqrt(d)"))


def test_a_symbol_wins_over_a_dimension_and_other_names_stay_undeclared():
    scope = Scope(symbols={"x": Shape("n", 1), "n": Shape(1, 1)})
    assert parse("x / n", scope).right.__class__.__name__ == "Sym"
    with pytest.raises(MatcalcError, match="undeclared symbol 'q'"):
        p("x / q")


def test_derivation_through_a_dimension_is_checked():
    d = matcalc.derive("y' * softmax(Q * K' * x / sqrt(d))", wrt="Q", symbols=ATTENTION)
    assert d.verdict.holds and "sqrt(d)" in str(d.gradient)
    assert matcalc.check("x' * x / t", "x", "2 * x / t", {"x": "vector(t)"}).holds
    # the missing 1/sqrt(d) is refuted
    wrong = matcalc.check("y' * softmax(Q * K' * x / sqrt(d))", "Q",
                          str(d.gradient).replace(" / sqrt(d)", ""), ATTENTION)
    assert not wrong.holds


def test_the_new_spellings_derive_as_the_old():
    new = matcalc.derive("||A @ x.T.T|| ^ 2 + 1e-3 * x.T @ x", wrt="x", symbols={"A": "matrix(m, n)", "x": "vector(n)"})
    old = matcalc.derive("norm(A * x) ^ 2 + (1/1000) * x' * x", wrt="x", symbols={"A": "matrix(m, n)", "x": "vector(n)"})
    assert str(new.gradient) == str(old.gradient) and new.verdict.holds


def test_sympy_writes_a_dimension_as_a_positive_integer_symbol():
    sympy = pytest.importorskip("sympy")
    e = matcalc.to_sympy("x' * x / n", {"x": "vector(n)"})
    n = [s for s in e.free_symbols if s.name == "n"]
    assert n and n[0].is_integer and n[0].is_positive and isinstance(n[0], sympy.Symbol)


def test_code_export_of_a_dimension_runs():
    pytest.importorskip("numpy")
    source = matcalc.derive("y' * softmax(Q * K' * x / sqrt(d)) + sum(Q) / t", wrt="Q", symbols=ATTENTION).to_code("numpy")
    ns: dict = {"__name__": "emitted"}
    exec(compile(source, "<emitted>", "exec"), ns)
    assert ns["check"]()["gradient"] < 1e-6


@pytest.mark.parametrize("text, message, column", [
    ("1e", "scientific notation", 2),
    ("2e * x", "scientific notation", 2),
    ("X ^ (-1.5)", "only integer powers of a matrix", 3),
    ("||x", "||...|| is not closed", 4),
    ("||x|| + ||x", "||...|| is not closed", 12),
])
def test_errors_point_at_the_place(text, message, column):
    with pytest.raises(MatcalcError, match=message.replace("|", r"\|").replace(".", r"\.")) as e:
        p(text)
    assert e.value.pos == (1, column)


def test_cli_errors_are_one_line():
    one_line_error(["diff", "||x", "--wrt", "x", "--sym", "x=vector(n)"], "f:1:4: unexpected end of expression")
    one_line_error(["diff", "1e * x' * x", "--wrt", "x", "--sym", "x=vector(n)"], "f:1:2: unexpected 'e'")


@pytest.mark.parametrize("text, column", [("x' * x * 1e1000000000", 10), ("x' * x * 1" + "0" * 5000, 10),
                                          ("x' * x * (1/" + "3" * 500 + ")", 10), ("x .^ 1e100000000", 6)])
def test_a_number_literal_is_at_most_400_digits_its_exponent_counted(text, column):
    with pytest.raises(MatcalcError, match=rf"f:1:{column}: a number has at most 400 digits"):
        matcalc.derive(text, "x")


@pytest.mark.parametrize("axis", ["1e0", "0e5", "1E0"])
def test_an_axis_is_0_or_1_written_as_an_integer(axis):
    with pytest.raises(MatcalcError, match=f"axis is 0 .* or 1 .*, not {axis}"):
        matcalc.derive(f"sum(sum(X, axis={axis}))", "X")


def test_a_number_may_end_in_a_point_before_its_exponent():
    assert str(matcalc.derive("1.e3 * x' * x", "x").gradient) == str(matcalc.derive("1000 * x' * x", "x").gradient)
