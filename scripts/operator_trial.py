"""Measure what adding an operator costs: add logsumexp(A) = log Σ exp(Aᵢⱼ) to a scratch copy of the
repository (a git worktree of HEAD), editing only its record and the checker's numeric table, then
run it through every concern (the re-checker confirming a refutation too) and report the files touched.

    python scripts/operator_trial.py

Exit status 0 when every concern works with at most 3 library files touched.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (file, old text, new text): the whole change, each old text replaced once.
EDITS = [
    ("matcalc/ops/reductions.py", "_SOFTMAX_NUMPY =", '''def d_logsumexp(e: Call, D, dep):
    """d logsumexp(A) = sum(exp(A) ⊙ dA) / sum(exp(A))"""
    ea = Entrywise("exp", e.arg)
    return Div(Call("sum", Hadamard(ea, D(e.arg))), Call("sum", ea))


_SOFTMAX_NUMPY ='''),
    ("matcalc/ops/reductions.py", '    Op("sum", CALL,', '''    Op("logsumexp", CALL, "log Σ exp(Aᵢⱼ), over all entries", "logsumexp(A)", shape=lambda a: SCALAR,
       differential=Rule("log-sum-exp", d_logsumexp),
       reference=lambda ev, a: [[ev.apply(ev.elementwise("log"),
                                          ev.total(ev.apply(ev.elementwise("exp"), x, 0) for r in a for x in r), 0)]],
       code={"numpy": Code("np.log(np.sum(np.exp({0}), keepdims=True))"),
             "jax": Code("jax.scipy.special.logsumexp({0}).reshape(1, 1)"),
             "torch": Code("torch.logsumexp({0}.reshape(-1), 0).reshape(1, 1)")},
       to_sympy=lambda w, e, v: w.sp.log(_sum_sympy(w, e, w(Entrywise("exp", e.arg))))),
    Op("sum", CALL,'''),
    ("matcalc/ops/reductions.py", "from ..expr import Add, Call,", "from ..expr import Add, Call, Entrywise,"),
    ("matcalc/checker/evaluate.py", "MATRIX_FUNCTIONS = {", '''def _logsumexp(a: Matrix) -> Matrix:
    """log Σ exp(aᵢⱼ)"""
    return [(builtin("log", _sum(mapped(lambda x: builtin("exp", x, 0), a))[0][0], 0),)]


MATRIX_FUNCTIONS = {"logsumexp": _logsumexp, '''),
]

#: What each concern runs in the scratch copy: (concern, Python code printing "ok ..." when it works).
CONCERNS = [
    ("derive and check", "import matcalc\nd = matcalc.derive('logsumexp(W * x)', 'W', symbols=S)\n"
                         "assert d.verdict.holds, d.verdict\nprint('ok', d.gradient)"),
    ("refute, and recheck", "import matcalc\nfrom matcalc.recheck import Certificate, recheck\n"
                            "v = matcalc.check('logsumexp(W * x)', 'W', \"exp(W * x) * x'\", symbols=S)\n"
                            "assert v.status == 'refuted', v\nr = recheck(Certificate(v.certificate, 'trial'))\n"
                            "assert r.confirmed and 'NOT inside' not in r.detail, r.detail\nprint('ok', r.detail)"),
    ("LaTeX", "import matcalc\nprint('ok', matcalc.derive('logsumexp(A)', 'A', symbols=S).to_latex().count('logsumexp'),"
              " 'mentions')"),
    ("SymPy", "import matcalc\nprint('ok', matcalc.to_sympy('logsumexp(A)', symbols=S))"),
    ("NumPy code", "import matcalc\nns = {}\nexec(matcalc.derive('logsumexp(W * x)', 'W', symbols=S).to_code('numpy'), ns)\n"
                   "errors = ns['check']()\nassert max(errors.values()) < 1e-6, errors\nprint('ok', errors)"),
]
SYMBOLS = "S = {'W': 'matrix(k, n)', 'x': 'vector(n)', 'A': 'matrix(m, n)'}\n"


def _apply(tree: Path) -> None:
    for name, old, new in EDITS:
        path = tree / name
        source = path.read_text(encoding="utf-8")
        assert old in source, f"{name}: {old!r} not found"
        path.write_text(source.replace(old, new, 1), encoding="utf-8")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "trial"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), "HEAD"], check=True)
        try:
            _apply(tree)
            touched = subprocess.run(["git", "-C", str(tree), "diff", "--stat"], capture_output=True, text=True,
                                     check=True).stdout
            print(touched)
            env = {**os.environ, "PYTHONPATH": str(tree)}
            works = True
            for concern, code in CONCERNS:
                r = subprocess.run([sys.executable, "-c", SYMBOLS + code], capture_output=True, text=True, env=env,
                                   cwd=tmp)
                line = (r.stdout.strip() or r.stderr.strip().splitlines()[-1])[:110]
                works &= r.returncode == 0
                print(f"{concern:22} {'works' if r.returncode == 0 else 'FAILS'}: {line}")
            checklist = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                        "tests/test_operators.py", "-k", "logsumexp"], capture_output=True, text=True,
                                       env=env, cwd=tree)
            works &= checklist.returncode == 0
            print(f"{'operator checklist':22} {'works' if checklist.returncode == 0 else 'FAILS'}: "
                  f"{checklist.stdout.strip().splitlines()[-1]}")
            files = [line for line in touched.splitlines() if "|" in line]
            print(f"library files touched: {len(files)}")
            return 0 if works and len(files) <= 3 else 1
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


if __name__ == "__main__":
    sys.exit(main())
