"""Broadcasting and reductions along an axis, written with the language's own nodes.

NumPy's 2-D broadcasting and the reductions ``sum``, ``mean``, ``var``, ``logsumexp`` and
``softmax`` with ``axis=`` are spelt out by the parser with products by ``ones``: a column b (m×1)
repeated along the n columns is b 1ₙᵀ, the column sums of A (m×n) are 1ₘᵀ A, its row sums A 1ₙ.
So the engine's trace rules (tr(Mᵀ b 1ᵀ) = tr((M 1)ᵀ b): a broadcast bias's gradient is summed
over the broadcast axis), the checker's evaluator, the printers, code export and the SymPy
bridge need nothing new, and the result is one expression in the language that parses back.
"""
from __future__ import annotations

from .errors import ShapeError
from .expr import Add, Call, DimValue, Div, EDiv, Entrywise, EPower, Expr, MatMul, Neg, Num, Ones, Transpose, described
from .shapes import Shape

#: The functions taking ``axis=``, and what each does without it.
AXIS_FUNCTIONS = ("sum", "mean", "var", "logsumexp", "softmax")
#: The ones spelt out here (not operator records): their names, for the parser.
SPELT_OUT = ("mean", "var", "logsumexp")


def axis_of(text: str) -> int | None:
    """The axis ``axis=text`` names: 0 (down each column, also -2) or 1 (along each row, also -1);
    None for any other text."""
    return {"0": 0, "1": 1, "-1": 1, "-2": 0}.get(text)


def broadcast_shape(shapes: list[Shape], verb: str, operands: list[Expr]) -> Shape:
    """The shape NumPy broadcasting gives operands of these shapes (2-D: a dimension 1 is repeated);
    a ShapeError naming the two operands when they do not broadcast."""
    rows, cols = shapes[0].rows, shapes[0].cols
    first = operands[0]
    for s, e in zip(shapes[1:], operands[1:]):
        r = _joined(rows, s.rows)
        c = _joined(cols, s.cols)
        if r is None or c is None:
            raise ShapeError(f"cannot {verb} {described(first)} and {described(e)}")
        rows, cols = r, c
    return Shape(rows, cols)


def _joined(a, b):
    if a == b or b == 1:
        return a
    if a == 1:
        return b
    return None


def spread(e: Expr, shape: Shape) -> Expr:
    """e repeated to ``shape`` (a scalar stays, it broadcasts already): a column b as b 1ᵀ (b * ones(n)'), a row r
    as 1 r, a 1×1 as itself."""
    s = e.shape
    if s == shape or s.is_scalar:
        return e
    if s.cols == 1 and shape.cols != 1:
        e = MatMul(e, Transpose(Ones(shape.cols)))
    if s.rows == 1 and shape.rows != 1:
        e = MatMul(Ones(shape.rows), e)
    return e


def broadcast(build, operands: list[Expr], verb: str) -> Expr:
    """``build(*operands)``, each operand first repeated to the shape NumPy broadcasting gives."""
    shape = broadcast_shape([o.shape for o in operands], verb, operands)
    return build(*[spread(o, shape) for o in operands])


def count(rows, cols=1) -> Expr:
    """The number of entries of a rows×cols matrix as a scalar expression: a number for fixed
    dimensions, a dimension used as a number (n, m * n, 3 * n) for named ones, else sum(ones(rows, cols))."""
    if isinstance(rows, int) and isinstance(cols, int):
        return Num(rows * cols)
    if isinstance(rows, (int, str)) and isinstance(cols, (int, str)):
        factors = [DimValue(d) if isinstance(d, str) else Num(d) for d in (rows, cols) if d != 1]
        return factors[0] if len(factors) == 1 else MatMul(*factors)
    return Call("sum", Ones(rows, cols))


def axis_sum(a: Expr, axis: int | None) -> Expr:
    """sum(A) of every entry; sum(A, axis=0) = 1ᵀ A (a row); sum(A, axis=1) = A 1 (a column)."""
    if axis is None:
        return Call("sum", a)
    if axis == 0:
        return a if a.shape.rows == 1 else MatMul(Transpose(Ones(a.shape.rows)), a)
    return a if a.shape.cols == 1 else MatMul(a, Ones(a.shape.cols))


def axis_mean(a: Expr, axis: int | None) -> Expr:
    """mean = sum / the number of entries summed"""
    s = a.shape
    n = count(s.rows, s.cols) if axis is None else count(s.rows) if axis == 0 else count(s.cols)
    if n == Num(1):
        return a
    return Div(axis_sum(a, axis), n)


def axis_var(a: Expr, axis: int | None) -> Expr:
    """var = mean((A - mean(A)) .^ 2), the population variance, along the axis"""
    centred = Add((a, Neg(spread(axis_mean(a, axis), a.shape))))
    return axis_mean(EPower(centred, 2), axis)


def axis_logsumexp(a: Expr, axis: int | None) -> Expr:
    """logsumexp = log(sum(exp(A))) along the axis"""
    return Entrywise("log", axis_sum(Entrywise("exp", a), axis))


def axis_softmax(a: Expr, axis: int | None) -> Expr:
    """softmax(Z, axis) = exp(Z) ./ (the sums of exp(Z) along the axis, repeated); of a column along
    axis 0 (or of any column without an axis) the record softmax(z)."""
    s = a.shape
    if axis is None or (axis == 0 and s.cols == 1):
        return Call("softmax", a)
    if axis == 1 and s.rows == 1:
        return Transpose(Call("softmax", Transpose(a)))
    ez = Entrywise("exp", a)
    return EDiv(ez, repeated_sums(ez, axis))


def repeated_sums(a: Expr, axis: int) -> Expr:
    """The sums of a along the axis, repeated to a's shape: 1 1ᵀ A (axis 0, associated as the engine's
    products are, so that a derived softmax prints folded) or A 1 1ᵀ (axis 1)."""
    if axis == 0 and a.shape.rows != 1:
        return MatMul(MatMul(Ones(a.shape.rows), Transpose(Ones(a.shape.rows))), a)
    return spread(axis_sum(a, axis), a.shape)


REDUCTIONS = {"sum": axis_sum, "mean": axis_mean, "var": axis_var, "logsumexp": axis_logsumexp,
              "softmax": axis_softmax}


def reduce(fn: str, a: Expr, axis: int | None) -> Expr:
    """fn(a) or fn(a, axis=...) for fn in AXIS_FUNCTIONS."""
    return REDUCTIONS[fn](a, axis)


def _axis_sum_of(e: Expr) -> tuple[Expr, int] | None:
    """(A, axis) when e is sum(A, axis=...) as spelt out: 1ᵀ A (axis 0) or A 1 (axis 1)."""
    if isinstance(e, MatMul):
        left, right = e.left, e.right
        if isinstance(left, Transpose) and isinstance(left.arg, Ones) and left.arg.cols == 1 and left.arg.rows != 1 \
                and right.shape.rows == left.arg.rows:
            return right, 0
        if isinstance(right, Ones) and right.cols == 1 and right.rows != 1 and left.shape.cols == right.rows:
            return left, 1
    return None


def _exp_of(e: Expr) -> Expr | None:
    return e.arg if isinstance(e, Entrywise) and e.fn == "exp" and e.order == 0 else None


def spelt_reduction(e: Expr) -> tuple[str, Expr, int | None] | None:
    """(fn, A, axis) when e is one of this module's spellings that code export writes with the
    array library's own reduction: sum(A, axis), logsumexp(A) or logsumexp(A, axis) (shifted by the
    maximum there, so that exp cannot overflow), softmax(A, axis); else None."""
    summed = _axis_sum_of(e)
    if summed is not None:
        return "sum", summed[0], summed[1]
    if isinstance(e, Entrywise) and e.fn == "log" and e.order == 0:
        inner = e.arg
        if isinstance(inner, Call) and inner.fn == "sum" and _exp_of(inner.arg) is not None:
            return "logsumexp", _exp_of(inner.arg), None
        summed = _axis_sum_of(inner)
        if summed is not None and _exp_of(summed[0]) is not None:
            return "logsumexp", _exp_of(summed[0]), summed[1]
    softmax = spelt_softmax(e)
    if softmax is not None:
        return "softmax", softmax[0], softmax[1]
    return None


def spelt_softmax(e: Expr) -> tuple[Expr, int] | None:
    """(Z, axis) when e is softmax(Z, axis=...) as spelt out: exp(Z) ⊘ (1 1ᵀ exp(Z)) or exp(Z) ⊘ (exp(Z) 1 1ᵀ)."""
    if isinstance(e, EDiv) and _exp_of(e.left) is not None:
        for axis in (0, 1):
            ez = e.left
            if e.right == repeated_sums(ez, axis) and e.right != ez:
                return ez.arg, axis
    return None


def column_sums_of(e: Expr) -> Expr | None:
    """A when e is sum(A, axis=0) of a matrix A (not a column) as spelt out, 1ᵀ A; else None."""
    summed = _axis_sum_of(e)
    return summed[0] if summed is not None and summed[1] == 0 and summed[0].shape.cols != 1 else None


def broadcast_column(e: Expr, shape: Shape) -> Expr | None:
    """c when e is the column c (not negated) repeated to ``shape``'s columns as the parser spells
    ``A + c``, c 1ᵀ; else None."""
    if isinstance(e, MatMul) and isinstance(e.right, Transpose) and isinstance(e.right.arg, Ones) \
            and e.right.arg.cols == 1 and e.shape == shape and shape.cols != 1 and e.left.shape.cols == 1 \
            and e.left.shape.rows != 1 and not isinstance(e.left, Neg):
        return e.left
    return None
