"""Functions of a square matrix through its spectrum: the exponential, the principal logarithm and square
root (primary matrix functions) with their Fréchet derivative, and the eigenvalues and eigenvectors of a
symmetric matrix."""
from __future__ import annotations

from fractions import Fraction

from ..errors import NotDifferentiable
from ..expr import Add, Call, EDiv, Eye, Frechet, Hadamard, MatMul, Neg, Num, Ones, Transpose
from ..shapes import Shape
from .base import CALL, NODE, Code, Op, Rule, Unsupported, register
from .linalg import square

NO_SYMPY = "SymPy has no {} of a matrix expression"
NO_JACOBIAN = "the Kronecker form of a Fréchet derivative has no closed form in the language"


def d_primary(e: Call, D, dep):
    """d f(A) = L_f(A, dA), the Fréchet derivative of f at A in the direction dA (Higham 2008, §3.1)"""
    return Frechet(e.fn, e.arg, D(e.arg))


def d_frechet(e: Frechet, D, dep):
    """d L_f(A, E) = L_f(A, dE) for a constant A: L_f(A, ·) is linear"""
    if dep(e.at):
        raise NotDifferentiable(f"the differential of {e} in A needs the second Fréchet derivative of "
                                f"{e.fn}, not in the language")
    return Frechet(e.fn, e.at, D(e.direction))


def frechet_in_trace(M, E: Frechet, dep):
    """tr(Mᵀ L_f(A, E)) = tr(L_f(Aᵀ, M)ᵀ E): the adjoint of L_f(A, ·) is L_f(Aᵀ, ·) for f with real Taylor
    coefficients (Higham 2008, §3.6)"""
    if dep(E.at):
        raise NotDifferentiable(f"dX in the point of {E}")
    return [(Frechet(E.fn, Transpose(E.at), M), E.direction)]


def frechet_of_identity(e):
    """L_f(A, c I) = c f'(A): along a direction E commuting with A, L_f(A, E) = f'(A) E"""
    if not isinstance(e, Frechet):
        return None
    E, c = e.direction, None
    if isinstance(E, MatMul) and E.left.shape.is_scalar and isinstance(E.right, Eye):
        E, c = E.right, E.left
    if not isinstance(E, Eye):
        return None
    from . import get

    derivative = get(e.fn).matrix_derivative(e.at)
    return derivative if c is None else MatMul(c, derivative)


def d_eigvals(e: Call, D, dep):
    """dλ = diagonal(Uᵀ dS U), U = eigvecs(S), for a symmetric S with simple eigenvalues (Magnus 1985)"""
    U = Call("eigvecs", e.arg)
    return Call("diagonal", MatMul(MatMul(Transpose(U), D(e.arg)), U))


def d_eigvecs(e: Call, D, dep):
    """dU = U (F ∘ (Uᵀ dS U)), Fᵢⱼ = 1 / (λⱼ - λᵢ) off the diagonal and 0 on it, λ = eigvals(S), for a
    symmetric S with simple eigenvalues (Magnus 1985): F = (I - 1 1ᵀ) ./ (λ 1ᵀ - 1 λᵀ + I)"""
    n = e.arg.shape.rows
    lam = Call("eigvals", e.arg)
    gaps = Add((MatMul(lam, Transpose(Ones(n))), Neg(MatMul(Ones(n), Transpose(lam))), Eye(n)))
    F = EDiv(Add((Eye(n), Neg(Ones(n, n)))), gaps)
    return MatMul(e, Hadamard(F, MatMul(MatMul(Transpose(e), D(e.arg)), e)))


def eigvals_shape(a):
    square("eigvals")(a)
    return Shape(a.shape.rows, 1)


def _frechet_name(fn: str) -> str:
    return {"expm": "\\exp", "logm": "\\log", "sqrtm": "\\sqrt{\\cdot}"}[fn]


def _frechet_notation(fmt: str):
    def spell(p, e):
        args = f"{p.show(e.at)}, {p.show(e.direction)}" if fmt != "mathml" else None
        if fmt == "source":
            return f"frechet({e.fn}, {args})"
        if fmt == "unicode":
            return f"L_{e.fn}({args})"
        if fmt == "latex":
            return f"L_{{{_frechet_name(e.fn)}}}\\left({args}\\right)"
        inner = p.mrow(p.show(e.at), p.mo(","), p.show(e.direction))
        return p.mrow(f"<msub>{p.mi('L')}{p.mi(e.fn)}</msub>", p.APPLY, p.paren(inner))

    return spell


_NUMPY_HELPERS = {
    "expm": '''def expm(a):
    """The matrix exponential (in a's dtype)."""
    import scipy.linalg
    return scipy.linalg.expm(a).astype(a.dtype, copy=False)''',
    "logm": '''def logm(a):
    """The principal matrix logarithm (real for a real a with no eigenvalue on the closed negative axis),
    computed in float64 at least (SciPy's float32 estimate warns) and returned in a's dtype."""
    import scipy.linalg
    return np.real(scipy.linalg.logm(a.astype(np.promote_types(a.dtype, np.float64)))).astype(a.dtype, copy=False)''',
    "sqrtm": '''def sqrtm(a):
    """The principal matrix square root, computed in float64 at least and returned in a's dtype."""
    import scipy.linalg
    return np.real(scipy.linalg.sqrtm(a.astype(np.promote_types(a.dtype, np.float64)))).astype(a.dtype, copy=False)''',
}


def _eig_helpers(xp: str, eig: str, inv: str, diag: str, real: str) -> dict[str, str]:
    """logm and sqrtm by an eigen-decomposition a = V diag(λ) V⁻¹ (a backend without them); ``eig``: the
    function, or the whole call when it takes more than a."""
    out = {}
    for name, f in (("logm", "log"), ("sqrtm", "sqrt")):
        out[name] = (f'def {name}(a):\n    """The principal {"logarithm" if f == "log" else "square root"} '
                     f'of a diagonalisable a: V {f}(Λ) V⁻¹."""\n'
                     f"    lam, v = {eig if '(' in eig else eig + '(a)'}\n"
                     f"    return {real}(v @ {diag}({xp}.{f}(lam)) @ {inv}(v))")
    return out


_FRECHET_BLOCK = '''def frechet_{fn}(a, e):
    """L_{fn}(a, e): the upper-right block of {fn}([[a, e], [0, a]]) (Mathias 1996)."""
{setup}    n = a.shape[0]
    z = {xp}.zeros_like(a)
    big = {xp}.{cat}([{xp}.{cat}([a, e], {axis}=1), {xp}.{cat}([z, a], {axis}=1)], {axis}=0)
    return {value}[:n, n:]'''

_FRECHET_EIG = '''def frechet_{fn}(a, e):
    """L_{fn}(a, e) = V (F ∘ (V⁻¹ e V)) V⁻¹ for a = V diag(λ) V⁻¹, F the divided differences of {f} at λ
    (Daleckii–Krein; a block matrix would be defective, which an eigen-decomposition cannot take)."""
    lam, v = {xp}.linalg.eig(a)
    w = {xp}.linalg.inv(v)
    gap = lam[:, None] - lam[None, :]
    near = {xp}.abs(gap) <= 1e-8 * (1 + {xp}.abs(lam[:, None]))
    fl = {xp}.{f}(lam)
    F = {xp}.where(near, {df}, (fl[:, None] - fl[None, :]) / {xp}.where(near, 1, gap))
    return {xp}.real(v @ (F * (w @ {cast} @ v)) @ w)'''

#: f'(λ) at the mean of two near eigenvalues, as the F of a near pair
_DERIVATIVE = {"log": "1 / ((lam[:, None] + lam[None, :]) / 2)",
               "sqrt": "0.5 / {xp}.sqrt((lam[:, None] + lam[None, :]) / 2)"}


def _frechet_by_eig(xp: str, fn: str, f: str) -> str:
    cast = "e.to(v.dtype)" if xp == "torch" else "e.astype(v.dtype)"
    return _FRECHET_EIG.format(fn=fn, f=f, xp=xp, df=_DERIVATIVE[f].format(xp=xp), cast=cast)


def _frechet_by_block(xp: str, fn: str, value: str, setup: str = "") -> str:
    """``value``: f of the block matrix ``big``; ``setup``: lines before it (an import)."""
    cat, axis = ("cat", "dim") if xp == "torch" else ("concatenate", "axis")
    return _FRECHET_BLOCK.format(fn=fn, xp=xp, value=value, setup=setup, cat=cat, axis=axis)


_EIGVECS = '''def eigvecs(s):
    """The unit eigenvectors of a symmetric s (ascending eigenvalues), each column's largest entry positive."""
    u = {xp}.linalg.eigh(s)[1]
    top = u[{xp}.argmax({xp}.abs(u), {axis}), {xp}.arange(u.shape[1])]
    return u * {xp}.sign(top)'''

_HELPERS = {
    "numpy": {**_NUMPY_HELPERS, "eigvecs": _EIGVECS.format(xp="np", axis="axis=0"),
              "frechet_expm": '''def frechet_expm(a, e):
    """L_expm(a, e) (Al-Mohy & Higham 2009, SciPy's expm_frechet)."""
    import scipy.linalg
    return scipy.linalg.expm_frechet(a, e, compute_expm=False).astype(a.dtype, copy=False)''',
              **{f"frechet_{f}": _frechet_by_block("np", f, f"np.real(scipy.linalg.{f}(big.astype(np.promote_types(big.dtype, np.float64))))"
                                                    ".astype(a.dtype, copy=False)",
                                                    "    import scipy.linalg\n")
                 for f in ("logm", "sqrtm")}},
    "jax": {**_eig_helpers("jnp", "jax.lax.linalg.eig(a, compute_left_eigenvectors=False, enable_eigvec_derivs=True)",
                           "jnp.linalg.inv", "jnp.diag", "jnp.real"),
            "eigvecs": _EIGVECS.format(xp="jnp", axis="axis=0"),
            "frechet_expm": '''def frechet_expm(a, e):
    """L_expm(a, e) (Al-Mohy & Higham 2009)."""
    return jax.scipy.linalg.expm_frechet(a, e, compute_expm=False)''',
            "frechet_logm": _frechet_by_eig("jnp", "logm", "log"), "frechet_sqrtm": _frechet_by_eig("jnp", "sqrtm", "sqrt")},
    "torch": {**_eig_helpers("torch", "torch.linalg.eig", "torch.linalg.inv", "torch.diag", "torch.real"),
              "eigvecs": _EIGVECS.format(xp="torch", axis="dim=0"),
              "frechet_expm": _frechet_by_block("torch", "expm", "torch.linalg.matrix_exp(big)"),
              "frechet_logm": _frechet_by_eig("torch", "logm", "log"),
              "frechet_sqrtm": _frechet_by_eig("torch", "sqrtm", "sqrt")},
}

_CODE = {
    "expm": {"numpy": Code("expm({0})", "expm"), "jax": Code("jax.scipy.linalg.expm({0})"),
             "torch": Code("torch.linalg.matrix_exp({0})")},
    "logm": {b: Code("logm({0})", "logm") for b in ("numpy", "jax", "torch")},
    "sqrtm": {b: Code("sqrtm({0})", "sqrtm") for b in ("numpy", "jax", "torch")},
    "eigvals": {"numpy": Code("np.linalg.eigvalsh({0}).reshape(-1, 1)"),
                "jax": Code("jnp.linalg.eigvalsh({0}).reshape(-1, 1)"),
                "torch": Code("torch.linalg.eigvalsh({0}).reshape(-1, 1)")},
    "eigvecs": {b: Code("eigvecs({0})", "eigvecs") for b in ("numpy", "jax", "torch")},
    # frechet(f, A, E): {fn} is f's name, in the text and the helper's name
    "frechet": {b: Code("frechet_{fn}({0}, {1})", "frechet_{fn}") for b in ("numpy", "jax", "torch")},
}


def _helpers(*names: str) -> dict:
    return {b: {k: v for k, v in table.items() if k in names} for b, table in _HELPERS.items()}


def _primary(name: str, summary: str, scalar: str, derivative, limits: dict | None = None) -> Op:
    return Op(name, CALL, summary, f"tr(X' * {name}(X))", shape=square(name, "same"),
              differential=Rule(f"Fréchet derivative of {name} (Higham 2008, §3.1)", d_primary),
              matrix_derivative=derivative, spectral_function=scalar, symmetry="of its argument", reference=lambda ev, a: ev.primary(name, a),
              code=_CODE[name], helpers=_helpers(name),
              to_sympy=Unsupported(NO_SYMPY.format(name)),
              limits={"sympy": NO_SYMPY.format(name), "hessian": "the second Fréchet derivative", **(limits or {})})


register(
    _primary("expm", "the matrix exponential Σ Aᵏ / k! of a square matrix", "exp",
             lambda A: Call("expm", A)),
    _primary("logm", "the principal logarithm of a square matrix with no eigenvalue on the closed negative real axis", "log",
             lambda A: Call("inv", A)),
    _primary("sqrtm", "the principal square root of a square matrix with no eigenvalue on the closed negative real axis", "sqrt",
             lambda A: MatMul(Num(Fraction(1, 2)), Call("inv", Call("sqrtm", A)))),
    Op("frechet", NODE, "L_f(A, E): the Fréchet derivative of expm, logm or sqrtm at A in the direction E",
       "frechet(expm, S, X)", build=Frechet, arity=3,
       differential=Rule("Fréchet derivative is linear in its direction", d_frechet),
       trace=Rule("adjoint of a Fréchet derivative (Higham 2008, §3.6)", frechet_in_trace),
       algebra=(Rule("Fréchet derivative along a commuting direction", frechet_of_identity),),
       notation={f: _frechet_notation(f) for f in ("source", "unicode", "latex", "mathml")},
       code=_CODE["frechet"], helpers=_helpers("frechet_expm", "frechet_logm", "frechet_sqrtm"),
       to_sympy=Unsupported(NO_SYMPY.format("Fréchet derivative")),
       limits={"sympy": NO_SYMPY.format("Fréchet derivative"), "jacobian": NO_JACOBIAN}),
    Op("eigvals", CALL, "the eigenvalues of a symmetric matrix, ascending, as a column", "sum(eigvals(S) .^ 3)",
       shape=eigvals_shape, differential=Rule("eigenvalue perturbation (Magnus 1985)", d_eigvals),
       symmetric_argument=True, reference=lambda ev, a: ev.eigenvalues(a), code=_CODE["eigvals"],
       notation={"latex": lambda p, a: f"\\lambda\\left({p.show(a)}\\right)"},
       to_sympy=Unsupported(NO_SYMPY.format("ordered eigenvalues")),
       limits={"sympy": NO_SYMPY.format("ordered eigenvalues"),
               "jacobian": "its argument is symmetric, and Jacobians by a symmetric matrix are not supported"}),
    Op("eigvecs", CALL, "the unit eigenvectors of a symmetric matrix (columns, ascending eigenvalues), each "
       "column's largest-magnitude entry positive", "sum(eigvecs(S) .^ 3)",
       shape=square("eigvecs", "same"), differential=Rule("eigenvector perturbation (Magnus 1985)", d_eigvecs),
       symmetric_argument=True, reference=lambda ev, a: ev.eigenvectors(a), code=_CODE["eigvecs"],
       helpers=_helpers("eigvecs"),
       to_sympy=Unsupported(NO_SYMPY.format("eigenvector matrix")),
       limits={"sympy": NO_SYMPY.format("eigenvector matrix"),
               "jacobian": "its argument is symmetric, and Jacobians by a symmetric matrix are not supported"}),
)
