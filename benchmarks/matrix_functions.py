"""The matrix-function catalog (proofs/matrix-functions/): per proof file, its claims, their verdicts against
what the file expects, and the CPU time of deriving and checking them all (in-process, one run each);
and what SymPy 1.14's matrix expressions answer for the same gradients.

    pip install -e '.[test]' && python benchmarks/matrix_functions.py
"""
from __future__ import annotations

import time
from pathlib import Path

import sympy as sp

from matcalc.prooffile import load
from matcalc.report import run_claim

ROOT = Path(__file__).resolve().parents[1]


N = sp.Symbol("n", integer=True, positive=True)
X, A = sp.MatrixSymbol("X", N, N), sp.MatrixSymbol("A", N, N)
#: The gradients asked of SymPy: text shown, and the expression built.
ASKED = {"tr(Aᵀ exp(X))": lambda: sp.Trace(A.T * sp.exp(X)), "tr(exp(X))": lambda: sp.Trace(sp.exp(X)),
         "tr(Aᵀ exp(A X))": lambda: sp.Trace(A.T * sp.exp(A * X))}


def sympy_answer(build) -> str:
    """SymPy's MatrixExpr.diff by X, or what it raises."""
    try:
        return str(build().diff(X))
    except Exception as e:  # noqa: BLE001  (what SymPy raises is the answer)
        return f"{type(e).__name__}: {str(e)[:60]}"


def catalog_table(paths) -> None:
    """Per proof file: its claims, how many came out as it expects, the CPU time of all of them."""
    print("| proof | claims | as expected (engine's own result holding too) | CPU seconds |")
    print("|---|---|---|---|")
    total_claims = total_ok = 0
    total_time = 0.0
    for path in paths:
        proof = load(path)
        start = time.process_time()
        ok = 0
        for claim in proof.claims:
            result = run_claim(proof, claim)
            ok += result.ok
        spent = time.process_time() - start
        print(f"| `{proof.name}` | {len(proof.claims)} | {ok} | {spent:.1f} |")
        total_claims, total_ok, total_time = total_claims + len(proof.claims), total_ok + ok, total_time + spent
    print(f"| all | {total_claims} | {total_ok} | {total_time:.1f} |")


def main() -> None:
    catalog_table(sorted((ROOT / "proofs" / "matrix-functions").glob("*.toml")))
    print()
    print("| gradient asked of SymPy's matrix expressions | SymPy's answer |")
    print("|---|---|")
    for text, build in ASKED.items():
        print(f"| {text} | {sympy_answer(build)} |")


if __name__ == "__main__":
    main()
