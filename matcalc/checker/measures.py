"""What is compared, for each kind of claim: which tangent directions an evaluation of f carries,
which number of f's Taylor expansion is the actual value, and which number the claimed matrix
gives for it. Directions are flattened row by row; vec(·) stacks columns.

- gradient G of a scalar f: tr(Gᵀ U) against the εᵤ coefficient of f(X + Σ εᵤ U);
- Jacobian J of F: J vec(U) against vec of the εᵤ coefficient of F, entry by entry;
- Hessian H of a scalar f: vec(U)ᵀ H vec(V) against the εᵤδ coefficient of f(X + δV + Σ εᵤ U),
  for V random and, where the basis has at most FULL_HESSIAN directions, every basis direction.
- value: an identity L = R, R's entries against L's (no direction: a derivative written in L or R
  is evaluated where it is written, expr.Partial and expr.Change).
A gradient by a symmetric X, and every Hessian, must also be symmetric: each pair (i, j), (j, i)
is compared like any other pair of numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

from flint import arb, fmpq

from ..expr import Expr, Sym
from ..shapes import hessian, jacobian
from .evaluate import Matrix, ball
from .ring import Pair, coefficient, unit

FULL_HESSIAN = 9  # a Hessian is compared entry by entry (every unit V too) where the basis has at most this many


@dataclass(frozen=True)
class Probe:
    """One compared number: the check's kind, a label, the directions (flat, row by row), the
    entry of vec(F) (Jacobian) or the pair of entries (symmetry)."""

    check: str
    label: str
    u: tuple | None = None
    v: tuple | None = None
    entry: tuple | None = None


def cross(x, i: int):
    """The εᵢδ coefficient of a number."""
    return coefficient(x.d, i) if type(x) is Pair else unit(x) * 0


def _vec(flat: list, rows: int, cols: int) -> list:
    """A row-by-row flattened matrix as vec (columns stacked)."""
    return [flat[i * cols + j] for j in range(cols) for i in range(rows)]


def _dot(xs, ys):
    """Σ x·y over the non-zero exact ys, in the xs' numbers."""
    xs = list(xs)
    acc = unit(xs[0]) * 0
    for x, y in zip(xs, ys):
        if y:
            acc += x * (y if type(x) is fmpq else ball(y))
    return acc


def _flat(m: Matrix) -> list:
    return [x for r in m for x in r]


def _symmetry(M: Matrix) -> list[tuple[Probe, arb, arb]]:
    n = len(M)
    return [(Probe("symmetry", f"[{i + 1},{j + 1}] and [{j + 1},{i + 1}]", entry=(i, j)), M[i][j], M[j][i])
            for i in range(n) for j in range(i + 1, n)]


class Gradient:
    name = "gradient"

    def shape(self, f: Expr, x: Sym):
        return x.shape

    def evaluations(self, dirs: list) -> list[tuple[list, tuple | None]]:
        return [(dirs, None)]

    def compared(self, F: Matrix, M: Matrix, dirs: list, second, x: Sym, size: tuple[int, int]):
        """(probe, claimed, actual) for every direction."""
        f, g = F[0][0], _flat(M)
        return [(Probe(kind, label, u=tuple(u)), _dot(g, u), coefficient(f, i)) for i, (kind, label, u) in enumerate(dirs)]

    def defects(self, M: Matrix, x: Sym) -> list[tuple[Probe, arb, arb]]:
        """A gradient by a symmetric X is symmetric: its (i, j) and (j, i) entries compared."""
        return _symmetry(M) if x.symmetric else []


class Jacobian:
    name = "Jacobian"

    def shape(self, f: Expr, x: Sym):
        return jacobian(f.shape, x.shape)

    def evaluations(self, dirs: list) -> list[tuple[list, tuple | None]]:
        return [(dirs, None)]

    def compared(self, F: Matrix, J: Matrix, dirs: list, second, x: Sym, size: tuple[int, int]):
        """(probe, claimed, actual) for every entry of every column J vec(U)."""
        f = [r[0] for r in _vec_matrix(F)]
        out = []
        for i, (kind, label, u) in enumerate(dirs):
            vu = _vec(u, *size)
            out += [(Probe("column" if kind == "entry" else kind, label, u=tuple(u), entry=(j,)), _dot(row, vu),
                     coefficient(fj, i)) for j, (row, fj) in enumerate(zip(J, f))]
        return out

    def defects(self, M: Matrix, x: Sym) -> list:
        return []


class Hessian:
    name = "Hessian"

    def shape(self, f: Expr, x: Sym):
        return hessian(x.shape)

    def evaluations(self, dirs: list) -> list[tuple[list, tuple | None]]:
        """One evaluation per second direction V: the random ones, and every basis direction
        where there are at most FULL_HESSIAN."""
        basis = [d for d in dirs if d[0] == "entry"]
        seconds = [d for d in dirs if d[0] != "entry"] + (basis if len(basis) <= FULL_HESSIAN else [])
        return [(dirs, v) for v in seconds]

    def compared(self, F: Matrix, H: Matrix, dirs: list, second, x: Sym, size: tuple[int, int]):
        """(probe, claimed, actual) of vec(U)ᵀ H vec(V) for every U."""
        f = F[0][0]
        kind_v, label_v, v = second
        Hv = [_dot(row, _vec(v, *size)) for row in H]
        out = [(Probe("entry" if kind == kind_v == "entry" else "direction", f"{label} and {label_v}", u=tuple(u),
                      v=tuple(v)), _dot(Hv, _vec(u, *size)), cross(f, i)) for i, (kind, label, u) in enumerate(dirs)]
        return out

    def defects(self, H: Matrix, x: Sym) -> list[tuple[Probe, arb, arb]]:
        """A Hessian is symmetric: its (i, j) and (j, i) entries compared."""
        return _symmetry(H)


class Value:
    """An identity: the claim R against f = L, entry by entry, at the point itself."""

    name = "value"

    def shape(self, f: Expr, x: Sym):
        return f.shape

    def evaluations(self, dirs: list) -> list[tuple[list, tuple | None]]:
        return [([], None)]

    def compared(self, F: Matrix, R: Matrix, dirs: list, second, x: Sym, size: tuple[int, int]):
        """(probe, right side, left side) for every entry."""
        return [(Probe("value", f"[{i + 1},{j + 1}]", entry=(i, j)), r, l)
                for i, (lrow, rrow) in enumerate(zip(F, R)) for j, (l, r) in enumerate(zip(lrow, rrow))]

    def defects(self, M: Matrix, x: Sym) -> list:
        return []


def _vec_matrix(m: Matrix) -> Matrix:
    return [(m[i][j],) for j in range(len(m[0])) for i in range(len(m))]
