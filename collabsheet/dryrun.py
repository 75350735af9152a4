"""``notify --dry-run``: each notice written as an .eml file into a folder, nothing sent.

A large office's month is 180,000 files. Creating a file is the kernel's work, so one thread
writes while the next messages are composed, on the other core; at most a few batches wait
in memory.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from . import mail
from .errors import SourceError
from .mailbytes import Writer
from .notices import Notices
from .phrases import said

BATCH = 1000
"""Files handed to the writing thread at a time."""
WAITING = 4
"""Batches composed and not yet written, at most."""
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def file_name(k: int, person: str) -> str:
    """The k-th notice's file: numbered in the run's order, then the person's ID made safe
    for any file system."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in person)
    return f"{k + 1:04d}-{safe}.eml"


def _write(folder: Path, files: list[tuple[str, bytes]]) -> None:
    for name, data in files:
        try:
            fd = os.open(folder / name, _FLAGS, 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
        except OSError as exc:
            raise SourceError(said("cannot_write", path=folder / name,
                                   why=exc.strerror or exc)) from exc


def write_notices(found: Notices, folder: Path, sender: str, at: dt.datetime
                  ) -> tuple[Path, ...]:
    """Every notice that has an address, as ``folder``/NNNN-ID.eml, dated ``at``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(said("cannot_create", path=folder, why=exc.strerror)) from exc
    writer = Writer(found, sender, at)
    names: list[str] = []
    waiting: deque[Future[None]] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="eml") as pool:
        try:
            batch: list[tuple[str, bytes]] = []
            for n in (x for x in found.notices if x.email):
                name = file_name(len(names), n.id)
                names.append(name)
                batch.append((name, writer.message(n, mail.message_id(sender))))
                if len(batch) == BATCH:
                    waiting.append(pool.submit(_write, folder, batch))
                    batch = []
                    while len(waiting) >= WAITING:
                        waiting.popleft().result()
            waiting.append(pool.submit(_write, folder, batch))
            while waiting:
                waiting.popleft().result()
        finally:
            for left in waiting:
                left.cancel()
    return tuple(folder / name for name in names)
