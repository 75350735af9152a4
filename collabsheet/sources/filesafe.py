"""A workbook file replaced the way an editor would: through a symlink to its target, never when
it is read-only or changed since it was read, from a temporary file that no exit leaves behind.

The temporary file sits beside the workbook (so the final rename is atomic) and carries the pid
of the process writing it; a later run removes those whose process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError, WriteRefused
from ..phrases import said
from .opc import ZLIB

HASH_BYTES = 256 << 20
"""Files up to this size are also compared by a checksum of their bytes (a few milliseconds);
larger ones by size and modification time, which every editor and sync client changes."""
_OLD_STYLE_AGE = 3600.0


@dataclass(frozen=True)
class Seen:
    """What a workbook file was when it was read: enough to tell if anyone saved it since."""

    exists: bool
    size: int = 0
    mtime_ns: int = 0
    crc: int | None = None


def seen(path: Path) -> Seen:
    try:
        st = path.stat()
    except FileNotFoundError:
        return Seen(False)
    crc = None
    if st.st_size <= HASH_BYTES:
        crc = 0
        with open(path, "rb") as f:
            while piece := f.read(1 << 22):
                crc = ZLIB.crc32(piece, crc)
    return Seen(True, st.st_size, st.st_mtime_ns, crc)


def target(path: Path) -> Path:
    """The file a write must replace: a symlink's target (the link stays a link)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def lock_files(path: Path) -> list[Path]:
    """Files Excel and LibreOffice leave beside a workbook they have open."""
    found = []
    for where in dict.fromkeys([path, target(path)]):
        for name in (f"~${where.name}", f".~lock.{where.name}#"):
            if where.with_name(name).exists():
                found.append(where.with_name(name))
    return found


def check_writable(path: Path, name: str) -> None:
    """Refuse, before any work, a workbook the office has made read-only (even to root, whom
    the permission bits do not stop) or whose folder cannot take the temporary file."""
    real = target(path)
    try:
        st = real.stat()
    except FileNotFoundError:
        st = None
    if st is not None and (not os.access(real, os.W_OK)
                           or (st.st_uid == os.geteuid() and not st.st_mode & stat.S_IWUSR)):
        raise WriteRefused("read-only", source=name)
    folder = real.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteRefused("read-only", "folder", source=name, folder=str(folder))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(path: Path) -> list[Path]:
    """Remove the temporary files a killed run left beside this workbook (its process gone);
    also those of older versions, which carry no pid, once an hour old."""
    real = target(path)
    ours = re.compile(rf"^\.{re.escape(real.name)}\.collabsheet-(\d+)-\w+\.tmp$")
    old = re.compile(rf"^\.{re.escape(real.name)}\.[a-z0-9_]{{8}}\.tmp$")
    removed = []
    try:
        candidates = list(real.parent.glob(f".{glob_escape(real.name)}.*.tmp"))
    except OSError:
        return []
    for f in candidates:
        m = ours.match(f.name)
        try:
            stale = ((m is not None and not _alive(int(m.group(1))))
                     or (m is None and old.match(f.name) is not None
                         and time.time() - f.stat().st_mtime > _OLD_STYLE_AGE))
            if stale:
                f.unlink()
                removed.append(f)
        except OSError:
            continue
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


@contextlib.contextmanager
def replacing(path: Path, name: str, expect: Seen | None) -> Iterator[Path]:
    """A temporary file beside the workbook that replaces it only if the block succeeds and
    the workbook is still what was read (``expect``); errors name the workbook."""
    real = target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.collabsheet-{os.getpid()}-",
                                   suffix=".tmp", dir=real.parent)
    except PermissionError:
        raise WriteRefused("read-only", "folder", source=name, folder=str(real.parent)
                           ) from None
    except OSError as exc:
        raise SourceError(said("cannot_write", path=name, why=exc.strerror or exc)) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        if expect is not None and seen(real) != expect:
            raise WriteRefused("workbook-changed", source=name)
        with contextlib.suppress(OSError):
            os.chmod(tmp_path, real.stat().st_mode & 0o7777)
        try:
            os.replace(tmp_path, real)
        except OSError as exc:
            raise SourceError(said("cannot_replace", path=name, why=exc.strerror or exc)
                              ) from None
    except OSError as exc:
        raise SourceError(said("cannot_write", path=name, why=exc.strerror or exc)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()


def write_whole(target: Path, data: bytes) -> None:
    """Write beside ``target`` then rename over it: a reader never sees half a file, and a
    failed write leaves the old one."""
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        part.write_bytes(data)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
