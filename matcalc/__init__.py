"""matcalc: derive gradients of scalar functions of matrices with the trace trick, and check them."""
__version__ = "0.1.0"
