"""Work split into parts done at once by forked processes, one per core: for the few jobs that
are many small independent pieces of Python (a large office's 180,000 .eml files), which one
interpreter does one at a time.

Part 0 is done here, the others by children forked after the data is in memory, so nothing is
pickled but each part's small result or its error. A child that fails sends its error back
and the parent raises it; a parent that fails stops its children (SIGTERM, which a child
turns into ``Stopped`` so that it cleans up). Either way, the parts that succeeded are
undone. Where fork is missing or unsafe (Windows, macOS, a process already running threads),
every part is done here, in order.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import CollabsheetError, SourceError
from .phrases import said

T = TypeVar("T")


def cores() -> int:
    """Processes worth running at once: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Stopped(BaseException):
    """A child told to stop (SIGTERM) because another part failed."""


def in_parts(work: Callable[[int], T], parts: int,
             undo: Callable[[T], None] | None = None) -> list[T]:
    """``[work(0), …, work(parts - 1)]``, at once where the system can fork. If any part
    fails, ``undo`` is given the result of each part that succeeded before the error is
    raised; a part that fails cleans up after itself."""
    done: list[T] = []
    if parts < 2 or not can_fork():
        try:
            for part in range(parts):
                done.append(work(part))
        except BaseException:
            _undo(undo, done)
            raise
        return done
    children: list[tuple[int, int]] = []
    gc.freeze()
    try:
        for part in range(1, parts):
            children.append(_start(work, part))
        done.append(work(0))
        failure = None
        while children:
            value, error = _finish(*children.pop(0))
            if error is None:
                done.append(value)
            else:
                failure = failure or error
        if failure is not None:
            raise failure
        return done
    except BaseException:
        for pid, _ in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid, pipe in children:
            value, error = _finish(pid, pipe)
            if error is None:
                done.append(value)
        children.clear()
        _undo(undo, done)
        raise
    finally:
        gc.unfreeze()


def _undo(undo: Callable[[T], None] | None, done: list[T]) -> None:
    if undo is not None:
        for result in done:
            undo(result)


def _stop(signum: int, frame: object) -> None:
    raise Stopped


def _start(work: Callable[[int], T], part: int) -> tuple[int, int]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read)
            signal.signal(signal.SIGTERM, _stop)
            result = work(part)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _send(write, result)
        except BaseException as exc:  # noqa: BLE001 - the child must never return
            code = 1
            words = exc.words if isinstance(exc, CollabsheetError) else None
            with contextlib.suppress(BaseException):
                _send(write, (words, str(exc) or type(exc).__name__))
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def _send(pipe: int, what: object) -> None:
    view = memoryview(pickle.dumps(what))
    while view:
        view = view[os.write(pipe, view):]


def _finish(pid: int, pipe: int) -> tuple[Any, CollabsheetError | None]:
    """Wait for the child: its result, or its error (what it sent is told apart by its exit
    code)."""
    with os.fdopen(pipe, "rb") as reader:
        sent = reader.read()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 0 and sent:
        return pickle.loads(sent), None
    if not sent or code < 0:
        return None, SourceError(said("worker_stopped", status=code))
    words, text = pickle.loads(sent)
    return None, SourceError(words if words is not None else text)
