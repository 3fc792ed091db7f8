"""The operator registry (matcalc/ops): every registered operator, concern by concern.

The checklist runs each record's example through every concern: it parses and prints back, every
printer spells it, the engine derives through it and the independent checker agrees, every backend
has its code, SymPy translates it, and the checker's own numeric table has it. A concern a record
declares a limit for must fail, and say so. The closed-form derivatives of the entrywise functions
are lemmas, checked against the checker's Taylor series.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path
from fractions import Fraction

import pytest
from flint import ctx

import matcalc
from matcalc import ops
from matcalc.checker import evaluate, functions
from matcalc.checker.evaluate import Bindings, Evaluator
from matcalc.errors import MatcalcError
from matcalc.expr import Entrywise, Sym, walk
from matcalc.language import show
from matcalc.ops.base import BACKENDS, EXAMPLE_SYMBOLS, Op, register
from matcalc.parser import parse
from matcalc.printers.mathml import MATHML
from matcalc.printers.notation import LATEX, UNICODE
from matcalc.prooffile import make_scope
from matcalc.recheck import Certificate, recheck

from .balls import close

ROOT = Path(__file__).resolve().parents[1]
SCOPE = make_scope(EXAMPLE_SYMBOLS)
NAMES = list(ops.REGISTRY)


def _example(op: Op):
    return parse(op.example, SCOPE)


def _variable(e) -> str | None:
    """The first example symbol the expression uses (what the checklist differentiates by)."""
    used = {n.name for n in walk(e) if isinstance(n, Sym)}
    return next((s for s in EXAMPLE_SYMBOLS if s in used), None)


def _uses(op: Op, e) -> bool:
    return any(getattr(n, "fn", None) == op.name or type(n) is op.build for n in walk(e))


@pytest.mark.parametrize("name", NAMES)
def test_registered_operator_parses_and_prints_back(name):
    op = ops.get(name)
    e = _example(op)
    assert _uses(op, e), f"{op.example} does not use {name}"
    assert parse(show(e), SCOPE) == e
    for printer in (UNICODE, LATEX, MATHML):
        assert printer.show(e)


#: (operator, kind): the gradient of its example (of the sum of its entries, for a matrix: the trace
#: rules), and the Jacobian of a matrix example (the vec rules)
DERIVATIVES = [(n, "gradient") for n in NAMES] + [(n, "jacobian") for n in NAMES
                                                  if not _example(ops.get(n)).shape.is_scalar]


@pytest.mark.parametrize("name, kind", DERIVATIVES)
def test_registered_operator_derives_and_the_checker_agrees(name, kind):
    op = ops.get(name)
    e = _example(op)
    x = _variable(e)
    if x is None:
        assert isinstance(op.differential, ops.Unsupported), f"{name}: no symbol to differentiate by in its example"
        return
    f = op.example if kind == "jacobian" or e.shape.is_scalar else f"sum({op.example})"
    if kind in op.limits:
        with pytest.raises(MatcalcError):
            matcalc.derive(f, x, symbols=EXAMPLE_SYMBOLS, kind=kind)
        return
    d = matcalc.derive(f, x, symbols=EXAMPLE_SYMBOLS, kind=kind)
    assert d.verdict.holds, f"{name}: {d.verdict}"


def test_every_function_has_a_reference_definition():
    assert all(ops.get(n).reference for n in ops.of_kind(ops.CALL) + ops.of_kind(ops.ENTRYWISE))


@pytest.mark.parametrize("name", ops.of_kind(ops.CALL) + ops.of_kind(ops.ENTRYWISE))
def test_registered_operator_refutation_is_confirmed_by_its_reference_definition(name):
    """A wrong claim through the operator is refuted, and ``matcalc recheck`` (the record's reference
    definition, not the checker's table) confirms the certificate, its numbers inside the checker's."""
    op = ops.get(name)
    f = op.example if _example(op).shape.is_scalar else f"sum({op.example})"
    x = _variable(_example(op))
    v = matcalc.check(f"{f} + sum({x} .* {x})", x, f"0 * {x}", symbols=EXAMPLE_SYMBOLS)
    assert v.status == "refuted", v
    r = recheck(Certificate(v.certificate, name))
    assert r.confirmed and "NOT inside" not in r.detail, r.detail  # both definitions give the same balls


@pytest.mark.parametrize("name", NAMES)
def test_registered_operator_has_code_in_every_backend(name):
    assert set(ops.get(name).code) == set(BACKENDS)


@pytest.mark.parametrize("name", NAMES)
def test_registered_operator_translates_to_sympy(name):
    op = ops.get(name)
    e = _example(op)
    if "sympy" in op.limits:
        with pytest.raises(MatcalcError, match="no SymPy"):
            matcalc.to_sympy(op.example, symbols=EXAMPLE_SYMBOLS)
        return
    assert matcalc.to_sympy(e) is not None


@pytest.mark.parametrize("name", [n for n, op in ops.REGISTRY.items() if op.sympy_class])
def test_registered_operator_reads_back_from_its_sympy_class(name):
    op = ops.get(name)
    back = matcalc.from_sympy(matcalc.to_sympy(op.example, symbols=EXAMPLE_SYMBOLS))
    assert show(back.expr) == show(_example(op))


def test_the_checker_evaluates_the_operators_the_registry_names():
    """The checker keeps its own numeric table; it must name exactly the registered operators."""
    assert set(evaluate.MATRIX_FUNCTIONS) == set(ops.of_kind(ops.CALL))
    assert set(functions.ENTRYWISE) == set(ops.of_kind(ops.ENTRYWISE))
    assert set(functions.KINKED) == {n for n in ops.of_kind(ops.ENTRYWISE) if ops.get(n).kinked}
    assert {ops.get(n).build for n in ops.of_kind(ops.NODE)} <= set(evaluate.RULES)


def test_the_checkers_needs_name_only_functions_it_evaluates():
    assert set(evaluate.NEEDS) <= set(evaluate.MATRIX_FUNCTIONS)


def test_an_operator_registered_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        register(Op("tr", ops.CALL, "again", "tr(X)"))
    with pytest.raises(ValueError, match="spelling taken"):
        register(Op("trace2", ops.CALL, "a second spelling of tr", "tr(X)", spellings=("tr",)))
    assert "trace2" not in ops.REGISTRY


VECTOR = make_scope({"x": "vector(3)"})
U = parse("x", VECTOR)
#: (function, order) for every derivative a record writes in closed form, in the language and in code
CLOSED_FORMS = [(n, k) for n in ops.of_kind(ops.ENTRYWISE) for k in (1, 2, 3)
                if ops.get(n).derivative and ops.get(n).derivative(U, k) is not None]
CODE_FORMS = [(n, k) for n in ops.of_kind(ops.ENTRYWISE) for k in (1, 2, 3)
              if ops.get(n).derivative_code(k, lambda name: name, str) is not None]


def _point(rng, positive: bool) -> dict:
    return {"x": [[Fraction(rng.randint(1, 29), rng.randint(5, 31)) * (1 if positive or rng.random() < .5 else -1)]
                  for _ in range(3)]}


@pytest.mark.parametrize("name,k", CLOSED_FORMS)
def test_closed_form_derivative_is_a_lemma(name, k):
    """f⁽ᵏ⁾(u) = the record's closed form, at random points (the checker's series as the oracle)."""
    closed = ops.get(name).derivative(U, k)
    rng = random.Random(k)
    with ctx.workprec(200):
        for _ in range(5):
            b = Bindings(_point(rng, name in ("log", "sqrt")), {}, {}, {})
            ev = Evaluator(b)
            assert close(ev(Entrywise(name, U, k)), ev(closed))


@pytest.mark.parametrize("name,k", CODE_FORMS)
def test_derivative_code_is_a_lemma(name, k):
    """The emitted code of f⁽ᵏ⁾ computes f⁽ᵏ⁾ (NumPy, against the checker's series)."""
    np = pytest.importorskip("numpy")
    from matcalc.codegen.backends import NUMPY
    from matcalc.codegen.lower import _signed

    code = ops.get(name).derivative_code(k, lambda n: NUMPY.ops[n].text, _signed)
    namespace = {"np": np}
    for helper in NUMPY.helpers.values():
        exec(helper, namespace)  # the backend's own helper definitions (test code, not user text)
    rng = random.Random(k)
    for _ in range(5):
        point = _point(rng, name in ("log", "sqrt"))
        x = np.array([[float(v[0])] for v in point["x"]])
        namespace["x"] = x
        got = eval(code.text.format("x"), namespace)  # noqa: S307 - a template of our own
        with ctx.workprec(200):
            want = Evaluator(Bindings(point, {}, {}, {}))(Entrywise(name, U, k))
        assert np.allclose(np.broadcast_to(got, x.shape), [[float(w[0].mid())] for w in want], rtol=1e-12, atol=1e-12)


def test_the_operators_page_lists_every_registered_operator():
    """docs/operators.md ends with the registry's table (``python scripts/operators_table.py`` rewrites it)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from operators_table import HEADING, PAGE, table
    finally:
        sys.path.pop(0)
    assert PAGE.read_text(encoding="utf-8").split(HEADING, 1)[1] == table().split(HEADING, 1)[1]
