"""The plan of a check, stated as data: which sizes, at which scales, with which variants of the
invertible matrices and which draws of stand-ins; ``matcalc check --explain`` prints it.

Every instance is one assignment of sizes to the dimension names, a value of each integer symbol
(1, 2, 3 and one above the sizes of the matrices it raises to a power, at every assignment of
sizes; in turn at the other scales and by kinks), and one random point. The directions probed at
each instance are the measure's (measures.py): every unit direction of the tangent space where
there are at most UNIT_LIMIT, else UNIT_SAMPLE of them, diagonal and off-diagonal ones among them,
plus RANDOM_DIRECTIONS random ones.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb, ctx, fmpq, fmpq_mat

from ..expr import (
    Add, Call, DimValue, Div, EDiv, EPower, Expr, Frechet, Hadamard, Kron, MatMul, MatPower, Power, Sym, SymbolicPower, distinct_nodes,
    post_order,
)
from ..errors import MatcalcError
from ..shapes import Shape, dim_names
from .evaluate import NEEDS, Bindings, Evaluator, size
from .ring import NotExact

ALONE = range(1, 9)  # each dimension alone at every one of these sizes, the others small and distinct
RELATIONS = (("+1", lambda m: m + 1), ("×2", lambda m: 2 * m), ("×3", lambda m: 3 * m))  # n = m + 1, 2m, 3m
RANDOM_ASSIGNMENTS = 3
RANDOM_MAX = 12
LARGE = 9  # one assignment of large sizes, 9 and up (one more than f's polynomial degree, up to RANDOM_MAX)
SCALES = (Fraction(1), Fraction(1, 10**4), Fraction(1, 100), Fraction(100), Fraction(10**4))
SIGNS = ((0, "mixed"), (1, "positive"), (-1, "negative"))  # the signs of a point's entries at each scale
KINK_POINTS = 2  # points each side of a kink, at the base sizes, at those one larger and from far out (make_plan)
KINK_BITS = 128  # a kink point is within 2^-128 of the kink (relative to the scale of the symbol moved), ...
WINDOW_BITS = 64  # ... or within 2^-64 of the gap to another kink between it and the kink (kinks.py)
CONSTANT_PREC = 256  # bits of a constant that is not rational (exp(20)); a rational one is exact
STAND_IN_DRAWS = 2  # draws of stand-ins at the base instances (one fresh draw at every other)
UNIT_LIMIT = 64
UNIT_SAMPLE = 16
RANDOM_DIRECTIONS = 2
MAX_ENTRIES = 12 ** 4  # the largest matrix an instance may build (a Hessian by a 12×12 X): other dimensions shrink to fit
SHRUNK = " (sizes lowered to fit)"
INTEGER_VALUES = (1, 2, 3)  # every integer symbol at each of these at every assignment, and at ABOVE
ABOVE = 4  # ... one value above the size of every matrix raised to its power there (at least this, so it is new)


@dataclass(frozen=True)
class Instance:
    """One planned instance: sizes, why it is in the plan, the scale of its point's entries, the
    variant of its invertible matrices (bit 0: diagonally dominant; bit j: det of the j-th < 0),
    its draw of stand-ins, and the sign of its entries (0: either)."""

    sizes: dict = field(hash=False)
    why: str
    scale: Fraction = Fraction(1)
    variant: int = 0
    draw: int = 0
    sign: int = 0
    kink: tuple = ()  # (which kinked argument, side ±1, the kind of entry moved, reflected): a point just that side
    integers: tuple = ()  # (name, value) of each integer symbol

    def text(self) -> str:
        sizes = ", ".join(f"{k}={v}" for k, v in self.sizes.items()) or "the declared sizes"
        return ", ".join([sizes] + [f"{k}={v}" for k, v in self.integers])


def integer_values(names: list[str], sizes: dict[str, int], powered, item: int) -> list[tuple[tuple, str]]:
    """(the integer symbols' values, why) at the ``item``-th assignment of sizes: each symbol at every one
    of INTEGER_VALUES and at one value above the sizes of the matrices raised to a power (``powered``,
    their shapes; every dimension when there are none), at least ABOVE and 0, 1 or 2 more by the item
    (so that a claim wrong only from some k on is seen at fixed sizes too); the j-th symbol's values
    turned j·item places, so that pairs of symbols meet in every combination over the items."""
    if not names:
        return [((), "")]
    rows = [size(s.rows, sizes) for s in powered] or list(sizes.values())
    above = max(ABOVE, 1 + max(rows, default=1)) + item % 3
    values = (*INTEGER_VALUES, above)
    out = []
    for r in range(len(values)):
        chosen = tuple((n, values[(r + j * item) % len(values)]) for j, n in enumerate(names))
        high = [n for n, v in chosen if v == above]
        out.append((chosen, f"; {' and '.join(high)} above the sizes" if high else ""))
    return out


def dimension_names(shapes: list[Shape], exprs: list[Expr]) -> list[str]:
    """Every dimension name in the declared shapes and in the shape of any subexpression, in order
    of first appearance."""
    names: dict[str, None] = {}
    for shape in [*shapes, *(n.shape for n in distinct_nodes(*exprs))]:
        for d in (shape.rows, shape.cols):
            names.update(dict.fromkeys(dim_names(d)))
    return list(names)


def constants(exprs: list[Expr]) -> list:
    """The value of every scalar subexpression with no symbol (10^-9, exp(20), 60 in exp(60 * x)), each
    once: an exact rational where it is one, else a ball at CONSTANT_PREC bits."""
    out = []
    symbolic: set[Expr] = set()
    evaluators = (Evaluator(Bindings({}, {}, exact=True)), Evaluator(Bindings({}, {})))
    with ctx.workprec(CONSTANT_PREC):
        for n in post_order(*exprs):
            if isinstance(n, (Sym, DimValue)) or any(k in symbolic for k in n.children):
                symbolic.add(n)
                continue
            if not n.shape.is_scalar:
                continue
            for evaluator in evaluators:
                try:
                    out.append(evaluator(n)[0][0])
                except NotExact:
                    continue
                except (ArithmeticError, KeyError, TypeError, ValueError):
                    pass
                break
    return out


def largest_number(exprs: list[Expr]) -> Fraction:
    """The largest magnitude of a scalar constant written in the expressions (10^30, exp(20),
    60 in exp(60 * x)), up to 2^4096, at least 1."""
    out = Fraction(1)
    with ctx.workprec(64):
        for value in constants(exprs):
            top = abs(arb(value)).upper()
            if top.is_finite() and top < arb(2) ** 4096:
                out = max(out, Fraction(int(top.floor().unique_fmpz())))
    return out


def scales(exprs: list[Expr]) -> tuple[Fraction, ...]:
    """SCALES, and where a number beyond 10⁴ is written (10^30, 60 in exp(60 x)), scales beyond it
    and its reciprocal and their square roots, as powers of two."""
    bits = int(largest_number(exprs)).bit_length()
    if bits <= 14:
        return SCALES
    extra = [Fraction(2) ** (bits + 2), Fraction(2) ** ((bits + 1) // 2)]
    return SCALES + tuple(extra) + tuple(1 / x for x in extra)


def _small(names: list[str], avoid: set[int], rng: random.Random) -> dict[str, int]:
    """Distinct small sizes (2, 3, 4, ...) for ``names``, none in ``avoid``."""
    pool = [s for s in range(2, 2 + len(names) + len(avoid) + 1) if s not in avoid]
    rng.shuffle(pool)
    return dict(zip(names, sorted(pool[:len(names)])))


def degree(exprs: list[Expr]) -> int:
    """The polynomial degree of the expressions in their symbols (entrywise functions count their argument's;
    det, inv, expm and the others whose degree grows with the size count RANDOM_MAX; at most RANDOM_MAX): a
    Cayley-Hamilton term of that degree vanishes at every size up to it, and no further."""
    deg: dict[Expr, int] = {}
    for n in post_order(*exprs):
        kids = [deg[k] for k in n.children]
        if isinstance(n, Sym):
            d = 1
        elif isinstance(n, (MatMul, Hadamard, Kron, EDiv, Div)):
            d = sum(kids)
        elif isinstance(n, (MatPower, Power, EPower)):
            d = kids[0] * min(abs(int(n.exponent)), RANDOM_MAX)
        elif isinstance(n, (Call, Frechet)) and "degree grows with size" in NEEDS.get(n.fn, ()):
            d = RANDOM_MAX
        elif isinstance(n, SymbolicPower):  # of any degree: its exponent takes values above every size
            d = kids[0] * RANDOM_MAX
        else:
            d = max(kids, default=0)
        deg[n] = min(d, RANDOM_MAX)
    return max(deg[e] for e in exprs)


def number_degree(exprs: list[Expr], name: str) -> int:
    """A bound on the degree in n = ``name`` of the numerator of the expressions' difference, as a
    rational function of n with the matrices' entries fixed: n counts where it is a number — a
    DimValue, and in a part free of symbols each contraction over n (a product's inner dimension,
    sum, tr), as ``sum(ones(n))`` and ``ones(n)' * ones(n)`` are n. Each part is a numerator's degree
    and its denominator's factors (each divisor with its degree): products add both, a quotient
    moves the divisor into the factors, a sum takes the least common denominator (a divisor written
    twice counted once), a power p/q and a square root scale by |p|·q and 2. A wrong claim whose error
    is such a function of n is refuted at one of any degree + 1 sizes of n."""
    deg: dict[Expr, tuple[int, Counter, bool]] = {}  # (numerator, denominator's factors, free of symbols)
    for e in post_order(*exprs):
        kids = [deg[k] for k in e.children]
        free = all(k[2] for k in kids) and not isinstance(e, Sym)
        num, den = sum(k[0] for k in kids), sum((k[1] for k in kids), Counter())
        if isinstance(e, DimValue):
            num = int(e.dim == name)
        elif isinstance(e, Add):
            num, den = _over_one_denominator(kids)
        elif isinstance(e, (Div, EDiv)):
            (n1, d1, _), (n2, d2, _) = kids
            num, den = n1 + d2.total(), d1 + (Counter({e.children[1]: n2}) if n2 else Counter())
        elif isinstance(e, (MatPower, Power, EPower)) or isinstance(e, Call) and e.fn == "sqrt":
            k = Fraction(e.exponent) if not isinstance(e, Call) else Fraction(1, 2)
            times = abs(k.numerator) * k.denominator
            n1, d1, _ = kids[0]
            num, den = ((n1 * times, Counter({f: d * times for f, d in d1.items()})) if k >= 0 else
                        (d1.total() * times, Counter({e.children[0]: n1 * times}) if n1 else Counter()))
        if free and isinstance(e, MatMul):
            num += dim_names(e.left.shape.cols).count(name)
        elif free and isinstance(e, Call) and e.fn in ("sum", "tr"):  # sums rows·cols entries, tr rows
            num += sum(dim_names(d).count(name) for d in (e.arg.shape.rows, e.arg.shape.cols)[:2 if e.fn == "sum" else 1])
        deg[e] = (num, den, free)
    return _over_one_denominator([deg[e] for e in exprs])[0]


def _over_one_denominator(terms) -> tuple[int, Counter]:
    """Σ aᵢ/bᵢ over the least common denominator b: its numerator's degree and b's factors."""
    den = Counter()
    for t in terms:
        den |= t[1]
    return max((t[0] + den.total() - t[1].total() for t in terms), default=0), den


NUMBER_SIZES = 32  # a dimension used as a number is planned at sizes up to this


def number_items(names: list[str], planned: list[dict], exprs, shapes, rng: random.Random) -> list:
    """For each dimension used as a number (``number_degree``), items "n alone" (the others small) at
    new sizes, until it is planned at degree + 1 distinct sizes, counted as ``planned`` (the sizes of
    the other items, fitted) and these items have it once fitted; a MatcalcError when that needs more
    than NUMBER_SIZES or sizes too large to build."""
    items = []
    for name in names:
        need = number_degree(list(exprs), name) + 1
        have = {sizes[name] for sizes in planned}
        for s in range(1, NUMBER_SIZES + 1):
            if len(have) >= need:
                break
            sizes = {**_small([m for m in names if m != name], {s}, rng), name: s}
            if s not in have and fitted([sizes], (name,), shapes)[0][name] == s:
                items.append(([dict(sorted(sizes.items(), key=lambda kv: names.index(kv[0])))],
                              f"{name} alone at {s} ({name} used as a number)", (name,)))
                have.add(s)
        if len(have) < need:
            raise MatcalcError(f"{name} is used as a number in an expression of degree {need - 1} in it: deciding "
                               f"it needs {need} sizes of {name}, more than the checker plans")
    return items


PARTITIONS = 4  # every pattern of equal dimensions up to this many names; beyond, every pair and a few


def _partitions(items: list):
    """Every way to split ``items`` into blocks (set partitions)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for p in _partitions(rest):
        yield [[first]] + p
        for i in range(len(p)):
            yield p[:i] + [[first] + p[i]] + p[i + 1:]


def equalities(names: list[str], rng: random.Random) -> list[list[list[str]]]:
    """The patterns of equal dimensions the plan tries, as blocks of names: every pattern (but
    all distinct) up to PARTITIONS names; beyond, every pair, all equal, and two random patterns."""
    if len(names) <= PARTITIONS:
        return [p for p in _partitions(names) if len(p) < len(names)]
    pairs = [[[a, b]] + [[n] for n in names if n not in (a, b)] for i, a in enumerate(names) for b in names[i + 1:]]
    randoms = []
    for _ in range(2):
        blocks: list[list[str]] = []
        for n in names:
            k = rng.randrange(len(blocks) + 1)
            blocks.append([n]) if k == len(blocks) else blocks[k].append(n)
        randoms.append(blocks)
    return pairs + [[list(names)]] + [b for b in randoms if len(b) < len(names)]


def assignments(names: list[str], rng: random.Random, fixed: tuple[int, ...] = (),
                exprs: tuple = ()) -> list[tuple[list[dict], str, tuple]]:
    """(candidate sizes, why, the names the item is about) for every item of the plan: the
    candidates, in order of preference, keep the item's relation between its names (m = n,
    n = 2m) at smaller sizes, for when the first would build too large a matrix."""
    if not names:
        return [([{}], "the declared sizes", ())]
    pool = list(range(2, 2 + max(len(names), 3)))
    out = [([{n: pool[(i + k) % len(pool)] for i, n in enumerate(names)}], "distinct sizes", ()) for k in range(3)]
    for n in names:
        others = [m for m in names if m != n]
        for s in ALONE:
            out.append(([{**_small(others, {s}, rng), n: s}], f"{n} alone at {s}", (n,)))
    for blocks in equalities(names, rng):
        tied = [b for b in blocks if len(b) > 1]
        rest = [n for b in blocks if len(b) == 1 for n in b]
        top = [rng.randrange(2, 7) for _ in tied]
        out.append(([{**_small(rest, {max(t - k, 1) for t in top}, rng),
                      **{n: max(t - k, 1) for b, t in zip(tied, top) for n in b}} for k in range(max(top))],
                    " and ".join(" = ".join(b) for b in tied), tuple(n for b in tied for n in b)))
    if len(names) > 1:
        for n in names:
            out.append(([{**{m: 1 for m in names}, n: s} for s in range(rng.randrange(2, 7), 1, -1)],
                        f"{n} above 1, the others 1", tuple(names)))
    for a in names:
        for b in names:
            if a != b:
                for label, rel in RELATIONS:
                    rest = [x for x in names if x not in (a, b)]
                    out.append(([{**_small(rest, {m, rel(m)}, rng), a: m, b: rel(m)}
                                 for m in range(rng.choice((2, 3)), 0, -1)], f"{b} = {a} {label}", (a, b)))
    out += [([{n: v for n in names}], f"every dimension {v} (a declared size)", tuple(names)) for v in sorted(set(fixed))
            if v >= 2]
    large = max(LARGE, min(RANDOM_MAX, 1 + degree(list(exprs)))) if exprs else LARGE
    out.append(([{n: large + i for i, n in enumerate(names)}], "large sizes", tuple(names)))
    out += [([{n: rng.randint(1, RANDOM_MAX) for n in names}], "random sizes", ()) for _ in range(RANDOM_ASSIGNMENTS)]
    out.append(([{n: 1 for n in names}], "every dimension 1", tuple(names)))
    order = {n: i for i, n in enumerate(names)}
    return [([dict(sorted(c.items(), key=lambda kv: order[kv[0]])) for c in candidates], why, about)
            for candidates, why, about in out]


def largest_matrix(shapes, sizes: dict[str, int]) -> int:
    """The number of entries of the largest of these shapes at these sizes."""
    return max((size(s.rows, sizes) * size(s.cols, sizes) for s in shapes), default=1)


def shrink(sizes: dict[str, int], about: tuple, shapes) -> tuple[dict[str, int], bool]:
    """The sizes, with the dimensions the item is not about lowered one at a time, largest first,
    until no matrix exceeds MAX_ENTRIES, then if need be those it is about; and whether the item
    itself changed (one of its own dimensions, or any of an item about none)."""
    out = dict(sizes)
    for pool in ([n for n in out if n not in about], list(about)):
        while largest_matrix(shapes, out) > MAX_ENTRIES and any(out[n] > 1 for n in pool):
            n = max((k for k in pool if out[k] > 1), key=lambda k: out[k])
            out[n] -= 1
    own = about or tuple(out)
    return out, any(out[n] != sizes[n] for n in own)


def fitted(candidates: list[dict], about: tuple, shapes) -> tuple[dict[str, int], bool]:
    """The first candidate that fits by lowering only the other dimensions, else the last one
    lowered as far as it must be (and True: the item changed)."""
    for sizes in candidates:
        out, changed = shrink(sizes, about, shapes)
        if not changed:
            return out, False
    return out, True


def make_plan(names: list[str], shapes, exprs: list[Expr], rng: random.Random, *, fixed: tuple[int, ...] = (),
              variants: int = 1, draws: int = 1, kinks: tuple = (), integers: tuple = ()) -> list[Instance]:
    """Every instance of the check, in order: the base instances (distinct sizes) with every
    variant and draw, every other item of ``assignments`` with a random variant and a fresh draw,
    all at scale 1; the first distinct sizes at every other scale of ``scales(exprs)``; and for
    each argument where f is not smooth (``kinks``: its text, the sides of 0 it takes and whether it
    is square), KINK_POINTS points just on each side (a diagonal and an off-diagonal entry of a
    square one; the second reflected through the kink where the argument keeps its side, as at a
    root of even multiplicity), at the base sizes and at those sizes each one larger, and from positive
    and from negative entries at the largest scale (whence Newton's method reaches kinks far out). With
    ``integers`` (the integer symbols' names), each assignment of sizes at every value of them that
    ``integer_values`` gives, and the points at other scales and by kinks at one of those values
    each, in turn."""
    out: list[Instance] = []
    items = assignments(names, rng, fixed, exprs)
    fits = [fitted(c, about, shapes) for c, _, about in items]
    numbers = number_items(names, [sizes for sizes, _ in fits], exprs, shapes, rng)
    items += numbers
    fits += [fitted(c, about, shapes) for c, _, about in numbers]
    powered = [n.base.shape for n in distinct_nodes(*exprs) if isinstance(n, SymbolicPower) and not n.entrywise
               and not n.base.shape.is_scalar]

    def add(sizes, why, scale, variant, draw, sign=0, kink=(), every=True):
        """The instance at every value of the integer symbols, or (``every`` False: the points at
        other scales and by kinks, at the first sizes) at one of them, in turn."""
        values = integer_values(list(integers), sizes, powered, len(items_done))
        if not every:
            values = [values[len(items_done) % len(values)]]
        for chosen, above in values:
            out.append(Instance(sizes, why + above, scale, variant, draw, sign, kink, chosen))
        items_done.append(why)

    items_done: list[str] = []
    for (candidates, why, about), (sizes, shrunk) in zip(items, fits):
        why = why + (SHRUNK if shrunk else "")
        if why == "distinct sizes":
            for v in range(variants):
                for d in range(draws):
                    add(sizes, why, Fraction(1), v, d)
        else:
            add(sizes, why, Fraction(1), rng.randrange(variants), len(out))
    base = fitted(items[0][0], (), shapes)[0]
    for scale in scales(exprs):
        for sign, kind in SIGNS[scale == 1:]:
            add(base, f"{kind} entries at scale {scale}", scale, rng.randrange(variants), len(out), sign, every=False)
    larger = fitted([{n: v + 1 for n, v in base.items()}], (), shapes)[0]
    top = max(scales(exprs))  # (Newton's method from there reaches the kinks far out: (x - 4)(x - 1000) at 1000)
    for at, scale, sign in ([(base, Fraction(1), 0)] + ([(larger, Fraction(1), 0)] if larger != base else [])
                            + [(base, top, 1), (base, top, -1)]):
        for k, (arg, sides, square) in enumerate(kinks):
            for side in sides:
                draw = len(out)  # the points of one side share a draw of stand-ins
                for p in range(KINK_POINTS):
                    entry = ("diagonal", "off-diagonal")[p % 2] if square else ""
                    kind = {"": "an", "diagonal": "a diagonal", "off-diagonal": "an off-diagonal"}[entry]
                    add(at, f"{kind} entry of {arg} just {'above' if side > 0 else 'below'} 0 (its symbol within "
                            f"2^-{KINK_BITS} of the kink, relative to its scale, and within 2^-{WINDOW_BITS} of the gap "
                            f"to any other kink between)"
                            f"{', reflected through the kink where it keeps that side' if p % 2 else ''}"
                            f"{f', from {dict(SIGNS)[sign]} entries at scale {scale}' if sign else ''}",
                        scale, rng.randrange(variants), draw, sign, (k, side, entry, p % 2 == 1), every=False)
    return out


def explain(plan: list[Instance], invertible: list[str] = (), functions: bool = False) -> str:
    """The plan as text, one instance a line: its sizes, why it is there, and where it matters the
    variant of the invertible symbols and the draw of stand-ins."""
    lines = [f"{len(plan)} instances; at each, every unit direction of the tangent space (all where there are at "
             f"most {UNIT_LIMIT}, else {UNIT_SAMPLE}, diagonal and off-diagonal among them) and {RANDOM_DIRECTIONS} "
             f"random directions"]
    for i, inst in enumerate(plan, 1):
        extra = ""
        if invertible:
            signs = ", ".join(f"det({n}) {'<' if inst.variant >> (j + 1) & 1 else '>'} 0"
                              for j, n in enumerate(invertible[:2]))
            extra += f"  [{'dominant' if inst.variant & 1 else 'plain'}; {signs}]"
        if functions:
            extra += f"  [stand-ins #{inst.draw}]"
        lines.append(f"{i:3}. {inst.text():28} {inst.why}{extra}")
    return "\n".join(lines)


def structural(rows: int, cols: int, symmetric: bool) -> list[tuple[str, bool, tuple[int, int]]]:
    """The unit directions of X's own space: every E_ij, or for a symmetric X every E_ii and
    E_ij + E_ji (i < j); each as its label, whether it is on the diagonal, and (i, j)."""
    return [(f"[{i + 1},{j + 1}]", i == j, (i, j)) for i in range(rows) for j in range(cols)
            if not symmetric or j >= i]


def unit(rows: int, cols: int, symmetric: bool, at: tuple[int, int]) -> list:
    """The unit direction at (i, j), flattened row by row (E_ij + E_ji for a symmetric X)."""
    i, j = at
    v = [fmpq(0)] * (rows * cols)
    v[i * cols + j] = fmpq(1)
    if symmetric:
        v[j * cols + i] = fmpq(1)
    return v


def _pivots(normals: list[list], units: list, cols: int) -> list[int]:
    """For each independent normal, the unit direction it leans on most once the earlier ones are
    eliminated (exact elimination on the normals' entries at the units): indices into ``units``."""
    reduced: list[tuple[list, int]] = []
    out: list[int] = []
    for a in normals:
        r = [a[at[0] * cols + at[1]] for _, _, at in units]
        for e, p in reduced:
            if r[p]:
                t = r[p] / e[p]
                r = [x - t * z for x, z in zip(r, e)]
        if any(r):
            p = max(range(len(r)), key=lambda u: abs(r[u]))
            reduced.append((r, p))
            out.append(p)
    return out


def _projector(normals: list | None, pivots: list):
    """v ↦ v moved along the ``pivots`` (unit directions) onto the tangent space {V : ⟨a, V⟩ = 0 for
    each normal a}: v − Σ t_j p_j with Σ_j ⟨a_k, p_j⟩ t_j = ⟨a_k, v⟩ (the matrix ⟨a_k, p_j⟩ made once)."""
    if not normals:
        return lambda v: v
    N, P = fmpq_mat(normals), fmpq_mat(pivots)
    gram = N * P.transpose()

    def project(v: list) -> list:
        t = gram.solve(N * fmpq_mat([[x] for x in v]))
        moved = fmpq_mat([v]) - t.transpose() * P
        return [moved[0, i] for i in range(len(v))]

    return project


def directions(rows: int, cols: int, symmetric: bool, normals: list | None,
               rng: random.Random) -> list[tuple[str, str, list]]:
    """(kind, label, direction flattened row by row) for one instance: a basis of the tangent space
    (X's own unit directions, moved onto an assumption's tangent space along the unit directions
    its independent normals lean on most), every one where there are at most UNIT_LIMIT, else
    UNIT_SAMPLE of them with diagonal and off-diagonal ones among them; then RANDOM_DIRECTIONS
    random ones (no entry 0, symmetric for a symmetric X, on the tangent space)."""
    units = structural(rows, cols, symmetric)
    pivots = []
    if normals:
        chosen = _pivots(normals, units, cols)
        pivots = [unit(rows, cols, symmetric, units[k][2]) for k in chosen]
        units = [u for k, u in enumerate(units) if k not in chosen]
    if len(units) > UNIT_LIMIT:
        diagonal = [u for u in units if u[1]]
        off = [u for u in units if not u[1]]
        chosen = rng.sample(diagonal, min(len(diagonal), UNIT_SAMPLE // 4)) if diagonal else []
        chosen += rng.sample(off, UNIT_SAMPLE - len(chosen))
        units = sorted(chosen, key=lambda u: u[2])
    project = _projector(normals, pivots)
    out = [("entry", label, project(unit(rows, cols, symmetric, at))) for label, _, at in units]
    for _ in range(RANDOM_DIRECTIONS):
        v = [fmpq(rng.choice((-1, 1)) * rng.randint(1, 16), 8) for _ in range(rows * cols)]
        if symmetric:
            v = [v[min(i, j) * cols + max(i, j)] for i in range(rows) for j in range(cols)]
        out.append(("direction", "a random direction", project(v)))
    return out
