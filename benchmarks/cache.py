"""Incremental checks (issue 29): `matcalc check proofs` with a fresh cache folder, run twice in
processes of their own (wall time, as a user or a CI job sees it), and the ratio of the two.

The first run checks every claim and document and fills the cache; the second takes them all
from it (each marked "(cached)"), and must print the same report otherwise. With --runs N the
second run is repeated N times and its median taken (the first runs once: it takes minutes).

    pip install -e '.[test]' && python benchmarks/cache.py [--runs 5] [--jobs N] [PATH ...]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def check(paths: list[str], cache: Path, jobs: int | None) -> tuple[float, subprocess.CompletedProcess]:
    """One `matcalc check` in a process of its own: its wall time and its output."""
    argv = [sys.executable, "-m", "matcalc.cli", "check", *paths, "--cache", str(cache), "--format", "plain"]
    if jobs:
        argv += ["-j", str(jobs)]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["proofs"])
    parser.add_argument("--runs", type=int, default=5, help="second runs, the median taken (default 5)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="matcalc check -j (default: one per core)")
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average at the start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="matcalc-cache-") as folder:
        cache = Path(folder) / "cache"
        first, out1 = check(args.paths, cache, args.jobs)
        seconds = []
        for _ in range(max(1, args.runs)):
            spent, out2 = check(args.paths, cache, args.jobs)
            seconds.append(spent)
        entries = sum(1 for _ in (cache / "v1").rglob("*.json"))
    same = out2.stdout.replace(" (cached)", "") == out1.stdout
    cached = out2.stdout.count("(cached)")
    second = statistics.median(seconds)
    print(f"| `matcalc check {' '.join(args.paths)}` | wall seconds |")
    print("|---|---|")
    print(f"| first run, fresh cache (checks everything) | {first:.2f} |")
    print(f"| second run (median of {len(seconds)}: {', '.join(f'{s:.2f}' for s in seconds)}) | {second:.3f} |")
    print(f"| ratio first / second | {first / second:.0f}× |")
    print(f"\nexit status {out1.returncode} and {out2.returncode}; {entries} cache entries; {cached} report lines "
          f"marked (cached); the same report otherwise: {'yes' if same else 'NO'}")
    return 0 if same and out1.returncode == out2.returncode else 1


if __name__ == "__main__":
    sys.exit(main())
