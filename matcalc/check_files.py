"""Check proof files and folders: every claim derived and verified; a bad file is one error result.

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
from .proof_catalog import proof_files
from .errors import MatcalcError, printable
from .prooffile import load
from .report import ClaimReport, file_error, run_proof


def expand(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The files to check (files as given; folders as the *.toml files below them, sorted),
    and the folders that hold none."""
    files: list[Path] = []
    empty: list[str] = []
    for p in map(Path, paths):
        found = proof_files(p) if p.is_dir() else [p]
        files.extend(found)
        if not found:
            empty.append(str(p))
    return files, empty


@deep
def check_file(path: Path, *, seed: int = 0) -> list[ClaimReport]:
    """Every claim of one file; a file that cannot be read, parsed or checked is one error
    result, so that it never costs the other files their results."""
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


def check_paths(paths: list[str], *, seed: int = 0, progress: bool = False, jobs: int | None = 1) -> list[ClaimReport]:
    """Every claim of every file; with ``progress``, a bar on stderr (for a terminal); with
    ``jobs`` > 1 (None: one per core), files are checked in that many worker processes.
    A folder without proof files is an error result; no proof file at all is an error."""
    files, empty = expand(paths)
    if not files:
        raise MatcalcError(f"no proof files in {', '.join(paths)}")
    reports = [file_error(p, MatcalcError(f"no proof files in {p}")) for p in empty]
    jobs = min(jobs or cores(), len(files))
    results = _in_workers(files, seed, jobs) if jobs > 1 else (check_file(path, seed=seed) for path in files)
    if not progress or len(files) < 2:
        for found in results:
            reports.extend(found)
        return reports
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking", total=len(files))
        for path, found in zip(files, results):
            bar.update(task, description=f"checking {escape(printable(path.name))}")
            reports.extend(found)
            bar.advance(task)
    return reports


def _in_workers(files: list[Path], seed: int, jobs: int):
    """Each file's reports, in the order of ``files``, checked by ``jobs`` worker processes.
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
        for data in pool.imap(_worker_check, [(str(p), seed) for p in files], chunksize=1):
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


def _worker_check(job: tuple[str, int]) -> bytes:
    """One file's reports, pickled in a deep thread (pickling a deep expression recurses)."""
    path, seed = job
    return run(lambda: pickle.dumps(check_file(Path(path), seed=seed), pickle.HIGHEST_PROTOCOL))


def summarize(reports: list[ClaimReport]) -> dict:
    count = {"holds": 0, "refuted": 0, "error": 0}
    for r in reports:
        count[r.verdict] += 1
    return {**count, "unexpected": sum(not r.ok for r in reports)}
