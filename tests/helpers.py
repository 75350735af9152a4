"""Shared helpers for tests: run validate and pick out violations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import collabsheet
from collabsheet.report import Report

AS_OF = dt.date(2025, 7, 15)


def check(path: Path, as_of: dt.date = AS_OF) -> Report:
    return collabsheet.validate(path, as_of=as_of)


def rules_by_row(report: Report, tab: str = "Log") -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for v in report.violations:
        if v.tab == tab:
            out.setdefault(v.row, []).append(v.rule)
    return out


def messages(report: Report, row: int, tab: str = "Log") -> list[str]:
    return [v.message for v in report.violations if v.tab == tab and v.row == row]
