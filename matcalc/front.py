"""The front door: a request (f, wrt, a claimed result, declarations, assumptions, seed) read field
by field into a one-claim proof, derived and checked. `matcalc diff`, the Python API and the web
page each make a Request and call ``answer``; bad input is a MatcalcError whose ``field`` names
the request field at fault."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from . import sympy_bridge
from .deep import deep
from .errors import MatcalcError, ShapeError, in_field, printable, taught
from .prooffile import ProofFile, make_claim, make_scope, parse_assumption
from .report import ClaimReport, run_claim

#: An expression input: text in the language, or a SymPy expression (a MatrixSymbol or Symbol for wrt).
Input = Any


@dataclass(frozen=True)
class Request:
    """One claim and its declarations, as the API's arguments and the web API's JSON body name them."""

    f: Input = None
    wrt: Input = None
    symbols: Mapping[str, str] | None = None  # None: only what SymPy inputs imply
    let: Mapping[str, str] | None = None
    functions: Mapping[str, str] | None = None
    assume: Sequence[Input] = ()
    gradient: Input = None
    jacobian: Input = None
    hessian: Input = None
    kind: str | None = None
    seed: int = 0


#: The keys of a request, in order.
KEYS = tuple(f.name for f in fields(Request))
#: The keys of a JSON request body: a request's, and "latex" (true: f, wrt and a claimed gradient are LaTeX).
BODY_KEYS = (*KEYS, "latex")


@dataclass(frozen=True)
class Answer:
    """The claim's report, the one-claim proof it came from, and the SymPy objects the request used
    (by name, for translating results back)."""

    report: ClaimReport
    proof: ProofFile
    objects: dict[str, object]


def _inferred(symbols: dict, functions: dict, let: dict, values: dict, assume, hints: dict | None = None) -> dict[str, str]:
    """The declarations of the symbols the request uses without declaring them (inferred shapes);
    empty when every name is declared. A declaration that does not parse is left to make_scope.
    ``hints``: names' defaults where unification leaves a choice ("column", "scalar" or "")."""
    from .inference import infer, unknown_names

    texts = [("assume", a) for a in assume] + [(k, v) for k, v in values.items() if k != "wrt"]
    known = set(symbols) | set(functions) | set(let)
    if not unknown_names([t for _, t in texts] + list(let.values()), known):
        return {}
    try:
        declared = make_scope(symbols, functions).symbols
    except MatcalcError:
        return {}
    wrt = values.get("wrt") if isinstance(values.get("wrt"), str) else None
    claimed = [t for t in texts if t[0] in ("gradient", "jacobian", "hessian")]
    with in_field("f"):  # f's shapes first: a claim never changes what f means, it is judged against it
        first = infer(declared, functions, let, [t for t in texts if t not in claimed], wrt, hints=hints)
    if not claimed:
        return first
    declared = make_scope({**symbols, **first}, functions).symbols
    key = claimed[0][0]
    with in_field(key):  # a symbol only the claim names gets the shape it needs there (f read again for wrt's)
        try:
            return {**first, **infer(declared, functions, let, texts, wrt, field=key, hints=hints)}
        except ShapeError:  # the claim does not have wrt's shape: the typed claim says so
            return {**first, **infer(declared, functions, let, texts, field=key, hints=hints)}


def request_from_body(body: object) -> Request:
    """A JSON request body (an object with known keys) as a Request; a body with "latex" is read by
    ``body_request``."""
    if not isinstance(body, Mapping):
        raise MatcalcError(f"the body must be a JSON object such as {{\"f\": \"tr(X)\", \"wrt\": \"X\", "
                           f"\"symbols\": {{\"X\": \"matrix(n, n)\"}}}}, got {type(body).__name__}")
    unknown = [k for k in body if k not in KEYS]
    if unknown:
        raise MatcalcError(f"unknown key {unknown[0]!r} (expected one of {', '.join(BODY_KEYS)})")
    return Request(**body)


def body_request(body: object) -> tuple[Request, bool]:
    """A JSON request body as a Request, and whether its f, wrt and claimed gradient are LaTeX
    (``"latex": true``, for ``answer_latex``)."""
    if not isinstance(body, Mapping) or "latex" not in body:
        return request_from_body(body), False
    latex = body["latex"]
    if not isinstance(latex, bool):
        raise MatcalcError(f"latex must be true or false, got {type(latex).__name__}")
    return request_from_body({k: v for k, v in body.items() if k != "latex"}), latex


def declarations(items: Iterable[str], field: str) -> dict[str, str]:
    """NAME=VALUE lines (``--sym X=matrix(n, n)``, a line of the web form's field) as a mapping."""
    out: dict[str, str] = {}
    with in_field(field):
        for item in items:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise MatcalcError(f"--{field} takes NAME=VALUE, got {item!r}")
            if name.strip() in out:
                raise MatcalcError(f"--{field}: {name.strip()!r} is declared twice")
            out[name.strip()] = value.strip()
    return out


#: The declaration tables: request key, field, and what the mapping holds (for the error message).
_TABLES = {"symbols": ("sym", "shapes, e.g. {'X': 'matrix(m, n)'}"),
           "functions": ("fn", "kinds, e.g. {'sigma': 'elementwise'}"),
           "let": ("let", "expressions, e.g. {'z': 'W * x + b'}")}


def table(value: object, key: str, *, optional: bool = True) -> dict[str, str]:
    """A declaration argument (symbols, functions or let) as a dict; None is empty when optional."""
    if value is None and optional:
        return {}
    if not isinstance(value, Mapping):
        field, example = _TABLES[key]
        raise MatcalcError(f"{key} must be a mapping of names to {example}, got {type(value).__name__}", field=field)
    return dict(value)


@deep
def answer(request: Request, *, name: str = "api", path: str = "<python>", partial: bool = False,
           door: str = "", hints: Mapping[str, str] | None = None) -> Answer:
    """The request's claim, derived and checked, as claim 1 of a proof ``name`` read from ``path``.
    A claim that could not be derived is a MatcalcError; so is one whose check could not run, unless
    ``partial`` (then the report carries the error beside its derivation). ``door`` ("cli",
    "python") is how the request came, for the hint of an error (how to declare a symbol there).
    ``hints``: names' default shapes where inference leaves a choice (from their LaTeX spelling)."""
    try:
        return _answer(request, name, path, partial, dict(hints or {}))
    except MatcalcError as e:
        raise taught(e, door)


def answer_latex(request: Request, **options: Any) -> tuple[Request, Answer]:
    """A request whose f, wrt and claimed gradient are LaTeX, read into the language
    (``latex.request_text``) and answered with the hints of the names' spellings: the request as read,
    and its answer. `matcalc diff --latex`, ``matcalc.derive(latex=...)`` and the web page's LaTeX come
    here; ``options`` are ``answer``'s. An error at a place in a text read from LaTeX shows that text."""
    from .latex import read_as, request_text

    for key, name in (("jacobian", "Jacobian"), ("hessian", "Hessian")):
        if getattr(request, key) is not None:
            raise MatcalcError(f"LaTeX input is f, wrt and a claimed gradient: give a claimed {name} in the "
                               f"language, without LaTeX", field=key)
    f, gradient, wrt, hints = request_text(request.f, request.gradient, request.wrt)
    read = replace(request, f=f, gradient=gradient, wrt=wrt)
    try:
        return read, answer(read, hints=hints, **options)
    except MatcalcError as e:
        raise read_as(e, {"f": f, "gradient": gradient}) from None


def _answer(request: Request, name: str, path: str, partial: bool, hints: dict[str, str]) -> Answer:
    r = request
    symbols = None if r.symbols is None else table(r.symbols, "symbols")
    functions, let, assume = table(r.functions, "functions"), table(r.let, "let"), r.assume
    if isinstance(assume, str) or sympy_bridge.is_sympy(assume):
        assume = [assume]
    if not isinstance(assume, Sequence):
        raise MatcalcError(f"assume must be a list of equalities such as 'sum(Y) = 1', got {type(assume).__name__}",
                           field="assume")
    values = {"f": r.f, "wrt": r.wrt, "gradient": r.gradient, "jacobian": r.jacobian, "hessian": r.hessian}
    objects: dict[str, object] = {}
    if any(map(sympy_bridge.is_sympy, (*values.values(), *let.values(), *assume))):
        given = sympy_bridge.inputs(values, symbols, functions, let, list(assume))
        values, symbols, functions, let, assume, objects = (given.values, given.symbols, given.functions, given.let,
                                                             given.assume, given.objects)
    symbols = table(symbols, "symbols")
    inferred = _inferred(symbols, functions, let, values, assume, hints)
    scope = make_scope({**symbols, **inferred}, functions, let)
    scope.inferred = tuple(inferred)
    if not isinstance(r.seed, int) or isinstance(r.seed, bool):
        raise MatcalcError(f"seed must be an integer, got {r.seed!r}", field="seed")
    assumptions = tuple(parse_assumption(a, scope) for a in assume)
    claim = make_claim(1, values["f"], values["wrt"], values["gradient"], scope, jacobian=values["jacobian"],
                       hessian=values["hessian"], kind=r.kind)
    proof = ProofFile(name, printable(f"d/d{values['wrt']} of {values['f']}"), "", path, scope, assumptions, (claim,),
                      notes=tuple(scope.notes))
    try:
        report = run_claim(proof, claim, seed=r.seed)
    except RecursionError:
        raise MatcalcError("the input is too large to process (Python's recursion limit)") from None
    if report.error and (report.derivation is None or not partial):
        raise MatcalcError(report.error, field=report.error_field)
    return Answer(report, proof, objects)
