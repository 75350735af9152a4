"""A fake Google Sheets API v4 for tests: spreadsheets in memory, served on 127.0.0.1.

It answers as the real API does, refusals included (tests/test_fake_conformance.py states each
fact and where it comes from). It implements the OAuth token endpoint, spreadsheets.get (with
field masks), spreadsheets:batchUpdate (addSheet, deleteSheet, updateSheetProperties,
create/update/deleteDeveloperMetadata, repeatCell, updateDimensionProperties,
setDataValidation; atomic), values:batchGet, values.get, values:batchUpdate (RAW only),
developerMetadata.get and developerMetadata:search. Every request body and query is checked
against the official discovery document (unknown fields, wrong types and enum values are
answered 400 and recorded in ``violations``).

For tests:

    FakeSheets(clock=time.monotonic, seed=None, read_quota=60, write_quota=60)
        clock   the time the per-user quota counts in (seconds); pass a callable the test
                controls to run the 429 path without waiting. The window is SLIDING: a request
                counts against its user's read or write quota for 60 s after it was made (a
                client that passes a sliding window also passes Google's per-minute refill).
        seed    seeds the random sheetIds and metadataIds (random positive int32, as Google's).
        read_quota / write_quota   requests a minute per user; None for no limit.
    fake.add_book(sid, {title: rows}, {email: "reader" | "writer"}, time_zone, title,
                  merges={title: ["A2:B3"]}, hidden={title}, frozen={title: rows | (rows, cols)},
                  grid={title: (rowCount, columnCount)}, sheet_ids={title: id},
                  metadata=[{"metadataKey": k, "metadataValue": v}])   # spreadsheet-level
        Sheets get random ids unless sheet_ids says otherwise: look sheets up by title.
    fake.add_metadata(sid, key, value, title=None)   developer metadata on a sheet or (no title)
                                                     on the spreadsheet; returns the record
    fake.tab(sid, title) -> Sheet; fake.books[sid] -> Book; fake.api_calls(); fake.violations
    fake.faults.append({...})   the next matching request (not /token) gets the fault:
        status (+ retry_after: Retry-After header, body: the JSON answer), delay (seconds
        before answering), drop (the connection is closed unanswered, nothing done), lost
        (the request is done, then the connection is closed unanswered); method ("GET"/"POST")
        and path (a substring of the path) limit which request it hits, skip (N) lets the
        first N matching requests through. Faults use no quota.

Not modelled, or modelled without a recorded answer to copy: FORMATTED_VALUE gives the plain
value (no number formats); USER_ENTERED, includeGridData and request kinds other than those
above are answered 400 naming what the fake lacks; the wording (not the status or prefix) of
these refusals is the fake's own: addSheet with a sheetId in use, removing the last visible
sheet, updateSheetProperties or developer metadata without fields / key / visibility /
location, "Requested writing within range"; sheet titles inside ranges must match exactly
(Google may be case-insensitive there); the 300-a-minute per-project quota is not counted;
integers sent as strings or 5.0 are refused although Google's JSON parser takes them.

By hand:  python tests/fake_sheets.py --port 8765 --load office.xlsx
then:     COLLABSHEET_SHEETS_API=http://127.0.0.1:8765 collabsheet validate gsheet:ID \\
              --credentials KEY.json      (ID and KEY.json are printed at start)
"""

from __future__ import annotations

import argparse
import base64
import collections
import copy
import dataclasses
import datetime as dt
import json
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

CELL_LIMIT = 10_000_000
ID_LIMIT = 2 ** 31  # sheetIds and metadataIds are int32; Google draws new ones from [1, 2**31)
DEFAULT_ROWS, DEFAULT_COLS = 1000, 26
QUOTA_WINDOW = 60.0
PROJECT_NUMBER = "603366585132"
PERMISSION_DENIED = "The caller does not have permission"
NOT_FOUND = "Requested entity was not found."
INVALID_ARGUMENT = "Request contains an invalid argument."
_UNAUTHENTICATED = ("Expected OAuth 2 access token, login cookie or other valid authentication "
                    "credential. See https://developers.google.com/identity/sign-in/web/"
                    "devconsole-project.")


def discovery() -> dict[str, Any]:
    import googleapiclient

    path = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / \
        "sheets.v4.json"
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


# ----- errors -------------------------------------------------------------------------------

_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
           404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNKNOWN",
           503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


def _error(code: int, message: str, details: list[dict[str, Any]] | None = None
           ) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message,
                            "status": _STATUS.get(code, "UNKNOWN")}
    if details:
        body["details"] = details
    return {"error": body}


class ApiError(Exception):
    """An answer other than 200, with Google's error body."""

    def __init__(self, code: int, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details

    def body(self) -> dict[str, Any]:
        return _error(self.code, self.message, self.details)


class SchemaViolation(ApiError):
    """A request the discovery document does not allow (recorded in ``violations``)."""

    def __init__(self, message: str, where: str = ""):
        details = [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": where, "description": message}]}]
        super().__init__(400, message, details)


class Refused(Exception):
    """A sub-request Google refuses; the caller prefixes "Invalid requests[N].kind: "."""


def _quota_error(kind: str, limit: int) -> ApiError:
    word = "Read" if kind == "read" else "Write"
    details: list[dict[str, Any]] = [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
         "domain": "googleapis.com",
         "metadata": {"quota_limit_value": str(limit), "service": "sheets.googleapis.com",
                      "consumer": f"projects/{PROJECT_NUMBER}",
                      "quota_unit": "1/min/{project}/{user}", "quota_location": "global",
                      "quota_metric": f"sheets.googleapis.com/{kind}_requests",
                      "quota_limit": f"{word}RequestsPerMinutePerUser"}},
        {"@type": "type.googleapis.com/google.rpc.Help",
         "links": [{"description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]}]
    return ApiError(429, f"Quota exceeded for quota metric '{word} requests' and limit "
                         f"'{word} requests per minute per user' of service "
                         f"'sheets.googleapis.com' for consumer 'project_number:"
                         f"{PROJECT_NUMBER}'.", details)


# ----- the discovery document: bodies, queries, field masks ---------------------------------

def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


class Checker:
    """Validates JSON against a schema of the discovery document: no unknown field, JSON types,
    int32 ranges, enums; messages as Google words them."""

    def __init__(self, doc: dict[str, Any]):
        self.schemas = doc["schemas"]
        self.params = doc["resources"]["spreadsheets"]
        self.standard = set(doc.get("parameters", {}))

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        return schema

    def check(self, value: Any, schema: dict[str, Any], where: str = "") -> None:
        schema = self.resolve(schema)
        kind = schema.get("type")

        def bad(type_name: str) -> SchemaViolation:
            return SchemaViolation(f"Invalid value at '{where}' ({type_name}), "
                                   f"{json.dumps(value)}", where)

        if kind == "object":
            if not isinstance(value, dict):
                raise bad("TYPE_MESSAGE")
            props = schema.get("properties")
            extra = schema.get("additionalProperties")
            for key, sub in value.items():
                inner = f"{where}.{_snake(key)}" if where else _snake(key)
                if props is not None and key in props:
                    self.check(sub, props[key], inner)
                elif extra is not None:
                    self.check(sub, extra, inner)
                else:
                    at = f" at '{where}'" if where else ""
                    raise SchemaViolation(f"Invalid JSON payload received. Unknown name "
                                          f"\"{key}\"{at}: Cannot find field.", where)
        elif kind == "array":
            if not isinstance(value, list):
                items = schema.get("items", {})
                raise bad("type.googleapis.com/google.protobuf.ListValue"
                          if items.get("items", {}).get("type") == "any" else "TYPE_LIST")
            for i, item in enumerate(value):
                self.check(item, schema.get("items", {}), f"{where}[{i}]")
        elif kind == "string":
            if not isinstance(value, str):
                raise bad("TYPE_STRING")
            if "enum" in schema and value not in schema["enum"]:
                raise bad("TYPE_ENUM")
        elif kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad("TYPE_INT32")
            if schema.get("format") == "int32" and not -2 ** 31 <= value < 2 ** 31:
                raise bad("TYPE_INT32")
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise bad("TYPE_DOUBLE")
        elif kind == "boolean":
            if not isinstance(value, bool):
                raise bad("TYPE_BOOL")

    def check_query(self, method: dict[str, Any], query: dict[str, list[str]]) -> None:
        params = method["parameters"]
        for key, values in query.items():
            if key in self.standard:
                continue
            if key not in params or params[key].get("location") != "query":
                raise SchemaViolation(f"Invalid JSON payload received. Unknown name \"{key}\": "
                                      "Cannot bind query parameter. Field '{key}' could not be "
                                      "found in request message.".replace("{key}", key))
            enum = params[key].get("enum")
            for v in values:
                if enum and v not in enum:
                    raise SchemaViolation(f"Invalid value at '{_snake(key)}' (TYPE_ENUM), "
                                          f"\"{v}\"", _snake(key))
            if len(values) > 1 and not params[key].get("repeated"):
                raise SchemaViolation(f"Invalid JSON payload received. Duplicate query "
                                      f"parameter \"{key}\".")

    def check_mask(self, tree: dict[str, Any], schema: dict[str, Any]) -> None:
        """A field mask names only fields of the response schema."""
        schema = self.resolve(schema)
        while schema.get("type") == "array":
            schema = self.resolve(schema.get("items", {}))
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for name, sub in tree.items():
            if name == "*":
                child: dict[str, Any] | None = {}
            elif props is not None and name in props:
                child = props[name]
            elif extra is not None:
                child = extra
            else:
                raise ApiError(400, INVALID_ARGUMENT)
            if sub is not None:
                inner = self.resolve(child or {})
                while inner.get("type") == "array":
                    inner = self.resolve(inner.get("items", {}))
                if name != "*" and inner.get("type") != "object":
                    raise ApiError(400, INVALID_ARGUMENT)
                if name != "*":
                    self.check_mask(sub, child or {})


_MASK_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\*")


def parse_mask(text: str) -> dict[str, Any]:
    """A field mask ("a(b,c),d.e", '/' as '.') as a tree: name -> subtree, None for all of it.
    ValueError when it cannot be read (a space is not allowed, as Google does not)."""
    tree, pos = _mask_items(text, 0)
    if pos != len(text):
        raise ValueError(text)
    return tree


def _mask_items(text: str, pos: int) -> tuple[dict[str, Any], int]:
    tree: dict[str, Any] = {}
    while True:
        path = []
        while True:
            m = _MASK_NAME.match(text, pos)
            if not m:
                raise ValueError(text)
            path.append(m.group())
            pos = m.end()
            if pos < len(text) and text[pos] in "./":
                pos += 1
                continue
            break
        sub: dict[str, Any] | None = None
        if pos < len(text) and text[pos] == "(":
            sub, pos = _mask_items(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise ValueError(text)
            pos += 1
        for name in reversed(path[1:]):
            sub = {name: sub}
        tree = _mask_union(tree, {path[0]: sub})
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return tree, pos


def _mask_union(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        if k not in out:
            out[k] = v
        elif out[k] is None or v is None:
            out[k] = None
        else:
            out[k] = _mask_union(out[k], v)
    return out


def apply_mask(value: Any, tree: dict[str, Any] | None) -> Any:
    """Only the fields the mask names; an object left empty is left out (elements of a list
    stay, as {} )."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply_mask(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if k in tree:
            sub = tree[k]
        elif "*" in tree:
            sub = tree["*"]
        else:
            continue
        picked = apply_mask(v, sub)
        if picked == {} and not isinstance(v, list) and sub is not None:
            continue
        out[k] = picked
    return out


def _mask_paths(tree: dict[str, Any] | None, prefix: str = "") -> list[str]:
    if tree is None:
        return [prefix]
    out = []
    for k, v in tree.items():
        out += _mask_paths(v, f"{prefix}.{k}" if prefix else k)
    return out


# ----- state --------------------------------------------------------------------------------

class Formula(str):
    """A cell written USER_ENTERED as a formula: Google computes it, the fake cannot, so a read
    answers UNCOMPUTED (collabsheet reads such a tab only to see whether it holds anything)."""


UNCOMPUTED = "(a formula the fake server does not compute)"

@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    rows: int
    cols: int
    values: list[list[Any]] = field(default_factory=list)
    frozen: int = 0  # frozenRowCount
    formats: list[dict[str, Any]] = field(default_factory=list)
    metadata: list[dict[str, Any]] = field(default_factory=list)
    frozen_cols: int = 0
    hidden: bool = False
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, r1, c0, c1


@dataclass
class Book:
    sid: str
    title: str
    time_zone: str
    sheets: list[Sheet]
    shares: dict[str, str]
    metadata: list[dict[str, Any]] = field(default_factory=list)  # spreadsheet-level
    locale: str = "en_US"


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int


# ----- A1 notation --------------------------------------------------------------------------

_A1_PART = re.compile(r"\$?([A-Za-z]{0,3})\$?([0-9]*)")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _looks_like_ref(title: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]+[Cc][0-9]+", title))


def quote_title(title: str) -> str:
    """A sheet title as Google writes it in a range it answers: quoted only when needed."""
    if re.fullmatch(r"\w+", title) and not _looks_like_ref(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def _a1(r0: int, r1: int, c0: int, c1: int) -> str:
    start = f"{_col_letter(c0)}{r0 + 1}"
    if r1 - r0 == 1 and c1 - c0 == 1:
        return start
    return f"{start}:{_col_letter(c1 - 1)}{r1}"


def grid_range(a1: str) -> tuple[int, int, int, int]:
    """'A2:B3' -> (r0, r1, c0, c1), end-exclusive, as a GridRange counts."""
    m = re.fullmatch(r"([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?", a1)
    if not m:
        raise ValueError(f"{a1!r} is not a cell or a range of cells")
    c0, r0 = _col_index(m.group(1)), int(m.group(2)) - 1
    c1, r1 = (_col_index(m.group(3)) + 1, int(m.group(4))) if m.group(3) else (c0 + 1, r0 + 1)
    return r0, r1, c0, c1


@dataclass
class Window:
    """A range resolved on a sheet: rows r0..r1 and columns c0..c1 (end-exclusive)."""

    sheet: Sheet
    r0: int
    r1: int
    c0: int
    c1: int
    bounded_rows: bool  # the range named its last row (writes must stay inside)
    bounded_cols: bool
    single: bool  # one cell named: a write starts there and extends

    def ref(self, r1: int | None = None, c1: int | None = None) -> str:
        end_r = self.r1 if r1 is None else r1
        end_c = self.c1 if c1 is None else c1
        return f"{quote_title(self.sheet.title)}!{_a1(self.r0, end_r, self.c0, end_c)}"


def _split_range(rng: str) -> tuple[str | None, str | None]:
    """('title' or None for the first visible sheet, A1 part or None for the whole sheet)."""
    if rng.startswith("'"):
        i, title = 1, []
        while i < len(rng):
            if rng[i] == "'":
                if rng[i + 1:i + 2] == "'":
                    title.append("'")
                    i += 2
                    continue
                break
            title.append(rng[i])
            i += 1
        else:
            raise ValueError(rng)
        rest = rng[i + 1:]
        if rest == "":
            return "".join(title), None
        if rest.startswith("!") and len(rest) > 1:
            return "".join(title), rest[1:]
        raise ValueError(rng)
    if "!" in rng:
        title_, _, a1 = rng.partition("!")
        if not title_ or not a1:
            raise ValueError(rng)
        return title_, a1
    if _parse_a1(rng) is not None:
        return None, rng
    if not rng:
        raise ValueError(rng)
    return rng, None


def _parse_a1(a1: str) -> list[tuple[int | None, int | None]] | None:
    """The corners of an A1 range: [(col, row)] for one cell, two for a range; None if not A1."""
    parts = a1.split(":")
    if len(parts) > 2:
        return None
    out: list[tuple[int | None, int | None]] = []
    for part in parts:
        m = _A1_PART.fullmatch(part)
        if not m or not (m.group(1) or m.group(2)) or m.group(2).startswith("0"):
            return None
        out.append((_col_index(m.group(1)) if m.group(1) else None,
                    int(m.group(2)) - 1 if m.group(2) else None))
    if len(out) == 1 and (out[0][0] is None or out[0][1] is None):
        return None
    return out


# ----- the server ---------------------------------------------------------------------------

class FakeSheets:
    """The server and its state. Use as a context manager or start()/stop()."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, seed: int | None = None,
                 read_quota: int | None = 60, write_quota: int | None = 60) -> None:
        self.books: dict[str, Book] = {}
        self.calls: list[Call] = []
        self.faults: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.clock = clock
        self.random = random.Random(seed)
        self.quota: dict[str, int | None] = {"read": read_quota, "write": write_quota}
        self.usage: dict[tuple[str, str], collections.deque[float]] = {}
        self.checker = Checker(discovery())
        self.lock = threading.RLock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # ----- state -----

    def add_book(self, sid: str, tabs: dict[str, list[list[Any]]], shares: dict[str, str],
                 time_zone: str = "Asia/Seoul", title: str = "Office", *,
                 merges: dict[str, list[str]] | None = None, hidden: Any = (),
                 frozen: dict[str, int | tuple[int, int]] | None = None,
                 grid: dict[str, tuple[int, int]] | None = None,
                 sheet_ids: dict[str, int] | None = None,
                 metadata: list[dict[str, Any]] | None = None) -> Book:
        folded = [t.casefold() for t in tabs]
        if len(set(folded)) != len(folded):
            raise ValueError("sheet titles must differ in more than case")
        used = set((sheet_ids or {}).values())
        sheets = []
        for i, (name, rows) in enumerate(tabs.items()):
            width = max((len(r) for r in rows), default=1)
            nrows, ncols = (grid or {}).get(name, (max(len(rows), DEFAULT_ROWS),
                                                   max(width, DEFAULT_COLS)))
            sheet_id = (sheet_ids or {}).get(name)
            if sheet_id is None:
                sheet_id = self._new_id(used)
            used.add(sheet_id)
            sheet = Sheet(sheet_id, name, i, nrows, ncols, [list(r) for r in rows])
            fr = (frozen or {}).get(name, 0)
            sheet.frozen, sheet.frozen_cols = fr if isinstance(fr, tuple) else (fr, 0)
            sheet.hidden = name in hidden
            sheet.merges = [grid_range(a1) for a1 in (merges or {}).get(name, [])]
            sheets.append(sheet)
        book = Book(sid, title, time_zone, sheets, dict(shares))
        self.books[sid] = book
        for m in metadata or []:
            self.add_metadata(sid, m["metadataKey"], m.get("metadataValue"),
                              visibility=m.get("visibility", "DOCUMENT"))
        return book

    def add_metadata(self, sid: str, key: str, value: str | None = None,
                     title: str | None = None, visibility: str = "DOCUMENT") -> dict[str, Any]:
        book = self.books[sid]
        record: dict[str, Any] = {"metadataId": self._new_id(_metadata_ids(book.sheets,
                                                                           book.metadata)),
                                  "metadataKey": key}
        if value is not None:
            record["metadataValue"] = value
        if title is None:
            record["location"] = {"locationType": "SPREADSHEET", "spreadsheet": True}
            record["visibility"] = visibility
            book.metadata.append(record)
        else:
            sheet = self.tab(sid, title)
            record["location"] = {"locationType": "SHEET", "sheetId": sheet.sheet_id}
            record["visibility"] = visibility
            sheet.metadata.append(record)
        return record

    def tab(self, sid: str, title: str) -> Sheet:
        return next(s for s in self.books[sid].sheets if s.title == title)

    def api_calls(self) -> list[Call]:
        return [c for c in self.calls if c.path != "/token"]

    def _new_id(self, used: Any) -> int:
        while True:
            n = self.random.randrange(1, ID_LIMIT)
            if n not in used:
                return n

    # ----- server -----

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, port: int = 0) -> FakeSheets:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_PUT(self) -> None:
                fake._handle(self, "PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> FakeSheets:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ----- handling -----

    def _take_fault(self, method: str, path: str) -> dict[str, Any] | None:
        with self.lock:
            for i, fault in enumerate(self.faults):
                if fault.get("method", method) == method and fault.get("path", "") in path:
                    if fault.get("skip"):
                        fault["skip"] -= 1
                        continue
                    return self.faults.pop(i)
        return None

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(h.path)
        query = parse_qs(url.query, keep_blank_values=True)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body: Any = None
        bad_json = False
        if raw and "json" in (h.headers.get("Content-Type") or ""):
            try:
                body = json.loads(raw, parse_constant=_no_constant)
            except ValueError:
                bad_json = True
        path = unquote(url.path)
        fault = None
        if path != "/token":
            fault = self._take_fault(method, path)
            if fault:
                if fault.get("delay"):
                    time.sleep(fault["delay"])
                if fault.get("drop"):
                    self.calls.append(Call(method, path, query, body, 0))
                    h.close_connection = True
                    h.connection.close()
                    return
                if fault.get("status"):
                    headers = {"Retry-After": fault["retry_after"]} if "retry_after" in fault \
                        else {}
                    answer = fault.get("body") or _error(fault["status"], "injected fault")
                    self._send(h, fault["status"], answer, method, path, query, body, headers)
                    return
        try:
            if bad_json:
                raise ApiError(400, "Invalid JSON payload received. Unexpected token.")
            with self.lock:
                status, answer = self._route(h, method, path, query, body, raw)
        except SchemaViolation as exc:
            self.violations.append(exc.message)
            status, answer = exc.code, exc.body()
        except ApiError as exc:
            status, answer = exc.code, exc.body()
        except Refused as exc:
            status, answer = 400, _error(400, str(exc))
        except Exception as exc:  # a bug of the fake: answer it rather than hang the client
            status, answer = 500, _error(500, f"fake server error: {type(exc).__name__}: {exc}")
        if fault and fault.get("lost"):  # done, but the answer never reaches the client
            self.calls.append(Call(method, path, query, body, status))
            h.close_connection = True
            h.connection.close()
            return
        self._send(h, status, answer, method, path, query, body)

    def _send(self, h: BaseHTTPRequestHandler, status: int, answer: Any, method: str,
              path: str, query: dict[str, list[str]], body: Any,
              headers: dict[str, str] | None = None) -> None:
        self.calls.append(Call(method, path, query, body, status))
        data = json.dumps(answer).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=UTF-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _who(self, h: BaseHTTPRequestHandler) -> str:
        auth = h.headers.get("Authorization", "")
        if not auth:
            raise ApiError(401, "Request is missing required authentication credential. "
                                + _UNAUTHENTICATED)
        if not auth.startswith("Bearer tok:"):
            raise ApiError(401, "Request had invalid authentication credentials. "
                                + _UNAUTHENTICATED)
        return auth[len("Bearer tok:"):]

    def _spend(self, who: str, kind: str) -> None:
        """The per-user quota, in a sliding window of QUOTA_WINDOW seconds of self.clock."""
        limit = self.quota[kind]
        if limit is None:
            return
        now = self.clock()
        used = self.usage.setdefault((who, kind), collections.deque())
        while used and used[0] <= now - QUOTA_WINDOW:
            used.popleft()
        if len(used) >= limit:
            raise _quota_error(kind, limit)
        used.append(now)

    def _endpoint(self, method: str, rest: str
                  ) -> tuple[str, dict[str, Any], Callable[..., tuple[int, Any]]] | None:
        sp = self.checker.params
        values = sp["resources"]["values"]["methods"]
        meta = sp["resources"]["developerMetadata"]["methods"]
        if method == "GET" and rest == "":
            return "read", sp["methods"]["get"], lambda b, q, body: (200, self._get(b, q))
        if method == "GET" and rest == "/values:batchGet":
            return "read", values["batchGet"], lambda b, q, body: (200, self._batch_get(b, q))
        if method == "GET" and rest.startswith("/values/") and len(rest) > len("/values/"):
            rng = rest[len("/values/"):]
            return "read", values["get"], lambda b, q, body: (200, self._values_get(b, q, rng))
        if method == "GET" and re.fullmatch(r"/developerMetadata/-?[0-9]+", rest):
            mid = int(rest.rsplit("/", 1)[1])
            return "read", meta["get"], lambda b, q, body: (200, self._metadata_get(b, mid))
        if method == "POST" and rest == "/developerMetadata:search":
            return "read", meta["search"], lambda b, q, body: (200, self._search(b, body))
        if method == "POST" and rest == ":batchUpdate":
            return "write", sp["methods"]["batchUpdate"], \
                lambda b, q, body: self._batch_update(b, body)
        if method == "POST" and rest == "/values:batchUpdate":
            return "write", values["batchUpdate"], \
                lambda b, q, body: self._values_update(b, body)
        return None

    def _route(self, h: BaseHTTPRequestHandler, method: str, path: str,
               query: dict[str, list[str]], body: Any, raw: bytes) -> tuple[int, Any]:
        if path == "/token" and method == "POST":
            form = parse_qs(raw.decode())
            assertion = form.get("assertion", [""])[0]
            try:
                payload = assertion.split(".")[1]
                claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            except (IndexError, ValueError):
                return 400, {"error": "invalid_grant"}
            return 200, {"access_token": f"tok:{claims['iss']}", "expires_in": 3600,
                         "token_type": "Bearer"}
        m = re.match(r"^/v4/spreadsheets/([^/:]+)(.*)$", path)
        found = self._endpoint(method, m.group(2)) if m else None
        if m is None or found is None:
            return 404, _error(404, "Not found")
        sid = m.group(1)
        kind, spec, handler = found
        who = self._who(h)
        self._spend(who, kind)
        self.checker.check_query(spec, query)
        mask = None
        if query.get("fields", [""])[0]:
            try:
                mask = parse_mask(query["fields"][0])
            except ValueError:
                raise ApiError(400, INVALID_ARGUMENT) from None
            self.checker.check_mask(mask, spec["response"])
        if "request" in spec:
            self.checker.check(body if body is not None else {}, spec["request"])
        book = self.books.get(sid)
        if book is None:
            raise ApiError(404, NOT_FOUND)
        role = book.shares.get(who)
        if role is None or (kind == "write" and role != "writer"):
            raise ApiError(403, PERMISSION_DENIED)
        status, answer = handler(book, query, body if body is not None else {})
        if status == 200 and mask is not None:
            answer = apply_mask(answer, mask)
        return status, answer

    # ----- spreadsheets.get -----

    def _spreadsheet(self, book: Book, sheets: list[Sheet] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "spreadsheetId": book.sid,
            "properties": {"title": book.title, "locale": book.locale,
                           "autoRecalc": "ON_CHANGE", "timeZone": book.time_zone},
            "sheets": [_sheet_json(s) for s in (book.sheets if sheets is None else sheets)]}
        if book.metadata:
            out["developerMetadata"] = copy.deepcopy(book.metadata)
        out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{book.sid}/edit"
        return out

    def _get(self, book: Book, query: dict[str, list[str]]) -> dict[str, Any]:
        if query.get("includeGridData", ["false"])[0] == "true":
            raise ApiError(400, "the fake server does not implement includeGridData")
        sheets = None
        if query.get("ranges"):
            ids = {self._window(book, r).sheet.sheet_id for r in query["ranges"]}
            sheets = [s for s in book.sheets if s.sheet_id in ids]
        return self._spreadsheet(book, sheets)

    # ----- values -----

    def _window(self, book: Book, rng: str, sheets: list[Sheet] | None = None) -> Window:
        """The range on its sheet; Refused("Unable to parse range: ...") when there is none."""
        sheets = book.sheets if sheets is None else sheets
        try:
            title, a1 = _split_range(rng)
        except ValueError:
            raise Refused(f"Unable to parse range: {rng}") from None
        if title is None:
            sheet = next((s for s in sheets if not s.hidden), None)
        else:
            sheet = next((s for s in sheets if s.title == title), None)
        if sheet is None:
            raise Refused(f"Unable to parse range: {rng}")
        if a1 is None:
            return Window(sheet, 0, sheet.rows, 0, sheet.cols, False, False, False)
        corners = _parse_a1(a1)
        if corners is None:
            raise Refused(f"Unable to parse range: {rng}")
        if len(corners) == 1:
            (c, r), = corners
            assert c is not None and r is not None
            return Window(sheet, r, r + 1, c, c + 1, False, False, True)
        (ca, ra), (cb, rb) = corners
        r0 = ra if ra is not None else 0
        c0 = ca if ca is not None else 0
        r1 = rb + 1 if rb is not None else sheet.rows
        c1 = cb + 1 if cb is not None else sheet.cols
        if rb is not None and ra is not None and rb < ra:
            r0, r1 = rb, ra + 1
        if cb is not None and ca is not None and cb < ca:
            c0, c1 = cb, ca + 1
        return Window(sheet, r0, r1, c0, c1, rb is not None, cb is not None, False)

    def _read(self, book: Book, rng: str, query: dict[str, list[str]]) -> dict[str, Any]:
        try:
            w = self._window(book, rng)
        except Refused as exc:
            raise ApiError(400, str(exc)) from None
        sheet = w.sheet
        if w.r1 > sheet.rows or w.c1 > sheet.cols:
            raise ApiError(400, f"Range ({w.ref()}) exceeds grid limits. Max rows: "
                                f"{sheet.rows}, max columns: {sheet.cols}")
        option = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        major = query.get("majorDimension", ["ROWS"])[0]
        covered: dict[int, set[int]] = {}
        for r0, r1, c0, c1 in sheet.merges:
            for r in range(max(r0, w.r0), min(r1, w.r1)):
                covered.setdefault(r, set()).update(
                    c for c in range(max(c0, w.c0), min(c1, w.c1)) if (r, c) != (r0, c0))
        rows = []
        for r in range(w.r0, min(w.r1, len(sheet.values))):
            line = sheet.values[r]
            hide = covered.get(r, ())
            cells = [("" if c in hide else _render(line[c], option))
                     for c in range(w.c0, min(w.c1, len(line)))]
            rows.append(cells)
        if major == "COLUMNS":
            width = max((len(r) for r in rows), default=0)
            rows = [[r[j] if j < len(r) else "" for r in rows] for j in range(width)]
        for cells in rows:
            while cells and cells[-1] == "":
                cells.pop()
        while rows and not rows[-1]:
            rows.pop()
        out: dict[str, Any] = {"range": w.ref(),
                               "majorDimension": "COLUMNS" if major == "COLUMNS" else "ROWS"}
        if rows:
            out["values"] = rows
        return out

    def _batch_get(self, book: Book, query: dict[str, list[str]]) -> dict[str, Any]:
        out: dict[str, Any] = {"spreadsheetId": book.sid}
        ranges = [self._read(book, rng, query) for rng in query.get("ranges", [])]
        if ranges:
            out["valueRanges"] = ranges
        return out

    def _values_get(self, book: Book, query: dict[str, list[str]], rng: str) -> dict[str, Any]:
        return self._read(book, rng, query)

    def _plan_write(self, book: Book, vr: dict[str, Any]) -> tuple[Window, list[list[Any]]]:
        rng = vr.get("range", "")
        w = self._window(book, rng)
        sheet = w.sheet
        if w.r1 > sheet.rows or w.c1 > sheet.cols:
            raise Refused(f"Range ({w.ref()}) exceeds grid limits. Max rows: {sheet.rows}, "
                          f"max columns: {sheet.cols}")
        values = vr.get("values", [])
        if vr.get("majorDimension") == "COLUMNS":
            height = max((len(c) for c in values), default=0)
            values = [[c[i] if i < len(c) else None for c in values] for i in range(height)]
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if isinstance(v, (list, dict)):
                    kind = "list_value" if isinstance(v, list) else "struct_value"
                    raise Refused(f"Invalid values[{i}][{j}]: {kind} {json.dumps(v)}")
        height = len(values)
        width = max((len(r) for r in values), default=0)
        if height and w.bounded_rows and w.r0 + height > w.r1:
            raise Refused(f"Requested writing within range [{w.ref()}], but tried writing to "
                          f"row [{w.r1 + 1}]")
        if width and w.bounded_cols and w.c0 + width > w.c1:
            raise Refused(f"Requested writing within range [{w.ref()}], but tried writing to "
                          f"column [{_col_letter(w.c1)}]")
        if height and width and (w.r0 + height > sheet.rows or w.c0 + width > sheet.cols):
            raise Refused(f"Range ({w.ref(w.r0 + height, w.c0 + width)}) exceeds grid limits. "
                          f"Max rows: {sheet.rows}, max columns: {sheet.cols}")
        return w, values

    def _values_update(self, book: Book, body: dict[str, Any]) -> tuple[int, Any]:
        option = body.get("valueInputOption", "INPUT_VALUE_OPTION_UNSPECIFIED")
        if option == "INPUT_VALUE_OPTION_UNSPECIFIED":
            raise ApiError(400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
        if option == "USER_ENTERED":  # Google parses input; the fake takes formulas only
            for vr in body.get("data", []):
                for row in vr.get("values", []):
                    for v in row:
                        if v is not None and not (isinstance(v, str) and v.startswith("=")):
                            raise SchemaViolation(
                                "the fake server implements USER_ENTERED for formulas only "
                                f"(got {v!r}): write other values RAW")
        elif option != "RAW":
            raise SchemaViolation("collabsheet must write RAW or formulas USER_ENTERED (the "
                                  "fake server implements no other)")
        plans = []
        for n, vr in enumerate(body.get("data", [])):
            try:
                plans.append(self._plan_write(book, vr))
            except Refused as exc:
                raise ApiError(400, f"Invalid data[{n}]: {exc}") from None
        responses = []
        cells_total = 0
        touched_rows: set[tuple[int, int]] = set()
        touched_cols: set[tuple[int, int]] = set()
        for w, values in plans:
            sheet = w.sheet
            count = 0
            if len(sheet.values) < w.r0 + len(values):
                sheet.values.extend([] for _ in range(w.r0 + len(values) - len(sheet.values)))
            for i, row in enumerate(values):
                line = sheet.values[w.r0 + i]
                if len(line) < w.c0 + len(row):
                    line.extend([""] * (w.c0 + len(row) - len(line)))
                for j, v in enumerate(row):
                    if v is None:  # "Null values will be skipped"
                        continue
                    line[w.c0 + j] = Formula(v) if option == "USER_ENTERED" else v
                    count += 1
                    touched_rows.add((sheet.sheet_id, w.r0 + i))
                    touched_cols.add((sheet.sheet_id, w.c0 + j))
            cells_total += count
            width = max((len(r) for r in values), default=0)
            response: dict[str, Any] = {"spreadsheetId": book.sid}
            if values and width:
                response.update({"updatedRange": w.ref(w.r0 + len(values), w.c0 + width),
                                 "updatedRows": len(values), "updatedColumns": width,
                                 "updatedCells": count})
            responses.append(response)
        out: dict[str, Any] = {"spreadsheetId": book.sid}
        if cells_total:
            out.update({"totalUpdatedRows": len(touched_rows),
                        "totalUpdatedColumns": len(touched_cols),
                        "totalUpdatedCells": cells_total,
                        "totalUpdatedSheets": len({s for s, _ in touched_rows})})
        if responses:
            out["responses"] = responses
        return 200, out

    # ----- developer metadata, outside batchUpdate -----

    def _metadata_get(self, book: Book, mid: int) -> dict[str, Any]:
        for _, m in _all_metadata(book.sheets, book.metadata):
            if m["metadataId"] == mid:
                return copy.deepcopy(m)
        raise ApiError(404, NOT_FOUND)

    def _search(self, book: Book, body: dict[str, Any]) -> dict[str, Any]:
        matched = []
        seen: set[int] = set()
        for n, f in enumerate(body.get("dataFilters", [])):
            try:
                found = _match_metadata(book.sheets, book.metadata, f)
            except Refused as exc:
                raise ApiError(400, f"Invalid dataFilters[{n}]: {exc}") from None
            for _, m in found:
                if m["metadataId"] not in seen:
                    seen.add(m["metadataId"])
                    matched.append({"developerMetadata": copy.deepcopy(m), "dataFilters": [f]})
        return {"matchedDeveloperMetadata": matched} if matched else {}

    # ----- spreadsheets:batchUpdate -----

    def _batch_update(self, book: Book, body: dict[str, Any]) -> tuple[int, Any]:
        """Atomic: the requests run on a copy, which replaces the book only if all succeed.
        The cell limit is checked after each request, on the state so far."""
        requests = body.get("requests") or []
        if not requests:
            raise ApiError(400, "Must specify at least one request.")
        state = _State(book)
        replies: list[dict[str, Any]] = []
        for i, req in enumerate(requests):
            if len(req) != 1:
                raise ApiError(400, f"Invalid requests[{i}]: exactly one kind of request must "
                                    "be set")
            (kind, arg), = req.items()
            handler = getattr(self, f"_req_{kind}", None)
            if handler is None:
                raise ApiError(400, f"Invalid requests[{i}].{kind}: the fake server does not "
                                    f"implement {kind}")
            before = state.cells()
            try:
                replies.append(handler(state, arg))
                after = state.cells()
                if after > CELL_LIMIT and after > before:
                    raise Refused("This action would increase the number of cells in the "
                                  f"workbook above the limit of {CELL_LIMIT} cells.")
            except Refused as exc:
                raise ApiError(400, f"Invalid requests[{i}].{kind}: {exc}") from None
        state.commit()
        out: dict[str, Any] = {"spreadsheetId": book.sid, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = self._spreadsheet(book)
        return 200, out

    def _req_addSheet(self, state: _State, arg: dict[str, Any]) -> dict[str, Any]:
        p = arg.get("properties", {})
        title = p.get("title") or next(f"Sheet{n}" for n in range(1, len(state.sheets) + 2)
                                       if state.by_title(f"Sheet{n}") is None)
        if state.by_title(title) is not None:
            raise Refused(f'A sheet with the name "{title}" already exists. Please enter '
                          "another name.")
        if "sheetId" in p:
            sheet_id = p["sheetId"]
            if sheet_id < 0:
                raise Refused(f"Invalid sheetId: {sheet_id}; a sheet ID must be non-negative.")
            if state.by_id(sheet_id) is not None:
                raise Refused(f"A sheet with the ID {sheet_id} already exists.")
        else:
            sheet_id = self._new_id({s.sheet_id for s in state.sheets})
        if p.get("sheetType", "GRID") != "GRID":
            raise Refused("the fake server adds only GRID sheets")
        g = p.get("gridProperties", {})
        sheet = Sheet(sheet_id, title, 0, g.get("rowCount") or DEFAULT_ROWS,
                      g.get("columnCount") or DEFAULT_COLS, [], g.get("frozenRowCount", 0),
                      frozen_cols=g.get("frozenColumnCount", 0), hidden=p.get("hidden", False))
        _check_sheet(sheet)
        index = min(max(p.get("index", len(state.sheets)), 0), len(state.sheets))
        state.sheets.insert(index, sheet)
        state.renumber()
        if all(s.hidden for s in state.sheets):
            raise Refused("You can't hide all the sheets in a document.")
        return {"addSheet": {"properties": _properties(sheet)}}

    def _req_deleteSheet(self, state: _State, arg: dict[str, Any]) -> dict[str, Any]:
        sheet_id = arg.get("sheetId", 0)
        sheet = state.by_id(sheet_id)
        if sheet is None:
            raise Refused(f"No sheet with id: {sheet_id}")
        if len(state.sheets) == 1:
            raise Refused("You can't remove all the sheets in a document.")
        state.sheets.remove(sheet)  # its developer metadata goes with it
        if all(s.hidden for s in state.sheets):
            raise Refused("You can't remove all the visible sheets in a document.")
        state.renumber()
        return {}

    def _req_updateSheetProperties(self, state: _State, arg: dict[str, Any]) -> dict[str, Any]:
        p = arg.get("properties", {})
        fields = arg.get("fields", "")
        if not fields:
            raise Refused("At least one field must be specified in 'fields'.")
        try:
            mask = parse_mask(fields)
            self.checker.check_mask(mask, {"$ref": "SheetProperties"})
        except (ValueError, ApiError):
            raise Refused(f"Invalid field mask: '{fields}'") from None
        sheet_id = p.get("sheetId", 0)
        sheet = state.by_id(sheet_id)
        if sheet is None:
            raise Refused(f"No sheet with id: {sheet_id}")
        paths = set(_mask_paths(mask))
        if "*" in paths:
            paths = {"title", "index", "hidden", "gridProperties", "sheetType"}
        grid = p.get("gridProperties", {})
        old_rows, old_cols = sheet.rows, sheet.cols
        for path in sorted(paths):
            head, _, sub = path.partition(".")
            if head == "title":
                title = p.get("title", "")
                if not title:
                    raise Refused("The sheet name cannot be empty.")
                other = state.by_title(title)
                if other is not None and other is not sheet:
                    raise Refused(f'A sheet with the name "{title}" already exists. Please '
                                  "enter another name.")
                sheet.title = title
            elif head == "hidden":
                sheet.hidden = bool(p.get("hidden", False))
            elif head == "sheetType":
                if p.get("sheetType", "GRID") != "GRID":
                    raise Refused("the fake server has only GRID sheets")
            elif head == "index":
                state.move(sheet, p.get("index", 0))
            elif head == "gridProperties":
                names = [sub] if sub else ["rowCount", "columnCount", "frozenRowCount",
                                           "frozenColumnCount"]
                for name in names:
                    value = grid.get(name, 0)
                    if name == "rowCount":
                        sheet.rows = value
                    elif name == "columnCount":
                        sheet.cols = value
                    elif name == "frozenRowCount":
                        sheet.frozen = value
                    elif name == "frozenColumnCount":
                        sheet.frozen_cols = value
            # sheetId names the sheet; tabColor, rightToLeft and the like change nothing here
        if sheet.rows < 1:
            raise Refused("You can't delete all the rows on the sheet.")
        if sheet.cols < 1:
            raise Refused("You can't delete all the columns on the sheet.")
        _check_sheet(sheet)
        if all(s.hidden for s in state.sheets):
            raise Refused("You can't hide all the sheets in a document.")
        if sheet.rows < old_rows and len(sheet.values) > sheet.rows:
            sheet.values = sheet.values[:sheet.rows]
        if sheet.cols < old_cols:
            sheet.values = [line[:sheet.cols] for line in sheet.values]
        return {}

    def _req_createDeveloperMetadata(self, state: _State, arg: dict[str, Any]
                                     ) -> dict[str, Any]:
        m = arg.get("developerMetadata", {})
        if not m.get("metadataKey"):
            raise Refused("Developer metadata must have a metadataKey.")
        if m.get("visibility") not in ("DOCUMENT", "PROJECT"):
            raise Refused("Developer metadata must have a visibility (DOCUMENT or PROJECT).")
        container, location = state.location(m.get("location", {}))
        ids = _metadata_ids(state.sheets, state.metadata)
        if "metadataId" in m:
            mid = m["metadataId"]
            if mid <= 0 or mid in ids:
                raise Refused(f"Developer metadata with ID {mid} already exists or is invalid.")
        else:
            mid = self._new_id(ids)
        record = {"metadataId": mid, "metadataKey": m["metadataKey"]}
        if "metadataValue" in m:
            record["metadataValue"] = m["metadataValue"]
        record["location"] = location
        record["visibility"] = m["visibility"]
        container.append(record)
        return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(record)}}

    def _req_deleteDeveloperMetadata(self, state: _State, arg: dict[str, Any]
                                     ) -> dict[str, Any]:
        found = _match_metadata(state.sheets, state.metadata, arg.get("dataFilter", {}))
        for container, m in found:
            container.remove(m)
        deleted = [copy.deepcopy(m) for _, m in found]
        return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": deleted}
                if deleted else {}}

    def _req_updateDeveloperMetadata(self, state: _State, arg: dict[str, Any]
                                     ) -> dict[str, Any]:
        filters = arg.get("dataFilters", [])
        if not filters:
            raise Refused("At least one data filter must be specified.")
        fields = arg.get("fields", "")
        if not fields:
            raise Refused("At least one field must be specified in 'fields'.")
        try:
            mask = parse_mask(fields)
            self.checker.check_mask(mask, {"$ref": "DeveloperMetadata"})
        except (ValueError, ApiError):
            raise Refused(f"Invalid field mask: '{fields}'") from None
        paths = {p.split(".")[0] for p in _mask_paths(mask)}
        if "*" in paths:
            paths = {"metadataKey", "metadataValue", "location", "visibility"}
        if "metadataId" in paths:
            raise Refused("metadataId cannot be updated.")
        new = arg.get("developerMetadata", {})
        found: list[tuple[list[dict[str, Any]], dict[str, Any]]] = []
        for f in filters:
            for container, m in _match_metadata(state.sheets, state.metadata, f):
                if all(m is not other for _, other in found):
                    found.append((container, m))
        for container, m in found:
            if "metadataKey" in paths:
                if not new.get("metadataKey"):
                    raise Refused("Developer metadata must have a metadataKey.")
                m["metadataKey"] = new["metadataKey"]
            if "metadataValue" in paths:
                if "metadataValue" in new:
                    m["metadataValue"] = new["metadataValue"]
                else:
                    m.pop("metadataValue", None)
            if "visibility" in paths:
                if new.get("visibility") not in ("DOCUMENT", "PROJECT"):
                    raise Refused("Developer metadata must have a visibility (DOCUMENT or "
                                  "PROJECT).")
                m["visibility"] = new["visibility"]
            if "location" in paths:
                target, location = state.location(new.get("location", {}))
                container.remove(m)
                m["location"] = location
                target.append(m)
        updated = [copy.deepcopy(m) for _, m in found]
        return {"updateDeveloperMetadata": {"developerMetadata": updated} if updated else {}}

    def _format(self, state: _State, req_kind: str, arg: dict[str, Any], sheet_id: int
                ) -> dict[str, Any]:
        sheet = state.by_id(sheet_id)
        if sheet is None:
            raise Refused(f"No grid with id: {sheet_id}")
        sheet.formats.append({req_kind: copy.deepcopy(arg)})
        return {}

    def _req_repeatCell(self, state: _State, arg: dict[str, Any]) -> dict[str, Any]:
        return self._format(state, "repeatCell", arg, arg.get("range", {}).get("sheetId", 0))

    def _req_setDataValidation(self, state: _State, arg: dict[str, Any]) -> dict[str, Any]:
        return self._format(state, "setDataValidation", arg,
                            arg.get("range", {}).get("sheetId", 0))

    def _req_addConditionalFormatRule(self, state: _State, arg: dict[str, Any]
                                      ) -> dict[str, Any]:
        ranges = arg.get("rule", {}).get("ranges", [])
        if not ranges:
            raise Refused("No ranges specified")
        for r in ranges:
            formula = arg["rule"].get("booleanRule", {}).get("condition", {})
            for v in formula.get("values", []):
                text = v.get("userEnteredValue", "")
                if formula.get("type") == "CUSTOM_FORMULA" and not text.startswith("="):
                    raise Refused(f"Invalid ConditionalFormatRule: formula {text!r} must "
                                  "start with =")
            self._format(state, "addConditionalFormatRule", arg, r.get("sheetId", 0))
        return {}

    def _req_updateDimensionProperties(self, state: _State, arg: dict[str, Any]
                                       ) -> dict[str, Any]:
        return self._format(state, "updateDimensionProperties", arg,
                            arg.get("range", {}).get("sheetId", 0))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _render(value: Any, option: str) -> Any:
    """A cell as values reads answer it: numbers are doubles, whole ones written as JSON ints
    (UNFORMATTED_VALUE); FORMATTED_VALUE is approximated by the plain text of the value."""
    if value is None or value == "":
        return ""
    if isinstance(value, Formula):
        return UNCOMPUTED
    if isinstance(value, bool):
        return value if option != "FORMATTED_VALUE" else ("TRUE" if value else "FALSE")
    if isinstance(value, (int, float)):
        number: int | float = float(value)
        if float(number).is_integer() and abs(number) < 2 ** 53:
            number = int(number)
        return number if option != "FORMATTED_VALUE" else str(number)
    return value if isinstance(value, str) else str(value)


def _properties(s: Sheet) -> dict[str, Any]:
    """SheetProperties as Google answers them: frozen counts only when not zero, hidden only
    when true."""
    grid = {"rowCount": s.rows, "columnCount": s.cols}
    if s.frozen:
        grid["frozenRowCount"] = s.frozen
    if s.frozen_cols:
        grid["frozenColumnCount"] = s.frozen_cols
    out: dict[str, Any] = {"sheetId": s.sheet_id, "title": s.title, "index": s.index,
                           "sheetType": "GRID", "gridProperties": grid}
    if s.hidden:
        out["hidden"] = True
    return out


def _sheet_json(s: Sheet) -> dict[str, Any]:
    out: dict[str, Any] = {"properties": _properties(s)}
    if s.merges:  # GridRanges: sheetId 0 is left out (a zero int), the indexes are not
        ids = {"sheetId": s.sheet_id} if s.sheet_id else {}
        out["merges"] = [{**ids, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0,
                          "endColumnIndex": c1} for r0, r1, c0, c1 in s.merges]
    if s.metadata:
        out["developerMetadata"] = copy.deepcopy(s.metadata)
    return out


def _check_sheet(sheet: Sheet) -> None:
    if sheet.frozen and sheet.frozen >= sheet.rows:
        raise Refused("You can't freeze all visible rows on the sheet.")
    if sheet.frozen_cols and sheet.frozen_cols >= sheet.cols:
        raise Refused("You can't freeze all visible columns on the sheet.")


def _all_metadata(sheets: list[Sheet], book_metadata: list[dict[str, Any]]
                  ) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
    for m in book_metadata:
        yield book_metadata, m
    for s in sheets:
        for m in s.metadata:
            yield s.metadata, m


def _metadata_ids(sheets: list[Sheet], book_metadata: list[dict[str, Any]]) -> set[int]:
    return {m["metadataId"] for _, m in _all_metadata(sheets, book_metadata)}


def _match_metadata(sheets: list[Sheet], book_metadata: list[dict[str, Any]],
                    data_filter: dict[str, Any]
                    ) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """The metadata a DataFilter selects (by developerMetadataLookup: every field it sets must
    match)."""
    if set(data_filter) != {"developerMetadataLookup"}:
        raise Refused("the fake server selects developer metadata by developerMetadataLookup "
                      "only")
    lookup = data_filter["developerMetadataLookup"]
    if not lookup:
        raise Refused("the data filter's developerMetadataLookup sets no criteria")
    out = []
    for container, m in _all_metadata(sheets, book_metadata):
        if any(k in lookup and m.get(k) != lookup[k]
               for k in ("metadataId", "metadataKey", "metadataValue", "visibility")):
            continue
        loc = m["location"]
        if lookup.get("locationType", loc["locationType"]) != loc["locationType"]:
            continue
        where = lookup.get("metadataLocation")
        if where is not None:
            intersecting = lookup.get("locationMatchingStrategy") == "INTERSECTING_LOCATION"
            if "dimensionRange" in where:
                raise Refused("the fake server has no row or column metadata")
            if where.get("spreadsheet"):
                if not intersecting and loc["locationType"] != "SPREADSHEET":
                    continue
            elif "sheetId" in where:
                if loc.get("sheetId") != where["sheetId"]:
                    continue
        out.append((container, m))
    return out


class _State:
    """A batchUpdate's working copy of a book. Sheets are copied shallowly: no request changes
    a values list in place (they put a new one), so the copy is cheap for big sheets."""

    def __init__(self, book: Book):
        self.book = book
        self.sheets = [dataclasses.replace(s, formats=list(s.formats),
                                           metadata=copy.deepcopy(s.metadata),
                                           merges=list(s.merges)) for s in book.sheets]
        self.metadata = copy.deepcopy(book.metadata)

    def by_title(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title.casefold() == title.casefold()), None)

    def by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def cells(self) -> int:
        return sum(s.rows * s.cols for s in self.sheets)

    def renumber(self) -> None:
        for i, s in enumerate(self.sheets):
            s.index = i

    def move(self, sheet: Sheet, index: int) -> None:
        """Indexes count before the move, as Google's do: to put S1 after S2 of S1, S2, S3,
        give 2."""
        old = self.sheets.index(sheet)
        index = min(max(index, 0), len(self.sheets))
        self.sheets.remove(sheet)
        self.sheets.insert(index - 1 if index > old else index, sheet)
        self.renumber()

    def location(self, loc: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        if loc.get("spreadsheet"):
            return self.metadata, {"locationType": "SPREADSHEET", "spreadsheet": True}
        if "sheetId" in loc:
            sheet = self.by_id(loc["sheetId"])
            if sheet is None:
                raise Refused(f"No sheet with id: {loc['sheetId']}")
            return sheet.metadata, {"locationType": "SHEET", "sheetId": sheet.sheet_id}
        if "dimensionRange" in loc:
            raise Refused("the fake server has no row or column metadata")
        raise Refused("Developer metadata must have a location.")

    def commit(self) -> None:
        self.renumber()
        self.book.sheets = self.sheets
        self.book.metadata = self.metadata


def service_key(path: Path, token_uri: str,
                email: str = "collabsheet@office.iam.gserviceaccount.com") -> Path:
    """A real RSA service-account key whose token endpoint is the fake server."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "office", "private_key_id": "k1",
        "private_key": pem, "client_email": email, "client_id": "1",
        "token_uri": token_uri}), encoding="utf-8")
    return path


def xlsx_tabs(path: Path) -> dict[str, list[list[Any]]]:
    """A workbook's values as Google would hold them: dates as serial numbers."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in wb:
        rows = []
        for row in ws.iter_rows(values_only=True):
            cells = []
            for v in row:
                if isinstance(v, dt.datetime):
                    v = (v - dt.datetime(1899, 12, 30)).total_seconds() / 86400
                elif isinstance(v, dt.date):
                    v = float((v - dt.date(1899, 12, 30)).days)
                cells.append("" if v is None else v)
            rows.append(cells)
        out[ws.title] = rows
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="Run the fake Google Sheets API by hand.")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--load", type=Path, action="append", default=[])
    args = ap.parse_args()
    fake = FakeSheets().start(args.port)
    key = service_key(Path(os.environ.get("TMPDIR", "/tmp")) / "collabsheet-fake-key.json",
                      f"{fake.url}/token")
    email = json.loads(key.read_text())["client_email"]
    for i, path in enumerate(args.load):
        sid = f"fake{i:02d}{path.stem.replace(' ', '')}"[:40].ljust(12, "x")
        fake.add_book(sid, xlsx_tabs(path), {email: "writer"})
        print(f"gsheet:{sid}  <- {path}")
    print(f"COLLABSHEET_SHEETS_API={fake.url}  --credentials {key}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
