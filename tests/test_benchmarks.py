"""The benchmark script's parts run (on a few claims); its figures are not asserted."""
import itertools
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def test_benchmark_parts_run(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import run

    few = list(itertools.islice(run.claims(), 4))
    monkeypatch.setattr(run, "claims", lambda: iter(few))
    monkeypatch.setattr(run, "REPEAT", 1)
    out: list[str] = []
    run.derivations(out)
    run.accuracy(out)
    text = "\n".join(out)
    assert "SymPy `MatrixExpr.diff`" in text and "float64 central difference" in text
    sys.modules.pop("run", None)
