"""The command line: list, prove, check, diff, formats and exit codes."""
import json
import subprocess
import sys
from pathlib import Path

from matcalc import __version__
from matcalc.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"


def run(*argv):
    return subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=ROOT)


def test_version_and_help():
    r = run("-m", "matcalc.cli", "--version")
    assert r.returncode == 0 and __version__ in r.stdout
    r = run("-m", "matcalc.cli", "--help")
    assert r.returncode == 0 and "prove" in r.stdout and "check" in r.stdout


def test_list_from_checkout_shim():
    r = run("cli.py", "list")
    assert r.returncode == 0 and "softmax-ce" in r.stdout and "seed:" in r.stdout


def test_list_json(capsys):
    assert main(["list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    names = {p["name"] for p in data["proofs"]}
    assert {"atxb", "dense-layer", "softmax-ce", "backprop"} <= names


def test_help_and_list_do_not_import_heavy_modules():
    code = ("import sys; from matcalc.cli import main; main(['list', '--format', 'plain']); "
            "bad = [m for m in ('sympy', 'mpmath', 'lark', 'rich') if m in sys.modules]; print(bad)")
    r = run("-c", code)
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout


def test_prove_softmax_ce(capsys):
    assert main(["prove", "softmax-ce", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "assumption sum(Y) = 1" in out
    assert "gradient: softmax(Z) - Y" in out
    assert "holds" in out


def test_diff_json_round_trips(capsys):
    assert main(["diff", "-Y' * log(softmax(z))", "--wrt", "W", "--sym", "W=matrix(n,m)", "--sym", "x=vector(m)",
                 "--sym", "b=vector(n)", "--sym", "Y=vector(n)", "--let", "z=W*x+b", "--assume", "sum(Y) = 1",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["gradient"] == "(softmax(z) - Y) * x'"
    assert data["verdict"] == "holds"
    assert set(data) >= {"matcalc", "f", "wrt", "gradient", "steps", "verdict"}
    assert all(set(s) == {"rule", "expr"} for s in data["steps"])


def test_check_json_contract(capsys):
    assert main(["check", str(DATA / "wrong"), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    keys = {"file", "proof", "claim", "f", "wrt", "kind", "claimed", "derived", "expected", "verdict", "message",
            "counterexample"}
    assert all(set(r) == keys for r in data["results"])
    assert data["summary"]["refuted"] >= 3 and data["summary"]["unexpected"] >= 3
    refuted = [r for r in data["results"] if r["verdict"] == "refuted"]
    assert all(r["counterexample"]["sizes"] and r["counterexample"]["point"] for r in refuted)
    assert any("right_gradient" in r["counterexample"] for r in refuted)


def test_wrong_folder_exits_1_with_counterexamples(capsys):
    assert main(["check", str(DATA / "wrong"), "--format", "plain"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "differing entries: [1,1]" in out and "right gradient: (A + A') * x" in out


def _counterexample_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("       ")]


def test_counterexamples_print_as_aligned_matrices_without_none_fields(capsys):
    """A counterexample reads as the terminal writes matrices: each matrix (the point, a direction, the
    claimed and the numeric gradient) a row per line, its columns aligned under the name; no Python
    dict, list or None anywhere, in the plain and in the terminal's layout."""
    for fmt in ("plain", "rich"):
        assert main(["check", str(DATA / "wrong"), "--format", fmt]) == 1
        lines = _counterexample_lines(capsys.readouterr().out)
        text = "\n".join(lines)
        assert lines and not any(mark in text for mark in ("{", "['", "None", "_"))
        assert "       at n=2" in lines
        # claim 2 (m=2, n=3): B is 2×3, X 3×2; each row of a matrix in its brackets, the columns aligned
        b = lines.index("       B = [-12/25  1/11 26/15]")
        assert lines[b + 1] == "           [ -2/13 49/20  -4/3]"
        start = next(i for i, line in enumerate(lines) if line.startswith("       claimed gradient = ["))
        rows = lines[start:start + 3]
        assert [r.index("[") for r in rows] == [26] * 3 and len({len(r) for r in rows}) == 1


def test_a_counterexample_has_no_null_field_and_names_its_stand_ins(tmp_path, capsys):
    """JSON keeps the counterexample's structure (matrices as "[a b; c d]" text, which matcalc recheck
    and the page read) without a null field: "functions" is there only when declared functions had
    stand-ins."""
    assert main(["check", str(DATA / "wrong"), "--format", "json"]) == 1
    refuted = [r["counterexample"] for r in json.loads(capsys.readouterr().out)["results"]]
    assert all(None not in cx.values() and "functions" not in cx for cx in refuted)
    p = tmp_path / "g.toml"
    p.write_text('[symbols]\nx = "vector(n)"\n[functions]\ng = "elementwise"\n'
                 '[[claims]]\nf = "sum(g(x))"\nwrt = "x"\ngradient = "g(x)"\n', encoding="utf-8")
    assert main(["check", str(p), "--format", "json"]) == 1
    (cx,) = [r["counterexample"] for r in json.loads(capsys.readouterr().out)["results"]]
    assert cx["functions"].startswith("g(x) = ") and None not in cx.values()
    assert main(["check", str(p), "--format", "plain"]) == 1
    assert "       with g(x) = " in capsys.readouterr().out


def test_expected_refutation_passes(tmp_path, capsys):
    p = tmp_path / "m.toml"
    p.write_text('name = "m"\n[symbols]\nx = "vector(n)"\nA = "matrix(n, n)"\n[[claims]]\nf = "x\' * A * x"\n'
                 'wrt = "x"\ngradient = "2 * A * x"\nexpect = "refuted"\n', encoding="utf-8")
    assert main(["check", str(p), "--format", "plain"]) == 0


def test_formats_render(capsys):
    for fmt in ("rich", "plain", "latex", "markdown", "json"):
        assert main(["prove", "atxb", "--format", fmt]) == 0
        assert "A" in capsys.readouterr().out
