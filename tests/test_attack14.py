"""Attack on issue 14 (symmetric matrices, sin/cos/tan/abs/relu, matrix powers): each test shows
the expected behaviour and fails on the code it was written against when the finding is a bug."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import matcalc

ROOT = Path(__file__).resolve().parents[1]
SYM = {"S": "symmetric(n)", "A": "matrix(n, n)"}
SQUARE = {"X": "matrix(n, n)", "A": "matrix(n, n)"}


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "matcalc.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300)


# --- 1. a non-symmetric claim by a symmetric S passes when the gradient has a large entry elsewhere.
# The symmetry test compares |G12 - G21| with G's LARGEST entry (10^-25 of it), and symmetric
# directions cannot see an antisymmetric part at all; so when the true gradient has a big entry
# (tr(S^60), or a big constant) a claim missing the symmetrisation (A instead of (A + A')/2) holds.
# The unconstrained analogue is refuted (entrywise checks compare each entry with its own size).

@pytest.mark.parametrize("f, wrong, right", [
    ("tr(S ^ 60) + tr(A * S)", "60 * S ^ 59 + A", "60 * S ^ 59 + (A + A') / 2"),
    ("10^30 * tr(S) + tr(A * S)", "10^30 * eye(n) + A'", "10^30 * eye(n) + (A + A') / 2"),
    ("tr(S ^ 60)", "60 * S ^ 59 + A - A'", "60 * S ^ 59"),
])
def test_asymmetric_claim_hidden_by_a_large_entry_is_refuted(f, wrong, right):
    assert matcalc.check(f, "S", right, symbols=SYM).status == "holds"
    assert matcalc.check(f, "S", wrong, symbols=SYM).status == "refuted"


# --- 2. a claim that meets a huge intermediate value is never refuted: its rounding "noise"
# (10 x the largest magnitude met x 10^-digits) is added to the tolerance even when the claim's value
# is exact and identical at every precision (0 * exp(900) is exactly 0). Any wrong claim then holds.

@pytest.mark.parametrize("wrong", ["A + 0 * exp(900)", "exp(-900) * (exp(900) * A)"])
def test_huge_cancelling_intermediate_does_not_excuse_a_wrong_claim(wrong):
    v = matcalc.check("tr(A * X)", "X", wrong, symbols=SQUARE)
    assert v.status == "refuted", v.message


def test_huge_intermediate_does_not_excuse_an_asymmetric_claim():
    v = matcalc.check("tr(A * S)", "S", "A + 0 * exp(900)", symbols=SYM)
    assert v.status == "refuted", v.message
