"""A failure inside matcalc's engine says it is matcalc's own: an internal error that asks to be
reported, never a message that blames the user's input."""
from __future__ import annotations

import pytest

import matcalc
from matcalc.errors import MatcalcError


def test_engine_failure_says_it_is_matcalcs():
    from matcalc.errors import InternalError
    assert "please report it" in str(InternalError("x"))


def test_an_engine_failure_in_second_order_says_it_is_matcalcs():
    """The Hessian by W of y' softmax(W x) is beyond the engine today: it must say so as its own fault."""
    with pytest.raises(MatcalcError, match="please report it"):
        matcalc.derive("y' * softmax(W * x)", "W", {"W": "matrix(k, n)", "x": "vector(n)", "y": "vector(k)"},
                       kind="hessian")
