"""Inferred shapes: the declarations of the symbols a request uses without declaring them.

Every text of the request (its [let] bodies, assumptions, f and claimed value) is parsed once with
the language's grammar by a builder of its own that gives each name a shape of two dimension
variables and records each operation's shape law as constraints; the constraints are solved by
union-find over the dimension variables. Where unification leaves a choice, the defaults decide:
a single lowercase Latin letter (``x``, ``w2``, ``b_1``) is a column, a lowercase Greek name or a
name used as an exponent a scalar (an exponent name an ``integer``, the only scalar an exponent may
be), anything else keeps its own dimensions. An operand of ``*`` counts as a scalar, and an operand
of ``+ - .* ./`` as broadcast, only when it is 1×1 by its declaration, its default or every typing:
otherwise its dimensions are unified with the other operand's. A built-in's shape law is read off
its record's ``shape`` function (probed on a general, a square and a column argument), so each
operator's law stays in one place.

Declarations win: a declared symbol is never re-declared, and what is inferred is then typed by the
ordinary parser. An inconsistency is a one-line ShapeError naming the symbol and both shapes.

A caller may give a name's default itself (``hints``: the LaTeX reader's, from how a name is written),
and a dimension whose name starts with ``_`` inside ``ones(...)`` or ``eye(...)`` is a variable to solve
(the LaTeX reader's \\mathbf{1} of a size to infer), its solution returned in ``dims_out``.
"""
from __future__ import annotations

import re
import threading
from fractions import Fraction
from pathlib import Path

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import LarkError, UnexpectedInput

from . import ops
from .axes import AXIS_FUNCTIONS, axis_of
from .declarations import assumption_sides
from .errors import MatcalcError, ShapeError
from .expr import Sym
from .language import GREEK, GREEK_LETTERS
from .parser import literal
from .shapes import DimProduct, Shape, dim_mul

_LATIN_LOWER = re.compile(r"[a-z][0-9]*(?:_[0-9]+)*\Z")
_SUFFIX = re.compile(r"[0-9_]*\Z")
#: Fresh dimensions are named from here, in order, skipping names in use.
_POOL = ("m", "n", "p", "q", "k", "r", "s", "t", "l", "d", "N", "M", "P", "Q", "K", "R", "T", "D")


def default_of(name: str) -> str:
    """What a name's spelling says it is: "column", "scalar" (lowercase Greek) or "" (no default)."""
    if _LATIN_LOWER.match(name):
        return "column"
    stem = _SUFFIX.sub("", name) or name
    stem = GREEK_LETTERS.get(stem, stem)
    if stem in GREEK and stem[0].islower():
        return "scalar"
    return ""


class _Term:
    """A subexpression's shape as two dimension variables; ``names``: the symbols it mentions
    (kept for an exponent, whose symbols are integers), ``pos``: where it starts, if known."""

    __slots__ = ("rows", "cols", "kids", "symbol", "pos")

    def __init__(self, rows: int, cols: int, kids=(), symbol: str | None = None, pos=None):
        self.rows, self.cols, self.kids, self.symbol, self.pos = rows, cols, kids, symbol, pos

    def symbols(self):
        stack, out = [self], []
        while stack:
            t = stack.pop()
            if t.symbol is not None:
                out.append(t.symbol)
            stack.extend(t.kids)
        return out


class _Exp:
    """An exponent: a literal ``value``, or an expression ``term``."""

    def __init__(self, value: Fraction | None = None, term: _Term | None = None):
        self.value, self.term = value, term


class Solver:
    """Union-find over dimension variables, each class free or bound to a value (1, a fixed size,
    a dimension's name, a product); undoable, so a choice can be tried and taken back."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.rank: list[int] = []
        self.value: list[object] = []
        self.by_value: dict[object, int] = {}
        self.trail: list[tuple[int, int, int, object]] = []  # (child, its old parent, root, root's old value, rank)

    def fresh(self) -> int:
        self.parent.append(len(self.parent))
        self.rank.append(0)
        self.value.append(None)
        return len(self.parent) - 1

    def const(self, v) -> int:
        if v not in self.by_value:
            var = self.fresh()
            self.value[var] = v
            self.by_value[v] = var
        return self.by_value[v]

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            a = self.parent[a]
        return a

    def val(self, a: int):
        return self.value[self.find(a)]

    def unify(self, a: int, b: int) -> bool:
        """a = b; False (and nothing changed) when they are bound to different values."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        va, vb = self.value[ra], self.value[rb]
        if va is not None and vb is not None:
            return False
        if self.rank[ra] < self.rank[rb]:
            ra, rb = rb, ra  # union by rank (no path compression: a union can be undone)
        self.trail.append((rb, ra, self.value[ra], self.rank[ra]))
        self.parent[rb] = ra
        if self.value[ra] is None:
            self.value[ra] = self.value[rb]
        if self.rank[ra] == self.rank[rb]:
            self.rank[ra] += 1
        return True

    def mark(self) -> int:
        return len(self.trail)

    def undo(self, mark: int) -> None:
        while len(self.trail) > mark:
            child, root, value, rank = self.trail.pop()
            self.parent[child], self.value[root], self.rank[root] = child, value, rank


class _Conflict(Exception):
    def __init__(self, a: int, b: int, pos):
        self.a, self.b, self.pos = a, b, pos


def _pos(tok):
    line = getattr(tok, "line", None)
    return (line, tok.column) if line is not None else None


class _Builder(Transformer):
    """The grammar's rules over shape terms (a rule it does not know is an unconstrained term)."""

    def __init__(self, inference: "Inference"):
        super().__init__()
        self.i = inference

    def _term(self, c) -> _Term:
        return c if isinstance(c, _Term) else self.i.free(kids=tuple(_subterms(c)))

    def number(self, c):
        return self.i.scalar()

    def rational(self, c):
        return self.i.scalar()

    def name(self, c):
        return self.i.name(str(c[0]), _pos(c[0]))

    def call(self, c):
        tok, rest = c[0], list(c[1:])
        axis = None
        at = next((k for k, a in enumerate(rest) if isinstance(a, Token) and a.type == "AXIS"), None)
        if at is not None:  # sum(X, axis=0): the reduction's own law
            axis = axis_of("".join(str(a) for a in rest[at + 1:]))  # the tokens after axis=: -, 1
            rest = rest[:at]
        args = [self._term(a) for a in rest]
        if str(tok) in AXIS_FUNCTIONS and str(tok) not in self.i.functions and args:
            return self.i.reduction(str(tok), args[0], axis, at is not None)
        return self.i.call(str(tok), args, 0, _pos(tok))

    def norm(self, c):  # ||x||
        return _Term(self.i.one, self.i.one, (self._term(c[1]),))

    def derivative(self, c):
        tok, arg = c[0], self._term(c[1])
        text = str(tok)
        fn = text.rstrip("'")
        return self.i.call(fn, [arg], len(text) - len(fn), _pos(tok))

    def dimfactor(self, c):
        tok = c[0]
        if tok.type == "NAME":
            return str(tok)
        try:
            return int(str(tok))
        except ValueError:
            return None

    def dim(self, c):
        acc = c[0]
        for factor in c[2::2]:
            acc = None if acc is None or factor is None else dim_mul(acc, factor)
        return acc

    def eye(self, c):
        d = self.i.dim(c[1])
        return _Term(d, d)

    def ones(self, c):
        return _Term(self.i.dim(c[1]), self.i.dim(c[2]) if len(c) > 2 else self.i.one)

    def commutation(self, c):
        return self.i.free()

    def frechet(self, c):
        at, direction = self._term(c[2]), self._term(c[3])
        self.i.hard([(at.rows, at.cols), (at.rows, direction.rows), (at.cols, direction.cols)], _pos(c[0]))
        return _Term(at.rows, at.cols, (at, direction))

    def exponent(self, c):
        last = c[-1] if isinstance(c[-1], Token) else c[-2]
        if isinstance(last, Token) and last.type == "NAME":
            term = self.i.name(str(last), _pos(last))
            self.i.exponent_names.add(str(last))
            return _Exp(term=term)
        if isinstance(last, Token) and last.type == "LPAR":
            term = self._term(c[-1])
            self.i.exponent_names.update(term.symbols())
            return _Exp(term=term)
        text = str(last).strip("() \t\r\n")
        try:
            p, _, q = text.partition("/")
            return _Exp(value=literal(last, p) / literal(last, q or "1"))
        except (ValueError, ZeroDivisionError, MatcalcError):  # the typed parse reports it
            return _Exp(value=Fraction(1))

    def neg(self, c):
        return self._term(c[1])

    def transpose(self, c):
        a = self._term(c[0])
        return _Term(a.cols, a.rows, (a,))

    def power(self, c):
        acc = self._term(c[0])
        for op, k in zip(c[1::2], c[2::2]):
            if not isinstance(k, _Exp):
                k = _Exp(term=self._term(k))
            if k.term is not None:
                self.i.hard([(k.term.rows, self.i.one), (k.term.cols, self.i.one)], _pos(op))
            if op.type == "CARET":
                if k.value is not None and k.value.denominator != 1:
                    self.i.hard([(acc.rows, self.i.one), (acc.cols, self.i.one)], _pos(op))
                else:
                    self.i.hard([(acc.rows, acc.cols)], _pos(op))
            acc = _Term(acc.rows, acc.cols, (acc,) + ((k.term,) if k.term else ()))
        return acc

    def product(self, c):
        acc = self._term(c[0])
        for op, rhs in zip(c[1::2], c[2::2]):
            rhs = self._term(rhs)
            if op.type == "SLASH":
                self.i.hard([(rhs.rows, self.i.one), (rhs.cols, self.i.one)], _pos(op))
                acc = _Term(acc.rows, acc.cols, (acc, rhs))
            else:
                acc = self.i.pending("matmul" if op.type == "STAR" else "entrywise", acc, rhs, _pos(op))
        return acc

    def sum(self, c):
        acc = self._term(c[0])
        for op, t in zip(c[1::2], c[2::2]):
            acc = self.i.pending("entrywise", acc, self._term(t), _pos(op))
        return acc

    def __default__(self, data, children, meta):
        return Tree(data, children, meta)


def _subterms(c):
    """The shape terms inside an unknown rule's subtree."""
    stack, out = [c], []
    while stack:
        x = stack.pop()
        if isinstance(x, _Term):
            out.append(x)
        elif isinstance(x, Tree):
            stack.extend(x.children)
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
    return out


class Inference:
    """One request's symbols, constraints and solution."""

    def __init__(self, declared: dict[str, Shape], functions: dict[str, str], lets: set[str],
                 hints: dict[str, str] | None = None):
        self.s = Solver()
        self.hints = hints or {}
        self.unknown_dims: dict[str, int] = {}  # ones(_1): a dimension to solve
        self.one = self.s.const(1)
        self.declared, self.functions = declared, functions
        self.lets: dict[str, _Term] = {}
        self.let_names = lets
        self.symbols: dict[str, _Term] = {}  # every symbol used, in order of first use
        self.exponent_names: set[str] = set()
        self.pendings: list[tuple] = []
        self.dims_in_use = {n for shape in declared.values() for d in (shape.rows, shape.cols)
                            for n in (d.names if isinstance(d, DimProduct) else (d,) if isinstance(d, str) else ())}

    # -- terms
    def free(self, kids=()) -> _Term:
        return _Term(self.s.fresh(), self.s.fresh(), kids)

    def scalar(self) -> _Term:
        return _Term(self.one, self.one)

    def dim(self, d) -> int:
        if d is None:
            return self.s.fresh()
        if isinstance(d, str) and d.startswith("_"):
            return self.unknown_dims.setdefault(d, self.s.fresh())
        if isinstance(d, str):
            self.dims_in_use.add(d)
        elif isinstance(d, DimProduct):
            self.dims_in_use.update(d.names)
        return self.s.const(d)

    def name(self, n: str, pos) -> _Term:
        if n in self.lets:
            return self.lets[n]
        if n in self.let_names:  # a let not yet read: unconstrained here
            return self.free()
        if n in self.dims_in_use and n not in self.declared:
            return self.scalar()  # a dimension used as a number
        if n in ops.SPELLINGS or n in self.functions:
            return self.free()  # not a symbol: the typed parse says what it is
        if n not in self.symbols:
            if n in self.declared:
                shape = self.declared[n]
                t = _Term(self.dim(shape.rows), self.dim(shape.cols), symbol=n, pos=pos)
            else:
                t = _Term(self.s.fresh(), self.s.fresh(), symbol=n, pos=pos)
            self.symbols[n] = t
        t = self.symbols[n]
        return _Term(t.rows, t.cols, symbol=n, pos=pos)

    def call(self, fn: str, args: list[_Term], order: int, pos) -> _Term:
        op = ops.SPELLINGS.get(fn)
        kind = self.functions.get(fn)
        a = args[0] if args else self.free()
        if kind == "elementwise" or (op is not None and op.kind == ops.ENTRYWISE):
            return _Term(a.rows, a.cols, tuple(args))
        if kind == "scalar":
            return _Term(a.rows, a.cols, tuple(args)) if order else _Term(self.one, self.one, tuple(args))
        if op is None or op.kind != ops.CALL or len(args) != 1:
            return self.free(tuple(args))
        need, rows, cols = law(op)
        if need == "square":
            self.hard([(a.rows, a.cols)], pos)
        elif need == "column":
            self.hard([(a.cols, self.one)], pos)
        elif need == "scalar":
            self.hard([(a.rows, self.one), (a.cols, self.one)], pos)
        pick = {"rows": a.rows, "cols": a.cols, 1: self.one}
        return _Term(pick[rows] if rows in pick else self.s.fresh(), pick[cols] if cols in pick else self.s.fresh(),
                     tuple(args))

    def reduction(self, fn: str, a: _Term, axis: int | None, has_axis: bool) -> _Term:
        """sum, mean, var, logsumexp of all entries (1×1), of each column (axis 0: 1×n) or each row
        (axis 1: m×1); softmax keeps its argument's shape (without an axis, of a column)."""
        if fn == "softmax":
            if not has_axis:
                self.hard([(a.cols, self.one)], None)
            return _Term(a.rows, a.cols, (a,))
        if not has_axis:
            return _Term(self.one, self.one, (a,))
        if axis is None:  # a wrong axis: the typed parse reports it
            return self.free((a,))
        return _Term(self.one, a.cols, (a,)) if axis == 0 else _Term(a.rows, self.one, (a,))

    def default(self, name: str) -> str:
        """The shape a name has where unification leaves a choice: its hint, else its spelling's."""
        return self.hints[name] if name in self.hints else default_of(name)

    # -- constraints
    def hard(self, pairs, pos) -> None:
        mark = self.s.mark()
        for a, b in pairs:
            if not self.s.unify(a, b):
                self.s.undo(mark)
                raise _Conflict(a, b, pos)

    def pending(self, kind: str, a: _Term, b: _Term, pos) -> _Term:
        r = _Term(self.s.fresh(), self.s.fresh(), (a, b))
        self.pendings.append((kind, a, b, r, pos))
        return r

    def is_scalar(self, t: _Term) -> bool:
        return self.s.val(t.rows) == 1 and self.s.val(t.cols) == 1

    def not_scalar(self, t: _Term) -> bool:
        return any(self.s.val(d) not in (None, 1) for d in (t.rows, t.cols))

    def _decide(self, p, how: str) -> None:
        kind, a, b, r, pos = p
        if how == "a scalar":
            self.hard([(r.rows, b.rows), (r.cols, b.cols)], pos)
        elif how == "b scalar":
            self.hard([(r.rows, a.rows), (r.cols, a.cols)], pos)
        elif kind == "matmul":
            self.hard([(a.cols, b.rows), (r.rows, a.rows), (r.cols, b.cols)], pos)
        else:  # entrywise, NumPy's broadcasting: a dimension known to be 1 is repeated, never one set to 1
            for x, y, z in ((a.rows, b.rows, r.rows), (a.cols, b.cols, r.cols)):
                vx, vy = self.s.val(x), self.s.val(y)
                if vx == 1 and vy != 1:
                    self.hard([(z, y)], pos)
                elif vy == 1 and vx != 1:
                    self.hard([(z, x)], pos)
                else:
                    self.hard([(x, y), (z, x)], pos)

    def propagate(self) -> None:
        """Decide every pending operation whose operands' shapes already say how."""
        progress = True
        while progress:
            progress, left = False, []
            for p in self.pendings:
                how = self._known(p)
                if how is None:
                    left.append(p)
                else:
                    self._decide(p, how)
                    progress = True
            self.pendings = left

    def _known(self, p) -> str | None:
        _, a, b, _, _ = p
        return ("a scalar" if self.is_scalar(a) else "b scalar" if self.is_scalar(b)
                else "unify" if self.not_scalar(a) and self.not_scalar(b) else None)

    def choose(self, p) -> None:
        """Decide a pending operation by unification (never by making an operand a scalar), unless
        that contradicts what is known: then an operand that may be 1×1 is one."""
        try:
            self._decide(p, "unify")
            return
        except _Conflict as first:
            for how, t in (("b scalar", p[2]), ("a scalar", p[1])):
                if all(self.s.val(d) in (None, 1) for d in (t.rows, t.cols)):
                    mark = self.s.mark()
                    try:
                        self.hard([(t.rows, self.one), (t.cols, self.one)], p[4])
                        self._decide(p, how)
                        return
                    except _Conflict:
                        self.s.undo(mark)
            raise first

    def solve(self) -> None:
        for n, t in self.symbols.items():
            if n not in self.declared and (self.default(n) == "scalar" or n in self.exponent_names):
                self.hard([(t.rows, self.one), (t.cols, self.one)], t.pos)
        self.propagate()
        by_class: dict[int, list[_Term]] = {}
        for n, t in self.symbols.items():
            if not (n in self.declared or self.default(n) == "scalar" or n in self.exponent_names):
                for d in {self.s.find(t.rows), self.s.find(t.cols)}:
                    by_class.setdefault(d, []).append(t)
        for n, t in self.symbols.items():  # (a hinted column squared is a scalar: x^2 in LaTeX is x²)
            if (n not in self.declared and self.default(n) == "column" and self.s.val(t.cols) is None
                    and not self._makes_scalar(t.cols, by_class, t if n in self.hints else None)):
                self.hard([(t.cols, self.one)], t.pos)
        self.propagate()
        pendings, self.pendings = self.pendings, []
        for p in pendings:  # inner operations first: each is decided knowing its operands
            how = self._known(p)
            if how is None:
                self.choose(p)
            else:
                self._decide(p, how)

    def _makes_scalar(self, var: int, by_class: dict[int, list[_Term]], but: _Term | None = None) -> bool:
        """Binding var to 1 would make a symbol 1×1 that no default makes one (``by_class``: the symbols
        without such a default by the classes of their dimensions, before any default was applied),
        other than ``but``."""
        root = self.s.find(var)
        return any(all(self.s.find(d) == root or self.s.val(d) == 1 for d in (t.rows, t.cols))
                   for t in by_class.get(root, ()) if t is not but)

    # -- results
    def names(self) -> dict[int, object]:
        """A readable name for every free dimension of an inferred symbol (and fixed values as they are)."""
        taken = set(self.dims_in_use) | set(self.symbols) | set(self.let_names) | set(self.functions)

        def free(t: _Term) -> set[int]:
            return {r for r in (self.s.find(t.rows), self.s.find(t.cols)) if self.s.value[r] is None}

        # matrices with two free dimensions first (W: m×n, then x: n); a vector or square matrix alone is n
        order = sorted(self.symbols.values(), key=lambda t: len(free(t)) < 2)
        first = _POOL if order and len(free(order[0])) == 2 else ("n", "m") + _POOL[2:]
        pool = (n for n in first + tuple(f"n{i}" for i in range(1, 10_000)) if n not in taken)
        out: dict[int, object] = {}
        for t in order:
            for d in (t.rows, t.cols):
                root = self.s.find(d)
                if root not in out:
                    v = self.s.value[root]
                    out[root] = next(pool) if v is None or isinstance(v, DimProduct) else v
        for d in self.unknown_dims.values():  # a dimension to solve that no symbol has: named too
            root = self.s.find(d)
            if root not in out:
                v = self.s.value[root]
                out[root] = next(pool) if v is None else v
        return out

    def solved_dims(self, names: dict[int, object]) -> dict[str, str]:
        """Each dimension to solve (ones(_1)) as the dimension it is: a name, a number, a product m·n."""
        return {d: str(names[self.s.find(v)] if self.s.val(v) is None else self.s.val(v))
                for d, v in self.unknown_dims.items()}

    def shape_of(self, t: _Term, names: dict[int, object]) -> Shape:
        return Shape(*(names.get(self.s.find(d), "?") for d in (t.rows, t.cols)))

    def declarations(self) -> dict[str, str]:
        names = self.names()
        out = {}
        for n, t in self.symbols.items():
            if n in self.declared:
                continue
            shape = self.shape_of(t, names)
            out[n] = "integer" if n in self.exponent_names and shape.is_scalar else shape.declaration()
        return out

    def conflict(self, c: _Conflict) -> ShapeError:
        """The symbol whose shape the two sides disagree on (an inferred one first), and both shapes."""
        names = self.names()
        ra, rb = self.s.find(c.a), self.s.find(c.b)
        candidates = [(n, t, root, other) for declared in (False, True) for root, other in ((ra, rb), (rb, ra))
                      for n, t in self.symbols.items() if (n in self.declared) == declared]
        for n, t, root, other in candidates:
            dims = [self.s.find(t.rows), self.s.find(t.cols)]
            if root in dims:
                was = Shape(*(names.get(d, "?") for d in dims))
                v = self.s.value[other]
                instead = names.get(other, v if v is not None else "?")
                demanded = Shape(*(instead if d == root else names.get(d, "?") for d in dims))
                return ShapeError(f"{n} is used as {was} and as {demanded}", pos=c.pos)
        return ShapeError("the shapes of this expression are inconsistent", pos=c.pos)


def _text(shape: Shape) -> str:
    return str(shape)


_LAWS: dict[str, tuple] = {}


def law(op) -> tuple:
    """A built-in's shape law, read off its record's ``shape`` function: what it needs of its argument
    ("any", "square", "column", "scalar") and its result's rows and columns ("rows", "cols", 1 or None
    for a dimension of its own, such as vec's product)."""
    if op.name not in _LAWS:
        found = ("any", None, None)
        for need, shape in (("any", Shape("ρ", "κ")), ("square", Shape("ρ", "ρ")), ("column", Shape("ρ", 1)),
                            ("scalar", Shape(1, 1))):
            try:
                result = op.shape(Sym("·", shape))
            except (ShapeError, MatcalcError):
                continue
            where = {"ρ": "rows", "κ": "cols", 1: 1}
            found = (need, where.get(result.rows), where.get(result.cols))
            break
        _LAWS[op.name] = found
    return _LAWS[op.name]


_LOCK = threading.Lock()
_PARSER: Lark | None = None
_BUILDER: _Builder | None = None


def _parse(text: str, inference: Inference) -> _Term | None:
    """text's shape term (None when it does not parse: the typed parse reports that)."""
    global _PARSER, _BUILDER
    with _LOCK:
        if _PARSER is None:
            grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
            _BUILDER = _Builder(None)
            _PARSER = Lark(grammar, parser="lalr", transformer=_BUILDER, maybe_placeholders=False)
        _BUILDER.i = inference
        try:
            out = _PARSER.parse(text)
        except _Conflict:
            raise
        except (UnexpectedInput, MatcalcError):
            return None
        except LarkError as e:
            inner = getattr(e, "orig_exc", None)
            if isinstance(inner, _Conflict):
                raise inner from None
            return None
    return out if isinstance(out, _Term) else None


def unknown_names(texts, known) -> bool:
    """Some text names something not in ``known`` (a cheap test before inferring anything)."""
    from .language import NAME

    pattern = re.compile(NAME)
    return any(n not in known and n not in ops.SPELLINGS for t in texts if isinstance(t, str) for n in pattern.findall(t))


def infer(declared: dict[str, Shape], functions: dict[str, str], lets: dict[str, str], texts: list[tuple[str, str]],
          wrt: str | None = None, *, field: str = "f", hints: dict[str, str] | None = None,
          dims_out: dict[str, str] | None = None) -> dict[str, str]:
    """The declarations ("matrix(m, n)", "vector(n)", "scalar", "integer") of every symbol the texts use
    without declaring; ``texts`` are (field, text) pairs: "let.NAME", "assume", "f", "gradient", ...;
    the gradient has the shape of ``wrt``; an "equal…" text "L = R" (a document's equation) gives both
    sides one shape. A conflict is a ShapeError at its field and place (``field``: one found only when
    solving them all). ``hints``: a name's default ("column", "scalar" or "", a matrix) instead of its
    spelling's; ``dims_out`` receives each ``_`` dimension's solution."""
    from .prooffile import _let_order

    inference = Inference(declared, functions, set(lets), hints)
    order = [n for n in _let_order({k: v for k, v in lets.items() if isinstance(v, str)})]
    items = [(f"let.{n}", lets[n], n) for n in order] + [(k, t, None) for k, t in texts]
    for key, text, let_name in items:
        if not isinstance(text, str):
            continue
        sides = key == "assume" or key.startswith("equal")
        parts = (assumption_sides(text) or [text]) if sides else [text]
        try:
            terms = [_parse(p, inference) for p in parts]
            if key == "assume" and len(terms) == 2 and None not in terms:
                inference.pendings.append(("entrywise", terms[0], terms[1], inference.free(), None))
            if key.startswith("equal") and len(terms) == 2 and None not in terms:  # an equation's sides: one shape
                inference.hard([(terms[0].rows, terms[1].rows), (terms[0].cols, terms[1].cols)], None)
            if key == "gradient" and terms[0] is not None and wrt in inference.symbols:
                x = inference.symbols[wrt]
                inference.hard([(terms[0].rows, x.rows), (terms[0].cols, x.cols)], None)
        except _Conflict as c:
            raise _located(inference.conflict(c), key) from None
        if let_name is not None and terms[0] is not None:
            inference.lets[let_name] = terms[0]
    try:
        inference.solve()
    except _Conflict as c:
        raise _located(inference.conflict(c), field) from None
    if dims_out is not None:
        dims_out.update(inference.solved_dims(inference.names()))
    return inference.declarations()


def _located(e: ShapeError, key: str) -> ShapeError:
    e.field = key.split(".")[0]
    return e.at(key)


def shape_text(declaration: Shape, kind: str = "") -> str:
    """A shape as "assuming ..." prints it: m×n, n (a column), scalar, integer."""
    if kind == "integer":
        return "integer"
    if declaration.is_scalar:
        return "scalar"
    if declaration.cols == 1:
        return str(declaration.rows)
    return str(declaration)
