"""The deriving engine: differential → trace form → gradient (first order) and vec form → Jacobian / Hessian
(second order), each step naming the rule it used. The checker (``matcalc.checker``) never imports it.

core          Rule, Registry (one name, one rule), strategies (bottom_up, top_down, sequence), fixpoint + StopReason
rules/        the rules, one module per kind, each kind a Registry
policy        which rules simplify a result of each kind, in which groups; ``normalise`` judges by the same
phases        differential, trace, vectorise, identify, simplify: shared by first and second order
steps         Step, Derivation and the Steps a derivation records
derivation    derive: the gradient;  second_order: derive_jacobian, derive_hessian, derive_kind
"""
