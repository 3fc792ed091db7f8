"""pytest plugin: proof files (*.toml with [[claims]]) collected as tests, FILE::proof::claim-N, and
the Markdown and LaTeX documents in a proofs/ folder (not README files), FILE::equations.

A claim or document that held (or was refuted as expected) is kept in a cache (matcalc.cache) and
not checked again while it, its file's declarations and matcalc itself are unchanged: by default
in .matcalc_cache/ at the rootdir, beside pytest's own cache and only when that cache is on, so
that `-p no:cacheprovider` (as CI runs) checks everything and writes nothing. `--matcalc-cache DIR`
uses DIR even then; `--matcalc-no-cache` turns it off; `--cache-clear` checks everything again
(and stores the results afresh)."""
from __future__ import annotations

from pathlib import Path

import pytest

#: The default cache folder, at the rootdir.
CACHE_DIR = ".matcalc_cache"
_CACHE = pytest.StashKey[object]()


def pytest_addoption(parser):
    group = parser.getgroup("matcalc", "matcalc proof files and documents")
    group.addoption("--matcalc-no-cache", action="store_true",
                    help="check every claim and document, with no cache of matcalc's results")
    group.addoption("--matcalc-cache", metavar="DIR",
                    help=f"keep matcalc's results in DIR (default: {CACHE_DIR} at the rootdir, when pytest's own "
                         "cache is on, i.e. not with -p no:cacheprovider)")


def pytest_configure(config):
    config.stash[_CACHE] = _cache(config)


def _cache(config):
    """The cache and whether to read it, or None: off with --matcalc-no-cache, and by default when
    pytest's own cache provider is off."""
    from .cache import Cache

    if config.getoption("matcalc_no_cache", False):
        return None
    folder = config.getoption("matcalc_cache", None)
    if folder:
        root = Path(config.invocation_params.dir, folder)
    elif config.pluginmanager.is_blocked("cacheprovider") or not config.pluginmanager.has_plugin("cacheprovider"):
        return None
    else:
        root = config.rootpath / CACHE_DIR
    return Cache(root), not config.getoption("cacheclear", False)


def _key_path(item) -> str:
    """The file as keys name it: relative to the rootdir where it can be, so that a cache moves with the project."""
    root = item.config.rootpath
    return item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else str(item.path)


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".toml" and _looks_like_proof(file_path):
        return ProofFileItem.from_parent(parent, path=file_path)
    if _is_catalog_document(file_path, parent.config.rootpath):
        return DocumentFile.from_parent(parent, path=file_path)


def _is_catalog_document(path, root) -> bool:
    """A .md or .tex document (not a README) below a folder named proofs."""
    from .notes import KINDS

    parts = path.relative_to(root).parts if path.is_relative_to(root) else path.parts
    return path.suffix.lower() in KINDS and path.stem.upper() != "README" and "proofs" in parts[:-1]


def _looks_like_proof(path) -> bool:
    try:
        head = path.read_bytes()[:65536]
    except OSError:
        return False
    return b"[[claims]]" in head


class ProofFileItem(pytest.File):
    def collect(self):
        from .deep import run
        from .errors import MatcalcError
        from .prooffile import loads, read_text

        try:
            text = read_text(self.path)  # read once: the claims checked are the ones their keys are made from
            proof = run(loads, text, str(self.path))
        except MatcalcError as e:
            # One failing item with the one-line message, so that the other files still run
            # (a collection error would stop the whole session).
            yield BadFileItem.from_parent(self, name="file", message=str(e))
            return
        keys = {}
        if self.config.stash.get(_CACHE, None) is not None:
            from .cache import claim_keys

            keys = claim_keys(_key_path(self), text, 0) or {}
        bad = {b.index: b for b in proof.bad}
        for index in sorted([c.index for c in proof.claims] + list(bad)):
            name = f"{proof.name}::claim-{index}"
            if index in bad:  # a claim that could not be read: a failing item of its own, the others still run
                yield BadFileItem.from_parent(self, name=name, message=bad[index].error)
            else:
                claim = next(c for c in proof.claims if c.index == index)
                yield ClaimItem.from_parent(self, name=name, proof=proof, claim=claim, key=keys.get(index))


class BadFileItem(pytest.Item):
    """A proof file that cannot be read, parsed or typed (named "file"), or one claim of it that
    cannot be (named as its claim)."""

    def __init__(self, *, message, **kw):
        super().__init__(**kw)
        self.message = message

    def runtest(self):
        raise ClaimFailed(self.message)

    def repr_failure(self, excinfo):
        return self.message

    def reportinfo(self):
        return self.path, None, self.name


class ClaimFailed(Exception):
    pass


def _cached(item, get: str, key: str | None, *args) -> bool:
    """The item's result is in the cache (and the cache is read); said in its user properties."""
    found = item.config.stash.get(_CACHE, None)
    if found is None or key is None or not found[1] or getattr(found[0], get)(key, *args) is None:
        return False
    item.user_properties.append(("matcalc", "cached"))
    return True


def _store(item, put: str, key: str | None, result) -> None:
    found = item.config.stash.get(_CACHE, None)
    if found is not None and key is not None:
        getattr(found[0], put)(key, result)


class ClaimItem(pytest.Item):
    def __init__(self, *, proof, claim, key=None, **kw):
        super().__init__(**kw)
        self.proof, self.claim, self.key = proof, claim, key

    def runtest(self):
        if _cached(self, "claim", self.key, self.claim.index):
            return
        from .report import run_claim

        r = run_claim(self.proof, self.claim)
        if not r.ok:
            raise ClaimFailed(r)
        _store(self, "put_claim", self.key, r)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ClaimFailed):
            from .deep import run
            from .printers.plain import derivation

            return run(derivation, excinfo.value.args[0])
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.proof.name}::claim-{self.claim.index}"


class DocumentFile(pytest.File):
    def collect(self):
        yield DocumentItem.from_parent(self, name="equations")


class DocumentItem(pytest.Item):
    """A document's equations, failing when one is not as expected (a refutation not marked `expect
    refuted`, a marked display not refuted, an equation that could not be checked) or the document
    cannot be read."""

    def runtest(self):
        from .deep import run
        from .errors import MatcalcError
        from .notes import judged, read
        from .notes.report import plain, summary, summary_line

        key = None
        if self.config.stash.get(_CACHE, None) is not None:
            from .cache import document_key, read_text

            text = read_text(self.path)
            key = document_key(_key_path(self), text, 0) if text is not None else None
        if _cached(self, "document", key):
            return
        try:
            checked = run(judged, read(self.path))
        except MatcalcError as e:
            raise ClaimFailed(str(e)) from None
        if not checked.ok:
            raise ClaimFailed(plain(checked, quiet=True) + summary_line(summary([checked])))
        _store(self, "put_document", key, checked)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ClaimFailed):
            return excinfo.value.args[0]
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, "equations"
