"""A derivation as rows (left side, right side, rule), in a given notation; shared by the printers."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..sides import D2F, DF, DVEC, GRADIENT, HESSIAN, JACOBIAN, LINEAR_MAP
from .notation import Notation

if TYPE_CHECKING:
    from ..report import ClaimReport


def assumed(scope) -> dict[str, str]:
    """The inferred shapes of a scope's undeclared symbols as "assuming ..." prints them: m×n, n (a
    column), scalar, integer; empty when every symbol was declared."""
    out = {}
    for name in getattr(scope, "inferred", ()):
        shape = scope.symbols[name]
        out[name] = ("integer" if name in scope.integer else "scalar" if shape.is_scalar
                     else str(shape.rows) if shape.cols == 1 else str(shape))
    return out


def assuming(scope) -> str:
    """"assuming A: m×n, x: n" for the inferred shapes, "" when there are none."""
    shapes = assumed(scope)
    return "assuming " + ", ".join(f"{k}: {v}" for k, v in shapes.items()) if shapes else ""


def lhs_df(n: Notation) -> str:
    return f"{n.d}f"


def lhs_gradient(n: Notation, x: str, latex: bool, kind: str = GRADIENT) -> str:
    """What a claim's result is called: ∂f/∂X, the Jacobian ∂vec F/∂vec(X)ᵀ or the Hessian."""
    name = n.name(x)
    if kind == JACOBIAN:
        return (f"\\frac{{\\partial \\operatorname{{vec}} F}}{{\\partial (\\operatorname{{vec}} {name})^\\top}}"
                if latex else f"∂vec F/∂vec({name})ᵀ")
    if kind == HESSIAN:
        return (f"\\frac{{\\partial^2 f}}{{\\partial \\operatorname{{vec}} {name}\\, \\partial (\\operatorname{{vec}} {name})^\\top}}"
                if latex else f"∂²f/∂vec {name} ∂vec({name})ᵀ")
    return f"\\frac{{\\partial f}}{{\\partial {name}}}" if latex else f"∂f/∂{name}"


def _lhs(n: Notation, side: str, x: str, latex: bool) -> str:
    """The left side of a step on ``side``: df, d vec F, d²f, H[dX], or the result's name."""
    if side == DF:
        return lhs_df(n)
    if side == DVEC:
        return f"{n.d}\\operatorname{{vec}} F" if latex else "d vec F"
    if side == D2F:
        return f"{n.d}^2 f" if latex else "d²f"
    if side == LINEAR_MAP:
        return f"H[{n.d}{n.name(x)}]"
    return lhs_gradient(n, x, latex, side)


def derivation_rows(r: ClaimReport, n: Notation, *, latex: bool = False, lhs=None) -> list[tuple[str, str, str]]:
    """(lhs, expression, rule) per step; lhs is empty where it continues the line above.
    ``lhs(side)`` spells the left sides where the notation has its own (MathML)."""
    rows, last_side = [], None
    x = r.claim.wrt.name
    for step in r.derivation.steps:
        left = "" if step.side == last_side else (lhs(step.side) if lhs else _lhs(n, step.side, x, latex))
        rows.append((left, n.show(step.expr), step.rule))
        last_side = step.side
    return rows + named_rows(r, n)


#: The rule beside a result written with names.
NAMED = "repeated subexpressions named once"


def named_rows(r: ClaimReport, n: Notation) -> list[tuple[str, str, str]]:
    """The result with its repeated subexpressions named, as rows below the derivation: ("", body,
    NAMED), then ("where s", definition, "") and (name, definition, "") for each further name; none
    when nothing repeats."""
    if r.named is None:
        return []
    rows = [("", n.show(r.named.body), NAMED)]
    for i, (name, definition) in enumerate(r.named.bindings):
        rows.append((n.where(n.name(name)) if i == 0 else n.name(name), n.show(definition), ""))
    return rows


def per_file(reports: list[ClaimReport], section: Callable[[str, list[ClaimReport]], str],
             unread: Callable[[str, str], str]) -> str:
    """`matcalc check`'s document: ``section(file, reports)`` for each file read (its claims, a bad
    one among them with its error), ``unread(file, error)`` for each file that could not be, joined
    by blank lines."""
    by_file: dict[str, list[ClaimReport]] = {}
    for r in reports:
        by_file.setdefault(r.file, []).append(r)
    parts = []
    for file, rs in by_file.items():
        good = [r for r in rs if r.index is not None]
        parts.append(section(file, good) if good else unread(file, rs[0].error))
    return "\n".join(parts)


def file_notes(reports: list[ClaimReport]) -> list[str]:
    """The notes of the files the reports come from, each once, in order ("sin is built in: ...")."""
    return list(dict.fromkeys(n for r in reports for n in r.notes))


def bad_header(r: ClaimReport) -> str:
    """A claim that could not be read: "claim N" and its f as written, if any."""
    return f"claim {r.bad.index}" + (f": f = {r.bad.f}" if r.bad.f else "")


def matrix_lines(name: str, value) -> list[str]:
    """``name = value``, a matrix written "[a b; c d]" (a counterexample's) as rows with aligned
    columns, each row in its brackets, the first beside the name:

        X = [-84/29 -63/26]
            [ 18/13  32/29]
    """
    text = str(value)
    if not (text.startswith("[") and text.endswith("]")):
        return [f"{name} = {text}"]
    rows = [row.split() for row in text[1:-1].split(";")]
    widths = [max(len(r[k]) for r in rows if k < len(r)) for k in range(max(map(len, rows)))]
    cells = ["[" + " ".join(c.rjust(w) for c, w in zip(r, widths)) + "]" for r in rows]
    head = f"{name} = "
    return [head + cells[0]] + [" " * len(head) + c for c in cells[1:]]


#: How a counterexample's keys read, where not the key with its underscores as spaces.
_CX_NAMES = {"direction_u": "direction U", "direction_v": "direction V"}
#: Differing entries named one by one, at most (the matrices above show every value).
_CX_ENTRIES = 12


def counterexample_lines(cx: dict) -> list[str]:
    """A counterexample as people read it, a line per field (its summary left to the verdict): the
    sizes and the stand-ins of declared functions, the point's matrices and the directions aligned in
    columns, the numbers compared, the claimed and the numeric gradient as matrices, the entries where
    they differ, and the right result; a field with no value is left out."""
    lines = []
    where = ", ".join(f"{k}={v}" for k, v in (cx.get("sizes") or {}).items())
    if where:
        lines.append(f"at {where}")
    if cx.get("functions"):
        lines.append(f"with {cx['functions']}")
    for name, value in (cx.get("point") or {}).items():
        lines += matrix_lines(name, value)
    for key, value in cx.items():
        if key in ("summary", "sizes", "functions", "point") or value is None or value in ("", [], {}):
            continue
        name = _CX_NAMES.get(key, key.replace("_", " "))
        if key == "differing_entries":
            shown = ", ".join(_entry(d["entry"]) for d in value[:_CX_ENTRIES])
            more = f" and {len(value) - _CX_ENTRIES} more" if len(value) > _CX_ENTRIES else ""
            lines.append(f"{name}: {shown}{more}")
        elif key == "entry":
            lines.append(f"{name}: {_entry(value)}")
        elif isinstance(value, str) and value.startswith("[") and value.endswith("]"):
            lines += matrix_lines(name, value)
        else:
            lines.append(f"{name}: {value}")
    return lines


def _entry(entry) -> str:
    """An entry's place, [i,j] (or i, an entry of vec F)."""
    return f"[{','.join(map(str, entry))}]" if isinstance(entry, (list, tuple)) else str(entry)


def verdict_line(r: ClaimReport) -> str:
    """What the checker said, in one line."""
    if r.error:
        return f"error: {r.error}"
    expect = "" if r.claim.expect == "holds" else " (expected: refuted)"
    return f"{r.verdict}{expect}: {r.message}"


def label(r: ClaimReport) -> str:
    """FILE::proof::claim-N, as pytest names the items (a file that could not be read: FILE; a claim that
    could not be read: its own label)."""
    return r.file if r.index is None else f"{r.file}::{r.proof}::claim-{r.index}"
