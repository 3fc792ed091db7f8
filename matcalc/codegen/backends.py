"""How each operation is spelled in NumPy, JAX and PyTorch: one table per backend.

Values in emitted code are 2-D arrays as in matcalc (a vector n×1, a scalar 1×1), so the
operators `+ - * / @ ** .T` are shared; the tables hold what differs: function names, how a
reduction is kept 1×1, and small helper functions a module defines when it uses them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Python's precedence levels, loosest first (as far as emitted code needs them).
ADD, MUL, UNARY, POWER, ATOM = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Template:
    """Code with slots {0}, {1} for the arguments; ``prec`` is the precedence of the result,
    ``helper`` a module-level function it calls (defined in the module when used)."""

    text: str
    prec: int = ATOM
    helper: str | None = None


@dataclass(frozen=True)
class Backend:
    name: str
    imports: str
    xp: str  # the array module's alias: np, jnp, torch
    ops: dict[str, Template]
    helpers: dict[str, str] = field(default_factory=dict)  # name -> def (text with {xp})
    as_array: str = ""  # {0} as a float64 array
    reshape: str = ""  # {0} reshaped to the shape {1}
    compiled: str = "{0}"  # function {0} compiled, with the arguments {1} static (how check() calls f)


def _t(text: str, prec: int = ATOM, helper: str | None = None) -> Template:
    return Template(text, prec, helper)


#: The derivatives of built-in entrywise functions that call a helper (the others are inline).
_DERIVATIVES = {
    "tanh''": _t("tanh_prime2({0})", helper="tanh_prime2"),
    "sigmoid'": _t("sigmoid_prime({0})", helper="sigmoid_prime"),
    "sigmoid''": _t("sigmoid_prime2({0})", helper="sigmoid_prime2"),
}


_SHARED_HELPERS = {
    "tanh_prime2": '''def tanh_prime2(x):
    """tanh''(x) = -2 tanh(x) (1 - tanh(x)^2)"""
    t = {xp}.tanh(x)
    return -2 * t * (1 - t ** 2)''',
    "sigmoid_prime": '''def sigmoid_prime(x):
    """sigmoid'(x) = s (1 - s), s = sigmoid(x)"""
    s = {sigmoid}
    return s * (1 - s)''',
    "sigmoid_prime2": '''def sigmoid_prime2(x):
    """sigmoid''(x) = s (1 - s) (1 - 2 s), s = sigmoid(x)"""
    s = {sigmoid}
    return s * (1 - s) * (1 - 2 * s)''',
}


def _backend(name, imports, xp, ops, helpers, as_array, reshape, sigmoid, compiled="{0}") -> Backend:
    ops = {**ops, **_DERIVATIVES}
    shared = {k: v.replace("{xp}", xp).replace("{sigmoid}", sigmoid.format("x")) for k, v in _SHARED_HELPERS.items()}
    return Backend(name, imports, xp, ops, {**shared, **helpers}, as_array, reshape, compiled)


NUMPY = _backend(
    "numpy", "import numpy as np", "np",
    {
        "tr": _t("np.trace({0}).reshape(1, 1)"),
        "det": _t("np.linalg.det({0}).reshape(1, 1)"),
        "logdet": _t("np.linalg.slogdet({0})[1].reshape(1, 1)"),
        "inv": _t("np.linalg.inv({0})"),
        "solve": _t("np.linalg.solve({0}, {1})"),
        "softmax": _t("softmax({0})", helper="softmax"),
        "sum": _t("np.sum({0}, keepdims=True)"),
        "norm": _t("np.linalg.norm({0}).reshape(1, 1)"),
        "vec": _t("{0}.T.reshape(-1, 1)"),
        "diag": _t("np.diagflat({0})"),
        "kron": _t("np.kron({0}, {1})"),
        "eye": _t("np.eye({0})"),
        "ones": _t("np.ones(({0}, {1}))"),
        "commutation": _t("commutation({0}, {1})", helper="commutation"),
        "exp": _t("np.exp({0})"), "log": _t("np.log({0})"), "tanh": _t("np.tanh({0})"),
        "sin": _t("np.sin({0})"), "cos": _t("np.cos({0})"), "tan": _t("np.tan({0})"),
        "abs": _t("np.abs({0})"), "relu": _t("np.maximum({0}, 0)"), "sign": _t("np.sign({0})"),
        "matrix_power": _t("np.linalg.matrix_power({0}, {1})"),
        "sqrt": _t("np.sqrt({0})"), "sigmoid": _t("sigmoid({0})", helper="sigmoid"),
        "scalar": _t("np.reshape({0}, (1, 1))"),
    },
    {
        "softmax": '''def softmax(z):
    """exp(z) / sum(exp(z)) of a column vector, shifted by max(z) so that exp cannot overflow."""
    e = np.exp(z - np.max(z))
    return e / np.sum(e)''',
        "sigmoid": '''def sigmoid(x):
    """1 / (1 + exp(-x))"""
    return 1 / (1 + np.exp(-x))''',
        "commutation": '''def commutation(m, n):
    """K with K vec(A) = vec(A') for A m×n: the rows of the identity, permuted."""
    return np.eye(m * n)[np.arange(m * n).reshape(n, m).T.ravel()]''',
    },
    "np.asarray({0}, dtype=np.float64)", "np.reshape({0}, {1})", "sigmoid({0})",
)

JAX = _backend(
    "jax", 'import jax\nimport jax.numpy as jnp\nimport numpy as np\n\njax.config.update("jax_enable_x64", True)', "jnp",
    {
        "tr": _t("jnp.trace({0}).reshape(1, 1)"),
        "det": _t("jnp.linalg.det({0}).reshape(1, 1)"),
        "logdet": _t("jnp.linalg.slogdet({0})[1].reshape(1, 1)"),
        "inv": _t("jnp.linalg.inv({0})"),
        "solve": _t("jnp.linalg.solve({0}, {1})"),
        "softmax": _t("jax.nn.softmax({0}, axis=0)"),
        "sum": _t("jnp.sum({0}, keepdims=True)"),
        "norm": _t("jnp.linalg.norm({0}).reshape(1, 1)"),
        "vec": _t("{0}.T.reshape(-1, 1)"),
        "diag": _t("jnp.diagflat({0})"),
        "kron": _t("jnp.kron({0}, {1})"),
        "eye": _t("jnp.eye({0})"),
        "ones": _t("jnp.ones(({0}, {1}))"),
        "commutation": _t("commutation({0}, {1})", helper="commutation"),
        "exp": _t("jnp.exp({0})"), "log": _t("jnp.log({0})"), "tanh": _t("jnp.tanh({0})"),
        "sin": _t("jnp.sin({0})"), "cos": _t("jnp.cos({0})"), "tan": _t("jnp.tan({0})"),
        "abs": _t("jnp.abs({0})"), "relu": _t("jax.nn.relu({0})"), "sign": _t("jnp.sign({0})"),
        "matrix_power": _t("jnp.linalg.matrix_power({0}, {1})"),
        "sqrt": _t("jnp.sqrt({0})"), "sigmoid": _t("jax.nn.sigmoid({0})"),
        "scalar": _t("jnp.reshape({0}, (1, 1))"),
    },
    {
        "commutation": '''def commutation(m, n):
    """K with K vec(A) = vec(A') for A m×n: the rows of the identity, permuted."""
    return jnp.eye(m * n)[np.arange(m * n).reshape(n, m).T.ravel()]''',
    },
    "jnp.asarray({0}, dtype=jnp.float64)", "jnp.reshape({0}, {1})", "jax.nn.sigmoid({0})",
    "jax.jit({0}, static_argnames={1})",
)

TORCH = _backend(
    "torch", "import numpy as np\nimport torch", "torch",
    {
        "tr": _t("torch.trace({0}).reshape(1, 1)"),
        "det": _t("torch.linalg.det({0}).reshape(1, 1)"),
        "logdet": _t("torch.linalg.slogdet({0})[1].reshape(1, 1)"),
        "inv": _t("torch.linalg.inv({0})"),
        "solve": _t("torch.linalg.solve({0}, {1})"),
        "softmax": _t("torch.softmax({0}, dim=0)"),
        "sum": _t("torch.sum({0}).reshape(1, 1)"),
        "norm": _t("torch.linalg.norm({0}).reshape(1, 1)"),
        "vec": _t("{0}.T.reshape(-1, 1)"),
        "diag": _t("torch.diagflat({0})"),
        "kron": _t("torch.kron({0}, {1})"),
        "eye": _t("torch.eye({0}, dtype=torch.float64)"),
        "ones": _t("torch.ones(({0}, {1}), dtype=torch.float64)"),
        "commutation": _t("commutation({0}, {1})", helper="commutation"),
        "exp": _t("torch.exp({0})"), "log": _t("torch.log({0})"), "tanh": _t("torch.tanh({0})"),
        "sin": _t("torch.sin({0})"), "cos": _t("torch.cos({0})"), "tan": _t("torch.tan({0})"),
        "abs": _t("torch.abs({0})"), "relu": _t("torch.relu({0})"), "sign": _t("torch.sign({0})"),
        "matrix_power": _t("torch.linalg.matrix_power({0}, {1})"),
        "sqrt": _t("torch.sqrt({0})"), "sigmoid": _t("torch.sigmoid({0})"),
        "scalar": _t("torch.as_tensor({0}, dtype=torch.float64).reshape(1, 1)"),
    },
    {
        "commutation": '''def commutation(m, n):
    """K with K vec(A) = vec(A') for A m×n: the rows of the identity, permuted."""
    return torch.eye(m * n, dtype=torch.float64)[torch.arange(m * n).reshape(n, m).T.reshape(-1)]''',
    },
    "torch.as_tensor({0}, dtype=torch.float64)", "torch.as_tensor({0}, dtype=torch.float64).reshape({1})",
    "torch.sigmoid({0})",
)

BACKENDS = {b.name: b for b in (NUMPY, JAX, TORCH)}
