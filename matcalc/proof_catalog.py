"""The catalog of proof files shipped with matcalc, grouped by folder (seed, cookbook, ...).

Listing reads the TOML only (no parsing of expressions), so `matcalc list` stays fast.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import MatcalcError

GROUP_ORDER = ("seed", "backprop", "cookbook", "ml", "symmetric", "second-order", "mistakes")


def catalog_dir() -> Path:
    """proofs/ inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "proofs", here.parent / "proofs"):
        if candidate.is_dir():
            return candidate
    raise MatcalcError("the catalog (proofs/) is missing from this installation")


@dataclass(frozen=True)
class Entry:
    group: str
    name: str
    title: str
    source: str
    claims: int
    path: Path


def proof_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.toml") if p.is_file())


def _group_key(e: Entry):
    return (GROUP_ORDER.index(e.group) if e.group in GROUP_ORDER else len(GROUP_ORDER), e.group, e.name)


def entries() -> list[Entry]:
    """Every catalog proof, grouped and sorted."""
    root = catalog_dir()
    out = []
    for p in proof_files(root):
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        rel = p.relative_to(root).parts
        out.append(Entry(rel[0] if len(rel) > 1 else "other", data.get("name", p.stem), data.get("title", ""),
                         data.get("source", ""), len(data.get("claims", [])), p))
    return sorted(out, key=_group_key)


def listing(items: list[Entry]) -> dict:
    """`matcalc list --format json` (and GET /api/catalog): the entries as JSON data."""
    from . import __version__

    return {"matcalc": __version__, "proofs": [
        {"group": e.group, "name": e.name, "title": e.title, "source": e.source, "claims": e.claims} for e in items]}


def grouped(items: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """The entries of each group, in the order given."""
    groups: dict[str, list[Entry]] = {}
    for e in items:
        groups.setdefault(e.group, []).append(e)
    return list(groups.items())


def find(name: str) -> Path:
    """The file of catalog proof ``name``."""
    names = {e.name: e.path for e in entries()}
    if name in names:
        return names[name]
    raise MatcalcError(f"no catalog proof named {name!r}{nearest(name, names)} (see `matcalc list`)")


def nearest(name: str, names) -> str:
    """", did you mean softmax-ce?" for the closest of ``names`` to ``name`` (difflib), or ""."""
    import difflib

    spelled = name.strip().lower().replace("_", "-").replace(" ", "-")
    close = difflib.get_close_matches(spelled, list(names), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""
