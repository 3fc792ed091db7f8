"""Entrywise algebra with SymPy: a region of entrywise operations (⊙, ./, .^, +, -, and the
built-in functions with their derivatives) is scalar algebra entry by entry, so SymPy
simplifies it: (1 - y) ⊙ (1 ./ (1 - s)) ⊙ s' - y ⊙ (1 ./ s) ⊙ s' = s - y for s = sigmoid(z).

SymPy is imported only when a gradient has such a region.
"""
from __future__ import annotations

from fractions import Fraction

from ... import ops
from ...errors import ShapeError
from ...expr import Add, EDiv, Entrywise, EPower, Expr, Hadamard, MatMul, Neg, Num, Ones, Power, size
from .algebra import ALGEBRA

ENTRYWISE_OPS = (Hadamard, EDiv, EPower, Add, Neg)
#: the built-in functions whose derivatives are written in terms of themselves (their records say how)
BUILTIN = tuple(name for name, op in ops.REGISTRY.items() if op.self_derivatives)


def _region_nodes(e: Expr):
    """The nodes of an entrywise region, not descending into its atoms."""
    stack = [e]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, ENTRYWISE_OPS) or (isinstance(n, MatMul) and (n.left.shape.is_scalar or n.right.shape.is_scalar)):
            stack.extend(n.children)


def is_region(e: Expr) -> bool:
    """Worth handing to SymPy: an entrywise operation combining two or more built-in functions
    or quotients, at least one a derivative or a quotient (something may cancel)."""
    if not isinstance(e, ENTRYWISE_OPS) or e.shape.is_scalar:
        return False
    functions = quotients = derivatives = 0
    for n in _region_nodes(e):
        quotients += isinstance(n, EDiv)
        if isinstance(n, Entrywise) and n.fn in BUILTIN:
            functions += 1
            derivatives += n.order > 0
    return functions + quotients >= 2 and derivatives + quotients >= 1


class _Translate:
    """Expr <-> SymPy, with every non-entrywise subexpression as an atom symbol."""

    def __init__(self, shape):
        import sympy

        self.sp = sympy
        self.shape = shape
        self.atoms: dict[Expr, object] = {}
        self.back: dict[object, Expr] = {}

    def atom(self, e: Expr):
        if e not in self.atoms:
            s = self.sp.Symbol(f"a{len(self.atoms)}")
            self.atoms[e], self.back[s] = s, e
        return self.atoms[e]

    def to(self, e: Expr):
        sp = self.sp
        if isinstance(e, Num):
            return sp.Rational(e.value.numerator, e.value.denominator)
        if isinstance(e, Ones):
            return sp.Integer(1)
        if isinstance(e, Add):
            return sp.Add(*(self.to(t) for t in e.terms))
        if isinstance(e, Neg):
            return -self.to(e.arg)
        if isinstance(e, Hadamard):
            return self.to(e.left) * self.to(e.right)
        if isinstance(e, EDiv):
            return self.to(e.left) / self.to(e.right)
        if isinstance(e, EPower):
            return self.to(e.base) ** sp.Rational(e.exponent.numerator, e.exponent.denominator)
        if isinstance(e, MatMul) and (e.left.shape.is_scalar or e.right.shape.is_scalar):
            return self.to(e.left) * self.to(e.right)
        if isinstance(e, Entrywise) and e.fn in BUILTIN and e.order <= 2:
            return self._function(e)
        return self.atom(e)

    def _function(self, e: Entrywise):
        """f, or its first or second derivative in terms of f itself, as the function's record writes it."""
        if e.order == 0:
            return self.atom(e)
        return ops.get(e.fn).self_derivatives(lambda: self.atom(Entrywise(e.fn, e.arg)), lambda: self.to(e.arg), e.order)

    def back_to(self, s) -> Expr:
        sp = self.sp
        if s.is_Number:
            return _number(Fraction(int(s.p), int(s.q)))
        if s.is_Symbol:
            return self.back[s]
        if s.is_Add:
            terms = [self.back_to(t) for t in s.as_ordered_terms()]
            return Add(tuple(terms))
        if s.is_Pow:
            base, k = s.args
            if k.is_Integer and k < 0:
                return EDiv(Num(1), self.back_to(base ** -k))
            kk = Fraction(int(k.p), int(k.q))
            b = self.back_to(base)
            return Power(b, kk) if b.shape.is_scalar else EPower(b, kk)
        if s.is_Mul:
            coeff, rest = s.as_coeff_Mul()
            num, den = sp.fraction(rest)
            out = self._product(sp.Mul.make_args(num))
            if den != 1:
                out = EDiv(out if out is not None else Num(1), self.back_to(den))
            if out is None:
                return _number(Fraction(int(coeff.p), int(coeff.q)))
            if coeff == -1:
                return Neg(out)
            if coeff != 1:
                c = Fraction(int(coeff.p), int(coeff.q))
                return Neg(MatMul(Num(-c), out)) if c < 0 else MatMul(Num(c), out)
            return out
        raise ValueError(f"unexpected SymPy form {s}")

    def _product(self, factors) -> Expr | None:
        out = None
        for f in factors:
            if f == 1:
                continue
            x = self.back_to(f)
            if out is None:
                out = x
            elif x.shape.is_scalar or out.shape.is_scalar:
                out = MatMul(x, out) if x.shape.is_scalar else MatMul(out, x)
            else:
                out = Hadamard(out, x)
        return out


def _number(v: Fraction) -> Expr:
    return Neg(Num(-v)) if v < 0 else Num(v)


def _factored_denominator(sp, s):
    """s with its denominator factored where that is shorter: 1 / (a + 1) ^ 2, not 1 / (a ^ 2 + 2 a + 1)."""
    num, den = sp.fraction(s)
    if den == 1:
        return s
    factored = sp.factor(den)
    return num / factored if sp.count_ops(factored) < sp.count_ops(den) else s


def simplify_region(e: Expr) -> Expr | None:
    """e simplified entrywise by SymPy, or None when that is not shorter."""
    t = _Translate(e.shape)
    s = _factored_denominator(t.sp, t.sp.cancel(t.to(e)))
    out = t.back_to(s)
    if out.shape != e.shape:
        out = MatMul(out, Ones(e.shape.rows, e.shape.cols)) if out.shape.is_scalar else None
    if out is None:
        return None
    return out if size(out) < size(e) else None


@ALGEBRA("entrywise algebra (SymPy)")
def entrywise_algebra(e: Expr):
    """f(A) ⊙ g(A) ./ h(A) ... = its entrywise simplification (SymPy's cancel, the denominator factored), e.g. sigmoid' = s ⊙ (1 - s)"""
    if not is_region(e):
        return None
    try:
        return simplify_region(e)
    except (ValueError, TypeError, ShapeError):  # a form we do not translate back: leave e as it is
        return None
