"""Time and peak memory of `collabsheet validate` and `collabsheet rank --write` on generated
workbooks (180,000 staff), each command in a fresh process.

    python benchmarks/validate.py                 # 10,000, 100,000 and 1,048,575 Log rows
    python benchmarks/validate.py --rows 10000    # one size

Prints a table, then one JSON object per size. Workbooks are cached in benchmarks/out/;
`rank --write` runs on a copy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

SIZES = [10_000, 100_000, 1_048_575]


def workbook(rows: int, staff: int) -> Path:
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    path = out / f"office-{rows}-{staff}.xlsx"
    if not path.exists():
        t = time.perf_counter()
        generate(path, rows, staff)
        print(f"generated {path.name} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return path


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc), 0 once it is gone."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB, exit code of one fresh process. The peak is the larger
    of the process's own maximum and the sum over it and its helper processes (the Log is
    parsed in a second process), sampled every 20 ms."""
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execvp(cmd[0], cmd)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, _tree_rss(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - t
    done.set()
    sampler.join()
    return seconds, max(usage.ru_maxrss * 1024, peak) / 2**20, os.waitstatus_to_exitcode(status)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, action="append")
    ap.add_argument("--staff", type=int, default=180_000)
    args = ap.parse_args()
    results = []
    for rows in args.rows or SIZES:
        staff = args.staff
        path = workbook(rows, staff)
        cmd = [sys.executable, "-m", "collabsheet", "validate", str(path), "--as-of",
               "2025-07-01", "--format", "json", "--quiet"]
        seconds, peak, code = measure(cmd)
        copy = path.with_name("rank-" + path.name)
        shutil.copyfile(path, copy)
        rank = [sys.executable, "-m", "collabsheet", "rank", str(copy), "--period", "2025-H1",
                "--as-of", "2025-07-01", "--write", "--quiet"]
        r_seconds, r_peak, r_code = measure(rank)
        copy.unlink()
        results.append({"rows": rows, "staff": staff, "validate_s": round(seconds, 2),
                        "validate_peak_mb": round(peak), "validate_exit": code,
                        "rank_write_s": round(r_seconds, 2), "rank_write_peak_mb": round(r_peak),
                        "rank_exit": r_code})
    print(f"{'rows':>10} {'staff':>8} {'validate s':>10} {'peak MiB':>9} "
          f"{'rank --write s':>14} {'peak MiB':>9}")
    for r in results:
        print(f"{r['rows']:>10,} {r['staff']:>8,} {r['validate_s']:>10.2f} "
              f"{r['validate_peak_mb']:>9,} {r['rank_write_s']:>14.2f} "
              f"{r['rank_write_peak_mb']:>9,}")
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
