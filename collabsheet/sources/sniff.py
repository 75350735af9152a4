"""What a file is, from its first bytes (and a zip's list of entries), whatever its name says: an
.xlsx renamed .xls, an old .xls, an .ods, a CSV. ``kind`` tells; ``refusal`` words what the
reader says of a file it does not read. Only the standard library."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Literal

from ..phrases import Said, said

Kind = Literal["xlsx", "xlsb", "ods", "zip", "xls", "encrypted", "csv", "text", "html",
               "xml2003", "empty", "folder", "missing", "unknown"]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_HEAD = 1 << 16


def kind(path: str | os.PathLike[str]) -> Kind:
    """``xlsx`` (an Office Open XML workbook, .xlsx or .xlsm), ``xlsb``, ``ods`` (OpenDocument),
    ``zip`` (any other zip), ``xls`` (Excel 97-2003: an OLE2 file), ``encrypted`` (an .xlsx
    protected with a password, which Excel keeps in an OLE2 file), ``csv`` or ``text``,
    ``html`` (a web page, which Excel opens when it is named .xls), ``xml2003`` (Excel 2003
    XML), ``empty``, ``folder``, ``missing`` or ``unknown``."""
    p = Path(path)
    if not p.exists():
        return "missing"
    if p.is_dir():
        return "folder"
    try:
        with open(p, "rb") as f:
            head = f.read(_HEAD)
    except OSError:
        return "unknown"
    if not head:
        return "empty"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(p)
    if head.startswith(_OLE2):
        return "encrypted" if _ENCRYPTED in head or _ENCRYPTED in _tail(p) else "xls"
    return _text_kind(head)


def _tail(p: Path) -> bytes:
    """The OLE2 directory of a small file is often near its end."""
    try:
        with open(p, "rb") as f:
            f.seek(max(0, p.stat().st_size - _HEAD))
            return f.read(_HEAD)
    except OSError:
        return b""


def _zip_kind(p: Path) -> Kind:
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and zf.getinfo("mimetype").file_size <= 256:
                if zf.read("mimetype").strip() == _ODS:
                    return "ods"
            if "xl/workbook.bin" in names:
                return "xlsb"
            if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        pass
    return "zip"


def _text_kind(head: bytes) -> Kind:
    text = None
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(codec, "ignore")
            break
    if text is None:
        if b"\x00" in head:
            return "unknown"
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not a character cut off by the 64 KiB read
                try:
                    text = head.decode("cp949")  # a Korean office's CSV
                except UnicodeDecodeError:
                    return "unknown"
            else:
                text = head[:exc.start].decode("utf-8")
    start = text.lstrip().lower()[:2048]
    if start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in start:
        return "xml2003"
    if start.startswith(("<!doctype html", "<html", "<table", "<meta")) or "<html" in start:
        return "html"
    if any(ch in text for ch in ",;\t"):
        return "csv"
    return "text"


_NAMED = ("xls", "xlsb", "csv", "text", "html", "xml2003", "zip")
"""kinds whose refusal names what the file is (phrases ``kind_*``)"""


def refusal(path: str | os.PathLike[str], what: Kind) -> Said | None:
    """What the .xlsx reader says of a file of kind ``what`` (named ``path``), or None for one
    it reads: an .xlsx or .xlsm named so, an .ods named so."""
    p = Path(path)
    suffix = p.suffix.lower()
    named: str | Said = p.suffix or said("no_extension")
    if what == "xlsx":
        if suffix in (".xlsx", ".xlsm"):
            return None
        return said("named_as", path=p, what=said("kind_xlsx"), named=named,
                    better=f"{p.stem}.xlsx")
    if what == "ods":
        if suffix == ".ods":
            return None
        return said("named_as", path=p, what=said("kind_ods"), named=named,
                    better=f"{p.stem}.ods")
    if what == "empty":
        return said("is_empty", path=p)
    if what == "encrypted":
        return said("encrypted", path=p)
    if what in _NAMED:
        return said("other_format", path=p, what=said(f"kind_{what}"))
    return None
