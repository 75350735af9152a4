"""The largest tab of a workbook parsed in a second process, started as early as possible.

calamine holds the GIL while it parses, so a thread would not overlap it; a fresh Python that
imports only fastexcel and pyarrow does. The command line starts it before it imports pandas
(``start``); the .xlsx backend takes it over (``take``) or starts its own. Only the standard
library is imported here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import weakref
import zipfile
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .opc import sheet_parts

PARALLEL_BYTES = 32 << 20

_CHILD = """
import json, sys
import fastexcel, pyarrow as pa
path, title, out = sys.argv[1:4]
try:
    sheet = fastexcel.read_excel(path).load_sheet_by_name(
        title, header_row=None, skip_rows=0, dtypes="string")
    batch, errs = sheet.to_arrow_with_errors()
    indexes = [getattr(c, "absolute_index", i) for i, c in enumerate(sheet.available_columns())]
    with pa.OSFile(out, "wb") as f, pa.ipc.new_file(f, batch.schema) as w:
        w.write_batch(batch)
    errors = [[e.position[0], e.position[1], str(e.detail)]
              for e in (errs.errors if errs is not None else [])]
    print(json.dumps({"indexes": indexes, "errors": errors}))
except Exception as exc:
    print(json.dumps({"error": str(exc)}))
"""


class ChildRead:
    """One tab parsed by fastexcel in a fresh Python process, handed back as an Arrow file."""

    def __init__(self, path: Path, title: str):
        self.title = title
        fd, out = tempfile.mkstemp(prefix="collabsheet-", suffix=".arrow")
        os.close(fd)
        self.out = Path(out)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(path), title, out],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self._finalizer = weakref.finalize(self, _stop, self.proc, self.out)

    def result(self, name: str) -> tuple[Any, list[tuple[int, int, str]], list[int]]:
        """The tab as an Arrow record batch, its error cells and its absolute column indexes."""
        import pyarrow as pa

        stdout, stderr = self.proc.communicate()
        try:
            answer = json.loads(stdout.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError):
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            raise SourceError(f"{name}: tab {self.title!r} cannot be read "
                              f"({detail[-1] if detail else 'the reader stopped'})") from None
        if "error" in answer:
            raise SourceError(f"{name}: tab {self.title!r} cannot be read "
                              f"({short(RuntimeError(answer['error']))})")
        with pa.OSFile(str(self.out), "rb") as f:
            table = pa.ipc.open_file(f).read_all()
        batch = table.combine_chunks().to_batches()[0] if table.num_rows else \
            pa.RecordBatch.from_pylist([], schema=table.schema)
        errors = [(int(r), int(c), str(d)) for r, c, d in answer["errors"]]
        return batch, errors, [int(i) for i in answer["indexes"]]

    def close(self) -> None:
        self._finalizer()


def _stop(proc: subprocess.Popen[bytes], out: Path) -> None:
    """Stop the reader if it still runs and remove its file; also runs when a read is dropped
    unfinished (an error before the tab was looked up)."""
    if proc.poll() is None:
        proc.kill()
    proc.communicate()
    out.unlink(missing_ok=True)


def short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def largest(path: Path, titles: list[str] | None = None) -> str | None:
    """The one tab worth a second process, if any (its sheet XML is over PARALLEL_BYTES)."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = sheet_parts(zf)
            sizes = {t: zf.getinfo(p).file_size for t, p in parts.items()
                     if titles is None or t in titles}
    except (KeyError, ValueError, zipfile.BadZipFile, OSError):
        return None
    if not sizes:
        return None
    title = max(sizes, key=lambda t: sizes[t])
    return title if sizes[title] >= PARALLEL_BYTES else None


_started: dict[tuple[str, int, int, str], ChildRead] = {}


def _key(path: Path, title: str) -> tuple[str, int, int, str] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, title)


def start(path: str | os.PathLike[str]) -> None:
    """Begin parsing the largest tab of a local workbook, if it is large; never raises."""
    target = Path(path)
    try:
        if not target.is_file():
            return
        title = largest(target)
        key = _key(target, title) if title is not None else None
        if title is not None and key is not None and key not in _started:
            _started[key] = ChildRead(target, title)
    except (OSError, ValueError):
        return


def take(path: Path, title: str) -> ChildRead | None:
    """The read ``start`` began for this tab of this very file, if any."""
    key = _key(path, title)
    return _started.pop(key, None) if key is not None else None


def stop_all() -> None:
    """Stop the reads that were started but never taken (a command that failed first)."""
    while _started:
        _, child = _started.popitem()
        child.close()
