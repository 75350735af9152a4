"""What pandera costs on the Log: collabsheet's own pass over checks 1-9 (each check's function
run directly) against ``schemas.log_schema(...).validate(lazy=True)`` on the same derived frame,
and a dtype-only schema of the typed tabs.

    python benchmarks/pandera_cost.py                 # 10,000 and 1,048,575 Log rows
    python benchmarks/pandera_cost.py --rows 10000

Prints a table, then one JSON object per size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from validate import workbook  # noqa: E402


def _seconds(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(rows: int, staff: int) -> dict[str, float | int]:
    import pandera.errors
    import pandera.pandas as pa

    from collabsheet import api, checks, log_rules, schemas

    _, ev = api.evaluate(workbook(rows, staff), as_of=dt.date(2025, 7, 1))
    log, rules, as_of = ev.log, ev.rules, ev.as_of
    row_rules = log_rules.log_rules(rules, as_of)
    direct = _seconds(lambda: [checks.failing(r, log) for r in row_rules])

    def lazy() -> None:
        try:
            schemas.log_schema(rules, as_of).validate(log, lazy=True)
        except pandera.errors.SchemaErrors:
            pass

    structure = pa.DataFrameSchema({
        "row": pa.Column("int64"), "when": pa.Column("datetime64[ns]", nullable=True),
        "points": pa.Column("float64", nullable=True),
        "accepted": pa.Column("bool")})
    return {"rows": rows, "direct_s": round(direct, 3), "pandera_lazy_s": round(_seconds(lazy), 3),
            "dtypes_s": round(_seconds(lambda: structure.validate(log)), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, action="append")
    ap.add_argument("--staff", type=int, default=180_000)
    args = ap.parse_args()
    results = [measure(n, args.staff) for n in (args.rows or [10_000, 1_048_575])]
    print(f"{'rows':>10} {'direct s':>9} {'pandera lazy s':>15} {'dtype schema s':>15}")
    for r in results:
        print(f"{r['rows']:>10,} {r['direct_s']:>9} {r['pandera_lazy_s']:>15} {r['dtypes_s']:>15}")
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
