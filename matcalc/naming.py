"""Repeated subexpressions named once, for the display formats: softmax(K q) written three times in a
result reads as s, "where s = softmax(K q)". A pure function over expression trees; the printers
only render the (bindings, body) it returns, and the language text of a result stays written out."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .expr import (Call, Commutation, DimValue, Entrywise, Expr, Eye, Let, Neg, Num, Ones, ScalarFn, Sym, Transpose,
                   distinct_nodes, post_order)
from .language import GREEK_LETTERS
from .shapes import dim_factors

#: The name a subexpression gets from its outer function (capitalised for a matrix, E = exp(A); σ stays σ).
LETTERS = {"softmax": "s", "exp": "e", "sigmoid": "sigma"}
#: Names the display formats use themselves: d X, f and F, the Hessian's H, the identity I.
RESERVED = ("d", "f", "F", "H", "I")
#: Nodes that are names or constants already (no name makes them shorter).
_LEAVES = (Sym, Num, Ones, Eye, DimValue, Let, Commutation)


@dataclass(frozen=True)
class Named:
    """An expression written with names: ``body``, where each (name, definition) of ``bindings`` holds.
    A name is a Let node in body and in later definitions; a definition uses only names bound before it."""

    bindings: tuple[tuple[str, Expr], ...]
    body: Expr


def trivial(e: Expr) -> bool:
    """e is not worth a name: a symbol, a number, ones or eye, a name, a (negated) transpose of one,
    or a constant with no symbol in it (sqrt(d), 1 1ᵀ)."""
    while isinstance(e, (Neg, Transpose)):
        e = e.arg
    return isinstance(e, _LEAVES) or not any(isinstance(n, Sym) for n in distinct_nodes(e))


def names_in(*trees: Expr) -> set[str]:
    """Every name the trees print: symbols, [let] names, functions, dimensions."""
    out: set[str] = set()
    for n in distinct_nodes(*trees):
        if isinstance(n, (Sym, Let)):
            out.add(n.name)
        elif isinstance(n, DimValue):
            out.add(n.dim)
        elif getattr(n, "fn", None):
            out.add(n.fn)  # a function's name (exp, a declared sigma)
        for dim in (n.shape.rows, n.shape.cols):
            out.update(dim_factors(dim)[1])
    return out


def _key(name: str) -> str:
    """A name as a reader tells it apart: σ is sigma, t_1 is t1 (both print t₁)."""
    return "".join(GREEK_LETTERS.get(ch, ch) for ch in name).replace("_", "")


def _counts(roots: Iterable[Expr]) -> Counter:
    """How often each subexpression is written out in the roots (not looking inside names)."""
    order = list(post_order(*roots))[::-1]  # parents before children
    counts: Counter = Counter()
    for r in roots:
        counts[r] += 1
    for n in order:
        if counts[n] and not isinstance(n, Let):
            for k in n.children:
                counts[k] += counts[n]
    return counts


def _substituted(root: Expr, new: dict[Expr, Expr]) -> Expr:
    """root with every occurrence of a key of ``new`` written as its value (not looking inside names)."""
    out: dict[Expr, Expr] = {}
    for n in post_order(root):
        if n in new:
            out[n] = new[n]
        elif isinstance(n, Let) or not n.children:
            out[n] = n
        else:
            kids = tuple(out[k] for k in n.children)
            out[n] = n if all(a is b for a, b in zip(kids, n.children)) else n.rebuild(*kids)
    return out[root]


def _fresh(e: Expr, taken: set[str]) -> str:
    """The name of e: its outer function's letter (s, e, σ) when free, else the first free t1, t2, ..."""
    letter = LETTERS.get(getattr(e, "fn", ""))
    if letter and letter != "sigma" and e.shape.rows != 1 and e.shape.cols != 1:
        letter = letter.upper()
    if letter and _key(letter) not in taken:
        return letter
    k = 1
    while f"t{k}" in taken:
        k += 1
    return f"t{k}"


def worth_a_name(e: Expr) -> bool:
    """e is long enough that a name shortens it: five nodes or more (A x - b, not K q or C Vᵀ), or a
    function applied to more than a symbol, or one with a letter of its own (softmax(z), not sqrt(d))."""
    if trivial(e):
        return False
    applied = isinstance(e, (Call, Entrywise, ScalarFn))
    return e._size >= 5 or applied and (e._size >= 3 or e.fn in LETTERS)


def name_repeats(e: Expr, *, taken: Iterable[str] = ()) -> Named:
    """e with each subexpression worth a name that is written out more than once named once.

    The largest repeat is named first, then repeats are sought again in what remains (the body and
    the definitions), so an inner repeat gets its own name and a later definition uses it. Names are
    given in reading order and never clash with ``taken`` (the expression's own names are added).
    """
    body, defs = e, {}  # placeholder Let -> its definition, in which later placeholders stand
    while True:
        counts = _counts((body, *defs.values()))
        repeats = sorted((n for n, c in counts.items() if c > 1), key=lambda n: -n._size)
        target = next((n for n in repeats if worth_a_name(n)), None)
        if target is None:
            break
        let = {target: Let(f"#{len(defs)}", target)}
        body, defs = _substituted(body, let), {k: _substituted(v, let) for k, v in defs.items()}
        defs[let[target]] = target
    body, defs = _inlined(body, defs)
    used = {_key(n) for n in (*taken, *names_in(e), *RESERVED)}
    final: dict[Expr, Expr] = {}
    for placeholder in _reading_order(body, defs):
        name = _fresh(defs[placeholder], used)
        used.add(_key(name))
        final[placeholder] = Let(name, defs[placeholder])
    return Named(tuple((let.name, _substituted(defs[p], final)) for p, let in final.items()),
                 _substituted(body, final))


def _inlined(body: Expr, defs: dict[Expr, Expr]) -> tuple[Expr, dict[Expr, Expr]]:
    """Names whose definitions, once written with the later names, are no longer worth one (det(t1)
    and inv(t1) once t1 = X' A X) written out again, until every name is worth its place."""
    while short := next((p for p, d in defs.items() if not worth_a_name(d)), None):
        back = {short: defs.pop(short)}
        body, defs = _substituted(body, back), {k: _substituted(v, back) for k, v in defs.items()}
    return body, defs


def _reading_order(body: Expr, defs: dict[Expr, Expr]) -> list[Expr]:
    """The placeholders as the reader meets them in body, each after those its definition uses."""
    out: dict[Expr, None] = {}
    stack: list[tuple[Expr, bool]] = [(body, False)]
    while stack:
        n, expanded = stack.pop()
        mine = n in defs
        if mine and n in out:
            continue
        if mine and expanded:
            out[n] = None
        elif mine:
            stack += [(n, True), (defs[n], False)]
        elif not isinstance(n, Let):
            stack += [(k, False) for k in reversed(n.children)]
    return list(out)
