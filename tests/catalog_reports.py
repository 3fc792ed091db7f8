"""The catalog's proofs derived and checked once per test session, shared by the tests that
only print or compare them (each full pass over the catalog takes seconds)."""
from __future__ import annotations

from functools import lru_cache

from matcalc.proof_catalog import entries
from matcalc.prooffile import load
from matcalc.report import run_proof


@lru_cache(maxsize=None)
def reports(name: str):
    """(proof, its reports at seed 0) for the catalog proof ``name``."""
    proof = load(next(e.path for e in entries() if e.name == name))
    return proof, tuple(run_proof(proof))
