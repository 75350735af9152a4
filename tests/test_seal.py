"""Sealed months: edits, deletions and insertions after close are caught and named."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import collabsheet
from collabsheet.cli import cli

D = dt.date
LOG = [[dt.datetime(2025, 4, 2, 9), "E1", "E2", 100, "budget help"],
       [dt.datetime(2025, 4, 10, 9), "E4", "E1", 30, "site visit"],
       [dt.datetime(2025, 4, 20, 9), "E3", "E1", 20, "report"],
       [dt.datetime(2025, 5, 3, 9), "E1", "E4", 10, "may"]]


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def sealed(make_book):
    path = make_book(LOG)
    code, out, err = invoke("close", str(path), "--month", "2025-04", "--as-of", "2025-05-10")
    assert code == 0, err
    assert out.startswith("2025-04 sealed: 3 rows, digest ")
    return path


def edit(path, fn):
    wb = openpyxl.load_workbook(path)
    fn(wb["Log"])
    wb.save(path)


def changes(path):
    report = collabsheet.validate(path, as_of=D(2025, 5, 10))
    return [(v.row, v.message) for v in report.violations if v.rule == "sealed-changed"]


def test_seal_tab_and_unchanged_month(sealed):
    assert changes(sealed) == []
    ws = openpyxl.load_workbook(sealed)["Seal"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Seal · April 2025, as of 2025-05-10", *[None] * 6)
    assert rows[1] == ("Kind", "Month", "Tab", "Row", "Fingerprint", "Content", "Sealed at")
    assert rows[2][:4] == ("month", "2025-04", None, 3)
    assert rows[3][:4] == ("row", "2025-04", "Log", 2)
    assert rows[3][5] == "2025-04-02 09:00:00 | E1 | E2 | 100 | budget help"
    code, out, _ = invoke("close", str(sealed), "--month", "2025-04", "--as-of", "2025-05-10")
    assert (code, out) == (0, "2025-04 is already sealed and unchanged\n")


def test_edited_row(sealed):
    edit(sealed, lambda ws: ws.cell(3, 4, 60))
    assert changes(sealed) == [(3, "row 3 of sealed month 2025-04 was edited: sealed "
                                   "'2025-04-10 09:00:00 | E4 | E1 | 30 | site visit', now "
                                   "'2025-04-10 09:00:00 | E4 | E1 | 60 | site visit'")]


def test_deleted_row(sealed):
    edit(sealed, lambda ws: ws.delete_rows(3))
    assert changes(sealed) == [(3, "a row sealed in 2025-04 as row 3 is gone: "
                                   "'2025-04-10 09:00:00 | E4 | E1 | 30 | site visit'")]


def test_inserted_row(sealed):
    def insert(ws):
        ws.insert_rows(3)
        for c, v in enumerate([dt.datetime(2025, 4, 5, 9), "E2", "E4", 50, "late"], start=1):
            ws.cell(3, c, v)
    edit(sealed, insert)
    assert changes(sealed) == [(3, "row 3 was added to sealed month 2025-04: "
                                   "'2025-04-05 09:00:00 | E2 | E4 | 50 | late'")]


def test_rank_write_refused_then_accepted(sealed):
    edit(sealed, lambda ws: ws.cell(3, 4, 60))
    code, _, err = invoke("validate", str(sealed), "--as-of", "2025-05-10")
    assert code == 1
    before = sealed.read_bytes()
    code, _, err = invoke("rank", str(sealed), "--period", "2025-04", "--as-of", "2025-05-10",
                          "--write")
    assert code == 2
    assert err == ("Error: sealed month(s) 2025-04 changed since they were sealed (see the "
                   "sealed-changed rows in validate); nothing was written. Use "
                   "--accept-changes to accept the edits and seal again\n")
    assert sealed.read_bytes() == before
    code, _, err = invoke("rank", str(sealed), "--period", "2025-04", "--as-of", "2025-05-10",
                          "--write", "--accept-changes")
    assert code == 0, err
    assert changes(sealed) == []
    rows = list(openpyxl.load_workbook(sealed)["Seal"].iter_rows(values_only=True))
    assert [r[0] for r in rows[2:4]] == ["month", "history"]
    assert rows[3][5] == "replaced 2025-05-10 00:00"


def test_cannot_seal_open_or_future_month(make_book):
    path = make_book(LOG)
    for month in ("2025-05", "2025-09"):
        code, _, err = invoke("close", str(path), "--month", month, "--as-of", "2025-05-10")
        assert code == 2
        assert err == (f"Error: {month} has not ended on 2025-05-10; only a month that has "
                       "ended can be sealed\n")


def test_close_refuses_changed_month_without_accept(sealed):
    edit(sealed, lambda ws: ws.cell(2, 5, "changed"))
    code, _, err = invoke("close", str(sealed), "--month", "2025-04", "--as-of", "2025-05-10")
    assert code == 2 and "use --accept-changes to seal it again" in err
    code, out, _ = invoke("close", str(sealed), "--month", "2025-04", "--as-of", "2025-05-10",
                          "--accept-changes")
    assert code == 0 and out.startswith("2025-04 sealed again: 3 rows")


def test_a_seal_tab_of_before_headings_still_reads(sealed):
    """Seal tabs written before result tabs had a heading have their header in row 1; both
    forms read the same."""
    wb = openpyxl.load_workbook(sealed)
    wb["Seal"].delete_rows(1)
    wb.save(sealed)
    first = next(openpyxl.load_workbook(sealed)["Seal"].iter_rows(values_only=True))
    assert first == ("Kind", "Month", "Tab", "Row", "Fingerprint", "Content", "Sealed at")
    assert changes(sealed) == []
    edit(sealed, lambda ws: ws.cell(3, 4, 60))
    assert [row for row, _ in changes(sealed)] == [3]


def test_a_seal_on_a_google_sheet_reads_back_below_its_heading(tmp_path, monkeypatch):
    from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook
    from fake_sheets import FakeSheets, service_key, xlsx_tabs

    sid = "sealSheet0001"
    book = write_workbook(tmp_path / "office.xlsx", {"Staff": STAFF, "Departments": DEPARTMENTS,
                                                      "Log": [LOG_HEADER, *LOG]})
    with FakeSheets() as fake:
        monkeypatch.setenv("COLLABSHEET_SHEETS_API", fake.url)
        key = service_key(tmp_path / "key.json", f"{fake.url}/token")
        monkeypatch.setenv("COLLABSHEET_CREDENTIALS", str(key))
        fake.add_book(sid, xlsx_tabs(book), {"collabsheet@office.iam.gserviceaccount.com":
                                             "writer"})
        _sealed_on_google(fake, sid)


def _sealed_on_google(fake, sid):
    code, _, err = invoke("close", f"gsheet:{sid}", "--month", "2025-04", "--as-of",
                          "2025-05-10")
    assert code == 0, err
    seal = fake.tab(sid, "Seal").values
    assert seal[0] == ["Seal · April 2025, as of 2025-05-10"]
    assert seal[1][0] == "Kind" and seal[2][:2] == ["month", "2025-04"]

    def sealed_changes() -> list[int]:
        report = collabsheet.validate(f"gsheet:{sid}", as_of=D(2025, 5, 10))
        return [v.row for v in report.violations if v.rule == "sealed-changed"]

    assert sealed_changes() == []
    fake.tab(sid, "Log").values[2][3] = 60
    assert sealed_changes() == [3]
    assert fake.violations == []


_CELLS = st.one_of(st.none(), st.text(max_size=8))
_TIMES = st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1900, 1, 1),
                                           max_value=dt.datetime(2100, 1, 1)))


@given(texts=st.lists(_CELLS, max_size=20), times=st.lists(_TIMES, max_size=20),
       numbers=st.lists(st.one_of(st.none(), st.integers(-10**6, 10**6),
                                  st.floats(allow_nan=True)), max_size=20))
def test_a_columns_texts_are_each_cells_text(texts, times, numbers):
    """The fingerprints are taken of text worked out a column at a time; it must be what
    the per-value definition gives, whatever the cells hold (a fraction of a second; a missing
    date is empty, as a missing text is)."""
    from collabsheet.seal import _text, _texts

    columns = [pd.Series(texts, dtype="str"), pd.Series(pd.to_datetime(times)),
               pd.Series(pd.to_datetime(times)) + pd.Timedelta(nanoseconds=7),
               pd.Series(numbers, dtype=object), pd.Series(list(range(len(texts))))]
    for column in columns:
        assert _texts(column) == [_text(None if x is pd.NaT else x) for x in column.tolist()]
