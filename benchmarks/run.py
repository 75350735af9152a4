"""The admin's whole job at full size: collabsheet `run` against the baseline a user would write
and the I/O floor, with time and peak memory of each.

    python benchmarks/run.py                  # 1,048,575 Log rows, 180,000 staff
    python benchmarks/run.py --rows 100000    # smaller

- collabsheet: `collabsheet run WORKBOOK --period 2025-H1`, in place, as a fresh process;
- baseline: pandas read_excel (openpyxl) of every input tab, the same rules (collabsheet's
  engine fed from those frames), then openpyxl load-and-save to add the same result tabs;
- floor: fastexcel reading the input tabs, plus xlsxwriter (constant_memory) writing the same
  result tabs, with the same rows and columns, to a fresh file.

Prints a table and, as its last line, one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from validate import measure, workbook  # noqa: E402

TABS = ["Staff", "Departments", "Moves", "Log", "Special", "Rules"]


def baseline(path: str, out: str) -> None:
    """What a user would write with pandas and openpyxl."""
    import datetime as dt

    import openpyxl
    import pandas as pd

    from collabsheet import api, render
    from collabsheet.sources.memory import MemorySource

    frames = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    tabs = {name: [list(df.columns)] + df.astype(object).where(df.notna(), None).values.tolist()
            for name, df in frames.items() if name in TABS}
    source = MemorySource(tabs, name=Path(path).name)
    res = api.run(source, "2025-H1", as_of=dt.date(2025, 7, 1))
    del res
    result_tabs = list(source.written.values())
    wb = openpyxl.load_workbook(path)
    for tab in result_tabs:
        if tab.title in wb.sheetnames:
            del wb[tab.title]
        ws = wb.create_sheet(tab.title)
        for table in tab.tables:
            if table.caption:
                ws.append([table.caption])
            ws.append([c.header for c in table.columns])
            for row in zip(*table.values, strict=True):
                ws.append([None if v != v else v for v in row])
    wb.save(out)
    del render


def floor(path: str, out: str) -> None:
    """fastexcel to read, xlsxwriter constant_memory to write the same result tabs; prints the
    seconds of those two steps only (the result tabs themselves are computed in between)."""
    import datetime as dt

    import fastexcel
    import xlsxwriter

    from collabsheet import api, render
    from collabsheet.ledger import ledger
    from collabsheet.periods import parse_period
    from collabsheet.scores import score_period

    start = time.perf_counter()
    reader = fastexcel.read_excel(path)
    for name in reader.sheet_names:
        if name in TABS:
            reader.load_sheet_by_name(name, header_row=None, skip_rows=0,
                                      dtypes="string").to_arrow_with_errors()
    read_s = time.perf_counter() - start
    _, ev = api.evaluate(path, as_of=dt.date(2025, 7, 1))
    tabs = [render.validation_tab(ev.verdicts, ev.report, "en"),
            render.ledger_tab(ledger(ev.verdicts), ev.verdicts, "en"),
            *render.rank_tabs(score_period(ev.verdicts, parse_period("2025-H1")), "en",
                              ev.as_of)]
    start = time.perf_counter()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    for tab in tabs:
        ws = wb.add_worksheet(tab.title[:31])
        r = 0
        for table in tab.tables:
            if table.caption:
                ws.write_row(r, 0, [table.caption])
                r += 1
            ws.write_row(r, 0, [c.header for c in table.columns])
            r += 1
            for row in zip(*table.values, strict=True):
                ws.write_row(r, 0, [None if (v is None or v != v) else
                                    (v.item() if hasattr(v, "item") else v) for v in row])
                r += 1
    wb.close()
    write_s = time.perf_counter() - start
    print(json.dumps({"read_s": read_s, "write_s": write_s, "floor_s": read_s + write_s}))


def _floor_seconds(src: Path, out: Path) -> dict[str, float]:
    import subprocess

    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--_floor", str(src),
                           str(out)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_048_575)
    ap.add_argument("--staff", type=int, default=180_000)
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    src = workbook(args.rows, args.staff)
    with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
        target = Path(tmp) / "run.xlsx"
        shutil.copyfile(src, target)
        cs = measure([sys.executable, "-m", "collabsheet", "run", str(target), "--period",
                      "2025-H1", "--as-of", "2025-07-01", "--quiet"])
        here = str(Path(__file__).resolve())
        fl_parts = _floor_seconds(src, Path(tmp) / "floor.xlsx")
        fl = (fl_parts["floor_s"], None, 0)
        bl = (None, None, None) if args.skip_baseline else measure(
            [sys.executable, here, "--_baseline", str(src), str(Path(tmp) / "base.xlsx")])
    rows = [("collabsheet run", cs), ("baseline (pandas+openpyxl)", bl),
            ("I/O floor (fastexcel+xlsxwriter)", fl)]
    print(f"{'':34} {'seconds':>9} {'peak MiB':>9}")
    for name, (s, mb, _) in rows:
        secs = "-" if s is None else f"{s:.2f}"
        peak = "-" if mb is None else f"{mb:,.0f}"
        print(f"{name:34} {secs:>9} {peak:>9}")
    print(f"floor: read {fl_parts['read_s']:.2f} s + write {fl_parts['write_s']:.2f} s")
    print(json.dumps({"rows": args.rows, "staff": args.staff,
                      "collabsheet_s": round(cs[0], 2), "collabsheet_peak_mb": round(cs[1]),
                      "baseline_s": None if bl[0] is None else round(bl[0], 2),
                      "floor_s": round(fl[0], 2)}))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--_baseline":
        baseline(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "--_floor":
        floor(sys.argv[2], sys.argv[3])
    else:
        main()
