"""Load test of `matcalc serve`: 400 POST /api/derive requests, 8 at a time, among them one
runaway that must be cut at the time limit while the others are served. Each answer is compared
with the same claim derived in this process; prints the throughput and the latencies.

    python scripts/web_load.py                  # starts a server (--timeout 5) on a free port
    python scripts/web_load.py --url http://127.0.0.1:8765 --timeout 10   # a running server
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from matcalc.api import claim_report
from matcalc.printers import json_out
from matcalc.proof_catalog import entries

ROOT = Path(__file__).resolve().parents[1]
#: A [let] chain whose derivation grows to a million nodes: about 12 s on an idle core.
RUNAWAY = {"f": "sum(a11)", "wrt": "x", "symbols": {"x": "vector(n)"},
           "let": {"a1": "x .* x + x", **{f"a{i}": f"a{i - 1} .* a{i - 1} + a{i - 1}" for i in range(2, 12)}}}


def seed_bodies() -> list[dict]:
    """Every claim of the catalog's seed group as a request body."""
    bodies = []
    for e in entries():
        if e.group == "seed":
            data = tomllib.loads(e.path.read_text(encoding="utf-8"))
            for c in data["claims"]:
                bodies.append({**{k: c[k] for k in ("f", "wrt", "gradient", "jacobian", "hessian", "kind") if k in c},
                               "symbols": data.get("symbols", {}), "let": data.get("let", {}),
                               "functions": data.get("functions", {}), "assume": data.get("assume", [])})
    return bodies


def expected(body: dict) -> dict:
    b = {"assume": (), "seed": 0, **body}
    return json_out.answer(claim_report(b["f"], b["wrt"], b.get("gradient"), b["symbols"], b.get("functions"),
                                        b.get("let"), b["assume"], b["seed"], jacobian=b.get("jacobian"),
                                        hessian=b.get("hessian"), kind=b.get("kind")))


def post(url: str, body: dict) -> tuple[int, dict, float]:
    """(status, JSON answer, seconds)."""
    request = urllib.request.Request(url + "/api/derive", json.dumps(body).encode(), {"Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            status, data = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, data = e.code, e.read()
    return status, json.loads(data), time.perf_counter() - start


def start_server(timeout: float) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "matcalc.cli", "serve", "--port", str(port), "--timeout", str(timeout)],
                            env=env, stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--timeout", type=float, default=5.0, help="the server's time limit in seconds (default 5)")
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    bodies = seed_bodies()
    answers = [expected(b) for b in bodies]
    jobs = [i % len(bodies) for i in range(args.requests - 1)]
    jobs.insert(len(jobs) // 4, -1)  # the runaway, early, so that the others are served while it runs
    proc, url = start_server(args.timeout) if not args.url else (None, args.url.rstrip("/"))
    try:
        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as ex:
            results = list(ex.map(lambda j: post(url, RUNAWAY if j < 0 else bodies[j]), jobs))
        wall = time.perf_counter() - start
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
    wrong = [j for j, (status, data, _) in zip(jobs, results) if j >= 0 and (status, data) != (200, answers[j])]
    runaway = next(r for j, r in zip(jobs, results) if j < 0)
    cut = runaway[0] == 400 and "time limit" in runaway[1].get("error", "")
    served = sorted(t for j, (_, _, t) in zip(jobs, results) if j >= 0)
    p95 = served[int(0.95 * (len(served) - 1))]
    print(f"{len(results)} requests, {args.concurrency} at a time, in {wall:.1f} s: {len(results) / wall:.1f} requests/s; "
          f"latency median {served[len(served) // 2] * 1000:.0f} ms, 95th percentile {p95 * 1000:.0f} ms")
    print(f"answered correctly: {len(served) - len(wrong)} of {len(served)}; "
          f"runaway: {runaway[0]} after {runaway[2]:.1f} s: {runaway[1].get('error', runaway[1])}")
    return 0 if not wrong and cut and len(results) == args.requests else 1


if __name__ == "__main__":
    sys.exit(main())
