"""The SymPy bridge: SymPy matrix expressions to matcalc's tree and back, by one table per direction.

Each table maps a class to the one translation of that class; a class missing from the
table is a MatcalcError naming it, never a guess. SymPy is imported only here, and only when
a SymPy object is met; its calculus (``MatrixExpr.diff``) is never used, only its expressions.
A 1×1 matrix is a scalar in matcalc; in SymPy it becomes a scalar (``Trace`` of it) where
SymPy needs one. An element-wise function is ``ElementwiseApplyFunction(Lambda(t, body), A)``:
read, body(A) with every operation entrywise; written, a built-in's formula, or
``Derivative(g(t), (t, k))`` for the k-th derivative of a declared g (an undefined Function).
"""
from __future__ import annotations

import operator
import sys
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, reduce

from . import ops
from .errors import MatcalcError, ShapeError
from .language import show
from .expr import (
    Add, Binary, Call, DimValue, Div, EDiv, Entrywise, EPower, Expr, Eye, Hadamard, Let, MatPower,
    MatMul, Neg, Num, Ones, Power, Sym, SymbolicPower, Transpose, distinct_nodes, walk,
)
from .shapes import SCALAR, DimProduct, Shape, dim_mul, dim_names

#: The name a Lambda's variable takes while its body is read: one no SymPy user's symbol has.
HOLE = "·λ"


def is_sympy(obj: object) -> bool:
    """obj is a SymPy expression (False without importing SymPy when it was never imported)."""
    sp = sys.modules.get("sympy")
    return sp is not None and isinstance(obj, sp.Basic)


def _sympy():
    import sympy

    return sympy


def _unsupported(e, reason: str = "") -> MatcalcError:
    """The one error for what the bridge does not translate: it names the SymPy class."""
    return MatcalcError(f"cannot translate SymPy's {type(e).__name__} ({e})" + (f": {reason}" if reason else " into matcalc"))


def _fraction(k, e) -> Fraction:
    """A SymPy rational number as a Fraction; anything else (a Float, a symbol) is an error."""
    if not getattr(k, "is_Rational", False):
        raise _unsupported(e, f"{k} ({type(k).__name__}) is not a rational number (write sympy.Rational(1, 2), not 0.5)")
    return Fraction(int(k.p), int(k.q))


def _number(k: Fraction) -> Expr:
    return Neg(Num(-k)) if k < 0 else Num(k)


# ---------------------------------------------------------------- SymPy -> matcalc


@dataclass
class Translation:
    """A SymPy expression in matcalc: the tree, and the declarations read off it (shapes as
    written in a proof file, functions by kind); ``objects`` keeps each name's SymPy object
    (symbols and dimensions) so that results translate back to the very same objects."""

    expr: Expr
    symbols: dict[str, str]
    functions: dict[str, str]
    objects: dict[str, object]


class _Reader:
    """Walks a SymPy tree through from_table(), collecting what each name is."""

    def __init__(self, dimensions: frozenset = frozenset()) -> None:
        self.shapes: dict[str, Shape] = {}
        self.functions: dict[str, str] = {}
        self.objects: dict[str, object] = {}
        self.dimensions = dimensions  # the Symbols that are dimensions of a matrix in the expression
        self.integers: set[str] = set()  # the names of Symbols declared integer=True (integer symbols)

    def __call__(self, e) -> Expr:
        sp = _sympy()
        if getattr(e, "is_Rational", False):
            return _number(_fraction(e, e))
        if isinstance(e, sp.core.function.AppliedUndef):
            if len(e.args) != 1:
                raise _unsupported(e, "a declared function has one argument")
            return Entrywise(self.function(e.func), self.scalar(e.args[0], e))
        rule = from_table().get(type(e))
        if rule is None:
            raise _unsupported(e)
        return rule(self, e)

    def name(self, name: str, obj, shape: Shape) -> None:
        """Record a symbol; one name, one object and one shape."""
        if self.objects.setdefault(name, obj) != obj or self.shapes.setdefault(name, shape) != shape:
            raise MatcalcError(f"the name {name} stands for two different SymPy symbols "
                               f"({self.objects[name]!r} and {obj!r})")

    def dim(self, d, e, *, product: bool = False):
        """A SymPy dimension: a positive integer, a Symbol, or (where ``product``) a product of them."""
        sp = _sympy()
        if isinstance(d, sp.Integer) and d > 0:
            return int(d)
        if type(d) is sp.Symbol:
            self.objects.setdefault(d.name, d)
            return d.name
        if product and isinstance(d, sp.Mul):
            return reduce(dim_mul, (self.dim(f, e) for f in d.args))
        if product and isinstance(d, sp.Pow) and isinstance(d.exp, sp.Integer) and d.exp > 0:
            return reduce(dim_mul, [self.dim(d.base, e)] * int(d.exp))
        raise _unsupported(e, f"its dimension {d} is not a positive integer or a symbol"
                           + (" or a product of them" if product else " (a declared one is)"))

    def function(self, f) -> str:
        """An undefined SymPy Function is a declared element-wise function."""
        name = f.__name__
        self.functions[name] = "elementwise"
        return name

    def scalar(self, a, e) -> Expr:
        """The argument of a scalar function (exp, log, tanh, ...): never a matrix."""
        if getattr(a, "is_Matrix", False):
            raise _unsupported(e, f"the matrix function (write {a}.applyfunc({type(e).__name__}) for the "
                                  "element-wise one)")
        return self(a)

    def pointwise(self, var, body, arg: Expr, e) -> Expr:
        """body(arg) entrywise: body read with var as a scalar, then arg put in var's place, each
        product of two scalars becoming ⊙ and each power .^ (constants broadcast)."""
        hole = Sym(HOLE, SCALAR)
        inner = self(body.xreplace({var: _sympy().Symbol(HOLE)}))
        self.shapes.pop(HOLE, None)
        self.objects.pop(HOLE, None)

        def lift(n: Expr) -> Expr:
            if n == hole:
                return arg
            if not any(k == hole for k in walk(n)):
                return n
            kids = [lift(k) for k in n.children]
            if isinstance(n, MatMul) and n.left.shape.is_scalar and n.right.shape.is_scalar:
                return Hadamard(*kids)
            if isinstance(n, Power):
                return EPower(kids[0], n.exponent)
            if isinstance(n, SymbolicPower):
                return SymbolicPower(kids[0], n.exponent, True)
            if isinstance(n, (Add, Neg, Entrywise)):
                return n.rebuild(*kids)
            raise _unsupported(e, f"{type(n).__name__} of the variable has no element-wise form")

        if not inner.shape.is_scalar:
            raise _unsupported(e, "an element-wise function has a scalar value")
        out = lift(inner)  # a body without var is a constant: broadcast to arg's shape
        return out if out.shape == arg.shape else MatMul(out, Ones(arg.shape.rows, arg.shape.cols))


def _fold(node):
    """A translation of an n-ary SymPy class as a left-nested binary matcalc node."""
    return lambda r, e: reduce(node, (r(a) for a in e.args))


def _mul(r: _Reader, e) -> Expr:
    """A product, with a leading -1 as a negation (matcalc's numbers are not negative)."""
    args = list(e.args)
    if args[0] == -1:
        rest = args[1:]
        return Neg(r(rest[0]) if len(rest) == 1 else reduce(MatMul, map(r, rest)))
    return reduce(MatMul, map(r, args))


def _matrix_symbol(r: _Reader, e) -> Expr:
    shape = Shape(r.dim(e.shape[0], e), r.dim(e.shape[1], e))
    r.name(e.name, e, shape)
    return Sym(e.name, shape)


def _symbol(r: _Reader, e) -> Expr:
    """A scalar symbol; a dimension used as a value (Trace(I) = n) is that size, tr(eye(n))."""
    if e in r.dimensions:
        return Call("tr", Eye(r.dim(e, e)))
    r.name(e.name, e, SCALAR)
    if e.is_integer:  # Symbol("k", integer=True): an integer symbol, which may be an exponent
        r.integers.add(e.name)
        return Sym(e.name, SCALAR, integer=True)
    return Sym(e.name, SCALAR)


def _symbolic(k) -> bool:
    """An exponent that is not a number (an integer expression in integer symbols, or refused)."""
    return not getattr(k, "is_Rational", False) and not getattr(k, "is_Number", False)


def _power_to_symbol(r: _Reader, e, base: Expr, entrywise: bool = False) -> Expr:
    """base to the power e.exp, an integer expression in Symbols declared integer=True."""
    try:
        return SymbolicPower(base, r(e.exp), entrywise)
    except ShapeError as err:
        raise _unsupported(e, f"{err.message} (an exponent is a number, or an integer expression in Symbols "
                              f"declared integer=True)") from None


def _matpow(r: _Reader, e) -> Expr:
    """A^k for an integer k, as the language's A ^ k: I, A, A ^ k, inv(A) ^ -k; A^k for an integer
    expression k in integer symbols as the same symbolic power."""
    from .parser import matrix_power

    base, k = e.args
    if _symbolic(k):
        return _power_to_symbol(r, e, r(base))
    k = _fraction(k, e)
    if k.denominator != 1:
        raise _unsupported(e, "a matrix power needs an integer exponent")
    return matrix_power(r(base), k)


def _pow(r: _Reader, e) -> Expr:
    """c^k for a rational k; c^n for a dimension n (SymPy writes det(c A) as c^n det(A)) is
    det(c I), and c^-n its inverse."""
    sp = _sympy()
    n = e.exp if type(e.exp) is sp.Symbol else -e.exp
    if n in r.dimensions:
        d = Call("det", MatMul(r.scalar(e.base, e), Eye(r.dim(n, e))))
        return d if n is e.exp else Power(d, Fraction(-1))
    if _symbolic(e.exp):
        return _power_to_symbol(r, e, r.scalar(e.base, e))
    return Power(r.scalar(e.base, e), _fraction(e.exp, e))


def _max(r: _Reader, e) -> Expr:
    """Max(a, 0) is relu(a); any other Max is not in the language."""
    if len(e.args) != 2 or 0 not in e.args:
        raise _unsupported(e, "only Max(a, 0), relu(a), is in the language")
    (a,) = [x for x in e.args if x != 0]
    return Entrywise("relu", r.scalar(a, e))


def _log(r: _Reader, e) -> Expr:
    """log(det(A)) is logdet(A); any other log is the scalar one."""
    sp = _sympy()
    (a,) = e.args
    if isinstance(a, sp.Determinant):
        return Call("logdet", r(a.arg))
    return Entrywise("log", r.scalar(a, e))


def _element(r: _Reader, e) -> Expr:
    """M[0, 0] of a 1×1 M is M itself: matcalc's scalars are 1×1 matrices."""
    if e.parent.shape != (1, 1):
        raise _unsupported(e, _FIXED_ENTRY)
    return r(e.parent)


#: Why an entry at a fixed place is not translated (SymPy writes (z.T*z)[0, 0] of a z of numeric size so).
_FIXED_ENTRY = ("matcalc has no entries of a matrix at a fixed place, only the one of a 1×1 (for a product of "
                "matrices of numeric sizes SymPy writes that entry out entry by entry: pass the 1×1 matrix "
                "expression itself, such as z.T*z, or sizes that are symbols)")


def _sum(r: _Reader, e) -> Expr:
    """A sum over indices, as SymPy writes the entry of a 1×1 product ((r.T*r)[0, 0] is
    Sum(r[i, 0]**2, (i, 0, n - 1))): the 1×1 matrix expression it is."""
    return _Indexed(r).scalar(e)


# ---------------------------------------------------------------- SymPy's index notation -> matcalc


@dataclass(frozen=True)
class _Ix:
    """An indexed value: entry [rows, cols] of the matrix ``expr``, each side a summed index (a SymPy
    Dummy) or None where that side of ``expr`` is 1 (a scalar is _Ix(expr)). rows == cols is the
    diagonal of a square ``expr`` along that index."""

    expr: Expr
    rows: object = None
    cols: object = None

    @property
    def indices(self) -> set:
        return {i for i in (self.rows, self.cols) if i is not None}

    @property
    def diagonal(self) -> bool:
        return self.rows is not None and self.rows == self.cols

    def t(self) -> "_Ix":
        """The same value with its sides swapped: the transpose, indexed [cols, rows]."""
        if not self.indices:
            return self
        return _Ix(self.expr.arg if isinstance(self.expr, Transpose) else Transpose(self.expr), self.cols, self.rows)

    def on_rows(self, k) -> "_Ix":
        """The same value with index k on its rows."""
        return self if self.rows == k else self.t()

    def on_cols(self, k) -> "_Ix":
        """The same value with index k on its columns."""
        return self if self.cols == k else self.t()

    def turns(self, k, side: str) -> int:
        """What putting index k on ``side`` ("rows", "cols") costs: 0 where it is, else a transpose, of
        a matrix (2) or of a vector (1)."""
        return 0 if getattr(self, side) == k else len(self.indices)


class _Indexed:
    """Reads an index-notation sum back into the matrix expression it is: SymPy writes the entry of
    a 1×1 matrix expression by expanding every product into a Sum over Dummy indices of products of
    entries (``(A*x - b).T*(A*x - b)`` becomes Sum((-b[i, 0] + Sum(A[i, j]*x[j, 0], j))**2, i)).

    Each entry M[i, j] is M indexed by its indices; an index summed over two factors is their matrix
    product, over one factor a sum of its entries (the trace where both of its sides are that index),
    over more the entrywise product of those on the same indices first (a column on the index is a
    diag(.) of it); factors that stay side by side are entrywise or outer products; any other
    function of an indexed value applies entrywise. What has more than two free indices at once, or
    an entry at a fixed place, is not a matrix expression: a MatcalcError naming it."""

    def __init__(self, reader: _Reader) -> None:
        self.r = reader
        self.dims: dict = {}  # each summed index in scope -> its range, a matcalc dimension

    def scalar(self, e) -> Expr:
        """A sum with no free index, as its 1×1 expression."""
        value = self.value(e)
        if value.indices:
            raise _unsupported(e, "an index of it is free")
        return value.expr

    def mentions(self, e) -> bool:
        return isinstance(e, _sympy().Sum) or any(e.has(k) for k in self.dims)

    def value(self, e) -> _Ix:
        """e as one indexed value, its factors multiplied out side by side."""
        return self.product(self.factors(e), e)

    def factors(self, e) -> list[_Ix]:
        """e as a product of indexed values (not yet multiplied out, so that a sum around it contracts them)."""
        sp = _sympy()
        from sympy.matrices.expressions.matexpr import MatrixElement

        if not self.mentions(e):  # a scalar of the ordinary language (a symbol, a number, a trace)
            return [_Ix(self.r.scalar(e, e))]
        if isinstance(e, MatrixElement):
            return [self.element(e)]
        if isinstance(e, sp.Sum):
            return self.sum(e)
        if isinstance(e, sp.Mul):
            return [f for a in e.args for f in self.factors(a)]
        if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:  # y[i]**2 is y[i]*y[i]: y' y in a sum
            return self.factors(e.base) * int(e.exp)
        if isinstance(e, sp.Add):
            return [self.added(list(e.args), e)]
        if isinstance(e, sp.KroneckerDelta) and all(k in self.dims for k in e.args[:2]):
            i, j = e.args[:2]
            return [_Ix(Eye(self.dims[i]), i, j)]
        return [self.entrywise(e)]

    def element(self, e) -> _Ix:
        """M[i, j]: M indexed by summed indices; a side of M that is 1 at its 0."""
        m = self.r(e.parent)
        sides = []
        for k, size in ((e.i, m.shape.rows), (e.j, m.shape.cols)):
            if k in self.dims:
                sides.append(k)
            elif k == 0 and size == 1:
                sides.append(None)
            else:
                raise _unsupported(e, _FIXED_ENTRY)
        return _Ix(m, *sides)

    def sum(self, e) -> list[_Ix]:
        """Sum(body, (i, 0, n - 1), ...): body's factors contracted over each index; a sum of terms is
        the sum of each term's."""
        sp = _sympy()
        limits = [tuple(lim) for lim in e.limits]
        if isinstance(e.function, sp.Add):  # Σ (a + b) = Σ a + Σ b: each term contracted on its own
            return [self.added([sp.Sum(t, *limits) for t in e.function.args], e)]
        for k, low, high in limits:
            if low != 0:
                raise _unsupported(e, f"a sum over {k} from {low}, not from 0")
            self.dims[k] = self.r.dim(high + 1, e, product=True)
        try:
            factors = self.factors(e.function)
            for k, _, _ in limits:
                factors = self.contract(factors, k, e)
        finally:
            for k, _, _ in limits:
                self.dims.pop(k, None)
        return factors

    def contract(self, factors: list[_Ix], k, e) -> list[_Ix]:
        """The factors summed over index k."""
        on = [f for f in factors if k in f.indices]
        rest = [f for f in factors if k not in f.indices]
        if not on:  # Σ_k c = n c
            return rest + [_Ix(Call("tr", Eye(self.dims[k])))]
        while len(on) > 2:
            on = self.merge(on, k, e)
        if len(on) == 1:
            f = on[0]
            if f.diagonal:
                return rest + [_Ix(Call("tr", f.expr))]
            f = f.on_rows(k)
            if f.cols is None:
                return rest + [_Ix(Call("sum", f.expr))]
            return rest + [_Ix(MatMul(Transpose(Ones(f.expr.shape.rows)), f.expr), None, f.cols)]
        a, b = (self.column(f, k) if f.diagonal else f for f in on)
        if b.turns(k, "cols") + a.turns(k, "rows") < a.turns(k, "cols") + b.turns(k, "rows"):
            a, b = b, a  # the order with the fewer transposes: y' X for Σ X[i, j] y[i], not (X' y)'
        a, b = a.on_cols(k), b.on_rows(k)
        return rest + [_Ix(MatMul(a.expr, b.expr), a.rows, b.cols)]

    @staticmethod
    def column(f: _Ix, k) -> _Ix:
        """The diagonal of a square f indexed [k, k], as a column on k."""
        return _Ix(Call("diagonal", f.expr), k, None)

    def merge(self, on: list[_Ix], k, e) -> list[_Ix]:
        """Three or more factors on index k, two of them made one: those on the same indices by their
        entrywise product, a column on k and a matrix on k by diag(column) times it, a diagonal on k
        as its column."""
        for x, a in enumerate(on):
            for y in range(x + 1, len(on)):
                joined = self.side_by_side(a, on[y])
                if joined is not None:
                    return [joined] + on[:x] + on[x + 1:y] + on[y + 1:]
        for x, a in enumerate(on):
            if a.diagonal:
                return on[:x] + [self.column(a, k)] + on[x + 1:]
        raise _unsupported(e, f"three matrices share the summed index {k}")

    def side_by_side(self, a: _Ix, b: _Ix) -> _Ix | None:
        """The product a[..] b[..] of two indexed values with no index summed, when it is one matrix
        indexed as they are (an entrywise product, an outer product, diag(column) times a matrix); else None."""
        if not a.indices or not b.indices:
            scalar, other = (a, b) if not a.indices else (b, a)
            return _Ix(_scaled(scalar.expr, other.expr), other.rows, other.cols)
        if (a.rows, a.cols) != (b.rows, b.cols):  # a diagonal beside anything else: as its column
            a, b = (self.column(a, a.rows) if a.diagonal else a), (self.column(b, b.rows) if b.diagonal else b)
        if (a.rows, a.cols) == (b.rows, b.cols) or (a.rows, a.cols) == (b.cols, b.rows):
            b = b if (a.rows, a.cols) == (b.rows, b.cols) else b.t()
            return _Ix(Hadamard(a.expr, b.expr), a.rows, a.cols)
        vectors = [f for f in (a, b) if len(f.indices) == 1]
        if len(vectors) == 2:  # a[i] b[j]: the outer product a b'
            a, b = (f.on_rows(next(iter(f.indices))) for f in (a, b))
            return _Ix(MatMul(a.expr, Transpose(b.expr)), a.rows, b.rows)
        if len(vectors) == 1:  # v[i] M[i, j] = (diag(v) M)[i, j]
            v, m = (a, b) if a in vectors else (b, a)
            (k,) = v.indices
            if k not in m.indices:
                return None
            v, m = v.on_rows(k), m.on_rows(k)
            return _Ix(MatMul(Call("diag", v.expr), m.expr), k, m.cols)
        return None

    def product(self, factors: list[_Ix], e) -> _Ix:
        """Factors multiplied out side by side (at most two free indices in the end)."""
        out = factors[0]
        for f in factors[1:]:
            joined = self.side_by_side(out, f)
            if joined is None:
                raise _unsupported(e, "a product with more than two free indices is not a matrix")
            out = joined
        return out

    def added(self, terms: list, e) -> _Ix:
        """A sum of terms on the same free indices (a term without them broadcast)."""
        values = [self.value(t) for t in terms]
        if len({(v.rows, v.cols) for v in values if v.indices}) > 1:  # a diagonal among others: as its column
            values = [self.column(v, v.rows) if v.diagonal else v for v in values]
        ref = max(values, key=lambda v: len(v.indices))
        out = []
        for v in values:
            if v.indices and {v.rows, v.cols} != {ref.rows, ref.cols}:
                raise _unsupported(e, "its terms have different free indices")
            out.append(v if not v.indices or (v.rows, v.cols) == (ref.rows, ref.cols) else v.t())
        return _Ix(Add(tuple(v.expr for v in out)), ref.rows, ref.cols)

    def entrywise(self, e) -> _Ix:
        """A function (or a power) of one indexed value: applied to every entry of its matrix."""
        sp = _sympy()
        inside = [a for a in e.args if self.mentions(a)]
        if isinstance(e, sp.Derivative) and len(e.expr.args) == 1 and set(e.variables) == {e.expr.args[0]}:
            inside = [e.expr.args[0]]  # g'(A[i, j]) is Derivative(g(A[i, j]), A[i, j]): a function of A[i, j]
        if len(inside) != 1:
            raise _unsupported(e, "a function of several indexed values")
        arg = self.value(inside[0])
        hole = sp.Dummy("t")
        return _Ix(self.r.pointwise(hole, e.xreplace({inside[0]: hole}), arg.expr, e), arg.rows, arg.cols)


def _scaled(c: Expr, m: Expr) -> Expr:
    """c times m for a 1×1 c: a negation for -1, else the product."""
    if c == Neg(Num(1)):
        return Neg(m)
    if c == Num(1):
        return m
    return MatMul(c, m)


def _applyfunc(r: _Reader, e) -> Expr:
    """Lambda(t, body) applied to every entry: a built-in by name when body is its, else body entrywise."""
    if len(e.function.variables) != 1:
        raise _unsupported(e, "an element-wise function has one variable")
    (var,), body = e.function.variables, e.function.expr
    for name, g in entrywise_bodies().items():
        if body == g(var):
            return Entrywise(name, r(e.expr))
    return r.pointwise(var, body, r(e.expr), e)


def _subs(r: _Reader, e) -> Expr:
    """Subs(body, t, a) is body at t = a (to_sympy's form of a declared function's derivative at a scalar)."""
    if len(e.variables) != 1:
        raise _unsupported(e, "a substitution of one variable is translated")
    return r.pointwise(e.variables[0], e.expr, r.scalar(e.point[0], e), e)


def _derivative(r: _Reader, e) -> Expr:
    """Derivative(g(x), (x, k)) of an undefined function g: matcalc's g with k primes, at x."""
    sp = _sympy()
    g, xs = e.expr, set(e.variables)
    if not (isinstance(g, sp.core.function.AppliedUndef) and len(g.args) == 1 and xs == {g.args[0]}):
        raise _unsupported(e, "only the derivative g'(x) of an undefined Function g by its argument x is")
    return Entrywise(r.function(g.func), r(g.args[0]), len(e.variables))


def _diag(r: _Reader, e) -> Expr:
    """DiagMatrix(v): diag(v) of a column v, diag(vᵀ) of a row v."""
    v = r(e.args[0])
    return Call("diag", Transpose(v) if v.shape.rows == 1 and v.shape.cols != 1 else v)


def _zero(r: _Reader, e) -> Expr:
    """The zero matrix, 0 * ones(m, n): matcalc has no node of its own for it."""
    return MatMul(Num(0), Ones(r.dim(e.shape[0], e, product=True), r.dim(e.shape[1], e, product=True)))


@cache
def from_table() -> dict:
    """SymPy class -> its translation (reader, expression) -> matcalc Expr."""
    sp = _sympy()
    from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
    from sympy.matrices.expressions.diagonal import DiagMatrix
    from sympy.matrices.expressions.matexpr import MatrixElement

    scalar_fn = lambda name: lambda r, e: Entrywise(name, r.scalar(e.args[0], e))  # noqa: E731
    return {
        sp.MatrixSymbol: _matrix_symbol,
        sp.Symbol: _symbol,
        sp.MatAdd: lambda r, e: Add(tuple(map(r, e.args))),
        sp.Add: lambda r, e: Add(tuple(map(r, e.args))),
        sp.MatMul: _mul,
        sp.Mul: _mul,
        sp.Pow: _pow,
        sp.MatPow: _matpow,
        sp.Transpose: lambda r, e: Transpose(r(e.arg)),
        sp.log: _log,
        type(sp.E): lambda r, e: Entrywise("exp", Num(1)),
        sp.sign: lambda r, e: Entrywise("abs", r.scalar(e.args[0], e), 1),
        sp.Heaviside: lambda r, e: Entrywise("relu", r.scalar(e.args[0], e), 1),
        sp.Max: _max,
        sp.HadamardProduct: _fold(Hadamard),
        sp.HadamardPower: lambda r, e: (_power_to_symbol(r, e, r(e.base), True) if _symbolic(e.exp)
                                        else EPower(r(e.base), _fraction(e.exp, e))),
        sp.ZeroMatrix: _zero,
        MatrixElement: _element,
        ElementwiseApplyFunction: _applyfunc,
        DiagMatrix: _diag,
        sp.Subs: _subs,
        sp.Derivative: _derivative,
        sp.Sum: _sum,
        **{getattr(sp, op.sympy_class): (_reads_as(name) if op.kind == ops.CALL else
                                         scalar_fn(name) if op.kind == ops.ENTRYWISE else op.from_sympy)
           for name, op in ops.REGISTRY.items() if op.sympy_class},
    }


def _reads_as(name: str):
    """The reader of a SymPy class that is the built-in function ``name`` of its argument."""
    return lambda r, e: Call(name, r(e.arg))


@cache
def entrywise_bodies() -> dict:
    """matcalc's built-in element-wise functions as SymPy expressions of t."""
    sp = _sympy()
    return {name: (lambda t, op=op: op.sympy_body(sp, t)) for name, op in ops.REGISTRY.items() if op.sympy_body}


def dimensions_of(*exprs) -> frozenset:
    """The Symbols that are a dimension of some matrix in the expressions."""
    sp = _sympy()
    return frozenset(d for e in exprs for a in sp.preorder_traversal(e) if isinstance(a, sp.MatrixExpr)
                     for size in a.shape for d in getattr(size, "free_symbols", ()))


def from_sympy(e, dimensions=()) -> Translation:
    """A SymPy (matrix) expression as matcalc's tree, with the declarations it implies. A Symbol
    that is a matrix's dimension there, or in ``dimensions``, stands for that size as a value."""
    if not is_sympy(e):
        raise MatcalcError(f"from_sympy takes a SymPy expression, got {type(e).__name__}")
    r = _Reader(dimensions_of(e) | frozenset(dimensions))
    expr = _within_recursion(r, e)
    return Translation(expr, {n: "integer" if n in r.integers else s.declaration() for n, s in r.shapes.items()},
                       r.functions, r.objects)


# ---------------------------------------------------------------- matcalc -> SymPy


class _Writer:
    """Walks a matcalc tree through to_table(); ``objects`` gives a name's SymPy object, if any."""

    def __init__(self, objects: dict) -> None:
        self.sp = _sympy()
        self.objects = objects
        self.memo: dict[Expr, object] = {}

    def __call__(self, e: Expr):
        if e not in self.memo:
            rule = to_table().get(type(e))
            if rule is None:
                raise _untranslatable(e)
            self.memo[e] = rule(self, e)
        return self.memo[e]

    def dim(self, d):
        """A matcalc dimension as a SymPy one: an Integer, a positive integer Symbol, or their product."""
        if isinstance(d, int):
            return self.sp.Integer(d)
        if isinstance(d, DimProduct):
            return d.factor * self.sp.Mul(*map(self.dim, d.names))
        return self.objects.setdefault(d, self.sp.Symbol(d, integer=True, positive=True))

    def is_matrix(self, v) -> bool:
        return isinstance(v, self.sp.MatrixExpr)

    def scalar(self, v):
        """A 1×1 value as a SymPy scalar: tr(v) of a 1×1 matrix expression v."""
        return self.sp.Trace(v) if self.is_matrix(v) else v

    def full(self, v, shape: Shape):
        """A scalar broadcast to every entry of a matrix of ``shape``: v · ones."""
        return self.scalar(v) * self.sp.OneMatrix(self.dim(shape.rows), self.dim(shape.cols))

    def untranslatable(self, e: Expr) -> MatcalcError:
        return _untranslatable(e)

    def on_matrix(self, v, matrix, scalar):
        """matrix(v) for a matrix expression v, scalar(v) for a SymPy scalar v (a 1×1 in matcalc)."""
        return matrix(v) if self.is_matrix(v) else scalar(v)


def _untranslatable(e: Expr, reason: str = "") -> MatcalcError:
    return MatcalcError(f"{e} has no SymPy matrix expression ({type(e).__name__}"
                        f"{' ' + e.fn if isinstance(e, Call) else ''}{': ' + reason if reason else ''}): "
                        "it stays in matcalc's language")


def _sym(w: _Writer, e: Sym):
    if e.name not in w.objects:
        s = e.shape
        w.objects[e.name] = (w.sp.Symbol(e.name, integer=True, positive=True) if e.integer else
                             w.sp.Symbol(e.name) if s.is_scalar else w.sp.MatrixSymbol(e.name, w.dim(s.rows), w.dim(s.cols)))
    return w.objects[e.name]


def _symbolic_power(w: _Writer, e: SymbolicPower):
    """A ^ k as MatPow(A, k), c ^ k as c**k, A .^ k as HadamardPower(A, k), k an integer expression."""
    b, k = w(e.base), w.scalar(w(e.exponent))
    if e.shape.is_scalar:
        return w.scalar(b) ** k
    return w.sp.HadamardPower(b, k) if e.entrywise else w.sp.MatPow(b, k)


def _add(w: _Writer, e: Add):
    """A sum; in a matrix sum a scalar term is broadcast (s · ones), in a scalar sum every term is scalar."""
    terms = [w(t) for t in e.terms]
    if e.shape.is_scalar and not all(map(w.is_matrix, terms)):
        terms = [w.scalar(t) for t in terms]
    elif not e.shape.is_scalar:
        terms = [t if not s.shape.is_scalar else w.full(t, e.shape) for t, s in zip(terms, e.terms)]
    return reduce(operator.add, terms)


def _matmul(w: _Writer, e: MatMul):
    """A product; a 1×1 factor of a larger matrix scales it (SymPy's scalar times matrix)."""
    a, b = w(e.left), w(e.right)
    if e.left.shape.is_scalar != e.right.shape.is_scalar:
        a, b = (w.scalar(a), b) if e.left.shape.is_scalar else (a, w.scalar(b))
    return a * b


def _entrywise_product(w: _Writer, e: Binary, invert: bool):
    """A ⊙ B, or A ⊘ B = A ⊙ B^∘(-1) when ``invert``; a 1×1 operand is broadcast, so it scales."""
    a, b = w(e.left), w(e.right)
    if e.right.shape.is_scalar:
        b = w.scalar(b) ** -1 if invert else w.scalar(b)
        return (w.scalar(a) if e.shape.is_scalar else a) * b
    b = w.sp.HadamardPower(b, -1) if invert else b
    return w.scalar(a) * b if e.left.shape.is_scalar else w.sp.HadamardProduct(a, b)


def _epower(w: _Writer, e: EPower):
    k = w.sp.Rational(e.exponent.numerator, e.exponent.denominator)
    b = w(e.base)
    return w.scalar(b) ** k if e.shape.is_scalar else w.sp.HadamardPower(b, k)


def _entrywise(w: _Writer, e: Entrywise):
    """g^(k)(A): ElementwiseApplyFunction(Lambda(t, g^(k)(t)), A) on a matrix, g^(k)(a) on a scalar. For a
    built-in g, g^(k)(t) is SymPy's formula; a declared g is an undefined Function, g^(k) its
    Derivative (at a scalar a that is Subs(Derivative(g(t), (t, k)), t, a), as SymPy writes it)."""
    sp = w.sp
    t = sp.Dummy("t", real=True)
    builtin = entrywise_bodies().get(e.fn)
    g = builtin or sp.Function(e.fn)
    body = g(t) if e.order == 0 else sp.diff(g(t), t, e.order) if builtin else sp.Derivative(g(t), (t, e.order))
    if builtin and ops.get(e.fn).kinked and e.order >= 2:  # 0 where the argument is non-zero (SymPy says DiracDelta)
        body = sp.Integer(0)
    a = w(e.arg)
    if not e.arg.shape.is_scalar:
        from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

        return ElementwiseApplyFunction(sp.Lambda(t, body), a)
    a = w.scalar(a)
    return body.xreplace({t: a}) if builtin or e.order == 0 else sp.Subs(body, t, a)


def _call(w: _Writer, e: Call):
    """A built-in function of a matrix, as its record translates it (on a SymPy scalar, its 1×1 value)."""
    translate = ops.get(e.fn).to_sympy
    if not callable(translate):  # None, or Unsupported with its reason
        raise _untranslatable(e, getattr(translate, "reason", ""))
    return translate(w, e, w(e.arg))


@cache
def to_table() -> dict:
    """matcalc node class -> its translation (writer, node) -> SymPy expression."""
    sp = _sympy()
    rational = lambda k: sp.Rational(k.numerator, k.denominator)  # noqa: E731
    return {
        Sym: _sym,
        Num: lambda w, e: rational(e.value),
        DimValue: lambda w, e: w.dim(e.dim),
        Let: lambda w, e: w(e.body),
        Add: _add,
        Neg: lambda w, e: -w(e.arg),
        MatMul: _matmul,
        Hadamard: lambda w, e: _entrywise_product(w, e, False),
        EDiv: lambda w, e: _entrywise_product(w, e, True),
        Div: lambda w, e: w(e.left) / w.scalar(w(e.right)),
        Power: lambda w, e: w.scalar(w(e.base)) ** rational(e.exponent),
        MatPower: lambda w, e: sp.MatPow(w(e.base), e.exponent),
        EPower: _epower,
        SymbolicPower: _symbolic_power,
        Transpose: lambda w, e: w.on_matrix(w(e.arg), lambda v: v.T, lambda v: v),
        Call: _call,
        **{op.build: op.to_sympy for op in ops.REGISTRY.values() if op.kind == ops.NODE and callable(op.to_sympy)},
        Entrywise: _entrywise,
    }


def to_sympy(e: Expr, objects: dict | None = None):
    """matcalc's expression as a SymPy one; names in ``objects`` become those SymPy objects (symbols
    and dimensions), others new ones (a dimension a positive integer Symbol), added to ``objects``.
    A symbol named like a dimension is an error: in SymPy the two would be one Symbol."""
    nodes = list(distinct_nodes(e))
    dims = {d for n in nodes for size in (n.shape.rows, n.shape.cols) for d in dim_names(size)}
    clash = sorted(dims & {n.name for n in nodes if isinstance(n, Sym)})
    if clash:
        raise MatcalcError(f"{clash[0]} is both a symbol and a dimension here, which SymPy cannot tell apart")
    return _within_recursion(_Writer({} if objects is None else objects), e)


def _within_recursion(walker, e):
    """walker(e), a tree too deep for Python's recursion limit being the one error too."""
    try:
        return walker(e)
    except RecursionError:
        raise MatcalcError("the expression is too deep to translate (Python's recursion limit)") from None


# ---------------------------------------------------------------- the API's inputs


@dataclass
class Inputs:
    """The API's arguments with every SymPy object as the language's text, and the declarations
    (symbols, functions) merged with those read off the SymPy objects."""

    values: dict[str, object]
    symbols: dict
    functions: dict
    let: dict
    assume: list
    objects: dict[str, object]


def inputs(values: dict[str, object], symbols, functions, let: dict, assume: list) -> Inputs:
    """f, wrt, a claimed value, [let] bodies (SymPy or text), and assumptions (text or sympy.Eq) as text.

    wrt must be a MatrixSymbol or a Symbol; a name declared both by ``symbols`` and by a SymPy
    object must have the same shape there."""
    sp = _sympy()
    out = Inputs({}, dict(symbols or {}), dict(functions or {}), {}, [], {})
    dimensions = dimensions_of(*(v for v in (*values.values(), *let.values(), *assume) if is_sympy(v)))

    def text(e) -> str:
        t = from_sympy(e, dimensions)
        for table, new in ((out.symbols, t.symbols), (out.functions, t.functions)):
            for name, decl in new.items():
                if table.setdefault(name, decl) != decl:
                    raise MatcalcError(f"{name} is declared {table[name]!r}, but in the SymPy expression {e} "
                                       f"it is {decl!r}")
        out.objects.update(t.objects)
        return show(t.expr)

    for key, v in values.items():
        if not is_sympy(v):
            out.values[key] = v
        elif key != "wrt":
            out.values[key] = text(v)
        elif isinstance(v, (sp.MatrixSymbol, sp.Symbol)):
            text(v)
            out.values[key] = v.name
        else:
            raise MatcalcError(f"wrt must be a MatrixSymbol or a Symbol, got SymPy's {type(v).__name__} {v}")
    out.let = {name: text(v) if is_sympy(v) else v for name, v in let.items()}
    for a in assume:
        if is_sympy(a) and not isinstance(a, sp.Eq):
            raise MatcalcError(f"an assumption is sympy.Eq(lhs, rhs) or text 'EXPR = EXPR', got SymPy's {type(a).__name__}")
        out.assume.append(f"{text(a.lhs)} = {text(a.rhs)}" if is_sympy(a) else a)
    return out
