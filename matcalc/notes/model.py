"""What a document checker passes along: the display rows read from a document (extract.py), and
one judgement per row or per `=` of a chain (judge.py), which the reports print (report.py)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Directive:
    """A `% matcalc: …` (LaTeX) or `<!-- matcalc: … -->` (Markdown) comment, on ``line``:
    kind "wrt" (value: the symbol, LaTeX spelling), "declare" (value: "X=matrix(m,n), A=vector(m)"),
    "assume" (value: an equality in LaTeX) or "expect" (value: "refuted")."""

    line: int
    kind: str
    value: str


@dataclass(frozen=True)
class Row:
    """One row of a display equation: its LaTeX with `&`, `\\tag{…}` and `\\label{…}` removed and
    the row break gone (``text``), the 1-based ``line`` of the document where the row starts,
    ``display`` the index of its display in the document (rows of one display share it), ``tag``
    the row's \\tag if any, and the directives written before its display (``directives``: wrt and
    expect apply to this display only; declare and assume to the whole document from there on)."""

    line: int
    text: str
    display: int
    tag: str | None = None
    directives: tuple[Directive, ...] = ()


@dataclass
class Judgement:
    """The verdict on one equation of a document.

    kind: "definition" (name = expression), "derivative" (∂u/∂v = …), "identity" (A = B, values or
    differentials), or "unread" (not an equation matcalc reads); verdict: "defined", "holds",
    "refuted", "skipped" (with the reason in ``message``) or "error" (could not be checked);
    ``text`` the equation as written (the two sides for a pair of a chain); ``expected``: the
    display was marked `expect refuted`; ``counterexample``: the checker's, for a refutation;
    ``right``: the right value of a derivative where one was derived (language text); ``notes``:
    remarks such as a near-miss name."""

    line: int
    text: str
    kind: str
    verdict: str
    message: str = ""
    display: int = 0
    expected: bool = False
    counterexample: dict | None = None
    right: str | None = None
    notes: list[str] = field(default_factory=list)
