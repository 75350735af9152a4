"""Hypothesis: for generated logs the order-dependent checks match a plain reference model,
accepted sends never exceed a grant or the pair limit, and no workbook gives a traceback."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import collabsheet
from collabsheet import checks, log_rules, schemas
from collabsheet.cli import cli
from collabsheet.sources.memory import MemorySource

PEOPLE = ["E1", "E2", "E3", "E4"]  # E2 and E3 share Finance
DEPT = {"E1": "Planning", "E2": "Finance", "E3": "Finance", "E4": "Support A"}

sends = st.lists(
    st.tuples(
        st.integers(0, 59),  # day offset from 2025-04-01: April and May
        st.integers(0, 23),
        st.sampled_from(PEOPLE),
        st.sampled_from(PEOPLE),
        st.integers(-5, 230),
    ),
    max_size=40,
)


def _book(rows: list[tuple[int, int, str, str, int]]) -> dict[str, list[list[object]]]:
    start = dt.datetime(2025, 4, 1)
    log = [[start + dt.timedelta(days=d, hours=h), a, b, p, f"thanks {i}"]
           for i, (d, h, a, b, p) in enumerate(rows)]
    return {"Staff": STAFF, "Departments": DEPARTMENTS, "Log": [LOG_HEADER, *log]}


def _reference(rows: list[tuple[int, int, str, str, int]]) -> set[int]:
    """Sheet rows accepted, by the plain reading of RULES.md section 3."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i][0], rows[i][1], i))
    spent: dict[tuple[str, int], int] = defaultdict(int)
    pairs: dict[tuple[str, str, int], int] = defaultdict(int)
    accepted = set()
    for i in order:
        day, _, a, b, p = rows[i]
        month = (dt.date(2025, 4, 1) + dt.timedelta(days=day)).month
        if a == b or DEPT[a] == DEPT[b] or not 1 <= p <= 200:
            continue
        ok_pair = pairs[(a, b, month)] < 2
        ok_points = p <= 200 - spent[(a, month)]
        if ok_pair and ok_points:
            spent[(a, month)] += p
            pairs[(a, b, month)] += 1
            accepted.add(i + 2)
    return accepted


@settings(max_examples=150, deadline=None)
@given(sends)
def test_accepted_rows_match_reference(rows):
    _, verdicts = collabsheet.evaluate(MemorySource(_book(rows)), as_of=dt.date(2025, 7, 1))
    log = verdicts.log
    accepted = set(log.loc[log["accepted"], "row"].astype(int))
    assert accepted == _reference(rows)
    acc = log[log["accepted"]]
    assert (acc.groupby(["sender", "month"])["points"].sum() <= 200).all()
    assert (acc.groupby(["sender", "receiver", "month"]).size() <= 2).all()
    errors = {v.row for v in verdicts.report.errors}
    assert errors.isdisjoint(accepted)
    assert verdicts.report.stats.accepted == len(accepted)


@settings(max_examples=60, deadline=None)
@given(sends)
def test_pandera_schema_agrees_with_direct_checks(rows):
    import pandera.errors

    _, verdicts = collabsheet.evaluate(MemorySource(_book(rows)), as_of=dt.date(2025, 7, 1))
    rules_ = log_rules.log_rules(verdicts.rules, verdicts.as_of)
    log = verdicts.log
    direct = {(int(log["row"].iloc[p]), r.id) for r in rules_ for p in checks.failing(r, log)}
    try:
        schemas.schema(rules_, "Log").validate(log, lazy=True)
        lazy: set[tuple[int, str]] = set()
    except pandera.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        lazy = {(int(log.loc[i, "row"]), c) for i, c in zip(fc["index"], fc["check"],
                                                             strict=True)}
    assert lazy == direct


cell = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["#REF!", "#N/A", "2025. 4. 3.", "E1", "e2@office.kr", "  ", "1e400",
                     "١٢٣", "\u202eE1", "🎉"]),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell, min_size=0, max_size=7), max_size=12))
def test_hostile_log_cells_never_traceback(tmp_path, rows):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    clean = [[ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in r]
             for r in rows]
    clean = [[("'" + c) if isinstance(c, str) and c.startswith("=") else c for c in r]
             for r in clean]
    path = write_workbook(tmp_path / "h.xlsx", {"Staff": STAFF, "Departments": DEPARTMENTS,
                                                 "Log": [LOG_HEADER, *clean]})
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2025-07-01",
                                      "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == before


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 1), st.integers(0, 2),
                          st.sampled_from([10.0, float("nan")]),
                          st.sampled_from(["hi", "", None]), st.booleans()),
                min_size=2, max_size=12),
       st.integers(0, 3))
@settings(max_examples=150, deadline=None)
def test_duplicates_match_a_plain_scan(rows, minutes):
    """Each row points at the latest earlier identical send (time, then sheet order) when it is
    at most ``minutes`` older."""
    import numpy as np
    import pandas as pd

    from collabsheet.duplicates import earlier_copy as _duplicates

    start = pd.Timestamp("2025-04-01 09:00")
    log = pd.DataFrame({
        "row": np.arange(2, len(rows) + 2, dtype=np.int64),
        "when": pd.Series([pd.NaT if not dated else start + pd.Timedelta(minutes=m)
                           for m, _, _, _, _, dated in rows], dtype="datetime64[ns]"),
        "sender": pd.array([s for _, s, _, _, _, _ in rows], dtype="Int64"),
        "receiver": pd.array([r if r != 2 else None for _, _, r, _, _, _ in rows],
                             dtype="Int64"),
        "points": [p for _, _, _, p, _, _ in rows],
        "message": pd.Series([m for *_, m, _ in rows], dtype="str"),
    })
    got = [None if x is pd.NA else int(x) for x in _duplicates(log, minutes).tolist()]
    expected: list[object] = []
    for i, (m, s, r, p, msg, dated) in enumerate(rows):
        best = None
        if dated and r != 2 and minutes > 0:
            for j, (m2, s2, r2, p2, msg2, dated2) in enumerate(rows):
                same_points = p == p2 or (np.isnan(p) and np.isnan(p2))
                if (dated2 and (s2, r2) == (s, r) and same_points and (msg or "") == (msg2 or "")
                        and (m2, j) < (m, i) and (best is None or (m2, j) > best)):
                    best = (m2, j)
        expected.append(best[1] + 2 if best is not None and m - best[0] <= minutes else None)
    assert got == expected


@given(st.lists(st.one_of(
    st.none(), st.text(max_size=12),
    st.from_regex(r"\A-?\d{1,18}(\.\d{1,18})?\Z"),
    st.from_regex(r"\A[ +-]?[\d,.]{1,12}(e-?\d)? ?\Z")), max_size=30))
@settings(max_examples=200, deadline=None)
def test_numbers_fast_path_reads_as_the_full_rules_do(texts):
    import numpy as np
    import pandas as pd

    from collabsheet import cells

    values = pd.Series(texts, dtype="str")
    fast = cells.parse_numbers(values).to_numpy()
    full = cells._parse_numbers_slow(values).to_numpy()
    assert np.array_equal(fast, full, equal_nan=True)
