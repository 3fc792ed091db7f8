"""Jobs in worker processes with a time limit: a runaway job is killed, the others go on.

Each job runs in a process of its own, forked from the server (which has the engine imported,
so a fork starts at once); at most ``workers`` run at a time, the others wait for a slot.
"""
from __future__ import annotations

import multiprocessing
import os
import threading

from ..errors import MatcalcError

_CONTEXT = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


class Pool:
    """Runs ``fn(*args)`` in a worker process; its return value must pickle."""

    def __init__(self, *, workers: int | None = None, timeout: float = 10.0) -> None:
        self.workers = workers or _cores()
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(self.workers)

    def run(self, fn, *args):
        """The job's result, or MatcalcError when it failed or ran past the time limit (blocks: call it in a thread)."""
        with self._slots:
            reader, writer = _CONTEXT.Pipe(duplex=False)
            process = _CONTEXT.Process(target=_child, args=(writer, fn, args), daemon=True)
            process.start()
            writer.close()
            try:
                if not reader.poll(self.timeout):
                    raise MatcalcError(f"stopped at the time limit of {self.timeout:g} s "
                                       "(a smaller expression, or fewer symbols, may go through)")
                ok, value = reader.recv()
            except EOFError:
                raise MatcalcError("the worker process stopped without an answer (out of memory?)") from None
            finally:
                if process.is_alive():
                    process.kill()
                process.join()
                reader.close()
        if not ok:
            raise MatcalcError(value)
        return value


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _child(writer, fn, args) -> None:
    """In the worker: run the job and send (True, result) or (False, the one-line error)."""
    try:
        answer = (True, fn(*args))
    except MatcalcError as e:
        answer = (False, str(e))
    except RecursionError:
        answer = (False, "the input is too large to process (Python's recursion limit)")
    except Exception as e:  # never a traceback to the user: the kind of failure, as matcalc's own
        answer = (False, f"matcalc failed on this input ({type(e).__name__}); please report it")
    writer.send(answer)
    writer.close()
