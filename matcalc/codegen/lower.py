"""An expression tree as Python statements: a subexpression that occurs twice (and every
[let] name) gets a line of its own and is computed once; the rest is written inline.

Shapes decide the operator: ``@`` for a matrix product, ``*`` when a factor is 1×1 (a scalar
scales, as in matcalc) or the inner dimension is 1 (an outer product, by broadcasting); the
backend's table spells everything else.
"""
from __future__ import annotations

import keyword
import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from .. import ops
from ..errors import MatcalcError
from ..expr import (
    Add, Call, Commutation, DimValue, Div, EDiv, Entrywise, EPower, Expr, Eye, Frechet, Hadamard, Kron, Let, MatMul, Neg, Num, Ones,
    MatPower, Power, ScalarFn, Sym, SymbolicPower, Transpose, distinct_nodes, is_zero_matrix,
)
from ..axes import spelt_reduction
from ..language import GREEK_LETTERS, show
from ..shapes import dim_factors
from .backends import ADD, ATOM, MUL, POWER, UNARY, Backend, Template

#: Deeper nesting than this is split into lines (Python's parser has a nesting limit; people have less).
MAX_NESTING = 10
_FREE_SLOT = re.compile(r"(?:(?<=\()|(?<=, ))\{(\d)\}(?=\)|,)")
#: The locals a template may read besides its arguments: the dtype (and device) the inputs are computed in.
_CONTEXT = re.compile(r"\b(dtype|device)\b(?!\s*=)")


def python_name(name: str, taken: set[str]) -> str:
    """A matcalc name as a Python identifier: Greek letters spelled out (μ -> mu), a keyword or a
    name already taken gets a trailing _ (lambda -> lambda_)."""
    out = "".join(GREEK_LETTERS.get(ch, ch) for ch in name)
    while keyword.iskeyword(out) or out in taken:
        out += "_"
    taken.add(out)
    return out


def function_argument(fn: str, order: int, kind: str) -> str:
    """The keyword argument a declared function of this order is passed as: sigma, sigma_prime,
    sigma_prime2 (elementwise), C, C_grad (scalar)."""
    if kind == "scalar":
        return fn if order == 0 else f"{fn}_grad"
    return fn + ("", "_prime", "_prime2")[order]


def number(v: Fraction) -> tuple[str, int]:
    """A rational as a Python literal: 2, 0.5, (1 / 3); exact integers, the nearest float otherwise."""
    if v.denominator == 1:
        return str(v.numerator), ATOM
    short = repr(float(v))
    if len(short) <= 6:
        return short, ATOM
    return f"({v.numerator} / {v.denominator})", ATOM


def _signed(v: Fraction) -> str:
    text = number(abs(v))[0]
    return f"-{text}" if v < 0 else text


@dataclass(frozen=True)
class Code:
    text: str
    prec: int
    nesting: int = 0


class Lowering:
    """Statements computing expressions with one backend. ``names`` maps each symbol and [let]
    name to its Python name, each ("dim", name) to the local holding its size, and each declared
    (function, order) to its argument; ``taken`` are the names intermediates must avoid."""

    def __init__(self, backend: Backend, names: dict, taken: set[str]):
        self.b, self.names, self.taken = backend, names, taken
        self.lines: list[str] = []
        self.helpers: set[str] = set()
        self.used_dims: set[str] = set()
        self.context: set[str] = set()  # dtype, device: the locals the code reads (constants are made in them)
        self.done: dict[Expr, Code] = {}
        self.uses: Counter = Counter()

    def expressions(self, *roots: Expr) -> list[str]:
        """The code of each root (after the lines it needs, in ``self.lines``)."""
        for n in distinct_nodes(*roots):
            self.uses.update(n.children)
        self.uses.update(roots)
        return [self.code(r).text for r in roots]

    # --- the walk ---------------------------------------------------------------------------

    def code(self, e: Expr) -> Code:
        hit = self.done.get(e)
        if hit is not None:
            return hit
        c = self._code(e)
        if isinstance(e, Let) or (self.uses[e] > 1 and not _trivial(e)) or c.nesting > MAX_NESTING:
            name = self.names[e.name] if isinstance(e, Let) else self.fresh(_suggest(e, self.names))
            self.lines.append(f"{name} = {c.text}")
            c = self.done[e] = Code(name, ATOM)
        return c

    def _code(self, e: Expr) -> Code:
        reduction = spelt_reduction(e)
        if reduction is not None:  # sum, logsumexp, softmax along an axis: the library's own (stable) one
            fn, arg, axis = reduction
            return self.apply(self.b.ops[f"{fn}_axis"], [self.code(arg), str(axis)])
        if isinstance(e, Sym):
            return Code(self.names[e.name], ATOM)
        if isinstance(e, Let):
            return self.code(e.body)
        if isinstance(e, Num):
            return Code(*number(e.value))
        if isinstance(e, DimValue):  # the size, read off the inputs, as a 0-d array (torch.sqrt(d) needs one)
            return self.apply(Template(self.b.constant), [self.dim(e.dim)])
        if isinstance(e, Eye):
            return self.apply(self.b.ops["eye"], [self.dim(e.n)])
        if isinstance(e, Ones):
            return self.apply(self.b.ops["ones"], [self.dim(e.rows), self.dim(e.cols)])
        if isinstance(e, Commutation):
            return self.apply(self.b.ops["commutation"], [self.dim(e.m), self.dim(e.n)])
        if isinstance(e, Add):
            return self._sum(e)
        if isinstance(e, Neg):
            arg = self.code(e.arg)
            return Code(f"-{_wrap(arg, UNARY)}", UNARY, arg.nesting + 1)
        if isinstance(e, MatMul):
            return self._product(e)
        if isinstance(e, (Hadamard, EDiv, Div)):
            return self._binary("/" if isinstance(e, (EDiv, Div)) else "*", e.left, e.right)
        if isinstance(e, (Power, EPower)):
            base = self.code(e.base)
            return Code(f"{_wrap(base, ATOM)} ** {_signed(e.exponent)}", POWER, base.nesting + 1)
        if isinstance(e, MatPower):
            return self.apply(self.b.ops["matrix_power"], [self.code(e.base), str(e.exponent)])
        if isinstance(e, SymbolicPower):  # the integer symbols are Python ints
            base, k = self.code(e.base), self.code(e.exponent)
            if e.entrywise or e.base.shape.is_scalar:
                return Code(f"{_wrap(base, ATOM)} ** {_wrap(k, ATOM)}", POWER, max(base.nesting, k.nesting) + 1)
            return self.apply(self.b.ops["matrix_power"], [base, k])
        if isinstance(e, Transpose):
            arg = self.code(e.arg)
            if e.arg.shape.is_scalar:  # a 1×1 value is its own transpose (and may be a Python number)
                return arg
            return Code(f"{_wrap(arg, ATOM)}.T", ATOM, arg.nesting + 1)
        if isinstance(e, Call):
            return self.apply(self.b.ops[e.fn], [self.code(e.arg)])
        if isinstance(e, Frechet):  # one helper per function: {fn} in the template is its name
            t = self.b.ops["frechet"]
            named = Template(t.text.replace("{fn}", e.fn), t.prec, t.helper.replace("{fn}", e.fn))
            return self.apply(named, [self.code(e.at), self.code(e.direction)])
        if isinstance(e, Kron):
            return self.apply(self.b.ops["kron"], [self.code(e.left), self.code(e.right)])
        if isinstance(e, Entrywise):
            return self._entrywise(e)
        if isinstance(e, ScalarFn):
            call = self.apply(Template(f"{self.names[(e.fn, e.order)]}({{0}})"), [self.code(e.arg)])
            return self.apply(self.b.ops["scalar"], [call]) if e.order == 0 else call
        raise MatcalcError(f"cannot emit code for {show(e)}")

    def fresh(self, base: str) -> str:
        """A new name: base itself (inv_X), or t1, t2, ... for a plain intermediate."""
        if base != "t":
            return python_name(base, self.taken)
        k = 1
        while f"t{k}" in self.taken:
            k += 1
        self.taken.add(f"t{k}")
        return f"t{k}"

    def apply(self, t: Template, args: list) -> Code:
        """Fill a template's slots; an argument in a slot that is not a whole call argument is
        parenthesised unless it is atomic."""
        if t.helper:
            self.helpers.add(t.helper)
        self.context.update(_CONTEXT.findall(t.text))
        free = {int(i) for i in _FREE_SLOT.findall(t.text)}
        texts = [a if isinstance(a, str) else (a.text if i in free else _wrap(a, ATOM)) for i, a in enumerate(args)]
        nesting = 1 + max((a.nesting for a in args if isinstance(a, Code)), default=0)
        return Code(t.text.format(*texts), t.prec, nesting)

    def _sum(self, e: Add) -> Code:
        parts, nesting = [], 0
        for i, t in enumerate(e.terms):
            negative = i > 0 and isinstance(t, Neg)
            c = self.code(t.arg if isinstance(t, Neg) and negative else t)
            nesting = max(nesting, c.nesting)
            text = _wrap(c, MUL if i > 0 else ADD)
            parts.append(text if i == 0 else f"{'-' if negative else '+'} {text}")
        return Code(" ".join(parts), ADD, nesting + 1)

    def _product(self, e: MatMul) -> Code:
        """A @ B, or A * B when a factor is 1×1 or A is a column; inv(A) @ B (inv(A) needed nowhere
        else) is solve(A, B)."""
        left, right = e.left, e.right
        if is_zero_matrix(e):  # zeros((m, n))
            ones = self.b.ops["ones"]
            zeros = Template(ones.text.replace("ones(", "zeros("), ones.prec, ones.helper)
            return self.apply(zeros, [self.dim(right.rows), self.dim(right.cols)])
        if isinstance(left, Call) and left.fn == "inv" and self.uses[left] == 1 and left not in self.done \
                and not right.shape.is_scalar:
            return self.apply(self.b.ops["solve"], [self.code(left.arg), self.code(right)])
        # A 1×1 factor scales; an inner dimension of 1 is an outer product u vᵀ, which broadcasting
        # computes without a matrix multiplication (twice as fast in NumPy).
        broadcast = left.shape.is_scalar or right.shape.is_scalar or left.shape.cols == 1
        return self._binary("*" if broadcast else "@", left, right)

    def _binary(self, op: str, left: Expr, right: Expr) -> Code:
        a, b = self.code(left), self.code(right)
        return Code(f"{_wrap(a, MUL)} {op} {_wrap(b, UNARY)}", MUL, 1 + max(a.nesting, b.nesting))

    def _entrywise(self, e: Entrywise) -> Code:
        arg = self.code(e.arg)
        if ops.get(e.fn) is None:  # a declared function, passed in
            name = self.names.get((e.fn, e.order))
            if name is None:
                raise MatcalcError(f"cannot emit code for {show(e)}: only the first two derivatives of "
                                   f"{e.fn} are arguments")
            return self.apply(Template(f"{name}({{0}})"), [arg])
        return self.apply(self._builtin(e.fn, e.order), [arg])

    def _builtin(self, fn: str, k: int) -> Template:
        """The k-th derivative of a built-in entrywise function, as its record writes it in code."""
        if k == 0:
            return self.b.ops[fn]
        written = ops.get(fn).derivative_code
        c = written(k, lambda name: self.b.ops[name].text, _signed) if written else None
        if c is None:
            raise MatcalcError(f"cannot emit code for {fn + chr(39) * k}: only the first two derivatives of {fn} "
                               "are written out")
        return Template(c.text, c.prec, c.helper)

    def dim(self, d) -> str:
        """A dimension as a Python expression: 3, n, m * n."""
        k, names = dim_factors(d)
        self.used_dims.update(names)
        parts = ([str(k)] if k != 1 or not names else []) + [self.names.get(("dim", n), n) for n in names]
        return " * ".join(parts)


def _wrap(c: Code, need: int) -> str:
    return c.text if c.prec >= need else f"({c.text})"


def _trivial(e: Expr) -> bool:
    """Cheap enough to write out again wherever it occurs: a name, a number, a transposed name, eye, ones."""
    if isinstance(e, Transpose):
        e = e.arg
    return isinstance(e, (Sym, Num, DimValue, Let, Eye, Ones))


def _suggest(e: Expr, names: dict) -> str:
    """A name for an intermediate: inv_X, softmax_z, sigmoid_prime_Z; else t (numbered when taken)."""
    if isinstance(e, (Call, Entrywise, ScalarFn)) and isinstance(e.arg, (Sym, Let)):
        order = getattr(e, "order", 0)
        fn = e.fn + ("_grad" if isinstance(e, ScalarFn) and order else "_prime" * min(order, 1) + str(order) * (order > 1))
        return f"{fn}_{names[e.arg.name]}"
    return "t"
