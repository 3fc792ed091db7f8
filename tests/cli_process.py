"""matcalc's command line run in a process of its own, as a user runs it: its exit status, stdout
and stderr, with a time limit."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "matcalc.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)
