"""What each person is told about a month (``collabsheet notify``): the thanks they received,
their own rows that were rejected with the reasons, and at month end a statement.

Everything comes from one evaluation: the verdicts, the Report's messages (each with its fix),
the ledger and the ranking of the half-year so far. A person's notice holds only their own
rows; nobody's rejected rows or statement go to anyone else. Each item has a key (a Log row's
content fingerprint, or the statement's month) so that what was told once can be left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
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


def notices(v: Verdicts, report: Report, month: int,
            covered: Mapping[str, Collection[str]] | None = None) -> Notices:
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
    n_people = len(staff)
    frame = ledger(v)
    frame = frame[frame["month_code"] == month]
    person = frame["person"].to_numpy(dtype=np.int64)
    on_ledger = np.zeros(n_people, dtype=bool)
    on_ledger[person] = True
    granted, sent, expired, left = (np.zeros(n_people, dtype=np.int64) for _ in range(4))
    for into, col in ((granted, "granted"), (sent, "sent"), (expired, "expired"),
                      (left, "left")):
        into[person] = frame[col].to_numpy(dtype=np.int64)
    reasons: dict[int, list[str]] = {}
    log_tab = v.titles.get("log", "Log")
    for x in report.violations:
        if x.tab == log_tab and x.severity == "error":
            reasons.setdefault(x.row, []).append(x.message)
    ranking = score_period(v, _half(month)) if ended else None
    scaled = np.zeros(n_people, dtype=np.int64)
    if ranking is not None:
        scaled[ranking.people["person"].to_numpy(dtype=np.int64)] = \
            ranking.people["score"].to_numpy(dtype=np.int64)
    thanks: dict[int, list[Thanks]] = {}
    refused: dict[int, list[Refusal]] = {}
    cols = {c: in_month[c].to_numpy(dtype=object, na_value=None)
            for c in ("row", "sender", "receiver", "sender_dept", "points", "to", "points_text",
                      "message")}
    days = in_month["when"].dt.date.to_numpy(dtype=object, na_value=None)
    accepted = in_month["accepted"].to_numpy(dtype=bool)
    for i, row in enumerate(cols["row"]):
        key = keys.get(row)
        if key is None:
            continue
        sender, receiver = cols["sender"][i], cols["receiver"][i]
        if accepted[i] and receiver is not None:
            thanks.setdefault(receiver, []).append(Thanks(
                key, row, days[i] or v.as_of, str(ids[sender]), str(names[sender]),
                _department(v, cols["sender_dept"][i]), int(cols["points"][i]),
                str(cols["message"][i] or "")))
        elif not accepted[i] and sender is not None:
            refused.setdefault(sender, []).append(Refusal(
                key, row, days[i], str(cols["to"][i] or ""), str(cols["points_text"][i] or ""),
                tuple(reasons.get(row, []))))
    got_points = in_month[in_month["accepted"]]
    receivers = got_points["receiver"].to_numpy(dtype=np.int64)
    received = np.bincount(receivers, weights=got_points["points"].to_numpy(dtype=float),
                           minlength=n_people).astype(np.int64)
    has_received = np.bincount(receivers, minlength=n_people) > 0
    told_of = set(thanks) | set(refused)
    if ended:
        active = on_ledger & ((granted != 0) | (sent != 0) | has_received)
        told_of |= set(np.flatnonzero(active).tolist())
    statement_key = f"statement:{months.name(month)}"
    half = _half(month)
    out, missing = [], []
    for p in sorted(told_of):
        pid = str(ids[p])
        told = covered.get(pid, ())
        statement = None
        if ended and on_ledger[p] and statement_key not in told and (
                granted[p] or sent[p] or has_received[p]):
            statement = Statement(
                statement_key, month, int(granted[p]), int(sent[p]), int(expired[p]),
                int(received[p]), ranking.score(int(scaled[p])) if ranking is not None else 0,
                half)
        got = tuple(t for t in thanks.get(p, []) if t.key not in told)
        bad = tuple(r for r in refused.get(p, []) if r.key not in told)
        if not (got or bad or statement):
            continue
        email = emails[p]
        address = None if email is None or pd.isna(email) or not str(email).strip() \
            else str(email).strip()
        if address is None:
            missing.append(pid)
        out.append(Notice(pid, str(names[p]), address, got, bad,
                          int(left[p]) if open_month and on_ledger[p] else None, statement))
    return Notices(month, v.as_of, v.lang, v.source, tuple(out), tuple(missing))

