"""matcalc's benchmark suite: cold start, derivation and verification time, SymPy's matrix
calculus on the same claims, depth scaling, accuracy and code export. Prints a Markdown table and
writes it to docs/benchmarks.md.

    pip install -e '.[test]' && python benchmarks/run.py    # everything, about ten minutes
    python benchmarks/run.py depth collection              # only those parts (not written to docs/)

Parts: cold_start, derivations, second_order, depth, collection, suite, accuracy, emission.
"""
from __future__ import annotations

import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import flint

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))  # the test suite's SymPy oracle (tests/sympy_oracle.py)

from networks import sigmoid_network  # noqa: E402
from second_order_peer import agrees, dims_of, sympy_second_order  # noqa: E402
from sympy_peer import Unsupported, explicit_value, random_values, sympy_gradient  # noqa: E402

from matcalc.checker import decide  # noqa: E402
from matcalc.checker.evaluate import Bindings, Evaluator, evaluate  # noqa: E402
from matcalc.checker.measures import coefficient  # noqa: E402
from matcalc.checker.plan import directions  # noqa: E402
from matcalc.checker.standins import draw  # noqa: E402
from matcalc.checker.verify import check  # noqa: E402
from matcalc.engine.derivation import derive  # noqa: E402
from matcalc.prooffile import load, make_claim, make_scope  # noqa: E402
from matcalc.proof_catalog import entries  # noqa: E402
from matcalc.report import run_claim  # noqa: E402
from tests.points import checker_point, sizes  # noqa: E402

REPEAT = int(os.environ.get("MATCALC_BENCH_REPEAT", "5"))
TENSORGRAD = {"median": 9.9e-3, "import": 1.14, "mlp": {1: 0.05, 2: 0.13, 3: 0.27, 4: 0.47, 8: 2.2}}


def wall(cmd: list[str]) -> float:
    return timed(lambda: subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                                        check=False))


def timed(fn, repeat: int = REPEAT) -> float:
    """The median wall time of ``repeat`` calls of fn."""
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
        want = evaluate(d.gradient, Bindings(vals, dims), prec=100)
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


DEPTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


DEPTH_REPEAT = 7


def _depth_round(L: int) -> tuple[float, float, int, str]:
    """One derivation and one verification of the L-layer network, built afresh (so that no other
    depth's objects are alive): their wall times, the number of steps and the verdict."""
    n = sigmoid_network(L)
    scope = make_scope(n["symbols"], {}, n["let"])
    c = make_claim(1, n["f"], n["wrt"], None, scope)
    t = time.perf_counter()
    d = derive(c.f, c.wrt, scope=scope)
    t_derive = time.perf_counter() - t
    t = time.perf_counter()
    v = check(c.f, c.wrt, d.gradient, scope)
    return t_derive, time.perf_counter() - t, len(d.steps), v.status


def depth(out: list[str]) -> None:
    gc.collect()
    gc.freeze()  # the earlier parts' objects (SymPy's among them) are not the network's: no collection scans them
    out += ["## Depth: an L-layer sigmoid network's loss with respect to W1", "",
            "`a_i = sigmoid(W_i * a_{i-1})`, `f = 1/2 * norm(a_L - y) ^ 2`, by W1; derive, then verify the derived "
            f"gradient (as `matcalc check` does), in {DEPTH_REPEAT} rounds over every L (so that a slow spell of a "
            "shared machine falls on all depths alike, not on one). Times are each depth's best round; the last "
            f"column is the growth of the medians. Growth: time(L) / time(L/2). {_load()}", "",
            "| L | derive (ms) | growth | verify (s) | derive + verify (s) | growth | steps | verdict | "
            "growth of medians | tensorgrad (reference, s) |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    rounds = [[_depth_round(L) for L in DEPTHS] for _ in range(DEPTH_REPEAT)]
    prev = prev_best = prev_median = None
    for k, L in enumerate(DEPTHS):
        derives, verifies, steps, status = zip(*(r[k] for r in rounds))
        t, tv = min(derives), min(verifies)
        median = statistics.median(derives) + statistics.median(verifies)
        growth = f"{t / prev:.2f}" if prev else ""
        total_growth = f"{(t + tv) / prev_best:.2f}" if prev_best else ""
        median_growth = f"{median / prev_median:.2f}" if prev_median else ""
        ref = TENSORGRAD["mlp"].get(L, "RecursionError" if L == 16 else "")
        verdict = status[0] if len(set(status)) == 1 else "/".join(status)
        out.append(f"| {L} | {t * 1e3:.1f} | {growth} | {tv:.2f} | {t + tv:.2f} | {total_growth} | {steps[0]} | "
                   f"{verdict} | {median_growth} | {ref} |")
        prev, prev_best, prev_median = t, t + tv, median
    out += ["", "Target: L = 256 derived and verified in ≤ 5 s, growth ≤ 2.2 per doubling from L = 32.", ""]


def _load() -> str:
    """The machine's load when a figure was taken (others may share it)."""
    try:
        return "Load average when measured: %.2f." % os.getloadavg()[0]
    except OSError:
        return ""


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc; 0 elsewhere)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def watched(cmd: list[str], **kw) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall time, peak resident memory of the whole process tree (sampled every 50 ms), and the result."""
    start = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, **kw) as p:
        peak = 0
        import threading

        out: dict = {}
        reader = threading.Thread(target=lambda: out.update(zip(("stdout", "stderr"), p.communicate())))
        reader.start()
        while reader.is_alive():
            peak = max(peak, _tree_rss(p.pid))
            reader.join(0.05)
    wall = time.perf_counter() - start
    return wall, peak, subprocess.CompletedProcess(cmd, p.returncode, out.get("stdout", b""), out.get("stderr", b""))


COLLECTION = int(os.environ.get("MATCALC_BENCH_CLAIMS", "2000"))


def collection(out: list[str]) -> None:
    """`matcalc check` on COLLECTION random claims (scripts/make_stress_proofs.py) with -j 1 and -j 2."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="matcalc-stress-"))
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_stress_proofs.py"), str(COLLECTION), str(folder)],
                   check=True, stdout=subprocess.DEVNULL)
    rows, outputs = [], {}
    for jobs in (1, 2):
        load = os.getloadavg()[0]
        cmd = [sys.executable, "-m", "matcalc.cli", "check", str(folder), "-j", str(jobs), "--format", "json"]
        wall, peak, r = watched(cmd)
        outputs[jobs] = r.stdout
        summary = json.loads(r.stdout)["summary"] if r.stdout else {}
        rows.append(f"| `matcalc check -j {jobs}` | {wall:.1f} | {peak / 2**20:.0f} | {summary.get('holds')} / "
                    f"{summary.get('refuted')} / {summary.get('error')} | {summary.get('unexpected')} | {load:.2f} |")
    same = "byte-identical" if outputs[1] == outputs[2] else "DIFFERENT"
    out += [f"## A collection of {COLLECTION:,} claims", "",
            f"`python scripts/make_stress_proofs.py {COLLECTION} DIR` (true and mutated gradients, every operator), "
            f"then `matcalc check DIR --format json`; peak memory is the resident memory of the whole process tree, "
            f"sampled every 50 ms. The two outputs are {same}.", "",
            "| command | wall (s) | peak memory (MB) | holds / refuted / errors | not as expected | load average |",
            "|---|---|---|---|---|---|", *rows, "",
            "Target: `-j 2` in ≤ 60 s with peak memory ≤ 500 MB, every verdict as with `-j 1`.", ""]
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def suite(out: list[str]) -> None:
    """The test suite's wall time, as .ci/run runs it."""
    load = os.getloadavg()[0]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto", "tests", "proofs"]
    wall, peak, r = watched(cmd)
    lines = r.stdout.decode(errors="replace").strip().splitlines()
    failed = [line.split(" - ")[0] for line in lines if line.startswith("FAILED ")]
    out += ["## The test suite", "",
            "| command | wall (s) | result | load average |", "|---|---|---|---|",
            f"| `python -m pytest -q -n auto tests proofs` | {wall:.0f} | {(lines or ['?'])[-1].strip('= ')} | "
            f"{load:.2f} |", "", *(f"- {line}" for line in failed), "",
            "Target: under 4 minutes in CI.", ""]


def _shaped(flat: list, cols: int) -> list:
    return [flat[r * cols:(r + 1) * cols] for r in range(len(flat) // cols)]


def _enclosure(proof, c) -> tuple[float, float]:
    """At a random point of the checker's kind and along one of its random directions V: the width
    of the ball of f's Taylor coefficient Df[V] at the checker's first precision, relative to its
    value, and the relative error of a float64 central difference (53-bit evaluations, h = 1e-6)
    against the claimed tr(Gᵀ V)."""
    rng = random.Random(1)
    stand_ins = draw(proof.scope.functions, rng)
    dims = sizes(proof.scope)
    b, normals = checker_point(proof.scope, [c.f, c.gradient], proof.assume, dims, rng, stand_ins.elementwise,
                               stand_ins.scalar)
    x = c.wrt.name
    X = b.values[x]
    rows, cols = len(X), len(X[0])
    V = _shaped(directions(rows, cols, c.wrt.symmetric, normals.get(x), rng)[-1][2], cols)
    with flint.ctx.workprec(decide.START):
        moved = Bindings(b.values, dims, b.elementwise, b.scalar, tangents={x: [V]})
        actual = coefficient(Evaluator(moved)(c.f)[0][0], 0)
        G = Evaluator(b)(c.gradient)
        claimed = sum((g * flint.arb(v) for rg, rv in zip(G, V) for g, v in zip(rg, rv)), flint.arb(0))
        width = float(actual.rad() / abs(actual.mid())) if actual.mid() != 0 else float(actual.rad())
    h = flint.fmpq(1, 10**6)

    def at(t):
        values = {**b.values, x: [[p + t * v for p, v in zip(rp, rv)] for rp, rv in zip(X, V)]}
        return float(evaluate(c.f, Bindings(values, dims, b.elementwise, b.scalar), prec=53)[0][0].mid())

    fd = (at(h) - at(-h)) / (2 * float(h))
    return width, abs(fd - float(claimed.mid())) / max(abs(float(claimed.mid())), 1e-30)


def accuracy(out: list[str]) -> None:
    ours, widths, f64 = [], [], []
    for proof, c in claims():
        if c.expect != "holds" or c.gradient is None:
            continue
        v = check(c.f, c.wrt, c.gradient, proof.scope, proof.assume)
        ours.append(v.max_error)
        width, fd = _enclosure(proof, c)
        widths.append(width)
        f64.append(fd)
    out += ["## Accuracy on the catalog's true claims", "",
            "| method | median | largest |", "|---|---|---|",
            f"| matcalc's checker: relative width of the Taylor coefficient's ball at {decide.START} bits | "
            f"{statistics.median(widths):.1e} | {max(widths):.1e} |",
            f"| matcalc's checker: relative difference of claim and f's coefficient in its verdicts (midpoints) | "
            f"{statistics.median(ours):.1e} | {max(ours):.1e} |",
            f"| float64 central difference, h = 1e-6: relative error | {statistics.median(f64):.1e} | {max(f64):.1e} |",
            "", "Target: every agreeing comparison's balls within 2^-133 (about 1e-40) of their size (decide.py); "
            "a wider ball is refined, never accepted.", ""]


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
    from matcalc.engine.second_order import derive_kind

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
    with theirs["_float64"]():  # float64 as NumPy's, locally (the module leaves jax_enable_x64 alone)
        W = jax.numpy.asarray(inputs["W"])
        grad(W).block_until_ready()
        t_jax = timed(lambda: grad(W).block_until_ready(), 50)
        agree = float(np.max(np.abs(np.asarray(grad(W)) - ours["gradient"](**inputs))))
    t_np = timed(lambda: ours["gradient"](**inputs), 50)
    out += [f"| 256×512 softmax layer: emitted NumPy gradient, median of 50 | {t_np * 1e3:.2f} ms |",
            f"| the same: `jax.jit(jax.grad(f))` of the emitted JAX f (float64, in its `_float64()`), median of 50 | "
            f"{t_jax * 1e3:.2f} ms |",
            f"| ratio NumPy / JAX (target ≤ 2) | {t_np / t_jax:.2f} |",
            f"| largest difference between the two gradients | {agree:.1e} |", ""]


PARTS = ("cold_start", "derivations", "second_order", "depth", "collection", "suite", "accuracy", "emission")


def main(argv: list[str]) -> None:
    started = time.perf_counter()
    chosen = argv or list(PARTS)
    unknown = [p for p in chosen if p not in PARTS]
    if unknown:
        sys.exit(f"unknown part {', '.join(unknown)}; parts: {', '.join(PARTS)}")
    out = ["# Benchmarks", "",
           f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
           f"Python {platform.python_version()}, python-flint {flint.__version__} (Arb ball arithmetic, the "
           f"checker's); "
           f"run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `python benchmarks/run.py`. "
           f"Load average at the start: {os.getloadavg()[0]:.2f} (the machine may be shared).", ""]
    for name in chosen:
        globals()[name](out)
        print(f"[{name} done at {time.perf_counter() - started:.0f} s]", file=sys.stderr)
    out.append(f"Total benchmark time: {time.perf_counter() - started:.0f} s.")
    text = "\n".join(out) + "\n"
    if not argv:
        (ROOT / "docs" / "benchmarks.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
