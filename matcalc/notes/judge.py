"""Judge the equations of a document, as written.

Each row's sides are read as LaTeX (matcalc.latex); then, in document order:
- ``name = expression``, name not yet defined: a **definition**, a [let] of the whole document;
- every other ``=``, each consecutive pair of a chain A = B = C (a row that starts with ``=``
  continues the row before it): a claim L = R, judged by the checker at its points, entry by entry
  (checker.measures.Value). A written ∂u/∂v is an expr.Partial: u expanded through the definitions
  down to v, v held as an independent variable and every other undefined symbol fixed, evaluated
  at v's value. A written d(E) is an expr.Change: E's first-order change while each symbol whose
  differential the display writes (dX), or the display's ``wrt`` symbol, moves along dX; the
  differential of anything else that does not depend on those is 0.
Shapes are inferred once for the document from its declarations, definitions and equations; an
equation that does not type-check is left out of that, and one whose sides read with different
shapes is refuted by its shapes.
"""
from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, fields, replace

from ..checker.measures import Value
from ..checker.verify import check_all
from ..declarations import Scope
from ..errors import MatcalcError, ShapeError
from ..expr import Add, Change, Let, Num, Partial, Sym, distinct_nodes, zero
from ..inference import infer
from ..latex import read_expression, read_sides, to_language
from ..latex import tree as L
from ..parser import parse
from ..prooffile import make_scope, parse_assumption, parse_declaration
from ..shapes import Shape
from .extract import declarations
from .model import Judgement, Row

TIME_LIMIT = 20.0  # seconds for one equation's check
PLACE = "_q"  # the prefix of the lets that stand for a written derivative


@dataclass
class _Side:
    node: L.Node
    text: str  # as written
    line: int
    tag: str = ""  # names this side's \mathbf{1} and I of a size to infer (latex.text.placeholder)
    display: int = 0  # the display it is written in


@dataclass
class _Chain:
    """A chain of sides (two or more) written in one display, with the display's directives."""

    sides: list[_Side]
    row: Row


def judge(rows: list[Row], name: str = "document", seed: int = 0) -> list[Judgement]:
    """One judgement per unread row, definition and `=` of a chain, in document order; ``seed``: the
    checker's random points (a derived right value is confirmed at seed + 1)."""
    return _Document(rows, seed).judgements()


# -- reading ------------------------------------------------------------------------------------

def _joined(rows: list[Row]) -> list[Row]:
    """The rows, each that starts with + or − and has no = of its own joined to the row before it in its
    display (an expression broken across align rows), and the punctuation that ends a sentence (, ; .)
    dropped."""
    out: list[Row] = []
    for row in rows:
        text = _PUNCTUATION.sub("", row.text)
        if out and out[-1].display == row.display and _GOES_ON.match(text) and not _equals(text):
            gap = "\n" * (row.line - out[-1].line - out[-1].text.count("\n"))
            out[-1] = replace(out[-1], text=out[-1].text + (gap or " ") + text)
        else:
            out.append(replace(row, text=text))
    return out


#: a failing operation on a \\mathbf{1} or I whose size inference did not find (latex.text.placeholder)
_UNSIZED = re.compile(r"\b(?:ones|eye)\(_s\d+x\d+\)")
#: a row that goes on from the one before: + or − first (after spacing)
_GOES_ON = re.compile(r"\s*(?:\\q?quad|\\[,;:!]|\s)*[-+]")
#: a sentence's punctuation at the end of a formula (not a number's point), and spacing before it
_PUNCTUATION = re.compile(r"(?:\\[,;:!]|\\q?quad|\s)*(?:[,;]|(?<![0-9])\.)\s*\Z")


def _letters(rows: list[Row]) -> frozenset[str]:
    """The letters the document uses as names of its own: e where it defines e (e = …)."""
    defines_e = re.compile(r"(?:^|[^\\A-Za-z])e\s*=(?!=)")
    return frozenset({"e"}) if any(defines_e.match(r.text.lstrip()) for r in rows) else frozenset()


def _sides(row: Row, symbols: frozenset[str] = frozenset()) -> list[_Side | None]:
    """The row's sides as written (None: the row continues the one before, or ends with `=`)."""
    nodes = read_sides(row.text, symbols=symbols)
    cuts = _equals(row.text)
    if len(cuts) != len(nodes) - 1:  # an = inside braces or brackets the reader took apart: cut at the nodes
        cuts = [n.pos - 1 for n in nodes[1:] if n is not None]
    bounds = [-1] + cuts + [len(row.text)]
    out: list[_Side | None] = []
    for k, n in enumerate(nodes):
        start = bounds[k] + 1 if k < len(bounds) - 1 else n.pos
        text = row.text[start:bounds[k + 1]] if k + 1 < len(bounds) else row.text[start:]
        out.append(None if n is None else _Side(n, " ".join(text.split()), row.line + row.text[:n.pos].count("\n")))
    return out


def _equals(text: str) -> list[int]:
    """The offsets of the = signs outside every brace and parenthesis."""
    depth, out = 0, []
    for i, ch in enumerate(text):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif ch == "=" and depth == 0:
            out.append(i)
    return out


def _names(text: str) -> list[str]:
    """A wrt comment's names: X, or X, Y (commas outside braces)."""
    bounds = [-1] + [i for i in _equals(text.replace(",", "=")) if text[i] == ","] + [len(text)]
    return [text[a + 1:b].strip() for a, b in zip(bounds, bounds[1:]) if text[a + 1:b].strip()]


def _directive(row: Row, kind: str) -> list[str]:
    return [d.value for d in row.directives if d.kind == kind]


class _Document:
    def __init__(self, rows: list[Row], seed: int = 0):
        self.rows, self.seed = rows, seed
        self.out: list[Judgement] = []
        self.chains: list[_Chain] = []
        self.definitions: dict[str, _Side] = {}  # name -> its defining side
        self.latex: dict[str, str] = {}  # language name -> as written
        self.declared: dict[str, str] = {}
        self.versions: dict[str, int] = {}  # name -> how many times the document started it afresh
        self.assumed: list[list[_Side]] = []
        self.fixed: dict[str, str] = {}  # the declarations, and the shapes the definitions fix
        self.settled: set = set()  # the dimensions 1 the definitions give (no note for those)
        self.sides = 0
        self.rows_of = {r.display: r for r in rows}  # a display's first row (its directives)
        self.unread: dict[str, int] = {}  # a name defined by a row that could not be read -> its line
        self._read()

    def _read(self) -> None:
        last: _Chain | None = None
        seen: set = set()
        rows = _joined(self.rows)
        symbols = _letters(rows)
        for row in rows:
            for d in row.directives:
                if d not in seen:
                    seen.add(d)
                    self._directive(d)
            try:
                sides = [s if s is None else _Side(self._renamed(s.node), s.text, s.line, f"s{self._count()}x",
                                                   row.display) for s in _sides(row, symbols)]
            except MatcalcError as e:
                self.out.append(Judgement(row.line, row.text.strip(), "unread", "skipped", e.message, row.display))
                self._unreadable(row)
                last = None
                continue
            if sides and sides[0] is None:
                if last is None or last.row.display + 1 < row.display:
                    self.out.append(Judgement(row.line, row.text.strip(), "unread", "skipped",
                                              "continues an equation that could not be read", row.display))
                else:
                    last.sides += [s for s in sides[1:] if s is not None]
                    continue
            sides = [s for s in sides if s is not None]
            if len(sides) < 2:
                self.out.append(Judgement(row.line, row.text.strip(), "unread", "skipped",
                                          "not an equation (no = between two expressions)", row.display))
                last = None
                continue
            last = _Chain(sides, row)
            self.chains.append(last)

    def _unreadable(self, row: Row) -> None:
        """Remember the name a row that could not be read defines (name = …), if it does."""
        cuts = _equals(row.text)
        try:
            node = read_expression(row.text[:cuts[0]]) if cuts else None
        except MatcalcError:
            return
        if isinstance(node, L.Name):
            self.unread.setdefault(self._renamed(node).name, row.line)

    def _unfit(self, name: str, side: _Side, why: str) -> None:
        """A definition whose shapes do not fit the document's: not used, and said where it is written."""
        self.unread.setdefault(name, side.line)
        for j in self.out:
            if j.kind == "definition" and j.line == side.line and j.verdict == "defined":
                j.verdict, j.message = "skipped", f"its shapes do not fit the rest of the document: {why}"

    def _count(self) -> int:
        self.sides += 1
        return self.sides

    def _directive(self, d) -> None:
        """A declaration starts each name it declares afresh: from here on the name is a symbol of
        that shape (a new one, where the document used the name before, as notes reuse letters)."""
        if d.kind == "declare":
            for name, shape in declarations(d.value):
                node = read_expression(name)
                if not isinstance(node, L.Name):
                    raise MatcalcError(f"line {d.line}: {name!r} is not a name to declare")
                self.versions[node.name] = self.versions.get(node.name, 0) + 1
                self.declared[self._renamed(node).name] = shape
        elif d.kind == "assume":
            sides = read_sides(d.value)
            if len(sides) != 2 or None in sides:
                raise MatcalcError(f"line {d.line}: an assumption is one equation L = R, got {d.value!r}")
            self.assumed.append([_Side(self._renamed(n), d.value, d.line, f"s{self._count()}x") for n in sides])

    def _renamed(self, node):
        """The tree with each name as the version in force (x, then x_v2 after x is declared again)."""
        if isinstance(node, L.Name):
            k = self.versions.setdefault(node.name, 1)
            new = node if k == 1 else replace(node, name=f"{node.name}_v{k}")
            self.latex.setdefault(new.name, node.latex)
            return new
        changes = {}
        for f in fields(node):
            v = getattr(node, f.name)
            if isinstance(v, L.Node):
                changes[f.name] = self._renamed(v)
            elif isinstance(v, tuple) and any(isinstance(x, L.Node) for x in v):
                changes[f.name] = tuple(self._renamed(x) if isinstance(x, L.Node) else x for x in v)
        return replace(node, **changes) if changes else node

    def _moving(self, c: _Chain) -> tuple[str, ...]:
        """The symbols that move in a chain's differentials: its display's wrt, else those whose
        differential (dX, X not defined) its last side writes (where the derivation ends, df =
        tr(Gᵀ dX)), else those whose differential it writes anywhere."""
        wrt = [self._renamed(read_expression(w)) for text in _directive(c.row, "wrt") for w in _names(text)]
        if wrt:
            return tuple(n.name for n in wrt if isinstance(n, L.Name))

        def written(sides) -> dict[str, None]:
            return {n.arg.name: None for s in sides for n in L.walk(s.node)
                    if isinstance(n, L.Differential) and isinstance(n.arg, L.Name) and n.arg.name not in self.definitions}

        return tuple(written(c.sides[-1:]) or written(c.sides))

    # -- the document's shapes --------------------------------------------------------------------

    def _classify(self) -> list[tuple[_Chain, int]]:
        """The definitions (into self.definitions) and the claims: (chain, index of its left side)."""
        claims = []
        for c in self.chains:
            first = c.sides[0].node
            start = 0
            if isinstance(first, L.Name) and first.name not in self.definitions and first.name not in self.declared \
                    and not any(
                    isinstance(n, L.Name) and n.name == first.name for n in L.walk(c.sides[1].node)):
                self.definitions[first.name] = c.sides[1]
                self.out.append(Judgement(c.sides[0].line, f"{c.sides[0].text} = {c.sides[1].text}", "definition",
                                          "defined", "", c.row.display))
                start = 1
            claims += [(c, k) for k in range(start, len(c.sides) - 1)]
        return claims

    def _texts(self, node, tag: str, moving: tuple[str, ...], lets: dict[str, str], dims=None) -> str:
        """node in the language for inference; each written derivative a let of ``lets`` whose text
        has its shape: ∂u/∂v v's (u a scalar), d(E) E's, dX X's."""

        def hook(n):
            if isinstance(n, L.Differential) and isinstance(n.arg, L.Name) and n.arg.name in moving:
                lets.setdefault("d" + n.arg.name, n.arg.name)
                return "d" + n.arg.name
            if isinstance(n, (L.Partial, L.Differential)):
                key = f"{PLACE}{id(n)}"
                if isinstance(n, L.Partial):
                    v, u = (self._texts(k, tag, moving, lets, dims) for k in (n.v, n.u))
                    lets[key] = f"{v} + 0 * (1 / ({u}))"
                else:
                    lets[key] = self._texts(n.arg, tag, moving, lets, dims)
                return key
            return None

        return to_language(node, hook, dims=dims, tag=tag)

    def _lets(self) -> dict[str, str]:
        """The definitions (and the derivatives they write) as texts for inference."""
        lets: dict[str, str] = {}
        for name, side in self.definitions.items():
            lets[name] = self._texts(side.node, side.tag, (), lets)
        return lets

    def _infer(self, equations: dict, lets: dict[str, str]) -> tuple[dict[str, str], dict[str, str], set]:
        """(declarations, sizes of the unsized 1s and Is, the equations used): the definitions fix the
        shapes first, so that an equation cannot make a defined vector 1×1 to fit (a scalar written
        equal to a vector is refuted, not re-typed); then every equation that type-checks with them and
        with the equations before it (one that does not is left out, found by adding them in turn)."""
        hints = self.hints
        assumed = [("assume", " = ".join(self._texts(s.node, s.tag, (), lets) for s in a)) for a in self.assumed]
        first: dict[str, str] = {}
        scope = make_scope(self.declared).symbols
        try:
            fixed = infer(scope, {}, lets, assumed, hints=hints, dims_out=first)
        except ShapeError:  # definitions that do not type-check together: those that do not fit are not used
            kept: dict[str, str] = {}
            for name, text in lets.items():
                try:
                    infer(scope, {}, {**kept, name: text}, assumed, hints=hints)
                except ShapeError as e:
                    if name in self.definitions:
                        self._unfit(name, self.definitions.pop(name), e.message)
                    continue
                kept[name] = text
            lets.clear()
            lets.update(kept)
            fixed = infer(scope, {}, lets, assumed, hints=hints, dims_out=first)
        self.fixed = {**fixed, **self.declared}
        declared = make_scope(self.fixed).symbols

        def attempt(keys) -> tuple[dict[str, str], dict[str, str]]:
            all_lets, dims = dict(lets), dict(first)
            for key in keys:
                all_lets.update(equations[key][0])
            texts = [(f"equal.{i}", equations[key][1]) for i, key in enumerate(keys)]
            return {**self.fixed, **infer(declared, {}, all_lets, texts, hints=hints, dims_out=dims)}, dims

        base = self.settled = self._collapsed(attempt([])[0])
        try:
            everything = attempt(list(equations))
            if self._collapsed(everything[0]) <= base:
                return (*everything, set(equations))
        except ShapeError:
            pass
        kept: list = []  # one at a time: an equation that does not fit, or fits only by making a symbol 1×1, is left out
        for key in equations:
            try:
                found = attempt(kept + [key])[0]
            except ShapeError:
                continue
            if self._collapsed(found) <= base:
                kept.append(key)
        return (*attempt(kept), set(kept))

    def _collapsed(self, declarations: dict[str, str]) -> set[tuple[str, str]]:
        """The dimensions 1 that the spelling of a symbol not declared does not give it: (name, "rows"
        or "cols") of a matrix, (name, "rows") of a column (what an equation forcing its own shapes to
        fit makes)."""
        hints = self.hints
        out = set()
        for name, text in declarations.items():
            if name in self.declared or name.startswith(PLACE) or hints.get(name) not in ("", "column"):
                continue
            shape = parse_declaration(text)[0]
            out |= {(name, "rows")} if shape.rows == 1 else set()
            out |= {(name, "cols")} if hints[name] == "" and shape.cols == 1 else set()
        return out

    def _local(self, here: dict[str, str], sides: list[str], lets: dict[str, str]):
        """An equation that does not type-check with the document, typed on its own with the
        definitions: with the shapes the definitions fix, its sides as one shape, else each side as it
        reads (then they may differ: refuted by its shapes); failing both, with the declarations only
        (a note that reuses a letter with another shape)."""
        hints = self.hints
        for declared in (self.fixed, self.declared):
            scope = make_scope(declared).symbols
            typings = []
            for texts in ([("equal.0", " = ".join(sides))], [(f"side.{i}", t) for i, t in enumerate(sides)]):
                dims: dict[str, str] = {}
                try:
                    typings.append(({**declared, **infer(scope, {}, {**lets, **here}, texts, hints=hints,
                                                         dims_out=dims)}, dims, declared is self.declared))
                except MatcalcError:
                    continue
            if len(typings) == 2 and not self._collapsed(typings[0][0]) <= self._collapsed(typings[1][0]):
                return typings[1]  # one shape for both sides only by making a symbol 1×1: each side as it reads
            if typings:
                return typings[0]
        return None

    @functools.cached_property
    def hints(self) -> dict[str, str]:
        """Each name's default shape, by its spelling where it is first written (the sides are all read)."""
        sides = [s for c in self.chains for s in c.sides] + [s for a in self.assumed for s in a]
        return {n.name: n.hint for n in reversed(list(L.walk(*(s.node for s in sides)))) if isinstance(n, L.Name)}

    # -- judging ----------------------------------------------------------------------------------

    def judgements(self) -> list[Judgement]:
        claims = self._classify()
        moving = {id(c): self._moving(c) for c in self.chains}
        try:
            lets = self._lets()
            equations = {}
            for c, k in claims:
                here: dict[str, str] = {}
                sides = [self._texts(s.node, s.tag, moving[id(c)], here) for s in c.sides[k:k + 2]]
                equations[(id(c), k)] = (here, " = ".join(sides), sides)
            symbols, dims, used = self._infer(equations, lets)
            document = _Typing(self, symbols, dims, moving.values())
            assume = document.assumptions()
        except MatcalcError as e:
            return self._all(claims, "error", f"the document's shapes are inconsistent: {e.message}")
        for c, k in claims:
            typing, given, alone = document, assume, False
            if (id(c), k) not in used:  # typed on its own; "alone" where not even with the definitions' shapes
                local = self._local(equations[(id(c), k)][0], equations[(id(c), k)][2], lets)
                if local is not None:
                    try:
                        typing = _Typing(self, local[0], local[1], [moving[id(c)]])
                        given, alone = typing.assumptions(), local[2]
                    except MatcalcError:
                        typing, given = document, assume
            since = c.sides[k + 1].line  # an assumption holds from where it is written on
            given = tuple(a for a, sides in zip(given, self.assumed) if sides[0].line <= since)
            j = self._claim(c, k, typing.compiler(None, moving[id(c)]), given, alone)
            written = {n.name for side in c.sides[k:k + 2] for n in L.walk(side.node) if isinstance(n, L.Name)}
            shapes = {n: typing.base.declaration(n) for n in typing.base.symbols if n in written}
            j.notes += [f"{self.latex.get(n, n)} is taken as {_shape(typing.base.symbols[n])} here, the shape its "
                        f"equations leave it (declare it to say otherwise)"
                        for n in sorted({n for n, _ in self._collapsed(shapes) - self.settled})]
            self.out.append(self._spelled(j))
        return sorted(self.out, key=lambda j: (j.line, j.display))

    def _all(self, claims, verdict: str, message: str) -> list[Judgement]:
        for c, k in claims:
            left, right = c.sides[k], c.sides[k + 1]
            self.out.append(Judgement(right.line, f"{left.text} = {right.text}", "identity", verdict, message,
                                      right.display))
        return sorted(self.out, key=lambda j: (j.line, j.display))

    def _spelled(self, j: Judgement) -> Judgement:
        """The judgement with each symbol written as the document writes it (w_{12}^{1}, not w_12__1)."""
        names = sorted((n for n in self.latex if "_" in n), key=len, reverse=True)  # (x and \mathbf{x}: as they are)
        if not names:
            return j
        pattern = re.compile(r"(?<![A-Za-z0-9_])(d?)(" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_])")

        def spell(text: str) -> str:
            return pattern.sub(lambda m: m.group(1) + self.latex[m.group(2)], text)

        j.message = spell(j.message)
        if j.counterexample:
            cx = dict(j.counterexample)
            cx["point"] = {spell(n): v for n, v in cx.get("point", {}).items() if not n.startswith("_")}
            cx["summary"] = spell(cx.get("summary", ""))
            j.counterexample = cx
        return j

    def _claim(self, c: _Chain, k: int, comp: "_Compiler", assume, alone: bool = False) -> Judgement:
        left, right = c.sides[k], c.sides[k + 1]
        kind = "derivative" if isinstance(left.node, L.Partial) else "identity"
        # (the = judged is written where the right side begins: a row or display that starts with = continues)
        j = Judgement(right.line, f"{left.text} = {right.text}", kind, "skipped", display=right.display,
                      expected="refuted" in _directive(self.rows_of[right.display], "expect"))
        comp.notes = j.notes
        unread = sorted({n.name for side in (left, right) for n in L.walk(side.node)
                         if isinstance(n, L.Name) and n.name in self.unread and n.name not in self.definitions})
        if unread:
            j.message = "; ".join(f"{self.latex.get(n, n)}'s definition at line {self.unread[n]} is not used (see there)"
                                  for n in unread)
            return j
        sides = []
        for which, side in (("left", left), ("right", right)):
            try:
                sides.append(comp.expr(side))
            except ShapeError as e:  # well formed, but its shapes do not fit: wrong as written, unless typed apart
                # (or unless a \mathbf{1} or I whose size no typing found is in the way)
                j.verdict = "skipped" if alone or _UNSIZED.search(e.message) else "refuted"
                j.message = f"the {which} side cannot be computed with the document's shapes: {e.message}"
                return j
            except MatcalcError as e:
                j.message = e.message
                return j
        lhs, rhs = (zero(b.shape) if is_literal_zero(a) and not b.shape.is_scalar else a for a, b in (sides, sides[::-1]))
        if lhs.shape != rhs.shape:
            j.verdict = "refuted"
            j.message = (f"the left side is {_shape(lhs.shape)} but the right side is {_shape(rhs.shape)}: "
                         f"they cannot be equal")
            return j
        written = lhs.body if isinstance(lhs, Let) and isinstance(lhs.body, Partial) else lhs  # ∂u/∂v itself
        x = _variable(written, rhs, comp.moving, comp.scope)
        try:
            verdict = check_all(lhs, x, [rhs], comp.scope, assume, seed=self.seed, time_limit=TIME_LIMIT,
                                measure=Value())[0]
        except MatcalcError as e:
            if alone:  # typed apart from the document (a letter reused with another shape): not an error of it
                j.message = (f"it does not type-check with the shapes the rest of the document gives its symbols, "
                             f"and typed on its own it could not be checked ({e.message})")
            else:
                j.verdict, j.message = "error", e.message
            return j
        j.verdict, j.message, j.counterexample = verdict.status, verdict.message, verdict.counterexample
        if verdict.status == "refuted" and isinstance(written, Partial):
            j.right = _derived(written, comp.scope, self.seed + 1)
        return j


def _derived(p: Partial, scope: Scope, seed: int) -> str | None:
    """∂u/∂v derived by the engine, in LaTeX, when the checker confirms it at ``seed`` (else None)."""
    from ..engine.derivation import derive
    from ..printers.notation import LATEX

    try:
        g = derive(p.body, p.x, scope=scope).gradient
        held = check_all(p, p.x, [g], scope, seed=seed, time_limit=TIME_LIMIT, measure=Value())[0]
    except MatcalcError:
        return None
    return LATEX.show(g) if held.status == "holds" else None


def is_literal_zero(e) -> bool:
    """A side written 0 (or \\mathbf{0}): the zero of the other side's shape."""
    return isinstance(e, Num) and e.value == 0


def _shape(s: Shape) -> str:
    return "a scalar" if s.is_scalar else f"a column ({s.rows}×1)" if s.cols == 1 else str(s)


def _variable(lhs, rhs, moving, scope: Scope) -> Sym:
    """The symbol the plan's sizes and points are laid out by: a partial's variable, a moving
    symbol, any symbol, or a scalar of its own for an equation of constants."""
    if isinstance(lhs, Partial):
        return lhs.x
    for x in moving:
        if x in scope.symbols:
            return scope.symbol(x)
    return next((n for n in distinct_nodes(lhs, rhs) if isinstance(n, Sym) and not n.integer),
                Sym("_point", Shape(1, 1)))


class _Typing:
    """One typing of the document: every symbol's shape (and each moving symbol's direction dX), the
    sizes of its unsized 1s and Is, and the compilers of its sides, one per held name and moving set."""

    def __init__(self, doc: _Document, symbols: dict[str, str], dims: dict[str, str], movings):
        symbols = {n: s for n, s in symbols.items() if not n.startswith(PLACE)}
        for names in movings:
            for x in names:
                if x in symbols:
                    symbols.setdefault("d" + x, symbols[x])
        self.doc, self.dims, self.base = doc, dims, make_scope(symbols)
        self.compilers: dict = {}

    def compiler(self, held: str | None, moving: tuple[str, ...], shape: Shape | None = None) -> "_Compiler":
        key = (held, moving)
        if key not in self.compilers:
            self.compilers[key] = _Compiler(self, held, moving, shape)
            self.compilers[key].define()  # (registered first: a definition may write ∂/∂held itself)
        return self.compilers[key]

    def assumptions(self) -> tuple:
        c = self.compiler(None, ())
        return tuple(parse_assumption(" = ".join(c.text(s) for s in a), c.scope) for a in self.doc.assumed)


class _Compiler:
    """Sides of the document as typed expressions: the definitions are lets, except ``held`` (a
    defined name held as an independent symbol, for ∂u/∂held), and each written derivative is a let
    of its own standing for an expr.Partial or expr.Change; ``moving`` are the symbols a written
    differential moves."""

    def __init__(self, typing: _Typing, held: str | None, moving: tuple[str, ...], shape: Shape | None):
        self.doc, self.typing, self.held, self.moving = typing.doc, typing, held, moving
        base = typing.base
        self.notes: list[str] = []
        self.scope = Scope(symbols=dict(base.symbols), symmetric=set(base.symmetric), integer=set(base.integer))
        if held is not None:
            self.scope.symbols[held] = shape
        self.count = 0
        self.tag = ""

    def define(self) -> None:
        """The document's definitions as this scope's lets."""
        doc, held = self.doc, self.held
        pending = {n: side for n, side in doc.definitions.items() if n != held and n not in self.scope.symbols}
        while pending:  # each definition once those it uses are read (in any order in the document)
            read = {}
            for name, side in pending.items():
                try:
                    read[name] = self.expr(side)
                except MatcalcError:
                    continue
                self.scope.lets[name] = read[name]
            if not read:
                break  # what is left does not read (or is circular): its names are undeclared where used
            pending = {n: s for n, s in pending.items() if n not in read}

    def text(self, side: _Side) -> str:
        """A side in the language, each written derivative a let of this scope."""
        self.tag = side.tag
        return self._text(side.node)

    def _text(self, node) -> str:
        return to_language(node, self._hook, dims=self.typing.dims, tag=self.tag)

    def expr(self, side: _Side):
        return parse(self.text(side), self.scope)

    def _node(self, node):
        """A part of the side being read (the body of a partial, the argument of a differential)."""
        return parse(self._text(node), self.scope)

    def _let(self, e) -> str:
        self.count += 1
        key = f"{PLACE}{self.count}"
        self.scope.lets[key] = e
        return key

    def _hook(self, n):
        if isinstance(n, L.Partial):
            return self._let(self._partial(n))
        if isinstance(n, L.Differential):
            return self._differential(n)
        return None

    def _partial(self, n):
        v = n.v.name
        if v in self.scope.lets:
            shape = self.scope.lets[v].shape
        elif v in self.scope.symbols:
            shape = self.scope.symbols[v]
        else:
            raise MatcalcError(f"∂/∂{n.v.latex}: {n.v.latex} is not a symbol of the document")
        inner = self.typing.compiler(v if v in self.doc.definitions else None, self.moving, shape)
        inner.notes, inner.tag = self.notes, self.tag
        body = inner._node(n.u)
        if isinstance(n.u, L.Name) and n.u.name != v and n.u.name not in self.doc.definitions:
            self._undefined(n.u, "its derivatives are 0")
        if not body.shape.is_scalar:
            raise MatcalcError(f"∂u/∂v of a non-scalar u ({n.u.latex if isinstance(n.u, L.Name) else 'u'} is "
                               f"{body.shape}) is not read: only derivatives of scalars")
        x = self.scope.symbol(v) if v in self.scope.symbols else Sym(v, shape)  # (symmetric as declared)
        return Partial(body, x, self._node(n.v))

    def _undefined(self, u: L.Name, so: str) -> None:
        note = f"{u.latex} is not defined in the document (nor does it vary here), so {so}"
        near = difflib.get_close_matches(u.name, list(self.doc.definitions), n=1, cutoff=0.6)
        if near:
            note += f" (the document defines {self.doc.latex.get(near[0], near[0])})"
        if note not in self.notes:
            self.notes.append(note)

    def _differential(self, n) -> str:
        if not self.moving:
            raise MatcalcError("nothing varies here: no differential of a symbol (dX) is written in this display; "
                               "say which symbol varies with % matcalc: wrt X")
        if isinstance(n.arg, L.Name) and n.arg.name in self.moving:
            return "d" + n.arg.name
        if isinstance(n.arg, L.Name) and n.arg.name not in self.doc.definitions:
            self._undefined(n.arg, f"d{n.arg.latex} is 0")
        e = self._node(n.arg)
        changes = [Change(e, self.scope.symbol(x), self.scope.symbol("d" + x)) for x in self.moving
                   if x in self.scope.symbols and x != self.held]
        if not changes:
            raise MatcalcError("nothing varies here")
        return self._let(changes[0] if len(changes) == 1 else Add(tuple(changes)))
