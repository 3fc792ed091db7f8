"""Operators that rearrange or build matrices: vec, diag, the Kronecker product, the identity,
the matrix of ones and the commutation matrix."""
from __future__ import annotations

from functools import reduce

from ..errors import ShapeError
from ..expr import Add, Call, Commutation, Eye, Kron, MatMul, Ones, Transpose, described
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
    """tr(Mᵀ diag(a)) = tr(diagonal(M)ᵀ a)"""
    return Call("diagonal", M)


def d_linear(name: str):
    """The differential of a linear operator: d op(A) = op(dA)."""

    def d(e: Call, D, dep):
        return Call(name, D(e.arg))

    d.__name__, d.__doc__ = f"d_{name}", f"d {name}(A) = {name}(dA)"
    return d


def self_adjoint_in_trace(name: str):
    """A projection onto entries (tril, triu) is its own adjoint: tr(Mᵀ op(A)) = tr(op(M)ᵀ A)."""

    def move(M, A, build):
        return Call(name, M)

    move.__doc__ = f"tr(Mᵀ {name}(A)) = tr({name}(M)ᵀ A)"
    return move


def mask_in_vec(name: str):
    """J vec(op(A)) = J diag(vec(op(1))) vec(A) for a projection onto entries (tril, triu)."""

    def move(J, A, dep, build):
        return [(build.matmul(J, Call("diag", build.vec(Call(name, Ones(A.shape.rows, A.shape.cols))))), A)]

    move.__doc__ = f"J vec({name}(A)) = J diag(vec({name}(1))) vec(A)"
    return move


def vec_of_diag(J, a, dep, build):
    """J vec(diag(a)) = J diag(vec(I)) (1 ⊗ I) a"""
    n = a.shape.rows
    place = MatMul(Call("diag", build.vec(Eye(n))), Kron(Ones(n), Eye(n)))
    return [(build.matmul(J, place), a)]


def diagonal_in_trace(m, A, build):
    """tr(mᵀ diagonal(A)) = tr(diag(m)ᵀ A)"""
    return Call("diag", m)


def vec_of_diagonal(J, A, dep, build):
    """J vec(diagonal(A)) = J (1ᵀ ⊗ I) diag(vec(I)) vec(A)"""
    n = A.shape.rows
    select = MatMul(Kron(Transpose(Ones(n)), Eye(n)), Call("diag", build.vec(Eye(n))))
    return [(build.matmul(J, select), A)]


def _diagonal_shape(a):
    if not a.shape.is_square:
        raise ShapeError(f"diagonal needs a square matrix, got {described(a)}")
    return Shape(a.shape.rows, 1)


def _triangle(lower: bool):
    """The entries on and below (lower) or above (upper) the diagonal, the others 0."""

    def reference(ev, a):
        return [[x if (j <= i if lower else j >= i) else ev.zero for j, x in enumerate(r)] for i, r in enumerate(a)]

    return reference


def d_diag(e: Call, D, dep):
    """d diag(a) = diag(da)"""
    return Call("diag", D(e.arg))


def _diagonal_class(name: str):
    """A translation to SymPy's diagonal class ``name`` (DiagMatrix, DiagonalOf) of a matrix; a 1×1 is itself."""

    def translate(w, e, v):
        from sympy.matrices.expressions import diagonal

        return w.on_matrix(v, getattr(diagonal, name), lambda v: v)

    return translate


def _vec_sympy(w, e, v):
    """vec of a column is the column itself (SymPy has no vec of a matrix expression)."""
    if e.arg.shape.cols != 1:
        raise w.untranslatable(e)
    return v


def _commutation_code(xp: str, eye: str, index: str, context: str = "dtype") -> str:
    return f'''def commutation(m, n, {context}):
    """K with K vec(A) = vec(A') for A m×n: the rows of the identity, permuted."""
    return {eye}[{index}]'''


# The constants of emitted code are made in the dtype (and on the device) the inputs are computed in.
_COMMUTATION = {
    "numpy": _commutation_code("np", "np.eye(m * n, dtype=dtype)", "np.arange(m * n).reshape(n, m).T.ravel()"),
    "jax": _commutation_code("jnp", "jnp.eye(m * n, dtype=dtype)", "np.arange(m * n).reshape(n, m).T.ravel()"),
    "torch": _commutation_code("torch", "torch.eye(m * n, dtype=dtype, device=device)",
                               "torch.arange(m * n).reshape(n, m).T.reshape(-1)", "dtype, device"),
}


def _kron_sympy(w, e):
    """A ⊗ B; a 1×1 factor scales the other (SymPy's scalar times matrix)."""
    if e.left.shape.is_scalar or e.right.shape.is_scalar:
        return w(e.left) * w(e.right)
    return w.sp.KroneckerProduct(w(e.left), w(e.right))


def vec_of_kron(J, E, dep, build):
    """J vec(A ⊗ B) = J P (vec A ⊗ I) vec B = J P (I ⊗ vec B) vec A, P = I_n ⊗ K(q, m) ⊗ I_p for A m×n, B p×q
    (Magnus & Neudecker, Theorem 3.10: vec(A ⊗ B) = P (vec A ⊗ vec B))"""
    (m, n), (p, q) = (E.left.shape.rows, E.left.shape.cols), (E.right.shape.rows, E.right.shape.cols)
    P = Kron(Kron(Eye(n), Commutation(q, m)), Eye(p))
    if dep(E.right):
        return [(build.matmul(J, MatMul(P, Kron(build.vec(E.left), Eye(dim_mul(p, q))))), E.right)]
    return [(build.matmul(J, MatMul(P, Kron(Eye(dim_mul(m, n)), build.vec(E.right)))), E.left)]


def _ones_mathml(p, e):
    r = p.dim(e.rows)
    size = r if e.cols == 1 else p.mrow(r, p.mo("×"), p.dim(e.cols))
    return f"<msub>{p.mn('𝟏')}{size}</msub>"


register(
    Op("vec", CALL, "the columns of A stacked into one column", "vec(A)",
       shape=lambda a: Shape(dim_mul(a.shape.rows, a.shape.cols), 1),
       differential=Rule("vec is linear", d_vec), identity_on_scalars=True, vec=vec_of_vec,
       reference=lambda ev, a: [[a[i][j]] for j in range(len(a[0])) for i in range(len(a))],
       code=every_backend("{0}.T.reshape(-1, 1)"), to_sympy=_vec_sympy,
       limits={"sympy": "SymPy has no vec of a matrix expression (a column's vec is the column)",
               "gradient": "a gradient through vec needs the inverse of vec, not in the language"}),
    Op("diag", CALL, "the n×n diagonal matrix of a column a (n×1)", "diag(x)",
       shape=column("diag", square_result=True),
       differential=Rule("diag is linear", d_diag), identity_on_scalars=True, trace=diag_in_trace, vec=vec_of_diag, symmetry="always",
       reference=lambda ev, a: [[a[i][0] if i == j else ev.zero for j in range(len(a))] for i in range(len(a))],
       code=every_backend("{xp}.diagflat({0})"),
       to_sympy=_diagonal_class("DiagMatrix")),
    Op("tril", CALL, "the lower triangle of A with its diagonal, the other entries 0", "tril(A)",
       shape=lambda a: a.shape, differential=Rule("tril is linear", d_linear("tril")), identity_on_scalars=True,
       trace=self_adjoint_in_trace("tril"), vec=mask_in_vec("tril"), reference=_triangle(True),
       code=every_backend("{xp}.tril({0})"), to_sympy=Unsupported("SymPy has no triangle of a matrix expression"),
       limits={"sympy": "SymPy has no triangle of a matrix expression"}),
    Op("triu", CALL, "the upper triangle of A with its diagonal, the other entries 0", "triu(A)",
       shape=lambda a: a.shape, differential=Rule("triu is linear", d_linear("triu")), identity_on_scalars=True,
       trace=self_adjoint_in_trace("triu"), vec=mask_in_vec("triu"), reference=_triangle(False),
       code=every_backend("{xp}.triu({0})"), to_sympy=Unsupported("SymPy has no triangle of a matrix expression"),
       limits={"sympy": "SymPy has no triangle of a matrix expression"}),
    Op("diagonal", CALL, "the diagonal of a square X as a column (n×1); diag(x) builds the matrix", "diagonal(X)",
       shape=_diagonal_shape, differential=Rule("diagonal is linear", d_linear("diagonal")), identity_on_scalars=True,
       trace=diagonal_in_trace, vec=vec_of_diagonal,
       reference=lambda ev, a: [[a[i][i]] for i in range(len(a))],
       code=every_backend("{xp}.diagonal({0}).reshape(-1, 1)"),
       to_sympy=_diagonal_class("DiagonalOf"), sympy_class="DiagonalOf"),
    Op("kron", NODE, "the Kronecker product A ⊗ B", "kron(A, B)", build=Kron, arity=2,
       infix={"unicode": " ⊗ ", "latex": " \\otimes ", "mathml": "<mo>⊗</mo>"},
       differential=Rule("Kronecker product rule", d_kron),
       vec=Rule("vec of a Kronecker product", vec_of_kron),
       limits={"gradient": "a gradient through kron needs a partial trace, not in the language"},
       code={**every_backend("{xp}.kron({0}, {1})"),  # torch.kron of a transposed and a plain matrix fails (a view)
             "torch": Code("torch.kron({0}.contiguous(), {1}.contiguous())")},
       to_sympy=_kron_sympy, sympy_class="KroneckerProduct",
       from_sympy=lambda r, e: reduce(Kron, (r(a) for a in e.args))),  # kron(kron(A, B), C) ...
    Op("eye", NODE, "the n×n identity matrix I", "eye(n)", build=Eye, differential=CONSTANT,
       notation={"unicode": lambda p, e: "I", "latex": lambda p, e: f"I_{{{p.dim(e.n)}}}",
                 "mathml": lambda p, e: f"<msub>{p.mi('I')}{p.dim(e.n)}</msub>"},
       code={"numpy": Code("np.eye({0}, dtype=dtype)"), "jax": Code("jnp.eye({0}, dtype=dtype)"),
             "torch": Code("torch.eye({0}, dtype=dtype, device=device)")},
       to_sympy=lambda w, e: w.sp.Identity(w.dim(e.n)), sympy_class="Identity",
       from_sympy=lambda r, e: Eye(r.dim(e.rows, e, product=True))),
    Op("ones", NODE, "the m×n matrix of ones (m×1 with one argument)", "ones(m, n)", build=Ones, arity=2,
       differential=CONSTANT,
       notation={"source": lambda p, e: f"ones({p.dim(e.rows)})" if e.cols == 1 else f"ones({p.dim(e.rows)}, {p.dim(e.cols)})",
                 "unicode": lambda p, e: "1" if e.cols == 1 else f"1[{p.dim(e.rows)}×{p.dim(e.cols)}]",
                 "latex": lambda p, e: (f"\\mathbf{{1}}_{{{p.dim(e.rows)}}}" if e.cols == 1
                                        else f"\\mathbf{{1}}_{{{p.dim(e.rows)}\\times {p.dim(e.cols)}}}"),
                 "mathml": _ones_mathml},
       code={"numpy": Code("np.ones(({0}, {1}), dtype=dtype)"), "jax": Code("jnp.ones(({0}, {1}), dtype=dtype)"),
             "torch": Code("torch.ones(({0}, {1}), dtype=dtype, device=device)")},
       to_sympy=lambda w, e: w.sp.OneMatrix(w.dim(e.rows), w.dim(e.cols)), sympy_class="OneMatrix",
       from_sympy=lambda r, e: Ones(r.dim(e.shape[0], e, product=True), r.dim(e.shape[1], e, product=True))),
    Op("commutation", NODE, "the commutation matrix K (mn×mn) with K vec(A) = vec(Aᵀ) for A m×n",
       "commutation(m, n) * vec(A)", build=Commutation, arity=2, differential=CONSTANT,
       notation={"unicode": lambda p, e: f"K[{p.dim(e.m)},{p.dim(e.n)}]",
                 "latex": lambda p, e: f"K_{{{p.dim(e.m)},{p.dim(e.n)}}}",
                 "mathml": lambda p, e: f"<msub>{p.mi('K')}{p.mrow(p.dim(e.m), p.mo(','), p.dim(e.n))}</msub>"},
       code={"numpy": Code("commutation({0}, {1}, dtype)", "commutation"),
             "jax": Code("commutation({0}, {1}, dtype)", "commutation"),
             "torch": Code("commutation({0}, {1}, dtype, device)", "commutation")},
       to_sympy=Unsupported("SymPy has no commutation matrix"),
       limits={"sympy": "SymPy has no commutation matrix",
               "gradient": "its example's gradient goes through vec (see vec)"},
       helpers={b: {"commutation": text} for b, text in _COMMUTATION.items()}),
)
