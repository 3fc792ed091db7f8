"""A refutation as people and machines read it: the counterexample (sizes, point, direction,
the two numbers, the whole gradient where every entry was compared) and its certificate, which
``matcalc recheck`` re-evaluates without this package's checker.
"""
from __future__ import annotations

from flint import arb, ctx, fmpq

from ..expr import Let, distinct_nodes
from ..language import show
from .decide import START, relative
from .evaluate import exact
from .measures import Probe

BALL_DIGITS = 40


def number(x: arb, digits: int = 12) -> str:
    """A ball's midpoint to ``digits`` significant digits."""
    return x.mid().str(digits, radius=False) if x.is_finite() else str(x)


def telling(c: arb, a: arb) -> int:
    """Enough significant digits for the midpoints of c and a to print differently (8 at least)."""
    d, s = abs(c.mid() - a.mid()), max(abs(c.mid()), abs(a.mid()))
    if not (d > 0 and s > 0) or not d.is_finite() or not s.is_finite():
        return 8
    return min(60, max(8, int(-float((d / s).log_base(10))) + 3)) if d < s else 8


LONG = 40  # a rational longer than this many characters is shown to 12 digits (the certificate has it whole)


def _shown(x) -> str:
    text = str(x)
    return text if len(text) <= LONG else "≈" + arb(exact(x)).mid().str(12, radius=False)


def format_matrix(a) -> str:
    return "[" + "; ".join(" ".join(_shown(x) for x in r) for r in a) + "]"


def shaped(flat: list, cols: int) -> list:
    return [list(flat[r * cols:(r + 1) * cols]) for r in range(len(flat) // cols)]


def _exact(m) -> list:
    return [[str(x) for x in r] for r in m]


def _base(judge, i: int, inst, stand_ins, values: dict) -> dict:
    """What every certificate states: f, the claim, the declarations, the stand-ins and the point."""
    scope = judge.scope
    lets = {n.name: show(n.body) for n in distinct_nodes(judge.f, judge.claims[i], *judge.assumed) if isinstance(n, Let)}
    return {"kind": judge.measure.name.lower(), "f": show(judge.f), "claim": show(judge.claims[i]),
            "wrt": judge.x.name, "symbols": {n: scope.declaration(n) if n in scope.symbols else shape.declaration()
                                              for n, shape in judge.symbols.items()},
            "functions": dict(scope.functions), "let": dict(sorted(lets.items())),
            "assume": [str(a) for a in judge.assume],
            "stand_ins": stand_ins.data(), "sizes": dict(inst.sizes), "point": {n: _exact(v) for n, v in values.items()}}


def _where(judge, probe: Probe) -> str:
    x = judge.x.name
    if probe.check in ("entry", "column"):
        return f"entry {x}{probe.label}" if probe.v is None else f"entries {x}{probe.label.replace(' and ', f' and {x}')}"
    return "a random direction" if probe.v is None else "random directions"


def _summary(judge, inst, probe: Probe, c: arb, a: arb) -> str:
    head = f"refuted at {inst.text()}: "
    k = telling(c, a)
    name = judge.measure.name
    if probe.check == "symmetry":
        i, j = probe.entry
        letter = "H" if name == "Hessian" else "G"
        why = (f"{judge.x.name} is symmetric, so its gradient is too (the one G with df = tr(Gᵀ d{judge.x.name}) for "
               f"every symmetric d{judge.x.name})" if name == "gradient" else "a Hessian is symmetric")
        return (head + f"{why}, but the claimed one has {letter}[{i + 1},{j + 1}] = {number(c, k)} and "
                f"{letter}[{j + 1},{i + 1}] = {number(a, k)}")
    if probe.check == "value":
        i, j = probe.entry
        where = "" if judge.f.shape.is_scalar else f"entry [{i + 1},{j + 1}]: "
        return head + f"{where}the left side is {number(a, k)} but the right side is {number(c, k)}"
    if name == "Jacobian":
        return (head + f"along {_where(judge, probe)}, entry {probe.entry[0] + 1} of vec(F): the claimed J vec(U) is "
                f"{number(c, k)} but vec(F) changes at rate {number(a, k)}")
    if name == "Hessian":
        return (head + f"along {_where(judge, probe)} the claimed vec(U)ᵀ H vec(V) is {number(c, k)} but f's second "
                f"derivative is {number(a, k)}")
    return head + f"along {_where(judge, probe)} the claimed derivative is {number(c, k)} but f changes at rate {number(a, k)}"


def _gradients(judge, i: int, comparisons: list, cols: int) -> dict:
    """The claimed gradient and the actual one, where every unit direction was compared, with the
    entries where their balls are disjoint."""
    if judge.measure.name != "gradient":
        return {}
    G = judge.claimed_values[i]
    units = {p.label: arb(a) for p, _, a in comparisons if p.check == "entry" and p.u.count(0) >= len(p.u) - 2}
    G = [[arb(x) for x in r] for r in G]
    rows = len(G)
    if len(units) != sum(1 for r in range(rows) for c in range(cols) if not judge.x.symmetric or c >= r) or \
            any(p.u.count(0) < len(p.u) - 2 for p, _, _ in comparisons if p.check == "entry"):
        return {}
    N = [[None] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            key = f"[{min(r, c) + 1},{max(r, c) + 1}]" if judge.x.symmetric else f"[{r + 1},{c + 1}]"
            a = units[key]
            N[r][c] = a / 2 if judge.x.symmetric and r != c else a
    return {"claimed_gradient": format_matrix([[number(x, 6) for x in r] for r in G]),
            "numeric_gradient": format_matrix([[number(x, 6) for x in r] for r in N]),
            "differing_entries": [{"entry": [r + 1, c + 1], "claimed": number(G[r][c]), "numeric": number(N[r][c])}
                                  for r in range(rows) for c in range(cols) if not G[r][c].overlaps(N[r][c])]}


def _disjoint(c, a, prec: int) -> tuple[arb, arb, int]:
    """c and a as balls, and a precision (from ``prec`` up) at which they are disjoint: two exact
    rationals that differ are certified by balls as fine as that takes."""
    if type(c) is not fmpq or type(a) is not fmpq:
        return c, a, prec
    while True:
        with ctx.workprec(prec):
            bc, ba = arb(c), arb(a)
            if not bc.overlaps(ba):
                return bc, ba, prec
        prec *= 2


def where(inst, stand_ins, values: dict) -> dict:
    """Where a claim was refuted: the sizes, the stand-ins of the declared functions (only when there
    are some: no field is ever null) and the point, each matrix as "[a b; c d]"."""
    return {"sizes": dict(inst.sizes), **({"functions": stand_ins.label} if stand_ins.label else {}),
            "point": {n: format_matrix(v) for n, v in values.items()}}


def counterexample(judge, i: int, inst, point, stand_ins, probe: Probe, c, a, prec: int,
                   comparisons: list) -> tuple[dict, dict]:
    """(counterexample, certificate) for claim i refuted by the disjoint balls (or different
    exact rationals) c and a."""
    c, a, prec = _disjoint(c, a, prec)
    values = point.b.values
    cols = len(values[judge.x.name][0])
    cx = {**where(inst, stand_ins, values), "check": probe.check,
          "relative_error": f"{relative(c, a, judge._scale):.3g}"}
    certificate = _base(judge, i, inst, stand_ins, values)
    certificate.update(precision=prec, claimed=c.str(BALL_DIGITS), actual=a.str(BALL_DIGITS))
    if probe.check == "symmetry":
        certificate.update(kind="symmetry", entry=[probe.entry[0] + 1, probe.entry[1] + 1],
                           statement="the claimed matrix's entries [i,j] ('claimed') and [j,i] ('actual') differ")
        cx.update(claimed_derivative=number(c), numeric_derivative=number(a))
    elif probe.check == "value":
        k = telling(c, a) + 4
        certificate.update(kind="identity", entry=[probe.entry[0] + 1, probe.entry[1] + 1],
                           statement="'claimed' is the right side's entry 'entry', 'actual' the left side's")
        cx.update(entry=[probe.entry[0] + 1, probe.entry[1] + 1], left=number(a, k), right=number(c, k))
    else:
        u = format_matrix(shaped(probe.u, cols))
        certificate["direction"] = _exact(shaped(probe.u, cols))
        if probe.v is not None:
            certificate["direction_v"] = _exact(shaped(probe.v, cols))
            cx.update(direction_u=u, direction_v=format_matrix(shaped(probe.v, cols)))
        else:
            cx["direction"] = u
        if probe.entry is not None:
            certificate["entry"] = probe.entry[0] + 1
            cx["entry"] = probe.entry[0] + 1
        certificate["statement"] = _statement(judge.measure.name)
        cx.update(claimed_derivative=number(c, telling(c, a) + 4), numeric_derivative=number(a, telling(c, a) + 4))
        cx.update(_gradients(judge, i, comparisons, cols))
    cx["summary"] = _summary(judge, inst, probe, c, a)
    return cx, certificate


def _statement(name: str) -> str:
    return {"gradient": "'claimed' is tr(Gᵀ U), 'actual' the t coefficient of f(X + tU)",
            "Jacobian": "'claimed' is entry 'entry' of J vec(U), 'actual' that entry of the t coefficient of "
                        "vec F(X + tU)",
            "Hessian": "'claimed' is vec(U)ᵀ H vec(V), 'actual' the st coefficient of f(X + sU + tV)"}[name]


def domain_certificate(judge, i: int, inst, stand_ins, values: dict, why: str) -> dict:
    """The certificate of a claim that cannot be evaluated at a point where f can."""
    certificate = _base(judge, i, inst, stand_ins, values)
    certificate.update(kind="domain", precision=START, statement=why)
    return certificate
