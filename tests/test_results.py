"""Ledger, scores, ranks, commendations and summary: golden figures worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

import collabsheet
from collabsheet.cli import cli
from collabsheet.errors import UsageError
from collabsheet.periods import Period, parse_period

D = dt.date
# April 2025. E2 moves from Finance to Support B on 4/15. By hand (received + 0.5 x sent + special):
#   E1 Planning   received 25+20+10=55, sent 100      -> 105
#   E2            received 100, sent 10                -> 105   (ties E1 at rank 2)
#   E3 Finance    sent 20                              -> 10
#   E4 Support A  sent 25, special 100                 -> 112.5
# Departments on the day of each row:
#   Planning  received 55, sent 100 -> 105;  Finance received 100 (E2 before the move),
#   sent 20 -> 110;  Support A sent 25 + special 100 -> 112.5;  Support B sent 10 (E2 after) -> 5
LOG = [
    [D(2025, 4, 2), "E1", "E2", 100, "budget help"],
    [D(2025, 4, 10), "E4", "E1", 25, "site visit"],
    [D(2025, 4, 20), "E3", "E1", 20, "report"],
    [D(2025, 4, 21), "E2", "E1", 10, "after my move"],
    [D(2025, 4, 22), "E1", "E1", 5, "rejected: self"],
]
MOVES = [["Date", "ID", "Department"], [D(2025, 4, 15), "E2", "Support B"]]
SPECIAL = [["Date", "ID", "Points", "Work", "Departments"],
           [D(2025, 4, 25), "E4", None, "Joint project", "Support A, Planning"],
           [D(2025, 4, 26), "E1", 100, "Solo work", "Planning"]]
RULES = [["Rule", "Value"], ["start", "2025-04-01"], ["commend_people", "2"],
         ["commend_departments", "1"]]


@pytest.fixture
def office(make_book):
    return make_book(LOG, Moves=MOVES, Special=SPECIAL, Rules=RULES)


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_special_tab_is_validated(office):
    report = collabsheet.validate(office, as_of=D(2025, 5, 10))
    special = [(v.row, v.rule, v.message) for v in report.violations if v.tab == "Special"]
    assert special == [(3, "departments", "Departments lists 1 department; a special award "
                                          "needs work of at least two")]


def test_special_rules(make_book):
    special = [["Date", "ID", "Points", "Work", "Departments"],
               [D(2025, 4, 25), "E99", None, "w", "Support A, Planning"],
               [D(2025, 4, 25), "E7", None, "w", "Support B, Planning"],
               ["soon", "E4", None, "w", "Support A, Planning"],
               [D(2025, 4, 25), "E4", "lots", "w", "Support A, Planning"],
               [D(2025, 4, 25), "E4", None, "w", "Finance, Planning"],
               [D(2025, 4, 25), "E4", None, "w", "Support A, Mars"]]
    report = collabsheet.validate(make_book(Special=special), as_of=D(2025, 5, 10))
    found = [(v.row, v.rule, v.message) for v in report.violations if v.tab == "Special"]
    assert found == [
        (2, "unknown-person", "ID 'E99' is not an ID in Staff"),
        (3, "not-on-staff", "ID E7 (Yoon) does not take part (Staff row 8); not on the staff "
                            "on 2025-04-25"),
        (4, "date", "'soon' is not a date; expected a date such as 2025-03-04 (year first)"),
        (5, "points", "Points 'lots' is not a number; expected a whole number (blank means 100)"),
        (6, "departments", "the person's own department (Support A) is not among the "
                           "departments involved"),
        (7, "departments", "Departments: 'Mars' not in the Departments tab"),
    ]


def test_people_scores_and_ranks(office):
    res = collabsheet.rank(office, "2025-04", as_of=D(2025, 5, 10)).results
    got = [(r.id, r.department, r.received, r.sent, r.special, res.score(r.score), r.rank)
           for r in res.people.itertuples()]
    assert got == [
        ("E4", "Support A", 0, 25, 100, 112.5, 1),
        ("E1", "Planning", 55, 100, 0, 105, 2),
        ("E2", "Support B", 100, 10, 0, 105, 2),
        ("E3", "Finance", 0, 20, 0, 10, 4),
        ("E5", "Support A", 0, 0, 0, 0, 5),
        ("E6", "Planning", 0, 0, 0, 0, 5),
    ]


def test_department_totals_use_the_day_of_each_event(office):
    res = collabsheet.rank(office, "2025-04", as_of=D(2025, 5, 10)).results
    got = [(r.group, r.department, res.score(r.score), r.rank, r.received, r.sent, r.special,
            r.collaborations) for r in res.departments.itertuples()]
    assert got == [
        ("Head office", "Finance", 110, 1, 100, 20, 0, 2),
        ("Head office", "Planning", 105, 2, 55, 100, 0, 4),
        ("Support offices", "Support A", 112.5, 1, 0, 25, 100, 1),
        ("Support offices", "Support B", 5, 2, 0, 10, 0, 1),
    ]


def test_tie_across_the_commendation_line(office):
    res = collabsheet.rank(office, "2025-04", as_of=D(2025, 5, 10)).results
    assert [(r.id, r.rank, r.tie) for r in res.commended_people.itertuples()] == [
        ("E4", 1, False), ("E1", 2, True), ("E2", 2, True)]
    assert {g: [(r.department, r.tie) for r in c.itertuples()]
            for g, c in res.commended_departments.items()} == {
        "Head office": [("Finance", False)], "Support offices": [("Support A", False)]}


def test_summary(office):
    res = collabsheet.rank(office, "2025-04", as_of=D(2025, 5, 10)).results
    s = res.summary.to_dict("records")
    assert s == [
        {"month": "2025-04", "collaborations": 4, "points": 155, "senders": 4, "receivers": 2,
         "rejected": 1, "specials": 1},
        {"month": "total", "collaborations": 4, "points": 155, "senders": 4, "receivers": 2,
         "rejected": 1, "specials": 1},
    ]
    assert res.flows.to_dict("records") == [
        {"helper": "Finance", "helped": "Planning", "collaborations": 1, "points": 100},
        {"helper": "Planning", "helped": "Support A", "collaborations": 1, "points": 25},
        {"helper": "Planning", "helped": "Finance", "collaborations": 1, "points": 20},
        {"helper": "Planning", "helped": "Support B", "collaborations": 1, "points": 10},
    ]


def test_summary_tab_shows_the_strongest_flows_only(office, monkeypatch):
    from collabsheet import render

    monkeypatch.setattr(render, "FLOW_ROWS", 2)
    collabsheet.rank(office, "2025-04", as_of=D(2025, 5, 10), write=True)
    ws = openpyxl.load_workbook(office)["Summary"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=6, max_col=4)]
    assert rows[0][0] == ("Helped by (receiver's department) → Helped (sender's department) "
                          "(top 2 of 4 pairs)")
    assert rows[2:] == [["Finance", "Planning", 1, 100], ["Planning", "Support A", 1, 25]]


@pytest.mark.parametrize("text,first,last", [
    ("2025-03", (2025, 3), (2025, 3)), ("2025-Q2", (2025, 4), (2025, 6)),
    ("2025-H1", (2025, 1), (2025, 6)), ("2025-h2", (2025, 7), (2025, 12)),
    ("2025", (2025, 1), (2025, 12)), ("2025-02..2025-06", (2025, 2), (2025, 6)),
])
def test_period_forms(text, first, last):
    p = parse_period(text)
    assert (p.first, p.last) == (Period.code(*first), Period.code(*last))


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "H1", "2025-06..2025-02", "last year"])
def test_bad_periods(text):
    with pytest.raises(UsageError):
        parse_period(text)


def test_each_period_form_ranks(office):
    a = collabsheet.rank(office, "2025-04", as_of=D(2025, 5, 10)).results
    for p in ("2025-Q2", "2025-H1", "2025", "2025-04..2025-05"):
        b = collabsheet.rank(office, p, as_of=D(2025, 5, 10)).results
        assert b.people[["id", "score", "rank"]].equals(a.people[["id", "score", "rank"]])
    empty = collabsheet.rank(office, "2025-03", as_of=D(2025, 5, 10)).results
    assert set(empty.people["score"]) == {0} and len(empty.commended_people) == 0


def test_ledger(office):
    frame = collabsheet.grant(office, as_of=D(2025, 5, 10)).ledger
    rows = {(r.id, r.month): (r.granted, r.sent, r.expired, r.left) for r in frame.itertuples()}
    assert rows[("E1", "2025-04")] == (200, 100, 100, 0)
    assert rows[("E1", "2025-05")] == (200, 0, 0, 200)
    assert rows[("E5", "2025-04")] == (200, 0, 200, 0)   # joined 3/10: granted from April
    assert rows[("E6", "2025-04")] == (0, 0, 0, 0)       # left 3/15
    assert rows[("E7", "2025-04")] == (0, 0, 0, 0)       # does not take part
    assert len(frame) == 7 * 2


def test_grant_json_and_idempotent_write(office):
    code, out, _ = invoke("grant", str(office), "--as-of", "2025-05-10", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["ledger"][0] == {"id": "E1", "month": "2025-04", "granted": 200, "sent": 100,
                                 "expired": 100, "left": 0}
    invoke("grant", str(office), "--as-of", "2025-05-10", "--write")
    first = office.read_bytes()
    invoke("grant", str(office), "--as-of", "2025-05-10", "--write")
    assert office.read_bytes() == first
    ws = openpyxl.load_workbook(office)["Ledger"]
    assert ws["A1"].value == "Ledger · April to May 2025, as of 2025-05-10"
    assert [c.value for c in ws[2]] == ["ID", "Name", "Department", "Granted", "Sent",
                                        "Expired", "Left", "2025-04 Sent", "2025-05 Sent"]
    # name and department (on the as-of day, after E2's move) beside the ID
    assert [r[:3] for r in ws.iter_rows(min_row=3, values_only=True)] == [
        ("E1", "Kim", "Planning"), ("E2", "Lee", "Support B"), ("E3", "Park", "Finance"),
        ("E4", "Choi", "Support A"), ("E5", "Jung", "Support A")]
    # E6 left and E7 does not take part: nothing to show
    assert [c.value for c in ws[3]] == ["E1", "Kim", "Planning", 400, 100, 100, 200, 100, 0]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:I7"


def test_rank_json_shape(office):
    code, out, _ = invoke("rank", str(office), "--period", "2025-04", "--as-of", "2025-05-10",
                          "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["period"] == {"from": "2025-04", "to": "2025-04"}
    assert data["people"][0] == {
        "id": "E4", "name": "Choi", "department": "Support A", "group": "Support offices",
        "received": 0, "sent": 25, "special": 100, "score": 112.5, "rank": 1, "sends": 1,
        "receipts": 0, "colleagues_helped": 0}
    assert data["departments"][0] == {
        "department": "Finance", "group": "Head office", "score": 110, "rank": 1,
        "received": 100, "sent": 20, "special": 0, "people": 1, "collaborations": 2}
    assert data["commendations"]["people"] == [
        {"id": "E4", "name": "Choi", "rank": 1, "score": 112.5, "tie": False},
        {"id": "E1", "name": "Kim", "rank": 2, "score": 105, "tie": True},
        {"id": "E2", "name": "Lee", "rank": 2, "score": 105, "tie": True}]
    assert data["commendations"]["departments"] == {
        "Head office": [{"department": "Finance", "rank": 1, "score": 110, "tie": False}],
        "Support offices": [{"department": "Support A", "rank": 1, "score": 112.5,
                             "tie": False}]}
    assert data["summary"]["period"] == {"collaborations": 4, "points": 155, "senders": 4,
                                         "receivers": 2, "rejected": 1, "special_awards": 1}


def test_rank_text(office):
    code, out, _ = invoke("rank", str(office), "--period", "2025-04", "--as-of", "2025-05-10")
    assert code == 0
    assert out.splitlines()[:9] == [
        "Period: April 2025 (2025-04, 2025-04 .. 2025-04)", "", "Commended people",
        "    1. E4 Choi (Support A) 112.5",
        "    2. E1 Kim (Planning) 105  [Tie: office decides]",
        "    2. E2 Lee (Support B) 105  [Tie: office decides]",
        "Commended departments: Head office", "    1. Finance 110",
        "Commended departments: Support offices"]


def _office_parts(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()
                if n.startswith("xl/worksheets/sheet") and int(n[19:-4]) <= 6}


def test_rank_write_keeps_office_tabs_and_is_idempotent(office):
    before = _office_parts(office)
    values_before = {ws.title: [[c.value for c in row] for row in ws.iter_rows()]
                     for ws in openpyxl.load_workbook(office)}
    code, out, _ = invoke("rank", str(office), "--period", "2025-04", "--as-of", "2025-05-10",
                          "--write")
    assert code == 0 and "Wrote People, Departments ranking, Commendations, Summary into " in out
    assert _office_parts(office) == before
    wb = openpyxl.load_workbook(office)
    for title, rows in values_before.items():
        assert [[c.value for c in row] for row in wb[title].iter_rows()] == rows
    assert wb.sheetnames[-4:] == ["People", "Departments ranking", "Commendations", "Summary"]
    people = wb["People"]
    assert people["A1"].value == "People · April 2025, as of 2025-05-10"
    assert [c.value for c in people[2]] == [
        "Rank", "ID", "Name", "Department", "Group", "Received", "Sent", "Special", "Score",
        "Sends", "Receipts", "Colleagues helped"]
    assert [c.value for c in people[3]][:9] == [1, "E4", "Choi", "Support A", "Support offices",
                                                0, 25, 100, 112.5]
    assert people["I3"].number_format == "#,##0.0##" and people["I4"].number_format == "#,##0"
    assert people.freeze_panes == "A3" and people.auto_filter.ref == "A2:L8"
    comm = wb["Commendations"]
    assert comm["A1"].value == "Commendations · April 2025, as of 2025-05-10"
    assert [c.value for c in comm[5]] == [2, "E1", "Kim", "Planning", 105,
                                          "Tie: office decides"]
    # a rank is centred, so that it never reads as one with the ID beside it ("1 E4")
    assert comm["A4"].alignment.horizontal == "center"
    assert comm["B4"].alignment.horizontal is None
    assert comm.column_dimensions["A"].width >= 7
    ranking = wb["Departments ranking"]
    assert [[c.value for c in r] for r in ranking.iter_rows(min_row=2, max_col=4)] == [
        ["Group", "Rank", "Department", "Score"], ["Head office", 1, "Finance", 110],
        ["Head office", 2, "Planning", 105], ["Support offices", 1, "Support A", 112.5],
        ["Support offices", 2, "Support B", 5]]
    snapshot = office.read_bytes()
    invoke("rank", str(office), "--period", "2025-04", "--as-of", "2025-05-10", "--write")
    assert office.read_bytes() == snapshot


def test_charts_are_written(office):
    invoke("rank", str(office), "--period", "2025-04", "--as-of", "2025-05-10", "--write")
    with zipfile.ZipFile(office) as zf:
        charts = sorted(n for n in zf.namelist() if n.startswith("xl/charts/"))
        assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml",
                          "xl/charts/chart4.xml"]
        head_office = zf.read("xl/charts/chart1.xml").decode()
        support = zf.read("xl/charts/chart2.xml").decode()
    # each group's chart over its own rows of the one ranking table
    assert "<c:barChart>" in head_office and "'Departments ranking'!$C$3:$C$4" in head_office
    assert "'Departments ranking'!$D$3:$D$4" in head_office
    assert "'Departments ranking'!$C$5:$C$6" in support


def test_korean_labels(office):
    code, out, _ = invoke("rank", str(office), "--period", "2025-04", "--as-of", "2025-05-10",
                          "--write", "--lang", "ko")
    assert code == 0 and out.startswith("기간: 2025년 4월 (2025-04, 2025-04 .. 2025-04)")
    wb = openpyxl.load_workbook(office)
    assert wb.sheetnames[-4:] == ["개인 순위", "부서 순위", "표창", "요약"]
    assert wb["개인 순위"]["A1"].value == "개인 순위 · 2025년 4월, 2025-05-10 기준"
    assert [c.value for c in wb["개인 순위"][2]][:4] == ["순위", "사번", "성명", "부서"]
    # switching language replaces the tabs instead of adding a second set
    invoke("rank", str(office), "--period", "2025-04", "--as-of", "2025-05-10", "--write")
    assert openpyxl.load_workbook(office).sheetnames[-4:] == [
        "People", "Departments ranking", "Commendations", "Summary"]


def test_run_writes_every_tab_in_one_go(office):
    code, out, _ = invoke("run", str(office), "--period", "2025-04", "--as-of", "2025-05-10")
    assert code == 1  # the self-send in the Log is an error
    assert out.splitlines()[-1] == (
        f"Wrote Validation, Ledger, People, Departments ranking, Commendations, Summary, Signals "
        f"into "
        f"{office}.")
    assert openpyxl.load_workbook(office).sheetnames == [
        "Staff", "Departments", "Log", "Moves", "Special", "Rules", "Validation", "Ledger",
        "People", "Departments ranking", "Commendations", "Summary", "Signals"]


def test_blank_department_rows_stay_out_of_totals_and_flows(make_book):
    from conftest import DEPARTMENTS

    path = make_book(LOG, Moves=MOVES, Special=SPECIAL, Rules=RULES,
                     Departments=[*DEPARTMENTS, [None, "Head office"]])
    res = collabsheet.rank(path, "2025-04", as_of=D(2025, 5, 10)).results
    assert res.departments["department"].tolist() == [
        "Finance", "Planning", "Support A", "Support B"]
    assert len(res.flows) == 4 and res.flows["helper"].notna().all()
