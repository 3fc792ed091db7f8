"""The sixth review: stand-ins computing in the evaluation's own numbers (28b796d), tuple rows in
the evaluator (dc463b7), a matrix's magnitude in its own numbers and the Jacobian's bilinear form
over non-zero entries (27ee31a), the thread-local arithmetic default (089f774), and steps merged
from 250 nodes on (a99cdc3).

Findings (the tests marked FINDING fail on the code reviewed, a4d6f7a..cf84f21):

1. ``_magnitude`` (27ee31a) takes ``max`` over a matrix's own numbers. The numeric gradient (and
   Jacobian, Hessian) a counterexample shows is computed entry by entry, and an f whose rationals
   outgrow EXACT_BITS at one entry's step but not at the one before switches the instance to
   floating point in the middle: the matrix then mixes Fraction and mpf, which do not compare, so
   refuting a wrong claim ends in "internal error, please report: TypeError: '>' not supported
   between instances of 'mpf' and 'Fraction'" (exit 2) where the old code refuted it.
2. With steps merged from 250 nodes on (a99cdc3), a 30- or 40-layer network's derivation shows
   "collect terms" as a step of its own whose expression is exactly the step before (Steps skips
   such a step, but compares the last row's *builder*, a function, with the new expression). The
   old code (500) showed no such step up to 40 layers; the gradient and every rule cited are
   unchanged. Cosmetic, not a soundness issue.

Verified, no finding (guards below): every stand-in derivative of order 0..6 is the mathematical
derivative of the function its fields define (FAST, WIDE, and EXACT for the cubic; the
transcendental one raises NotExact in EXACT); the scalar stand-in's gradient is its value's;
verdicts on ~110 claims with sigma (orders up to 6), C and C', inv, det, kron, vec, diag,
commutation, symmetric X, `sum(x) = 1`, exp(-10^9) factors, Jacobians and Hessians are the same
old vs new (and the catalog's JSON output is byte-identical at seeds 0, 1, 2); Evaluator still hands
back lists of lists; _bilinear skipping zero entries equals the full form; _magnitude of an all-zero
or exact matrix.
"""
from __future__ import annotations

import random
import sys
from fractions import Fraction
from pathlib import Path

import gmpy2
import mpmath
import pytest

import matcalc
from matcalc import derivation
from matcalc.checker import second_order, verify
from matcalc.checker.evaluate import EXACT, FAST, WIDE, Bindings, Evaluator, NotExact, floating, to_mpf
from matcalc.checker.standins import Polynomial, ScalarStandIn, Transcendental, elementwise, function_choices
from matcalc.checker.verify import _magnitude, differing_entries
from matcalc.parser import parse
from matcalc.prooffile import make_scope

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from networks import sigmoid_network  # noqa: E402

MPQ = type(gmpy2.mpq(0))
TWO = {"X": "matrix(2, 2)"}


def _q(v: Fraction) -> mpmath.mpf:
    return mpmath.mpf(v.numerator) / v.denominator


def _reference(s):
    """The stand-in as a plain mpmath function, built from its dataclass fields."""
    if isinstance(s, Polynomial):
        return lambda x: sum(_q(c) * x ** k for k, c in enumerate(s.a))
    c, w, e = [_q(v) for v in s.c], [_q(v) for v in s.w], [_q(v) for v in s.e]
    return lambda x: c[0] + c[1] * x + c[2] * mpmath.sin(w[0] * x + e[0]) + c[3] * mpmath.sin(w[1] * x + e[1])


# ---------------------------------------------------------------- finding 1: mixed numeric matrices

def test_finding_differing_entries_of_a_partly_exact_numeric_gradient():
    """FINDING 1 (unit). A numeric gradient whose first entry was computed in rationals and whose
    later ones in floating point (the instance switched on NotExact in between) is a legitimate
    input of differing_entries. Expected: the differing entries, as the old code gave (it took
    max(abs(to_mpf(v)))); got: TypeError, as mpf and Fraction do not compare in max()."""
    with mpmath.workdps(50):
        C = [[Fraction(1), 0], [Fraction(-1, 2), Fraction(3)]]
        N = [[Fraction(1, 3), mpmath.mpf(2)], [mpmath.mpf("-0.5"), mpmath.mpf(3)]]
        got = differing_entries(C, N)
    assert [d["entry"] for d in got] == [[1, 1], [1, 2]]


def test_finding_wrong_gradient_refuted_not_an_internal_error(monkeypatch):
    """FINDING 1 (end to end). f = sum((X - X').^60) by a 2×2 X, claim X (wrong: the gradient is
    60 (X - X').^59 - 60 ((X - X').^59)'). At seed 26 the first random direction is refuted in
    rationals; the counterexample's numeric gradient then steps entry (1,1) exactly (X - X' does
    not move) and entry (1,2) past 1,024 bits (NotExact: floating point from then on).
    Expected: "refuted" (the old code, be50f66/a4d6f7a, refutes it); got: TypeError from
    verify._magnitude (``matcalc check`` prints "internal error, please report" and exits 2)."""
    seen = []
    real = verify.differing_entries

    def spy(C, N):
        seen.append({type(v) for r in N for v in r})
        return real(C, N)

    monkeypatch.setattr(verify, "differing_entries", spy)
    v = matcalc.check("sum((X - X') .^ 60)", "X", "X", symbols=TWO, seed=26)
    assert seen and any(Fraction in t and mpmath.mpf in t for t in seen), "the case no longer mixes"
    assert v.status == "refuted"


def test_finding_wrong_jacobian_refuted_not_an_internal_error():
    """FINDING 1, Jacobian: F = (X - X').^60, claim eye(4) (wrong). Expected "refuted" (old code);
    got TypeError in differing_entries(J, numeric_jacobian(...)) at seeds 26, 45, 63, 69."""
    assert matcalc.check("(X - X') .^ 60", "X", jacobian="eye(4)", symbols=TWO, seed=26).status == "refuted"


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_guard_same_claim_other_seeds_refuted(seed):
    """The same wrong claim at seeds whose first direction already leaves the rationals: refuted."""
    assert matcalc.check("sum((X - X') .^ 60)", "X", "X", symbols=TWO, seed=seed).status == "refuted"


# ---------------------------------------------------------------- finding 2: duplicated step

def _derive(L: int):
    net = sigmoid_network(L)
    return matcalc.derive(net["f"], net["wrt"], symbols=net["symbols"], let=net["let"])


def test_finding_deep_network_derivation_shows_no_step_twice():
    """FINDING 2 (cosmetic). Steps: "A step that shows the same expression as the one before is
    skipped." For the 40-layer sigmoid network (benchmarks/networks.py) the step "collect terms"
    shows tr(Gᵀ dW1), exactly the merged trace step before it. Expected: no two consecutive steps
    of one side with equal expressions (as with SHOWN_NODES = 500); got: one, because Steps.add
    compares the previous row's builder (a function, the merged step being over 250 nodes) with
    the new expression."""
    steps = _derive(40).steps
    dups = [(i, steps[i].rule) for i in range(1, len(steps))
            if steps[i].side == steps[i - 1].side and steps[i].expr == steps[i - 1].expr]
    assert dups == []


def test_guard_deep_network_gradient_and_rules_as_with_500(monkeypatch):
    """Merging from 250 nodes changes how steps are grouped only: the 40-layer network's gradient
    and verdict are those with the old threshold, every step names its rules, and the rules cited
    on each side are the same (plus, at most, the duplicated "collect terms" of finding 2)."""
    new = _derive(40)
    monkeypatch.setattr(derivation, "SHOWN_NODES", 500)
    old = _derive(40)
    assert new.gradient == old.gradient and new.verdict.status == old.verdict.status == "holds"
    assert all(s.rule.strip() and all(n.strip() for n in s.rule.split(", ")) for s in new.steps)

    def cited(steps):
        out: dict = {}
        for s in steps:
            out.setdefault(s.side, set()).update(s.rule.split(", "))
        return out

    a, b = cited(old.steps), cited(new.steps)
    assert a.keys() == b.keys()
    assert all(b[k] - a[k] <= {"collect terms"} and a[k] <= b[k] for k in a)
    assert len(new.steps) < len(old.steps)


# ---------------------------------------------------------------- stand-ins in the evaluation's numbers

@pytest.mark.parametrize("seed", range(6))
def test_guard_elementwise_stand_in_derivatives_are_the_functions(seed):
    """bound(order, numbers) is the order-th derivative (0..6) of the stand-in its fields define,
    in MPFR and in mpmath; the cubic's is exact (mpq) in EXACT, the transcendental one's NotExact."""
    rng = random.Random(seed)
    with mpmath.workdps(40):
        for exact in (True, False):
            s = elementwise(rng, exact)
            f = _reference(s)
            for order in range(7):
                x = Fraction(rng.randint(-30, 30), rng.randint(1, 9))
                want = mpmath.diff(f, _q(x), order)
                with floating(mpmath.mp.prec):
                    fast = to_mpf(s.bound(order, FAST)(FAST.real(x)))
                wide = s.bound(order, WIDE)(WIDE.real(x))
                for got in (fast, wide):
                    assert abs(got - want) <= mpmath.mpf(10) ** -25 * (1 + abs(want)), (s, order, got, want)
                if isinstance(s, Polynomial):
                    got = s.bound(order, EXACT)(gmpy2.mpq(x))
                    assert type(got) is MPQ
                    assert abs(to_mpf(got) - want) <= mpmath.mpf(10) ** -25 * (1 + abs(want))
                else:
                    with pytest.raises(NotExact):
                        s.bound(order, EXACT)(gmpy2.mpq(x))


def test_guard_transcendental_sign_cycle_on_a_known_function():
    """t = 0 + 0 x + 1·sin(x) + ... : t^(k)(0) cycles 0, 1, 0, -1 for the first wave alone."""
    s = Transcendental((Fraction(1), Fraction(2), Fraction(1), Fraction(0)), (Fraction(1), Fraction(3)),
                       (Fraction(0), Fraction(0)))
    with mpmath.workdps(30):
        got = [s.bound(k, WIDE)(mpmath.mpf(0)) for k in range(9)]
    assert got == [1, 3, 0, -1, 0, 1, 0, -1, 0]


@pytest.mark.parametrize("exact", [True, False])
def test_guard_scalar_stand_in_gradient_is_its_values(exact):
    """ScalarStandIn.gradient is the gradient of ScalarStandIn.value (mpmath.diff by each entry),
    the same in MPFR and mpmath, and in EXACT rational (exact kind) or NotExact (with sin)."""
    rng = random.Random(7)
    s = ScalarStandIn(rng, exact)
    a = [[Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(3)] for _ in range(2)]
    with mpmath.workdps(50):
        with floating(mpmath.mp.prec):
            af = [tuple(map(FAST.real, r)) for r in a]
            value, grad = to_mpf(s.value(af, FAST)), [[to_mpf(g) for g in r] for r in s.gradient(af, FAST)]
        wide = s.value([tuple(map(WIDE.real, r)) for r in a], WIDE)
        assert abs(value - wide) <= mpmath.mpf(10) ** -45 * (1 + abs(value))
        for i in range(2):
            for j in range(3):
                d = mpmath.diff(lambda h: s.value([tuple(_q(x) + (h if (p, q) == (i, j) else 0) for q, x in enumerate(r))
                                                   for p, r in enumerate(a)], WIDE), 0)
                assert abs(d - grad[i][j]) <= mpmath.mpf(10) ** -30 * (1 + abs(d))
        aq = [tuple(map(gmpy2.mpq, r)) for r in a]
        if exact:
            v = s.value(aq, EXACT)
            assert type(v) is MPQ and abs(to_mpf(v) - value) <= mpmath.mpf(10) ** -45 * (1 + abs(value))
            assert all(type(g) is MPQ for r in s.gradient(aq, EXACT) for g in r)
        else:
            with pytest.raises(NotExact):
                s.value(aq, EXACT)


SCOPE = make_scope({"x": "vector(n)", "X": "matrix(n, n)"}, {"sigma": "elementwise", "C": "scalar"}, {})
POINT = {"x": [[Fraction(1, 3)], [Fraction(-2, 5)]], "X": [[Fraction(1, 2), Fraction(1, 3)], [Fraction(-1, 4), 2]]}


@pytest.mark.parametrize("text", ["sigma''(X) + C'(X) * x * sigma(x)'", "C(sigma'(x)) * inv(X) * diag(x)",
                                  "kron(sigma(x), C'(X)) + commutation(n, n) * vec(X) * x'"])
def test_guard_exact_and_floating_evaluation_with_stand_ins(text):
    """With the exact kind (cubic, no sin) an exact evaluation is rational and Fractions are handed
    back as lists of lists; in floating point it agrees; with the transcendental kind the exact
    evaluation raises NotExact (floating point is used instead)."""
    e = parse(text, SCOPE)
    _, ew, sc = function_choices({"sigma": "elementwise", "C": "scalar"}, random.Random(3))[0]
    b = Bindings(POINT, {"n": 2}, ew, sc, exact=True)
    exact = Evaluator(b)(e)
    assert type(exact) is list and all(type(r) is list for r in exact)
    assert all(isinstance(v, (int, Fraction)) for r in exact for v in r)
    with mpmath.workdps(60):
        fl = Evaluator(Bindings(POINT, {"n": 2}, ew, sc))(e)
        assert all(type(r) is list for r in fl)
        assert all(abs(to_mpf(a) - b_) <= mpmath.mpf(10) ** -50 * (1 + abs(b_)) for ra, rb in zip(exact, fl)
                   for a, b_ in zip(ra, rb))
    _, ew2, sc2 = function_choices({"sigma": "elementwise", "C": "scalar"}, random.Random(3))[1]
    with pytest.raises(NotExact):
        Evaluator(Bindings(POINT, {"n": 2}, ew2, sc2, exact=True))(e)


def test_guard_wide_fallback_with_stand_ins_agrees_with_mpmath():
    """A value beyond MPFR's range (exp(-10^9)) sends the evaluation to mpmath; the stand-ins there
    give what they give in MPFR, scaled."""
    _, ew, sc = function_choices({"sigma": "elementwise", "C": "scalar"}, random.Random(5))[1]
    with mpmath.workdps(60):
        plain = Evaluator(Bindings(POINT, {"n": 2}, ew, sc))(parse("sigma'''(x) * C(X)", SCOPE))
        ev = Evaluator(Bindings(POINT, {"n": 2}, ew, sc))
        tiny = ev(parse("sigma'''(x) * C(X) * exp(-1000000000)", SCOPE))
        assert ev.arithmetic is WIDE
        scale = mpmath.exp(-1000000000)
        assert all(abs(t / scale - p) <= mpmath.mpf(10) ** -50 * (1 + abs(p)) for rt, rp in zip(tiny, plain)
                   for t, p in zip(rt, rp))


# ---------------------------------------------------------------- verdicts old = new

S = {"x": "vector(n)", "W": "matrix(m, n)", "X": "matrix(n, n)", "S": "symmetric(n)"}
SIG, C, SC = {"sigma": "elementwise"}, {"C": "scalar"}, {"sigma": "elementwise", "C": "scalar"}


@pytest.mark.parametrize("f, wrt, kind, claim, fns, assume, verdict", [
    ("sum(sigma(x))", "x", "gradient", "sigma'(-x)", SIG, (), "refuted"),          # only for an odd sigma
    ("sum(sigma(-x))", "x", "gradient", "sigma'(x)", SIG, (), "refuted"),
    ("sum(sigma''(x))", "x", "gradient", "-sigma'(x)", SIG, (), "refuted"),        # only for sin-like sigma
    ("sum(sigma'''(x))", "x", "gradient", "0 * x", SIG, (), "refuted"),           # only for a quadratic
    ("sum(sigma'''''(x))", "x", "gradient", "sigma''''''(x)", SIG, (), "holds"),
    ("C(2 * x)", "x", "gradient", "4 * C'(x)", C, (), "refuted"),                 # only for homogeneous quadratic C
    ("C(-x)", "x", "gradient", "C'(x)", C, (), "refuted"),
    ("C(-x)", "x", "gradient", "-C'(-x)", C, (), "holds"),
    ("C(sigma(x))", "x", "gradient", "C'(sigma(x)) .* sigma'(x)", SC, (), "holds"),
    ("C(x)", "x", "gradient", "C'(x) + x", C, ("sum(x) = 1",), "refuted"),
    ("C(S)", "S", "gradient", "C'(S)", C, (), "refuted"),
    ("sum(sigma(W * x))", "x", "hessian", "W' * diag(sigma'(W * x)) * W", SIG, (), "refuted"),
    ("sigma(X')", "X", "jacobian", "diag(vec(sigma'(X'))) * commutation(n, n)", SIG, (), "holds"),
    ("C(x) * exp(-1000000000)", "x", "gradient", "C'(x) * exp(-1000000000)", C, (), "holds"),
])
def test_guard_abstract_function_verdicts(f, wrt, kind, claim, fns, assume, verdict):
    """Claims a special sigma or C would make true are refuted, their true versions hold: the
    verdicts the old code (a4d6f7a^) gives."""
    assert matcalc.check(f, wrt, symbols=S, functions=fns, assume=list(assume), **{kind: claim}).status == verdict


# ---------------------------------------------------------------- _magnitude, _bilinear

def test_guard_magnitude_of_zero_and_exact_matrices():
    with mpmath.workdps(30):
        assert _magnitude([(0, 0), (0, 0)]) == 0
        assert _magnitude([[Fraction(-10 ** 400, 3), 1]]) == to_mpf(Fraction(10 ** 400, 3))
        assert _magnitude([[mpmath.mpf("-1e-100000000000"), mpmath.mpf(0)]]) == mpmath.mpf("1e-100000000000")


def test_guard_bilinear_over_non_zero_entries_is_the_full_form():
    rng = random.Random(11)
    for _ in range(50):
        n = rng.randint(1, 6)
        u = [Fraction(rng.randint(-5, 5), 3) for _ in range(n)]
        v = [Fraction(rng.choice([0, 0, rng.randint(-5, 5)]), 7) for _ in range(n)]
        M = [[Fraction(rng.randint(-9, 9), 5) for _ in range(n)] for _ in range(n)]
        full = sum(a * sum(m * b for m, b in zip(row, v)) for a, row in zip(u, M))
        assert second_order._bilinear(u, M, v) == full
