"""Result tabs as plain data: title, tables of typed columns, links and charts. No file format
here; each backend renders the same ResultTab (so the People tab is the same in .xlsx and in
Google Sheets)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["text", "int", "score", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: float | None = None


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
    """A bar or line chart of one table's columns: categories from one, series from others."""

    title: str
    table: int
    categories: int
    series: list[int]
    kind: Literal["bar", "col", "line"] = "bar"
    max_rows: int | None = None


@dataclass(frozen=True)
class ResultTab:
    """One tab collabsheet owns. ``aliases`` are the titles it may have had before (in either
    language): a backend replaces a tab of any of them and never looks at what they mean."""

    key: str
    title: str
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    freeze: bool = True
    autofilter: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def titles(self) -> tuple[str, ...]:
        """Every title this tab replaces: its own and its aliases."""
        return (self.title, *self.aliases)
