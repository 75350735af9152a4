"""Work split into parts done at once by forked processes, one per core: for the few jobs that
are many small independent pieces of Python (a large office's 180,000 .eml files), which one
interpreter does one at a time.

Part 0 is done here, the others by children forked after the data is in memory, so nothing is
pickled but an error. A child that fails sends its error back and the parent raises it; a
parent that fails stops its children first. Where fork is missing or unsafe (Windows, macOS,
a process already running threads), every part is done here, in order.
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

from .errors import CollabsheetError, SourceError
from .phrases import said


def cores() -> int:
    """Processes worth running at once: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1


def in_parts(work: Callable[[int], None], parts: int) -> None:
    """``work(0)``, …, ``work(parts - 1)``, at once where the system can fork."""
    if parts < 2 or not can_fork():
        for part in range(parts):
            work(part)
        return
    children: list[tuple[int, int]] = []
    gc.freeze()
    try:
        for part in range(1, parts):
            children.append(_start(work, part))
        work(0)
        failure = None
        while children:
            failure = _finish(*children.pop(0)) or failure
        if failure is not None:
            raise failure
    finally:
        gc.unfreeze()
        for pid, pipe in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _finish(pid, pipe)


def _start(work: Callable[[int], None], part: int) -> tuple[int, int]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read)
            work(part)
        except BaseException as exc:  # noqa: BLE001 - the child must never return
            code = 1
            words = exc.words if isinstance(exc, CollabsheetError) else None
            try:
                os.write(write, pickle.dumps((words, str(exc) or type(exc).__name__)))
            except BaseException:  # noqa: BLE001
                pass
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def _finish(pid: int, pipe: int) -> CollabsheetError | None:
    """Wait for the child; its error, if it failed."""
    with os.fdopen(pipe, "rb") as reader:
        sent = reader.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return None
    if not sent:
        return SourceError(said("worker_stopped", status=os.waitstatus_to_exitcode(status)))
    words, text = pickle.loads(sent)
    return SourceError(words if words is not None else text)
