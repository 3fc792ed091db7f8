"""The fixed parts of an emitted module, as text: reading the inputs, and the module's own check.

The check is written in NumPy whatever the backend (it calls the emitted functions with float64 NumPy
arrays; a JAX module's check() turns on 64-bit JAX for itself, FLOAT64); each backend's _array,
_common and _cast (``Backend.arrays``) turn inputs into its own arrays, and ORACLES adds each
backend's autodiff.
"""
from string import Template

INPUTS = '''

def _matrix(name, value, dims):
    """value as a matrix of name's declared shape (a vector may come as (n,), a scalar as a number), and
    whether it is a vector that came as (n,); a dimension's size is fixed by the first input that has it
    (recorded in dims)."""
    rows, cols = SHAPES[name]
    try:
        a, decides = _array(value)
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"{name} must be an array of numbers, got {type(value).__name__}") from None
    shape = tuple(a.shape)
    flat = len(shape) == 1 and cols == 1 and rows != 1
    if len(shape) < 2 and cols == 1 and (len(shape) == 1 or rows == 1):
        shape = (shape[0] if shape else 1, 1)
    want = f"{rows}×{cols}"
    if len(shape) != 2:
        raise ValueError(f"{name} must be {want}, got an array of shape {tuple(a.shape)}")
    for dim, size in zip((rows, cols), shape):
        if dim != size if isinstance(dim, int) else dim in dims and dims[dim][0] != size:
            given = f" with {dim} = {dims[dim][0]} from {dims[dim][1]}" if dim in dims else ""
            raise ValueError(f"{name} must be {want}{given}, got {shape[0]}×{shape[1]}")
        if isinstance(dim, str):
            dims.setdefault(dim, (size, name))
    return a.reshape(shape), decides, flat


def _inputs(**values):
    """The inputs as matrices of their declared shapes, all in one dtype; the size of each dimension;
    $context; and whether a vector came as (n,) (a vector f is then returned as (n,))."""
    dims = {}
    read = [_matrix(name, value, dims) for name, value in values.items()]
    context = _common([a for a, decides, _ in read if decides])
    matrices = [_cast(a, *context) for a, _, _ in read]
    return (matrices, {dim: size for dim, (size, _) in dims.items()}, *context, any(flat for _, _, flat in read))
'''

#: JAX: float64 inside check() only.
FLOAT64 = '''

def _float64():
    """64-bit JAX for check() alone (jax.enable_x64, jax.experimental.enable_x64 in older JAX): the
    module never turns on jax_enable_x64 for the program that imports it."""
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64
    return enable_x64()
'''

#: For a module with a gradient.
SHAPE = '''

def _shape(value):
    """The shape an input was passed in (a gradient is returned in it)."""
    return tuple(value.shape) if hasattr(value, "shape") else np.shape(value)
'''

#: For a module with integer symbols: an integer symbol's value as a Python int.
INTEGER = '''

def _integer(name, value):
    """value as a Python int: an integer symbol (a number, or an array of one entry, that is an integer)."""
    try:
        k = float(np.asarray(value).reshape(()))
    except (TypeError, ValueError, RuntimeError):
        raise ValueError(f"{name} must be an integer, got {type(value).__name__}") from None
    if k != int(k):
        raise ValueError(f"{name} must be an integer, got {k}")
    return int(k)
'''

#: Where the check draws the integer symbols (after the other inputs), and how.
DRAWN = "    normals = {y: _satisfy(fn, args, y, values) for fn, args, y in ASSUMPTIONS}\n"
INTEGER_DRAW = ("    for name in INTEGERS:  # 1, 2, 3 or one above the sizes\n"
                "        values[name] = int(rng.choice([1, 2, 3, max(4, 1 + max(sizes.values(), default=1))]))\n")

CHECK = '''

# --- the module's own check ------------------------------------------------------------------

STEPS = tuple(0.1 / 4 ** k for k in range(11))  # 0.1 down to 1e-7, each a quarter of the last: differences at each
TOLERANCE = 1e-6  # largest relative error allowed against differences
DIRECTIONS = 3


def _random_inputs(rng, positive_all=False):
    """Inputs of the declared shapes at distinct random sizes (2, 3, ...): positive entries where
    the domain needs them, invertible matrices with det > 0 where det, logdet or inv meet them,
    each assumption met by moving its symbol along its normal (returned per symbol)."""
    names = list(dict.fromkeys(d for shape in SHAPES.values() for d in shape if isinstance(d, str)))
    sizes = {d: 2 + int(k) for d, k in zip(names, rng.permutation(len(names)))}
    values = {}
    for name, (rows, cols) in SHAPES.items():
        r, c = sizes.get(rows, rows), sizes.get(cols, cols)
        positive = name in POSITIVE or positive_all
        a = rng.uniform(0.5, 2.0, (r, c)) if positive else rng.standard_normal((r, c))
        if name in SYMMETRIC:
            a = (a + a.T) / 2
        values[name] = np.eye(r) + a / (4 * r) if name in INVERTIBLE and r == c else a  # det > 0
    normals = {y: _satisfy(fn, args, y, values) for fn, args, y in ASSUMPTIONS}
    return values, normals


def _satisfy(fn, args, y, values):
    """Make the linear equality fn = 0 hold, every entry a constraint, by the least move of values[y]
    (along its normals); the normals, one per entry of fn."""
    def g(a):
        return np.asarray(fn(**{n: a if n == y else values[n] for n in args}), dtype=np.float64).ravel()

    shape = values[y].shape
    units = np.eye(values[y].size)
    c = g(np.zeros(shape))
    normals = np.array([g(u.reshape(shape)) - c for u in units]).T
    values[y] = values[y] - (np.linalg.pinv(normals) @ g(values[y])).reshape(shape)
    return normals.reshape((-1,) + shape)


def _call(fn, args, inputs):
    return np.asarray(fn(**{n: inputs[n] for n in args}), dtype=np.float64)


def _relative(a, b, scale):
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / max(scale, 1e-300))


def _quotient(values, weights, X):
    """The difference quotient Σ wᵢ fᵢ of f's values, and what rounding the values (or the entries of
    X, where f cancels to less) can make of it."""
    values = [np.asarray(v, dtype=np.float64) for v in values]
    measured = sum(w * v for w, v in zip(weights, values))
    magnitude = max([float(np.max(np.abs(X)))] + [float(np.max(np.abs(v))) for v in values])
    return measured, 4 * np.finfo(np.float64).eps * sum(abs(w) for w in weights) * magnitude * np.sqrt(measured.size)


def _distance(a, b):
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def _best(claimed, quotient, scale, X, steps=None):
    """claimed against differences of f, relative to scale (the size of f's change per unit step, never
    f's own size). The quotients: quotient(h) (values and weights of a central difference quotient,
    whose error is a series in h²) at each h of steps (STEPS, each a quarter of the last), and its
    extrapolations to orders 4 and 6 from neighbouring steps (Richardson: (16 D(h/4) - D(h)) / 15, then
    (256 E(h/4) - E(h)) / 255). Each is allowed what rounding f's values can make of it and its
    truncation error, as twice its change to the next step estimates it (Ridders). The error: the least
    of the claim's distances beyond the allowance to the quotients allowed at most ten times the least
    allowance (or the tolerance): so a claim off by more than about twenty times what the best quotient
    can tell fails, and a large constant in f, whose digits take the small steps, or a derivative
    exactly 0 cannot fail a true claim. The steps stop where rounding alone is past what can count."""
    if not np.all(np.isfinite(claimed)):
        return np.inf
    scale = max(scale, 1e-300)
    levels = [[], [], []]  # the quotients of orders 2, 4, 6: (values, weights, value, rounding)
    judged = []  # (error, allowance), relative to scale
    for h in steps or STEPS:
        values, weights = quotient(h)
        levels[0].append((values, weights, *_quotient(values, weights, X)))
        for j, p in ((1, 16), (2, 256)):
            if len(levels[j - 1]) >= 2:
                (coarse, wc, *_), (fine, wf, *_) = levels[j - 1][-2:]
                values, weights = fine + coarse, [p * w / (p - 1) for w in wf] + [-w / (p - 1) for w in wc]
                levels[j].append((values, weights, *_quotient(values, weights, X)))
        for level in levels:
            if len(level) >= 2:  # the last but one, its truncation estimated by its change to the last
                (*_, value, rounding), (*_, after, _) = level[-2:]
                allowance = rounding + 2 * _distance(value, after)
                if np.isfinite(allowance):  # (a step out of f's domain tells nothing)
                    judged.append((max(_distance(claimed, value) - allowance, 0.0) / scale, allowance / scale))
        least = min((allowance for _, allowance in judged), default=np.inf)
        if levels[0][-1][3] / scale > max(TOLERANCE, 10 * least):
            break  # rounding only grows at smaller steps: no quotient there can count
    if not judged:
        return np.inf
    limit = max(TOLERANCE, 10 * min(allowance for _, allowance in judged))
    return min(error for error, allowance in judged if allowance <= limit)


def _direction(rng, shape, normal, symmetric=False):
    """A random direction (symmetric for a symmetric wrt); one that keeps an assumption on wrt
    (orthogonal to its normal)."""
    v = rng.standard_normal(shape)
    if symmetric:
        v = (v + v.T) / 2
    if normal is None:
        return v
    N = normal.reshape(len(normal), -1)
    return v - (np.linalg.pinv(N) @ (N @ v.ravel())).reshape(v.shape)
'''

#: vec, for every check but a gradient's against differences.
VEC = '''

def _vec(a):
    """The columns of a stacked (vec)."""
    return a.T.reshape(-1)
'''

#: The error of each kind of derivative against differences of f: (claim, inputs, normal, rng) -> error.
ERRORS = {
    "gradient": '''

def _gradient_error(claim, inputs, normal, rng):
    """tr(Gᵀ V) against (f(X + hV) - f(X - hV)) / 2h along random V, the best h of STEPS (see _best)."""
    wrt, X = claim["wrt"], inputs[claim["wrt"]]
    G = _call(claim["derivative"], claim["inputs"], inputs)

    def at(A):
        return float(_call(claim["f"], claim["inputs"], {**inputs, wrt: A}))

    worst = 0.0
    for _ in range(DIRECTIONS):
        V = _direction(rng, X.shape, normal, wrt in SYMMETRIC)
        claimed = np.sum(G * V)
        scale = max(abs(claimed), np.linalg.norm(G) * np.linalg.norm(V))
        worst = max(worst, _best(claimed, lambda h: ([at(X + h * V), at(X - h * V)], [1 / (2 * h), -1 / (2 * h)]),
                                 scale, X))
    return worst
''',
    "jacobian": '''

def _jacobian_error(claim, inputs, normal, rng):
    """J vec(V) against vec(F(X + hV) - F(X - hV)) / 2h along random V, the best h of STEPS (see _best)."""
    wrt, X = claim["wrt"], inputs[claim["wrt"]]
    J = _call(claim["derivative"], claim["inputs"], inputs)

    def at(A):
        return _vec(_call(claim["f"], claim["inputs"], {**inputs, wrt: A}))

    worst = 0.0
    for _ in range(DIRECTIONS):
        V = _direction(rng, X.shape, normal)
        claimed = J @ _vec(V)
        scale = max(np.linalg.norm(claimed), np.linalg.norm(J) * np.linalg.norm(V))
        worst = max(worst, _best(claimed, lambda h: ([at(X + h * V), at(X - h * V)], [1 / (2 * h), -1 / (2 * h)]),
                                 scale, X))
    return worst
''',
    "hessian": '''

SECOND_STEPS = tuple(0.1 / 4 ** k for k in range(6))  # for the mixed second differences: 0.1 down to 1e-4


def _hessian_error(claim, inputs, normal, rng):
    """vec(U)ᵀ H vec(V) against the mixed second difference of f along random U, V, the best h of
    SECOND_STEPS (see _best); and H against its transpose."""
    wrt, X = claim["wrt"], inputs[claim["wrt"]]
    H = _call(claim["derivative"], claim["inputs"], inputs)

    def at(A):
        return float(_call(claim["f"], claim["inputs"], {**inputs, wrt: A}))

    def mixed(U, V, h):
        values = [at(X + h * U + h * V), at(X + h * U - h * V), at(X - h * U + h * V), at(X - h * U - h * V)]
        return values, [w / (4 * h * h) for w in (1, -1, -1, 1)]

    worst = _relative(H, H.T, np.linalg.norm(H))
    for _ in range(DIRECTIONS):
        U, V = _direction(rng, X.shape, normal), _direction(rng, X.shape, normal)
        claimed = _vec(U) @ H @ _vec(V)
        scale = max(abs(claimed), np.linalg.norm(H) * np.linalg.norm(U) * np.linalg.norm(V))
        worst = max(worst, _best(claimed, lambda h: mixed(U, V, h), scale, X, SECOND_STEPS))
    return worst
''',
}

#: Each backend's independent derivative of f by automatic differentiation, in the layout of the
#: emitted one (a gradient X's shape, a Jacobian (p·q)×(m·n), a Hessian (m·n)×(m·n)); the check
#: compares the two on the directions an assumption on wrt leaves free.
ORACLES = {
    "numpy": None,
    "jax": ("jax.grad", '''

def _autodiff(claim, inputs):
    """jax.grad (jax.jacobian, jax.hessian) of the emitted f, jit-compiled."""
    wrt, X = claim["wrt"], inputs[claim["wrt"]]

    def fx(A):
        return claim["f"](**{n: A if n == wrt else inputs[n] for n in claim["inputs"]})

    derivative = {"gradient": jax.grad, "jacobian": jax.jacobian, "hessian": jax.hessian}[claim["kind"]]
    D = np.asarray(jax.jit(derivative(fx))(jnp.asarray(X)))
    if claim["kind"] == "gradient":
        return D
    return D.transpose(1, 0, 3, 2).reshape(D.shape[0] * D.shape[1], -1)
'''),
    "torch": ("torch.autograd", '''

def _autodiff(claim, inputs):
    """torch.autograd's derivative of the emitted f (no gradcheck: the emitted derivative has met
    differences of f already, allowing for what rounding f can do to them, which gradcheck's fixed
    step and tolerances do not: it fails a true gradient beside a large constant in f)."""
    wrt = claim["wrt"]
    X = torch.tensor(inputs[wrt], dtype=torch.float64, requires_grad=True)

    def fx(A):
        return claim["f"](**{n: A if n == wrt else inputs[n] for n in claim["inputs"]})

    if claim["kind"] == "gradient":
        (G,) = torch.autograd.grad(fx(X), X)
        return G.detach().numpy()
    build = torch.autograd.functional.jacobian if claim["kind"] == "jacobian" else torch.autograd.functional.hessian
    D = build(fx, X.detach()).numpy()
    return D.transpose(1, 0, 3, 2).reshape(D.shape[0] * D.shape[1], -1)
'''),
}

ORACLE_ERROR = '''

ORACLE_TOLERANCE = 1e-8  # largest relative error allowed against automatic differentiation
ORACLE_FLOOR = 1e-6  # the least scale compared against: a derivative exactly 0, computed two ways, differs by rounding


def _projector(normal, size):
    """The projection onto directions orthogonal to vec of every normal (the identity without one)."""
    if normal is None:
        return np.eye(size)
    N = np.array([_vec(n) for n in normal])
    return np.eye(size) - np.linalg.pinv(N) @ N


def _autodiff_error(claim, inputs, normal):
    """The emitted derivative against automatic differentiation, where an assumption on wrt
    leaves directions free (P D, D P, P D P for a gradient, Jacobian, Hessian)."""
    D = _call(claim["derivative"], claim["inputs"], inputs)
    R = _autodiff(claim, inputs)
    if claim["kind"] == "gradient":
        if claim["wrt"] in SYMMETRIC:  # the gradient by a symmetric matrix is the symmetric part
            R = (R + R.T) / 2
        P = _projector(normal, D.size)
        return _relative(P @ _vec(D), P @ _vec(R), max(np.linalg.norm(D), np.linalg.norm(R), ORACLE_FLOOR))
    P = _projector(normal, D.shape[1])
    if claim["kind"] == "hessian":
        D, R = P @ D, P @ R
    return _relative(D @ P, R @ P, max(np.linalg.norm(D), np.linalg.norm(R), ORACLE_FLOOR))
'''

RUN = Template('''

def check(seed=0, **functions):
    """Each derivative against differences of f at a random point$oracle_doc, in float64$precision_doc.
    Returns {function name: largest relative error}, and raises AssertionError beyond the tolerance.
    Declared functions may be passed in (the examples in EXAMPLE_FUNCTIONS otherwise)."""
    rng = np.random.default_rng(seed)
    functions = {**EXAMPLE_FUNCTIONS, **functions}
    errors = {}
    with np.errstate(all="ignore")$precision:
        for name, claim in CLAIMS.items():
            for attempt in range(20):  # a point inside f's domain; all positive after ten tries
                values, normals = _random_inputs(rng, positive_all=attempt >= 10)
                inputs = {**values, **functions}
                if np.all(np.isfinite(_call(claim["f"], claim["inputs"], inputs))):
                    break
            else:
                raise AssertionError(f"{name}: no random point inside the domain of f")
            normal = normals.get(claim["wrt"])
            errors[name] = ERRORS[claim["kind"]](claim, inputs, normal, rng)
            if errors[name] > TOLERANCE:
                raise AssertionError(f"{name}: relative error {errors[name]:.2e} against differences of f")$oracle_call
    return errors


if __name__ == "__main__":
    for name, error in check().items():
        print(f"{name}: largest relative error {error:.1e}$oracle_print")
''')

ORACLE_CALL = Template('''
            autodiff = _autodiff_error(claim, inputs, normal)
            if autodiff > ORACLE_TOLERANCE:
                raise AssertionError(f"{name}: relative error {autodiff:.2e} against $oracle")
            errors[name] = max(errors[name], autodiff)''')
