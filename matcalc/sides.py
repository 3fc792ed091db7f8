"""The sides of a derivation's steps (df, the gradient, d vec F, the Jacobian, d²f, H[dX], the Hessian),
which the engine records and the printers name; here so that a printer need not import the engine."""

DF, GRADIENT = "df", "gradient"
DVEC, JACOBIAN, D2F, LINEAR_MAP, HESSIAN = "dvec", "jacobian", "d2f", "linear map", "hessian"
