"""Every Log rule of RULES.md section 3, its id, its message, and the order-dependent checks."""

from __future__ import annotations

import datetime as dt

from helpers import check, messages, rules_by_row

D = dt.date


def test_worked_example_row_for_row(make_book):
    report = check(make_book([
        [D(2025, 4, 2), "E1", "E2", 150, "thanks"],
        [D(2025, 4, 3), "E1", "E4", 100, "thanks"],
        [D(2025, 4, 4), "E1", "E4", 50, "thanks"],
        [D(2025, 4, 5), "E1", "E2", 10, "thanks"],
    ]))
    assert rules_by_row(report) == {3: ["allowance"], 5: ["allowance"]}
    assert messages(report, 3) == ["E1 (Kim) has 50 of 200 points left in 2025-04; "
                                   "this row sends 100"]
    assert messages(report, 5) == ["E1 (Kim) has 0 of 200 points left in 2025-04; "
                                   "this row sends 10"]
    assert report.stats.to_dict() == {"rows": 4, "accepted": 2, "rejected": 2, "warnings": 0}


def test_third_send_to_same_person_uses_nothing(make_book):
    report = check(make_book([
        [D(2025, 4, 2), "E1", "E2", 10, "a"],
        [D(2025, 4, 3), "E1", "E2", 10, "b"],
        [D(2025, 4, 4), "E1", "E2", 10, "c"],
        [D(2025, 4, 5), "E1", "E4", 180, "d"],
    ]))
    assert rules_by_row(report) == {4: ["pair-limit"]}
    assert messages(report, 4) == ["E1 (Kim) already sent to E2 (Lee) 2 times in 2025-04; "
                                   "at most 2 a month"]


def test_pair_limit_and_allowance_together(make_book):
    report = check(make_book([
        [D(2025, 4, 2), "E1", "E2", 100, "a"],
        [D(2025, 4, 3), "E1", "E2", 90, "b"],
        [D(2025, 4, 4), "E1", "E2", 50, "c"],
    ]))
    assert rules_by_row(report) == {4: ["pair-limit", "allowance"]}


def test_new_month_starts_fresh(make_book):
    report = check(make_book([
        [D(2025, 4, 2), "E1", "E2", 200, "a"],
        [D(2025, 4, 3), "E1", "E2", 1, "b"],
        [D(2025, 5, 1), "E1", "E2", 200, "c"],
    ]))
    assert rules_by_row(report) == {3: ["allowance"]}


def test_time_order_not_sheet_order_ties_in_sheet_order(make_book):
    report = check(make_book([
        [dt.datetime(2025, 4, 9, 10), "E1", "E2", 150, "later in time"],
        [dt.datetime(2025, 4, 2, 10), "E1", "E4", 150, "earlier"],
        [dt.datetime(2025, 4, 2, 10), "E1", "E3", 100, "same time, later row"],
    ]))
    assert rules_by_row(report) == {2: ["allowance"], 4: ["allowance"]}


def test_rejected_row_uses_nothing(make_book):
    report = check(make_book([
        [D(2025, 4, 2), "E1", "E3", 0, "zero points"],
        [D(2025, 4, 3), "E1", "E2", 200, "all of it"],
    ]))
    assert rules_by_row(report) == {2: ["points"]}


def test_date_rule_messages(make_book):
    report = check(make_book([
        [None, "E1", "E2", 10, "blank date"],
        ["next tuesday", "E1", "E2", 10, "text"],
        ["03/04/2025", "E1", "E2", 10, "ambiguous"],
        [D(2025, 12, 1), "E1", "E2", 10, "future"],
    ]))
    assert rules_by_row(report) == {2: ["date"], 3: ["date"], 4: ["date"], 5: ["date"]}
    assert messages(report, 2) == ["Date is blank; expected a date such as 2025-03-04"]
    assert messages(report, 3) == ["'next tuesday' is not a date; expected a date such as "
                                   "2025-03-04 (year first)"]
    assert messages(report, 5) == ["2025-12-01 is in the future (after 2025-07-15)"]


def test_start_rule(make_book):
    report = check(make_book([[D(2025, 1, 20), "E1", "E2", 10, "early"]],
                             Rules=[["Rule", "Value"], ["start", "2025-02-01"]]))
    assert messages(report, 2) == ["2025-01-20 is before the scheme's start (2025-02-01)"]


def test_unknown_person_by_id_email_blank(make_book):
    report = check(make_book([
        [D(2025, 4, 2), "E1O", "E2", 10, "typo"],
        [D(2025, 4, 2), "E1", "nobody@office.kr", 10, "email"],
        [D(2025, 4, 2), None, "E2", 10, "blank"],
        [D(2025, 4, 2), "e2@OFFICE.kr", " e1 ", 10, "email sender, id receiver"],
    ]))
    assert rules_by_row(report) == {2: ["unknown-person"], 3: ["unknown-person"],
                                     4: ["unknown-person"]}
    assert messages(report, 2) == ["From 'E1O' is not an ID in Staff; did you mean E1 (Kim)?"]
    assert messages(report, 3) == ["To 'nobody@office.kr' is not an email in Staff"]
    assert messages(report, 4) == ["From is blank; expected a staff ID or email"]


def test_not_on_staff_reasons(make_book):
    report = check(make_book([
        [D(2025, 3, 5), "E1", "E5", 10, "before joining"],
        [D(2025, 4, 5), "E4", "E6", 10, "after leaving"],
        [D(2025, 4, 5), "E7", "E1", 10, "does not take part"],
    ]))
    assert rules_by_row(report) == {2: ["not-on-staff"], 3: ["not-on-staff"],
                                     4: ["not-on-staff"]}
    assert messages(report, 2) == ["To E5 (Jung) joins on 2025-03-10; not on the staff on "
                                   "2025-03-05"]
    assert messages(report, 3) == ["To E6 (Kang) left on 2025-03-15; not on the staff on "
                                   "2025-04-05"]
    assert messages(report, 4) == ["From E7 (Yoon) does not take part (Staff row 8); not on "
                                   "the staff on 2025-04-05"]


def test_leaving_day_is_the_last_day(make_book):
    report = check(make_book([[D(2025, 3, 15), "E4", "E6", 10, "last day"]]))
    assert report.violations == []


def test_self_is_not_also_same_department(make_book):
    report = check(make_book([[D(2025, 4, 2), "E1", "E1", 10, "me"]]))
    assert rules_by_row(report) == {2: ["self"]}
    assert messages(report, 2) == ["E1 (Kim) sends points to themselves; choose a colleague"]


def test_same_department(make_book):
    report = check(make_book([[D(2025, 4, 2), "E2", "E3", 10, "colleague"]]))
    assert messages(report, 2) == ["E2 (Lee) and E3 (Park) are both in Finance on 2025-04-02; "
                                   "points go to another department"]


def test_same_department_allowed_by_rules(make_book):
    report = check(make_book([[D(2025, 4, 2), "E2", "E3", 10, "colleague"]],
                             Rules=[["Rule", "Value"], ["forbid_same_department", "no"]]))
    assert report.valid


def test_points_rule(make_book):
    report = check(make_book([
        [D(2025, 4, 2), "E1", "E2", "ten", "a"],
        [D(2025, 4, 2), "E1", "E2", 10.5, "b"],
        [D(2025, 4, 2), "E1", "E4", 201, "c"],
        [D(2025, 4, 2), "E1", "E4", None, "d"],
        [D(2025, 4, 2), "E1", "E3", " 20 ", "number stored as text"],
    ]))
    assert rules_by_row(report) == {2: ["points"], 3: ["points"], 4: ["points"], 5: ["points"]}
    assert messages(report, 2) == ["Points 'ten' is not a number; expected a whole number "
                                   "from 1 to 200"]
    assert messages(report, 3) == ["Points 10.5 is not a whole number; expected a whole number"
                                   " from 1 to 200"]
    assert messages(report, 4) == ["Points 201 is outside 1 to 200"]
    assert messages(report, 5) == ["Points is blank; expected a whole number from 1 to 200"]


def test_points_step(make_book):
    report = check(make_book([[D(2025, 4, 2), "E1", "E2", 15, "a"]],
                             Rules=[["Rule", "Value"], ["points_step", "10"]]))
    assert messages(report, 2) == ["Points 15 is not a multiple of 10"]


def test_message_blank_or_spaces(make_book):
    report = check(make_book([[D(2025, 4, 2), "E1", "E2", 10, "   "]]))
    assert messages(report, 2) == ["Message is blank; write what the colleague helped with"]


def test_every_reason_reported(make_book):
    report = check(make_book([[D(2025, 4, 2), "E2", "E3", 0, None]]))
    assert rules_by_row(report) == {2: ["same-department", "points", "message"]}


def test_dependent_checks_skipped(make_book):
    report = check(make_book([
        ["not a date", "E7", "E1", 10, "bad date: no staff or department check"],
        [D(2025, 4, 2), "E99", "E7", 10, "unknown sender: receiver still checked"],
        [D(2025, 4, 2), "E99", "E1", 10, "unknown sender: no department check"],
    ]))
    assert rules_by_row(report) == {2: ["date"], 3: ["unknown-person", "not-on-staff"],
                                     4: ["unknown-person"]}


def test_department_on_the_day_with_a_move(make_book):
    moves = [["Date", "ID", "Department"], [D(2025, 4, 15), "E2", "Planning"]]
    report = check(make_book([
        [D(2025, 4, 14), "E2", "E1", 10, "before the move: Finance to Planning"],
        [D(2025, 4, 15), "E2", "E1", 10, "on the day of the move: same department"],
        [D(2025, 4, 16), "E3", "E2", 10, "after: Finance to Planning is fine"],
    ], Moves=moves))
    assert rules_by_row(report) == {3: ["same-department"]}
    assert messages(report, 3) == ["E2 (Lee) and E1 (Kim) are both in Planning on 2025-04-15; "
                                   "points go to another department"]


def test_joiner_gets_nothing_until_next_first(make_book):
    report = check(make_book([
        [D(2025, 3, 20), "E5", "E1", 10, "joined 3/10"],
        [D(2025, 4, 2), "E5", "E1", 10, "April is fine"],
    ]))
    assert rules_by_row(report) == {2: ["allowance"]}
    assert messages(report, 2) == ["E5 (Jung) has no grant in 2025-03 (not on the staff on "
                                   "the 1st); this row sends 10"]


def test_joiner_granted_on_join_when_rules_say_so(make_book):
    report = check(make_book([[D(2025, 3, 20), "E5", "E1", 10, "joined 3/10"]],
                             Rules=[["Rule", "Value"], ["grant_joiners", "on_join"]]))
    assert report.valid


def test_duplicate_warning_keeps_row_accepted(make_book):
    report = check(make_book([
        [dt.datetime(2025, 4, 2, 9, 0), "E1", "E2", 10, "thanks"],
        [dt.datetime(2025, 4, 2, 9, 5), "E1", "E2", 10, "thanks"],
        [dt.datetime(2025, 4, 2, 9, 30), "E1", "E2", 10, "thanks"],
    ]))
    assert [(v.row, v.rule, v.severity) for v in report.violations] == [
        (3, "duplicate", "warning"), (4, "pair-limit", "error")]
    assert messages(report, 3) == ["same sender, receiver, points and message as row 2 within "
                                   "10 minutes: a likely double submission"]
    assert report.stats.warnings == 1 and report.stats.accepted == 2
