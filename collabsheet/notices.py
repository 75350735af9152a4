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
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from . import months
from .collector import paused
from .engine import Verdicts
from .ledger import ledger
from .periods import Period
from .report import Report
from .scores import score_period
from .seal import log_fingerprints


class Thanks(NamedTuple):
    """One accepted row, as its receiver is told it. The items are named tuples rather than
    dataclasses: a large office's month makes 400,000 of them, and a frozen dataclass costs
    five times as much to build."""

    key: str
    row: int
    day: dt.date
    sender: str
    name: str
    department: str
    points: int
    message: str


class Refusal(NamedTuple):
    key: str
    row: int
    day: dt.date | None
    receiver: str
    points: str
    reasons: tuple[str, ...]


class Statement(NamedTuple):
    key: str
    month: int
    granted: int
    sent: int
    expired: int
    received: int
    score: int | float
    period: Period
    """the ranking period so far: its half-year's first month to ``month``"""


class Notice(NamedTuple):
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
    for row, fingerprint in log_fingerprints(v, month):
        n = seen.get(fingerprint, 0)
        seen[fingerprint] = n + 1
        out[row] = f"log:{fingerprint}" + (f"#{n + 1}" if n else "")
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


def _objects(frame: pd.DataFrame, name: str) -> list[Any]:
    return list(frame[name].to_numpy(dtype=object, na_value=None))


def _ints(frame: pd.DataFrame, name: str) -> list[int]:
    return list(frame[name].to_numpy(dtype=np.int64).tolist())


def _days(frame: pd.DataFrame) -> list[dt.date | None]:
    return list(frame["when"].dt.date.to_numpy(dtype=object, na_value=None))


@paused()
def notices(v: Verdicts, report: Report, month: int,
            covered: Mapping[str, Collection[str]] | None = None) -> Notices:
    """Everyone's notice for ``month`` as of the verdicts' day, leaving out what ``covered``
    (ID -> keys told before) lists."""
    covered = covered or {}
    log = v.log
    staff = v.staff
    ids = staff["id"].to_numpy(dtype=object)
    names = staff["name"].to_numpy(dtype=object)
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
    accepted = in_month["accepted"].to_numpy(dtype=bool)
    keyed = in_month["row"].isin(list(keys)).to_numpy(dtype=bool)
    good = in_month[accepted & keyed & in_month["receiver"].notna().to_numpy(dtype=bool)]
    senders = good["sender"].to_numpy(dtype=np.int64)
    dept_keys = _objects(good, "sender_dept")
    dept_names = {d: _department(v, d) for d in set(dept_keys)}
    depts = [dept_names[d] for d in dept_keys]
    for row, day, receiver, sid, name, dept, points, message in zip(
            _ints(good, "row"), _days(good), _ints(good, "receiver"), ids[senders].tolist(),
            names[senders].tolist(), depts, _ints(good, "points"), _objects(good, "message"),
            strict=True):
        thanks.setdefault(receiver, []).append(Thanks(
            keys[row], row, day or v.as_of, str(sid), str(name), dept, points,
            str(message or "")))
    bad = in_month[~accepted & keyed & in_month["sender"].notna().to_numpy(dtype=bool)]
    for row, day, sender, to, points_text in zip(
            _ints(bad, "row"), _days(bad), _ints(bad, "sender"), _objects(bad, "to"),
            _objects(bad, "points_text"), strict=True):
        refused.setdefault(sender, []).append(Refusal(
            keys[row], row, day, str(to or ""), str(points_text or ""),
            tuple(reasons.get(row, []))))
    got_points = in_month[in_month["accepted"]]
    receivers = got_points["receiver"].to_numpy(dtype=np.int64)
    received = np.bincount(receivers, weights=got_points["points"].to_numpy(dtype=float),
                           minlength=n_people).astype(np.int64)
    has_received = np.bincount(receivers, minlength=n_people) > 0
    due = on_ledger & ((granted != 0) | (sent != 0) | has_received) if ended \
        else np.zeros(n_people, dtype=bool)
    told_of = set(thanks) | set(refused) | set(np.flatnonzero(due).tolist())
    statement_key = f"statement:{months.name(month)}"
    half = _half(month)
    email = staff["email"].astype("str").str.strip()
    addresses = email.where(email != "").to_numpy(dtype=object, na_value=None)
    g, s, e, r, score, rest, dues, ledgered = (
        x.tolist() for x in (granted, sent, expired, received, scaled, left, due, on_ledger))
    id_texts = [str(x) for x in ids.tolist()]
    name_texts = [str(x) for x in names.tolist()]
    addresses = addresses.tolist()
    out, missing = [], []
    for p in sorted(told_of):
        pid = id_texts[p]
        told = covered.get(pid, ())
        statement = None
        if dues[p] and statement_key not in told:
            statement = Statement(statement_key, month, g[p], s[p], e[p], r[p],
                                  ranking.score(score[p]) if ranking is not None else 0, half)
        got = tuple(x for x in thanks.get(p, ()) if x.key not in told) if told \
            else tuple(thanks.get(p, ()))
        bad = tuple(x for x in refused.get(p, ()) if x.key not in told) if told \
            else tuple(refused.get(p, ()))
        if not (got or bad or statement):
            continue
        address = addresses[p]
        if address is None:
            missing.append(pid)
        out.append(Notice(pid, name_texts[p], address, got, bad,
                          rest[p] if open_month and ledgered[p] else None, statement))
    return Notices(month, v.as_of, v.lang, v.source, tuple(out), tuple(missing))

