"""The independent checker: evaluates expressions on concrete matrices (no NumPy) and
tests a claimed gradient against f by high-precision finite differences.

It shares only the expression tree with the deriver and never imports the engine.
"""
