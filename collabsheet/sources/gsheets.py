"""The Google Sheets backend, through gspread (an optional extra).

Reading is two requests whatever the size: the spreadsheet's metadata (its time zone, merged
ranges and the marks on its tabs) and one values:batchGet of every tab needed
(UNFORMATTED_VALUE, dates as serial numbers). Writing is ``gsheets_write``'s plan.

Requests are retried only where repeating them cannot change the outcome: reads, values
writes, and any request Google answered 429 (it was not done). A batchUpdate whose answer is
lost is settled by reading the sheet (see ``GSheetSource._batch``).
"""

from __future__ import annotations

import collections
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SourceError
from ..phrases import Said, said
from ..resulttab import ResultTab
from ..sheetref import column_letter, quote_sheet, split_cell
from . import gsheets_write as gw
from .base import RawTab, drop_blank_rows

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
REAL_API = "https://sheets.googleapis.com"
MAX_TRIES = 7
TIMEOUT_SECONDS = 180
"""Google ends a request it has worked on for 180 s; waiting less would give up on answers
that are still coming."""
_ID = re.compile(r"^[A-Za-z0-9_-]{10,}$")
_URL = re.compile(r"https?://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_FIELDS = ("properties(title,timeZone),developerMetadata(metadataId,metadataKey,metadataValue),"
           "sheets(properties(sheetId,title,index,hidden,gridProperties(rowCount,columnCount)),"
           "developerMetadata(metadataKey,metadataValue),merges)")


def spreadsheet_id(location: str) -> str | None:
    """The id in 'gsheet:ID' or a Google Sheets URL; None for anything else."""
    if location.startswith("gsheet:"):
        sid = location[len("gsheet:"):].strip()
        if not _ID.match(sid):
            raise SourceError(said("not_sheet_id", location=location))
        return sid
    m = _URL.match(location.strip())
    return m.group(1) if m else None


@dataclass(frozen=True)
class Access:
    """How to reach Google: a service-account key file, or end-user OAuth."""

    credentials: str | None = None
    oauth: bool = False
    notify: Callable[[Said], None] | None = None
    """Told, in words, when collabsheet waits for Google (a quota pause), for a progress line."""


def _key_path(access: Access) -> str | None:
    return (access.credentials or os.environ.get("COLLABSHEET_CREDENTIALS")
            or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"))


def _load_key(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
    except FileNotFoundError:
        raise SourceError(said("no_key_file", path=path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise SourceError(said("key_unreadable", path=path)) from None
    if not isinstance(info, dict) or not {"client_email", "private_key", "token_uri"} <= set(info):
        raise SourceError(said("key_incomplete", path=path))
    return info


def _idempotent(method: str, endpoint: str) -> bool:
    """Whether sending the request twice is the same as sending it once."""
    return method.upper() == "GET" or endpoint.endswith("/values:batchUpdate")


QUOTA_PER_MINUTE = 60
"""Google's quota per user: 60 read and 60 write requests a minute."""


class Pace:
    """Keeps this process under Google's per-user quota on its own: before a request that
    would be the 61st read (or write) of the last 60 seconds, it waits."""

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None],
                 notify: Callable[[Said], None] | None, limit: int = QUOTA_PER_MINUTE):
        self.clock, self.sleep, self.notify, self.limit = clock, sleep, notify, limit
        self.sent: dict[str, collections.deque[float]] = {
            "read": collections.deque(), "write": collections.deque()}
        self.waited = 0.0

    def before(self, kind: str) -> None:
        sent = self.sent[kind]
        now = self.clock()
        while sent and now - sent[0] >= 60:
            sent.popleft()
        if len(sent) >= self.limit:
            wait = 60 - (now - sent[0])
            if self.notify is not None:
                self.notify(said("pacing", limit=self.limit, kind=kind, seconds=f"{wait:.0f}"))
            self.sleep(wait)
            self.waited += wait
            sent.popleft()
        sent.append(max(now, self.clock()))


def _http_client_class(gspread: Any, sleep: Callable[[float], None],
                       notify: Callable[[Said], None] | None, pace: Pace) -> Any:
    import requests

    class RetryingHTTPClient(gspread.http_client.HTTPClient):  # type: ignore[misc]
        """gspread's client with bounded retries of what may be repeated, a backoff that
        spans Google's one-minute quota window, and the API base taken from
        COLLABSHEET_SHEETS_API (a local test server)."""

        base = os.environ.get("COLLABSHEET_SHEETS_API", "").rstrip("/")
        requests_made = 0
        retries = 0

        def request(self, method: str, endpoint: str, **kwargs: Any) -> Any:
            if self.base and endpoint.startswith(REAL_API):
                endpoint = self.base + endpoint[len(REAL_API):]
            again = _idempotent(method, endpoint)
            for attempt in range(1, MAX_TRIES + 1):
                type(self).requests_made += 1
                type(self).retries += attempt > 1
                pace.before("read" if method.upper() == "GET" else "write")
                try:
                    response = self.session.request(method=method, url=endpoint,
                                                    timeout=self.timeout or TIMEOUT_SECONDS,
                                                    **kwargs)
                except (requests.ConnectionError, requests.Timeout) as exc:
                    if not again:
                        raise gw.Unanswered(type(exc).__name__) from None
                    if attempt == MAX_TRIES:
                        raise SourceError(said("no_answer", tries=MAX_TRIES,
                                               kind=type(exc).__name__)) from None
                    sleep(_backoff(attempt, None))
                    continue
                if response.ok:
                    return response
                if response.status_code == 429:
                    if attempt == MAX_TRIES:
                        raise SourceError(said("quota", tries=MAX_TRIES))
                    wait = _quota_wait(attempt, response.headers.get("Retry-After"))
                    if notify is not None:
                        notify(said("quota_wait", seconds=f"{wait:.0f}"))
                    sleep(wait)
                    continue
                if response.status_code >= 500:
                    if not again:
                        raise gw.Unanswered(str(response.status_code))
                    if attempt == MAX_TRIES:
                        raise SourceError(said("kept_failing", code=response.status_code,
                                               tries=MAX_TRIES))
                    sleep(_backoff(attempt, response.headers.get("Retry-After")))
                    continue
                raise gspread.exceptions.APIError(response)
            raise AssertionError("unreachable")

    return RetryingHTTPClient


def _backoff(attempt: int, retry_after: str | None, base: float = 1.0, least: float = 0.5
             ) -> float:
    """Exponential backoff with jitter (``base`` * 2**(attempt-1), capped at 64 s, times
    ``least`` to 1); a server's Retry-After wins when it says more."""
    wait = min(64.0, base * 2.0 ** (attempt - 1)) * (least + random.random() * (1 - least))
    if retry_after:
        try:
            wait = max(wait, float(retry_after))
        except ValueError:
            pass
    return wait


def _quota_wait(attempt: int, retry_after: str | None) -> float:
    """After a 429: 2, 4, 8 ... 64 s (less a quarter at most, as jitter), so the waits of one
    request span more than Google's one-minute quota window (at least 94 s in all)."""
    return _backoff(attempt, retry_after, base=2.0, least=0.75)


GUIDE = "docs/google-sheets.md"


def _oauth(gspread: Any, http_class: Any) -> Any:
    """Sign-in as a person (gspread's flow), with errors that say the next step: where the
    OAuth client file goes, and that a server without a browser needs a service account."""
    from gspread import auth

    client_file = Path(auth.DEFAULT_CREDENTIALS_FILENAME)
    signed_in = Path(auth.DEFAULT_AUTHORIZED_USER_FILENAME)
    if not signed_in.exists():
        if not client_file.exists():
            raise SourceError(said("oauth_client", path=client_file, guide=GUIDE))
        if os.name == "posix" and sys.platform != "darwin" and not (
                os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            raise SourceError(said("oauth_no_browser", guide=GUIDE, signed_in=signed_in))
    try:
        return gspread.oauth(http_client=http_class)
    except Exception as exc:
        raise SourceError(said("sign_in_failed", kind=type(exc).__name__, guide=GUIDE,
                               detail=str(exc).splitlines()[0][:160] if str(exc) else "-")
                          ) from None


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


class GSheetSource:
    """A Google Sheet, by id."""

    def __init__(self, sid: str, access: Access | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, seed: int | None = None):
        try:
            import gspread
        except ImportError:
            raise SourceError(said("need_gspread")) from None
        self.gspread = gspread
        self.id = sid
        self.name = f"gsheet:{sid}"
        access = access or Access()
        self.pace = Pace(clock, sleep, access.notify)
        http_class = _http_client_class(gspread, sleep, access.notify, self.pace)
        self.clock = clock
        self.random = random.Random(seed)
        self.client_email = "the account you signed in with"
        if access.oauth:
            client = _oauth(gspread, http_class)
        else:
            path = _key_path(access)
            if not path:
                raise SourceError(said("no_credentials"))
            info = _load_key(path)
            self.client_email = str(info["client_email"])
            try:
                from google.oauth2.service_account import Credentials

                creds = Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                    info, scopes=SCOPES)
            except (ValueError, KeyError):
                raise SourceError(said("key_invalid", path=path)) from None
            client = gspread.Client(auth=creds, http_client=http_class)
        self.http = client.http_client
        self.http_class = http_class
        self._meta: dict[str, Any] | None = None

    # ----- errors -----

    def _call(self, what: str, fn: Callable[[], Any], write: bool = False,
              settle: bool = False) -> Any:
        """``fn`` with Google's refusals as one clear line each. A lost answer to a
        batchUpdate is passed on when the caller can ``settle`` it by reading the sheet."""
        import google.auth.exceptions

        try:
            return fn()
        except gw.Unanswered:
            if settle:
                raise
            raise SourceError(said("unanswered", what=what)) from None
        except self.gspread.exceptions.APIError as exc:
            code = exc.response.status_code
            if code == 404:
                raise SourceError(said("no_sheet", id=self.id)) from None
            if code == 403:
                if write:
                    raise SourceError(said("read_not_edit", email=self.client_email,
                                           id=self.id)) from None
                raise SourceError(said("not_shared", id=self.id, email=self.client_email)
                                  ) from None
            if code == 401:
                raise SourceError(said("rejected_401")) from None
            message = _api_message(exc)
            raise SourceError(said("refused_api", what=what, code=code, message=message)
                              ) from None
        except google.auth.exceptions.GoogleAuthError as exc:
            raise SourceError(said("auth_refused", kind=type(exc).__name__)) from None

    # ----- reading -----

    def metadata(self) -> dict[str, Any]:
        if self._meta is None:
            params: dict[str, Any] = {"fields": _FIELDS}
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
        meta = self.metadata()
        zone = meta.get("properties", {}).get("timeZone")
        merges = {s["properties"]["title"]: s.get("merges", []) for s in meta.get("sheets", [])}
        out = {}
        for title, vr in zip(titles, answer.get("valueRanges", []), strict=False):
            merged = [_a1(m) for m in merges.get(title, [])]
            out[title] = _raw_tab(title, _filled(vr.get("values", []), merged), merged, zone)
        return out

    # ----- writing -----

    def _reload(self) -> dict[str, Any]:
        self._meta = None
        return self.metadata()

    def _batch(self, what: str, requests: list[dict[str, Any]],
               applied: Callable[[dict[str, Any]], bool]) -> None:
        """One batchUpdate. If its answer is lost, the sheet is read to see whether it was
        applied (``applied``), and it is sent again only if it was not."""
        for attempt in (1, 2, 3):
            try:
                self._call(what, lambda: self.http.batch_update(self.id, {"requests": requests}),
                           write=True, settle=True)
                return
            except gw.Unanswered:
                pass
            except SourceError:
                if attempt == 1:
                    raise  # refused outright: nothing was done
                # a resend refused: the lost one may have been applied late after all
            if applied(self._reload()):
                return
        raise SourceError(said("not_done", what=what))

    def write_tabs(self, tabs: list[ResultTab]) -> None:
        """The plan of ``gsheets_write``: lock and hidden temporary tabs, a check for a rival
        run, the values, then one atomic swap that also releases the lock."""
        plan = gw.plan_write(self.metadata(), tabs, self.name, self.clock(),
                             lambda: self.random.randrange(1, 2**31))
        run = plan.lock.run

        def mine(meta: dict[str, Any]) -> gw.Lock | None:
            return next((lk for lk in gw.locks(meta) if lk.run == run), None)

        self._batch("add the result tabs", plan.first, lambda m: mine(m) is not None)
        try:
            meta = self._reload()
            lock = mine(meta)
            if lock is None or lock.metadata_id is None:
                raise SourceError(said("lock_gone", name=self.name))
            rivals = [lk for lk in gw.locks(meta) if lk.run != run
                      and not lk.stale(self.clock()) and (lk.at, lk.run) < (lock.at, lock.run)]
            if rivals:
                raise SourceError(said("rival_run", name=self.name, since=rivals[0].since()))
            titles = [gw.temp_title(plan.lock, t) for t in tabs]
            for body in gw.value_batches(tabs, titles):
                self._call("write values", partial(self.http.values_batch_update, self.id, body),
                           write=True)
            temps = set(plan.temp_ids)

            def swapped(m: dict[str, Any]) -> bool:
                ids = {s["properties"]["sheetId"]: s["properties"] for s in m.get("sheets", [])}
                return mine(m) is None and all(
                    sid in ids and not ids[sid]["title"].startswith(gw.TEMP_PREFIX)
                    for sid in temps)

            try:
                self._batch("swap in the new tabs",
                            [*plan.swap, gw._unlock_request(lock.metadata_id)], swapped)
            except SourceError:
                if gw.overtaken(self._reload(), plan, tabs):
                    raise SourceError(said("rival_run", name=self.name,
                                           since=lock.since())) from None
                raise
        except BaseException:
            self._clean_up(plan.temp_ids, run)
            raise
        finally:
            self._meta = None

    def _clean_up(self, temp_ids: list[int], run: str) -> None:
        """Remove this run's temporary tabs and its lock after a failure (best effort: the
        next run removes whatever is left)."""
        try:
            meta = self._reload()
            present = {s["properties"]["sheetId"] for s in meta.get("sheets", [])}
            requests: list[dict[str, Any]] = [{"deleteSheet": {"sheetId": sid}}
                                              for sid in temp_ids if sid in present]
            requests += [gw._unlock_request(lk.metadata_id) for lk in gw.locks(meta)
                         if lk.run == run and lk.metadata_id is not None]
            if requests:
                self.http.batch_update(self.id, {"requests": requests})
        except Exception:
            pass


def _api_message(exc: Any) -> str:
    try:
        return str(exc.response.json()["error"]["message"])[:200]
    except Exception:
        return "no details"


def _a1(grid_range: dict[str, Any]) -> str:
    """A merge's GridRange (0-based, end exclusive) as 'A2:B3'."""
    r0, r1 = grid_range.get("startRowIndex", 0), grid_range.get("endRowIndex", 1)
    c0, c1 = grid_range.get("startColumnIndex", 0), grid_range.get("endColumnIndex", 1)
    return f"{column_letter(c0)}{r0 + 1}:{column_letter(c1 - 1)}{r1}"


def _filled(values: list[list[Any]], merged: list[str]) -> list[list[Any]]:
    """Every cell of a merged range shows its top-left value, as on screen and as the .xlsx
    backend reads it (the API returns the other cells empty)."""
    if not merged:
        return values
    rows = [list(r) for r in values]
    for ref in merged:
        a, b = ref.split(":")
        (c0, r0), (c1, r1) = split_cell(a), split_cell(b)
        if r0 - 1 >= len(rows) or c0 >= len(rows[r0 - 1]):
            continue
        value = rows[r0 - 1][c0]
        for r in range(r0 - 1, min(r1, len(rows))):
            row = rows[r]
            row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value
    return rows


def _raw_tab(title: str, values: list[list[Any]], merged: list[str] | None = None,
             zone: str | None = None) -> RawTab:
    if not values:
        return RawTab(title, [], [], [], np.array([], dtype=np.int64), zone=zone)
    width = max(len(r) for r in values)
    header = [_cell_text(values[0][j]) if j < len(values[0]) else None for j in range(width)]
    columns = [pd.Series([_cell_text(r[j]) if j < len(r) else None for r in values[1:]],
                         dtype="str") for j in range(width)]
    columns, rows = drop_blank_rows(columns, first_row=2)
    return RawTab(title, header, [column_letter(j) for j in range(width)], columns, rows,
                  merged=list(merged or []), zone=zone)
