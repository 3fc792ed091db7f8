"""Algebra rules on gradients: transposes, signs, identities, scalars, sums, like terms.

Each rule maps an expression to an equal one, or to None when it does not apply. The
smart constructors at the top apply the plainest of these identities while the trace
phase builds M, so that its steps stay readable.
"""
from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

from ... import ops
from ...errors import ShapeError
from ...expr import (
    Add, Call, DimValue, Div, EDiv, Entrywise, EPower, Expr, Eye, Hadamard, Let, MatMul, MatPower, MAX_MATRIX_POWER, Neg, Num,
    Ones, Sym, SymbolicPower, Transpose, adjacent, zero,
)
from ..core import Registry

ALGEBRA = Registry("algebra")
ONE = Num(1)


# --- smart constructors -------------------------------------------------------------

def neg(a: Expr) -> Expr:
    """-a, with -(-a) = a."""
    return a.arg if isinstance(a, Neg) else Neg(a)


def transpose(a: Expr) -> Expr:
    """aᵀ, with (aᵀ)ᵀ = a, sᵀ = s for a 1×1 s (a number, a dimension, ‖r‖, xᵀy), Iᵀ = I, and -(a)ᵀ = -(aᵀ)."""
    if isinstance(a, Transpose):
        return a.arg
    if isinstance(a, (Num, DimValue, Eye)) or a.shape.is_scalar:
        return a
    if isinstance(a, Neg):
        return neg(transpose(a.arg))
    return Transpose(a)


def matmul(a: Expr, b: Expr) -> Expr:
    """a b, dropping a factor 1 or I and pulling signs out."""
    if isinstance(a, Neg):
        return neg(matmul(a.arg, b))
    if isinstance(b, Neg):
        return neg(matmul(a, b.arg))
    m = MatMul(a, b)
    if (a == ONE or isinstance(a, Eye)) and b.shape == m.shape:
        return b
    if (b == ONE or isinstance(b, Eye)) and a.shape == m.shape:
        return a
    return m


def hadamard(a: Expr, b: Expr) -> Expr:
    """a ⊙ b, pulling signs out."""
    if isinstance(a, Neg):
        return neg(hadamard(a.arg, b))
    if isinstance(b, Neg):
        return neg(hadamard(a, b.arg))
    if b == ONE:
        return a
    return Hadamard(a, b)


def vec(a: Expr) -> Expr:
    """vec(a), with vec(a) = a for a column vector."""
    return a if a.shape.cols == 1 else Call("vec", a)


def _register_operators() -> None:
    """The algebra rules of each operator record (``matcalc.ops``), under the records' names."""
    for op in ops.REGISTRY.values():
        for r in op.algebra:
            ALGEBRA.add(r.name, r.fn)


_register_operators()

#: The smart constructors an operator record's trace and vec identities build with.
BUILD = SimpleNamespace(matmul=matmul, hadamard=hadamard, transpose=transpose, vec=vec)


# --- rules -----------------------------------------------------------------------------

@ALGEBRA("double transpose")
def double_transpose(e: Expr):
    """(Aᵀ)ᵀ = A"""
    if isinstance(e, Transpose) and isinstance(e.arg, Transpose):
        return e.arg.arg


@ALGEBRA("transpose of a product")
def transpose_product(e: Expr):
    """(AB)ᵀ = BᵀAᵀ"""
    if isinstance(e, Transpose) and isinstance(e.arg, MatMul):
        return MatMul(Transpose(e.arg.right), Transpose(e.arg.left))


@ALGEBRA("transpose of entrywise operations")
def transpose_entrywise(e: Expr):
    """(A ⊙ B)ᵀ = Aᵀ ⊙ Bᵀ, (A ./ B)ᵀ = Aᵀ ./ Bᵀ, (-A)ᵀ = -Aᵀ, (A / c)ᵀ = Aᵀ / c, (A + B)ᵀ = Aᵀ + Bᵀ"""
    if not isinstance(e, Transpose):
        return None
    a = e.arg
    if isinstance(a, Add) and not symmetric(a):  # (A + Aᵀ)ᵀ is the symmetric-matrix rule's
        return Add(tuple(Transpose(t) for t in a.terms))
    if isinstance(a, (Hadamard, EDiv)):
        return type(a)(Transpose(a.left), Transpose(a.right))
    if isinstance(a, Neg):
        return Neg(Transpose(a.arg))
    if isinstance(a, Div):
        return Div(Transpose(a.left), a.right)


@ALGEBRA("transpose of a scalar or constant")
def transpose_constant(e: Expr):
    """sᵀ = s for a 1×1 s, Iᵀ = I"""
    if isinstance(e, Transpose) and (e.arg.shape.is_scalar or isinstance(e.arg, Eye)):
        return e.arg


def symmetric(e: Expr) -> bool:
    """e is symmetric by its form: a symbol declared symmetric, I, A Aᵀ, Aᵀ A, A + Aᵀ, sums, inverses,
    powers, entrywise functions and scalings of such."""
    if isinstance(e, Let):
        return symmetric(e.body)
    if isinstance(e, Sym):
        return e.symmetric
    if isinstance(e, (MatPower, EPower, SymbolicPower, Entrywise)):
        return symmetric(e.arg if isinstance(e, Entrywise) else e.base)
    if isinstance(e, Eye) or (isinstance(e, Ones) and e.rows == e.cols) or e.shape.is_scalar:
        return True
    if isinstance(e, Add):
        if len(e.terms) == 2 and e.terms[1] == transpose(e.terms[0]):
            return True
        return all(symmetric(t) for t in e.terms)
    if isinstance(e, Neg) or (isinstance(e, Call) and ops.get(e.fn).symmetry == "of its argument"):
        return symmetric(e.arg)
    if isinstance(e, Call) and ops.get(e.fn).symmetry == "always":
        return True
    if isinstance(e, MatMul):
        if e.left.shape.is_scalar:
            return symmetric(e.right)
        return e.right == transpose(e.left)
    if isinstance(e, Hadamard):
        return symmetric(e.left) and symmetric(e.right)
    if isinstance(e, EDiv):  # (K₁ + D₁) ./ (K₂ + D₂): off the diagonal a ratio of two skew entries
        return _skew_plus_diagonal(e.left) and _skew_plus_diagonal(e.right)
    return False


def _skew_plus_diagonal(e: Expr) -> bool:
    """e = v 1ᵀ − 1 vᵀ + D by its form (D a sum of diag(·) and I): skew-symmetric off its diagonal."""
    terms = list(e.terms) if isinstance(e, Add) else [e]
    rest = [t for t in terms if not (isinstance(t, Eye) or (isinstance(t, Call) and t.fn == "diag"))]
    if len(rest) != 2 or isinstance(rest[0], Neg) == isinstance(rest[1], Neg):
        return False
    a, b = (rest[0], rest[1].arg) if isinstance(rest[1], Neg) else (rest[1], rest[0].arg)
    return (isinstance(a, MatMul) and isinstance(b, MatMul) and isinstance(a.right, Transpose)
            and isinstance(a.right.arg, Ones) and a.right.arg == b.left and b.right == transpose(a.left))


@ALGEBRA("symmetric matrix")
def transpose_symmetric(e: Expr):
    """Aᵀ = A for A symmetric: declared symmetric(n), or by construction (A = B Bᵀ, B + Bᵀ, ...); a 1×1 is the
    transpose of a scalar, not this"""
    if isinstance(e, Transpose) and e.arg.shape.is_square and not e.arg.shape.is_scalar and symmetric(e.arg):
        return e.arg


def symmetrised(g: Expr) -> Expr:
    """sym(G) = 1/2 (G + Gᵀ): the symmetric part of G (tr(sym(G)ᵀ S) = tr(Gᵀ S) for every symmetric S)."""
    return MatMul(Num(Fraction(1, 2)), Add((g, Transpose(g))))


@ALGEBRA("transpose of a matrix power")
def transpose_power(e: Expr):
    """(A ^ k)ᵀ = (Aᵀ) ^ k, for a number k or an integer expression k (A ^ -k = inv(A) ^ k included)"""
    if isinstance(e, Transpose) and isinstance(e.arg, MatPower):
        return MatPower(Transpose(e.arg.base), e.arg.exponent)
    if isinstance(e, Transpose) and isinstance(e.arg, SymbolicPower) and not e.arg.entrywise:
        return SymbolicPower(Transpose(e.arg.base), e.arg.exponent)


def _power_of(e: Expr) -> tuple[Expr, int]:
    """e = A ^ k: (A, k), with k = 1 for any other e."""
    return (e.base, e.exponent) if isinstance(e, MatPower) else (e, 1)


def _product_of_powers(a: Expr, b: Expr) -> Expr | None:
    """A ^ i A ^ j = A ^ (i + j) for a square A (A A = A ^ 2), within MAX_MATRIX_POWER."""
    (base, i), (other, j) = _power_of(a), _power_of(b)
    if base == other and base.shape.is_square and i + j <= MAX_MATRIX_POWER:
        return MatPower(base, i + j)
    return None


@ALGEBRA("matrix powers")
def powers(e: Expr):
    """A ^ i A ^ j = A ^ (i + j) (A = A ^ 1, so A A = A ^ 2), also inside a product: (P A ^ i) A ^ j = P A ^ (i + j)"""
    if not isinstance(e, MatMul) or e.left.shape.is_scalar or e.right.shape.is_scalar:
        return None
    return adjacent(e, _product_of_powers)


@ALGEBRA("scalars out of entrywise products")
def hadamard_scalars(e: Expr):
    """(s A) ⊙ B = A ⊙ (s B) = s (A ⊙ B) for a scalar s; (s 1) ⊙ B = s B; a ⊙ b = a b, a ./ b = a / b for scalars"""
    if isinstance(e, EDiv) and e.left.shape.is_scalar and e.right.shape.is_scalar:
        return Div(e.left, e.right)
    if isinstance(e, Hadamard) and e.left.shape.is_scalar and e.right.shape.is_scalar:
        return MatMul(e.left, e.right)
    if not isinstance(e, (Hadamard, EDiv)) or e.shape.is_scalar:
        return None
    sides = (e.left, e.right) if isinstance(e, Hadamard) else (e.left,)
    for i, side in enumerate(sides):
        if isinstance(side, MatMul) and side.left.shape.is_scalar and not side.right.shape.is_scalar:
            inner = side.right
            other = e.right if i == 0 else e.left
            if isinstance(inner, Ones) and isinstance(e, Hadamard) and other.shape == e.shape:
                return MatMul(side.left, other)
            rest = type(e)(inner, e.right) if i == 0 else type(e)(e.left, inner)
            return built_or_none(lambda: MatMul(side.left, rest))


@ALGEBRA("quotients")
def quotients(e: Expr):
    """k ./ A = k (1 ./ A) for a number k ≠ 1; (1 ./ A) ⊙ B = B ⊙ (1 ./ A) = B ./ A"""
    if isinstance(e, EDiv) and isinstance(e.left, Num) and e.left != ONE and not e.shape.is_scalar:
        return MatMul(e.left, EDiv(ONE, e.right))
    if isinstance(e, Hadamard):
        for a, b in ((e.left, e.right), (e.right, e.left)):
            if isinstance(a, EDiv) and a.left == ONE and a.shape == e.shape:
                return built_or_none(lambda: EDiv(b, a.right))


@ALGEBRA("derivatives of built-in functions")
def builtin_derivatives(e: Expr):
    """exp' = exp, log'(u) = 1 ./ u, tanh' = 1 - tanh .^ 2, sqrt'(u) = 1/2 ./ sqrt(u), sin' = cos,
    cos' = -sin, tan' = 1 + tan .^ 2; abs'' = relu'' = 0 (where the argument is non-zero): each function's
    closed forms are its record's (``matcalc.ops``)"""
    op = ops.get(e.fn) if isinstance(e, Entrywise) and e.order > 0 else None
    return op.derivative(e.arg, e.order) if op is not None and op.derivative else None


@ALGEBRA("signs")
def signs(e: Expr):
    """-(-A) = A, (-A)B = A(-B) = -(AB), and likewise for ⊙, ./ and /"""
    if isinstance(e, Neg) and isinstance(e.arg, Neg):
        return e.arg.arg
    if isinstance(e, (MatMul, Hadamard, EDiv, Div)):
        if isinstance(e.left, Neg):
            return Neg(type(e)(e.left.arg, e.right))
        if isinstance(e.right, Neg) and not isinstance(e, Div):
            return Neg(type(e)(e.left, e.right.arg))


@ALGEBRA("identity")
def identity(e: Expr):
    """I A = A I = A, 1 A = A 1 = A, A / 1 = A, A ⊙ 1 = A (1 a number or a matrix of ones); a 1×1 I or 1 is the number 1"""
    if isinstance(e, (Eye, Ones)) and e.shape.is_scalar:
        return ONE
    if isinstance(e, MatMul):
        if (isinstance(e.left, Eye) or e.left == ONE) and e.right.shape == e.shape:
            return e.right
        if (isinstance(e.right, Eye) or e.right == ONE) and e.left.shape == e.shape:
            return e.left
    if isinstance(e, Div) and e.right == ONE:
        return e.left
    if isinstance(e, Hadamard):
        if (e.right == ONE or _ones(e.right)) and e.left.shape == e.shape:
            return e.left
        if (e.left == ONE or _ones(e.left)) and e.right.shape == e.shape:
            return e.right


def _ones(e: Expr) -> bool:
    """e is a matrix of ones (or one transposed)."""
    return isinstance(e, Ones) or (isinstance(e, Transpose) and isinstance(e.arg, Ones))


@ALGEBRA("numbers")
def numbers(e: Expr):
    """j k = (jk), j / k = (j/k), j (k A) = (jk) A, (j A) / k = (j/k) A  (k ≠ 0),
    j (k A + l B) = (jk) A + (jl) B when every term has a number"""
    if isinstance(e, MatMul) and isinstance(e.left, Num) and isinstance(e.right, Add):
        parts = [coefficient(t) for t in e.right.terms]
        if all(k != 1 and core != ONE for k, core in parts):
            return built_or_none(lambda: Add(tuple(scaled(e.left.value * k, core) for k, core in parts)))
    if isinstance(e, Div) and e.right == Num(0):
        return None  # undefined: left for the checker to report
    if isinstance(e, (MatMul, Div)) and isinstance(e.left, Num) and isinstance(e.right, Num):
        v = e.left.value * e.right.value if isinstance(e, MatMul) else e.left.value / e.right.value
        return Num(v)
    if isinstance(e, MatMul) and isinstance(e.left, Num) and isinstance(e.right, MatMul) \
            and isinstance(e.right.left, Num):
        return MatMul(Num(e.left.value * e.right.left.value), e.right.right)
    if isinstance(e, Div) and isinstance(e.right, Num) and not e.left.shape.is_scalar:
        return MatMul(Num(1 / e.right.value), e.left)


@ALGEBRA("scalars commute")
def scalars_first(e: Expr):
    """A s = s A for a 1×1 s; A (s B) = s (A B)"""
    if not isinstance(e, MatMul) or e.shape.is_scalar:
        return None
    if e.right.shape.is_scalar and not e.left.shape.is_scalar:
        return MatMul(e.right, e.left)
    r = e.right
    if isinstance(r, MatMul) and r.left.shape.is_scalar and not r.right.shape.is_scalar \
            and not e.left.shape.is_scalar:
        return built_or_none(lambda: MatMul(r.left, MatMul(e.left, r.right)))


def built_or_none(build):
    try:
        return build()
    except ShapeError:
        return None


@ALGEBRA("associativity")
def associativity(e: Expr):
    """A (B C) = (A B) C"""
    if isinstance(e, MatMul) and isinstance(e.right, MatMul) and not e.left.shape.is_scalar \
            and not e.right.left.shape.is_scalar:
        return built_or_none(lambda: MatMul(MatMul(e.left, e.right.left), e.right.right))


@ALGEBRA("sum of entries")
def sum_of_entries(e: Expr):
    """1ᵀ a = aᵀ 1 = sum(a) for a vector a; 1ᵀ A 1 = sum(A)"""
    if not isinstance(e, MatMul) or not e.shape.is_scalar or e.left.shape.is_scalar:
        return None
    l, r = e.left, e.right
    if isinstance(l, Transpose) and isinstance(l.arg, Ones) and r.shape.cols == 1:
        return Call("sum", r)
    if isinstance(r, Ones) and isinstance(l, Transpose) and l.shape.rows == 1:
        return Call("sum", l.arg)
    if isinstance(r, Ones) and isinstance(l, MatMul) and isinstance(l.left, Transpose) \
            and isinstance(l.left.arg, Ones):
        return Call("sum", l.right)


@ALGEBRA("trace with ones")
def trace_with_ones(e: Expr):
    """tr(Aᵀ 1) = tr(1ᵀ A) = sum(A) for a matrix of ones 1 of A's shape"""
    if not (isinstance(e, Call) and e.fn == "tr" and isinstance(e.arg, MatMul)):
        return None
    l, r = e.arg.left, e.arg.right
    if isinstance(l, Transpose) and isinstance(r, Ones) and l.arg.shape == r.shape:
        return Call("sum", l.arg)
    if isinstance(l, Transpose) and isinstance(l.arg, Ones) and l.arg.shape == r.shape:
        return Call("sum", r)


@ALGEBRA("trace of a scalar")
def trace_of_scalar(e: Expr):
    """tr(s) = s and sum(s) = s for a 1×1 s"""
    if isinstance(e, Call) and e.fn in ("tr", "sum") and e.arg.shape.is_scalar:
        return e.arg


@ALGEBRA("a 1×1 is its own triangle and diagonal")
def structure_of_scalar(e: Expr):
    """tril(s) = triu(s) = diagonal(s) = diag(s) = vec(s) = s for a 1×1 s (the records' identity_on_scalars)"""
    if isinstance(e, Call) and e.arg.shape.is_scalar and ops.get(e.fn).identity_on_scalars:
        return e.arg


def coefficient(e: Expr) -> tuple[Fraction, Expr]:
    """e = k * core for a rational k; core is ONE for a bare number. The number may stand in a
    scalar factor or a numerator: (2 s) A = 2 (s A), (2 A) / s = 2 (A / s)."""
    if isinstance(e, Neg):
        k, core = coefficient(e.arg)
        return -k, core
    if isinstance(e, Num):
        return e.value, ONE
    if isinstance(e, MatMul) and isinstance(e.left, Num):
        k, core = coefficient(e.right)
        return e.left.value * k, core
    if isinstance(e, MatMul) and e.left.shape.is_scalar and isinstance(e.left, (MatMul, Neg)):
        k, s = coefficient(e.left)
        if k != 1 and s != ONE:
            return k, MatMul(s, e.right)
    if isinstance(e, Div) and isinstance(e.left, (MatMul, Neg)):
        k, core = coefficient(e.left)
        if k != 1 and core != ONE:
            return k, Div(core, e.right)
    return Fraction(1), e


def scaled(k: Fraction, core: Expr) -> Expr:
    """k * core, written with Neg and without a factor 1."""
    if k < 0:
        return Neg(scaled(-k, core))
    if core == ONE:
        return Num(k)
    return core if k == 1 else MatMul(Num(k), core)


def _like(core: Expr) -> object:
    """What makes terms like: their core, an entrywise product's factors in any order (A ⊙ B ⊙ C = C ⊙ B ⊙ A), an
    inner product leading a product either way round (xᵀy z = yᵀx z)."""
    if isinstance(core, MatMul) and core.left.shape.is_scalar and not core.shape.is_scalar:
        return (MatMul, _like(core.left), core.right)
    if isinstance(core, MatMul) and core.shape.is_scalar and isinstance(core.left, Transpose) \
            and core.right.shape.cols == 1:
        return (Transpose, tuple(sorted((core.left.arg, core.right), key=repr)))
    if not isinstance(core, Hadamard):
        return core
    factors, stack = [], [core]
    while stack:
        n = stack.pop()
        if isinstance(n, Hadamard) and n.shape == core.shape:
            stack.extend(n.children)
        else:
            factors.append(n)
    return (Hadamard, tuple(sorted(factors, key=repr)))


@ALGEBRA("collect like terms")
def collect(e: Expr):
    """k A + j A = (k + j) A (also A ⊙ B + B ⊙ A = 2 A ⊙ B); nested sums flattened (-(A + B) = -A - B); zero terms
    dropped; positive terms first"""
    if not isinstance(e, Add):
        return None
    flat = []
    for t in e.terms:
        if isinstance(t, Neg) and isinstance(t.arg, Add):
            flat.extend(neg(u) for u in t.arg.terms)
        else:
            flat.extend(t.terms if isinstance(t, Add) else [t])
    like: dict[object, list] = {}
    for t in flat:
        k, core = coefficient(t)
        like.setdefault(_like(core), []).append((k, core, t))
    terms = []
    for kts in like.values():  # a term with no like term stays as written; like terms take the first's form
        k = sum(k for k, _, _ in kts)
        if k != 0:
            terms.append(kts[0][2] if len(kts) == 1 else scaled(k, kts[0][1]))
    terms.sort(key=lambda t: isinstance(t, Neg))
    if not terms:
        return zero(e.shape)
    if all(t.shape != e.shape for t in terms):  # only broadcast scalars are left: keep the shape
        terms[0] = MatMul(terms[0], Ones(e.shape.rows, e.shape.cols))
    new = terms[0] if len(terms) == 1 else built_or_none(lambda: Add(tuple(terms)))
    return None if new is None or new == e else new


def _split(t: Expr, side: str, kind: type) -> tuple[Fraction, Expr, Expr] | None:
    """t = k (rest · factor) for a number k, with factor on ``side`` of a product of ``kind`` (matrix or Hadamard)."""
    k, t = coefficient(t)
    if type(t) is kind and not t.left.shape.is_scalar and not t.right.shape.is_scalar:
        if kind is MatMul and side == "left":
            first, rest = _leftmost(t)
            return k, rest, first
        return (k, t.left, t.right) if side == "right" else (k, t.right, t.left)
    return None


def _leftmost(t: MatMul) -> tuple[Expr, Expr]:
    """(A, B C) for the product (A B) C: its first factor and the rest."""
    if isinstance(t.left, MatMul) and not t.left.left.shape.is_scalar and not t.left.right.shape.is_scalar:
        first, rest = _leftmost(t.left)
        return first, MatMul(rest, t.right)
    return t.left, t.right


@ALGEBRA("common factor")
def common_factor(e: Expr):
    """A C + B C = (A + B) C and C A + C B = C (A + B) (C A D + C B = C (A D + B)), also with numbers (2 A C - B C = (2 A - B) C);
    the same for ⊙: C ⊙ A + C ⊙ B = C ⊙ (A + B); and s A + s B = s (A + B) for a 1×1 s not a number"""
    if not isinstance(e, Add):
        return None
    for kind in (MatMul, Hadamard):
        for side in ("right", "left"):
            parts = [_split(t, side, kind) for t in e.terms]
            if all(parts) and len({p[2] for p in parts}) == 1:
                rest = Add(tuple(scaled(k, r) for k, r, _ in parts))
                factor = parts[0][2]
                return built_or_none(lambda: kind(rest, factor) if side == "right" else kind(factor, rest))
    return _common_scalar(e)


def _common_scalar(e: Add) -> Expr | None:
    """s A + s B = s (A + B) for one 1×1 factor s (not a number) leading every term of a matrix sum."""
    parts = [coefficient(t) for t in e.terms]
    if e.shape.is_scalar or not all(isinstance(c, MatMul) and c.left.shape.is_scalar and not isinstance(c.left, Num)
                                    and not c.right.shape.is_scalar for _, c in parts):
        return None
    if len({c.left for _, c in parts}) != 1:
        return None
    return built_or_none(lambda: MatMul(parts[0][1].left, Add(tuple(scaled(k, c.right) for k, c in parts))))


@ALGEBRA("a number leads its product")
def leading_number(e: Expr):
    """k (A B) = (k A) B for a number k: the textbook reads 2 Aᵀ A left to right"""
    if isinstance(e, MatMul) and isinstance(e.left, Num) and isinstance(e.right, MatMul) \
            and not e.right.left.shape.is_scalar and not e.right.right.shape.is_scalar:
        return MatMul(MatMul(e.left, e.right.left), e.right.right)
