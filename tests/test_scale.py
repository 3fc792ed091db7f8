"""Scale: derivations linear in depth, deep input without a recursion error, checks in parallel
(`matcalc check -j N`), the pytest plugin under pytest-xdist, and the stress-proof generator."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import matcalc
from matcalc.engine.derivation import derive
from matcalc.expr import Expr
from matcalc.prooffile import make_claim, make_scope

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from networks import sigmoid_network  # noqa: E402


def _network(L: int):
    n = sigmoid_network(L)
    scope = make_scope(n["symbols"], {}, n["let"])
    return make_claim(1, n["f"], n["wrt"], None, scope), scope


def _nodes_built(L: int, monkeypatch) -> int:
    """How many nodes the engine rebuilds deriving the L-layer network (deterministic, unlike time)."""
    c, scope = _network(L)
    count = [0]
    rebuild = Expr.rebuild

    def counting(self, *kids):
        count[0] += 1
        return rebuild(self, *kids)

    monkeypatch.setattr(Expr, "rebuild", counting)
    derive(c.f, c.wrt, scope=scope)
    monkeypatch.setattr(Expr, "rebuild", rebuild)
    return count[0]


def test_derivation_work_is_linear_in_depth(monkeypatch):
    """Each step of the differential phase changes one layer: the work per layer stays the same
    (before, each step rebuilt the whole path from the root, and doubling L quadrupled it). Steps
    small enough to show (up to SHOWN_NODES) are built whole, a bounded cost: measured past them."""
    n64, n128, n256 = (_nodes_built(L, monkeypatch) for L in (64, 128, 256))
    assert n128 / n64 <= 2.2 and n256 / n128 <= 2.2, (n64, n128, n256)


def test_a_step_that_touches_one_layer_keeps_the_let_names():
    c, scope = _network(3)
    d = derive(c.f, c.wrt, scope=scope)
    shown = [str(s.expr) for s in d.steps]
    assert any("a2" in s and "a1" in s for s in shown)
    assert str(d.gradient).count("a1") >= 1


@pytest.mark.slow
@pytest.mark.parametrize("L", [400])
def test_a_deep_let_chain_is_derived(L):
    """a400 is nested about 1,200 levels deep through its lets: the old limit was 1,000."""
    c, scope = _network(L)
    d = derive(c.f, c.wrt, scope=scope)
    assert d.gradient.shape == c.wrt.shape and len(d.steps) > 10


@pytest.mark.slow
def test_deep_input_needs_no_recursion_limit_of_the_caller():
    """The API works from a thread whose recursion limit is the default, at twice that many levels."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        d = matcalc.derive("-(" * 2000 + "x' * x" + ")" * 2000, wrt="x", symbols={"x": "vector(n)"})
        assert str(d.gradient) == "2 * x"
        assert d.verdict.status == "holds"
        product = " * ".join(["c"] * 2000)
        d = matcalc.derive(f"sum(x) * {product}", wrt="x", symbols={"x": "vector(n)", "c": "scalar"})
        assert str(d.gradient) == "c ^ 2000 * ones(n)"
        assert sys.getrecursionlimit() == 1000
    finally:
        sys.setrecursionlimit(old)


def test_absurd_nesting_is_one_line_error():
    with pytest.raises(matcalc.MatcalcError, match="nested more than 20000 levels deep"):
        matcalc.derive("-(" * 20_001 + "x' * x" + ")" * 20_001, wrt="x", symbols={"x": "vector(n)"})


# --- matcalc check -j N ------------------------------------------------------------------------

import io  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from contextlib import redirect_stderr, redirect_stdout  # noqa: E402

from matcalc.cli import main  # noqa: E402

GOOD = 'name = "good"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "x\' * x"\nwrt = "x"\ngradient = "2 * x"\n'
WRONG = ('name = "wrong"\n[symbols]\nx = "vector(n)"\nA = "matrix(n, n)"\n[[claims]]\nf = "x\' * A * x"\n'
         'wrt = "x"\ngradient = "2 * A * x"\n[[claims]]\nf = "tr(A)"\nwrt = "A"\n')
BAD = 'name = "bad"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "x\' * * x"\nwrt = "x"\n'
LAYER = ('name = "layer"\n[symbols]\nW = "matrix(n, m)"\nx = "vector(m)"\ny = "vector(n)"\n[let]\nz = "W * x"\n'
         '[[claims]]\nf = "norm(sigmoid(z) - y) ^ 2"\nwrt = "W"\n')


def _env() -> dict:
    """The environment of a child process that imports this checkout's matcalc first."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}


def _main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def folder(tmp_path):
    for name, text in (("a-good.toml", GOOD), ("b-wrong.toml", WRONG), ("c-bad.toml", BAD), ("d-layer.toml", LAYER),
                       ("e-good.toml", GOOD.replace('"good"', '"good2"'))):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("fmt", ["plain", "json", "markdown", "latex"])
def test_jobs_give_the_same_output_in_the_same_order(folder, fmt):
    """Every format byte for byte as with -j 1, files in the order given (here e-good first)."""
    argv = ["check", str(folder / "e-good.toml"), str(folder), "--format", fmt]
    one = _main(argv + ["-j", "1"])
    assert one[0] == 2 and one[1]  # a bad file: exit 2, and every other file's results
    assert _main(argv + ["-j", "2"]) == one
    assert _main(argv + ["-j", "3"]) == one
    if fmt == "plain":
        lines = one[1].splitlines()
        assert "e-good.toml" in lines[0] and "a-good.toml" in lines[1] and "c-bad.toml" in one[1]


def test_jobs_with_quiet_and_a_file_output(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    for j in ("1", "2"):
        status, _, _ = _main(["check", str(folder), "-q", "-j", j, "--output", str(out / f"r{j}.json")])
        assert status == 2
    assert (out / "r1.json").read_bytes() == (out / "r2.json").read_bytes()


def test_jobs_must_be_a_positive_number(capsys):
    with pytest.raises(SystemExit) as e:
        main(["check", "x.toml", "-j", "0"])
    assert e.value.code == 2 and "number of jobs" in capsys.readouterr().err


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc to see the workers")
def test_ctrl_c_stops_the_workers_cleanly(tmp_path):
    """Ctrl-C goes to the whole process group: exit 130, no traceback, no worker left."""
    for i in range(8):
        (tmp_path / f"p{i}.toml").write_text(LAYER.replace('"layer"', f'"layer{i}"'), encoding="utf-8")
    # SIGINT as a terminal leaves it (pytest-xdist's workers ignore it, and a child would inherit that)
    p = subprocess.Popen([sys.executable, "-m", "matcalc.cli", "check", str(tmp_path), "-j", "2", "--format", "plain"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=_env(),
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while len(_children(p.pid)) < 2 and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert p.poll() is None, "finished before it could be interrupted"
        os.killpg(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=30)
        assert p.returncode == 130 and b"Traceback" not in err + out, err
        time.sleep(0.2)
        with pytest.raises(ProcessLookupError):  # nothing of the group is left
            os.killpg(p.pid, 0)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


# --- the pytest plugin under pytest-xdist -----------------------------------------------------

@pytest.mark.slow
def test_the_plugin_runs_under_xdist(tmp_path):
    pytest.importorskip("xdist")
    for name, text in (("good.toml", GOOD), ("wrong.toml", WRONG), ("bad.toml", BAD), ("layer.toml", LAYER)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
                       capture_output=True, text=True, cwd=tmp_path, env=_env())
    assert r.returncode == 1, r.stdout + r.stderr
    assert "2 failed, 3 passed" in r.stdout, r.stdout
    assert "PASSED good.toml::good::claim-1" in r.stdout and "PASSED layer.toml::layer::claim-1" in r.stdout
    assert "FAILED wrong.toml::wrong::claim-1" in r.stdout and "PASSED wrong.toml::wrong::claim-2" in r.stdout
    assert "the right gradient is (A + A') * x" in r.stdout
    # (a claim that does not parse is that claim's failing item: the file's other claims would run)
    assert "FAILED bad.toml::bad::claim-1" in r.stdout and "unexpected '*'" in r.stdout and "Traceback" not in r.stdout


# --- scripts/make_stress_proofs.py ------------------------------------------------------------

@pytest.mark.slow
def test_stress_proofs_are_well_typed_and_as_expected(tmp_path):
    """40 random claims: every file loads, the same seed writes the same files, and every claim
    (true or mutated) comes out as it expects."""
    script = ROOT / "scripts" / "make_stress_proofs.py"
    for where in ("a", "b"):
        subprocess.run([sys.executable, str(script), "40", str(tmp_path / where), "--per-file", "10", "--seed", "3"],
                       check=True, capture_output=True, env=_env())
    files = sorted((tmp_path / "a").glob("*.toml"))
    assert len(files) == 4 and all(f.read_bytes() == (tmp_path / "b" / f.name).read_bytes() for f in files)
    text = "".join(f.read_text() for f in files)
    assert 'expect = "refuted"' in text and text.count("[[claims]]") == 40
    status, out, _ = _main(["check", str(tmp_path / "a"), "-j", "2", "--format", "json"])
    import json

    summary = json.loads(out)["summary"]
    assert status == 0 and summary["unexpected"] == 0 and summary["error"] == 0, summary
    assert summary["holds"] >= 8 and summary["refuted"] >= 8
