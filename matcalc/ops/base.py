"""The operator record: everything matcalc knows about one built-in operator, in one place.

A record holds its spelling and arity, its shape law, the engine's differential rule (or why there
is none), its closed-form derivatives (entrywise functions), its notation in each printer, its code
in each backend and its SymPy translation. Records import only the expression tree, never the
engine, the printers or SymPy (those are imported by the functions that need them, when called),
so the checker may read the registry without loading anything it must stay independent of.
The checker keeps its own numeric table; ``tests/test_operators.py`` checks that both name the same
operators.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

#: The kinds of operator: a function of one whole matrix (a ``Call`` node), a function applied to
#: every entry (an ``Entrywise`` node), or a built-in with a node of its own (kron, eye, ...).
CALL, ENTRYWISE, NODE = "call", "entrywise", "node"
#: The code backends a record may give templates for.
BACKENDS = ("numpy", "jax", "torch")
#: The array module of each backend, substituted for {xp} in a template.
XP = {"numpy": "np", "jax": "jnp", "torch": "torch"}


@dataclass(frozen=True)
class Rule:
    """An engine rule defined with its operator: ``name`` is what a derivation step cites, ``fn``
    does it (called as the engine calls rules of its kind), its docstring's first line is the identity."""

    name: str
    fn: Callable


@dataclass(frozen=True)
class Unsupported:
    """A concern an operator does not have, and why (said when it is asked for)."""

    reason: str


@dataclass(frozen=True)
class Code:
    """A code template: slots {0}, {1} for the arguments, {xp} for the array module; ``helper`` names
    a module-level function the text calls (its definitions, per backend, are in ``helpers``); ``prec``
    is the Python precedence of the result (codegen's levels: 1 sum ... 5 atom)."""

    text: str
    helper: str | None = None
    prec: int = 5


def every_backend(text: str, helper: str | None = None) -> dict[str, Code]:
    """The same template in every backend, with {xp} the backend's array module."""
    return {b: Code(text.replace("{xp}", XP[b]), helper) for b in BACKENDS}


@dataclass(frozen=True)
class Op:
    """One built-in operator. Fields a kind does not use stay empty.

    - ``summary``: what it is, in a line; ``example``: a typical use in the language, of the symbols in
      ``EXAMPLE_SYMBOLS`` (the operator checklist parses, prints, derives, checks and translates it);
    - ``spellings``: the names that call it in the language (the first is how it prints);
    - ``shape``: CALL: the result's shape from the argument, raising ShapeError (``(name, arg)``);
    - ``build``, ``arity``: NODE: the node class the parser builds from the arguments;
    - ``differential``: the engine's rule d(op(A)) in terms of dA (``Rule``, called ``fn(e, D, dep)``)
      or ``Unsupported``; ENTRYWISE uses the engine's chain rule f(A) -> f'(A) ⊙ dA, a NODE's rule is
      looked up by its node class;
    - ``algebra``: identities of the operator the engine's simplification applies (``Rule``s called
      ``fn(e) -> e' | None``), registered under their names; the engine's policy says in which group;
    - ``trace``: CALL, linear in its argument: ``(M, A, build) -> M'`` with tr(Mᵀ op(A)) = tr(M'ᵀ A), so the
      trace phase moves the operator off dX; ``vec``: ``(J, A, dep, build) -> [(J', A'), ...]`` with
      J vec(op(A)) = Σ J' vec(A'), for the vec phase (``build``: the engine's smart constructors
      ``matmul``, ``hadamard``, ``transpose``, ``vec``; ``dep(e)``: does e hold dX); a NODE's ``vec`` is a
      ``Rule`` (its own step label) called ``fn(J, E, dep, build)`` with E the node itself, and its ``trace``
      a ``Rule`` called ``fn(M, E, dep) -> [(M', E'), ...]`` with tr(Mᵀ E) = Σ tr(M'ᵀ E');
    - ``reference``: CALL: the definition ``matcalc recheck`` evaluates, ``(ev, A) -> rows of numbers``
      with ev's numbers and operations (``ev.zero``, ``ev.total(entries)``, ``ev.det``, ``ev.inverse``,
      ``ev.recip``, ``ev.shifted_exp(column)``, ``ev.apply(ev.elementwise("log"), x, 0)``): independent of
      the checker's own numeric table, so that a certificate is confirmed by a second definition;
      ENTRYWISE: ``h -> f(h)`` on an Arb power series h (a kinked one: ``(h, s) -> f(h)`` on the side s = ±1
      of 0 that h's constant term is on), with ``domain`` "positive" where f needs x > 0;
    - ``derivative``: ENTRYWISE: ``(u, k) -> Expr | None``, f⁽ᵏ⁾(u) in closed form where a textbook
      writes it so (exp' = exp), None where it stays f⁽ᵏ⁾; ``derivative_code``: the same for emitted
      code, ``(k, spell, literal) -> Code | None`` with ``spell(name)`` a function's template text and
      ``literal(v)`` a rational as a Python literal, None where it is not written out;
    - ``kinked``: ENTRYWISE: differentiable only where the argument is non-zero (abs, relu);
    - ``symmetry``: CALL: when its value is a symmetric matrix by its form: "of its argument" (inv(S) for a
      symmetric S) or "always" (diag(a)); the engine's symmetry rules read it;
    - ``symmetric_argument``: CALL: its differential rule holds for a symmetric argument only (chol); the
      engine refuses an argument it cannot see is symmetric by its form;
    - ``matrix_derivative``: CALL, a primary matrix function (expm, logm, sqrtm): ``A -> f'(A)`` as an
      expression, the Fréchet derivative along a direction commuting with A (L_f(A, I) = f'(A)); a function
      with one may be the f of ``frechet(f, A, E)``; ``spectral_function``: the entrywise function f with
      f(A) = U diag(f(λ)) U⁻¹ (exp for expm), for the engine's Daleckii–Krein form at a symmetric A;
    - ``identity_on_scalars``: CALL: op(s) = s for a 1×1 s (tril, triu, diagonal, diag, vec);
    - ``applied``: printed as a name applied to an argument, tr(X) (not A⁻¹, ‖A‖, √a);
      ``superscript``: printed with a superscript of its own (A⁻¹), so a power of it takes parentheses;
    - ``notation``: printer format ("unicode", "latex", "mathml") -> ``(printer, e) -> text`` for a
      spelling of its own; absent, the format's generic one (``name(A)``);
      A NODE's spelling is ``(printer, e) -> text``, or, in the formats of ``infix``, the operator written
      between its two operands among the products (A ⊗ B); absent, the call form ``kron(A, B)``, ``eye(n)``;
    - ``latex``: the LaTeX command of the name in the generic spelling (``\\exp``), if any;
    - ``code``: backend -> ``Code``; ``helpers``: backend -> {helper name: definition};
    - ``to_sympy``: CALL: ``(writer, e, value) -> SymPy expression`` (value: e's argument translated; the
      writer has ``sp``, ``dim``, ``on_matrix``, ``untranslatable``), or ``Unsupported``, said in the error;
      ``sympy_class``: the SymPy class (a name in ``sympy``) read back as this operator;
      ``sympy_body``: ENTRYWISE: ``(sp, t) -> f(t)``, SymPy's formula of the function;
      ``self_derivatives``: ENTRYWISE: ``(f, x, k) -> f⁽ᵏ⁾`` for k = 1, 2 in terms of f itself (sigmoid' =
      f (1 - f)), so SymPy can simplify entrywise regions (f and x are called for the SymPy symbols of
      f(x) and x, so one not used adds none); None: f stays an atom there.
      A NODE's ``to_sympy`` is ``(writer, e) -> SymPy expression`` and ``from_sympy`` ``(reader, e) -> Expr``
      reads its ``sympy_class`` back (the reader has ``dim``, and is called on a SymPy argument);
    - ``limits``: concern ("sympy", "gradient", "jacobian") -> why the example's use of it fails there (the
      checklist test checks that it does fail, so a limit lifted is noticed).
    """

    name: str
    kind: str
    summary: str
    example: str
    spellings: tuple[str, ...] = ()
    shape: Callable | None = None
    build: type | None = None
    arity: int = 1
    differential: Rule | Unsupported | None = None
    trace: Callable | None = None
    vec: Callable | None = None
    algebra: tuple = ()
    reference: Callable | None = None
    domain: str | None = None
    derivative: Callable | None = None
    derivative_code: Callable | None = None
    kinked: bool = False
    applied: bool = True
    symmetry: str | None = None
    symmetric_argument: bool = False
    matrix_derivative: Callable | None = None
    spectral_function: str | None = None
    identity_on_scalars: bool = False
    superscript: bool = False
    notation: Mapping[str, Callable] = field(default_factory=dict)
    infix: Mapping[str, str] = field(default_factory=dict)
    latex: str | None = None
    code: Mapping[str, Code] = field(default_factory=dict)
    helpers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    to_sympy: Callable | Unsupported | None = None
    sympy_class: str | None = None
    from_sympy: Callable | None = None
    sympy_body: Callable | None = None
    self_derivatives: Callable | None = None
    limits: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if not self.spellings:
            object.__setattr__(self, "spellings", (self.name,))


#: The symbols an ``example`` may use.
EXAMPLE_SYMBOLS = {"X": "matrix(n, n)", "A": "matrix(m, n)", "B": "matrix(p, q)", "x": "vector(n)", "S": "symmetric(n)"}

#: Every registered operator by name, in the order registered.
REGISTRY: dict[str, Op] = {}


def register(*ops: Op) -> None:
    """Add operators to the registry; a name or spelling taken twice is a bug."""
    for op in ops:
        taken = [s for s in op.spellings if s in SPELLINGS]
        if op.name in REGISTRY or taken:
            raise ValueError(f"operator {op.name!r} registered twice (or spelling taken: {taken})")
        REGISTRY[op.name] = op
        for s in op.spellings:
            SPELLINGS[s] = op


#: Every spelling in the language -> its operator.
SPELLINGS: dict[str, Op] = {}
