"""The language: every grammar row, precedence, round trips and fuzzing."""
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from matcalc.errors import MatcalcError
from matcalc.expr import (
    Add, Call, Div, EDiv, Entrywise, EPower, Eye, Hadamard, MatMul, Neg, Num, Ones, Power,
    ScalarFn, Sym, Transpose,
)
from matcalc.language import show
from matcalc.parser import parse
from matcalc.prooffile import loads

from .strategies import SCOPE, SHAPES, exprs

A, B, S = (Sym(n, SCOPE.symbols[n]) for n in "ABS")
x, y, c = (Sym(n, SCOPE.symbols[n]) for n in "xyc")

ROWS = [
    ("A * y", MatMul(A, y), "A * y"),
    ("c * A", MatMul(c, A), "c * A"),
    ("A .* A", Hadamard(A, A), "A .* A"),
    ("A ⊙ A", Hadamard(A, A), "A .* A"),
    ("A ./ A", EDiv(A, A), "A ./ A"),
    ("A / c", Div(A, c), "A / c"),
    ("A + A - A", Add((A, A, Neg(A))), "A + A - A"),
    ("-A", Neg(A), "-A"),
    ("c + A", Add((c, A)), "c + A"),
    ("A'", Transpose(A), "A'"),
    ("A^T", Transpose(A), "A'"),
    ("c ^ 2", Power(c, Fraction(2)), "c ^ 2"),
    ("A .^ 3", EPower(A, Fraction(3)), "A .^ 3"),
    ("x .^ -1", EPower(x, Fraction(-1)), "x .^ -1"),
    ("x .^ 0.5", EPower(x, Fraction(1, 2)), "x .^ (1/2)"),
    ("x .^ (1/3)", EPower(x, Fraction(1, 3)), "x .^ (1/3)"),
    ("tr(S)", Call("tr", S), "tr(S)"),
    ("det(S)", Call("det", S), "det(S)"),
    ("logdet(S)", Call("logdet", S), "logdet(S)"),
    ("inv(S)", Call("inv", S), "inv(S)"),
    ("exp(A)", Entrywise("exp", A), "exp(A)"),
    ("log(A)", Entrywise("log", A), "log(A)"),
    ("sigmoid(A)", Entrywise("sigmoid", A), "sigmoid(A)"),
    ("tanh(A)", Entrywise("tanh", A), "tanh(A)"),
    ("sqrt(A)", Entrywise("sqrt", A), "sqrt(A)"),
    ("sigmoid'(A)", Entrywise("sigmoid", A, 1), "sigmoid'(A)"),
    ("sigma'(x)", Entrywise("sigma", x, 1), "sigma'(x)"),
    ("C(x)", ScalarFn("C", x), "C(x)"),
    ("C'(x)", ScalarFn("C", x, 1), "C'(x)"),
    ("softmax(x)", Call("softmax", x), "softmax(x)"),
    ("sum(A)", Call("sum", A), "sum(A)"),
    ("norm(A)", Call("norm", A), "norm(A)"),
    ("eye(n)", Eye("n"), "eye(n)"),
    ("ones(n)", Ones("n"), "ones(n)"),
    ("ones(m, n)", Ones("m", "n"), "ones(m, n)"),
    ("2", Num(2), "2"),
    ("0.5", Num(Fraction(1, 2)), "(1/2)"),
    ("(1/2)", Num(Fraction(1, 2)), "(1/2)"),
    ("x .^ -(2/3)", EPower(x, Fraction(-2, 3)), "x .^ -(2/3)"),
    ("1/2", Div(Num(1), Num(2)), "1 / 2"),
    ("(A)", A, "A"),
]


@pytest.mark.parametrize("text, tree, printed", ROWS, ids=[r[0] for r in ROWS])
def test_grammar_row(text, tree, printed):
    assert parse(text, SCOPE) == tree
    assert show(tree) == printed
    assert parse(printed, SCOPE) == tree


def test_names_and_greek():
    proof = loads('name = "g"\n[symbols]\n"δ" = "vector(n)"\ndelta = "vector(n)"\n'
                  '[[claims]]\nf = "sum(δ .* delta)"\nwrt = "δ"\n')
    assert show(proof.claims[0].f) == "sum(δ .* delta)"


@pytest.mark.parametrize("text, tree", [
    ("-x .^ 2", Neg(EPower(x, Fraction(2)))),
    ("A * A'", MatMul(A, Transpose(A))),
    ("x' * S * x", MatMul(MatMul(Transpose(x), S), x)),
    ("-A * y", MatMul(Neg(A), y)),
    ("A * y + x .* x", Add((MatMul(A, y), Hadamard(x, x)))),
    ("S * S .* S", Hadamard(MatMul(S, S), S)),
    ("c ^ 2 ^ 3", Power(Power(c, Fraction(2)), Fraction(3))),
    ("tr(S)'", Transpose(Call("tr", S))),
    ("A / c / c", Div(Div(A, c), c)),
])
def test_precedence(text, tree):
    assert parse(text, SCOPE) == tree
    assert parse(show(tree), SCOPE) == tree


def test_let_names_stay_names():
    e = parse("u .* z", SCOPE)
    assert show(e) == "u .* z"
    assert e.left.body == parse("sigmoid(z)", SCOPE)


def test_shapes_inferred():
    assert parse("A * B", SCOPE).shape == SHAPES[2]
    assert parse("x' * S * x", SCOPE).shape.is_scalar
    assert parse("C'(A)", SCOPE).shape == SHAPES[0]


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(SHAPES).flatmap(lambda s: exprs(s, 4)))
def test_round_trip(e):
    assert parse(show(e), SCOPE) == e


ALPHABET = "ABSxyzcuCsigma()'*+-/.^⊙ 0123456789,TtrexpDelΣ=\"[]\n#"


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_fuzz_expression_text(text):
    try:
        parse(text, SCOPE)
    except MatcalcError:
        pass


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=ALPHABET + "fwrtgadnmoe_", max_size=120))
def test_fuzz_toml(text):
    try:
        loads('name = "t"\n' + text)
    except MatcalcError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["name", "title", "[symbols]", "[functions]", "[let]", "[[claims]]", "assume",
                                 '= "x"', '= "vector(n)"', '= "matrix(n, m)"', '= "scalar"', '= "elementwise"',
                                 'f = "x\' * x"', 'wrt = "x"', 'gradient = "2 * x"', 'expect = "maybe"',
                                 '= ["sum(x) = 1"]', "x", "y", "\n"]), max_size=30))
def test_fuzz_toml_structure(parts):
    try:
        loads(" ".join(parts).replace(" \n ", "\n"))
    except MatcalcError:
        pass
