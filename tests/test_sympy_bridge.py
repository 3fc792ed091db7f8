"""The SymPy bridge (matcalc/sympy_bridge.py): the translation table both ways, its one error for
everything else, the round trip on the whole catalog (matcalc's evaluator, and SymPy's own
as_explicit() as an oracle), the API with SymPy inputs, and SymPy's own answers on the catalog pinned.

MATCALC_SYMPY_ALL=1 runs the SymPy oracle on every catalog expression and SymPy's answers on
every claim (about a minute); the default run takes a selection of each.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy import (
    Derivative, Determinant, Function, HadamardPower, HadamardProduct, Identity, KroneckerProduct, MatrixSymbol,
    OneMatrix, Rational, Subs, Symbol, Trace, ZeroMatrix, exp, log, sqrt, tanh,
)
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf

import matcalc
from matcalc import ops
from matcalc.checker.evaluate import DomainError
from matcalc.errors import MatcalcError
from matcalc.language import SOURCE
from matcalc.expr import Call, Commutation, MatMul, ScalarFn, Transpose, walk
from matcalc.parser import parse
from matcalc.prooffile import make_scope
from matcalc.engine.second_order import derive_kind
from matcalc.sympy_bridge import from_sympy, from_table, to_sympy, to_table

from .strategies import SHAPES, exprs
from .sympy_answers import catalog_claims, pinned, sympy_answer
from .sympy_roundtrip import close, matcalc_value, point, sympy_value

ROOT = Path(__file__).resolve().parents[1]
ALL = os.environ.get("MATCALC_SYMPY_ALL") == "1"

n, m, p, q = sp.symbols("n m p q", integer=True, positive=True)
X = MatrixSymbol("X", n, n)
A = MatrixSymbol("A", m, n)
B = MatrixSymbol("B", n, q)
P = MatrixSymbol("P", p, m)
x = MatrixSymbol("x", n, 1)
s11 = MatrixSymbol("s", 1, 1)
c, t = Symbol("c"), Symbol("t")
k = Symbol("k", integer=True, positive=True)  # an integer symbol
g = Function("g")

# ------------------------------------------------------------------ the table, SymPy -> matcalc

FROM = [
    (X, "X"), (c, "c"), (s11, "s"), (A * X, "A * X"), (X + X.T, "X + X'"), (2 * c * X - X, "(-1 + 2 * c) * X"),
    (c + Trace(X), "c + tr(X)"), (Trace(X) / n, "tr(eye(n)) ^ -1 * tr(X)"), (X ** 3, "X ^ 3"),
    (X ** -2, "inv(X) ^ 2"), (X.I, "inv(X)"), (A.T, "A'"),
    (Trace(X), "tr(X)"), (Determinant(X), "det(X)"), (log(Determinant(X)), "logdet(X)"), (sqrt(c), "c ^ (1/2)"),
    (c ** Rational(-1, 3), "c ^ -(1/3)"), (exp(c), "exp(c)"), (sp.E * X, "exp(1) * X"), (log(c), "log(c)"),
    (tanh(c), "tanh(c)"),
    (HadamardProduct(A, A), "A .* A"), (HadamardPower(A, 2), "A .^ 2"), (KroneckerProduct(X, A), "kron(X, A)"),
    (Identity(n), "eye(n)"), (Identity(m * n), "eye(m * n)"), (ZeroMatrix(m, n), "0 * ones(m, n)"),
    (OneMatrix(m, n), "ones(m, n)"), (DiagMatrix(x), "diag(x)"), (s11[0, 0], "s"), (Rational(-3, 2), "-(3/2)"),
    (A.applyfunc(exp), "exp(A)"), (A.applyfunc(lambda u: 1 / (1 + exp(-u))), "sigmoid(A)"),
    (A.applyfunc(lambda u: u ** 2 + c), "c + A .^ 2"), (A.applyfunc(lambda u: exp(-u) * u), "A .* exp(-A)"),
    (A.applyfunc(g), "g(A)"), (g(c), "g(c)"), (Derivative(g(c), c), "g'(c)"), (Derivative(g(c), (c, 2)), "g''(c)"),
    (Subs(Derivative(g(t), t), t, c + 1), "g'(1 + c)"),
    (sp.sin(c), "sin(c)"), (sp.cos(c), "cos(c)"), (sp.tan(c), "tan(c)"), (sp.Abs(c), "abs(c)"),
    (sp.Max(c, 0), "relu(c)"), (c ** n * Trace(X), "det(c * eye(n)) * tr(X)"),
    (c ** -n * Trace(X), "det(c * eye(n)) ^ -1 * tr(X)"), (DiagonalOf(X), "diagonal(X)"), (Determinant(c * X).doit(), "det(c * eye(n)) * det(X)"), (sp.sign(c), "abs'(c)"), (sp.Heaviside(c), "relu'(c)"), (A.applyfunc(sp.sin), "sin(A)"),
    (X ** k, "X ^ k"), (X ** (k - 1), "X ^ (-1 + k)"), (HadamardPower(A, 2 * k), "A .^ (2 * k)"), (c ** k, "c ^ k"),
    ((x.T * x)[0, 0], "x' * x"), (((A * x).T * A * x)[0, 0], "(A * x)' * A * x"), ((x.T * X * x)[0, 0], "x' * X * x"),
]


@pytest.mark.parametrize("e, text", FROM, ids=[str(e) for e, _ in FROM])
def test_from_sympy_table(e, text):
    t = from_sympy(e)
    assert SOURCE.show(t.expr) == text  # written out (str writes a whole zero matrix as 0)
    assert parse(text, make_scope(t.symbols, t.functions)) == t.expr  # the declarations it reads off suffice


def test_every_class_of_the_table_is_exercised():
    met = {type(a) for e, _ in FROM for a in sp.preorder_traversal(e)}
    assert set(from_table()) - met == set()


def test_a_dimension_used_as_a_value_is_its_size():
    e = from_sympy(n * X + Trace(X) / m * OneMatrix(n, n)).expr  # m, no matrix's dimension here, is a symbol
    dims, values = point([e])
    assert "tr(eye(n))" in str(e) and "m" not in from_sympy(n * X).symbols
    assert close(matcalc_value(e, dims, values), sympy_value(n * X + Trace(X) / m * OneMatrix(n, n), dims, values))


def test_a_dimension_left_only_as_a_value():
    e = OneMatrix(n, m) * OneMatrix(m, n)  # SymPy: m*1, where m is no longer any matrix's dimension
    assert str(from_sympy(e).expr) == "m * ones(n, n)"
    assert str(from_sympy(e, [m]).expr) == "tr(eye(m)) * ones(n, n)"
    Z = MatrixSymbol("Z", m, m)
    f = Trace(X) * Trace(Identity(m) + Z) - Trace(X) * Trace(Z)  # = m·tr(X), m a dimension of f
    assert matcalc.check(f, wrt=X, gradient=m * Identity(n)).holds  # m is the size in the claim too


@pytest.mark.parametrize("f, gradient", [
    ("tr(X) / tr(eye(n))", "eye(n) / tr(eye(n))"),  # a dimension as a value, as from_sympy writes n
    ("tr(X) * tr(eye(n)) ^ -3", "tr(eye(n)) ^ -3 * eye(n)"),
    ("tr(inv(eye(n) + ones(n, n)) * X)", "inv(eye(n) + ones(n, n))"),  # an integer matrix inverted
])
def test_checker_keeps_integer_arithmetic_exact(f, gradient):
    """int / int and int ^ -k in the checker were Python floats, so these true claims were refuted."""
    assert matcalc.check(f, wrt="X", gradient=gradient, symbols={"X": "matrix(n, n)"}).holds


def test_declarations_read_off():
    t = from_sympy(Trace(A.T * A.applyfunc(g)) + c)
    assert t.symbols == {"A": "matrix(m, n)", "c": "scalar"} and t.functions == {"g": "elementwise"}
    assert t.objects["A"] == A and t.objects["n"] == n


# ------------------------------------------------------------------ the table, matcalc -> SymPy

SCOPE = make_scope({"X": "matrix(n, n)", "A": "matrix(m, n)", "x": "vector(n)", "c": "scalar", "k": "integer"},
                   {"g": "elementwise"},
                   {"h": "A * X"})
TO = [
    ("A * X", "A*X"), ("X + X' - 2 * c", "(-2*c)*1 + X + X.T"), ("-X", "-X"), ("A .* A", "HadamardProduct(A, A)"),
    ("A ./ A", "HadamardProduct(A, HadamardPower(A, -1))"), ("c ./ A", "c*HadamardPower(A, -1)"),
    ("A ./ c", "1/c*A"), ("A / c", "1/c*A"), ("c ^ 3", "c**3"), ("A .^ (1/2)", "HadamardPower(A, 1/2)"),
    ("tr(X)", "Trace(X)"), ("det(X)", "Determinant(X)"), ("logdet(X)", "log(Determinant(X))"), ("inv(X)", "X**(-1)"),
    ("sum(A)", "1*A*1"), ("norm(A)", "sqrt(Trace(A.T*A))"), ("diag(x)", "DiagMatrix(x)"), ("vec(x)", "x"),
    ("softmax(x)", "1/Trace(1*Lambda(_t, exp(_t)).(x))*Lambda(_t, exp(_t)).(x)"), ("kron(X, A)", "KroneckerProduct(X, A)"),
    ("kron(c, A)", "c*A"), ("eye(n)", "I"), ("ones(m, n)", "1"), ("x' * x + c", "c + Trace(x.T*x)"),
    ("tr(x' * x)", "Trace(x.T*x)"), ("exp(A)", "Lambda(_t, exp(_t)).(A)"), ("tanh'(A)", "Lambda(_t, 1 - tanh(_t)**2).(A)"),
    ("sigmoid(c)", "1/(1 + exp(-c))"), ("g'(A)", "Lambda(_t, Derivative(g(_t), _t)).(A)"),
    ("g''(c)", "Subs(Derivative(g(_t), (_t, 2)), _t, c)"), ("g(c)", "g(c)"), ("(1/2) * c", "c/2"), ("h + A", "A + A*X"),
    ("X ^ 3", "X**3"), ("relu'(A)", "Lambda(_t, Heaviside(_t)).(A)"), ("abs''(A)", "Lambda(_t, 0).(A)"),
    ("X ^ (k - 1)", "X**(k - 1)"), ("A .^ (2 * k)", "HadamardPower(A, 2*k)"), ("c ^ k", "c**k"),
    ("A / sqrt(m)", "1/sqrt(m)*A"),  # a dimension as a value: its positive integer Symbol
]


@pytest.mark.parametrize("text, sympy_text", TO, ids=[a for a, _ in TO])
def test_to_sympy_table(text, sympy_text):
    e = parse(text, SCOPE)
    S = to_sympy(e)
    assert str(S) == sympy_text
    dims, values = point([e])
    assert close(matcalc_value(e, dims, values), sympy_value(S, dims, values))


def test_every_node_and_call_of_the_table_is_exercised():
    met = {type(n) for text, _ in TO for n in walk(parse(text, SCOPE))}
    calls = {n.fn for text, _ in TO for n in walk(parse(text, SCOPE)) if isinstance(n, Call)}
    assert set(to_table()) - met == set()
    assert {"tr", "det", "logdet", "inv", "sum", "norm", "softmax", "diag", "vec"} <= calls


def test_to_sympy_reuses_the_users_symbols():
    plain = sp.Symbol("n")  # no assumptions: only the very object compares equal
    Y = MatrixSymbol("Y", plain, plain)
    d = matcalc.derive(log(Determinant(Y)), wrt=Y)
    assert d.to_sympy() == Y.T.I and d.to_sympy().free_symbols >= {Y}
    assert matcalc.to_sympy("inv(Y)'", symbols={"Y": "matrix(n, n)"}) == MatrixSymbol("Y", n, n).T.I


# ------------------------------------------------------------------ one error for everything else

UNSUPPORTED = [
    (sp.asin(c), "asin"), (sp.pi * X, "Pi"), (sp.Float(0.5) * X, "Float"), (sp.I * c, "ImaginaryUnit"),
    (exp(X), "exp"), (log(x.T * x), "log"), (X[0, 1], "MatrixElement"), (X ** Rational(1, 2), "MatPow"),
    (sp.MatPow(X, c), "MatPow"), (HadamardPower(X, c), "HadamardPower"), (c ** c, "Pow"),
    (MatrixSymbol("Z", n + 1, n), "MatrixSymbol"), (Identity(n + 1), "Identity"), (g(c, t), "g"),
    (sp.Dummy("d"), "Dummy"), (A.applyfunc(sp.asin), "asin"),
    (A.applyfunc(lambda u: Trace(X) * u * X[0, 0]), "MatrixElement"), (Derivative(g(c), t), "Derivative"),
    (Derivative(X, X), "Derivative"), (sp.KroneckerDelta(c, t), "KroneckerDelta"), (sp.Max(c, t), "Max"),
    (sp.Piecewise((c, c > 0), (0, True)), "Piecewise"), ((A * X * B).diff(X), "PermuteDims"),
    (Subs(g(t) + g(c), (t, c), (1, 2)), "Subs"),
]


@pytest.mark.parametrize("e, cls", UNSUPPORTED, ids=[str(e) for e, _ in UNSUPPORTED])
def test_unsupported_sympy_is_one_error_naming_the_class(e, cls):
    with pytest.raises(MatcalcError, match=rf"cannot translate SymPy's {cls}\b"):
        from_sympy(e)


def test_to_sympy_refuses_what_sympy_cannot_state():
    scope = make_scope({"A": "matrix(m, n)", "a": "vector(n)", "n": "scalar"}, {"C": "scalar"})
    with pytest.raises(MatcalcError, match="n is both a symbol and a dimension"):
        to_sympy(parse("n * a", scope))
    for text, node in (("vec(A)", "Call vec"), ("commutation(m, n)", "Commutation"), ("C(a)", "ScalarFn")):
        with pytest.raises(MatcalcError, match=f"has no SymPy matrix expression \\({node}\\)"):
            to_sympy(parse(text, scope))


@pytest.mark.parametrize("call, message", [
    (lambda: matcalc.derive(Trace(X), wrt=X.T), "wrt must be a MatrixSymbol or a Symbol, got SymPy's Transpose"),
    (lambda: matcalc.derive(Trace(X), wrt=X, symbols={"X": "matrix(m, n)"}), "X is declared 'matrix(m, n)'"),
    (lambda: matcalc.derive(Trace(X) + Trace(MatrixSymbol("X", m, m)), wrt=X), "stands for two different SymPy symbols"),
    (lambda: matcalc.check(Trace(X), wrt=X, gradient=0.5 * X), "Float"),
    (lambda: matcalc.derive(Trace(X), wrt=X, assume=[x]), "an assumption is sympy.Eq"),
    (lambda: matcalc.from_sympy("X"), "from_sympy takes a SymPy expression, got str"),
    (lambda: matcalc.to_sympy(3), "to_sympy takes a matcalc expression or its text, got int"),
    (lambda: matcalc.derive(Trace(MatrixSymbol("tr", n, n)), wrt=X), "reserved"),
])
def test_api_misuse_is_one_error(call, message):
    with pytest.raises(MatcalcError, match=re.escape(message)):
        call()


def test_a_sympy_users_scalar_entry_of_a_1x1_is_read_as_the_1x1_expression():
    """(r.T*r)[0, 0], the scalar a SymPy user writes, reaches matcalc as SymPy's index-notation Sum of
    entries; the bridge reads it back as the 1×1 expression it is, derives and checks it."""
    b, w = MatrixSymbol("b", m, 1), MatrixSymbol("w", n, 1)
    r = A * w - b
    e = (r.T * r)[0, 0]
    assert isinstance(e, sp.Sum)  # what SymPy makes of it
    assert SOURCE.show(from_sympy(e).expr) == "(-b + A * w)' * (-b + A * w)"
    d = matcalc.derive(e, wrt=w)
    assert str(d.gradient) == "2 * A' * (A * w - b)" and d.verdict.holds
    assert d.to_sympy() == 2 * A.T * (A * w - b)
    ridge = e + c * (w.T * w)[0, 0]
    assert matcalc.check(ridge, wrt=w, gradient=2 * A.T * r + 2 * c * w).holds
    y = MatrixSymbol("y", n, 1)  # an entrywise function and a product of entries on one index
    assert SOURCE.show(from_sympy((y.T * HadamardProduct(X * y, y.applyfunc(exp)))[0, 0]).expr) == \
        "(y .* (X * y))' * exp(y)"
    assert SOURCE.show(from_sympy(Trace(X.T * X) + (OneMatrix(1, n) * y)[0, 0]).expr) == "sum(y) + tr(X' * X)"


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(exprs(SHAPES[4], depth=2), exprs(SHAPES[0], depth=2), exprs(SHAPES[5], depth=2))
def test_the_entry_of_a_random_1x1_product_is_read_back_as_its_value(u, M, v):
    """u' M v for random u, M and v, in SymPy and indexed [0, 0] (SymPy's Sum of entries): read back,
    its value is u' M v's."""
    e = MatMul(MatMul(Transpose(u), M), v)
    dims, values, want = _random_value(e)
    objects: dict = {}
    S = to_sympy(u, objects).T * to_sympy(M, objects) * to_sympy(v, objects)
    try:
        entry = S[0, 0]
    except (ValueError, TypeError):  # SymPy's own _entry fails on some (a derivative at an entry)
        assume(False)
    back = from_sympy(entry, [objects[d] for d in dims if d in objects]).expr
    assert close(want, matcalc_value(back, dims, values)), f"{e} came back as {back}"


def test_an_entry_at_a_fixed_place_is_one_error_saying_what_to_pass():
    z = MatrixSymbol("z", 3, 1)
    with pytest.raises(MatcalcError, match=r"MatrixElement .*pass the 1×1 matrix expression itself, such as z.T\*z"):
        from_sympy((z.T * z)[0, 0])  # SymPy writes it out entry by entry: z[0, 0]**2 + z[1, 0]**2 + z[2, 0]**2
    assert str(matcalc.derive(z.T * z, wrt=z).gradient) == "2 * z"


def test_to_sympy_without_symbols_infers_the_shapes_as_the_command_line_does():
    d = matcalc.derive("x' * A * x", wrt="x")
    assert d.assumed == {"x": "vector(n)", "A": "matrix(n, n)"}  # the command line's inference
    e = matcalc.to_sympy("x' * A * x")
    xs, As = MatrixSymbol("x", n, 1), MatrixSymbol("A", n, n)
    assert e == xs.T * As * xs
    assert matcalc.to_sympy("x' * A * x", symbols={"x": "vector(3)"}) == \
        MatrixSymbol("x", 3, 1).T * MatrixSymbol("A", 3, 3) * MatrixSymbol("x", 3, 1)  # the rest inferred around it


# ------------------------------------------------------------------ the API with SymPy inputs

def _readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## For SymPy users", 1)[1]
    return section.split("```python", 1)[1].split("```", 1)[0]


def test_readme_example_runs_as_written():
    ns: dict = {}
    exec(_readme_block(), ns)  # noqa: S102 - the README's own example
    Xr = ns["X"]
    assert str(ns["d"].gradient) == "inv(X)'" and ns["d"].to_sympy() == Xr.T ** -1
    assert ns["v"].status == "refuted" and str(ns["v"].right_gradient) == "inv(X)'"
    assert ns["j"].status == "refuted" and str(ns["j"].right_gradient) == "kron(B', A)"


def test_jacobian_and_hessian_claims_in_sympy():
    assert matcalc.check(P * A * B, wrt=A, jacobian=KroneckerProduct(B.T, P)).holds
    assert matcalc.derive(P * A * B, wrt=A).to_sympy() == KroneckerProduct(B.T, P)
    Q = MatrixSymbol("Q", n, n)
    h = matcalc.derive(x.T * Q * x, wrt=x, kind="hessian")
    assert h.to_sympy() == Q + Q.T
    assert matcalc.check(x.T * Q * x, wrt=x, hessian=2 * Q).status == "refuted"
    assert matcalc.check(x.T * Q * x, wrt=x, hessian=Q + Q.T).holds


def test_text_and_sympy_mix():
    assert matcalc.check("tr(X)", wrt="X", symbols={"X": "matrix(n, n)"}, gradient=Identity(n)).holds
    assert str(matcalc.derive(Trace(X.T * X), wrt="X").gradient) == "2 * X"
    d = matcalc.derive("norm(z) ^ 2", wrt=X, let={"z": A * X})  # a [let] body in SymPy
    assert str(d.gradient) == "2 * A' * z" and d.to_sympy() == 2 * A.T * A * X


def test_assumption_as_sympy_eq():
    Y, z = MatrixSymbol("Y", n, 1), MatrixSymbol("z", n, 1)
    total = Trace(OneMatrix(1, n) * Y)
    f = total * log(Trace(OneMatrix(1, n) * z.applyfunc(exp))) - Trace(Y.T * z)
    d = matcalc.derive(f, wrt=z, assume=[sp.Eq(total, 1)])
    assert d.verdict.holds and str(d.gradient) == "exp(z) / (ones(1, n) * exp(z)) - Y"  # the factor 1ᵀY is gone
    assert str(matcalc.derive(f, wrt=z).gradient) == "ones(1, n) * Y * exp(z) / (ones(1, n) * exp(z)) - Y"


def test_sympy_is_imported_only_when_met():
    code = ("import sys, matcalc; matcalc.derive(\"x' * x\", wrt='x', symbols={'x': 'vector(n)'}); "
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------ the catalog, both ways

def _catalog_expressions() -> dict:
    """Every f, claimed value and engine result of the catalog (each once), with where it is from."""
    out: dict = {}
    for proof, claim in catalog_claims():
        at = f"{proof.name}#{claim.index}"
        out.setdefault(claim.f, f"{at} f")
        if claim.gradient is not None:
            out.setdefault(claim.gradient, f"{at} claimed")
        out.setdefault(derive_kind(claim.kind, claim.f, claim.wrt, assume=proof.assume, scope=proof.scope).gradient,
                       f"{at} derived")
    return out


CATALOG = _catalog_expressions()


def _stateless(e) -> bool:
    """e has a node SymPy's matrix expressions cannot state: vec of a matrix, commutation, C(a), an operator
    whose record says SymPy has none (tril, triu)."""
    return any(isinstance(k, (Commutation, ScalarFn)) or isinstance(k, Call) and (
        k.fn == "vec" and k.arg.shape.cols != 1 or isinstance(ops.get(k.fn).to_sympy, ops.Unsupported))
        or isinstance(getattr(ops.of_node(type(k)), "to_sympy", None), ops.Unsupported) for k in walk(e))


@pytest.mark.slow
def test_catalog_round_trip():
    """from_sympy(to_sympy(e)) evaluates equal to e, for every catalog expression SymPy can state."""
    compared, statable = 0, sum(not _stateless(e) for e in CATALOG)
    for e, where in CATALOG.items():
        if _stateless(e):
            with pytest.raises(MatcalcError, match="has no SymPy matrix expression"):
                to_sympy(e)
            continue
        back = from_sympy(to_sympy(e)).expr
        dims, values = point([e])
        try:
            want = matcalc_value(e, dims, values)
        except DomainError:
            continue
        assert close(want, matcalc_value(back, dims, values)), f"{where}: {e} came back as {back}"
        compared += 1
    assert compared >= 0.85 * statable


def _oracle_selection() -> list:
    """The f and the engine's result of every proof's first claim (every expression with MATCALC_SYMPY_ALL=1)."""
    return [e for e, where in CATALOG.items() if (ALL or re.search(r"#1 (f|derived)$", where)) and not _stateless(e)]


@pytest.mark.slow
@pytest.mark.parametrize("e", _oracle_selection(), ids=lambda e: CATALOG[e])
def test_sympy_explicit_evaluation_agrees(e):
    """SymPy's own as_explicit() of to_sympy(e), at concrete sizes, equals matcalc's value of e."""
    dims, values = point([e])
    try:
        want = matcalc_value(e, dims, values)
    except DomainError:
        pytest.skip("the point is outside e's domain")
    assert close(want, sympy_value(to_sympy(e), dims, values))


def _random_value(e):
    """Sizes, a point and e's value there, for a random e (hypothesis passes over stateless
    ones and points outside e's domain)."""
    assume(not _stateless(e))
    dims, values = point([e])
    try:
        return dims, values, matcalc_value(e, dims, values)
    except (DomainError, ArithmeticError, ValueError):
        assume(False)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SHAPES).flatmap(lambda shape: exprs(shape)))
def test_random_expressions_round_trip(e):
    """The same round trip on random well-typed expressions (tests/strategies.py)."""
    dims, values, want = _random_value(e)
    objects: dict = {}
    S = to_sympy(e, objects)
    back = from_sympy(S, [objects[d] for d in dims]).expr  # a dimension may be left only as a value (m·1)
    assert close(want, matcalc_value(back, dims, values)), f"{e} came back as {back}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SHAPES).flatmap(lambda shape: exprs(shape, depth=2)))
def test_random_expressions_against_sympy_explicit(e):
    dims, values, want = _random_value(e)
    assert close(want, sympy_value(to_sympy(e), dims, values)), str(e)


# ------------------------------------------------------------------ SymPy's own answers, pinned

#: One claim of each outcome (and each kind), checked again in the default run.
SELECTED = ("lemmas#1", "cookbook-determinants#7", "dense-layer#1", "softmax-ce#2", "least-squares#3",
            "ml-jacobians#4", "ml-jacobians#6", "atxb#1", "cookbook-determinants#1", "softmax-ce#1",
            "logistic-regression#1", "backprop#1", "hessians#1")


CLAIMS = [(proof, c) for proof, c in catalog_claims() if ALL or f"{proof.name}#{c.index}" in SELECTED]


@pytest.mark.parametrize("proof, claim", CLAIMS, ids=[f"{p.name}#{c.index}" for p, c in CLAIMS])
def test_sympy_answer_is_as_pinned(proof, claim):
    """SymPy's .diff on the claim, judged by matcalc, as tests/data/sympy_answers.json says
    (regenerate with python scripts/sympy_answers.py when a SymPy release changes one)."""
    got = sympy_answer(proof, claim)
    want = pinned()[got.claim]
    assert (got.outcome, got.answer) == (want["outcome"], want["answer"]), \
        f"SymPy {sp.__version__} answers differently: regenerate with python scripts/sympy_answers.py"


def test_pinned_answers_cover_each_outcome_and_match_the_docs():
    answers = pinned().values()
    kinds = {re.sub(r"^(raises|untranslatable) .*", r"\1", a["outcome"]) for a in answers}
    assert {"holds", "refuted", "raises", "untranslatable", "not stated"} <= kinds
    rows = [line for line in (ROOT / "docs" / "sympy.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and line.endswith(" |")]
    for a in answers:  # the doc's row of every claim says the pinned outcome
        assert any(r.startswith(f"| {a['claim']} | {a['kind']} |") and r.endswith(f"| {a['outcome']} |") for r in rows)
    refuted = [a["claim"] for a in answers if a["outcome"] == "refuted"]
    assert "cookbook-determinants#7" in refuted and "log-sum-exp#1" in refuted
