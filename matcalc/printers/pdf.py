"""Compile a standalone LaTeX document with pdflatex (when it is installed)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import MatcalcError


def compile_pdf(tex: str) -> bytes:
    """The PDF of ``tex``; a clear error naming pdflatex when it is missing or fails."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise MatcalcError("writing a PDF needs pdflatex, which is not installed "
                           "(Debian: apt-get install texlive-latex-base)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "derivation.tex"
        src.write_text(tex, encoding="ascii")
        r = subprocess.run([exe, "-halt-on-error", "-interaction=nonstopmode", src.name],
                           cwd=tmp, capture_output=True, text=True, errors="replace", timeout=120)
        pdf = src.with_suffix(".pdf")
        if r.returncode != 0 or not pdf.exists():
            first = next((l for l in r.stdout.splitlines() if l.startswith("!")), "unknown error")
            raise MatcalcError(f"pdflatex failed: {first}")
        return pdf.read_bytes()
