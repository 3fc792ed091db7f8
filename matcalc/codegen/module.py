"""A whole emitted module: the docstring, the inputs' shapes, one function for f and one for each
derivative, the assumptions as functions for the check, the check, and ``python module.py``."""
from __future__ import annotations

import ast
from dataclasses import dataclass

from .. import __version__
from ..checker.sample import required
from ..declarations import Assumption, Scope
from ..errors import MatcalcError
from ..expr import Add, Entrywise, Expr, Neg, ScalarFn, Sym, distinct_nodes
from ..language import show
from ..shapes import Shape, dim_names
from . import templates as T
from .backends import BACKENDS, Backend, Template
from .lower import Lowering, function_argument, python_name

#: Names an emitted module uses for itself; an input with one of these names gets a trailing _.
INTERNAL = ("np", "jnp", "jax", "torch", "dims", "shape", "dtype", "device", "flat", "_inputs", "_matrix", "_array",
            "_common", "_cast", "_shape", "_integer", "_float64", "SHAPES", "INTEGERS", "CLAIMS", "ERRORS", "ASSUMPTIONS",
            "POSITIVE", "INVERTIBLE", "EXAMPLE_FUNCTIONS", "check")


#: What _inputs says besides the sizes, in its docstring.
CONTEXT_DOC = {("dtype",): "the dtype computed in", ("dtype", "device"): "the dtype and device computed in"}

#: How a module computes, in its docstring.
DTYPE_DOC = {
    "numpy": ("Computed in the inputs' dtype (float32 in, float32 out; the promotion of the floating-point arrays\n"
              "passed, float64 when only numbers or lists are); nothing global is changed on import."),
    "jax": ("Computed in the inputs' dtype (float32 in, float32 out; JAX's default float when only numbers or\n"
            "lists are passed); importing this module changes no JAX configuration (check() alone turns on\n"
            "64-bit JAX, locally)."),
    "torch": ("Computed in the inputs' dtype and on their device (a float32 tensor in, a float32 tensor out;\n"
              "torch's default dtype when only numbers or lists are passed); nothing global is changed on import."),
}


@dataclass(frozen=True)
class Target:
    """What one derivation gives: f, the symbol it is by, the kind and the result."""

    f: Expr
    wrt: Sym
    kind: str  # gradient | jacobian | hessian
    result: Expr
    verdict: str = ""  # the checker's verdict on the result, for the docstring
    gradient: Expr | None = None  # for a Hessian: the gradient derived on the way, emitted too

    def derivatives(self) -> list[tuple[str, Expr]]:
        """(kind, expression) of each derivative to emit: the gradient first, when there is one."""
        return ([("gradient", self.gradient)] if self.gradient is not None else []) + [(self.kind, self.result)]


def module(backend: str, targets: list[Target], scope: Scope, assume: tuple[Assumption, ...] = (), *,
           title: str = "", source: str = "") -> str:
    """The source of a self-contained Python module computing f and its derivatives with ``backend``."""
    b = BACKENDS.get(backend)
    if b is None:
        raise MatcalcError(f"unknown backend {backend!r} (expected {', '.join(BACKENDS)})")
    if not targets:
        raise MatcalcError("nothing to emit: no claim has a derivation that holds")
    return _Module(b, targets, scope, assume).source(title, source)


class _Module:
    def __init__(self, b: Backend, targets: list[Target], scope: Scope, assume):
        self.b, self.targets, self.scope, self.assume = b, targets, scope, assume
        taken = set(INTERNAL) | set(b.helpers) | {"f", "gradient", "jacobian", "hessian"}
        self.names: dict = {}
        for n in scope.symbols:
            self.names[n] = python_name(n, taken)
        for n in scope.lets:
            self.names[n] = python_name(n, taken)
        for fn, kind in scope.functions.items():
            for order in range(3 if kind == "elementwise" else 2):
                self.names[(fn, order)] = python_name(function_argument(fn, order, kind), taken)
        dims = {d for s in scope.symbols.values() for d in (s.rows, s.cols) if isinstance(d, str)}
        for d in sorted(dims):
            self.names[("dim", d)] = python_name(d, taken)
        self.taken = taken
        self.helpers: set[str] = set()
        self.functions: list[str] = []  # the source of each emitted function
        self.arguments: set[str] = set()  # the declared functions' arguments they take

    # --- one emitted function ---------------------------------------------------------------

    def inputs(self, *exprs: Expr) -> tuple[list[str], list[str]]:
        """The symbols (in declaration order) and declared functions (as arguments) the exprs use."""
        nodes = list(distinct_nodes(*exprs))
        used = {n.name for n in nodes if isinstance(n, Sym)}
        symbols = [s for s in self.scope.symbols if s in used]
        calls = {(n.fn, n.order) for n in nodes if isinstance(n, (Entrywise, ScalarFn)) and (n.fn, n.order) in self.names}
        functions = [self.names[k] for k in sorted(calls)]
        return symbols, functions

    def function(self, name: str, doc: str, value: Expr, symbols: list[str], functions: list[str],
                 returned_as: str | None = None) -> None:
        """def name(*, inputs): the value of ``value``, reshaped to its shape (a column as (p,) when a
        vector came as (n,); for a gradient, the shape ``returned_as`` was passed in), in the dtype the
        inputs are computed in."""
        lower = Lowering(self.b, self.names, set(self.taken))
        (code,) = lower.expressions(value)
        if _constant(code):  # a number: made an array of the inputs' dtype
            code = lower.apply(Template(self.b.constant), [code]).text
        py = [self.names[s] for s in symbols if s not in self.scope.integer]
        column = returned_as is None and value.shape.cols == 1 and value.shape.rows != 1 and bool(py)
        if returned_as is not None:
            out = self.b.reshape.format(code, "shape")
        elif column:
            rows = lower.dim(value.shape.rows)
            out = self.b.reshape.format(code, f"({rows},) if flat else ({rows}, 1)")
        else:
            out = self.b.reshape.format(code, _shape_text(value.shape, lower))
        self.helpers |= lower.helpers
        args = [self.names[s] for s in symbols] + functions
        self.arguments.update(functions)
        body = []
        if returned_as is not None:
            body.append(f"shape = _shape({self.names[returned_as]})")
        for s in symbols:
            if s in self.scope.integer:
                body.append(f'{self.names[s]} = _integer("{self.names[s]}", {self.names[s]})')
        if py:  # _inputs gives the matrices, the sizes, the dtype (and device), and whether a vector came as (n,)
            said = ["dims" if lower.used_dims else "_"] + [c if c in lower.context else "_" for c in self.b.context] \
                + ["flat" if column else "_"]
            used = len(said)
            while used and said[used - 1] == "_":
                used -= 1
            targets = [f"({', '.join(py)}{',' if len(py) == 1 else ''})"] + said[:used] + (["*_"] if used < len(said) else [])
            body.append(f"{', '.join(targets)} = _inputs({', '.join(f'{p}={p}' for p in py)})")
        elif lower.context:
            body.append(f"{', '.join(self.b.context)} = {self.b.default}")
        used_dims = sorted(lower.used_dims)
        bound = {d for s in symbols for d in dim_names(self.scope.symbols[s].rows) + dim_names(self.scope.symbols[s].cols)}
        for d in used_dims:
            if d not in bound:
                raise MatcalcError(f"cannot emit code for {show(value)}: the dimension {d} is fixed by none of its inputs")
        if used_dims:
            lhs = ", ".join(self.names[("dim", d)] for d in used_dims)
            sizes = ", ".join(f'dims["{d}"]' for d in used_dims)
            body.append(f"{lhs} = {sizes}")
        body += lower.lines + [f"return {out}"]
        signature = f"*, {', '.join(args)}" if args else ""
        text = f'def {name}({signature}):\n    """{doc}"""\n' + "".join(f"    {line}\n" for line in body)
        self.functions.append(text)

    # --- the module -------------------------------------------------------------------------

    def source(self, title: str, source: str) -> str:
        many = len(self.targets) > 1
        claims = []
        for i, t in enumerate(self.targets, 1):
            f_name = f"f_{i}" if many else "f"
            symbols, functions = self.inputs(t.f, *(e for _, e in t.derivatives()), t.wrt)
            wrt = self.names[t.wrt.name]
            self.function(f_name, f"f = {show(t.f)}", t.f, symbols, functions)
            args = tuple(self.names[s] for s in symbols) + tuple(functions)
            static = tuple(functions) + tuple(self.names[s] for s in symbols if s in self.scope.integer)
            f_compiled = self.b.compiled.format(f_name, _strings(static))
            for kind, result in t.derivatives():
                d_name = f"{kind}_{i}" if many else kind
                self.function(d_name, _derivative_doc(kind, result, t, wrt), result, symbols, functions,
                              returned_as=t.wrt.name if kind == "gradient" else None)
                claims.append(f'    "{d_name}": {{"f": {f_compiled}, "derivative": {d_name}, "kind": "{kind}", '
                              f'"wrt": "{wrt}", "inputs": {_strings(args)}}},')
        assumptions = []
        for k, a in enumerate(self.assume, 1):
            (y,) = {n.name for n in distinct_nodes(a.lhs, a.rhs) if isinstance(n, Sym)}
            symbols, _ = self.inputs(a.lhs, a.rhs)
            self.function(f"_assumption_{k}", f"{a}, as lhs - rhs", Add((a.lhs, Neg(a.rhs))), symbols, [])
            assumptions.append(f'(_assumption_{k}, {_strings(self.names[s] for s in symbols)}, "{self.names[y]}"),')
        return "".join([
            self.docstring(title, source), self.b.imports, "\n\n", self.shapes(), self.helper_text(),
            self.b.arrays, T.INPUTS.replace("$context", CONTEXT_DOC[self.b.context]),
            T.FLOAT64 if self.b.precision else "", T.INTEGER if self.integers else "",
            T.SHAPE if any(kind == "gradient" for t in self.targets for kind, _ in t.derivatives()) else "",
            "".join(f"\n\n{fn}" for fn in self.functions),
            self.check_tables(claims, assumptions),
        ])

    def docstring(self, title: str, source: str) -> str:
        lines = [title or "f and its derivatives", ""]
        lines.append(f"Derived and checked by matcalc {__version__}" + (f" (source: {source})" if source else "")
                     + f"; {self.b.name} code.")
        lines.append(DTYPE_DOC[self.b.name])
        lines += ["", "Inputs (keyword arguments; a vector may be passed as (n,) or (n, 1), a scalar as a number):"]
        for n, shape in self.scope.symbols.items():
            lines.append(f"    {self.names[n]:<10} {self.scope.declaration(n)}" + (f"  ({n})" if self.names[n] != n else ""))
        for fn, kind in self.scope.functions.items():
            what = "applied entrywise; its derivatives are passed as {0}_prime, {0}_prime2" if kind == "elementwise" \
                else "a number of a matrix a; its gradient (a's shape) is passed as {0}_grad"
            lines.append(f"    {fn:<10} a declared {kind} function, " + what.format(fn))
        for n, body in self.scope.lets.items():
            lines.append(f"Let {n} = {show(body)}")
        for a in self.assume:
            lines.append(f"Assuming {a}")
        lines.append("")
        for t in self.targets:
            lines.append(f"f = {show(t.f)}")
            if t.gradient is not None:
                lines.append(f"    gradient by {t.wrt.name} = {show(t.gradient)}  [on the way to the Hessian; checked by check()]")
            lines.append(f"    {t.kind} by {t.wrt.name} = {show(t.result)}" + (f"  [checked: {t.verdict}]" if t.verdict else ""))
        oracle = T.ORACLES[self.b.name]
        lines += ["", "`python <this file>` runs check(): each derivative against central differences of f at a",
                  "random point" + (f" and against {oracle[0]}" if oracle else "") + "."]
        text = "\n".join(lines).replace('"""', "'''").replace("\\", "\\\\")
        return f'"""{text}\n"""\n'

    @property
    def integers(self) -> list[str]:
        """The integer symbols f or a derivative uses (passed as Python ints; 1×1 in SHAPES)."""
        used = {n.name for t in self.targets for n in distinct_nodes(t.f, *(e for _, e in t.derivatives()))
                if isinstance(n, Sym)}
        return [self.names[n] for n in self.scope.symbols if n in self.scope.integer and n in used]

    def shapes(self) -> str:
        rows = ", ".join(f'"{self.names[n]}": ({_dim(s.rows)}, {_dim(s.cols)})' for n, s in self.scope.symbols.items())
        text = f"SHAPES = {{{rows}}}  # declared shapes: a dimension's name or its size\n"
        if self.integers:
            text += f"INTEGERS = {_strings(self.integers)}  # integer symbols, passed as Python ints\n"
        return text

    def helper_text(self) -> str:
        return "".join(f"\n\n{self.b.helpers[h]}\n" for h in sorted(self.helpers))

    def check_tables(self, claims: list[str], assumptions: list[str]) -> str:
        exprs = [e for t in self.targets for e in (t.f, *(d for _, d in t.derivatives()))] + \
            [e for a in self.assume for e in (a.lhs, a.rhs)]
        positive, det_positive, invertible = required(exprs)
        square = [n for n in invertible if self.scope.symbols[n].is_square]
        examples = self.examples()
        kinds = sorted({kind for t in self.targets for kind, _ in t.derivatives()})
        oracle = T.ORACLES[self.b.name]
        check = T.CHECK.replace(T.DRAWN, T.DRAWN + T.INTEGER_DRAW) if self.integers else T.CHECK
        parts = [check, T.VEC if oracle or kinds != ["gradient"] else "", "".join(T.ERRORS[k] for k in kinds)]
        if oracle:
            parts += [oracle[1], T.ORACLE_ERROR]
        parts.append("\n\nCLAIMS = {\n" + "\n".join(claims) + "\n}\n")
        parts.append("ERRORS = {" + ", ".join(f'"{k}": _{k}_error' for k in kinds) + "}\n")
        parts.append("ASSUMPTIONS = (" + "".join(f"\n    {a}" for a in assumptions) + ("\n" if assumptions else "") + ")\n")
        parts.append(f"POSITIVE = {_strings(sorted(self.names[n] for n in positive))}  # under log, sqrt, a fractional power\n")
        parts.append(f"INVERTIBLE = {_strings(sorted(self.names[n] for n in set(square) | set(det_positive)))}"
                     "  # under det, logdet, inv: drawn with det > 0\n")
        parts.append(f"SYMMETRIC = {_strings(sorted(self.names[n] for n in self.scope.symmetric))}  # symmetric(n)\n")
        parts.append("EXAMPLE_FUNCTIONS = {" + "".join(f'\n    "{k}": {v},' for k, v in examples) + ("\n" if examples else "") + "}\n")
        parts.append(T.RUN.substitute(
            precision=self.b.precision, precision_doc=" (64-bit JAX here only)" if self.b.precision else "",
            oracle_doc=f" and against {oracle[0]}" if oracle else "",
            oracle_call=T.ORACLE_CALL.substitute(oracle=oracle[0]) if oracle else "",
            oracle_print=f" (against differences of f and {oracle[0]})" if oracle else " (against differences of f)"))
        return "".join(parts)

    def examples(self) -> list[tuple[str, str]]:
        """Example declared functions for the check: tanh (and its derivatives) for an elementwise
        one, C(a) = sum(cos(a)) + sum(a)²/2 for a scalar one."""
        xp, out = self.b.xp, []
        forms = {("elementwise", 0): f"{xp}.tanh", ("elementwise", 1): f"lambda x: 1 - {xp}.tanh(x) ** 2",
                 ("elementwise", 2): f"lambda x: -2 * {xp}.tanh(x) * (1 - {xp}.tanh(x) ** 2)",
                 ("scalar", 0): f"lambda a: {xp}.sum({xp}.cos(a)) + {xp}.sum(a) ** 2 / 2",
                 ("scalar", 1): f"lambda a: -{xp}.sin(a) + {xp}.sum(a)"}
        for fn, kind in self.scope.functions.items():
            for order in range(3 if kind == "elementwise" else 2):
                name = self.names[(fn, order)]
                if name in self.arguments:
                    out.append((name, forms[kind, order]))
        return out


def _constant(code: str) -> bool:
    """Is the code a number (no name in it: 0, 2.5, (1 / 3))?"""
    tree = ast.parse(code, mode="eval")
    return not any(isinstance(n, ast.Name) for n in ast.walk(tree))


def _dim(d) -> str:
    return f'"{d}"' if isinstance(d, str) else str(d)


def _strings(items) -> str:
    """A tuple of names as a Python literal: ("A", "X")."""
    items = [f'"{s}"' for s in items]
    return f"({', '.join(items)}{',' if len(items) == 1 else ''})"


def _shape_text(shape: Shape, lower: Lowering) -> str:
    return "()" if shape.is_scalar else f"({lower.dim(shape.rows)}, {lower.dim(shape.cols)})"


def _derivative_doc(kind: str, result: Expr, t: Target, wrt: str) -> str:
    x = t.wrt.name
    what = {"gradient": f"∂f/∂{x}, returned in the shape {wrt} was passed in",
            "jacobian": f"d vec(f) / d vec({x})ᵀ, (p·q)×(m·n) for f p×q and {x} m×n",
            "hessian": f"d²f / d vec({x}) d vec({x})ᵀ, (m·n)×(m·n) for {x} m×n"}[kind]
    return f"{what}:\n\n    {show(result)}\n\n    of f = {show(t.f)}.\n    "
