"""Result tabs written into a Google Sheet so that no failure, no second run and no limit of
Google's leaves the sheet broken.

One write is a plan of four requests and the values between them:

1. ``batchUpdate``: take the lock (spreadsheet developer metadata: a run id, a time, the host
   and process), remove what killed runs left, add each result tab as a hidden temporary tab
   with its mark, size and formats;
2. ``spreadsheets.get``: make sure no other run took the lock at the same moment (the earlier
   lock wins; the later run removes its tabs and stops);
3. ``values:batchUpdate`` in requests of at most 2 MB, RAW (idempotent, so retried freely);
4. ``batchUpdate``: delete the old result tabs, give the new ones their titles, show them and
   release the lock, atomically.

A batchUpdate whose answer is lost is never sent again blindly: the sheet is read to see whether
it was applied. Google counts the 10,000,000-cell limit after every sub-request, so the plan is
checked at its peak (the office's tabs, the old results and the new ones); when that does not
fit but the results alone do, the old results are deleted first (tight plan).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import secrets
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SourceError, WriteRefused
from ..phrases import said
from ..resulttab import ResultTab
from ..sheetref import EPOCH_1900, NUMBER_FORMATS, fold, ref
from . import marks

MAX_CELLS = 10_000_000
MAX_REQUEST_BYTES = 2_000_000
TEMP_PREFIX = "collabsheet-new-"
LOCK_KEY = "collabsheet-lock"
LOCK_STALE_SECONDS = 15 * 60
"""A lock older than this is taken over: a write of the largest office takes about a minute;
a run killed on this machine is taken over at once (its process is gone)."""
_EPOCH = pd.Timestamp(EPOCH_1900)


class Unanswered(Exception):
    """A batchUpdate was sent but its answer was lost (timeout, dropped connection, 5xx): it
    may or may not have been applied."""


@dataclass(frozen=True)
class Lock:
    run: str
    at: float
    host: str
    pid: int
    metadata_id: int | None = None

    def value(self) -> str:
        return json.dumps({"run": self.run, "at": self.at, "host": self.host, "pid": self.pid},
                          sort_keys=True)

    def stale(self, now: float) -> bool:
        if now - self.at > LOCK_STALE_SECONDS:
            return True
        return self.host == socket.gethostname() and not _alive(self.pid)

    def since(self) -> str:
        return dt.datetime.fromtimestamp(self.at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def new_lock(now: float) -> Lock:
    return Lock(secrets.token_hex(4), now, socket.gethostname(), os.getpid())


def locks(meta: dict[str, Any]) -> list[Lock]:
    """The locks a spreadsheets.get (with top-level developerMetadata) shows."""
    found = []
    for m in meta.get("developerMetadata", []) or []:
        if m.get("metadataKey") != LOCK_KEY:
            continue
        try:
            v = json.loads(m.get("metadataValue", ""))
            found.append(Lock(str(v["run"]), float(v["at"]), str(v["host"]), int(v["pid"]),
                              m.get("metadataId")))
        except (ValueError, KeyError, TypeError):
            found.append(Lock("?", 0.0, "?", 0, m.get("metadataId")))
    return found


def _lock_request(lock: Lock) -> dict[str, Any]:
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": LOCK_KEY, "metadataValue": lock.value(),
        "location": {"spreadsheet": True}, "visibility": "DOCUMENT"}}}


def _unlock_request(metadata_id: int) -> dict[str, Any]:
    return {"deleteDeveloperMetadata": {"dataFilter": {
        "developerMetadataLookup": {"metadataId": metadata_id}}}}


def temp_title(lock: Lock, tab: ResultTab) -> str:
    return f"{TEMP_PREFIX}{lock.run}-{tab.key}"


def _cells(p: dict[str, Any]) -> int:
    g = p.get("gridProperties", {})
    return int(g.get("rowCount", 0)) * int(g.get("columnCount", 0))


@dataclass(frozen=True)
class Plan:
    """What one write will do, worked out from the sheet's metadata before any request."""

    lock: Lock
    first: list[dict[str, Any]]
    swap: list[dict[str, Any]]
    temp_ids: list[int]
    tight: bool
    peak: int


def plan_write(meta: dict[str, Any], tabs: list[ResultTab], name: str, now: float,
               new_id: Callable[[], int]) -> Plan:
    """Refuse what cannot be written (an office tab with a result's name, another run's live
    lock, results that do not fit), else the first and last batchUpdates."""
    every = meta.get("sheets", [])
    sheets = [s["properties"] for s in every]
    ours = [s["properties"] for s in every if marks.marked(s)]
    replaced: list[dict[str, Any]] = []
    for tab in tabs:
        variants = {fold(t) for t in tab.titles}
        for p in sheets:
            if fold(p["title"]) in variants and p not in ours:
                raise WriteRefused("foreign-tab", tab=p["title"], source=name)
        replaced += [p for p in ours if fold(p["title"]) in variants and p not in replaced]
    held = locks(meta)
    live = [lk for lk in held if not lk.stale(now)]
    if live:
        first_lock = min(live, key=lambda lk: lk.at)
        raise SourceError(said("locked", name=name, since=first_lock.since(),
                               minutes=LOCK_STALE_SECONDS // 60))
    leftovers = [p for p in ours if p["title"].startswith(TEMP_PREFIX)]
    grids = [grid(tab) for tab in tabs]
    new_cells = sum(r * c for r, c in grids)
    gone = {p["sheetId"] for p in [*replaced, *leftovers]}
    office = sum(_cells(p) for p in sheets if p["sheetId"] not in gone)
    old = sum(_cells(p) for p in replaced)
    if office + new_cells > MAX_CELLS:
        raise SourceError(said("too_many_cells", name=name, new=new_cells, office=office,
                               most=MAX_CELLS))
    tight = office + old + new_cells > MAX_CELLS
    lock = new_lock(now)
    first: list[dict[str, Any]] = [_unlock_request(lk.metadata_id) for lk in held
                                   if lk.metadata_id is not None]
    first += [{"deleteSheet": {"sheetId": p["sheetId"]}} for p in leftovers]
    if tight:
        first += [{"deleteSheet": {"sheetId": p["sheetId"]}} for p in replaced]
    first.append(_lock_request(lock))
    taken = {p["sheetId"] for p in sheets}
    temp_ids = []
    for tab, (rows, cols) in zip(tabs, grids, strict=True):
        sid = new_id()
        while sid in taken:
            sid = new_id()
        taken.add(sid)
        temp_ids.append(sid)
        first.append({"addSheet": {"properties": {
            "sheetId": sid, "title": temp_title(lock, tab), "hidden": True,
            "gridProperties": {"rowCount": rows, "columnCount": cols,
                               "frozenRowCount": tab.frozen_rows()}}}})
        first.append(marks.sheet_metadata(sid, tab.key))
        first += formats(tab, sid)
    swap: list[dict[str, Any]] = []
    if not tight:
        swap += [{"deleteSheet": {"sheetId": p["sheetId"]}} for p in replaced]
    for tab, sid in zip(tabs, temp_ids, strict=True):
        swap.append({"updateSheetProperties": {
            "properties": {"sheetId": sid, "title": tab.title, "hidden": False},
            "fields": "title,hidden"}})
    peak = office + (0 if tight else old) + new_cells
    return Plan(lock, first, swap, temp_ids, tight, peak)


# ----- the cells ------------------------------------------------------------------------------

def overtaken(meta: dict[str, Any], plan: Plan, tabs: list[ResultTab]) -> bool:
    """Whether a refused swap lost to a rival run that swapped first: the locks of two runs
    started in the same second can each look like the first, but only one swap can apply, so
    the other finds a result's title taken by a tab it did not plan for, or a tab it meant to
    replace already gone."""
    sheets = {s["properties"]["sheetId"]: s["properties"] for s in meta.get("sheets", [])}
    planned = set(plan.temp_ids) | {r["deleteSheet"]["sheetId"] for r in plan.swap
                                    if "deleteSheet" in r}
    if any(sid not in sheets for sid in planned):
        return True
    titles = {fold(t) for tab in tabs for t in tab.titles}
    return any(fold(p["title"]) in titles and sid not in planned for sid, p in sheets.items())


def json_value(value: Any, kind: str) -> Any:
    """A cell for values:batchUpdate (RAW): numbers stay numbers, dates become serials."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if kind in ("date", "datetime") and hasattr(value, "year"):
        ts = pd.Timestamp(value)
        return float((ts - _EPOCH) / pd.Timedelta(days=1))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return str(value)


def tab_rows(tab: ResultTab) -> Iterable[list[Any]]:
    """Every row of a tab as the cells are laid out in .xlsx (the heading, captions, headers,
    blank lines: the rows ``ResultTab.header_rows`` counts)."""
    if tab.heading:
        yield [tab.heading]
    for k, table in enumerate(tab.tables):
        if k:
            yield []
        if table.caption:
            yield [table.caption]
        yield [c.header for c in table.columns]
        kinds = [c.kind for c in table.columns]
        for row in zip(*table.values, strict=True):
            yield [json_value(v, kind) for v, kind in zip(row, kinds, strict=True)]


def grid(tab: ResultTab) -> tuple[int, int]:
    """Rows and columns of a tab's grid. A frozen header needs a row below it: Google refuses
    to freeze every row of a sheet ("You can't freeze all visible rows on the sheet")."""
    rows = tab.header_rows()[-1] + tab.tables[-1].height if tab.tables else 1
    cols = max((len(t.columns) for t in tab.tables), default=1)
    return max(rows, tab.frozen_rows() + 1), max(cols, 1)


def value_batches(tabs: list[ResultTab], titles: list[str]) -> Iterable[dict[str, Any]]:
    """values:batchUpdate bodies of at most MAX_REQUEST_BYTES each, RAW."""
    data: list[dict[str, Any]] = []
    size = 0
    for tab, title in zip(tabs, titles, strict=True):
        block: list[list[Any]] = []
        start = 1
        block_size = 0
        for i, row in enumerate(tab_rows(tab), start=1):
            row_size = len(json.dumps(row)) + 2  # as requests sends it: ASCII, ", " between
            if size + block_size + row_size > MAX_REQUEST_BYTES - 10_000 and (block or data):
                if block:
                    data.append({"range": ref(title, f"A{start}"), "majorDimension": "ROWS",
                                 "values": block})
                yield {"valueInputOption": "RAW", "data": data}
                data, size, block, block_size, start = [], 0, [], 0, i
            block.append(row)
            block_size += row_size
        if block:
            data.append({"range": ref(title, f"A{start}"), "majorDimension": "ROWS",
                         "values": block})
            size += block_size
    if data:
        yield {"valueInputOption": "RAW", "data": data}


def formats(tab: ResultTab, sid: int) -> list[dict[str, Any]]:
    """Bold heading, captions and headers, number formats, centred columns and column widths
    of one new tab (print settings have no place in a Google Sheet: its print dialog decides)."""
    out: list[dict[str, Any]] = []
    if tab.heading:
        out.append(bold(sid, 0, 1, size=13))
    for table, header in zip(tab.tables, tab.header_rows(), strict=True):
        if table.caption:
            out.append(bold(sid, header - 2, 1))
        out.append(bold(sid, header - 1, len(table.columns)))
        for j, col in enumerate(table.columns):
            if not table.height:
                continue
            cells = {"sheetId": sid, "startRowIndex": header, "endRowIndex": header + table.height,
                     "startColumnIndex": j, "endColumnIndex": j + 1}
            pattern = NUMBER_FORMATS.get(col.kind)
            if pattern:
                out.append({"repeatCell": {
                    "range": cells,
                    "cell": {"userEnteredFormat": {"numberFormat": {
                        "type": "DATE_TIME" if "date" in col.kind else "NUMBER",
                        "pattern": pattern}}},
                    "fields": "userEnteredFormat.numberFormat"}})
            if col.center:
                out.append({"repeatCell": {
                    "range": cells,
                    "cell": {"userEnteredFormat": {"horizontalAlignment": "CENTER"}},
                    "fields": "userEnteredFormat.horizontalAlignment"}})
    for j, w in enumerate(tab.widths()):
        out.append({"updateDimensionProperties": {
            "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": j,
                      "endIndex": j + 1},
            "properties": {"pixelSize": int(w * 7 + 10)}, "fields": "pixelSize"}})
    return out


def bold(sid: int, row: int, cols: int, size: int | None = None) -> dict[str, Any]:
    """Bold text in one row (0-based) over ``cols`` columns; ``size`` in points if given."""
    text: dict[str, Any] = {"bold": True}
    fields = "userEnteredFormat.textFormat.bold"
    if size is not None:
        text["fontSize"] = size
        fields += ",userEnteredFormat.textFormat.fontSize"
    return {"repeatCell": {
        "range": {"sheetId": sid, "startRowIndex": row, "endRowIndex": row + 1,
                  "startColumnIndex": 0, "endColumnIndex": max(cols, 1)},
        "cell": {"userEnteredFormat": {"textFormat": text}},
        "fields": fields}}
