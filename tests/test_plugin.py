"""The pytest plugin: proof files collected as FILE::proof::claim-N items."""
import subprocess
import sys

GOOD = 'name = "good"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "x\' * x"\nwrt = "x"\ngradient = "2 * x"\n'
WRONG = 'name = "wrong"\n[symbols]\nx = "vector(n)"\nA = "matrix(n, n)"\n[[claims]]\nf = "x\' * A * x"\nwrt = "x"\ngradient = "2 * A * x"\n'
BAD = ('name = "bad"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "x\' * * x"\nwrt = "x"\n'
       '[[claims]]\nf = "x\' * x"\nwrt = "x"\ngradient = "2 * x"\n')
BAD_FILE = 'name = "bad"\n[symbols]\nx = "vektor(n)"\n[[claims]]\nf = "x\' * x"\nwrt = "x"\n'  # its symbols


def run(tmp_path, *files):
    for name, text in files:
        (tmp_path / name).write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-p", "no:randomly", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path)


def test_items_are_named_and_pass(tmp_path):
    r = run(tmp_path, ("good.toml", GOOD))
    assert r.returncode == 0, r.stdout
    assert "good.toml::good::claim-1 PASSED" in r.stdout


def test_wrong_claim_fails_with_counterexample(tmp_path):
    r = run(tmp_path, ("good.toml", GOOD), ("wrong.toml", WRONG))
    assert r.returncode == 1
    assert "wrong.toml::wrong::claim-1 FAILED" in r.stdout and "good.toml::good::claim-1 PASSED" in r.stdout
    assert "refuted at" in r.stdout and "the right gradient is (A + A') * x" in r.stdout


def test_malformed_file_is_one_error_line_and_others_run(tmp_path):
    r = run(tmp_path, ("good.toml", GOOD), ("bad.toml", BAD_FILE))
    assert "good.toml::good::claim-1 PASSED" in r.stdout
    assert "bad.toml::file FAILED" in r.stdout and "symbols.x: bad shape 'vektor(n)'" in r.stdout
    assert "Traceback" not in r.stdout and "lark" not in r.stdout


def test_a_bad_claim_is_its_own_failing_item_and_the_others_run(tmp_path):
    r = run(tmp_path, ("good.toml", GOOD), ("bad.toml", BAD))
    assert "good.toml::good::claim-1 PASSED" in r.stdout
    assert "bad.toml::bad::claim-1 FAILED" in r.stdout and "bad.toml::bad::claim-2 PASSED" in r.stdout
    assert "claims[1]: f:1:6: unexpected '*'" in r.stdout and "::file" not in r.stdout
    assert "Traceback" not in r.stdout and "lark" not in r.stdout
