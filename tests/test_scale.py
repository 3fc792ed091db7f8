"""Scale: derivations linear in depth, deep input without a recursion error, checks in parallel
(`matcalc check -j N`), the pytest plugin under pytest-xdist, and the stress-proof generator."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import matcalc
from matcalc.derivation import derive
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
    small enough to show (up to 500 nodes) are built whole, a bounded cost: measured past them."""
    n64, n128, n256 = (_nodes_built(L, monkeypatch) for L in (64, 128, 256))
    assert n128 / n64 <= 2.2 and n256 / n128 <= 2.2, (n64, n128, n256)


def test_a_step_that_touches_one_layer_keeps_the_let_names():
    c, scope = _network(3)
    d = derive(c.f, c.wrt, scope=scope)
    shown = [str(s.expr) for s in d.steps]
    assert any("a2" in s and "a1" in s for s in shown)
    assert str(d.gradient).count("a1") >= 1


@pytest.mark.parametrize("L", [400])
def test_a_deep_let_chain_is_derived(L):
    """a400 is nested about 1,200 levels deep through its lets: the old limit was 1,000."""
    c, scope = _network(L)
    d = derive(c.f, c.wrt, scope=scope)
    assert d.gradient.shape == c.wrt.shape and len(d.steps) > 10


def test_deep_input_needs_no_recursion_limit_of_the_caller():
    """The API works from a thread whose recursion limit is the default, at 5,000 levels."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        d = matcalc.derive("-(" * 5000 + "x' * x" + ")" * 5000, wrt="x", symbols={"x": "vector(n)"})
        assert str(d.gradient) == "2 * x"
        assert d.verdict.status == "holds"
        product = " * ".join(["c"] * 3000)
        d = matcalc.derive(f"sum(x) * {product}", wrt="x", symbols={"x": "vector(n)", "c": "scalar"})
        assert str(d.gradient) == "c ^ 3000 * ones(n)"
        assert sys.getrecursionlimit() == 1000
    finally:
        sys.setrecursionlimit(old)


def test_absurd_nesting_is_one_line_error():
    with pytest.raises(matcalc.MatcalcError, match="nested more than 20000 levels deep"):
        matcalc.derive("-(" * 20_001 + "x' * x" + ")" * 20_001, wrt="x", symbols={"x": "vector(n)"})
