"""The deriving engine: differential → trace form → gradient (first order) and vec form → Jacobian / Hessian
(second order), each step naming the rule it used. The checker (``matcalc.checker``) never imports it."""
