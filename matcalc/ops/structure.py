"""Operators that rearrange or build matrices: vec, diag, the Kronecker product, the identity,
the matrix of ones and the commutation matrix."""
from __future__ import annotations

from ..expr import Call, Commutation, Eye, Kron, Ones
from ..shapes import Shape, dim_mul
from .base import CALL, NODE, Code, Op, Rule, every_backend, register
from .reductions import column


def d_vec(e: Call, D, dep):
    """d vec(A) = vec(dA)"""
    return Call("vec", D(e.arg))


def d_diag(e: Call, D, dep):
    """d diag(a) = diag(da)"""
    return Call("diag", D(e.arg))


def _vec_sympy(w, e, v):
    """vec of a column is the column itself; SymPy has no vec of a matrix expression."""
    if e.arg.shape.cols != 1:
        raise w.untranslatable(e)
    return v


def _commutation_code(xp: str, eye: str, index: str) -> str:
    return f'''def commutation(m, n):
    """K with K vec(A) = vec(A') for A m×n: the rows of the identity, permuted."""
    return {eye}[{index}]'''


_COMMUTATION = {
    "numpy": _commutation_code("np", "np.eye(m * n)", "np.arange(m * n).reshape(n, m).T.ravel()"),
    "jax": _commutation_code("jnp", "jnp.eye(m * n)", "np.arange(m * n).reshape(n, m).T.ravel()"),
    "torch": _commutation_code("torch", "torch.eye(m * n, dtype=torch.float64)",
                               "torch.arange(m * n).reshape(n, m).T.reshape(-1)"),
}


def _dims(p, *dims) -> list[str]:
    return [p.dim(d) for d in dims]


register(
    Op("vec", CALL, "the columns of A stacked into one column", shape=lambda a: Shape(dim_mul(a.shape.rows, a.shape.cols), 1),
       differential=Rule("vec is linear", d_vec),
       code=every_backend("{0}.T.reshape(-1, 1)"), to_sympy=_vec_sympy),
    Op("diag", CALL, "the n×n diagonal matrix of a column a (n×1)", shape=column("diag", square_result=True),
       differential=Rule("diag is linear", d_diag),
       code=every_backend("{xp}.diagflat({0})"),
       to_sympy=lambda w, e, v: w.on_matrix(v, _diag_matrix(w), lambda v: v)),
    Op("kron", NODE, "the Kronecker product A ⊗ B", build=Kron, arity=2,
       code=every_backend("{xp}.kron({0}, {1})")),
    Op("eye", NODE, "the n×n identity matrix I", build=Eye,
       code={"numpy": Code("np.eye({0})"), "jax": Code("jnp.eye({0})"),
             "torch": Code("torch.eye({0}, dtype=torch.float64)")}),
    Op("ones", NODE, "the m×n matrix of ones (m×1 with one argument)", build=Ones, arity=2,
       code={"numpy": Code("np.ones(({0}, {1}))"), "jax": Code("jnp.ones(({0}, {1}))"),
             "torch": Code("torch.ones(({0}, {1}), dtype=torch.float64)")}),
    Op("commutation", NODE, "the commutation matrix K (mn×mn) with K vec(A) = vec(Aᵀ) for A m×n",
       build=Commutation, arity=2, code=every_backend("commutation({0}, {1})", "commutation"),
       helpers={b: {"commutation": text} for b, text in _COMMUTATION.items()}),
)


def _diag_matrix(w):
    from sympy.matrices.expressions.diagonal import DiagMatrix

    return DiagMatrix
