"""Families of tests over the whole catalog: the README's command runs the first item of each group
(a catalog folder, a proof file), .ci/run all of them once (the rest are marked slow, pyproject.toml)."""
from __future__ import annotations

from typing import Callable, Hashable, Sequence

import pytest


def sweep(items: Sequence, ids: Sequence[str], group: Callable[..., Hashable]) -> list:
    """``items`` (tuples of arguments, or single arguments) as pytest params named ``ids``: the first of
    each ``group(item)`` as it is, the others marked slow."""
    seen: set = set()
    out = []
    for item, name in zip(items, ids):
        args = item if isinstance(item, tuple) else (item,)
        key = group(item)
        out.append(pytest.param(*args, id=name, marks=() if key not in seen else (pytest.mark.slow,)))
        seen.add(key)
    return out
