"""pytest plugin: proof files (*.toml with [[claims]]) collected as tests, FILE::proof::claim-N."""
from __future__ import annotations

import pytest


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".toml" and _looks_like_proof(file_path):
        return ProofFileItem.from_parent(parent, path=file_path)


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
        for claim in proof.claims:
            yield ClaimItem.from_parent(self, name=f"{proof.name}::claim-{claim.index}", proof=proof, claim=claim)


class BadFileItem(pytest.Item):
    """A proof file that cannot be read, parsed or typed."""

    def __init__(self, *, message, **kw):
        super().__init__(**kw)
        self.message = message

    def runtest(self):
        raise ClaimFailed(self.message)

    def repr_failure(self, excinfo):
        return self.message

    def reportinfo(self):
        return self.path, None, "file"


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
