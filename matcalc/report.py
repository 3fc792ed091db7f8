"""Derive and check claims: the one place where the engine and the checker meet.

The checker never sees the engine's steps; here its verdicts on the claimed and on the
derived gradient are put side by side for the printers.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .checker.verify import Verdict, check_all, check_hessians, check_jacobians, plan_text
from .deep import deep
from .engine.steps import Derivation
from .errors import MatcalcError, printable
from .language import show
from .naming import Named, name_repeats, names_in
from .printers.rows import label  # noqa: F401  (FILE::proof::claim-N, here since before the printers had it)
from .prooffile import KIND_NAMES, BadClaim, Claim, ProofFile
from .engine.second_order import derive_kind
from .engine.policy import normalise

#: The checker of each kind of claim: (f, x, claimed matrices, scope, assume, seed=) -> verdicts.
CHECKERS = {"gradient": check_all, "jacobian": check_jacobians, "hessian": check_hessians}


@dataclass(frozen=True)
class ClaimReport:
    """One claim, derived by the engine and checked independently."""

    file: str
    proof: str
    claim: Claim | None  # None for a file that could not be read, parsed or typed, and for a bad claim
    derivation: Derivation | None
    derived: Verdict | None  # the checker on the engine's gradient
    claimed: Verdict | None  # the checker on the claim's gradient
    error: str = ""
    symbolic_match: bool = False
    error_field: str = ""  # the request field the error is about (MatcalcError.field), "" for none
    named: Named | None = None  # the result with its repeated subexpressions named, for the display formats
    bad: BadClaim | None = None  # a claim of the file that could not be read or typed (``error`` says why)
    notes: tuple[str, ...] = ()  # the file's notes on its declarations ("sin is built in: ...")

    @property
    def index(self) -> int | None:
        """The claim's number in its file (None for a file's error)."""
        return self.claim.index if self.claim is not None else self.bad.index if self.bad is not None else None

    @property
    def verdict(self) -> str:
        if self.error:
            return "error"
        v = self.claimed if self.claim.gradient is not None else self.derived
        return v.status

    @property
    def ok(self) -> bool:
        """The verdict is what the claim expects, and the engine's own gradient holds."""
        if self.claim is None:
            return False
        engine_ok = self.derived is None or self.derived.status == "holds"
        return self.verdict == self.claim.expect and engine_ok

    @property
    def message(self) -> str:
        if self.error:
            return self.error
        v = self.claimed if self.claim.gradient is not None else self.derived
        msg = v.message
        if v is not self.derived and self.derived is not None and self.derived.status != "holds":
            verb = "could not be checked" if self.derived.status == "error" else f"was {self.derived.status}"
            msg += (f"; the engine's own {KIND_NAMES[self.claim.kind]} {show(self.derivation.gradient)} {verb}: "
                    f"{self.derived.message}")
        return msg


@deep
def run_claim(proof: ProofFile, claim: Claim, *, seed: int = 0) -> ClaimReport:
    """Derive ∂f/∂X (or the Jacobian or Hessian), check the derived and the claimed one, compare them."""
    scope, assume = proof.scope, proof.assume
    derivation = derived = claimed = None
    note = ""
    try:
        derivation = derive_kind(claim.kind, claim.f, claim.wrt, assume=assume, scope=scope)
    except MatcalcError as e:
        if claim.gradient is None:
            return ClaimReport(proof.path, proof.name, claim, None, None, None, str(e), error_field=e.field,
                               notes=proof.notes)
        note = f" (the engine could not derive it: {e})"
    match = derivation is not None and claim.gradient is not None and \
        normalise(claim.gradient, claim.kind) == normalise(derivation.gradient, claim.kind)
    try:
        derived, claimed = _verdicts(claim, derivation, scope, assume, seed)
    except MatcalcError as e:
        return ClaimReport(proof.path, proof.name, claim, derivation, None, None, str(e), error_field=e.field,
                           notes=proof.notes)
    if claimed is not None and claimed.status == "refuted" and derived is not None and derived.status == "holds":
        right = show(derivation.gradient)
        cx = dict(claimed.counterexample or {}, **{f"right_{claim.kind}": right})
        claimed = replace(claimed, counterexample=cx, message=f"{claimed.message}; the right {KIND_NAMES[claim.kind]} is {right}")
    if note and claimed is not None:
        claimed = replace(claimed, message=claimed.message + note)
    return ClaimReport(proof.path, proof.name, claim, derivation, derived, claimed, "", bool(match),
                       named=_named(derivation, scope), notes=proof.notes)


def _named(derivation: Derivation | None, scope) -> Named | None:
    """The derived result with its repeats named (None when nothing repeats), the names clear of every
    name of f and of the scope's symbols, their dimensions, functions and [let] names."""
    if derivation is None:
        return None
    taken = names_in(derivation.f, *(scope.symbol(n) for n in scope.symbols)) | {*scope.functions, *scope.lets}
    named = name_repeats(derivation.gradient, taken=taken)
    return named if named.bindings else None


def _verdicts(claim: Claim, derivation: Derivation | None, scope, assume, seed: int):
    """The checker's verdicts on the derived and the claimed gradient (None where absent).

    A verdict is shared only by the very same tree: "the same after normalising" would let
    a wrong algebra rule vouch for a claim the checker never saw. Two different trees are
    judged together on the same instances, or apart when one has no point in its domain.
    """
    gradients = [g for g in (derivation.gradient if derivation else None, claim.gradient) if g is not None]
    if len(gradients) == 2 and gradients[0] == gradients[1]:
        gradients = gradients[:1]
    checker = CHECKERS[claim.kind]
    try:
        verdicts = checker(claim.f, claim.wrt, gradients, scope, assume, seed=seed)
    except MatcalcError:
        if len(gradients) < 2:
            raise
        verdicts = [_alone(checker, claim, g, scope, assume, seed, engine=k == 0) for k, g in enumerate(gradients)]
    derived = verdicts[0] if derivation is not None else None
    claimed = verdicts[-1] if claim.gradient is not None else None
    return derived, claimed


def _alone(checker, claim: Claim, g, scope, assume, seed: int, *, engine: bool) -> Verdict:
    """One matrix checked on its own; the engine's, when it cannot be checked, is an error verdict
    (the claim's own check goes on), the claim's raises."""
    try:
        return checker(claim.f, claim.wrt, [g], scope, assume, seed=seed)[0]
    except MatcalcError as e:
        if not engine:
            raise
        return Verdict("error", str(e))


def file_error(path: str, error: MatcalcError) -> ClaimReport:
    """The one result for a file that cannot be read, parsed or typed."""
    return ClaimReport(printable(path), "", None, None, None, None, str(error))


def bad_claim(proof: ProofFile, bad: BadClaim) -> ClaimReport:
    """The result of a claim that could not be read or typed: an error for that claim alone."""
    return ClaimReport(proof.path, proof.name, None, None, None, None, bad.error, error_field=bad.field, bad=bad,
                       notes=proof.notes)


@deep
def run_proof(proof: ProofFile, *, seed: int = 0) -> list[ClaimReport]:
    """Every claim of the proof in file order: derived and checked, or the error of a bad claim."""
    return [run_index(proof, i, seed=seed) for i in claim_numbers(proof)]


def claim_numbers(proof: ProofFile) -> list[int]:
    """The numbers of every claim of the file, read or bad, in order."""
    return sorted([c.index for c in proof.claims] + [b.index for b in proof.bad])


def run_index(proof: ProofFile, index: int, *, seed: int = 0) -> ClaimReport:
    """Claim number ``index`` (1-based) of the file: derived and checked, or its error if it is bad."""
    claim = next((c for c in proof.claims if c.index == index), None)
    if claim is not None:
        return run_claim(proof, claim, seed=seed)
    bad = next((b for b in proof.bad if b.index == index), None)
    if bad is None:
        raise MatcalcError(f"{proof.name} has no claim {index}")
    return bad_claim(proof, bad)


def explain(proof: ProofFile, claim: Claim, *, seed: int = 0) -> str:
    """The plan the checker follows for a claim (its instances, sizes, scales and directions),
    as ``matcalc check --explain`` prints it: the matrices judged are the claim's and the engine's."""
    try:
        derived = [derive_kind(claim.kind, claim.f, claim.wrt, assume=proof.assume, scope=proof.scope).gradient]
    except MatcalcError:
        derived = []
    matrices = list(dict.fromkeys(derived + ([claim.gradient] if claim.gradient is not None else [])))
    return plan_text(claim.f, claim.wrt, matrices, proof.scope, proof.assume, seed=seed, kind=claim.kind)
