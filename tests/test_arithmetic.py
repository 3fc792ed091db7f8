"""The checker's arithmetic: MPFR evaluation handed back as mpmath numbers, derivatives of
exp, sigmoid and tanh from their values, and the level a tiny derivative is first compared at."""
from __future__ import annotations

import random
import sys
from fractions import Fraction
from pathlib import Path

import gmpy2
import mpmath
import pytest

from matcalc.checker.evaluate import Bindings, Evaluator, floating, from_value, to_mpf, to_mpfr
from matcalc.checker.verify import check
from matcalc.derivation import derive
from matcalc.language import show
from matcalc.parser import parse
from matcalc.prooffile import make_claim, make_scope

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from networks import sigmoid_network  # noqa: E402


@pytest.mark.parametrize("x", [Fraction(0), Fraction(-7, 3), Fraction(1, 10**40), Fraction(10**300 + 1, 3)])
def test_mpfr_and_mpf_convert_both_ways_without_loss(x):
    with mpmath.workdps(60), floating(mpmath.mp.prec):
        as_mpf = to_mpf(x)
        there = to_mpfr(as_mpf)
        assert to_mpf(there) == as_mpf
        assert to_mpf(to_mpfr(x)) == as_mpf
        assert to_mpf(gmpy2.mpfr(0)) == 0 and to_mpf(-gmpy2.mpfr(0)) == 0


@pytest.mark.parametrize("fn", ["exp", "sigmoid", "tanh"])
@pytest.mark.parametrize("order", [1, 2])
def test_derivatives_from_values_are_the_functions_derivatives(fn, order):
    """exp' = exp; σ' = σ(1 - σ), σ'' = σ'(1 - 2σ); tanh' = 1 - tanh², tanh'' = -2 tanh tanh'."""
    f = {"exp": mpmath.exp, "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t)), "tanh": mpmath.tanh}[fn]
    with mpmath.workdps(60):
        for x in (mpmath.mpf(-3) / 2, mpmath.mpf(1) / 7, mpmath.mpf(5)):
            with floating(mpmath.mp.prec):
                got = to_mpf(from_value(fn, to_mpfr(f(x)), order))
            want = mpmath.diff(f, x, order)
            assert abs(got - want) <= mpmath.mpf(10) ** -45 * max(1, abs(want))


def test_floating_evaluation_matches_mpmath():
    """Each built-in function, evaluated with MPFR, is mpmath's value to the working precision."""
    rng = random.Random(3)
    scope = make_scope({"X": "matrix(n, n)"}, {}, {})
    values = {"X": [[Fraction(rng.randint(1, 9), 4) for _ in range(2)] for _ in range(2)]}
    ref = {"exp": mpmath.exp, "log": mpmath.log, "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan,
           "tanh": mpmath.tanh, "sqrt": mpmath.sqrt, "sigmoid": lambda t: 1 / (1 + mpmath.exp(-t))}
    with mpmath.workdps(80):
        for fn, want in ref.items():
            got = Evaluator(Bindings(values, {"n": 2}))(parse(f"{fn}(X)", scope))
            for r in range(2):
                for c in range(2):
                    w = want(to_mpf(values["X"][r][c]))
                    assert isinstance(got[r][c], mpmath.mpf)
                    assert abs(got[r][c] - w) <= mpmath.mpf(10) ** -75 * abs(w), fn


def _network(L: int):
    n = sigmoid_network(L)
    scope = make_scope(n["symbols"], {}, n["let"])
    c = make_claim(1, n["f"], n["wrt"], None, scope)
    return c, scope, derive(c.f, c.wrt, scope=scope).gradient


@pytest.mark.slow
def test_a_vanishing_gradient_off_by_a_tiny_relative_amount_is_refuted():
    """The deep network's gradient is about 10^-90 of f: comparisons start at a finer level, and a
    claim off by 10^-20 of itself (beyond the tolerance of 10^-25) is still refuted; so is one
    claiming 10^-300 of the true gradient (compared at the finest level)."""
    c, scope, G = _network(192)
    assert check(c.f, c.wrt, G, scope).status == "holds"
    for factor in ("(1 + 10^-20)", "10^-300"):
        wrong = parse(f"{factor} * ({show(G)})", scope)
        assert check(c.f, c.wrt, wrong, scope).status == "refuted", factor


def test_values_beyond_mpfr_exponent_range_are_computed_in_mpmath():
    """exp(±10^9) is 2^∓1.4·10^9, beyond MPFR's exponents in gmpy2: evaluated again in mpmath, the
    product is 1 (MPFR alone would give 0 · overflow)."""
    scope = make_scope({"X": "matrix(n, n)"}, {}, {})
    e = parse("exp(-1000000000 * X) .* exp(1000000000 * X)", scope)
    with mpmath.workdps(60):
        got = Evaluator(Bindings({"X": [[Fraction(1, 3)]]}, {"n": 1}))(e)
    assert abs(got[0][0] - 1) < mpmath.mpf(10) ** -50
