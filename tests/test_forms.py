"""Symmetric matrices, matrix powers, and sin/cos/tan/abs/relu: parsing, errors, the engine's
results, and where the checker looks for each (symmetric directions, kinks, far-out pieces)."""
from __future__ import annotations

import pytest
from flint import fmpq

import matcalc
from matcalc.checker.sample import rational_det, symmetrised, with_det_sign
from matcalc.cli import main
from matcalc.errors import MatcalcError
from matcalc.expr import Call, MatPower
from matcalc.language import show
from matcalc.parser import parse
from matcalc.prooffile import make_scope

from .cli_process import cli

SQ = {"X": "matrix(n, n)", "A": "matrix(n, n)", "a": "vector(n)", "b": "vector(n)"}
SYM = {"S": "symmetric(n)", "A": "matrix(n, n)", "x": "vector(n)", "u": "vector(n)", "v": "vector(n)"}


def _status(f, wrt, gradient, symbols):
    return matcalc.check(f, wrt, gradient, symbols).status


# --- matrix powers -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, tree", [
    ("X ^ 3", "X ^ 3"), ("X ^ -1", "inv(X)"), ("X ^ -2", "inv(X) ^ 2"), ("X ^ 1", "X"), ("X ^ 0", "eye(n)"),
    ("X' ^ 2", "X' ^ 2"), ("(X ^ 2)'", "(X ^ 2)'"), ("a' * X ^ 2 * b", "a' * X ^ 2 * b"),
])
def test_matrix_power_parses_and_prints_back(text, tree):
    sc = make_scope(SQ)
    e = parse(text, sc)
    assert show(e) == tree and parse(show(e), sc) == e


def test_negative_power_is_a_power_of_the_inverse():
    e = parse("X ^ -3", make_scope(SQ))
    assert e == MatPower(Call("inv", parse("X", make_scope(SQ))), 3)


@pytest.mark.parametrize("f, message", [
    ("X ^ 0.5", "1:3: a matrix to the power 1/2: only integer powers of a matrix are defined; use .^"),
    ("sum(a ^ 2)", "1:7: a is n×1: a matrix power needs a square matrix; use .^"),
    ("tr(X ^ 101)", "1:6: matrix power 101: matcalc takes powers up to 100"),
])
def test_bad_matrix_powers_are_one_line_errors(f, message, capsys):
    args = ["diff", f, "--wrt", "X"] + [a for n, s in SQ.items() for a in ("--sym", f"{n}={s}")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("f, gradient", [
    ("tr(X ^ 4)", "4 * X' ^ 3"), ("tr(X ^ -2)", "-(2 * inv(X)' ^ 3)"), ("a' * X ^ 2 * b", None),
])
def test_engine_derives_matrix_powers(f, gradient):
    d = matcalc.derive(f, "X", SQ)
    assert d.verdict.status == "holds"
    if gradient is not None:
        assert str(d.gradient) == gradient


@pytest.mark.parametrize("wrong", [
    "3 * X ^ 2",  # the transpose left out: right only for symmetric X
    "(A * X ^ 2 + X * A * X + X ^ 2 * A)",  # the same, for tr(A X^3)
    "3 * (X ^ 2 * A)'",  # X^r A X^(k-1-r) as if A and X commuted
])
def test_matrix_power_mistakes_are_refuted(wrong):
    f = "tr(X ^ 3)" if "A" not in wrong else "tr(A * X ^ 3)"
    assert _status(f, "X", wrong, SQ) == "refuted"


# --- sin, cos, tan, abs, relu ------------------------------------------------------------------

@pytest.mark.parametrize("f, wrt, gradient", [
    ("sum(sin(X))", "X", "cos(X)"), ("sum(cos(X))", "X", "-sin(X)"), ("sum(tan(X))", "X", "1 + tan(X) .^ 2"),
    ("sum(sin''(X))", "X", "-cos(X)"), ("sum(abs(X))", "X", "abs'(X)"), ("sum(relu(X))", "X", "relu'(X)"),
])
def test_entrywise_functions_derive(f, wrt, gradient):
    d = matcalc.derive(f, wrt, {"X": "matrix(m, n)"})
    assert str(d.gradient) == gradient and d.verdict.status == "holds"


def test_the_derivation_cites_the_kink():
    d = matcalc.derive("sum(relu(W * x))", "W", {"W": "matrix(m, n)", "x": "vector(n)"})
    assert any("where its argument is non-zero" in s.rule for s in d.steps)
    assert "arguments of relu are non-zero" in d.verdict.message


@pytest.mark.parametrize("f, wrong", [
    ("sum(relu(X - 4))", "0 * X"),  # relu is 0 wherever |x| < 3: the usual points never see its slope
    ("sum(relu(X - 100000000))", "0 * X"),  # far out: a few times the largest number written
    ("sum(relu(4 - X))", "-ones(m, n)"),  # the other side
    ("sum(X)", "ones(m, n) + 5 * relu'(X - 4)"),  # a claim whose extra term lives beyond the usual points
    ("sum(abs(X))", "ones(m, n)"),  # the sign, not 1
    ("sum(abs(X))", "X ./ abs(X) + relu'(X - 6) - relu'(-X - 6)"),  # right up to |x| = 6
])
def test_claims_right_on_one_piece_only_are_refuted(f, wrong):
    assert _status(f, "X", wrong, {"X": "matrix(m, n)"}) == "refuted"


def test_a_side_never_reached_cannot_be_checked():
    with pytest.raises(MatcalcError, match="entries of -X .\\^ 2 - 1, an argument of abs or relu, were negative"):
        matcalc.check("sum(relu(-X .^ 2 - 1))", "X", "-(2 * (relu'(-X .^ 2 - 1) .* X))", {"X": "matrix(m, n)"})


def test_sign_of_abs_is_right_away_from_the_kink():
    """abs'(X - Y) at points where X - Y has a zero entry would be undefined: such points are not used."""
    assert _status("sum(abs(X - Y))", "X", "abs'(X - Y)", {"X": "matrix(2, 2)", "Y": "matrix(2, 2)"}) == "holds"


def test_prime_on_a_kinked_function_prints_as_the_sign():
    from matcalc.printers.notation import LATEX, UNICODE

    e = parse("abs(X) + abs'(X)", make_scope({"X": "matrix(n, n)"}))
    assert UNICODE.show(e) == "|X| + sgn(X)"
    assert "\\operatorname{sgn}" in LATEX.show(e)


# --- symmetric matrices ------------------------------------------------------------------------

@pytest.mark.parametrize("f, gradient", [
    ("tr(A * S)", "(1/2) * (A' + A)"), ("logdet(S)", "inv(S)"), ("x' * S * x", "x * x'"), ("tr(S ^ 3)", "3 * S ^ 2"),
])
def test_gradient_by_a_symmetric_matrix_is_symmetrised(f, gradient):
    d = matcalc.derive(f, "S", SYM)
    assert str(d.gradient) == gradient and d.verdict.status == "holds"
    assert any(s.rule.startswith("symmetric gradient") for s in d.steps)


@pytest.mark.parametrize("f, wrong", [
    ("u' * S * v + v' * S * u", "2 * (u * v' + v * u') - (u * v' + v * u') .* eye(n)"),  # Matrix Cookbook (141)
    ("tr(A * S)", "A + A' - A .* eye(n)"),
    ("logdet(S)", "2 * inv(S) - inv(S) .* eye(n)"),
    ("tr(A * S)", "A'"),  # right along every symmetric direction, but not symmetric
    ("tr(A * S)", "(A + A') / 2 + (x * u' - u * x')"),  # an antisymmetric part added
])
def test_wrong_symmetric_gradients_are_refuted(f, wrong):
    assert _status(f, "S", wrong, SYM) == "refuted"


def test_an_unsymmetric_claim_is_refuted_for_its_asymmetry():
    v = matcalc.check("tr(A * S)", "S", "A'", SYM)
    assert "S is symmetric, so its gradient is too" in v.message


def test_a_symmetric_symbol_not_differentiated_is_sampled_symmetric():
    """x' S' x - x' S x is 0 for symmetric S: its gradient by x is 0, though (S' - S) x would be
    the answer for a general S."""
    assert _status("x' * S' * x - x' * S * x", "x", "0 * x", SYM) == "holds"
    assert _status("x' * S' * y - x' * S * y", "x", "(S' - S) * y", {**SYM, "y": "vector(n)"}) == "holds"


@pytest.mark.parametrize("sign", [1, -1])
def test_determinant_sign_keeps_symmetry(sign):
    a = [[fmpq(v, 7) for v in row] for row in ([2, 1, 3], [1, -4, 5], [3, 5, 1])]
    b = with_det_sign(a, sign)
    assert b == symmetrised(b) and rational_det(b) * sign > 0


@pytest.mark.parametrize("kind, args", [("hessian", []), ("jacobian", [])])
def test_second_order_by_a_symmetric_matrix_is_refused(kind, args):
    with pytest.raises(MatcalcError, match="with respect to a symmetric matrix are not supported"):
        matcalc.derive("logdet(S)" if kind == "hessian" else "S * x", "S", SYM, kind=kind)


@pytest.mark.parametrize("shape", ["symmetric(m, n)", "symmetric(0)", "symmetric()", "symmetric"])
def test_bad_symmetric_declarations(shape, capsys):
    assert main(["diff", "tr(S)", "--wrt", "S", "--sym", f"S={shape}"]) == 2
    err = capsys.readouterr().err
    assert "symbols.S" in err and err.count("\n") == 1


@pytest.mark.parametrize("shape", ["symmetric(0)", "symmetric(-2)"])
def test_bad_symmetric_dimension_message_names_what_was_written(shape):
    # the one-line error names the shape the user wrote, not another ('vector(0)')
    r = cli("diff", "tr(S)", "--wrt", "S", "--sym", f"S={shape}")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "vector(" not in r.stderr and shape in r.stderr, r.stderr
