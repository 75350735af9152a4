"""The parts of an .xlsx package and how they point at each other (Open Packaging Conventions),
the limits a package must keep to before anything of it is parsed, and a part's bytes inflated
a piece at a time, never past what the package declares.

Only the standard library (and isal, if installed): the reader's prefetch uses this before
pandas is imported.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import IO

try:  # ISA-L's deflate and inflate are 2-5x quicker than zlib's, on the same format
    from isal import isal_zlib

    ZLIB: ModuleType = isal_zlib
except ImportError:  # pragma: no cover (isal is a dependency; plain zlib reads and writes the same)
    ZLIB = zlib

WS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
DRAWING_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
CHART_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
STYLES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
DOC_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

_DATE1904 = re.compile(r"""<(?:\w+:)?workbookPr\b[^>]*?\sdate1904\s*=\s*(["'])\s*(?:1|true)\s*\1""")

MAX_PART_BYTES = 1 << 30
"""The most one part of a package may unpack to: 1 GiB. A sheet holds at most 1,048,576 rows, and
the full-size office (1,048,575 Log rows, 180,000 staff, inline strings) has a Log part of 291 MB,
278 bytes a row: a tab of an office reaches 1 GiB only with nearly four times that in every row a
sheet can hold, and calamine could not hold such a tab in 2 GiB anyway. A zip bomb (3 MB that
unpack to 3 GiB of whitespace) is refused from the package's directory before anything of it is
inflated."""

MAX_TOTAL_BYTES = 2 << 30
"""The most all parts together may unpack to: 2 GiB. The full-size office's parts total 339 MB."""


class Refused(Exception):
    """A package, or one of its tabs, that is not parsed at all (see ``MAX_PART_BYTES`` and
    ``sheetscan.CELL_BUDGET``). The message is one line without the workbook's name, which the
    caller puts in front; ``tab`` names the tab when there is one, and ``extent`` holds the
    span of a tab refused for it (rows, columns, farthest right and farthest down cell)."""

    def __init__(self, message: str, tab: str | None = None, extent: Extent | None = None):
        super().__init__(message)
        self.tab = tab
        self.extent = extent


Extent = tuple[int, int, "tuple[int, int] | None", "tuple[int, int] | None"]


def size_text(n: int) -> str:
    """3221225472 -> '3.0 GiB'."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


_REL = re.compile(r"<Relationship\b[^>]*?/>|<Relationship\b[^>]*?>.*?</Relationship>", re.S)
_ATTR = re.compile(r'([\w:]+)\s*=\s*("[^"]*"|\'[^\']*\')')


def _attrs(tag: str) -> dict[str, str]:
    from html import unescape

    return {k: unescape(v[1:-1]) for k, v in _ATTR.findall(tag)}


@dataclass
class Rel:
    id: str
    type: str
    target: str
    raw: str


def _rels(xml: str) -> list[Rel]:
    out = []
    for m in _REL.finditer(xml):
        a = _attrs(m.group().split(">", 1)[0])
        out.append(Rel(a.get("Id", ""), a.get("Type", ""), a.get("Target", ""), m.group()))
    return out


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels_part(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def sheet_parts(zin: zipfile.ZipFile) -> dict[str, str]:
    """Tab title -> its worksheet part name."""
    root_rels = _rels(zin.read("_rels/.rels").decode("utf-8"))
    wb_part = next((_resolve("", r.target) for r in root_rels if r.type == DOC_TYPE), None)
    if wb_part is None:
        raise KeyError("no workbook part")
    by_id = {r.id: r for r in _rels(zin.read(_rels_part(wb_part)).decode("utf-8"))}
    out = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*/>", zin.read(wb_part).decode("utf-8")):
        a = _attrs(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        if rid in by_id:
            out[a.get("name", "")] = _resolve(wb_part, by_id[rid].target)
    return out


def date1904(workbook_xml: str) -> bool:
    """Whether the workbook part says it uses the 1904 date system (its serials count from
    1904-01-01): ``<workbookPr date1904="1"/>`` or ``"true"``."""
    return _DATE1904.search(workbook_xml) is not None


def workbook_date1904(zin: zipfile.ZipFile) -> bool:
    """``date1904`` of the package's workbook part; False when there is none to read."""
    try:
        root_rels = _rels(zin.read("_rels/.rels").decode("utf-8"))
        wb_part = next(_resolve("", r.target) for r in root_rels if r.type == DOC_TYPE)
        return date1904(zin.read(wb_part).decode("utf-8", "replace"))
    except (KeyError, StopIteration, OSError, zipfile.BadZipFile):
        return False


def data_start(fp: IO[bytes], info: zipfile.ZipInfo) -> int:
    """Where an entry's compressed bytes begin, from its local header."""
    fp.seek(info.header_offset)
    header = fp.read(30)
    if header[:4] != b"PK\x03\x04" or info.flag_bits & 0x1:
        raise ValueError("unusual entry")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return int(info.header_offset + 30 + name_len + extra_len)


def _part_name(zf: zipfile.ZipFile, part: str) -> tuple[str, str | None]:
    """How a message names a part: "tab 'Log' (xl/worksheets/sheet4.xml)" for a sheet."""
    try:
        small = all(zf.getinfo(n).file_size <= 1 << 24 for n in ("_rels/.rels", "xl/workbook.xml"))
        titles = {p: t for t, p in sheet_parts(zf).items()} if small else {}
    except (KeyError, ValueError, zipfile.BadZipFile, UnicodeDecodeError, OSError):
        titles = {}
    title = titles.get(part)
    return (f"tab {title!r} ({part})" if title is not None else f"the part {part}"), title


def check_sizes(zf: zipfile.ZipFile) -> None:
    """Refuse a package that unpacks past ``MAX_PART_BYTES`` in one part or ``MAX_TOTAL_BYTES``
    in all, or that lists a part twice (readers would not agree on which one is meant), from its
    directory alone: nothing is inflated. ``inflate`` holds a part to the size declared here."""
    seen: set[str] = set()
    total = 0
    refused = "the file is refused (a damaged package, or a zip bomb)"
    for info in zf.infolist():
        if info.filename in seen:
            raise Refused(f"the package lists the part {info.filename} twice; {refused}")
        seen.add(info.filename)
        if info.file_size > MAX_PART_BYTES:
            what, title = _part_name(zf, info.filename)
            raise Refused(f"{what} unpacks to {size_text(info.file_size)}, more than the "
                          f"{size_text(MAX_PART_BYTES)} any part of an office's workbook needs; "
                          f"{refused}", tab=title)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise Refused(f"the package unpacks to {size_text(total)} in all, more than the "
                      f"{size_text(MAX_TOTAL_BYTES)} an office's workbook needs; {refused}")


def inflate(path: Path, info: zipfile.ZipInfo, piece: int = 1 << 20) -> Iterator[bytes]:
    """The part's bytes, a piece at a time (``piece`` compressed bytes in, at most 8 pieces out
    per step, so even a bomb's densest stretch never sits in memory whole), and never more than
    its entry declares: a part that unpacks past its declared size is refused, its header lies.
    ISA-L inflates (no CRC check: the bytes are only scanned and parsed)."""
    declared = info.file_size
    if info.compress_type != zipfile.ZIP_DEFLATED:
        # zipfile stops at the declared size and checks the CRC, so a lying header fails there
        with zipfile.ZipFile(path) as zf, zf.open(info) as f:
            while got := f.read(piece * 4):
                yield got
        return
    left_out = declared
    with open(path, "rb") as fp:
        fp.seek(data_start(fp, info))
        d = ZLIB.decompressobj(-15)
        left = info.compress_size
        while left > 0 or d.unconsumed_tail:
            raw = d.unconsumed_tail
            if not raw:
                raw = fp.read(min(piece, left))
                if not raw:
                    break
                left -= len(raw)
            out = d.decompress(raw, min(piece * 8, left_out + 1))
            if len(out) > left_out:
                raise _lies(path, info)
            left_out -= len(out)
            if out:
                yield out
            if d.eof:
                return
        tail = d.flush()
        if len(tail) > left_out:
            raise _lies(path, info)
        if tail:
            yield tail


def _lies(path: Path, info: zipfile.ZipInfo) -> Refused:
    try:
        with zipfile.ZipFile(path) as zf:
            what, title = _part_name(zf, info.filename)
    except (zipfile.BadZipFile, OSError):
        what, title = f"the part {info.filename}", None
    return Refused(f"{what} unpacks to more than the {size_text(info.file_size)} the package "
                   "declares for it; the file is refused (a damaged package, or a zip bomb)",
                   tab=title)
