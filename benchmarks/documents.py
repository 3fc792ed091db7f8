"""Documents checked as written (issue 28): the seed exactly as written, the proofs/documents/
catalog, and mutants of the catalog's true equations.

A mutant changes one thing on the right of one `=` that holds (a subscript, a sign, a sigmoid for
its derivative, a transpose, a factor 2), in a copy of the document; it is judged with the rest of
its document. A mutant that still holds is listed: it is equal to the original (a transpose of a
scalar, say) or a blind spot.

    pip install -e '.[test]' && python benchmarks/documents.py
"""
from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from matcalc.notes import check_document, kind_of

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "data" / "backprop-derivation.zh.md"

#: One change each: (what, pattern, replacement), applied to one occurrence right of an `=`.
MUTATIONS = [
    ("subscript 1→2", r"_\{?1\}?(\^)", r"_2\1"),
    ("subscript 2→1", r"_\{?2\}?(\^)", r"_1\1"),
    ("σ' for σ", r"\\sigma'", r"\\sigma"),
    ("sign", r"- y", r"+ y"),
    ("transpose dropped", r"\^(?:T|\\top)(?![a-zA-Z])", r""),
    ("factor 2", r"(\\frac\{\\partial [a-z]\}\{\\partial [^}]*\}|\(a_1\^3 - y\))", r"2\1"),
]


def judged(path: Path, text: str | None = None):
    start = time.process_time()
    js = check_document(path.read_text(encoding="utf-8") if text is None else text, kind_of(path), path.name)
    return js, time.process_time() - start


def seed_table() -> None:
    js, spent = judged(SEED)
    counts = Counter(j.verdict for j in js)
    refuted = ", ".join(str(j.line) for j in js if j.verdict == "refuted")
    print("| document | equations | holds | refuted (lines) | skipped | definitions | CPU seconds |")
    print("|---|---|---|---|---|---|---|")
    print(f"| the seed as written | {len(js)} | {counts['holds']} | {counts['refuted']} ({refuted}) | "
          f"{counts['skipped']} | {counts['defined']} | {spent:.1f} |")


def catalog_table() -> None:
    print("| document | equations | refuted / marked displays | as expected | CPU seconds |")
    print("|---|---|---|---|---|")
    for path in sorted((ROOT / "proofs" / "documents").glob("*.*")):
        js, spent = judged(path)
        marked = {j.display for j in js if j.expected}
        refuted = {j.display for j in js if j.verdict == "refuted"}
        print(f"| `{path.name}` | {len(js)} | {len(refuted)} / {len(marked)} | "
              f"{'yes' if refuted == marked and not any(j.verdict == 'error' for j in js) else 'NO'} | {spent:.1f} |")


def mutants(text: str, lines: set[int]):
    """(what, line, mutated document) for each mutation of each holding equation's right side."""
    rows = text.splitlines(keepends=True)
    for n in sorted(lines):
        row = rows[n - 1]
        cut = row.find("=")
        if cut < 0:
            continue
        for what, pattern, replacement in MUTATIONS:
            right = re.sub(pattern, replacement, row[cut + 1:], count=1)
            if right != row[cut + 1:]:
                yield what, n, "".join(rows[:n - 1] + [row[:cut + 1] + right] + rows[n:])


def mutant_table() -> None:
    print("| document | mutants | refuted | skipped | still holding | CPU seconds |")
    print("|---|---|---|---|---|---|")
    held = []
    for path in sorted((ROOT / "proofs" / "documents").glob("*.*")):
        text = path.read_text(encoding="utf-8")
        base, _ = judged(path, text)
        lines = {j.line for j in base if j.verdict == "holds"}
        counts: Counter = Counter()
        start = time.process_time()
        for what, line, mutated in mutants(text, lines):
            js, _ = judged(path, mutated)
            verdict = next((j.verdict for j in js if j.line == line and j.verdict != "holds"), "holds")
            counts[verdict] += 1
            if verdict == "holds":
                held.append(f"{path.name}:{line} ({what})")
        print(f"| `{path.name}` | {sum(counts.values())} | {counts['refuted']} | {counts['skipped']} | "
              f"{counts['holds']} | {time.process_time() - start:.1f} |")
    print()
    print("Still holding:", ", ".join(held) if held else "none")


def main() -> None:
    seed_table()
    print()
    catalog_table()
    print()
    mutant_table()


if __name__ == "__main__":
    main()
