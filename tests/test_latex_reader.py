"""LaTeX in (issue 28): formulas as people write them read into the language, each construct by the
rule that reads it; every display equation of the seed document read or refused with a reason; and
`matcalc diff --latex`, matcalc.derive(latex=...) and check(latex=...) end to end."""
import re
from pathlib import Path

import pytest

import matcalc
from matcalc.errors import MatcalcError
from matcalc.inference import infer
from matcalc.latex import names, read_expression, read_sides, request_text, to_language
from matcalc.latex.tree import Call, Differential, Name, Op, Partial
from matcalc.printers.mathml import MATHML
from matcalc.printers.notation import LATEX, UNICODE

from .test_robustness import run

SEED = Path("/work/shared/seed/backprop-derivation.zh.md")


def lang(src: str) -> str:
    return to_language(read_expression(src))


def refusal(src: str) -> str:
    with pytest.raises(MatcalcError) as e:
        read_sides(src)
    return str(e.value)


@pytest.mark.parametrize("src, text", [
    ("A^T", "A'"), ("A^\\top", "A'"), ("A^{\\mathsf T}", "A'"), ("A^{\\mathsf{T}}", "A'"), ("A^{T}", "A'"),
    ("A^\\mathsf{T} B", "A' * B"), ("(A B)^T", "(A * B)'"),
])
def test_transposes(src, text):
    assert lang(src) == text


@pytest.mark.parametrize("src, text", [
    ("X^{-1}", "inv(X)"), ("X^{-T}", "inv(X)'"), ("X^{\\frac12}", "X ^ (1/2)"), ("X^{\\frac{1}{2}}", "X ^ (1/2)"),
    ("x^2", "x ^ 2"), ("(y-a)^2", "(y - a) ^ 2"), ("{X}^{\\circ 2}", "X .^ 2"), ("{X}^{k}", "X ^ k"),
])
def test_inverses_and_powers_are_operations(src, text):
    assert lang(src) == text


@pytest.mark.parametrize("src, text", [
    ("\\operatorname{tr}(X)", "tr(X)"), ("\\mathrm{tr}(X)", "tr(X)"), ("\\text{tr}(X)", "tr(X)"), ("tr(X)", "tr(X)"),
    ("\\operatorname{tr} X", "tr(X)"), ("\\det(X)", "det(X)"), ("\\det X", "det(X)"), ("\\exp(x)", "exp(x)"),
    ("\\log(x)", "log(x)"), ("\\log x", "log(x)"), ("\\log x^2", "log(x ^ 2)"), ("\\log(x)^2", "log(x) ^ 2"),
    ("\\operatorname{softmax}(z)", "softmax(z)"), ("\\operatorname{diag}(x)", "diag(x)"),
    ("\\operatorname{vec}(X)", "vec(X)"), ("sigmoid(z)", "sigmoid(z)"), ("\\sqrt{x}", "sqrt(x)"),
    ("\\operatorname{Tr}(X)", "tr(X)"), ("\\operatorname{logsumexp}(x)", "logsumexp(x)"),
])
def test_functions_by_command_font_and_word(src, text):
    assert lang(src) == text


@pytest.mark.parametrize("src", ["\\log\\det X", "\\log\\det(X)", "\\log|X|", "\\log\\left|X\\right|", "logdet(X)"])
def test_log_det_and_log_bars_are_logdet(src):
    assert lang(src) == "logdet(X)"


def test_sigma_applied_is_the_sigmoid_and_alone_a_name():
    assert lang("\\sigma(z)") == "sigmoid(z)"
    assert lang("\\sigma \\cdot x") == "sigma * x"
    assert lang("\\sigma^2") == "sigma ^ 2"


@pytest.mark.parametrize("src, text", [
    ("\\sigma'(z)", "sigmoid'(z)"), ("\\sigma^{'}(z)", "sigmoid'(z)"), ("\\sigma_{'}(Z^L)", "sigmoid'(Z__L)"),
    ("\\sigma^{\\prime}(z)", "sigmoid'(z)"), ("\\sigma''(z)", "sigmoid''(z)"), ("log'(x)", "log'(x)"),
    ("\\log^{'}(x)", "log'(x)"),
])
def test_derivatives_of_functions(src, text):
    assert lang(src) == text


@pytest.mark.parametrize("src, text", [
    ("A \\odot B", "A .* B"), ("A \\circ B", "A .* B"), ("A \\otimes B", "kron(A, B)"), ("A \\oslash B", "A ./ B"),
    ("\\frac{a}{b}", "a / b"), ("a / b", "a / b"), ("A \\cdot B", "A * B"), ("A \\times B", "A * B"),
    ("AB", "A * B"), ("\\frac{1}{2} x", "(1/2) * x"), ("\\frac12 x", "(1/2) * x"),
    ("a - b \\cdot c + d", "a - b * c + d"), ("-x^2", "-x ^ 2"), ("-A B", "-A * B"), ("a - (b - c)", "a - (b - c)"),
])
def test_products_and_sums_with_the_languages_precedence(src, text):
    assert lang(src) == text


@pytest.mark.parametrize("src, text", [
    ("\\|x\\|^2", "norm(x) ^ 2"), ("\\|x\\|_2^2", "sqrt(x' * x) ^ 2"), ("\\|X\\|_F^2", "norm(X) ^ 2"),
    ("\\left\\| x \\right\\|", "norm(x)"), ("\\lVert x \\rVert", "norm(x)"), ("|x|", "abs(x)"),
    ("\\lvert x \\rvert", "abs(x)"), ("\\| |x| - y \\|", "norm(abs(x) - y)"), ("|(|x|)|", "abs(abs(x))"),
])
def test_norms_and_absolute_values(src, text):
    assert lang(src) == text


@pytest.mark.parametrize("src, name, hint", [
    ("\\mathbf{x}", "x", "column"), ("\\boldsymbol{\\theta}", "theta", "column"), ("x", "x", "column"),
    ("A", "A", ""), ("\\ell", "ell", "scalar"), ("\\mu", "mu", "scalar"), ("\\Sigma", "Sigma", ""),
    ("\\theta", "theta", "scalar"), ("\\lambda", "lambda", "scalar"), ("\\varepsilon", "epsilon", "scalar"),
    ("w_{12}^{1}", "w_12__1", "scalar"), ("a_1^3", "a_1__3", "scalar"), ("e_{o1}", "e_o1", "scalar"),
    ("W^L", "W__L", ""), ("W^{l+1}", "W__lp1", ""), ("W^{L-1}", "W__Lm1", ""), ("\\delta^{l}", "delta__l", "column"),
    ("\\delta^l", "delta__l", "column"), ("b_j^l", "b_j__l", "scalar"), ("a^{(l)}", "a__l", "column"),
    ("\\mathbf{x}_i", "x_i", "column"), ("\\mathit{logits}", "logits", ""),
])
def test_names_their_language_spelling_and_hint(src, name, hint):
    node = read_expression(src)
    assert isinstance(node, Name) and (node.name, node.hint) == (name, hint)


def test_a_superscript_on_a_symbol_is_part_of_it_and_a_transpose_after_it_applies_to_it():
    assert lang("(W^L)^T") == "W__L'"
    assert lang("w_i^T") == "w_i'"
    assert lang("w_{12}^{1} + w_{12}^1") == "w_12__1 + w_12__1"


def test_two_spellings_read_as_one_name_are_an_error():
    with pytest.raises(MatcalcError, match=r"x and \\mathbf\{x\} are both read as x"):
        names(read_expression("x + \\mathbf{x}"))


@pytest.mark.parametrize("src, text", [
    ("\\boldsymbol{1}^T x", "ones(_0)' * x"), ("\\mathbf{1}^T x", "ones(_0)' * x"), ("\\mathbb{1}", "ones(_0)"),
    ("\\mathbf{1}_n", "ones(n)"), ("I", "eye(_0)"), ("I_n", "eye(n)"), ("\\mathbf{I}", "eye(_0)"), ("I_{3}", "eye(3)"),
    ("1^Tx", "ones(_0)' * x"),
])
def test_ones_and_the_identity(src, text):
    assert lang(src) == text


def test_the_size_of_ones_and_eye_is_inferred():
    assert request_text("\\boldsymbol{1}^T \\exp(z)")[0] == "ones(n)' * exp(z)"
    assert request_text("\\mathbf{1}^T X \\mathbf{1}")[0] == "ones(m)' * X * ones(n)"
    assert request_text("\\operatorname{tr}(I A)")[0] == "tr(eye(n) * A)"


@pytest.mark.parametrize("src, text", [
    ("1^Texp(Z)", "ones(_0)' * exp(Z)"), ("x^2y", "x ^ 2 * y"), ("-Y^Tlog(softmax(Z))", "-Y' * log(softmax(Z))"),
    ("xlog(x)", "x * log(x)"), ("Y^T \\boldsymbol{1}softmax(Z)^TdZ", None),
])
def test_tex_one_token_scripts_and_function_words_in_a_run_of_letters(src, text):
    if text is None:
        node = read_expression(src)
        assert isinstance(node.args[1], Differential)
    else:
        assert lang(src) == text


def test_spacing_and_sizing_are_ignored():
    assert lang("\\left( A + B \\right) \\, C \\! D \\; E \\quad F ~ G") == "(A + B) * C * D * E * F * G"
    assert lang("\\bigl( x \\bigr) % a comment\n + y") == "x + y"


def test_differentials():
    node = read_expression("A^TdXB")
    assert isinstance(node, Op) and node.op == "matmul"
    (a, dx), b = node.args[0].args, node.args[1]
    assert (to_language(a), isinstance(dx, Differential), dx.arg.name, b.name) == ("A'", True, "X", "B")
    for src in ["\\mathrm{d}X", "\\operatorname{d}X", "dX", "\\mathrm{d} X", "d(A^TX)", "d (\\log x)"]:
        assert isinstance(read_expression(src), Differential), src
    inside = read_expression("tr(df)")
    assert isinstance(inside, Call) and isinstance(inside.args[0], Differential)
    assert lang("d") == "d" and lang("a + d") == "a + d" and lang("d_1") == "d_1"
    assert lang("diag(x)") == "diag(x)" and lang("det X") == "det(X)"


@pytest.mark.parametrize("src", [
    "\\frac{\\partial f}{\\partial X}", "\\frac{\\partial{f}}{\\partial{X}}", "\\nabla_X f", "\\nabla_{X} f",
    "\\partial f / \\partial X", "\\frac{df}{dX}", "\\frac{\\partial}{\\partial X} f", "\\frac{d}{dX} f",
])
def test_derivatives_are_partials(src):
    node = read_expression(src)
    assert isinstance(node, Partial) and node.u.name == "f" and node.v.name == "X"


def test_partials_of_scripted_names_and_a_hook_gives_them_text():
    node = read_expression("\\frac{\\partial{e_{o1}}}{\\partial{w_{11}^2}}")
    assert (node.u.name, node.v.name) == ("e_o1", "w_11__2")
    chain = read_expression("\\frac{\\partial e}{\\partial a}\\frac{\\partial a}{\\partial z} a_1^2")
    assert to_language(chain, lambda n: f"D_{n.v.name}" if isinstance(n, Partial) else None) == "D_a * D_z * a_1__2"


def test_a_derivative_without_a_hook_is_not_a_value():
    with pytest.raises(MatcalcError, match=r"^1:5: a derivative is not a value of the language here$"):
        to_language(read_expression("x + \\nabla_X f"), src="x + \\nabla_X f")


def test_sides_split_at_equals_and_an_empty_side_continues_a_row():
    first, second = read_sides("df = tr(df)")
    assert isinstance(first, Differential) and isinstance(second, Call)
    assert read_sides("= A")[0] is None and read_sides("A =")[-1] is None
    assert [to_language(s) for s in read_sides("a = b = c")] == ["a", "b", "c"]
    with pytest.raises(MatcalcError, match="an expression, not an equation"):
        read_expression("a = b")


@pytest.mark.parametrize("src, message", [
    ("\\int x", "1:1: cannot read \\int here"),
    ("x \\le y", "1:3: cannot read \\le: = is the only relation read"),
    ("a \\approx b", "1:3: cannot read \\approx: = is the only relation read"),
    ("a \\Rightarrow b", "1:3: cannot read \\Rightarrow: = is the only relation read"),
    ("x = 1, y = 2", "1:6: cannot read , here: one formula at a time"),
    ("\\delta^L = [a]", "1:12: cannot read [ here: a list of entries [ … ] is not read"),
    ("a = b \\quad \\text{for all } x", "1:13: cannot read \\text{for all } here"),
    ("\\frac{a}", "1:1: \\frac needs two arguments"),
    ("tr(A X", "1:3: unbalanced ("),
    ("x^{2", "1:3: unbalanced {"),
    ("a + b}", "1:6: unbalanced }"),
    ("x'", "1:2: cannot read ' after a name: write ^T for a transpose"),
    ("\\|x\\|_1", "1:7: only the 2-norm and the Frobenius norm are read"),
    ("\\frac{\\partial^2 f}{\\partial x^2}", "1:15: only first derivatives are read"),
    ("\\mathbf{xy}", "1:1: cannot read \\mathbf{xy}: one letter in bold"),
    ("\\operatorname{foo}(x)", "1:1: unknown function \\operatorname{foo}"),
    ("x^^2", "1:2: ^ needs an argument"),
    ("x^2^3", "1:4: double superscript"),
    ("tr(A, B)", "1:5: cannot read , here: a function takes one argument"),
    ("a \\\\ b", "1:3: cannot read \\\\ here: one row at a time"),
    ("x +\n  \\sum_i x_i", "2:3: cannot read \\sum here"),
    ("y \\log \\hat{y}", "1:8: cannot read \\hat here"),
    ("\\log + x", "1:1: \\log needs an argument"),
    ("\\nabla f", "1:1: \\nabla needs its variable as a subscript"),
])
def test_refusals_are_one_line_at_the_token(src, message):
    text = refusal(src)
    assert text.startswith(message) and "\n" not in text


def test_nesting_is_bounded_as_in_the_language():
    assert lang("(" * 3000 + "x" + ")" * 3000) == "x"
    assert lang("x^{" * 300 + "2" + "}" * 300).startswith("x ^ (x ^ (")
    with pytest.raises(MatcalcError, match="nested more than 20000 levels"):
        read_expression("(" * 20001 + "x" + ")" * 20001)


def test_long_formulas_are_read_without_recursion():
    assert lang("x+" * 30000 + "x").count("+") == 30000


def _seed_rows():
    text = SEED.read_text(encoding="utf-8")
    for display in re.findall(r"\$\$(.*?)\$\$", text, re.S):
        for row in display.split("\\\\"):
            row = re.sub(r"\\tag\{[^}]*\}", "", row).replace("&", "").strip()
            if row:
                yield row


@pytest.mark.skipif(not SEED.exists(), reason="the seed document is not on this machine")
def test_every_display_equation_of_the_seed_reads_or_is_refused_with_a_reason():
    read = refused = 0
    for row in _seed_rows():
        try:
            sides = read_sides(row)
        except MatcalcError as e:
            assert row.startswith("\\delta^L = [") or row.startswith("\\delta^{L-1} = (W^L)^T["), row
            assert "a list of entries" in str(e) and "\n" not in str(e)
            refused += 1
            continue
        assert len(sides) >= 2, row
        for side in sides:
            if side is not None:
                to_language(side, lambda n: "D" if isinstance(n, (Partial, Differential)) else None)
        read += 1
    assert (read, refused) == (37, 2)


def test_seed_equations_read_as_written():
    def side(src):
        return [to_language(s, lambda n: "D" if isinstance(n, (Partial, Differential)) else None) if s else None
                for s in read_sides(src)]

    assert side("e_{01} = \\frac{1}{2}(y-a_1^3)^2") == ["e_01", "(1/2) * (y - a_1__3) ^ 2"]
    assert side("z_1^3 = (w_{11}^2 \\cdot a_1^2 + w_{12}^2 \\cdot a_2^2 + b_1^3)") == [
        "z_1__3", "w_11__2 * a_1__2 + w_12__2 * a_2__2 + b_1__3"]
    assert side("\\delta^{l} = ((W^{l + 1})^T\\delta^{l+1})\\odot\\sigma_{'}(Z^l)") == [
        "delta__l", "W__lp1' * delta__lp1 .* sigmoid'(Z__l)"]
    assert side("softmax(Z) = \\frac{exp(Z)}{\\boldsymbol{1}^Texp(Z)}") == [
        "softmax(Z)", "exp(Z) / (ones(_27)' * exp(Z))"]
    assert side("d(log(\\boldsymbol{1}^Texp(Z))) = log^{'}(\\boldsymbol{1}^Texp(Z)) \\odot dZ") == [
        "D", "log'(ones(_41)' * exp(Z)) .* D"]
    assert side("= -Y^T d (log\\frac{exp(Z)}{\\boldsymbol{1}^Texp(Z)})") == [None, "-Y' * D"]


ROUND_TRIP = ["tr(A' * X)", "sigmoid(x) .* tanh(x)", "sigmoid'(x)", "softmax(x)", "log(det(X))", "logdet(X)",
              "norm(x) ^ 2", "norm(X)", "inv(X)", "X .^ (1/2)", "x .^ 2", "a ^ 2", "kron(A, X)", "vec(X)", "diag(x)",
              "ones(n)' * x", "eye(n) * x", "exp(x) ./ y", "x / a", "relu(x)", "abs(x)", "sqrt(x)", "X ^ k", "sum(x)",
              "exp'(x)", "log''(x)", "(1/2) * x' * A * x", "-x' * log(softmax(A * x))", "tr(inv(X) * A)",
              "theta' * x", "x' * (A + A') * x", "expm(X)", "-(a * x)", "a - x' * y", "tr(X) ^ 2", "(A * X)'"]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_what_matcalc_prints_in_latex_reads_back_to_the_same_expression(text):
    from matcalc.parser import parse
    from matcalc.prooffile import make_scope

    scope = make_scope({"X": "matrix(n, n)", "A": "matrix(n, n)", "x": "vector(n)", "y": "vector(n)", "a": "scalar",
                        "k": "integer", "theta": "vector(n)"})
    e = parse(text, scope)
    assert parse(lang(LATEX.show(e)), scope) == e


# -- inference: hints and dimensions to solve

def test_hints_decide_where_unification_leaves_a_choice():
    assert infer({}, {}, {}, [("f", "a_1__3 * x")]) == {"a_1__3": "matrix(m, n)", "x": "vector(n)"}
    assert infer({}, {}, {}, [("f", "a_1__3 * x")], hints={"a_1__3": "scalar"}) == {
        "a_1__3": "scalar", "x": "vector(n)"}
    assert infer({}, {}, {}, [("f", "x' * x")], hints={"x": ""}) == {"x": "matrix(m, n)"}


def test_a_dimension_starting_with_an_underscore_is_solved():
    dims = {}
    assert infer({}, {}, {}, [("f", "ones(_1)' * X * ones(_2)")], dims_out=dims) == {"X": "matrix(m, n)"}
    assert dims == {"_1": "m", "_2": "n"}
    dims = {}
    infer({}, {}, {}, [("f", "ones(_1)' * ones(_1)")], dims_out=dims)
    assert dims == {"_1": "n"}


# -- printing names read from LaTeX

@pytest.mark.parametrize("name, latex, unicode", [
    ("w_12__1", "w_{12}^{1}", "w₁₂¹"), ("a_1__3", "a_{1}^{3}", "a₁³"), ("W__L", "W^{L}", "W^L"),
    ("W__lp1", "W^{l+1}", "Wˡ⁺¹"), ("W__Lm1", "W^{L-1}", "W^(L−1)"), ("delta__l", "\\delta^{l}", "δˡ"),
    ("b_j__l", "b_{j}^{l}", "bⱼˡ"), ("ell", "\\ell", "ℓ"),
    ("b_1", "b_{1}", "b₁"), ("W_2", "W_{2}", "W₂"), ("x0", "x_{0}", "x0"), ("e_o1", "e_{o1}", "eₒ₁"),
])
def test_printers_write_a_scripted_name_as_written_and_others_as_before(name, latex, unicode):
    assert (LATEX.name(name), UNICODE.name(name)) == (latex, unicode)


def test_mathml_writes_a_scripted_name_with_msubsup():
    assert MATHML.name("w_12__1") == "<msubsup><mi>w</mi><mn>12</mn><mn>1</mn></msubsup>"
    assert MATHML.name("W__lp1") == "<msup><mi>W</mi><mrow><mi>l</mi><mo>+</mo><mn>1</mn></mrow></msup>"


# -- the doors

def test_diff_latex_trace_derives_a_b_transpose():
    status, out, err = run(["diff", "--latex", "\\operatorname{tr}(A^\\top X B)", "--wrt", "X", "--format", "plain"])
    assert status == 0, err
    assert "assuming A: m×n, X: m×p, B: p×n" in out and "gradient: A * B'" in out and "holds" in out


def test_diff_latex_softmax_cross_entropy_as_the_seed_writes_it():
    status, out, err = run(["diff", "--latex", "-Y^Tlog(softmax(Z))", "--wrt", "Z", "--format", "plain"])
    assert status == 0, err  # Y is a capital: a matrix, so f is a row and this is its Jacobian
    assert "jacobian: Y' * ones(m) * softmax(Z)' - Y'" in out and "holds" in out


def test_diff_latex_least_squares_with_a_latex_claim():
    status, out, err = run(["diff", "--latex", "\\frac{1}{2}\\|Xw - y\\|^2", "--wrt", "w",
                            "--gradient", "X^\\top(Xw - y)", "--format", "plain"])
    assert status == 0, err
    assert "gradient: X' * (X * w - y)" in out and "holds" in out


def test_diff_latex_error_exits_2_with_one_line_at_the_token():
    status, out, err = run(["diff", "--latex", "x \\le y", "--wrt", "x"])
    assert status == 2 and err == "matcalc: error: f:1:3: cannot read \\le: = is the only relation read\n"


def test_diff_latex_shape_error_says_what_the_latex_was_read_as():
    status, out, err = run(["diff", "--latex", "x^T A x", "--wrt", "x", "--sym", "A=matrix(m,n)"])
    assert status == 2 and err.startswith("matcalc: error: f (read as x' * A * x):1:")


def test_api_derive_and_check_take_latex():
    d = matcalc.derive(latex="\\mathbf{1}^T \\sigma(W^L a^{l-1} + b^L)", wrt="W^L")
    assert str(d.gradient) == "sigmoid'(W__L * a__lm1 + b__L) * a__lm1'" and d.verdict.holds
    assert "W^{L}" in d.to_latex()
    v = matcalc.check(latex="\\log\\det X - \\operatorname{tr}(S X)", wrt="X", gradient="X^{-T} - S^T")
    assert v.holds
    v = matcalc.check(latex="\\frac{1}{2}\\|Xw - y\\|^2", wrt="w", gradient="2X^T(Xw - y)")
    assert v.status == "refuted" and str(v.right_gradient) == "X' * (X * w - y)"


def test_wrt_may_be_written_plain_for_a_bold_name():
    assert request_text("\\mathbf{x}^T A \\mathbf{x}", None, "x") == (
        "x' * A * x", None, "x", {"x": "column", "A": ""})


def test_api_latex_errors_name_their_field():
    with pytest.raises(MatcalcError) as e:
        matcalc.derive(latex="x", wrt="\\frac{a}{b}")
    assert e.value.field == "wrt"
    with pytest.raises(MatcalcError) as e:
        matcalc.check(latex="x^T x", wrt="x", gradient="\\int x")
    assert e.value.field == "gradient" and str(e.value) == "gradient:1:1: cannot read \\int here"


def test_e_to_a_matrix_is_the_matrix_exponential():
    """e^{X} of a matrix (a capital in the exponent) is expm; of scalars and columns, entrywise exp."""
    from matcalc.latex import read_expression, to_language

    assert to_language(read_expression(r"e^{X}")) == "expm(X)"
    assert to_language(read_expression(r"e^{tA}")) == "expm(t * A)"
    assert to_language(read_expression(r"e^{x}")) == "exp(x)"
    assert to_language(read_expression(r"e^{-\lambda t}")) == "exp(-lambda * t)"
