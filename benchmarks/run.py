"""matcalc's benchmark suite: cold start, derivation and verification time, SymPy's matrix
calculus on the same claims, depth scaling, accuracy and code export. Prints a Markdown table and
writes it to docs/benchmarks.md.

    pip install -e . && python benchmarks/run.py            # about two minutes
    python benchmarks/run.py emission                       # one part only (printed, not written)
"""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import mpmath

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))  # the test suite's SymPy oracle (tests/sympy_oracle.py)

from networks import sigmoid_network  # noqa: E402
from second_order_peer import agrees, dims_of, sympy_second_order  # noqa: E402
from sympy_peer import Unsupported, explicit_value, random_values, sympy_gradient  # noqa: E402

from matcalc.checker.evaluate import Bindings, Evaluator, to_mpf  # noqa: E402
from matcalc.checker.verify import Gradient, _sample, _direction, check  # noqa: E402
from matcalc.derivation import derive  # noqa: E402
from matcalc.prooffile import load, make_claim, make_scope  # noqa: E402
from matcalc.proof_catalog import entries  # noqa: E402
from matcalc.report import run_claim  # noqa: E402

REPEAT = int(os.environ.get("MATCALC_BENCH_REPEAT", "5"))
TENSORGRAD = {"median": 9.9e-3, "import": 1.14, "mlp": {1: 0.05, 2: 0.13, 3: 0.27, 4: 0.47, 8: 2.2}}


def wall(cmd: list[str]) -> float:
    times = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def timed(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def claims(kinds=("gradient",)):
    for e in entries():
        proof = load(e.path)
        for c in proof.claims:
            if c.kind in kinds:
                yield proof, c


def cold_start(out: list[str]) -> None:
    matcalc = [sys.executable, "-m", "matcalc.cli"]
    sympy = wall([sys.executable, "-c", "import sympy"])
    prove = wall(matcalc + ["prove", "softmax-ce", "--format", "plain"])
    helps = wall(matcalc + ["--help"])
    lst = wall(matcalc + ["list", "--format", "plain"])
    check_all = wall(matcalc + ["check", "proofs", "--format", "plain"])
    n = sum(1 for _ in claims(("gradient", "jacobian", "hessian")))
    out += ["## Cold start and whole-catalog check (wall time, median of %d runs)" % REPEAT, "",
            "| command | seconds | target | ratio |", "|---|---|---|---|",
            f"| `python -c \"import sympy\"` | {sympy:.3f} | reference | 1.00 |",
            f"| `matcalc prove softmax-ce` | {prove:.3f} | ≤ 1.3 × import sympy | {prove / sympy:.2f} |",
            f"| `matcalc --help` | {helps:.3f} | ≤ 0.15 s | |",
            f"| `matcalc list` | {lst:.3f} | ≤ 0.15 s | |",
            f"| `matcalc check proofs/` ({n} claims) | {check_all:.3f} | ≤ 5 s | |", ""]


def derivations(out: list[str]) -> None:
    ours, peer, peer_ok, peer_fail, unsupported, verify_times = [], [], 0, [], 0, []
    for proof, c in claims():
        d = derive(c.f, c.wrt, assume=proof.assume, scope=proof.scope)
        ours.append(timed(lambda: derive(c.f, c.wrt, assume=proof.assume, scope=proof.scope)))
        verify_times.append(timed(lambda: check(c.f, c.wrt, d.gradient, proof.scope, proof.assume), 1))
        try:
            t = time.perf_counter()
            g, syms = sympy_gradient(c.f, c.wrt)
            peer.append((time.perf_counter() - t, ours[-1]))
        except Unsupported:
            unsupported += 1
            continue
        except Exception as e:  # SymPy raised: a failure, timed as it ran
            peer.append((time.perf_counter() - t, ours[-1]))
            peer_fail.append(f"{proof.name}#{c.index}: {type(e).__name__}")
            continue
        names = sorted({x for s in proof.scope.symbols.values() for x in (s.rows, s.cols) if isinstance(x, str)})
        dims = {n: 2 + i for i, n in enumerate(names)}
        vals = random_values(proof.scope, dims)
        with mpmath.workdps(30):
            want = Evaluator(Bindings(vals, dims))(d.gradient)
        try:
            got = explicit_value(g, syms, vals, dims)
            good = len(got) == len(want) and len(got[0]) == len(want[0]) and all(
                abs(complex(a) - complex(b)) < 1e-12 * (1 + abs(complex(a))) for ra, rb in zip(want, got) for a, b in zip(ra, rb))
        except Exception:
            good = False
        peer_ok += good
        if not good:
            peer_fail.append(f"{proof.name}#{c.index}: {str(g)[:40]}")
    both = len(peer)
    med_ours_same = statistics.median(o for _, o in peer)
    med_peer = statistics.median(p for p, _ in peer)
    out += ["## Derivation and verification per catalog claim (in-process)", "",
            "| measure | value |", "|---|---|",
            f"| claims | {len(ours)} |",
            f"| matcalc derivation, median / max | {statistics.median(ours) * 1e3:.2f} ms / {max(ours) * 1e3:.1f} ms |",
            f"| matcalc verification (independent checker), median / max | {statistics.median(verify_times) * 1e3:.1f} ms / {max(verify_times) * 1e3:.0f} ms |",
            f"| claims SymPy's matrix expressions can state | {both} (the other {unsupported} use abstract functions) |",
            f"| SymPy `MatrixExpr.diff`, median on those | {med_peer * 1e3:.2f} ms |",
            f"| matcalc derivation, median on the same claims | {med_ours_same * 1e3:.2f} ms |",
            f"| ratio matcalc / SymPy (target ≤ 0.5) | {med_ours_same / med_peer:.2f} |",
            f"| SymPy correct (its gradient evaluates to matcalc's verified one) | {peer_ok} of {both} |",
            f"| matcalc correct (checker: holds) | {len(ours)} of {len(ours)} |",
            f"| tensorgrad | {'installed' if _has('tensorgrad') else 'not installed (needs torch 2.12); reference: median 9.9 ms on its 68-case corpus, so the target is ≤ 4.95 ms'} |",
            "", "SymPy's failures: " + "; ".join(peer_fail[:40]) + ("" if len(peer_fail) <= 40 else " ..."), ""]


def _has(module: str) -> bool:
    try:
        __import__(module)
        return True
    except Exception:
        return False


def depth(out: list[str]) -> None:
    prev = None
    out += ["## Depth: an L-layer sigmoid network's loss with respect to W1", "",
            "| L | derive (ms) | growth | verify (s) | steps | verdict | tensorgrad (reference, s) |", "|---|---|---|---|---|---|---|"]
    for L in (1, 2, 4, 8, 16, 32, 64):
        n = sigmoid_network(L)
        scope = make_scope(n["symbols"], {}, n["let"])
        c = make_claim(1, n["f"], n["wrt"], None, scope)
        d = derive(c.f, c.wrt, scope=scope)
        t = timed(lambda: derive(c.f, c.wrt, scope=scope), 3)
        tv = time.perf_counter()
        v = check(c.f, c.wrt, d.gradient, scope)
        tv = time.perf_counter() - tv
        growth = f"{t / prev:.2f}" if prev else ""
        ref = TENSORGRAD["mlp"].get(L, "RecursionError" if L == 16 else "")
        out.append(f"| {L} | {t * 1e3:.1f} | {growth} | {tv:.2f} | {len(d.steps)} | {v.status} | {ref} |")
        prev = t
    out.append("")


def accuracy(out: list[str]) -> None:
    ours, f64 = [], []
    for proof, c in claims():
        if c.expect != "holds" or c.gradient is None:
            continue
        v = check(c.f, c.wrt, c.gradient, proof.scope, proof.assume)
        ours.append(v.max_error)
        import random
        rng = random.Random(1)
        names = sorted({x for s in proof.scope.symbols.values() for x in (s.rows, s.cols) if isinstance(x, str)})
        dims = {n: 2 + i for i, n in enumerate(names)}
        from matcalc.checker.standins import function_choices
        with mpmath.workdps(80):
            inst, _, _ = _sample(c.f, c.wrt, {0: c.gradient}, proof.scope, proof.assume, dims, rng,
                                 function_choices(proof.scope.functions, rng)[0], Gradient())
            G = inst.claim(0, c.gradient)
            V = _direction(rng, len(G), len(G[0]), inst.tangent)
            claimed = to_mpf(sum(g * x for rg, rv in zip(G, V) for g, x in zip(rg, rv)))
            inst.rational = False
            with mpmath.workprec(53):  # float64: 53-bit significands
                h = mpmath.mpf("1e-6")
                fd = (to_mpf(inst.value_at((V, h))[0][0]) - to_mpf(inst.value_at((V, -h))[0][0])) / (2 * h)
            f64.append(float(abs(fd - claimed) / max(abs(claimed), mpmath.mpf(1e-30))))
    out += ["## Accuracy on the catalog's true claims", "",
            "| method | median relative error | largest |", "|---|---|---|",
            f"| matcalc's verifier, default precision (50 digits, Richardson) | {statistics.median(ours):.1e} | {max(ours):.1e} |",
            f"| float64 central difference, h = 1e-6 | {statistics.median(f64):.1e} | {max(f64):.1e} |",
            "", "Target: the verifier's relative error ≤ 1e-25.", ""]


def second_order(out: list[str]) -> None:
    """Derive + verify time per second-order claim, and SymPy's explicit-matrix answer."""
    out += ["## Second order: Jacobians and Hessians (in-process)", "",
            "matcalc: derive and verify (the engine's result and the claim, as `matcalc check` does), median of "
            f"{REPEAT} runs. SymPy 1.14: the claim written out on explicit matrices of symbols at sizes 2 and 3, then "
            "`Matrix.jacobian` or `sympy.hessian` (SymPy's `MatrixExpr.diff` has no Hessian of a matrix "
            "function, issue #9840), timed once and compared at a random point with matcalc's verified result.", "",
            "| claim | kind | matcalc derive + verify (s) | verdict | SymPy (s) | SymPy correct |", "|---|---|---|---|---|---|"]
    for proof, c in claims(("jacobian", "hessian")):
        t = timed(lambda: run_claim(proof, c), REPEAT)
        r = run_claim(proof, c)
        dims = dims_of(proof.scope)
        if proof.assume:  # the random point does not satisfy the assumption the result uses
            out.append(f"| {proof.name}#{c.index} `{str(c.f)[:48]}` | {c.kind} | {t:.3f} | {r.verdict} | — | "
                       f"not compared (assumes {', '.join(map(str, proof.assume))}) |")
            continue
        try:
            start = time.perf_counter()
            M, env, at = sympy_second_order(c.kind, c.f, c.wrt, proof.scope, dims)
            peer = f"{time.perf_counter() - start:.3f}"
            with mpmath.workdps(30):
                verdict = "yes" if agrees(M, env, at, r.derivation.gradient, dims) else "no"
        except Exception as e:  # SymPy raised
            peer, verdict = "—", f"raised {type(e).__name__}"
        out.append(f"| {proof.name}#{c.index} `{str(c.f)[:48]}` | {c.kind} | {t:.3f} | {r.verdict} | {peer} | {verdict} |")
    out += ["", "Target: the logistic-regression Hessian (ml-hessians#3) and the two-layer network's Hessian by one "
            "weight matrix (ml-hessians#7) each derived and verified in ≤ 0.5 s.", ""]


def emission(out: list[str]) -> None:
    """Emitting code for the whole catalog (targets derived beforehand), and for a 256×512 softmax
    layer the emitted NumPy gradient against jax.grad (jit) of the emitted JAX f."""
    from matcalc.codegen import Target, module
    from matcalc.second_order import derive_kind

    proofs = [load(e.path) for e in entries()]
    derived = [(p, [Target(c.f, c.wrt, d.kind, d.gradient) for c in p.claims
                    for d in [derive_kind(c.kind, c.f, c.wrt, assume=p.assume, scope=p.scope)]]) for p in proofs]
    n_claims = sum(len(t) for _, t in derived)
    emit_all = timed(lambda: [module(b, t, p.scope, p.assume) for p, t in derived for b in ("numpy", "jax")])
    out += ["## Code export (`--emit`)", "", "| measure | value |", "|---|---|",
            f"| emitting NumPy and JAX modules for the whole catalog ({len(derived)} proofs, {n_claims} claims; "
            f"derivations excluded; target < 1 s) | {emit_all:.2f} s |"]
    try:
        import jax
        import numpy as np
    except ImportError:
        out += ["| 256×512 softmax layer | numpy or jax not installed |", ""]
        return
    import matcalc

    layer = dict(f="-Y' * log(softmax(z))", wrt="W", let={"z": "W * x + b"}, assume=["sum(Y) = 1"],
                 symbols={"W": "matrix(n, m)", "x": "vector(m)", "b": "vector(n)", "Y": "vector(n)"})
    d = matcalc.derive(**layer)
    ours, theirs = ({"__name__": "bench"} for _ in range(2))
    exec(compile(d.to_code("numpy"), "<numpy>", "exec"), ours)
    exec(compile(d.to_code("jax"), "<jax>", "exec"), theirs)
    rng = np.random.default_rng(0)
    Y = rng.uniform(size=256)
    inputs = dict(W=rng.standard_normal((256, 512)) / 20, x=rng.standard_normal(512), b=rng.standard_normal(256), Y=Y / Y.sum())
    grad = jax.jit(jax.grad(lambda W: theirs["f"](**{**inputs, "W": W})))
    W = jax.numpy.asarray(inputs["W"])
    grad(W).block_until_ready()
    t_jax = timed(lambda: grad(W).block_until_ready(), 50)
    t_np = timed(lambda: ours["gradient"](**inputs), 50)
    agree = float(np.max(np.abs(np.asarray(grad(W)) - ours["gradient"](**inputs))))
    out += [f"| 256×512 softmax layer: emitted NumPy gradient, median of 50 | {t_np * 1e3:.2f} ms |",
            f"| the same: `jax.jit(jax.grad(f))` of the emitted JAX f, median of 50 | {t_jax * 1e3:.2f} ms |",
            f"| ratio NumPy / JAX (target ≤ 2) | {t_np / t_jax:.2f} |",
            f"| largest difference between the two gradients | {agree:.1e} |", ""]


def main() -> None:
    if sys.argv[1:]:  # named parts only, printed (docs/benchmarks.md is left as it is)
        out: list[str] = []
        for name in sys.argv[1:]:
            globals()[name](out)
        print("\n".join(out))
        return
    started = time.perf_counter()
    out = ["# Benchmarks", "",
           f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
           f"Python {platform.python_version()}; run {time.strftime('%Y-%m-%d')} with `python benchmarks/run.py`.", ""]
    for part in (cold_start, derivations, second_order, depth, accuracy, emission):
        part(out)
        print(f"[{part.__name__} done at {time.perf_counter() - started:.0f} s]", file=sys.stderr)
    out.append(f"Total benchmark time: {time.perf_counter() - started:.0f} s.")
    text = "\n".join(out) + "\n"
    (ROOT / "docs" / "benchmarks.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
