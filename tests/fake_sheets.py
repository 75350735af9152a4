"""A fake Google Sheets API v4 for tests: spreadsheets in memory, served on 127.0.0.1.

It implements what collabsheet calls (the OAuth token endpoint, spreadsheets.get,
values:batchGet, values:batchUpdate, spreadsheets:batchUpdate), checks every request body and
query against the official discovery document (unknown fields and wrong enum values are
answered 400 and recorded), enforces sharing (reader or writer per account), and injects
faults on demand: 429 with Retry-After, 500, a slow answer, a dropped connection.

By hand:  python tests/fake_sheets.py --port 8765 --load office.xlsx
then:     COLLABSHEET_SHEETS_API=http://127.0.0.1:8765 collabsheet validate gsheet:ID \\
              --credentials KEY.json      (ID and KEY.json are printed at start)
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse


def discovery() -> dict[str, Any]:
    import googleapiclient

    path = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / \
        "sheets.v4.json"
    return json.loads(path.read_text(encoding="utf-8"))


class SchemaViolation(Exception):
    pass


class Checker:
    """Validates JSON against a schema of the discovery document: no unknown field, enums."""

    def __init__(self, doc: dict[str, Any]):
        self.schemas = doc["schemas"]
        self.params = doc["resources"]["spreadsheets"]

    def check(self, value: Any, schema: dict[str, Any], where: str) -> None:
        if "$ref" in schema:
            self.check(value, self.schemas[schema["$ref"]], where)
            return
        kind = schema.get("type")
        if kind == "object":
            if not isinstance(value, dict):
                raise SchemaViolation(f"{where}: expected an object")
            props = schema.get("properties")
            extra = schema.get("additionalProperties")
            for key, sub in value.items():
                if props is not None and key in props:
                    self.check(sub, props[key], f"{where}.{key}")
                elif extra is not None:
                    self.check(sub, extra, f"{where}.{key}")
                else:
                    raise SchemaViolation(f"{where}: unknown field {key!r}")
        elif kind == "array":
            if not isinstance(value, list):
                raise SchemaViolation(f"{where}: expected an array")
            for i, item in enumerate(value):
                self.check(item, schema.get("items", {}), f"{where}[{i}]")
        elif kind == "string":
            if not isinstance(value, str):
                raise SchemaViolation(f"{where}: expected a string")
            if "enum" in schema and value not in schema["enum"]:
                raise SchemaViolation(f"{where}: {value!r} is not one of {schema['enum']}")
        elif kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise SchemaViolation(f"{where}: expected an integer")
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SchemaViolation(f"{where}: expected a number")
        elif kind == "boolean":
            if not isinstance(value, bool):
                raise SchemaViolation(f"{where}: expected a boolean")

    def check_query(self, method: dict[str, Any], query: dict[str, list[str]]) -> None:
        params = method["parameters"]
        for key, values in query.items():
            if key in ("fields", "alt", "prettyPrint", "key", "quotaUser"):
                continue
            if key not in params:
                raise SchemaViolation(f"query: unknown parameter {key!r}")
            enum = params[key].get("enum")
            for v in values:
                if enum and v not in enum:
                    raise SchemaViolation(f"query {key}: {v!r} is not one of {enum}")


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    rows: int
    cols: int
    values: list[list[Any]] = field(default_factory=list)
    frozen: int = 0
    formats: list[dict[str, Any]] = field(default_factory=list)
    metadata: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Book:
    sid: str
    title: str
    time_zone: str
    sheets: list[Sheet]
    shares: dict[str, str]


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int


_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+?))(?:!([A-Z]+)(\d+)(?::[A-Z]+\d*)?)?$")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class FakeSheets:
    """The server and its state. Use as a context manager or start()/stop()."""

    def __init__(self) -> None:
        self.books: dict[str, Book] = {}
        self.calls: list[Call] = []
        self.faults: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.next_metadata_id = 0
        self.checker = Checker(discovery())
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # ----- state -----

    def add_book(self, sid: str, tabs: dict[str, list[list[Any]]], shares: dict[str, str],
                 time_zone: str = "Asia/Seoul", title: str = "Office") -> Book:
        sheets = []
        for i, (name, rows) in enumerate(tabs.items()):
            width = max((len(r) for r in rows), default=1)
            sheets.append(Sheet(1000 + i, name, i, max(len(rows), 1000), max(width, 26),
                                [list(r) for r in rows]))
        book = Book(sid, title, time_zone, sheets, dict(shares))
        self.books[sid] = book
        return book

    def tab(self, sid: str, title: str) -> Sheet:
        return next(s for s in self.books[sid].sheets if s.title == title)

    def api_calls(self) -> list[Call]:
        return [c for c in self.calls if c.path != "/token"]

    # ----- server -----

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

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

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(h.path)
        query = parse_qs(url.query)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body: Any = None
        if raw and "json" in (h.headers.get("Content-Type") or ""):
            body = json.loads(raw)
        path = unquote(url.path)
        if path != "/token":
            with self.lock:
                fault = self.faults.pop(0) if self.faults else None
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
                    self._send(h, fault["status"], _error(fault["status"], "injected fault"),
                               method, path, query, body, headers)
                    return
        try:
            status, answer = self._route(h, method, path, query, body, raw)
        except SchemaViolation as exc:
            self.violations.append(str(exc))
            status, answer = 400, _error(400, f"Invalid JSON payload received. {exc}")
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

    def _who(self, h: BaseHTTPRequestHandler) -> str | None:
        auth = h.headers.get("Authorization", "")
        return auth[len("Bearer tok:"):] if auth.startswith("Bearer tok:") else None

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
        if not m:
            return 404, _error(404, "Not found")
        sid, rest = m.group(1), m.group(2)
        who = self._who(h)
        if who is None:
            return 401, _error(401, "Request is missing required authentication credential.")
        book = self.books.get(sid)
        if book is None:
            return 404, _error(404, "Requested entity was not found.")
        role = book.shares.get(who)
        if role is None:
            return 403, _error(403, "The caller does not have permission")
        spreadsheets = self.checker.params
        if method == "GET" and rest == "":
            self.checker.check_query(spreadsheets["methods"]["get"], query)
            return 200, self._metadata(book, query.get("fields", [""])[0])
        if method == "GET" and rest == "/values:batchGet":
            self.checker.check_query(spreadsheets["resources"]["values"]["methods"]["batchGet"],
                                     query)
            return 200, self._batch_get(book, query)
        if method != "POST":
            return 404, _error(404, "Not found")
        if role != "writer":
            return 403, _error(403, "The caller does not have permission")
        if rest == ":batchUpdate":
            self.checker.check(body, {"$ref": "BatchUpdateSpreadsheetRequest"}, "body")
            return self._batch_update(book, body)
        if rest == "/values:batchUpdate":
            self.checker.check(body, {"$ref": "BatchUpdateValuesRequest"}, "body")
            return self._values_update(book, body)
        return 404, _error(404, "Not found")

    def _metadata(self, book: Book, fields: str = "") -> dict[str, Any]:
        """As the real API: developerMetadata only when the fields ask for it, and a sheet
        without any has no such key at all."""
        sheets = []
        for s in sorted(book.sheets, key=lambda s: s.index):
            sheet: dict[str, Any] = {"properties": {
                "sheetId": s.sheet_id, "title": s.title, "index": s.index,
                "gridProperties": {"rowCount": s.rows, "columnCount": s.cols,
                                   "frozenRowCount": s.frozen}}}
            if s.metadata and (not fields or "developerMetadata" in fields):
                sheet["developerMetadata"] = [dict(m) for m in s.metadata]
            sheets.append(sheet)
        return {"spreadsheetId": book.sid,
                "properties": {"title": book.title, "timeZone": book.time_zone},
                "sheets": sheets}

    def _find(self, book: Book, rng: str) -> tuple[Sheet, int, int]:
        m = _RANGE.match(rng)
        if not m:
            raise SchemaViolation(f"cannot parse range {rng!r}")
        title = (m.group(1) or "").replace("''", "'") if m.group(1) else m.group(2)
        sheet = next((s for s in book.sheets if s.title == title), None)
        if sheet is None:
            raise SchemaViolation(f"Unable to parse range: {rng}")
        col = _col_index(m.group(3)) if m.group(3) else 0
        row = int(m.group(4)) - 1 if m.group(4) else 0
        return sheet, row, col

    def _batch_get(self, book: Book, query: dict[str, list[str]]) -> dict[str, Any]:
        out = []
        for rng in query.get("ranges", []):
            sheet, _, _ = self._find(book, rng)
            rows = [list(r) for r in sheet.values]
            for r in rows:
                while r and r[-1] in ("", None):
                    r.pop()
            while rows and not rows[-1]:
                rows.pop()
            out.append({"range": rng, "majorDimension": "ROWS",
                        "values": [[("" if v is None else v) for v in r] for r in rows]})
        return {"spreadsheetId": book.sid, "valueRanges": out}

    def _batch_update(self, book: Book, body: dict[str, Any]) -> tuple[int, Any]:
        sheets = [Sheet(s.sheet_id, s.title, s.index, s.rows, s.cols,
                        [list(r) for r in s.values], s.frozen, list(s.formats),
                        [dict(m) for m in s.metadata])
                  for s in book.sheets]
        replies: list[dict[str, Any]] = []
        for req in body.get("requests", []):
            (kind, arg), = req.items()
            if kind == "addSheet":
                p = arg.get("properties", {})
                if any(s.title == p.get("title") for s in sheets):
                    return 400, _error(400, f"A sheet with the name \"{p['title']}\" already "
                                            "exists.")
                sid = p.get("sheetId", max([0, *(s.sheet_id for s in sheets)]) + 1)
                g = p.get("gridProperties", {})
                sheets.append(Sheet(sid, p["title"], p.get("index", len(sheets)),
                                    g.get("rowCount", 1000), g.get("columnCount", 26), [],
                                    g.get("frozenRowCount", 0)))
                replies.append({"addSheet": {"properties": {"sheetId": sid,
                                                            "title": p["title"]}}})
            elif kind == "deleteSheet":
                sheets = [s for s in sheets if s.sheet_id != arg["sheetId"]]
                replies.append({})
            elif kind == "updateSheetProperties":
                p = arg["properties"]
                target = next(s for s in sheets if s.sheet_id == p["sheetId"])
                if "title" in p:
                    if any(s.title == p["title"] and s is not target for s in sheets):
                        return 400, _error(400, "duplicate sheet name")
                    target.title = p["title"]
                replies.append({})
            elif kind == "createDeveloperMetadata":
                m = dict(arg["developerMetadata"])
                where = m.get("location", {})
                target = next((s for s in sheets if s.sheet_id == where.get("sheetId")), None)
                if target is None or not m.get("visibility"):
                    return 400, _error(400, "Invalid requests[0].createDeveloperMetadata: "
                                            "a sheet location and a visibility are required")
                self.next_metadata_id += 1
                m["metadataId"] = self.next_metadata_id
                m["location"] = {"locationType": "SHEET", "sheetId": target.sheet_id}
                target.metadata.append(m)
                replies.append({"createDeveloperMetadata": {"developerMetadata": m}})
            elif kind in ("repeatCell", "updateDimensionProperties", "setDataValidation"):
                target = next(s for s in sheets if s.sheet_id == arg["range"]["sheetId"])
                target.formats.append(req)
                replies.append({})
            else:
                return 400, _error(400, f"fake server does not implement {kind}")
        for i, s in enumerate(sorted(sheets, key=lambda s: s.index)):
            s.index = i
        book.sheets = sheets
        return 200, {"spreadsheetId": book.sid, "replies": replies}

    def _values_update(self, book: Book, body: dict[str, Any]) -> tuple[int, Any]:
        if body.get("valueInputOption") != "RAW":
            raise SchemaViolation("collabsheet must write RAW")
        cells = 0
        for vr in body.get("data", []):
            sheet, row, col = self._find(book, vr["range"])
            values = vr.get("values", [])
            if row + len(values) > sheet.rows or any(col + len(r) > sheet.cols for r in values):
                return 400, _error(400, f"Range ({vr['range']}) exceeds grid limits.")
            while len(sheet.values) < row + len(values):
                sheet.values.append([])
            for i, r in enumerate(values):
                line = sheet.values[row + i]
                while len(line) < col + len(r):
                    line.append("")
                line[col:col + len(r)] = r
                cells += len(r)
        return 200, {"spreadsheetId": book.sid, "totalUpdatedCells": cells}


def _error(code: int, message: str) -> dict[str, Any]:
    status = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
              404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL"}.get(code, "UNKNOWN")
    return {"error": {"code": code, "message": message, "status": status}}


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
