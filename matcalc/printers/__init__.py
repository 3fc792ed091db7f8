"""Printers: one module per output format; they format, never compute. Every format's module is a
Printer (the same three documents, with the same signatures); ``printer(fmt)`` imports it on first use."""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..proof_catalog import Entry
    from ..prooffile import ProofFile
    from ..report import ClaimReport

#: A printed document: text, except in the terminal format, where it is a rich renderable.
Document = Any


class Printer(Protocol):
    """What every format prints."""

    def proof(self, proof: ProofFile, reports: list[ClaimReport], *, standalone: bool = False) -> Document:
        """A proof's claims, derived and checked (a whole document with ``standalone``, in LaTeX and MathML)."""

    def check_results(self, reports: list[ClaimReport], summary: dict, *, quiet: bool = False,
                      standalone: bool = False) -> Document:
        """`matcalc check`'s results and ``summary`` (``quiet``: the terminal lists only what is not as expected)."""

    def catalog(self, entries: list[Entry]) -> Document:
        """`matcalc list`: the catalog's proofs by group."""


#: Output format -> the module that prints it.
PRINTERS = {"rich": "terminal", "plain": "plain", "latex": "latex", "markdown": "markdown", "json": "json_out",
            "mathml": "mathml_document"}


def printer(fmt: str) -> Printer:
    """The printer of format ``fmt`` (one of PRINTERS)."""
    return import_module(f".{PRINTERS[fmt]}", __name__)  # type: ignore[return-value]
