"""One slice of a large tab, parsed in its own process so that two cores share the parse.

calamine reads a sheet in one pass on one core. Its rows are cut here at ``<row>`` tags into
``n`` slices of about equal size; slice ``k`` becomes a small package of its own (the office's
styles and strings, that slice's rows) which fastexcel parses. Rows keep their ``r`` numbers,
so fastexcel places them where they are in the whole sheet. Before fastexcel sees a slice its
bytes are scanned (``sheetscan``): a slice past the cell budget is refused, not parsed. The
child ends when the process that started it does (``die_with_parent``). Only the standard
library is imported here, plus fastexcel and pyarrow in the child itself (see ``main``).
"""

from __future__ import annotations

import json
import re
import zipfile
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import sheetscan
from .opc import Refused, inflate, sheet_parts

_SD_OPEN = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_SD_CLOSE = re.compile(rb"</(?:\w+:)?sheetData>")
_ROOT = re.compile(rb"<((?:\w+:)?worksheet)\b")
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\'](\d+)["\']')
_EMPTY_SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData/></worksheet>")
_SLACK = 1 << 16


class Unsplittable(Exception):
    """The sheet cannot be cut safely (no ``r`` on a row at a cut); read it whole instead."""


@dataclass
class Cut:
    """Where slice ``k`` begins in the whole sheet (0-based row), or None if it has no rows;
    for the last slice only, the sheet's merged ranges; and the slice's formula cells that
    have no saved value (0-based row, column in the whole sheet)."""

    offset: int | None
    merged: list[str] | None
    unsaved: list[tuple[int, int]] = field(default_factory=list)


def _cut(text: bytes) -> tuple[int, bool]:
    """The first whole row tag in ``text``, or the end of sheetData; True if a row."""
    row = _ROW.search(text)
    close = _SD_CLOSE.search(text, 0, row.start() if row is not None else len(text))
    if close is not None:
        return close.start(), False
    return (row.start(), True) if row is not None else (-1, False)


class _Kept:
    """The inflated sheet from some offset on, in the pieces it came in: never joined whole."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.starts: list[int] = []
        self.end = 0

    def add(self, piece: bytes, keep: bool) -> None:
        if keep:
            self.pieces.append(piece)
            self.starts.append(self.end)
        self.end += len(piece)

    def views(self, a: int, b: int) -> Iterator[memoryview]:
        for piece, lo, hi in self.spans(a, b):
            yield memoryview(piece)[lo:hi]

    def spans(self, a: int, b: int) -> Iterator[tuple[bytes, int, int]]:
        """The bytes from ``a`` to ``b`` as (piece, lo, hi), without a copy."""
        i = max(bisect_right(self.starts, a) - 1, 0)
        for start, piece in zip(self.starts[i:], self.pieces[i:], strict=True):
            if start >= b:
                break
            lo, hi = max(a - start, 0), min(b - start, len(piece))
            if lo < hi:
                yield piece, lo, hi

    def window(self, a: int, b: int) -> bytes:
        return b"".join(self.views(a, b))

    def rfind(self, token: bytes) -> int:
        """Where ``token`` last occurs, looking from the end (-1 if nowhere)."""
        for i in range(len(self.pieces) - 1, -1, -1):
            start = self.starts[i]
            found = self.window(start, start + len(self.pieces[i]) + len(token) - 1).rfind(token)
            if found >= 0:
                return start + found
        return -1

    def cut(self, at: int) -> tuple[int, bool] | None:
        """Where a slice starting at or after ``at`` begins, if the bytes so far show it."""
        width = _SLACK
        while True:
            end = min(at + width, self.end)
            pos, is_row = _cut(self.window(at, end))
            if pos >= 0:
                return at + pos, is_row
            if end >= self.end:
                return None
            width *= 4


def cut_slice(path: Path, title: str, k: int, n: int, out: Path) -> Cut:
    """Write slice ``k`` of ``n`` of the tab ``title`` of ``path`` as a package at ``out``,
    once its bytes are scanned; Refused (nothing written) for a slice past the cell budget or a
    part that unpacks past its declared size."""
    with zipfile.ZipFile(path) as zf:
        sheets = sheet_parts(zf)
        part = sheets[title]
        info = zf.getinfo(part)
        lo_target = k * info.file_size // n
        hi_target = (k + 1) * info.file_size // n if k < n - 1 else None
        kept = _Kept()
        head = b""
        prefix: bytes | None = None
        body_start = 0
        hi: tuple[int, bool] | None = None
        runs = sheetscan.SheetScan(title)  # whitespace padding refused as it arrives
        for piece in inflate(path, info):
            runs.feed_runs(piece)
            if prefix is None:
                head += piece
                m = _SD_OPEN.search(head)
                if m is not None:
                    if m.group(2):
                        raise Unsplittable("sheetData is empty")
                    prefix, body_start, head = head[:m.end()], m.end(), b""
            kept.add(piece, keep=kept.end + len(piece) + _SLACK > lo_target)
            if hi_target is not None and prefix is not None and \
                    kept.end > max(hi_target, body_start) + _SLACK:
                hi = kept.cut(max(hi_target, body_start))
                if hi is not None:
                    break
        if prefix is None:
            raise Unsplittable("no sheetData")
        lo = (body_start, True) if k == 0 else kept.cut(max(lo_target, body_start))
        if hi_target is not None and hi is None:
            hi = kept.cut(max(hi_target, body_start))
        if lo is None or (hi_target is not None and hi is None):
            raise Unsplittable("no row at a cut")
        offset: int | None = 0
        if k > 0:
            tag = _ROW.match(kept.window(lo[0], lo[0] + 4096)) if lo[1] else None
            number = _ROW_NUMBER.search(tag.group()) if tag is not None else None
            if lo[1] and number is None:
                raise Unsplittable("a row without its number")
            offset = int(number.group(1)) - 1 if number is not None else None
        if hi is None:
            end, ends = kept.end, b""
        else:
            root, sd = _ROOT.search(prefix), _SD_OPEN.search(prefix)
            assert sd is not None
            end = hi[0]
            ends = b"</" + sd.group(1) + b"sheetData></" + \
                (root.group(1) if root is not None else b"worksheet") + b">"
        begin = lo[0]
        scan = sheetscan.check(title, lambda: kept.spans(begin, end))
        merged = scan.merged if hi is None else None
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
            for item in zf.infolist():
                if item.filename == part:
                    with zout.open(item.filename, "w") as f:
                        f.write(prefix)
                        for view in kept.views(lo[0], end):
                            f.write(view)
                        f.write(ends)
                elif item.filename in sheets.values():
                    zout.writestr(item.filename, _EMPTY_SHEET)
                elif not item.is_dir():
                    zout.writestr(item.filename, zf.read(item))
        return Cut(offset, merged, sorted(scan.unsaved))


def read_slice(path: Path, title: str, k: int, n: int, xlsx: Path
               ) -> tuple[Any, list[tuple[int, int, str]], list[int], Cut]:
    """Slice ``k`` parsed: its rows (from its offset on), error cells, columns and offset."""
    import fastexcel

    try:
        cut = cut_slice(path, title, k, n, xlsx)
    except OSError as exc:  # a full temporary folder, say: the tab can still be read whole
        xlsx.unlink(missing_ok=True)
        raise Unsplittable(f"the slice cannot be written ({exc.strerror or exc})") from exc
    try:
        sheet = fastexcel.read_excel(str(xlsx)).load_sheet_by_name(
            title, header_row=None, skip_rows=0, dtypes="string")
    finally:
        xlsx.unlink(missing_ok=True)
    batch, errs = sheet.to_arrow_with_errors()
    indexes = [getattr(c, "absolute_index", i) for i, c in enumerate(sheet.available_columns())]
    start = cut.offset or 0
    batch = batch.slice(start) if cut.offset is not None and batch.num_rows > start \
        else batch.slice(0, 0)
    errors = [(e.position[0] - start, e.position[1], str(e.detail))
              for e in (errs.errors if errs is not None else []) if e.position[0] >= start]
    return batch, errors, indexes, cut


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends (killed, say), so that no reader outlives the run.
    On Linux the kernel does it (prctl PR_SET_PDEATHSIG, SIGKILL); the parent may have gone
    before that was asked, so its pid is checked right after. Elsewhere a thread looks every
    half second."""
    import os
    import sys

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) != 0:  # 1 = PR_SET_PDEATHSIG
                raise OSError(ctypes.get_errno(), "prctl")
        except (OSError, AttributeError):
            pass
        else:
            if os.getppid() != parent:
                os._exit(1)
            return
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def main(argv: list[str]) -> None:
    """The child: parse slice k, write it as an Arrow file, answer with one JSON line. A slice
    refused by its scan answers ``refused`` (the message, without the workbook's name).
    ``parent`` is the pid of the process that started it: the child ends with it."""
    parent, path, title, k, n, xlsx, out = argv
    die_with_parent(int(parent))
    try:
        import pyarrow as pa

        from .opc import ZLIB

        # this process only writes slice packages (ZIP_STORED): zipfile's CRC-32 is zlib's,
        # 75-95 ms over a slice of the full-size Log; ISA-L's gives the same value in 11 ms
        zipfile.crc32 = ZLIB.crc32  # type: ignore[attr-defined]
        batch, errors, indexes, cut = read_slice(Path(path), title, int(k), int(n), Path(xlsx))
        with pa.OSFile(out, "wb") as f, pa.ipc.new_file(f, batch.schema) as w:
            w.write_batch(batch)
        rows = (cut.offset or 0) + batch.num_rows
        last = [indexes[j] for j in range(batch.num_columns)
                if batch.num_rows and batch.column(j)[batch.num_rows - 1].is_valid]
        print(json.dumps({"offset": cut.offset, "merged": cut.merged, "indexes": indexes,
                          "errors": errors, "unsaved": cut.unsaved, "rows": rows,
                          "down": [rows - 1, last[0]] if last else None}))
    except Refused as exc:
        print(json.dumps({"refused": str(exc), "extent": exc.extent}))
    except Unsplittable as exc:
        print(json.dumps({"unsplittable": str(exc)}))
    except Exception as exc:
        print(json.dumps({"error": str(exc)}))
