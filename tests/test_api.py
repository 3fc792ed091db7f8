"""The Python API: the README example, errors, notebook display, agreement with the CLI."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import matcalc
from matcalc.cli import main
from matcalc.printers import json_out
from matcalc.language import show

ROOT = Path(__file__).resolve().parents[1]


def test_readme_example_runs(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "(softmax(W * x + b) - Y) * x'" in r.stdout
    assert "refuted (A + A') * x" in r.stdout


def test_public_names():
    assert set(matcalc.__all__) >= {"derive", "check", "load", "catalog", "Derivation", "Verdict", "MatcalcError"}
    for name in matcalc.__all__:
        assert getattr(matcalc, name) is not None


@pytest.mark.parametrize("call", [
    lambda: matcalc.derive("x +", "x", {"x": "vector(n)"}),
    lambda: matcalc.derive("x' * x", "y", {"x": "vector(n)"}),
    lambda: matcalc.derive("W * x", "x", {"x": "vector(n)", "W": "matrix(m, n)"}, kind="hessian"),
    lambda: matcalc.derive("x' * x", "x", {"x": "vector(n)"}, kind="jacobian"),
    lambda: matcalc.check("x' * x", "x", symbols={"x": "vector(n)"}),
    lambda: matcalc.check("x' * x", "x", "2 * x", {"x": "vector(n)"}, hessian="2 * eye(n)"),
    lambda: matcalc.derive("x' * x", "x", {"x": "vektor(n)"}),
    lambda: matcalc.derive("x' * x", "x", ["x"]),
    lambda: matcalc.derive("C'(x)' * x", "x", {"x": "vector(n)"}, functions={"C": "scalar"}),
    lambda: matcalc.check("x' * x", "x", "x'", {"x": "vector(n)"}),
    lambda: matcalc.check("x' * x", "x", "2 * x", {"x": "vector(n)"}, assume=["exp(x' * x) = 1"]),
    lambda: matcalc.load(ROOT / "no-such-file.toml"),
])
def test_errors_are_matcalc_errors(call):
    with pytest.raises(matcalc.MatcalcError) as info:
        call()
    assert "\n" not in str(info.value)


def test_notebook_display():
    d = matcalc.derive("A' * X * B", "X", {"A": "vector(m)", "X": "matrix(m, n)", "B": "vector(n)"})
    tex = d._repr_latex_()
    assert tex.startswith("\\begin{align*}") and tex.endswith("\\end{align*}") and tex.isascii()
    assert "$$" in d._repr_markdown_()
    assert "A * B'" in str(d) and "holds" in repr(d)
    assert str(d.gradient) == "A * B'"
    assert json.loads(d.to_json())["gradient"] == "A * B'"
    v = matcalc.check("A' * X * B", "X", "B * A'", {"A": "vector(n)", "X": "matrix(n, n)", "B": "vector(n)"})
    assert not v and v.status == "refuted" and "**refuted**" in v._repr_markdown_()


def test_a_verdicts_markdown_shows_the_counterexample_as_aligned_matrices_without_none():
    v = matcalc.check("tr(A * X)", "X", "A", {"A": "matrix(n, n)", "X": "matrix(n, n)"})
    text = v._repr_markdown_()
    assert "None" not in text and "{'" not in text and "```text\nat n=2\n" in text
    lines = text.splitlines()
    a = lines.index(next(line for line in lines if line.startswith("A = [")))
    assert lines[a + 1].startswith("    [") and len(lines[a]) == len(lines[a + 1])  # its columns aligned


def _as_api_args(proof, claim):
    sc = proof.scope
    return dict(f=show(claim.f), wrt=claim.wrt.name, symbols={n: sc.declaration(n) for n in sc.symbols},
                functions=dict(sc.functions), let={n: show(b) for n, b in sc.lets.items()},
                assume=[str(a) for a in proof.assume])


@pytest.mark.slow
def test_api_agrees_with_cli_on_the_catalog(capsys):
    """The API against the command line's JSON on the seed folder, and against the reports the
    command line prints (shared with the printing tests) on the first claim of every other
    file: each API call derives and checks again, so not all 150."""
    from .catalog_reports import reports

    assert main(["check", str(ROOT / "proofs" / "seed"), "--format", "json"]) == 0
    cli = {(Path(r["file"]).name, r["claim"]): r for r in json.loads(capsys.readouterr().out)["results"]}
    for entry in matcalc.catalog():
        proof = matcalc.load(entry.path)
        if entry.group != "seed":
            rows = [json_out.claim_object(r) for r in reports(entry.name)[1]]
            cli.update({(entry.path.name, r["claim"]): r for r in rows})
        for claim in proof.claims if entry.group == "seed" else proof.claims[:1]:
            args = _as_api_args(proof, claim)
            row = cli[(entry.path.name, claim.index)]
            if claim.gradient is None:
                assert show(matcalc.derive(kind=claim.kind, **args).gradient) == row["derived"]
            else:  # a check derives too: its right answer is the derived one
                v = matcalc.check(**{claim.kind: show(claim.gradient)}, **args)
                assert v.status == row["verdict"] and show(v.right_gradient) == row["derived"]


@pytest.mark.slow  # mypy --strict over the public modules, in a subprocess
def test_public_modules_type_check():
    api = pytest.importorskip("mypy.api")
    out, err, status = api.run(["--strict", "--follow-imports=silent", "--no-incremental",
                                str(ROOT / "matcalc" / "api.py"), str(ROOT / "matcalc" / "__init__.py")])
    assert status == 0, out + err


def test_to_latex_compiles(tmp_path):
    import os
    import shutil

    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing under CI")
        pytest.skip("pdflatex is not installed")
    d = matcalc.derive("logdet(S) + tr(A * inv(S))", "S", {"S": "matrix(n, n)", "A": "matrix(n, n)"})
    (tmp_path / "d.tex").write_text(d.to_latex(standalone=True), encoding="ascii")
    r = subprocess.run([exe, "-halt-on-error", "-interaction=nonstopmode", "d.tex"], cwd=tmp_path, capture_output=True)
    assert r.returncode == 0


def test_load_takes_a_catalog_name_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert matcalc.load("atxb").claims and matcalc.load("softmax-ce").title
    with pytest.raises(matcalc.MatcalcError, match="no catalog proof named"):
        matcalc.load("no-such-proof")
