"""The LaTeX reader's tree: what a formula says, before it is language text.

Every node has ``pos``, the offset of its first character in the source string.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    pos: int

    @property
    def children(self) -> tuple["Node", ...]:
        return ()


@dataclass(frozen=True)
class Num(Node):
    """A number, as language literal text: "2", "0.5"."""

    text: str


@dataclass(frozen=True)
class Name(Node):
    """A symbol: ``name`` in the language, ``latex`` its spelling (canonical: w_{12}^{1}), ``hint`` the shape
    its spelling suggests where nothing else decides: "column", "scalar" or "" (a matrix)."""

    name: str
    latex: str
    hint: str


@dataclass(frozen=True)
class Ones(Node):
    """\\mathbf{1}: the all-ones column; ``size`` a dimension, or None for one to infer."""

    size: str | None = None


@dataclass(frozen=True)
class Eye(Node):
    """I, I_n: the identity; ``size`` a dimension, or None for one to infer."""

    size: str | None = None


@dataclass(frozen=True)
class Op(Node):
    """``op`` applied to its operands: "add", "sub", "neg"; "matmul" (juxtaposition, \\cdot, \\times),
    "hadamard" (\\odot, \\circ), "kron" (\\otimes), "div" (\\frac, /), "ediv" (\\oslash); "power" and "epower"
    (x^2, x^{\\circ 2}: base and exponent); "transpose" (^T), "inverse" (^{-1})."""

    op: str
    args: tuple[Node, ...]

    @property
    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True)
class Call(Node):
    """A language function applied to its argument; ``order`` ≥ 1 for its derivative (\\sigma'(z))."""

    fn: str
    args: tuple[Node, ...]
    order: int = 0

    @property
    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True)
class Partial(Node):
    """∂u/∂v (\\frac{\\partial u}{\\partial v}, \\nabla_v u); v a Name."""

    u: Node
    v: Name

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.u, self.v)


@dataclass(frozen=True)
class Differential(Node):
    """d arg (dX, \\mathrm{d}X, d(A^TX))."""

    arg: Node

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


def walk(*roots: Node) -> Iterator[Node]:
    """Every node, parents before children, without recursion."""
    stack = list(reversed(roots))
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def line_column(src: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of an offset in src."""
    before = src[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
