"""Write N random well-typed claims as proof files, for stress tests and benchmarks.

    python scripts/make_stress_proofs.py 2000 stress/            # 100 files of 20 claims
    matcalc check -j 2 stress/

Each claim is f = c1 f1 (+ c2 f2) of one or two forms drawn from a table whose gradients are
known (every operator of the language appears in some form), by a vector, a matrix or a
square matrix, with rational coefficients and new symbol names. About half the claims give
the true gradient; the others a mutated one, each a sure error (a sign flipped, a term
doubled or dropped, every entry moved by 1/10) and `expect = "refuted"`.
The same N and --seed always write the same files.
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

# Forms by the kind of wrt: (f, gradient, other symbols). "X" is wrt; a, b, A, B, y, z and c
# are other symbols, renamed per claim. Every gradient is nonzero at a generic point.
VECTOR = [  # X = vector(n)
    ("X' * A * X", "(A + A') * X", {"A": "matrix(n, n)"}),
    ("norm(B * X - b) ^ 2", "2 * B' * (B * X - b)", {"B": "matrix(m, n)", "b": "vector(m)"}),
    ("sum(exp(B * X))", "B' * exp(B * X)", {"B": "matrix(m, n)"}),
    ("sum(log(X .* X + 1))", "2 * X ./ (X .* X + 1)", {}),
    ("b' * sigmoid(B * X)", "B' * (b .* sigmoid(B * X) .* (1 - sigmoid(B * X)))", {"B": "matrix(m, n)", "b": "vector(m)"}),
    ("sum(tanh(X))", "1 - tanh(X) .^ 2", {}),
    ("-y' * log(softmax(X))", "sum(y) * softmax(X) - y", {"y": "vector(n)"}),
    ("sqrt(X' * X + c ^ 2)", "X / sqrt(X' * X + c ^ 2)", {"c": "scalar"}),
    ("sum(diag(X) * A * X)", "(A + A') * X", {"A": "matrix(n, n)"}),
    ("X' * X / c", "2 * X / c", {"c": "scalar"}),
    ("(X' * a) ^ 3", "3 * (X' * a) ^ 2 * a", {"a": "vector(n)"}),
    ("norm(X)", "X / norm(X)", {}),
    ("sum(X .^ 3)", "3 * X .^ 2", {}),
    ("ones(n)' * X", "ones(n)", {}),
]
MATRIX = [  # X = matrix(m, n)
    ("a' * X * b", "a * b'", {"a": "vector(m)", "b": "vector(n)"}),
    ("tr(A * X)", "A'", {"A": "matrix(n, m)"}),
    ("norm(X * b - a) ^ 2", "2 * (X * b - a) * b'", {"a": "vector(m)", "b": "vector(n)"}),
    ("sum(vec(X .* X))", "2 * X", {}),
    ("ones(m)' * X * ones(n)", "ones(m) * ones(n)'", {}),
    ("tr(X' * A * X)", "(A + A') * X", {"A": "matrix(m, m)"}),
    ("c * sum(exp(X)) / 4", "c * exp(X) / 4", {"c": "scalar"}),
    ("a' * tanh(X * b)", "(a .* (1 - tanh(X * b) .^ 2)) * b'", {"a": "vector(m)", "b": "vector(n)"}),
]
SQUARE = [  # X = matrix(n, n)
    ("logdet(X)", "inv(X)'", {}),
    ("det(X)", "det(X) * inv(X)'", {}),
    ("tr(inv(X) * A)", "-(inv(X) * A * inv(X))'", {"A": "matrix(n, n)"}),
    ("tr(kron(A, X))", "tr(A) * eye(n)", {"A": "matrix(m, m)"}),
    ("tr(X * X)", "2 * X'", {}),
    ("tr(X * eye(n) * A)", "A'", {"A": "matrix(n, n)"}),
]
KINDS = [("vector(n)", VECTOR), ("matrix(m, n)", MATRIX), ("matrix(n, n)", SQUARE)]
COEFFICIENTS = ["1", "2", "3", "1/2", "2/3", "-1", "-3/2"]
MUTATIONS = ["sign", "double", "drop", "shift"]


def _rename(text: str, names: dict[str, str]) -> str:
    """Each one-letter symbol of the table (a whole word) given its claim's name."""
    import re

    return re.sub(r"\b[A-Za-z]\b", lambda m: names.get(m.group(0), m.group(0)), text)


def claim(rng: random.Random, i: int) -> tuple[dict[str, str], dict]:
    """(symbols it declares, the claim's table) for the i-th claim of a file."""
    shape, forms = rng.choice(KINDS)
    picked = rng.sample(forms, rng.choice((1, 2)))
    wrt = f"X{i}"
    symbols = {wrt: shape}
    fs, gs = [], []
    for k, (f, g, others) in enumerate(picked):
        names = {"X": wrt, **{s: f"{s}{i}{'_' * k}" for s in others}}
        names = {s: n.replace("_", "k") for s, n in names.items()}
        symbols.update({names[s]: decl for s, decl in others.items()})
        c = rng.choice(COEFFICIENTS)
        fs.append(f"({c}) * ({_rename(f, names)})")
        gs.append(f"({c}) * ({_rename(g, names)})")
    out = {"f": " + ".join(fs), "wrt": wrt}
    if rng.random() < 0.5:
        out["gradient"] = " + ".join(gs)
        return symbols, out
    how = rng.choice(MUTATIONS if len(gs) == 2 else [m for m in MUTATIONS if m != "drop"])
    j = rng.randrange(len(gs))
    if how == "sign":
        gs[j] = f"-({gs[j]})"
    elif how == "double":
        gs[j] = f"2 * ({gs[j]})"
    elif how == "drop":
        del gs[j]
    wrong = " + ".join(gs)
    if how == "shift":  # every entry moved by 1/10 (a scalar is broadcast)
        wrong = f"{wrong} + 1/10"
    out.update(gradient=wrong, expect="refuted", note=f"mutated: {how}")
    return symbols, out


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def proof_file(rng: random.Random, index: int, count: int) -> str:
    symbols: dict[str, str] = {}
    claims = []
    for i in range(1, count + 1):
        s, c = claim(rng, i)
        symbols.update(s)
        claims.append(c)
    lines = [f'name = "stress-{index:04d}"', f'title = "{count} random claims"', 'source = "scripts/make_stress_proofs.py"',
             "", "[symbols]"]
    lines += [f"{name} = {_toml(decl)}" for name, decl in symbols.items()]
    for c in claims:
        lines += ["", "[[claims]]"] + [f"{k} = {_toml(v)}" for k, v in c.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="how many claims")
    p.add_argument("folder", nargs="?", default="stress", help="where to write the files (default: stress/)")
    p.add_argument("--per-file", type=int, default=20, help="claims per file (default 20)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    left, index = args.n, 0
    while left > 0:
        index += 1
        count = min(args.per_file, left)
        (folder / f"stress-{index:04d}.toml").write_text(proof_file(rng, index, count), encoding="utf-8")
        left -= count
    print(f"wrote {args.n} claims in {index} files to {folder}")


if __name__ == "__main__":
    main()
