"""matcalc recheck: the checker's refutation certificates, re-evaluated by an evaluator that shares no
code with matcalc.checker, are confirmed; tampered ones are not; bad input is one line, exit 2."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from matcalc.check_files import summarize
from matcalc.cli import main
from matcalc.language import show
from matcalc.printers import json_out
from matcalc.prooffile import load, make_claim
from matcalc.recheck import Certificate, recheck
from matcalc.report import run_claim, run_proof

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "proofs" / "mistakes").glob("*.toml")) + [
    ROOT / "proofs" / "second-order" / "mistakes.toml", ROOT / "proofs" / "symmetric" / "cookbook-symmetric.toml"]


@pytest.fixture(scope="module")
def reports():
    return [r for path in FILES for r in run_proof(load(path))]


@pytest.fixture(scope="module")
def refuted(reports):
    """(report, certificate) for every refuted claim of the files."""
    out = [(r, r.claimed.certificate) for r in reports if r.verdict == "refuted"]
    assert len(out) == 25 and all(c is not None for _, c in out)
    return out


def _confirmed(cert: dict) -> bool:
    return recheck(Certificate(cert, "test")).confirmed


def test_every_certificate_of_a_refuted_claim_is_confirmed(refuted):
    kinds = {c["kind"] for _, c in refuted}
    assert kinds == {"gradient", "jacobian", "hessian", "symmetry"}
    unconfirmed = [(r.file, r.claim.index, recheck(Certificate(c, "test")).line())
                   for r, c in refuted if not _confirmed(c)]
    assert unconfirmed == []


def test_the_right_result_in_place_of_the_claim_is_not_confirmed(refuted):
    for r, c in refuted:
        right = {**c, "claim": show(r.derivation.gradient)}
        result = recheck(Certificate(right, "test"))
        assert not result.confirmed, result.line()
        assert result.line().startswith("NOT confirmed: ")


def test_a_point_where_the_claim_holds_is_not_confirmed(refuted):
    cert = next(c for _, c in refuted if c["f"] == "x' * A * x" and c["claim"] == "2 * A * x")
    assert _confirmed(cert)
    symmetric_a = {**cert["point"], "A": [["2", "1/3"], ["1/3", "-9/4"]]}  # 2 A x is the gradient for A = A'
    assert not _confirmed({**cert, "point": symmetric_a})
    hessian = next(c for _, c in refuted if c["kind"] == "hessian" and c["claim"] == "M' * M")
    assert _confirmed(hessian)
    zero_m = {**hessian["point"], "M": [["0"] * 3] * 2}  # M' * M = 2 * M' * M = 0
    assert not _confirmed({**hessian, "point": zero_m})


def test_a_domain_refutation_is_confirmed_and_not_at_a_point_inside_the_domain():
    proof = load(ROOT / "proofs" / "mistakes" / "common-mistakes.toml")
    claim = make_claim(1, "x' * x", "x", "2 * x + 0 * sqrt(x)", proof.scope)
    cert = run_claim(proof, claim).claimed.certificate
    assert cert["kind"] == "domain" and _confirmed(cert)
    assert not _confirmed({**cert, "point": {"x": [["1"], ["2"]] + [["3"]] * (cert["sizes"]["n"] - 2)}})
    assert not _confirmed({**cert, "claim": "2 * x"})


def _write(tmp_path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_command_line_reads_check_output(reports, refuted, tmp_path, capsys):
    good = _write(tmp_path, "check.json", json_out.check_results(reports, summarize(reports)))
    assert main(["recheck", good]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(refuted) + 1 and all(s.startswith("confirmed: ") for s in lines[:-1])
    assert lines[0].startswith("confirmed: gradient of f = C(z) by Zp at sizes n=2: claim ")
    assert lines[-1] == f"{len(refuted)} certificates: {len(refuted)} confirmed, 0 not confirmed"
    r, c = refuted[0]
    tampered = _write(tmp_path, "tampered.json", {"results": [{"counterexample": {
        "certificate": {**c, "claim": show(r.derivation.gradient)}}}]})
    assert main(["recheck", good, tampered]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-2].startswith("NOT confirmed: gradient of f = C(z)") and out[-1].endswith("1 not confirmed")


def test_diff_json_carries_the_certificate(tmp_path, capsys):
    argv = ["diff", "x' * A * x", "--wrt", "x", "--sym", "x=vector(n)", "--sym", "A=matrix(n,n)",
            "--hessian", "2 * A", "--format", "json"]
    assert main(argv) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["counterexample"]["certificate"]["kind"] == "symmetry"
    assert main(["recheck", _write(tmp_path, "diff.json", data)]) == 0


@pytest.mark.parametrize("content, message", [
    (None, "cannot read"),
    ("{not json", "not JSON"),
    ({"results": [{"counterexample": None}]}, "no certificate found"),
    ({"certificate": {"kind": "gradient"}}, "malformed certificate: f must be a string"),
    ({"certificate": {"kind": "magic", "f": "x"}}, "malformed certificate: kind must be one of"),
    ({"certificate": {"kind": "symmetry", "f": "x' * x", "claim": "2 * x", "wrt": "x",
                      "symbols": {"x": "vector(n)"}, "sizes": {"n": 2}, "point": {"x": [["1"]]},
                      "claimed": "1", "actual": "2", "entry": [1, 2]}}, "expected a 2×1 matrix"),
    ({"certificate": {"kind": "gradient", "f": "x' * (x", "claim": "2 * x", "wrt": "x",
                      "symbols": {"x": "vector(n)"}}}, "unexpected end of expression"),
    ({"certificate": {"kind": "gradient", "f": "x' * x", "claim": "2 * x", "wrt": "x", "symbols": {"x": "vector(n)"},
                      "sizes": {"n": 1}, "point": {"x": [["1/0"]]}}}, "not a rational number"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = str(tmp_path / "missing.json") if content is None else _write(tmp_path, "bad.json", content)
    assert main(["recheck", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("matcalc: error: ") and message in captured.err


def test_recheck_imports_nothing_of_the_checker():
    code = ("import sys, json; from matcalc.recheck import Certificate, recheck; "
            "c = {'kind': 'gradient', 'f': \"x' * x\", 'claim': 'x', 'wrt': 'x', 'symbols': {'x': 'vector(n)'}, "
            "'sizes': {'n': 1}, 'point': {'x': [['1']]}, 'precision': 64, 'claimed': '1', 'actual': '2', "
            "'direction': [['1']]}; assert recheck(Certificate(c, 'c')).confirmed; "
            "print(sorted(m for m in sys.modules if m.startswith('matcalc.checker')))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_a_certificate_states_its_assumptions_and_a_point_off_them_is_not_confirmed():
    import matcalc
    v = matcalc.check("-Y' * log(softmax(Z))", "Z", "2 * softmax(Z) - Y", {"Z": "vector(n)", "Y": "vector(n)"},
                      assume=["sum(Y) = 1"])
    cert = v.certificate
    assert v.status == "refuted" and cert["assume"] == ["sum(Y) = 1"] and _confirmed(cert)
    off = {**cert["point"], "Y": [["1"]] + cert["point"]["Y"][1:]}
    off["Y"][0] = [str(1 + sum(__import__("fractions").Fraction(y[0]) for y in cert["point"]["Y"]))]
    result = recheck(Certificate({**cert, "point": off}, "test"))
    assert not result.confirmed and "breaks the assumption" in result.line()


def test_a_certificate_names_only_the_lets_it_uses():
    import matcalc
    v = matcalc.check("det(X)", "X", "inv(X)", {"X": "matrix(n, n)", "V": "matrix(n, n)"}, let={"S": "V + V'"})
    assert v.certificate["let"] == {} and _confirmed(v.certificate)


def test_a_certificate_under_an_irrational_assumption_is_confirmed():
    import matcalc
    v = matcalc.check("sum(x .* x .* x)", "x", "2 * x", {"x": "vector(n)"}, assume=["sum(x) = exp(1)"])
    assert v.status == "refuted" and _confirmed(v.certificate)
    assert "≈" in v.counterexample["point"]["x"]  # shown to 12 digits; exact in the certificate
