"""The documents the command line prints or writes. Each is a Render: (format, standalone) -> the
document, by the format's printer; ``file_bytes`` makes one the content of an --output file, in
the format its extension names (.svg: the terminal's rendering, .pdf: the LaTeX compiled)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import MatcalcError, printable
from .printers import Document, printer

if TYPE_CHECKING:
    from .notes import Checked
    from .proof_catalog import Entry
    from .prooffile import ProofFile
    from .report import ClaimReport

#: A document in any format: render(fmt, standalone=False).
Render = Callable[..., Document]

#: An --output file's extension -> the format written.
OUTPUT_FORMATS = {".tex": "latex", ".html": "mathml", ".md": "markdown", ".json": "json", ".txt": "plain", ".svg": "svg",
                  ".pdf": "pdf"}


def proof_document(proof: ProofFile, reports: list[ClaimReport]) -> Render:
    """`matcalc prove`: the proof's claims, derived and checked."""
    return lambda fmt, standalone=False: printer(fmt).proof(proof, reports, standalone=standalone)


def diff_document(proof: ProofFile, report: ClaimReport) -> Render:
    """`matcalc diff`: the one claim as a proof, except in JSON (the derivation object)."""
    def render(fmt: str, standalone: bool = False) -> Document:
        if fmt == "json":
            from .printers import json_out

            return json_out.diff(report, proof.scope)
        return printer(fmt).proof(proof, [report], standalone=standalone)

    return render


def check_document(reports: list[ClaimReport], summary: dict, *, quiet: bool,
                   documents: Sequence[Checked] = ()) -> Render:
    """`matcalc check`: every claim's result and the summary, then the documents checked."""
    def render(fmt: str, standalone: bool = False) -> Document:
        if not documents:
            return printer(fmt).check_results(reports, summary, quiet=quiet, standalone=standalone)
        from .notes.report import check_output

        return check_output(fmt, reports, summary, list(documents), quiet=quiet, standalone=standalone)

    return render


def catalog_document(entries: list[Entry]) -> Render:
    """`matcalc list`: the catalog."""
    return lambda fmt, standalone=False: printer(fmt).catalog(entries)


def plans_document(files: list[Path], proofs: list[ProofFile], *, seed: int) -> Render:
    """`matcalc check --explain`: every claim's plan, one block per claim, the same text in every format."""
    from .language import show
    from .report import claim_numbers, explain

    def plan(f: Path, proof: ProofFile, index: int) -> str:
        place = f"{printable(str(f))}::{proof.name}::claim-{index}"
        bad = next((b for b in proof.bad if b.index == index), None)
        if bad is not None:  # a claim that could not be read: no plan, its error
            return f"{place}: error: {bad.error}"
        c = next(c for c in proof.claims if c.index == index)
        return f"{place}: the {c.kind} of {show(c.f)} by {c.wrt.name}\n{explain(proof, c, seed=seed)}"

    text = "\n\n".join(plan(f, proof, i) for f, proof in zip(files, proofs) for i in claim_numbers(proof)) + "\n"
    return lambda fmt, standalone=False: text


def output_format(path: Path) -> str:
    """The format an --output file is written in, from its extension."""
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise MatcalcError(f"--output {path}: unknown extension (use {', '.join(OUTPUT_FORMATS)})")
    return fmt


def file_bytes(render: Render, fmt: str) -> bytes:
    """The document in output format ``fmt`` (LaTeX and MathML whole), as a file's content."""
    if fmt == "svg":
        import io

        from .printers.terminal import console

        con = console(record=True, file=io.StringIO(), width=120)
        con.print(render("rich"))
        return con.export_svg(title="matcalc").encode("utf-8")
    if fmt == "pdf":
        from .printers.pdf import compile_pdf

        return compile_pdf(render("latex", True))
    return render(fmt, fmt in ("latex", "mathml")).encode("utf-8")
