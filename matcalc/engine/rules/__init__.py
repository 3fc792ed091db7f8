"""The engine's rules, one module per kind; each is a small named function registered in its
kind's ``Registry`` (``engine.core``), its docstring's first line the identity it applies."""
