"""The typed expression tree: one frozen node class per form of the language.

Children are tuples; every node knows its shape, checked when it is built.
Constructors validate but never simplify (that is the engine's job, step by step).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from fractions import Fraction

from . import shapes as S
from .errors import ShapeError
from .shapes import SCALAR, Dim, Shape, dim_mul

#: The largest |k| of a matrix power A ^ k (its differential has k terms).
MAX_MATRIX_POWER = 100


def described(e: "Expr") -> str:
    """e in the language with its shape, for a message: x (n×1)."""
    from .language import show  # printing is only needed for the message

    return f"{show(e)} ({e.shape})"


class Expr:
    """Base of all nodes. Subclasses are frozen dataclasses with a cached hash."""

    shape: Shape
    _size: int
    _depth: int
    named = False  # printed as a name, whatever its children (a [let] name)

    @property
    def children(self) -> tuple["Expr", ...]:
        return tuple(getattr(self, name) for name in self._child_fields)

    _child_fields: tuple[str, ...] = ()
    _init_fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        """The expression in the language (printed in a deep thread: any depth is fine)."""
        from .deep import run
        from .language import show

        return run(show, self)

    def __repr__(self) -> str:
        """The language text too (a notebook or the REPL shows ``A * B'``, not ``MatMul(left=...)``);
        the tree is the object itself: ``.children``, ``.shape`` and the node's fields."""
        return str(self)

    def rebuild(self, *children: "Expr") -> "Expr":
        """The same node over new children (in the order of ``children``). Children of the old
        ones' shapes give the node its old shape (a shape law reads the children's shapes and the
        node's own fields only), so it is then assembled without applying the law again."""
        old = self.children
        if not old:
            return self
        if len(children) == len(old):
            for a, b in zip(children, old):
                if a.shape is not b.shape and a.shape != b.shape:
                    break
            else:
                return self._assembled(children)
        return self._built(children)

    def _built(self, children: tuple) -> "Expr":
        """The node over new children, its shape law applied."""
        kw = {name: getattr(self, name) for name in self._init_fields}
        kw.update(zip(self._child_fields, children))
        return type(self)(**kw)

    #: the field holding the children as one tuple, for a node with any number of them (Add's terms)
    _children_tuple: str | None = None

    def _assembled(self, children: tuple) -> "Expr":  # set by ``node``
        raise NotImplementedError


def node(*child_fields: str):
    """Make a frozen dataclass node whose hash is computed once, when built, and whose equality is fast."""

    def wrap(cls):
        cls = dataclass(frozen=True)(cls)
        cls._child_fields = child_fields
        cls._init_fields = tuple(f.name for f in fields(cls) if f.init)
        generated_init, generated_hash, generated_eq = cls.__init__, cls.__hash__, cls.__eq__

        def __init__(self, *args, **kw):
            generated_init(self, *args, **kw)
            _finish(self)

        def _finish(self):
            # Hash, size and depth are computed when a node is built, from its children's
            # stored ones: never a deep recursion, and O(1) for a shared subtree. (Written to
            # the instance's dict: frozen refuses only setattr.)
            size, depth = 1, 0
            for k in self.children:
                size += k._size
                depth = max(depth, k._depth)
            own = self.__dict__
            own["_h"] = hash((cls.__name__, generated_hash(self)))
            own["_size"] = 1 if self.named else size
            own["_depth"] = depth + 1

        def _assembled(self, children):
            new = object.__new__(cls)
            own = new.__dict__
            own.update(self.__dict__)  # the shape and every field that is not a child
            if cls._children_tuple:
                own[cls._children_tuple] = tuple(children)
            else:
                own.update(zip(child_fields, children))
            _finish(new)
            return new

        def __hash__(self):
            return self._h

        def __eq__(self, other):
            if self is other:
                return True
            if type(self) is not type(other) or hash(self) != hash(other):
                return False
            return generated_eq(self, other)

        def __reduce__(self):
            # Built again when unpickled (by `matcalc check -j`'s workers): the stored hash
            # depends on the process's string hashing, so it is never copied over.
            return _remade, (cls, {name: getattr(self, name) for name in cls._init_fields})

        cls.__init__, cls.__hash__, cls.__eq__, cls.__reduce__ = __init__, __hash__, __eq__, __reduce__
        cls.__repr__ = Expr.__repr__  # the dataclass's field-by-field repr would hide the text
        cls._assembled = _assembled
        if "children" not in cls.__dict__:  # read straight from the fields: the engine asks for them most
            getters = {0: lambda self: (), 1: lambda self: (self.__dict__[child_fields[0]],),
                       2: lambda self: (self.__dict__[child_fields[0]], self.__dict__[child_fields[1]])}
            if len(child_fields) in getters:
                cls.children = property(getters[len(child_fields)])
        return cls

    return wrap


def _remade(cls, kw: dict) -> "Expr":
    return cls(**kw)


def _shape_field():
    return field(init=False, compare=False, repr=False)


def _set_shape(obj, shape: Shape) -> None:
    object.__setattr__(obj, "shape", shape)


@node()
class Num(Expr):
    """A non-negative rational constant (negatives are Neg(Num))."""

    value: Fraction
    shape: Shape = _shape_field()

    def __post_init__(self):
        if not isinstance(self.value, Fraction):
            object.__setattr__(self, "value", Fraction(self.value))
        if self.value < 0:
            raise ValueError("Num holds non-negative values; use Neg")
        _set_shape(self, SCALAR)


@node()
class Sym(Expr):
    """A declared symbol; a ``symmetric`` one (declared symmetric(n)) equals its transpose; an
    ``integer`` one (declared integer) is a 1×1 integer k ≥ 1, which may also be an exponent."""

    name: str
    shape: Shape
    symmetric: bool = False
    integer: bool = False


@node("body")
class Let(Expr):
    """A [let] name standing for its body; printed as the name."""

    named = True
    name: str
    body: Expr
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, self.body.shape)


@node("arg")
class Differential(Expr):
    """d(arg): the engine's differential, never produced by the parser."""

    arg: Expr
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, self.arg.shape)


@node("arg", "x", "dx")
class Change(Expr):
    """A written differential d(arg) in a document, while x moves along dx (a symbol of x's shape):
    the first-order change of arg, the ε coefficient of arg at x + ε dx. Never produced by the
    parser nor the engine; the checker evaluates it by Taylor arithmetic."""

    arg: Expr
    x: Sym
    dx: Sym
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, self.arg.shape)

    @property
    def children(self):
        return self.arg, self.x, self.dx


@node("body", "x", "at")
class Partial(Expr):
    """A written partial derivative ∂u/∂x in a document: the gradient (x's shape) of the scalar
    ``body`` by the symbol x, at x = ``at`` (x's value where the document defines x, else x itself).
    Never produced by the parser nor the engine; the checker evaluates it by Taylor arithmetic."""

    body: Expr
    x: Sym
    at: Expr
    shape: Shape = _shape_field()

    def __post_init__(self):
        if not self.body.shape.is_scalar:
            raise ShapeError(f"∂u/∂{self.x.name} needs a scalar u, got {self.body.shape}")
        _set_shape(self, self.x.shape)
        leaves = tuple(n for n in distinct_nodes(self.body) if isinstance(n, Sym) and n != self.x)
        object.__setattr__(self, "_leaves", leaves)

    @property
    def children(self):
        """``at`` and the symbols the body uses (they are drawn like any other), but not the body: its
        value at a drawn x means nothing (x takes at's value), and it may be undefined there."""
        return (self.at,) + self._leaves


@node()
class Eye(Expr):
    n: Dim
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, Shape(self.n, self.n))


@node()
class DimValue(Expr):
    """A declared dimension used as a value: its size, a 1×1 constant (``Q * K' / sqrt(d)`` for Q n×d)."""

    dim: str
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, SCALAR)


@node()
class Ones(Expr):
    rows: Dim
    cols: Dim = 1
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, Shape(self.rows, self.cols))


@node()
class Add(Expr):
    """A sum of two or more terms; a difference is a term Neg(x). Scalars broadcast."""

    terms: tuple[Expr, ...]
    shape: Shape = _shape_field()
    _children_tuple = "terms"

    @property
    def children(self):
        return self.terms

    def _built(self, children):
        return Add(tuple(children))

    def __post_init__(self):
        if len(self.terms) < 2:
            raise ValueError("Add needs two or more terms")
        shape = self.terms[0].shape
        for t in self.terms[1:]:
            if not (t.shape == shape or t.shape.is_scalar or shape.is_scalar):
                raise ShapeError(f"cannot add {described(self.terms[0])} and {described(t)}")
            if shape.is_scalar:
                shape = t.shape
        _set_shape(self, shape)


@node("arg")
class Neg(Expr):
    arg: Expr
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, self.arg.shape)


def _binary(law, verb):
    def post_init(self):
        try:
            _set_shape(self, law(self.left.shape, self.right.shape))
        except ShapeError:
            raise ShapeError(f"cannot {verb} {described(self.left)} {'by' if verb != 'add' else 'and'} {described(self.right)}") from None

    return post_init


def _scalar_right(a: Shape, b: Shape) -> Shape:
    S.scalar(b, "division")
    return a


@node("left", "right")
class Binary(Expr):
    """A binary operation; each subclass gives its shape law."""

    left: Expr
    right: Expr
    shape: Shape = _shape_field()


@node("left", "right")
class MatMul(Binary):
    """Matrix product; a 1×1 factor on either side acts as a scalar."""

    __post_init__ = _binary(S.matmul, "multiply")


@node("left", "right")
class Hadamard(Binary):
    """Entrywise product left ⊙ right."""

    __post_init__ = _binary(S.entrywise, "take the Hadamard product of")


@node("left", "right")
class EDiv(Binary):
    """Entrywise division left ./ right."""

    __post_init__ = _binary(S.entrywise, "divide entrywise")


@node("left", "right")
class Div(Binary):
    """Division by a scalar: left / right."""

    __post_init__ = _binary(_scalar_right, "divide")


@node("base")
class Power(Expr):
    """c ^ k for a scalar c and a rational k."""

    base: Expr
    exponent: Fraction
    shape: Shape = _shape_field()

    def __post_init__(self):
        if not self.base.shape.is_scalar:
            raise ShapeError(f"^ needs a scalar base, got {described(self.base)}; use .^ for entrywise powers")
        _set_shape(self, SCALAR)


@node("base")
class MatPower(Expr):
    """A ^ k, the matrix power of a square A for an integer k ≥ 2 (A ^ -k is inv(A) ^ k, built by the parser)."""

    base: Expr
    exponent: int
    shape: Shape = _shape_field()

    def __post_init__(self):
        if not self.base.shape.is_square:
            raise ShapeError(f"a matrix power needs a square matrix, got {described(self.base)}; use .^ for entrywise powers")
        if not isinstance(self.exponent, int) or not 2 <= self.exponent <= MAX_MATRIX_POWER:
            raise ShapeError(f"a matrix power's exponent is an integer from 2 to {MAX_MATRIX_POWER}, not {self.exponent}")
        _set_shape(self, self.base.shape)


@node("base")
class EPower(Expr):
    """A .^ k, entrywise."""

    base: Expr
    exponent: Fraction
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, self.base.shape)


def zero(shape: Shape) -> Expr:
    """The zero of a shape: 0, or the zero matrix 0 · ones(m, n) (the language has no zero matrix of its own)."""
    return Num(0) if shape.is_scalar else MatMul(Num(0), Ones(shape.rows, shape.cols))


def is_zero_matrix(e: Expr) -> bool:
    """e is the zero matrix 0 · ones(m, n)."""
    return isinstance(e, MatMul) and isinstance(e.right, Ones) and e.left == Num(0)


def integer_expression(e: Expr) -> Expr | None:
    """The first part of e that keeps it from being an integer expression (integer literals and
    integer symbols under +, -, *, a [let] name standing for one, and a power of one to a literal
    k ≥ 0), or None when e is one."""
    stack = [e]
    while stack:
        n = stack.pop()
        if isinstance(n, Let):
            stack.append(n.body)
        elif isinstance(n, (Add, Neg, MatMul)):
            stack.extend(n.children)
        elif isinstance(n, Power) and n.exponent.denominator == 1 and n.exponent >= 0:
            stack.append(n.base)
        elif not (isinstance(n, Num) and n.value.denominator == 1 or isinstance(n, Sym) and n.integer):
            return n
    return None


@node("base", "exponent")
class SymbolicPower(Expr):
    """A ^ e (A .^ e when ``entrywise``) for an exponent e that is an integer expression in integer
    symbols (k, k - 1, 2 * k): a matrix power of a square A (A ^ 0 = I, A ^ -j = inv(A) ^ j), the
    power of a scalar, or entrywise. A literal exponent is a MatPower, Power or EPower instead."""

    base: Expr
    exponent: Expr
    entrywise: bool = False
    shape: Shape = _shape_field()

    def __post_init__(self):
        bad = integer_expression(self.exponent)
        if bad is not None:
            from .language import show

            why = (f"{bad.name} is {'a matrix' if not bad.shape.is_scalar else 'a real scalar'}, not declared integer"
                   if isinstance(bad, Sym) else f"{bad.dim} is a dimension, not an integer symbol"
                   if isinstance(bad, DimValue) else f"{show(bad)} is not +, - or * of integers and integer symbols")
            raise ShapeError(f"the exponent {show(self.exponent)} is neither a number nor an integer expression: {why}")
        if not (self.entrywise or self.base.shape.is_scalar or self.base.shape.is_square):
            raise ShapeError(f"a matrix power needs a square matrix, got {described(self.base)}; "
                             f"use .^ for entrywise powers")
        _set_shape(self, self.base.shape)


@node("arg")
class Transpose(Expr):
    arg: Expr
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, self.arg.shape.t)


def _call_shape(fn: str, a: Expr) -> Shape:
    """The shape of the built-in function fn of a, by the shape law in fn's operator record."""
    from . import ops  # the records import this module

    op = ops.get(fn)
    if op is None or op.kind != ops.CALL:
        raise ValueError(f"unknown matrix function {fn}")
    return op.shape(a)


@node("arg")
class Call(Expr):
    """A built-in function of a whole matrix (an operator of kind CALL in ``matcalc.ops``: tr, det, inv, ...)."""

    fn: str
    arg: Expr
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, _call_shape(self.fn, self.arg))


@node("left", "right")
class Kron(Binary):
    """The Kronecker product left ⊗ right: (ra·rb)×(ca·cb)."""

    def __post_init__(self):
        a, b = self.left.shape, self.right.shape
        _set_shape(self, Shape(dim_mul(a.rows, b.rows), dim_mul(a.cols, b.cols)))


@node("at", "direction")
class Frechet(Expr):
    """L_f(A, E), the Fréchet derivative of the primary matrix function f (expm, logm, sqrtm) at the square A
    in the direction E of A's shape: the upper-right block of f([[A, E], [0, A]])."""

    fn: str
    at: Expr
    direction: Expr
    shape: Shape = _shape_field()

    def __post_init__(self):
        a, e = self.at.shape, self.direction.shape
        if not a.is_square or e != a:
            raise ShapeError(f"frechet({self.fn}, A, E) needs a square A and E of its shape, got "
                             f"{described(self.at)} and {described(self.direction)}")
        _set_shape(self, a)


@node()
class Commutation(Expr):
    """The commutation matrix K with K vec(A) = vec(Aᵀ) for A m×n: (m·n)×(m·n)."""

    m: Dim
    n: Dim
    shape: Shape = _shape_field()

    def __post_init__(self):
        mn = dim_mul(self.m, self.n)
        _set_shape(self, Shape(mn, mn))


@node("arg")
class Entrywise(Expr):
    """f(A) applied entrywise (built-in or declared elementwise); order k means f with k primes."""

    fn: str
    arg: Expr
    order: int = 0
    shape: Shape = _shape_field()

    def __post_init__(self):
        _set_shape(self, self.arg.shape)


@node("arg")
class ScalarFn(Expr):
    """A declared scalar function C(a) (order 0, a scalar) or its gradient C'(a) (order 1, a's shape)."""

    fn: str
    arg: Expr
    order: int = 0
    shape: Shape = _shape_field()

    def __post_init__(self):
        if self.order > 1:
            raise ShapeError(f"{self.fn}{chr(39) * self.order}: only the first derivative of a scalar function is defined")
        _set_shape(self, SCALAR if self.order == 0 else self.arg.shape)


def walk(e: Expr):
    """Every node of e, parents before children, without recursion."""
    stack = [e]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def distinct_nodes(*roots: Expr):
    """Every distinct subexpression of the roots once (a shared one is not visited again), without
    recursion: linear in the size of the expression as a graph, however often parts repeat."""
    seen: set[Expr] = set()
    stack = list(reversed(roots))
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            yield n
            stack.extend(reversed(n.children))


def post_order(*roots: Expr):
    """Every distinct subexpression of the roots once, each after its children, without recursion."""
    done: set[Expr] = set()
    stack = [(e, False) for e in reversed(roots)]
    while stack:
        n, expanded = stack.pop()
        if n in done:
            continue
        if expanded:
            done.add(n)
            yield n
        else:
            stack.append((n, True))
            stack.extend((k, False) for k in n.children if k not in done)


def depth(e: Expr) -> int:
    """Nesting depth of e (a leaf has depth 1)."""
    return e._depth


def size(e: Expr) -> int:
    """The number of nodes of e as printed: written out as a tree (a shared subtree counts
    each time it occurs), a [let] name counting one."""
    return e._size


def adjacent(e: MatMul, combine) -> Expr | None:
    """``combine(a, b)`` for the product a b, or for the last two factors of (P a) b, giving
    P combine(a, b) (P alone when that is I); None when it does not apply."""
    done = combine(e.left, e.right)
    if done is not None:
        return done
    if isinstance(e.left, MatMul) and not e.left.left.shape.is_scalar:
        done = combine(e.left.right, e.right)
        if done is not None:
            return e.left.left if isinstance(done, Eye) else MatMul(e.left.left, done)
    return None
