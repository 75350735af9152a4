"""Generate a synthetic office workbook of any size with xlsxwriter (constant memory).

Shape as in the issues: N Log rows, S staff, 400 departments in two groups, Moves and Special,
February to June 2025, with about 5% rejected rows. Deterministic for a given size.

    python benchmarks/generate.py OUT.xlsx --rows 1048575 --staff 180000
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import xlsxwriter


def generate(path: Path, rows: int, staff: int, departments: int = 400, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})

    dept_names = [f"Dept {i:03d}" for i in range(departments)]
    ws = wb.add_worksheet("Staff")
    ws.write_row(0, 0, ["ID", "Name", "Department", "Email", "Joined", "Left", "Takes part"])
    dept_of = rng.integers(0, departments, staff)
    for i in range(staff):
        ws.write_row(i + 1, 0, [f"E{100000 + i}", f"Person {i}", dept_names[dept_of[i]],
                                f"e{100000 + i}@office.example"])
    ws = wb.add_worksheet("Departments")
    ws.write_row(0, 0, ["Department", "Group"])
    for i, name in enumerate(dept_names):
        ws.write_row(i + 1, 0, [name, "Head office" if i < departments // 10 else
                                "Support offices and affiliated institutions"])
    ws = wb.add_worksheet("Moves")
    ws.write_row(0, 0, ["Date", "ID", "Department"])
    movers = rng.choice(staff, size=min(staff, max(10, staff // 200)), replace=False)
    for k, p in enumerate(movers):
        ws.write_datetime(k + 1, 0, dt.datetime(2025, int(rng.integers(2, 7)),
                                                int(rng.integers(1, 28))), day_fmt)
        ws.write_row(k + 1, 1, [f"E{100000 + p}", dept_names[int(rng.integers(0, departments))]])
    # Log: skewed senders and receivers, points mostly small
    weights = rng.pareto(1.5, staff) + 1
    weights /= weights.sum()
    senders = rng.choice(staff, size=rows, p=weights)
    receivers = rng.choice(staff, size=rows, p=weights)
    base = dt.datetime(2025, 2, 1)
    seconds = np.sort(rng.integers(0, 149 * 86400, rows))
    points = rng.choice([5, 10, 10, 20, 30, 50, 100], size=rows)
    month = (seconds // 86400 + 31 - 3) // 30  # near enough: only used to spread the budget
    for _ in range(3):  # most people stay within their 200 points; a few go over
        key = senders.astype(np.int64) * 16 + month
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        spent = np.cumsum(points[order])
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
        group_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        spent -= np.r_[0, spent][group_start]
        over = np.zeros(rows, dtype=bool)
        over[order] = spent > 200
        over &= rng.random(rows) < 0.97
        senders[over] = rng.integers(0, staff, int(over.sum()))
    noise = rng.random(rows)
    ws = wb.add_worksheet("Log")
    ws.write_row(0, 0, ["Date", "From", "To", "Points", "Message"])
    for i in range(rows):
        r = i + 1
        when = base + dt.timedelta(seconds=int(seconds[i]))
        if noise[i] < 0.01:
            ws.write_string(r, 0, when.strftime("%m/%d"))
        else:
            ws.write_datetime(r, 0, when, date_fmt)
        ws.write_string(r, 1, f"E{100000 + senders[i]}")
        ws.write_string(r, 2, f"E{100000 + receivers[i]}" if noise[i] > 0.02 else "E1")
        ws.write_number(r, 3, int(points[i]))
        ws.write_string(r, 4, "thanks for the help" if noise[i] > 0.03 else "")
    ws = wb.add_worksheet("Special")
    ws.write_row(0, 0, ["Date", "ID", "Points", "Work", "Departments"])
    for k in range(min(200, staff)):
        p = int(rng.integers(0, staff))
        ws.write_datetime(k + 1, 0, dt.datetime(2025, int(rng.integers(2, 7)), 15), day_fmt)
        ws.write_row(k + 1, 1, [f"E{100000 + p}", 100, f"Project {k}",
                                f"{dept_names[dept_of[p]]}, "
                                f"{dept_names[(dept_of[p] + 1) % departments]}"])
    ws = wb.add_worksheet("Rules")
    ws.write_row(0, 0, ["Rule", "Value"])
    ws.write_row(1, 0, ["start", "2025-02-01"])
    wb.close()
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=1_048_575)
    ap.add_argument("--staff", type=int, default=180_000)
    args = ap.parse_args()
    generate(args.out, args.rows, args.staff)


if __name__ == "__main__":
    main()
