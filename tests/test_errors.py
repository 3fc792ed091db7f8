"""Every kind of bad input: one line on stderr, exit status 2, no traceback."""
import json

import pytest

from matcalc.cli import main
from matcalc.prooffile import load

GOOD_HEAD = 'name = "t"\n[symbols]\nW = "matrix(n, m)"\nx = "vector(m)"\nb = "vector(n)"\n'


def claims(f, wrt="x", gradient=None, extra=""):
    g = f'gradient = "{gradient}"\n' if gradient else ""
    return f'[[claims]]\nf = "{f}"\nwrt = "{wrt}"\n{g}{extra}'


BAD_FILES = {
    "syntax": (GOOD_HEAD + claims("x' * * x"), "claims[1]: f:1:6: unexpected '*'"),
    "unknown name": (GOOD_HEAD + claims("foo(x)"), "unknown function 'foo'"),
    "undeclared": (GOOD_HEAD + claims("q' * x"), "undeclared symbol 'q'"),
    "shape": (GOOD_HEAD + claims("b' * W * b"), "cannot multiply b' * W (1×m) by b (n×1)"),
    "non-scalar f": (GOOD_HEAD + claims("W * x", gradient="b"), "claims[1]: a gradient needs a scalar f, but W * x is n×1"),
    "jacobian of scalar f": (GOOD_HEAD + claims("x' * x", extra='jacobian = "x\'"\n'),
                             "claims[1]: a Jacobian needs a non-scalar f, but x' * x is scalar"),
    "hessian of non-scalar f": (GOOD_HEAD + claims("W * x", extra='kind = "hessian"\n'),
                                "claims[1]: a Hessian needs a scalar f, but W * x is n×1"),
    "two values": (GOOD_HEAD + claims("x' * x", gradient="2 * x", extra='hessian = "2 * eye(m)"\n'),
                   "claims[1]: a claim has at most one of gradient, jacobian, hessian (got gradient and hessian)"),
    "kind against value": (GOOD_HEAD + claims("x' * x", gradient="2 * x", extra='kind = "hessian"\n'),
                           "claims[1]: kind = 'hessian' but the claim gives a gradient"),
    "unknown kind": (GOOD_HEAD + claims("x' * x", extra='kind = "laplacian"\n'), "unknown kind 'laplacian'"),
    "jacobian shape": (GOOD_HEAD + claims("W * x", extra='jacobian = "W\'"\n'),
                       "claims[1]: the Jacobian W' is m×n, but it must be n×m (f is n×1, x is m×1)"),
    "hessian shape": (GOOD_HEAD + claims("x' * x", extra='hessian = "kron(W, W)"\n'),
                      "claims[1]: the Hessian kron(W, W) is (n·n)×(m·m), but it must be m×m"),
    "kron arity": (GOOD_HEAD + claims("sum(kron(x))"), "claims[1]: f:1:5: kron takes 2 arguments, got 1"),
    "product dimensions": (GOOD_HEAD + claims("sum(kron(W, x) + eye(m * n))"),
                           "cannot add kron(W, x) ((m·n)×m) and eye(m * n) ((m·n)×(m·n))"),
    "diag of a matrix": (GOOD_HEAD + claims("sum(diag(W))"), "diag needs a column vector, got W (n×m)"),
    "wrt not declared": (GOOD_HEAD + claims("x' * x", wrt="q"), "wrt = 'q' is not a declared symbol"),
    "gradient shape": (GOOD_HEAD + claims("x' * x", gradient="W"), "the gradient W is n×m, but it must be m×1"),
    "zero dimension": ('name = "t"\n[symbols]\nx = "vector(0)"\n' + claims("x' * x"), "dimension 0 is not positive"),
    "negative dimension": ('name = "t"\n[symbols]\nx = "matrix(2, -3)"\n' + claims("x' * x"), "not positive"),
    "malformed dimension": ('name = "t"\n[symbols]\nx = "vektor(n)"\n' + claims("x' * x"), "bad shape"),
    "declared twice": ('name = "t"\n[symbols]\nx = "vector(n)"\nx = "vector(n)"\n' + claims("x' * x"), "bad TOML"),
    "symbol and function": ('name = "t"\n[symbols]\nx = "vector(n)"\n[functions]\nx = "scalar"\n' + claims("x' * x"),
                            "declared twice"),
    "let cycle": (GOOD_HEAD + '[let]\np = "q + x"\nq = "p"\n' + claims("x' * x"), "[let] cycle: p -> q -> p"),
    "let shadows": (GOOD_HEAD + '[let]\nx = "b"\n' + claims("x' * x"), "shadows a declared symbol"),
    "bad toml": (GOOD_HEAD + "[[claims]\n", "bad TOML"),
    "unknown key": (GOOD_HEAD + claims("x' * x", extra='colour = "red"\n'), "unknown key 'colour'"),
    "unknown top key": ('nmae = "t"\n' + GOOD_HEAD + claims("x' * x"), "unknown key 'nmae'"),
    "unknown expect": (GOOD_HEAD + claims("x' * x", extra='expect = "maybe"\n'), "unknown expect 'maybe'"),
    "unknown function kind": (GOOD_HEAD + '[functions]\ns = "vector"\n' + claims("x' * x"), "unknown function kind"),
    "reserved name": ('name = "t"\n[symbols]\nexp = "scalar"\n' + claims("exp"), "reserved"),
    "no claims": (GOOD_HEAD, "needs one or more [[claims]]"),
    "assumption not equality": (GOOD_HEAD + 'assume = ["sum(b)"]\n' + claims("x' * x"), "EXPR = EXPR"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_is_one_line_exit_2(tmp_path, capsys, name):
    text, expected = BAD_FILES[name]
    if "assume" in text:  # top-level keys must come first in TOML
        text = text.replace('assume = ["sum(b)"]\n', "")
        text = 'assume = ["sum(b)"]\n' + text
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    status = main(["check", str(p), "--format", "plain"])
    out, err = capsys.readouterr()
    assert status == 2
    line = [l for l in out.splitlines() if "FAIL" in l]
    assert len(line) == 1 and expected in line[0] and str(p) in line[0], out
    assert "Traceback" not in out + err


def test_not_utf8(tmp_path, capsys):
    p = tmp_path / "latin1.toml"
    p.write_bytes('name = "café"\n'.encode("latin-1"))
    assert main(["check", str(p), "--format", "plain"]) == 2
    assert "not UTF-8 text" in capsys.readouterr().out


def test_bad_file_does_not_stop_others(tmp_path, capsys):
    (tmp_path / "a.toml").write_text(GOOD_HEAD + claims("x' * x", gradient="2 * x"), encoding="utf-8")
    (tmp_path / "b.toml").write_text("not toml at all [", encoding="utf-8")
    assert main(["check", str(tmp_path), "--format", "plain"]) == 2
    out = capsys.readouterr().out
    assert "ok   " in out and "FAIL" in out


@pytest.mark.parametrize("argv, expected", [
    (["diff", "x' * * x", "--wrt", "x", "--sym", "x=vector(n)"], "f:1:6: unexpected '*'"),
    (["diff", "x' * x", "--wrt", "y", "--sym", "x=vector(n)"], "not a declared symbol"),
    (["diff", "x' * x", "--wrt", "x", "--sym", "x=vector(n)", "--sym", "x=vector(m)"], "declared twice"),
    (["diff", "x", "--wrt", "x", "--sym", "x=vector(n)", "--gradient", "x"], "a gradient needs a scalar f"),
    (["diff", "x", "--wrt", "x", "--sym", "x=vector(n)", "--hessian"], "a Hessian needs a scalar f"),
    (["diff", "x' * x", "--wrt", "x", "--sym", "x=vector(n)", "--jacobian", "x'"], "a Jacobian needs a non-scalar f"),
    (["diff", "x' * x", "--wrt", "x", "--sym", "x=vector(n)", "--hessian", "x"], "the Hessian x is n×1, but it must be n×n"),
    (["diff", "x' * x", "--wrt", "x", "--sym", "x"], "NAME=VALUE"),
    (["diff", "C'(x)' * x", "--wrt", "x", "--sym", "x=vector(n)", "--fn", "C=scalar"], "no rule to differentiate C'(x)"),
    (["diff", "x' * x", "--wrt", "x", "--sym", "x=vector(n)", "--assume", "x' * x + x' * x"], "EXPR = EXPR"),
    (["diff", "x' * x", "--wrt", "x", "--sym", "x=vector(n)", "--assume", "exp(x' * x) = 2"], "not a linear equality"),
    (["prove", "no-such-proof"], "no catalog proof named"),
])
def test_command_line_errors(capsys, argv, expected):
    assert main(argv + ["--format", "plain"]) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], err
    assert lines[0].startswith("matcalc: error: ")


@pytest.mark.slow
def test_pathological_but_legal_input(capsys):
    long_sum = " + ".join(["x' * x"] * 20000)
    deep = "(" * 10000 + "x' * x" + ")" * 10000
    assert main(["diff", deep, "--wrt", "x", "--sym", "x=vector(n)", "--format", "json"]) == 0
    capsys.readouterr()
    status = main(["diff", long_sum, "--wrt", "x", "--sym", "x=vector(n)", "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0 and '"gradient": "40000 * x"' in out, err
    deep_neg = "-(" * 10000 + "x' * x" + ")" * 10000  # 10,003 levels: legal, derived
    assert main(["diff", deep_neg, "--wrt", "x", "--sym", "x=vector(n)", "--format", "json"]) == 0
    capsys.readouterr()
    absurd = "-(" * 20001 + "x' * x" + ")" * 20001
    assert main(["diff", absurd, "--wrt", "x", "--sym", "x=vector(n)"]) == 2
    assert "nested more than 20000 levels deep" in capsys.readouterr().err


# -- a bad claim is its own error; a declaration a built-in made unneeded ------------------------------

MIXED = (GOOD_HEAD + claims("x' * x", gradient="2 * x") + claims("W * x", gradient="b")
         + claims("x' * * x") + claims("b' * W * x", extra='jacobian = "W\' * b"\n'))


def test_a_bad_claim_is_an_error_for_that_claim_only(tmp_path, capsys):
    """One claim of the wrong shape, or that does not parse, is that claim's error: the file's other
    claims are still checked and reported, each on its own line."""
    p = tmp_path / "mixed.toml"
    p.write_text(MIXED, encoding="utf-8")
    assert main(["check", str(p), "--format", "plain"]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"ok   {p}::t::claim-1: holds")
    assert lines[1] == (f"FAIL {p}::t::claim-2: error: claims[2]: a gradient needs a scalar f, but W * x is n×1 "
                        f"(use jacobian)")
    assert lines[2] == f"FAIL {p}::t::claim-3: error: claims[3]: f:1:6: unexpected '*'"
    assert lines[3].startswith(f"FAIL {p}::t::claim-4: error: claims[4]: a Jacobian needs a non-scalar f")
    assert lines[4] == "1 holds, 0 refuted, 3 errors; 3 not as expected"
    assert main(["check", str(p), "--format", "json"]) == 2
    results = json.loads(capsys.readouterr().out)["results"]
    assert [(r["claim"], r["verdict"], r["f"]) for r in results] == [
        (1, "holds", "x' * x"), (2, "error", "W * x"), (3, "error", "x' * * x"), (4, "error", "b' * W * x")]
    for fmt in ("markdown", "latex", "mathml", "rich"):  # every format shows the claim and its error
        assert main(["check", str(p), "--format", fmt]) == 2
        assert "unexpected" in capsys.readouterr().out
    assert main(["prove", str(p), "--format", "plain"]) == 2
    out = capsys.readouterr().out
    assert "claim 3: f = x' * * x\n  check:    error: claims[3]: f:1:6: unexpected '*'" in out and "claim 1: " in out


def test_an_error_in_the_files_shared_parts_fails_the_file_as_a_whole(tmp_path, capsys):
    p = tmp_path / "shared.toml"
    p.write_text(GOOD_HEAD + '[let]\nz = "W * * x"\n' + claims("x' * x", gradient="2 * x"), encoding="utf-8")
    assert main(["check", str(p), "--format", "plain"]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"FAIL {p}: error: {p}: let.z:1:5:") and len(lines) == 2


BUILT_IN = 'name = "t"\n[symbols]\nx = "vector(n)"\n[functions]\nsin = "{kind}"\n' + claims("sum(sin(x))", gradient="cos(x)")


def test_a_declaration_of_a_built_in_as_its_own_kind_is_accepted_with_a_note(tmp_path, capsys):
    """A file that declares sin = "elementwise" (valid before sin was built in) keeps working: the
    built-in is used, and a one-line note says the declaration is not needed."""
    p = tmp_path / "old.toml"
    p.write_text(BUILT_IN.format(kind="elementwise"), encoding="utf-8")
    assert main(["check", str(p), "--format", "plain"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"note {p}: sin is built in: the declaration is not needed"
    assert lines[1].startswith(f"ok   {p}::t::claim-1: holds")
    proof = load(p)
    assert proof.notes == ("sin is built in: the declaration is not needed",) and "sin" not in proof.scope.functions
    assert main(["check", str(p), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["notes"] == list(proof.notes)


@pytest.mark.parametrize("kind", ["scalar", "matrix"])
def test_a_declaration_of_a_built_in_as_another_kind_is_refused(tmp_path, capsys, kind):
    p = tmp_path / "old.toml"
    p.write_text(BUILT_IN.format(kind=kind), encoding="utf-8")
    assert main(["check", str(p), "--format", "plain"]) == 2
    out = capsys.readouterr().out
    assert f"function name 'sin' is reserved for a built-in (sin is an entrywise function, not '{kind}')" in out
