"""Check claimed gradients, Jacobians and Hessians of f at the instances of the plan, by the
rule of decide.py: the one place that runs the plan, samples points and gathers verdicts.
"""
from __future__ import annotations

import functools
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb, ctx

from ..declarations import Scope, not_symmetric
from ..deep import deep
from ..errors import MatcalcError
from ..expr import Call, Entrywise, EPower, Expr, Frechet, MatPower, Power, ScalarFn, Sym, SymbolicPower, distinct_nodes
from ..language import show
from . import decide
from .functions import KINKED
from .evaluate import NEEDS, Bindings, Evaluator, Matrix, OutOfTime, Singular, eliminate, size
from .counterexample import shaped
from .measures import Gradient, Hessian, Jacobian, Probe
from .kinks import approach, singular_arguments
from .plan import (
    MAX_ENTRIES, SHRUNK, STAND_IN_DRAWS, Instance, dimension_names, directions, explain, largest_matrix, make_plan,
)
from .ring import DomainError, NotExact, Undecided, base
from .counterexample import counterexample, domain_certificate, where
from .sample import (
    assumed_symbol, check_assumptions, DRAWN, drawn_symbols, random_matrix, required, satisfy,
    symbols_under, symmetrised, with_det_sign,
)
from .standins import StandIns, draw

TIME_LIMIT = 60.0  # seconds for one check_all
RESAMPLES = 12  # points drawn at one instance before it is skipped
EXACT_POWER = 64  # and no power above this
EXACT_MATRIX_POWER = 8  # nor a matrix power above this (the entries of a 12×12 X^64 are rationals of 10^4 digits)
EXACT_ENTRIES = 144  # a rational f is evaluated exactly where no matrix has more entries (beyond, balls)
PLAIN_DRAWS = 20  # draws of a plain invertible matrix until its diagonal's sign differs from its determinant's
SPREADS = (2**10, 2**20)  # extra scales for an argument of abs or relu whose entries kept one sign
UNDEFINED = (DomainError, ZeroDivisionError, ValueError)


@dataclass(frozen=True)
class Verdict:
    """holds / refuted, the largest relative difference seen, the number of comparisons, and for
    a refutation a counterexample and its certificate."""

    status: str
    message: str
    max_error: float | None = None
    checks: int = 0
    counterexample: dict | None = field(default=None, compare=False)
    certificate: dict | None = field(default=None, compare=False)


class ClaimUndefined(Exception):
    """Claim ``index`` is certainly undefined at a point (``error`` says why)."""

    def __init__(self, index: int, error: DomainError):
        super().__init__(str(error))
        self.index, self.error = index, error


def _rational(n: Expr) -> bool:
    """Whether a node's value is a rational function of its operands' (exact in rationals)."""
    if isinstance(n, Entrywise):
        return n.fn in KINKED
    if isinstance(n, (Power, EPower)):  # integer powers, small enough for exact rationals to stay small
        return n.exponent.denominator == 1 and abs(n.exponent) <= EXACT_POWER
    if isinstance(n, MatPower):
        return abs(n.exponent) <= EXACT_MATRIX_POWER
    if isinstance(n, Call):
        return "rational" in NEEDS.get(n.fn, ())
    return not isinstance(n, (ScalarFn, Frechet, SymbolicPower))  # a symbolic power's exponent may be large: balls


def _value(evaluator: Evaluator, b: Bindings, i: int, M: Expr) -> Matrix:
    """Claim i's value; ClaimUndefined where it certainly has none (a matrix singular to within
    rounding is certainly singular when its exact rational value is)."""
    try:
        return evaluator(M)
    except DomainError as e:
        raise ClaimUndefined(i, e) from None
    except Singular as e:
        if e.node is None or not all(_rational(n) for n in distinct_nodes(e.node.arg)):
            raise
        exact = Evaluator(Bindings(b.values, b.dims, deadline=b.deadline, exact=True))
        try:
            eliminate(exact(e.node.arg), None)
        except DomainError as singular:
            singular.node = e.node
            raise ClaimUndefined(i, singular) from None
        raise


#: why an instance is skipped when the assumption on wrt leaves it no direction
FIXED = "the assumption fixes "


@dataclass
class _Point:
    b: Bindings
    normal: list | None  # the independent normals of the assumption on wrt, or None
    restrictions: list[str]


class _Judge:
    """The state of one check: each claim's verdict so far, its comparisons, and what the
    instances needed (restrictions), could not have (skipped) or left unresolved."""

    def __init__(self, f, x, claims, scope: Scope, assume, measure, seed: int):
        self.f, self.x, self.claims, self.scope, self.assume, self.measure = f, x, claims, scope, assume, measure
        self.seed = seed
        want = measure.shape(f, x)
        self.verdicts: list[Verdict | None] = [
            None if M.shape == want else Verdict(
                "refuted", f"the {measure.name} {show(M)} is {M.shape}, but the {measure.name} of f by "
                           f"{x.name} is {want}")
            for M in claims]
        self.worst = [0.0] * len(claims)
        #: f's own scale: the largest certain magnitude of its derivatives so far (decide.py, clause 2)
        self.derivatives = arb(0)
        self.checks = [0] * len(claims)
        self.instances = [0] * len(claims)
        self.full = [False] * len(claims)  # whether agreement was seen where no dimension is 1
        self.restrictions: dict[str, None] = {}
        self.skipped: dict[str, str] = {}
        self.skipped_at: dict[str, str] = {}  # each key of ``skipped`` -> the sizes it names (Instance.text())
        self.sizes_judged: set[str] = set()  # the sizes of the plan where some instance judged every claim left
        self.unresolved: dict[str, str] = {}
        self.deadline: float | None = None
        exprs = [f, *claims] + [s for a in assume for s in (a.lhs, a.rhs)]
        self.exprs = exprs
        #: whether f, the claims and the assumptions are rational functions (evaluated exactly where small)
        self.rational = all(_rational(n) for n in distinct_nodes(*exprs))
        self.assumed = [s for a in assume for s in (a.lhs, a.rhs)]
        #: the symbols f, the claims and the assumptions use (with wrt): the only ones drawn
        self.symbols = {n.name: n.shape for n in distinct_nodes(*exprs, x) if isinstance(n, Sym)}
        #: the integer symbols: never drawn at random, but set to the plan's values at each instance
        self.integers = sorted(n.name for n in distinct_nodes(*exprs) if isinstance(n, Sym) and n.integer)
        self.shapes = list({n.shape for n in distinct_nodes(*exprs)} | set(self.symbols.values()) |
                           {measure.shape(f, x)})
        # the argument of each abs and relu in f and the claims -> the signs its entries took
        self.sides: dict[Expr, set[int]] = {n.arg: set() for n in distinct_nodes(f, *claims)
                                            if isinstance(n, Entrywise) and n.fn in KINKED}
        #: every argument at whose 0 f or a claim is not smooth, and the sides of 0 it may take
        self.kinked = [(arg, (1, -1)) for arg in self.sides]
        self.kinked += [(arg, sides) for arg, sides in dict.fromkeys(singular_arguments(f, *claims))
                        if arg not in self.sides]

    def plan(self) -> list[Instance]:
        names = dimension_names(list(self.symbols.values()), self.exprs)
        fixed = tuple(d for s in self.symbols.values() for d in (s.rows, s.cols) if isinstance(d, int))
        invertible = self.invertible
        variants = 2 ** (min(len(invertible), 2) + 1) if invertible else 1
        draws = STAND_IN_DRAWS if self.scope.functions else 1
        return make_plan(names, self.shapes, self.exprs, random.Random(self.seed), fixed=fixed, variants=variants,
                         draws=draws, kinks=tuple((show(arg), sides, arg.shape.is_square and not arg.shape.is_scalar)
                                                  for arg, sides in self.kinked),
                         integers=tuple(self.integers))

    @functools.cached_property
    def drawn(self) -> dict[str, str]:
        """The square symbols drawn for what a function of them needs (chol, logm, ...): name -> need."""
        return drawn_symbols(self.exprs)

    @functools.cached_property
    def invertible(self) -> list[str]:
        """The square symbols under det, logdet or inv (drawn with planned determinant signs)."""
        return sorted(n for n in required(self.exprs)[2] if self.symbols[n].is_square)

    @functools.cached_property
    def domain(self) -> tuple[dict[str, str], dict[str, str]]:
        """The symbols f and the assumptions need positive, and those whose determinant must be."""
        return required([self.f] + self.assumed)[:2]

    def run(self) -> list[Verdict]:
        check_assumptions(self.assume, self.x.name)
        plan = self.plan()
        largest = largest_matrix(self.shapes, plan[0].sizes)
        if largest > MAX_ENTRIES:
            raise MatcalcError(f"could not check: at the declared sizes a matrix has {largest:,} entries, beyond the "
                               f"checker's limit of {MAX_ENTRIES:,}")
        self.shrunk = list(dict.fromkeys(f"{inst.why[:-len(SHRUNK)]}: {inst.text()}" for inst in plan
                                         if inst.why.endswith(SHRUNK)))
        rng = random.Random(self.seed)
        judged = 0
        unreached = set()  # (kinked argument, side) that no point of an instance reached: not tried again
        for inst in plan:
            if all(v is not None for v in self.verdicts):
                break
            if inst.kink[:2] in unreached:
                continue
            reached = self._instance(inst, rng)
            if inst.kink and not reached:
                unreached.add(inst.kink[:2])
            judged += reached
        planned = list(self.instances)  # each claim's instances agreed on at the plan's own points
        self._beyond_kinks(plan, rng)
        return self._verdicts(judged, planned)

    def _verdicts(self, judged: int, planned: list[int]) -> list[Verdict]:
        """Each claim's verdict; a MatcalcError ("could not check") when a claim still undecided was
        judged at no size of the plan (every size skipped: agreement seen only at the points scaled
        out beyond the plan for a kink is not enough), only where a dimension is 1, or nowhere."""
        live = [i for i, v in enumerate(self.verdicts) if v is None]
        if live and (judged == 0 or any(self.checks[i] and not planned[i] for i in live)):
            self._nowhere(judged)
        degenerate = [i for i in live if self.checks[i] and not self.full[i]]
        if degenerate:
            why = "; ".join(list(self.skipped.values())[:2])
            raise MatcalcError(f"could not check: agreement was seen only at sizes where a dimension is 1 ({why})")
        if any(not self.checks[i] for i in live):
            why = "; ".join(list(self.skipped.values())[:3] + list(self.unresolved.values())[:3]) or "no instance"
            raise MatcalcError(f"could not check: no comparison was decided ({why})")
        tail = "".join(f"; checked where {r}" for r in self.restrictions)
        # a size is skipped when no instance of it was judged; where others of its instances were, it is said so
        tail += "".join(f"; skipped {k} ({why})" for k, why in self.skipped.items()
                        if self.skipped_at[k] not in self.sizes_judged)
        tail += "".join(f"; some instances at {k} skipped ({why})" for k, why in self.skipped.items()
                        if self.skipped_at[k] in self.sizes_judged)
        tail += "".join(f"; unresolved at {k} ({why})" for k, why in self.unresolved.items())
        if self.shrunk:
            tail += (f"; sizes lowered to keep every matrix within {MAX_ENTRIES:,} entries at "
                     f"{'; '.join(self.shrunk[:3])}{f' and {len(self.shrunk) - 3} more' if len(self.shrunk) > 3 else ''}")
        return [v or Verdict("holds", f"agrees on {self.checks[i]} checks at {self.instances[i]} instances; largest "
                                      f"relative difference {self.worst[i]:.3g}{tail}", self.worst[i], self.checks[i])
                for i, v in enumerate(self.verdicts)]

    def _nowhere(self, judged: int) -> None:
        """The error of a check that judged no claim at any size of its plan: every size skipped."""
        why = "; ".join(list(dict.fromkeys(self.skipped.values()))[:3] +
                        list(dict.fromkeys(self.unresolved.values()))[:3]) or "no instance"
        if judged == 0 and self.skipped and all(r.startswith(FIXED) for r in self.skipped.values()):
            a = next(a for a in self.assume if assumed_symbol(a) == self.x.name)
            raise MatcalcError(f"cannot honour assumption '{a}' here: it fixes {self.x.name} at every size "
                               f"tried, leaving no direction to differentiate along", field="assume")
        if judged == 0:
            raise MatcalcError(f"could not check: every size planned was skipped (could not sample a point inside "
                               f"the domain at any size: {why})")
        raise MatcalcError(f"could not check: no comparison was decided at the sizes planned ({why})")

    # -- one instance -------------------------------------------------------------------------

    def _instance(self, inst: Instance, rng: random.Random, spread: Fraction | None = None) -> bool:
        """Judge every claim still undecided at a point of this instance, drawing points until f and
        the assumptions are defined there (RESAMPLES at most); False when none was. A claim
        certainly undefined at a point where f and its derivatives are defined is refuted by that
        point once it is defined at another point of the instance; one defined at no point of it is
        not judged there, and said. After half the draws, symbols under an argument that left its
        domain are made positive, and the determinant signs of the instance's variant are released."""
        live = {i: M for i, M in enumerate(self.claims) if self.verdicts[i] is None}
        stand_ins = draw(self.scope.functions, random.Random(f"{self.seed}:{inst.draw}:{inst.text()}"))
        must_be_positive, det_positive = self.domain
        positive = {n: f"{n} > 0, as {why} needs" for n, why in must_be_positive.items()}
        signs = {n: -1 if inst.variant >> (j + 1) & 1 else 1 for j, n in enumerate(self.invertible[:2])}
        failed: dict[int, tuple] = {}  # claim -> (a point where it is undefined and f is not, why)
        last: Exception | str = "no point drawn"
        judged = False
        for attempt in range(RESAMPLES):
            late = attempt >= RESAMPLES // 2 - 1
            values = self._draw(inst, rng, positive.keys(), {} if late else signs,
                                inst.scale if spread is None else spread)
            b = Bindings(values, inst.sizes, stand_ins.elementwise, stand_ins.scalar, deadline=self.deadline)
            here = dict(live)
            try:
                normal = self._assumptions(b)
                if inst.kink:
                    k, side, entry, reflect = inst.kink
                    approach(self.kinked[k][0], side, self.x, {assumed_symbol(a) for a in self.assume}, rng,
                             kinked=tuple(a for a, _ in self.kinked), entry=entry, reflect=reflect)(b)
                if normal is not None and not any(d[0] == "entry" for d in directions(
                        *self._size(b), self.x.symmetric, normal, random.Random(0))):
                    self._skip(inst, inst.text(), f"{FIXED}{self.x.name} at these sizes")
                    return False
                point = _Point(b, normal, self._restrictions(positive, det_positive, normal))
                while here:
                    try:
                        self._judge(inst, point, here, stand_ins, rng)
                        break
                    except ClaimUndefined as e:  # f is defined here, with its derivatives
                        failed.setdefault(e.index, (values, f"the claimed {self.measure.name} cannot be evaluated at "
                                                           f"a point where f can ({e.error})"))
                        here.pop(e.index)
            except UNDEFINED + (Undecided,) as e:
                last = e
                node = getattr(e, "node", None)
                if late and node is not None:
                    for n in sorted(symbols_under(node) - positive.keys()):
                        positive[n] = f"{n} > 0 (random points of either sign left the domain of {show(node)})"
                continue
            judged = True
            self.restrictions.update(dict.fromkeys(point.restrictions))
            for i in list(failed):
                if i in here:  # defined at this point, not at the first: refuted by the first
                    self._refute_domain(i, inst, stand_ins, *failed.pop(i))
            live = {i: self.claims[i] for i in failed if self.verdicts[i] is None}
            if not live:
                if spread is None:
                    self.sizes_judged.add(inst.text())
                return True
            last = next(iter(failed.values()))[1]
        if judged:  # the claims left were defined at no point of this instance
            self._skip(inst, inst.text(), f"{last}, at every point tried")
        elif spread is None:
            self._skip(inst, inst.text() + (f" with {stand_ins.label}" if stand_ins.label else ""), str(last))
        return judged

    def _skip(self, inst: Instance, key: str, why: str) -> None:
        """Instance ``inst`` skipped (``key``: its sizes, and its stand-ins if any), said with ``why`` (the first one)."""
        self.skipped.setdefault(key, why)
        self.skipped_at.setdefault(key, inst.text())

    def _judge(self, inst: Instance, point: _Point, live: dict, stand_ins: StandIns, rng) -> None:
        """Every comparison of every live claim at this point, at rising precision (decide.py).
        Raises what makes the point unusable: f or an assumption certainly undefined, a claim
        certainly undefined (ClaimUndefined), or an evaluation undecided at every precision."""
        rows, cols = self._size(point.b)
        dirs = directions(rows, cols, self.x.symmetric, point.normal, rng)
        pending = dict(live)
        if self.rational and largest_matrix(self.shapes, inst.sizes) <= EXACT_ENTRIES:
            try:
                found = self._compare(point, pending, dirs, (rows, cols), exact=True)
            except NotExact:
                pass
            else:
                self._record_sides()
                for i, comparisons in found.items():
                    self._settle(i, comparisons, inst, point, stand_ins, decide.START)
                return
        compared = False
        for prec in decide.precisions():
            with ctx.workprec(prec):
                try:
                    found = self._compare(point, pending, dirs, (rows, cols))
                except Singular:
                    raise
                except Undecided as e:
                    if compared or prec == decide.BUDGET:
                        break
                    last = e
                    continue
            if not compared:
                self._record_sides()
            compared = True
            for i, comparisons in found.items():
                if self._settle(i, comparisons, inst, point, stand_ins, prec) != decide.UNDECIDED:
                    pending.pop(i)
            if not pending:
                return
        if not compared:
            raise last
        self.unresolved.setdefault(inst.text(), f"a comparison stayed undecided at {decide.BUDGET} bits")

    def _size(self, b: Bindings) -> tuple[int, int]:
        value = b.values[self.x.name]
        return len(value), len(value[0])

    def _compare(self, point: _Point, live: dict, dirs: list, size_x, exact: bool = False) -> dict[int, list]:
        """{claim: [(probe, claimed, actual)]}: balls at the working precision, or exact rationals."""
        b = point.b
        plain = Evaluator(Bindings(b.values, b.dims, b.elementwise, b.scalar, deadline=b.deadline, cache=b.cache,
                                   exact=exact))
        claimed: dict[int, Matrix] = {}
        found: dict[int, list] = {}
        derivatives = values = arb(0)
        for tangents, second in self.measure.evaluations(dirs):
            moved = Bindings(b.values, b.dims, b.elementwise, b.scalar, deadline=b.deadline, cache=b.cache,
                             tangents={self.x.name: [shaped(u, size_x[1]) for _, _, u in tangents]},
                             second={} if second is None else {self.x.name: shaped(second[2], size_x[1])},
                             exact=exact)
            evaluator = Evaluator(moved)
            F = evaluator(self.f)  # f first: a claim is judged undefined only where f and its derivatives are not
            if not claimed:
                claimed.update((i, _value(plain, b, i, M)) for i, M in live.items())
                found.update((i, self.measure.defects(claimed[i], self.x)) for i in live)
                self.claimed_values = claimed
            self._memos = (plain.memo, evaluator.memo)
            for i in live:
                pairs = self.measure.compared(F, claimed[i], tangents, second, self.x, size_x)
                found[i] += pairs
                derivatives = max([derivatives] + [decide.magnitude(a) for _, _, a in pairs])
            values = max([values] + [decide.magnitude(base(v)) for r in F for v in r])
        self.derivatives = max(self.derivatives, derivatives)
        self._scale = self.derivatives if self.derivatives != 0 else values
        return found

    def _settle(self, i: int, comparisons: list, inst: Instance, point: _Point, stand_ins: StandIns, prec: int) -> str:
        """Apply the rule to claim i's comparisons: refuted at the first disjoint pair, agreed when
        all agree, else undecided."""
        outcomes = [decide.compare(c, a, self._scale) for _, c, a in comparisons]
        for (probe, c, a), outcome in zip(comparisons, outcomes):
            if outcome == decide.REFUTED:
                self._refute(i, inst, point, stand_ins, probe, c, a, prec, comparisons)
                return decide.REFUTED
        if all(o == decide.AGREES for o in outcomes):
            self.full[i] = self.full[i] or all(v > 1 for v in inst.sizes.values())
            self.checks[i] += len(comparisons)
            self.instances[i] += 1
            self.worst[i] = max([self.worst[i]] + [decide.relative(c, a, self._scale) for _, c, a in comparisons])
            return decide.AGREES
        return decide.UNDECIDED

    # -- points -------------------------------------------------------------------------------

    def _draw(self, inst, rng, positive, signs, scale) -> dict:
        """The symbols' values at one point of the instance."""
        invertible, det_positive = self.invertible, self.domain[1]
        values = {}
        integers = dict(inst.integers)
        for name, shape in self.symbols.items():
            if name in integers:
                values[name] = [(Fraction(integers[name]),)]
                continue
            r, c = size(shape.rows, inst.sizes), size(shape.cols, inst.sizes)
            sign = 1 if name in det_positive else signs.get(name, rng.choice((-1, 1)))
            for _ in range(PLAIN_DRAWS):
                v = random_matrix(rng, r, c, positive=name in positive, dominant=bool(inst.variant & 1) and
                                  name in invertible, scale=scale, sign=inst.sign)
                if name in self.scope.symmetric:
                    v = symmetrised(v)
                if name in self.drawn and r == c:
                    v = DRAWN[self.drawn[name]](v, rng)
                    break
                if r != c or name not in invertible:
                    break
                v = with_det_sign(v, sign)
                if inst.variant & 1 or r == 1 or _diagonal_sign(v) != sign:
                    break  # a plain one: its diagonal's sign against its determinant's, as a dominant one never has
            values[name] = v
        return values

    def _assumptions(self, b: Bindings) -> list | None:
        """Meet every assumption at this point; the normals of the one on wrt, or None."""
        normal = None
        for a in self.assume:
            y, n = satisfy(a, b, assumed_symbol(a) in self.scope.symmetric)
            if y == self.x.name:
                normal = n
        return normal

    def _restrictions(self, positive, det_positive, normal) -> list[str]:
        out = list(positive.values()) + [f"det({n}) > 0, as {why} needs" for n, why in det_positive.items()]
        if normal is not None:
            a = next(a for a in self.assume if assumed_symbol(a) == self.x.name)
            out.append(f"d{self.x.name} keeps '{a}' (so a claim is judged up to "
                       + ("a multiple of that assumption's normal)" if len(normal) == 1 else
                          "a combination of that assumption's normals)"))
        return out

    # -- kinks --------------------------------------------------------------------------------

    def _record_sides(self) -> None:
        """The signs the entries of each abs and relu argument took at the point just judged."""
        for arg, signs in self.sides.items():
            value = next((m[arg] for m in self._memos if arg in m), None)
            if value is not None:
                signs.update(1 if base(v) > 0 else -1 for r in value for v in r if decide.magnitude(base(v)) > 0)

    def _beyond_kinks(self, plan: list[Instance], rng: random.Random) -> None:
        """While an argument of abs or relu has had entries of one sign only, points farther out
        (SPREADS, scaled past the plan's largest scale); a claim still undecided when a side stays
        unreached cannot be checked (MatcalcError)."""
        if not self.sides:
            return
        top = max(inst.scale for inst in plan)
        for spread in SPREADS:
            for inst in plan[:3]:
                if all(len(s) == 2 for s in self.sides.values()) or all(v is not None for v in self.verdicts):
                    break
                self._instance(inst, rng, spread=top * spread)
        one_sided = [(arg, "positive" if 1 in s else "negative" if s else "zero or undefined")
                     for arg, s in self.sides.items() if len(s) < 2]
        if one_sided and any(v is None for v in self.verdicts):
            arg, seen = one_sided[0]
            raise MatcalcError(f"could not check: the entries of {show(arg)}, an argument of abs or relu, were "
                               f"{seen} at every point tried (up to {3 * top * SPREADS[-1]} in size), so the other "
                               f"side of its kink was never seen")
        names = " and ".join(sorted({n.fn for n in distinct_nodes(self.f, *self.claims)
                                     if isinstance(n, Entrywise) and n.fn in KINKED}))
        self.restrictions[f"the arguments of {names} are non-zero (not differentiable at 0)"] = None

    # -- refutations --------------------------------------------------------------------------

    def _refute(self, i, inst, point, stand_ins, probe: Probe, c: arb, a: arb, prec: int, comparisons) -> None:
        cx, certificate = counterexample(self, i, inst, point, stand_ins, probe, c, a, prec, comparisons)
        err = decide.relative(c, a, self._scale)
        self.worst[i] = max(self.worst[i], err)
        self.verdicts[i] = Verdict("refuted", cx["summary"], err, self.checks[i], cx, certificate)

    def _refute_domain(self, i, inst, stand_ins, values, why) -> None:
        summary = f"refuted at {inst.text()}: {why}"
        cx = {**where(inst, stand_ins, values), "check": "domain", "summary": summary}
        self.verdicts[i] = Verdict("refuted", summary, 1.0, self.checks[i], cx,
                                   domain_certificate(self, i, inst, stand_ins, values, why))


def _diagonal_sign(a: Matrix) -> int:
    """The sign of the product of a's diagonal entries."""
    negative = sum(a[i][i] < 0 for i in range(len(a)))
    return 0 if any(a[i][i] == 0 for i in range(len(a))) else (-1) ** negative


@deep
def check_all(f: Expr, x: Sym, claims: list[Expr], scope: Scope, assume=(), *, seed: int = 0,
              time_limit: float = TIME_LIMIT, measure=None) -> list[Verdict]:
    """Verdicts on several claimed gradients of one f (or Jacobians or Hessians, by ``measure``),
    judged on the same instances. Beyond ``time_limit`` seconds a MatcalcError says it could
    not check."""
    judge = _Judge(f, x, claims, scope, tuple(assume), measure or Gradient(), seed)
    judge.deadline = time.monotonic() + time_limit
    try:
        return judge.run()
    except OutOfTime:
        raise MatcalcError(f"could not check: the time limit of {time_limit:g} s ran out after "
                           f"{max(judge.checks)} checks") from None


def check(f: Expr, x: Sym, gradient: Expr, scope: Scope, assume=(), *, seed: int = 0,
          time_limit: float = TIME_LIMIT) -> Verdict:
    """Verdict on the claim ∂f/∂x = gradient."""
    return check_all(f, x, [gradient], scope, assume, seed=seed, time_limit=time_limit)[0]


def check_jacobians(F: Expr, x: Sym, claims: list[Expr], scope, assume=(), *, seed: int = 0,
                    time_limit: float = TIME_LIMIT) -> list[Verdict]:
    """Verdicts on claimed Jacobians d vec F / d vec(X)ᵀ."""
    not_symmetric(x, "Jacobian")
    return check_all(F, x, claims, scope, assume, seed=seed, time_limit=time_limit, measure=Jacobian())


def check_hessians(f: Expr, x: Sym, claims: list[Expr], scope, assume=(), *, seed: int = 0,
                   time_limit: float = TIME_LIMIT) -> list[Verdict]:
    """Verdicts on claimed Hessians d²f / d vec X d vec(X)ᵀ."""
    not_symmetric(x, "Hessian")
    return check_all(f, x, claims, scope, assume, seed=seed, time_limit=time_limit, measure=Hessian())


MEASURES = {"gradient": Gradient, "jacobian": Jacobian, "hessian": Hessian}


def plan_text(f: Expr, x: Sym, claims: list[Expr], scope: Scope, assume=(), *, seed: int = 0,
              kind: str = "gradient") -> str:
    """The plan of a check, as ``matcalc check --explain`` prints it."""
    judge = _Judge(f, x, claims, scope, tuple(assume), MEASURES[kind](), seed)
    rule = (f"compared by the rule of matcalc/checker/decide.py: Arb balls from {decide.START} bits, doubled up to "
            f"{decide.BUDGET} while undecided")
    return explain(judge.plan(), judge.invertible, bool(scope.functions)) + "\n" + rule
