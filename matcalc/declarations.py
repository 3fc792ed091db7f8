"""What a claim is stated against, shared by the engine and the checker: the declared
names (a Scope) and the assumptions. No parsing here, so the checker never loads lark.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .expr import Expr
from .language import show
from .shapes import Shape


@dataclass
class Scope:
    """What names mean: declared symbols (with shapes), functions (by kind) and [let] names."""

    symbols: dict[str, Shape] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    lets: dict[str, Expr] = field(default_factory=dict)


@dataclass(frozen=True)
class Assumption:
    """An equality ``lhs = rhs`` the derivation may use and the checker must satisfy."""

    lhs: Expr
    rhs: Expr

    def __str__(self) -> str:
        return f"{show(self.lhs)} = {show(self.rhs)}"
