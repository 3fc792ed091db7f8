"""Documents checked as written: every display equation of a Markdown or LaTeX document read
(extract), judged (judge) and reported (report).

A document's equations are as expected when no display is refuted but those marked `expect
refuted`, each of which has a refuted equation, and nothing could not be checked."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import MatcalcError, printable
from .model import Judgement, Row

#: A document's file extension -> its kind.
KINDS = {".md": "markdown", ".markdown": "markdown", ".tex": "latex"}
#: The path that names standard input.
STDIN = "-"


@dataclass(frozen=True)
class Document:
    """A document read: its name (the path as given, or <stdin>), text, kind and display rows."""

    name: str
    text: str
    kind: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Checked:
    """A document and the judgements on its equations."""

    document: Document
    judgements: list[Judgement]

    @property
    def unexpected(self) -> list[Judgement]:
        """The judgements not as expected: errors, refutations in a display not marked `expect
        refuted`, and all of a marked display when none of it is refuted."""
        marked = {j.display for j in self.judgements if j.expected}
        refuted = {j.display for j in self.judgements if j.verdict == "refuted"}

        def as_expected(j: Judgement) -> bool:
            if j.verdict == "error":
                return False
            return j.display in refuted if j.display in marked else j.verdict != "refuted"

        return [j for j in self.judgements if not as_expected(j)]

    @property
    def ok(self) -> bool:
        return not self.unexpected

    @property
    def error(self) -> bool:
        """Some equation could not be checked."""
        return any(j.verdict == "error" for j in self.judgements)


def is_document(path: str | Path) -> bool:
    """A path checked as a document: standard input (``-``), or a .md, .markdown or .tex file."""
    return str(path) == STDIN or Path(path).suffix.lower() in KINDS


def documents_below(folder: Path) -> list[Path]:
    """The documents in a folder and below it, except README files."""
    return sorted(p for suffix in KINDS for p in folder.rglob(f"*{suffix}")
                  if p.is_file() and p.stem.upper() != "README")


def text_kind(text: str) -> str:
    """The kind of a document known by its text only: LaTeX when it has \\begin{document}, else Markdown."""
    return "latex" if "\\begin{document}" in text else "markdown"


def kind_of(path: str | Path, text: str = "") -> str:
    """A document's kind, "markdown" or "latex", from its extension; standard input's from its ``text``."""
    if str(path) == STDIN:
        return text_kind(text)
    kind = KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise MatcalcError(f"not a document (expected {', '.join(KINDS)}): {printable(str(path))}")
    return kind


def parse(text: str, kind: str, name: str) -> Document:
    """A document's text read into rows; a display never closed or a malformed directive is a
    MatcalcError at ``name``:line:column."""
    from .extract import rows

    text = text.removeprefix("\ufeff")
    try:
        return Document(name, text, kind, tuple(rows(text, kind)))
    except MatcalcError as e:
        raise e.at(name) from None


def read(path: str | Path) -> Document:
    """The document at ``path`` (standard input for ``-``), read into rows."""
    from ..prooffile import read_text

    if str(path) == STDIN:
        text = sys.stdin.read()
        return parse(text, kind_of(STDIN, text), "<stdin>")
    return parse(read_text(path), kind_of(path), printable(str(path)))


def judged(document: Document, seed: int = 0) -> Checked:
    """The document's equations judged (the checker's points drawn with ``seed``); a document the
    judge cannot go through is one error judgement, of no line or display (0 and -1)."""
    from .judge import judge

    try:
        return Checked(document, judge(list(document.rows), name=document.name, seed=seed))
    except MatcalcError as e:
        message = str(e)
    except RecursionError:
        message = "too large to process (Python's recursion limit)"
    except Exception as e:  # a bug in matcalc: say so, and go on with the other files
        message = f"internal error, please report: {type(e).__name__}: {e}"
    return Checked(document, [Judgement(0, "", "unread", "error", message, display=-1)])


def check_document(text: str, kind: str, name: str) -> list[Judgement]:
    """The judgement on every equation of a document's text ("markdown" or "latex")."""
    from .judge import judge

    return judge(list(parse(text, kind, name).rows), name=name)
