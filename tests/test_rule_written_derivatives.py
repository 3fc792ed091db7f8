"""The derivatives a document writes, evaluated by the checker where they are written: a written
differential d(E) (expr.Change) is E's first-order change along dX, a written partial ∂u/∂v
(expr.Partial) the gradient of u by v at v's value; an identity L = R is compared entry by entry
(measure Value), and a wrong one is refuted with a counterexample."""
from matcalc.checker.measures import Value
from matcalc.checker.verify import check_all
from matcalc.expr import Change, Partial
from matcalc.parser import parse
from matcalc.prooffile import make_scope

SCOPE = make_scope({"A": "vector(m)", "B": "vector(n)", "X": "matrix(m, n)", "dX": "matrix(m, n)",
                    "y": "scalar", "a": "scalar", "z": "scalar"})


def _verdicts(left, *rights):
    x = SCOPE.symbol("X") if "X" in str(left) else SCOPE.symbol("a")
    return [v.status for v in check_all(left, x, [parse(r, SCOPE) for r in rights], SCOPE, measure=Value())]


def test_a_written_differential_is_the_first_order_change_along_dX():
    d = Change(parse("A' * X * B", SCOPE), SCOPE.symbol("X"), SCOPE.symbol("dX"))
    assert _verdicts(d, "A' * dX * B", "tr(B * A' * dX)", "A' * dX * B + 1") == ["holds", "holds", "refuted"]


def test_the_differential_of_what_does_not_depend_on_the_moving_symbol_is_zero():
    d = Change(parse("A' * A", SCOPE), SCOPE.symbol("X"), SCOPE.symbol("dX"))
    assert _verdicts(d, "0", "A' * A") == ["holds", "refuted"]


def test_a_written_partial_is_the_gradient_by_its_variable():
    p = Partial(parse("A' * X * B", SCOPE), SCOPE.symbol("X"), SCOPE.symbol("X"))
    assert _verdicts(p, "A * B'", "A * B' + 0 * X", "A * B' + X") == ["holds", "holds", "refuted"]


def test_a_written_partial_is_evaluated_at_its_variables_value():
    """∂(½(y − a)²)/∂a at a = σ(z) is σ(z) − y: the chain rule's outer factor, as a document writes it."""
    p = Partial(parse("(1/2) * (y - a) ^ 2", SCOPE), SCOPE.symbol("a"), parse("sigmoid(z)", SCOPE))
    assert _verdicts(p, "sigmoid(z) - y", "a - y", "y - sigmoid(z)") == ["holds", "refuted", "refuted"]


def test_a_refuted_identity_names_both_sides_at_the_point():
    d = Change(parse("A' * X * B", SCOPE), SCOPE.symbol("X"), SCOPE.symbol("dX"))
    v = check_all(d, SCOPE.symbol("X"), [parse("2 * A' * dX * B", SCOPE)], SCOPE, measure=Value())[0]
    assert v.status == "refuted" and "the left side is" in v.message and "the right side is" in v.message
    assert v.counterexample["check"] == "value" and set(v.counterexample["point"]) >= {"A", "B", "X", "dX"}
    assert v.certificate["kind"] == "identity"
