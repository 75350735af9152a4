"""Fixtures: small real .xlsx workbooks built with openpyxl."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

D = dt.date
AS_OF = D(2025, 7, 15)

STAFF = [
    ["ID", "Name", "Department", "Email", "Joined", "Left", "Takes part"],
    ["E1", "Kim", "Planning", "e1@office.kr", None, None, "yes"],
    ["E2", "Lee", "Finance", "e2@office.kr", None, None, None],
    ["E3", "Park", "Finance", "e3@office.kr", None, None, None],
    ["E4", "Choi", "Support A", "e4@office.kr", None, None, None],
    ["E5", "Jung", "Support A", "e5@office.kr", D(2025, 3, 10), None, None],
    ["E6", "Kang", "Planning", "e6@office.kr", None, D(2025, 3, 15), None],
    ["E7", "Yoon", "Support B", "e7@office.kr", None, None, "no"],
]
DEPARTMENTS = [
    ["Department", "Group"],
    ["Planning", "Head office"],
    ["Finance", "Head office"],
    ["Support A", "Support offices"],
    ["Support B", "Support offices"],
]
LOG_HEADER = ["Date", "From", "To", "Points", "Message"]


def write_workbook(path: Path, tabs: dict[str, list[list[Any]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in tabs.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def make_book(tmp_path: Path) -> Callable[..., Path]:
    """Build a workbook from the base office, with any tab replaced or added."""

    def make(log: list[list[Any]] | None = None, name: str = "office.xlsx",
             **tabs: list[list[Any]] | None) -> Path:
        book: dict[str, list[list[Any]]] = {
            "Staff": STAFF,
            "Departments": DEPARTMENTS,
            "Log": [LOG_HEADER, *(log or [])],
        }
        for key, rows in tabs.items():
            title = key.replace("_", " ")
            if rows is None:
                book.pop(title, None)
            else:
                book[title] = rows
        return write_workbook(tmp_path / name, book)

    return make
