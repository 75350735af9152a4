"""One slice of a large tab, parsed in its own process so that two cores share the parse.

calamine reads a sheet in one pass on one core. Its rows are cut here at ``<row>`` tags into
``n`` slices of about equal size; slice ``k`` becomes a small package of its own (the office's
styles and strings, that slice's rows) which fastexcel parses. Rows keep their ``r`` numbers,
so fastexcel places them where they are in the whole sheet. Only the standard library is
imported here, plus fastexcel and pyarrow in the child itself (see ``main``).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .opc import ZLIB, data_start, sheet_parts

_SD_OPEN = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>")
_SD_CLOSE = re.compile(rb"</(?:\w+:)?sheetData>")
_ROOT = re.compile(rb"<((?:\w+:)?worksheet)\b")
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\'](\d+)["\']')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_EMPTY_SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData/></worksheet>")
_PIECE = 1 << 20
_SLACK = 1 << 16


class Unsplittable(Exception):
    """The sheet cannot be cut safely (no ``r`` on a row at a cut); read it whole instead."""


@dataclass
class Slice:
    """Where slice ``k`` begins in the whole sheet (0-based row), or None if it has no rows;
    and, for the last slice only, the sheet's merged ranges."""

    offset: int | None
    merged: list[str] | None


def _inflate(path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, a piece at a time."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        with zipfile.ZipFile(path) as zf, zf.open(info) as f:
            while piece := f.read(_PIECE * 4):
                yield piece
        return
    with open(path, "rb") as fp:
        fp.seek(data_start(fp, info))
        d = ZLIB.decompressobj(-15)
        left = info.compress_size
        while left > 0:
            raw = fp.read(min(_PIECE, left))
            if not raw:
                break
            left -= len(raw)
            if out := d.decompress(raw):
                yield out
        if tail := d.flush():
            yield tail


def _cut(region: bytes, start: int) -> tuple[int, bool]:
    """The first row tag at or after ``start``, or the end of sheetData; True if a row."""
    row = _ROW.search(region, start)
    close = _SD_CLOSE.search(region, start, row.start() if row is not None else len(region))
    if close is not None:
        return close.start(), False
    return (row.start(), True) if row is not None else (-1, False)


def cut_slice(path: Path, title: str, k: int, n: int, out: Path) -> Slice:
    """Write slice ``k`` of ``n`` of the tab ``title`` of ``path`` as a package at ``out``."""
    with zipfile.ZipFile(path) as zf:
        sheets = sheet_parts(zf)
        part = sheets[title]
        info = zf.getinfo(part)
        size = info.file_size
        lo_target = k * size // n
        hi_target = (k + 1) * size // n if k < n - 1 else None
        kept: list[bytes] = []
        kept_at: int | None = None
        head = b""
        prefix: bytes | None = None
        body_start = 0
        at = 0
        region = b""
        for piece in _inflate(path, info):
            if prefix is None:
                head += piece
                m = _SD_OPEN.search(head)
                if m is not None:
                    if m.group(2):
                        raise Unsplittable("sheetData is empty")
                    prefix, body_start = head[:m.end()], m.end()
                    head = b""
            if kept_at is None and at + len(piece) + _SLACK > lo_target:
                kept_at = at
            if kept_at is not None:
                kept.append(piece)
            at += len(piece)
            if hi_target is not None and prefix is not None and at > hi_target + _SLACK:
                region = b"".join(kept)
                kept = [region]
                end, _ = _cut(region, max(hi_target, body_start) - kept_at)  # type: ignore[operator]
                if end >= 0:
                    break
        else:
            region = b"".join(kept)
        if prefix is None or kept_at is None:
            raise Unsplittable("no sheetData")
        lo, is_row = (body_start - kept_at, True) if k == 0 else \
            _cut(region, max(lo_target, body_start) - kept_at)
        if lo < 0:
            raise Unsplittable("no row at a cut")
        offset = 0 if k == 0 else None
        if k > 0 and is_row:
            number = _ROW_NUMBER.search(_ROW.match(region, lo).group())  # type: ignore[union-attr]
            if number is None:
                raise Unsplittable("a row without its number")
            offset = int(number.group(1)) - 1
        merged: list[str] | None = None
        if hi_target is None:
            body = memoryview(region)[lo:]
            close = _SD_CLOSE.search(region, max(lo, region.rfind(b"sheetData>") - 64))
            tail = region[close.end():] if close is not None else b""
            merged = list(dict.fromkeys(m.decode() for m in _MERGE.findall(tail)))
            ends = b""
        else:
            end, _ = _cut(region, max(hi_target, body_start) - kept_at)
            if end < 0:
                raise Unsplittable("no row at a cut")
            body = memoryview(region)[lo:end]
            root = _ROOT.search(prefix)
            sd = _SD_OPEN.search(prefix)
            assert sd is not None
            ends = b"</" + sd.group(1) + b"sheetData></" + \
                (root.group(1) if root is not None else b"worksheet") + b">"
        if k > 0 and not is_row:
            offset = None
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
            for item in zf.infolist():
                if item.filename == part:
                    with zout.open(item.filename, "w") as f:
                        f.write(prefix)
                        f.write(body)
                        f.write(ends)
                elif item.filename in sheets.values():
                    zout.writestr(item.filename, _EMPTY_SHEET)
                elif not item.is_dir():
                    zout.writestr(item.filename, zf.read(item))
        return Slice(offset, merged)


def read_slice(path: Path, title: str, k: int, n: int, xlsx: Path
               ) -> tuple[Any, list[tuple[int, int, str]], list[int], Slice]:
    """Slice ``k`` parsed: its rows (from its offset on), error cells, columns and offset."""
    import fastexcel

    cut = cut_slice(path, title, k, n, xlsx)
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


def main(argv: list[str]) -> None:
    """The child: parse slice k, write it as an Arrow file, answer with one JSON line."""
    path, title, k, n, xlsx, out = argv
    try:
        import pyarrow as pa

        batch, errors, indexes, cut = read_slice(Path(path), title, int(k), int(n), Path(xlsx))
        with pa.OSFile(out, "wb") as f, pa.ipc.new_file(f, batch.schema) as w:
            w.write_batch(batch)
        print(json.dumps({"offset": cut.offset, "merged": cut.merged, "indexes": indexes,
                          "errors": errors}))
    except Unsplittable as exc:
        print(json.dumps({"unsplittable": str(exc)}))
    except Exception as exc:
        print(json.dumps({"error": str(exc)}))


