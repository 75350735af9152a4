"""Dates as the file means them (RULES.md section 8): the 1904 date system, read and written
on every tab, and ISO text with a UTC offset converted to the office's time zone."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF
from helpers import messages, rules_by_row
from openpyxl.utils.datetime import CALENDAR_MAC_1904

import collabsheet
from collabsheet import cells
from collabsheet.cli import cli
from collabsheet.settings import parse_rules
from collabsheet.sheetref import EPOCH_1900, EPOCH_1904
from collabsheet.sources import opc, prefetch

D = dt.date
T = dt.datetime
AS_OF = "2025-07-15"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


class Serial:
    """A date written as a plain number (no date format): the workbook's own serial."""

    def __init__(self, when: dt.date):
        self.when = when if isinstance(when, T) else T(when.year, when.month, when.day)

    def number(self, date1904: bool) -> float:
        days = (self.when - (EPOCH_1904 if date1904 else EPOCH_1900)) / dt.timedelta(days=1)
        return int(days) if days == int(days) else days


def book(path: Path, tabs: dict[str, list[list[Any]]], date1904: bool) -> Path:
    """The tabs in a workbook of either date system; a Serial becomes that system's number,
    a date or datetime a date-formatted cell (openpyxl counts it from the workbook's epoch)."""
    wb = openpyxl.Workbook()
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    wb.remove(wb.active)
    for title, rows in tabs.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([c.number(date1904) if isinstance(c, Serial) else c for c in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _staff() -> list[list[Any]]:
    rows = [list(r) for r in STAFF]
    rows[5][4] = Serial(D(2025, 3, 10))  # E5 joins on 2025-03-10 (a serial)
    rows[6][5] = D(2025, 3, 15)  # E6 leaves on 2025-03-15 (a date cell)
    return rows


# Each row: (cell, from, to, points, message), and what it must come to.
LOG = [
    [T(2025, 2, 4, 9, 0), "E1", "E2", 10, "feb, a date cell"],  # 2
    [Serial(T(2025, 2, 4, 14, 30)), "E1", "E3", 10, "feb, a serial"],  # 3
    [Serial(D(2025, 3, 5)), "E5", "E2", 10, "before E5 joined"],  # 4 off-staff
    [D(2025, 4, 12), "E5", "E2", 10, "after E5 joined"],  # 5
    [Serial(D(2025, 3, 3)), "E1", "E2", 10, "E2 still in Finance"],  # 6
    [Serial(D(2025, 3, 20)), "E6", "E2", 10, "after E6 left"],  # 7 off-staff
    [T(2025, 4, 2, 10, 0), "E1", "E2", 10, "E2 moved to Planning"],  # 8 same department
    [Serial(T(2025, 4, 2, 11, 0)), "E3", "E4", 10, "apr"],  # 9
    [Serial(D(2024, 12, 31)), "E1", "E3", 10, "before the start"],  # 10 before start
    [T(2025, 5, 2, 9, 0), "E1", "E3", 10, "E3 moved to Planning"],  # 11 same department
]
RULES_BY_ROW = {4: ["not-on-staff"], 7: ["not-on-staff"], 8: ["same-department"],
                10: ["date"], 11: ["same-department"]}
REJECTED = {4: T(2025, 3, 5), 7: T(2025, 3, 20), 8: T(2025, 4, 2, 10, 0),
            10: T(2024, 12, 31), 11: T(2025, 5, 2, 9, 0)}
SENT = {("E1", "2025-02"): 20, ("E1", "2025-03"): 10, ("E5", "2025-04"): 10,
        ("E3", "2025-04"): 10}


def office(path: Path, date1904: bool) -> Path:
    return book(path, {
        "Staff": _staff(),
        "Departments": DEPARTMENTS,
        "Moves": [["Date", "ID", "Department"], [Serial(D(2025, 4, 1)), "E2", "Planning"],
                  [D(2025, 5, 1), "E3", "Planning"]],
        "Log": [LOG_HEADER, *LOG],
        "Special": [["Date", "ID", "Points", "Work", "Departments"],
                    [Serial(D(2025, 3, 31)), "E3", 100, "March project", "Finance, Planning"],
                    [D(2025, 5, 2), "E3", 100, "May project", "Finance, Support A"]],
        "Rules": [["Rule", "Value"], ["start", Serial(D(2025, 1, 1))]],
    }, date1904)


def _sent(path: Path) -> dict[tuple[str, str], int]:
    ledger = collabsheet.grant(path, as_of=D(2025, 7, 15)).ledger
    return {(i, m): int(s) for i, m, s in zip(ledger["id"], ledger["month"], ledger["sent"],
                                              strict=True) if s}


def _when(path: Path) -> list[T]:
    log = collabsheet.evaluate(path, as_of=D(2025, 7, 15))[1].log
    return [ts.to_pydatetime() for ts in log.sort_values("row")["when"]]


@pytest.fixture(params=[False, True], ids=["1900", "1904"])
def date1904(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


# ----- the 1904 date system: every tab read --------------------------------------------------

def test_the_flag_is_read_from_the_workbook_part():
    assert opc.date1904('<workbook><workbookPr date1904="1"/></workbook>')
    assert opc.date1904("<x:workbookPr codeName='a' date1904='true' />")
    assert opc.date1904('<workbookPr date1904=" true "/>')
    for no in ('<workbookPr date1904="0"/>', '<workbookPr date1904="false"/>',
               "<workbookPr/>", '<workbookPr defaultThemeVersion="1"/>', ""):
        assert not opc.date1904(no)


def test_a_serial_counts_from_the_epoch_it_is_given():
    texts = pd.Series(["44230", "44230.5", "45692", "2025-02-04 00:00:00"], dtype="str")
    assert cells.parse_dates(texts, EPOCH_1904).tolist() == [
        T(2025, 2, 4), T(2025, 2, 4, 12), T(2029, 2, 5), T(2025, 2, 4)]
    assert cells.parse_dates(texts).tolist() == [
        T(2021, 2, 3), T(2021, 2, 3, 12), T(2025, 2, 4), T(2025, 2, 4)]


def test_every_tab_of_a_1904_workbook_reads_right(tmp_path, date1904):
    path = office(tmp_path / "office.xlsx", date1904)
    with zipfile.ZipFile(path) as zf:
        assert ('date1904="1"' in zf.read("xl/workbook.xml").decode()) is date1904
    report = collabsheet.validate(path, as_of=D(2025, 7, 15))
    assert rules_by_row(report) == RULES_BY_ROW
    assert rules_by_row(report, "Special") == {3: ["departments"]}
    assert report.stats.to_dict() == {"rows": 10, "accepted": 5, "rejected": 5, "warnings": 0}
    assert messages(report, 4) == ["From E5 (Jung) joins on 2025-03-10; not on the staff on "
                                   "2025-03-05"]
    assert messages(report, 3, "Special") == [  # E3 moved on 2025-05-01 (a date cell)
        "the person's own department (Planning) is not among the departments involved"]
    assert _sent(path) == SENT
    ledger = collabsheet.grant(path, as_of=D(2025, 7, 15)).ledger
    assert min(ledger["month"].astype(str)) == "2025-01"  # Rules start, a serial


def test_the_same_office_in_either_system_gives_the_same_report(tmp_path):
    outputs = []
    for date1904 in (False, True):
        path = office(tmp_path / str(date1904) / "office.xlsx", date1904)
        code, out, _ = run("validate", str(path), "--as-of", AS_OF, "--format", "json")
        assert code == 1
        report = json.loads(out)
        # the one difference: a serial's value is the number the cell holds in its system
        serial = [v for v in report["violations"] if v["column"] == "Date"]
        assert [(v["row"], v["value"]) for v in serial] == [
            (10, str(Serial(D(2024, 12, 31)).number(date1904)))]
        assert serial[0]["message"] == "2024-12-31 is before the scheme's start (2025-01-01)"
        serial[0]["value"] = "the serial"
        grant = run("grant", str(path), "--as-of", AS_OF, "--format", "json")
        ranked = run("rank", str(path), "--period", "2025-03", "--as-of", AS_OF,
                     "--format", "json")
        assert grant[0] == ranked[0] == 0
        outputs.append((report, grant, ranked))
    assert outputs[0] == outputs[1]


def test_the_flag_written_as_true_counts_too(tmp_path):
    path = office(tmp_path / "office.xlsx", True)
    edited = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(edited, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                assert b'date1904="1"' in data
                data = data.replace(b'date1904="1"', b'date1904="true"')
            zout.writestr(info, data)
    assert rules_by_row(collabsheet.validate(edited, as_of=D(2025, 7, 15))) == RULES_BY_ROW
    assert _sent(edited) == SENT


def test_a_1904_log_read_in_slices_reads_right(tmp_path, monkeypatch):
    path = office(tmp_path / "office.xlsx", True)
    whole = collabsheet.validate(path, as_of=D(2025, 7, 15))
    monkeypatch.setattr(prefetch, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(prefetch.tempfile, "tempdir", str(tmp_path))
    sliced = collabsheet.validate(path, as_of=D(2025, 7, 15))
    assert sliced == whole
    assert rules_by_row(sliced) == RULES_BY_ROW


def test_a_sealed_month_of_a_1904_workbook_stays_unchanged(tmp_path):
    path = office(tmp_path / "office.xlsx", True)
    code, out, _ = run("close", str(path), "--month", "2025-03", "--as-of", AS_OF)
    assert code == 0, out
    wb = openpyxl.load_workbook(path)
    contents = [r[5].value for r in wb["Seal"].iter_rows(min_row=2) if r[0].value == "row"]
    assert "2025-03-05 00:00:00 | E5 | E2 | 10 | before E5 joined" in contents
    report = collabsheet.validate(path, as_of=D(2025, 7, 15))
    assert not [v for v in report.violations if v.rule == "sealed-changed"]


def test_xlsxwriter_1904_workbook(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "office.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True})
    fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for title, rows in {"Staff": STAFF, "Departments": DEPARTMENTS}.items():
        ws = wb.add_worksheet(title)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(i, j, T(value.year, value.month, value.day), fmt)
                elif value is not None:
                    ws.write(i, j, value)
    ws = wb.add_worksheet("Log")
    ws.write_row(0, 0, LOG_HEADER)
    ws.write_datetime(1, 0, T(2025, 4, 2, 9, 30), fmt)
    ws.write_row(1, 1, ["E1", "E2", 10, "a date cell"])
    ws.write_number(2, 0, Serial(T(2025, 4, 30, 23, 0)).number(True))
    ws.write_row(2, 1, ["E1", "E3", 10, "a serial"])
    wb.close()
    assert _sent(path) == {("E1", "2025-04"): 20}


def test_a_rules_date_may_be_a_serial_of_the_workbook():
    rules, _ = parse_rules([(2, "start", "44560")], epoch=EPOCH_1904)
    assert rules.start == D(2025, 12, 31)
    rules, _ = parse_rules([(2, "start", "44560")])
    assert rules.start == D(2021, 12, 30)


# ----- result tabs written into the workbook ------------------------------------------------

def test_results_written_into_a_1904_workbook_read_back_as_the_same_dates(tmp_path,
                                                                           date1904):
    path = office(tmp_path / "office.xlsx", date1904)
    code, out, _ = run("run", str(path), "--period", "2025-Q1", "--as-of", AS_OF)
    assert code == 1
    assert out.splitlines()[0] == ("office.xlsx: NOT valid. Log rows: 10, accepted 5, "
                                   "rejected 5, with warnings 0; 6 error(s), 0 warning(s) in all "
                                   "tabs.")
    wb = openpyxl.load_workbook(path)
    assert (wb.epoch == CALENDAR_MAC_1904) is date1904
    ws = wb["Validation"]
    assert ws["A1"].value == "Validation · January to July 2025, as of 2025-07-15"
    assert [c.value for c in ws[2][:2]] == ["Row", "Date"]
    dates = {r[0].value: r[1].value for r in ws.iter_rows(min_row=3, max_col=2)
             if isinstance(r[0].value, int)}
    assert dates == REJECTED
    assert all(r[1].number_format == "yyyy-mm-dd hh:mm"
               for r in ws.iter_rows(min_row=3, max_row=7, max_col=2))
    # the workbook collabsheet wrote into reads as before
    assert rules_by_row(collabsheet.validate(path, as_of=D(2025, 7, 15))) == RULES_BY_ROW


# ----- ISO text with a UTC offset ---------------------------------------------------------

OFFSET_LOG = [
    ["2025-04-01T08:00+09:00", "E1", "E2", 10, "april 1st in Seoul"],  # 2
    ["2025-03-31T23:30:00Z", "E1", "E3", 10, "april 1st 08:30 in Seoul"],  # 3
    [T(2025, 3, 31, 9, 0), "E1", "E4", 10, "a date cell"],  # 4
    ["2025-03-04T14:30:00+09:00", "E2", "E1", 10, "march"],  # 5
    ["2025-03-31 23:59", "E3", "E1", 10, "naive text stays as it is"],  # 6
]


def test_offsets_beside_naive_dates_are_converted_to_the_office_zone(make_book):
    path = make_book(OFFSET_LOG)
    code, out, err = run("validate", str(path), "--as-of", AS_OF)
    assert (code, err) == (0, "")
    assert out.strip() == ("office.xlsx: valid. Log rows: 5, accepted 5, rejected 0, "
                           "with warnings 0; 0 error(s), 0 warning(s) in all tabs.")
    assert _when(path) == [T(2025, 4, 1, 8, 0), T(2025, 4, 1, 8, 30), T(2025, 3, 31, 9, 0),
                           T(2025, 3, 4, 14, 30), T(2025, 3, 31, 23, 59)]
    assert _sent(path) == {("E1", "2025-04"): 20, ("E1", "2025-03"): 10, ("E2", "2025-03"): 10,
                           ("E3", "2025-03"): 10}


def test_one_offset_alone_is_converted_too(make_book):
    path = make_book([["2025-04-01T08:00+09:00", "E1", "E2", 10, "april in Seoul"]])
    assert _when(path) == [T(2025, 4, 1, 8, 0)]
    assert _sent(path) == {("E1", "2025-04"): 10}


def test_offsets_follow_the_rules_time_zone(make_book):
    path = make_book(OFFSET_LOG, Rules=[["Rule", "Value"], ["timezone", "UTC"]])
    assert _when(path) == [T(2025, 3, 31, 23, 0), T(2025, 3, 31, 23, 30), T(2025, 3, 31, 9, 0),
                           T(2025, 3, 4, 5, 30), T(2025, 3, 31, 23, 59)]
    assert _sent(path) == {("E1", "2025-03"): 30, ("E2", "2025-03"): 10, ("E3", "2025-03"): 10}


def test_offsets_in_every_form_never_crash(make_book):
    path = make_book([
        ["2025-04-01T08:00+0900", "E1", "E2", 10, "no colon"],  # 2
        ["2025-04-01T08:00:00.5-05:00", "E1", "E3", 10, "west of UTC"],  # 3
        ["2025-04-01T08+09:00", "E1", "E4", 10, "hour only"],  # 4
        ["2025-04-01T08:00 UTC", "E2", "E1", 10, "not a form collabsheet reads"],  # 5
        [D(2025, 4, 2), "E2", "E4", 10, "a date cell"],  # 6
        ["2025. 4. 3. 오후 2:30:00", "E2", "E4", 10, "korean"],  # 7
    ])
    report = collabsheet.validate(path, as_of=D(2025, 7, 15))
    assert rules_by_row(report) == {5: ["date"]}
    assert messages(report, 5) == ["'2025-04-01T08:00 UTC' is not a date; expected a date "
                                   "such as 2025-03-04 (year first)"]
    when = _when(path)
    assert when[3] is pd.NaT
    assert when[:3] + when[4:] == [T(2025, 4, 1, 8, 0), T(2025, 4, 1, 22, 0, 0, 500000),
                                   T(2025, 4, 1, 8, 0), T(2025, 4, 2), T(2025, 4, 3, 14, 30)]


def test_a_rules_date_with_an_offset_is_taken_in_the_office_zone():
    rules, problems = parse_rules([(2, "start", "2025-03-01T00:00+09:00")])
    assert (rules.start, problems) == (D(2025, 3, 1), [])
    rules, _ = parse_rules([(2, "start", "2025-03-01T00:00+09:00"), (3, "timezone", "UTC")])
    assert rules.start == D(2025, 2, 28)
