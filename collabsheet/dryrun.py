"""``notify --dry-run``: each notice written as an .eml file into a folder, nothing sent.

A large office's month is 180,000 files. Creating a file is the kernel's work, so one thread
writes while the next messages are composed; at most a few batches wait in memory. From
``SPLIT_FROM`` notices the list is cut into one part per core, each composed and written by
its own process (forked.py), since one interpreter composes one message at a time. A run
that fails removes the files it made (and the folder, if it made it), so the folder is as it
was but for files an earlier dry run wrote under the same names.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from . import forked, mail
from .collector import paused
from .errors import SourceError
from .mailbytes import Writer
from .notices import Notice, Notices
from .phrases import said

BATCH = 1000
"""Files handed to the writing thread at a time."""
WAITING = 4
"""Batches composed and not yet written, at most."""
PARTS = 4
"""Processes at most: files are made in one folder, which the system does one at a time."""
SPLIT_FROM = 5000
"""Notices from which the work is split between processes."""
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_AGAIN = os.O_WRONLY | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def file_name(k: int, person: str) -> str:
    """The k-th notice's file: numbered in the run's order, then the person's ID made safe
    for any file system."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in person)
    return f"{k + 1:04d}-{safe}.eml"


def _write(folder: Path, files: list[tuple[str, bytes]], made: list[str]) -> None:
    """Write the files, naming in ``made`` each one that was not there before."""
    for name, data in files:
        try:
            try:
                fd = os.open(folder / name, _NEW, 0o666)
                made.append(name)
            except FileExistsError:
                fd = os.open(folder / name, _AGAIN)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
        except OSError as exc:
            raise SourceError(said("cannot_write", path=folder / name,
                                   why=exc.strerror or exc)) from exc


@paused()
def write_notices(found: Notices, folder: Path, sender: str, at: dt.datetime,
                  parts: int | None = None) -> tuple[Path, ...]:
    """Every notice that has an address, as ``folder``/NNNN-ID.eml, dated ``at``: in ``parts``
    (default: one per core, for a large office) done at once by forked processes."""
    existed = folder.is_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(said("cannot_create", path=folder, why=exc.strerror)) from exc
    todo = [n for n in found.notices if n.email]
    names = [file_name(k, n.id) for k, n in enumerate(todo)]
    if parts is None:
        parts = min(forked.cores(), PARTS) if len(todo) >= SPLIT_FROM else 1
    writer = Writer(found, sender, at)
    step = -(-len(todo) // parts) if todo else 1

    def part(k: int) -> list[str]:
        part_of = slice(k * step, (k + 1) * step)
        return write_part(writer, folder, names[part_of], todo[part_of])

    try:
        forked.in_parts(part, parts, undo=lambda made: _remove(folder, made))
    except BaseException:
        if not existed:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return tuple(folder / name for name in names)


def write_part(writer: Writer, folder: Path, names: list[str], todo: list[Notice]
               ) -> list[str]:
    """Compose and write, the files of each batch written by a thread while the next batch is
    composed: the names of the files that were not there before. If it fails, those files are
    removed again."""
    made: list[str] = []
    waiting: deque[Future[None]] = deque()
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="eml") as pool:
            try:
                batch: list[tuple[str, bytes]] = []
                for name, n in zip(names, todo, strict=True):
                    batch.append((name, writer.message(n, mail.message_id(writer.sender))))
                    if len(batch) == BATCH:
                        waiting.append(pool.submit(_write, folder, batch, made))
                        batch = []
                        while len(waiting) >= WAITING:
                            waiting.popleft().result()
                waiting.append(pool.submit(_write, folder, batch, made))
                while waiting:
                    waiting.popleft().result()
            finally:
                for left in waiting:
                    left.cancel()
    except BaseException:
        _remove(folder, made)
        raise
    return made


def _remove(folder: Path, made: list[str]) -> None:
    for name in made:
        with contextlib.suppress(OSError):
            os.unlink(folder / name)
