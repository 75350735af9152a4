"""What each person is told about a month (``collabsheet notify``): the thanks they received,
their own rows that were rejected with the reasons, and at month end a statement.

Everything comes from one evaluation: the verdicts, the Report's messages (each with its fix),
the ledger and the ranking of the half-year so far. A person's notice holds only their own
rows; nobody's rejected rows or statement go to anyone else. Each item has a key (a Log row's
content fingerprint, or the statement's month) so that what was told once can be left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from . import months
from .engine import Verdicts
from .ledger import ledger
from .periods import Period
from .report import Report
from .scores import score_period
from .seal import current_entries


@dataclass(frozen=True)
class Thanks:
    key: str
    row: int
    day: dt.date
    sender: str
    name: str
    department: str
    points: int
    message: str


@dataclass(frozen=True)
class Refusal:
    key: str
    row: int
    day: dt.date | None
    receiver: str
    points: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    key: str
    month: int
    granted: int
    sent: int
    expired: int
    received: int
    score: int | float
    period: Period
    """the ranking period so far: its half-year's first month to ``month``"""


@dataclass(frozen=True)
class Notice:
    id: str
    name: str
    email: str | None
    thanks: tuple[Thanks, ...]
    refused: tuple[Refusal, ...]
    left: int | None
    """points still to send while the month is open"""
    statement: Statement | None

    @property
    def covers(self) -> tuple[str, ...]:
        keys = [t.key for t in self.thanks] + [r.key for r in self.refused]
        return (*keys, *([self.statement.key] if self.statement else []))


@dataclass(frozen=True)
class Notices:
    month: int
    as_of: dt.date
    lang: str
    source: str
    notices: tuple[Notice, ...]
    without_email: tuple[str, ...]
    """IDs of people with something to be told and no email address on the Staff tab"""


def row_keys(v: Verdicts, month: int) -> dict[int, str]:
    """Each Log row of ``month`` -> "log:<content fingerprint>" (the seal's), a repeat of the
    same content numbered, so a key follows a row that moves but not one that is edited."""
    seen: dict[str, int] = {}
    out = {}
    log_tab = v.titles.get("log", "Log")
    for e in current_entries(v, month):
        if e.tab != log_tab:
            continue
        n = seen.get(e.fingerprint, 0)
        seen[e.fingerprint] = n + 1
        out[e.row] = f"log:{e.fingerprint}" + (f"#{n + 1}" if n else "")
    return out


def _half(month: int) -> Period:
    year, m = divmod(month, 12)
    first = year * 12 + (0 if m < 6 else 6)
    return Period(first, month, f"{months.name(first)}..{months.name(month)}")


def _department(v: Verdicts, key: object) -> str:
    """A department as the Departments tab writes it (the Log holds its folded key)."""
    if key is None or pd.isna(key):
        return ""
    return v.dept_name.get(str(key), str(key))


def _day(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def notices(v: Verdicts, report: Report, month: int,
            covered: Mapping[str, set[str]] | None = None) -> Notices:
    """Everyone's notice for ``month`` as of the verdicts' day, leaving out what ``covered``
    (ID -> keys told before) lists."""
    covered = covered or {}
    log = v.log
    staff = v.staff
    ids = staff["id"].to_numpy(dtype=object)
    names = staff["name"].to_numpy(dtype=object)
    emails = staff["email"].to_numpy(dtype=object)
    keys = row_keys(v, month)
    in_month = log[(log["month"] == month).fillna(False).to_numpy(dtype=bool)]
    open_month = month == months.of_date(v.as_of)
    ended = month < months.of_date(v.as_of)
    frame = ledger(v)
    frame = frame[frame["month_code"] == month].set_index("person")
    reasons: dict[int, list[str]] = {}
    log_tab = v.titles.get("log", "Log")
    for x in report.violations:
        if x.tab == log_tab and x.severity == "error":
            reasons.setdefault(x.row, []).append(x.message)
    ranking = score_period(v, _half(month)) if ended else None
    scores = ranking.people.set_index("person") if ranking is not None else None
    thanks: dict[int, list[Thanks]] = {}
    refused: dict[int, list[Refusal]] = {}
    for r in in_month.itertuples():
        key = keys.get(int(r.row))
        if key is None:
            continue
        if r.accepted and not pd.isna(r.receiver):
            s = int(r.sender)
            thanks.setdefault(int(r.receiver), []).append(Thanks(
                key, int(r.row), _day(r.when) or v.as_of, str(ids[s]), str(names[s]),
                _department(v, r.sender_dept), int(r.points), str(r.message or "")))
        elif not r.accepted and not pd.isna(r.sender):
            refused.setdefault(int(r.sender), []).append(Refusal(
                key, int(r.row), _day(r.when), str(r.to or ""), str(r.points_text or ""),
                tuple(reasons.get(int(r.row), []))))
    received = in_month[in_month["accepted"]].groupby("receiver")["points"].sum()
    people = sorted(set(thanks) | set(refused) | (set(frame.index) if ended else set()))
    out, missing = [], []
    for p in people:
        pid = str(ids[p])
        told = covered.get(pid, set())
        statement = None
        if ended and p in frame.index and f"statement:{months.name(month)}" not in told:
            row = frame.loc[p]
            if int(row["granted"]) or int(row["sent"]) or p in received.index:
                scaled = int(scores.loc[p, "score"]) if scores is not None and \
                    p in scores.index else 0
                statement = Statement(
                    f"statement:{months.name(month)}", month, int(row["granted"]),
                    int(row["sent"]), int(row["expired"]), int(received.get(p, 0)),
                    ranking.score(scaled) if ranking is not None else 0, _half(month))
        got = tuple(t for t in thanks.get(p, []) if t.key not in told)
        bad = tuple(r for r in refused.get(p, []) if r.key not in told)
        if not (got or bad or statement):
            continue
        left = int(frame.loc[p, "left"]) if open_month and p in frame.index else None
        email = emails[p]
        address = None if email is None or pd.isna(email) or not str(email).strip() \
            else str(email).strip()
        if address is None:
            missing.append(pid)
        out.append(Notice(pid, str(names[p]), address, got, bad, left, statement))
    return Notices(month, v.as_of, v.lang, v.source, tuple(out), tuple(missing))

