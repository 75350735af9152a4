"""The one interface between collabsheet and a spreadsheet: read tabs as text, write result tabs.

A backend knows cells and files, never a rule; the rule engine never knows which backend it serves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from ..resulttab import ResultTab
from ..sheetref import EPOCH_1900

_ERROR_NAMES = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
NO_VALUE = "#NO_VALUE!"
"""What a formula cell without a saved value reads as. A workbook written by a program that does
not calculate (openpyxl, a script) keeps ``<c r="B2"><f>A1&amp;"x"</f></c>`` and no ``<v>``:
calamine hands over nothing, as for a blank cell, so the reader finds such cells in the sheet's
bytes (``sheetscan``) and puts this text in them for the checks to name."""

ERROR_TEXTS = frozenset(_ERROR_NAMES.values()) | {"#ERROR!", "#SPILL!", "#CALC!", NO_VALUE}
"""The texts a cell arrives as when it holds no usable value: a formula's cached error (calamine
reports ``t="e"`` cells as errors, mapped by ``error_text``), or NO_VALUE."""


def error_text(detail: str) -> str:
    """'Expected string but got Error(Ref)' -> '#REF!'."""
    for key, text in _ERROR_NAMES.items():
        if f"Error({key})" in detail:
            return text
    return "#ERROR!"


@dataclass
class RawTab:
    """One tab as text: the header row (sheet row 1) and each data column below it.

    ``rows`` holds the sheet row number of every data row kept; blank rows are already dropped.
    Error cells arrive as their error text (``#REF!``), so checks see and name them; a formula
    without a saved value arrives as NO_VALUE.
    ``epoch`` is the day the workbook's date serials count from (1904-01-01 in a workbook of
    the 1904 date system): a number in a date column means that many days after it. ``zone``
    is the time zone the workbook's own clock writes in (a Google Sheet's, where a Form's
    Timestamp is that zone's wall-clock time); None when the file does not say (.xlsx).
    """

    title: str
    header: list[str | None]
    letters: list[str]
    columns: list[pd.Series]
    rows: np.ndarray
    merged: list[str] = field(default_factory=list)
    epoch: dt.datetime = EPOCH_1900
    zone: str | None = None


class Source(Protocol):
    """What every backend offers. ``name`` is how messages name the workbook."""

    name: str

    def tab_titles(self) -> list[str]: ...

    def read_tabs(self, titles: list[str]) -> Mapping[str, RawTab]:
        """The tabs by title; a backend may finish reading a large one only when it is looked
        up, so callers should look up the small tabs first."""
        ...

    def write_tabs(self, tabs: list[ResultTab]) -> None:
        """Replace each of ``tabs`` whole (its earlier version in either language included);
        never touch any other tab."""
        ...


def drop_blank_rows(columns: list[pd.Series], first_row: int) -> tuple[list[pd.Series], np.ndarray]:
    """Keep rows with any non-blank cell; return them with their sheet row numbers."""
    n = len(columns[0]) if columns else 0
    rows = np.arange(first_row, first_row + n)
    if not columns:
        return columns, rows
    keep = np.zeros(n, dtype=bool)
    for col in columns:
        text = col if col.dtype == "str" else col.where(col.notna(), None).astype("str")
        keep |= (text.notna() & (text.str.strip() != "")).to_numpy(dtype=bool)
    if keep.all():
        return columns, rows
    return [c[keep].reset_index(drop=True) for c in columns], rows[keep]


def in_order(titles: Sequence[str], order: Sequence[str] | None) -> list[int]:
    """Positions of ``titles`` sorted by their place in ``order`` (unlisted ones last, in the
    order they came): tabs are made in whatever order is quickest, written in the office's."""
    if order is None:
        return list(range(len(titles)))
    rank = {title: k for k, title in enumerate(order)}
    return sorted(range(len(titles)), key=lambda k: rank.get(titles[k], len(rank)))


class TabWriter(Protocol):
    """Result tabs handed over as they are made; nothing changes until ``commit``."""

    def add(self, tab: ResultTab) -> None: ...

    def commit(self, order: Sequence[str] | None = None) -> None:
        """Write every tab added, in ``order`` of titles (unlisted ones last)."""
        ...

    def abort(self) -> None: ...


class CollectingWriter:
    """The writer of a backend that writes all its tabs in one call."""

    def __init__(self, source: Source):
        self.source = source
        self.tabs: list[ResultTab] = []

    def add(self, tab: ResultTab) -> None:
        self.tabs.append(tab)

    def commit(self, order: Sequence[str] | None = None) -> None:
        at = in_order([t.title for t in self.tabs], order)
        self.source.write_tabs([self.tabs[k] for k in at])

    def abort(self) -> None:
        self.tabs = []


def tab_writer(source: Source) -> TabWriter:
    """The source's own writer if it has one (``begin_write``), else one that collects."""
    begin = getattr(source, "begin_write", None)
    writer: TabWriter = begin() if callable(begin) else CollectingWriter(source)
    return writer
