"""Gaming signals are warnings with the people and rows named, and a Signals tab."""

from __future__ import annotations

import datetime as dt

import openpyxl
from click.testing import CliRunner

import collabsheet
from collabsheet.cli import cli

D = dt.date


def test_signals(make_book):
    log = [
        [D(2025, 4, 2), "E1", "E4", 100, "thanks for the report"],   # reciprocal pair
        [D(2025, 4, 3), "E4", "E1", 100, "thank you as well"],
        [D(2025, 4, 5), "E2", "E5", 60, "ring one"],                  # ring E2 -> E5 -> E1
        [D(2025, 4, 6), "E5", "E1", 60, "ring two"],
        [D(2025, 4, 7), "E1", "E2", 60, "ring three"],
        *[[D(2025, m, 9), "E3", "E5", 170, f"monthly {m}"] for m in (4, 5, 6)],
        *[[D(2025, 5, 10 + k), "E2", r, 1, "great work, thanks!"]
          for k, r in enumerate(("E1", "E4", "E5"))],               # one sender pastes
        *[[D(2025, 6, 10 + k), s, r, 1, "감사합니다, 많이 배웠습니다"]   # many write the same
          for k, (s, r) in enumerate((("E1", "E2"), ("E3", "E4"), ("E4", "E3"),
                                      ("E5", "E2")))],
    ]
    rules = [["Rule", "Value"], ["signal_paste_rows", "3"]]
    report = collabsheet.validate(make_book(log, Rules=rules), as_of=D(2025, 7, 10))
    found = sorted((v.rule, v.row, v.message) for v in report.violations
                   if v.rule.startswith("signal-"))
    assert found == [
        ("signal-concentration", 7, "E3 gave E5 most of the monthly grant in 3 months"),
        ("signal-pasted", 10, "E2 sent the same message to 3 people in 2025-05: "
                              "'great work, thanks!'"),
        ("signal-reciprocal", 2, "E1 and E4 sent each other 100 and 100 points in 2025-04"),
        ("signal-ring", 6, "E1 -> E2 -> E5 -> E1: a closed ring in 2025-04"),
    ]
    assert all(v.severity == "warning" for v in report.violations)
    assert report.valid


def test_signal_thresholds_are_rules(make_book):
    log = [[D(2025, 4, 2), "E1", "E4", 100, "a"], [D(2025, 4, 3), "E4", "E1", 100, "b"]]
    rules = [["Rule", "Value"], ["signal_pair_share", "0.6"]]
    report = collabsheet.validate(make_book(log, Rules=rules), as_of=D(2025, 7, 10))
    assert not [v for v in report.violations if v.rule.startswith("signal-")]


def test_signals_tab(make_book):
    log = [[D(2025, 4, 2), "E1", "E4", 100, "a"], [D(2025, 4, 3), "E4", "E1", 100, "b"]]
    path = make_book(log)
    CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2025-07-10", "--write"])
    rows = list(openpyxl.load_workbook(path)["Signals"].iter_rows(values_only=True))
    assert rows == [("Signals · April to July 2025, as of 2025-07-10", *[None] * 5),
                    ("Signal", "Month", "People", "Points", "Row", "Problem"),
                    ("signal-reciprocal", "2025-04", "E1, E4", 200, "2, 3",
                     "E1 and E4 sent each other 100 and 100 points in 2025-04")]
