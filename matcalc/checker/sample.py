"""Concrete instances for a claim: size assignments for the dimension names, random points,
assumptions satisfied by construction, and the domain restrictions a claim needs.

A symbol is restricted only where the domain requires it: positive when it is itself the
argument of log, sqrt or a fractional power; det > 0 when it is itself the argument of
logdet. Everything else is sampled freely over both signs, and a point where some argument
leaves its domain is drawn again; only when that keeps failing are the symbols under the
failing argument made positive, and the verdict says so.
"""
from __future__ import annotations

import random
from fractions import Fraction

from ..errors import MatcalcError
from ..expr import (
    Call, Div, EDiv, Entrywise, EPower, Expr, Hadamard, Kron, Let, MatMul, MatPower, Num, Power, Sym, Transpose,
    distinct_nodes, post_order,
)
from ..shapes import Shape, dim_names
from .evaluate import Bindings, Matrix, NotExact, binary_fraction, evaluate, lu_solve_det, to_fraction

SIZES = (2, 3, 4, 5, 6, 7)
MAX_PAIRS = 15  # patterns with one pair of names equal (or one name 1) at most: every pair up to six names


def dimension_names(shapes: list[Shape], exprs: list[Expr]) -> list[str]:
    """Every dimension name in the declared shapes and in the shape of any subexpression
    (eye(k), ones(p, q), commutation(m, n), products m·n), in order of first appearance."""
    names: dict[str, None] = {}
    for shape in [*shapes, *(n.shape for n in distinct_nodes(*exprs))]:
        for d in (shape.rows, shape.cols):
            names.update(dict.fromkeys(dim_names(d)))
    return list(names)


def _partitions(items: list):
    """Every way to split ``items`` into blocks (set partitions), the finest first."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for p in _partitions(rest):
        yield [[first]] + p
        for i in range(len(p)):
            yield p[:i] + [[first] + p[i]] + p[i + 1:]


def distinct_sizes(names: list[str], count: int = 3) -> list[dict[str, int]]:
    """``count`` assignments giving distinct names distinct sizes (2, 3, 4, ...), rotated between
    assignments: a missing transpose cannot pass."""
    pool = list(range(2, 2 + len(names))) if len(names) > len(SIZES) else list(SIZES[: max(len(names), 3)])
    return [{n: pool[(i + k) % len(pool)] for i, n in enumerate(names)} for k in range(count)]


def equal_sizes(names: list[str], rng: random.Random, fixed: tuple[int, ...] = ()) -> list[dict[str, int]]:
    """Assignments where dimensions coincide: every pattern of equalities for up to three names,
    else all equal, each pair equal (every pair up to six names, else MAX_PAIRS at random) and two random
    patterns; every name equal to each fixed size ≥ 2 a declaration uses (matrix(5, n) with
    n = 5); and each name 1 alone. A term that vanishes unless m = n (det(Bᵀ C) det(B Cᵀ)) is
    then seen."""
    if not names:
        return []
    if len(names) == 1:
        patterns = [[names]]
    elif len(names) <= 3:
        patterns = [p for p in _partitions(names) if len(p) < len(names)]
    else:
        pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
        pairs = rng.sample(pairs, min(len(pairs), MAX_PAIRS))
        patterns = [[names]] + [[[a, b]] + [[n] for n in names if n not in (a, b)] for a, b in pairs]
        patterns += [_random_partition(names, rng) for _ in range(2)]
    out = []
    for blocks in patterns:
        sizes = rng.sample(range(2, 2 + max(len(blocks), 3)), len(blocks))
        out.append({n: s for block, s in zip(blocks, sizes) for n in block})
    out += [{n: v for n in names} for v in sorted(set(fixed)) if v >= 2]
    if len(names) > 1:
        base = distinct_sizes(names, 1)[0]
        out += [{**base, n: 1} for n in names[:MAX_PAIRS]]
    return out


def _random_partition(names: list[str], rng: random.Random) -> list[list[str]]:
    blocks: list[list[str]] = []
    for n in names:
        k = rng.randrange(len(blocks) + 1)
        if k == len(blocks):
            blocks.append([n])
        else:
            blocks[k].append(n)
    return blocks


MAX_LARGE = 12  # the largest size of the one assignment of large sizes


def large_size(exprs: list[Expr]) -> int:
    """One more than the polynomial degree of the expressions in their symbols (5 at least,
    MAX_LARGE at most): a term built to vanish at every size up to its degree (A^5 - e1 A^4 + ...
    by Cayley-Hamilton) does not vanish there. det, inv and functions count their argument's degree."""
    degree: dict[Expr, int] = {}
    for n in post_order(*exprs):
        kids = [degree[k] for k in n.children]
        if isinstance(n, Sym):
            d = 1
        elif isinstance(n, (MatMul, Hadamard, Kron, EDiv, Div)):
            d = sum(kids)
        elif isinstance(n, (MatPower, Power, EPower)):
            d = kids[0] * min(abs(int(n.exponent)), MAX_LARGE)
        else:
            d = max(kids, default=0)
        degree[n] = min(d, MAX_LARGE)
    return max(5, min(MAX_LARGE, 1 + max(degree[e] for e in exprs)))


def largest_number(exprs: list[Expr]) -> Fraction:
    """The largest number written in the expressions (a number or an integer power of one, 10^30),
    at least 1."""
    out = Fraction(1)
    for n in distinct_nodes(*exprs):
        if isinstance(n, Num):
            out = max(out, n.value)
        if isinstance(n, Power) and isinstance(n.base, Num) and n.exponent.denominator == 1 and n.base.value > 1 \
                and n.exponent * n.base.value.numerator.bit_length() < 4096:
            out = max(out, n.base.value ** int(n.exponent))
    return out


def _core(e: Expr) -> Expr:
    while isinstance(e, (Let, Transpose)):
        e = e.body if isinstance(e, Let) else e.arg
    return e


def required(exprs: list[Expr]) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """What the domain requires of the symbols themselves: {symbol: reason} for those that must
    be positive (the argument of log, sqrt, a fractional power) and for those whose determinant
    must be positive (the argument of logdet); and the square symbols under det, logdet or inv,
    which are drawn well conditioned."""
    positive: dict[str, str] = {}
    det_positive: dict[str, str] = {}
    invertible: set[str] = set()
    for n in distinct_nodes(*exprs):
        if _needs_positive(n) and isinstance(_core(_argument(n)), Sym):
            positive.setdefault(_core(_argument(n)).name, str(n))
        if isinstance(n, Call) and n.fn in ("det", "logdet", "inv"):
            invertible |= {s.name for s in distinct_nodes(n.arg) if isinstance(s, Sym)}
            if n.fn == "logdet" and isinstance(_core(n.arg), Sym):
                det_positive.setdefault(_core(n.arg).name, str(n))
    return positive, det_positive, invertible


def _needs_positive(n: Expr) -> bool:
    if isinstance(n, Entrywise) and n.fn in ("log", "sqrt"):
        return True
    return isinstance(n, (Power, EPower)) and n.exponent.denominator != 1


def _argument(n: Expr) -> Expr:
    return n.base if isinstance(n, (Power, EPower)) else n.arg


def symbols_under(node: Expr) -> set[str]:
    """The symbols inside the argument of a node whose domain failed."""
    return {s.name for s in distinct_nodes(_argument(node)) if isinstance(s, Sym)} if _needs_positive(node) else set()


def random_matrix(rng: random.Random, rows: int, cols: int, *, positive: bool, dominant: bool,
                  scale: Fraction = Fraction(1)) -> Matrix:
    """Non-zero rationals p/q of either sign in [-3, 3] (positive ones in (0, 3]), times ``scale``,
    each with its own denominator q in 5..31: no small grid that a claim could vanish on. A
    square ``dominant`` one gets ±(n+1) on its diagonal, each sign at random, so that it is
    well conditioned (the other instances draw plain ones, whose determinant's sign is not
    that of their diagonal)."""
    def entry():
        q = rng.randint(5, 31)
        p = rng.randint(1, 3 * q) if positive else 0
        while p == 0:
            p = rng.randint(-3 * q, 3 * q)
        return Fraction(p, q) if scale == 1 else Fraction(p, q) * scale

    m = [[entry() for _ in range(cols)] for _ in range(rows)]
    if dominant and rows == cols and not positive:
        m = [[x / 4 + (rng.choice((-1, 1)) * (rows + 1) * scale if i == j else 0) for j, x in enumerate(r)]
             for i, r in enumerate(m)]
    return m


def symmetrised(a: Matrix) -> Matrix:
    """a's upper triangle mirrored into its lower one: a symmetric matrix."""
    return [[a[min(i, j)][max(i, j)] for j in range(len(a))] for i in range(len(a))]


def with_det_sign(a: Matrix, sign: int) -> Matrix:
    """a, changed if need be so that det(a) has the given sign (or is 0): its first row negated;
    a symmetric a keeps its symmetry: a₁₁ moved by t = -2 det(a) / det(minor₁₁), which negates
    det(a) (det is linear in a₁₁ with slope det(minor₁₁)), unless that minor is singular."""
    det = to_fraction(lu_solve_det(a, None)[0])
    if det * sign >= 0:
        return a
    if a != symmetrised(a) or len(a) == 1:
        return [[-x for x in a[0]]] + a[1:]
    minor = to_fraction(lu_solve_det([r[1:] for r in a[1:]], None)[0])
    if minor == 0:
        return a
    return [[a[0][0] - 2 * det / minor] + a[0][1:]] + a[1:]


def assumed_symbol(assumption) -> str:
    """The one symbol a scalar equality constrains; a MatcalcError for any other assumption."""
    names = sorted({n.name for n in distinct_nodes(assumption.lhs, assumption.rhs) if isinstance(n, Sym)})
    if len(names) != 1 or not assumption.lhs.shape.is_scalar:
        raise MatcalcError(f"cannot honour assumption '{assumption}': only a scalar equality in one symbol is supported")
    return names[0]


def check_assumptions(assume) -> None:
    """At most one assumption per symbol: each is honoured by moving its symbol, which would undo another's."""
    seen: dict[str, object] = {}
    for a in assume:
        y = assumed_symbol(a)
        if y in seen:
            raise MatcalcError(f"cannot honour both '{seen[y]}' and '{a}': only one assumption per symbol is supported")
        seen[y] = a


CONSTANT_BITS = 8192  # an assumption's irrational value as a fraction of at most this many bits (exp(1): 5,200)


def satisfy(assumption, b: Bindings) -> tuple[str, list]:
    """Make a linear equality in one symbol hold exactly by moving that symbol along the
    equality's normal; returns (symbol, normal) or raises when it cannot be honoured."""
    lhs, rhs = assumption.lhs, assumption.rhs
    text = f"{assumption}"
    y = assumed_symbol(assumption)

    def g(vals: Matrix) -> Fraction:
        """lhs - rhs with y = vals: exactly, or the working precision's value as the binary
        fraction it is (an irrational constant, sum(x) = exp(1))."""
        saved = b.values[y]
        b.values[y] = vals
        try:
            try:
                exact = Bindings(**{**b.__dict__, "exact": True})
                return Fraction(evaluate(lhs, exact)[0][0] - evaluate(rhs, exact)[0][0])
            except NotExact:
                value = binary_fraction(evaluate(lhs, b)[0][0] - evaluate(rhs, b)[0][0])
                if value.denominator.bit_length() > CONSTANT_BITS:
                    raise MatcalcError(f"cannot honour assumption '{text}': its value needs more than "
                                       f"{CONSTANT_BITS:,} bits as a fraction")
                return value
        finally:
            b.values[y] = saved

    shape = b.values[y]
    rows, cols = len(shape), len(shape[0])
    zero = [[Fraction(0)] * cols for _ in range(rows)]
    c = g(zero)
    normal = []
    for i in range(rows * cols):
        unit = [[Fraction(int(r * cols + k == i)) for k in range(cols)] for r in range(rows)]
        normal.append(g(unit) - c)
    current = [x for r in b.values[y] for x in r]
    predicted = c + sum(a * v for a, v in zip(normal, current))
    if abs(g(b.values[y]) - predicted) > Fraction(1, 10**20) * (1 + abs(predicted)) or not any(normal):
        raise MatcalcError(f"cannot honour assumption '{text}': it is not a linear equality in {y}")
    t = predicted / sum(a * a for a in normal)
    moved = [v - t * a for v, a in zip(current, normal)]
    b.values[y] = [moved[r * cols:(r + 1) * cols] for r in range(rows)]
    return y, normal

