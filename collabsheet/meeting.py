"""The figures of the report for the executive meeting (``collabsheet report``).

Every figure is taken from what the result tabs show for the same period (``Results``: the
People, Departments ranking, Commendations and Summary tabs; the Ledger for who could send in a
month), never computed a second way, so the page and the tabs cannot disagree. What the page
adds is only arithmetic on those figures: shares, changes, orderings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import months
from .catalogue import rule
from .engine import Verdicts
from .ledger import ledger
from .periods import Period, parse_month
from .report import Report
from .scores import TOTAL, Results, score_period

FLOWS_SHOWN = 8
BALANCES_SHOWN = 3
DEPARTMENTS_CHARTED = 12
"""Departments in the participation chart: all of them up to this many, else the lowest and
the highest half each (a chart of 400 bars is read by nobody)."""
RULES_SHOWN = 3

HEADLINE = ("collaborations", "points", "senders", "receivers", "participation", "specials")


@dataclass(frozen=True)
class Figure:
    key: str
    value: float
    previous: float | None
    """the same figure over the period compared with; None when it has no data"""

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def change_share(self) -> float | None:
        """The change as a share of the previous value (None when that is 0 or unknown)."""
        if self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / self.previous


@dataclass(frozen=True)
class Person:
    rank: int
    id: str
    name: str
    department: str
    score: int | float
    tie: bool


@dataclass(frozen=True)
class Department:
    rank: int
    name: str
    score: int | float
    tie: bool


@dataclass(frozen=True)
class Month:
    code: int
    collaborations: int
    points: int
    senders: int
    staff: int
    """people granted points that month (the Ledger): those who could send"""

    @property
    def participation(self) -> float:
        return share(self.senders, self.staff)


@dataclass(frozen=True)
class Flow:
    helper: str
    helped: str
    collaborations: int
    points: int


@dataclass(frozen=True)
class Balance:
    department: str
    sent: int
    received: int


@dataclass(frozen=True)
class Uptake:
    department: str
    people: int
    senders: int

    @property
    def participation(self) -> float:
        return share(self.senders, self.people)


@dataclass(frozen=True)
class Broken:
    rule: str
    title: str
    rows: int


@dataclass(frozen=True)
class Meeting:
    """One period's page."""

    source: str
    lang: str
    as_of: dt.date
    period: Period
    compared: Period | None
    headline: tuple[Figure, ...]
    people: tuple[Person, ...]
    departments: tuple[tuple[str, tuple[Department, ...]], ...]
    months: tuple[Month, ...]
    flows: tuple[Flow, ...]
    flow_count: int
    givers: tuple[Balance, ...]
    takers: tuple[Balance, ...]
    uptake: tuple[Uptake, ...]
    uptake_count: int
    rejected: int
    broken: tuple[Broken, ...]
    staff: int

    def figure(self, key: str) -> Figure:
        return next(f for f in self.headline if f.key == key)


def share(part: int, whole: int) -> float:
    """A percentage with one decimal, as the office writes it (0 when there is no whole)."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def previous(period: Period) -> Period:
    """The period of the same length just before ``period``."""
    length = period.last - period.first + 1
    first, last = period.first - length, period.first - 1
    label = months.name(first) if length == 1 else f"{months.name(first)}..{months.name(last)}"
    return Period(first, last, label)


def _totals(res: Results) -> dict[str, float]:
    total = res.summary[res.summary["month"] == TOTAL].iloc[0]
    senders = int((res.people["sends"] > 0).sum())
    return {"collaborations": int(total["collaborations"]), "points": int(total["points"]),
            "senders": int(total["senders"]), "receivers": int(total["receivers"]),
            "participation": share(senders, len(res.people)),
            "specials": int(total["specials"])}


def _has_data(v: Verdicts, period: Period) -> bool:
    start = v.rules.start
    return period.last >= (months.of_date(start) if start else period.first) and (
        period.first <= months.of_date(v.as_of))


def _months(res: Results, frame: pd.DataFrame) -> tuple[Month, ...]:
    granted = frame[frame["granted"] > 0].groupby("month_code").size()
    out = []
    for row in res.summary[res.summary["month"] != TOTAL].itertuples():
        code = parse_month(str(row.month))
        out.append(Month(code, int(row.collaborations), int(row.points), int(row.senders),
                         int(granted.get(code, 0))))
    return tuple(out)


def _uptake(res: Results) -> tuple[tuple[Uptake, ...], int]:
    p = res.people[res.people["department"].notna()]
    grouped = p.assign(sender=p["sends"] > 0).groupby("department", sort=True)["sender"]
    sizes = grouped.size()
    rows = [Uptake(str(d), int(n), int(s))
            for d, n, s in zip(sizes.index, sizes, grouped.sum(), strict=True)]
    rows.sort(key=lambda u: (u.participation, u.department))
    if len(rows) > DEPARTMENTS_CHARTED:
        half = DEPARTMENTS_CHARTED // 2
        rows = rows[:half] + rows[-half:]
    return tuple(rows), int(grouped.ngroups)


def _balances(res: Results) -> tuple[tuple[Balance, ...], tuple[Balance, ...]]:
    d = res.departments
    rows = [Balance(str(r.department), int(r.sent), int(r.received)) for r in d.itertuples()]
    givers = sorted((b for b in rows if b.sent > b.received),
                    key=lambda b: (b.received - b.sent, b.department))
    takers = sorted((b for b in rows if b.received > b.sent),
                    key=lambda b: (b.sent - b.received, b.department))
    return tuple(givers[:BALANCES_SHOWN]), tuple(takers[:BALANCES_SHOWN])


def _broken(v: Verdicts, report: Report, period: Period, lang: str) -> tuple[Broken, ...]:
    """The rules the period's rejected Log rows broke most (a row breaking two counts for
    both)."""
    log = v.log
    month = log["month"].to_numpy(dtype=np.int64, na_value=-1)
    out = ~log["accepted"].to_numpy(dtype=bool) & (month >= period.first) & (
        month <= period.last)
    rows = set(log["row"].to_numpy(dtype=np.int64)[out].tolist())
    seen: set[tuple[str, int]] = set()
    counts: Counter[str] = Counter()
    for x in report.violations:
        if x.severity == "error" and x.tab == v.titles.get("log") and x.row in rows \
                and (x.rule, x.row) not in seen:
            seen.add((x.rule, x.row))
            counts[x.rule] += 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:RULES_SHOWN]
    return tuple(Broken(r, rule(r).title.get(lang) or rule(r).title["en"], n)
                 for r, n in ordered)


def meeting(v: Verdicts, report: Report, period: Period, compare: Period | None = None
            ) -> Meeting:
    """The page for ``period``, with each headline figure beside ``compare`` (default: the
    period of the same length just before)."""
    res = score_period(v, period)
    other = compare or previous(period)
    before = _totals(score_period(v, other)) if _has_data(v, other) else None
    now = _totals(res)
    headline = tuple(Figure(k, now[k], None if before is None else before[k])
                     for k in HEADLINE)
    people = tuple(Person(int(r.rank), str(r.id), str(r.name), str(r.department),
                          res.score(r.score), bool(r.tie))
                   for r in res.commended_people.itertuples())
    departments = tuple(
        (g, tuple(Department(int(r.rank), str(r.department), res.score(r.score), bool(r.tie))
                  for r in c.itertuples()))
        for g, c in res.commended_departments.items())
    flows = tuple(Flow(str(r.helper), str(r.helped), int(r.collaborations), int(r.points))
                  for r in res.flows.head(FLOWS_SHOWN).itertuples())
    givers, takers = _balances(res)
    uptake, uptake_count = _uptake(res)
    total = res.summary[res.summary["month"] == TOTAL].iloc[0]
    return Meeting(
        source=v.source, lang=v.lang, as_of=v.as_of, period=period,
        compared=other if before is not None else None, headline=headline, people=people,
        departments=departments, months=_months(res, ledger(v)), flows=flows,
        flow_count=len(res.flows), givers=givers, takers=takers, uptake=uptake,
        uptake_count=uptake_count, rejected=int(total["rejected"]),
        broken=_broken(v, report, period, v.lang), staff=len(res.people))
