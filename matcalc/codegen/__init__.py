"""Code export: verified derivations as a self-contained NumPy, JAX or PyTorch module with its own check."""
from __future__ import annotations

from ..errors import MatcalcError
from ..prooffile import ProofFile
from ..report import ClaimReport
from .backends import BACKENDS
from .module import Target, module

__all__ = ["BACKENDS", "Target", "module", "emit"]


def emit(backend: str, proof: ProofFile, reports: list[ClaimReport]) -> str:
    """The module for the claims of ``proof`` whose derivation the checker found to hold (the
    engine's own result, whatever was claimed); a Hessian comes with the gradient it was derived from."""
    targets = [Target(r.claim.f, r.claim.wrt, r.derivation.kind, r.derivation.gradient, r.derived.message,
                      r.derivation.first_order)
               for r in reports
               if r.claim is not None and r.derivation is not None and r.derived is not None and r.derived.status == "holds"]
    if not targets:
        why = "; ".join(dict.fromkeys(r.error for r in reports if r.error))
        raise MatcalcError(f"nothing to emit: no derivation in {proof.title} holds" + (f" ({why})" if why else ""))
    return module(backend, targets, proof.scope, proof.assume, title=proof.title, source=proof.source)
