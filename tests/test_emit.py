"""Code export (--emit): the emitted NumPy, JAX and PyTorch modules against matcalc's own checker
evaluator at the checker's random points, their own check() (central differences, and jax.grad or
torch.autograd), their shape errors, dtypes and shapes as a training script uses them, and the
command line and API that produce them. PyTorch tests run where torch is importable."""
from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from flint import arb, ctx

import matcalc
from matcalc.checker.evaluate import Evaluator
from matcalc.cli import main
from matcalc.codegen import Target, module
from matcalc.expr import Entrywise, ScalarFn, distinct_nodes
from matcalc.proof_catalog import entries
from matcalc.prooffile import load
from matcalc.engine.second_order import derive_kind

from . import points
from .sweeps import sweep

np = pytest.importorskip("numpy")

ROOT = Path(__file__).resolve().parent.parent


def load_module(source: str, name: str = "emitted") -> dict:
    """The emitted module's namespace (compiled from its text, as `python file.py` would)."""
    ns: dict = {"__name__": name}
    exec(compile(source, f"<{name}>", "exec"), ns)
    return ns


@lru_cache(maxsize=None)
def derived(name: str):
    """(proof, targets): the engine's derivation of every claim of catalog proof ``name``."""
    proof = load(next(e.path for e in entries() if e.name == name))
    targets = []
    for c in proof.claims:
        d = derive_kind(c.kind, c.f, c.wrt, assume=proof.assume, scope=proof.scope)
        targets.append(Target(c.f, c.wrt, d.kind, d.gradient))
    return proof, tuple(targets)


@lru_cache(maxsize=None)
def emitted(name: str, backend: str) -> dict:
    proof, targets = derived(name)
    return load_module(module(backend, list(targets), proof.scope, proof.assume, title=proof.title), f"{name}_{backend}")


def uses_functions(proof) -> bool:
    return bool(proof.scope.functions)


# Concrete declared functions for the comparison: sigma = tanh, C(a) = sum(a ** 2) / 2 + sum(a),
# each in the checker's numbers (an Arb power series, ring numbers) and in the emitted code's (NumPy).
def _tanh(s):
    """tanh = 1 - 2 / (e^(2s) + 1) on an Arb power series (its derivatives come from the series)."""
    return 1 - 2 * ((2 * s).exp() + 1).inv()


class _Quadratic:
    """C(a) and C'(a) of a matrix a (rows), the gradient's entries row by row."""

    def value(self, a):
        v = [x for row in a for x in row]
        return sum(x * x for x in v) * arb(0.5) + sum(v)

    def gradient(self, a):
        return [x + 1 for row in a for x in row]


CHECKER_FUNCTIONS = {"elementwise": _tanh, "scalar": _Quadratic()}
NUMPY_FUNCTIONS = {"elementwise": (np.tanh, lambda x: 1 - np.tanh(x) ** 2, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
                   "scalar": (lambda a: np.sum(a ** 2) / 2 + np.sum(a), lambda a: a + 1)}


def function_arguments(proof, target) -> dict:
    """The emitted functions' arguments for the declared functions f and its result use."""
    out = {}
    for n in distinct_nodes(target.f, target.result):
        if isinstance(n, Entrywise) and n.fn in proof.scope.functions:
            out[n.fn + ("", "_prime", "_prime2")[n.order]] = NUMPY_FUNCTIONS["elementwise"][n.order]
        if isinstance(n, ScalarFn):
            out[n.fn + ("", "_grad")[n.order]] = NUMPY_FUNCTIONS["scalar"][n.order]
    return out


def checker_point(proof, target, seed: int, prec: int = 200):
    """The checker's kind of random point for this claim (tests/points.py), sizes 2, 3, 4, ... by
    name, and the checker's values there of f and of the derivative (``prec`` bits)."""
    kinds = proof.scope.functions.items()
    elementwise = {n: CHECKER_FUNCTIONS["elementwise"] for n, k in kinds if k == "elementwise"}
    scalar = {n: CHECKER_FUNCTIONS["scalar"] for n, k in kinds if k == "scalar"}
    b, _ = points.checker_point(proof.scope, [target.f, target.result], proof.assume, points.sizes(proof.scope),
                                random.Random(seed), elementwise, scalar, prec)
    with ctx.workprec(prec):
        ev = Evaluator(b)
        return b.values, ev(target.f), ev(target.result)


def as_float(m) -> np.ndarray:
    return np.array([[float(x) for x in r] for r in m])


def relative(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


CATALOG = [e.name for e in entries()]
GROUPS = {e.name: e.group for e in entries()}


@pytest.mark.parametrize("name", sweep(CATALOG, CATALOG, lambda name: GROUPS[name]))
def test_catalog_numpy_agrees_with_the_checker(name):
    """Every claim: the emitted NumPy f and derivative at the checker's random point equal the
    checker's values to 1e-9 relative, and the module's own check() passes."""
    proof, targets = derived(name)
    ns = emitted(name, "numpy")
    many = len(targets) > 1
    for i, t in enumerate(targets, 1):
        values, f_value, d_value = checker_point(proof, t, seed=i)
        spelled = dict(zip(proof.scope.symbols, ns["SHAPES"]))  # μ -> mu
        inputs = {spelled[k]: as_float(v) for k, v in values.items()}
        inputs = {k: v for k, v in inputs.items() if k in ns["CLAIMS"][f"{t.kind}_{i}" if many else t.kind]["inputs"]}
        inputs.update(function_arguments(proof, t))
        f = ns[f"f_{i}" if many else "f"]
        d = ns[f"{t.kind}_{i}" if many else t.kind]
        assert relative(np.reshape(f(**inputs), as_float(f_value).shape), as_float(f_value)) < 1e-9, (name, i)
        assert relative(np.reshape(d(**inputs), as_float(d_value).shape), as_float(d_value)) < 1e-9, (name, i)
    errors = ns["check"]()
    assert max(errors.values()) < 1e-6


def labels(name: str) -> list[str]:
    """The names of the derivative functions in the module of catalog proof ``name``."""
    _, targets = derived(name)
    return [t.kind if len(targets) == 1 else f"{t.kind}_{i}" for i, t in enumerate(targets, 1)]


def forms(target) -> set[str]:
    """What a claim exercises of a backend's table: its kind, and each kind of node (with its
    function) in f and the result (the derivatives of entrywise functions are spelled alike in
    every backend, and run for every claim in NumPy)."""
    return {target.kind} | {type(n).__name__ + ":" + str(getattr(n, "fn", ""))
                            for n in distinct_nodes(target.f, target.result)}


@lru_cache(maxsize=None)
def emits(name: str, backend: str) -> bool:
    """Does catalog proof ``name`` have emitted code for ``backend`` (a module that compiles)?"""
    proof, targets = derived(name)
    try:
        compile(module(backend, list(targets), proof.scope, proof.assume), f"<{name}>", "exec")
    except matcalc.MatcalcError:
        return False
    return True


def sample(backend: str) -> list[tuple[str, str]]:
    """(proof, function) for the claims an autodiff test runs, among those whose emitted ``backend`` code
    exists: every one with MATCALC_EMIT_ALL=1 (a JAX claim compiles with XLA, about 0.3 s), else a few
    that together exercise every form those claims have."""
    claims = [(name, label, derived(name)[1][k]) for name in CATALOG if emits(name, backend)
              for k, label in enumerate(labels(name))]
    if os.environ.get("MATCALC_EMIT_ALL"):
        return [(name, label) for name, label, _ in claims]
    seen: set[str] = set()
    chosen = []
    while True:
        name, label, t = max(claims, key=lambda c: len(forms(c[2]) - seen))
        if not forms(t) - seen:
            return chosen
        seen |= forms(t)
        chosen.append((name, label))


def agree_with_autodiff(backend: str, precision) -> list[tuple[str, str]]:
    """Each sampled claim's check() in the ``backend`` module (central differences, and the backend's
    automatic differentiation of its own f against its derivative), and its values equal the NumPy
    module's at float64 inputs (``precision``: where the backend computes them in float64)."""
    chosen = sample(backend)
    for name, label in chosen:
        ns, reference = emitted(name, backend), emitted(name, "numpy")
        claim = ns.setdefault("every claim", ns["CLAIMS"])[label]
        ns["CLAIMS"] = {label: claim}  # this claim's check only
        errors = ns["check"]()
        assert errors[label] < 1e-6, (name, label)
        values, _ = reference["_random_inputs"](np.random.default_rng(0))
        ours = reference["_call"](reference["CLAIMS"][label]["derivative"], claim["inputs"],
                                  {**values, **reference["EXAMPLE_FUNCTIONS"]})
        with precision(ns):
            theirs = ns["_call"](claim["derivative"], claim["inputs"], {**values, **ns["EXAMPLE_FUNCTIONS"]})
        if np.all(np.isfinite(ours)):
            assert relative(theirs, ours) < 1e-9, (name, label)
    return chosen


@pytest.mark.slow  # several seconds: XLA compiles, or torch runs, each module
def test_jax_modules_agree_with_jax_grad():
    """The emitted JAX modules of a covering sample against jax.grad, jax.jacobian or jax.hessian."""
    pytest.importorskip("jax")
    agree_with_autodiff("jax", lambda ns: ns["_float64"]())  # float64 in is float64 where 64-bit JAX is on


@pytest.mark.slow  # several seconds: XLA compiles, or torch runs, each module
def test_torch_modules_of_a_covering_sample_agree_with_torch_autograd():
    """Rule: every torch module of a covering sample (the catalog's claims whose emitted torch code
    exists) runs against torch.autograd whenever torch is importable (it is not a test extra: the
    package index's build is CUDA's, 4 GB); MATCALC_EMIT_ALL=1 runs every claim."""
    pytest.importorskip("torch")
    assert agree_with_autodiff("torch", lambda ns: contextlib.nullcontext())


# --- the emitted functions' interface -------------------------------------------------------------

SOFTMAX_LAYER = dict(f="-Y' * log(softmax(z))", wrt="W", symbols={"W": "matrix(n, m)", "x": "vector(m)", "b": "vector(n)",
                                                                  "Y": "vector(n)"},
                     let={"z": "W * x + b"}, assume=["sum(Y) = 1"])


@lru_cache(maxsize=None)
def softmax_layer(backend: str = "numpy") -> tuple[str, dict]:
    source = matcalc.derive(**SOFTMAX_LAYER).to_code(backend)
    return source, load_module(source)


def test_readable_code_with_let_names_and_shared_subexpressions():
    source, _ = softmax_layer()
    assert "import matcalc" not in source and "from matcalc" not in source
    assert "    z = W @ x + b\n" in source
    assert "return np.reshape((softmax(z) - Y) * x.T, shape)" in source
    twice = matcalc.derive("sigmoid(w' * x) + sum(sigmoid(w' * x) .* x)", wrt="w",
                           symbols={"w": "vector(n)", "x": "vector(n)"}).to_code("numpy")
    assert "    t1 = sigmoid(w.T @ x)\n    return np.reshape(t1 + np.sum(t1 * x, keepdims=True), ())" in twice
    assert "    t1 = sigmoid_prime(w.T @ x)\n" in twice  # each occurs twice, and is computed once
    solve = matcalc.derive("sum(inv(A) * b)", wrt="b", symbols={"A": "matrix(n, n)", "b": "vector(n)"}).to_code("numpy")
    assert "np.linalg.solve(A, b)" in solve and "np.linalg.slogdet" in matcalc.derive(
        "logdet(X)", wrt="X", symbols={"X": "matrix(n, n)"}).to_code("numpy")


def test_inputs_in_every_accepted_shape():
    """A vector as (n,) or (n, 1), a scalar as a number or 1×1; the gradient comes back as passed."""
    _, ns = softmax_layer()
    rng = np.random.default_rng(1)
    W, x, b = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(3)
    Y = np.array([0.2, 0.3, 0.5])
    G = ns["gradient"](W=W, x=x, b=b, Y=Y)
    assert G.shape == (3, 2)
    assert np.allclose(G, ns["gradient"](W=W, x=x[:, None], b=b[:, None], Y=Y[:, None]))
    z = W @ x + b
    assert np.allclose(G, np.outer(np.exp(z) / np.exp(z).sum() - Y, x))
    assert isinstance(float(ns["f"](W=W.tolist(), x=list(x), b=b, Y=Y)), float)
    scalar = load_module(matcalc.derive("c * x' * x", wrt="x", symbols={"c": "scalar", "x": "vector(n)"}).to_code("numpy"))
    assert ns is not scalar and scalar["gradient"](c=2.0, x=[1.0, 2.0]).shape == (2,)
    assert np.allclose(scalar["gradient"](c=np.array([[2.0]]), x=[[1.0], [2.0]]), [[4.0], [8.0]])
    by_c = load_module(matcalc.derive("c * x' * x", wrt="c", symbols={"c": "scalar", "x": "vector(n)"}).to_code("numpy"))
    assert by_c["gradient"](c=3, x=[1.0, 2.0]).shape == () and float(by_c["gradient"](c=3, x=[1.0, 2.0])) == 5.0


@pytest.mark.parametrize("inputs, message", [
    (dict(W=np.ones((3, 2)), x=np.ones(3), b=np.ones(3), Y=np.ones(3)), "x must be m×1 with m = 2 from W, got 3×1"),
    (dict(W=np.ones((3, 2)), x=np.ones(2), b=np.ones(4), Y=np.ones(3)), "b must be n×1 with n = 3 from W, got 4×1"),
    (dict(W=np.ones(3), x=np.ones(2), b=np.ones(3), Y=np.ones(3)), "W must be n×m, got an array of shape (3,)"),
    (dict(W=np.ones((3, 2, 1)), x=np.ones(2), b=np.ones(3), Y=np.ones(3)), "W must be n×m, got an array of shape (3, 2, 1)"),
    (dict(W="abc", x=np.ones(2), b=np.ones(3), Y=np.ones(3)), "W must be an array of numbers, got str"),
    (dict(W=np.ones((3, 2)), x=[[1, 2], [3]], b=np.ones(3), Y=np.ones(3)), "x must be an array of numbers, got list"),
])
@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_bad_arguments_are_one_line_value_errors(inputs, message, backend):
    if backend == "jax":
        pytest.importorskip("jax")
    _, ns = softmax_layer(backend)
    for fn in (ns["f"], ns["gradient"]):
        with pytest.raises(ValueError) as e:
            fn(**inputs)
        assert str(e.value) == message and "\n" not in str(e.value)


def test_a_fixed_size_and_a_greek_name():
    ns = load_module(matcalc.derive("mu' * A * mu + sum(λ .* mu)", wrt="mu",
                                    symbols={"mu": "vector(3)", "A": "matrix(3, 3)", "λ": "vector(3)"}).to_code("numpy"))
    with pytest.raises(ValueError, match=r"^mu must be 3×1, got 2×1$"):
        ns["f"](mu=[1.0, 2.0], A=np.eye(3), lambda_=np.ones(3))
    assert np.allclose(ns["gradient"](mu=[1.0, 2.0, 3.0], A=np.eye(3), lambda_=np.ones(3)), [3.0, 5.0, 7.0])
    assert ns["check"]()["gradient"] < 1e-6


def test_declared_functions_are_arguments():
    d = matcalc.derive("C(sigma(W * x))", wrt="W", symbols={"W": "matrix(n, m)", "x": "vector(m)"},
                       functions={"sigma": "elementwise", "C": "scalar"})
    ns = load_module(d.to_code("numpy"))
    W, x = np.arange(6.0).reshape(3, 2) / 10, np.array([1.0, -1.0])
    funcs = dict(sigma=np.tanh, sigma_prime=lambda z: 1 - np.tanh(z) ** 2, C=lambda a: np.sum(a ** 2) / 2, C_grad=lambda a: a)
    a = np.tanh(W @ x)
    assert np.allclose(ns["gradient"](W=W, x=x, **funcs), np.outer(a * (1 - a ** 2), x))
    assert ns["check"](seed=3, **funcs)["gradient"] < 1e-6
    assert ns["check"]()["gradient"] < 1e-6  # the module's example functions


def test_an_assumption_on_wrt():
    """Y is moved onto sum(Y) = 1 and the directions keep it; the JAX module's jax.grad agrees on them."""
    pytest.importorskip("jax")
    d = matcalc.derive("Y' * log(softmax(z)) + sum(Y .* Y)", wrt="Y", symbols={"Y": "vector(n)", "z": "vector(n)"},
                       assume=["sum(Y) = 1"])
    for backend in ("numpy", "jax"):
        ns = load_module(d.to_code(backend))
        assert ns["check"](seed=5)["gradient"] < 1e-6
        with ns.get("_float64", contextlib.nullcontext)():  # as in check(): 64-bit JAX there only
            values, normals = ns["_random_inputs"](np.random.default_rng(5))
        assert abs(values["Y"].sum() - 1) < 1e-12 and np.allclose(normals["Y"], 1)


def test_jacobian_and_hessian_functions():
    jac = load_module(matcalc.derive("A * X * B", wrt="X", symbols={"A": "matrix(p, m)", "X": "matrix(m, n)",
                                                                      "B": "matrix(n, q)"}).to_code("numpy"))
    rng = np.random.default_rng(2)
    A, X, B = rng.standard_normal((4, 2)), rng.standard_normal((2, 3)), rng.standard_normal((3, 5))
    assert np.allclose(jac["jacobian"](A=A, X=X, B=B), np.kron(B.T, A))
    hess = load_module(matcalc.derive("norm(A * x - b) ^ 2", wrt="x", kind="hessian",
                                      symbols={"A": "matrix(m, n)", "x": "vector(n)", "b": "vector(m)"}).to_code("numpy"))
    x, b = X[:, 0], A[:, 0] + 1
    assert np.allclose(hess["hessian"](A=A, x=x, b=b), 2 * A.T @ A)
    assert np.allclose(hess["gradient"](A=A, x=x, b=b), 2 * A.T @ (A @ x - b))  # the gradient comes along
    assert jac["check"]()["jacobian"] < 1e-6
    assert set(hess["check"]()) == {"gradient", "hessian"} and max(hess["check"]().values()) < 1e-6


def test_jax_functions_jit():
    jax = pytest.importorskip("jax")
    _, ns = softmax_layer("jax")
    _, reference = softmax_layer("numpy")
    rng = np.random.default_rng(4)
    inputs = dict(W=rng.standard_normal((3, 2)), x=rng.standard_normal(2), b=rng.standard_normal(3), Y=np.full(3, 1 / 3))
    with ns["_float64"]():
        assert relative(jax.jit(ns["gradient"])(**inputs), reference["gradient"](**inputs)) < 1e-12
    single = {k: np.float32(v) for k, v in inputs.items()}  # JAX's default: float32, jit-compiled as well
    assert jax.jit(ns["gradient"])(**single).dtype == np.float32
    assert relative(jax.jit(ns["gradient"])(**single), reference["gradient"](**inputs)) < 1e-5


def test_emitting_needs_no_numpy():
    """matcalc stays NumPy-free: code is emitted with numpy (and jax, torch) unimportable."""
    code = ("import sys\nfor m in ('numpy', 'jax', 'torch'): sys.modules[m] = None\nimport matcalc\n"
            "d = matcalc.derive('tr(A * X)', wrt='X', symbols={'A': 'matrix(n, m)', 'X': 'matrix(m, n)'})\n"
            "print(all('def gradient' in d.to_code(b) for b in ('numpy', 'jax', 'torch')))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.strip() == "True", r.stderr


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_every_catalog_module_compiles(backend):
    """Without importing the backend: every proof's module is valid Python (torch's is run only
    where torch is installed, below)."""
    for name in CATALOG:
        proof, targets = derived(name)
        compile(module(backend, list(targets), proof.scope, proof.assume), f"<{name}>", "exec")


def test_torch_module():
    """Where torch exists: the emitted module's check, which runs torch.autograd.gradcheck too."""
    pytest.importorskip("torch")
    _, ns = softmax_layer("torch")
    assert ns["check"]()["gradient"] < 1e-6


# --- the command line -----------------------------------------------------------------------------

def test_cli_diff_and_prove_emit(tmp_path, capsys):
    assert main(["diff", "A' * X * B", "--wrt", "X", "--sym", "A=vector(m)", "--sym", "X=matrix(m,n)",
                 "--sym", "B=vector(n)", "--emit", "numpy"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('"""') and "return np.reshape(A * B.T, shape)" in out
    target = tmp_path / "grad.py"
    assert main(["prove", "softmax-ce", "--emit", "numpy", "--output", str(target)]) == 0
    run = subprocess.run([sys.executable, str(target)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("largest relative error") == 5  # claim 4 is refuted as expected; its derivation holds


def test_what_cannot_be_emitted_is_a_one_line_error():
    d = matcalc.derive("sum(sigma''(x))", wrt="x", symbols={"x": "vector(n)"}, functions={"sigma": "elementwise"})
    with pytest.raises(matcalc.MatcalcError, match=r"^cannot emit code for sigma'''\(x\): only the first two"):
        d.to_code("numpy")


def test_only_derivations_that_hold_are_emitted():
    from dataclasses import replace

    from matcalc.codegen import emit
    from matcalc.report import run_proof

    proof = load(next(e.path for e in entries() if e.name == "atxb"))
    (report,) = run_proof(proof)[:1]
    wrong = replace(report, derived=replace(report.derived, status="refuted"))
    with pytest.raises(matcalc.MatcalcError, match="^nothing to emit: no derivation in .* holds$"):
        emit("numpy", proof, [wrong])
    assert "def gradient(" in emit("numpy", proof, [wrong, report])


def test_cli_emit_errors(capsys):
    with pytest.raises(SystemExit) as e:
        main(["diff", "tr(X)", "--wrt", "X", "--sym", "X=matrix(n,n)", "--emit", "fortran"])
    assert e.value.code == 2
    assert "invalid choice: 'fortran'" in capsys.readouterr().err
    assert main(["prove", "softmax-ce", "--emit", "numpy", "--output", "/nonexistent/dir/g.py"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("matcalc: error: cannot write") and err.count("\n") == 1
    with pytest.raises(matcalc.MatcalcError, match="unknown backend 'fortran'"):
        matcalc.derive("tr(X)", wrt="X", symbols={"X": "matrix(n, n)"}).to_code("fortran")


# --- emitted code in a training script: one test (or two) for each rule ---------------------------

def array_module(backend: str):
    """The backend's array module, or a clean skip where it is not installed (torch is not a test extra)."""
    if backend == "numpy":
        return np
    if backend == "jax":
        pytest.importorskip("jax")
        import jax.numpy as jnp

        return jnp
    return pytest.importorskip("torch")


def as_backend(backend: str, a, dtype: str):
    """A float64 NumPy array as the backend's own array of ``dtype`` ("float32", "float64")."""
    xp = array_module(backend)
    if backend == "torch":
        return xp.tensor(np.asarray(a), dtype=getattr(xp, dtype))
    return xp.asarray(np.asarray(a, dtype=dtype))


def array_kind(backend: str):
    if backend == "numpy":
        return np.ndarray
    if backend == "jax":
        import jax

        return jax.Array
    return array_module("torch").Tensor


def to_numpy(a) -> np.ndarray:
    return np.asarray(a.detach().cpu() if hasattr(a, "detach") else a, dtype=np.float64)


@lru_cache(maxsize=None)
def training_module(f: str, wrt: str, symbols: tuple, functions: tuple, kind: str, backend: str) -> dict:
    return load_module(matcalc.derive(f, wrt, symbols=dict(symbols), functions=dict(functions), kind=kind)
                       .to_code(backend), f"{backend}_{abs(hash((f, wrt, kind))) % 10 ** 8}")


# Each makes constants the dtype must reach: eye, ones, a dimension as a number, a declared scalar
# function's value, the commutation matrix, a scipy or eigen-decomposition helper, a vector f.
DTYPE_CASES = [
    ("sum(log(sigmoid(W * x + b))) + norm(W)^2 / sqrt(m)", "W", {"W": "matrix(n, m)", "x": "vector(m)", "b": "vector(n)"},
     {}, "gradient"),
    ("tr(inv(eye(n) + X' * X))", "X", {"X": "matrix(m, n)"}, {}, "gradient"),
    ("sum((W * X + b) .^ 2)", "b", {"W": "matrix(n, m)", "X": "matrix(m, N)", "b": "vector(n)"}, {}, "gradient"),
    ("C(W * x)", "W", {"W": "matrix(n, m)", "x": "vector(m)"}, {"C": "scalar"}, "gradient"),
    ("X'", "X", {"X": "matrix(m, n)"}, {}, "jacobian"),
    ("tanh(W * x) * sqrt(n)", "x", {"W": "matrix(n, m)", "x": "vector(m)"}, {}, "jacobian"),
    ("tr(expm(S)) + tr(logm(S))", "S", {"S": "matrix(n, n)"}, {}, "gradient"),
    ("norm(A * x - b)^2", "x", {"A": "matrix(m, n)", "x": "vector(n)", "b": "vector(m)"}, {}, "hessian"),
]


@pytest.mark.slow  # several seconds: XLA compiles, or torch runs, each module
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
def test_inputs_keep_their_dtype_and_array_kind(backend, dtype):
    """Rule: a module computes in the caller's dtype, with the backend's own arrays: float32 in, float32
    out, a tensor in, a tensor out (no conversion to float64), every constant it makes included; a
    Python number takes the arrays' dtype. Values agree with the NumPy module in float64."""
    array_module(backend)
    float64 = backend == "jax" and dtype == "float64"  # JAX has float64 only where 64-bit JAX is on
    for f, wrt, symbols, functions, kind in DTYPE_CASES:
        key = (f, wrt, tuple(symbols.items()), tuple(functions.items()), kind)
        ns, reference = training_module(*key, backend), training_module(*key, "numpy")
        claim = ns["CLAIMS"][kind]
        values, _ = reference["_random_inputs"](np.random.default_rng(7))
        with ns["_float64"]() if float64 else contextlib.nullcontext():
            inputs = {n: as_backend(backend, values[n], dtype) for n in claim["inputs"] if n in values}
            for fn in (ns["f"], ns[kind]):
                out = fn(**inputs, **{n: v for n, v in ns["EXAMPLE_FUNCTIONS"].items() if n in claim["inputs"]})
                assert isinstance(out, array_kind(backend)), (f, fn.__name__, type(out))
                assert str(out.dtype).endswith(dtype), (f, fn.__name__, out.dtype)
                expected = reference[fn.__name__](**{n: values[n] for n in inputs},
                                                  **{n: v for n, v in reference["EXAMPLE_FUNCTIONS"].items()
                                                     if n in claim["inputs"]})
                assert relative(to_numpy(out), expected) < (1e-9 if dtype == "float64" else 1e-4), (f, fn.__name__)
        scaled = training_module("c * x' * x", "x", (("c", "scalar"), ("x", "vector(n)")), (), "gradient", backend)
        with ns["_float64"]() if float64 else contextlib.nullcontext():
            x = as_backend(backend, [1.0, 2.0, 3.0], dtype)
            assert str(scaled["gradient"](c=2.5, x=x).dtype).endswith(dtype)  # 2.5: a Python number decides nothing


def test_a_torch_tensor_that_requires_grad_goes_through():
    """Rule (torch): in a training script, the emitted f of float32 parameters is a float32 tensor
    torch.autograd differentiates, and its gradient is the emitted one."""
    torch = pytest.importorskip("torch")
    ns = softmax_layer("torch")[1]
    rng = np.random.default_rng(3)
    W = torch.tensor(rng.standard_normal((3, 2)), dtype=torch.float32, requires_grad=True)
    x, b = torch.tensor(rng.standard_normal(2), dtype=torch.float32), torch.tensor(rng.standard_normal(3), dtype=torch.float32)
    Y = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float32)
    loss = ns["f"](W=W, x=x, b=b, Y=Y)
    loss.backward()
    G = ns["gradient"](W=W.detach(), x=x, b=b, Y=Y)
    assert loss.dtype == G.dtype == torch.float32 and G.shape == W.shape
    assert torch.allclose(W.grad, G, rtol=1e-5, atol=1e-6)


def test_no_global_configuration_changed_on_import():
    """Rule: importing an emitted module, or running its check(), changes no global configuration: the
    JAX module never turns on jax_enable_x64 (check() uses 64-bit JAX locally), torch's default dtype
    and NumPy's error handling stay as they were; float32 stays float32 after check()."""
    d = matcalc.derive("x' * x + 10^8", "x")
    for backend in ("numpy", "jax", "torch"):
        source = d.to_code(backend)
        assert "config.update" not in source and "set_default_dtype" not in source and "np.seterr" not in source
    errors = np.geterr()
    jax = pytest.importorskip("jax")
    x64 = jax.config.jax_enable_x64
    g = d.function("jax")  # imported as a module of its own, as a user's import would
    assert jax.config.jax_enable_x64 == x64
    ns = load_module(d.to_code("jax"))
    assert ns["check"]()["gradient"] <= 1e-6  # float64 inside, where 10^8 leaves x' * x its digits
    assert jax.config.jax_enable_x64 == x64 and np.geterr() == errors
    x = np.array([1.0, 2.0], dtype=np.float32)
    assert g(x=x).dtype == ns["f"](x=x).dtype == np.float32
    try:
        import torch
    except ImportError:  # torch's part where it is importable; the rest holds without it
        return
    default = torch.get_default_dtype()
    assert load_module(d.to_code("torch"))["check"]()["gradient"] <= 1e-6
    assert torch.get_default_dtype() == default


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
def test_a_vector_f_of_an_n_input_is_n(backend):
    """Rule: a vector-valued f of an (n,) input returns (n,) ((n, 1) for (n, 1) inputs); a scalar f
    returns a 0-d array; a gradient comes back in its input's shape; a Jacobian is a matrix."""
    array_module(backend)
    symbols = (("W", "matrix(n, m)"), ("x", "vector(m)"), ("b", "vector(n)"))
    vector = training_module("sigmoid(W * x + b)", "x", symbols, (), "jacobian", backend)
    scalar = training_module("sum(sigmoid(W * x + b))", "x", symbols, (), "gradient", backend)
    rng = np.random.default_rng(5)
    W, x, b = (as_backend(backend, a, "float32") for a in (rng.standard_normal((3, 2)), rng.standard_normal(2),
                                                         rng.standard_normal(3)))
    assert tuple(vector["f"](W=W, x=x, b=b).shape) == (3,)
    assert tuple(vector["f"](W=W, x=x.reshape(2, 1), b=b.reshape(3, 1)).shape) == (3, 1)
    assert tuple(vector["f"](W=W, x=x, b=b.reshape(3, 1)).shape) == (3,)  # a vector came as (n,)
    assert tuple(vector["jacobian"](W=W, x=x, b=b).shape) == (3, 2)
    assert tuple(scalar["f"](W=W, x=x, b=b).shape) == ()
    assert tuple(scalar["gradient"](W=W, x=x, b=b).shape) == (2,)
    assert tuple(scalar["gradient"](W=W, x=x.reshape(2, 1), b=b).shape) == (2, 1)
    sums = to_numpy(vector["f"](W=W, x=x, b=b)).sum()
    assert abs(sums - float(to_numpy(scalar["f"](W=W, x=x, b=b)))) < 1e-5


def scaled_derivative(source: str, kind: str, factor: float) -> str:
    """The module with its ``kind`` function's result multiplied by factor (a wrong derivative)."""
    start = source.index(f"def {kind}(")
    at = source.index("return np.reshape(", start)
    return source[:at] + f"return {factor} * np.reshape(" + source[at + len("return np.reshape("):]


LARGE_CONSTANTS = [
    ("x' * x + 10^8", "x", {"x": "vector(n)"}, "gradient"),  # issue 29's: "relative error 2.42e-06"
    ("x' * x - 10^8", "x", {"x": "vector(n)"}, "gradient"),
    ("sum(log(x)) + 10^8", "x", {"x": "vector(n)"}, "gradient"),
    ("logdet(X) + 10^8", "X", {"X": "matrix(n, n)"}, "gradient"),
    ("norm(A * x - b)^2 + 10^8", "x", {"A": "matrix(m, n)", "x": "vector(n)", "b": "vector(m)"}, "gradient"),
    ("exp(x) + 10^8", "x", {"x": "vector(n)"}, "jacobian"),
]


@pytest.mark.parametrize("f, wrt, symbols, kind", LARGE_CONSTANTS + [
    ("sum(log(x)) + 10^8", "x", {"x": "vector(n)"}, "hessian"),
    ("logdet(X) + 10^8", "X", {"X": "matrix(n, n)"}, "hessian"),
    ("sum(log(x)) + 10^12", "x", {"x": "vector(n)"}, "gradient"),
    ("sum(X - mean(X, axis=0))", "X", {"X": "matrix(m, n)"}, "gradient"),  # exactly 0, written unsimplified
    ("sum(exp(X - logsumexp(X, axis=0)))", "X", {"X": "matrix(m, n)"}, "gradient"),
])
def test_check_is_relative_to_the_change_of_f_not_to_f(f, wrt, symbols, kind):
    """Rule: check() judges a derivative against the size of f's change, never of f itself, so a
    large constant in f (whose digits take the small steps' differences) cannot fail a true
    derivation, at any seed; nor can a derivative exactly 0. The JAX module's too (float64 locally)."""
    source = matcalc.derive(f, wrt, symbols=symbols, kind=kind).to_code("numpy")
    ns = load_module(source)
    for seed in range(5):
        assert max(ns["check"](seed=seed).values()) <= 1e-6, (f, seed)
    if (f, kind) == ("x' * x + 10^8", "gradient") and importlib.util.find_spec("jax"):
        assert load_module(matcalc.derive(f, wrt, symbols=symbols).to_code("jax"))["check"]()["gradient"] <= 1e-6


@pytest.mark.parametrize("f, wrt, symbols, kind, factor", [(*case, 1.0001) for case in LARGE_CONSTANTS[:5]] + [
    ("x' * x", "x", {"x": "vector(n)"}, "gradient", 1.00001),  # without the constant, 1e-5 fails
    ("sum(log(x))", "x", {"x": "vector(n)"}, "gradient", 1.00001),
    ("x' * x + 10^8", "x", {"x": "vector(n)"}, "gradient", 1.001),
])
def test_check_still_fails_a_gradient_off_by_1e_4_beside_a_large_constant(f, wrt, symbols, kind, factor):
    """Rule: what check() allows for is only what f's digits lose: a gradient off by 1e-4 relative
    beside 10^8 (by 1e-5 without it) fails against differences, at every seed."""
    source = matcalc.derive(f, wrt, symbols=symbols, kind=kind).to_code("numpy")
    wrong = load_module(scaled_derivative(source, kind, factor))
    for seed in range(5):
        with pytest.raises(AssertionError, match="against differences of f"):
            wrong["check"](seed=seed)
