"""What the worker processes do: a claim derived and checked through the Python API's own
path, answered as the API's JSON and the page's MathML; bad input as a one-line error and
the form field it concerns."""
from __future__ import annotations

import re
from collections.abc import Mapping

from ..api import claim_report
from ..errors import MatcalcError
from ..printers import json_out, mathml_document
from ..proof_catalog import find
from ..prooffile import load
from ..report import run_claim

#: The keys of a request: a proof-file claim and its declarations.
KEYS = ("f", "wrt", "symbols", "let", "functions", "assume", "gradient", "jacobian", "hessian", "kind", "seed")
#: A location (MatcalcError.where) or a message's start -> the form field it concerns.
_FIELDS = (("symbols", "sym"), ("let", "let"), ("functions", "fn"), ("f", "f"), ("gradient", "gradient"),
           ("jacobian", "jacobian"), ("hessian", "hessian"), ("the gradient", "gradient"), ("the Jacobian", "jacobian"),
           ("the Hessian", "hessian"), ("wrt", "wrt"), ("bad symbol", "sym"), ("bad function", "fn"),
           ("bad let", "let"), ("[let]", "let"), ("assumption", "assume"), ("an assumption", "assume"),
           ("unknown kind", "kind"), ("kind", "kind"))


def field_of(e: MatcalcError) -> str:
    """The form field an error is about ("" when it is about no one field)."""
    where = e.where.split(".")[0]
    for start, field in _FIELDS:
        if where == start or (not where and re.match(re.escape(start) + r"(?![\w])", e.message)):
            return field
    return "assume" if not where and e.pos else ""  # only an assumption is parsed without a location


def check_body(body: object) -> dict:
    """A request body as claim_report's arguments: a JSON object with known keys."""
    if not isinstance(body, Mapping):
        raise MatcalcError(f"the body must be a JSON object such as {{\"f\": \"tr(X)\", \"wrt\": \"X\", "
                           f"\"symbols\": {{\"X\": \"matrix(n, n)\"}}}}, got {type(body).__name__}")
    unknown = [k for k in body if k not in KEYS]
    if unknown:
        raise MatcalcError(f"unknown key {unknown[0]!r} (expected one of {', '.join(KEYS)})")
    return {"assume": (), "seed": 0, **body}


def derive(body: dict) -> dict:
    """Derive and check the claim of ``body``: {"answer": the API's JSON, "html": the derivation
    in MathML}, or {"error": one line, "field": the field it concerns}."""
    try:
        b = check_body(body)
        r, *_ = claim_report(b.get("f"), b.get("wrt"), b.get("gradient"), b.get("symbols"), b.get("functions"),
                            b.get("let"), b["assume"], b["seed"], jacobian=b.get("jacobian"), hessian=b.get("hessian"),
                            kind=b.get("kind"))
    except MatcalcError as e:
        return {"error": str(e), "field": field_of(e)}
    return {"answer": json_out.answer(r), "html": mathml_document.derivation(r)}


def warm_up() -> None:
    """Import and build once, in the server, what every derivation needs (the parser's tables,
    SymPy for entrywise algebra), so that each forked worker starts with it."""
    import sympy  # noqa: F401  (imported on first use by the engine: once here, not in every worker)

    derive({"f": "sum(exp(x)) + x' * A * x", "wrt": "x", "symbols": {"x": "vector(n)", "A": "matrix(n, n)"},
            "gradient": "exp(x) + 2 * A * x"})


def catalog_claim(name: str, index: int) -> dict:
    """Claim ``index`` (1-based) of catalog proof ``name``, derived and checked: its verdict and its MathML."""
    proof = load(find(name))
    r = run_claim(proof, proof.claims[index - 1])
    return {"ok": r.ok, "verdict": r.verdict, "html": mathml_document.derivation(r)}
