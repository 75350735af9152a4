"""Tabs, headers (English, Korean, Google Form) and the hostile cells real sheets hold."""

from __future__ import annotations

import datetime as dt
import gc
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook
from helpers import check, messages, rules_by_row

import collabsheet
from collabsheet.errors import TabError

D = dt.date


def test_headers_match_case_and_spaces(make_book, tmp_path):
    log = [["  date ", "FROM", "to", " Points", "MESSAGE  "], [D(2025, 4, 2), "E1", "E2", 5, "x"]]
    path = write_workbook(tmp_path / "b.xlsx", {"staff ": STAFF, "DEPARTMENTS": DEPARTMENTS,
                                                 "log": log})
    assert check(path).stats.accepted == 1


def test_korean_tabs_and_headers(tmp_path):
    staff = [["사번", "성명", "부서", "이메일", "입사일", "퇴사일", "참여 여부"],
             ["K1", "김민준", "기획과", None, None, None, "예"],
             ["K2", "이서연", "재정과", None, None, None, "아니오"],
             ["K3", "박지훈", "재정과", None, None, None, None]]
    depts = [["부서", "그룹"], ["기획과", "본청"], ["재정과", "본청"]]
    log = [["날짜", "보낸 사람", "받는 사람", "포인트", "메시지"],
           ["2025. 4. 2.", "K1", "K3", "50", "도와주셔서 감사합니다"],
           ["2025. 4. 3.", "K1", "K2", "50", "감사"]]
    rules = [["규칙", "값"], ["monthly_allowance", "100"]]
    path = write_workbook(tmp_path / "k.xlsx", {"직원": staff, "부서": depts, "기록": log,
                                                 "규칙": rules})
    report = check(path)
    assert rules_by_row(report, "기록") == {3: ["not-on-staff"]}
    assert report.violations[0].column == "받는 사람"


def test_google_form_layout_sender_by_email(tmp_path):
    log = [["Timestamp", "Email Address", "To", "Points", "Message"],
           [dt.datetime(2025, 4, 2, 9, 30), "e1@office.kr", "E2", 20, "thanks"],
           [dt.datetime(2025, 4, 2, 9, 31), "stranger@gmail.com", "E2", 20, "thanks"]]
    path = write_workbook(tmp_path / "f.xlsx", {"Staff": STAFF, "Departments": DEPARTMENTS,
                                                 "Form Responses 1": log})
    report = check(path)
    assert rules_by_row(report, "Form Responses 1") == {3: ["unknown-person"]}
    assert messages(report, 3, "Form Responses 1") == [
        "From 'stranger@gmail.com' is not an email in Staff"]


def test_log_tab_named_in_rules(tmp_path):
    log = [["Timestamp", "Email Address", "To", "Points", "Message"],
           [dt.datetime(2025, 4, 2, 9, 30), "e1@office.kr", "E2", 20, "thanks"]]
    path = write_workbook(tmp_path / "f.xlsx", {
        "Staff": STAFF, "Departments": DEPARTMENTS, "Answers": log,
        "Rules": [["Rule", "Value"], ["log_tab", "Answers"]]})
    assert check(path).stats.accepted == 1


def test_missing_tab_is_an_error(make_book):
    with pytest.raises(TabError) as err:
        collabsheet.validate(make_book(Departments=None), as_of=D(2025, 7, 1))
    assert str(err.value) == (
        "office.xlsx has no Departments tab (looked for: Departments, 부서, 부서 목록); "
        "its tabs are: Staff, Log")


def test_missing_column_lists_accepted_headers(make_book, tmp_path):
    path = write_workbook(tmp_path / "m.xlsx", {
        "Staff": STAFF, "Departments": DEPARTMENTS,
        "Log": [["Date", "From", "Points", "Message"]]})
    with pytest.raises(TabError) as err:
        collabsheet.validate(path, as_of=D(2025, 7, 1))
    assert str(err.value) == (
        "Log tab: no 'To' column in row 1; accepted headers: To, 받는 사람 "
        "(found: 'Date', 'From', 'Points', 'Message')")


def test_two_columns_for_one_field(tmp_path):
    path = write_workbook(tmp_path / "m.xlsx", {
        "Staff": STAFF, "Departments": DEPARTMENTS,
        "Log": [["Date", "From", "To", "Points", "Message", "Email Address"]]})
    with pytest.raises(TabError, match=r"columns B \('From'\) and F \('Email Address'\) both "
                                       r"mean 'From'; keep only one"):
        collabsheet.validate(path, as_of=D(2025, 7, 1))


def test_real_sheet_cells(make_book):
    report = check(make_book([
        [45749, " E1 ", "E2", "30", "serial date, id with spaces, number as text"],
        [None, None, None, None, None],
        ["2025. 4. 3.", "E1", "E2", 1, "korean text date"],
        ["2025-04-04", "e1", "E4", 1.0, "iso text date, lower-case id"],
        [dt.datetime(2025, 4, 5, 14, 30), 1002, "E4", 1, "numeric id"],
    ]))
    assert rules_by_row(report) == {6: ["unknown-person"]}
    assert messages(report, 6) == ["From '1002' is not an ID in Staff"]
    assert report.stats.rows == 4


def test_blank_rows_keep_sheet_row_numbers(make_book):
    report = check(make_book([
        [D(2025, 4, 2), "E1", "E2", 10, "ok"], [], [], [D(2025, 4, 2), "E1", "E1", 10, "self"]]))
    assert rules_by_row(report) == {5: ["self"]}


def test_error_cells_are_reported_not_crashed_on(make_book):
    report = check(make_book([
        ["#REF!", "E1", "E2", 10, "error in date"],
        [D(2025, 4, 2), "E1", "#N/A", 10, "error in to"],
        [D(2025, 4, 2), "E1", "E2", "#DIV/0!", "error in points"],
    ]))
    assert rules_by_row(report) == {2: ["date"], 3: ["unknown-person"], 4: ["points"]}
    assert messages(report, 2) == ["'#REF!' is not a date; expected a date such as 2025-03-04 "
                                   "(year first)"]
    assert messages(report, 4) == ["Points '#DIV/0!' is not a number; expected a whole number "
                                   "from 1 to 200"]


def test_formula_cached_value_is_read(make_book):
    path = make_book([[D(2025, 4, 2), "E1", "E2", "=5*2", "formula"]])
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/") and b"5*2" in parts[n])
    parts[sheet] = re.sub(rb"<f>5\*2</f><v\s*/?>(</v>)?", b"<f>5*2</f><v>10</v>", parts[sheet])
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    report = check(path)
    assert report.valid and report.stats.accepted == 1


def test_merged_cells_read_as_top_left_and_warned(make_book):
    path = make_book([[D(2025, 4, 2), "E1", "E2", 10, "one"], [None, "E1", "E4", 10, "two"]])
    wb = openpyxl.load_workbook(path)
    wb["Log"].merge_cells("A2:A3")
    wb.save(path)
    report = check(path)
    assert [(v.row, v.column, v.rule, v.severity, v.message) for v in report.violations] == [
        (2, "A", "merged-cells", "warning",
         "cells A2:A3 are merged; every cell in them is read as the top-left value")]
    assert report.stats.accepted == 2


def test_staff_tab_problems(make_book):
    staff = [*STAFF, ["E1", "Dup", "Finance", "e1@office.kr", "someday", None, "maybe"],
             ["E9", "New", "Nowhere", None, None, None, None]]
    report = check(make_book(Staff=staff))
    found = [(v.row, v.column, v.rule) for v in report.violations]
    assert found == [
        (2, "ID", "duplicate-id"), (2, "Email", "duplicate-email"),
        (9, "ID", "duplicate-id"), (9, "Email", "duplicate-email"), (9, "Joined", "date"),
        (9, "Takes part", "bad-value"), (10, "Department", "unknown-department")]
    assert report.violations[0].message == "ID 'E1' is used by 2 rows of Staff; IDs must be unique"


def test_ambiguous_id_in_log(make_book):
    staff = [*STAFF, ["E1", "Dup", "Finance", None, None, None, None]]
    report = check(make_book([[D(2025, 4, 2), "E1", "E4", 10, "x"]], Staff=staff))
    assert messages(report, 2) == ["From 'E1' matches more than one person in Staff"]


def test_rules_tab_problems(make_book):
    report = check(make_book(Rules=[["Rule", "Value"], ["max_point", "100"],
                                    ["min_points", "zero"], ["timezone", "Mars/Base"]]))
    found = [(v.row, v.rule, v.message) for v in report.violations]
    assert found[0][:2] == (2, "bad-rule")
    assert found[0][2].startswith("unknown rule 'max_point'; known rules: start, timezone, "
                                  "monthly_allowance")
    assert found[1] == (3, "bad-rule", "rule min_points: expected a whole number, got 'zero'")
    assert found[2] == (4, "bad-rule", "rule timezone: expected a time zone name such as "
                                       "Asia/Seoul, got 'Mars/Base'")


def test_moves_tab_problems(make_book):
    moves = [["Date", "ID", "Department"], ["soon", "E1", "Finance"],
             [D(2025, 4, 1), "E77", "Finance"], [D(2025, 4, 1), "E1", "Mars"]]
    report = check(make_book(Moves=moves))
    assert [(v.row, v.rule) for v in report.violations] == [
        (2, "date"), (3, "unknown-person"), (4, "unknown-department")]


def test_not_a_workbook(tmp_path: Path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("hello")
    with pytest.raises(collabsheet.SourceError, match="not an .xlsx workbook"):
        collabsheet.validate(bad, as_of=D(2025, 7, 1))


def test_log_header_only_is_valid(make_book):
    report = check(make_book([]))
    assert report.valid and report.stats.rows == 0


def test_a_log_without_problems_still_gets_its_result_tabs(make_book):
    path = make_book([[D(2025, 4, 2), "E1", "E2", 10, "thanks"]])
    res = collabsheet.run(path, "2025-H1", as_of=D(2025, 7, 1))
    assert res.report.valid and not [v for v in res.report.violations if v.tab == "Log"]
    wb = openpyxl.load_workbook(path)
    assert wb["Validation"].max_row == 2 and wb["Validation"]["A2"].value == "Row"
    assert wb["People"].max_row > 1


def test_sheet_header_constant():
    assert LOG_HEADER == ["Date", "From", "To", "Points", "Message"]


def _raw_tabs(path: Path) -> dict[str, tuple[object, ...]]:
    from collabsheet.sources.xlsx import XlsxSource

    source = XlsxSource(path)
    titles = source.tab_titles()
    tabs = source.read_tabs(titles)
    return {t: (tabs[t].header, tabs[t].letters, [list(c) for c in tabs[t].columns],
                tabs[t].rows.tolist(), tabs[t].merged) for t in titles}


def test_the_largest_tab_read_in_a_second_process_reads_the_same(make_book, monkeypatch,
                                                                  tmp_path):
    from collabsheet.sources import prefetch, xlsx

    path = make_book([
        ["#REF!", "E1", "E2", 10, "error in date"], [], [45749, " E1 ", "E2", "30", "serial"],
        [D(2025, 4, 2), "E1", "#N/A", "#DIV/0!", "errors"], [None, "E1", "E4", 10, "merged"],
        *[[D(2025, 4, 3), "E2", "E1", 1, f"filler {i}"] for i in range(40)]])
    wb = openpyxl.load_workbook(path)
    wb["Log"].merge_cells("A5:A6")
    wb.save(path)
    in_process = _raw_tabs(path)
    monkeypatch.setattr(prefetch, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(prefetch.tempfile, "tempdir", str(tmp_path))
    assert prefetch.largest(xlsx.XlsxSource(path).path, ["Staff", "Log"]) == "Log"
    assert _raw_tabs(path) == in_process
    assert in_process["Log"][4] == ["A5:A6"]
    assert not list(tmp_path.glob("collabsheet-*"))
    assert check(path).stats.rows == 44


def test_second_process_failure_is_one_clear_error(make_book, monkeypatch, tmp_path):
    from collabsheet.sources import prefetch

    path = make_book([[D(2025, 4, 2), "E1", "E2", 10, "ok"]])
    monkeypatch.setattr(prefetch, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(prefetch.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(prefetch, "_CHILD", "import json; print(json.dumps({'error': 'boom'}))")
    with pytest.raises(collabsheet.SourceError, match=r"^office.xlsx: tab 'Staff' cannot be "
                       r"read \(boom\)$"):
        collabsheet.validate(path, as_of=D(2025, 5, 1))
    monkeypatch.setattr(prefetch, "_CHILD", "import sys; sys.exit('killed')")
    with pytest.raises(collabsheet.SourceError, match=r"^office.xlsx: tab 'Staff' cannot be "
                       r"read \(killed\)$"):
        collabsheet.validate(path, as_of=D(2025, 5, 1))
    assert not list(tmp_path.glob("collabsheet-*"))


def test_a_read_started_before_the_library_is_taken_over(make_book, monkeypatch, tmp_path):
    from collabsheet.sources import prefetch

    monkeypatch.setattr(prefetch, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(prefetch.tempfile, "tempdir", str(tmp_path))
    path = make_book([[D(2025, 4, 2), "E1", "E2", 10, "ok"]])
    prefetch.start(str(path))
    assert len(prefetch._started) == 1
    assert check(path).stats.rows == 1
    assert prefetch._started == {}
    prefetch.start(str(path))
    write_workbook(path, {"Staff": STAFF, "Departments": DEPARTMENTS,
                          "Log": [LOG_HEADER, *[[D(2025, 4, 2), "E1", "E2", 10, "ok"]] * 3]})
    assert check(path).stats.rows == 3
    assert len(prefetch._started) == 1
    prefetch._started.clear()
    gc.collect()
    assert not list(tmp_path.glob("collabsheet-*"))


def test_reads_never_taken_are_stopped(make_book, monkeypatch, tmp_path):
    from collabsheet.sources import prefetch

    monkeypatch.setattr(prefetch, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(prefetch.tempfile, "tempdir", str(tmp_path))
    prefetch.start(str(make_book([[D(2025, 4, 2), "E1", "E2", 10, "ok"]])))
    (child,) = prefetch._started.values()
    prefetch.stop_all()
    assert prefetch._started == {} and all(p.returncode is not None for p in child.procs)
    assert not list(tmp_path.glob("collabsheet-*"))
