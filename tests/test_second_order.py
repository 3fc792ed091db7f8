"""Second order: the textbook forms, every vectorisation, Kronecker and identification rule
checked as a lemma, mutations of the catalog's Jacobians and Hessians refuted, and the engine
and the checker cross-examining each other on random expressions."""
import io
import random
from fractions import Fraction
from pathlib import Path

import pytest
from flint import ctx
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import matcalc
from matcalc.checker.evaluate import Bindings, Evaluator, commutation, kron, matmul, size, transpose, vec
from matcalc.checker.measures import Hessian
from matcalc.checker.verify import check_all, check_hessians, check_jacobians
from matcalc.cli import main
from matcalc.errors import MatcalcError, NotDifferentiable
from matcalc.expr import Add, Call, Commutation, Differential, Kron, MatMul, Neg, Num, Sym, Transpose, walk
from matcalc.language import show
from matcalc.parser import parse
from matcalc.proof_catalog import catalog_dir
from matcalc.prooffile import load, make_scope
from matcalc.engine.rules import kronecker as KR
from matcalc.engine.rules import vectorise as VR
from matcalc.engine.rules import identification as ID
from matcalc.engine.derivation import derive
from matcalc.engine.second_order import derive_hessian, derive_jacobian
from matcalc.shapes import Shape, dim_mul

from .balls import PREC, close
from .strategies import SCOPE, exprs
from .sweeps import sweep


def result(kind, f, wrt, symbols, **kw):
    return show(matcalc.derive(f, wrt, symbols, kind=kind, **kw).gradient)


# --- the exact textbook strings of the contract ------------------------------------------------

@pytest.mark.parametrize("kind, f, wrt, symbols, expected", [
    ("jacobian", "A * X * B", "X", {"A": "matrix(p, m)", "X": "matrix(m, n)", "B": "matrix(n, q)"}, "kron(B', A)"),
    ("jacobian", "softmax(z)", "z", {"z": "vector(n)"}, "diag(softmax(z)) - softmax(z) * softmax(z)'"),
    ("hessian", "x' * A * x", "x", {"x": "vector(n)", "A": "matrix(n, n)"}, "A + A'"),
    ("hessian", "norm(A * x - b) ^ 2", "x", {"A": "matrix(m, n)", "x": "vector(n)", "b": "vector(m)"}, "2 * A' * A"),
    ("hessian", "logdet(X)", "X", {"X": "matrix(n, n)"}, "-(commutation(n, n) * kron(inv(X)', inv(X)))"),
    ("hessian", "tr(X' * A * X)", "X", {"X": "matrix(m, n)", "A": "matrix(m, m)"}, "kron(eye(n), A + A')"),
])
def test_textbook_forms(kind, f, wrt, symbols, expected):
    assert result(kind, f, wrt, symbols) == expected


def test_non_scalar_f_derives_its_jacobian_by_default():
    d = matcalc.derive("X'", "X", {"X": "matrix(m, n)"})
    assert d.kind == "jacobian" and show(d.jacobian) == "commutation(m, n)" and d.verdict.holds


def test_hessian_derivation_cites_the_table_and_shows_the_linear_map():
    d = matcalc.derive("logdet(X)", "X", {"X": "matrix(n, n)"}, kind="hessian")
    rules = [s.rule for s in d.steps]
    assert "identification: tr(B dX C dX)" in rules and any("d²X = 0" in r for r in rules)
    assert any(s.side == "linear map" for s in d.steps)
    canonical = [s for s in d.steps if s.rule == "canonical forms"][0]
    assert show(canonical.expr) == "-tr(inv(X) * dX * inv(X) * dX)"


def test_a_hessian_keeps_the_gradient_it_was_derived_from():
    sc = make_scope({"x": "vector(n)", "A": "matrix(n, n)"})
    f, x = parse("x' * A * x", sc), Sym("x", sc.symbols["x"])
    d = derive_hessian(f, x)
    assert d.first_order == derive(f, x).gradient and show(d.first_order) == "(A + A') * x"


def test_api_check_of_a_hessian_names_the_right_one():
    v = matcalc.check("x' * A * x", "x", hessian="2 * A", symbols={"x": "vector(n)", "A": "matrix(n, n)"})
    assert v.status == "refuted" and show(v.right_gradient) == "A + A'"
    assert v.counterexample["right_hessian"] == "A + A'" and v.counterexample["sizes"]


# --- shapes: dimensions are products --------------------------------------------------------------

def test_product_dimensions_are_canonical():
    assert dim_mul("n", "m") == dim_mul("m", "n") and dim_mul(1, "n") == "n" and dim_mul(2, 3) == 6
    assert str(Shape(dim_mul("m", "n"), dim_mul("m", "n"))) == "(m·n)×(m·n)"
    sc = make_scope({"A": "matrix(m, n)", "B": "matrix(p, q)"})
    assert parse("kron(A, B)", sc).shape == Shape(dim_mul("m", "p"), dim_mul("n", "q"))
    assert parse("vec(A)", sc).shape == Shape(dim_mul("m", "n"), 1)
    assert parse("commutation(m, n) * vec(A)", sc).shape == parse("vec(A')", sc).shape


def test_the_checker_spells_the_operators_itself():
    A = [[1, 2, 3], [4, 5, 6]]
    assert [list(r) for r in matmul(commutation(2, 3), vec(A))] == [list(r) for r in vec(transpose(A))]
    assert [list(r) for r in kron([[1, 2]], [[1], [3]])] == [[1, 2], [3, 6]]
    assert size(dim_mul("m", "n"), {"m": 2, "n": 3}) == 6


# --- every rule is a lemma ----------------------------------------------------------------------

LEMMA = make_scope({"X": "matrix(n, m)", "A": "matrix(m, n)", "B": "matrix(n, m)", "P": "matrix(n, n)",
                    "Q": "matrix(m, m)", "S": "matrix(n, n)", "b": "vector(m)", "a": "vector(n)", "s": "scalar",
                    "dX": "matrix(n, m)", "U": "matrix(p, q)", "V": "matrix(q, r)"})
DIMS = {"n": 3, "m": 2, "p": 2, "q": 3, "r": 2}
VAR = Sym("X", LEMMA.symbols["X"])
DX = Differential(VAR)


def _bind(rng):
    values = {}
    for name, sh in LEMMA.symbols.items():
        r, c = (size(d, DIMS) for d in (sh.rows, sh.cols))
        values[name] = [[Fraction(rng.randint(-16, 16), 8) + (3 if r == c and i == j else 0) for j in range(c)]
                        for i in range(r)]
    b = Bindings(values, DIMS)
    b.extra[DX] = values["dX"]
    return b


def _as_dx(text):
    return _with_dx_name(parse(text, LEMMA))


def _with_dx_name(e):
    if isinstance(e, Sym) and e.name == "dX":
        return DX
    kids = e.children
    return e.rebuild(*(_with_dx_name(k) for k in kids)) if kids else e


def _dep(e):
    return any(n == DX for n in walk(e))


VEC_EXAMPLES = {
    "v_linear": ["dX + dX * Q - P * dX", "-dX"], "vec_of_kron": ["kron(dX, P)", "kron(Q, dX)", "kron(dX * Q, b)"],
    "v_product": ["P * dX * Q", "P * dX", "dX * Q", "b' * dX' * a", "s * dX", "dX * s", "B * tr(A * dX)", "P * (dX * Q)"],
    "v_transpose": ["dX'", "(dX * b)'"], "v_hadamard": ["B .* dX", "dX .* B", "s .* dX", "B .* tr(A * dX)"],
    "v_ediv": ["dX ./ (B .* B + 1)", "dX ./ (s * s + 1)"], "v_div": ["dX / (1 + s * s)"],
    "v_call": ["tr(A * dX)", "tr(dX * A)", "sum(dX)", "vec(dX)", "diag(dX * b)", "tril(dX * A)", "triu(A * dX)",
               "diagonal(dX * A)"],
}


def test_every_vec_rule_has_an_example():
    assert {r.fn.__name__ for r in VR.VEC} <= set(VEC_EXAMPLES)


@pytest.mark.parametrize("rule", sorted(VR.VEC, key=lambda r: r.fn.__name__),
                         ids=lambda r: r.fn.__name__)
def test_vec_rule_is_a_lemma(rule):
    """J vec(E) = Σ J' vec(E') for a random J, E with a random dX."""
    rng = random.Random(11)
    for text in VEC_EXAMPLES[rule.fn.__name__]:
        E = _as_dx(text)
        assert VR.rule_for(E) is rule, text
        J = Sym("J_", Shape(2, dim_mul(E.shape.rows, E.shape.cols)))
        b = _bind(rng)
        b.values["J_"] = [[Fraction(rng.randint(-9, 9), 4) for _ in range(size(J.shape.cols, DIMS))] for _ in range(2)]
        ev = Evaluator(b)
        with ctx.workprec(PREC):
            left = matmul(ev(J), vec(ev(E)))
            right = None
            for J2, E2 in rule(J, E, _dep):
                term = matmul(ev(J2), vec(ev(E2)))
                right = term if right is None else [[x + y for x, y in zip(r1, r2)] for r1, r2 in zip(right, term)]
            assert close(left, right), (text, [(show(j), show(e)) for j, e in rule(J, E, _dep)])


KRON_EXAMPLES = {
    "kron_transpose": ["kron(X, A)'"], "transpose_sum": ["(X + B)'"],
    "mixed_product": ["kron(P, Q) * kron(S, A * X)", "vec(X)' * kron(P, Q) * kron(S, A * X)"],
    "kron_identities": ["kron(eye(n), eye(m))", "kron(s, X)", "kron(X, s)", "kron(2 * X, A)", "kron(X, -A)"],
    "vec_identities": ["vec(a)", "vec(a')", "vec(ones(n, m))", "vec(2 * X)", "vec(-X)"],
    "diag_identities": ["diag(a)'", "diag(ones(n))", "diag(-a)", "diag(s * a)"],
    "commutation_identities": ["commutation(n, 1)", "commutation(n, m)'"],
    "transpose_symmetric_form": ["(X' * diag(a) * X)'", "kron(P + P', eye(m))'", "commutation(n, n)'",
                                 "(vec(X) * vec(X)')'"],
}


def test_every_kronecker_rule_has_an_example():
    assert {r.fn.__name__ for r in KR.KRONECKER} <= set(KRON_EXAMPLES)


@pytest.mark.parametrize("rule", list(KR.KRONECKER), ids=lambda r: r.fn.__name__)
def test_kronecker_rule_is_a_lemma(rule):
    pairs = [(text, parse(text, LEMMA)) for text in KRON_EXAMPLES[rule.fn.__name__]]
    rewritten = {text: rule.fn(e) for text, e in pairs}
    assert all(out is not None for out in rewritten.values()), f"{rule.name} does not apply to {rewritten}"
    b = _bind(random.Random(5))
    with ctx.workprec(PREC):
        ev = Evaluator(b)
        wrong = [(text, show(rewritten[text])) for text, e in pairs if not close(ev(e), ev(rewritten[text]))]
    assert not wrong


@pytest.mark.parametrize("row", [ID.QUADRATIC_FORM, ID.TRACE_TRANSPOSED, ID.TRACE_PLAIN], ids=lambda r: r.fn.__name__)
def test_identification_row_is_a_lemma(row):
    """vec(dX)ᵀ H vec(dX) = d²f for the row's canonical form, and H = Hᵀ."""
    rng = random.Random(2)
    sc = make_scope({"B": "matrix(m, m)", "C": "matrix(n, n)", "B3": "matrix(m, n)", "C3": "matrix(m, n)",
                     "dX": "matrix(n, m)"})
    dX = Sym("dX", sc.symbols["dX"])
    cases = {
        "h_quadratic_form": (lambda: row(_square_sym()), None),
        "h_trace_transposed": (lambda: row(parse("B", sc), parse("C", sc)),
                               Call("tr", MatMul(MatMul(MatMul(parse("B", sc), Transpose(dX)), parse("C", sc)), dX))),
        "h_trace_plain": (lambda: row(parse("B3", sc), parse("C3", sc), Commutation("m", "n")),
                          Call("tr", MatMul(MatMul(MatMul(parse("B3", sc), dX), parse("C3", sc)), dX))),
    }
    build, form = cases[row.fn.__name__]
    H = build()
    dims = {"n": 3, "m": 2}
    for _ in range(3):
        values = {name: [[Fraction(rng.randint(-9, 9), 4) for _ in range(size(s.cols, dims))] for _ in range(size(s.rows, dims))]
                  for name, s in {**sc.symbols, "Bq": Shape(6, 6)}.items()}
        with ctx.workprec(PREC):
            ev = Evaluator(Bindings(values, dims))
            Hv = ev(H)
            assert close(Hv, transpose(Hv)), "H is not symmetric"
            v = vec(ev(dX))
            quad = matmul(matmul(transpose(v), Hv), v)
            expected = ev(form) if form is not None else matmul(matmul(transpose(v), ev(_square_sym())), v)
            assert close(expected, quad, Fraction(1, 10**30)), show(H)


def _square_sym():
    return Sym("Bq", Shape(6, 6))


def test_expand_is_a_lemma():
    rng = random.Random(4)
    for text in ["(P * (dX + dX * Q) - dX)' * P", "-(P * dX)' + (s * dX * Q)' * (P + P)"]:
        e = _as_dx(text)
        terms = ID.EXPAND(e, _dep)
        rebuilt = Add(tuple(Neg(_prod(t.factors)) if t.negative else _prod(t.factors) for t in terms))
        b = _bind(rng)
        with ctx.workprec(PREC):
            assert close(Evaluator(b)(e), Evaluator(b)(rebuilt)), text


def _prod(factors):
    out = factors[0]
    for f in factors[1:]:
        out = MatMul(out, f)
    return out


# --- the checker: mutations of the catalog's second-order claims are refuted ------------------------

CATALOG = [(p, c) for p in sorted(catalog_dir().rglob("*.toml")) for c in load(p).claims]
SECOND = [(p, c) for p, c in CATALOG if c.kind != "gradient" and c.expect == "holds" and c.gradient is not None]
CHECK = {"jacobian": check_jacobians, "hessian": check_hessians}


def _mutations(M, kind):
    out = [("flip sign", Neg(M)), ("double", MatMul(Num(2), M))]
    if isinstance(M, Add):
        out += [(f"drop term {i + 1}", M.terms[1 - i] if len(M.terms) == 2 else Add(M.terms[:i] + M.terms[i + 1:]))
                for i in range(len(M.terms))]
    for n in walk(M):
        if isinstance(n, Kron) and n.left != n.right:
            swapped = _swap(M, n, Kron(n.right, n.left))
            if swapped.shape == M.shape:
                out.append(("swap Kronecker factors", swapped))
        if isinstance(n, Commutation) and n.m != n.n:
            out.append(("commutation of the other order", _swap(M, n, Commutation(n.n, n.m))))
    if kind == "jacobian" and M.shape.is_square and not KR.symmetric_form(M):
        out.append(("transpose", Transpose(M)))  # a true Hessian is symmetric: transposing it changes nothing
    return [(k, m) for k, m in out if m.shape == M.shape]


def _swap(e, old, new):
    if e == old:
        return new
    kids = e.children
    return e.rebuild(*(_swap(k, old, new) for k in kids)) if kids else e


@pytest.mark.parametrize("path, claim", sweep(SECOND, [f"{p.stem}-{c.index}" for p, c in SECOND], lambda pc: pc[0]))
def test_second_order_mutations_are_refuted(path, claim):
    proof = load(path)
    muts = _mutations(claim.gradient, claim.kind)
    verdicts = CHECK[claim.kind](claim.f, claim.wrt, [claim.gradient] + [m for _, m in muts], proof.scope, proof.assume)
    assert verdicts[0].status == "holds", verdicts[0].message
    for (kind, m), v in zip(muts, verdicts[1:]):
        assert v.status == "refuted", f"{kind}: {show(m)} accepted for {show(claim.f)}"


@pytest.mark.slow
@pytest.mark.parametrize("path, claim", SECOND, ids=[f"{p.stem}-{c.index}" for p, c in SECOND])
def test_second_order_claims_hold_over_seeds(path, claim):
    proof = load(path)
    for seed in range(1, 3):
        v = CHECK[claim.kind](claim.f, claim.wrt, [claim.gradient], proof.scope, proof.assume, seed=seed)[0]
        assert v.status == "holds", f"seed {seed}: {v.message}"


def test_an_asymmetric_hessian_with_the_right_quadratic_form_fails_on_independent_directions():
    """x' (A + N) x = x' A x for N = -N', so U = V could not tell; U ≠ V (and symmetry) does."""
    sc = make_scope({"x": "vector(n)", "A": "matrix(n, n)"})
    x = Sym("x", sc.symbols["x"])
    f = parse("x' * A * x", sc)
    right, skew = parse("A + A'", sc), parse("A + A' + A - A'", sc)
    assert [v.status for v in check_hessians(f, x, [right, skew], sc)] == ["holds", "refuted"]
    measure = Hessian()
    measure.defects = lambda H, x: []  # without the symmetry test, independent U, V still refute
    assert check_all(f, x, [skew], sc, measure=measure)[0].status == "refuted"


# --- the engine and the checker cross-examine each other --------------------------------------------

SYMBOLS = [SCOPE.symbol(n) for n, s in SCOPE.symbols.items() if not s.is_scalar]


def _cross_examine(f, k, derive, check):
    """The engine's result for f by its k-th symbol holds in the checker's eyes."""
    present = [s for s in SYMBOLS if any(n == s for n in walk(f))]
    assume(present)
    x = present[k % len(present)]
    try:
        d = derive(f, x, scope=SCOPE)
        v = check(f, x, [d.gradient], SCOPE)[0]
    except (NotDifferentiable, MatcalcError):
        assume(False)
        raise
    assert v.status == "holds", f"f = {show(f)}, wrt {x.name}: derived {show(d.gradient)}: {v.message}"


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(exprs(SCOPE.symbols["x"], 2, safe=True), st.integers(0, 10))
def test_engine_jacobians_hold(F, k):
    _cross_examine(F, k, derive_jacobian, check_jacobians)


SCALARS = st.one_of(exprs(SCOPE.symbols["x"], 2, safe=True), exprs(SCOPE.symbols["A"], 2, safe=True)).map(
    lambda e: Call("sum", e))


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(SCALARS, st.integers(0, 10))
def test_engine_hessians_hold(f, k):
    _cross_examine(f, k, derive_hessian, check_hessians)


# --- command line and outputs ---------------------------------------------------------------------

def test_diff_hessian_json_carries_kind(capsys):
    assert main(["diff", "x' * A * x", "--wrt", "x", "--sym", "x=vector(n)", "--sym", "A=matrix(n,n)",
                 "--hessian", "--format", "json"]) == 0
    import json
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "hessian" and out["hessian"] == "A + A'" and out["verdict"] == "holds"


def test_check_json_results_carry_kind(capsys):
    import json
    path = Path(catalog_dir()) / "second-order" / "mistakes.toml"
    assert main(["check", str(path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["results"]
    assert all(r["kind"] in ("jacobian", "hessian") and r["verdict"] == "refuted" for r in rows)
    assert all(r["counterexample"]["sizes"] and r["counterexample"]["point"] for r in rows)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["plain", "latex", "markdown", "rich"])
def test_second_order_prints_in_every_format(fmt, capsys):
    """The command line once; the other formats from the same (shared) reports."""
    if fmt == "plain":
        assert main(["prove", "hessians", "--format", fmt]) == 0
        out = capsys.readouterr().out
    else:
        from matcalc.documents import proof_document
        from matcalc.printers.terminal import console

        from .catalog_reports import reports
        proof, done = reports("hessians")
        rendered = proof_document(proof, list(done))(fmt)
        if fmt == "rich":
            con = console(record=True, file=io.StringIO(), width=120)
            con.print(rendered)
            rendered = con.export_text()
        out = rendered
    assert ("⊗" in out or "\\otimes" in out) and ("d²f" in out or "^2 f" in out)
