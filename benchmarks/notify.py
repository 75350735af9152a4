"""notify --dry-run against validate on the full-size workbook, each in a fresh process,
alternated: seconds and their ratio (guard 2.0), the files written and their size.

    python benchmarks/notify.py [--rows 1048575] [--runs 2] [--into /dev/shm]

--into is where the folders of .eml files are made (default: the system's temporary folder):
on a memory file system the figure is collabsheet's own work, on a disk it includes creating
180,000 files, which on a shared virtual disk varies several times over from run to run; "the
files alone" is that share, measured after each run by a bare loop writing as many files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from validate import workbook  # noqa: E402


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "collabsheet", *args, "-q"], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def bare_files(into: str | None, count: int, size: int) -> float:
    """Seconds to create ``count`` files of ``size`` bytes there and nothing else: the file
    system's share of a dry run."""
    folder = Path(tempfile.mkdtemp(prefix="bare-", dir=into))
    data = b"x" * size
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    start = time.perf_counter()
    for k in range(count):
        fd = os.open(folder / f"{k + 1:04d}-E{k:06d}.eml", flags, 0o666)
        os.write(fd, data)
        os.close(fd)
    took = time.perf_counter() - start
    shutil.rmtree(folder)
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_048_575)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--into", default=None)
    a = ap.parse_args()
    book = workbook(a.rows, 180_000)
    validate, notify, bare = [], [], []
    files, size = 0, 0
    for _ in range(a.runs):
        validate.append(timed(["validate", str(book), "--as-of", "2025-07-01"]))
        folder = Path(tempfile.mkdtemp(prefix="notices-", dir=a.into))
        notify.append(timed(["notify", str(book), "--month", "2025-06", "--as-of",
                             "2025-07-01", "--dry-run", str(folder)]))
        found = list(folder.glob("*.eml"))
        files, size = len(found), sum(p.stat().st_size for p in found)
        shutil.rmtree(folder)
        bare.append(bare_files(a.into, files, size // max(files, 1)))
    v, n = min(validate), min(notify)
    print(f"validate            {v:7.2f} s   (runs: {', '.join(f'{x:.2f}' for x in validate)})")
    print(f"notify --dry-run    {n:7.2f} s   (runs: {', '.join(f'{x:.2f}' for x in notify)})")
    print(f"ratio               {n / v:7.2f}     (guard 2.0); {files:,} .eml files, "
          f"{size / 1e6:,.0f} MB")
    print(f"the files alone     {min(bare):7.2f} s   (runs: {', '.join(f'{x:.2f}' for x in bare)}; "
          "as many files of the same size, written by a bare loop)")
    print(json.dumps({"rows": a.rows, "into": a.into or tempfile.gettempdir(),
                      "validate_s": round(v, 2), "notify_s": round(n, 2),
                      "ratio": round(n / v, 2), "files": files,
                      "bare_files_s": round(min(bare), 2)}))


if __name__ == "__main__":
    main()
