"""Check proof files and folders: every claim derived and verified; a bad file is one error result."""
from __future__ import annotations

from pathlib import Path

from .proof_catalog import proof_files
from .errors import MatcalcError
from .prooffile import load
from .report import ClaimReport, file_error, run_proof


def expand(paths: list[str]) -> list[Path]:
    """Files as given; folders as the *.toml files below them, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(proof_files(p) if p.is_dir() else [p])
    return out


def check_file(path: Path, *, seed: int = 0) -> list[ClaimReport]:
    try:
        proof = load(path)
    except MatcalcError as e:
        return [file_error(str(path), e)]
    return run_proof(proof, seed=seed)


def check_paths(paths: list[str], *, seed: int = 0, progress: bool = False) -> list[ClaimReport]:
    """Every claim of every file; with ``progress``, a bar on stderr (for a terminal)."""
    files = expand(paths)
    reports: list[ClaimReport] = []
    if not progress or len(files) < 2:
        for path in files:
            reports.extend(check_file(path, seed=seed))
        return reports
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking", total=len(files))
        for path in files:
            bar.update(task, description=f"checking {path.name}")
            reports.extend(check_file(path, seed=seed))
            bar.advance(task)
    return reports


def summarize(reports: list[ClaimReport]) -> dict:
    count = {"holds": 0, "refuted": 0, "error": 0}
    for r in reports:
        count[r.verdict] += 1
    return {**count, "unexpected": sum(not r.ok for r in reports)}
