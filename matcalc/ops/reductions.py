"""Functions of a whole matrix to a scalar or a distribution: sum of entries, Frobenius norm, softmax."""
from __future__ import annotations

from ..errors import ShapeError
from ..expr import Add, Call, Entrywise, Div, Hadamard, MatMul, Neg, Ones, Transpose, described
from ..shapes import SCALAR, dim_mul
from .base import CALL, Code, Op, Rule, every_backend, register


def column(name: str, square_result: bool = False):
    """The shape law of a function of a column vector n×1: n×1, or (``square_result``) n×n."""

    def law(a):
        if a.shape.cols != 1:
            raise ShapeError(f"{name} needs a column vector, got {described(a)}")
        return type(a.shape)(a.shape.rows, a.shape.rows) if square_result else a.shape

    return law


def d_sum_entries(e: Call, D, dep):
    """d sum(A) = sum(dA)"""
    return Call("sum", D(e.arg))


def sum_in_trace(M, A, build):
    """m sum(A) = tr((m 1 1ᵀ)ᵀ A)"""
    return build.matmul(M, Ones(A.shape.rows, A.shape.cols))


def vec_of_sum(J, A, dep, build):
    """J vec(sum(M)) = J 1ᵀ vec(M)"""
    return [(build.matmul(J, build.transpose(Ones(dim_mul(A.shape.rows, A.shape.cols)))), A)]


def _is_vector(a) -> bool:
    """A row or column (or a scalar): its norm is the Euclidean one, written without the F of a matrix's."""
    return a.shape.rows == 1 or a.shape.cols == 1


def d_norm(e: Call, D, dep):
    """d norm(A) = tr(Aᵀ dA) / norm(A)"""
    return Div(Call("tr", MatMul(Transpose(e.arg), D(e.arg))), e)


def d_softmax(e: Call, D, dep):
    """d softmax(z) = s ⊙ dz - s sᵀ dz, where s = softmax(z)"""
    dz = D(e.arg)
    return Add((Hadamard(e, dz), Neg(MatMul(e, MatMul(Transpose(e), dz)))))


def _sum_sympy(w, e, v):
    """sum(A) = 1ᵀ A 1."""
    rows, cols = w.dim(e.arg.shape.rows), w.dim(e.arg.shape.cols)
    return w.on_matrix(v, lambda v: w.sp.OneMatrix(1, rows) * v * w.sp.OneMatrix(cols, 1), lambda v: v)


def _softmax_sympy(w, e, v):
    """softmax(z) = exp(z) / (1ᵀ exp(z))."""
    from ..expr import Entrywise

    def matrix(_):
        ez = w(Entrywise("exp", e.arg))
        return ez / w.sp.Trace(w.sp.OneMatrix(1, w.dim(e.arg.shape.rows)) * ez)

    return w.on_matrix(v, matrix, lambda v: w.sp.Integer(1))


def softmax_form(e):
    """exp(z) / sum(exp(z)) = exp(z) / (1ᵀ exp(z)) = softmax(z)"""
    if isinstance(e, Div) and isinstance(e.left, Entrywise) and e.left.fn == "exp" and e.left.order == 0 \
            and e.left.shape.cols == 1 and e.right == Call("sum", e.left):
        return Call("softmax", e.left.arg)
    return None


def _softmax_reference(ev, z):
    """exp(z) / sum(exp(z)), each exp shifted by the same amount"""
    e = ev.shifted_exp(z)
    total = ev.recip(ev.total(e))
    return [[x * total] for x in e]


_SOFTMAX_NUMPY = '''def softmax(z):
    """exp(z) / sum(exp(z)) of a column vector, shifted by max(z) so that exp cannot overflow."""
    e = np.exp(z - np.max(z))
    return e / np.sum(e)'''

register(
    Op("sum", CALL, "the sum of all entries, 1ᵀ A 1", "sum(A)", shape=lambda a: SCALAR,
       differential=Rule("sum of entries is linear", d_sum_entries), trace=sum_in_trace, vec=vec_of_sum,
       reference=lambda ev, a: [[ev.total(x for r in a for x in r)]],
       code={"numpy": Code("np.sum({0}, keepdims=True)"), "jax": Code("jnp.sum({0}, keepdims=True)"),
             "torch": Code("torch.sum({0}).reshape(1, 1)")},
       to_sympy=_sum_sympy),
    Op("norm", CALL, "the Frobenius norm, √tr(AᵀA)", "norm(A)", shape=lambda a: SCALAR,
       differential=Rule("Frobenius norm", d_norm), applied=False,
       reference=lambda ev, a: [[ev.apply(ev.elementwise("sqrt"), ev.total(x * x for r in a for x in r), 0)]],
       notation={"unicode": lambda p, a: f"‖{p.show(a)}‖",
                 "latex": lambda p, a: (f"\\left\\lVert {p.show(a)} \\right\\rVert" if _is_vector(a)
                                        else f"\\left\\lVert {p.show(a)} \\right\\rVert_F"),
                 "mathml": lambda p, a: (p.mrow(p.mo('‖'), p.show(a), p.mo('‖')) if _is_vector(a)
                                         else f"<msub>{p.mrow(p.mo('‖'), p.show(a), p.mo('‖'))}{p.mi('F')}</msub>")},
       code=every_backend("{xp}.linalg.norm({0}).reshape(1, 1)"),
       to_sympy=lambda w, e, v: w.on_matrix(v, lambda v: w.sp.sqrt(w.sp.Trace(v.T * v)), lambda v: w.sp.sqrt(v ** 2))),
    Op("softmax", CALL, "exp(z) / sum(exp(z)) of a column vector z", "softmax(x)", shape=column("softmax"),
       differential=Rule("softmax", d_softmax), reference=_softmax_reference,
       algebra=(Rule("definition of softmax", softmax_form),),
       code={"numpy": Code("softmax({0})", "softmax"), "jax": Code("jax.nn.softmax({0}, axis=0)"),
             "torch": Code("torch.softmax({0}, dim=0)")},
       helpers={"numpy": {"softmax": _SOFTMAX_NUMPY}},
       to_sympy=_softmax_sympy),
)
