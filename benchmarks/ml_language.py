"""The language an ML engineer types (issue 27): the five losses derived and checked with no
declarations (shapes inferred), per variable: the shapes assumed, the verdict, the result's length
in characters and the names its display gives repeated parts, and the CPU time; then the ml/
catalog files of those losses, per file: claims, as expected, CPU time.

    pip install -e '.[test]' && python benchmarks/ml_language.py
"""
from __future__ import annotations

import time

import matcalc
from matrix_functions import ROOT, catalog_table

#: (loss, f, the variables, assumptions), each as an ML engineer writes it.
LOSSES = [
    ("attention", "sum(softmax(Q @ K.T / sqrt(d), axis=1) @ V .* C)", "QKV", []),
    ("layer norm", "sum(c .* (g .* (x - mean(x)) ./ sqrt(var(x) + 1e-5) + b))", ["x", "g", "b"], []),
    ("batch norm", "sum(C .* (g .* (X - mean(X, axis=1)) ./ sqrt(var(X, axis=1) + 1e-5) + b))", ["X", "g", "b"], []),
    ("biased MLP", "sum((W2 * tanh(W1 * X + b1) + b2 - Y) .^ 2)", ["W1", "b1", "W2", "b2"], []),
    ("softmax regression", "-sum(Y .* log(softmax(W * X + b, axis=0)))", ["W", "b"], []),
    ("softmax regression, one-hot", "-sum(Y .* log(softmax(W * X + b, axis=0)))", ["W", "b"],
     ["sum(Y, axis=0) = ones(n)'"]),
]


def main() -> None:
    print("| loss | by | assuming | verdict | result (characters) | named in display | CPU seconds |")
    print("|---|---|---|---|---|---|---|")
    for loss, f, variables, assume in LOSSES:
        for x in variables:
            start = time.process_time()
            d = matcalc.derive(f, x, assume=assume)
            spent = time.process_time() - start
            shapes = ", ".join(f"{k}: {v}" for k, v in d.assumed.items())
            named = d._report.named
            names = ", ".join(n for n, _ in named.bindings) if named else "—"
            print(f"| {loss} | {x} | {shapes} | {d.verdict.status} | {len(str(d.gradient))} | {names} | {spent:.1f} |")
    print()
    catalog_table([ROOT / "proofs" / "ml" / f"{n}.toml"
                   for n in ("attention", "normalisation", "batch-losses", "softmax-regression-batch")])


if __name__ == "__main__":
    main()
