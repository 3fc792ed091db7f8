"""Attacks on the new forms (symmetric matrices, sin/cos/tan/abs/relu, matrix powers): each test shows
the expected behaviour and fails on the code it was written against when the finding is a bug."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import matcalc

ROOT = Path(__file__).resolve().parents[1]
SYM = {"S": "symmetric(n)", "A": "matrix(n, n)"}
SQUARE = {"X": "matrix(n, n)", "A": "matrix(n, n)"}


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "matcalc.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


# --- 1. a non-symmetric claim by a symmetric S passes when the gradient has a large entry elsewhere.
# The symmetry test compares |G12 - G21| with G's LARGEST entry (10^-25 of it), and symmetric
# directions cannot see an antisymmetric part at all; so when the true gradient has a big entry
# (tr(S^60), or a big constant) a claim missing the symmetrisation (A instead of (A + A')/2) holds.
# The unconstrained analogue is refuted (entrywise checks compare each entry with its own size).

@pytest.mark.parametrize("f, wrong, right", [
    ("tr(S ^ 60) + tr(A * S)", "60 * S ^ 59 + A", "60 * S ^ 59 + (A + A') / 2"),
    ("10^30 * tr(S) + tr(A * S)", "10^30 * eye(n) + A'", "10^30 * eye(n) + (A + A') / 2"),
    ("tr(S ^ 60)", "60 * S ^ 59 + A - A'", "60 * S ^ 59"),
])
def test_asymmetric_claim_hidden_by_a_large_entry_is_refuted(f, wrong, right):
    assert matcalc.check(f, "S", right, symbols=SYM).status == "holds"
    assert matcalc.check(f, "S", wrong, symbols=SYM).status == "refuted"


# --- 2. a claim that meets a huge intermediate value is never refuted: its rounding "noise"
# (10 x the largest magnitude met x 10^-digits) is added to the tolerance even when the claim's value
# is exact and identical at every precision (0 * exp(900) is exactly 0). Any wrong claim then holds.

@pytest.mark.parametrize("wrong", [
    "A + 0 * exp(900)", "exp(-900) * (exp(900) * A)",
    # worse: the claim's value is A' + ones (wrong), but at 370 and at 750 digits the 1 is lost next to
    # e^2000, the two precisions agree, and the checker takes the claim to be A'
    "A' + (exp(2000) + 1 - exp(2000)) * ones(n, n)",
])
def test_huge_cancelling_intermediate_does_not_excuse_a_wrong_claim(wrong):
    v = matcalc.check("tr(A * X)", "X", wrong, symbols=SQUARE)
    assert v.status == "refuted", v.message


def test_huge_intermediate_does_not_excuse_an_asymmetric_claim():
    v = matcalc.check("tr(A * S)", "S", "A + 0 * exp(900)", symbols=SYM)
    assert v.status == "refuted", v.message


# --- 3. relu/abs pieces never reached. _beyond_kinks promises points "a few times beyond the
# largest number written in f or a claim", but it only looks at Num leaves: 10^30 is Power(10, 30),
# so the farthest points are ~3e6 and the claim 0 (wrong wherever x > 10^30) holds.
# And it draws ONE point of the first sizes (n = 2: two entries) per spread: at spread 2^26
# (entries up to 2e8) each entry exceeds 10^7 with probability ~0.47, so the far side of
# relu(x - 10000000) is missed ~28% of the time (seed 0 misses it) and the wrong claim holds.

@pytest.mark.parametrize("f", [
    "sum(relu(x - 10^30))", "sum(relu(x - 10000000))", "sum(abs(x - 10^30) - (10^30 - x))",
    # the far points are rejected (f > 10^100 there) and nothing else is tried, yet the verdict says
    # "its entries had no other sign at any point tried, up to 3145728 in size"
    "sum(relu(x - 100) .^ 60)", "sum(exp(exp(relu(x - 100))))",
])
def test_far_side_of_a_kink_is_reached(f):
    try:
        v = matcalc.check(f, "x", "0 * x", symbols={"x": "vector(n)"})
    except matcalc.MatcalcError as e:  # "could not check": the far side never reached (f blows up there)
        assert "never seen" in str(e)
        return
    assert v.status == "refuted", v.message


# --- 4. a correct claim refuted: the numeric derivative's smallest step is 2^-140 ~ 7e-43, so
# sin(10^50 x) is never resolved; the difference quotient is noise of size ~1/h, yet the checker
# reports it as "f changes at rate 6.85e11" and refutes the true gradient (the engine's own too).
# A correct claim must never be refuted; "could not check" (an error) would be honest.

@pytest.mark.parametrize("f, right", [
    ("sum(sin(10^50 * x))", "10^50 * cos(10^50 * x)"),
    ("sum(tan(10^60 * x))", "10^60 * (1 + tan(10^60 * x) .^ 2)"),
])
def test_true_claim_with_unresolvable_frequency_is_not_refuted(f, right):
    try:
        v = matcalc.check(f, "x", right, symbols={"x": "vector(n)"})
    except matcalc.MatcalcError:
        return  # "could not check" is acceptable
    assert v.status != "refuted", v.message


# --- 5. Unicode rendering of inv(A) ^ 2 is "A⁻¹²", which reads as A to the power -12
# (and inv(A) ^ 12 is "A⁻¹¹²"). The derivation text must not state a different matrix.

def test_unicode_power_of_an_inverse_is_unambiguous():
    r = cli("diff", "tr(A ^ -2 * C)", "--wrt", "A", "--sym", "A=matrix(n,n)", "--sym", "C=matrix(n,n)",
            "--format", "plain")
    assert r.returncode == 0, r.stderr
    assert "A⁻¹²" not in r.stdout and "A⁻¹ᵀ²" not in r.stdout, r.stdout


# --- 6. matrix powers make a size blind spot easy to state: by Cayley-Hamilton the polynomial
# ch(A) = A^5 - e1 A^4 + e2 A^3 - e3 A^2 + e4 A - e5 I (e_k from traces of powers by Newton's
# identities) is exactly 0 for every n <= 5 and not for n >= 6. One dimension name is only ever
# sampled at n = 1..5, so the wrong gradient 2 A' + ch(A) of tr(A^2) holds.

CAYLEY_HAMILTON_5 = {
    "p1": "tr(A)", "p2": "tr(A ^ 2)", "p3": "tr(A ^ 3)", "p4": "tr(A ^ 4)", "p5": "tr(A ^ 5)",
    "e1": "p1", "e2": "(e1 * p1 - p2) / 2", "e3": "(e2 * p1 - e1 * p2 + p3) / 3",
    "e4": "(e3 * p1 - e2 * p2 + e1 * p3 - p4) / 4", "e5": "(e4 * p1 - e3 * p2 + e2 * p3 - e1 * p4 + p5) / 5",
    "ch": "A ^ 5 - e1 * A ^ 4 + e2 * A ^ 3 - e3 * A ^ 2 + e4 * A - e5 * eye(n)",
}


def test_term_vanishing_up_to_size_5_is_seen():
    v = matcalc.check("tr(A ^ 2)", "A", "2 * A' + ch", symbols={"A": "matrix(n, n)"}, let=CAYLEY_HAMILTON_5)
    assert v.status == "refuted", v.message


# --- 7. a traceback: the signs of every abs/relu argument are recorded at every instance, also
# those inside a claim already refuted (so no longer required to evaluate there). Its argument
# log(x) then raises DomainError at a point with x < 0, uncaught: a traceback and exit status 1
# instead of the verdict "refuted".

def test_refuted_claim_with_abs_of_a_partial_function_gives_a_verdict():
    v = matcalc.check("sum(x .* x)", "x", "2 * x + abs(log(x))", symbols={"x": "vector(n)"})
    assert v.status == "refuted"


def test_refuted_claim_with_abs_of_a_partial_function_no_traceback_in_cli():
    r = cli("diff", "sum(x .* x)", "--wrt", "x", "--sym", "x=vector(n)", "--gradient", "2 * x + abs(log(x))")
    assert "Traceback" not in r.stderr, r.stderr[-800:]
    assert r.returncode == 1


# --- 8. the message for symmetric(0) names a shape the user did not write ('vector(0)').

@pytest.mark.parametrize("shape", ["symmetric(0)", "symmetric(-2)"])
def test_bad_symmetric_dimension_message_names_what_was_written(shape):
    r = cli("diff", "tr(S)", "--wrt", "S", "--sym", f"S={shape}")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "vector(" not in r.stderr and shape in r.stderr, r.stderr


# --- 9. a wrong part hidden next to a large one: directional checks compare tr(Gᵀ V) relative to
# its own size (10^-25), and entry-by-entry checks run only at the first sizes (n = 2). The
# Cayley-Hamilton term A^2 - tr(A) A + det(A) I is exactly 0 at n <= 2, so at n >= 3 an O(1) error
# in every entry sits next to 10^30 I and passes. (The same claim without 10^30 is refuted.)

def test_wrong_entries_next_to_a_large_diagonal_are_seen_beyond_the_first_size():
    ch2 = "A ^ 2 - tr(A) * A + det(A) * eye(n)"
    f = "10^30 * tr(X) + tr(A * X)"
    assert matcalc.check(f, "X", "10^30 * eye(n) + A'", symbols=SQUARE).status == "holds"
    v = matcalc.check(f, "X", f"10^30 * eye(n) + A' + {ch2}", symbols=SQUARE)
    assert v.status == "refuted", v.message


# --- 10. a hang past the 60 s time limit: sin/cos/tan have no guard like exp's EXP_LIMIT, and one
# mpmath cos(10^1000000 * x) needs a million digits of pi (minutes, never interrupted by the
# deadline). Expected: a one-line "could not check" error (exit 2) within the time limit.
# (This test costs up to 120 s of CPU when it fails.)

def test_trig_of_a_huge_argument_stops_within_the_time_limit():
    try:
        r = cli("diff", "sum(cos(10^1000000 * x))", "--wrt", "x", "--sym", "x=vector(n)", "--gradient", "0 * x", timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("matcalc diff ran past 120 s (time limit 60 s)")
    assert "Traceback" not in r.stderr


# --- 11. the same for f: f = tr(A X) + (e^2000 + tr(X) - e^2000) = tr(A X) + tr(X). At the first
# level's 110 digits tr(X) is rounded away consistently at X + hV and X - hV, the difference quotient
# then equals tr(A'ᵀ V) to 1e-98, and the wrong claim A' (truth A' + I) is accepted at once: f's
# value is never checked for stability across precisions the way a claim's is.

def test_term_of_f_lost_to_rounding_does_not_make_a_wrong_claim_hold():
    for big in (600, 2000):
        v = matcalc.check(f"tr(A * X) + (exp({big}) + tr(X) - exp({big}))", "X", "A'", symbols=SQUARE)
        assert v.status == "refuted", v.message
