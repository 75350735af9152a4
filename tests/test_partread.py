"""A large tab read in slices by several processes gives exactly what one read of it gives."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import fastexcel
import openpyxl
import pytest
import xlsxwriter
from conftest import DEPARTMENTS, LOG_HEADER, STAFF

from collabsheet.sources import partread, prefetch

D = dt.datetime


def _whole(path: Path, title: str) -> tuple[object, ...]:
    sheet = fastexcel.read_excel(str(path)).load_sheet_by_name(
        title, header_row=None, skip_rows=0, dtypes="string")
    batch, errs = sheet.to_arrow_with_errors()
    indexes = [c.absolute_index for c in sheet.available_columns()]
    errors = [(e.position[0], e.position[1], str(e.detail)) for e in (errs.errors if errs else [])]
    return [batch.column(i).to_pylist() for i in range(batch.num_columns)], errors, indexes


def _sliced(path: Path, title: str, n: int, tmp_path: Path) -> tuple[object, ...]:
    parts = []
    merged: list[str] | None = None
    work = tmp_path / "slices"
    work.mkdir(exist_ok=True)
    for k in range(n):
        batch, errors, indexes, cut = partread.read_slice(path, title, k, n, work / f"{k}.xlsx")
        parts.append(prefetch.Slice(batch, cut.offset, indexes, errors))
        merged = cut.merged
    batch, errors, indexes = prefetch.Slices(parts, merged or []).joined()
    assert not list(work.iterdir())
    return ([batch.column(i).to_pylist() for i in range(batch.num_columns)], errors,
            indexes), merged


def _hostile_log(path: Path) -> Path:
    """Shared strings, error cells in every part, blank rows, a column only the end uses, a
    first column only the start uses, and merged cells."""
    wb = openpyxl.Workbook()
    wb.active.title = "Staff"
    for row in STAFF:
        wb["Staff"].append(row)
    ws = wb.create_sheet("Log")
    ws.append(["Note", *LOG_HEADER])
    for i in range(300):
        if i % 37 == 5:
            ws.append([])
            continue
        note = f"n{i}" if i < 100 else None
        points: object = "#N/A" if i % 50 == 7 else 10 + i % 3
        ws.append([note, D(2025, 4, 2, 9, i % 60), f"E{1 + i % 5}", f" e{2 + i % 3} ", points,
                   f"thanks {i} & <more>" if i % 11 else "=1+1"])
    ws.cell(row=290, column=9, value="far right")
    ws.merge_cells("C200:C202")
    wb.create_sheet("Departments")
    for row in DEPARTMENTS:
        wb["Departments"].append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_slices_joined_read_as_the_whole_tab(tmp_path, n):
    path = _hostile_log(tmp_path / "office.xlsx")
    got, merged = _sliced(path, "Log", n, tmp_path)
    assert got == _whole(path, "Log")
    assert merged == ["C200:C202"]
    columns, errors, indexes = got
    assert indexes == list(range(9)) and columns[8][289] == "far right"
    assert columns[0][99] == "n98" and columns[0][200] is None
    assert len(columns[0]) == 301 and {r for r, _, _ in errors} == {8 + 50 * k for k in range(6)}


def test_inline_strings_of_a_streamed_workbook(tmp_path):
    path = tmp_path / "streamed.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws = wb.add_worksheet("Log")
    ws.write_row(0, 0, LOG_HEADER)
    for r in range(1, 500):
        ws.write_datetime(r, 0, D(2025, 5, 1, 8) + dt.timedelta(minutes=r), date)
        ws.write_row(r, 1, [f"E{r % 7}", f"E{r % 5}", 10, f"msg {r}"])
    wb.close()
    for n in (2, 3):
        got, merged = _sliced(path, "Log", n, tmp_path)
        assert got == _whole(path, "Log")
        assert merged == []


def _rewrite_sheet(path: Path, title: str, change) -> None:  # type: ignore[no-untyped-def]
    from collabsheet.sources.opc import sheet_parts

    with zipfile.ZipFile(path) as zf:
        part = sheet_parts(zf)[title]
        items = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, change(data) if info.filename == part else data)


def test_rows_without_numbers_cannot_be_cut(tmp_path):
    path = _hostile_log(tmp_path / "office.xlsx")
    _rewrite_sheet(path, "Log", lambda xml: re.sub(rb'(<row\b[^>]*?) r="\d+"', rb"\1", xml))
    with pytest.raises(partread.Unsplittable, match="a row without its number"):
        partread.cut_slice(path, "Log", 1, 2, tmp_path / "1.xlsx")


def test_a_sheet_that_cannot_be_cut_is_read_whole(tmp_path, monkeypatch):
    from collabsheet.sources.xlsx import XlsxSource

    path = _hostile_log(tmp_path / "office.xlsx")
    _rewrite_sheet(path, "Log", lambda xml: re.sub(rb'(<row\b[^>]*?) r="\d+"', rb"\1", xml))
    whole = XlsxSource(path).read_tabs(["Log"])["Log"]
    monkeypatch.setattr(prefetch, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(prefetch.tempfile, "tempdir", str(tmp_path))
    sliced = XlsxSource(path).read_tabs(["Log", "Staff"])["Log"]
    assert [list(c) for c in sliced.columns] == [list(c) for c in whole.columns]
    assert sliced.rows.tolist() == whole.rows.tolist()
    assert not list(tmp_path.glob("collabsheet-*"))


def test_a_prefixed_namespace_is_cut_too(tmp_path):
    path = _hostile_log(tmp_path / "office.xlsx")

    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(?=[A-Za-z])(?!\?)", rb"<\1x:", xml)
        return xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)

    _rewrite_sheet(path, "Log", prefixed)
    got, merged = _sliced(path, "Log", 2, tmp_path)
    assert got == _whole(path, "Log") and len(got[0][0]) == 301
    assert merged == ["C200:C202"]


def test_rows_out_of_order_are_read_whole(tmp_path, monkeypatch):
    from collabsheet.sources.xlsx import XlsxSource

    path = _hostile_log(tmp_path / "office.xlsx")

    def reversed_rows(xml: bytes) -> bytes:
        head, rest = xml.split(b"<sheetData>", 1)
        body, tail = rest.split(b"</sheetData>", 1)
        rows = re.findall(rb"<row\b.*?</row>|<row\b[^>]*/>", body, re.S)
        assert b"".join(rows) == body
        return head + b"<sheetData>" + b"".join(rows[::-1]) + b"</sheetData>" + tail

    _rewrite_sheet(path, "Log", reversed_rows)
    whole = XlsxSource(path).read_tabs(["Log"])["Log"]
    with pytest.raises(ValueError, match="rows out of order"):
        _sliced(path, "Log", 2, tmp_path)
    monkeypatch.setattr(prefetch, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(prefetch.tempfile, "tempdir", str(tmp_path))
    sliced = XlsxSource(path).read_tabs(["Log", "Staff"])["Log"]
    assert [list(c) for c in sliced.columns] == [list(c) for c in whole.columns]
    assert sliced.rows.tolist() == whole.rows.tolist() and len(whole.rows) > 250


def test_a_slice_that_cannot_be_written_leaves_the_tab_to_be_read_whole(tmp_path):
    path = _hostile_log(tmp_path / "office.xlsx")
    with pytest.raises(partread.Unsplittable, match=r"^the slice cannot be written \("):
        partread.read_slice(path, "Log", 0, 2, tmp_path / "no such folder" / "0.xlsx")
