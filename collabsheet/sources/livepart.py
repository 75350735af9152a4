"""A tab of formulas, and conditional formats on one of the office's tabs, added to an office's
own .xlsx by adding parts, as write-back adds result tabs (``init --live office.xlsx``).

The office's workbook is never loaded and saved again (that drops what a library does not
understand: charts, pictures, extensions). Every part is copied byte for byte except the
workbook's sheet list and calculation settings, its relationships, the content types,
styles.xml (new cell formats and the marks' fills, appended) and the one sheet that gets the
formats: there the conditional formats are put in where ECMA-376 orders them, and every other
byte of that part, its cells first of all, stays as it was. What the tab holds, the formulas and
their colours come from the caller: this module knows no rule.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..errors import SourceError, WriteRefused
from ..phrases import said
from ..sheetref import fold, split_cell
from . import sheetxml
from .filesafe import Seen, check_writable, lock_files, remove_stale, seen
from .opc import _resolve, sheet_parts
from .package import (
    Book,
    _deflate,
    _Deflated,
    _Plan,
    ensure_format,
    ensure_item,
    fill_xml,
    font_xml,
    is_ods,
    sheet_names,
    write_package,
    xf_xml,
)


@dataclass(frozen=True)
class Look:
    """How a cell looks: bold, font size, a solid fill (RRGGBB), a number format."""

    bold: bool = False
    size: float = 11
    fill: str | None = None
    number_format: str | None = None


@dataclass(frozen=True)
class Cell:
    """One cell: text (an inline string), a formula (without its ``=``; no saved value, so
    the spreadsheet computes it on opening), or only a look."""

    ref: str
    text: str | None = None
    formula: str | None = None
    look: Look = Look()


@dataclass(frozen=True)
class Column:
    index: int
    width: float | None = None
    hidden: bool = False


@dataclass(frozen=True)
class Dropdown:
    """A list dropdown over ``sqref`` whose choices are what ``formula`` refers to."""

    sqref: str
    formula: str


@dataclass(frozen=True)
class FormulaTab:
    title: str
    cells: tuple[Cell, ...]
    columns: tuple[Column, ...] = ()
    dropdowns: tuple[Dropdown, ...] = ()


@dataclass(frozen=True)
class Mark:
    """A conditional format: ``formula`` (for the first cell of the range) fills with
    ``fill`` (RRGGBB) where it is true."""

    formula: str
    fill: str


@dataclass(frozen=True)
class Marks:
    tab: str
    """the office's tab the formats go on"""
    sqref: str
    marks: tuple[Mark, ...] = ()


def tab_titles(path: Path, name: str) -> list[str]:
    """The titles of the workbook's tabs, from its workbook part."""
    try:
        with zipfile.ZipFile(path) as zin:
            if is_ods(zin):
                raise WriteRefused("not-xlsx", "ods", source=name)
            return sheet_names(zin)
    except (zipfile.BadZipFile, OSError, KeyError, StopIteration) as exc:
        raise SourceError(said("cannot_open_write", path=name, why=exc)) from exc


def add_tab_and_marks(path: Path, tab: FormulaTab, marks: Marks, name: str | None = None,
                      expect: Seen | None = None) -> None:
    """Put ``tab`` last among the workbook's tabs and ``marks`` on the office's ``marks.tab``.
    Refused, with the file left as it was, when the workbook is open in Excel or LibreOffice,
    read-only, or saved by anyone since ``expect`` was taken (the caller read its tab titles
    then)."""
    name = name or path.name
    locks = lock_files(path)
    if locks:
        raise SourceError(said("open_elsewhere", path=name, lock=locks[0].name))
    check_writable(path, name)
    remove_stale(path)
    expect = expect if expect is not None else seen(path)
    try:
        zin = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(said("cannot_open_write", path=name, why=exc)) from exc
    with zin:
        if is_ods(zin):
            raise WriteRefused("not-xlsx", "ods", source=name)
        try:
            plan = _plan(zin, tab, marks)
        except (KeyError, StopIteration, UnicodeDecodeError) as exc:
            raise SourceError(said("cannot_write_into", path=name, why=exc)) from exc
        write_package(zin, path, name, expect, plan)


def _plan(zin: zipfile.ZipFile, tab: FormulaTab, marks: Marks) -> _Plan:
    book = Book.read(zin)
    if fold(tab.title) in {fold(t) for t in sheet_names(zin)}:
        raise KeyError(f"a tab named {tab.title} exists")
    styles_part = _resolve(book.part, book.styles_target())
    styles = zin.read(styles_part).decode("utf-8")
    styles, looks = _cell_formats(styles, {c.look for c in tab.cells})
    styles, dxf_ids = _dxfs(styles, [m.fill for m in marks.marks])
    marked_part = sheet_parts(zin)[marks.tab]
    names = set(zin.namelist())
    part, _tag, _rid, _sid = book.add_sheet(tab.title, names)
    book.xml = full_calc_on_load(book.xml)
    replace: dict[str, bytes | _Deflated] = {
        part: tab_xml(tab, looks).encode("utf-8"),
        marked_part: _big(with_conditional_formats(zin.read(marked_part), marks, dxf_ids)),
        styles_part: styles.encode("utf-8"),
    }
    replace.update(book.parts())
    return _Plan(replace, set())


def _big(data: bytes) -> bytes | _Deflated:
    """A large part deflated as write-back deflates its large sheets (ISA-L, level 1)."""
    return _deflate([data]) if len(data) > (1 << 20) else data


# ----- styles ---------------------------------------------------------------------------------

def _cell_formats(styles: str, looks: set[Look]) -> tuple[str, dict[Look, int]]:
    """The cell format (xf) id of each look, added to styles.xml where it is new."""
    ids: dict[Look, int] = {}
    for look in sorted(looks, key=repr):
        if look == Look():
            ids[look] = 0
            continue
        num = 0
        if look.number_format is not None:
            styles, num = ensure_format(styles, look.number_format)
        font = fill = 0
        if look.bold or look.size != 11:
            styles, font = ensure_item(styles, "fonts", "font", font_xml(look.bold, look.size))
        if look.fill is not None:
            styles, fill = ensure_item(styles, "fills", "fill", fill_xml(look.fill))
        styles, ids[look] = ensure_item(styles, "cellXfs", "xf", xf_xml(num, font, fill))
    return styles, ids


def _dxfs(styles: str, fills: list[str]) -> tuple[str, list[int]]:
    """The differential format id of each fill, appended to styles.xml's dxfs."""
    root = _prefix(styles, "styleSheet")
    if "dxfs" not in {name for name, _ in _children(styles)}:
        # made here, before extLst, so that an extension's x14:dxfs is never taken for it
        styles = _insert_before(styles, f'<{root}dxfs count="0"/>',
                                ("tableStyles", "colors", "extLst"), root, "styleSheet")
    ids = []
    for rgb in fills:
        dxf = (f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
               f'<bgColor rgb="FF{rgb}"/></patternFill></fill></dxf>')
        styles, k = ensure_item(styles, "dxfs", "dxf", dxf)
        ids.append(k)
    return styles, ids


def _prefix(xml: str, root: str) -> str:
    m = re.search(rf"<(\w+:)?{root}\b", xml)
    return (m.group(1) or "") if m else ""


_TAG = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!].*?>"
                  r"""|<(/?)([\w:.-]+)(?:[^>"']|"[^"]*"|'[^']*')*?(/?)>""", re.S)
"""A tag (its closing slash, name, self-closing slash), or a comment, CDATA or instruction."""


def _children(xml: str, depth: int = 0) -> list[tuple[str, int]]:
    """The local name and start of each element one level below ``depth`` (0: the text is a
    whole document, its root's children; 1: the text starts inside the root). Nested elements
    are passed over: a cfRule or a cellStyle can hold an extLst of its own."""
    out = []
    for m in _TAG.finditer(xml):
        closing, name, empty = m.group(1), m.group(2), m.group(3)
        if name is None:
            continue
        if closing:
            depth -= 1
            continue
        if depth == 1:
            out.append((name.split(":")[-1], m.start()))
        if not empty:
            depth += 1
    return out


def _insert_before(xml: str, element: str, after: Sequence[str], prefix: str, root: str,
                   depth: int = 0) -> str:
    """``element`` put among the root's children before the first of ``after`` (those the
    schema puts after it) that ``xml`` has, else last in the ``root``."""
    at = [start for name, start in _children(xml, depth) if name in after]
    where = min(at) if at else xml.rindex(f"</{prefix}{root}>")
    return xml[:where] + element + xml[where:]


# ----- the workbook part ----------------------------------------------------------------------

_AFTER_CALC = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
               "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


def full_calc_on_load(wb_xml: str) -> str:
    """The workbook part asking every spreadsheet to compute all formulas when the file is
    opened (``<calcPr fullCalcOnLoad="1"/>``): the new formulas carry no saved value, and
    Excel shows a saved value (none) until something makes it compute."""
    calc = re.search(r"<(?:\w+:)?calcPr\b[^>]*?/?>", wb_xml)
    if calc is not None:
        tag = calc.group()
        if re.search(r"\sfullCalcOnLoad=", tag):
            new = re.sub(r'\sfullCalcOnLoad=("[^"]*"|\'[^\']*\')', ' fullCalcOnLoad="1"', tag)
        else:
            end = -2 if tag.endswith("/>") else -1
            new = tag[:end] + ' fullCalcOnLoad="1"' + tag[end:]
        return wb_xml[:calc.start()] + new + wb_xml[calc.end():]
    root = _prefix(wb_xml, "workbook")
    return _insert_before(wb_xml, f'<{root}calcPr fullCalcOnLoad="1"/>', _AFTER_CALC, root,
                          "workbook")


# ----- the new tab ----------------------------------------------------------------------------

def tab_xml(tab: FormulaTab, looks: dict[Look, int]) -> str:
    """The tab as a worksheet part: inline strings, formulas without a saved value, its
    columns and dropdowns."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for c in tab.cells:
        col, row = split_cell(c.ref)
        style = looks[c.look]
        s = f' s="{style}"' if style else ""
        r = c.ref.replace("$", "")
        if c.formula is not None:
            xml = f'<c r="{r}"{s}><f>{escape(c.formula)}</f></c>'
        elif c.text is not None:
            xml = f'<c r="{r}"{s} t="inlineStr"><is><t xml:space="preserve">' \
                  f"{sheetxml.text_xml(c.text)}</t></is></c>"
        else:
            xml = f'<c r="{r}"{s}/>'
        rows.setdefault(row, []).append((col, xml))
    data = "".join(f'<row r="{r}">' + "".join(x for _, x in sorted(cells)) + "</row>"
                   for r, cells in sorted(rows.items()))
    cols = "".join(
        f'<col min="{c.index + 1}" max="{c.index + 1}" width="{c.width or 9.140625:g}"'
        + (' customWidth="1"' if c.width else "") + (' hidden="1"' if c.hidden else "") + "/>"
        for c in sorted(tab.columns, key=lambda c: c.index))
    dropdowns = "".join(
        f'<dataValidation type="list" allowBlank="1" sqref={quoteattr(d.sqref)}>'
        f"<formula1>{escape(d.formula)}</formula1></dataValidation>" for d in tab.dropdowns)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{sheetxml.MAIN_NS}" xmlns:r="{sheetxml.REL_NS}">'
            '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + f"<sheetData>{data}</sheetData>"
            + (f'<dataValidations count="{len(tab.dropdowns)}">{dropdowns}</dataValidations>'
               if dropdowns else "")
            + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
              'footer="0.3"/></worksheet>')


# ----- conditional formats on the office's sheet ----------------------------------------------

_AFTER_FORMATS = ("dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup",
                  "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
                  "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF",
                  "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                  "tableParts", "extLst")
"""What follows conditionalFormatting in a worksheet (CT_Worksheet, ECMA-376 Part 1 18.3.1.99);
sheetData and everything before it comes first."""


def with_conditional_formats(part: bytes, marks: Marks, dxf_ids: Sequence[int]) -> bytes:
    """The sheet part with ``marks`` as one conditionalFormatting element after the sheet's own
    (their priorities after every rule it has, an extension's too), before what follows them;
    the bytes before and after the insertion are those of the part."""
    head = part[:4096].decode("utf-8", "replace")
    root = _prefix(head, "worksheet")
    closing = part.rfind(f"</{root}sheetData>".encode())
    if closing >= 0:
        start = closing + len(f"</{root}sheetData>")
    else:
        empty = re.search(rf"<{re.escape(root)}sheetData\s*/>".encode(), part)
        if empty is None:
            raise KeyError(f"no sheetData in the {marks.tab} tab's part")
        start = empty.end()
    tail = part[start:].decode("utf-8")
    taken = [int(p) for p in re.findall(r'<(?:\w+:)?cfRule\b[^>]*?\spriority="(\d+)"', tail)]
    first = max([0, *taken]) + 1
    rules = "".join(
        f'<{root}cfRule type="expression" dxfId="{dxf}" priority="{first + k}">'
        f"<{root}formula>{escape(m.formula)}</{root}formula></{root}cfRule>"
        for k, (m, dxf) in enumerate(zip(marks.marks, dxf_ids, strict=True)))
    block = (f"<{root}conditionalFormatting sqref={quoteattr(marks.sqref)}>{rules}"
             f"</{root}conditionalFormatting>")
    placed = _insert_before(tail, block, _AFTER_FORMATS, root, "worksheet", depth=1)
    return part[:start] + placed.encode("utf-8")
