"""Deep input without a recursion error: matcalc's work runs in a thread with a large stack.

The engine, the checker and the printers walk expressions recursively in places; rather than
a RecursionError (or, with the limit merely raised, a crash of the interpreter's C stack) at a
few thousand levels, every entry point runs its work through ``deep``: a thread whose stack is
STACK_BYTES (virtual memory, only what is used is touched) with the recursion limit raised to
match. The parser refuses input nested more than MAX_DEPTH levels, with a one-line error,
so that no legal input can exhaust even that stack.
"""
from __future__ import annotations

import functools
import sys
import threading
from typing import Any, Callable, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: Input nested deeper than this is refused by the parser ("expression nested more than ...").
MAX_DEPTH = 20_000
#: Python frames allowed in a deep thread (a nesting level takes a few: node, child, comparison).
RECURSION_LIMIT = 40 * MAX_DEPTH
#: The deep thread's stack: room for RECURSION_LIMIT frames, measured at about 1 kB each with margin.
STACK_BYTES = 2 << 30

_state = threading.local()
_lock = threading.Lock()
_running = 0
_saved_limit = 0


def inside() -> bool:
    """True in a deep thread (where deep calls run directly)."""
    return getattr(_state, "inside", False)


def run(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """fn(*args, **kwargs) in a deep thread: its value, or its exception raised here."""
    if inside():
        return fn(*args, **kwargs)
    box: dict[str, Any] = {}

    def target() -> None:
        _state.inside = True
        _enter()
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as e:  # handed over to the caller's thread as it is
            box["error"] = e
        finally:
            _leave()

    with _lock:
        try:
            old = threading.stack_size(STACK_BYTES)
        except (ValueError, RuntimeError):  # a platform without settable stacks: as deep as the caller's
            return fn(*args, **kwargs)
        try:
            t = threading.Thread(target=target, name="matcalc-deep", daemon=True)
            t.start()
        except RuntimeError:  # no room for such a stack (ulimit -v): as deep as the caller's
            t = None
        finally:
            threading.stack_size(old)
    if t is None:
        return fn(*args, **kwargs)
    t.join()
    if "error" in box:
        raise box.pop("error")
    value: T = box["value"]
    return value


def deep(fn: Callable[P, T]) -> Callable[P, T]:
    """Decorator: every call of fn runs in a deep thread (see ``run``)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        return run(fn, *args, **kwargs)

    return wrapper


def _enter() -> None:
    global _running, _saved_limit
    with _lock:
        if _running == 0:
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_saved_limit, RECURSION_LIMIT))
        _running += 1


def _leave() -> None:
    global _running
    with _lock:
        _running -= 1
        if _running == 0:
            sys.setrecursionlimit(_saved_limit)
