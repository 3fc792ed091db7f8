"""The README's test command on a fresh clone (issue 29): its wall time idle, and with CPU-bound
processes running beside it, as pytest reports it.

The clone is of this repository's HEAD, in a temporary folder (no cache of earlier runs: no
.matcalc_cache, no .pytest_cache, no bytecode); the tests run against the clone's own sources with
the current interpreter, which needs matcalc's test extras (pip install -e '.[test]').

    python benchmarks/suite.py [--beside N ...]     # e.g. --beside 0 --beside 1: idle, then beside one
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ["-m", "pytest", "-q", "-n", "auto", "tests", "proofs"]  # the README's, after `python`
BUSY = "while True: pass"


def run(beside: int) -> tuple[float, str, float, float]:
    """The README's command on a fresh clone with ``beside`` busy processes: (wall seconds, pytest's
    summary line, load average at the start and at the end)."""
    with tempfile.TemporaryDirectory(prefix="matcalc-suite-") as tmp:
        clone = Path(tmp) / "matcalc"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "PYTHONPATH": str(clone)}
        busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(beside)]
        try:
            load = os.getloadavg()[0]
            start = time.perf_counter()
            done = subprocess.run([sys.executable, *COMMAND], cwd=clone, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - start
        finally:
            for p in busy:
                p.kill()
                p.wait()
    lines = [ln for ln in done.stdout.splitlines() if re.search(r"\d+ (passed|failed)", ln)]
    summary = lines[-1].strip("= ") if lines else f"exit status {done.returncode}: {done.stdout[-300:]}"
    warned = re.search(r"\d+ warnings?", summary)
    return wall, summary + ("" if warned else ", no warnings"), load, os.getloadavg()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--beside", type=int, action="append",
                        help="CPU-bound processes running beside the suite (repeatable; default: 0, then 1)")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"HEAD {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()}")
    print("| beside | wall (s) | pytest | load average at start / end |\n|---|---|---|---|")
    status = 0
    for beside in args.beside or [0, 1]:
        wall, summary, start, end = run(beside)
        status |= "failed" in summary or "error" in summary
        print(f"| {beside} | {wall:.1f} | {summary} | {start:.2f} / {end:.2f} |", flush=True)
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
