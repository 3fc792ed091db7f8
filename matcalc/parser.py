"""Text in the language -> typed expression tree, with every name resolved in a Scope.

The grammar is ``grammar.lark``; lark's LALR parser calls the builder below on each
reduction, so building never recurses, however deep the input.
"""
from __future__ import annotations

import re
import threading
from fractions import Fraction
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from .declarations import Scope
from .errors import MatcalcError, ShapeError
from .language import NAME, show
from .shapes import fixed_dim
from . import axes, ops
from .expr import (
    Add, Call, Commutation, DimValue, Div, EDiv, Entrywise, EPower, Expr, Eye, Frechet,
    Hadamard, Let, MatMul, MatPower, MAX_MATRIX_POWER, Neg, Num, Ones, Power, ScalarFn, SymbolicPower, Transpose,
    depth, post_order,
)
from .shapes import dim_mul, dim_names

from .deep import MAX_DEPTH  # input nested deeper is refused
FUNCTION_KINDS = ("elementwise", "scalar")


def _pos(tok) -> tuple[int, int] | None:
    line = getattr(tok, "line", None)
    return (line, tok.column) if line is not None else None


class _Builder(Transformer):
    """Callbacks named after the grammar's rules; ``scope`` is set for each parse.

    Every node built is interned: equal subexpressions become one object, so that
    later comparisons and lookups (the engine's memos, the evaluator's) are cheap.
    """

    scope: Scope
    interned: dict

    def _intern(self, e: Expr) -> Expr:
        return self.interned.setdefault(e, e)

    def _located(self, tok, build):
        try:
            return build()
        except ShapeError as e:
            raise ShapeError(e.message, pos=_pos(tok)) from None

    def number(self, c):
        return Num(literal(c[0], str(c[0])))

    def rational(self, c):
        return Num(_quotient(c[0], *str(c[0]).strip("()").split("/")))

    def name(self, c):
        tok = c[0]
        n = str(tok)
        s = self.scope
        if n in s.symbols:
            return s.symbol(n)
        if n in s.lets:
            return Let(n, s.lets[n])
        if n in _dimensions(s):  # a declared dimension used as a value: its size
            return DimValue(n)
        if n in s.functions or n in ops.SPELLINGS:
            raise MatcalcError(f"{n} is a function: call it as {n}(...)", pos=_pos(tok))
        raise MatcalcError(f"undeclared symbol '{n}'", pos=_pos(tok))

    def call(self, c):
        tok, args = c[0], c[1:]
        fn = str(tok)
        axis, args = _axis(fn, args, self.scope)
        spelt = fn in axes.SPELT_OUT and fn not in ops.SPELLINGS and not _declared(self.scope, fn)
        if len(args) == 1 and (axis is not None or spelt):
            return self._located(tok, lambda: axes.reduce(fn, args[0], axis))
        op = ops.SPELLINGS.get(fn)
        arity = op.arity if op is not None else 1
        if len(args) != arity:
            what = "one argument" if arity == 1 else f"{arity} arguments"
            raise MatcalcError(f"{fn} takes {what}, got {len(args)}", pos=_pos(tok))
        if op is not None and op.kind == ops.NODE:
            return self._located(tok, lambda: op.build(*args))
        return self._located(tok, lambda: self._apply(fn, args[0], 0, tok))

    def norm(self, c):  # ||x||, norm(x)
        return self._located(c[0], lambda: self._apply("norm", c[1], 0, c[0]))

    def derivative(self, c):
        tok, arg = c
        text = str(tok)
        fn = text.rstrip("'")
        return self._located(tok, lambda: self._apply(fn, arg, len(text) - len(fn), tok))

    def _apply(self, fn: str, arg: Expr, order: int, tok) -> Expr:
        kind = self.scope.functions.get(fn)
        op = ops.SPELLINGS.get(fn)
        if (op is not None and op.kind == ops.ENTRYWISE) or kind == "elementwise":
            return Entrywise(op.name if op is not None else fn, arg, order)
        if kind == "scalar":
            return ScalarFn(fn, arg, order)
        if op is not None and order == 0:
            return Call(op.name, arg)
        if op is not None:
            raise MatcalcError(f"{fn}' is not defined: only entrywise and declared functions take a prime", pos=_pos(tok))
        if fn in self.scope.symbols or fn in self.scope.lets:
            raise MatcalcError(f"{fn} is not a function (write {fn} * (...) for a product)", pos=_pos(tok))
        raise MatcalcError(f"unknown function '{fn}'", pos=_pos(tok))

    def dimfactor(self, c):
        tok = c[0]
        if tok.type == "NAME":
            if not re.fullmatch(NAME, tok):
                raise MatcalcError(f"bad dimension name {str(tok)!r}", pos=_pos(tok))
            return str(tok)
        if not tok.isdigit() or int(tok) <= 0:
            raise MatcalcError(f"a dimension is a name or a positive integer, not {tok}", pos=_pos(tok))
        try:
            return fixed_dim(int(tok))
        except MatcalcError as e:
            raise MatcalcError(e.message, pos=_pos(tok)) from None

    def dim(self, c):
        acc = c[0]
        for factor in c[2::2]:
            acc = dim_mul(acc, factor)
        return acc

    def eye(self, c):
        return Eye(c[1])

    def commutation(self, c):
        return Commutation(c[1], c[2])

    def frechet(self, c):
        tok, fn, at, direction = c
        op = ops.SPELLINGS.get(str(fn))
        if op is None or op.matrix_derivative is None:
            primaries = ", ".join(n for n, o in ops.REGISTRY.items() if o.matrix_derivative)
            raise MatcalcError(f"frechet takes a matrix function ({primaries}), not {str(fn)!r}", pos=_pos(fn))
        return self._located(tok, lambda: Frechet(op.name, at, direction))

    def ones(self, c):
        return Ones(c[1], c[2] if len(c) > 2 else 1)

    def exponent(self, c):
        """A literal exponent as a Fraction; an integer expression (k, -k, (k - 1)) as an _Exponent."""
        sign = -1 if c[0].type == "MINUS" else 1
        tok = c[-1] if isinstance(c[-1], Token) else c[-2]
        if tok.type == "NUMBER":
            return sign * literal(tok, str(tok))
        if tok.type == "RATIONAL":
            return sign * self.rational([tok]).value
        if tok.type == "SPACED_RATIONAL":
            p, q = str(tok).strip("() \t\r\n").split("/")
            return sign * _quotient(_at_denominator(tok), p.strip(), q.strip())
        e = self.name([tok]) if tok.type == "NAME" else c[-1]
        if tok.type == "LPAR":
            value = _constant(e)
            if value is not None:
                return sign * value
        return _Exponent(Neg(e) if sign < 0 else e, _pos(c[0]))

    def neg(self, c):
        return Neg(c[1])

    def transpose(self, c):
        return Transpose(c[0])

    def power(self, c):
        acc = c[0]
        for i in range(1, len(c), 2):
            op, k = c[i], c[i + 1]
            if isinstance(k, _Exponent):
                acc = self._located(k, lambda: SymbolicPower(acc, k.expr, op.type == "ECARET"))
                continue
            if k < 0 and acc == Num(0):
                raise MatcalcError("division by zero: 0 to a negative power", pos=_pos(op))
            if op.type == "CARET" and not acc.shape.is_scalar:
                acc = self._located(op, lambda: matrix_power(acc, k))
            else:
                cls = Power if op.type == "CARET" else EPower
                acc = self._located(op, lambda: cls(acc, k))
        return acc

    def product(self, c):
        kinds = {"STAR": MatMul, "HADAMARD": Hadamard, "EDIV": EDiv, "SLASH": Div}
        acc = c[0]
        for i in range(1, len(c), 2):
            op, rhs = c[i], c[i + 1]
            if op.type in ("SLASH", "EDIV") and rhs == Num(0):
                raise MatcalcError("division by zero", pos=_pos(op))
            if op.type in ("HADAMARD", "EDIV"):
                verb = "take the Hadamard product of" if op.type == "HADAMARD" else "divide entrywise"
                acc = self._located(op, lambda: axes.broadcast(kinds[op.type], [acc, rhs], verb))
            else:
                acc = self._located(op, lambda: kinds[op.type](acc, rhs))
        return acc

    def sum(self, c):
        terms = [c[0]] + [t if op.type == "PLUS" else Neg(t) for op, t in zip(c[1::2], c[2::2])]
        return self._located(c[1], lambda: axes.broadcast(lambda *ts: Add(ts), terms, "add"))


def _declared(scope: Scope, name: str) -> bool:
    """The request declares ``name`` (a function, symbol or let of that name keeps its meaning)."""
    return name in scope.functions or name in scope.symbols or name in scope.lets


def _axis(fn: str, args: list, scope: Scope) -> tuple[int | None, list]:
    """The axis= of a reduction's call (None without one) and its other arguments; an error at the
    axis for a function without one or an axis other than 0 and 1."""
    for i, a in enumerate(args):
        if isinstance(a, Token) and a.type == "AXIS":
            text = ("-" if len(args) - i == 3 else "") + args[-1]
            if fn not in axes.AXIS_FUNCTIONS or _declared(scope, fn):
                raise MatcalcError(f"{fn} takes no axis (axis= is for {', '.join(axes.AXIS_FUNCTIONS)})", pos=_pos(a))
            axis = axes.axis_of(text)
            if axis is None:
                raise MatcalcError(f"axis is 0 (down each column) or 1 (along each row), not {text}",
                                   pos=_pos(args[i + 1]))
            return axis, args[:i]
    return None, args


def matrix_power(a: Expr, k: Fraction) -> Expr:
    """A ^ k for a square matrix A and an integer k: I, A, MatPower(A, k); A ^ -1 = inv(A), A ^ -k = inv(A) ^ k."""
    if k.denominator != 1:
        raise ShapeError(f"a matrix to the power {k}: only integer powers of a matrix are defined; "
                         f"use .^ for entrywise powers")
    if not a.shape.is_square:
        raise ShapeError(f"{show(a)} is {a.shape}: a matrix power needs a square matrix; use .^ for entrywise powers")
    k = int(k)
    if abs(k) > MAX_MATRIX_POWER:
        raise ShapeError(f"matrix power {k}: matcalc takes powers up to {MAX_MATRIX_POWER} in size")
    if k < 0:
        a, k = Call("inv", a), -k
    return Eye(a.shape.rows) if k == 0 else a if k == 1 else MatPower(a, k)


class _Exponent:
    """An exponent that is an expression (an integer expression in integer symbols), and where it starts."""

    def __init__(self, expr: Expr, pos):
        self.expr, self.line, self.column = expr, *(pos or (None, None))


def _dimensions(scope: Scope) -> set[str]:
    """The dimension names of the declared symbols."""
    return {d for shape in scope.symbols.values() for size in (shape.rows, shape.cols) for d in dim_names(size)}


def _at_denominator(tok) -> Token:
    """The token of a spaced rational (p / q), placed at its denominator (where a zero is reported)."""
    text = str(tok)
    at = text.index("/") + 1
    at += len(text[at:]) - len(text[at:].lstrip())
    lines = text[:at].split("\n")
    column = tok.column + at if len(lines) == 1 else len(lines[-1]) + 1
    return Token("NUMBER", text[at:], line=tok.line + len(lines) - 1, column=column)


def _constant(e: Expr) -> Fraction | None:
    """The value of an exponent written with numbers only ((2), (-1), (1/2 + 1)), else None (walked
    without recursion, however deep)."""
    values: dict[Expr, Fraction | None] = {}
    for n in post_order(e):
        kids = [values[k] for k in n.children]
        if None in kids:
            values[n] = None
        elif isinstance(n, Num):
            values[n] = n.value
        elif isinstance(n, Neg):
            values[n] = -kids[0]
        elif isinstance(n, Add):
            values[n] = sum(kids, Fraction(0))
        elif isinstance(n, MatMul):
            values[n] = kids[0] * kids[1]
        elif isinstance(n, Div) and kids[1] != 0:
            values[n] = kids[0] / kids[1]
        else:
            values[n] = None
    return values[e]


MAX_DIGITS = 400  # a number literal's digits, its decimal exponent counted (1e-3: 4), at most


def literal(tok, text: str) -> Fraction:
    """The exact value of a number literal (2, 0.5, 1e-3); one of more than MAX_DIGITS digits is an error."""
    mantissa, _, exponent = text.strip().lower().partition("e")
    digits = len(mantissa.replace(".", "")) + (abs(int(exponent or 0)) if len(exponent) < 8 else MAX_DIGITS + 1)
    if digits > MAX_DIGITS:
        raise MatcalcError(f"a number has at most {MAX_DIGITS} digits (its exponent counted)", pos=_pos(tok))
    return Fraction(text.strip())


def _quotient(tok, p: str, q: str) -> Fraction:
    """The rational p/q of a literal; a zero denominator is an error at the literal."""
    if literal(tok, str(q)) == 0:
        raise MatcalcError("division by zero", pos=_pos(tok))
    return literal(tok, str(p)) / literal(tok, str(q))


for _rule in ("number", "rational", "name", "call", "norm", "derivative", "eye", "ones", "commutation", "neg", "transpose",
              "power", "product", "sum"):
    def _interning(self, c, _f=getattr(_Builder, _rule)):
        return self._intern(_f(self, c))
    setattr(_Builder, _rule, _interning)

_BUILDER = _Builder()
_LOCK = threading.Lock()
_PARSER: Lark | None = None


def _parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
        _PARSER = Lark(grammar, parser="lalr", transformer=_BUILDER, maybe_placeholders=False)
    return _PARSER


def _syntax_error(text: str, e: UnexpectedInput) -> MatcalcError:
    if isinstance(e, UnexpectedEOF) or getattr(getattr(e, "token", None), "type", "") == "$END":
        expected = getattr(e, "expected", ())  # || can close here, where no operand is awaited
        unclosed = ": a norm ||...|| is not closed" if "NORM" in expected and "NAME" not in expected else ""
        return MatcalcError(f"unexpected end of expression{unclosed}", pos=(text.count("\n") + 1, len(text.rsplit("\n", 1)[-1]) + 1))
    if isinstance(e, UnexpectedCharacters):
        return MatcalcError(f"unexpected character {text[e.pos_in_stream]!r}", pos=(e.line, e.column))
    tok = getattr(e, "token", None)
    found = "end of expression" if tok is None or tok.type == "$END" else repr(str(tok))
    before = text[:tok.start_pos] if tok is not None and tok.start_pos is not None else ""
    if tok is not None and tok.type == "NAME" and str(tok)[0] in "eE" and before[-1:].isdigit():
        found += " after a number: scientific notation needs an exponent's digits (1e-3, 2.5E+2)"
    return MatcalcError(f"unexpected {found}", pos=(e.line, e.column) if e.line > 0 else None)


def parse(text: str, scope: Scope | None = None) -> Expr:
    """Parse ``text`` with names resolved in ``scope``; raise MatcalcError on any bad input."""
    if not isinstance(text, str):
        raise MatcalcError(f"an expression must be a string, got {type(text).__name__}")
    if not text.strip():
        raise MatcalcError("empty expression")
    with _LOCK:
        _BUILDER.scope = scope or Scope()
        _BUILDER.interned = {}
        try:
            tree = _parser().parse(text)
        except UnexpectedInput as e:
            raise _syntax_error(text, e) from None
        except MatcalcError:
            raise
        except LarkError as e:  # a callback's own error, wrapped by lark
            inner = getattr(e, "orig_exc", None)
            if isinstance(inner, MatcalcError):
                raise inner from None
            raise MatcalcError(f"cannot parse expression: {e}") from None
    if depth(tree) > MAX_DEPTH:
        raise MatcalcError(f"expression nested more than {MAX_DEPTH} levels deep")
    return tree
