"""Integer symbols (k = "integer"): the declaration, symbolic exponents in the language and every
printer, the engine's rules for them, the checker's plan over k, the re-checker, code export and
SymPy. Each test is named after the rule or clause it protects."""
import random
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq

import matcalc
from matcalc.checker.evaluate import integer
from matcalc.checker.plan import ABOVE, INTEGER_VALUES, integer_values, make_plan
from matcalc.checker.ring import DomainError
from matcalc.engine.rules.differential import lowered
from matcalc.errors import MatcalcError
from matcalc.expr import EPower, MatPower, Sym, SymbolicPower
from matcalc.language import show
from matcalc.parser import parse
from matcalc.printers.mathml import MATHML
from matcalc.printers.notation import LATEX, UNICODE
from matcalc.prooffile import loads, make_scope
from matcalc.recheck import Certificate, recheck
from matcalc.shapes import SCALAR, Shape

from .test_robustness import run

SYMBOLS = {"X": "matrix(n, n)", "A": "matrix(n, n)", "W": "matrix(m, n)", "x": "vector(n)", "a": "scalar",
           "k": "integer", "j": "integer"}
SCOPE = make_scope(SYMBOLS)
CLI_SYMBOLS = [f"--sym={n}={d}" for n, d in SYMBOLS.items()]


def _p(text: str):
    return parse(text, SCOPE)


# --- the language ---------------------------------------------------------------------------------

def test_an_integer_symbol_is_a_one_by_one_scalar_declared_integer():
    k = SCOPE.symbol("k")
    assert k == Sym("k", SCALAR, integer=True) and k.shape.is_scalar
    assert SCOPE.declaration("k") == "integer" and "k" in SCOPE.integer
    assert _p("k * X").shape == Shape("n", "n")


@pytest.mark.parametrize("text, source, unicode, latex", [
    ("tr(X ^ k)", "tr(X ^ k)", "tr(Xᵏ)", r"\operatorname{tr}\left({X}^{k}\right)"),
    ("k * (X ^ (k - 1))'", "k * (X ^ (k - 1))'", "k (Xᵏ⁻¹)ᵀ", r"k {\left({X}^{k - 1}\right)}^\top"),
    ("x .^ k", "x .^ k", "x∘ᵏ", r"{x}^{\circ k}"),
    ("a ^ (2*k + 1)", "a ^ (2 * k + 1)", "a^(2 k + 1)", "{a}^{2 k + 1}"),
    ("X ^ -k", "X ^ -k", "X⁻ᵏ", "{X}^{-k}"),
    ("X' ^ (k * j)", "X' ^ (k * j)", "(Xᵀ)^(k j)", r"{\left({X}^\top\right)}^{k j}"),
    ("(X ^ k) ^ 2", "(X ^ k) ^ 2", "(Xᵏ)²", r"{\left({X}^{k}\right)}^{2}"),
])
def test_a_symbolic_exponent_prints_in_every_format_and_parses_back(text, source, unicode, latex):
    e = _p(text)
    assert show(e) == source and _p(show(e)) == e
    assert UNICODE.show(e) == unicode and LATEX.show(e) == latex
    assert "<msup>" in MATHML.show(e)


@pytest.mark.parametrize("text, cls, exponent", [
    ("X ^ (2)", MatPower, 2), ("x .^ ( 1 / 3 )", EPower, Fraction(1, 3)), ("x .^ (1/3)", EPower, Fraction(1, 3)),
    ("x .^ -(2 * 3 - 1)", EPower, -5), ("X ^ k", SymbolicPower, _p("k")),
])
def test_an_exponent_written_with_numbers_only_is_the_literal_power(text, cls, exponent):
    e = _p(text)
    assert type(e) is cls and e.exponent == exponent


@pytest.mark.parametrize("f, where", [
    ("tr(X ^ x)", "f:1:8: the exponent x is neither a number nor an integer expression: x is a matrix"),
    ("tr(X ^ a)", "f:1:8: the exponent a is neither a number nor an integer expression: a is a real scalar"),
    ("tr(X ^ (k / 2))", "f:1:8: the exponent k / 2 is neither a number nor an integer expression"),
    ("sum(x .^ (k + 1 / 2))", "f:1:10: the exponent k + 1 / 2 is neither"),
    ("tr(W ^ k)", "f:1:8: a matrix power needs a square matrix, got W (m×n)"),
])
def test_a_non_integer_exponent_is_a_one_line_error_at_its_place(f, where):
    status, out, err = run(["diff", f, "--wrt", "X", *CLI_SYMBOLS])
    assert status == 2 and where in err and len(err.strip().splitlines()) == 1, err


def test_nothing_is_differentiated_by_an_integer_symbol():
    status, out, err = run(["diff", "tr(X ^ k)", "--wrt", "k", *CLI_SYMBOLS])
    assert status == 2 and "k is an integer symbol" in err and len(err.strip().splitlines()) == 1, err


def test_no_assumption_constrains_an_integer_symbol():
    with pytest.raises(MatcalcError, match="k is an integer symbol"):
        matcalc.derive("k * tr(X)", wrt="X", symbols=SYMBOLS, assume=["k = 2"])


def test_a_proof_file_declares_an_integer_symbol():
    proof = loads('name = "t"\n[symbols]\nX = "matrix(n, n)"\nk = "integer"\n[[claims]]\nf = "tr(X ^ k)"\nwrt = "X"\n'
                  'gradient = "k * (X ^ (k - 1))\'"\n')
    assert proof.scope.integer == {"k"} and show(proof.claims[0].gradient) == "k * (X ^ (k - 1))'"


# --- the engine -----------------------------------------------------------------------------------

@pytest.mark.parametrize("k, lower", [("k", "k - 1"), ("k + 1", "k"), ("k - 1", "k - 2"), ("2 * k", "2 * k - 1"),
                                      ("k + j - 3", "k + j - 4")])
def test_lowered_exponent_adds_up_its_number_terms(k, lower):
    assert show(lowered(_p(k))) == lower


@pytest.mark.parametrize("f, wrt, want, rule", [
    ("tr(X ^ k)", "X", "k * X' ^ (k - 1)", "trace of a power"),
    ("tr(X ^ (2 * k))", "X", "2 * k * X' ^ (2 * k - 1)", "trace of a power"),
    ("sum(x .^ k)", "x", "k * x .^ (k - 1)", "entrywise power rule, integer exponent"),
    ("a ^ k", "a", "a ^ (k - 1) * k", "power rule, integer exponent"),
])
def test_integer_power_rules_derive_what_the_checker_confirms(f, wrt, want, rule):
    d = matcalc.derive(f, wrt=wrt, symbols=SYMBOLS)
    assert str(d.gradient) == want and d.verdict.holds
    assert any(rule in s.rule for s in d.steps)


@pytest.mark.parametrize("f", ["sum(X ^ k)", "tr(A * X ^ k)", "det(X ^ k)"])
def test_a_matrix_power_to_a_symbol_outside_a_trace_is_not_derived(f):
    with pytest.raises(MatcalcError, match="no closed form for a symbolic k"):
        matcalc.derive(f, wrt="X", symbols=SYMBOLS)


# --- the checker ----------------------------------------------------------------------------------

def test_plan_takes_every_integer_symbol_at_1_2_3_and_above_the_sizes():
    """At every assignment of sizes, k = 1, 2, 3 and one k above them (at least ABOVE, and not always the
    same); the points at other scales take those values in turn."""
    plan = make_plan(["n"], [Shape("n", "n")], [_p("tr(X ^ k)")], random.Random(0), integers=("k",))
    sized = [inst for inst in plan if inst.scale == 1 and inst.sign == 0 and not inst.kink]
    by_item: dict = {}
    for inst in sized:
        by_item.setdefault((inst.why.split(";")[0], inst.sizes["n"], inst.draw), []).append(dict(inst.integers)["k"])
    for (_, n, _), ks in by_item.items():
        assert ks[:3] == list(INTEGER_VALUES) and len(ks) == 4 and ks[3] > n and ks[3] >= ABOVE
    assert len({ks[3] for ks in by_item.values()}) > 3
    scaled = [dict(inst.integers)["k"] for inst in plan if inst not in sized]
    assert len(scaled) == len(set((inst.scale, inst.sign) for inst in plan if inst not in sized))
    assert set(scaled) & set(INTEGER_VALUES) == set(INTEGER_VALUES) and max(scaled) >= ABOVE


def test_two_integer_symbols_meet_in_every_combination():
    pairs = {values for item in range(4) for values, _ in integer_values(["j", "k"], {"n": 2}, [], item)}
    assert len(pairs) == 16


def test_an_exponent_value_is_an_integer_or_outside_the_domain():
    assert integer(fmpq(3)) == 3
    with pytest.raises(DomainError):
        integer(fmpq(1, 2))


@pytest.mark.parametrize("f, gradient, at", [
    ("tr(X ^ k)", "(k - 1) * (X ^ (k - 1))'", "k=1"),  # the exponent's k - 1 as the coefficient
    ("tr(X ^ (k + j))", "(k + j) * X' ^ (k + 1)", "j=1, k=1"),  # right where j = 2 only
])
def test_a_claim_right_at_some_k_only_is_refuted(f, gradient, at):
    """(The catalog's integer-powers has more: the transpose left out, 2 X', a term (k-1)(k-2)(k-3) X.)"""
    v = matcalc.check(f, wrt="X", gradient=gradient, symbols=SYMBOLS)
    assert v.status == "refuted" and at in v.message, v.message


def test_a_claim_right_up_to_the_size_of_a_fixed_matrix_is_refuted_above_it():
    """At fixed sizes 3×3, a term (k-1)(k-2)(k-3)(k-4) vanishes at 1, 2, 3 and at the first k above the
    size: the next values above it see it."""
    symbols = {"Y": "matrix(3, 3)", "k": "integer"}
    wrong = "k * (Y ^ (k - 1))' + (k - 1) * (k - 2) * (k - 3) * (k - 4) * Y"
    v = matcalc.check("tr(Y ^ k)", wrt="Y", gradient=wrong, symbols=symbols)
    assert v.status == "refuted" and ("k=5" in v.message or "k=6" in v.message), v.message


def test_a_cayley_hamilton_form_true_at_every_k_holds():
    symbols = {"Y": "matrix(2, 2)", "k": "integer"}
    v = matcalc.check("tr(Y ^ k)", wrt="Y", gradient="k * (tr(Y) * Y ^ (k - 2) - det(Y) * Y ^ (k - 3))'",
                      symbols=symbols)
    assert v.holds, v.message


def test_a_cayley_hamilton_term_of_a_2x2_matrix_is_refuted_at_larger_sizes():
    """X² - tr(X) X + det(X) I is 0 for every 2×2 X (at every k), not for a 3×3 one: times (k-1)(k-2)(k-3)
    it is seen at n ≥ 3 and k ≥ 4 only."""
    wrong = "k * (X ^ (k - 1) + (k - 1) * (k - 2) * (k - 3) * (X ^ 2 - tr(X) * X + det(X) * eye(n)))'"
    v = matcalc.check("tr(X ^ k)", wrt="X", gradient=wrong, symbols=SYMBOLS)
    assert v.status == "refuted" and "n=2" not in v.message, v.message


def test_a_refutation_at_an_integer_symbol_is_confirmed_by_recheck():
    v = matcalc.check("tr(X ^ k)", wrt="X", gradient="k * X ^ (k - 1)", symbols=SYMBOLS)
    cert = v.certificate
    assert cert["symbols"]["k"] == "integer" and cert["point"]["k"] == [["2"]]
    result = recheck(Certificate(cert, "test"))
    assert result.confirmed and "at sizes n=2, k=2:" in result.line()
    with pytest.raises(MatcalcError, match="point.k must be a positive integer"):
        Certificate({**cert, "point": {**cert["point"], "k": [["1/2"]]}}, "test")


# --- code and SymPy -------------------------------------------------------------------------------

def test_emitted_code_takes_an_integer_symbol_as_a_python_int():
    d = matcalc.derive("tr(X ^ k) + k * sum(x .^ (k + 1))", wrt="X", symbols=SYMBOLS)
    ns: dict = {}
    exec(compile(d.to_code("numpy"), "<emitted>", "exec"), ns)
    X, x = np.arange(9.0).reshape(3, 3) / 7, np.arange(1.0, 4.0)
    assert np.isclose(ns["f"](X=X, k=3, x=x), np.trace(X @ X @ X) + 3 * np.sum(x ** 4))
    assert np.allclose(ns["gradient"](X=X, k=3, x=x), 3 * (X @ X).T)
    assert "np.linalg.matrix_power(X.T, k - 1)" in d.to_code("numpy")
    with pytest.raises(ValueError, match="k must be an integer"):
        ns["f"](X=X, k=2.5, x=x)
    assert max(ns["check"]().values()) < 1e-6


def test_sympy_integer_symbol_and_symbolic_powers_translate_both_ways():
    sp = pytest.importorskip("sympy")
    n, k = sp.Symbol("n", integer=True, positive=True), sp.Symbol("k", integer=True, positive=True)
    X, x = sp.MatrixSymbol("X", n, n), sp.MatrixSymbol("x", n, 1)
    e = sp.Trace(X ** (k - 1)) + sp.Trace(sp.HadamardPower(x, 2 * k).T * x)
    t = matcalc.from_sympy(e)
    assert t.symbols["k"] == "integer" and "X ^ (-1 + k)" in show(t.expr) and "x' .^ (2 * k)" in show(t.expr)
    assert matcalc.to_sympy(t.expr, dict(t.objects)) == e
    assert matcalc.derive(sp.Trace(X ** k), wrt=X).to_sympy() == k * X.T ** (k - 1)


def test_the_web_pages_proof_file_writes_k_integer():
    from matcalc.web.page import toml_text

    text = toml_text({"f": "tr(X ^ k)", "wrt": "X", "symbols": {"X": "matrix(n, n)", "k": "integer"}})
    assert '"k" = "integer"' in text and loads(text).scope.integer == {"k"}
