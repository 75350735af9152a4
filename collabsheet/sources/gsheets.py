"""The Google Sheets backend, through gspread (an optional extra).

Reading is two requests whatever the size: the spreadsheet's metadata and one values:batchGet
of every tab needed (UNFORMATTED_VALUE, dates as serial numbers). Writing puts each result tab
into a new temporary tab (one batchUpdate with its size and formats), fills it with RAW values in
requests of at most 2 MB, and swaps the temporaries in for the old tabs in one last batchUpdate,
so a failed run never leaves a half-written result.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SourceError, WriteRefused
from ..resulttab import ResultTab
from ..sheetref import NUMBER_FORMATS, column_letter, fold, quote_sheet, ref
from . import marks
from .base import RawTab, drop_blank_rows

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
REAL_API = "https://sheets.googleapis.com"
MAX_CELLS = 10_000_000
MAX_REQUEST_BYTES = 2_000_000
MAX_TRIES = 6
TEMP_PREFIX = "collabsheet-new-"
_ID = re.compile(r"^[A-Za-z0-9_-]{10,}$")
_URL = re.compile(r"https?://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_EPOCH = pd.Timestamp("1899-12-30")


def spreadsheet_id(location: str) -> str | None:
    """The id in 'gsheet:ID' or a Google Sheets URL; None for anything else."""
    if location.startswith("gsheet:"):
        sid = location[len("gsheet:"):].strip()
        if not _ID.match(sid):
            raise SourceError(f"{location!r} is not a Google Sheet id")
        return sid
    m = _URL.match(location.strip())
    return m.group(1) if m else None


@dataclass(frozen=True)
class Access:
    """How to reach Google: a service-account key file, or end-user OAuth."""

    credentials: str | None = None
    oauth: bool = False


def _key_path(access: Access) -> str | None:
    return (access.credentials or os.environ.get("COLLABSHEET_CREDENTIALS")
            or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"))


def _load_key(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
    except FileNotFoundError:
        raise SourceError(f"credentials file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise SourceError(f"credentials file {path} cannot be read as a service-account key "
                          "(a JSON file from Google Cloud with client_email and private_key)"
                          ) from None
    if not isinstance(info, dict) or not {"client_email", "private_key", "token_uri"} <= set(info):
        raise SourceError(f"credentials file {path} is not a service-account key "
                          "(it needs client_email, private_key and token_uri)")
    return info


def _http_client_class(gspread: Any, sleep: Callable[[float], None]) -> Any:
    import requests

    class RetryingHTTPClient(gspread.http_client.HTTPClient):  # type: ignore[misc]
        """gspread's client with bounded retries (429 and 5xx, honouring Retry-After) and the
        API base taken from COLLABSHEET_SHEETS_API (a local test server)."""

        base = os.environ.get("COLLABSHEET_SHEETS_API", "").rstrip("/")
        requests_made = 0

        def request(self, method: str, endpoint: str, **kwargs: Any) -> Any:
            if self.base and endpoint.startswith(REAL_API):
                endpoint = self.base + endpoint[len(REAL_API):]
            for attempt in range(1, MAX_TRIES + 1):
                type(self).requests_made += 1
                try:
                    response = self.session.request(method=method, url=endpoint,
                                                    timeout=self.timeout or 60, **kwargs)
                except (requests.ConnectionError, requests.Timeout) as exc:
                    if attempt == MAX_TRIES:
                        raise SourceError(f"Google Sheets did not answer after {MAX_TRIES} "
                                          f"tries ({type(exc).__name__})") from None
                    sleep(_backoff(attempt, None))
                    continue
                if response.ok:
                    return response
                if response.status_code == 429 or response.status_code >= 500:
                    if attempt == MAX_TRIES:
                        raise SourceError(
                            f"Google Sheets kept answering {response.status_code} after "
                            f"{MAX_TRIES} tries (quota: 60 requests a minute); try again later")
                    sleep(_backoff(attempt, response.headers.get("Retry-After")))
                    continue
                raise gspread.exceptions.APIError(response)
            raise AssertionError("unreachable")

    return RetryingHTTPClient


def _backoff(attempt: int, retry_after: str | None) -> float:
    """Exponential backoff with jitter; a server's Retry-After wins when it says more."""
    wait = min(64.0, 2.0 ** (attempt - 1)) * (0.5 + random.random() / 2)
    if retry_after:
        try:
            wait = max(wait, float(retry_after))
        except ValueError:
            pass
    return wait


def _cell_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _json_value(value: Any, kind: str) -> Any:
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


class GSheetSource:
    """A Google Sheet, by id."""

    def __init__(self, sid: str, access: Access | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        try:
            import gspread
        except ImportError:
            raise SourceError("Google Sheets support needs gspread: "
                              "pip install 'collabsheet[gsheets]'") from None
        self.gspread = gspread
        self.id = sid
        self.name = f"gsheet:{sid}"
        access = access or Access()
        http_class = _http_client_class(gspread, sleep)
        self.client_email = "the account you signed in with"
        if access.oauth:
            try:
                client = gspread.oauth(http_client=http_class)
            except Exception as exc:
                raise SourceError(f"Google sign-in failed ({type(exc).__name__})") from None
        else:
            path = _key_path(access)
            if not path:
                raise SourceError(
                    "no Google credentials: give --credentials KEY.json (a service-account "
                    "key), set COLLABSHEET_CREDENTIALS or GOOGLE_APPLICATION_CREDENTIALS, or "
                    "use --oauth")
            info = _load_key(path)
            self.client_email = str(info["client_email"])
            try:
                from google.oauth2.service_account import Credentials

                creds = Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                    info, scopes=SCOPES)
            except (ValueError, KeyError):
                raise SourceError(f"credentials file {path} holds a key that cannot be used "
                                  "(its private_key is not valid)") from None
            client = gspread.Client(auth=creds, http_client=http_class)
        self.http = client.http_client
        self.http_class = http_class
        self._meta: dict[str, Any] | None = None

    # ----- errors -----

    def _call(self, what: str, fn: Callable[[], Any], write: bool = False) -> Any:
        import google.auth.exceptions

        try:
            return fn()
        except self.gspread.exceptions.APIError as exc:
            code = exc.response.status_code
            if code == 404:
                raise SourceError(f"no Google Sheet with id {self.id} (check the id or URL)"
                                  ) from None
            if code == 403:
                if write:
                    raise SourceError(
                        f"{self.client_email} may read but not edit the sheet {self.id}; share "
                        "it with that address as Editor to use --write") from None
                raise SourceError(
                    f"the sheet {self.id} is not shared with {self.client_email}; share it with "
                    "that address (Viewer to check, Editor to --write)") from None
            if code == 401:
                raise SourceError("Google rejected the credentials (401); check the key file"
                                  ) from None
            message = _api_message(exc)
            raise SourceError(f"Google Sheets refused to {what} ({code}: {message})") from None
        except google.auth.exceptions.GoogleAuthError as exc:
            raise SourceError(f"Google did not accept the credentials ({type(exc).__name__})"
                              ) from None

    # ----- reading -----

    def metadata(self) -> dict[str, Any]:
        if self._meta is None:
            params: dict[str, Any] = {
                "fields": "properties(title,timeZone),sheets(properties(sheetId,title,"
                          "index,gridProperties(rowCount,columnCount)),"
                          "developerMetadata(metadataKey,metadataValue))"}
            self._meta = self._call("read the sheet",
                                    lambda: self.http.fetch_sheet_metadata(self.id, params))
        return self._meta

    def tab_titles(self) -> list[str]:
        return [s["properties"]["title"] for s in self.metadata().get("sheets", [])]

    def read_tabs(self, titles: list[str]) -> dict[str, RawTab]:
        if not titles:
            return {}
        params: dict[str, Any] = {"valueRenderOption": "UNFORMATTED_VALUE",
                  "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}
        answer = self._call("read the values", lambda: self.http.values_batch_get(
            self.id, [quote_sheet(t) for t in titles], params))
        out = {}
        for title, vr in zip(titles, answer.get("valueRanges", []), strict=False):
            out[title] = _raw_tab(title, vr.get("values", []))
        return out

    # ----- writing -----

    def write_tabs(self, tabs: list[ResultTab]) -> None:
        meta = self.metadata()
        every = meta.get("sheets", [])
        sheets = [s["properties"] for s in every]
        ours = [s["properties"] for s in every if marks.marked(s)]
        replaced: list[dict[str, Any]] = []
        for tab in tabs:
            variants = {fold(t) for t in tab.titles}
            for p in sheets:
                if fold(p["title"]) in variants and p not in ours:
                    raise WriteRefused("foreign-tab", tab=p["title"], source=self.name)
            replaced += [p for p in ours if fold(p["title"]) in variants]
        leftovers = [p for p in ours if p["title"].startswith(TEMP_PREFIX)]
        grids = [_grid(tab) for tab in tabs]
        kept = sum(p.get("gridProperties", {}).get("rowCount", 0)
                   * p.get("gridProperties", {}).get("columnCount", 0)
                   for p in sheets if p not in replaced and p not in leftovers)
        new_cells = sum(r * c for r, c in grids)
        if kept + new_cells > MAX_CELLS:
            raise SourceError(
                f"the results need {new_cells:,} cells and the sheet already has {kept:,}; "
                f"Google Sheets allows {MAX_CELLS:,} in all. Nothing was written")
        next_id = max([0, *(p["sheetId"] for p in sheets)]) + 1
        requests: list[dict[str, Any]] = [{"deleteSheet": {"sheetId": p["sheetId"]}}
                                          for p in leftovers]
        temp_ids = []
        for k, (tab, (rows, cols)) in enumerate(zip(tabs, grids, strict=True)):
            sid = next_id + k
            temp_ids.append(sid)
            requests.append({"addSheet": {"properties": {
                "sheetId": sid, "title": f"{TEMP_PREFIX}{tab.key}", "index": len(sheets) + k,
                "gridProperties": {"rowCount": rows, "columnCount": cols,
                                   "frozenRowCount": 1 if tab.freeze else 0}}}})
            requests.append(marks.sheet_metadata(sid, tab.key))
            requests += _formats(tab, sid)
        self._call("add tabs", lambda: self.http.batch_update(self.id, {"requests": requests}),
                   write=True)
        for body in _value_batches(tabs):
            self._call("write values", partial(self.http.values_batch_update, self.id, body),
                       write=True)
        swap: list[dict[str, Any]] = [{"deleteSheet": {"sheetId": p["sheetId"]}}
                                      for p in replaced]
        for tab, sid in zip(tabs, temp_ids, strict=True):
            swap.append({"updateSheetProperties": {
                "properties": {"sheetId": sid, "title": tab.title}, "fields": "title"}})
        self._call("swap in the new tabs",
                   lambda: self.http.batch_update(self.id, {"requests": swap}), write=True)
        self._meta = None


def _api_message(exc: Any) -> str:
    try:
        return str(exc.response.json()["error"]["message"])[:200]
    except Exception:
        return "no details"


def _raw_tab(title: str, values: list[list[Any]]) -> RawTab:
    if not values:
        return RawTab(title, [], [], [], np.array([], dtype=np.int64))
    width = max(len(r) for r in values)
    header = [_cell_text(values[0][j]) if j < len(values[0]) else None for j in range(width)]
    columns = [pd.Series([_cell_text(r[j]) if j < len(r) else None for r in values[1:]],
                         dtype="str") for j in range(width)]
    columns, rows = drop_blank_rows(columns, first_row=2)
    return RawTab(title, header, [column_letter(j) for j in range(width)], columns, rows)


def _tab_rows(tab: ResultTab) -> Iterable[list[Any]]:
    """Every row of a tab as the cells are laid out in .xlsx (captions, headers, blank lines)."""
    for k, table in enumerate(tab.tables):
        if k:
            yield []
        if table.caption:
            yield [table.caption]
        yield [c.header for c in table.columns]
        kinds = [c.kind for c in table.columns]
        for row in zip(*table.values, strict=True):
            yield [_json_value(v, kind) for v, kind in zip(row, kinds, strict=True)]


def _grid(tab: ResultTab) -> tuple[int, int]:
    rows = sum(t.height + 1 + (1 if t.caption else 0) for t in tab.tables) + max(
        0, len(tab.tables) - 1)
    cols = max((len(t.columns) for t in tab.tables), default=1)
    return max(rows, 1), max(cols, 1)


def _value_batches(tabs: list[ResultTab]) -> Iterable[dict[str, Any]]:
    """values:batchUpdate bodies of at most MAX_REQUEST_BYTES each, RAW."""
    data: list[dict[str, Any]] = []
    size = 0
    for tab in tabs:
        title = f"{TEMP_PREFIX}{tab.key}"
        block: list[list[Any]] = []
        start = 1
        block_size = 0
        for i, row in enumerate(_tab_rows(tab), start=1):
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


def _formats(tab: ResultTab, sid: int) -> list[dict[str, Any]]:
    """Bold headers, number formats and column widths of one new tab."""
    out: list[dict[str, Any]] = []
    row = 0
    widths: dict[int, float] = {}
    for k, table in enumerate(tab.tables):
        if k:
            row += 1
        if table.caption:
            out.append(bold(sid, row, 1))
            row += 1
        out.append(bold(sid, row, len(table.columns)))
        row += 1
        for j, col in enumerate(table.columns):
            widths[j] = max(widths.get(j, 0), col.width or 12)
            pattern = NUMBER_FORMATS.get(col.kind)
            if pattern and table.height:
                out.append({"repeatCell": {
                    "range": {"sheetId": sid, "startRowIndex": row,
                              "endRowIndex": row + table.height, "startColumnIndex": j,
                              "endColumnIndex": j + 1},
                    "cell": {"userEnteredFormat": {"numberFormat": {
                        "type": "DATE_TIME" if "date" in col.kind else "NUMBER",
                        "pattern": pattern}}},
                    "fields": "userEnteredFormat.numberFormat"}})
        row += table.height
    for j, w in widths.items():
        out.append({"updateDimensionProperties": {
            "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": j,
                      "endIndex": j + 1},
            "properties": {"pixelSize": int(w * 7 + 10)}, "fields": "pixelSize"}})
    return out


def bold(sid: int, row: int, cols: int) -> dict[str, Any]:
    return {"repeatCell": {
        "range": {"sheetId": sid, "startRowIndex": row, "endRowIndex": row + 1,
                  "startColumnIndex": 0, "endColumnIndex": max(cols, 1)},
        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
        "fields": "userEnteredFormat.textFormat.bold"}}
