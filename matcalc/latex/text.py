"""The reader's tree as text in the matcalc language, and the names it uses.

A \\mathbf{1} or I of a size to infer is written ones(_TAGPOS) / eye(_TAGPOS) (``_`` then ``tag`` then the
node's offset): a dimension that inference solves (``inference.infer(..., dims_out=...)``); ``dims``
maps such placeholders to the dimensions found. Rendering walks the tree without recursion, and
builds the text as nested fragments joined once at the end (a long sum is not copied term by term).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from ..errors import MatcalcError
from ..language import ATOM, NAME, POWER, PRODUCT, SUM, UNARY
from .tree import Call, Differential, Eye, Name, Node, Num, Ones, Op, Partial, line_column, walk

Hook = Callable[[Node], "str | None"]
Text = tuple  # fragments: strings and nested Texts, in order

#: Infix operators: the language's spelling, the precedence of the result and of each operand.
_INFIX = {"add": (" + ", SUM, SUM, PRODUCT), "sub": (" - ", SUM, SUM, PRODUCT),
          "matmul": (" * ", PRODUCT, PRODUCT, UNARY), "hadamard": (" .* ", PRODUCT, PRODUCT, UNARY),
          "ediv": (" ./ ", PRODUCT, PRODUCT, UNARY), "div": (" / ", PRODUCT, PRODUCT, UNARY),
          "power": (" ^ ", POWER, ATOM, ATOM), "epower": (" .^ ", POWER, ATOM, ATOM)}
_NAME = re.compile(NAME + r"\Z")


def placeholder(node: Ones | Eye, tag: str) -> str:
    """The dimension variable of a \\mathbf{1} or I of a size to infer."""
    return f"_{tag}{node.pos}"


def to_language(node: Node, hook: Hook | None = None, *, dims: Mapping[str, str] | None = None, tag: str = "",
                src: str = "") -> str:
    """``node`` in the language, parenthesised where its precedence needs; ``hook(n)`` may give any node's
    text (an operand: parenthesised unless a name). A Partial or Differential the hook does not replace
    is an error at its place in ``src``."""
    done: dict[int, tuple[Text, int]] = {}
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        n, ready = stack.pop()
        if ready:
            done[id(n)] = _text(n, [done[id(k)] for k in n.children], dims or {}, tag, src)
            continue
        own = hook(n) if hook is not None else None
        if own is not None:
            done[id(n)] = ((own,) if _NAME.match(own) else ("(", own, ")"), ATOM)
            continue
        stack.append((n, True))
        stack.extend((k, False) for k in reversed(n.children))
    return _joined(done[id(node)][0])


def _joined(text: Text) -> str:
    out: list[str] = []
    stack: list[Text | str] = [text]
    while stack:
        t = stack.pop()
        if isinstance(t, str):
            out.append(t)
        else:
            stack.extend(reversed(t))
    return "".join(out)


def _wrap(kid: tuple[Text, int], need: int) -> Text:
    text, level = kid
    return text if level >= need else ("(", text, ")")


def _rational(n: Node) -> bool:
    """\frac{1}{2}: a quotient of two integers, written as one rational number (1/2)."""
    return isinstance(n, Op) and n.op == "div" and all(isinstance(a, Num) and a.text.isdigit() for a in n.args)


def _plain(exponent: Node) -> bool:
    """An exponent the language reads without parentheses: 2, -1, k, (1/2)."""
    if isinstance(exponent, Op) and exponent.op == "neg":
        exponent = exponent.args[0]
    return isinstance(exponent, (Num, Name)) or _rational(exponent)


def _text(n: Node, kids: list[tuple[Text, int]], dims: Mapping[str, str], tag: str, src: str) -> tuple[Text, int]:
    if isinstance(n, Num):
        return (n.text,), ATOM
    if isinstance(n, Name):
        return (n.name,), ATOM
    if isinstance(n, (Ones, Eye)):
        size = n.size or dims.get(placeholder(n, tag), placeholder(n, tag))
        return (f"{'ones' if isinstance(n, Ones) else 'eye'}({size})",), ATOM
    if isinstance(n, Call):
        return (f"{n.fn}{chr(39) * n.order}(", kids[0][0], *((", ", t) for t, _ in kids[1:]), ")"), ATOM
    if isinstance(n, (Partial, Differential)):
        raise MatcalcError("a derivative is not a value of the language here",
                           pos=line_column(src, n.pos) if src else (1, n.pos + 1))
    assert isinstance(n, Op)
    if n.op == "neg":
        return ("-", _wrap(kids[0], UNARY)), UNARY
    if n.op == "transpose":
        return (_wrap(kids[0], ATOM), "'"), ATOM
    if n.op in ("inverse", "kron"):
        return ("inv(" if n.op == "inverse" else "kron(", kids[0][0], *((", ", t) for t, _ in kids[1:]), ")"), ATOM
    if _rational(n):
        return ("(", kids[0][0], "/", kids[1][0], ")"), ATOM
    symbol, level, left, right = _INFIX[n.op]
    if n.op in ("power", "epower"):
        exponent = kids[1][0] if _plain(n.args[1]) else ("(", kids[1][0], ")")
        return (_wrap(kids[0], left), symbol, exponent), level
    return (_wrap(kids[0], left), symbol, _wrap(kids[1], right)), level


def names(*nodes: Node) -> dict[str, Name]:
    """Every Name by its language name; two spellings read as one name are an error."""
    out: dict[str, Name] = {}
    for n in walk(*nodes):
        if isinstance(n, Name):
            seen = out.setdefault(n.name, n)
            if seen.latex != n.latex:
                raise MatcalcError(f"{seen.latex} and {n.latex} are both read as {n.name}: write them alike")
    return out


def unsized(*nodes: Node) -> bool:
    """Some \\mathbf{1} or I has a size to infer."""
    return any(isinstance(n, (Ones, Eye)) and n.size is None for n in walk(*nodes))
