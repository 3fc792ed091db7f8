"""Documents on the command line, in the API and under pytest: the reports in every format and the
exit statuses, with a stand-in judge whose verdicts the equations spell (`wrong` is refuted, `\\delta`
skipped, `f = …` a definition, `boom` an error, `crash` a bug; the rest hold)."""
import io
import json
import subprocess
import sys
import types
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import matcalc
from matcalc.cli import main
from matcalc.notes.model import Judgement

POINT = {"X": "[1 -2/3; 10 4]", "a": "5"}

JUDGE = '''
from matcalc.notes.model import Judgement


def judge(rows, name="", seed=0):
    if any("crash" in r.text for r in rows):
        raise RuntimeError("crash")
    out = []
    for r in rows:
        expected = any(d.kind == "expect" for d in r.directives)
        if "boom" in r.text:
            verdict, kind, message = "error", "identity", "could not be checked: boom"
        elif "wrong" in r.text:
            verdict, kind, message = "refuted", "identity", "refuted at n=2: the sides differ"
        elif "\\\\delta" in r.text:
            verdict, kind, message = "skipped", "unread", "not an equation matcalc reads"
        elif r.text.startswith("f ="):
            verdict, kind, message = "defined", "definition", ""
        else:
            verdict, kind, message = "holds", "identity", "holds at 3 points"
        cx = {"summary": message, "sizes": {"n": 2}, "point": POINT} if verdict == "refuted" else None
        out.append(Judgement(r.line, r.text, kind, verdict, message, r.display, expected, cx,
                             "2 * X" if cx else None, ["e_{o1} is not e_{01}"] if "e_{o1}" in r.text else []))
    return out
'''.replace("POINT", repr(POINT))


def stand_in() -> types.ModuleType:
    module = types.ModuleType("matcalc.notes.judge")
    exec(JUDGE, module.__dict__)
    return module


@pytest.fixture(autouse=True)
def judge(monkeypatch):
    monkeypatch.setitem(sys.modules, "matcalc.notes.judge", stand_in())


def run(*argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            status = main(["check", *argv, "-j", "1"])
    finally:
        sys.stdin = saved
    return status, out.getvalue(), err.getvalue()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


NOTES = ("# Notes\n\n$$f = x^2$$\n$$g = wrong$$\n\n- an item\n\n  $$\n  h = k \\\\\n  = e_{o1} wrong\n  $$\n  after\n"
         "<!-- matcalc: expect refuted -->\n$$ p = wrong $$\n\n$$ \\delta = 1 $$\n")
GOOD = "$$f = x$$\n\n$$ a = b $$\n"
TEX = "\\documentclass{article}\n\\begin{document}\n\\begin{align*}\n  f &= 1 \\\\\n  x &= y\n\\end{align*}\n\\end{document}\n"


def test_plain_report_a_line_per_equation_its_details_and_the_summary(tmp_path):
    path = write(tmp_path, "notes.md", NOTES)
    status, out, _ = run(path, "--format", "plain")
    lines = out.splitlines()
    assert lines[0] == f"{path}:3: defined  f = x^2"
    assert lines[1] == f"{path}:4: ✗ refuted  g = wrong"
    assert lines[2:8] == ["    refuted at n=2: the sides differ", "    at n=2", "    X = [ 1 -2/3]", "        [10    4]",
                          "    a = 5", "    right: 2 * X"]
    assert f"{path}:9: ✓ holds  h = k" in lines and "    note: e_{o1} is not e_{01}" in lines
    assert f"{path}:14: ✗ refuted (expected)  p = wrong" in lines
    assert f"{path}:16: – skipped (not an equation matcalc reads)  \\delta = 1" in lines
    assert lines[-1] == "6 equations: 1 holds, 3 refuted (1 expected), 1 skipped, 1 definition; 2 not as expected"
    assert status == 1


def test_quiet_shows_only_what_is_not_as_expected(tmp_path):
    _, out, _ = run(write(tmp_path, "notes.md", NOTES), "--format", "plain", "--quiet")
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert [h.split(": ", 1)[1] for h in heads[:-1]] == ["✗ refuted  g = wrong", "✗ refuted  = e_{o1} wrong"]


def test_markdown_writes_the_document_back_with_a_mark_after_each_display(tmp_path):
    _, out, _ = run(write(tmp_path, "notes.md", NOTES), "--format", "markdown")
    assert out.startswith("# Notes\n\n$$f = x^2$$\n> defined\n\n$$g = wrong$$\n> ✗ refuted: refuted at n=2: the sides differ\n\n")
    assert ("  $$\n  > - $h = k$: ✓ holds\n  > - $= e_{o1} wrong$: ✗ refuted: refuted at n=2: the sides differ; "
            "e\\_{o1} is not e\\_{01}\n\n  after\n") in out
    assert "$$ p = wrong $$\n> ✗ refuted (expected): refuted at n=2: the sides differ\n\n" in out
    inserted = [line for line in out.splitlines() if line.lstrip().startswith(">")]
    kept = [line for line in out.splitlines() if not line.lstrip().startswith(">") and line.strip()]
    assert kept == [line for line in NOTES.splitlines() if line.strip()] and len(inserted) == 6


def test_json_one_record_per_equation(tmp_path):
    path = write(tmp_path, "notes.md", NOTES)
    _, out, _ = run(path, "--format", "json")
    data = json.loads(out)
    assert data["document"] == path and len(data["equations"]) == 6
    refuted = data["equations"][1]
    assert refuted == {"line": 4, "text": "g = wrong", "kind": "identity", "verdict": "refuted",
                       "message": "refuted at n=2: the sides differ", "expected": False,
                       "counterexample": {"summary": "refuted at n=2: the sides differ", "sizes": {"n": 2}, "point": POINT},
                       "right": "2 * X", "notes": []}
    assert data["summary"] == {"equations": 6, "holds": 1, "refuted": 3, "skipped": 1, "defined": 1, "error": 0,
                               "expected": 1, "unexpected": 2}


@pytest.mark.parametrize("fmt, inside", [("latex", "\\section*"), ("mathml", "<pre>"), ("rich", "✓")])
def test_other_formats_show_the_plain_report(tmp_path, fmt, inside):
    status, out, err = run(write(tmp_path, "notes.tex", TEX), "--format", fmt)
    assert status == 0 and inside in out and "1 holds" in out, err


def test_a_pdf_of_a_document_report_is_the_latex_compiled(tmp_path):
    from matcalc.documents import check_document
    from matcalc.notes import judged, read

    render = check_document([], {}, quiet=False, documents=[judged(read(write(tmp_path, "notes.md", NOTES)))])
    whole = render("latex", True)
    assert whole.startswith("\\documentclass") and "$\\checkmark$ holds" in whole and "✓" not in whole


@pytest.mark.parametrize("text, status", [
    (GOOD, 0),
    ("$$ a = wrong $$\n", 1),
    ("<!-- matcalc: expect refuted -->\n$$ a = wrong $$\n", 0),
    ("<!-- matcalc: expect refuted -->\n$$ a = b $$\n", 1),
    ("<!-- matcalc: expect refuted -->\n$$ a = b \\\\ = wrong $$\n", 0),
    ("$$ a = boom $$\n", 2),
])
def test_exit_status_follows_what_is_expected(tmp_path, text, status):
    assert run(write(tmp_path, "doc.md", text))[0] == status


def test_a_marked_display_not_refuted_is_shown_as_unexpected(tmp_path):
    _, out, _ = run(write(tmp_path, "doc.md", "<!-- matcalc: expect refuted -->\n$$ a = b $$\n"), "--format", "plain")
    assert "✓ holds (expected: refuted)  a = b" in out and "1 not as expected" in out


def test_a_document_the_judge_cannot_go_through_is_one_error_of_the_document(tmp_path):
    path = write(tmp_path, "doc.md", "$$ a = b $$\n\ntext\n$$ crash = 1 $$\n")
    status, out, _ = run(path, "--format", "plain")
    assert status == 2 and out.splitlines()[:2] == [f"{path}: ! error", "    internal error, please report: RuntimeError: crash"]
    _, out, _ = run(path, "--format", "markdown")
    assert out == "$$ a = b $$\n\ntext\n$$ crash = 1 $$\n> ! error: internal error, please report: RuntimeError: crash\n"


@pytest.mark.parametrize("text, message", [("a\n$$ x = y\n", "doc.md:2:1: $$ is never closed"),
                                           ("% matcalc: wrt\n$$x$$", "doc.md:1:11: matcalc: cannot read directive")])
def test_an_unreadable_document_is_one_error_line_and_no_output(tmp_path, text, message):
    good = write(tmp_path, "a.md", GOOD)
    status, out, err = run(good, write(tmp_path, "doc.md", text.replace("% ", "<!-- ").replace("wrt\n", "wrt -->\n")))
    assert status == 2 and out == "" and err.startswith("matcalc: error: ") and err.count("\n") == 1
    assert message.replace("1:11", "1:14") in err if "directive" in message else message in err


def test_folders_hold_documents_but_not_readmes_and_mixed_runs_sum_up_both(tmp_path):
    write(tmp_path, "README.md", "$$ readme = wrong $$\n")
    write(tmp_path, "sub/notes.md", GOOD)
    write(tmp_path, "sub/notes.tex", TEX)
    write(tmp_path, "proof.toml", 'name = "good"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "x\' * x"\nwrt = "x"\n'
                                  'gradient = "2 * x"\n')
    status, out, _ = run(str(tmp_path), "--format", "plain")
    assert status == 0 and "README" not in out and "notes.tex:5: ✓ holds  x = y" in out
    assert "1 holds, 0 refuted, 0 errors; 0 not as expected" in out
    assert out.splitlines()[-1] == "4 equations: 2 hold, 0 refuted (0 expected), 0 skipped, 2 definitions; 0 not as expected"
    data = json.loads(run(str(tmp_path), "--format", "json")[1])
    assert len(data["results"]) == 1 and [Path(d["document"]).name for d in data["documents"]] == ["notes.md", "notes.tex"]
    assert data["summary"]["holds"] == 3 and data["summary"]["claims"] == 1 and data["summary"]["equations"] == 4


def test_standard_input_is_markdown_unless_it_is_a_latex_document():
    status, out, _ = run("-", "--format", "plain", stdin="$$ a = b $$\n")
    assert status == 0 and out.startswith("<stdin>:1: ✓ holds  a = b")
    _, out, _ = run("-", "--format", "plain", stdin=TEX.replace("1 \\\\", "1 $$ \\\\"))
    assert "<stdin>:5: ✓ holds  x = y" in out


def test_documents_are_checked_in_worker_processes_alike(tmp_path):
    paths = [write(tmp_path, "a.md", NOTES), write(tmp_path, "b.tex", TEX)]
    one = run(*paths, "--format", "json")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["check", *paths, "-j", "2", "--format", "json"])
    assert (status, out.getvalue()) == one[:2]


def test_the_api_checks_a_path_or_a_text(tmp_path):
    path = write(tmp_path, "notes.md", NOTES)
    assert [j.verdict for j in matcalc.check_document(path)][:2] == ["defined", "refuted"]
    assert matcalc.check_document("$$ a = b $$") == [Judgement(1, "a = b", "identity", "holds", "holds at 3 points")]
    assert [j.line for j in matcalc.check_document(TEX)] == [4, 5]
    with pytest.raises(matcalc.MatcalcError, match="cannot read"):
        matcalc.check_document(str(tmp_path / "missing.md"))


PLUGIN_CONFTEST = "import sys, types\nm = types.ModuleType('matcalc.notes.judge')\nexec(JUDGE, m.__dict__)\n" \
                  "sys.modules['matcalc.notes.judge'] = m\n"


def test_pytest_collects_the_documents_of_a_proofs_folder(tmp_path):
    (tmp_path / "conftest.py").write_text(f"JUDGE = {JUDGE!r}\n" + PLUGIN_CONFTEST, encoding="utf-8")
    write(tmp_path, "proofs/good.md", GOOD)
    write(tmp_path, "proofs/wrong.tex", TEX.replace("x &= y", "x &= wrong"))
    write(tmp_path, "proofs/README.md", "$$ a = wrong $$\n")
    write(tmp_path, "elsewhere.md", "$$ a = wrong $$\n")
    write(tmp_path, "proofs/sub/broken.md", "text\n$$ x = y\n")
    r = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-p", "no:randomly", str(tmp_path)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert "proofs/good.md::equations PASSED" in r.stdout and "proofs/wrong.tex::equations FAILED" in r.stdout
    assert "wrong.tex:5: ✗ refuted  x = wrong" in r.stdout and "README" not in r.stdout and "elsewhere" not in r.stdout
    assert "proofs/sub/broken.md::equations FAILED" in r.stdout and "broken.md:2:1: $$ is never closed" in r.stdout
    assert "Traceback" not in r.stdout
    assert r.returncode == 1
