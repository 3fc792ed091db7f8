"""Stand-ins (standins.py): a claim about an abstract sigma or C must hold for every one, so the
stand-ins have no property a wrong claim could lean on (an even or odd sigma, a vanishing
derivative, a quadratic or homogeneous C, a sum over entries), and they compute in the checker's
own numbers: an elementwise one on Arb power series, whose derivatives of every order the series
give, and a scalar one on ring numbers with its gradient beside it. Each is checked here against
SymPy's function built from its published fields."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy as sp
from flint import arb, ctx

import matcalc
from matcalc.checker.evaluate import Bindings, ball, evaluate
from matcalc.checker.ring import apply
from matcalc.checker.standins import Elementwise, Scalar, draw, elementwise
from matcalc.parser import parse
from matcalc.prooffile import make_scope

from .balls import to_arb

T = sp.Symbol("t")


def _q(v) -> sp.Rational:
    v = Fraction(str(v))
    return sp.Rational(v.numerator, v.denominator)


def _reference(s: Elementwise):
    """The stand-in as a SymPy function of t, from the fields its data() publishes."""
    d = {k: _q(v) for k, v in s.data().items() if k != "form"}
    return (d["c0"] + d["c1"] * T + d["c2"] * T ** 2 + d["c3"] * T ** 3 + d["alpha"] * sp.sin(d["w1"] * T + d["phi1"])
            + d["beta"] * sp.cos(d["w2"] * T + d["phi2"]))


def _near(got: arb, want, digits: int = 25) -> bool:
    """got overlaps want (a SymPy number at 60 digits) and is within 10^-digits of its size."""
    w = to_arb(sp.N(want, 60))
    return got.overlaps(w) and got.rad() <= arb(10) ** -digits * (1 + abs(w))


# --- the stand-ins are the functions they publish ------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_elementwise_stand_in_derivatives_are_the_functions(seed):
    """The order-th derivative (0..6) from the stand-in's series is SymPy's derivative of the
    function its fields define."""
    rng = random.Random(seed)
    for _ in range(2):
        s = elementwise(rng)
        f = _reference(s)
        for order in range(7):
            x = Fraction(rng.randint(-30, 30), rng.randint(1, 9))
            with ctx.workprec(200):
                got = apply(s, ball(x), order)
                assert _near(got, sp.diff(f, T, order).subs(T, _q(x))), (s, order, got)


def test_elementwise_sign_cycle_on_a_known_function():
    """sigma = 1 + 2x + sin(x) (+ 0 cos(3x)): its derivatives at 0 are 1, 3, 0, -1, 0, 1, 0, -1, 0,
    each in a ball at most 2^-60 wide."""
    s = Elementwise((Fraction(1), Fraction(2), Fraction(0), Fraction(0)), Fraction(1), Fraction(1), Fraction(0),
                    Fraction(0), Fraction(3), Fraction(0))
    with ctx.workprec(100):
        got = [apply(s, arb(0), k) for k in range(9)]
        assert all(g.contains(w) and g.rad() <= arb(2) ** -60 for g, w in zip(got, [1, 3, 0, -1, 0, 1, 0, -1, 0])), got


def test_scalar_stand_in_value_and_gradient_are_the_functions():
    """Scalar.value is the function its data() publishes, and Scalar.gradient its gradient (SymPy's
    diff by each entry, read row by row)."""
    rng = random.Random(7)
    s = Scalar(rng)
    a = [[Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(3)] for _ in range(2)]
    flat = [x for r in a for x in r]
    with ctx.workprec(200):
        value = s.value([[ball(x) for x in r] for r in a])
        grad = s.gradient([[ball(x) for x in r] for r in a])
    d = s.data()
    p = {k: [[_q(x) for x in r] if isinstance(r, list) else _q(r) for r in m] for k, m in d["by_shape"]["2x3"].items()}
    v = sp.symbols("v0:6")
    dot = lambda xs, ys: sum(x * y for x, y in zip(xs, ys))  # noqa: E731
    C = (_q(d["c0"]) + dot(p["c"], v) + dot(v, [dot(row, v) for row in p["P"]]) / 2 + _q(d["k"]) * dot(p["q"], v) ** 3
         + _q(d["alpha"]) * sp.sin(dot(p["r"], v)) + _q(d["beta"]) * sp.cos(dot(p["s"], v)))
    at = {vi: _q(x) for vi, x in zip(v, flat)}
    with ctx.workprec(200):
        assert _near(value, C.subs(at))
        assert all(_near(g, sp.diff(C, vi).subs(at)) for g, vi in zip(grad, v))


# --- evaluation with stand-ins ---------------------------------------------------------------------

SCOPE = make_scope({"x": "vector(n)", "X": "matrix(n, n)"}, {"sigma": "elementwise", "C": "scalar"}, {})
POINT = {"x": [[Fraction(1, 3)], [Fraction(-2, 5)]], "X": [[Fraction(1, 2), Fraction(1, 3)], [Fraction(-1, 4), 2]]}
KINDS = {"sigma": "elementwise", "C": "scalar"}


@pytest.mark.parametrize("text", ["sigma''(X) + C'(X) * x * sigma(x)'", "C(sigma'(x)) * inv(X) * diag(x)",
                                  "kron(sigma(x), C'(X)) + commutation(n, n) * vec(X) * x'"])
def test_evaluation_with_stand_ins_encloses_the_value_at_every_precision(text):
    """With stand-ins the result is a list of row tuples of balls; at 64 and at 256 bits the balls
    overlap, and the finer one is within 2^-200 of its size."""
    e = parse(text, SCOPE)
    ins = draw(KINDS, random.Random(3))
    b = Bindings(POINT, {"n": 2}, ins.elementwise, ins.scalar)
    coarse, fine = evaluate(e, b, prec=64), evaluate(e, b, prec=256)
    assert type(fine) is list and all(type(r) is tuple and all(type(v) is arb for v in r) for r in fine)
    with ctx.workprec(256):
        assert all(c.overlaps(f) and f.rad() <= arb(2) ** -200 * (1 + abs(f)) for rc, rf in zip(coarse, fine)
                   for c, f in zip(rc, rf))


def test_stand_ins_far_beyond_floating_point_range():
    """A value beyond any floating-point range (exp(-10^9)) is a ball like any other: the stand-ins
    there give what they give alone, scaled."""
    ins = draw(KINDS, random.Random(5))
    b = Bindings(POINT, {"n": 2}, ins.elementwise, ins.scalar)
    plain = evaluate(parse("sigma'''(x) * C(X)", SCOPE), b, prec=200)
    tiny = evaluate(parse("sigma'''(x) * C(X) * exp(-1000000000)", SCOPE), b, prec=200)
    with ctx.workprec(200):
        scale = arb(-1000000000).exp()
        assert all((t / scale).overlaps(p) and (t / scale).rad() <= arb(10) ** -50 * (1 + abs(p))
                   for rt, rp in zip(tiny, plain) for t, p in zip(rt, rp))


# --- claims true only for a special stand-in are refuted ------------------------------------------

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
def test_claims_true_only_for_special_stand_ins_are_refuted(f, wrt, kind, claim, fns, assume, verdict):
    """Claims a special sigma or C would make true are refuted, their true versions hold."""
    assert matcalc.check(f, wrt, symbols=S, functions=fns, assume=list(assume), **{kind: claim}).status == verdict


def test_a_scalar_stand_in_depends_on_its_arguments_shape():
    """C(a) and C(aᵀ) are different functions, even for a vector whose entries read alike."""
    import matcalc
    v = matcalc.check("C(a) - C(a')", "a", "0 * a", {"a": "vector(n)"}, functions={"C": "scalar"})
    assert v.status == "refuted", v.message
    v = matcalc.check("C(a')", "a", "C'(a)", {"a": "vector(n)"}, functions={"C": "scalar"})
    assert v.status == "refuted", v.message
