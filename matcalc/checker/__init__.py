"""The independent checker: evaluates expressions on concrete matrices (no NumPy) and
tests a claimed gradient against f by high-precision finite differences.

Its modules (evaluate, sample, verify) share only the expression tree and the lark-free
declarations with the deriver, and never import the engine.
"""
