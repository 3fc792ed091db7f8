"""Proof files (TOML) and declarations -> ProofFile with typed claims; no calculus here."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import MatcalcError, in_field, printable, taught
from . import ops
from .expr import Expr, MatMul, Num, Ones, Sym, distinct_nodes, zero
from .language import GREEK_LETTERS, NAME, show
from .declarations import Assumption, Scope, assumption_sides, not_integer, not_symmetric
from .parser import FUNCTION_KINDS, parse
from .shapes import SCALAR, Shape, fixed_dim
from .shapes import hessian as hessian_shape
from .shapes import jacobian as jacobian_shape

TOP_KEYS = ("name", "title", "source", "assume", "symbols", "functions", "let", "claims", "note")
CLAIM_KEYS = ("f", "wrt", "gradient", "jacobian", "hessian", "kind", "expect", "note")
#: What a claim is about; each kind is also the key of its claimed value.
KINDS = ("gradient", "jacobian", "hessian")
#: The name of each kind's matrix in messages, and what it is the derivative of.
KIND_NAMES = {"gradient": "gradient", "jacobian": "Jacobian", "hessian": "Hessian"}
EXPECTS = ("holds", "refuted")
_NAME = re.compile(NAME + r"\Z")
_DIM = rf"\s*({NAME}|[+-]?\d+)\s*"
_SHAPE = re.compile(rf"\s*(?:(scalar|integer)|vector\({_DIM}\)|matrix\({_DIM},{_DIM}\)|(symmetric)\({_DIM}\))\s*\Z")
_USED = re.compile(r"[A-Za-z_\u0370-\u03ff][A-Za-z0-9_\u0370-\u03ff]*")


@dataclass(frozen=True)
class Claim:
    """One claim: f, the symbol it is differentiated by, and the claimed gradient, Jacobian or
    Hessian (``kind`` says which; None when matcalc is to derive it)."""

    index: int  # 1-based, as in the JSON output
    f: Expr
    wrt: Sym
    gradient: Expr | None  # the claimed value, whatever its kind
    expect: str = "holds"
    note: str = ""
    kind: str = "gradient"


@dataclass(frozen=True)
class BadClaim:
    """A claim that could not be read or typed: its place, the one-line error (located at
    ``claims[N]``) and the request field at fault, and its f and wrt as written (when text). It is
    an error for that claim alone: the file's other claims are still checked."""

    index: int  # 1-based, as Claim.index
    error: str
    field: str = ""
    f: str = ""
    wrt: str = ""


@dataclass(frozen=True)
class ProofFile:
    """A proof file read: its declarations, assumptions and claims (``claims``: those read and typed;
    ``bad``: those that could not be, each an error of its own), and the notes on what it declares
    (a declaration of a built-in, not needed)."""

    name: str
    title: str
    source: str
    path: str
    scope: Scope
    assume: tuple[Assumption, ...]
    claims: tuple[Claim, ...]
    note: str = ""
    bad: tuple[BadClaim, ...] = ()
    notes: tuple[str, ...] = ()


def parse_shape(text: str) -> Shape:
    """'scalar' | 'integer' | 'vector(n)' | 'matrix(m, n)' | 'symmetric(n)' -> Shape; dimensions are names or
    positive integers."""
    return parse_declaration(text)[0]


def parse_declaration(text: str) -> tuple[Shape, str]:
    """A declared shape, and what more it says: "symmetric" for symmetric(n) (an n×n matrix equal to its
    transpose), "integer" for an integer symbol (1×1), else ""."""
    m = _SHAPE.match(text) if isinstance(text, str) else None
    if not m and isinstance(text, str) and re.match(r"\s*symmetric\s*\([^,()]*,", text):
        raise MatcalcError(f"bad shape {text!r}: a symmetric matrix is square, declared symmetric(n) with one dimension")
    if not m:
        raise MatcalcError(f"bad shape {text!r}: expected scalar, integer, vector(n), matrix(m, n) or symmetric(n)")
    if m.group(1):
        return SCALAR, "integer" if m.group(1) == "integer" else ""
    parsed = [_dimension(d, text) for d in m.group(2, 3, 4, 6) if d is not None]
    if m.group(5):
        return Shape(parsed[0], parsed[0]), "symmetric"
    return Shape(parsed[0], parsed[1] if len(parsed) == 2 else 1), ""


def _dimension(d: str, text: str):
    """A declared dimension: a name, or a positive integer up to MAX_DIM."""
    if not d.lstrip("+-").isdigit():
        return d
    if int(d) <= 0:
        raise MatcalcError(f"bad shape {text!r}: dimension {d} is not positive")
    return fixed_dim(int(d))


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        greek = isinstance(name, str) and any("\u0370" <= ch <= "\u03ff" for ch in name)
        hint = f" (the Greek letters every printer spells: {''.join(GREEK_LETTERS)})" if greek else ""
        raise MatcalcError(f"bad {what} name {name!r}{hint}")
    if name in ops.SPELLINGS:
        raise MatcalcError(f"{what} name {name!r} is reserved for a built-in")


def _let_order(lets: dict[str, str]) -> list[str]:
    """The let names in an order where each comes after the lets it uses; a cycle is an error."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = path[path.index(name):] + [name]
            raise MatcalcError(f"[let] cycle: {' -> '.join(cycle)}")
        state[name] = 1
        for used in _USED.findall(lets[name]):
            if used in lets:
                visit(used, path + [name])
        state[name] = 2
        order.append(name)

    for name in lets:
        visit(name, [])
    return order


def make_scope(symbols: dict, functions: dict | None = None, lets: dict | None = None) -> Scope:
    """Declarations -> Scope, checking names, shapes, kinds, duplicates, shadowing and let cycles;
    an error belongs to the field of its declaration (sym, fn or let)."""
    scope = Scope()
    with in_field("sym"):
        _declare_symbols(scope, symbols)
    with in_field("fn"):
        _declare_functions(scope, functions or {})
    with in_field("let"):
        _declare_lets(scope, lets or {})
    return scope


def _declare_symbols(scope: Scope, symbols: dict) -> None:
    for name, shape in symbols.items():
        _check_name(name, "symbol")
        if not isinstance(shape, str):
            raise MatcalcError(f"symbols.{name}: a shape is a string such as \"matrix(m, n)\"")
        try:
            scope.symbols[name], kind = parse_declaration(shape)
        except MatcalcError as e:
            raise e.at(f"symbols.{name}") from None
        if kind == "integer":
            scope.integer.add(name)
        elif kind == "symmetric":
            scope.symmetric.add(name)


#: The declared kind each kind of built-in matches: a file may declare a function that became a
#: built-in later, as long as it declared it as the kind the built-in is.
BUILTIN_KINDS = {ops.ENTRYWISE: "elementwise"}
_BUILTIN_WORDS = {ops.ENTRYWISE: "an entrywise function", ops.CALL: "a function of a whole matrix",
                  ops.NODE: "a built-in"}


def _declare_functions(scope: Scope, functions: dict) -> None:
    for name, kind in functions.items():
        op = ops.SPELLINGS.get(name) if isinstance(name, str) else None
        if op is not None:
            _builtin_declared(scope, name, kind, op)
            continue
        _check_name(name, "function")
        if name in scope.symbols:
            raise MatcalcError(f"{name!r} is declared twice (as a symbol and as a function)")
        if kind not in FUNCTION_KINDS:
            raise MatcalcError(f"functions.{name}: unknown function kind {kind!r} (expected elementwise or scalar)")
        scope.functions[name] = kind


def _builtin_declared(scope: Scope, name: str, kind: object, op) -> None:
    """A declaration of a built-in's name: accepted with a note when it declares the built-in's own kind
    (written before the name became a built-in), else refused."""
    if BUILTIN_KINDS.get(op.kind) == kind:
        scope.notes.append(f"{name} is built in: the declaration is not needed")
        return
    what = _BUILTIN_WORDS.get(op.kind, "a built-in")
    declared = f", not {kind!r}" if isinstance(kind, str) else ""
    raise MatcalcError(f"function name {name!r} is reserved for a built-in ({name} is {what}{declared})")


def _declare_lets(scope: Scope, lets: dict) -> None:
    for name, text in lets.items():
        _check_name(name, "let")
        if name in scope.symbols or name in scope.functions:
            raise MatcalcError(f"[let] name {name!r} shadows a declared {'symbol' if name in scope.symbols else 'function'}")
        if not isinstance(text, str):
            raise MatcalcError(f"let.{name}: an expression is a string")
    for name in _let_order(lets):
        try:
            scope.lets[name] = parse(lets[name], scope)
        except MatcalcError as e:
            raise e.at(f"let.{name}") from None


def parse_assumption(text: str, scope: Scope) -> Assumption:
    """'EXPR = EXPR' -> Assumption; both sides must have the same shape. An error belongs to field assume."""
    with in_field("assume"):
        return _assumption(text, scope)


def _assumption(text: str, scope: Scope) -> Assumption:
    sides = assumption_sides(text) if isinstance(text, str) else None
    if sides is None:
        raise MatcalcError(f"an assumption is written EXPR = EXPR, got {text!r}")
    left, right = sides
    lhs, rhs = parse(left, scope), parse(right, scope)
    if lhs.shape.is_scalar != rhs.shape.is_scalar:  # a scalar side is every entry's value: c * ones(m, n)
        lhs, rhs = ((MatMul(lhs, Ones(rhs.shape.rows, rhs.shape.cols)), rhs) if lhs.shape.is_scalar
                    else (lhs, MatMul(rhs, Ones(lhs.shape.rows, lhs.shape.cols))))
    if lhs.shape != rhs.shape:
        raise MatcalcError(f"assumption {text!r}: sides have shapes {lhs.shape} and {rhs.shape}")
    if _occurs(lhs, rhs):
        raise MatcalcError(f"assumption {text!r} is circular: the right side contains the left side")
    integer = next((n.name for n in distinct_nodes(lhs, rhs) if isinstance(n, Sym) and n.integer), None)
    if integer is not None:
        raise MatcalcError(f"assumption {text!r}: {integer} is an integer symbol, which an assumption cannot constrain "
                           f"(the checker takes {integer} = 1, 2, 3 and one value above the sizes)")
    return Assumption(lhs, rhs)


def _occurs(part: Expr, whole: Expr) -> bool:
    """``part`` is a subexpression of ``whole`` (each shared subtree looked at once)."""
    seen, stack = set(), [whole]
    while stack:
        e = stack.pop()
        if e == part:
            return True
        if e not in seen:
            seen.add(e)
            stack.extend(e.children)
    return False


def make_claim(index: int, f: str, wrt: str, gradient: str | None, scope: Scope,
               expect: str = "holds", note: str = "", *, jacobian: str | None = None, hessian: str | None = None,
               kind: str | None = None) -> Claim:
    """Parse and type one claim: wrt a declared symbol; at most one claimed value, of the shape its
    kind asks for (gradient and Hessian of a scalar f, Jacobian of a non-scalar f). An error belongs
    to the field of the key at fault (f, wrt, kind, or the claimed value's key)."""
    for key, value in (("f", f), ("wrt", wrt)):
        if not isinstance(value, str):
            raise MatcalcError(f"{key} is required and must be a string", field=key)
    fx = _parse_at(f, scope, "f")
    if wrt not in scope.symbols:
        raise MatcalcError(f"wrt = {wrt!r} is not a declared symbol, nor one f uses", field="wrt")
    x = scope.symbol(wrt)
    with in_field("wrt"):
        not_integer(x)
    given = {k: v for k, v in (("gradient", gradient), ("jacobian", jacobian), ("hessian", hessian)) if v is not None}
    kind = _claim_kind(kind, given, fx)
    if kind != "gradient":
        not_symmetric(x, KIND_NAMES[kind])
    g = None
    if given:
        with in_field(kind):
            g = _claimed(given[kind], kind, scope, fx, x)
    if expect not in EXPECTS:
        raise MatcalcError(f"unknown expect {expect!r} (expected holds or refuted)")
    if not isinstance(note, str):
        raise MatcalcError("note must be a string")
    return Claim(index, fx, x, g, expect, printable(note, keep="\n"), kind)


def _claimed(text: str, kind: str, scope: Scope, f: Expr, x: Sym) -> Expr:
    """The claimed gradient, Jacobian or Hessian, of the shape its kind asks for."""
    if not isinstance(text, str):
        raise MatcalcError(f"{kind} must be a string")
    g = _parse_at(text, scope, kind)
    want = {"gradient": x.shape, "jacobian": jacobian_shape(f.shape, x.shape), "hessian": hessian_shape(x.shape)}[kind]
    if g == Num(0):  # "0": the zero of the shape asked for, as matcalc prints a zero matrix
        g = zero(want)
    if g.shape != want:
        raise MatcalcError(f"the {KIND_NAMES[kind]} {show(g)} is {g.shape}, but it must be {want}"
                           f" (f is {f.shape}, {x.name} is {x.shape})")
    return g


def _claim_kind(kind: str | None, given: dict, f: Expr) -> str:
    """The claim's kind from ``kind`` and the value key given; one-line errors for misuse."""
    if len(given) > 1:
        raise MatcalcError(f"a claim has at most one of gradient, jacobian, hessian (got {' and '.join(given)})")
    if kind is not None and kind not in KINDS:
        raise MatcalcError(f"unknown kind {kind!r} (expected gradient, jacobian or hessian)", field="kind")
    if kind is not None and given and kind not in given:
        raise MatcalcError(f"kind = {kind!r} but the claim gives a {next(iter(given))}", field="kind")
    kind = kind or next(iter(given), None) or ("gradient" if f.shape.is_scalar else "jacobian")
    if kind in ("gradient", "hessian") and not f.shape.is_scalar:
        raise MatcalcError(f"a {KIND_NAMES[kind]} needs a scalar f, but {show(f)} is {f.shape} (use jacobian)")
    if kind == "jacobian" and f.shape.is_scalar:
        raise MatcalcError(f"a Jacobian needs a non-scalar f, but {show(f)} is scalar (use gradient or hessian)")
    return kind


def _parse_at(text: str, scope: Scope, key: str) -> Expr:
    """``text`` parsed; an error is located at key ``key`` and belongs to its field."""
    with in_field(key):
        try:
            return parse(text, scope)
        except MatcalcError as e:
            raise e.at(key) from None


def _table(data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise MatcalcError(f"[{key}] must be a table")
    return value


def _text(data: dict, key: str, default: str = "") -> str:
    """A free-text field (title, source, note), with control characters escaped."""
    value = data.get(key, default)
    if not isinstance(value, str):
        raise MatcalcError(f"{key} must be a string")
    return printable(value, keep="\n")


def read_text(path: str | Path) -> str:
    """A proof file's text; a missing, unreadable or non-UTF-8 file is a MatcalcError."""
    try:
        return Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise MatcalcError(f"not UTF-8 text (byte {e.start})", where=str(path)) from None
    except OSError as e:
        raise MatcalcError(f"cannot read: {e.strerror}", where=str(path)) from None
    except (TypeError, ValueError) as e:  # not a path, or a NUL byte in it
        raise MatcalcError(f"cannot read {path!r}: {e}") from None


def loads(text: str, path: str = "<string>") -> ProofFile:
    """Parse a proof file's text (a UTF-8 byte-order mark is allowed); every error names
    ``path`` and the key it is in."""
    path = printable(str(path))
    try:
        return _loads(text.removeprefix("\ufeff"), path)
    except MatcalcError as e:
        raise taught(e, "proof").at(path) from None


def load(path: str | Path) -> ProofFile:
    return loads(read_text(path), str(path))


def _loads(text: str, path: str) -> ProofFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MatcalcError(f"bad TOML: {e}") from None
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise MatcalcError(f"unknown key {unknown[0]!r} (expected one of {', '.join(TOP_KEYS)})")
    name = _text(data, "name", Path(path).stem)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise MatcalcError(f"name {name!r} is not a slug (lowercase letters, digits, dashes)")
    scope = make_scope(_table(data, "symbols"), _table(data, "functions"), _table(data, "let"))
    assume_list = data.get("assume", [])
    if not isinstance(assume_list, list):
        raise MatcalcError("assume must be a list of strings")
    assume = []
    for i, text_i in enumerate(assume_list):
        try:
            assume.append(parse_assumption(text_i, scope))
        except MatcalcError as e:
            raise e.at(f"assume[{i + 1}]") from None
    raw_claims = data.get("claims")
    if not isinstance(raw_claims, list) or not raw_claims or not all(isinstance(c, dict) for c in raw_claims):
        raise MatcalcError("a proof file needs one or more [[claims]]")
    claims, bad = [], []
    for i, c in enumerate(raw_claims, 1):
        try:
            claims.append(_claim(i, c, scope))
        except MatcalcError as e:  # this claim's error: the others are still read and checked
            e = taught(e, "proof").at(f"claims[{i}]")
            bad.append(BadClaim(i, str(e), e.field, *(printable(c[k]) if isinstance(c.get(k), str) else ""
                                                      for k in ("f", "wrt"))))
    return ProofFile(name, _text(data, "title", name), _text(data, "source"), path, scope,
                     tuple(assume), tuple(claims), _text(data, "note"), tuple(bad), tuple(scope.notes))


def _claim(index: int, c: dict, scope: Scope) -> Claim:
    """One [[claims]] table, parsed and typed."""
    unknown = [k for k in c if k not in CLAIM_KEYS]
    if unknown:
        raise MatcalcError(f"unknown key {unknown[0]!r} (expected one of {', '.join(CLAIM_KEYS)})")
    return make_claim(index, c.get("f"), c.get("wrt"), c.get("gradient"), scope, c.get("expect", "holds"),
                      c.get("note", ""), jacobian=c.get("jacobian"), hessian=c.get("hessian"), kind=c.get("kind"))
