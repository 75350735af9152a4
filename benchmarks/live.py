"""How long LibreOffice takes to recalculate the live My points tab and the Log's marks, for
Log sizes an office reaches: the template filled with N Log rows, opened headless with every
formula recalculated and saved (a fresh process each), against the same workbook without the
live parts. The marks are measured filled down as cells over every row (the worst case: on
screen, conditional formats are computed for the rows shown only).

    python benchmarks/live.py [--rows 1000 10000 50000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from openpyxl.formula.translate import Translator

from collabsheet import live
from collabsheet.templates import build_template

RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item></oor:items>"""


def office(rows: int, live_parts: str, path: Path) -> None:
    """``live_parts``: "none", "tab" (My points only) or "marks" (tab and marks as cells)."""
    wb = build_template("en", live=live_parts != "none")
    staff, log = wb["Staff"], wb["Log"]
    rnd = random.Random(7)
    for i in range(600):
        staff.append([f"E{1000 + i}", f"Person {i}", f"Dept {i % 40}"])
    wb["Departments"].append(["Dept 0", "Head office"])
    start = dt.datetime(2025, 2, 1, 9)
    for _ in range(rows):
        log.append([start + dt.timedelta(minutes=rnd.randrange(60 * 24 * 150)),
                    f"E{1000 + rnd.randrange(600)}", f"E{1000 + rnd.randrange(600)}",
                    rnd.choice((5, 10, 20, 50)), "thanks"])
    if live_parts != "none":
        wb["My points"]["B3"], wb["My points"]["B4"] = "E1001", dt.date(2025, 4, 1)
    if live_parts == "marks":
        t = live.Tabs("Staff", "Log", "Rules")
        for j, formula in enumerate(live.marks(t).values()):
            letter = openpyxl.utils.get_column_letter(11 + j)
            for r in range(2, rows + 2):
                log[f"{letter}{r}"] = Translator("=" + formula, origin=f"{letter}2"
                                                 ).translate_formula(f"{letter}{r}")
    wb.save(path)


def recalc_seconds(path: Path, tmp: Path) -> float:
    profile = tmp / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC)
    t = time.perf_counter()
    subprocess.run(["soffice", "--headless", "--norestore",
                    f"-env:UserInstallation=file://{profile}", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp / "out"), str(path)],
                   check=True, capture_output=True, timeout=3600)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, nargs="+", default=[1000, 10000, 50000])
    args = ap.parse_args()
    results = []
    for rows in args.rows:
        row: dict[str, float | int] = {"rows": rows}
        for parts in ("none", "tab", "marks"):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"live-{parts}.xlsx"
                office(rows, parts, path)
                row[f"{parts}_s"] = round(recalc_seconds(path, Path(tmp)), 2)
        print(f"{rows:>7,} Log rows: plain {row['none_s']:.2f} s, with My points "
              f"{row['tab_s']:.2f} s, with the marks on every row {row['marks_s']:.2f} s",
              flush=True)
        results.append(row)
    print(json.dumps({"live_rows": live.LIVE_ROWS, "results": results}))


if __name__ == "__main__":
    sys.exit(main())
