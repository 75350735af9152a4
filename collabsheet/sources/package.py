"""Put result tabs into an .xlsx package beside the office's parts, then swap the file in.

Every part of the office's sheets is copied byte for byte (compressed data included); only the
workbook's sheet list, its relationships, the content types and styles.xml are edited, as text,
so that nothing the office made is re-serialized. Our own tabs keep their place and part name on
every run, so the same input gives the same file.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..errors import SourceError, WriteRefused
from ..phrases import said
from ..resulttab import ResultTab
from ..sheetref import NUMBER_FORMATS, fold, serial_epoch
from . import marks, sheetxml
from .base import in_order
from .filesafe import Seen, check_writable, lock_files, remove_stale, replacing, seen
from .opc import (
    CHART_TYPE,
    CT_CHART,
    CT_DRAWING,
    CT_SHEET,
    DOC_TYPE,
    DRAWING_TYPE,
    REL_NS,
    STYLES_TYPE,
    WS_TYPE,
    ZLIB,
    Rel,
    _attrs,
    _rels,
    _rels_part,
    _resolve,
    data_start,
    workbook_date1904,
)

# ----- styles ---------------------------------------------------------------------------------

_FONT_LINK = ('<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/>'
              '<family val="2"/></font>')
_FORMATS = {kind: NUMBER_FORMATS[kind] for kind in ("score", "date", "datetime")}


def _section(xml: str, name: str) -> re.Match[str] | None:
    return re.search(rf"<(?P<p>\w+:)?{name}\b(?P<a>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?{name}>)",
                     xml, re.S)


def _ensure_items(xml: str, section: str, item: str, wanted: str, before: tuple[str, ...]
                  ) -> tuple[str, int]:
    """Index of ``wanted`` among the section's items, appending it (and fixing count) if new."""
    m = _section(xml, section)
    if m is None:
        insert_at = len(xml)
        for name in before:
            b = re.search(rf"<(\w+:)?{name}\b", xml)
            if b:
                insert_at = b.start()
                break
        else:
            insert_at = xml.rindex("</")
        xml = xml[:insert_at] + f'<{section} count="0"></{section}>' + xml[insert_at:]
        m = _section(xml, section)
        assert m is not None
    prefix = m.group("p") or ""
    body = m.group("body") or ""
    items = re.findall(rf"<{prefix}{item}\b(?:[^>]*?/>|.*?</{prefix}{item}>)", body, re.S)
    normalized = [re.sub(rf"(</?){prefix}", r"\1", x) for x in items]
    if wanted in normalized:
        return xml, normalized.index(wanted)
    new_item = re.sub(r"(</?)(?=\w)", rf"\1{prefix}", wanted) if prefix else wanted
    new_body = body + new_item
    attrs = re.sub(r'\s*count="\d+"', "", m.group("a"))
    replacement = (f'<{prefix}{section} count="{len(items) + 1}"{attrs}>{new_body}'
                   f"</{prefix}{section}>")
    return xml[: m.start()] + replacement + xml[m.end():], len(items)


STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
               "dxfs", "tableStyles", "colors", "extLst")
"""The children of styleSheet in the order ECMA-376 gives them: a section missing goes before
the first of those after it."""


def ensure_format(xml: str, code: str) -> tuple[str, int]:
    """The numFmtId of number format ``code``, adding it (once) when the workbook has none."""
    existing = re.search(rf'<(?:\w+:)?numFmt\b[^>]*formatCode={quoteattr(code)}[^>]*/>', xml)
    if existing:
        return xml, int(_attrs(existing.group())["numFmtId"])
    used = [int(x) for x in re.findall(r'numFmtId="(\d+)"', xml)]
    new_id = max([163, *used]) + 1
    xml, _ = _ensure_items(xml, "numFmts", "numFmt",
                           f'<numFmt numFmtId="{new_id}" formatCode={quoteattr(code)}/>',
                           STYLE_ORDER[1:])
    return xml, new_id


def ensure_item(xml: str, section: str, item: str, wanted: str) -> tuple[str, int]:
    """Index of ``wanted`` among a styleSheet section's items, added when new."""
    return _ensure_items(xml, section, item, wanted,
                         STYLE_ORDER[STYLE_ORDER.index(section) + 1:])


def font_xml(bold: bool = False, size: float = 11) -> str:
    return (f'<font>{"<b/>" if bold else ""}<sz val="{size:g}"/><name val="Calibri"/>'
            '<family val="2"/></font>')


def fill_xml(rgb: str) -> str:
    return (f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
            '<bgColor indexed="64"/></patternFill></fill>')


def xf_xml(num: int, font: int = 0, fill_id: int = 0, center: bool = False) -> str:
    extra = ' applyNumberFormat="1"' if num else ""
    extra += ' applyFont="1"' if font else ""
    extra += ' applyFill="1"' if fill_id else ""
    if center:
        return (f'<xf numFmtId="{num}" fontId="{font}" fillId="{fill_id}" borderId="0" '
                f'xfId="0"{extra} applyAlignment="1"><alignment horizontal="center"/></xf>')
    return (f'<xf numFmtId="{num}" fontId="{font}" fillId="{fill_id}" borderId="0" '
            f'xfId="0"{extra}/>')


def ensure_styles(xml: str) -> tuple[str, sheetxml.Styles]:
    """Add (once) the fonts, fills, number formats and cell formats the result tabs use."""
    fmt_ids: dict[str, int] = {}
    for kind, code in _FORMATS.items():
        xml, fmt_ids[kind] = ensure_format(xml, code)
    xml, bold = ensure_item(xml, "fonts", "font", font_xml(bold=True))
    xml, link = ensure_item(xml, "fonts", "font", _FONT_LINK)
    xml, big = ensure_item(xml, "fonts", "font", font_xml(bold=True, size=13))
    xml, fill = ensure_item(xml, "fills", "fill", fill_xml("DDEBF7"))
    xf = xf_xml
    ids: dict[str, int] = {}
    for key, spec in {
        "header": xf(0, bold, fill), "number": xf(3), "score_whole": xf(3),
        "score_part": xf(fmt_ids["score"]), "date": xf(fmt_ids["date"]),
        "datetime": xf(fmt_ids["datetime"]), "link": xf(0, link), "caption": xf(0, bold),
        "heading": xf(0, big), "centered": xf(3, center=True),
    }.items():
        if key == "score_whole":
            ids[key] = ids["number"]
            continue
        xml, ids[key] = ensure_item(xml, "cellXfs", "xf", spec)
    return xml, sheetxml.Styles(**ids)


# ----- zip handling ---------------------------------------------------------------------------

def _copy_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy an entry's compressed bytes as they are: no inflate, no deflate, no change."""
    fp = zin.fp
    assert fp is not None and zout.fp is not None
    fp.seek(data_start(fp, info))
    data = fp.read(info.compress_size)
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    new.flag_bits = info.flag_bits & ~0x08 & ~0x800
    _append_raw(zout, new, data, info.CRC, info.file_size)


@dataclass
class _Deflated:
    data: bytes
    crc: int
    size: int


def _deflate(chunks: sheetxml.Chunks) -> _Deflated:
    """Raw deflate at level 1, chunk by chunk (other threads run meanwhile). ISA-L's deflate,
    where installed, writes the same format four times quicker than zlib and a little smaller."""
    packer = ZLIB.compressobj(1, zlib.DEFLATED, -15)
    out, crc, size = [], 0, 0
    for chunk in chunks:
        out.append(packer.compress(chunk))
        crc = ZLIB.crc32(chunk, crc)
        size += len(chunk)
    out.append(packer.flush())
    return _Deflated(b"".join(out), crc, size)


_Built = tuple[bytes | _Deflated, list[sheetxml.Placed]]


def _build(tab: ResultTab, styles: sheetxml.Styles, date1904: bool) -> _Built:
    """A result tab's sheet part, deflated when large: one job of the writer's threads. Its
    dates count from the workbook's epoch (``date1904``: the 1904 date system's)."""
    xml, placed = sheetxml.sheet_xml(tab, styles, "rId1" if tab.charts else None,
                                     serial_epoch(date1904))
    size = sum(len(chunk) for chunk in xml)
    return (_deflate(xml) if size > (1 << 20) else b"".join(xml)), placed


def _append_raw(zout: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, crc: int,
                size: int) -> None:
    """Append an entry whose bytes are compressed already."""
    assert zout.fp is not None
    if not info.filename.isascii():
        info.flag_bits |= 0x800
    info.CRC = crc
    info.compress_size = len(data)
    info.file_size = size
    info.header_offset = zout.fp.tell()
    zout.fp.write(info.FileHeader(zip64=None))
    zout.fp.write(data)
    zout.filelist.append(info)
    zout.NameToInfo[info.filename] = info
    zout.start_dir = zout.fp.tell()
    zout._didModify = True  # type: ignore[attr-defined]


def _copy(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    try:
        _copy_raw(zin, zout, info)
    except (ValueError, AttributeError, struct.error, OSError):
        zout.writestr(info, zin.read(info.filename))


def _free_name(existing: set[str], stem: str, ext: str) -> str:
    n = 1
    while f"{stem}{n}{ext}" in existing:
        n += 1
    return f"{stem}{n}{ext}"


def _next_rid(rels: list[Rel]) -> str:
    nums = [int(r.id[3:]) for r in rels if re.fullmatch(r"rId\d+", r.id)]
    return f"rId{max([0, *nums]) + 1}"


def replace_tabs(path: Path, tabs: list[ResultTab], force: bool = False,
                 name: str | None = None, expect: Seen | None = None) -> None:
    """Write ``tabs`` into the workbook at ``path``; each replaces its earlier version whole."""
    writer = PackageWriter(path, force=force, name=name, expect=expect)
    try:
        for tab in tabs:
            writer.add(tab)
        writer.commit()
    finally:
        writer.abort()


_NEW_BOOK = {
    "[Content_Types].xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://'
        'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
        'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main'
        '+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxml'
        'formats-officedocument.spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels":
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
        f'"{REL_NS}"><Relationship Id="rId1" Type="{DOC_TYPE}" Target="xl/workbook.xml"/>'
        "</Relationships>",
    "xl/workbook.xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://'
        'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView/>'
        "</bookViews><sheets></sheets></workbook>",
    "xl/_rels/workbook.xml.rels":
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
        f'"{REL_NS}"><Relationship Id="rId1" Type="{STYLES_TYPE}" Target="styles.xml"/>'
        "</Relationships>",
    "xl/styles.xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://'
        'schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz '
        'val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2">'
        '<fill><patternFill patternType="none"/></fill><fill><patternFill '
        'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
        '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
        'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
        'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles '
        'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
}


def new_book() -> bytes:
    """A workbook with no tabs yet: what ``--output NEW.xlsx`` starts from (never written on
    its own; the first result tab makes it a valid workbook)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, text in _NEW_BOOK.items():
            zf.writestr(zipfile.ZipInfo(part, (1980, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


def is_ods(zf: zipfile.ZipFile) -> bool:
    try:
        return zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
    except KeyError:
        return False


class PackageWriter:
    """Result tabs handed over one by one: each sheet is built and deflated in a background
    thread as it arrives (Arrow and the deflater let it run beside the caller's work), and the
    package is written once, at ``commit``; ``abort`` drops everything and leaves the file as
    it was.

    Only tabs the package's mark lists (see ``marks``) are replaced; an office tab with a result
    tab's name stops the write before anything is built. ``expect`` is what the file was when
    it was read: if anyone saved it since, nothing is written. A file that does not exist yet
    is made, from ``new_book``."""

    def __init__(self, path: Path, force: bool = False, name: str | None = None,
                 expect: Seen | None = None):
        self.path = path
        self.name = name or path.name
        locks = lock_files(path)
        if locks and not force:
            raise SourceError(said("open_elsewhere", path=self.name, lock=locks[0].name))
        check_writable(path, self.name)
        remove_stale(path)
        self._new = new_book() if not path.exists() else None
        self.expect = expect if expect is not None else seen(path)
        with self._open() as zin:
            if is_ods(zin):
                raise WriteRefused("not-xlsx", "ods", source=self.name)
            self._styles = self._read_styles(zin)
            self._sheets, self._owned = self._names(zin)
            self._date1904 = workbook_date1904(zin)
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._tabs: list[ResultTab] = []
        self._built: list[Future[_Built]] = []

    def _open(self) -> zipfile.ZipFile:
        try:
            return zipfile.ZipFile(io.BytesIO(self._new) if self._new else self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise SourceError(said("cannot_open_write", path=self.name, why=exc)) from exc

    def _read_styles(self, zin: zipfile.ZipFile) -> sheetxml.Styles:
        """The style ids the result cells use, as the commit will add them: the file cannot
        change between here and the commit (if it does, nothing is written)."""
        try:
            raw = zin.read(_styles_part(zin))
        except (KeyError, StopIteration) as exc:
            raise SourceError(said("cannot_write_into", path=self.name, why=exc)) from exc
        return ensure_styles(raw.decode("utf-8"))[1]

    def _names(self, zin: zipfile.ZipFile) -> tuple[list[str], set[str]]:
        try:
            return sheet_names(zin), {fold(t) for t in owned(zin)}
        except (KeyError, StopIteration) as exc:
            raise SourceError(said("cannot_write_into", path=self.name, why=exc)) from exc

    def add(self, tab: ResultTab) -> None:
        refuse_foreign(self.name, self._sheets, self._owned, tab)
        self._tabs.append(tab)
        self._built.append(self._pool.submit(_build, tab, self._styles, self._date1904))

    def _help(self) -> None:
        """Build the tabs the writer's thread has not started, here: at commit this thread
        has nothing else to do. Taken from the end, as the thread takes from the start."""
        for k in reversed(range(len(self._built))):
            if self._built[k].cancel():
                done: Future[_Built] = Future()
                done.set_result(_build(self._tabs[k], self._styles, self._date1904))
                self._built[k] = done

    def commit(self, order: Sequence[str] | None = None) -> None:
        self._help()
        at = in_order([t.title for t in self._tabs], order)
        tabs, built = [self._tabs[k] for k in at], [self._built[k] for k in at]
        with self._open() as zin:
            try:
                plan = _plan(zin, tabs, built, self.name)
            except (KeyError, StopIteration) as exc:
                raise SourceError(said("cannot_write_into", path=self.name, why=exc)
                                  ) from exc
            write_package(zin, self.path, self.name, self.expect, plan)
        self._pool.shutdown()

    def abort(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def write_package(zin: zipfile.ZipFile, path: Path, name: str, expect: Seen | None,
                  plan: _Plan) -> None:
    """The package ``zin`` with ``plan`` applied, put in place of the file at ``path`` only if
    it is still what was read (``expect``); every part the plan does not name is copied as it
    is, compressed bytes and all."""
    with replacing(path, name, expect) as tmp, zipfile.ZipFile(
            tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            part = info.filename
            if part in plan.remove:
                continue
            if part in plan.replace:
                _put(zout, _entry(part, info), plan.replace.pop(part))
            else:
                _copy(zin, zout, info)
        for part, data in plan.replace.items():
            _put(zout, _entry(part, None), data)


def refuse_foreign(name: str, sheets: list[str], owned_folded: set[str], tab: ResultTab
                   ) -> None:
    """Stop before anything is written when a tab the mark does not list has one of the
    result tab's names (either language, any case)."""
    variants = {fold(t) for t in tab.titles}
    for title in sheets:
        if fold(title) in variants and fold(title) not in owned_folded:
            raise WriteRefused("foreign-tab", tab=title, source=name)


def _workbook_part(zin: zipfile.ZipFile) -> str:
    root_rels = _rels(zin.read("_rels/.rels").decode("utf-8"))
    return next(_resolve("", r.target) for r in root_rels if r.type == DOC_TYPE)


def sheet_names(zin: zipfile.ZipFile) -> list[str]:
    wb_xml = zin.read(_workbook_part(zin)).decode("utf-8")
    return [_attrs(tag).get("name", "") for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*/>",
                                                             wb_xml)]


def _custom_part(zin: zipfile.ZipFile) -> str | None:
    root_rels = _rels(zin.read("_rels/.rels").decode("utf-8"))
    return next((_resolve("", r.target) for r in root_rels if r.type == marks.CUSTOM_TYPE),
                None)


def owned(zin: zipfile.ZipFile) -> list[str]:
    """The titles of the tabs collabsheet wrote into this package (its mark)."""
    part = _custom_part(zin)
    if part is None or part not in zin.namelist():
        return []
    return marks.owned_titles(zin.read(part).decode("utf-8", "replace"))


def _styles_part(zin: zipfile.ZipFile) -> str:
    wb_part = _workbook_part(zin)
    rels = _rels(zin.read(_rels_part(wb_part)).decode("utf-8"))
    styles_rel = next((r for r in rels if r.type == STYLES_TYPE), None)
    if styles_rel is None:
        raise KeyError("no styles part")
    return _resolve(wb_part, styles_rel.target)


def _put(zout: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes | _Deflated) -> None:
    if isinstance(data, bytes):
        zout.writestr(info, data)
    else:
        _append_raw(zout, info, data.data, data.crc, data.size)


def _entry(name: str, like: zipfile.ZipInfo | None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, like.date_time if like else (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


@dataclass
class Book:
    """The workbook part, its relationships and the content types, as text being edited."""

    part: str
    xml: str
    rels_xml: str
    rels: list[Rel]
    ct_xml: str

    @classmethod
    def read(cls, zin: zipfile.ZipFile) -> Book:
        part = _workbook_part(zin)
        rels_xml = zin.read(_rels_part(part)).decode("utf-8")
        return cls(part, zin.read(part).decode("utf-8"), rels_xml, _rels(rels_xml),
                   zin.read("[Content_Types].xml").decode("utf-8"))

    def styles_target(self) -> str:
        rel = next((r for r in self.rels if r.type == STYLES_TYPE), None)
        if rel is None:
            raise KeyError("no styles part")
        return rel.target

    def rid_attr(self) -> str:
        """The prefix the sheet list's relationship ids carry (r:id, mostly)."""
        found = re.search(r"<(?:\w+:)?sheet\b[^>]*?\s(\w+):id=", self.xml)
        return found.group(1) if found else "r"

    def add_sheet(self, title: str, taken: set[str]) -> tuple[str, str, str, int]:
        """A new worksheet ``title`` last in the sheet list: its part name (free in
        ``taken``), the sheet tag, its relationship id and sheetId."""
        part = _free_name(taken, "xl/worksheets/sheet", ".xml")
        rid = _next_rid(self.rels)
        rel = Rel(rid, WS_TYPE, posixpath.relpath(part, posixpath.dirname(self.part)), "")
        self.rels.append(rel)
        self.rels_xml = self.rels_xml.replace(
            "</Relationships>",
            f'<Relationship Id="{rid}" Type="{WS_TYPE}" Target={quoteattr(rel.target)}/>'
            "</Relationships>")
        ids = [int(x) for x in re.findall(r'<(?:\w+:)?sheet\b[^>]*?\ssheetId="(\d+)"',
                                          self.xml)]
        sheet_id = max([0, *ids]) + 1
        tag = (f'<sheet name={quoteattr(title)} sheetId="{sheet_id}" '
               f'{self.rid_attr()}:id="{rid}"/>')
        self.xml = _insert_sheet(self.xml, tag)
        self.ct_xml = _override(self.ct_xml, part, CT_SHEET)
        return part, tag, rid, sheet_id

    def parts(self) -> dict[str, bytes | _Deflated]:
        return {self.part: self.xml.encode("utf-8"),
                _rels_part(self.part): self.rels_xml.encode("utf-8"),
                "[Content_Types].xml": self.ct_xml.encode("utf-8")}


@dataclass
class _Plan:
    """Parts to write (large sheets deflated already) and parts to drop."""

    replace: dict[str, bytes | _Deflated]
    remove: set[str]


def _plan(zin: zipfile.ZipFile, tabs: list[ResultTab], built: list[Future[_Built]],
          name: str) -> _Plan:
    names = set(zin.namelist())
    book = Book.read(zin)
    by_id = {r.id: r for r in book.rels}
    styles_part = _resolve(book.part, book.styles_target())
    styles_xml, _ = ensure_styles(zin.read(styles_part).decode("utf-8"))

    rid_attr = book.rid_attr()
    sheets = []
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*/>", book.xml):
        a = _attrs(tag)
        sheets.append((tag, a.get("name", ""), a.get(f"{rid_attr}:id", ""),
                       int(a.get("sheetId", 0))))
    replace: dict[str, bytes | _Deflated] = {}
    remove: set[str] = set()
    mine = {fold(t) for t in owned(zin)}
    names_now = [s[1] for s in sheets]
    for tab in tabs:
        refuse_foreign(name, names_now, mine, tab)
    position: dict[int, ResultTab] = {}
    for tab, sheet in zip(tabs, built, strict=True):
        variants = {fold(t) for t in tab.titles}
        existing = next((s for s in sheets if fold(s[1]) in variants), None)
        position[sheets.index(existing) if existing is not None else len(sheets)] = tab
        if existing is not None:
            mine.discard(fold(existing[1]))
            tag, _old, rid, _sid = existing
            part = _resolve(book.part, by_id[rid].target)
            new_tag = re.sub(r'name=("[^"]*"|\'[^\']*\')', f"name={quoteattr(tab.title)}", tag,
                             count=1)
            book.xml = book.xml.replace(tag, new_tag, 1)
            old_rels = _rels_part(part)
            if old_rels in names:
                remove.add(old_rels)
                for r in _rels(zin.read(old_rels).decode("utf-8")):
                    if r.type == DRAWING_TYPE:
                        drawing = _resolve(part, r.target)
                        remove.add(drawing)
                        d_rels = _rels_part(drawing)
                        if d_rels in names:
                            remove.add(d_rels)
                            for cr in _rels(zin.read(d_rels).decode("utf-8")):
                                remove.add(_resolve(drawing, cr.target))
        else:
            part, tag, rid, sheet_id = book.add_sheet(tab.title, names | set(replace))
            by_id[rid] = book.rels[-1]
            sheets.append((tag, tab.title, rid, sheet_id))
        # drawings for charts
        drawing_rid = "rId1" if tab.charts else None
        replace[part], placed = sheet.result()
        if tab.charts:
            taken = (names - remove) | set(replace)
            drawing = _free_name(taken, "xl/drawings/drawing", ".xml")
            replace[_rels_part(part)] = _rels_xml(
                [(drawing_rid or "rId1", DRAWING_TYPE,
                  posixpath.relpath(drawing, posixpath.dirname(part)))])
            book.ct_xml = _override(book.ct_xml, drawing, CT_DRAWING)
            width = max(len(t.columns) for t in tab.tables) + 1
            anchors = []
            chart_rels = []
            for k, chart in enumerate(tab.charts):
                taken = (names - remove) | set(replace)
                chart_part = _free_name(taken, "xl/charts/chart", ".xml")
                replace[chart_part] = sheetxml.chart_xml(tab, chart, placed).encode("utf-8")
                book.ct_xml = _override(book.ct_xml, chart_part, CT_CHART)
                chart_rels.append((f"rId{k + 1}", CHART_TYPE,
                                   posixpath.relpath(chart_part, posixpath.dirname(drawing))))
                anchors.append((width, 1 + k * 20, width + 9, 19 + k * 20))
            replace[drawing] = sheetxml.drawing_xml(anchors).encode("utf-8")
            replace[_rels_part(drawing)] = _rels_xml(chart_rels)
    book.xml = _print_titles(book.xml, position)
    new_titles = {fold(t.title) for t in tabs}
    marked = [s[1] for s in sheets if fold(s[1]) in mine and fold(s[1]) not in new_titles]
    marked += [t.title for t in tabs]
    custom = _custom_part(zin)
    if custom is None:
        custom = marks.CUSTOM_PART
        root_xml = zin.read("_rels/.rels").decode("utf-8")
        replace["_rels/.rels"] = root_xml.replace(
            "</Relationships>",
            f'<Relationship Id="{_next_rid(_rels(root_xml))}" Type="{marks.CUSTOM_TYPE}" '
            f'Target="{custom}"/></Relationships>').encode("utf-8")
        book.ct_xml = _override(book.ct_xml, custom, marks.CT_CUSTOM)
    old_custom = zin.read(custom).decode("utf-8", "replace") if custom in names else None
    replace[custom] = marks.with_titles(old_custom, marked).encode("utf-8")
    for gone in remove - set(replace):
        book.ct_xml = re.sub(rf'<Override\b[^>]*PartName="/{re.escape(gone)}"[^>]*/>', "",
                             book.ct_xml)
    remove -= set(replace)
    replace.update(book.parts())
    replace[styles_part] = styles_xml.encode("utf-8")
    return _Plan(replace, remove)


_PRINT_TITLES = "_xlnm.Print_Titles"
_AFTER_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects",
                "extLst")


def _print_titles(wb_xml: str, tabs: dict[int, ResultTab]) -> str:
    """The rows each result tab repeats atop its printed pages: one _xlnm.Print_Titles defined
    name per sheet, by its position (``tabs``: position in the sheet list -> tab). Those of
    these sheets from an earlier run are replaced; every other defined name stays as it is."""
    sheets = re.search(r"<(\w+:)?sheets\b", wb_xml)
    prefix = (sheets.group(1) or "") if sheets else ""
    for at in tabs:
        wb_xml = re.sub(rf'<(?:\w+:)?definedName\b(?=[^>]*\bname="{_PRINT_TITLES}")'
                        rf'(?=[^>]*\blocalSheetId="{at}")[^>]*>[^<]*</(?:\w+:)?definedName>',
                        "", wb_xml)
    new = "".join(
        f'<{prefix}definedName name="{_PRINT_TITLES}" localSheetId="{at}">'
        f"{escape(rows)}</{prefix}definedName>"
        for at, tab in sorted(tabs.items()) if (rows := sheetxml.print_titles(tab)))
    wb_xml = re.sub(r"<(\w+:)?definedNames\b[^>]*?(?:/>|>\s*</(?:\w+:)?definedNames>)", "",
                    wb_xml)
    names = re.search(r"</(?:\w+:)?definedNames>", wb_xml)
    if names is not None:
        return wb_xml[:names.start()] + new + wb_xml[names.start():]
    if not new:
        return wb_xml
    block = f"<{prefix}definedNames>{new}</{prefix}definedNames>"
    for name in _AFTER_NAMES:
        after = re.search(rf"<(?:\w+:)?{name}\b", wb_xml)
        if after is not None:
            return wb_xml[:after.start()] + block + wb_xml[after.start():]
    end = wb_xml.rindex("</")
    return wb_xml[:end] + block + wb_xml[end:]


def _insert_sheet(wb_xml: str, tag: str) -> str:
    end = re.search(r"</(?:\w+:)?sheets>", wb_xml)
    if end is None:
        raise KeyError("no sheets element in the workbook part")
    return wb_xml[: end.start()] + tag + wb_xml[end.start():]


def _override(ct_xml: str, part: str, content_type: str) -> str:
    if f'PartName="/{part}"' in ct_xml:
        return ct_xml
    return ct_xml.replace(
        "</Types>", f'<Override PartName="/{escape(part)}" ContentType="{content_type}"/></Types>')


def _rels_xml(rels: list[tuple[str, str, str]]) -> bytes:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target={quoteattr(target)}/>'
                   for i, t, target in rels)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{REL_NS}">{body}</Relationships>').encode()
