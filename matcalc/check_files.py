"""Check proof files and folders: every claim derived and verified; a bad file is one error result."""
from __future__ import annotations

from pathlib import Path

from .deep import deep
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


def check_paths(paths: list[str], *, seed: int = 0, progress: bool = False) -> list[ClaimReport]:
    """Every claim of every file; with ``progress``, a bar on stderr (for a terminal).
    A folder without proof files is an error result; no proof file at all is an error."""
    files, empty = expand(paths)
    if not files:
        raise MatcalcError(f"no proof files in {', '.join(paths)}")
    reports = [file_error(p, MatcalcError(f"no proof files in {p}")) for p in empty]
    if not progress or len(files) < 2:
        for path in files:
            reports.extend(check_file(path, seed=seed))
        return reports
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking", total=len(files))
        for path in files:
            bar.update(task, description=f"checking {escape(printable(path.name))}")
            reports.extend(check_file(path, seed=seed))
            bar.advance(task)
    return reports


def summarize(reports: list[ClaimReport]) -> dict:
    count = {"holds": 0, "refuted": 0, "error": 0}
    for r in reports:
        count[r.verdict] += 1
    return {**count, "unexpected": sum(not r.ok for r in reports)}
