"""Points just either side of a kink: an entry a(X) of an argument of abs or relu (or of sqrt or a
fractional power, whose argument stays ≥ 0, as in sqrt((x − 4)²)) is driven to ±OFFSET by
Newton's method on one symbol it depends on (the derivatives from the same Taylor arithmetic),
so that a claim wrong only in a thin window past a kink (relu(x − 4) − relu(x − 4 − 10⁻⁹)) is
judged inside that window.
"""
from __future__ import annotations

import random

from flint import arb, ctx

from ..expr import Call, Entrywise, EPower, Expr, Power, Sym, distinct_nodes
from ..language import show
from .evaluate import NEEDS, Bindings, Evaluator
from .plan import structural, unit
from .ring import Tan, Undecided, base
from .sample import midpoint

OFFSET = arb(2) ** -128  # how far past the kink, relative to the moved symbol's entries
STEPS = 200  # Newton steps at most: a double or triple root (sqrt of a square) converges only linearly
STALL = 24  # Newton steps without halving the least distance to the target: no root is near (sqrt(var(x) + ε)
# never reaches 0; a root of multiplicity m is approached by a factor (m − 1)/m a step, 0.01 in 16 steps for m = 3)
PREC = 512
MANTISSA = 320  # bits kept of each moved entry (an exact binary fraction)
UNITS = 64  # entries of the symbol moved at most


def singular_arguments(*exprs: Expr) -> list[tuple[Expr, tuple[int, ...]]]:
    """(argument, the sides of 0 it takes) for the other places where f is not smooth at 0: the
    arguments of sqrt and of fractional powers (from above only) and a scalar argument of norm
    (|s|: from both sides)."""
    out = []
    for n in distinct_nodes(*exprs):
        if isinstance(n, Entrywise) and n.fn == "sqrt" and n.order == 0:
            out.append((n.arg, (1,)))
        elif isinstance(n, (Power, EPower)) and n.exponent.denominator != 1:
            out.append((n.base, (1,)))
        elif isinstance(n, Call) and "kinked scalar" in NEEDS.get(n.fn, ()) and n.arg.shape.is_scalar:
            out.append((n.arg, (1, -1)))
    # a constant argument (sqrt(2), sqrt(d) of a dimension d) has no symbol to move onto its kink
    return [(a, sides) for a, sides in out if any(isinstance(s, Sym) for s in distinct_nodes(a))]


def _scale(value) -> arb:
    """1 + the largest entry of the moved symbol: OFFSET is relative to it."""
    return 1 + max(abs(arb(v)) for row in value for v in row)


def _rounded(x: arb):
    """x's midpoint rounded to MANTISSA bits, exactly (Undecided where it is not finite)."""
    with ctx.workprec(MANTISSA):
        return midpoint(+x.mid())


def approach(arg: Expr, side: int, x: Sym, fixed: set[str], rng: random.Random):
    """A function moving a point's bindings so that one random entry of ``arg`` is just ``side``
    of 0: Newton steps on the wrt symbol ``x`` if arg depends on it, else on another symbol of arg
    that no assumption holds (``fixed``). Undecided when the entry cannot be placed there."""
    symbols = [s for s in distinct_nodes(arg) if isinstance(s, Sym) and s.name not in fixed]
    if not symbols:
        raise Undecided("no free symbol to move onto the kink")
    s = next((t for t in symbols if t.name == x.name), symbols[0])
    pick = rng.random()

    def move(b: Bindings) -> None:
        value = b.values[s.name]
        rows, cols = len(value), len(value[0])
        units = [at for _, _, at in structural(rows, cols, s.symmetric)]
        units = [unit(rows, cols, s.symmetric, at) for at in (rng.sample(units, UNITS) if len(units) > UNITS else units)]
        shaped = [[u[r * cols:(r + 1) * cols] for r in range(rows)] for u in units]
        r, c = None, None
        best, since = None, 0  # the least distance to the target so far, and the steps since it last halved
        for _ in range(STEPS):
            with ctx.workprec(PREC):
                moved = Bindings(b.values, b.dims, b.elementwise, b.scalar, tangents={s.name: shaped})
                entries = [v for row in Evaluator(moved)(arg) for v in row]
                if r is None:
                    r = int(pick * len(entries))
                a = entries[r]
                if type(a) is not Tan:
                    raise Undecided(f"an entry of the argument does not depend on {s.name}")
                grad = [a.d[i] for i in range(len(units))]
                norm = sum((g * g for g in grad), arb(0))
                if not norm > 0:
                    raise Undecided("no direction moves the argument here")
                scale = _scale(b.values[s.name])
                target = side * OFFSET * scale
                distance = abs(a.x - target)
                if distance <= OFFSET * scale / 4:
                    break
                if best is None or distance < best / 2:
                    best, since = distance, 0
                else:
                    since += 1
                    if since >= STALL:
                        break  # (said below: not brought just that side of 0)
                t = (a.x - target) / norm
                flat = [v for row in b.values[s.name] for v in row]
                for g, u in zip(grad, units):
                    step = t * g
                    flat = [v - _rounded(step * arb(w)) if w else v for v, w in zip(flat, u)]
                b.values[s.name] = [flat[i * cols:(i + 1) * cols] for i in range(rows)]
                b.cache.clear()
                c = a.x
        with ctx.workprec(PREC):
            a = [v for row in Evaluator(Bindings(b.values, b.dims, b.elementwise, b.scalar))(arg) for v in row][r]
            scale = _scale(b.values[s.name])
            if not (side * base(a) > 0 and abs(base(a)) <= 2 * OFFSET * scale):
                closest = "" if c is None else f", closest {c.str(3, radius=False)}"
                raise Undecided(f"Newton's method did not bring an entry of {show(arg)} just "
                                f"{'above' if side > 0 else 'below'} 0{closest}")

    return move
