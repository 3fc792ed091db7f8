"""Code export (--emit): the emitted NumPy and JAX modules against matcalc's own checker evaluator
at the checker's random points, their own check() (central differences, and jax.grad for JAX),
their shape errors, and the command line and API that produce them."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import mpmath
import pytest

import matcalc
from matcalc.checker.evaluate import Evaluator, ScalarImpl
from matcalc.checker.second_order import Hessian, Jacobian
from matcalc.checker.verify import Gradient, _sample
from matcalc.cli import main
from matcalc.codegen import Target, module
from matcalc.expr import Entrywise, ScalarFn, distinct_nodes
from matcalc.proof_catalog import entries
from matcalc.prooffile import load
from matcalc.second_order import derive_kind

np = pytest.importorskip("numpy")

MEASURES = {"gradient": Gradient(), "jacobian": Jacobian(), "hessian": Hessian()}
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
# each in the checker's arithmetic (mpmath) and in the emitted code's (NumPy).
def _tanh(x, order):
    t = mpmath.tanh(x)
    return (t, 1 - t * t, -2 * t * (1 - t * t))[order]


def _quadratic(a):
    return sum(x * x for r in a for x in r) / 2 + sum(x for r in a for x in r)


CHECKER_FUNCTIONS = {"elementwise": _tanh,
                     "scalar": ScalarImpl(_quadratic, lambda a: [[x + 1 for x in r] for r in a])}
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


def checker_point(proof, target, seed: int):
    """The checker's own random point for this claim (sizes 2, 3, 4, ... by name), and the checker's
    values there of f and of the derivative (50 digits)."""
    names = list(dict.fromkeys(d for s in proof.scope.symbols.values() for d in (s.rows, s.cols) if isinstance(d, str)))
    dims = {n: 2 + i for i, n in enumerate(names)}
    impls = ("", {n: CHECKER_FUNCTIONS["elementwise"] for n, k in proof.scope.functions.items() if k == "elementwise"},
             {n: CHECKER_FUNCTIONS["scalar"] for n, k in proof.scope.functions.items() if k == "scalar"})
    inst, _, _ = _sample(target.f, target.wrt, {0: target.result}, proof.scope, proof.assume, dims, random.Random(seed),
                         impls, MEASURES[target.kind])
    with mpmath.workdps(50):
        ev = Evaluator(inst.b)
        return inst.b.values, ev(target.f), ev(target.result)


def as_float(m) -> np.ndarray:
    return np.array([[float(x) for x in r] for r in m])


def relative(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


CATALOG = [e.name for e in entries()]


@pytest.mark.parametrize("name", CATALOG)
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
    """What code a claim exercises: its kind and every kind of node (with its function) in f and the result."""
    return {target.kind} | {type(n).__name__ + ":" + str(getattr(n, "fn", "")) + "'" * getattr(n, "order", 0)
                            for n in distinct_nodes(target.f, target.result)}


def jax_sample() -> list[tuple[str, str]]:
    """(proof, function) for the claims the JAX test runs: every claim with MATCALC_EMIT_ALL=1 (each
    compiles with XLA, about 0.3 s), else a few that together exercise every form the catalog has."""
    claims = [(name, label, derived(name)[1][k]) for name in CATALOG for k, label in enumerate(labels(name))]
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


def test_jax_modules_agree_with_jax_grad():
    """The emitted JAX module's check() (central differences, and jax.grad, jax.jacobian or
    jax.hessian of its own f against its derivative), and its values equal the NumPy module's."""
    pytest.importorskip("jax")
    for name, label in jax_sample():
        ns, reference = emitted(name, "jax"), emitted(name, "numpy")
        claim = ns.setdefault("every claim", ns["CLAIMS"])[label]
        ns["CLAIMS"] = {label: claim}  # this claim's check only
        errors = ns["check"]()
        assert errors[label] < 1e-6, (name, label)
        values, _ = reference["_random_inputs"](np.random.default_rng(0))
        ours = reference["_call"](reference["CLAIMS"][label]["derivative"], claim["inputs"],
                                  {**values, **reference["EXAMPLE_FUNCTIONS"]})
        theirs = ns["_call"](claim["derivative"], claim["inputs"], {**values, **ns["EXAMPLE_FUNCTIONS"]})
        if np.all(np.isfinite(ours)):
            assert relative(theirs, ours) < 1e-9, (name, label)
