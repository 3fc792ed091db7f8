"""Check proof files, documents and folders: every claim derived and verified, every equation of
a document judged; a bad proof file is one error result, a document that cannot be read an error.

With several jobs the files are checked in worker processes, one file at a time each, and
the results are taken in the order of the files, so the output is the same as with one job.
With a cache (matcalc.cache), a claim or document found there is not checked again; with a
shard i/N, only the claims (and whole documents) of that shard are checked.
"""
from __future__ import annotations

import os
import pickle
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .deep import deep, run
from .notes import STDIN, Checked, Document, documents_below, is_document, read
from .proof_catalog import proof_files
from .errors import MatcalcError, printable

if TYPE_CHECKING:
    from .cache import Cache
    from .report import ClaimReport

# The prover and the checker (prooffile, report) are imported where a claim is checked, so that a
# run whose every claim is in the cache (``cache``) imports neither them nor SymPy.


def expand(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The files to check (files as given; folders as the *.toml files and the documents below
    them, sorted), and the folders that hold none."""
    files: list[Path] = []
    empty: list[str] = []
    for p in map(Path, paths):
        found = sorted(proof_files(p) + documents_below(p)) if p.is_dir() else [p]
        files.extend(found)
        if not found:
            empty.append(str(p))
    return files, empty


@deep
def check_file(path: Path | Document, *, seed: int = 0, only: frozenset[int] | None = None,
               text: str | None = None) -> list[ClaimReport] | Checked:
    """Every claim of one proof file (``only``: the claims of those indices; ``text``: the file's text
    as read already, which its cache keys were made from), or a document's equations judged; a proof
    file that cannot be read, parsed or checked is one error result, so that it never costs the
    other files their results."""
    from .report import claim_numbers, file_error, run_index, run_proof

    if isinstance(path, Document):
        from .notes import judged

        return judged(path, seed)
    try:
        from .prooffile import load, loads

        proof = load(path) if text is None else loads(text, str(path))
        if only is None:
            return run_proof(proof, seed=seed)
        return [run_index(proof, i, seed=seed) for i in claim_numbers(proof) if i in only]
    except MatcalcError as e:
        return [file_error(str(path), e)]
    except RecursionError:
        return [file_error(str(path), MatcalcError("too large to process (Python's recursion limit)"))]
    except Exception as e:  # a bug in matcalc: say so, and go on with the other files
        return [file_error(str(path), MatcalcError(f"internal error, please report: {type(e).__name__}: {e}"))]


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass
class _File:
    """One file of a run: its results as far as known (from the cache), and what is left to check."""

    path: Path
    item: Path | Document | None = None  # what check_file is given; None: nothing to check
    only: frozenset[int] | None = None  # the claims to check (None: all)
    owner: bool = True  # this shard reports the file's own error
    keys: dict[int, str] | None = None  # claim index -> cache key (a document's under 0)
    loads_key: str | None = None  # the key of "this proof file loads"
    hits: list = field(default_factory=list)  # reports (or a document) taken from the cache
    results: list | Checked | None = None
    text: str | None = None  # a proof file's text as read for its keys (and checked as it was read)


def check_paths(paths: list[str], *, seed: int = 0, progress: bool = False, jobs: int | None = 1,
                cache: Cache | None = None, read_cache: bool = True,
                shard: tuple[int, int] | None = None) -> tuple[list[ClaimReport], list[Checked]]:
    """Every claim of every proof file, and every document checked; with ``progress``, a bar on
    stderr (for a terminal); with ``jobs`` > 1 (None: one per core), files are checked in that many
    worker processes. A folder without proof files or documents is an error result; none at all,
    or a document that cannot be read (all are read first), is an error.

    With ``cache``, what holds (or is refuted as expected) is stored there, and (with
    ``read_cache``) a claim or document found there is not checked again. With ``shard`` (i, N),
    only the claims (and whole documents) of shard i of N are checked (``cache.shard_of``); a proof
    file's own error is reported by the shard of its index 0."""
    files, empty = expand(paths)
    if not files:
        raise MatcalcError(f"no proof files in {', '.join(paths)}")

    def mine(path, index: int) -> bool:
        from .cache import shard_of

        return shard is None or shard_of(str(path), index, shard[1]) == shard[0]

    plans = [_plan(f, seed, mine, cache, read_cache, shard is not None) for f in files]
    reports: list[ClaimReport] = []
    if any(mine(p, 0) for p in empty):
        from .report import file_error

        reports = [file_error(p, MatcalcError(f"no proof files in {p}")) for p in empty if mine(p, 0)]
    todo = [p for p in plans if p.item is not None]
    jobs = min(jobs or cores(), len(todo)) or 1
    results = (_in_workers(todo, seed, jobs) if jobs > 1 else
               (check_file(p.item, seed=seed, only=p.only, text=p.text) for p in todo))
    if progress and len(todo) > 1:
        results = _with_bar(todo, results)
    for plan, found in zip(todo, results):
        plan.results = found
        if cache is not None:
            _store(cache, plan, found)
    documents: list[Checked] = []
    for plan in plans:
        found = _merged(plan)
        if isinstance(found, Checked):
            documents.append(found)
        else:
            reports.extend(found)
    return reports, documents


def _plan(path: Path, seed: int, mine, cache: Cache | None, read_cache: bool, sharded: bool) -> _File:
    """What is known of one file before checking (its results from the cache) and what is left to
    check; a document not in the cache is read here (an unreadable one is an error for the run)."""
    plan = _File(path, owner=mine(path, 0))
    reading = cache if read_cache else None
    if is_document(path):
        if not plan.owner:
            return plan
        if str(path) == STDIN or cache is None:
            plan.item = read(path)
            return plan
        from .cache import document_key, read_text

        text = read_text(path)
        if text is not None:
            plan.keys = {0: document_key(str(path), text, seed)}
            hit = reading.document(plan.keys[0], printable(str(path))) if reading is not None else None
            if hit is not None:
                plan.hits = [hit]
                return plan
        plan.item = read(path)
        return plan
    if cache is None and not sharded:
        plan.item = path
        return plan
    from .cache import claims_of, claim_keys, file_key, read_text

    text = plan.text = read_text(path)
    claims = claims_of(text) if text is not None else None
    if claims is None:  # not TOML with claims: the file's error, from its shard
        plan.item = path if plan.owner else None
        return plan
    indices = [i for i in range(1, len(claims) + 1) if mine(path, i)]
    if cache is not None:
        plan.keys = claim_keys(str(path), text, seed)
        plan.loads_key = file_key(str(path), text)
    for i in indices:
        hit = reading.claim(plan.keys[i], i, printable(str(path))) if reading is not None and plan.keys else None
        if hit is not None:
            plan.hits.append(hit)
    missing = frozenset(indices) - {r.claim.index for r in plan.hits}
    if missing:
        plan.item, plan.only = path, (None if len(missing) == len(claims) else missing)
    elif plan.owner and len(indices) < len(claims) and not (reading is not None and reading.loads(plan.loads_key)):
        plan.item, plan.only = path, frozenset()  # only to report the file's error, if it has one
    return plan


def _store(cache: Cache, plan: _File, found: list[ClaimReport] | Checked) -> None:
    """The results as expected put in the cache."""
    if isinstance(found, Checked):
        if plan.keys:
            cache.put_document(plan.keys[0], found)
        return
    if any(r.index is None for r in found):
        return
    if plan.loads_key:
        cache.put_loads(plan.loads_key)
    for r in found:
        if plan.keys and r.claim is not None and r.claim.index in plan.keys:
            cache.put_claim(plan.keys[r.claim.index], r)


def _merged(plan: _File) -> list | Checked:
    """A file's results: those from the cache and those checked, in the order of its claims; a
    proof file that could not be loaded is its one error (from the shard of its index 0)."""
    found = plan.results
    if isinstance(found, Checked):
        return found
    if found is None:
        return plan.hits[0] if plan.hits and isinstance(plan.hits[0], Checked) else list(plan.hits)
    if any(r.index is None for r in found):  # the file's own error (a bad claim's has its index)
        return [r for r in found if r.index is None] if plan.owner else []
    return sorted([*plan.hits, *found], key=lambda r: r.index)


def _with_bar(todo: list[_File], results):
    """The results as they come, with a progress bar on stderr."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking", total=len(todo))
        for plan, found in zip(todo, results):
            bar.update(task, description=f"checking {escape(printable(plan.path.name))}")
            yield found
            bar.advance(task)


def _in_workers(todo: list[_File], seed: int, jobs: int):
    """Each file's results, in the order of ``todo``, checked by ``jobs`` worker processes.
    Ctrl-C (KeyboardInterrupt here) terminates the workers, which ignore it themselves."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    # Ctrl-C is held back while the workers are forked (they inherit that, and ignore it once
    # started); the parent then takes a Ctrl-C that came meanwhile inside the try below
    main = threading.current_thread() is threading.main_thread()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if main else None
    pool = ctx.Pool(jobs, initializer=_worker_start)
    try:
        if main:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        for data in pool.imap(_worker_check, [(p.item, seed, p.only, p.text) for p in todo], chunksize=1):
            yield pickle.loads(data)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _worker_start() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers on Ctrl-C
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _worker_check(job: tuple[Path | Document, int, frozenset[int] | None, str | None]) -> bytes:
    """One file's results, pickled in a deep thread (pickling a deep expression recurses)."""
    item, seed, only, text = job
    return run(lambda: pickle.dumps(check_file(item, seed=seed, only=only, text=text), pickle.HIGHEST_PROTOCOL))


def summarize(reports: list[ClaimReport]) -> dict:
    count = {"holds": 0, "refuted": 0, "error": 0}
    for r in reports:
        count[r.verdict] += 1
    return {**count, "unexpected": sum(not r.ok for r in reports)}
