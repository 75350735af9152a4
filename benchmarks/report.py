"""The meeting report at full size against validate: `collabsheet report` (HTML) and
`collabsheet validate`, each a fresh process on the same workbook, alternated `--repeat`
times. The guard (issue 17): report within 1.5 times validate.

    python benchmarks/report.py [--rows N] [--staff N] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from validate import measure, workbook  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_048_575)
    ap.add_argument("--staff", type=int, default=180_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    src = workbook(args.rows, args.staff)
    common = [str(src), "--as-of", "2025-07-01", "--quiet"]
    times: dict[str, list[float]] = {"validate": [], "report": []}
    peaks: dict[str, list[float]] = {"validate": [], "report": []}
    with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
        page = Path(tmp) / "report.html"
        for _ in range(args.repeat):
            for name, cmd in (
                    ("validate", ["validate", *common]),
                    ("report", ["report", *common, "--period", "2025-H1", "-o", str(page)])):
                seconds, peak, _code = measure([sys.executable, "-m", "collabsheet", *cmd])
                times[name].append(seconds)
                peaks[name].append(peak)
        size = page.stat().st_size
    v, r = (statistics.median(times[k]) for k in ("validate", "report"))
    for name in ("validate", "report"):
        runs = ", ".join(f"{s:.2f}" for s in times[name])
        print(f"{name:10} median {statistics.median(times[name]):6.2f} s  runs {runs}  "
              f"peak {max(peaks[name]):,.0f} MiB")
    print(f"report / validate = {r / v:.2f} (guard 1.5); page {size:,} bytes")
    print(json.dumps({"rows": args.rows, "staff": args.staff, "validate_s": round(v, 2),
                      "report_s": round(r, 2), "ratio": round(r / v, 2),
                      "report_peak_mb": round(max(peaks["report"])), "page_bytes": size}))


if __name__ == "__main__":
    main()
