"""A workbook held in memory as rows of Python values: for tests, and for callers who already
have their data in Python. Cells are turned into text the way the file backends hand them over."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ..resulttab import ResultTab
from ..sheetref import column_letter
from .base import RawTab, drop_blank_rows


def cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class MemorySource:
    def __init__(self, tabs: dict[str, list[list[Any]]], name: str = "memory"):
        self.tabs = tabs
        self.name = name
        self.written: dict[str, ResultTab] = {}

    def tab_titles(self) -> list[str]:
        return list(self.tabs)

    def read_tabs(self, titles: list[str]) -> dict[str, RawTab]:
        return {t: self._read(t) for t in titles}

    def _read(self, title: str) -> RawTab:
        rows = self.tabs[title]
        width = max((len(r) for r in rows), default=0)
        grid = [[cell_text(r[j]) if j < len(r) else None for j in range(width)] for r in rows]
        header = [g for g in grid[0]] if grid else []
        columns = [pd.Series([r[j] for r in grid[1:]], dtype=object) for j in range(width)]
        columns, numbers = drop_blank_rows(columns, first_row=2)
        return RawTab(title, header, [column_letter(j) for j in range(width)], columns,
                      np.asarray(numbers))

    def write_tabs(self, tabs: list[ResultTab]) -> None:
        for tab in tabs:
            self.written[tab.title] = tab
