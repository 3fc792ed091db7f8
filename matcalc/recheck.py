"""`matcalc recheck`: re-evaluate the checker's refutation certificates with an evaluator of its own.

A certificate (in `matcalc check --format json`, under ``counterexample.certificate``) states f, the
claim, the declarations, the stand-ins of declared functions, an exact rational point and a direction.
This module shares no code with ``matcalc.checker``: it parses the text with ``matcalc.parser`` and
evaluates the tree itself, each entry a truncated Taylor series in t (python-flint's ``arb_series``,
balls in Arb), so that f(X + tU) gives d/dt f and, by polarisation, the mixed second derivative
vec(U)ᵀ H vec(V) = ([t²] f(X + t(U+V)) − [t²] f(X + t(U−V))) / 2. A refutation is confirmed when the
claimed and actual balls are disjoint, at the certificate's precision or after up to four doublings.
"""
from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from pathlib import Path

from flint import arb, arb_mat, arb_series, ctx, fmpq

from . import ops
from . import recheck_spectral as RS
from .language import show
from .errors import MatcalcError, printable
from .language import NAME
from .expr import (
    Add, Call, Commutation, DimValue, Div, EDiv, Entrywise, EPower, Eye, Frechet, Hadamard, Kron, Let, MatMul, MatPower, Neg, Num,
    Ones, Power, ScalarFn, Sym, SymbolicPower, Transpose, distinct_nodes, post_order,
)

KINDS = ("gradient", "jacobian", "hessian", "symmetry", "domain")
DOUBLINGS = 4
MAX_ENTRIES = 250_000  # the largest matrix recheck builds (a certificate's are far smaller)
ELEMENTWISE_KEYS = ("c0", "c1", "c2", "c3", "alpha", "w1", "phi1", "beta", "w2", "phi2")


class Undefined(Exception):
    """The expression is certainly undefined at the point (log of a negative, a singular inverse, a kink)."""


class Uncertain(Exception):
    """A ball too wide to decide a domain question at this precision."""


def _bad(where: str, message: str) -> MatcalcError:
    return MatcalcError(f"malformed certificate: {message}", where=where)


# -- reading a certificate ----------------------------------------------------------------------

def _rational(text, where: str) -> Fraction:
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise _bad(where, f"expected a rational number as a string, got {type(text).__name__}")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise _bad(where, f"not a rational number: {str(text)[:40]!r}") from None


def _matrix(rows, shape: tuple[int, int], where: str) -> list:
    if not isinstance(rows, list) or len(rows) != shape[0] or \
            any(not isinstance(r, list) or len(r) != shape[1] for r in rows):
        raise _bad(where, f"expected a {shape[0]}×{shape[1]} matrix as a list of rows")
    return [[_rational(x, where) for x in r] for r in rows]


class Certificate:
    """A certificate's fields, checked and parsed: the expressions as trees, the numbers as Fractions."""

    def __init__(self, data, where: str):
        from .prooffile import make_scope, parse_assumption
        from .parser import parse

        if not isinstance(data, dict):
            raise _bad(where, "a certificate is a JSON object")
        self.where = where
        self.kind = data.get("kind")
        if self.kind not in KINDS:
            raise _bad(where, f"kind must be one of {', '.join(KINDS)}")
        for key in ("f", "claim", "wrt"):
            if not isinstance(data.get(key), str):
                raise _bad(where, f"{key} must be a string")
        tables = {}
        for key in ("symbols", "functions", "let", "stand_ins", "sizes", "point"):
            tables[key] = data.get(key, {})
            if not isinstance(tables[key], dict):
                raise _bad(where, f"{key} must be an object")
        assume = data.get("assume", [])
        if not isinstance(assume, list) or not all(isinstance(a, str) for a in assume):
            raise _bad(where, "assume must be a list of equalities as strings")
        try:
            lets = _reachable(tables["let"], (data["f"], data["claim"], *assume))
            self.scope = make_scope(tables["symbols"], tables["functions"], lets)
            self.f = parse(data["f"], self.scope)
            self.claim = parse(data["claim"], self.scope)
            self.assume = [parse_assumption(a, self.scope) for a in assume]
        except MatcalcError as e:
            raise e.at(where) from None
        self.f_text, self.claim_text, self.wrt = data["f"], data["claim"], data["wrt"]
        if self.wrt not in self.scope.symbols:
            raise _bad(where, f"wrt {self.wrt!r} is not a declared symbol")
        self.sizes = {}
        for name, n in tables["sizes"].items():
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1000:
                raise _bad(where, f"sizes.{name} must be an integer from 1 to 1000")
            self.sizes[name] = n
        sides = [e for a in self.assume for e in (a.lhs, a.rhs)]
        used = {n.name for n in distinct_nodes(self.f, self.claim, *sides) if isinstance(n, Sym)} | {self.wrt}
        self.point = {}
        for name in sorted(used):
            if name not in tables["point"]:
                raise _bad(where, f"point has no value for {name}")
            shape = self.shape(self.scope.symbols[name])
            self.point[name] = _matrix(tables["point"][name], shape, f"{where}: point.{name}")
            if name in self.scope.symmetric and not _symmetric(self.point[name]):
                raise _bad(where, f"point.{name} must be symmetric ({name} is declared symmetric)")
            if name in self.scope.integer and not (self.point[name][0][0].denominator == 1 and self.point[name][0][0] >= 1):
                raise _bad(where, f"point.{name} must be a positive integer ({name} is declared integer)")
        used = {n.fn for n in distinct_nodes(self.f, self.claim)
                if isinstance(n, ScalarFn) or isinstance(n, Entrywise) and n.fn in self.scope.functions}
        self.stand_ins = self._stand_ins(tables["stand_ins"], sorted(used), where)
        prec = data.get("precision", 53)
        if isinstance(prec, bool) or not isinstance(prec, int) or not 8 <= prec <= 16384:
            raise _bad(where, "precision must be a number of bits from 8 to 16384")
        self.precision = prec
        self.balls = {}
        if self.kind != "domain":
            for key in ("claimed", "actual"):
                text = data.get(key)
                if not isinstance(text, str) or len(text) > 10_000:
                    raise _bad(where, f"{key} must be a ball as a string")
                try:
                    arb(text)
                except (ValueError, TypeError):
                    raise _bad(where, f"{key} is not a ball: {text[:40]!r}") from None
                self.balls[key] = text
        xshape = self.shape(self.scope.symbols[self.wrt])
        self.u = self.v = self.entry = None
        if self.kind in ("gradient", "jacobian", "hessian"):
            self.u = _matrix(data.get("direction"), xshape, f"{where}: direction")
            if self.wrt in self.scope.symmetric and not _symmetric(self.u):
                raise _bad(where, f"direction must be symmetric ({self.wrt} is declared symmetric)")
        if self.kind == "hessian":
            self.v = _matrix(data.get("direction_v"), xshape, f"{where}: direction_v")
        if self.kind == "jacobian":
            e = data.get("entry")
            if isinstance(e, bool) or not isinstance(e, int) or e < 1:
                raise _bad(where, "entry must be a positive integer (1-based, into vec(F))")
            self.entry = e
        if self.kind == "symmetry":
            e = data.get("entry")
            if not isinstance(e, list) or len(e) != 2 or any(isinstance(i, bool) or not isinstance(i, int) or i < 1
                                                                for i in e):
                raise _bad(where, "entry must be [i, j], 1-based")
            self.entry = tuple(e)

    def dim(self, d) -> int:
        if isinstance(d, int):
            return d
        names, factor = ((d,), 1) if isinstance(d, str) else (d.names, d.factor)
        missing = [n for n in names if n not in self.sizes]
        if missing:
            raise _bad(self.where, f"sizes has no value for dimension {missing[0]}")
        return factor * math.prod(self.sizes[n] for n in names)

    def shape(self, shape) -> tuple[int, int]:
        return self.dim(shape.rows), self.dim(shape.cols)

    def _stand_ins(self, table: dict, used: list, where: str) -> dict:
        out = {}
        for name in used:
            kind = self.scope.functions[name]
            data = table.get(name)
            if not isinstance(data, dict):
                raise _bad(where, f"stand_ins has no object for the declared function {name}")
            w = f"{where}: stand_ins.{name}"
            if kind == "elementwise":
                out[name] = {k: _rational(data.get(k), f"{w}.{k}") for k in ELEMENTWISE_KEYS}
                continue
            shapes = data.get("by_shape")
            if not isinstance(shapes, dict):
                raise _bad(where, f"stand_ins.{name}.by_shape must be an object")
            fixed = {k: _rational(data.get(k), f"{w}.{k}") for k in ("c0", "k", "alpha", "beta")}
            by_shape = {}
            for key, p in shapes.items():
                m = re.fullmatch(r"([0-9]+)x([0-9]+)", str(key))
                n = int(m[1]) * int(m[2]) if m else 0
                if not isinstance(p, dict) or not 1 <= n <= MAX_ENTRIES:
                    raise _bad(where, f"stand_ins.{name}.by_shape.{key} must be an object keyed by a shape RxC")
                P = _matrix(p.get("P"), (n, n), f"{w}.by_shape.{key}.P")
                if not _symmetric(P):
                    raise _bad(where, f"stand_ins.{name}.by_shape.{key}.P must be symmetric")
                vectors = {k: _matrix([p.get(k)], (1, n), f"{w}.by_shape.{key}.{k}")[0] for k in "cqrs"}
                by_shape[int(m[1]), int(m[2])] = {"P": P, **vectors}
            out[name] = {**fixed, "by_shape": by_shape}
        return out


def _reachable(lets: dict, texts: tuple) -> dict:
    """The [let] entries that f and the claim can reach by name: the checker writes every let of the
    proof, and one that uses a symbol the claim does not use would not parse against its symbols."""
    seen, todo = set(), list(texts)
    while todo:
        text = todo.pop()
        for name in re.findall(NAME, text) if isinstance(text, str) else ():
            if name in lets and name not in seen:
                seen.add(name)
                todo.append(lets[name])
    return {k: v for k, v in lets.items() if k in seen}


def _symmetric(m: list) -> bool:
    return len(m) == len(m[0]) and all(m[i][j] == m[j][i] for i in range(len(m)) for j in range(i))


# -- the evaluator: matrices of truncated Taylor series in t ------------------------------------

def _num(q: Fraction) -> arb:
    return arb(fmpq(q.numerator, q.denominator))


def _coef(s: arb_series, i: int) -> arb:
    c = s.coeffs()
    return c[i] if i < len(c) else arb(0)


def _sign(x: arb, what: str) -> int:
    """+1 or -1 when x certainly has that sign, 0 when x is exactly 0, Uncertain otherwise."""
    if x > 0:
        return 1
    if x < 0:
        return -1
    if x.is_zero():
        return 0
    raise Uncertain(f"{what}: a ball containing 0")


def _positive(x: arb, what: str) -> None:
    if not x > 0:
        if x <= 0:
            raise Undefined(f"{what} of a number that is not positive")
        raise Uncertain(f"{what}: a ball containing 0")


class Evaluator:
    """Values of expressions at an environment (symbol -> matrix of series of length L)."""

    def __init__(self, cert: Certificate, env: dict, length: int):
        self.cert, self.env, self.L = cert, env, length
        self.zero, self.one = self.const(arb(0)), self.const(arb(1))
        self.values = {}

    def const(self, x: arb) -> arb_series:
        return arb_series([x], prec=self.L)

    def value(self, e):
        for n in post_order(e):
            if n not in self.values:
                self.values[n] = self.node(n)
        return self.values[e]

    def node(self, e):
        v = self.values
        c = self.cert
        if isinstance(e, Sym):
            return self.env[e.name]
        if isinstance(e, Let):
            return v[e.body]
        if isinstance(e, Num):
            return [[self.const(_num(e.value))]]
        if isinstance(e, DimValue):
            return [[self.const(_num(Fraction(c.dim(e.dim))))]]
        if isinstance(e, Eye):
            n = self._size(c.dim(e.n), c.dim(e.n))[0]
            return [[self.one if i == j else self.zero for j in range(n)] for i in range(n)]
        if isinstance(e, Ones):
            r, k = self._size(c.dim(e.rows), c.dim(e.cols))
            return [[self.one] * k for _ in range(r)]
        if isinstance(e, Commutation):
            m, n = c.dim(e.m), c.dim(e.n)
            self._size(m * n, m * n)
            K = [[self.zero] * (m * n) for _ in range(m * n)]
            for i in range(m):
                for j in range(n):
                    K[i * n + j][j * m + i] = self.one
            return K
        if isinstance(e, Add):
            terms = [v[t] for t in e.terms]
            rows, cols = max((len(t), len(t[0])) for t in terms)
            out = [[self.zero] * cols for _ in range(rows)]
            for t in terms:
                b = len(t) == 1 and len(t[0]) == 1
                out = [[out[i][j] + (t[0][0] if b else t[i][j]) for j in range(cols)] for i in range(rows)]
            return out
        if isinstance(e, Neg):
            return [[-x for x in r] for r in v[e.arg]]
        if isinstance(e, Transpose):
            return [list(r) for r in zip(*v[e.arg])]
        if isinstance(e, MatMul):
            return self.matmul(v[e.left], v[e.right])
        if isinstance(e, Hadamard):
            return self.entrywise(v[e.left], v[e.right], lambda a, b: a * b)
        if isinstance(e, EDiv):
            return self.entrywise(v[e.left], v[e.right], lambda a, b: a * self.recip(b))
        if isinstance(e, Div):
            d = self.recip(v[e.right][0][0])
            return [[x * d for x in r] for r in v[e.left]]
        if isinstance(e, (Power, EPower)):
            return [[self.apply(self.power(e.exponent), x, 0) for x in r] for r in v[e.base]]
        if isinstance(e, MatPower):
            a = v[e.base]
            out = a
            for _ in range(e.exponent - 1):
                out = self.matmul(out, a)
            return out
        if isinstance(e, SymbolicPower):
            return self.symbolic_power(v[e.base], v[e.exponent][0][0], e.entrywise)
        if isinstance(e, Kron):
            a, b = v[e.left], v[e.right]
            ra, ca, rb, cb = len(a), len(a[0]), len(b), len(b[0])
            self._size(ra * rb, ca * cb)
            return [[self.zero if a[i // rb][j // cb] is self.zero else a[i // rb][j // cb] * b[i % rb][j % cb]
                     for j in range(ca * cb)] for i in range(ra * rb)]
        if isinstance(e, Call):
            return self.call(e.fn, v[e.arg])
        if isinstance(e, Frechet):
            return self.frechet(e.fn, v[e.at], v[e.direction])
        if isinstance(e, Entrywise):
            fn = self.elementwise(e.fn)
            return [[self.apply(fn, x, e.order) for x in r] for r in v[e.arg]]
        if isinstance(e, ScalarFn):
            return self.scalar_fn(e.fn, v[e.arg], e.order)
        raise _bad(c.where, f"cannot evaluate a {type(e).__name__} node")

    def _size(self, rows: int, cols: int) -> tuple[int, int]:
        if rows * cols > MAX_ENTRIES:
            raise MatcalcError(f"{self.cert.where}: a {rows}×{cols} matrix is larger than recheck evaluates")
        return rows, cols

    def matmul(self, a, b):
        if len(a[0]) != len(b):
            s, m = (a[0][0], b) if len(a) == 1 and len(a[0]) == 1 else (b[0][0], a)
            return [[s * x for x in r] for r in m]
        self._size(len(a), len(b[0]))
        bt = list(zip(*b))
        out = []
        for r in a:
            row = []
            for col in bt:
                acc = self.zero
                for x, y in zip(r, col):
                    if x is not self.zero and y is not self.zero:
                        acc = acc + x * y
                row.append(acc)
            out.append(row)
        return out

    def entrywise(self, a, b, op):
        if len(a) == 1 and len(a[0]) == 1 and (len(b), len(b[0])) != (1, 1):
            return [[op(a[0][0], y) for y in r] for r in b]
        if len(b) == 1 and len(b[0]) == 1:
            return [[op(x, b[0][0]) for x in r] for r in a]
        return [[op(x, y) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]

    def recip(self, s: arb_series) -> arb_series:
        if _sign(_coef(s, 0), "division") == 0:
            raise Undefined("division by zero")
        return s.inv()

    # Entrywise functions: g(x₀ + δ) = Σⱼ g⁽ʲ⁾(x₀) δʲ / j!, the derivatives read off g(x₀ + h) as a series in h.
    def apply(self, taylor, x: arb_series, order: int) -> arb_series:
        x0 = _coef(x, 0)
        delta = x - x0
        still = all(_coef(x, i).is_zero() for i in range(1, self.L))
        n = order + (1 if still else self.L)
        a = taylor(x0, n)
        out, p = self.zero, self.one
        for j in range(n - order):
            out = out + p * (a[order + j] * math.prod(range(j + 1, j + order + 1)))
            p = p * delta
        return out

    @staticmethod
    def _series(g, x0: arb, n: int) -> list:
        s = g(arb_series([x0, 1], prec=n))
        return [_coef(s, i) for i in range(n)]

    def elementwise(self, fn: str):
        """The Taylor coefficients of fn at x₀: a built-in by its record's reference definition (a kinked
        one on the side of 0 that x₀ is on), a declared one by the certificate's stand-in."""
        op = ops.get(fn)
        if op is not None and op.kinked:
            def kinked(x0, n):
                s = _sign(x0, fn)
                if s == 0:
                    if n == 1:
                        return [arb(0)]
                    raise Undefined(f"{fn} is not differentiable at 0")
                return self._series(lambda h: op.reference(h, s), x0, n)
            return kinked
        if op is not None:
            def builtin(x0, n):
                if op.domain == "positive":
                    _positive(x0, fn)
                return self._series(op.reference, x0, n)
            return builtin
        p = {k: _num(q) for k, q in self.cert.stand_ins[fn].items()}

        def stand_in(h):
            return (p["c0"] + p["c1"] * h + p["c2"] * h * h + p["c3"] * h * h * h
                    + p["alpha"] * (p["w1"] * h + p["phi1"]).sin() + p["beta"] * (p["w2"] * h + p["phi2"]).cos())
        return lambda x0, n: self._series(stand_in, x0, n)

    def power(self, k: Fraction):
        def taylor(x0, n):
            if k.denominator == 1:
                if k < 0 and _sign(x0, "a negative power") == 0:
                    raise Undefined("a negative power of 0")
                h = arb_series([x0, 1], prec=n)
                s = (h if k >= 0 else h.inv()) ** abs(int(k)) if k != 0 else arb_series([1], prec=n)
                return [_coef(s, i) for i in range(n)]
            _positive(x0, "a fractional power")
            return self._series(lambda h: (h.log() * _num(k)).exp(), x0, n)
        return taylor

    def symbolic_power(self, a, exponent: arb_series, entrywise: bool):
        """A ^ k for the integer k the exponent is at the point (A ^ 0 = I, A ^ -k = inv(A) ^ k), or entrywise."""
        k = _coef(exponent, 0).unique_fmpz()
        if k is None:
            raise _bad(self.cert.where, "an exponent that is not an integer at the point")
        k = int(k)
        if entrywise or (len(a), len(a[0])) == (1, 1):
            return [[self.apply(self.power(Fraction(k)), x, 0) for x in r] for r in a]
        if k < 0:
            a, k = self.inverse(a), -k
        out = [[self.one if i == j else self.zero for j in range(len(a))] for i in range(len(a))]
        for _ in range(k):
            out = self.matmul(out, a)
        return out

    def call(self, fn: str, a):
        """A built-in function of a matrix, by the reference definition in its record (``matcalc.ops``),
        evaluated with this module's numbers: independent of the checker's own table."""
        op = ops.get(fn)
        if op is None or op.reference is None:
            raise _bad(self.cert.where, f"unknown function {fn}")
        return op.reference(self, a)

    def _coefficients(self, a) -> list:
        """A matrix of series as its coefficient matrices A₀, …, A_{L-1}."""
        return [arb_mat([[_coef(x, k) for x in r] for r in a]) for k in range(self.L)]

    def _spectral(self, fn, a):
        """fn (of ``recheck_spectral``) on a matrix of series: its coefficient matrices, its domain said."""
        try:
            return fn(self._coefficients(a))
        except RS.Outside as e:
            raise Undefined(str(e)) from None
        except RS.Unclear as e:
            raise Uncertain(str(e)) from None

    def primary(self, name: str, a):
        """expm, logm or sqrtm of a square matrix of series."""
        Y = self._spectral({"expm": RS.exp_series, "logm": RS.log_series, "sqrtm": RS.sqrt_series}[name], a)
        return [[arb_series([Yk[i, j] for Yk in Y], prec=self.L) for j in range(len(a))] for i in range(len(a))]

    def frechet(self, name: str, a, e):
        """L_f(A, E): the upper-right block of f([[A, E], [0, A]])."""
        n = len(a)
        block = [list(a[i]) + list(e[i]) for i in range(n)] + [[self.zero] * n + list(a[i]) for i in range(n)]
        return [r[n:] for r in self.primary(name, block)[:n]]

    def _eigenpairs(self, a) -> list:
        """[(λ, unit v)] of a symmetric matrix of series, ascending, v's largest entry positive."""
        out = []
        for ls, vs in self._spectral(RS.symmetric_pairs, a):
            v = [arb_series([vk[i, 0] for vk in vs], prec=self.L) for i in range(len(a))]
            scale = sum((x * x for x in v), self.zero).rsqrt()
            out.append((arb_series(ls, prec=self.L), [x * scale for x in v]))
        return out

    def eigenvalues(self, a):
        return [[lam] for lam, _ in self._eigenpairs(a)]

    def eigenvectors(self, a):
        pairs = self._eigenpairs(a)
        return [[v[i] for _, v in pairs] for i in range(len(a))]

    def total(self, entries):
        """The sum of the entries (the 0 of the numbers for none)."""
        return sum(entries, self.zero)

    def shifted_exp(self, column):
        """exp(zᵢ - max z) of a column's entries: the same ratios as exp(z), without overflow."""
        shift = max((_coef(r[0], 0).mid() for r in column), key=float)
        return [(r[0] - shift).exp() for r in column]

    def _pivot(self, m, c: int, rows: range) -> int | None:
        """The row of the largest constant term certainly non-zero in column c, or None."""
        best, at = -1.0, None
        for r in rows:
            x = _coef(m[r][c], 0)
            if (x > 0 or x < 0) and float(abs(x.mid())) > best:
                best, at = float(abs(x.mid())), r
        return at

    def det(self, a) -> arb_series:
        m = [list(r) for r in a]
        n, d = len(m), self.one
        for c in range(n):
            p = self._pivot(m, c, range(c, n))
            if p is None:
                return self.det_without_division(a)
            if p != c:
                m[c], m[p], d = m[p], m[c], -d
            d = d * m[c][c]
            inv = m[c][c].inv()
            for r in range(c + 1, n):
                f = m[r][c] * inv
                m[r] = [m[r][k] - f * m[c][k] if k > c else self.zero for k in range(n)]
        return d

    def det_without_division(self, a) -> arb_series:
        """Faddeev–LeVerrier (divisions by integers only): for a matrix singular at the point."""
        n = len(a)
        m, coeff = [[self.zero] * n for _ in range(n)], self.one
        for k in range(1, n + 1):
            m = self.matmul(a, m)
            m = [[m[i][j] + coeff if i == j else m[i][j] for j in range(n)] for i in range(n)]
            am = self.matmul(a, m)
            coeff = -sum((am[i][i] for i in range(n)), self.zero) / k
        return coeff * (-1) ** n

    def inverse(self, a):
        n = len(a)
        m = [list(r) + [self.one if i == j else self.zero for j in range(n)] for i, r in enumerate(a)]
        for c in range(n):
            p = self._pivot(m, c, range(c, n))
            if p is None:
                if all(_coef(m[r][c], 0).is_zero() for r in range(c, n)):
                    raise Undefined("the inverse of a singular matrix")
                raise Uncertain("inv: no pivot certainly non-zero")
            m[c], m[p] = m[p], m[c]
            inv = m[c][c].inv()
            m[c] = [x * inv for x in m[c]]
            for r in range(n):
                if r != c:
                    f = m[r][c]
                    m[r] = [m[r][k] - f * m[c][k] for k in range(2 * n)]
        return [r[n:] for r in m]

    def scalar_fn(self, fn: str, a, order: int):
        v = [x for r in a for x in r]
        p = self.cert.stand_ins[fn]
        shape = (len(a), len(a[0]))
        if shape not in p["by_shape"]:
            raise _bad(self.cert.where, f"stand_ins.{fn}.by_shape has no entry for the shape {shape[0]}x{shape[1]}")
        q = p["by_shape"][shape]

        def dot(w):
            return sum((x * _num(c) for x, c in zip(v, w)), self.zero)
        Pv = [dot(row) for row in q["P"]]
        k, alpha, beta = _num(p["k"]), _num(p["alpha"]), _num(p["beta"])
        qv, rv, sv = dot(q["q"]), dot(q["r"]), dot(q["s"])
        if order == 0:
            half = sum((x * y for x, y in zip(v, Pv)), self.zero) / 2
            return [[_num(p["c0"]) + dot(q["c"]) + half + k * qv * qv * qv + alpha * rv.sin() + beta * sv.cos()]]
        cos_r, sin_s = alpha * rv.cos(), beta * sv.sin()
        g = [_num(ci) + pv + 3 * k * qv * qv * _num(qi) + cos_r * _num(ri) - sin_s * _num(si)
             for ci, pv, qi, ri, si in zip(q["c"], Pv, q["q"], q["r"], q["s"])]
        cols = len(a[0])
        return [g[i * cols:(i + 1) * cols] for i in range(len(a))]


# -- the measures -------------------------------------------------------------------------------

def _env(cert: Certificate, length: int, directions=()) -> dict:
    """The point as series of length L; the wrt symbol moves along the sum of the signed directions."""
    env = {}
    for name, m in cert.point.items():
        rows = []
        for i, r in enumerate(m):
            row = []
            for j, x in enumerate(r):
                c = [_num(x)]
                if name == cert.wrt and directions:
                    c.append(_num(sum(s * d[i][j] for s, d in directions)))
                row.append(arb_series(c, prec=length))
            rows.append(row)
        env[name] = rows
    return env


def _vec(m) -> list:
    return [m[i][j] for j in range(len(m[0])) for i in range(len(m))]


def _shaped(cert: Certificate, value, rows: int, cols: int, what: str):
    if (len(value), len(value[0])) != (rows, cols):
        raise _bad(cert.where, f"the {what} is {len(value)}×{len(value[0])}, expected {rows}×{cols}")
    return value


def measure(cert: Certificate) -> tuple[arb, arb]:
    """(claimed, actual) at the current precision, as the certificate's kind defines them."""
    constant = Evaluator(cert, _env(cert, 1), 1)
    claim = constant.value(cert.claim)
    m, n = len(cert.point[cert.wrt]), len(cert.point[cert.wrt][0])
    if cert.kind == "symmetry":
        i, j = cert.entry
        if len(claim) != len(claim[0]) or max(i, j) > len(claim):
            raise _bad(cert.where, f"entry [{i}, {j}] is outside the claimed {len(claim)}×{len(claim[0])} matrix")
        return _coef(claim[i - 1][j - 1], 0), _coef(claim[j - 1][i - 1], 0)
    u = [_num(x) for x in _vec(cert.u)]
    if cert.kind == "gradient":
        G = _shaped(cert, claim, m, n, "claimed gradient")
        F = Evaluator(cert, _env(cert, 2, [(1, cert.u)]), 2).value(cert.f)
        claimed = sum((_coef(g, 0) * x for g, x in zip(_vec(G), u)), arb(0))
        return claimed, _coef(_shaped(cert, F, 1, 1, "value of f")[0][0], 1)
    if cert.kind == "jacobian":
        F = _vec(Evaluator(cert, _env(cert, 2, [(1, cert.u)]), 2).value(cert.f))
        J = _shaped(cert, claim, len(F), m * n, "claimed Jacobian")
        if cert.entry > len(F):
            raise _bad(cert.where, f"entry {cert.entry} is outside vec(F), of length {len(F)}")
        row = J[cert.entry - 1]
        return sum((_coef(h, 0) * x for h, x in zip(row, u)), arb(0)), _coef(F[cert.entry - 1], 1)
    H = _shaped(cert, claim, m * n, m * n, "claimed Hessian")
    v = [_num(x) for x in _vec(cert.v)]
    claimed = sum((ui * _coef(H[i][j], 0) * vj for i, ui in enumerate(u) for j, vj in enumerate(v)), arb(0))
    second = []
    for sign in (1, -1):
        F = Evaluator(cert, _env(cert, 3, [(1, cert.u), (sign, cert.v)]), 3).value(cert.f)
        second.append(_coef(_shaped(cert, F, 1, 1, "value of f")[0][0], 2))
    return claimed, (second[0] - second[1]) / 2


def assumptions_broken(cert: Certificate) -> str:
    """Why the point, or a direction of the wrt symbol, leaves an assumption ('' when none does):
    every entry of lhs − rhs must contain 0 at the point, and so must its derivative along each
    direction of a symbol the assumption constrains."""
    directions = [d for d in (cert.u, cert.v) if d is not None]
    for a in cert.assume:
        for d in [None] + directions:
            ev = Evaluator(cert, _env(cert, 2, [(1, d)] if d is not None else ()), 2)
            lhs, rhs = ev.value(a.lhs), ev.value(a.rhs)
            for i, row in enumerate(lhs):
                for j, v in enumerate(row):
                    g = _coef(v - rhs[i % len(rhs)][j % len(rhs[0])], 0 if d is None else 1)
                    if not g.contains(0):
                        where = "the point" if d is None else "a direction"
                        return f"{where} breaks the assumption {show(a.lhs)} = {show(a.rhs)} (off by {g.str(10)})"
    return ""


class Result:
    def __init__(self, cert: Certificate, confirmed: bool, detail: str):
        self.cert, self.confirmed, self.detail = cert, confirmed, detail

    def line(self) -> str:
        c = self.cert
        sizes = ", ".join([f"{k}={v}" for k, v in c.sizes.items()] +  # and the integer symbols' values
                          [f"{k}={c.point[k][0][0]}" for k in sorted(c.scope.integer) if k in c.point]) or "(none)"
        head = "confirmed" if self.confirmed else "NOT confirmed"
        return printable(f"{head}: {c.kind} of f = {c.f_text} by {c.wrt} at sizes {sizes}: "
                         f"claim {c.claim_text}; {self.detail}")


def recheck(cert: Certificate) -> Result:
    """Confirm the certificate at its precision, doubling up to DOUBLINGS times."""
    saved = ctx.prec
    why = ""
    try:
        for step in range(DOUBLINGS + 1):
            ctx.prec = cert.precision << step
            try:
                if cert.kind == "domain":
                    try:
                        Evaluator(cert, _env(cert, 1), 1).value(cert.f)
                    except Undefined as e:
                        return Result(cert, False, f"f itself is undefined at the point ({e})")
                    try:
                        Evaluator(cert, _env(cert, 1), 1).value(cert.claim)
                    except Undefined as e:
                        return Result(cert, True, f"the claim is undefined at the point ({e}), f is defined "
                                                  f"({ctx.prec} bits)")
                    return Result(cert, False, "the claim can be evaluated at the point")
                broken = assumptions_broken(cert)
                if broken:
                    return Result(cert, False, broken)
                claimed, actual = measure(cert)
            except Undefined as e:
                return Result(cert, False, f"undefined at the point: {e}")
            except Uncertain as e:
                why = f"undecided at {ctx.prec} bits: {e}"
                continue
            names = ("M[i,j]", "M[j,i]") if cert.kind == "symmetry" else ("claimed", "actual")
            numbers = f"{names[0]} {claimed.str(20)} vs {names[1]} {actual.str(20)}"
            if not claimed.overlaps(actual):
                inside = arb(cert.balls["claimed"]).contains(claimed) and arb(cert.balls["actual"]).contains(actual)
                return Result(cert, True, f"{numbers} ({ctx.prec} bits; "
                                          f"{'inside' if inside else 'NOT inside'} the certificate's balls)")
            why = f"{numbers} overlap at {ctx.prec} bits"
        return Result(cert, False, why)
    finally:
        ctx.prec = saved


# -- files and the command line -----------------------------------------------------------------

def certificates(data) -> list:
    """Every object under the key "certificate", anywhere in a JSON document, in document order
    (without recursion: a found certificate rides the stack as a 1-tuple, which JSON never makes)."""
    found, stack = [], [data]
    while stack:
        x = stack.pop()
        if isinstance(x, tuple):
            found.append(x[0])
        elif isinstance(x, dict):
            stack.extend(reversed([(v,) if k == "certificate" else v for k, v in x.items()
                                   if isinstance(v, (dict, list)) or k == "certificate" and v is not None]))
        elif isinstance(x, list):
            stack.extend(reversed(x))
    return found


def load(path: str) -> list[Certificate]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise MatcalcError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise MatcalcError(f"{path}: not JSON ({str(e)[:80]})") from None
    found = certificates(data)
    if not found:
        raise MatcalcError(f"{path}: no certificate found (expected the output of matcalc check --format json)")
    return [Certificate(c, f"{path}: certificate {i + 1}") for i, c in enumerate(found)]


def run(paths: list[str], out) -> int:
    """Print one line per certificate and a summary; 0 when all are confirmed, else 1."""
    certs = [c for p in paths for c in load(p)]
    results = []
    for c in certs:
        results.append(recheck(c))
        print(results[-1].line(), file=out)
    bad = sum(not r.confirmed for r in results)
    print(f"{len(results)} certificate{'s' if len(results) != 1 else ''}: {len(results) - bad} confirmed, "
          f"{bad} not confirmed", file=out)
    return 1 if bad else 0
