"""The Python API: the same language, derivations, checks and printers as the command line.

    >>> import matcalc
    >>> d = matcalc.derive("A' * X * B", wrt="X", symbols={"A": "vector(m)", "X": "matrix(m, n)", "B": "vector(n)"})
    >>> str(d.gradient)
    "A * B'"
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

from .proof_catalog import Entry, entries
from .checker.verify import Verdict as _CheckerVerdict
from .deep import deep
from .engine.steps import Step
from .errors import MatcalcError
from .expr import Expr
from .front import Input, Request, answer, table
from .printers import json_out, latex, markdown, plain
from .printers.rows import assuming
from .parser import parse
from .prooffile import ProofFile, load as _load, make_scope
from .report import ClaimReport
from . import sympy_bridge




class Derivation:
    """A derived gradient (or Jacobian, or Hessian: see ``kind``): the steps (rule, expression), the
    result, and the checker's verdict on it. ``gradient`` holds the result whatever its kind."""

    def __init__(self, report: ClaimReport, proof: ProofFile, objects: Mapping[str, object] | None = None) -> None:
        self._report, self._proof = report, proof
        self._objects = dict(objects or {})
        assert report.derivation is not None
        self.f: Expr = report.claim.f if report.claim else report.derivation.f
        self.wrt: str = report.derivation.wrt.name
        self.steps: tuple[Step, ...] = report.derivation.steps
        self.kind: str = report.claim.kind if report.claim else "gradient"
        self.gradient: Expr = report.derivation.gradient
        self.verdict: Verdict = Verdict(report)
        #: The shapes matcalc inferred for the symbols not declared, as declarations: {"A": "matrix(m, n)"}.
        self.assumed: dict[str, str] = {n: proof.scope.declaration(n) for n in proof.scope.inferred}

    @property
    def jacobian(self) -> Expr | None:
        return self.gradient if self.kind == "jacobian" else None

    @property
    def hessian(self) -> Expr | None:
        return self.gradient if self.kind == "hessian" else None

    @deep
    def to_sympy(self) -> Any:
        """The result as a SymPy matrix expression, over the very SymPy symbols the input used (if any)."""
        return sympy_bridge.to_sympy(self.gradient, self._objects)

    def to_code(self, backend: str = "numpy") -> str:
        """A self-contained Python module ("numpy", "jax" or "torch"): f, the derivative, and a
        check() against central differences (and the backend's autodiff)."""
        from .codegen import emit

        return emit(backend, self._proof, [self._report])

    @deep
    def to_latex(self, standalone: bool = False) -> str:
        """The derivation as LaTeX (an align* block, or a whole document)."""
        r = self._report
        return latex.section(f"d/d{self.wrt} of {self.f}", "", [r], standalone=standalone,
                             shapes=assuming(self._proof.scope))

    @deep
    def to_markdown(self) -> str:
        shapes = assuming(self._proof.scope)
        return (f"{shapes}\n\n" if shapes else "") + markdown.derivation(self._report)

    @deep
    def to_json(self) -> str:
        return json_out.dumps({**json_out.derivation_object(self._report), **({"assumed": self.assumed} if self.assumed else {})})

    @deep
    def _repr_latex_(self) -> str:
        return latex.align(self._report)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    @deep
    def __str__(self) -> str:
        shapes = assuming(self._proof.scope)
        return (f"{shapes}\n" if shapes else "") + plain.derivation(self._report)

    def __repr__(self) -> str:
        return f"<Derivation {self.kind} by {self.wrt} = {self.gradient} ({len(self.steps)} steps, {self.verdict.status})>"


class Verdict:
    """The independent checker's verdict: holds / refuted, the errors measured, a counterexample."""

    def __init__(self, report: ClaimReport) -> None:
        self._report = report
        claim = report.claim
        v: _CheckerVerdict | None = report.claimed if claim is not None and claim.gradient is not None else report.derived
        assert v is not None
        self.status: str = v.status
        self.message: str = report.message
        self.max_error: float | None = v.max_error
        self.checks: int = v.checks
        self.counterexample: dict[str, object] | None = v.counterexample
        #: For a refutation, what ``matcalc recheck`` re-evaluates: the exact point and direction, the
        #: precision, both enclosures, f and the claim as text.
        self.certificate: dict[str, object] | None = v.certificate
        #: The engine's own result (the right gradient, Jacobian or Hessian).
        self.right_gradient: Expr | None = report.derivation.gradient if report.derivation else None

    @property
    def holds(self) -> bool:
        return self.status == "holds"

    def __bool__(self) -> bool:
        return self.holds

    def __str__(self) -> str:
        return f"{self.status}: {self.message}"

    def __repr__(self) -> str:
        return f"<Verdict {self.status}: {self.message}>"

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.status}**: {self.message}"]
        for key, value in (self.counterexample or {}).items():
            if key != "summary":
                lines.append(f"- {key}: `{value}`")
        return "\n".join(lines)


def claim_report(f: Input, wrt: Input, gradient: Input | None, symbols: Mapping[str, str] | None,
                 functions: Mapping[str, str] | None, let: Mapping[str, str] | None, assume: Sequence[Input], seed: int,
                 *, jacobian: Input | None = None, hessian: Input | None = None,
                 kind: str | None = None) -> tuple[ClaimReport, ProofFile, dict[str, object]]:
    """Declarations and one claim, derived and checked through the front door: the report, the proof
    made of them and the SymPy objects by name; any failure is a MatcalcError naming its field."""
    a = answer(Request(f=f, wrt=wrt, symbols=symbols, let=let, functions=functions, assume=assume, gradient=gradient,
                       jacobian=jacobian, hessian=hessian, kind=kind, seed=seed))
    return a.report, a.proof, a.objects


def derive(f: Input, wrt: Input, symbols: Mapping[str, str] | None = None, functions: Mapping[str, str] | None = None,
           let: Mapping[str, str] | None = None, assume: Sequence[Input] = (), seed: int = 0, *,
           kind: str | None = None) -> Derivation:
    """Derive ∂f/∂wrt step by step (kind="jacobian" or "hessian" for the second-order results; by
    default the gradient of a scalar f, the Jacobian of a non-scalar f), and check it independently.
    f and wrt are text in the language (with ``symbols``) or SymPy objects (shapes read off them)."""
    return Derivation(*claim_report(f, wrt, None, symbols, functions, let, assume, seed, kind=kind))


def check(f: Input, wrt: Input, gradient: Input | None = None, symbols: Mapping[str, str] | None = None,
          functions: Mapping[str, str] | None = None, let: Mapping[str, str] | None = None,
          assume: Sequence[Input] = (), seed: int = 0, *, jacobian: Input | None = None,
          hessian: Input | None = None) -> Verdict:
    """Check the claim ∂f/∂wrt = gradient (or a claimed jacobian=, or hessian=); a refutation carries a
    counterexample and the right result. Each of f, wrt and the claim is text or a SymPy object."""
    if gradient is None and jacobian is None and hessian is None:
        raise MatcalcError("check needs a claimed gradient, jacobian or hessian")
    return Verdict(claim_report(f, wrt, gradient, symbols, functions, let, assume, seed, jacobian=jacobian,
                                hessian=hessian)[0])


def to_sympy(e: Expr | str, symbols: Mapping[str, str] | None = None, functions: Mapping[str, str] | None = None) -> Any:
    """A matcalc expression (a tree, or text with its declarations) as a SymPy matrix expression:
    symbols become MatrixSymbols (Symbols when scalar), dimensions positive integer Symbols."""
    if isinstance(e, str):
        e = parse(e, make_scope(table(symbols, "symbols", optional=False), table(functions, "functions")))
    if not isinstance(e, Expr):
        raise MatcalcError(f"to_sympy takes a matcalc expression or its text, got {type(e).__name__}")
    return sympy_bridge.to_sympy(e)


def from_sympy(e: Any, dimensions: Sequence[Any] = ()) -> sympy_bridge.Translation:
    """A SymPy matrix expression as matcalc's: ``.expr`` (the tree; str() is the language), ``.symbols``
    and ``.functions`` (the declarations, as a proof file writes them). A SymPy Symbol that is some
    matrix's dimension in e, or one of ``dimensions``, is that size wherever it is a value."""
    return sympy_bridge.from_sympy(e, dimensions)


@deep
def load(path: str | Path) -> ProofFile:
    """A proof file: its declarations and claims (parsed and typed)."""
    if not isinstance(path, (str, PathLike)):
        raise MatcalcError(f"load takes the path of a proof file, got {type(path).__name__}")
    return _load(path)


def catalog() -> list[Entry]:
    """The catalog's proofs: group, name, title, source, number of claims, path."""
    return entries()
