"""Printing a power of an inverse: the Unicode text of inv(A) ^ k must state that matrix and no
other (A⁻¹ then ² is not A to the power -12)."""
from __future__ import annotations

from .cli_process import cli


def test_unicode_power_of_an_inverse_is_unambiguous():
    r = cli("diff", "tr(A ^ -2 * C)", "--wrt", "A", "--sym", "A=matrix(n,n)", "--sym", "C=matrix(n,n)",
            "--format", "plain")
    assert r.returncode == 0, r.stderr
    assert "A⁻¹²" not in r.stdout and "A⁻¹ᵀ²" not in r.stdout, r.stdout
