"""pytest plugin: proof files (*.toml with [[claims]]) collected as tests, FILE::proof::claim-N, and
the Markdown and LaTeX documents in a proofs/ folder (not README files), FILE::equations."""
from __future__ import annotations

import pytest


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
        from .prooffile import load

        try:
            proof = run(load, self.path)
        except MatcalcError as e:
            # One failing item with the one-line message, so that the other files still run
            # (a collection error would stop the whole session).
            yield BadFileItem.from_parent(self, name="file", message=str(e))
            return
        bad = {b.index: b for b in proof.bad}
        for index in sorted([c.index for c in proof.claims] + list(bad)):
            name = f"{proof.name}::claim-{index}"
            if index in bad:  # a claim that could not be read: a failing item of its own, the others still run
                yield BadFileItem.from_parent(self, name=name, message=bad[index].error)
            else:
                claim = next(c for c in proof.claims if c.index == index)
                yield ClaimItem.from_parent(self, name=name, proof=proof, claim=claim)


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


class ClaimItem(pytest.Item):
    def __init__(self, *, proof, claim, **kw):
        super().__init__(**kw)
        self.proof, self.claim = proof, claim

    def runtest(self):
        from .report import run_claim

        r = run_claim(self.proof, self.claim)
        if not r.ok:
            raise ClaimFailed(r)

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

        try:
            checked = run(judged, read(self.path))
        except MatcalcError as e:
            raise ClaimFailed(str(e)) from None
        if not checked.ok:
            raise ClaimFailed(plain(checked, quiet=True) + summary_line(summary([checked])))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ClaimFailed):
            return excinfo.value.args[0]
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, "equations"
