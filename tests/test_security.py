"""User text is data: payloads in expressions, names and TOML values run nothing."""
import os
import subprocess
import sys

import pytest

from matcalc.cli import main

MARK = "/tmp/matcalc-pwned"
PAYLOADS = [
    "__import__('os').system('touch /tmp/matcalc-pwned')",
    "exec(\"open('/tmp/matcalc-pwned','w')\")",
    "eval('1+1')",
    "lambda: 0",
    "x.__class__.__mro__",
    "sympy.S('open(1)')",
    "{{7*7}}; rm -rf /",
]


@pytest.fixture(autouse=True)
def no_mark():
    if os.path.exists(MARK):
        os.remove(MARK)
    yield
    assert not os.path.exists(MARK), "a payload ran"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_as_expression(capsys, payload):
    assert main(["diff", payload, "--wrt", "x", "--sym", "x=vector(n)"]) == 2
    assert capsys.readouterr().err.startswith("matcalc: error:")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_as_names_and_shapes(capsys, payload):
    for argv in (["--sym", f"{payload}=vector(n)"], ["--sym", f"y={payload}"], ["--fn", f"{payload}=scalar"],
                 ["--let", f"z={payload}"], ["--assume", f"{payload} = 1"]):
        assert main(["diff", "x' * x", "--wrt", "x", "--sym", "x=vector(n)"] + argv) == 2
        assert capsys.readouterr().err.startswith("matcalc: error:")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_toml(tmp_path, capsys, payload):
    quoted = payload.replace("\\", "\\\\").replace('"', '\\"')
    for text in (f'name = "t"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "{quoted}"\nwrt = "x"\n',
                 f'name = "t"\n[symbols]\nx = "{quoted}"\n[[claims]]\nf = "x\' * x"\nwrt = "x"\n',
                 f'name = "t"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "x\' * x"\nwrt = "{quoted}"\n',
                 f'name = "t"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "x\' * x"\nwrt = "x"\ngradient = "{quoted}"\n'):
        p = tmp_path / "p.toml"
        p.write_text(text, encoding="utf-8")
        assert main(["check", str(p), "--format", "json"]) == 2
        capsys.readouterr()


def test_no_eval_in_package():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[1] / "matcalc"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(eval|exec|sympify|parse_expr)\(", text), path


def test_subprocess_has_no_traceback():
    r = subprocess.run([sys.executable, "-m", "matcalc.cli", "diff", PAYLOADS[0], "--wrt", "x", "--sym", "x=vector(n)"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
