"""Inferred shapes (issue 27): a symbol with no declaration gets the most general shape that types the
expression, with the defaults of its spelling where unification leaves a choice."""
import json
import re

import pytest

import matcalc
from matcalc.errors import MatcalcError
from matcalc.inference import infer

from .test_robustness import run


def inferred(f: str, **declared) -> dict[str, str]:
    from matcalc.prooffile import make_scope

    return infer(make_scope(declared).symbols, {}, {}, [("f", f)])


@pytest.mark.parametrize("f, shapes", [
    ("x' * x", {"x": "vector(n)"}),                                        # a lowercase letter: a column
    ("sum(w2 + b_1)", {"w2": "vector(n)", "b_1": "vector(n)"}),
    ("tr(X)", {"X": "matrix(n, n)"}),                                      # an uppercase letter: a matrix
    ("alpha * tr(X)", {"alpha": "scalar", "X": "matrix(n, n)"}),           # a Greek name: a scalar
    ("sigma2 * x' * x", {"sigma2": "scalar", "x": "vector(n)"}),
    ("tr(X ^ k)", {"X": "matrix(n, n)", "k": "integer"}),                 # an exponent: a scalar (an integer)
    ("sum(W * X + b)", {"W": "matrix(m, n)", "X": "matrix(n, p)", "b": "vector(m)"}),  # b: W's rows, broadcast over X's columns
    ("sum(g .* (x - sum(x)))", {"g": "vector(n)", "x": "vector(n)"}),      # a gain: n×1, not a scalar
    ("tr(A' * X * B)", {"A": "matrix(m, n)", "X": "matrix(m, p)", "B": "matrix(p, n)"}),
    ("(x' * y) * tr(A)", {"x": "vector(n)", "y": "vector(n)", "A": "matrix(m, m)"}),
    ("sum(a * X)", {"a": "vector(n)", "X": "matrix(1, m)"}),               # a is a column by default: X a row
    ("tr(w)", {"w": "matrix(n, n)"}),                                      # not made a scalar by its default
])
def test_defaults_and_unification(f, shapes):
    assert inferred(f) == shapes


def test_declarations_win_and_name_fresh_dimensions_apart():
    assert inferred("x' * A * x", A="matrix(n, n)") == {"x": "vector(n)"}
    assert inferred("u' * A * v", A="matrix(m, n)") == {"u": "vector(m)", "v": "vector(n)"}
    assert inferred("x' * B * y", B="matrix(m, n)", x="vector(m)") == {"y": "vector(n)"}
    assert inferred("tr(A * X)", A="matrix(p, q)") == {"X": "matrix(q, p)"}


def test_diff_tr_AtXB_with_no_declarations_derives_and_checks():
    status, out, err = run(["diff", "tr(A' * X * B)", "--wrt", "X", "--format", "plain"])
    assert status == 0, err
    assert "assuming A: m×n, X: m×p, B: p×n" in out and "gradient: A * B'" in out and "holds" in out


def test_python_api_with_no_symbols():
    d = matcalc.derive("tr(A' * X * B)", "X")
    assert str(d.gradient) == "A * B'" and d.verdict.holds
    assert d.assumed == {"A": "matrix(m, n)", "X": "matrix(m, p)", "B": "matrix(p, n)"}
    assert str(d).startswith("assuming A: m×n, X: m×p, B: p×n\n")
    assert json.loads(d.to_json())["assumed"] == d.assumed


def test_softmax_cross_entropy_with_no_declarations():
    d = matcalc.derive("-y' * log(softmax(W * x))", "W", assume=["sum(y) = 1"])
    assert str(d.gradient) == "(softmax(W * x) - y) * x'" and d.verdict.holds
    assert d.assumed == {"y": "vector(m)", "W": "matrix(m, n)", "x": "vector(n)"}


def test_lets_and_claims_are_inferred_too():
    v = matcalc.check("-y' * log(softmax(z))", "W", gradient="(softmax(z) - y) * x'", let={"z": "W * x + b"},
                      assume=["sum(y) = 1"])
    assert v.holds
    v = matcalc.check("x' * A * x", "x", gradient="2 * A * x")
    assert v.status == "refuted"


@pytest.mark.parametrize("fmt, text", [
    ("plain", "assuming x: n, A: n×n"),
    ("markdown", "assuming x: n, A: n×n"),
    ("latex", "assuming x: n, A: n$\\times$n."),
    ("mathml", '<p class="assumed">assuming x: n, A: n×n</p>'),
])
def test_assuming_is_printed_in_every_format(fmt, text):
    status, out, err = run(["diff", "x' * A * x", "--wrt", "x", "--format", fmt])
    assert status == 0 and text in out, out


def test_json_has_the_inferred_declarations():
    status, out, err = run(["diff", "x' * A * x", "--wrt", "x", "--format", "json"])
    assert status == 0 and json.loads(out)["assumed"] == {"x": "vector(n)", "A": "matrix(n, n)"}
    status, out, err = run(["diff", "x' * A * x", "--wrt", "x", "--format", "json", "--sym", "x=vector(n)",
                            "--sym", "A=matrix(n,n)"])
    assert status == 0 and "assumed" not in json.loads(out)


def test_emitted_code_declares_the_inferred_shapes():
    status, out, err = run(["diff", "tr(A' * X * B)", "--wrt", "X", "--emit", "numpy"])
    assert status == 0 and 'SHAPES = {"A": ("m", "n"), "X": ("m", "p"), "B": ("p", "n")}' in out


def test_the_web_answer_and_its_proof_file_carry_the_inferred_shapes():
    from matcalc.web.page import _declared, toml_text
    from matcalc.web.work import derive

    body = {"f": "tr(A' * X * B)", "wrt": "X"}
    result = derive(body)
    assert result["answer"]["assumed"] == {"A": "matrix(m, n)", "X": "matrix(m, p)", "B": "matrix(p, n)"}
    assert "assuming A: m×n" in result["html"]
    text = toml_text(_declared(body, result["answer"]))
    assert '"A" = "matrix(m, n)"' in text
    proof = matcalc.prooffile.loads(text)
    assert proof.claims[0].wrt.shape.rows == "m"


@pytest.mark.parametrize("argv, message", [
    (["x' * A * x", "--wrt", "x", "--sym", "A=matrix(m,n)"], "f:1:8: x is used as m×1 and as n×1"),
    (["A * x + x", "--wrt", "x", "--sym", "A=matrix(m,n)"], "f:1:7: x is used as n×1 and as m×1"),
    (["sum(x) + tr(X * x)", "--wrt", "x", "--sym", "X=matrix(m,n)", "--sym", "x=vector(n)"], "tr needs a square matrix, got X * x (m×1)"),
])
def test_an_inconsistency_is_one_line_naming_the_symbol_and_both_shapes(argv, message):
    status, out, err = run(["diff", *argv])
    assert status == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_a_proof_file_still_declares_its_symbols_and_the_error_suggests_how():
    # the claim that uses an undeclared symbol is that claim's error (the file's other claims are checked)
    proof = matcalc.prooffile.loads('name = "t"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "q\' * x"\nwrt = "x"\n')
    (bad,) = proof.bad
    assert not proof.claims and re.search(r"undeclared symbol 'q': declare it", bad.error), bad.error


def test_exponent_names_are_integers_and_no_name_is_inferred_when_all_are_declared():
    d = matcalc.derive("tr(X ^ q)", "X")
    assert d.assumed == {"X": "matrix(n, n)", "q": "integer"} and d.verdict.holds
    d = matcalc.derive("tr(X)", "X", symbols={"X": "matrix(n, n)"})
    assert d.assumed == {}


@pytest.mark.parametrize("f, wrt, shapes", [
    ("-sum(Y .* log(softmax(W * X + b, axis=0)))", "W",
     {"Y": "matrix(m, n)", "W": "matrix(m, p)", "X": "matrix(p, n)", "b": "vector(m)"}),
    ("sum(softmax(Q * K' / sqrt(d), axis=1) * V)", "Q",
     {"Q": "matrix(m, n)", "K": "matrix(p, n)", "d": "scalar", "V": "matrix(p, q)"}),
    ("sum(X, axis=0) * w", "X", {"X": "matrix(m, n)", "w": "vector(n)"}),
    ("sum(g .* (x - mean(x)) ./ sqrt(var(x) + 1e-5))", "x", {"g": "vector(n)", "x": "vector(n)"}),
    ("norm(||x|| * x)", "x", {"x": "vector(n)"}),
])
def test_inference_knows_broadcasting_axes_and_norm_bars(f, wrt, shapes):
    d = matcalc.derive(f, wrt)
    assert d.assumed == shapes and d.verdict.holds


def test_diff_writes_the_request_as_a_proof_file_with_the_inferred_shapes(tmp_path):
    from matcalc.cli import main
    from matcalc.prooffile import load

    path = tmp_path / "claim.toml"
    assert main(["diff", "sum((W * X + b) .^ 2)", "--wrt", "b", "--output", str(path), "--format", "plain"]) == 0
    proof = load(path)
    assert {n: proof.scope.declaration(n) for n in proof.scope.symbols} == {
        "W": "matrix(m, n)", "X": "matrix(n, p)", "b": "vector(m)"}
    assert main(["check", str(path)]) == 0
    wrong = tmp_path / "wrong.toml"
    assert main(["diff", "sum((W * X + b) .^ 2)", "--wrt", "b", "--gradient", "2 * (W * X + b)", "--output", str(wrong)]) == 2
    assert not wrong.exists()  # a claim of the wrong shape: nothing written half-way


def test_a_claim_never_changes_the_shapes_inferred_from_f():
    with pytest.raises(MatcalcError, match=r"the gradient 2 \* \(W \* X \+ b\) is m×p, but it must be m×1"):
        matcalc.check("sum((W * X + b) .^ 2)", "b", "2 * (W * X + b)")
    assert matcalc.check("tr(A * X)", "X", "A' + 0 * B").status == "holds"  # a symbol only the claim uses is inferred


def test_a_symbol_only_the_claim_names_gets_the_shape_the_claim_needs():
    v = matcalc.check("sum(x)", "x", "z")
    assert v.status == "refuted"


def test_a_conflict_the_claim_makes_is_reported_in_the_claim():
    with pytest.raises(MatcalcError, match=r"gradient:1:25: X is used as m×n and as q×n"):
        matcalc.check("sum(X)", "X", "ones(m, n) + 0*ones(p,q)*X")


def test_a_claim_may_use_an_inferred_dimension_as_a_number():
    assert matcalc.check("sum(W * X + b)", "b", "p * ones(m)").status == "holds"
