"""Operators that rearrange or build matrices: vec, diag, the Kronecker product, the identity,
the matrix of ones and the commutation matrix."""
from __future__ import annotations

from functools import reduce

from ..expr import Add, Call, Commutation, Eye, Kron, Ones
from ..shapes import Shape, dim_mul
from .base import CALL, NODE, Code, Op, Rule, Unsupported, every_backend, register
from .reductions import column


def d_vec(e: Call, D, dep):
    """d vec(A) = vec(dA)"""
    return Call("vec", D(e.arg))


def d_kron(e: Kron, D, dep):
    """d(A ⊗ B) = dA ⊗ B + A ⊗ dB"""
    terms = [Kron(D(e.left), e.right)] if dep(e.left) else []
    terms += [Kron(e.left, D(e.right))] if dep(e.right) else []
    return terms[0] if len(terms) == 1 else Add(tuple(terms))


CONSTANT = Unsupported("a constant: no symbol under it, so its differential is 0")


def vec_of_vec(J, A, dep, build):
    """J vec(vec(M)) = J vec(M)"""
    return [(J, A)]


def diag_in_trace(M, A, build):
    """tr(Mᵀ diag(a)) = tr(((M ⊙ I) 1)ᵀ a)"""
    return build.matmul(build.hadamard(M, Eye(A.shape.rows)), Ones(A.shape.rows))


def d_diag(e: Call, D, dep):
    """d diag(a) = diag(da)"""
    return Call("diag", D(e.arg))


def _vec_sympy(w, e, v):
    """vec of a column is the column itself (SymPy has no vec of a matrix expression)."""
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


def _kron_sympy(w, e):
    """A ⊗ B; a 1×1 factor scales the other (SymPy's scalar times matrix)."""
    if e.left.shape.is_scalar or e.right.shape.is_scalar:
        return w(e.left) * w(e.right)
    return w.sp.KroneckerProduct(w(e.left), w(e.right))


def _ones_mathml(p, e):
    r = p.dim(e.rows)
    size = r if e.cols == 1 else p.mrow(r, p.mo("×"), p.dim(e.cols))
    return f"<msub>{p.mn('𝟏')}{size}</msub>"


register(
    Op("vec", CALL, "the columns of A stacked into one column", "vec(A)",
       shape=lambda a: Shape(dim_mul(a.shape.rows, a.shape.cols), 1),
       differential=Rule("vec is linear", d_vec), vec=vec_of_vec,
       reference=lambda ev, a: [[a[i][j]] for j in range(len(a[0])) for i in range(len(a))],
       code=every_backend("{0}.T.reshape(-1, 1)"), to_sympy=_vec_sympy,
       limits={"sympy": "SymPy has no vec of a matrix expression (a column's vec is the column)"}),
    Op("diag", CALL, "the n×n diagonal matrix of a column a (n×1)", "diag(x)",
       shape=column("diag", square_result=True),
       differential=Rule("diag is linear", d_diag), trace=diag_in_trace, symmetry="always",
       reference=lambda ev, a: [[a[i][0] if i == j else ev.zero for j in range(len(a))] for i in range(len(a))],
       limits={"derive": "its Jacobian does not derive: no vectorisation rule for diag(dx)"},
       code=every_backend("{xp}.diagflat({0})"),
       to_sympy=lambda w, e, v: w.on_matrix(v, _diag_matrix(w), lambda v: v)),
    Op("kron", NODE, "the Kronecker product A ⊗ B", "kron(A, B)", build=Kron, arity=2,
       infix={"unicode": " ⊗ ", "latex": " \\otimes ", "mathml": "<mo>⊗</mo>"},
       differential=Rule("Kronecker product rule", d_kron),
       limits={"derive": "its Jacobian does not derive: no vectorisation rule for a Kronecker product holding dX"},
       code=every_backend("{xp}.kron({0}, {1})"),
       to_sympy=_kron_sympy, sympy_class="KroneckerProduct",
       from_sympy=lambda r, e: reduce(Kron, (r(a) for a in e.args))),  # kron(kron(A, B), C) ...
    Op("eye", NODE, "the n×n identity matrix I", "eye(n)", build=Eye, differential=CONSTANT,
       notation={"unicode": lambda p, e: "I", "latex": lambda p, e: f"I_{{{p.dim(e.n)}}}",
                 "mathml": lambda p, e: f"<msub>{p.mi('I')}{p.dim(e.n)}</msub>"},
       code={"numpy": Code("np.eye({0})"), "jax": Code("jnp.eye({0})"),
             "torch": Code("torch.eye({0}, dtype=torch.float64)")},
       to_sympy=lambda w, e: w.sp.Identity(w.dim(e.n)), sympy_class="Identity",
       from_sympy=lambda r, e: Eye(r.dim(e.rows, e, product=True))),
    Op("ones", NODE, "the m×n matrix of ones (m×1 with one argument)", "ones(m, n)", build=Ones, arity=2,
       differential=CONSTANT,
       notation={"source": lambda p, e: f"ones({p.dim(e.rows)})" if e.cols == 1 else f"ones({p.dim(e.rows)}, {p.dim(e.cols)})",
                 "unicode": lambda p, e: "1" if e.cols == 1 else f"1[{p.dim(e.rows)}×{p.dim(e.cols)}]",
                 "latex": lambda p, e: (f"\\mathbf{{1}}_{{{p.dim(e.rows)}}}" if e.cols == 1
                                        else f"\\mathbf{{1}}_{{{p.dim(e.rows)}\\times {p.dim(e.cols)}}}"),
                 "mathml": _ones_mathml},
       code={"numpy": Code("np.ones(({0}, {1}))"), "jax": Code("jnp.ones(({0}, {1}))"),
             "torch": Code("torch.ones(({0}, {1}), dtype=torch.float64)")},
       to_sympy=lambda w, e: w.sp.OneMatrix(w.dim(e.rows), w.dim(e.cols)), sympy_class="OneMatrix",
       from_sympy=lambda r, e: Ones(r.dim(e.shape[0], e, product=True), r.dim(e.shape[1], e, product=True))),
    Op("commutation", NODE, "the commutation matrix K (mn×mn) with K vec(A) = vec(Aᵀ) for A m×n",
       "commutation(m, n) * vec(A)", build=Commutation, arity=2, differential=CONSTANT,
       notation={"unicode": lambda p, e: f"K[{p.dim(e.m)},{p.dim(e.n)}]",
                 "latex": lambda p, e: f"K_{{{p.dim(e.m)},{p.dim(e.n)}}}",
                 "mathml": lambda p, e: f"<msub>{p.mi('K')}{p.mrow(p.dim(e.m), p.mo(','), p.dim(e.n))}</msub>"},
       code=every_backend("commutation({0}, {1})", "commutation"),
       to_sympy=Unsupported("SymPy has no commutation matrix"),
       limits={"sympy": "SymPy has no commutation matrix"},
       helpers={b: {"commutation": text} for b, text in _COMMUTATION.items()}),
)


def _diag_matrix(w):
    from sympy.matrices.expressions.diagonal import DiagMatrix

    return DiagMatrix
