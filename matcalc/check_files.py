"""Check proof files, documents and folders: every claim derived and verified, every equation of
a document judged; a bad proof file is one error result, a document that cannot be read an error.

With several jobs the files are checked in worker processes, one file at a time each, and
the results are taken in the order of the files, so the output is the same as with one job.
"""
from __future__ import annotations

import os
import pickle
import signal
import threading
from pathlib import Path

from .deep import deep, run
from .notes import Checked, Document, documents_below, is_document, judged, read
from .proof_catalog import proof_files
from .errors import MatcalcError, printable
from .prooffile import load
from .report import ClaimReport, file_error, run_proof


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
def check_file(path: Path | Document, *, seed: int = 0) -> list[ClaimReport] | Checked:
    """Every claim of one proof file, or a document's equations judged; a proof file that cannot be
    read, parsed or checked is one error result, so that it never costs the other files their results."""
    if isinstance(path, Document):
        return judged(path)
    try:
        return run_proof(load(path), seed=seed)
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


def check_paths(paths: list[str], *, seed: int = 0, progress: bool = False,
                jobs: int | None = 1) -> tuple[list[ClaimReport], list[Checked]]:
    """Every claim of every proof file, and every document checked; with ``progress``, a bar on
    stderr (for a terminal); with ``jobs`` > 1 (None: one per core), files are checked in that many
    worker processes. A folder without proof files or documents is an error result; none at all,
    or a document that cannot be read (all are read first), is an error."""
    files, empty = expand(paths)
    if not files:
        raise MatcalcError(f"no proof files in {', '.join(paths)}")
    work = [read(f) if is_document(f) else f for f in files]
    reports = [file_error(p, MatcalcError(f"no proof files in {p}")) for p in empty]
    documents: list[Checked] = []

    def take(found: list[ClaimReport] | Checked) -> None:
        if isinstance(found, Checked):
            documents.append(found)
        else:
            reports.extend(found)

    jobs = min(jobs or cores(), len(work))
    results = _in_workers(work, seed, jobs) if jobs > 1 else (check_file(item, seed=seed) for item in work)
    if not progress or len(work) < 2:
        for found in results:
            take(found)
        return reports, documents
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking", total=len(work))
        for path, found in zip(files, results):
            bar.update(task, description=f"checking {escape(printable(path.name))}")
            take(found)
            bar.advance(task)
    return reports, documents


def _in_workers(work: list[Path | Document], seed: int, jobs: int):
    """Each file's results, in the order of ``work``, checked by ``jobs`` worker processes.
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
        for data in pool.imap(_worker_check, [(item, seed) for item in work], chunksize=1):
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


def _worker_check(job: tuple[Path | Document, int]) -> bytes:
    """One file's results, pickled in a deep thread (pickling a deep expression recurses)."""
    item, seed = job
    return run(lambda: pickle.dumps(check_file(item, seed=seed), pickle.HIGHEST_PROTOCOL))


def summarize(reports: list[ClaimReport]) -> dict:
    count = {"holds": 0, "refuted": 0, "error": 0}
    for r in reports:
        count[r.verdict] += 1
    return {**count, "unexpected": sum(not r.ok for r in reports)}
