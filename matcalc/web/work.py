"""What the worker processes do: a request derived and checked through the front door, answered
as the API's JSON and the page's MathML; bad input as a one-line error and the form field it
concerns (the request field the error carries)."""
from __future__ import annotations

from html import escape

from ..errors import MatcalcError
from ..front import answer, answer_latex, body_request
from ..printers import json_out, mathml_document
from ..printers.rows import assuming
from ..proof_catalog import find
from ..prooffile import load
from ..report import run_index


def derive(body: object) -> dict:
    """Derive and check the claim of request ``body`` (its f, wrt and gradient LaTeX with ``"latex": true``):
    {"answer": the API's JSON, "html": the derivation in MathML, "read": f, wrt and gradient as read
    into the language}, or {"error": one line, "field": the field it concerns, or ""}."""
    try:
        request, latex = body_request(body)
        request, a = answer_latex(request) if latex else (request, answer(request))
    except MatcalcError as e:
        return {"error": str(e), "field": e.field}
    shapes = assuming(a.proof.scope)
    html = (f'<p class="assumed">{escape(shapes)}</p>' if shapes else "") + mathml_document.derivation(a.report)
    read = {"f": request.f, "wrt": request.wrt, "gradient": request.gradient}
    return {"answer": json_out.answer(a.report, a.proof.scope), "html": html, "read": read, "code": _code(a)}


#: The page's code tabs: backend -> its name on the tab.
BACKENDS = {"numpy": "NumPy", "jax": "JAX", "torch": "PyTorch"}


def _code(a) -> dict[str, str]:
    """The emitted module in each backend, where the derivation can be emitted (none for a refuted one)."""
    from ..codegen import emit

    out = {}
    for backend in BACKENDS:
        try:
            out[backend] = emit(backend, a.proof, [a.report])
        except MatcalcError:
            continue
    return out


def warm_up() -> None:
    """Import and build once, in the server, what every derivation needs (the parser's tables,
    SymPy for entrywise algebra), so that each forked worker starts with it."""
    import sympy  # noqa: F401  (imported on first use by the engine: once here, not in every worker)

    derive({"f": "sum(exp(x)) + x' * A * x", "wrt": "x", "symbols": {"x": "vector(n)", "A": "matrix(n, n)"},
            "gradient": "exp(x) + 2 * A * x"})


def catalog_claim(name: str, index: int) -> dict:
    """Claim ``index`` (1-based) of catalog proof ``name``, derived and checked: its verdict and its MathML."""
    proof = load(find(name))
    r = run_index(proof, index)
    return {"ok": r.ok, "verdict": r.verdict, "html": mathml_document.derivation(r)}
