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

from .proof_catalog import Entry, entries
from .checker.verify import Verdict as _CheckerVerdict
from .deep import deep
from .derivation import Step
from .errors import MatcalcError, printable
from .expr import Expr
from .printers import json_out, latex, markdown, plain
from .prooffile import ProofFile, load as _load, make_claim, make_scope, parse_assumption
from .report import ClaimReport, run_claim


class Derivation:
    """A derived gradient (or Jacobian, or Hessian: see ``kind``): the steps (rule, expression), the
    result, and the checker's verdict on it. ``gradient`` holds the result whatever its kind."""

    def __init__(self, report: ClaimReport) -> None:
        self._report = report
        assert report.derivation is not None
        self.f: Expr = report.claim.f if report.claim else report.derivation.f
        self.wrt: str = report.derivation.wrt.name
        self.steps: tuple[Step, ...] = report.derivation.steps
        self.kind: str = report.claim.kind if report.claim else "gradient"
        self.gradient: Expr = report.derivation.gradient
        self.verdict: Verdict = Verdict(report)

    @property
    def jacobian(self) -> Expr | None:
        return self.gradient if self.kind == "jacobian" else None

    @property
    def hessian(self) -> Expr | None:
        return self.gradient if self.kind == "hessian" else None

    @deep
    def to_latex(self, standalone: bool = False) -> str:
        """The derivation as LaTeX (an align* block, or a whole document)."""
        r = self._report
        return latex.proof(f"d/d{self.wrt} of {self.f}", "", [r], standalone=standalone)

    @deep
    def to_markdown(self) -> str:
        return markdown.derivation(self._report)

    @deep
    def to_json(self) -> str:
        return json_out.dumps(json_out.derivation_object(self._report))

    @deep
    def _repr_latex_(self) -> str:
        return latex.align(self._report)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    @deep
    def __str__(self) -> str:
        return plain.derivation(self._report)

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


def _table(value: object, what: str, example: str, *, optional: bool = True) -> dict[str, str]:
    """A mapping argument as a dict (None is empty when the argument is optional)."""
    if value is None and optional:
        return {}
    if not isinstance(value, Mapping):
        raise MatcalcError(f"{what} must be a mapping of names to {example}, got {type(value).__name__}")
    return dict(value)


@deep
def _report(f: str, wrt: str, gradient: str | None, symbols: Mapping[str, str] | None, functions: Mapping[str, str] | None,
            let: Mapping[str, str] | None, assume: Sequence[str], seed: int, *, jacobian: str | None = None,
            hessian: str | None = None, kind: str | None = None) -> ClaimReport:
    """Declarations and one claim, derived and checked; any failure is a MatcalcError."""
    scope = make_scope(_table(symbols, "symbols", "shapes, e.g. {'X': 'matrix(m, n)'}", optional=False),
                       _table(functions, "functions", "kinds, e.g. {'sigma': 'elementwise'}"),
                       _table(let, "let", "expressions, e.g. {'z': 'W * x + b'}"))
    if isinstance(assume, str):
        assume = [assume]
    if not isinstance(assume, Sequence):
        raise MatcalcError(f"assume must be a list of equalities such as 'sum(Y) = 1', got {type(assume).__name__}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise MatcalcError(f"seed must be an integer, got {seed!r}")
    assumptions = tuple(parse_assumption(a, scope) for a in assume)
    claim = make_claim(1, f, wrt, gradient, scope, jacobian=jacobian, hessian=hessian, kind=kind)
    proof = ProofFile("api", printable(f"d/d{wrt} of {f}"), "", "<python>", scope, assumptions, (claim,))
    try:
        report = run_claim(proof, claim, seed=seed)
    except RecursionError:
        raise MatcalcError("the input is too large to process (Python's recursion limit)") from None
    if report.error:
        raise MatcalcError(report.error)
    return report


def derive(f: str, wrt: str, symbols: Mapping[str, str], functions: Mapping[str, str] | None = None,
           let: Mapping[str, str] | None = None, assume: Sequence[str] = (), seed: int = 0, *,
           kind: str | None = None) -> Derivation:
    """Derive ∂f/∂wrt step by step (kind="jacobian" or "hessian" for the second-order results; by
    default the gradient of a scalar f, the Jacobian of a non-scalar f), and check it independently."""
    return Derivation(_report(f, wrt, None, symbols, functions, let, assume, seed, kind=kind))


def check(f: str, wrt: str, gradient: str | None = None, symbols: Mapping[str, str] | None = None,
          functions: Mapping[str, str] | None = None, let: Mapping[str, str] | None = None, assume: Sequence[str] = (),
          seed: int = 0, *, jacobian: str | None = None, hessian: str | None = None) -> Verdict:
    """Check the claim ∂f/∂wrt = gradient (or a claimed jacobian=, or hessian=); a refutation carries a
    counterexample and the right result."""
    if gradient is None and jacobian is None and hessian is None:
        raise MatcalcError("check needs a claimed gradient, jacobian or hessian")
    return Verdict(_report(f, wrt, gradient, symbols, functions, let, assume, seed, jacobian=jacobian, hessian=hessian))


@deep
def load(path: str | Path) -> ProofFile:
    """A proof file: its declarations and claims (parsed and typed)."""
    if not isinstance(path, (str, PathLike)):
        raise MatcalcError(f"load takes the path of a proof file, got {type(path).__name__}")
    return _load(path)


def catalog() -> list[Entry]:
    """The catalog's proofs: group, name, title, source, number of claims, path."""
    return entries()
