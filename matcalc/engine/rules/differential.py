"""Differential rules: push d inward. Each rule gets the node e (with D(e) pending),
``D`` that makes a pending differential, and ``dep`` that says whether a subexpression
depends on the variable; it returns the differential of e (never zero: d is only
pushed into subexpressions that depend on the variable).
"""
from __future__ import annotations

from fractions import Fraction

from ... import ops
from ...errors import NotDifferentiable
from ...expr import (
    Add, Call, Div, EDiv, Entrywise, EPower, Expr, Hadamard, Let, MatMul, MatPower, Neg, Num, Ones, Power, ScalarFn,
    SymbolicPower, Transpose,
)
from ...language import show
from ..core import Registry, Rule
from .algebra import symmetric

DIFFERENTIAL = Registry("differential")


def rule_for(e: Expr) -> Rule:
    """The rule that differentiates e's head; NotDifferentiable when there is none."""
    if isinstance(e, ScalarFn) and e.order > 0:
        raise NotDifferentiable(f"no rule to differentiate {show(e)}: it would need the Hessian of {e.fn}")
    op = ops.get(e.fn) if isinstance(e, Call) else None
    if op is not None and op.symmetric_argument and not symmetric(e.arg):
        raise NotDifferentiable(f"the differential of {show(e)} needs a symmetric argument (dA symmetric): "
                                "declare it symmetric(n), or write it as B * B'")
    r = DIFFERENTIAL.rule_for(e)
    if r is None:
        why = f": {op.differential.reason}" if op is not None and isinstance(op.differential, ops.Unsupported) else ""
        raise NotDifferentiable(f"no differential rule for {show(e)}{why}")
    return r


def _sum(terms: list[Expr]) -> Expr:
    return terms[0] if len(terms) == 1 else Add(tuple(terms))


def _broadcast(dt: Expr, shape) -> Expr:
    """A scalar term's differential spread over a sum of the given shape: ds · 1 (a matrix of ones)."""
    return dt if dt.shape == shape else MatMul(dt, Ones(shape.rows, shape.cols))


@DIFFERENTIAL("linearity", Add, Neg)
def d_linear(e: Add | Neg, D, dep) -> Expr:
    """d(A + B) = dA + dB, d(-A) = -dA, and d(A + s) = dA + ds 1 for a scalar s broadcast to A's shape"""
    if isinstance(e, Neg):
        return Neg(D(e.arg))
    return _sum([_broadcast(Neg(D(t.arg)) if isinstance(t, Neg) else D(t), e.shape) for t in e.terms if dep(t)])


@DIFFERENTIAL("let, expanded", Let)
def d_let(e: Let, D, dep) -> Expr:
    """d(z) = d(body of z) for a [let] name z"""
    return D(e.body)


def _leibniz(e, D, dep, build) -> Expr:
    terms = []
    if dep(e.left):
        terms.append(build(D(e.left), e.right))
    if dep(e.right):
        terms.append(build(e.left, D(e.right)))
    return _sum(terms)


@DIFFERENTIAL("product rule", MatMul)
def d_product(e: MatMul, D, dep) -> Expr:
    """d(AB) = dA B + A dB"""
    return _leibniz(e, D, dep, MatMul)


@DIFFERENTIAL("Hadamard product rule", Hadamard)
def d_hadamard(e: Hadamard, D, dep) -> Expr:
    """d(A ⊙ B) = dA ⊙ B + A ⊙ dB"""
    return _leibniz(e, D, dep, Hadamard)





@DIFFERENTIAL("quotient rule", EDiv, Div)
def d_quotient(e: EDiv | Div, D, dep) -> Expr:
    """d(A ./ B) = dA ./ B - (A ./ B .^ 2) ⊙ dB and d(A / c) = dA / c - A dc / c ^ 2"""
    terms = []
    if dep(e.left):
        terms.append(type(e)(D(e.left), e.right))
    if dep(e.right):
        a, b, db = e.left, e.right, D(e.right)
        two = Fraction(2)
        terms.append(Neg(Hadamard(EDiv(a, EPower(b, two)), db) if isinstance(e, EDiv) else Div(MatMul(a, db), Power(b, two))))
    return _sum(terms)


def _times(k: Fraction, e: Expr) -> Expr:
    """k * e for a rational k, written without a factor 1."""
    if k == 1:
        return e
    return Neg(_times(-k, e)) if k < 0 else MatMul(Num(k), e)


def _pow(base: Expr, k: Fraction, cls) -> Expr | None:
    return None if k == 0 else base if k == 1 else cls(base, k)


@DIFFERENTIAL("power rule", Power)
def d_power(e: Power, D, dep) -> Expr:
    """d(c ^ k) = k c ^ (k - 1) dc; of a norm, d(‖A‖ ^ k) = k ‖A‖ ^ (k - 2) tr(Aᵀ dA) (d‖A‖ = tr(Aᵀ dA) / ‖A‖,
    cancelled here rather than carried as ‖A‖ / ‖A‖ through the derivation)"""
    c = e.base
    if isinstance(c, Call) and c.fn == "norm":
        p = _pow(c, e.exponent - 2, Power)
        dc = Call("tr", MatMul(Transpose(c.arg), D(c.arg)))
    else:
        p, dc = _pow(c, e.exponent - 1, Power), D(c)
    return _times(e.exponent, dc if p is None else MatMul(p, dc))


@DIFFERENTIAL("entrywise power rule", EPower)
def d_epower(e: EPower, D, dep) -> Expr:
    """d(A .^ k) = k A .^ (k - 1) ⊙ dA"""
    p = _pow(e.base, e.exponent - 1, EPower)
    return _times(e.exponent, D(e.base) if p is None else Hadamard(p, D(e.base)))


def _factor_power(a: Expr, i: int) -> Expr | None:
    """A ^ i written plainly: None for i = 0 (an identity factor left out), A for i = 1."""
    return None if i == 0 else a if i == 1 else MatPower(a, i)


@DIFFERENTIAL("matrix power rule", MatPower)
def d_matrix_power(e: MatPower, D, dep) -> Expr:
    """d(A ^ k) = Σ_{i=0}^{k-1} A ^ i dA A ^ (k-1-i)"""
    da = D(e.base)
    terms = []
    for i in range(e.exponent):
        left, right = _factor_power(e.base, i), _factor_power(e.base, e.exponent - 1 - i)
        term = da if right is None else MatMul(da, right)
        terms.append(term if left is None else MatMul(left, term))
    return _sum(terms)


def lowered(k: Expr) -> Expr:
    """k - 1 for an integer expression k, its number terms added up: (k + 1) - 1 = k, (k - 1) - 1 = k - 2."""
    rest, c = [], Fraction(-1)
    for t in k.terms if isinstance(k, Add) else (k,):
        if isinstance(t, Num) or isinstance(t, Neg) and isinstance(t.arg, Num):
            c += t.value if isinstance(t, Num) else -t.arg.value
        else:
            rest.append(t)
    if c or not rest:
        rest.append(Num(c) if c >= 0 else Neg(Num(-c)))
    return rest[0] if len(rest) == 1 else Add(tuple(rest))


def d_integer_power(e: SymbolicPower, D, dep) -> Expr:
    """d(c ^ k) = k c ^ (k - 1) dc for a scalar c and an integer expression k (k an integer symbol, k - 1, ...)"""
    return MatMul(e.exponent, MatMul(SymbolicPower(e.base, lowered(e.exponent)), D(e.base)))


def d_entrywise_integer_power(e: SymbolicPower, D, dep) -> Expr:
    """d(A .^ k) = k A .^ (k - 1) ⊙ dA for an integer expression k"""
    return MatMul(e.exponent, Hadamard(SymbolicPower(e.base, lowered(e.exponent), True), D(e.base)))


def d_trace_of_power(e: Call, D, dep) -> Expr:
    """d tr(A ^ k) = tr(k A ^ (k - 1) dA) for an integer expression k (the k terms A ^ j dA A ^ (k-1-j) of
    d(A ^ k) are equal under the trace; Matrix Cookbook (2012) eq. (121))"""
    a = _unlet(e.arg)
    return Call("tr", MatMul(a.exponent, MatMul(SymbolicPower(a.base, lowered(a.exponent)), D(a.base))))


INTEGER_POWER = DIFFERENTIAL.add("power rule, integer exponent", d_integer_power)
ENTRYWISE_INTEGER_POWER = DIFFERENTIAL.add("entrywise power rule, integer exponent", d_entrywise_integer_power)
TRACE_OF_POWER = DIFFERENTIAL.add("trace of a power", d_trace_of_power)


def integer_power_rule(e: SymbolicPower) -> Rule:
    """The rule for a power with an integer expression as exponent; a matrix power has none: d(A ^ k) is
    the sum of the k terms A ^ j dA A ^ (k-1-j), which no expression of the language writes for a symbolic k."""
    if e.entrywise:
        return ENTRYWISE_INTEGER_POWER
    if e.base.shape.is_scalar:
        return INTEGER_POWER
    raise NotDifferentiable(f"no differential rule for {show(e)}: d(A ^ k) = Σ_(j<k) A ^ j dA A ^ (k-1-j) has no "
                            f"closed form for a symbolic k; matcalc derives tr(A ^ k) (and A ^ k where A is constant)")


@DIFFERENTIAL("transpose", Transpose)
def d_transpose(e: Transpose, D, dep) -> Expr:
    """d(Aᵀ) = (dA)ᵀ"""
    return Transpose(D(e.arg))









def _unlet(e: Expr) -> Expr:
    while isinstance(e, Let):
        e = e.body
    return e


def d_log_softmax(e: Entrywise, D, dep) -> Expr:
    """d log(softmax(z)) = dz - 1 softmax(z)ᵀ dz"""
    s = _unlet(e.arg)
    dz = D(s.arg)
    return Add((dz, Neg(MatMul(Ones(s.shape.rows), MatMul(Transpose(e.arg), dz)))))


LOG_SOFTMAX = DIFFERENTIAL.add("log-softmax", d_log_softmax)


def d_kinked(e: Entrywise, D, dep) -> Expr:
    """d f(A) = f'(A) ⊙ dA for f = abs or relu, where no entry of A is 0 (abs' = sign, relu' = step)"""
    return d_entrywise(e, D, dep)


KINKED_RULE = DIFFERENTIAL.add("entrywise function, where its argument is non-zero", d_kinked)


@DIFFERENTIAL("entrywise function", Entrywise)
def d_entrywise(e: Entrywise, D, dep) -> Expr:
    """d f(A) = f'(A) ⊙ dA"""
    return Hadamard(Entrywise(e.fn, e.arg, e.order + 1), D(e.arg))


@DIFFERENTIAL("scalar function", ScalarFn)
def d_scalar_function(e: ScalarFn, D, dep) -> Expr:
    """d C(a) = tr(C'(a)ᵀ da)"""
    grad = Transpose(ScalarFn(e.fn, e.arg, 1))
    da = D(e.arg)
    return MatMul(grad, da) if e.arg.shape.cols == 1 else Call("tr", MatMul(grad, da))


def choose(e: Expr) -> Rule:
    """The rule for e, preferring the combined log-softmax rule where it applies."""
    if isinstance(e, Entrywise) and e.fn == "log" and e.order == 0:
        inner = _unlet(e.arg)
        if isinstance(inner, Call) and inner.fn == "softmax":
            return LOG_SOFTMAX
    if isinstance(e, Entrywise) and ops.get(e.fn) is not None and ops.get(e.fn).kinked:
        return KINKED_RULE
    if isinstance(e, SymbolicPower):
        return integer_power_rule(e)
    if isinstance(e, Call) and e.fn == "tr":
        inner = _unlet(e.arg)
        if isinstance(inner, SymbolicPower) and not inner.entrywise:
            return TRACE_OF_POWER
    return rule_for(e)


def _register_operators() -> None:
    """The differential rule of each operator record (``matcalc.ops``), under the record's name."""
    for op in ops.REGISTRY.values():
        if isinstance(op.differential, ops.Rule):
            key = (Call, op.name) if op.kind == ops.CALL else op.build
            DIFFERENTIAL.add(op.differential.name, op.differential.fn, key)


_register_operators()
