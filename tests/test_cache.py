"""Incremental checks (matcalc check --cache, the pytest plugin's cache), shards and JUnit reports."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from matcalc import cache as cache_module
from matcalc.cache import Cache, CachedChecked, CachedReport, claims_of, shard_of
from matcalc.check_files import check_paths, expand

from .cli_process import ROOT, cli

SQUARE = '''name = "square"
title = "A square"
[symbols]
x = "vector(n)"
[[claims]]
f = "x' * x"
wrt = "x"
gradient = "2 * x"
[[claims]]
f = "x' * x"
wrt = "x"
gradient = "x"
expect = "refuted"
'''
TRACE = '''name = "trace"
[symbols]
A = "matrix(m, n)"
X = "matrix(m, n)"
[[claims]]
f = "tr(A' * X)"
wrt = "X"
gradient = "A"
'''
WRONG = '''name = "wrong"
[symbols]
x = "vector(n)"
A = "matrix(n, n)"
[[claims]]
f = "x' * A * x"
wrt = "x"
gradient = "2 * A * x"
'''
BROKEN = 'name = "broken"\n[symbols]\nx = "vector(n)"\n[[claims]]\nf = "x\' * * x"\nwrt = "x"\n'


@pytest.fixture
def proofs(tmp_path: Path) -> Path:
    folder = tmp_path / "proofs"
    folder.mkdir()
    (folder / "square.toml").write_text(SQUARE, encoding="utf-8")
    (folder / "trace.toml").write_text(TRACE, encoding="utf-8")
    shutil.copy(ROOT / "proofs" / "documents" / "chain-rule-221.md", folder / "chain.md")
    return folder


def run(folder: Path, store: Path | None, **kw):
    return check_paths([str(folder)], cache=Cache(store) if store else None, jobs=1, **kw)


def labels(reports) -> list[str]:
    return [r.file if r.claim is None else f"{r.file}::{r.proof}::claim-{r.claim.index}" for r in reports]


def cached(reports, documents) -> list[bool]:
    return [isinstance(r, CachedReport) for r in reports] + [isinstance(d, CachedChecked) for d in documents]


def test_a_second_run_takes_everything_from_the_cache(proofs, tmp_path):
    store = tmp_path / "cache"
    first, docs1 = run(proofs, store)
    assert cached(first, docs1) == [False] * 4 and all(r.ok for r in first) and docs1[0].ok
    second, docs2 = run(proofs, store)
    assert cached(second, docs2) == [True] * 4
    assert labels(second) == labels(first)
    assert [(r.verdict, r.ok) for r in second] == [(r.verdict, r.ok) for r in first]
    assert [r.message for r in second] == [r.message + " (cached)" for r in first]
    assert docs2[0].judgements == docs1[0].judgements
    assert (store / ".gitignore").read_text().endswith("*\n") and (store / "CACHEDIR.TAG").exists()
    assert not list(store.rglob("*.partial"))


def test_a_changed_claim_or_declaration_is_checked_again(proofs, tmp_path):
    store = tmp_path / "cache"
    run(proofs, store)
    square = proofs / "square.toml"
    square.write_text(SQUARE.replace('gradient = "2 * x"', 'gradient = "x + x"'), encoding="utf-8")
    reports, docs = run(proofs, store)
    by_label = dict(zip(labels(reports), cached(reports, [])))
    assert by_label == {f"{square}::square::claim-1": False, f"{square}::square::claim-2": True,
                        f"{proofs / 'trace.toml'}::trace::claim-1": True}
    assert all(r.ok for r in reports) and cached([], docs) == [True]
    # free text is not part of a claim's key; a declaration is, for every claim of the file
    square.write_text(SQUARE.replace("A square", "Another title"), encoding="utf-8")
    assert cached(*run(proofs, store))[:2] == [True, True]
    square.write_text(SQUARE.replace('x = "vector(n)"', 'x = "vector(k)"'), encoding="utf-8")
    assert cached(*run(proofs, store))[:2] == [False, False]
    # a document edited is judged again
    (proofs / "chain.md").write_text((proofs / "chain.md").read_text(encoding="utf-8") + "\nMore text.\n",
                                     encoding="utf-8")
    assert cached(*run(proofs, store))[-1] is False


def test_another_seed_is_another_key(proofs, tmp_path):
    store = tmp_path / "cache"
    run(proofs, store)
    assert cached(*run(proofs, store, seed=1)) == [False] * 4  # claims and documents


def test_a_changed_checker_checks_everything_again(proofs, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    run(proofs, store)
    monkeypatch.setattr(cache_module, "source_hash", lambda: "another matcalc")
    assert cached(*run(proofs, store)) == [False] * 4
    assert cached(*run(proofs, store)) == [True] * 4


def test_the_source_hash_covers_the_package_and_is_computed_once():
    assert cache_module.source_hash() == cache_module.source_hash()
    assert cache_module.source_hash.cache_info().misses == 1
    import flint
    import lark
    import sympy

    assert [cache_module.version_of(m, d) for m, d in cache_module.RUNS_ON] == [flint.__version__, sympy.__version__,
                                                                                lark.__version__]


def test_not_reading_the_cache_checks_everything_and_refreshes_it(proofs, tmp_path):
    store = tmp_path / "cache"
    run(proofs, store)
    assert cached(*run(proofs, store, read_cache=False)) == [False] * 4
    assert cached(*run(proofs, store)) == [True] * 4


def test_only_what_is_as_expected_is_stored(tmp_path):
    folder = tmp_path / "proofs"
    folder.mkdir()
    (folder / "wrong.toml").write_text(WRONG, encoding="utf-8")
    (folder / "broken.toml").write_text(BROKEN, encoding="utf-8")
    store = tmp_path / "cache"
    first, _ = run(folder, store)
    assert not any(r.ok for r in first)
    second, _ = run(folder, store)
    assert cached(second, []) == [False, False]
    assert [r.error for r in second] == [r.error for r in first]


def test_a_corrupt_entry_is_ignored_and_rewritten(proofs, tmp_path):
    store = tmp_path / "cache"
    run(proofs, store)
    entries = sorted((store / "v1").rglob("*.json"))
    assert len(entries) >= 4
    for i, entry in enumerate(entries):
        entry.write_bytes([b"{not json", b"", b"\xff\xfe", b'{"key": "another"}', b"[1, 2]"][i % 5])
    reports, docs = run(proofs, store)
    assert cached(reports, docs) == [False] * 4 and all(r.ok for r in reports)
    assert cached(*run(proofs, store)) == [True] * 4
    # an entry whose content does not fit (a verdict not as expected) is ignored too
    for entry in (store / "v1").rglob("*.json"):
        data = json.loads(entry.read_text(encoding="utf-8"))
        if "verdict" in data:
            entry.write_text(json.dumps({**data, "verdict": "error"}), encoding="utf-8")
    assert cached(*run(proofs, store))[:3] == [False] * 3


def test_a_claims_own_title_or_source_is_part_of_its_key(proofs, tmp_path):
    """Only a claim's note is free text: title and source are unknown keys of a claim (an error)."""
    store = tmp_path / "cache"
    run(proofs, store)
    square = proofs / "square.toml"
    for key in ("title", "source"):
        square.write_text(SQUARE.replace('gradient = "2 * x"', f'gradient = "2 * x"\n{key} = "a claim\'s {key}"'),
                          encoding="utf-8")
        reports, _ = run(proofs, store)
        assert not isinstance(reports[0], CachedReport) and "unknown key" in reports[0].error
    square.write_text(SQUARE.replace('gradient = "2 * x"', 'gradient = "2 * x"\nnote = "why"'), encoding="utf-8")
    assert cached(*run(proofs, store))[0] is True


def test_a_claim_is_checked_as_the_text_its_key_was_made_from(proofs, tmp_path, monkeypatch):
    """A file changed while a run is under way: what is stored is the verdict on the text keyed."""
    from matcalc import check_files

    store = tmp_path / "cache"
    wrong = proofs / "wrong.toml"
    wrong.write_text(WRONG, encoding="utf-8")
    real = check_files.check_file

    def edited_meanwhile(item, **kw):  # the file is corrected after its keys were made
        wrong.write_text(WRONG.replace('"2 * A * x"', '"(A + A\') * x"'), encoding="utf-8")
        return real(item, **kw)

    monkeypatch.setattr(check_files, "check_file", edited_meanwhile)
    first, _ = run(proofs, store)
    monkeypatch.undo()
    wrong.write_text(WRONG, encoding="utf-8")
    again, _ = run(proofs, store)
    verdicts = {r.proof: (r.verdict, isinstance(r, CachedReport)) for r in first + again if r.proof == "wrong"}
    assert verdicts == {"wrong": ("refuted", False)}


def test_a_file_too_deep_to_parse_is_one_error_with_the_cache_and_shards(proofs, tmp_path):
    deep = proofs / "deep.toml"
    deep.write_text(SQUARE.replace('title = "A square"', 'note = ' + "[" * 2000 + "]" * 2000), encoding="utf-8")
    for options in (["--cache", str(tmp_path / "cache")], ["--shard", "1/1"]):
        done = cli("check", str(proofs), "--format", "plain", *options)
        lines = done.stdout.splitlines()
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        fails = [ln for ln in lines if ln.startswith("FAIL")]
        assert len(fails) == 1 and fails[0].startswith(f"FAIL {deep}: error: ")
        assert sum(ln.startswith("ok ") for ln in lines) == 3


def test_entries_that_do_not_fit_are_ignored(proofs, tmp_path):
    """Nested past the recursion limit, a judgement of the wrong types, a claim of another index."""
    store = tmp_path / "cache"
    run(proofs, store)
    for entry in (store / "v1").rglob("*.json"):
        data = json.loads(entry.read_text(encoding="utf-8"))
        if "judgements" in data:
            data["judgements"][0]["notes"] = 5
            entry.write_text(json.dumps(data), encoding="utf-8")
        elif data.get("index") == 1:
            entry.write_text(json.dumps({**data, "index": 5}), encoding="utf-8")
        elif "index" in data:
            entry.write_text("[" * 100000, encoding="utf-8")
    reports, docs = run(proofs, store)
    assert cached(reports, docs) == [False] * 4 and all(r.ok for r in reports) and docs[0].ok


def test_a_files_notes_are_printed_with_its_cached_claims(tmp_path):
    folder = tmp_path / "proofs"
    folder.mkdir()
    (folder / "sine.toml").write_text(SQUARE.replace('x = "vector(n)"', 'x = "vector(n)"\n[functions]\nsin = "elementwise"'),
                                      encoding="utf-8")
    store = tmp_path / "cache"
    outputs = [cli("check", str(folder), "--cache", str(store), "--format", "plain").stdout for _ in range(2)]
    assert "(cached)" in outputs[1]
    notes = [[ln for ln in out.splitlines() if ln.startswith("note ")] for out in outputs]
    assert notes[0] and notes[1] == notes[0]


def test_a_cache_that_cannot_be_written_changes_nothing(proofs, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    reports, docs = run(proofs, blocker / "cache")
    assert all(r.ok for r in reports) and docs[0].ok


@pytest.mark.slow
def test_the_command_line_marks_cached_results_and_imports_no_checker(proofs, tmp_path):
    store = tmp_path / "cache"
    first = cli("check", str(proofs), "--cache", str(store), "-j", "1")
    assert first.returncode == 0, first.stderr
    assert "(cached)" not in first.stdout
    probe = ("import sys, json, contextlib, io\n"
             "from matcalc.cli import main\n"
             "out = io.StringIO()\n"
             "with contextlib.redirect_stdout(out):\n"
             f"    status = main(['check', {str(proofs)!r}, '--cache', {str(store)!r}, '--format', FORMAT])\n"
             "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'flint', 'lark') or\n"
             "               m.startswith(('matcalc.engine', 'matcalc.checker', 'matcalc.report', 'matcalc.prooffile')))\n"
             "print(json.dumps({'status': status, 'heavy': heavy, 'out': out.getvalue()}))\n")
    env = {"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    for fmt in ("plain", "json", "rich"):
        done = subprocess.run([sys.executable, "-c", probe.replace("FORMAT", repr(fmt))], capture_output=True,
                              text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stdout)
        assert seen["status"] == 0 and seen["heavy"] == [], (fmt, seen["heavy"])
        if fmt == "json":
            out = json.loads(seen["out"])
            assert all(r["cached"] for r in out["results"]) and out["documents"][0]["cached"]
            assert [r["verdict"] for r in out["results"]] == ["holds", "refuted", "holds"]
        else:
            assert seen["out"].count("(cached)") == 3 + sum(1 for line in first.stdout.splitlines()
                                                             if "chain.md:" in line)
    second = cli("check", str(proofs), "--cache", str(store))
    assert second.stdout.replace(" (cached)", "") == first.stdout
    again = cli("check", str(proofs), "--cache", str(store), "--no-cache", "-j", "1")
    assert again.stdout == first.stdout
    # the formats that show every derivation do not read the cache (and say nothing of it)
    latex = cli("check", str(proofs), "--cache", str(store), "--format", "markdown", "-j", "1")
    assert latex.returncode == 0 and "(cached)" not in latex.stdout


# ---- shards


def units(paths: list[str]) -> list[tuple[str, int]]:
    """Every claim (path, index) and document (path, 0) of a run, as the shards split them."""
    found = []
    for f in expand(paths)[0]:
        if f.suffix == ".toml":
            n = len(claims_of(f.read_text(encoding="utf-8")) or [None])
            found += [(str(f), i) for i in range(1, n + 1)]
        else:
            found.append((str(f), 0))
    return found


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_shards_split_the_catalog_by_claim(n):
    catalog = units([str(ROOT / "proofs")])
    assert len(catalog) > 300
    shards = {i: [u for u in catalog if shard_of(u[0], u[1], n) == i] for i in range(1, n + 1)}
    assert sorted(u for part in shards.values() for u in part) == sorted(catalog)
    assert all(len(part) > len(catalog) / n / 2 for part in shards.values())  # none far from its share


def test_the_split_is_stable():
    # a fixed value: the same on every machine and Python (not hash(), which is salted per process)
    assert [shard_of("proofs/cookbook/traces.toml", i, 4) for i in range(6)] == \
        [shard_of(Path("proofs/cookbook/traces.toml"), i, 4) for i in range(6)]
    assert shard_of("a.toml", 1, 1) == 1
    probe = "from matcalc.cache import shard_of; print([shard_of('proofs/x.toml', i, 3) for i in range(20)])"
    env = {"PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "random", "PATH": "/usr/bin:/bin"}
    outs = {subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env).stdout
            for _ in range(2)}
    assert outs == {str([shard_of("proofs/x.toml", i, 3) for i in range(20)]) + "\n"}


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_shards_together_check_every_claim_once(tmp_path, monkeypatch, n):
    folder = tmp_path / "p"
    folder.mkdir()
    for k in range(4):
        (folder / f"f{k}.toml").write_text(SQUARE.replace('"square"', f'"f{k}"'), encoding="utf-8")
    (folder / "broken.toml").write_text(SQUARE.replace('"vector(n)"', '"vector(n"') + TRACE.split("\n", 4)[4],
                                        encoding="utf-8")  # three claims, and a file that cannot be loaded
    (folder / "empty").mkdir()
    (folder / "doc.md").write_text("$$x = x$$\n", encoding="utf-8")
    checked = []
    import matcalc.report as report

    def fake(proof, claim, *, seed=0):  # the split is under test, not the checker
        checked.append((proof.path, claim.index))
        return report.ClaimReport(proof.path, proof.name, claim, None, None, None, "")

    monkeypatch.setattr(report, "run_claim", fake)
    monkeypatch.setattr(report, "run_proof", lambda proof, *, seed=0: [fake(proof, c) for c in proof.claims])
    paths = [str(folder), str(folder / "empty")]
    whole = labels(check_paths(paths, jobs=1)[0])
    once = len(checked)
    together, docs = [], []
    for i in range(1, n + 1):
        found, documents = check_paths(paths, jobs=1, shard=(i, n))
        together += labels(found)
        docs += [d.document.name for d in documents]
    assert sorted(together) == sorted(whole)
    assert len(whole) == 4 * 2 + 1 + 1  # the claims, the broken file's one error, the empty folder's
    assert docs == [str(folder / "doc.md")]
    assert sorted(checked[once:]) == sorted(checked[:once]) and once == 8  # each claim checked once by the shards


# ---- JUnit XML


@pytest.mark.slow
def test_junit_reports_of_the_shards_add_up(tmp_path, proofs):
    (proofs / "wrong.toml").write_text(WRONG, encoding="utf-8")
    (proofs / "broken.toml").write_text(BROKEN, encoding="utf-8")
    cases = []
    for i in (1, 2):
        xml = tmp_path / f"shard-{i}.xml"
        done = cli("check", str(proofs), "--shard", f"{i}/2", "--junit-xml", str(xml), "-j", "1")
        assert done.returncode in (0, 1, 2) and "Traceback" not in done.stderr, done.stderr
        suite = ET.parse(xml).getroot().find("testsuite")
        found = suite.findall("testcase")
        assert int(suite.get("tests")) == len(found)
        assert int(suite.get("failures")) == sum(c.find("failure") is not None for c in found)
        assert int(suite.get("errors")) == sum(c.find("error") is not None for c in found)
        cases += found
    names = sorted((Path(c.get("classname")).name, c.get("name")) for c in cases)
    assert names == [("broken.toml", "file"), ("chain.md", "equations"), ("square.toml", "square::claim-1"),
                     ("square.toml", "square::claim-2"), ("trace.toml", "trace::claim-1"),
                     ("wrong.toml", "wrong::claim-1")]
    failed = {Path(c.get("classname")).name: c for c in cases if c.find("failure") is not None}
    errors = {Path(c.get("classname")).name for c in cases if c.find("error") is not None}
    assert set(failed) == {"wrong.toml"} and errors == {"broken.toml"}
    assert "the right gradient is (A + A') * x" in failed["wrong.toml"].find("failure").text


def test_junit_xml_of_a_run(tmp_path):
    from matcalc.junit import junit_xml

    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "trace.toml").write_text(TRACE, encoding="utf-8")
    (folder / "broken.toml").write_text(BROKEN, encoding="utf-8")
    reports, documents = check_paths([str(folder)], jobs=1)
    root = ET.fromstring(junit_xml(reports, documents))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "0", "1")
    assert root.get("tests") == "2"


def test_bad_shards_are_usage_errors():
    from matcalc.cache import parse_shard

    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "1", "a/b", "1/0", "-1/2"):
        with pytest.raises(ValueError):
            parse_shard(bad)


# ---- the pytest plugin


@pytest.mark.slow
def test_the_plugin_caches_beside_pytests_own_cache(tmp_path):
    (tmp_path / "square.toml").write_text(SQUARE, encoding="utf-8")

    def pytest_run(*args):
        xml = tmp_path / "report.xml"
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", f"--junit-xml={xml}",
                               "-o", "junit_family=xunit1", *args, str(tmp_path)],
                              capture_output=True, text=True, cwd=tmp_path, timeout=300,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout, xml.read_text(encoding="utf-8").count('value="cached"')

    out, hits = pytest_run("-p", "no:cacheprovider")
    assert "2 passed" in out and hits == 0 and not (tmp_path / ".matcalc_cache").exists()
    assert pytest_run()[1] == 0 and (tmp_path / ".matcalc_cache" / "v1").is_dir()
    assert pytest_run()[1] == 2
    assert pytest_run("--matcalc-no-cache")[1] == 0
    assert pytest_run("--cache-clear")[1] == 0
    assert pytest_run("-p", "no:cacheprovider", "--matcalc-cache", str(tmp_path / "mine"))[1] == 0
    assert pytest_run("-p", "no:cacheprovider", "--matcalc-cache", str(tmp_path / "mine"))[1] == 2
