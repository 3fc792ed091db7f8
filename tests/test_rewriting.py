"""The rewriting core: every rule has a name of its own (a duplicate is refused), rules are found
by key however they were registered, the fixpoint says why it stopped and a derivation's steps say
so, and "the same form as derived" is judged by the rules that derived it."""
import pytest

from matcalc.engine import core, policy
from matcalc.engine.core import DuplicateRule, Registry, Rule, StopReason, bottom_up, fixpoint, top_down
from matcalc.engine.phases import simplify
from matcalc.engine.rules import algebra, axes, differential, identification, kronecker, trace, vectorise
from matcalc.engine.steps import GRADIENT, Steps
from matcalc.expr import Call, Entrywise, Num, Sym
from matcalc.parser import parse
from matcalc.prooffile import make_scope
from matcalc.shapes import SCALAR

REGISTRIES = [differential.DIFFERENTIAL, trace.TRACE, vectorise.VEC, algebra.ALGEBRA, kronecker.KRONECKER,
              identification.IDENTIFICATION, axes.AXES]


def test_every_rule_name_names_one_rule():
    names = [r.name for registry in REGISTRIES for r in registry]
    assert len(names) == len(set(names))
    assert set(names) == set(core.NAMES)


@pytest.mark.parametrize("names", [
    ("sum of entries", "trace with ones", "sum of entries is linear"),
    ("softmax", "definition of softmax"),
    ("inverse", "inverses cancel"),
    ("symmetric matrix", "symmetric by its form"),
    ("scalar factor in trace", "scalar factor in vec"),
])
def test_labels_that_named_several_rules_name_one_each(names):
    assert len({core.NAMES[n].fn for n in names}) == len(names)


def test_a_proofs_own_rules_take_no_registered_name():
    """The rules a proof makes (writing a let name, applying an assumption) cite names no registered rule has."""
    scope = make_scope({"X": "matrix(n, n)"}, lets={"z": "X * X"})
    made = [policy.let_rule({"z": scope.lets["z"]}), policy.assumption_rule(Num(1), Num(1), "1 = 1")]
    assert not {r.name for r in made} & set(core.NAMES)


@pytest.fixture
def forgotten(monkeypatch):
    """Registrations made by a test are forgotten after it."""
    monkeypatch.setattr(core, "NAMES", dict(core.NAMES))


def test_a_duplicate_rule_name_is_refused(forgotten):
    with pytest.raises(DuplicateRule, match="product rule"):
        Registry("test").add("product rule", lambda e: None)
    fresh = Registry("test")
    fresh.add("a test rule", lambda e: None)
    with pytest.raises(DuplicateRule, match="a test rule"):
        Registry("other").add("a test rule", lambda e: None)


def test_a_rule_is_found_by_key_however_it_was_registered(forgotten):
    """By call (a function defined outside the engine) as by decorator; a (class, function name)
    key before the class, and one rule under several keys."""
    def d_sin(e, D, dep):
        return None

    registry = Registry("test")
    general = registry.add("a test entrywise rule", lambda e, D, dep: None, Entrywise)
    sin = registry.add("a test sine rule", d_sin, (Entrywise, "sin"))
    assert registry.add("a test sine rule", d_sin, (Entrywise, "cos")) is sin
    x = Sym("x", SCALAR)
    assert registry.rule_for(Entrywise("sin", x)) is sin and registry.rule_for(Entrywise("cos", x)) is sin
    assert registry.rule_for(Entrywise("exp", x)) is general
    assert registry.rule_for(Call("tr", x)) is None
    assert registry["a test sine rule"] is sin and list(registry) == [general, sin]
    with pytest.raises(DuplicateRule, match="already"):
        registry.add("another test rule", lambda e: None, Entrywise)


@pytest.mark.parametrize("step, start, reason, end", [
    (lambda x: x, 3, StopReason.NORMAL_FORM, 3),
    (lambda x: min(x + 1, 5), 0, StopReason.NORMAL_FORM, 5),
    (lambda x: x + 1, 0, StopReason.STEP_LIMIT, 20),
    (lambda x: (x + 1) % 2, 0, StopReason.RULE_CYCLE, None),
    (lambda x: 3 + (x + 1) % 7 if x >= 3 else x + 1, 0, StopReason.RULE_CYCLE, None),  # 3, 7, 4, 8, 5, 9, 6, 3
])
def test_fixpoint_says_why_it_stopped(step, start, reason, end):
    x, why = fixpoint(step, start, 20)
    assert why is reason
    if end is not None:
        assert x == end
    else:  # stopped on the cycle: x comes back
        y, back = step(x), False
        for _ in range(20):
            back, y = back or y == x, step(y)
        assert back and step(x) != x


A, B, C = (Sym(n, SCALAR) for n in "abc")


def _replace(old, new):
    return Rule(f"{old.name} -> {new.name}", lambda e: new if e == old else None)


def _count(e):
    return Num(e.value + 1) if isinstance(e, Num) else None


@pytest.mark.parametrize("groups, reason", [
    # b -> c, then a -> b, then c -> a: a round takes a to b and b to a
    ((bottom_up([_replace(B, C)]), bottom_up([_replace(A, B)]), bottom_up([_replace(C, A)])), "rule cycle"),
    ((top_down([Rule("count", _count)]),), "step limit"),
])
def test_simplification_stopped_short_is_a_step(groups, reason):
    steps = Steps()
    start = A if reason == "rule cycle" else Num(0)
    steps.add("start", start, GRADIENT)
    out = simplify(start, policy.Simplification(groups), steps, GRADIENT)
    last = steps.done()[-1]
    assert last.rule == f"simplification stopped: {reason}" and last.expr == out


def test_the_same_form_is_judged_by_the_rules_that_derived_it():
    """A Jacobian is simplified with the Kronecker rules too: (X ⊗ A)ᵀ and Xᵀ ⊗ Aᵀ are the same
    Jacobian form, and two gradient forms only when the gradient's rules make them so."""
    sc = make_scope({"X": "matrix(n, m)", "A": "matrix(m, n)"})
    one, other = parse("kron(X, A)'", sc), parse("kron(X', A')", sc)
    assert policy.normalise(one, "jacobian") == policy.normalise(other, "jacobian")
    assert policy.normalise(one) != policy.normalise(other)
