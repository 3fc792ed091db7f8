"""The operator registry: one record per built-in operator (``base.Op``), one file per family.

Everything else reads its tables from here: the parser's spellings, the shape laws of ``Call``, the
engine's differential rules and built-in derivatives, the printers' notation, codegen's templates
and the SymPy bridge. Adding an operator is adding its record (and the checker's numeric entry).
"""
from __future__ import annotations

from .base import CALL, ENTRYWISE, NODE, REGISTRY, SPELLINGS, Code, Op, Rule, Unsupported
from . import linalg, reductions, structure, entrywise, spectral  # noqa: F401  (each registers its records)


def get(name: str) -> Op | None:
    """The record of a built-in operator, None for a name that is not one (a declared function)."""
    return REGISTRY.get(name)


def of_node(cls: type) -> Op | None:
    """The record of the built-in whose node class is cls (Kron, Eye, ...), None for other nodes."""
    return _NODES.get(cls)


def of_kind(kind: str) -> tuple[str, ...]:
    """The names of every operator of a kind (CALL, ENTRYWISE or NODE), in the order registered."""
    return tuple(name for name, op in REGISTRY.items() if op.kind == kind)


_NODES = {op.build: op for op in REGISTRY.values() if op.build is not None}

__all__ = ["CALL", "ENTRYWISE", "NODE", "REGISTRY", "SPELLINGS", "Code", "Op", "Rule", "Unsupported", "get", "of_kind", "of_node"]
