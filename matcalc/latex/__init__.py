"""LaTeX in: formulas as people write them (``\\operatorname{tr}(A^\\top X B)``, ``\\frac{\\partial f}{\\partial X}``)
read into a tree (``tokens``, ``vocabulary``, ``reader``, ``tree``) and written as language text (``text``);
``request`` makes the texts of a request (f, a claimed gradient, wrt) for `matcalc diff --latex`, the API
and the page."""
from .reader import read_expression, read_sides
from .request import read_as, request_text
from .text import names, to_language

__all__ = ["read_expression", "read_sides", "to_language", "names", "request_text", "read_as"]
