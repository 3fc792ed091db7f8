"""Printed output: golden files, LaTeX that compiles, --output files, the gallery, terminal niceties."""
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from matcalc.cli import main
from matcalc.printers import json_out, latex, markdown, plain, terminal
from matcalc.proof_catalog import entries

from . import catalog_reports

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
SEED = ["atxb", "dense-layer", "softmax-ce", "backprop"]


def _reports(name):
    proof, reports = catalog_reports.reports(name)
    return proof, list(reports)


def _rich(renderable) -> str:
    out = io.StringIO()
    terminal.console(file=out, color_system=None, width=100).print(renderable)
    return out.getvalue()


def _titled(p):
    """The proof with its title alone above the claims (as the golden text and terminal files show it)."""
    return replace(p, source="", assume=())


PRINTERS = {
    "txt": lambda p, rs: plain.proof(_titled(p), rs),
    "rich.txt": lambda p, rs: _rich(terminal.proof(_titled(p), rs)),
    "tex": lambda p, rs: latex.proof(p, rs),
    "md": lambda p, rs: markdown.proof(p, rs),
    "json": lambda p, rs: json_out.proof(p, rs).replace(str(p.path), p.path.split("proofs/")[-1]),
}


@pytest.mark.parametrize("name", SEED)
@pytest.mark.parametrize("ext", list(PRINTERS))
def test_golden(name, ext):
    proof, reports = _reports(name)
    text = PRINTERS[ext](proof, reports)
    path = GOLDEN / f"{name}.{ext}"
    if os.environ.get("MATCALC_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def _pdflatex():
    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing under CI (.ci/run installs it)")
        pytest.skip("pdflatex is not installed")
    return exe


CATALOG = [e.name for e in entries()]


@pytest.mark.slow
@pytest.mark.parametrize("name", CATALOG)
def test_latex_of_every_catalog_proof_compiles(tmp_path, name):
    exe = _pdflatex()
    proof, reports = _reports(name)
    tex = latex.proof(proof, reports, standalone=True)
    assert tex.isascii(), "Unicode reached the LaTeX"
    (tmp_path / "d.tex").write_text(tex, encoding="ascii")
    r = subprocess.run([exe, "-halt-on-error", "-interaction=nonstopmode", "d.tex"], cwd=tmp_path,
                       capture_output=True, text=True, errors="replace")
    assert r.returncode == 0, "\n".join(l for l in r.stdout.splitlines() if l.startswith("!"))


@pytest.mark.parametrize("ext", ["tex", "md", "json", "txt", "svg"])
def test_output_file(tmp_path, capsys, ext):
    out = tmp_path / f"d.{ext}"
    assert main(["prove", "atxb", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert capsys.readouterr().out == ""
    marker = {"tex": "\\begin{document}", "md": "### Claim 1", "json": '"gradient": "A * B\'"', "txt": "∂f/∂X", "svg": "<svg"}
    assert marker[ext] in text
    if ext == "json":
        json.loads(text)


def test_output_pdf(tmp_path):
    _pdflatex()
    out = tmp_path / "d.pdf"
    assert main(["prove", "softmax-ce", "--output", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_output_pdf_without_pdflatex(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = tmp_path / "d.pdf"
    assert main(["prove", "atxb", "--output", str(out)]) == 2
    assert "needs pdflatex" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.iterdir()), "nothing written half-way"


def test_output_unknown_extension(tmp_path, capsys):
    assert main(["prove", "atxb", "--output", str(tmp_path / "d.doc")]) == 2
    assert "unknown extension" in capsys.readouterr().err


def test_gallery_is_current():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from gallery import GALLERY, gallery_text
    finally:
        sys.path.pop(0)
    assert GALLERY.read_text(encoding="utf-8") == gallery_text(), "run python scripts/gallery.py"


def test_readme_shows_the_picture():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/softmax-ce.png" in readme and (ROOT / "docs" / "softmax-ce.png").exists()


def test_piped_output_has_no_colour():
    r = subprocess.run([sys.executable, "-m", "matcalc.cli", "prove", "atxb"], capture_output=True, text=True,
                       env={**os.environ, "NO_COLOR": ""})
    assert r.returncode == 0 and "\x1b[" not in r.stdout and "∂f/∂X" in r.stdout


def test_quiet_check(capsys):
    assert main(["check", str(ROOT / "proofs" / "seed"), "--quiet", "--format", "plain"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "not as expected" in out[0]
