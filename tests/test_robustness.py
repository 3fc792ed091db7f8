"""Hostile input: no crash, no hang, no lost result. Every bad input is one line
on stderr with exit status 2 (or a MatcalcError from the API); legal input works."""
import io
import json
import time
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import matcalc
from matcalc.cli import main
from matcalc.errors import MatcalcError
from matcalc.language import show
from matcalc.parser import parse
from matcalc.prooffile import ProofFile, make_claim, make_scope
from matcalc.report import run_claim

X = ["--sym", "X=matrix(m, n)"]
GOOD = 'name = "good"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "x\' * x"\nwrt = "x"\ngradient = "2 * x"\n'


def run(argv: list[str]) -> tuple[int, str, str]:
    """main() in-process: (exit status, stdout, stderr); argparse's exits count as statuses."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else 2
    return status, out.getvalue(), err.getvalue()


def one_line_error(argv: list[str], expected: str) -> str:
    status, out, err = run(argv)
    lines = err.strip().splitlines()
    assert status == 2 and len(lines) == 1 and lines[0].startswith("matcalc: error: "), (status, err)
    assert expected in lines[0], lines[0]
    assert "Traceback" not in out + err
    return lines[0]


# --- crashes -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["plain", "rich", "latex", "markdown", "json"])
def test_lambda_is_printed_in_every_format(fmt):
    status, out, err = run(["prove", "least-squares", "--format", fmt])
    assert status == 0 and "lambda" in out.replace("λ", "lambda"), err
    if fmt == "latex":
        assert "\\lambda" in out and out.isascii()


@pytest.mark.parametrize("name", ["λ", "Λ", "lambda", "Lambda"])
def test_lambda_names(name):
    status, out, err = run(["diff", f"sum({name})", "--wrt", name, "--sym", f"{name}=vector(n)", "--format", "latex"])
    assert status == 0 and out.isascii() and "\\lambda" in out.replace("\\Lambda", "\\lambda"), err


@pytest.mark.parametrize("f, gradient, where", [
    ("sum(X) / 0", None, "f:1:8: division by zero"),
    ("sum(X) * (0/0)", None, "f:1:10: division by zero"),
    ("sum(X .^ (1/0))", None, "f:1:10: division by zero"),
    ("sum(X .^ -(1 / 0))", None, "f:1:16: division by zero"),
    ("sum(X ./ 0.0)", None, "f:1:7: division by zero"),
    ("sum(X) * 0 ^ -1", None, "f:1:12: division by zero"),
    ("sum(X)", "ones(m, n) * (0/0)", "gradient:1:14: division by zero"),
])
def test_division_by_a_literal_zero_is_an_error_at_its_place(f, gradient, where):
    one_line_error(["diff", f, "--wrt", "X", *X] + (["--gradient", gradient] if gradient else []), where)


def test_division_by_zero_the_engine_meets_is_no_crash():
    status, out, err = run(["diff", "sum(X) * (1 / (c - c))", "--wrt", "X", *X, "--sym", "c=scalar"])
    assert status in (1, 2) and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["plain", "json", "markdown", "latex", "rich"])
def test_a_bad_file_among_good_ones_costs_nothing(tmp_path, fmt):
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD.replace("2 * x", "x / 0").replace("good", "bad"), encoding="utf-8")
    (tmp_path / "c.toml").write_text(GOOD.replace("good", "also-good"), encoding="utf-8")
    status, out, err = run(["check", str(tmp_path), "--format", fmt])
    assert status == 2 and "Traceback" not in err
    assert "division by zero" in out and out.count("holds") + out.count("hold") >= 2
    if fmt == "json":
        data = json.loads(out)
        assert [r["verdict"] for r in data["results"]] == ["holds", "error", "holds"]
        assert data["summary"]["error"] == 1


@pytest.mark.parametrize("target", ["{tmp}/file.txt/out.txt", "{tmp}/" + "a" * 300 + ".txt", "{tmp}/no/such/dir/o.txt"])
def test_output_that_cannot_be_written(tmp_path, target):
    (tmp_path / "file.txt").write_text("a file, not a folder")
    path = target.format(tmp=tmp_path)
    one_line_error(["diff", "tr(X)", "--wrt", "X", "--sym", "X=matrix(n, n)", "--output", path], "cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # nothing written half-way


def test_output_is_written_whole(tmp_path):
    path = tmp_path / "d.json"
    assert run(["diff", "tr(X)", "--wrt", "X", "--sym", "X=matrix(n, n)", "--output", str(path)])[0] == 0
    assert json.loads(path.read_text())["gradient"] == "eye(n)"
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


def test_circular_assumption(tmp_path):
    one_line_error(["diff", "c * tr(X)", "--wrt", "X", "--sym", "X=matrix(n, n)", "--sym", "c=scalar",
                    "--assume", "c = 2 * c"], "circular")
    p = tmp_path / "circ.toml"
    p.write_text('assume = ["c = 2 * c"]\n' + GOOD.replace('x = "vector(n)"', 'x = "vector(n)"\nc = "scalar"'))
    status, out, _ = run(["check", str(p), "--format", "plain"])
    assert status == 2 and f"{p}: assume[1]: assumption 'c = 2 * c' is circular" in out
    with pytest.raises(MatcalcError, match="circular"):
        matcalc.derive("c * sum(X)", "X", {"X": "matrix(m, n)", "c": "scalar"}, assume=["c = 2 * c"])


def test_assumptions_that_undo_each_other_stop_with_a_message():
    with pytest.raises(MatcalcError, match="simplification loops"):
        matcalc.derive("c * sum(X)", "X", {"X": "matrix(m, n)", "c": "scalar", "b": "scalar"},
                       assume=["c = b", "b = c"])


@pytest.mark.parametrize("kw", [
    {"let": ["z=X"]}, {"functions": "sigma=elementwise"}, {"assume": None}, {"seed": [1]}, {"seed": True},
    {"symbols": ["X=matrix(m, n)"]}, {"symbols": {"X": 3}}, {"f": 3}, {"wrt": None}, {"gradient": 2},
])
def test_api_arguments_of_the_wrong_type(kw):
    args = {"f": "sum(X)", "wrt": "X", "symbols": {"X": "matrix(m, n)"}, **kw}
    with pytest.raises(MatcalcError):
        if "gradient" in kw:
            matcalc.check(**args)
        else:
            matcalc.derive(**args)


@pytest.mark.parametrize("path", [None, 3, b"proofs", "a\x00b.toml", "/no/such/file.toml"])
def test_load_of_a_bad_path(path):
    with pytest.raises(MatcalcError):
        matcalc.load(path)


# --- hangs -----------------------------------------------------------------------------

def test_huge_dimensions_are_refused_when_declared():
    one_line_error(["diff", "sum(X)", "--wrt", "X", "--sym", "X=matrix(999999999999, 3)"],
                   "symbols.X: dimension 999999999999 is larger than 1000")
    one_line_error(["diff", "sum(x) * tr(eye(100000))", "--wrt", "x", "--sym", "x=vector(n)"], "f:1:17: dimension 100000")


def _cpu_seconds(fn):
    """(fn(), the CPU time this process spent on it): what the work costs, whatever else runs beside
    it (wall time grows under load; a hang still shows, as CPU time that grows without bound)."""
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def _timed(argv: list[str], budget: float) -> tuple[int, str, str]:
    result, spent = _cpu_seconds(lambda: run(argv))
    assert spent < budget, argv[:2]
    return result


def test_exponential_growth_stops_with_a_message():
    nested = "softmax(" * 30 + "x" + ")" * 30
    status, _, err = _timed(["diff", f"sum({nested})", "--wrt", "x", "--sym", "x=vector(n)"], 20)
    assert status == 2 and "could not derive" in err and "limit" in err
    lets = ["--let", "z1=x .* x"] + [a for i in range(2, 41) for a in ("--let", f"z{i}=z{i - 1} .* z{i - 1}")]
    status, _, err = _timed(["diff", "sum(z40)", "--wrt", "x", "--sym", "x=vector(n)", *lets], 20)
    assert status == 2 and "could not derive" in err


def test_a_product_of_600_factors_is_derived():
    scope = make_scope({"x": "vector(n)", "c": "scalar"})
    f = "sum(x) * " + " * ".join(["c"] * 600)
    from matcalc.engine.derivation import derive

    d, spent = _cpu_seconds(lambda: derive(parse(f, scope), parse("x", scope), scope=scope))
    assert show(d.gradient) == "c ^ 600 * ones(n)" and spent < 30


def test_too_deep_is_one_line():
    one_line_error(["diff", "-(" * 20_001 + "x' * x" + ")" * 20_001, "--wrt", "x", "--sym", "x=vector(n)"],
                   "nested more than 20000 levels deep")


# --- the command line ----------------------------------------------------------------------

def test_expression_starting_with_a_minus_sign():
    status, out, err = run(["diff", "-tr(X)", "--wrt", "X", "--sym", "X=matrix(n, n)", "--format", "json"])
    assert status == 0 and json.loads(out)["gradient"] == "-eye(n)", err
    status, out, err = run(["diff", "--wrt", "X", "--sym", "X=matrix(n, n)", "--gradient", "-eye(n)",
                            "--format", "json", "--", "-tr(X)"])
    assert status == 0 and json.loads(out)["verdict"] == "holds", err


def test_a_folder_without_proof_files(tmp_path):
    one_line_error(["check", str(tmp_path)], f"no proof files in {tmp_path}")
    (tmp_path / "empty").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "a.toml").write_text(GOOD, encoding="utf-8")
    status, out, _ = run(["check", str(tmp_path / "empty"), str(tmp_path / "full"), "--format", "plain"])
    assert status == 2 and "no proof files in" in out and "1 holds, 0 refuted, 1 error;" in out


def test_control_characters_are_escaped(tmp_path):
    p = tmp_path / "esc.toml"
    p.write_text('title = "red \\u001b[31m alert \\u202e"\n' + GOOD.replace(
        'gradient = "2 * x"', 'gradient = "2 * x"\nnote = "\\u001b[2J"'), encoding="utf-8")
    for fmt in ("plain", "rich", "markdown", "latex"):
        status, out, err = run(["prove", str(p), "--format", fmt])
        assert status == 0 and "\x1b" not in out + err and "\u202e" not in out, fmt
    status, out, err = run(["check", str(tmp_path / "x\x1b[31m.toml"), "--format", "plain"])
    assert status == 2 and "\x1b" not in out + err


def test_byte_order_mark_is_accepted(tmp_path):
    p = tmp_path / "bom.toml"
    p.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert run(["check", str(p), "--format", "plain"])[0] == 0


def test_greek_names_every_printer_spells():
    one_line_error(["diff", "sum(Ώ)", "--wrt", "Ώ", "--sym", "Ώ=vector(n)"], "bad symbol name 'Ώ'")
    one_line_error(["diff", "sum(x) * tr(eye(ϰ))", "--wrt", "x", "--sym", "x=vector(n)"], "bad dimension name")
    status, out, _ = run(["diff", "sum(δ .* ω) * tr(eye(ν))", "--wrt", "δ", "--sym", "δ=vector(k)",
                          "--sym", "ω=vector(k)", "--format", "latex", "--standalone"])
    assert status == 0 and out.isascii() and "\\delta" in out and "I_{\\nu}" in out


# --- what people read -----------------------------------------------------------------------

@pytest.mark.parametrize("f, wrt, gradient", [
    ("sum(X .^ 1.5)", "X", "(3/2) * X .^ (1/2)"),
    ("sum(sqrt(X .^ 2))", "X", "X ./ sqrt(X .^ 2)"),
    ("sum((X .^ 2) .^ 0.5)", "X", "(X .^ 2) .^ -(1/2) .* X"),
    ("logdet(inv(S))", "S", "-inv(S)'"),
    ("tr(inv(inv(S)))", "S", "eye(n)"),
    ("sum(c)", "c", "1"),
    ("sum(exp(c))", "c", "exp(c)"),
])
def test_derived_gradients_read_well_and_parse_back(f, wrt, gradient):
    symbols = {"X": "matrix(m, n)", "S": "matrix(n, n)", "c": "scalar"}
    d = matcalc.derive(f, wrt, symbols)
    assert show(d.gradient) == gradient and d.verdict.holds
    assert parse(gradient, make_scope(symbols)) == d.gradient


def test_summary_grammar():
    from matcalc.printers.plain import summary_line

    assert summary_line({"holds": 1, "refuted": 0, "error": 1, "unexpected": 1}) == \
        "1 holds, 0 refuted, 1 error; 1 not as expected"
    assert summary_line({"holds": 2, "refuted": 1, "error": 2, "unexpected": 0}).startswith("2 hold, 1 refuted, 2 errors")


def test_a_refuted_engine_gradient_is_said_once():
    scope = make_scope({"x": "vector(n)"})
    claim = make_claim(1, "x' * x", "x", None, scope)
    report = run_claim(ProofFile("p", "t", "", "p.toml", scope, (), (claim,)), claim)
    wrong = replace(report, derived=replace(report.derived, status="refuted", message="differs at x = 1"))
    assert wrong.message.count("differs at x = 1") == 1


# --- fuzz: random command lines and proof files through main() ------------------------------

EXPRS = ["x' * x", "-tr(S)", "sum(X) / 0", "(1/0)", "x' * * x", "log(softmax(x))", "sum(X .^ 1000000)",
         "c ^ 123", "sum(λ .* x)", "tr(eye(100000))", "inv(S)", "x' * S * x", "sum(exp(X))", "0/0", "",
         "-", "((", "sum(X .^ (1/3))", "det(S) * c", "norm(X)", "\x1b[31m", "Ώ", "sum(sigma(X))"]
TOKENS = ["list", "prove", "check", "diff", "--wrt", "--sym", "--fn", "--let", "--assume", "--gradient",
          "--format", "--output", "--seed", "--quiet", "--standalone", "--emit", "numpy", "jax", "--", "-q", "-h",
          "json", "plain", "rich", "latex", "markdown", "mathml", "x", "X", "S", "c", "x=vector(n)", "X=matrix(n, m)",
          "S=matrix(n,n)", "c=scalar", "λ=vector(n)", "sigma=elementwise", "X=matrix(0, 2)", "z=x + x", "sum(x) = 1",
          "c = 2 * c",
          "softmax-ce", "atxb", "no-such", "{tmp}", "{tmp}/o.json", "{tmp}/o.tex", "{tmp}/f.toml", "-1",
          "99999999999999999999", *EXPRS]
FRAGMENTS = ['name = "f"\n', 'title = "t\\u001b"\n', 'assume = ["sum(x) = 1"]\n', 'assume = ["c = 2 * c"]\n',
             "[symbols]\n", 'x = "vector(n)"\n', 'X = "matrix(n, m)"\n', 'S = "matrix(n, n)"\n', 'c = "scalar"\n',
             'X = "matrix(99999999, 2)"\n', "[functions]\n", 'sigma = "elementwise"\n', "[let]\n", 'z = "S * x"\n',
             "[[claims]]\n", 'wrt = "x"\n', 'wrt = "X"\n', 'expect = "refuted"\n', "\ufeff", "[[claims]\n"]
FRAGMENTS += [f'f = "{e}"\n' for e in EXPRS if '"' not in e and "\\" not in e]
FRAGMENTS += [f'gradient = "{e}"\n' for e in ("2 * x", "x / 0", "S * x", "ones(n, m)")]


def _fuzz(argv: list[str], files: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(files):
            (Path(tmp) / f"p{i}.toml").write_text(text, encoding="utf-8")
        argv = [a.format(tmp=tmp) if a.startswith("{tmp}") else a for a in argv]
        (status, out, err), took = _cpu_seconds(lambda: run(argv))
    assert status in (0, 1, 2), (argv, status)
    assert "Traceback" not in out + err and "internal error" not in out + err, (argv, err)
    assert took < 30, (argv, took)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=10),
    st.tuples(st.sampled_from(EXPRS), st.lists(st.sampled_from(TOKENS), max_size=6)).map(
        lambda t: ["diff", t[0], "--wrt", "x", "--sym", "x=vector(n)", "--sym", "X=matrix(n, m)",
                   "--sym", "S=matrix(n, n)", "--sym", "c=scalar", *t[1]])))
def test_fuzz_command_lines(argv):
    _fuzz(argv, [GOOD])


SYMBOLS = 'name = "s"\n[symbols]\nx = "vector(n)"\nX = "matrix(n, m)"\nS = "matrix(n, n)"\nc = "scalar"\n'
SAFE = [e for e in EXPRS if '"' not in e and "\\" not in e and "\x1b" not in e]
CLAIMS = st.builds(lambda f, wrt, g: f'[[claims]]\nf = "{f}"\nwrt = "{wrt}"\n' + (f'gradient = "{g}"\n' if g else ""),
                   st.sampled_from(SAFE), st.sampled_from(["x", "X", "S", "c"]), st.sampled_from([None, *SAFE]))
FILES = st.one_of(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
                  st.lists(CLAIMS, min_size=1, max_size=3).map(lambda cs: SYMBOLS + "".join(cs)))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(FILES, min_size=1, max_size=3),
       st.sampled_from(["plain", "json", "rich", "latex", "markdown", "mathml"]))
def test_fuzz_proof_files(files, fmt):
    _fuzz(["check", "{tmp}", "--format", fmt], files)
    _fuzz(["prove", "{tmp}/p0.toml", "--format", fmt], files)


@pytest.mark.slow
def test_every_catalog_proof_prints_in_every_format():
    from matcalc.documents import proof_document
    from matcalc.printers.terminal import console
    from matcalc.proof_catalog import entries

    from .catalog_reports import reports

    for entry in entries():
        proof, done = reports(entry.name)
        render = proof_document(proof, list(done))
        for fmt in ("plain", "latex", "markdown", "json"):
            text = render(fmt, True)
            assert entry.name in text or proof.title in text or fmt == "latex"
            assert fmt != "latex" or text.isascii(), entry.name
        ET.fromstring(f"<div>{render('mathml')}</div>")  # well-formed: every tag closed, all text escaped
        con = console(record=True, file=io.StringIO(), width=120)
        con.print(render("rich"))
        assert con.export_svg(title="matcalc")
