"""A ResultTab as SpreadsheetML: sheet XML straight from the columns, plus chart drawings.

Strings are inline strings (never formulas, never the shared-string table, so the office's
parts stay untouched); numbers and dates carry the style ids the caller put into styles.xml.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..resulttab import Chart, ResultTab, Table
from ..sheetref import EPOCH_1900, cell, column_letter, column_range, ref

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
MAX_TEXT = 32767


@dataclass(frozen=True)
class Styles:
    """Cell style (xf) ids in the workbook's styles.xml."""

    header: int
    number: int
    score_whole: int
    score_part: int
    date: int
    datetime: int
    link: int
    caption: int
    heading: int
    centered: int
    """a number or text centred in its column (``Column.center``)"""


def text_xml(value: str) -> str:
    """Escape text for an inline string; control characters become Excel's _xHHHH_ form."""
    if len(value) > MAX_TEXT:
        value = value[: MAX_TEXT - 1] + "…"
    if "_x" in value:
        value = _ESCAPE_LIKE.sub(r"_x005F_\1", value)
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return escape(value)


_CARE_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]|_x[0-9A-Fa-f]{4}_|^\s|\s$"


def _strings(values: pd.Series) -> pa.Array:
    """Text of each value as an Arrow string array (never null)."""
    if isinstance(values.dtype, pd.StringDtype):
        arr = pa.array(values.array, type=pa.large_string(), from_pandas=True)
    else:
        arr = pa.array(values.astype("str").to_numpy(dtype=object), type=pa.large_string(),
                       from_pandas=True)
    return pc.fill_null(arr, "")


def _texts(values: pd.Series) -> Pieces:
    """Inline-string payloads (``<t>`` elements), in Arrow compute: &, < and > escaped for all;
    the few cells that need more (control characters, Excel's _xHHHH_ look-alikes, edge
    spaces, over-long text) go one by one."""
    text = _strings(values)
    out = text
    if pc.any(pc.match_substring_regex(text, "[&<>]")).as_py():
        for raw, esc in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            out = pc.replace_substring(out, raw, esc)
    care = pc.or_(pc.match_substring_regex(text, _CARE_RE2),
                  pc.greater(pc.utf8_length(text), MAX_TEXT))
    if not pc.any(care).as_py():
        return ["<t>", out, "</t>"]
    fixed = []
    for raw in pc.filter(text, care).to_pylist():
        space = ' xml:space="preserve"' if raw != raw.strip() else ""
        fixed.append(f"<t{space}>{text_xml(raw)}</t>")
    return [pc.replace_with_mask(_join("<t>", out, "</t>"), care,
                                 pa.array(fixed, type=pa.large_string()))]


def _number_texts(num: np.ndarray) -> pa.Array:
    """Whole numbers as integers, others in their shortest round-trip form."""
    whole = np.isfinite(num) & (num == np.floor(num)) & (np.abs(num) < 1e15)
    as_int = pa.array(np.where(whole, num, 0).astype(np.int64)).cast(pa.large_string())
    if whole.all():
        return as_int
    as_float = pa.array(num).cast(pa.large_string())
    return pc.if_else(pa.array(whole), as_int, as_float)


Pieces = list[str | pa.Array]
"""Cells as pieces to be joined row by row: plain strings repeat on every row. A column is
joined once, into its row, and not first into cells of its own (half the copying)."""


def _join(*items: str | pa.Array) -> pa.Array:
    """Element-wise concatenation; plain strings repeat on every row (neighbours merged)."""
    merged: Pieces = []
    for x in items:
        if isinstance(x, str) and merged and isinstance(merged[-1], str):
            merged[-1] += x
        elif not (isinstance(x, str) and not x):
            merged.append(x)
    args = [pa.scalar(x, type=pa.large_string()) if isinstance(x, str) else x for x in merged]
    return pc.binary_join_element_wise(*args, pa.scalar("", type=pa.large_string()))


def column_cells(values: Sequence[Any], kind: str, styles: Styles, link: bool,
                 epoch: dt.datetime = EPOCH_1900, center: bool = False) -> pa.Array:
    """The <c> elements of one column (``column_pieces`` joined)."""
    return _join(*column_pieces(values, kind, styles, link, epoch, center))


def column_pieces(values: Sequence[Any], kind: str, styles: Styles, link: bool,
                  epoch: dt.datetime = EPOCH_1900, center: bool = False) -> Pieces:
    """The <c> elements of one column, built column-wise in Arrow. Cells carry no reference:
    each row lists all its cells in order (a blank one as <c/>), which every reader accepts and
    which keeps a cell's text independent of its row. Dates are serials: days since ``epoch``,
    the workbook's (1904-01-01 in the 1904 date system). ``center``: whole numbers and text
    centred (a rank)."""
    n = len(values)
    if n == 0:
        return [pa.array([], type=pa.large_string())]
    series = pd.Series(values) if not isinstance(values, pd.Series) else values.reset_index(
        drop=True)
    present = series.notna().to_numpy(dtype=bool)
    if series.dtype.kind not in "iufb" and "datetime" not in str(series.dtype):
        present = present & ~(series == "").fillna(False).to_numpy(dtype=bool)
    rest = present.copy()
    pieces: list[tuple[np.ndarray, Pieces]] = []
    if kind in ("int", "score"):
        if series.dtype.kind in "iuf":
            num = series.to_numpy(dtype=float, na_value=np.nan)
        else:
            is_num = series.map(lambda x: isinstance(x, (int, float, np.integer, np.floating))
                                and not isinstance(x, bool), na_action="ignore")
            num = pd.to_numeric(series.where(is_num.fillna(False).astype(bool)),
                                errors="coerce").to_numpy(dtype=float)
        ok = present & np.isfinite(num)
        if ok.any():
            numbers = _number_texts(num[ok])
            if kind == "int":
                style = styles.link if link else styles.centered if center else styles.number
                cells: Pieces = [f'<c s="{style}"><v>', numbers, "</v></c>"]
            else:
                whole = pa.array(num[ok] == np.floor(num[ok]))
                head = pc.if_else(whole, f'<c s="{styles.score_whole}"><v>',
                                  f'<c s="{styles.score_part}"><v>')
                cells = [head.cast(pa.large_string()), numbers, "</v></c>"]
            pieces.append((ok, cells))
        rest = present & ~ok
    elif kind in ("date", "datetime"):
        stamps = pd.to_datetime(series.where(present), errors="coerce")
        ok = present & stamps.notna().to_numpy(dtype=bool)
        if ok.any():
            serial = ((stamps[ok] - pd.Timestamp(epoch)) / pd.Timedelta(days=1)).to_numpy(
                dtype=float)
            date_style = styles.date if kind == "date" else styles.datetime
            pieces.append((ok, [f'<c s="{date_style}"><v>', _number_texts(serial),
                                "</v></c>"]))
        rest = present & ~ok
    if rest.any():
        link_style = (f' s="{styles.link}"' if link else
                      f' s="{styles.centered}"' if center else "")
        pieces.append((rest, [f'<c{link_style} t="inlineStr"><is>', *_texts(series[rest]),
                              "</is></c>"]))
    if len(pieces) == 1 and pieces[0][0].all():
        return pieces[0][1]
    out = pa.repeat(pa.scalar("<c/>", type=pa.large_string()), n)
    for where, cells in pieces:
        out = pc.replace_with_mask(out, pa.array(where), _join(*cells))
    return [out]


def _joined(arr: pa.Array) -> pa.Buffer:
    """All strings of a large_string array, end to end: a view of its data buffer, no copy."""
    _validity, offsets_buf, data = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset: arr.offset + len(arr) + 1]
    out: pa.Buffer = data.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
    return out


def _header_cells(table: Table, row: int, style: int) -> str:
    return "".join(
        f'<c r="{column_letter(j)}{row}" s="{style}" t="inlineStr"><is><t>'
        f"{text_xml(c.header)}</t></is></c>"
        for j, c in enumerate(table.columns)
    )


@dataclass
class Placed:
    """Where a table landed: its header row and data rows (1-based)."""

    header_row: int
    first: int
    last: int


Chunks = list[bytes | pa.Buffer]


def sheet_xml(tab: ResultTab, styles: Styles, drawing_rid: str | None,
              epoch: dt.datetime = EPOCH_1900) -> tuple[Chunks, list[Placed]]:
    """The worksheet part as UTF-8 chunks to be written one after another: data rows are joined
    in Arrow, never cell by cell in Python, and handed over without a copy. Date serials count
    from ``epoch``, the workbook's. The heading takes row 1 and the tables the rows
    ``ResultTab.header_rows`` gives them."""
    parts: Chunks = []
    links: list[str] = []
    placed: list[Placed] = []
    if tab.heading:
        parts.append(f'<row r="1"><c r="A1" s="{styles.heading}" t="inlineStr"><is>'
                     f"<t>{text_xml(tab.heading)}</t></is></c></row>".encode())
    row = 1
    for table, header_row in zip(tab.tables, tab.header_rows(), strict=True):
        if table.caption:
            row = header_row - 1
            parts.append(f'<row r="{row}"><c r="A{row}" s="{styles.caption}" t="inlineStr"><is>'
                         f"<t>{text_xml(table.caption)}</t></is></c></row>".encode())
        row = header_row
        parts.append(f'<row r="{row}">{_header_cells(table, row, styles.header)}</row>'.encode())
        first = row + 1
        cols = [piece for j, (col, values) in enumerate(zip(table.columns, table.values,
                                                            strict=True))
                for piece in column_pieces(values, col.kind, styles,
                                           link=table.links is not None and j == table.link_column,
                                           epoch=epoch, center=col.center)]
        if table.height:
            numbers = pa.array(np.arange(first, first + table.height)).cast(pa.large_string())
            parts.append(_joined(_join('<row r="', numbers, '">', *cols, "</row>")))
            del cols
        if table.links is not None:
            letter = column_letter(table.link_column)
            for i, target in enumerate(table.links):
                if target:
                    links.append(f'<hyperlink ref="{letter}{first + i}" '
                                 f"location={quoteattr(target)}/>")
        row = first + table.height
        placed.append(Placed(header_row, first, row - 1))
    widths = tab.widths()
    head = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">']
    last_col = column_letter(max((len(t.columns) for t in tab.tables), default=1) - 1)
    if tab.printing.one_page_wide:
        head.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    head.append(f'<dimension ref="A1:{last_col}{max(row - 1, 1)}"/>')
    frozen = tab.frozen_rows()
    if frozen:
        below = f"A{frozen + 1}"
        head.append(f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{frozen}" '
                    f'topLeftCell="{below}" activePane="bottomLeft" state="frozen"/>'
                    f'<selection pane="bottomLeft" activeCell="{below}" sqref="{below}"/>'
                    "</sheetView></sheetViews>")
    head.append('<sheetFormatPr defaultRowHeight="15"/>')
    if widths:
        head.append("<cols>" + "".join(
            f'<col min="{j + 1}" max="{j + 1}" width="{w:g}" customWidth="1"/>'
            for j, w in enumerate(widths)) + "</cols>")
    tail: list[str] = []
    if tab.autofilter and tab.tables and placed and not tab.tables[0].caption:
        first_table = tab.tables[0]
        end = column_letter(len(first_table.columns) - 1)
        last = max(placed[0].last, placed[0].header_row)
        tail.append(f'<autoFilter ref="A{placed[0].header_row}:{end}{last}"/>')
    if links:
        tail.append("<hyperlinks>" + "".join(links) + "</hyperlinks>")
    tail.append(_page_setup(tab))
    if drawing_rid:
        tail.append(f'<drawing r:id="{drawing_rid}"/>')
    chunks: Chunks = [("".join(head) + "<sheetData>").encode(), *parts,
                      ("</sheetData>" + "".join(tail) + "</worksheet>").encode()]
    return chunks, placed


def _page_setup(tab: ResultTab) -> str:
    """Margins, orientation, fit and the footer's page numbers ("3 / 12"), as the tab's
    ``Printing`` asks. The rows repeated atop every page are a defined name of the workbook
    (``print_titles``), not part of the sheet."""
    p = tab.printing
    setup = f'<pageSetup orientation="{"landscape" if p.landscape else "portrait"}"'
    if p.one_page_wide:
        setup += ' fitToWidth="1" fitToHeight="0"'
    out = ('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" '
           f'footer="0.3"/>{setup}/>')
    if p.page_numbers:
        out += "<headerFooter><oddFooter>&amp;C&amp;P / &amp;N</oddFooter></headerFooter>"
    return out


def print_titles(tab: ResultTab) -> str | None:
    """The rows that top every printed page, as the formula of the sheet's _xlnm.Print_Titles
    defined name ('People'!$1:$2), or None."""
    rows = tab.print_rows()
    return ref(tab.title, f"$1:${rows}") if rows else None


# ----- charts ----------------------------------------------------------------------------------

DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def chart_xml(tab: ResultTab, chart: Chart, placed: list[Placed]) -> str:
    p = placed[chart.table]
    first = p.first + chart.skip
    last = p.last if chart.max_rows is None else min(p.last, first + chart.max_rows - 1)
    last = max(last, first)
    series = []
    categories = column_range(tab.title, chart.categories, first, last)
    for k, col in enumerate(chart.series):
        name = ref(tab.title, cell(col, p.header_row, absolute=True))
        series.append(
            f"<c:ser><c:idx val=\"{k}\"/><c:order val=\"{k}\"/>"
            f"<c:tx><c:strRef><c:f>{escape(name)}</c:f></c:strRef></c:tx>"
            f"{_series_look(chart, k)}"
            f"<c:cat><c:strRef><c:f>{escape(categories)}"
            f"</c:f></c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{escape(column_range(tab.title, col, first, last))}</c:f>"
            f"</c:numRef></c:val></c:ser>"
        )
    if chart.kind == "line":
        plot = (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
                f'{"".join(series)}<c:marker val="1"/><c:axId val="500"/><c:axId val="600"/>'
                f"</c:lineChart>")
        cat_orient = "minMax"
        cat_pos, val_pos = "b", "l"
    else:
        bar_dir = "bar" if chart.kind == "bar" else "col"
        plot = (f'<c:barChart><c:barDir val="{bar_dir}"/><c:grouping val="clustered"/>'
                f'<c:varyColors val="0"/>{"".join(series)}<c:gapWidth val="80"/>'
                f'<c:axId val="500"/><c:axId val="600"/></c:barChart>')
        cat_orient = "maxMin" if bar_dir == "bar" else "minMax"
        cat_pos, val_pos = ("l", "b") if bar_dir == "bar" else ("b", "l")
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{REL_NS}">'
        f'<c:roundedCorners val="0"/><c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r>'
        f"<a:t>{escape(chart.title)}</a:t></a:r></a:p></c:rich></c:tx>"
        f'<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        f"{plot}"
        f'<c:catAx><c:axId val="500"/><c:scaling><c:orientation val="{cat_orient}"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="{cat_pos}"/><c:crossAx val="600"/>'
        f"</c:catAx>"
        f'<c:valAx><c:axId val="600"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{val_pos}"/><c:majorGridlines/>'
        f'<c:crossAx val="500"/></c:valAx></c:plotArea>'
        f'<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        f'<c:plotVisOnly val="1"/></c:chart></c:chartSpace>'
    )


_PALETTE = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47")
_LABELS = ('<c:dLbls><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
           '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/>'
           "</c:dLbls>")


def _series_look(chart: Chart, k: int) -> str:
    """A series' colour, and its values written on the bars (read in print, without the
    axis). Without a fill of their own, LibreOffice draws a chart part's bars invisible."""
    colour = _PALETTE[k % len(_PALETTE)]
    if chart.kind == "line":
        return (f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{colour}"/>'
                f"</a:solidFill></a:ln></c:spPr>")
    return (f'<c:spPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></c:spPr>'
            f'<c:invertIfNegative val="0"/>{_LABELS}')


def drawing_xml(anchors: list[tuple[int, int, int, int]]) -> str:
    """One chart frame per anchor (from col, from row, to col, to row; 0-based)."""
    frames = []
    for k, (c0, r0, c1, r1) in enumerate(anchors):
        frames.append(
            f"<xdr:twoCellAnchor><xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{r0}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{c1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r1}</xdr:row>"
            f"<xdr:rowOff>0</xdr:rowOff></xdr:to>"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
            f'<xdr:cNvPr id="{k + 2}" name="Chart {k + 1}"/><xdr:cNvGraphicFramePr/>'
            f"</xdr:nvGraphicFramePr><xdr:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/>"
            f'</xdr:xfrm><a:graphic><a:graphicData uri="{C_NS}">'
            f'<c:chart xmlns:c="{C_NS}" r:id="rId{k + 1}"/></a:graphicData></a:graphic>'
            f"</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>"
        )
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<xdr:wsDr xmlns:xdr="{DRAWING_NS}" xmlns:a="{A_NS}" xmlns:r="{REL_NS}">'
            + "".join(frames) + "</xdr:wsDr>")
