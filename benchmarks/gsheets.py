"""A full-size office on a Google Sheet, through real gspread over HTTP against the fake
Sheets API (tests/fake_sheets.py, which enforces the 10,000,000 cells and the per-minute quota
on a clock this script controls, so quota waits are counted, not slept).

    python benchmarks/gsheets.py                         # 180,000 staff, 1,000,000 Log rows
    python benchmarks/gsheets.py --rows 100000 --staff 20000

It writes the results of `validate --write` and `rank --write --period 2025-H1` twice (the
second run replaces the first) and prints, for each: requests made (reads, writes, retries),
bytes sent, the largest request, the cells at the plan's peak, the seconds spent and the
seconds the client waited to keep under Google's quota. The Ledger of such an office does not
fit in a Google Sheet beside its tabs (180,000 people x 6 months is 1,080,000 rows); the
script shows the refusal `run` gives. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from fake_sheets import FakeSheets, service_key  # noqa: E402
from generate import generate  # noqa: E402

EMAIL = "collabsheet@office.iam.gserviceaccount.com"
SID = "benchmarkSheet01"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()
        self.waited = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waited += seconds
        self.now += seconds


def tabs_of(path: Path) -> dict[str, list[list[Any]]]:
    """The workbook's values as Google holds them (dates as serial numbers), read with
    fastexcel."""
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    out: dict[str, list[list[Any]]] = {}
    for name in reader.sheet_names:
        frame = reader.load_sheet_by_name(name, header_row=None).to_pandas()
        rows: list[list[Any]] = []
        for row in frame.itertuples(index=False):
            cells = []
            for v in row:
                if isinstance(v, dt.datetime):
                    v = (v - dt.datetime(1899, 12, 30)).total_seconds() / 86400
                elif v is None or v != v:
                    v = ""
                cells.append(v)
            rows.append(cells)
        out[name] = rows
    return out


def measure(fake: FakeSheets, clock: Clock, job: str) -> dict[str, Any]:
    import collabsheet
    from collabsheet.errors import CollabsheetError
    from collabsheet.sources.gsheets import Access, GSheetSource
    from collabsheet.sources.gsheets_write import MAX_CELLS

    fake.calls.clear()
    waited = clock.waited
    source = GSheetSource(SID, Access(), sleep=clock.sleep, clock=clock)
    started = time.perf_counter()
    refused = None
    try:
        if job == "validate":
            collabsheet.validate(source, as_of=dt.date(2025, 7, 1), write=True)
        elif job == "rank":
            collabsheet.rank(source, "2025-H1", as_of=dt.date(2025, 7, 1), write=True)
        else:
            collabsheet.run(source, "2025-H1", as_of=dt.date(2025, 7, 1))
    except CollabsheetError as exc:
        refused = str(exc)
    seconds = time.perf_counter() - started
    calls = fake.api_calls()
    sizes = [len(json.dumps(c.body).encode()) if c.body is not None else 0 for c in calls]
    cells = sum(s.rows * s.cols for s in fake.books[SID].sheets)
    return {"job": job, "reads": sum(c.method == "GET" for c in calls),
            "writes": sum(c.method == "POST" for c in calls),
            "retries": source.http_class.retries, "bytes_sent": sum(sizes),
            "largest_request": max(sizes, default=0), "cells_after": cells,
            "cell_limit": MAX_CELLS, "seconds": round(seconds, 2),
            "quota_wait_seconds": round(clock.waited - waited, 1), "refused": refused,
            "over_60_a_minute": over_quota(calls, clock)}


def over_quota(calls: list[Any], clock: Clock) -> bool:
    """Whether any 60 s of the fake's clock saw more than 60 requests of one kind (the fake
    would have answered 429: it counts them)."""
    return any(c.status == 429 for c in calls)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--staff", type=int, default=180_000)
    args = ap.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    path = out / f"office-{args.rows}-{args.staff}.xlsx"
    if not path.exists():
        generate(path, args.rows, args.staff)
    tabs = tabs_of(path)
    grids = {name: (max(len(rows), 2), max((len(r) for r in rows), default=1))
             for name, rows in tabs.items()}
    clock = Clock()
    with tempfile.TemporaryDirectory() as tmp, FakeSheets(clock=clock) as fake:
        os.environ["COLLABSHEET_SHEETS_API"] = fake.url
        os.environ["COLLABSHEET_CREDENTIALS"] = str(service_key(Path(tmp) / "key.json",
                                                                f"{fake.url}/token"))
        fake.add_book(SID, tabs, {EMAIL: "writer"}, grid=grids)
        office = sum(r * c for r, c in grids.values())
        results = [measure(fake, clock, job)
                   for job in ("validate", "rank", "validate", "rank", "run")]
    print(f"office: {args.staff:,} staff, {args.rows:,} Log rows; its tabs hold {office:,} "
          "cells")
    head = (f"{'job':<9}{'reads':>6}{'writes':>7}{'retries':>8}{'MB sent':>9}"
            f"{'largest MB':>11}{'cells after':>13}{'seconds':>9}{'quota wait':>11}")
    print(head)
    for r in results:
        print(f"{r['job']:<9}{r['reads']:>6}{r['writes']:>7}{r['retries']:>8}"
              f"{r['bytes_sent'] / 1e6:>9.1f}{r['largest_request'] / 1e6:>11.2f}"
              f"{r['cells_after']:>13,}{r['seconds']:>9.1f}{r['quota_wait_seconds']:>11.1f}")
        if r["refused"]:
            print(f"  refused: {r['refused']}")
    print(json.dumps({"rows": args.rows, "staff": args.staff, "office_cells": office,
                      "results": results}))


if __name__ == "__main__":
    main()
