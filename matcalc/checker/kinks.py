"""Points just either side of a kink: an entry a(X) of an argument of abs or relu (or of sqrt or a
fractional power, whose argument stays ≥ 0, as in sqrt((x − 4)²)) is placed on the asked side of 0
with the symbol moved within 2^-k of the kink, so that a claim wrong only in a thin window past a
kink (relu(x − 4) − relu(x − 4 − 10⁻⁹)) is judged inside that window. 2^-k is relative to the
symbol's scale (1 + its largest entry): 2^-128, or 2^-64 of the narrowest window the constants
written can make where that is smaller (plan.kink_bits).

The rule: Newton's method on the symbol (derivatives from the same Taylor arithmetic), each step
aimed at 2^-k/2 past the root on the asked side and lengthened by the root's multiplicity m, as
estimated from the last step where it shortened the Newton step a ∇a/‖∇a‖² (near a root of
multiplicity m, a step S changes it by S/m: m = 1/(1 − ρ) for a plain step shortening it by ρ),
else 1; so a double or sixth root ((x − 4)⁶) converges in a few steps, as a simple one does. The
point is placed once a is certainly on the asked side and the distance to the root, m·|a|/‖∇a‖, is
within 2^-k; when the Newton distance |a|/‖∇a‖ has not halved in STALL steps, no root is near
(sqrt(var(x) + ε)) and it gives up.
"""
from __future__ import annotations

import random

from flint import arb, ctx

from ..expr import Call, Entrywise, EPower, Expr, Power, Sym, distinct_nodes
from ..language import show
from .evaluate import NEEDS, Bindings, Evaluator
from .plan import structural, unit
from .ring import Tan, Undecided
from .sample import midpoint

STEPS = 200  # Newton steps at most
STALL = 24  # Newton steps without halving the least Newton distance: no root is near
MULTIPLICITY = 64  # the largest multiplicity a step is lengthened by
GUARD = 192  # bits kept of each moved entry beyond k (an exact binary fraction), and as many again to evaluate
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
    """1 + the largest entry of the moved symbol: the offset 2^-k is relative to it."""
    return 1 + max(abs(arb(v)) for row in value for v in row)


def _rounded(x: arb, bits: int):
    """x's midpoint rounded to ``bits`` bits, exactly (Undecided where it is not finite)."""
    with ctx.workprec(bits):
        return midpoint(+x.mid())


def approach(arg: Expr, side: int, x: Sym, fixed: set[str], rng: random.Random, k: int):
    """A function moving a point's bindings so that one random entry of ``arg`` is within 2^-k of
    its kink on ``side`` of 0: Newton steps on the wrt symbol ``x`` if arg depends on it, else on
    another symbol of arg that no assumption holds (``fixed``). Undecided when the entry cannot be
    placed there."""
    symbols = [s for s in distinct_nodes(arg) if isinstance(s, Sym) and s.name not in fixed]
    if not symbols:
        raise Undecided("no free symbol to move onto the kink")
    s = next((t for t in symbols if t.name == x.name), symbols[0])
    pick = rng.random()
    mantissa, prec, offset = k + GUARD, k + 2 * GUARD, arb(2) ** -k

    def move(b: Bindings) -> None:
        value = b.values[s.name]
        rows, cols = len(value), len(value[0])
        units = [at for _, _, at in structural(rows, cols, s.symmetric)]
        units = [unit(rows, cols, s.symmetric, at) for at in (rng.sample(units, UNITS) if len(units) > UNITS else units)]
        shaped = [[u[r * cols:(r + 1) * cols] for r in range(rows)] for u in units]
        r = None
        m = arb(1)  # the root's multiplicity, as estimated
        last = None  # the last Newton step c ∇a as (c, ∇a, ‖∇a‖²), the step t ∇a taken (t), and |a|/‖∇a‖
        best, since = None, 0  # the least Newton distance so far, and the steps since it last halved
        for _ in range(STEPS):
            with ctx.workprec(prec):
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
                newton = (a.x / norm, grad, norm)  # a root of multiplicity m is m Newton steps away
                length = norm.sqrt()
                distance = abs(a.x) / length
                if last is not None:  # re-estimated after a step that shortened the Newton step, else 1
                    before, taken, was = last
                    m = _multiplicity(m, before, taken, newton) if distance < was else arb(1)
                reach = offset * _scale(b.values[s.name])
                if side * a.x > 0 and m * distance <= reach:
                    return
                if best is None or distance < best / 2:
                    best, since = distance, 0
                else:
                    since += 1
                    if since >= STALL:
                        break
                # to m Newton steps (the root), then reach / 2 on to the asked side
                t = (m * a.x - side * reach / 2 * length) / norm
                flat = [v for row in b.values[s.name] for v in row]
                for g, u in zip(grad, units):
                    step = t * g
                    flat = [v - _rounded(step * arb(w), mantissa) if w else v for v, w in zip(flat, u)]
                b.values[s.name] = [flat[i * cols:(i + 1) * cols] for i in range(rows)]
                b.cache.clear()
                last = (newton, t, distance)
        raise Undecided(f"Newton's method did not bring an entry of {show(arg)} just "
                        f"{'above' if side > 0 else 'below'} 0, closest {a.x.str(3, radius=False)}")

    return move


def _multiplicity(m: arb, before: tuple, t: arb, after: tuple) -> arb:
    """The multiplicity of the root a step approached: the step t ∇a taken changed the Newton step
    (``before`` to ``after``, each c ∇a as (c, ∇a, ‖∇a‖²)) by t ∇a / m (least squares over the units);
    ``m`` kept where that says nothing; within [1, MULTIPLICITY]."""
    (c0, g0, n0), (c1, g1, n1) = before, after
    cross = sum((p * q for p, q in zip(g0, g1)), arb(0))
    size = c0 * c0 * n0 - 2 * c0 * c1 * cross + c1 * c1 * n1  # ‖c0 ∇a0 − c1 ∇a1‖²
    if not size > 0:
        return m
    estimate = t * (c0 * n0 - c1 * cross) / size
    if not estimate.is_finite():
        return m
    return max(arb(1), min(arb(MULTIPLICITY), estimate.mid()))
