"""An emitted module as a live Python module: written to a file named by its content's hash and
imported from there, so that tracebacks and ``inspect.getsource`` show its lines."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path
from types import ModuleType


def imported(source: str, backend: str) -> ModuleType:
    """The module whose text is ``source`` (matcalc's own code export, never text a user typed)."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    folder = Path(tempfile.gettempdir()) / "matcalc-functions"
    folder.mkdir(exist_ok=True)
    path = folder / f"matcalc_{backend}_{digest}.py"
    if not path.exists() or path.read_text(encoding="utf-8") != source:
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_text(source, encoding="utf-8")
        partial.replace(path)  # whole or not at all: a concurrent reader never sees half a file
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
