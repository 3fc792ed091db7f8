"""The independent checker: verdicts, soundness under mutation, independence from the engine,
and the engine and the checker cross-examining each other."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from matcalc.proof_catalog import catalog_dir
from matcalc.checker.verify import check
from matcalc.engine.derivation import derive
from matcalc.engine.rules.algebra import zero
from matcalc.errors import MatcalcError
from matcalc.expr import Add, Call, Div, MatMul, MatPower, Neg, Num, Sym, Transpose, walk
from matcalc.language import show
from matcalc.parser import parse
from matcalc.prooffile import load, make_scope

from .strategies import SCOPE, exprs

ROOT = Path(__file__).resolve().parents[1]
CATALOG = [(p, c) for p in sorted(catalog_dir().rglob("*.toml")) for c in load(p).claims]
TRUE_CLAIMS = [(p, c) for p, c in CATALOG if c.expect == "holds" and c.gradient is not None and c.kind == "gradient"]


ENGINE = ("matcalc.engine", "matcalc.report", "matcalc.api", "matcalc.parser")


def test_checker_loads_no_engine_module():
    """In a fresh interpreter, importing the checker and checking a claim built by hand loads
    no module of the engine, nor the parser (lark)."""
    code = ("import sys\n"
            "from matcalc.checker.verify import check\n"
            "from matcalc.declarations import Scope\n"
            "from matcalc.expr import Call, MatMul, Sym, Transpose\n"
            "from matcalc.shapes import Shape\n"
            "X = Sym('X', Shape('m', 'n')); A = Sym('A', Shape('m', 'n'))\n"
            "sc = Scope({'X': X.shape, 'A': A.shape})\n"
            "print(check(Call('tr', MatMul(Transpose(A), X)), X, A, sc).status)\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(('matcalc', 'lark')))))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    status, loaded = r.stdout.splitlines()
    assert status == "holds", r.stderr
    bad = [m for m in loaded.split() if m.startswith(ENGINE) or m.startswith("lark")]
    assert not bad, f"the checker loaded {bad}"
    assert "matcalc.checker.verify" in loaded.split()


def test_checker_reads_no_operator_record():
    """The checker knows the operators by its own numeric table: it never imports the registry, whose
    records hold the engine's rules (the expression tree reads only their shape laws)."""
    checker = Path(__file__).resolve().parents[1] / "matcalc" / "checker"
    readers = [p.name for p in checker.glob("*.py") if re.search(r"\bops\b", p.read_text(encoding="utf-8"))]
    assert not readers, f"{readers} read matcalc.ops"


def test_checker_runs_with_numpy_unimportable():
    code = ("import sys; sys.modules['numpy'] = None\n"
                        "from matcalc.checker.verify import check\n"
            "from matcalc.parser import parse\nfrom matcalc.prooffile import make_scope\nfrom matcalc.expr import Sym\n"
            "sc = make_scope({'S': 'matrix(n, n)'})\n"
            "print(check(parse('logdet(S)', sc), Sym('S', sc.symbols['S']), parse(\"inv(S)'\", sc), sc).status)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "holds", r.stderr


def test_precision_reaches_1e_25():
    sc = make_scope({"W": "matrix(n, m)", "x": "vector(m)"})
    v = check(parse("sum(tanh(W * x))", sc), Sym("W", sc.symbols["W"]), parse("tanh'(W * x) * x'", sc), sc)
    assert v.status == "holds" and v.max_error < 1e-25


def test_assumption_that_cannot_be_honoured_is_an_error():
    sc = make_scope({"x": "vector(n)", "y": "vector(n)"})
    from matcalc.prooffile import parse_assumption
    with pytest.raises(MatcalcError, match="cannot honour"):
        check(parse("x' * y", sc), Sym("x", sc.symbols["x"]), parse("y", sc), sc, (parse_assumption("x' * y = 1", sc),))


def test_domain_failures_are_resampled_not_refuted():
    sc = make_scope({"x": "vector(n)"})
    v = check(parse("sum(log(x))", sc), Sym("x", sc.symbols["x"]), parse("x .^ -1", sc), sc)
    assert v.status == "holds"


# --- soundness: mutations of every true catalog gradient are refuted ------------------------

def _subtrees(e):
    """Nodes of e, but not inside det, logdet, tr, sum or norm: those are invariant under
    transposing or cyclically permuting their argument, so mutating there proves nothing."""
    out, stack = [], [e]
    while stack:
        n = stack.pop()
        out.append(n)
        if not (isinstance(n, Call) and n.shape.is_scalar):
            stack.extend(n.children)
    return out


def _replace(e, old, new):
    if e is old:
        return new
    kids = e.children
    if not kids:
        return e
    new_kids = tuple(_replace(k, old, new) for k in kids)
    return e.rebuild(*new_kids) if any(a is not b for a, b in zip(new_kids, kids)) else e


def mutations(G):
    """Wrong variants of G: sign, scale, dropped term, dropped/added transpose, swapped product."""
    out = [("flip sign", Neg(G)), ("double", MatMul(Num(2), G)), ("halve", Div(G, Num(2)))]
    if isinstance(G, Add):
        for i in range(len(G.terms)):
            rest = G.terms[:i] + G.terms[i + 1:]
            out.append((f"drop term {i + 1}", rest[0] if len(rest) == 1 else Add(rest)))
    for n in _subtrees(G):
        try:
            if isinstance(n, Transpose) and n.arg.shape == n.shape and not n.shape.is_scalar:
                out.append((f"drop transpose of {show(n.arg)}", _replace(G, n, n.arg)))
            if isinstance(n, Sym) and n.shape.is_square and not n.shape.is_scalar:
                out.append((f"transpose {n.name}", _replace(G, n, Transpose(n))))
            if isinstance(n, MatPower):
                out.append((f"power {n.exponent + 1} for {n.exponent}", _replace(G, n, MatPower(n.base, n.exponent + 1))))
            if isinstance(n, MatMul) and not n.left.shape.is_scalar and not n.right.shape.is_scalar:
                out.append((f"swap factors of {show(n)}", _replace(G, n, MatMul(n.right, n.left))))
        except MatcalcError:
            pass  # the mutation does not type-check: it cannot be claimed
    return [(k, m) for k, m in out if m.shape == G.shape]


def _equivalent(G, m, scope):
    """The mutation equals G as a function (transposing a symmetric part, permuting inside a
    determinant, ...): decided by SymPy at a random point, not by matcalc's checker."""
    from matcalc.engine.policy import normalise

    from .sympy_oracle import values_at
    if normalise(m) == normalise(G):
        return True
    try:
        a, b = values_at([G, m], scope)
    except (KeyError, TypeError):  # an abstract function: SymPy cannot evaluate it
        return False
    return all(abs(x - y) < 1e-30 * (1 + abs(x)) for x, y in zip(a, b))


@pytest.mark.slow  # a sweep: mutants of every true claim of the catalog
@pytest.mark.parametrize("path, claim", TRUE_CLAIMS, ids=[f"{p.stem}-{c.index}" for p, c in TRUE_CLAIMS])
def test_mutations_are_refuted(path, claim):
    proof = load(path)
    for kind, m in mutations(claim.gradient):
        v = check(claim.f, claim.wrt, m, proof.scope, proof.assume)
        if v.status != "refuted":
            assert _equivalent(claim.gradient, m, proof.scope), f"{kind}: {show(m)} accepted for {show(claim.f)}"
    if proof.assume:
        v = check(claim.f, claim.wrt, claim.gradient, proof.scope, ())
        needs = check(claim.f, claim.wrt, claim.gradient, proof.scope, proof.assume)
        assert needs.status == "holds"
        if "softmax" in show(claim.f) and "sum(Y)" not in show(claim.gradient) and "Y' * ones" not in show(claim.gradient):
            assert v.status == "refuted", "dropping the assumption must refute"


SEEDS = int(os.environ.get("MATCALC_SEEDS", "1"))


@pytest.mark.slow
@pytest.mark.parametrize("path, claim", TRUE_CLAIMS, ids=[f"{p.stem}-{c.index}" for p, c in TRUE_CLAIMS])
def test_true_claims_hold_over_many_seeds(path, claim):
    """Seeds beyond 0, which the catalog's own pytest items (proofs/) check already."""
    proof = load(path)
    for seed in range(1, SEEDS + 1):
        v = check(claim.f, claim.wrt, claim.gradient, proof.scope, proof.assume, seed=seed)
        assert v.status == "holds", f"seed {seed}: {v.message}"


# --- the engine and the checker cross-examine each other -------------------------------------

EXAMPLES = int(os.environ.get("MATCALC_EXAMPLES", "150"))
SYMBOLS = [SCOPE.symbol(n) for n in SCOPE.symbols]


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(exprs(SCOPE.symbols["c"], 3, safe=True), st.integers(0, len(SYMBOLS) - 1))
def test_engine_and_checker_agree(f, k):
    present = [s for s in SYMBOLS if any(n == s for n in walk(f))]
    assume(present)
    x = present[k % len(present)]
    d = derive(f, x, scope=SCOPE)
    try:
        v = check(f, x, d.gradient, SCOPE)
    except MatcalcError as e:
        assume("could not sample" not in str(e) and "kink was never seen" not in str(e))
        # f identically 0 (its terms cancel): no scale to judge a 0 claim by, so said undecided
        assume(not (d.gradient == zero(x.shape) and "no comparison was decided" in str(e)))
        raise
    assert v.status == "holds", f"f = {show(f)}, wrt {x.name}: derived {show(d.gradient)}: {v.message}"
