"""The certified checker against the one it replaced (commit a5187a8), side by side in one run, as
whole `matcalc check` processes: the catalog's first-order claims, the 128-layer network, and
`matcalc prove softmax-ce` against a bare `import sympy`. Prints a Markdown table.

    pip install -e '.[test]' gmpy2 mpmath && python benchmarks/versus.py [--repeat 3]

The old commit is checked out into a temporary git worktree and run from there (it needs gmpy2
and mpmath, which the current matcalc no longer does); both run with -j 1.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OLD = "a5187a8"
sys.path.insert(0, str(HERE))

from networks import sigmoid_network  # noqa: E402

FIRST_ORDER = ["seed", "backprop", "cookbook", "ml", "mistakes", "symmetric"]  # proofs/ folders of gradient claims


def network_file(folder: Path, layers: int) -> Path:
    """The L-layer network's loss as a proof file with one claim (its gradient, derived and checked)."""
    n = sigmoid_network(layers)
    lines = [f'name = "network-{layers}"', "", "[symbols]"] + [f'{k} = "{v}"' for k, v in n["symbols"].items()]
    lines += ["", "[let]"] + [f'{k} = "{v}"' for k, v in n["let"].items()]
    lines += ["", "[[claims]]", f'f = "{n["f"]}"', f'wrt = "{n["wrt"]}"', 'kind = "gradient"', ""]
    path = folder / f"network-{layers}.toml"
    path.write_text("\n".join(lines))
    return path


def wall(cmd: list[str], env: dict, repeat: int) -> tuple[float, str]:
    """The median wall time of ``repeat`` runs, and the last line of the last run's output."""
    times, last = [], ""
    for _ in range(repeat):
        t = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t)
        last = (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]
    return statistics.median(times), last


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), OLD], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            net = network_file(Path(tmp), 128)
            rows = []
            for label, targets in (("the catalog's first-order claims", [f"proofs/{d}" for d in FIRST_ORDER]),
                                   ("the 128-layer network", [str(net)])):
                times = {}
                for who, root in (("a5187a8", old), ("now", ROOT)):
                    env = {**os.environ, "PYTHONPATH": str(root)}
                    cmd = [sys.executable, "-m", "matcalc.cli", "check", "-j", "1", "--format", "plain",
                           *[str(root / t) if not Path(t).is_absolute() else t for t in targets]]
                    times[who] = wall(cmd, env, args.repeat)
                rows.append((label, times))
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            sympy = wall([sys.executable, "-c", "import sympy"], env, args.repeat)[0]
            prove = wall([sys.executable, "-m", "matcalc.cli", "prove", "softmax-ce", "--format", "plain"], env,
                         args.repeat)[0]
            old_prove = wall([sys.executable, "-m", "matcalc.cli", "prove", "softmax-ce", "--format", "plain"],
                             {**os.environ, "PYTHONPATH": str(old)}, args.repeat)[0]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
    load = os.getloadavg()[0]
    print(f"Median of {args.repeat} runs, `matcalc check -j 1` as a whole process; load average {load:.2f}.\n")
    print("| what | a5187a8 (s) | now (s) | ratio | target | result line now |")
    print("|---|---|---|---|---|---|")
    for label, t in rows:
        (a, _), (b, line) = t["a5187a8"], t["now"]
        print(f"| {label} | {a:.2f} | {b:.2f} | {b / a:.2f} | ≤ 0.5 | {line} |")
    print(f"| `matcalc prove softmax-ce` | {old_prove:.2f} | {prove:.2f} | {prove / sympy:.2f} × import sympy "
          f"({sympy:.2f} s) | ≤ 0.6 × import sympy | |")


if __name__ == "__main__":
    main(sys.argv[1:])
