"""Reading a document's display equations as rows: delimiters, lines, row breaks, directives."""
from pathlib import Path

import pytest

from matcalc.errors import MatcalcError
from matcalc.notes import is_document, kind_of, parse
from matcalc.notes.extract import declarations, rows
from matcalc.notes.model import Directive

#: The seed document, exactly as written (its copyright and licence at its top).
SEED = Path(__file__).parent / "data" / "backprop-derivation.zh.md"


def texts(text, kind="markdown"):
    return [r.text for r in rows(text, kind)]


def test_markdown_displays_on_one_line_across_lines_and_indented_in_list_items():
    doc = "$$a = b$$\n\n- item\n\n  $$\n  c = d\n  $$\n\n  $$ e = f $$\n"
    assert [(r.line, r.text, r.display) for r in rows(doc, "markdown")] == [(1, "a = b", 0), (6, "c = d", 1),
                                                                           (9, "e = f", 2)]


def test_markdown_reads_brackets_and_display_environments():
    doc = "\\[ p = q \\]\n\\begin{equation}\n u = v \\label{e}\n\\end{equation}\n\\begin{align*}\n x &= y\n\\end{align*}\n"
    assert texts(doc) == ["p = q", "u = v", "x = y"]


def test_markdown_ignores_inline_math_code_and_comments():
    doc = ("Inline $a = b$, `$$ code $$`, a price of $5.\n```\n$$ fenced = 1 $$\n```\n~~~~\n\\[ tilde = 1 \\]\n~~~~\n"
           "<!-- $$ commented = 1 $$ -->\n$$ read = 1 $$\n")
    assert texts(doc) == ["read = 1"]


def test_latex_reads_the_body_only_without_comments_or_verbatim():
    doc = ("\\documentclass{article}\n\\newcommand{\\x}{$$ preamble = 1 $$}\n\\begin{document}\n"
           "50\\% of $x$, \\verb|$$| and \\( y \\) % $$ comment = 1 $$\n"
           "\\begin{verbatim}\n\\[ verbatim = 1 \\]\n\\end{verbatim}\n"
           "\\[ body = 1 \\] \\\\% a line break, then a comment: \\[ no = 1 \\]\n"
           "$$ dollars = 1 $$\n\\end{document}\n\\[ after = 1 \\]\n")
    assert texts(doc, "latex") == ["body = 1", "dollars = 1"]


def test_latex_without_document_environment_is_read_whole():
    assert texts("\\begin{gather*}\na = b \\\\\nc = d\n\\end{gather*}\n", "latex") == ["a = b", "c = d"]


def test_rows_split_at_top_level_row_breaks_only():
    doc = ("\\begin{align}\n  a &= \\frac{1 \\\\ 2}{3} \\\\\n  &= \\begin{pmatrix} x & y \\\\ z & w \\end{pmatrix}"
           " \\\\[2pt]\n  &= c \\\\\n\\end{align}\n")
    assert [(r.line, r.text) for r in rows(doc, "latex")] == [
        (2, "a = \\frac{1 \\\\ 2}{3}"), (3, "= \\begin{pmatrix} x & y \\\\ z & w \\end{pmatrix}"), (4, "= c")]


def test_an_arranging_environment_filling_a_display_splits_its_rows():
    assert texts("$$\\begin{aligned} a &= b \\\\ &= c \\end{aligned}$$") == ["a = b", "= c"]


def test_tags_are_kept_and_labels_and_nonumber_removed():
    doc = "\\begin{align}\na &= b \\tag{7} \\label{eq:a} \\\\\nc &= d \\nonumber \\\\\ne &= f \\notag\n\\end{align}"
    assert [(r.text, r.tag) for r in rows(doc, "latex")] == [("a = b", "7"), ("c = d", None), ("e = f", None)]


def test_a_rows_line_is_where_its_text_starts():
    doc = "$$\n\n  x = 1 \\\\\n\n  = 2\n$$\n"
    assert [r.line for r in rows(doc, "markdown")] == [3, 5]


def test_directives_attach_to_the_next_display():
    doc = ("% matcalc: X=matrix(m,n), A=vector(m), w_{1,2}=scalar\n% matcalc: wrt X\n\\[ f = g \\]\n"
           "% matcalc: assume Y^T\\boldsymbol{1} = 1\n% matcalc: expect refuted\n\\[ h = k \\]\n\\[ p = q \\]\n")
    first, second, third = rows(doc, "latex")
    assert first.directives == (Directive(1, "declare", "X=matrix(m,n), A=vector(m), w_{1,2}=scalar"),
                                Directive(2, "wrt", "X"))
    assert second.directives == (Directive(4, "assume", "Y^T\\boldsymbol{1} = 1"), Directive(5, "expect", "refuted"))
    assert third.directives == ()


def test_a_declaration_is_split_at_commas_outside_parentheses_and_braces():
    assert declarations("X=matrix(m, n), w_{1,2} = scalar,W^L=vector(n)") == [
        ("X", "matrix(m, n)"), ("w_{1,2}", "scalar"), ("W^L", "vector(n)")]


def test_markdown_directives_are_html_comments_one_or_several():
    doc = "<!-- matcalc: wrt X -->\n<!--\nmatcalc: W^L=matrix(n,n)\nmatcalc: expect refuted\n-->\n$$ f = g $$\n"
    assert rows(doc, "markdown")[0].directives == (Directive(1, "wrt", "X"), Directive(3, "declare", "W^L=matrix(n,n)"),
                                                  Directive(4, "expect", "refuted"))


def test_escaped_percent_is_not_a_comment():
    assert texts("\\[ a = 50\\% b \\]", "latex") == ["a = 50\\% b"]


@pytest.mark.parametrize("doc, kind, message", [
    ("text\n\n  $$ x = y\n", "markdown", "3:3: $$ is never closed"),
    ("\\begin{align}\nx = y\n", "latex", "1:1: \\begin{align} is never closed"),
    ("\\[ x", "latex", "1:1: \\[ is never closed"),
    ("\n% matcalc: expect holds\n", "latex", "2:11: matcalc: expect takes 'refuted'"),
    ("<!-- matcalc: frobnicate -->", "markdown", "1:14: matcalc: cannot read directive 'frobnicate'"),
    ("% matcalc: X=matrix(m)\n", "latex", "matcalc: X: bad shape 'matrix(m)'"),
    ("% matcalc: X=scalar, =vector(n)\n", "latex", "matcalc: expected NAME=SHAPE, got '=vector(n)'"),
])
def test_unreadable_documents_are_an_error_at_their_line(doc, kind, message):
    with pytest.raises(MatcalcError) as e:
        rows(doc, kind)
    assert message in str(e.value)


def test_an_error_names_the_document():
    with pytest.raises(MatcalcError, match=r"^notes\.md:2:1: \$\$ is never closed$"):
        parse("a\n$$ x\n", "markdown", "notes.md")


def test_kinds_come_from_the_extension_or_for_stdin_the_text():
    assert kind_of("a.md") == kind_of("b.markdown") == "markdown" and kind_of("c.TEX") == "latex"
    assert kind_of("-", "\\documentclass{article}\\begin{document}") == "latex" and kind_of("-", "$$x$$") == "markdown"
    assert is_document("-") and is_document("x.tex") and not is_document("x.toml")
    with pytest.raises(MatcalcError, match="not a document"):
        kind_of("x.toml")


def test_the_seed_documents_rows_and_lines():
    found = rows(SEED.read_text(encoding="utf-8"), "markdown")
    lines = {r.line: r for r in found}
    assert lines[9].tag == "80" and lines[9].text == "\\delta^{L} = \\nabla_{a}C \\odot \\sigma_{'}(Z^L)"
    assert lines[22].text == "e_{01} = \\frac{1}{2}(y-a_1^3)^2"
    assert lines[65].text.startswith("df = d(A^TXB) = d(A^TX)B") and lines[86].tag == "101"
    softmax = [r for r in found if r.display == lines[130].display]
    assert [(r.line, r.tag) for r in softmax] == [(130, None), (131, None), (132, "102")]
    assert softmax[1].text == "= -Y^T d (log\\frac{exp(Z)}{\\boldsymbol{1}^Texp(Z)})"
    assert lines[138].text.startswith("d(log(\\boldsymbol{1}^Texp(Z))) = log^{'}(\\boldsymbol{1}^Texp(Z)) \\odot dZ =")
    assert lines[148].text.startswith("= tr(Y^T") and lines[148].tag == "103"
    assert len({r.display for r in found}) == 37 and len(found) == 39
