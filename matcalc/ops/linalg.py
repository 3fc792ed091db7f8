"""Functions of a square matrix: trace, determinant, log-determinant, inverse."""
from __future__ import annotations

from fractions import Fraction

from ..expr import Add, Call, Eye, MatMul, MatPower, Neg, Num, Transpose, adjacent, described
from ..errors import ShapeError
from ..shapes import SCALAR
from .base import CALL, Op, Rule, Unsupported, every_backend, register


def square(name: str, result=None):
    """The shape law of a function of a square matrix: a scalar, or (``result="same"``) A's shape."""

    def law(a):
        if not a.shape.is_square:
            raise ShapeError(f"{name} needs a square matrix, got {described(a)}")
        return a.shape if result == "same" else SCALAR

    return law


def d_trace(e: Call, D, dep):
    """d tr(A) = tr(dA)"""
    return Call("tr", D(e.arg))


def trace_in_trace(M, A, build):
    """tr(m tr(A)) = tr((m I)ᵀ A)"""
    return build.matmul(M, Eye(A.shape.rows))


def vec_of_trace(J, A, dep, build):
    """J vec(tr(B M)) = J vec(Bᵀ)ᵀ vec(M) for dX in M only;  J vec(tr(M)) = J vec(I)ᵀ vec(M)"""
    if isinstance(A, MatMul) and A.left.shape.cols == A.right.shape.rows and dep(A.right) and not dep(A.left):
        return [(build.matmul(J, build.transpose(build.vec(build.transpose(A.left)))), A.right)]
    return [(build.matmul(J, build.transpose(build.vec(Eye(A.shape.rows)))), A)]


def _inverses(a, b) -> bool:
    """a b = I by their form: A A⁻¹, A⁻¹ A, and the transposes of such (Aᵀ A⁻ᵀ = (A⁻¹ A)ᵀ)."""
    if any(isinstance(p, Call) and p.fn == "inv" and p.arg == q for p, q in ((a, b), (b, a))):
        return True
    return isinstance(a, Transpose) and isinstance(b, Transpose) and _inverses(b.arg, a.arg)


def _cancelled(a, b):
    """a b where an inverse meets its matrix: I for A A⁻¹, A ^ (k-1) for A ^ k A⁻¹ or A⁻¹ A ^ k; else None."""
    if _inverses(a, b):
        return Eye(b.shape.rows)
    if isinstance(a, MatPower) and _inverses(a.base, b):
        return a.base if a.exponent == 2 else MatPower(a.base, a.exponent - 1)
    if isinstance(b, MatPower) and _inverses(a, b.base):
        return b.base if b.exponent == 2 else MatPower(b.base, b.exponent - 1)
    return None


def inverse(e):
    """(A⁻¹)⁻¹ = A; A A⁻¹ = A⁻¹ A = I, A ^ k A⁻¹ = A⁻¹ A ^ k = A ^ (k-1), also inside a product: (P A) A⁻¹ = P"""
    if isinstance(e, Call) and e.fn == "inv" and isinstance(e.arg, Call) and e.arg.fn == "inv":
        return e.arg.arg
    return adjacent(e, _cancelled) if isinstance(e, MatMul) else None


def d_chol(e: Call, D, dep):
    """d chol(A) = L Φ(L⁻¹ dA L⁻ᵀ), Φ(M) = tril(M) - ½ diag(diagonal(M)), L = chol(A), for a symmetric
    A (Murray 2016, arXiv 1602.07527, eq. 10)"""
    M = MatMul(MatMul(Call("inv", e), D(e.arg)), Transpose(Call("inv", e)))
    return MatMul(e, Add((Call("tril", M), Neg(MatMul(Num(Fraction(1, 2)), Call("diag", Call("diagonal", M)))))))


def _cholesky(ev, a):
    """L lower triangular with L Lᵀ = A: Lⱼⱼ = √(Aⱼⱼ - Σₖ Lⱼₖ²), Lᵢⱼ = (Aᵢⱼ - Σₖ Lᵢₖ Lⱼₖ) / Lⱼⱼ (k < j)"""
    n = len(a)
    L = [[ev.zero] * n for _ in range(n)]
    for j in range(n):
        L[j][j] = ev.apply(ev.elementwise("sqrt"), a[j][j] - ev.total(L[j][k] * L[j][k] for k in range(j)), 0)
        over = ev.recip(L[j][j])
        for i in range(j + 1, n):
            L[i][j] = (a[i][j] - ev.total(L[i][k] * L[j][k] for k in range(j))) * over
    return L


def d_det(e: Call, D, dep):
    """d det(A) = det(A) tr(A⁻¹ dA)"""
    return MatMul(e, Call("tr", MatMul(Call("inv", e.arg), D(e.arg))))


def d_logdet(e: Call, D, dep):
    """d logdet(A) = tr(A⁻¹ dA)"""
    return Call("tr", MatMul(Call("inv", e.arg), D(e.arg)))


def d_inverse(e: Call, D, dep):
    """d(A⁻¹) = -A⁻¹ dA A⁻¹"""
    return Neg(MatMul(MatMul(e, D(e.arg)), e))


register(
    Op("tr", CALL, "the trace of a square matrix: Σ Aᵢᵢ", "tr(X)", shape=square("tr"),
       differential=Rule("trace", d_trace), trace=trace_in_trace, vec=vec_of_trace,
       reference=lambda ev, a: [[ev.total(a[i][i] for i in range(len(a)))]],
       code=every_backend("{xp}.trace({0}).reshape(1, 1)"),
       to_sympy=lambda w, e, v: w.on_matrix(v, w.sp.Trace, lambda v: v), sympy_class="Trace"),
    Op("det", CALL, "the determinant of a square matrix", "det(X)", shape=square("det"),
       differential=Rule("determinant", d_det), reference=lambda ev, a: [[ev.det(a)]],
       notation={"latex": lambda p, a: f"\\det\\left({p.show(a)}\\right)"},
       code=every_backend("{xp}.linalg.det({0}).reshape(1, 1)"),
       to_sympy=lambda w, e, v: w.on_matrix(v, w.sp.Determinant, lambda v: v), sympy_class="Determinant"),
    Op("logdet", CALL, "log det A of a square matrix with a positive determinant", "logdet(X)", shape=square("logdet"),
       differential=Rule("log-determinant", d_logdet),
       reference=lambda ev, a: [[ev.apply(ev.elementwise("log"), ev.det(a), 0)]],
       notation={"latex": lambda p, a: f"\\log\\det\\left({p.show(a)}\\right)",
                 "mathml": lambda p, a: p.mrow(p.mrow(p.mi("log"), p.mi("det")), p.APPLY, p.paren(p.show(a)))},
       code=every_backend("{xp}.linalg.slogdet({0})[1].reshape(1, 1)"),
       to_sympy=lambda w, e, v: w.on_matrix(v, lambda v: w.sp.log(w.sp.Determinant(v)), w.sp.log)),
    Op("chol", CALL, "the lower-triangular Cholesky factor L of a symmetric positive definite A, A = L Lᵀ", "chol(S)",
       shape=square("chol", "same"), differential=Rule("Cholesky factor (Murray 2016)", d_chol),
       symmetric_argument=True,
       reference=_cholesky, code=every_backend("{xp}.linalg.cholesky({0})"),
       to_sympy=Unsupported("SymPy has no Cholesky factor of a matrix expression"),
       limits={"sympy": "SymPy has no Cholesky factor of a matrix expression",
               "jacobian": "its argument is symmetric, and Jacobians by a symmetric matrix are not supported"}),
    Op("inv", CALL, "the inverse of a non-singular square matrix", "inv(X)", shape=square("inv", "same"),
       differential=Rule("inverse", d_inverse), applied=False, superscript=True, symmetry="of its argument",
       reference=lambda ev, a: ev.inverse(a), algebra=(Rule("inverses cancel", inverse),),
       notation={"unicode": lambda p, a: f"{p.wrap_atom(a)}⁻¹",
                 "latex": lambda p, a: f"{{{p.wrap_atom(a)}}}^{{-1}}",
                 "mathml": lambda p, a: f"<msup>{p.mrow(p.wrap_atom(a))}{p.mrow(p.minus, p.mn('1'))}</msup>"},
       code=every_backend("{xp}.linalg.inv({0})"),
       to_sympy=lambda w, e, v: w.on_matrix(v, w.sp.Inverse, lambda v: 1 / v), sympy_class="Inverse"),
)
