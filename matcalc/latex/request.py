"""A request written in LaTeX as the front door's texts: what `matcalc diff --latex`,
``matcalc.derive(latex=...)`` and the web page pass on as an ordinary Request."""
from __future__ import annotations

from collections.abc import Mapping

from ..errors import MatcalcError
from ..inference import infer
from .reader import read_expression
from .text import names, to_language, unsized
from .tree import Name, Node


def request_text(latex_f: str, latex_gradient: str | None = None,
                 wrt: str | None = None) -> tuple[str, str | None, str | None, dict[str, str]]:
    """(f, the claimed gradient, wrt's name, the hints of every name's spelling) in the language, from
    LaTeX f, gradient and wrt (a name such as X or W^L), for ``front.answer(Request(f=..., gradient=...,
    wrt=...), hints=hints)``. The size of a \\mathbf{1} or I is inferred. An error is at its field and
    its place in that field's LaTeX."""
    sources = {"f": latex_f, "gradient": latex_gradient}
    trees = {k: _read(k, src) for k, src in sources.items() if src is not None}
    wrt_name = None
    if wrt is not None:  # a name as f writes it, or plain: x for \mathbf{x}
        v = _read("wrt", wrt)
        if not isinstance(v, Name):
            raise MatcalcError(f"wrt is a name such as X or W^L, not {wrt}", field="wrt")
        wrt_name = v.name
    hints = {n: v.hint for n, v in names(*trees.values()).items()}

    def texts(dims: Mapping[str, str] | None) -> dict[str, str]:
        return {k: _text(k, t, dims, sources[k] or "") for k, t in trees.items()}

    out = texts(None)
    if unsized(*trees.values()):
        dims: dict[str, str] = {}
        try:
            infer({}, {}, {}, list(out.items()), wrt_name, hints=hints, dims_out=dims)
        except MatcalcError as e:
            raise read_as(e, out) from None
        out = texts(dims)
    return out["f"], out.get("gradient"), wrt_name, hints


def read_as(e: MatcalcError, texts: Mapping[str, str | None]) -> MatcalcError:
    """``e`` with the language text it points into, where it is at a place in a field read from LaTeX:
    ``f (read as tr(A' * X * B)):1:5: ...``."""
    text = texts.get(e.field)
    if not text or e.pos is None or not e.where.startswith(e.field):
        return e
    return type(e)(e.message, where=f"{e.field} (read as {text}){e.where[len(e.field):]}", pos=e.pos, field=e.field)


def _read(field: str, src: object) -> Node:
    """A field's LaTeX as one expression; an error is located in the field."""
    try:
        if not isinstance(src, str):
            raise MatcalcError(f"{field} in LaTeX must be a string, got {type(src).__name__}")
        return read_expression(src)
    except MatcalcError as e:
        raise _in(e, field) from None


def _text(field: str, tree: Node, dims: Mapping[str, str] | None, src: str) -> str:
    """A field's tree as language text (its ones and eyes tagged by the field's initial)."""
    try:
        return to_language(tree, dims=dims, tag=field[0], src=src)
    except MatcalcError as e:
        raise _in(e, field) from None


def _in(e: MatcalcError, field: str) -> MatcalcError:
    located = e.at(field)
    located.field = field
    return located
