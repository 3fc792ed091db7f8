"""SymPy 1.14's own matrix calculus (MatrixExpr.diff) on the catalog's claims, judged by matcalc.

Each claim's f and wrt are translated with matcalc's bridge, SymPy differentiates, and
matcalc checks SymPy's answer as the claim: a gradient as it is, a Jacobian as the transpose
of SymPy's vector-by-vector derivative (SymPy's layout is ∂fⱼ/∂xᵢ), a Hessian as that of
SymPy's derivative of its own gradient, f.diff(x).diff(x). Only tests and
scripts/sympy_answers.py use this; matcalc never calls .diff.
"""
from __future__ import annotations

import json
import signal
from dataclasses import asdict, dataclass
from pathlib import Path

import sympy as sp

import matcalc
from matcalc.errors import MatcalcError
from matcalc.proof_catalog import entries
from matcalc.prooffile import load
from matcalc.sympy_bridge import from_sympy, to_sympy

PINNED = Path(__file__).parent / "data" / "sympy_answers.json"
SECONDS = 10  # SymPy's time for one .diff


@dataclass(frozen=True)
class Answer:
    """SymPy's answer to one claim and matcalc's verdict on it.

    outcome: holds | refuted | raises <error> | untranslatable <SymPy class> | not stated (f has no
    SymPy form: a declared scalar function)."""

    claim: str
    kind: str
    f: str = ""
    wrt: str = ""
    answer: str = ""
    outcome: str = ""
    counterexample: str = ""
    right: str = ""


class _Timeout(Exception):
    pass


def _diff(F, X):
    def alarm(signum, frame):
        raise _Timeout()

    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(SECONDS)
    try:
        return F.diff(X)
    finally:
        signal.alarm(0)


def sympy_answer(proof, claim) -> Answer:
    key = f"{proof.name}#{claim.index}"
    objects: dict = {}
    try:
        F, X = to_sympy(claim.f, objects), to_sympy(claim.wrt, objects)
    except MatcalcError:
        return Answer(key, claim.kind, outcome="not stated")
    base = dict(claim=key, kind=claim.kind, f=str(F), wrt=str(X))
    try:
        g = _diff(F, X)
        if claim.kind == "hessian":
            g = _diff(g, X)
    except (Exception, RecursionError, _Timeout) as e:
        return Answer(**base, outcome=f"raises {type(e).__name__}")
    base["answer"] = str(g)
    if claim.kind != "gradient" and isinstance(g, sp.MatrixExpr):
        g = g.T
    try:
        from_sympy(g)
    except MatcalcError as e:
        return Answer(**base, outcome=f"untranslatable {_class_named(str(e))}")
    symbols = {n: s.declaration() for n, s in proof.scope.symbols.items()}
    v = matcalc.check(F, X, symbols=symbols, functions=proof.scope.functions, assume=[str(a) for a in proof.assume],
                      **{claim.kind: g})
    cx = (v.counterexample or {}).get("summary", "") if v.status == "refuted" else ""
    return Answer(**base, outcome=v.status, counterexample=cx, right=str(v.right_gradient or ""))


def _class_named(message: str) -> str:
    """The SymPy class a bridge error names ("cannot translate SymPy's C ...")."""
    return message.split("SymPy's ", 1)[1].split()[0] if "SymPy's " in message else message


def catalog_claims():
    """(proof, claim) for every claim of the catalog."""
    for e in entries():
        proof = load(e.path)
        for c in proof.claims:
            yield proof, c


def all_answers() -> list[Answer]:
    return [sympy_answer(p, c) for p, c in catalog_claims()]


def pinned() -> dict[str, dict]:
    return {a["claim"]: a for a in json.loads(PINNED.read_text(encoding="utf-8"))}


def write_pinned(answers: list[Answer]) -> None:
    PINNED.write_text(json.dumps([asdict(a) for a in answers], indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
