"""Hypothesis strategies: random well-typed expressions over a fixed scope."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from matcalc.expr import (
    Add, Call, Div, EDiv, Entrywise, EPower, Eye, Hadamard, Let, MatMul, MatPower, Neg, Num, Ones, Power,
    ScalarFn, Sym, Transpose,
)
from matcalc.prooffile import make_scope
from matcalc.shapes import Shape

SCOPE = make_scope(
    {"A": "matrix(n, m)", "B": "matrix(m, n)", "S": "matrix(n, n)", "x": "vector(n)", "y": "vector(m)", "c": "scalar",
     "P": "symmetric(n)"},
    {"sigma": "elementwise", "C": "scalar"},
    {"z": "A * y + x", "u": "sigmoid(z)"},
)
SHAPES = [Shape("n", "m"), Shape("m", "n"), Shape("n", "n"), Shape("m", "m"), Shape("n", 1), Shape("m", 1), Shape(1, 1)]
DIMS = ("n", "m", 1)


def _leaves(shape: Shape, safe: bool):
    out = [SCOPE.symbol(n) for n, s in SCOPE.symbols.items() if s == shape]
    out += [Let(n, b) for n, b in SCOPE.lets.items() if b.shape == shape]
    if shape.is_scalar:
        out += [Num(Fraction(1)), Num(Fraction(2)), Num(Fraction(1, 2))]
    if shape.is_square and not shape.is_scalar:
        out.append(Eye(shape.rows))
    if not safe or not shape.is_scalar:
        out.append(Ones(shape.rows, shape.cols))
    return out


@st.composite
def exprs(draw, shape: Shape, depth: int = 3, safe: bool = False):
    """A random expression of ``shape``; ``safe`` keeps every function inside its domain
    for the checker's sampler (log and sqrt of positive forms, inverses of S only)."""
    leaves = _leaves(shape, safe)
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        if leaves:
            return draw(st.sampled_from(leaves))
    sub = lambda s: exprs(s, depth - 1, safe)  # noqa: E731
    kind = draw(st.sampled_from(
        ["add", "neg", "mul", "had", "ediv", "div", "tr", "pow", "epow", "ew", "call", "scalarfn", "transpose"]))
    r, c = shape.rows, shape.cols
    if kind == "add":
        terms = draw(st.lists(sub(shape), min_size=2, max_size=3))
        return Add(tuple(Neg(t) if draw(st.booleans()) else t for t in terms))
    if kind == "neg":
        return Neg(draw(sub(shape)))
    if kind == "mul":
        k = draw(st.sampled_from(DIMS))
        return MatMul(draw(sub(Shape(r, k))), draw(sub(Shape(k, c))))
    if kind == "had":
        return Hadamard(draw(sub(shape)), draw(sub(shape)))
    if kind == "ediv":
        den = Add((EPower(draw(sub(shape)), Fraction(2)), Num(Fraction(1)))) if safe else draw(sub(shape))
        return EDiv(draw(sub(shape)), den)
    if kind == "div":
        den = Add((Power(draw(sub(Shape(1, 1))), Fraction(2)), Num(Fraction(1)))) if safe else draw(sub(Shape(1, 1)))
        return Div(draw(sub(shape)), den)
    if kind == "transpose":
        return Transpose(draw(sub(Shape(c, r))))
    if kind == "pow" and shape.is_scalar:
        return Power(draw(sub(shape)), Fraction(draw(st.sampled_from([2, 3]))))
    if kind == "pow" and shape.is_square:
        return MatPower(draw(sub(shape)), draw(st.sampled_from([2, 3])))
    if kind == "epow":
        return EPower(draw(sub(shape)), Fraction(draw(st.sampled_from([2, 3]))))
    if kind == "ew":
        fn = draw(st.sampled_from(["exp", "log", "sigmoid", "tanh", "sqrt", "sigma", "sin", "cos", "tan", "abs", "relu"]))
        arg = draw(sub(shape))
        if safe and fn in ("log", "sqrt"):
            arg = Add((EPower(arg, Fraction(2)), Num(Fraction(1))))
        if safe and fn in ("exp", "tan"):  # bounded: no overflow, no pole
            arg = Entrywise("tanh", arg)
        if safe and fn in ("abs", "relu"):  # never 0 at a rational point, even when arg is 0
            arg = Add((EPower(arg, Fraction(3)), Num(Fraction(1, 3))))
        return Entrywise(fn, arg, draw(st.integers(0, 1)) if fn != "log" or not safe else 0)
    if kind == "tr" and shape.is_scalar:
        k = draw(st.sampled_from(("n", "m")))
        return Call("tr", draw(sub(Shape(k, k))))
    if kind == "call":
        if shape.is_scalar:
            fn = draw(st.sampled_from(["sum", "norm", "det", "logdet"]))
            if fn in ("det", "logdet"):
                return Call(fn, Sym("S", SCOPE.symbols["S"]) if safe else draw(sub(Shape("n", "n"))))
            return Call(fn, draw(sub(draw(st.sampled_from(SHAPES)))))
        if shape == Shape("n", "n"):
            return Call("inv", Sym("S", shape) if safe else draw(sub(shape)))
        if c == 1:
            return Call("softmax", draw(sub(shape)))
    if kind == "scalarfn":
        if shape.is_scalar:
            return ScalarFn("C", draw(sub(draw(st.sampled_from(SHAPES)))))
        if not safe:
            return ScalarFn("C", draw(sub(shape)), 1)
    return draw(st.sampled_from(leaves)) if leaves else draw(exprs(shape, depth, safe))
