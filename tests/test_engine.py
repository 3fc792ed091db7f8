"""The derivation engine: textbook forms, agreement with SymPy's scalar diff, every rule checked
as a lemma on random non-square instances, nodes assembled by rebuild, and the steps shown for a
deep network."""
import pickle
import random
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from flint import arb, ctx

from matcalc.checker.evaluate import Bindings, Evaluator
from matcalc.checker.measures import coefficient
from matcalc.checker.sample import midpoint as exact
import matcalc
from matcalc.engine import steps as steps_module
from matcalc.engine.derivation import derive
from matcalc.errors import NotDifferentiable
from matcalc.expr import (
    Add, Call, Differential, Div, EDiv, Entrywise, EPower, Hadamard, Kron, Let, MatMul, MatPower, Neg, Power,
    ScalarFn, Sym, Transpose, walk,
)
from matcalc.language import show
from matcalc.parser import parse
from matcalc.prooffile import make_scope, parse_assumption
from matcalc.engine.rules import algebra as AR
from matcalc.engine.rules import differential as DR
from matcalc.engine.rules import trace as TR
from matcalc.shapes import SCALAR, Shape

from .balls import PREC, close
from .sympy_oracle import compare

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from networks import sigmoid_network  # noqa: E402


def grad(f, wrt, symbols, functions=None, lets=None, assume=()):
    sc = make_scope(symbols, functions, lets)
    d = derive(parse(f, sc), Sym(wrt, sc.symbols[wrt]), assume=tuple(parse_assumption(a, sc) for a in assume), scope=sc)
    return show(d.gradient), d


BP = dict(symbols={"W": "matrix(n, m)", "Zp": "vector(m)", "b": "vector(n)", "Z": "vector(n)"},
          functions={"sigma": "elementwise", "C": "scalar"}, lets={"z": "W * sigma(Zp) + b", "delta": "C'(z)"})


@pytest.mark.parametrize("f, wrt, kw, expected", [
    ("A' * X * B", "X", dict(symbols={"A": "vector(m)", "X": "matrix(m, n)", "B": "vector(n)"}), "A * B'"),
    ("w * X + b", "X", dict(symbols={"w": "matrix(1, M)", "X": "vector(M)", "b": "scalar"}), "w'"),
    ("w * X + b", "w", dict(symbols={"w": "matrix(1, M)", "X": "vector(M)", "b": "scalar"}), "X'"),
    ("-Y' * log(softmax(Z))", "Z", dict(symbols={"Z": "vector(n)", "Y": "vector(n)"}, assume=["sum(Y) = 1"]),
     "softmax(Z) - Y"),
    ("-Y' * log(softmax(Z))", "Z", dict(symbols={"Z": "vector(n)", "Y": "vector(n)"}), "sum(Y) * softmax(Z) - Y"),
    ("C(sigma(Z))", "Z", BP, "C'(sigma(Z)) .* sigma'(Z)"),
    ("C(z)", "Zp", BP, "(W' * delta) .* sigma'(Zp)"),
    ("C(z)", "b", BP, "delta"),
    ("C(z)", "W", BP, "delta * sigma(Zp)'"),
    ("logdet(S)", "S", dict(symbols={"S": "matrix(n, n)"}), "inv(S)'"),
    ("x' * A * x", "x", dict(symbols={"x": "vector(n)", "A": "matrix(n, n)"}), "(A + A') * x"),
])
def test_textbook_forms(f, wrt, kw, expected):
    assert grad(f, wrt, **kw)[0] == expected


def test_assumption_is_cited():
    _, d = grad("-Y' * log(softmax(Z))", "Z", {"Z": "vector(n)", "Y": "vector(n)"}, assume=["ones(n)' * Y = 1"])
    assert any(s.rule == "assumption ones(n)' * Y = 1" for s in d.steps)
    assert show(d.gradient) == "softmax(Z) - Y"


SYMS = {"X": "matrix(n, m)", "A": "matrix(m, n)", "B": "matrix(n, m)", "S": "matrix(n, n)", "T": "matrix(n, n)",
        "x": "vector(n)", "a": "vector(n)", "b": "vector(m)", "w": "vector(m)", "y": "vector(n)", "c": "scalar"}
FAMILIES = [
    ("tr(A * X)", "X"), ("tr(X' * B)", "X"), ("tr(A * X * A * X)", "X"), ("tr(X' * X)", "X"),
    ("tr(X * X')", "X"), ("a' * X * b", "X"), ("a' * S * a", "a"), ("x' * S * x", "x"), ("x' * S' * S * x", "x"),
    ("(X * b + a)' * S * (X * b + a)", "X"), ("tr(S * S * S)", "S"), ("tr(inv(S))", "S"), ("tr(T * inv(S) * T)", "S"),
    ("a' * inv(S) * y", "S"), ("det(S)", "S"), ("logdet(S)", "S"), ("logdet(S * S')", "S"), ("det(S) ^ 2", "S"),
    ("norm(X * b - a) ^ 2", "b"), ("norm(X * b - a) ^ 2 + c * norm(b) ^ 2", "b"), ("norm(X)", "X"),
    ("sum(exp(X))", "X"), ("sum(log(1 + exp(-y .* (X * w))))", "w"), ("-y' * log(sigmoid(X * w))", "w"),
    ("-a' * log(softmax(X * w + y))", "w"), ("-a' * log(softmax(X * w + y))", "y"),
    ("log(sum(exp(x)))", "x"), ("sum(tanh(X) .* B)", "X"), ("sum(sqrt(x .* x + 1))", "x"),
    ("sum((X .^ 3) ./ (B .* B + 1))", "X"), ("tr(S) / (1 + tr(S' * S))", "S"),
    ("a' * sigmoid(X * tanh(A * a))", "X"), ("sum(sigmoid(A * sigmoid(X * w)))", "X"),
    ("tr(S ^ 3)", "S"), ("a' * S ^ 2 * x", "S"), ("sum(sin(X) .* cos(B))", "X"),
    ("sum(tan(X .* B / 4))", "X"), ("a' * abs(S * x) + sum(relu(X))", "x"), ("sum(relu(X * w))", "X"),
]


@pytest.mark.slow  # a sweep: every family against SymPy's own diff
@pytest.mark.parametrize("f, wrt", FAMILIES, ids=[f"{w}:{f}" for f, w in FAMILIES])
def test_agrees_with_sympy_scalar_diff(f, wrt):
    sc = make_scope(SYMS)
    x = Sym(wrt, sc.symbols[wrt])
    fx = parse(f, sc)
    d = derive(fx, x, scope=sc)
    assert compare(fx, x, d.gradient, sc, {"n": 3, "m": 2}) < 1e-20, show(d.gradient)


def test_no_rule_is_an_error_naming_the_operation():
    sc = make_scope({"x": "vector(n)"}, {"C": "scalar"})
    with pytest.raises(NotDifferentiable, match=r"C'\(x\)"):
        derive(parse("C'(x)' * x", sc), Sym("x", sc.symbols["x"]))


def test_independent_of_wrt_gives_zero():
    g, _ = grad("tr(A)", "X", {"A": "matrix(n, n)", "X": "matrix(n, m)"})
    assert g == "0"  # the zero matrix of the variable's shape, as a claim reads it


# --- every rule is a lemma ---------------------------------------------------------------

LEMMA = make_scope({**SYMS, "M": "matrix(n, m)", "N": "matrix(n, n)", "v": "vector(n)", "u": "vector(n)", "s": "scalar",
                    "P": "symmetric(n)", "k": "integer"},
                   {"sigma": "elementwise", "C": "scalar"})
DIMS = {"n": 3, "m": 2}
VAR = Sym("X", LEMMA.symbols["X"])
DIFFERENTIAL_EXAMPLES = {
    "d_linear": ["X + B - X .* B", "X + tr(A * X)", "B - tr(A * X)", "-X"], "d_let": [], "d_product": ["X * A * X", "A * X"],
    "d_hadamard": ["X .* X", "B .* X"],
    "d_quotient": ["X ./ (B .* B + 1)", "B ./ (X .* X + 1)", "X / (1 + tr(A * X) ^ 2)"], "d_power": ["tr(A * X) ^ 3", "norm(X) ^ 2", "norm(X * A - S) ^ 3", "norm(X) ^ (1/2)"], "d_epower": ["X .^ 3", "X .^ 2"],
    "d_transpose": ["X'"], "d_trace": ["tr(X * A)"], "d_sum_entries": ["sum(X)"], "d_inverse": ["inv(S + X * A)"],
    "d_det": ["det(S + X * A)"], "d_logdet": ["logdet(S + X * A * 0.1)"], "d_softmax": ["softmax(X * b)"],
    "d_norm": ["norm(X)"], "d_log_softmax": ["log(softmax(X * b))"], "d_entrywise": ["sigmoid(X)", "sigma(X)", "tanh'(X)"],
    "d_scalar_function": ["C(X)", "C(X * b)"],
    "d_kron": ["kron(X, A)", "kron(X, X')"], "d_vec": ["vec(X * A)"], "d_diag": ["diag(X * b)"],
    "d_chol": ["chol(P + X * X')"], "d_tril": ["tril(X * A)"], "d_triu": ["triu(A * X)"], "d_diagonal": ["diagonal(X * A)"],
    "d_matrix_power": ["(X * A) ^ 3", "(S + X * A) ^ 2"],
    "d_primary": ["expm(X * A)", "logm(N + X * A / 8)", "sqrtm(N + X * A / 8)"],
    "d_frechet": ["frechet(expm, N, X * A)", "frechet(sqrtm, N, A' * X')"],
    "d_eigvals": ["eigvals(P + X * X')"], "d_eigvecs": ["eigvecs(P + X * X')"], "d_kinked": ["abs(X + (1/32))", "relu(X * A - S + (1/512))"],
    "d_trace_of_power": ["tr((X * A) ^ k)", "tr((S + X * A) ^ (2 * k - 1))"],
    "d_integer_power": ["tr(A * X) ^ k", "tr(A * X) ^ (k + 2)"], "d_entrywise_integer_power": ["X .^ k", "X .^ (k * k)"],
}


def _bind(rng, scope, dims):
    values = {}
    for name, sh in scope.symbols.items():
        if name in scope.integer:  # an integer symbol: an integer k ≥ 1
            values[name] = [[Fraction(rng.randint(1, 4))]]
            continue
        r, c = (d if isinstance(d, int) else dims[d] for d in (sh.rows, sh.cols))
        values[name] = [[Fraction(rng.randint(-16, 16), 16) + (3 if (r == c and i == j and r > 1) else 0)
                         for j in range(c)] for i in range(r)]
        if name in scope.symmetric:
            values[name] = [[values[name][min(i, j)][max(i, j)] for j in range(c)] for i in range(r)]
    return Bindings(values, dims, {"sigma": lambda s: s.sin()}, {"C": Quadratic()})


class Quadratic:
    """C(a) = ½ Σₖ (k + 1) vₖ², v the entries of a row by row; its gradient (k + 1) vₖ."""

    def value(self, a):
        return sum(x * x * arb(k + 1) for k, x in enumerate(_entries(a))) * arb(0.5)

    def gradient(self, a):
        return [x * arb(k + 1) for k, x in enumerate(_entries(a))]


def _entries(a):
    """A matrix's entries, row by row (as the checker hands a scalar function its argument)."""
    return [x for row in a for x in row]


def _directional(e, b, V):
    """The derivative of e at X along V, entry by entry: the ε coefficient of e(X + εV) (at PREC
    bits), as exact rationals."""
    moved = Bindings(b.values, b.dims, b.elementwise, b.scalar, extra=b.extra, tangents={"X": [V]})
    with ctx.workprec(PREC):
        return [[exact(coefficient(x, 0)) for x in r] for r in Evaluator(moved)(e)]


def _dep(e):
    return any(n == VAR for n in walk(e))


def _registered(registry):
    return sorted({r.fn.__name__: r for r in registry}.values(), key=lambda r: r.fn.__name__)


DIFF_RULES = _registered(DR.DIFFERENTIAL)


def test_every_differential_rule_has_an_example():
    assert {r.fn.__name__ for r in DIFF_RULES} <= set(DIFFERENTIAL_EXAMPLES)


@pytest.mark.parametrize("rule", DIFF_RULES, ids=lambda r: r.fn.__name__)
def test_differential_rule_is_a_lemma(rule):
    examples = DIFFERENTIAL_EXAMPLES[rule.fn.__name__]
    if rule.fn is DR.d_let:
        examples = []
        sc = make_scope({"X": "matrix(n, m)", "A": "matrix(m, n)"}, lets={"k": "X * A"})
        e = parse("k", sc)
        assert rule(e, Differential, _dep) == Differential(e.body)
    rng = random.Random(7)
    with ctx.workprec(PREC):
        for text in examples:
            e = parse(text, LEMMA)
            out = rule(e, Differential, _dep)
            b = _bind(rng, LEMMA, DIMS)
            V = [[Fraction(rng.randint(-8, 8), 8) for _ in range(2)] for _ in range(3)]
            b.extra.update({n: _directional(n.arg, b, V) for n in walk(out) if isinstance(n, Differential)})
            assert close(Evaluator(b)(out), _directional(e, b, V)), (text, show(out))


TRACE_EXAMPLES = {
    "t_linear": ["dX - dX .* B", "-dX"], "t_product": ["A' * dX' * N", "N * dX", "dX * A * N", "s * dX", "tr(A * dX) * B"],
    "t_transpose": ["dX'"], "t_entrywise": ["B .* dX", "dX .* B", "tr(A * dX) .* B", "dX ./ (B .* B + 1)"],
    "t_div": ["dX / (1 + s * s)"], "t_call": ["tr(dX * A)", "sum(dX)", "diag(dX * b)",
                                                                        "tril(dX * A)", "triu(A * dX)",
                                                                        "diagonal(dX * A)"],
    "frechet_in_trace": ["frechet(expm, N, dX * A)", "frechet(logm, N, A' * dX')", "frechet(sqrtm, P, dX * A)"],
}
TRACE_SCOPE = make_scope({**{n: s.declaration() for n, s in LEMMA.symbols.items()}, "dX": "matrix(n, m)"})


def test_every_trace_rule_has_an_example():
    assert {r.fn.__name__ for r in TR.TRACE} <= set(TRACE_EXAMPLES)


def _replace_dx(e, dX):
    if isinstance(e, Sym) and e.name == "dX":
        return dX
    kids = e.children
    return e.rebuild(*(_replace_dx(k, dX) for k in kids)) if kids else e


@pytest.mark.parametrize("rule", _registered(TR.TRACE), ids=lambda r: r.fn.__name__)
def test_trace_rule_is_a_lemma(rule):
    """tr(Mᵀ E) = Σ tr(M'ᵀ E') for a random M and a random dX."""
    dX = Differential(VAR)
    dep = lambda e: any(n == dX for n in walk(e))  # noqa: E731
    rng = random.Random(3)
    for text in TRACE_EXAMPLES[rule.fn.__name__]:
        E = _replace_dx(parse(text, TRACE_SCOPE), dX)
        assert TR.rule_for(E) is rule, text
        M = Sym("M_", E.shape)
        b = _bind(rng, make_scope({"M_": E.shape.declaration()}), DIMS)
        b2 = _bind(rng, LEMMA, DIMS)
        b2.values.update(b.values)
        b2.extra[dX] = [[Fraction(rng.randint(-9, 9), 4) for _ in range(2)] for _ in range(3)]
        with ctx.workprec(PREC):
            ev = Evaluator(b2)
            inner = lambda P, Q: sum(p * q for rp, rq in zip(ev(P), ev(Q)) for p, q in zip(rp, rq))  # noqa: E731
            left = inner(M, E)
            pairs = rule(M, E, dep)
            right = sum(inner(M2, E2) for M2, E2 in pairs)
            assert close([[left]], [[right]], Fraction(1, 10**30)), (text, [(show(m), show(e)) for m, e in pairs])


ALGEBRA_EXAMPLES = {
    "double_transpose": ["X''"], "transpose_product": ["(X * A)'"],
    "transpose_entrywise": ["(X .* B)'", "(-X)'", "(X / s)'", "(X ./ B)'", "(X + B - s)'"],
    "transpose_symmetric": ["(S * S')'", "(S + S')'", "inv(eye(n) + S' * S)'", "P'", "(P ^ 2)'", "exp(P)'",
                            "(P .^ 3 - 2 * P)'", "(P ^ k)'", "(P .^ (k + 1))'"],
    "transpose_power": ["(N ^ 3)'", "((X * A) ^ 2)'", "(N ^ k)'", "((X * A) ^ (2 * k))'"],
    "powers": ["N * N", "N ^ 2 * N ^ 3", "N * N ^ 2", "M' * N ^ 2 * N", "(X * A) * (X * A)"],
    "hadamard_scalars": ["(s * X) .* B", "X .* (s * B)", "(s * ones(n, m)) .* X", "s ./ (s + 1)", "s .* c"],
    "builtin_derivatives": ["exp'(X)", "log'(B .* B + 1)", "tanh'(X)", "sqrt'(B .* B + 1)", "sin'(X)", "sin''(X)",
                            "sin'''(X)", "cos'(X)", "cos''(X)", "cos''''(X)", "tan'(X)", "abs''(B .* B + 1)",
                            "relu'''(B .* B + 1)"],
    "softmax_form": ["exp(v) / sum(exp(v))"], "transpose_constant": ["s'", "eye(n)'"],
    "signs": ["--X", "(-X) * A", "X * (-A)", "(-X) .* B"],
    "identity": ["eye(n) * X", "X * eye(m)", "1 * X", "X / 1", "X .* ones(n, m)", "ones(m, n)' .* X", "eye(1)", "ones(1)"],
    "numbers": ["2 * 3", "6 / 4", "2 * (3 * X)", "X / 4", "(1/2) * (2 * X - 4 * B)"], "scalars_first": ["X * s", "A * (s * X)"],
    "associativity": ["X * (A * X)"], "sum_of_entries": ["ones(n)' * v", "v' * ones(n)", "ones(n)' * X * ones(m)"],
    "trace_of_scalar": ["tr(s)", "sum(v' * u)"],
    "structure_of_scalar": ["tril(s)", "triu(v' * u)", "diagonal(s)", "diag(s * s)", "vec(s)"], "collect": ["X + 2 * X - B + B", "X - X", "s + X - X", "X .* B .* X - 3 * (X .* (X .* B))", "X - (X + B)", "x' * y * a + y' * x * a"],
    "trace_with_ones": ["tr(X' * ones(n, m))", "tr(ones(n, m)' * X)"],
    "common_factor": ["X * A - B * A", "A * X + A * B", "B .* X - B .* (X .* X)", "X .* B + (B .* B) .* B",
                      "2 * X * A - B * A", "s * X + s * B", "s * X - 2 * (s * B)", "A * X * A - A * B * A"],
    "quotients": ["2 ./ (B .* B + 1)", "(1 ./ (B .* B + 1)) .* X", "X .* (1 ./ (B .* B + 1))"],
    "inverse": ["inv(inv(N))", "N * inv(N)", "inv(N) * N", "N' * inv(N)'", "M' * inv(N) * N", "N ^ 3 * inv(N)",
                "inv(N)' * N' ^ 2", "M' * N ^ 2 * inv(N)"],
    "scalar_algebra": ["s * X / s", "s * s * X", "norm(X) * 2 / norm(X) * X"],
    "leading_number": ["2 * (X * A)"],
    "number_of_entries": ["sum(ones(n, m))", "sum(ones(n))", "sum(ones(3, m))"],
    "sum_of_scaled": ["sum(-X)", "sum(c * X)", "sum(X / c)"],
    "division_by_scalar": ["X ./ c", "(X / c) .* B", "B .* (X / (c * c + 1))", "c .^ 3"],
    "broadcast_times_ones": ["(x' - c) * ones(n)", "(X + c) * ones(m)", "ones(n)' * (X - c)", "(X + c) * ones(m, n)",
                             "ones(n, n)' * (X - c)"],
    "diagonal_products": ["diag(x) * diag(a)", "A * diag(x) * diag(a)", "diag(x) + diag(a) - diag(y)", "diag(x) ^ 3",
                          "2 * diag(x) - (1/2) * diag(a)"],
    "diagonal_times_ones": ["diag(x) * ones(n)", "ones(n)' * diag(x)", "A * diag(x) * ones(n)", "v * ones(n)' * diag(x)"],
    "sigmoid_derivative": ["sigmoid'(X)", "sigmoid'(c)"], "hadamard_associativity": ["X .* (B .* X)", "X .* (B .* (X .* B))"],
    "trace_of_outer_product": ["tr(x * a')", "tr(X * b * a')", "tr(x * ones(n)')"],
    "daleckii_krein": ["frechet(expm, P, N)", "frechet(logm, P * P' + eye(n), M * M')", "frechet(sqrtm, P * P', N')"],
    "frechet_of_identity": ["frechet(expm, N, eye(n))", "frechet(logm, N, 2 * eye(n))", "frechet(sqrtm, P * P, eye(n))"],
    "entrywise_algebra": ["(1 - B) .* (1 ./ (1 - sigmoid(X))) .* sigmoid'(X) - B .* (1 ./ sigmoid(X)) .* sigmoid'(X)",
                          "tanh'(X) + tanh(X) .* tanh(X)", "exp'(X) ./ exp(X) + log'(B .* B + 1) .* (B .* B + 1)"],
}


def test_every_algebra_rule_has_an_example():
    assert {r.fn.__name__ for r in AR.ALGEBRA} <= set(ALGEBRA_EXAMPLES)


@pytest.mark.parametrize("rule", list(AR.ALGEBRA), ids=lambda r: r.fn.__name__)
def test_algebra_rule_is_a_lemma(rule):
    rng = random.Random(5)
    for text in ALGEBRA_EXAMPLES[rule.fn.__name__]:
        e = parse(text, LEMMA)
        out = rule.fn(e)
        assert out is not None, f"{rule.name} does not apply to {text}"
        b = _bind(rng, LEMMA, DIMS)
        with ctx.workprec(PREC):
            assert close(Evaluator(b)(e), Evaluator(b)(out)), (text, show(out))


def test_logistic_regression_reaches_the_textbook_form():
    g, _ = grad("-(y' * log(sigmoid(X * w)) + (1 - y)' * log(1 - sigmoid(X * w)))", "w",
                {"X": "matrix(n, m)", "w": "vector(m)", "y": "vector(n)"})
    assert g == "X' * (sigmoid(X * w) - y)"


# --- nodes assembled by rebuild -----------------------------------------------------------------

def _rebuild_cases():
    X, Y = Sym("X", Shape("n", "n")), Sym("Y", Shape("n", "n"))
    S = Sym("S", Shape("n", "n"), True)
    c, d = Sym("c", SCALAR), Sym("d", SCALAR)
    v, w = Sym("v", Shape("n", 1)), Sym("w", Shape("n", 1))
    nodes = [Add((X, c, Y)), Add((c, X)), Neg(X), MatMul(X, Y), MatMul(c, X), Hadamard(X, Y), EDiv(X, c), Div(X, c),
             Power(c, Fraction(1, 2)), EPower(X, Fraction(-3)), MatPower(X, 3), Transpose(X), Call("tr", X),
             Call("inv", S), Call("vec", X), Call("diag", v), Entrywise("exp", X, 2), Entrywise("relu", X),
             ScalarFn("C", X, 1), ScalarFn("C", X), Kron(X, v), Let("h", MatMul(X, Y)), Differential(S)]
    return nodes, {X: Y, Y: X, S: X, c: d, v: w}


REBUILT, SWAP = _rebuild_cases()


@pytest.mark.parametrize("e", REBUILT, ids=lambda e: type(e).__name__)
def test_assembled_node_is_the_constructed_one(e):
    """rebuild over children of the old shapes copies the node's fields instead of building it;
    the copy must equal, hash like, pickle like and read like the node built by its constructor,
    or the evaluator's memo and the engine's would treat them as two nodes."""
    kids = tuple(SWAP.get(k, k) for k in e.children)
    assembled = e.rebuild(*kids)
    built = Add(kids) if isinstance(e, Add) else type(e)(**{**{n: getattr(e, n) for n in e._init_fields},
                                                              **dict(zip(e._child_fields, kids))})
    assert assembled == built and built == assembled and hash(assembled) == hash(built)
    assert assembled.__dict__ == built.__dict__
    assert assembled.children == kids and {built: 1}[assembled] == 1
    again = pickle.loads(pickle.dumps(assembled))
    assert again == built and hash(again) == hash(built)
    assert e.rebuild(*e.children) == e


# --- the steps shown for a deep network -----------------------------------------------------------

def _network_derivation(L: int):
    net = sigmoid_network(L)
    return matcalc.derive(net["f"], net["wrt"], symbols=net["symbols"], let=net["let"])


def test_deep_network_derivation_shows_no_step_twice():
    """A step that shows the same expression as the one before is skipped: for the 40-layer
    sigmoid network (benchmarks/networks.py, steps merged from 250 nodes on) no two consecutive
    steps of one side show equal expressions ("collect terms" once repeated the merged trace step,
    its builder compared instead of its expression)."""
    steps = _network_derivation(40).steps
    dups = [(i, steps[i].rule) for i in range(1, len(steps))
            if steps[i].side == steps[i - 1].side and steps[i].expr == steps[i - 1].expr]
    assert dups == []


def test_merging_steps_changes_their_grouping_only(monkeypatch):
    """Merging from 250 nodes changes how steps are grouped only: the 40-layer network's gradient
    and verdict are those with a threshold of 500, every step names its rules, and the rules cited
    on each side are the same (plus, at most, "collect terms")."""
    new = _network_derivation(40)
    monkeypatch.setattr(steps_module, "SHOWN_NODES", 500)
    old = _network_derivation(40)
    assert new.gradient == old.gradient and new.verdict.status == old.verdict.status == "holds"
    assert all(s.rule.strip() and all(n.strip() for n in s.rule.split(", ")) for s in new.steps)

    def cited(steps):
        out: dict = {}
        for s in steps:
            out.setdefault(s.side, set()).update(s.rule.split(", "))
        return out

    a, b = cited(old.steps), cited(new.steps)
    assert a.keys() == b.keys()
    assert all(b[k] - a[k] <= {"collect terms"} and a[k] <= b[k] for k in a)
    assert len(new.steps) < len(old.steps)
