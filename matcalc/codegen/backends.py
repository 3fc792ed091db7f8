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
    arrays: str = ""  # the module's _array, _common and _cast: how inputs become arrays of one dtype
    context: tuple[str, ...] = ("dtype",)  # what _inputs says besides the sizes: the dtype (and device) computed in
    default: str = ""  # the context when no input decides it (a function of integer symbols only)
    constant: str = ""  # {0}, a number, as a 0-d array of the inputs' dtype
    reshape: str = ""  # {0} reshaped to the shape {1}
    compiled: str = "{0}"  # function {0} compiled, with the arguments {1} static (how check() calls f)
    precision: str = ""  # check()'s with-statement items for float64 beside np.errstate (JAX: a local enable_x64)


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


def _backend(name, imports, xp, own, arrays, default, constant, reshape, compiled="{0}", context=("dtype",),
             precision="") -> Backend:
    """A backend: the operators' templates, and ``own``, what is not an operator of the language
    (solve, sign, matrix power, a scalar as 1×1, the reductions along an axis)."""
    templates, helpers = _operators(name)
    axes, axis_helpers = _AXES[name]
    return Backend(name, imports, xp, {**templates, **axes, **own}, {**helpers, **axis_helpers}, arrays, context, default,
                   constant, reshape, compiled, precision)


# How each backend reads an input: an array of its own kind, in the dtype of the floating-point arrays
# passed (promoted together); a Python number, a list or an integer array takes that dtype and decides
# nothing (the library's default float where nothing else decides), as `2.0 * x` keeps x's dtype.

_NUMPY_ARRAYS = '''

def _array(value):
    """value as a NumPy array, and whether its dtype decides the dtype computed in (a floating-point
    array's does; a Python number's, a list's or an integer array's does not)."""
    a = np.asarray(value)
    if a.dtype.kind == "f" and hasattr(value, "dtype"):
        return a, True
    return a.astype(np.float64), False


def _common(arrays):
    """The dtype computed in: NumPy's promotion of the deciding inputs' (float64 without one)."""
    return (np.result_type(*arrays) if arrays else np.dtype(np.float64),)


def _cast(a, dtype):
    return a.astype(dtype, copy=False)
'''

_JAX_ARRAYS = '''

def _array(value):
    """value as a JAX array, and whether its dtype decides the dtype computed in (a floating-point
    array's does; a Python number's, a list's or an integer array's does not)."""
    a = jnp.asarray(value)
    if hasattr(value, "dtype") and jnp.issubdtype(a.dtype, jnp.floating):
        return a, True
    return a.astype(jnp.asarray(0.0).dtype), False


def _common(arrays):
    """The dtype computed in: JAX's promotion of the deciding inputs' (JAX's default float without one:
    float32 unless 64-bit JAX is on)."""
    return (jnp.result_type(*arrays) if arrays else jnp.asarray(0.0).dtype,)


def _cast(a, dtype):
    return a.astype(dtype)
'''

_TORCH_ARRAYS = '''

def _array(value):
    """value as a tensor, and whether its dtype decides the dtype computed in (a floating-point tensor's
    or array's does; a Python number's, a list's or an integer array's does not)."""
    a = torch.as_tensor(value)
    if hasattr(value, "dtype") and a.is_floating_point():
        return a, True
    return a.to(torch.get_default_dtype()), False


def _common(arrays):
    """The dtype computed in, torch's promotion of the deciding inputs' (torch's default without one),
    and the device: the first deciding tensor's that is not the CPU (the CPU without one)."""
    dtype = torch.get_default_dtype()
    if arrays:
        dtype = arrays[0].dtype
        for a in arrays[1:]:
            dtype = torch.promote_types(dtype, a.dtype)
    return dtype, next((a.device for a in arrays if a.device.type != "cpu"), None)


def _cast(a, dtype, device):
    return a.to(dtype=dtype, device=device)
'''

NUMPY = _backend(
    "numpy", "import numpy as np", "np",
    {
        "solve": _t("np.linalg.solve({0}, {1})"),
        "sign": _t("np.sign({0})"),
        "matrix_power": _t("np.linalg.matrix_power({0}, {1})"),
        "scalar": _t("np.reshape(np.asarray({0}, dtype=dtype), (1, 1))"),
    },
    _NUMPY_ARRAYS, "np.dtype(np.float64)", "np.asarray({0}, dtype=dtype)", "np.reshape({0}, {1})",
)

JAX = _backend(
    "jax", "import jax\nimport jax.numpy as jnp\nimport numpy as np", "jnp",
    {
        "solve": _t("jnp.linalg.solve({0}, {1})"),
        "sign": _t("jnp.sign({0})"),
        "matrix_power": _t("jnp.linalg.matrix_power({0}, {1})"),
        "scalar": _t("jnp.reshape(jnp.asarray({0}, dtype=dtype), (1, 1))"),
    },
    _JAX_ARRAYS, "jnp.asarray(0.0).dtype", "jnp.asarray({0}, dtype=dtype)", "jnp.reshape({0}, {1})",
    "jax.jit({0}, static_argnames={1})", precision=", _float64()",
)

TORCH = _backend(
    "torch", "import numpy as np\nimport torch", "torch",
    {
        "solve": _t("torch.linalg.solve({0}, {1})"),
        "sign": _t("torch.sign({0})"),
        "matrix_power": _t("torch.linalg.matrix_power({0}, {1})"),
        "scalar": _t("torch.as_tensor({0}, dtype=dtype, device=device).reshape(1, 1)"),
    },
    _TORCH_ARRAYS, "torch.get_default_dtype(), None", "torch.as_tensor({0}, dtype=dtype, device=device)",
    "torch.reshape({0}, {1})", context=("dtype", "device"),
)

BACKENDS = {b.name: b for b in (NUMPY, JAX, TORCH)}
