"""JSON, as in the contract: gradients and steps in the language, verdicts as words."""
from __future__ import annotations

import json

from typing import TYPE_CHECKING

from .. import __version__
from ..language import show
from ..proof_catalog import listing
from . import latex
from .notation import LATEX

if TYPE_CHECKING:
    from ..proof_catalog import Entry
    from ..prooffile import ProofFile
    from ..report import ClaimReport


def claim_object(r: ClaimReport) -> dict:
    """The contract's result object for one claim (a file's error has nulls for the claim); a result
    from the cache (matcalc.cache) is the object stored, with "cached": true."""
    if getattr(r, "cached", False):
        return {**r.result, "cached": True}
    if r.claim is None:  # a file's error, or a claim's that could not be read (its f and wrt as written)
        bad = r.bad
        return {"file": r.file, "proof": r.proof if bad else None, "claim": bad.index if bad else None,
                "f": bad.f or None if bad else None, "wrt": bad.wrt or None if bad else None, "kind": None,
                "claimed": None, "derived": None, "expected": None, "verdict": "error", "message": r.error,
                "counterexample": None, **_notes(r)}
    return {
        "file": r.file,
        "proof": r.proof,
        "claim": r.claim.index,
        "f": show(r.claim.f),
        "wrt": r.claim.wrt.name,
        "kind": r.claim.kind,
        "claimed": show(r.claim.gradient) if r.claim.gradient is not None else None,
        "derived": show(r.derivation.gradient) if r.derivation is not None else None,
        "expected": r.claim.expect,
        "verdict": r.verdict,
        "message": r.message,
        "counterexample": _counterexample(r),
        **_notes(r),
    }


def _notes(r: ClaimReport) -> dict:
    """{"notes": [...]} when the claim's file has notes on its declarations, else {}."""
    return {"notes": list(r.notes)} if r.notes else {}


def _counterexample(r: ClaimReport) -> dict | None:
    """The claim's counterexample, with the certificate that ``matcalc recheck`` re-evaluates."""
    v = r.claimed
    if v is None or not v.counterexample:
        return None
    return {**v.counterexample, "certificate": v.certificate} if v.certificate else v.counterexample


def derivation_object(r: ClaimReport) -> dict:
    """f, wrt, the result, the steps, the verdict (what `matcalc diff --format json` and a proof's claims start from)."""
    d = r.derivation
    return {
        "matcalc": __version__,
        "f": show(r.claim.f),
        "wrt": r.claim.wrt.name,
        "kind": r.claim.kind,
        r.claim.kind: show(d.gradient) if d else None,  # "gradient", "jacobian" or "hessian"
        **_named(r),
        "steps": [{"rule": s.rule, "expr": show(s.expr)} for s in d.steps] if d else [],
        "verdict": r.verdict,
        "message": r.message,
    }


def _named(r: ClaimReport) -> dict:
    """{"named": {"where": {name: definition}, kind: the result using the names}} when the result repeats
    a subexpression (the result's own field stays written out, for parsing back), else {}."""
    if r.named is None:
        return {}
    return {"named": {"where": {name: show(e) for name, e in r.named.bindings}, r.claim.kind: show(r.named.body)}}


def answer(r: ClaimReport, scope=None) -> dict:
    """The web API's answer for one claim: the result derived and claimed, the verdict, the
    counterexample, each step in the language and in LaTeX, and the steps as one LaTeX block; with
    the claim's ``scope``, the inferred shapes of undeclared symbols as "assumed" (name -> declaration)."""
    row = claim_object(r)
    steps = r.derivation.steps if r.derivation else ()
    return {**{k: row[k] for k in ("kind", "f", "wrt", "derived", "claimed", "verdict", "message", "counterexample")},
            **_assumed(scope), **_named(r),
            "steps": [{"rule": s.rule, "expr": show(s.expr), "latex": LATEX.show(s.expr)} for s in steps],
            "latex": latex.align(r) if r.derivation else ""}


def _assumed(scope) -> dict:
    """{"assumed": {name: declaration}} for the symbols whose shapes were inferred, else {}."""
    names = getattr(scope, "inferred", ())
    return {"assumed": {n: scope.declaration(n) for n in names}} if names else {}


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def diff(r: ClaimReport, scope=None) -> str:
    """`matcalc diff --format json`: the derivation object, with the claim and its counterexample if one was claimed,
    and the inferred shapes ("assumed") of the symbols ``scope`` did not declare."""
    obj = {**derivation_object(r), **_assumed(scope)}
    if r.claim.gradient is not None:
        row = claim_object(r)
        obj.update(claimed=row["claimed"], counterexample=row["counterexample"])
    return dumps(obj)


def check_results(reports: list[ClaimReport], summary: dict, *, quiet: bool = False, standalone: bool = False) -> str:
    """Every claim's result object and the summary (``quiet`` is for the terminal's list)."""
    return dumps({"matcalc": __version__, "results": [claim_object(r) for r in reports], "summary": summary})


def proof(proof: ProofFile, reports: list[ClaimReport], *, standalone: bool = False) -> str:
    claims = [{**derivation_object(r), **{k: v for k, v in claim_object(r).items() if k not in ("f", "wrt")}}
              if r.claim is not None else claim_object(r) for r in reports]
    notes = {"notes": list(proof.notes)} if proof.notes else {}
    return dumps({"matcalc": __version__, "proof": proof.name, "title": proof.title, "source": proof.source,
                  **_assumed(proof.scope), **notes, "claims": claims, "ok": all(r.ok for r in reports)})


def catalog(entries: list[Entry]) -> str:
    """The catalog as JSON data (as GET /api/catalog answers)."""
    return dumps(listing(entries))
