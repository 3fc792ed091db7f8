"""Which rules simplify a result, in which groups and order: one policy, used both to derive and
to judge a claim "the same form as derived" (``normalise``).

A gradient goes through the algebra groups; a Jacobian or Hessian through those and the
Kronecker group; then numbers are made to lead their products (and a Hessian writes sigmoid'
by sigmoid itself). A proof's assumptions (with the rules that bring sums along an axis to the
form an assumption names) and [let] names are groups of their own, after these.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import ops
from ..declarations import Assumption, Scope
from ..expr import Expr, Let
from .core import Registry, Rule, Run, StopReason, Strategy, bottom_up, fixpoint, sequence, top_down
from .rules import algebra as A
from .rules import axes as AX
from .rules import entrywise_algebra as EA
from .rules import kronecker as KR
from .rules import readable as R
from .rules import scalar_algebra as SA
from .rules import spectral as SP

#: Rounds of the groups a simplification may take before it stops short of a normal form.
ROUNDS = 20


def _rules(registry: Registry, *fns) -> tuple[Rule, ...]:
    """The rules of ``registry`` that apply ``fns`` (a function, or an operator record's rule), in that order."""
    by_fn = {r.fn: r for r in registry}
    return tuple(by_fn[getattr(fn, "fn", fn)] for fn in fns)


def _of(op: str, name: str):
    """The algebra rule ``name`` of an operator's record."""
    return next(r for r in ops.get(op).algebra if r.name == name)


#: The algebra groups, in the order a textbook would apply them; in a group, the first rule that
#: applies to a node fires.
GROUPS: tuple[Strategy, ...] = (
    bottom_up(_rules(A.ALGEBRA, A.double_transpose, A.transpose_product, A.transpose_symmetric, A.transpose_entrywise,
                     A.transpose_constant, A.transpose_power)),
    bottom_up(_rules(A.ALGEBRA, A.powers, A.hadamard_scalars, A.quotients, _of("inv", "inverses cancel"),
                     _of("frechet", "Fréchet derivative along a commuting direction"), SP.daleckii_krein,
                     A.builtin_derivatives,
                     _of("softmax", "definition of softmax"), A.signs, A.identity, A.numbers, A.scalars_first, A.associativity,
                     A.sum_of_entries, A.trace_with_ones, A.trace_of_scalar, A.structure_of_scalar,
                     R.number_of_entries, R.sum_of_scaled, R.division_by_scalar, R.broadcast_times_ones,
                     R.diagonal_products, R.diagonal_times_ones, R.hadamard_associativity,
                     R.trace_of_outer_product)),
    bottom_up(_rules(A.ALGEBRA, SA.scalar_algebra)),
    bottom_up(_rules(A.ALGEBRA, A.collect, A.common_factor)),
    top_down(_rules(A.ALGEBRA, EA.entrywise_algebra)),
)
#: Kronecker products, vec, diag, the commutation matrix and symmetry by form (second order).
KRONECKER: Strategy = bottom_up(KR.KRONECKER)
#: Applied once, after the groups: softmax along an axis gathered from the quotients its derivative leaves
#: (after them, because the entrywise algebra would spread it out again).
SOFTMAX: Strategy = bottom_up((*AX.SOFTMAX, *_rules(AX.AXES, AX.column_sums_of_quotient)))
#: Applied once, after the groups: 2 Aᵀ A, not 2 (Aᵀ A).
LEADING_NUMBER: Strategy = bottom_up(_rules(A.ALGEBRA, A.leading_number))
#: Applied once, after a Hessian's groups: a derivative of a loss's function in terms of the function
#: itself, as a textbook writes a Hessian (Xᵀ diag(s ⊙ (1 - s)) X); a gradient keeps sigmoid'(z).
SELF_DERIVATIVES: Strategy = bottom_up(_rules(A.ALGEBRA, R.sigmoid_derivative))


@dataclass(frozen=True)
class Simplification:
    """``groups`` run in sequence, round after round, to a normal form; then ``finish`` once."""

    groups: tuple[Strategy, ...]
    finish: tuple[Strategy, ...] = ()

    def to_fixpoint(self, e: Expr, run: Run) -> tuple[Expr, StopReason]:
        """e after rounds of the groups until one changes nothing (at most ROUNDS), and why it stopped."""
        rounds = sequence(*self.groups)
        return fixpoint(lambda x: rounds(x, run), e, ROUNDS)

    def finished(self, e: Expr, run: Run) -> Expr:
        return sequence(*self.finish)(e, run)


def simplification(kind: str, assume: tuple[Assumption, ...] = (), scope: Scope | None = None) -> Simplification:
    """The simplification of a result of ``kind`` (gradient, jacobian or hessian), with the
    assumptions and the [let] names of ``scope`` as groups after the policy's."""
    first_order = kind == "gradient"
    groups = GROUPS if first_order else GROUPS + (KRONECKER,)
    if assume:
        groups += (bottom_up((*(assumption_rule(normalise(a.lhs), a.rhs, str(a)) for a in assume), *AX.AXES)),)
    if scope is not None and scope.lets:
        groups += (bottom_up((let_rule(scope.lets),)),)
    return Simplification(groups, (SOFTMAX, SELF_DERIVATIVES, LEADING_NUMBER) if kind == "hessian" else (SOFTMAX, LEADING_NUMBER))


def normalise(e: Expr, kind: str = "gradient") -> Expr:
    """e in the form a derivation of ``kind`` would leave it (no steps recorded): two results
    are "the same form" when their normal forms are equal."""
    s = simplification(kind)
    run = Run()
    e, _ = s.to_fixpoint(e, run)
    return s.finished(e, run)


def assumption_rule(lhs: Expr, rhs: Expr, text: str) -> Rule:
    """A rule replacing lhs (normalised like any gradient) by rhs, citing the assumption."""

    def by_assumption(e: Expr):
        return rhs if e == lhs else None

    return Rule(f"assumption {text}", by_assumption)


def let_rule(lets: dict[str, Expr]) -> Rule:
    """A rule writing a [let] name for any subexpression equal to its body (latest first)."""
    bodies = {body: name for name, body in reversed(list(lets.items()))}

    def by_let(e: Expr):
        """z = body of z, for each [let] name z"""
        name = bodies.get(e)
        return Let(name, e) if name is not None else None

    return Rule("let", by_let)
