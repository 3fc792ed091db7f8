"""The checker's arithmetic: exact rationals as Arb balls and back, the built-in functions and
their derivatives from Arb power series (against SymPy's, an oracle that shares no code with
the checker), values far beyond any floating-point exponent range, and a tiny relative error
in a vanishing gradient."""
from __future__ import annotations

import random
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
from flint import arb, ctx, fmpq

from matcalc.checker.evaluate import Bindings, ball, evaluate
from matcalc.checker.functions import builtin
from matcalc.checker.sample import midpoint as exact
from matcalc.checker.verify import check
from matcalc.engine.derivation import derive
from matcalc.language import show
from matcalc.parser import parse
from matcalc.prooffile import make_claim, make_scope

from .balls import to_arb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from networks import sigmoid_network  # noqa: E402

T = sp.Symbol("t")
REFERENCE = {"exp": sp.exp(T), "log": sp.log(T), "sin": sp.sin(T), "cos": sp.cos(T), "tan": sp.tan(T),
             "tanh": sp.tanh(T), "sqrt": sp.sqrt(T), "sigmoid": 1 / (1 + sp.exp(-T))}


def _sympy(expr, x: Fraction, digits: int) -> arb:
    """expr at t = x, from SymPy's own evaluation to ``digits`` digits, as a ball."""
    return to_arb(sp.N(expr.subs(T, sp.Rational(x.numerator, x.denominator)), digits))


@pytest.mark.parametrize("x", [Fraction(0), Fraction(-7, 3), Fraction(1, 10**40), Fraction(10**300 + 1, 3),
                               Fraction(-5, 2**70)])
def test_rationals_become_balls_that_contain_them(x):
    """A point's exact rational is a ball containing it, at every precision; a binary fraction is
    an exact ball, and exact() gives a ball's midpoint back as that very rational."""
    q = fmpq(x.numerator, x.denominator)
    dyadic = x.denominator & (x.denominator - 1) == 0
    for prec in (53, 200, 1000):
        with ctx.workprec(prec):
            b, same = ball(x), ball(q)
            assert b.contains(q) and b.contains(exact(b))
            assert b.mid() == same.mid() and b.rad() == same.rad()
            if dyadic:
                assert b.rad() == 0 and exact(b) == q


@pytest.mark.parametrize("fn", ["exp", "sigmoid", "tanh", "sin", "log"])
@pytest.mark.parametrize("order", [1, 2])
def test_derivatives_from_series_are_the_functions_derivatives(fn, order):
    """builtin(fn, x, order) (the order-th coefficient of fn's Arb power series, times order!)
    encloses SymPy's derivative of fn, to 10^-45 of its size."""
    for x in (Fraction(-3, 2), Fraction(1, 7), Fraction(5)):
        if fn == "log" and x < 0:
            continue
        with ctx.workprec(200):
            got = builtin(fn, ball(x), order)
            want = _sympy(sp.diff(REFERENCE[fn], T, order), x, 70)
            assert got.overlaps(want) and got.rad() <= arb(10) ** -45 * (1 + abs(want)), (fn, order, x, got)


def test_built_in_functions_evaluate_to_the_reference_values():
    """Each built-in function, evaluated entrywise on a matrix at 270 bits, encloses SymPy's value
    and is as narrow as 10^-75 of it."""
    rng = random.Random(3)
    scope = make_scope({"X": "matrix(n, n)"}, {}, {})
    values = {"X": [[Fraction(rng.randint(1, 9), 4) for _ in range(2)] for _ in range(2)]}
    for fn, want in REFERENCE.items():
        got = evaluate(parse(f"{fn}(X)", scope), Bindings(values, {"n": 2}), prec=270)
        with ctx.workprec(270):
            for r in range(2):
                for c in range(2):
                    w = _sympy(want, values["X"][r][c], 90)
                    assert type(got[r][c]) is arb
                    assert got[r][c].overlaps(w) and got[r][c].rad() <= arb(10) ** -75 * abs(w), fn


def _network(L: int):
    n = sigmoid_network(L)
    scope = make_scope(n["symbols"], {}, n["let"])
    c = make_claim(1, n["f"], n["wrt"], None, scope)
    return c, scope, derive(c.f, c.wrt, scope=scope).gradient


@pytest.mark.slow
def test_a_vanishing_gradient_off_by_a_tiny_relative_amount_is_refuted():
    """The deep network's gradient is about 10^-90 of f: a claim off by 10^-20 of itself is
    refuted (agreement needs both balls within 2^-133 of their size); so is one claiming
    10^-300 of the true gradient."""
    c, scope, G = _network(192)
    assert check(c.f, c.wrt, G, scope).status == "holds"
    for factor in ("(1 + 10^-20)", "10^-300"):
        wrong = parse(f"{factor} * ({show(G)})", scope)
        assert check(c.f, c.wrt, wrong, scope).status == "refuted", factor


def test_values_far_beyond_floating_point_range_are_computed():
    """exp(±10^9) is 2^∓1.4·10^9, far beyond a double's (or MPFR's default) exponents: Arb's
    exponents are unbounded, and the product is 1, in a ball at most 10^-50 wide."""
    scope = make_scope({"X": "matrix(n, n)"}, {}, {})
    e = parse("exp(-1000000000 * X) .* exp(1000000000 * X)", scope)
    got = evaluate(e, Bindings({"X": [[Fraction(1, 3)]]}, {"n": 1}), prec=200)[0][0]
    with ctx.workprec(200):
        assert got.contains(1) and got.rad() < arb(10) ** -50
