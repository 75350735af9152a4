"""Result tabs as plain data: a heading, tables of typed columns, links, charts and how the tab
prints. No file format here; each backend renders the same ResultTab (so the People tab is the
same in .xlsx and in Google Sheets), and where the tab's rows fall is worked out here once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Kind = Literal["text", "int", "score", "date", "datetime"]

MAX_FIT = 50.0
"""Content widens a column up to this many characters; longer text wraps into the next cell's
space or is cut, as the column's own width (``Column.width``) says."""


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: float | None = None
    center: bool = False
    """Centred cells: a rank beside an ID or a name, which right-aligned would touch it."""


@dataclass(frozen=True)
class Table:
    """A block of rows under one header row. ``values`` is column-major, one sequence a column."""

    columns: list[Column]
    values: Sequence[Any]
    caption: str | None = None
    links: Sequence[str | None] | None = None
    link_column: int = 0

    @property
    def height(self) -> int:
        return len(self.values[0]) if self.values else 0


@dataclass(frozen=True)
class Chart:
    """A bar or line chart of one table's columns: categories from one, series from others,
    over ``max_rows`` rows of the table after the first ``skip``."""

    title: str
    table: int
    categories: int
    series: list[int]
    kind: Literal["bar", "col", "line"] = "bar"
    max_rows: int | None = None
    skip: int = 0


@dataclass(frozen=True)
class Printing:
    """How a tab prints, as intent: landscape, one page wide and as many pages tall as it
    takes, page numbers at the foot, and the rows that top every page. A backend without print
    settings (Google Sheets) freezes the same rows and ignores the rest."""

    landscape: bool = True
    one_page_wide: bool = True
    page_numbers: bool = True
    repeat_header: bool = True
    """Repeat the heading and the first table's header on every page; else the heading only
    (a tab of several tables, whose first header would mislabel the others)."""


@dataclass(frozen=True)
class ResultTab:
    """One tab collabsheet owns. ``aliases`` are the titles it may have had before (in either
    language): a backend replaces a tab of any of them and never looks at what they mean.
    ``heading`` is the line above everything else: what the tab is, for which period, as of
    when, in the office's words."""

    key: str
    title: str
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    freeze: bool = True
    autofilter: bool = True
    aliases: tuple[str, ...] = ()
    heading: str | None = None
    printing: Printing = field(default_factory=Printing)

    @property
    def titles(self) -> tuple[str, ...]:
        """Every title this tab replaces: its own and its aliases."""
        return (self.title, *self.aliases)

    def header_rows(self) -> list[int]:
        """The sheet row (from 1) of each table's header: the heading takes row 1, a blank row
        stands between tables and a caption above its table."""
        rows, row = [], 2 if self.heading else 1
        for k, table in enumerate(self.tables):
            row += (1 if k else 0) + (1 if table.caption else 0)
            rows.append(row)
            row += 1 + table.height
        return rows

    def frozen_rows(self) -> int:
        """Rows that stay in view: the heading, and the first table's header when the tab
        freezes it (one table, or a first table with no caption)."""
        if self.freeze and self.tables and not self.tables[0].caption:
            return self.header_rows()[0]
        return 1 if self.heading else 0

    def print_rows(self) -> int:
        """Rows that top every printed page: the heading, and the first table's header when it
        is the header of what runs over the pages (``Printing.repeat_header``)."""
        if self.printing.repeat_header and self.tables and not self.tables[0].caption:
            return self.header_rows()[0]
        return 1 if self.heading else 0

    def widths(self) -> list[float]:
        """Each column's width in characters: its own width, the header's (bold, so a little
        more), and its longest text (to MAX_FIT), so that no column runs into the next; wide
        characters count two."""
        n = max((len(t.columns) for t in self.tables), default=0)
        out = [8.0] * n
        for table in self.tables:
            for j, (col, values) in enumerate(zip(table.columns, table.values, strict=True)):
                content = text_width(values) if col.kind == "text" else 0.0
                out[j] = max(out[j], col.width or 0.0, min(40.0, display_width(col.header) + 3),
                             min(MAX_FIT, content + 2))
        return out


def display_width(text: str) -> float:
    """Hangul and other wide characters take about two columns."""
    return float(sum(2 if ord(ch) > 0x1100 else 1 for ch in text))


def text_width(values: Sequence[Any]) -> float:
    """The display width of the longest of ``values``, in Arrow: a wide character is three
    bytes of UTF-8 and two columns, so (bytes + characters) / 2 counts it two and ASCII one."""
    if not len(values):
        return 0.0
    try:
        arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array(pd.Series(np.asarray(values, dtype=object)).map(
            lambda x: None if x is None or x != x else str(x)), type=pa.large_string(),
            from_pandas=True)
    width = pc.max(pc.divide(pc.add(pc.binary_length(arr), pc.utf8_length(arr)), 2)).as_py()
    return float(width or 0)
