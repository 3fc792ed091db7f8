"""The engine's rewrite rules; each is a small named function whose identity is its docstring's first line."""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Rule:
    """A named rewrite: ``name`` is what a derivation step cites, ``fn`` does it."""

    name: str
    fn: Callable
    identity: str
    top_down: bool = False  # applied to the largest subexpressions first (and not below a firing)

    def __call__(self, *args):
        return self.fn(*args)


def make_rule(name: str, fn: Callable, *, top_down: bool = False) -> Rule:
    return Rule(name, fn, (fn.__doc__ or "").strip().splitlines()[0], top_down)
