"""Points just either side of a kink: an entry a(X) of an argument of abs or relu (or of sqrt or a
fractional power, whose argument stays ≥ 0, as in sqrt((x − 4)²)) is placed on the asked side of 0
with the symbol moved within 2^-k of the kink (relative to the symbol's scale, 1 + its largest
entry), k = KINK_BITS (128) or more where another kink is near, so that a claim wrong only in a
window past a kink is judged inside it.

Placing: Newton's method on the symbol (derivatives from the same Taylor arithmetic), each step
aimed at 2^-k/2 past the root on the asked side and lengthened by the root's multiplicity m, as
estimated from the last step where it shortened the Newton step a ∇a/‖∇a‖² (near a root of
multiplicity m, a step S changes it by S/m: m = 1/(1 − ρ) for a plain step shortening it by ρ),
else 1; so a double or sixth root ((x − 4)⁶) converges in a few steps, as a simple one does. The
point is placed once a is certainly on the asked side and the distance to the root, m·|a|/‖∇a‖, is
within 2^-k; when the Newton distance |a|/‖∇a‖ has not halved in STALL steps, no root is near
(sqrt(var(x) + ε)) and it gives up.

Windows, found from the point: a window is the gap between two kinks that nearly coincide along
the moved symbol (relu(x − 4) − relu(x − 4 − e⁻¹⁰⁰), relu(x − 4) − relu(2x − 8 − 10⁻⁴⁰)/2), whatever
makes it. Once placed, every entry of every kinked argument of f and the claims is followed along
the line X + t u of the last step (u = −side ∇a/‖∇a‖, towards the chosen kink, at t₀): φ(t) =
entry(X + t u) has its root by Schröder's iteration t ← t − φφ'/(φ'² − φφ''), which converges
whatever the root's multiplicity, as a ball at WINDOW_PREC bits. When another kink lies certainly
between the point and the chosen one, 0 < t < t₀, the point has jumped over the window of width
w = t₀ − t between them: k is raised to log2(scale / w) + WINDOW_BITS and Newton's method goes on,
so that the point ends inside the window, within 2^-64 of its width of the chosen kink; and again
while a kink is between, up to MOST_KINK_BITS (beyond, Undecided, and said: the comparisons there
must decide within the checker's BUDGET bits). Kinks that coincide to WINDOW_PREC bits (x − 4 under
abs and (x − 4)² under sqrt; the entries (i, j) and (j, i) of a symmetric S − 4) make no window.

Reflected (the second point of each side): once placed, the point is moved through the kink to
X + 2t₀u where the entry keeps its side there, so that a root of even multiplicity ((x − 4)⁶) is
reached from both sides, whichever side the random point started on; its windows are then sought.
"""
from __future__ import annotations

import random

from flint import arb, ctx, fmpq

from ..expr import Call, Entrywise, EPower, Expr, Power, Sym, distinct_nodes
from ..language import show
from .decide import BUDGET
from .evaluate import NEEDS, Bindings, Evaluator
from .plan import KINK_BITS, WINDOW_BITS, structural, unit
from .ring import DomainError, Pair, Tan, Undecided, base, coefficient
from .sample import midpoint

STEPS = 200  # Newton steps at most
STALL = 24  # Newton steps without halving the least Newton distance: no root is near
MULTIPLICITY = 64  # the largest multiplicity a step is lengthened by
GUARD = 192  # bits kept of each moved entry beyond k (an exact binary fraction), and as many again to evaluate
UNITS = 64  # entries of the symbol moved at most
MOST_KINK_BITS = BUDGET // 2  # and no nearer than 2^-3072: its comparisons must decide within BUDGET bits
WINDOW_PREC = BUDGET + 2 * GUARD  # the bits at which kinks along the line are told apart
ROOT_STEPS = 8  # Schröder steps at most for one kink along the line


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


def _log2(x: arb) -> int:
    """⌈log2 x⌉ for a positive ball (its upper bound)."""
    with ctx.workprec(64):
        return int((x.log() / arb(2).log()).upper().ceil().unique_fmpz())


def _entries(count: int, cols: int, entry: str) -> list[int]:
    """The flat indices of a matrix's entries of the kind asked (``diagonal``, ``off-diagonal``; all
    for "" or where there are none of that kind)."""
    diagonal = [i for i in range(count) if i // cols == i % cols]
    kind = {"diagonal": diagonal, "off-diagonal": [i for i in range(count) if i // cols != i % cols]}.get(entry)
    return kind or list(range(count))


def approach(arg: Expr, side: int, x: Sym, fixed: set[str], rng: random.Random, k: int = KINK_BITS,
             kinked: tuple = (), entry: str = "", reflect: bool = False):
    """A function moving a point's bindings so that one random entry of ``arg`` (of the kind
    ``entry`` names, where there are such) is within 2^-k of its kink on ``side`` of 0, or nearer
    where another kink of ``kinked`` (every kinked argument of f and the claims) is between:
    Newton steps on the wrt symbol ``x`` if arg depends on it, else on another symbol of arg that
    no assumption holds (``fixed``); with ``reflect``, then reflected through the kink along the
    line where the entry keeps its side there (a root of even multiplicity, as (x − 4)⁶ from below
    and from above). Undecided when the entry cannot be placed there."""
    symbols = [s for s in distinct_nodes(arg) if isinstance(s, Sym) and s.name not in fixed]
    if not symbols:
        raise Undecided("no free symbol to move onto the kink")
    s = next((t for t in symbols if t.name == x.name), symbols[0])
    pick = rng.random()
    others = list(dict.fromkeys([arg, *kinked]))

    def move(b: Bindings) -> None:
        value = b.values[s.name]
        rows, cols = len(value), len(value[0])
        units = [at for _, _, at in structural(rows, cols, s.symmetric)]
        units = [unit(rows, cols, s.symmetric, at) for at in (rng.sample(units, UNITS) if len(units) > UNITS else units)]
        shaped = [[u[r * cols:(r + 1) * cols] for r in range(rows)] for u in units]
        chosen, bits, turn = None, k, reflect
        while True:
            chosen, grad = _place(b, s, arg, side, units, shaped, chosen, pick, entry, bits)
            line = _Line(b, s, grad, side, units, cols, bits + 2 * GUARD)
            if turn:
                turn = False
                if line.reflect(arg, chosen, side):
                    continue  # placed again (and its windows sought) on the other side of the kink
            width = line.window(others, chosen)
            if width is None:
                return
            bits = max(bits + 1, WINDOW_BITS + _log2(_scale(b.values[s.name]) / width.lower()))
            if bits > MOST_KINK_BITS:
                raise Undecided(f"another kink is within 2^-{bits - WINDOW_BITS} of the kink of {show(arg)} "
                                f"(relative to the scale): a point between them would need comparisons beyond "
                                f"{BUDGET} bits")

    return move


def _place(b: Bindings, s: Sym, arg: Expr, side: int, units: list, shaped: list, r: int | None, pick: float,
           entry: str, bits: int) -> tuple[int, list]:
    """Newton's method (the module's rule) moving symbol ``s`` until entry r of ``arg`` (chosen here
    by ``pick`` among the entries of the kind ``entry`` when r is None) is within 2^-bits of its
    kink on ``side``: r, and the entry's gradient over the units there."""
    value = b.values[s.name]
    rows, cols = len(value), len(value[0])
    mantissa, prec, offset = bits + GUARD, bits + 2 * GUARD, arb(2) ** -bits
    m = arb(1)  # the root's multiplicity, as estimated
    last = None  # the last Newton step c ∇a as (c, ∇a, ‖∇a‖²), the step t ∇a taken (t), and |a|/‖∇a‖
    best, since = None, 0  # the least Newton distance so far, and the steps since it last halved
    for _ in range(STEPS):
        with ctx.workprec(prec):
            moved = Bindings(b.values, b.dims, b.elementwise, b.scalar, tangents={s.name: shaped})
            matrix = Evaluator(moved)(arg)
            entries = [v for row in matrix for v in row]
            if r is None:
                kind = _entries(len(entries), len(matrix[0]), entry)
                r = kind[int(pick * len(kind))]
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
                return r, grad
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


class _Line:
    """The point X moved along the line X + t u, u = −side ∇a/‖∇a‖ (towards the chosen kink, from
    the gradient of its entry over the units, to 64 bits), with u as both tangents (ε and δ): an
    entry's value there carries φ(t), φ'(t) and φ''(t) of φ(t) = entry(X + t u). Roots are estimated
    at ``prec`` bits (Newton's), and found at WINDOW_PREC."""

    def __init__(self, b: Bindings, s: Sym, grad: list, side: int, units: list, cols: int, prec: int):
        self.prec = prec
        with ctx.workprec(prec):
            length = sum((g * g for g in grad), arb(0)).sqrt()
            coefficients = [_rounded(-side * g / length, 64) for g in grad]
        flat = [sum((c * w for c, w in zip(coefficients, column) if w), fmpq(0)) for column in zip(*units)]
        self.b, self.s, self.u = b, s, [flat[i * cols:(i + 1) * cols] for i in range(len(flat) // cols)]
        self.beside = fmpq(2) ** (_log2(_scale(b.values[s.name])) - BUDGET - GUARD)

    def jets(self, t: fmpq, expr: Expr) -> list | None:
        """(φ, φ', φ'') of each entry of expr at X + t u (None for an entry constant along u); None
        where expr cannot be evaluated there."""
        b, name = self.b, self.s.name
        moved = Bindings({**b.values, name: self.at(t)}, b.dims, b.elementwise, b.scalar, deadline=b.deadline,
                         tangents={name: [self.u]}, second={name: self.u})
        try:
            matrix = Evaluator(moved)(expr)
        except (DomainError, Undecided, ZeroDivisionError, ValueError):
            return None
        return [(base(v.x), base(v.d), coefficient(v.d, 0)) if type(v) is Pair else None for row in matrix for v in row]

    def at(self, t, bits: int | None = None) -> list:
        """X + t u (each entry rounded to ``bits`` bits where given)."""
        return [[v + t * w if bits is None else _rounded(arb(v) + t * w, bits) for v, w in zip(row, urow)]
                for row, urow in zip(self.b.values[self.s.name], self.u)]

    def reflect(self, arg: Expr, r: int, side: int) -> bool:
        """Move X to X + 2 t₀ u (entries kept to ``prec`` − GUARD bits), through the kink of entry r of
        arg (t₀ its root along u, estimated), where that entry is on ``side`` there too; whether it
        moved."""
        with ctx.workprec(self.prec):
            jets = self.jets(fmpq(0), arg)
            step = _step(jets[r]) if jets else None
            if step is None:
                return False
            there = self.at(-2 * step, self.prec - GUARD)
            b = self.b
            try:
                entry = Evaluator(Bindings({**b.values, self.s.name: there}, b.dims, b.elementwise, b.scalar,
                                           deadline=b.deadline))(arg)
            except (DomainError, Undecided, ZeroDivisionError, ValueError):
                return False
            if not side * entry[r // len(entry[0])][r % len(entry[0])] > 0:
                return False
        self.b.values[self.s.name] = there
        self.b.cache.clear()
        return True

    def window(self, exprs: list, r: int) -> arb | None:
        """The width of the narrowest window the point has jumped over: t₀ − t for the roots t of the
        entries of ``exprs`` (but entry r of the first) certainly between the point and the root t₀
        of entry r of exprs[0] (0 < t < t₀); None where there are none."""
        with ctx.workprec(self.prec):
            estimates = {}  # (expression, entry) -> its root along u, estimated from the point
            for e, expr in enumerate(exprs):
                for i, jet in enumerate(self.jets(fmpq(0), expr) or ()):
                    step = _step(jet)
                    if step is not None:
                        estimates[e, i] = -step
            if (0, r) not in estimates:
                return None
            ahead = estimates[0, r].mid()
            near = [key for key, t in estimates.items() if key != (0, r) and 0 < t.mid() < 2 * ahead]
        if not near:
            return None
        with ctx.workprec(WINDOW_PREC):
            t0 = self.root(exprs[0], r, estimates[0, r])
            widths = []
            for e, i in near if t0 is not None else ():
                t = self.root(exprs[e], i, estimates[e, i])
                if t is not None and t > 0 and t0 - t > 0:
                    widths.append(t0 - t)
            return min(widths, key=lambda w: w.mid()) if widths else None

    def root(self, expr: Expr, i: int, estimate: arb) -> arb | None:
        """The root of entry i of expr along the line near ``estimate``, by Schröder's iteration
        from there, as a ball: the last iterate t less its step, widened by that step; where φ(t)'s
        ball holds 0 (t is the root to the working precision), that from t + ε, ε = 2^-(BUDGET + GUARD)
        of the scale; None where it fails."""
        t, last, beside, root = _rounded(estimate, WINDOW_PREC), None, False, None
        for _ in range(ROOT_STEPS):
            jets = self.jets(t, expr)
            jet = jets[i] if jets else None
            step = _step(jet)
            if step is None and jet is not None and jet[0].contains(0) and not beside:
                t, beside = t + self.beside, True
                continue
            if step is None:
                return None
            root = t - step + abs(step) * arb(0, 1)
            if beside or step.contains(0) or last is not None and not abs(step) < abs(last) / 2:
                break
            last, t = step, _rounded(t - step, WINDOW_PREC)
        return root


def _step(jet) -> arb | None:
    """Schröder's step φφ'/(φ'² − φφ'') (the root is t less it, whatever its multiplicity): 0 where φ
    is exactly 0; None where φ'² − φφ'' is not certainly positive (no root ahead to estimate)."""
    if jet is None:
        return None
    phi, d1, d2 = (arb(v) for v in jet)
    if phi == 0:
        return phi
    denominator = d1 * d1 - phi * d2
    return phi * d1 / denominator if denominator > 0 else None


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
