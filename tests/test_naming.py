"""Repeated subexpressions named once in the display formats (issue 27): each test is named after the
rule it protects. The language text of a result (plain's gradient line, JSON's field) stays written out."""
from __future__ import annotations

import io
import json

import pytest

import matcalc
from matcalc.api import claim_report
from matcalc.expr import Let, post_order
from matcalc.language import show
from matcalc.naming import name_repeats
from matcalc.parser import parse
from matcalc.prooffile import make_scope
from matcalc.printers import json_out, latex, markdown, mathml_document, plain, terminal
from matcalc.web.work import derive as web_derive

#: The Hessian of softmax cross-entropy through a linear map: softmax(K q) written out three times.
SOFTMAX = {"f": "-y' * log(softmax(K * q))", "wrt": "q", "kind": "hessian"}


def _report(f, wrt, symbols=None, kind=None):
    return claim_report(f, wrt, None, symbols, None, None, (), 0, kind=kind)[0]


@pytest.fixture(scope="module")
def softmax_report():
    return _report(**SOFTMAX)


def _tree(text, symbols):
    return parse(text, make_scope(symbols, {}, {}))


def _unfolded(e):
    """e with every name written out again as its definition."""
    done = {}
    for n in post_order(e):
        done[n] = _unfolded(n.body) if isinstance(n, Let) else n.rebuild(*(done[k] for k in n.children))
    return done[e]


VECTORS = {"z": "vector(n)", "y": "vector(n)", "x": "vector(n)", "A": "matrix(n, n)", "b": "vector(n)"}


def test_a_repeated_subexpression_is_named_once():
    named = name_repeats(_tree("diag(softmax(z)) - softmax(z) * softmax(z)'", VECTORS))
    assert [(k, show(v)) for k, v in named.bindings] == [("s", "softmax(z)")]
    assert show(named.body) == "diag(s) - s * s'"


def test_the_names_stand_for_exactly_what_they_replace():
    for text in ("diag(softmax(z)) - softmax(z) * softmax(z)'", "(A * x - b)' * A * (A * x - b) * exp(A * x - b)' * x",
                 "exp(exp(z) .* y) .* exp(z) + exp(exp(z) .* y)"):
        e = _tree(text, VECTORS)
        assert _unfolded(name_repeats(e).body) == e


def test_nested_repeats_are_named_inner_first_and_later_names_use_them():
    named = name_repeats(_tree("exp(exp(z) .* y) .* exp(z) + exp(exp(z) .* y)", VECTORS))
    assert [(k, show(v)) for k, v in named.bindings] == [("e", "exp(z)"), ("t1", "exp(e .* y)")]
    assert show(named.body) == "t1 .* e + t1"


def test_a_matrix_gets_a_capital_and_other_forms_t1_t2():
    named = name_repeats(_tree("exp(A) * (A * x - b) + exp(A) * (A * x - b) * 2", VECTORS))
    assert [k for k, _ in named.bindings] == ["t1"]  # the largest repeat, exp(A) (A x - b), first
    named = name_repeats(_tree("exp(A) * x + exp(A) * b", VECTORS))
    assert [(k, show(v)) for k, v in named.bindings] == [("E", "exp(A)")]


def test_names_never_clash_with_symbols():
    symbols = {**VECTORS, "s": "vector(n)", "t1": "scalar", "sigma": "scalar"}
    e = _tree("softmax(z) * s' * softmax(z) * t1 + sigmoid(z) * sigma + sigmoid(z)", symbols)
    names = [k for k, _ in name_repeats(e).bindings]
    assert not set(names) & set(symbols) and len(set(names)) == len(names) == 2


def test_names_never_clash_with_dimensions_or_look_alikes():
    e = _tree("softmax(z) * softmax(z)' * ones(s)", {"z": "vector(s)"})
    assert [k for k, _ in name_repeats(e).bindings] == ["t1"]  # s is a dimension
    e = _tree("sigmoid(z) + sigmoid(z)", VECTORS)
    assert [k for k, _ in name_repeats(e, taken=["σ"]).bindings] == ["t1"]  # σ prints as sigma does
    assert [k for k, _ in name_repeats(_tree("exp(z) + exp(z)", VECTORS), taken=["t_1", "e"]).bindings] == ["t2"]


def test_trivial_and_short_repeats_keep_their_text():
    for text in ("x' * x + x", "A' * A * A'", "sum(y) * x + sum(y) * z", "(A * x) .* (A * x)", "ones(n) + ones(n)"):
        assert name_repeats(_tree(text, VECTORS)).bindings == (), text


def test_a_result_without_repeats_prints_as_before():
    r = _report("x' * A * x", "x", {"x": "vector(n)", "A": "matrix(n, n)"})
    assert r.named is None
    assert "where" not in plain.derivation(r) and "where" not in latex.derivation(r)
    assert "named" not in json.loads(json_out.diff(r))


def test_terminal_names_the_result_below_the_steps(softmax_report):
    out = io.StringIO()
    terminal.console(file=out, width=200, color_system=None).print(terminal.derivation(softmax_report))
    lines = out.getvalue().splitlines()
    named = next(i for i, line in enumerate(lines) if "repeated subexpressions named once" in line)
    assert "= sum(y) (Kᵀ (diag(s) − s sᵀ) K)" in lines[named]
    assert lines[named + 1].split() == ["where", "s", "=", "softmax(K", "q)"]


def test_plain_gradient_line_stays_written_out(softmax_report):
    text = plain.derivation(softmax_report)
    lines = text.splitlines()
    assert any(line.strip() == "where s = softmax(K q)" for line in lines)
    result = next(line for line in lines if line.startswith("  hessian:"))
    written = result.split(":", 1)[1].strip()
    assert written == show(softmax_report.derivation.gradient) and "softmax(K * q)" in written


def test_json_gradient_stays_written_out(softmax_report):
    obj = json.loads(json_out.diff(softmax_report))
    assert obj["hessian"] == show(softmax_report.derivation.gradient)
    assert obj["named"] == {"where": {"s": "softmax(K * q)"},
                            "hessian": "sum(y) * (K' * (diag(s) - s * s') * K)"}
    row = json_out.claim_object(softmax_report)  # `matcalc check --format json`: the contract's keys only
    assert row["derived"] == obj["hessian"] and "named" not in row


def test_latex_says_where(softmax_report):
    tex = latex.derivation(softmax_report)
    assert "\\text{where } s &= \\operatorname{softmax}\\left(K q\\right)\n\\end{align*}" in tex
    assert "&& \\text{}" not in tex  # a definition has no rule beside it


def test_markdown_says_where_under_the_named_result(softmax_report):
    md = markdown.derivation(softmax_report)
    assert ". repeated subexpressions named once\n" in md
    assert "   $$ \\text{where } s = \\operatorname{softmax}\\left(K q\\right) $$" in md
    assert "\\text{where } s &= " in markdown.notebook(softmax_report)


def test_mathml_and_the_page_say_where(softmax_report):
    html = mathml_document.derivation(softmax_report)
    assert html.count("<mtext>where</mtext>") == 1  # the definition's row in the steps
    assert '<p class="result">Hessian: <math>' in html and ", where <math><mrow><mi>s</mi><mo>=</mo>" in html
    page = web_derive({"f": SOFTMAX["f"], "wrt": "q", "kind": "hessian"})
    assert "<mtext>where</mtext>" in page["html"]
    assert page["answer"]["named"]["where"] == {"s": "softmax(K * q)"}
    assert "\\text{where } s" in page["answer"]["latex"]


def test_the_attention_gradient_names_its_softmax():
    r = _report("sum(softmax(Q * K' / sqrt(d), axis=1) * V .* C)", "Q")
    assert [k for k, _ in r.named.bindings][0] == "S" and show(r.named.bindings[0][1]) == "softmax(Q * K' / sqrt(d), axis=1)"
    assert "exp" not in show(r.named.body)


def test_a_folded_softmax_is_one_call_to_the_naming():
    """softmax(Z, axis=0), spelt exp(Z) ⊘ (1 1ᵀ exp(Z)), is not unfolded to name its exp(Z)."""
    d = matcalc.derive("-sum(Y .* log(softmax(W * X + b, axis=0)))", "W", assume=["sum(Y, axis=0) = ones(n)'"])
    assert d._report.named is None
    assert "where" not in str(d)
