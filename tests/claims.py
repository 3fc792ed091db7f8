"""Building blocks of the claims in tests/test_rule_*.py: terms that vanish at every size up to a
degree, constants that vanish at low precision, and the verdict a wrong claim may have."""
from __future__ import annotations

import matcalc
from matcalc.errors import MatcalcError

SQUARE = {"X": "matrix(n, n)"}
VECTOR = {"x": "vector(n)"}
SQUARE_A = {"X": "matrix(n, n)", "A": "matrix(n, n)"}
SYMMETRIC_A = {"S": "symmetric(n)", "A": "matrix(n, n)"}


def cayley_hamilton(k: int, of: str = "X") -> dict[str, str]:
    """C = the Cayley-Hamilton polynomial of degree k of the matrix ``of``, coefficients by Newton's
    identities from tr(X^i): 0 for every n×n X with n <= k, not 0 for n > k."""
    let = {f"p{i}": f"tr({of} ^ {i})" for i in range(1, k + 1)}
    let["e0"] = "1"
    for j in range(1, k + 1):
        terms = " + ".join(f"{'' if i % 2 else '-'}e{j - i} * p{i}" for i in range(1, j + 1)).replace("+ -", "- ")
        let[f"e{j}"] = f"({terms}) / {j}"
    let["C"] = " + ".join(f"{'' if j % 2 == 0 else '-'}e{j} * {of} ^ {k - j}" for j in range(k + 1)) \
        .replace("+ -", "- ").replace(f"{of} ^ 0", "eye(n)")
    return let


def half(k: int) -> str:
    """(sqrt(1 + e) - 1) / e = 1/2 for e = 10^-k (to 10^-k); every intermediate is at most 2 in size,
    yet k digits are lost to cancellation."""
    return f"((sqrt(1 + (1/10)^{k}) - 1) / (1/10)^{k})"


def refuted_or_unchecked(f: str, wrt: str, gradient: str, **kw) -> None:
    """A wrong claim is refuted, or the checker says it could not check (a MatcalcError): never "holds"."""
    try:
        v = matcalc.check(f, wrt, gradient, **kw)
    except MatcalcError:
        return
    assert v.status == "refuted", v.message
