"""Rewrite the table of registered operators at the end of docs/operators.md from the registry.

    python scripts/operators_table.py
"""
from __future__ import annotations

from pathlib import Path

from matcalc import ops

PAGE = Path(__file__).resolve().parents[1] / "docs" / "operators.md"
HEADING = "## The registered operators"


def table() -> str:
    """The heading and one row per registered operator: name, kind, summary, example, limits."""
    rows = [HEADING, "", "| name | kind | what it is | example | limits |", "|---|---|---|---|---|"]
    for name, op in ops.REGISTRY.items():
        limits = "; ".join(f"{k}: {v}" for k, v in op.limits.items())
        rows.append(f"| `{name}` | {op.kind} | {op.summary} | `{op.example}` | {limits} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    head = PAGE.read_text(encoding="utf-8").split(HEADING, 1)[0]
    PAGE.write_text(head + table(), encoding="utf-8")


if __name__ == "__main__":
    main()
