"""Careless input met with the fix: what people type by mistake is either read as they meant
it (full-width digits, a weekday after a date, "ID (name)", a header on two lines or below a
title) or rejected with the value they most likely meant."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

import collabsheet
from collabsheet import cells
from collabsheet.suggest import Closest

D = dt.date
AS_OF = D(2025, 7, 1)


def problems(report):
    return [(v.row, v.rule, v.message) for v in report.violations]


def log_book(tmp_path, rows, header=LOG_HEADER, above=(), staff=STAFF):
    return write_workbook(tmp_path / "office.xlsx", {
        "Staff": staff, "Departments": DEPARTMENTS,
        "Log": [*above, header, *rows]})


def test_a_mistyped_id_names_the_person_meant(tmp_path):
    book = log_book(tmp_path, [[D(2025, 4, 2), "E1", "E22", 10, "thanks"],
                               [D(2025, 4, 2), "E1", "Q9", 10, "thanks"]])
    report = collabsheet.validate(book, as_of=AS_OF)
    assert problems(report) == [
        (2, "unknown-person", "To 'E22' is not an ID in Staff; did you mean E2 (Lee)?"),
        (3, "unknown-person", "To 'Q9' is not an ID in Staff")]


def test_digits_alone_are_met_with_the_id_that_has_them(tmp_path):
    staff = [STAFF[0], ["E1001", "김민수", "Planning"], ["E2002", "이영희", "Finance"],
             ["E3003", "박철수", "Support A"]]
    book = log_book(tmp_path, [[D(2025, 4, 2), "E1001", "2002", 10, "고맙습니다"]], staff=staff)
    report = collabsheet.validate(book, as_of=AS_OF)
    assert problems(report) == [
        (2, "unknown-person", "To '2002' is not an ID in Staff; did you mean E2002 (이영희)?")]


def test_no_suggestion_when_two_are_about_as_close():
    closest = Closest(["e1001", "e1002"], ["E1001 (Kim)", "E1002 (Lee)"])
    assert closest("E100") is None
    assert closest("E10011") == "E1001 (Kim)"


def test_id_and_name_as_a_dropdown_writes_it(tmp_path):
    book = log_book(tmp_path, [[D(2025, 4, 2), "E1 (Kim)", "E2 (Lee)", 10, "thanks"],
                               [D(2025, 4, 3), "E1", "E2 (Park)", 10, "thanks"],
                               [D(2025, 4, 4), "E1", "E2（Lee）", 10, "thanks"]])
    report = collabsheet.validate(book, as_of=AS_OF)
    assert report.stats.accepted == 2
    assert problems(report) == [
        (3, "unknown-person", "To 'E2 (Park)' is not an ID in Staff; did you mean E2 (Lee)?")]


def test_a_mistyped_department_names_the_department_meant(tmp_path):
    staff = [*STAFF[:2], ["E2", "Lee", "Finanse"], ["E3", "Park", "Suport B"]]
    book = log_book(tmp_path, [], staff=staff)
    report = collabsheet.validate(book, as_of=AS_OF)
    assert [(v.tab, v.row, v.message) for v in report.violations] == [
        ("Staff", 3, "Department 'Finanse' is not in the Departments tab; did you mean "
                     "'Finance'?"),
        ("Staff", 4, "Department 'Suport B' is not in the Departments tab; did you mean "
                     "'Support B'?")]
    ko = collabsheet.validate(book, as_of=AS_OF, lang="ko")
    assert ko.violations[0].message == ("부서 'Finanse'은(는) 부서 목록에 없습니다. "
                                        "'Finance'을(를) 입력하려던 것인가요?")


def test_full_width_digits_and_korean_dates_with_a_weekday(tmp_path):
    book = log_book(tmp_path, [["2025년 3월 4일 (화)", "Ｅ１", "E2", "５０", "thanks"],
                               ["2025. 3. 5.(수)", "E1", "E3", "３０", "thanks"],
                               ["２０２５-03-06", "E1", "E4", 10, "thanks"],
                               ["2025년 3월 7일 금요일", "E1", "E4", 5, "thanks"]])
    report = collabsheet.validate(book, as_of=AS_OF)
    assert problems(report) == [] and report.stats.accepted == 4
    ledger = collabsheet.grant(book, as_of=AS_OF).ledger
    march = ledger[(ledger["month"] == "2025-03") & (ledger["id"] == "E1")]
    assert int(march["sent"].iloc[0]) == 95


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_nfkc_forms_read_as_their_plain_forms(n):
    wide = "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    assert unicodedata.normalize("NFKC", wide) == str(n)
    got = cells.parse_numbers(pd.Series([wide, str(n)], dtype="str")).tolist()
    assert got == [float(n), float(n)]
    keys = cells.id_key(pd.Series(["Ｅ" + wide, "E" + str(n)], dtype="str")).tolist()
    assert keys[0] == keys[1]


def test_a_header_on_two_lines_and_title_rows_above_it(tmp_path):
    header = ["Date", "From\n(사번)", "To\n(사번)", "Points", "Message"]
    rows = [[D(2025, 4, 2), "E1", "E2", 10, "thanks"], [D(2025, 4, 3), "E1", "E1", 10, "x"]]
    for above in ((), (["2025년 4월 협업 기록"],), (["협업 포인트"], ["2025년 4월"])):
        book = log_book(tmp_path, rows, header=header, above=above)
        report = collabsheet.validate(book, as_of=AS_OF)
        first = 2 + len(above)
        assert problems(report) == [
            (first + 1, "self", "E1 (Kim) sends points to themselves; choose a colleague")]
        assert report.violations[0].column == "To"


def test_the_header_is_looked_for_in_three_rows_only(tmp_path):
    book = log_book(tmp_path, [[D(2025, 4, 2), "E1", "E2", 10, "thanks"]],
                    above=(["a"], ["b"], ["c"]))
    try:
        collabsheet.validate(book, as_of=AS_OF)
    except collabsheet.CollabsheetError as exc:
        assert exc.rule == "missing-column"
    else:
        raise AssertionError("a header in row 4 was found")
