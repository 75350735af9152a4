"""Spreadsheet coordinates, written once: column letters, A1 references, quoted sheet names,
the number formats every backend gives result cells (so .xlsx and Google Sheets show the same)
and the days date serials count from."""

from __future__ import annotations

import datetime as dt
import re

NUMBER_FORMATS: dict[str, str] = {
    "int": "#,##0",
    "score": "#,##0.0##",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
"""By column kind (``resulttab.Kind``); a kind not here is shown as typed."""

EPOCH_1900 = dt.datetime(1899, 12, 30)
"""Day 0 of a date serial in the usual 1900 date system (and on Google Sheets)."""
EPOCH_1904 = dt.datetime(1904, 1, 1)
"""Day 0 of a date serial in a workbook that uses the 1904 date system (older Mac Excel)."""


def serial_epoch(date1904: bool) -> dt.datetime:
    """The day a workbook's date serials count from."""
    return EPOCH_1904 if date1904 else EPOCH_1900

_CELL = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def fold(title: str) -> str:
    """The form in which tab titles (and headers) compare: case, surrounding and repeated spaces
    do not matter."""
    return " ".join(title.split()).lower()


def column_letter(index: int) -> str:
    """0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, AB -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def quote_sheet(title: str) -> str:
    """A sheet name as formulas and ranges write it: always quoted, quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def cell(col: int, row: int, absolute: bool = False) -> str:
    """Column position (from 0) and sheet row (from 1) as A1, or $A$1."""
    d = "$" if absolute else ""
    return f"{d}{column_letter(col)}{d}{row}"


def ref(title: str, a1: str) -> str:
    """'Sheet name'!A1 (a cell or a range)."""
    return f"{quote_sheet(title)}!{a1}"


def column_range(title: str, col: int, first: int, last: int) -> str:
    """'Sheet'!$B$2:$B$9: one column from row ``first`` to ``last``, absolute."""
    return ref(title, f"{cell(col, first, True)}:{cell(col, last, True)}")


def split_cell(a1: str) -> tuple[int, int]:
    """'B7' -> (column position from 0, sheet row from 1)."""
    m = _CELL.match(a1.strip())
    if m is None:
        raise ValueError(f"{a1!r} is not a cell reference")
    return column_index(m.group(1)), int(m.group(2))
