"""The parts of an .xlsx package and how they point at each other (Open Packaging Conventions).

Only the standard library (and isal, if installed): the reader's prefetch uses this before
pandas is imported.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
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
    wb_part = next(_resolve("", r.target) for r in root_rels if r.type == DOC_TYPE)
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
