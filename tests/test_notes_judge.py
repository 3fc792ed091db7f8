"""Documents judged as written: definitions are lets, a written ∂u/∂v expands u down to v with v
held independent, a written d(E) moves the symbols whose differential the chain writes, every `=`
of a chain is a claim, and shapes come once from the document (an equation that does not fit is
typed on its own; sides of different shapes are refuted)."""
from pathlib import Path

import pytest

from matcalc.notes import check_document, parse
from matcalc.notes.judge import judge

SEED = Path(__file__).parent / "data" / "backprop-derivation.zh.md"
DOCUMENTS = Path(__file__).parents[1] / "proofs" / "documents"


def judged(text: str, kind: str = "markdown"):
    return check_document(text, kind, "test.md")


def verdicts(text: str, kind: str = "markdown") -> list[tuple[str, str]]:
    return [(j.kind, j.verdict) for j in judged(text, kind)]


NETWORK = r"""
$$e = \frac{1}{2}(y - a_1^3)^2$$
$$a_1^3 = \sigma(z_1^3)$$
$$z_1^3 = w_{11}^2 a_1^2 + w_{12}^2 a_2^2 + b_1^3$$
$$a_1^2 = \sigma(z_1^2)$$
$$z_1^2 = w_{11}^1 x_1 + w_{12}^1 x_2 + b_1^2$$
"""


@pytest.mark.parametrize("claim, verdict", [
    (r"\frac{\partial e}{\partial w_{11}^2} = \frac{\partial e}{\partial a_1^3}\frac{\partial a_1^3}{\partial z_1^3} a_1^2", "holds"),
    (r"\frac{\partial e}{\partial w_{11}^2} = (a_1^3 - y)\,a_1^3(1 - a_1^3)\,a_1^2", "holds"),
    (r"\frac{\partial e}{\partial w_{11}^1} = \frac{\partial e}{\partial z_1^3} w_{11}^2 \sigma'(z_1^2) x_1", "holds"),
    # wrong expansions: a factor of the other unit, the sigmoid for its derivative, a factor left out
    (r"\frac{\partial e}{\partial w_{11}^2} = \frac{\partial e}{\partial a_1^3}\frac{\partial a_1^3}{\partial z_1^3} a_2^2", "refuted"),
    (r"\frac{\partial e}{\partial w_{11}^1} = \frac{\partial e}{\partial z_1^3} w_{11}^2 \sigma(z_1^2) x_1", "refuted"),
    (r"\frac{\partial e}{\partial w_{11}^1} = \frac{\partial e}{\partial z_1^3} \sigma'(z_1^2) x_1", "refuted"),
    (r"\frac{\partial e}{\partial w_{11}^1} = \frac{\partial e}{\partial z_1^3} w_{12}^2 \sigma'(z_1^2) x_1", "refuted"),
])
def test_a_chain_rule_expansion_is_judged_against_the_definitions(claim, verdict):
    assert verdicts(NETWORK + f"$${claim}$$\n")[-1] == ("derivative", verdict)


def test_a_partial_holds_its_variable_independent_even_where_it_is_defined():
    """∂z_1^3/∂a_1^2 is w_11^2 although a_1^2 is defined: a_1^2 is held, not expanded."""
    assert verdicts(NETWORK + r"$$\frac{\partial z_1^3}{\partial a_1^2} = w_{11}^2$$")[-1] == ("derivative", "holds")


def test_definitions_may_come_in_any_order():
    text = "$$e = (y - a)^2$$\n$$a = \\sigma(z)$$\n$$\\frac{\\partial e}{\\partial z} = 2(a - y)\\sigma'(z)$$\n"
    assert verdicts(text)[-1] == ("derivative", "holds")


def test_a_refuted_derivative_gives_the_right_value():
    j = judged("$$e = (y - a)^2$$\n$$\\frac{\\partial e}{\\partial a} = 2(y - a)$$\n")[-1]
    assert j.verdict == "refuted" and j.right is not None and "a" in j.right


DIFFERENTIALS = r"""
<!-- matcalc: A=vector(m), B=vector(n), X=matrix(m,n) -->
$$f = A^TXB$$
$$df = d(A^TXB) = d(A^TX)B + A^TX(dB) = A^TdXB = tr(BA^TdX)$$
$$\frac{\partial f}{\partial X} = AB^T$$
"""


def test_a_differential_chain_moves_the_symbol_whose_differential_ends_it():
    """dX ends the chain, so X moves; dB of the constant B is 0."""
    assert verdicts(DIFFERENTIALS) == [("definition", "defined")] + [("identity", "holds")] * 4 + [("derivative", "holds")]


@pytest.mark.parametrize("wrong", [r"A^TdXB + A^TXB", r"B^TdX^TA + A^TdXB", r"2 A^TdXB"])
def test_a_wrong_differential_step_is_refuted_at_its_line(wrong):
    text = DIFFERENTIALS + f"\n$$df = {wrong}$$\n"
    last = judged(text)[-1]
    assert last.verdict == "refuted" and last.line == text.count("\n")


def test_a_differential_where_nothing_varies_is_skipped_with_the_reason():
    j = judged(DIFFERENTIALS + "\n$$df = A^TXB$$\n")[-1]
    assert j.verdict == "skipped" and "wrt" in j.message
    j = judged(DIFFERENTIALS + "\n<!-- matcalc: wrt X -->\n$$df = A^TXB$$\n")[-1]
    assert j.verdict == "refuted"


def test_sides_of_different_shapes_are_refuted_by_their_shapes():
    text = "<!-- matcalc: z=vector(n) -->\n$$\\ell = \\log(\\mathbf{1}^T \\exp(z))$$\n" \
           "$$d(\\log(\\mathbf{1}^T\\exp(z))) = \\log'(\\mathbf{1}^T\\exp(z)) \\odot dz$$\n"
    j = judged(text)[-1]
    assert j.verdict == "refuted" and "scalar" in j.message and "column" in j.message


def test_a_declaration_starts_a_name_afresh():
    """Notes reuse letters: X a matrix in one part, a vector in the next."""
    text = ("<!-- matcalc: X=matrix(m,n), A=vector(m), B=vector(n) -->\n$$f = A^TXB$$\n"
            "$$\\frac{\\partial f}{\\partial X} = AB^T$$\n"
            "<!-- matcalc: X=vector(k), w=matrix(1,k) -->\n$$y = wX$$\n$$\\frac{\\partial y}{\\partial X} = w^T$$\n")
    assert [v for _, v in verdicts(text)] == ["defined", "holds", "defined", "holds"]


def test_the_seed_as_written_has_a_verdict_or_a_reason_for_every_display():
    js = judged(SEED.read_text(encoding="utf-8"))
    assert all(j.verdict in ("holds", "refuted", "skipped", "defined") for j in js)
    assert all(j.message for j in js if j.verdict == "skipped")
    lines = {j.line for j in js}
    text = SEED.read_text(encoding="utf-8").splitlines()
    displays = {i + 1 for i, t in enumerate(text) if t.strip().startswith("$$") and len(t.strip()) > 2}
    assert displays <= lines | {i + 1 for i in range(len(text)) if any(j.line == i + 2 for j in js)}


def test_the_seeds_softmax_step_is_refuted_as_a_scalar_equal_to_a_vector():
    js = judged(SEED.read_text(encoding="utf-8"))
    step = next(j for j in js if j.text.startswith("d(log(\\boldsymbol{1}^Texp(Z))) = log^{'}"))
    assert step.line == 138 and step.verdict == "refuted" and "scalar" in step.message


def test_an_undefined_name_is_named_with_its_near_miss():
    """The seed defines e_{01} and differentiates e_{o1}: judged as written (0), with a note."""
    js = judged(SEED.read_text(encoding="utf-8"))
    chain = [j for j in js if j.line == 30]
    assert chain and all(any("e_{01}" in n for n in j.notes) for j in chain)


@pytest.mark.slow  # the README's command checks the same through the pytest plugin (proofs/documents/)
@pytest.mark.parametrize("document", sorted(DOCUMENTS.glob("*.*")), ids=lambda p: p.name)
def test_catalog_documents_refute_exactly_their_marked_displays(document):
    js = check_document(document.read_text(encoding="utf-8"), "latex" if document.suffix == ".tex" else "markdown",
                        document.name)
    marked = {j.display for j in js if j.expected}
    refuted = {j.display for j in js if j.verdict == "refuted"}
    assert marked and refuted == marked
    assert not [j for j in js if j.verdict == "error"]


def test_a_partial_by_a_symmetric_matrix_is_the_symmetric_gradient():
    text = ("<!-- matcalc: S=symmetric(n), A=matrix(n,n) -->\n"
            "$$\\frac{\\partial \\operatorname{tr}(S)}{\\partial S} = S - S$$\n"
            "$$\\frac{\\partial \\operatorname{tr}(S)}{\\partial S} = I$$\n"
            "$$\\frac{\\partial \\operatorname{tr}(AS)}{\\partial S} = \\frac{1}{2}(A + A^T)$$\n"
            "$$\\frac{\\partial \\operatorname{tr}(AS)}{\\partial S} = A^T$$\n"
            "$$\\frac{\\partial \\log\\det S}{\\partial S} = S^{-1}$$\n")
    assert [v for _, v in verdicts(text)] == ["refuted", "holds", "holds", "refuted", "holds"]


@pytest.mark.parametrize("wrong", [r"x^T y = x y^T", r"\|x\|^2 = x x^T", r"\operatorname{tr}(A) = A",
                                   r"u^T v = u \odot v", r"x^T A = A x", r"\frac{\partial (A X B)}{\partial X} = A B",
                                   r"\frac{\partial (x^T A x)}{\partial x} = x^T(A+A^T)"])
def test_an_equation_cannot_make_its_symbols_1x1_to_fit(wrong):
    """Undeclared symbols keep the shapes their spelling gives: a matrix mistake is not scalar algebra."""
    assert verdicts(f"$${wrong}$$\n")[-1][1] == "refuted"


def test_d_followed_by_a_space_is_a_differential_as_in_print():
    text = "$$f = x^2$$\n$$d f = 2x \\, d x$$\n$$d f = x \\, d x$$\n$$\\frac{d f}{d x} = 2x$$\n"
    assert [v for _, v in verdicts(text)] == ["defined", "holds", "refuted", "holds"]


def test_a_row_starting_with_plus_continues_the_expression_above():
    text = ("\\documentclass{article}\\begin{document}\n% matcalc: W=matrix(n,n)\n\\begin{align*}\n"
            "L &= \\operatorname{tr}(W^T W) \\\\\n  &\\quad + \\lambda \\operatorname{tr}(W)\n\\end{align*}\n"
            "\\[ \\frac{\\partial L}{\\partial W} = 2W + \\lambda I. \\]\n\\end{document}\n")
    assert [v for _, v in verdicts(text, "latex")] == ["defined", "holds"]


def test_e_is_the_documents_symbol_where_it_defines_e():
    text = "$$e = y_1 - a_1$$\n$$s = e^2$$\n$$\\frac{\\partial s}{\\partial a_1} = -2e$$\n"
    assert verdicts(text)[-1] == ("derivative", "holds")


def test_a_sentences_punctuation_ends_a_formula():
    text = "<!-- matcalc: A=matrix(n,n) -->\n$$f = x^T A x,$$\n$$\\frac{\\partial f}{\\partial x} = (A + A^T)x.$$\n"
    assert [v for _, v in verdicts(text)] == ["defined", "holds"]


def test_a_name_whose_definition_could_not_be_read_is_not_taken_as_a_constant():
    j = judged("$$f = \\sum_i x_i$$\n$$\\frac{\\partial f}{\\partial x} = 0$$\n")[-1]
    assert j.verdict == "skipped" and "line 1" in j.message


def test_a_written_zero_is_the_zero_of_the_other_sides_shape():
    text = "<!-- matcalc: X=matrix(m,n), A=matrix(n,n) -->\n$$X - X = 0$$\n" \
           "$$\\frac{\\partial \\operatorname{tr}(A)}{\\partial X} = \\mathbf{0}$$\n$$X = 0$$\n"
    assert [v for _, v in verdicts(text)] == ["holds", "holds", "refuted"]


def test_an_assumption_holds_from_where_it_is_written():
    text = ("<!-- matcalc: y=vector(n) -->\n$$\\mathbf{1}^T y = 1$$\n"
            "<!-- matcalc: assume \\mathbf{1}^T y = 1 -->\n$$\\mathbf{1}^T y = 1$$\n")
    assert [v for _, v in verdicts(text)] == ["refuted", "holds"]


def test_a_derivative_operator_applies_to_the_whole_term_after_it():
    text = ("$$\\frac{\\partial}{\\partial \\alpha} \\beta\\alpha^2 = 2\\alpha\\beta$$\n"
            "$$\\frac{\\partial}{\\partial \\alpha} \\beta\\alpha^2 = 0$$\n"
            "$$\\nabla_\\alpha \\alpha\\alpha + 1 = 2\\alpha + 1$$\n")
    assert [v for _, v in verdicts(text)] == ["holds", "refuted", "holds"]


def test_log_of_an_absolute_value_is_logdet_only_for_a_matrix():
    text = "$$\\log|\\alpha| = \\log \\alpha$$\n$$\\log|\\alpha| = \\log|-\\alpha|$$\n"
    assert [v for _, v in verdicts(text)] == ["refuted", "holds"]


def test_a_row_with_an_equals_sign_of_its_own_is_not_glued_to_the_row_above():
    assert [v for _, v in verdicts("$$\n\\alpha = 2\\alpha \\\\\n- \\alpha = \\alpha\n$$\n")] == ["refuted", "refuted"]


def test_a_layer_index_in_brackets_is_part_of_the_name():
    text = "$$a^{(2)} = (a^{(1)})^2$$\n<!-- matcalc: W^{(1)}=matrix(h,n), x=vector(n) -->\n$$z^{(1)} = W^{(1)} x$$\n" \
           "$$\\frac{\\partial \\mathbf{1}^T z^{(1)}}{\\partial x} = (W^{(1)})^T \\mathbf{1}$$\n"
    assert [v for _, v in verdicts(text)] == ["defined", "defined", "holds"]


def test_a_partial_by_a_defined_name_is_evaluated_at_its_value_only():
    """∂ℓ/∂p with p = exp(ζ): never at a drawn p where log p is undefined."""
    text = "$$p = \\exp(\\zeta)$$\n$$\\ell = \\log p$$\n$$\\frac{\\partial \\ell}{\\partial \\zeta} = \\frac{\\partial \\ell}{\\partial p} p$$\n"
    assert verdicts(text)[-1] == ("derivative", "holds")


def test_a_definition_whose_shapes_do_not_fit_does_not_break_the_document():
    text = "<!-- matcalc: x=vector(n), A=matrix(n,n), B=matrix(n,n) -->\n$$f = (x - Ax)^2$$\n" \
           "$$\\operatorname{tr}(AB) = \\operatorname{tr}(BA)$$\n$$\\frac{\\partial f}{\\partial x} = 0$$\n"
    assert [v for _, v in verdicts(text)] == ["skipped", "holds", "skipped"]


def test_a_wrt_comment_may_name_several_symbols():
    text = ("<!-- matcalc: x=vector(n), y=vector(n), A=matrix(n,n) -->\n<!-- matcalc: wrt x, y -->\n"
            "$$d(x^T A y) = dx^T A y + x^T A dy$$\n")
    assert [v for _, v in verdicts(text)] == ["holds"]


def test_a_side_whose_shapes_do_not_fit_the_documents_is_refuted():
    """A transpose dropped (A B for A B^T) cannot be computed with the declared shapes: wrong, not skipped."""
    text = DIFFERENTIALS + "\n$$\\frac{\\partial f}{\\partial X} = AB$$\n"
    j = judged(text)[-1]
    assert j.verdict == "refuted" and "cannot be computed" in j.message


def test_the_seed_draws_the_points_a_document_is_judged_at():
    rows = list(parse("$$\\frac{\\partial (a^2)}{\\partial a} = a$$\n", "markdown", "seeded").rows)
    points = [judge(rows, "seeded", seed=s)[-1].counterexample["point"] for s in (0, 1, 0)]
    assert points[0] == points[2] != points[1]
