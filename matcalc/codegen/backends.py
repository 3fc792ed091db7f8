"""How each operation is spelled in NumPy, JAX and PyTorch: one table per backend.

Values in emitted code are 2-D arrays as in matcalc (a vector n×1, a scalar 1×1), so the
operators `+ - * / @ ** .T` are shared; the tables hold what differs: function names, how a
reduction is kept 1×1, and small helper functions a module defines when it uses them. A built-in
operator's templates are in its record (``matcalc.ops``); this module adds what is not an operator.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import ops

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


def _operators(backend: str) -> tuple[dict[str, Template], dict[str, str]]:
    """The templates and helper definitions every operator record gives for a backend."""
    templates, helpers = {}, {}
    for name, op in ops.REGISTRY.items():
        if backend in op.code:
            c = op.code[backend]
            templates[name] = Template(c.text, c.prec, c.helper)
        helpers.update(op.helpers.get(backend, {}))
    return templates, helpers


_LOGSUMEXP = '''def logsumexp(a, axis):
    """log Σ exp(a) of every entry (axis None, 1×1) or along an axis (kept 2-D), shifted by the
    maximum so that exp cannot overflow."""
    m = {xp}.max(a, axis=axis, keepdims=True)
    return m + {xp}.log({xp}.sum({xp}.exp(a - m), axis=axis, keepdims=True))'''

_SOFTMAX_AXIS = '''def softmax_axis(a, axis):
    """exp(a) / the sums of exp(a) along the axis, shifted by the maximum so that exp cannot overflow."""
    e = {xp}.exp(a - {xp}.max(a, axis=axis, keepdims=True))
    return e / {xp}.sum(e, axis=axis, keepdims=True)'''

_TORCH_LOGSUMEXP = '''def logsumexp(a, axis):
    """log Σ exp(a) of every entry (axis None, 1×1) or along an axis (kept 2-D)."""
    if axis is None:
        return torch.logsumexp(a.reshape(-1), 0).reshape(1, 1)
    return torch.logsumexp(a, dim=axis, keepdim=True)'''

#: The reductions along an axis that matcalc spells with ones (matcalc/axes.py), in each library's own form.
_AXES = {
    "numpy": ({"sum_axis": _t("np.sum({0}, axis={1}, keepdims=True)"),
               "logsumexp_axis": _t("logsumexp({0}, {1})", helper="logsumexp"),
               "softmax_axis": _t("softmax_axis({0}, {1})", helper="softmax_axis")},
              {"logsumexp": _LOGSUMEXP.replace("{xp}", "np"), "softmax_axis": _SOFTMAX_AXIS.replace("{xp}", "np")}),
    "jax": ({"sum_axis": _t("jnp.sum({0}, axis={1}, keepdims=True)"),
             "logsumexp_axis": _t("jax.scipy.special.logsumexp({0}, axis={1}, keepdims=True)"),
             "softmax_axis": _t("jax.nn.softmax({0}, axis={1})")}, {}),
    "torch": ({"sum_axis": _t("torch.sum({0}, dim={1}, keepdim=True)"),
               "logsumexp_axis": _t("logsumexp({0}, {1})", helper="logsumexp"),
               "softmax_axis": _t("torch.softmax({0}, dim={1})")}, {"logsumexp": _TORCH_LOGSUMEXP}),
}


def _backend(name, imports, xp, own, as_array, reshape, compiled="{0}") -> Backend:
    """A backend: the operators' templates, and ``own``, what is not an operator of the language
    (solve, sign, matrix power, a scalar as 1×1, the reductions along an axis)."""
    templates, helpers = _operators(name)
    axes, axis_helpers = _AXES[name]
    return Backend(name, imports, xp, {**templates, **axes, **own}, {**helpers, **axis_helpers}, as_array, reshape,
                   compiled)


NUMPY = _backend(
    "numpy", "import numpy as np", "np",
    {
        "solve": _t("np.linalg.solve({0}, {1})"),
        "sign": _t("np.sign({0})"),
        "matrix_power": _t("np.linalg.matrix_power({0}, {1})"),
        "scalar": _t("np.reshape({0}, (1, 1))"),
    },
    "np.asarray({0}, dtype=np.float64)", "np.reshape({0}, {1})",
)

JAX = _backend(
    "jax", 'import jax\nimport jax.numpy as jnp\nimport numpy as np\n\njax.config.update("jax_enable_x64", True)', "jnp",
    {
        "solve": _t("jnp.linalg.solve({0}, {1})"),
        "sign": _t("jnp.sign({0})"),
        "matrix_power": _t("jnp.linalg.matrix_power({0}, {1})"),
        "scalar": _t("jnp.reshape({0}, (1, 1))"),
    },
    "jnp.asarray({0}, dtype=jnp.float64)", "jnp.reshape({0}, {1})", "jax.jit({0}, static_argnames={1})",
)

TORCH = _backend(
    "torch", "import numpy as np\nimport torch", "torch",
    {
        "solve": _t("torch.linalg.solve({0}, {1})"),
        "sign": _t("torch.sign({0})"),
        "matrix_power": _t("torch.linalg.matrix_power({0}, {1})"),
        "scalar": _t("torch.as_tensor({0}, dtype=torch.float64).reshape(1, 1)"),
    },
    "torch.as_tensor({0}, dtype=torch.float64)", "torch.as_tensor({0}, dtype=torch.float64).reshape({1})",
)

BACKENDS = {b.name: b for b in (NUMPY, JAX, TORCH)}
