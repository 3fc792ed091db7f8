"""The independent checker: evaluates expressions on concrete matrices in Arb ball arithmetic
with Taylor coefficients (no NumPy, no finite differences) and judges claimed derivatives by the
rule of decide.py over the plan of plan.py.

It shares only the expression tree and the lark-free declarations with the deriver, and never
imports the engine.
"""
