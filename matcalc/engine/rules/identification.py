"""The identification table (Magnus & Neudecker, Table 10.2): each canonical form of d²f and the
Hessian it identifies, and the expansion of H[dX] into terms linear in dX that finds the forms."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ...expr import Add, Expr, MatMul, Neg, Num, Transpose
from ..core import Registry
from .algebra import matmul, neg, transpose
from .kronecker import symmetric_form
from .vectorise import kron

IDENTIFICATION = Registry("identification")
HALF = Num(Fraction(1, 2))
#: H[dX] is expanded into at most this many terms; beyond, it is vectorised whole.
MAX_TERMS = 64


def half(a: Expr, b: Expr, K: Expr | None = None) -> Expr:
    """½ K (a + b), or K a when a = b (K absent: the identity)."""
    if a == b:
        return a if K is None else matmul(K, a)
    first, second = sorted((a, b), key=str)
    both = Add((first, second))
    return MatMul(HALF, both if K is None else matmul(K, both))


def _sym_t(a: Expr) -> Expr:
    """aᵀ, written a when a is symmetric by its form."""
    return a if symmetric_form(a) else transpose(a)


def h_quadratic_form(B: Expr) -> Expr:
    """d²f = (d vec X)ᵀ B d vec X  ⇒  H = ½(B + Bᵀ)"""
    return half(B, _sym_t(B))


def h_trace_transposed(B: Expr, C: Expr) -> Expr:
    """d²f = tr(B dXᵀ C dX)  ⇒  H = ½(Bᵀ ⊗ C + B ⊗ Cᵀ)"""
    return half(kron(_sym_t(B), C), kron(B, _sym_t(C)))


def h_trace_plain(B: Expr, C: Expr, K: Expr) -> Expr:
    """d²f = tr(B dX C dX)  ⇒  H = ½ K (Bᵀ ⊗ C + Cᵀ ⊗ B)"""
    return half(kron(_sym_t(B), C), kron(_sym_t(C), B), K)


QUADRATIC_FORM = IDENTIFICATION.add("identification: (d vec X)ᵀ B d vec X", h_quadratic_form)
TRACE_TRANSPOSED = IDENTIFICATION.add("identification: tr(B dXᵀ C dX)", h_trace_transposed)
TRACE_PLAIN = IDENTIFICATION.add("identification: tr(B dX C dX)", h_trace_plain)


@dataclass(frozen=True)
class Term:
    """One term ±(factors) of H[dX], linear in dX."""

    negative: bool
    factors: tuple[Expr, ...]

    def expr(self) -> Expr:
        body = product(self.factors)
        return neg(body) if self.negative else body

    def canonical(self, dX: Expr):
        """(c, L, transposed?, R) when the term is ±c L dX R or ±c L dXᵀ R with c 1×1 and L, R
        constant matrices (absent: None); None otherwise."""
        idx = [i for i, f in enumerate(self.factors) if f == dX or f == Transpose(dX)]
        if len(idx) != 1 or dX.shape.is_scalar:
            return None
        i = idx[0]
        scalars = [f for f in self.factors if f.shape.is_scalar]
        left = [f for f in self.factors[:i] if not f.shape.is_scalar]
        right = [f for f in self.factors[i + 1:] if not f.shape.is_scalar]
        return product(scalars), product(left), self.factors[i] != dX, product(right)


def product(factors) -> Expr | None:
    """The product of ``factors`` left to right (None for none)."""
    out = None
    for f in factors:
        out = f if out is None else matmul(out, f)
    return out


def expand_linear(e: Expr, dep) -> list[Term] | None:
    """(A + B) C = A C + B C, (A B)ᵀ = Bᵀ Aᵀ, -(A) B = -(A B): e as a sum of products (None when too many)"""
    if not dep(e):
        return [Term(False, (e,))]
    if isinstance(e, Add):
        out = []
        for t in e.terms:
            part = expand_linear(t, dep)
            if part is None:
                return None
            out += part
        return out if len(out) <= MAX_TERMS else None
    if isinstance(e, Neg):
        part = expand_linear(e.arg, dep)
        return None if part is None else [Term(not t.negative, t.factors) for t in part]
    if isinstance(e, MatMul):
        left, right = expand_linear(e.left, dep), expand_linear(e.right, dep)
        if left is None or right is None or len(left) * len(right) > MAX_TERMS:
            return None
        return [Term(a.negative != b.negative, a.factors + b.factors) for a in left for b in right]
    if isinstance(e, Transpose):
        part = expand_linear(e.arg, dep)
        return None if part is None else [Term(t.negative, tuple(transpose(f) for f in reversed(t.factors)))
                                          for t in part]
    return [Term(False, (e,))]


EXPAND = IDENTIFICATION.add("expand into terms linear in dX", expand_linear)
