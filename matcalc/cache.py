"""Incremental checks: a claim (or a whole document) that held, or was refuted as expected, under
the same checker and with the same text, declarations and seed, is not checked again.

A result is stored under a key: a hash of what the claim's verdict depends on. That is

- the checker: a hash of matcalc's own source files (every .py and .lark of the package, hashed
  once per process), python-flint's version (the checker's arithmetic) and SymPy's and Lark's (the
  engine's scalar algebra, whose text a result prints, and the parser), so that any change to
  matcalc, or an upgrade of what it runs on, re-checks everything;
- for a claim of a proof file: the file's path (its results are printed under it), the seed, the
  file's tables and keys but its claims (name, symbols, functions, let, assume, and any other key:
  an unknown one makes the file an error), and the claim itself (f, wrt, its claimed value, kind,
  expect) and its index; free text (title, source, note) is not part of it;
- for a document: its path, its text and the seed.

An entry is a small JSON file holding what the report line says (the verdict, the message and the
JSON result object; a document's judgements), written whole (a temporary file, then renamed), so
that workers, shards and interrupted runs never leave half an entry; an entry that cannot be read
or does not fit is ignored (checked again). Only results that are as expected are stored.

Reading the cache needs no parsing: a proof file's keys come from its TOML, and a hit is printed
from the entry, so this module imports neither SymPy, the engine nor the checker.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .notes import Checked, Document
from .notes.model import Judgement

#: The layout of the entries; a new layout goes to a new folder.
LAYOUT = "v1"
#: Free-text keys of a proof file, and of its claims, which no verdict depends on (when they are text);
#: any other key is part of the key (a claim with a title is an error: "unknown key").
FREE_TEXT = ("title", "source", "note")
CLAIM_FREE_TEXT = ("note",)
#: What the cache folder says about itself (as pytest's own cache does).
README = ("# matcalc's cache of checked claims\n\nWritten by `matcalc check --cache` and by the pytest plugin; "
          "delete it at any time.\n")


@functools.cache
def source_hash() -> str:
    """A hash of every .py and .lark file of the installed matcalc package (names and contents),
    computed once per process."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".lark") and "__pycache__" not in path.parts and path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


#: The distributions a result depends on besides matcalc: (import name, distribution name).
RUNS_ON = (("flint", "python-flint"), ("sympy", "sympy"), ("lark", "lark"))


@functools.cache
def version_of(module: str, distribution: str) -> str:
    """An installed distribution's version, read from its metadata without importing it: the name of
    the dist-info folder beside the package, else importlib.metadata (which reads every installed
    distribution's); "" where it is not installed."""
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec

    spec = find_spec(module)
    if spec is not None and spec.origin:
        prefix = distribution.replace("-", "_") + "-"
        found = list(Path(spec.origin).parent.parent.glob(f"{prefix}*.dist-info"))
        if len(found) == 1:
            return found[0].name.removeprefix(prefix).removesuffix(".dist-info")
    try:
        return version(distribution)
    except PackageNotFoundError:
        return ""


def checker() -> str:
    """What identifies the checker: matcalc's sources and the versions of what it runs on."""
    return " ".join([source_hash()] + [f"{d}-{version_of(m, d)}" for m, d in RUNS_ON])


def _digest(parts: list[Any]) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _relevant(table: dict, free: tuple[str, ...] = FREE_TEXT) -> dict:
    """A TOML table without its free text."""
    return {k: v for k, v in table.items() if not (k in free and isinstance(v, str))}


def claims_of(text: str) -> list[dict] | None:
    """The claim tables of a proof file's text, or None when it is not TOML with a list of them
    (then the checker says what is wrong)."""
    data = _toml(text)
    return None if data is None else data[1]


def _toml(text: str) -> tuple[dict, list[dict]] | None:
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):  # (the checker says why, in its deep thread)
        return None
    claims = data.get("claims")
    if not isinstance(claims, list) or not claims or not all(isinstance(c, dict) for c in claims):
        return None
    return data, claims


def claim_keys(path: str, text: str, seed: int) -> dict[int, str] | None:
    """Claim index (1-based) -> the claim's key, for a proof file's text; None when the text is not
    TOML with a list of claims."""
    found = _toml(text)
    if found is None:
        return None
    data, claims = found
    common = [checker(), "claim", str(path), seed, _relevant({k: v for k, v in data.items() if k != "claims"})]
    return {i: _digest(common + [i, _relevant(c, CLAIM_FREE_TEXT)]) for i, c in enumerate(claims, 1)}


def file_key(path: str, text: str) -> str:
    """The key of "this proof file loads" (whole text), for the shard that reports a file's error."""
    return _digest([checker(), "loads", str(path), hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()])


def document_key(path: str, text: str, seed: int) -> str:
    """A document's key: its path, its text and the seed."""
    return _digest([checker(), "document", str(path), seed,
                    hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()])


def read_text(path: str | Path) -> str | None:
    """A file's text, or None when it cannot be read as UTF-8 (then the checker says why)."""
    try:
        return Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None


# ---- what a hit prints: the attributes of a ClaimReport and of a Checked that the report lines use


@dataclass(frozen=True)
class CachedClaim:
    """A claim as the report line names it."""

    index: int
    expect: str
    kind: str = "gradient"


@dataclass(frozen=True)
class CachedReport:
    """A claim's result taken from the cache: what `matcalc check` prints of it (its line, its JSON
    result object), as a ClaimReport would print it, marked "(cached)"."""

    file: str
    proof: str
    claim: CachedClaim
    verdict: str
    said: str  # the message when it was checked
    result: dict  # the JSON result object when it was checked
    error: str = ""
    derivation: None = None
    derived: None = None
    claimed: None = None
    named: None = None
    symbolic_match: bool = False
    error_field: str = ""
    ok: bool = True
    cached: bool = True
    bad: None = None

    @property
    def message(self) -> str:
        return f"{self.said} (cached)"

    @property
    def notes(self) -> tuple[str, ...]:
        """The file's notes on its declarations ("sin is built in: ..."), as its JSON result holds them."""
        notes = self.result.get("notes", [])
        return tuple(n for n in notes if isinstance(n, str)) if isinstance(notes, list) else ()

    @property
    def index(self) -> int:
        return self.claim.index


@dataclass(frozen=True)
class CachedChecked(Checked):
    """A document's judgements taken from the cache (its text is not kept: the formats that print
    a line per equation, or its JSON, need only the judgements)."""

    cached: bool = True


def claim_entry(r) -> dict | None:
    """A ClaimReport as it is stored; None unless it is as expected (or it cannot be stored as JSON)."""
    if r.claim is None or r.error or not r.ok:
        return None
    from .printers.json_out import claim_object

    entry = {"file": r.file, "proof": r.proof, "index": r.claim.index, "expect": r.claim.expect,
             "kind": r.claim.kind, "verdict": r.verdict, "message": r.message, "result": claim_object(r)}
    return entry if _json_safe(entry) else None


def claim_report(entry: dict) -> CachedReport | None:
    """The stored claim as a report; None when the entry does not fit."""
    try:
        report = CachedReport(entry["file"], entry["proof"], CachedClaim(entry["index"], entry["expect"], entry["kind"]),
                              entry["verdict"], entry["message"], entry["result"])
    except (KeyError, TypeError):
        return None
    fits = (isinstance(report.file, str) and isinstance(report.proof, str) and isinstance(report.claim.index, int)
            and report.verdict in ("holds", "refuted") and report.verdict == report.claim.expect
            and isinstance(report.said, str) and isinstance(report.result, dict))
    return report if fits else None


def document_entry(checked: Checked) -> dict | None:
    """A checked document as it is stored; None unless it is as expected."""
    if not checked.ok or getattr(checked, "cached", False):
        return None
    doc = checked.document
    entry = {"name": doc.name, "kind": doc.kind, "judgements": [dataclasses.asdict(j) for j in checked.judgements]}
    return entry if _json_safe(entry) else None


def document_checked(entry: dict) -> CachedChecked | None:
    """The stored document as a Checked; None when the entry does not fit."""
    try:
        judgements = [Judgement(**j) for j in entry["judgements"]]
        checked = CachedChecked(Document(entry["name"], "", entry["kind"], ()), judgements)
        fits = isinstance(checked.document.name, str) and all(map(_typed, judgements))
        return checked if fits and checked.ok else None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _typed(j: Judgement) -> bool:
    """A judgement read back has the types its fields are declared with (as the report uses them)."""
    texts = (j.text, j.kind, j.verdict, j.message)
    return (type(j.line) is int and type(j.display) is int and type(j.expected) is bool
            and all(isinstance(t, str) for t in texts) and isinstance(j.right, (str, type(None)))
            and isinstance(j.counterexample, (dict, type(None)))
            and isinstance(j.notes, list) and all(isinstance(n, str) for n in j.notes))


def _json_safe(entry: dict) -> bool:
    """The entry reads back as it is (no tuples, non-text keys or values JSON has not)."""
    try:
        return json.loads(json.dumps(entry, ensure_ascii=False)) == entry
    except (TypeError, ValueError):
        return False


class Cache:
    """The entries in a folder: DIR/v1/ab/abcdef….json."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / LAYOUT / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The entry under ``key``, or None (none, unreadable, corrupt, or another key's)."""
        try:
            data = json.loads(self._path(key).read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) and data.get("key") == key else None

    def put(self, key: str, entry: dict) -> None:
        """Store ``entry`` under ``key``, whole or not at all; a cache that cannot be written is
        left as it is (the results were printed all the same)."""
        path = self._path(key)
        tmp = path.parent / f".{key[:16]}-{os.getpid()}-{threading.get_ident()}.partial"
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(json.dumps({"key": key, **entry}, ensure_ascii=False).encode("utf-8"))
            os.replace(tmp, path)
        except (OSError, TypeError, ValueError):
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass

    def _prepare(self) -> None:
        """The folder, with a README, a .gitignore of everything and a CACHEDIR.TAG (as pytest's cache)."""
        if (self.root / ".gitignore").exists():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        for name, text in (("README.md", README), (".gitignore", "# created by matcalc\n*\n"),
                           ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                                            "# This file is a cache directory tag created by matcalc.\n")):
            target = self.root / name
            if not target.exists():
                tmp = self.root / f".{name}-{os.getpid()}.partial"
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, target)

    # ---- claims and documents

    def claim(self, key: str, index: int, file: str | None = None) -> CachedReport | None:
        """Claim number ``index`` stored under ``key`` (None if the entry holds another), named by
        ``file`` (the path as now given) if given."""
        entry = self.get(key)
        if entry is not None and file is not None and isinstance(entry.get("result"), dict):
            entry = {**entry, "file": file, "result": {**entry["result"], "file": file}}
        report = None if entry is None else claim_report(entry)
        return report if report is not None and report.claim.index == index else None

    def put_claim(self, key: str, report) -> None:
        entry = claim_entry(report)
        if entry is not None:
            self.put(key, entry)

    def document(self, key: str, name: str | None = None) -> CachedChecked | None:
        """The document stored under ``key``, named ``name`` (the path as now given) if given."""
        entry = self.get(key)
        if entry is not None and name is not None:
            entry = {**entry, "name": name}
        return None if entry is None else document_checked(entry)

    def put_document(self, key: str, checked: Checked) -> None:
        entry = document_entry(checked)
        if entry is not None:
            self.put(key, entry)

    def loads(self, key: str) -> bool:
        """A proof file with this key was loaded without error."""
        return self.get(key) is not None

    def put_loads(self, key: str) -> None:
        self.put(key, {"loads": True})


# ---- shards


def shard_of(path: str, index: int, count: int) -> int:
    """The shard (1..count) that checks claim ``index`` of the file at ``path`` (index 0: the file
    itself, i.e. a document, or a proof file's own error): a stable hash (SHA-256) of both, the same
    on every machine and in every run."""
    digest = hashlib.sha256(f"{Path(path).as_posix()}\0{index}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    """"i/N" -> (i, N), 1 <= i <= N; ValueError otherwise."""
    i, sep, n = text.partition("/")
    if not sep or not i.strip().isdigit() or not n.strip().isdigit():
        raise ValueError(f"expected a shard as i/N, such as 1/4, got {text!r}")
    i_, n_ = int(i), int(n)
    if not 1 <= i_ <= n_:
        raise ValueError(f"expected a shard i/N with 1 <= i <= N, got {text!r}")
    return i_, n_
