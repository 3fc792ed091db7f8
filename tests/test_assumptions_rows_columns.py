"""Assumptions that are row, column or matrix equalities (each entry a constraint): the checker meets
every entry at every point and keeps every direction of an assumed wrt on them; the engine cites them
(softmax regression over a batch reaches its textbook gradient); an equality the checker cannot
honour is an error at ``assume``; and the spelt-out axis forms print folded and parse back."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
from flint import ctx, fmpq
from hypothesis import given, settings, strategies as st

import matcalc
from matcalc.checker.evaluate import Bindings, Evaluator
from matcalc.checker.plan import directions
from matcalc.checker.sample import satisfy
from matcalc.engine.rules import axes as AX
from matcalc.errors import MatcalcError
from matcalc.expr import Add, EDiv, Entrywise, MatMul, Neg, Ones, Transpose
from matcalc.language import show
from matcalc.parser import parse
from matcalc.printers.mathml import MATHML
from matcalc.printers.notation import LATEX, UNICODE
from matcalc.prooffile import make_scope, parse_assumption
from matcalc.shapes import Shape

from .strategies import exprs

F = "-sum(Y .* log(softmax(W * X + b, axis=0)))"
COLUMNS = "sum(Y, axis=0) = ones(n)'"
ROWS = "sum(Y, axis=1) = ones(m)"
SCOPE = make_scope({"Y": "matrix(m, n)", "A": "matrix(m, n)", "c": "vector(m)", "r": "matrix(1, n)",
                    "S": "symmetric(m)", "Z": "matrix(m, n)", "B": "matrix(n, m)"})


def _point(rng, dims):
    values = {}
    for name, sh in SCOPE.symbols.items():
        rows, cols = (d if isinstance(d, int) else dims[d] for d in (sh.rows, sh.cols))
        v = [[fmpq(rng.randint(-16, 16), 8) for _ in range(cols)] for _ in range(rows)]
        values[name] = [[v[min(i, j)][max(i, j)] for j in range(cols)] for i in range(rows)] \
            if name in SCOPE.symmetric else v
    return Bindings(values, dims)


@pytest.mark.parametrize("text", [COLUMNS, ROWS, "Y * ones(n) = c", "ones(m)' * Y = r", "Y = A",
                                  "2 * Y' * ones(m) - Y' * ones(m) = ones(n)", "S * ones(m) = c", "tr(Y' * ones(m, n)) = 3"])
@pytest.mark.parametrize("dims", [{"m": 2, "n": 3}, {"m": 3, "n": 2}, {"m": 1, "n": 4}, {"m": 4, "n": 1}])
def test_column_sum_assumption_is_satisfied_at_every_point(text, dims):
    """Every entry of lhs − rhs is exactly 0 after satisfy, whatever the point; the other symbols
    keep their random values; a symmetric symbol stays symmetric."""
    a = parse_assumption(text, SCOPE)
    rng = random.Random(len(text) * 7 + dims["m"])
    for _ in range(3):
        b = _point(rng, dims)
        before = {k: v for k, v in b.values.items()}
        y, normals = satisfy(a, b, "S" in text)
        assert normals and all(b.values[k] == before[k] for k in before if k != y)
        exact = Evaluator(Bindings(b.values, b.dims, exact=True))
        lhs, rhs = exact(a.lhs), exact(a.rhs)
        assert all(v - rhs[i % len(rhs)][j % len(rhs[0])] == 0 for i, row in enumerate(lhs) for j, v in enumerate(row))
        if y == "S":
            s = b.values["S"]
            assert all(s[i][j] == s[j][i] for i in range(len(s)) for j in range(len(s)))


def test_every_direction_of_an_assumed_wrt_keeps_every_constraint():
    """With every column of Y summing to 1, each direction V of Y has 1ᵀ V = 0 (n constraints)."""
    b = _point(random.Random(1), {"m": 3, "n": 4})
    _, normals = satisfy(parse_assumption(COLUMNS, SCOPE), b, False)
    dirs = directions(3, 4, False, normals, random.Random(2))
    assert len([d for d in dirs if d[0] == "entry"]) == 12 - 4
    for _, _, v in dirs:
        assert all(sum(v[i * 4 + j] for i in range(3)) == 0 for j in range(4))


@pytest.mark.parametrize("wrt, textbook", [("W", "(softmax(W * X + b, axis=0) - Y) * X'"),
                                           ("b", "(softmax(W * X + b, axis=0) - Y) * ones(n)")])
def test_softmax_regression_gradient_is_textbook_form_under_column_sums(wrt, textbook):
    d = matcalc.derive(F, wrt, assume=[COLUMNS])
    assert str(d.gradient) == textbook and d.verdict.holds
    assert any(f"assumption {COLUMNS}" in s.rule for s in d.steps)
    assert parse(textbook, d._proof.scope) == d.gradient


def test_row_softmax_gradient_under_row_sums():
    d = matcalc.derive("-sum(Y .* log(softmax(Z, axis=1)))", "Z", assume=["Y * ones(n) = ones(m)"])
    assert str(d.gradient) == "softmax(Z, axis=1) - Y" and d.verdict.holds


def test_without_the_assumption_the_result_stays_correct():
    d = matcalc.derive(F, "W")
    assert str(d.gradient) == "((ones(m) * sum(Y, axis=0)) .* softmax(W * X + b, axis=0) - Y) * X'" and d.verdict.holds


@pytest.mark.parametrize("assume", [[], [ROWS]], ids=["no assumption", "rows instead of columns"])
@pytest.mark.parametrize("wrt, claim", [("W", "(softmax(W * X + b, axis=0) - Y) * X'"),
                                        ("b", "(softmax(W * X + b, axis=0) - Y) * ones(n)")])
def test_wrong_claim_refuted_without_the_assumption_or_with_the_wrong_axis(assume, wrt, claim):
    shapes = {"Y": "matrix(m, n)", "W": "matrix(m, p)", "X": "matrix(p, n)", "b": "vector(m)"}  # the claim's n
    v = matcalc.check(F, wrt, claim, shapes, assume=assume)
    assert v.status == "refuted"


def test_a_claim_is_judged_up_to_the_assumptions_normals_only():
    """f = tr(Aᵀ Y) with every column of Y summing to 1: A + 1 cᵀ holds (1 cᵀ is normal to every
    direction kept), A + c 1ᵀ does not (it is normal to row sums); with row sums the reverse."""
    S = {"A": "matrix(m, n)", "Y": "matrix(m, n)", "c": "vector(n)", "k": "vector(m)"}
    assert matcalc.check("tr(A' * Y)", "Y", "A + ones(m) * c'", S, assume=[COLUMNS]).holds
    assert matcalc.check("tr(A' * Y)", "Y", "A + k * ones(n)'", S, assume=[COLUMNS]).status == "refuted"
    assert matcalc.check("tr(A' * Y)", "Y", "A + k * ones(n)'", S, assume=[ROWS]).holds
    assert matcalc.check("tr(A' * Y)", "Y", "A + ones(m) * c'", S, assume=[ROWS]).status == "refuted"


@pytest.mark.parametrize("assume, message", [
    ("Y .* Y = ones(m, n)", "not a linear equality in Y"),
    ("Y * ones(n) + A * ones(n) = 0", "one symbol on its left side"),
    ("Y * ones(n) = 2 * Y * ones(n) + A * ones(n)", "one symbol on its left side"),
    ("Y * ones(n) = Z * ones(n)", "ties Y to Z"),
    ("Y - Y = ones(m, n)", "does not constrain Y"),
    ("ones(m) * sum(Y, axis=0) = A", "contradict each other"),
    ("sum(Y, axis=0) = ones(n)' = 1", "EXPR = EXPR"),
])
def test_unsupported_assumption_is_an_error_at_its_place(assume, message):
    with pytest.raises(MatcalcError, match=message) as e:
        matcalc.check("sum(Y .* Z)", "Z", "Y", {"Y": "matrix(m, n)", "Z": "matrix(m, n)", "A": "matrix(m, n)"},
                      assume=[assume])
    assert e.value.field == "assume"


def test_an_assumption_fixing_wrt_is_an_error_at_assume():
    with pytest.raises(MatcalcError, match="fixes Y at every size") as e:
        matcalc.check("sum(Y .* Y)", "Y", "2 * Y", {"Y": "matrix(m, n)", "A": "matrix(m, n)"}, assume=["Y = A"])
    assert e.value.field == "assume"


# --- the rules are lemmas -----------------------------------------------------------------------

RULE_EXAMPLES = {
    AX.column_sums_of_quotient: ["ones(m)' * (A ./ (ones(m) * r))", "ones(m) * ones(m)' * (A ./ (ones(m) * ones(m)' * Z))",
                                 "(A ./ (c * ones(n)')) * ones(n)", "c * ones(m)' * (A ./ (ones(m) * r))"],
    AX.quotient_by_repeated: ["(ones(m) * (ones(n)' ./ r)) .* A", "A .* (ones(m) * (ones(n)' ./ (ones(m)' * Z)))",
                              "((ones(m) ./ c) * ones(n)') .* A", "(ones(m) * (1 ./ r)) .* A"],
}


def _rewritten_at_points(rule, examples, positive, seed):
    """(text, e, the rule's rewrite of e, a random point with the ``positive`` symbols positive) per example."""
    rng = random.Random(seed)
    for text in examples:
        e = parse(text, SCOPE)
        out = rule.fn(e)
        assert out is not None, f"{rule.name} does not apply to {text}"
        b = _point(rng, {"m": 3, "n": 4})
        for name in positive:  # no division by zero
            b.values[name] = [[abs(v) + 1 for v in row] for row in b.values[name]]
        yield text, e, out, b


@pytest.mark.parametrize("rule", list(AX.AXES), ids=lambda r: r.fn.__name__)
def test_axis_rule_is_a_lemma(rule):
    for text, e, out, b in _rewritten_at_points(rule, RULE_EXAMPLES[rule.fn], ("Z", "r", "c"), 4):
        exact = Evaluator(Bindings(b.values, b.dims, exact=True))
        assert exact(e) == exact(out), (text, show(out))


SOFTMAX_EXAMPLES = {
    AX.softmax_from_quotient: ["(A .* exp(Z)) ./ (ones(m) * ones(m)' * exp(Z))",
                               "(A .* exp(Z)) ./ (exp(Z) * ones(n) * ones(n)') .^ 2"],
    AX.quotient_inside_sums: ["(A * ones(n) * ones(n)') ./ (c * ones(n)')", "(ones(m) * ones(m)' * A) ./ (ones(m) * r)"],
    AX.softmax_out_of_quotient: ["(A ./ (ones(m) * ones(m)' * exp(Z))) .* exp(Z)",
                                 "exp(Z) .* (A ./ (exp(Z) * ones(n) * ones(n)'))"],
    AX.softmax_over_squared_sums: ["exp(Z) ./ (exp(Z) * ones(n) * ones(n)') .^ 2"],
    AX.quotient_out_of_product: ["A .* (Z ./ (c * ones(n)'))", "A .* (Z ./ (ones(m) * r))"],
    AX.softmax_from_spread_quotient: ["((c ./ (exp(Z) * ones(n))) * ones(n)') .* exp(Z)",
                                      "(ones(m) * (r ./ (ones(m)' * exp(Z)))) .* exp(Z)"],
    AX.softmax_of_transpose: ["exp(Z)' ./ (ones(n) * ones(n)' * exp(Z)')", "exp(Z)' ./ (exp(Z)' * ones(m) * ones(m)')"],
}


@pytest.mark.parametrize("rule", list(AX.SOFTMAX), ids=lambda r: r.fn.__name__)
def test_softmax_rule_is_a_lemma(rule):
    """Each rule gathering softmax along an axis maps an expression to an equal one (at random points,
    in balls at 200 bits: exp has no rational values)."""
    for text, e, out, b in _rewritten_at_points(rule, SOFTMAX_EXAMPLES[rule.fn], ("r", "c"), 5):
        with ctx.workprec(200):
            for x, y in zip(Evaluator(b)(e), Evaluator(b)(out)):
                assert all(abs(u - v) < fmpq(1, 2 ** 150) for u, v in zip(x, y)), (text, show(out))


# --- printing folded, parsing back --------------------------------------------------------------

@pytest.mark.parametrize("text, folded, unicode", [
    ("softmax(Z, axis=0)", "softmax(Z, axis=0)", "softmax(Z, axis=0)"),
    ("softmax(A + c, axis=1) - Y", "softmax(A + c, axis=1) - Y", "softmax(A + c 1ᵀ, axis=1) − Y"),
    ("exp(Z) ./ (ones(m) * ones(m)' * exp(Z))", "softmax(Z, axis=0)", "softmax(Z, axis=0)"),
    ("exp(Z) ./ (ones(m) * (ones(m)' * exp(Z)))", "exp(Z) ./ (ones(m) * sum(exp(Z), axis=0))", None),
    ("ones(m)' * A * B", "sum(A, axis=0) * B", "1ᵀ A B"),
    ("sum(A, axis=1)", "A * ones(n)", "A 1"),
    ("A + c * ones(n)'", "A + c", "A + c 1ᵀ"),
    ("c * ones(n)' + A", "c * ones(n)' + A", None),
    ("A - c * ones(n)'", "A - c * ones(n)'", None),
])
def test_axis_forms_print_folded_and_parse_back(text, folded, unicode):
    e = parse(text, SCOPE)
    assert show(e) == folded and parse(folded, SCOPE) == e
    if unicode is not None:
        assert UNICODE.show(e) == unicode
    if "softmax" in folded:
        assert "axis" in LATEX.show(e) and "<mi>axis</mi>" in MATHML.show(e)


def _axis_forms(a, which):
    """a (m×n) put into one of the spelt-out axis forms, in either association."""
    m, n = a.shape.rows, a.shape.cols
    one_m, one_n = Ones(m), Ones(n)
    ez = Entrywise("exp", a)
    forms = [EDiv(ez, MatMul(MatMul(one_m, Transpose(one_m)), ez)), EDiv(ez, MatMul(one_m, MatMul(Transpose(one_m), ez))),
             EDiv(ez, MatMul(MatMul(ez, one_n), Transpose(one_n))), EDiv(ez, MatMul(ez, MatMul(one_n, Transpose(one_n)))),
             MatMul(one_m, MatMul(Transpose(one_m), a)), MatMul(MatMul(a, one_n), Transpose(one_n)),
             Add((a, MatMul(MatMul(a, one_n), Transpose(one_n)))), Add((MatMul(MatMul(a, one_n), Transpose(one_n)), a)),
             Add((a, Neg(MatMul(MatMul(a, one_n), Transpose(one_n))))), Add((a, MatMul(Neg(MatMul(a, one_n)), Transpose(one_n)))),
             Add((a, MatMul(one_m, MatMul(Transpose(one_m), a))))]
    return forms[which % len(forms)]


@settings(max_examples=300, deadline=None)
@given(exprs(Shape("n", "m"), 3), st.integers(0, 40), st.integers(0, 40))
def test_axis_forms_round_trip_inside_any_expression(a, first, second):
    """Any tree mixing the axis forms (each association, nested, negated) prints to text that
    parses back to the very same tree, in the language and with SCOPE's own symbols."""
    e = _axis_forms(_axis_forms(a, first), second)
    from .strategies import SCOPE as STRATEGY_SCOPE
    assert parse(show(e), STRATEGY_SCOPE) == e


def test_exported_code_meets_a_column_sum_assumption():
    """The emitted module's own check meets every column sum and keeps directions on them."""
    d = matcalc.derive(F, "W", assume=[COLUMNS])
    ns: dict = {}
    exec(d.to_code("numpy"), ns)  # noqa: S102 — our own module
    assert ns["check"]()["gradient"] < 1e-6


@pytest.mark.parametrize("assume", ["mean(x) = 1", "sum(x) / n = 1", "sum(x) / sum(ones(n)) = 1"])
def test_an_assumption_with_rational_constants_is_met_exactly(assume):
    """1/n of a mean is a rational: the point meets the assumption exactly, so a true claim holds."""
    v = matcalc.check("sum(x) * y", "y", "n", {"x": "vector(n)", "y": "scalar"}, assume=[assume])
    assert v.status == "holds", v.message


@pytest.mark.parametrize("assume", ["t = 1", "1 = t"])
def test_a_scalar_side_of_an_assumption_is_every_entrys_value(assume):
    d = matcalc.derive("t' * x", "x", assume=[assume])
    assert d.verdict.holds
    assert matcalc.check("t' * x", "x", "ones(n)", assume=[assume]).holds
    assert matcalc.check("t' * x", "x", "2 * ones(n)", assume=[assume]).status == "refuted"
