"""Shape (verify.py): a claimed gradient must have the shape of wrt, a Jacobian (rows of vec F) ×
(entries of X), a Hessian (entries of X) × (entries of X), as symbolic dimensions; any other
claim is refuted by its shape alone, whatever its values, and the other claims of the same check
are judged as usual."""
from __future__ import annotations

import pytest

from matcalc.checker.verify import check, check_all, check_hessians, check_jacobians
from matcalc.expr import Sym
from matcalc.parser import parse
from matcalc.prooffile import make_scope

SCOPE = make_scope({"X": "matrix(m, n)", "A": "matrix(n, m)", "B": "matrix(n, n)", "x": "vector(n)",
                    "M": "matrix(m, n)", "Y": "matrix(n, n)", "Z": "matrix(n, k)"})


@pytest.mark.parametrize("check, f, wrt, right, wrong, message", [
    (check_all, "tr(A * X)", "X", "A'", "A", "the gradient A is n×m, but the gradient of f by X is m×n"),
    (check_jacobians, "M * x", "x", "M", "M'", "the Jacobian M' is n×m, but the Jacobian of f by x is m×n"),
    (check_hessians, "x' * B * x", "x", "B + B'", "x", "the Hessian x is n×1, but the Hessian of f by x is n×n"),
])
def test_a_claim_of_the_wrong_shape_is_refuted_and_the_others_judged(check, f, wrt, right, wrong, message):
    verdicts = check(parse(f, SCOPE), SCOPE.symbol(wrt), [parse(right, SCOPE), parse(wrong, SCOPE)], SCOPE)
    assert [v.status for v in verdicts] == ["holds", "refuted"], verdicts[0].message
    assert verdicts[1].message == message


def test_a_claim_right_only_where_two_dimensions_are_equal_is_refuted_by_its_shape():
    """ones(n, k) is n×k, not n×n, though at every instance with k = n it is the right gradient of
    sum(Y)."""
    [v] = check_all(parse("sum(Y)", SCOPE), SCOPE.symbol("Y"), [parse("ones(n, k)", SCOPE)], SCOPE)
    assert v.status == "refuted" and v.message == "the gradient ones(n, k) is n×k, but the gradient of f by Y is n×n"


def test_checker_refuses_a_gradient_of_the_wrong_shape():
    from matcalc.parser import parse
    from matcalc.prooffile import make_scope
    sc = make_scope({"b": "scalar", "X": "matrix(n, n)"})
    X = Sym("X", sc.symbols["X"])
    v = check(parse("sum(b .* X)", sc), X, parse("b", sc), sc)
    assert v.status == "refuted" and "is 1×1, but the gradient of f by X is n×n" in v.message
