"""The independent checker: evaluates expressions on concrete matrices (no NumPy) and
tests a claimed gradient against f by high-precision finite differences.

Its modules (evaluate, sample, verify) share only the expression tree with the deriver
and never import the engine. The package itself is also callable, because the public
API names ``matcalc.check(...)`` the same as this package: a call is forwarded to
``matcalc.api.check``, which is imported only then.
"""
import importlib
import sys
import types


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return importlib.import_module("matcalc.api").check(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
