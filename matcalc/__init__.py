"""matcalc: derive gradients of scalar functions of matrices with the trace trick, and check them.

The public API (``derive``, ``check``, ``check_document``, ``load``, ``catalog``, and the SymPy bridge's
``to_sympy`` and ``from_sympy``) is loaded on first use, so that the command line starts fast.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Derivation", "MatcalcError", "Verdict", "__version__", "catalog", "check", "check_document", "derive",
           "from_sympy", "load", "to_sympy"]


def __getattr__(name: str) -> Any:
    if name == "MatcalcError":
        from .errors import MatcalcError

        return MatcalcError
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'matcalc' has no attribute {name!r}")
