"""Monthly grants and expiry (RULES.md section 2): who is granted what on each 1st, and the
ledger of one row per person per month, recomputed whole from the tabs on every run, so running
it twice changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import months
from .people import People
from .settings import Rules

if TYPE_CHECKING:
    from .engine import Verdicts


def grants(people: People, person: np.ndarray, month: np.ndarray, rules: Rules) -> np.ndarray:
    """Points each person is granted in each month: the allowance when they take part and are
    on the staff on the 1st (or, with grant_joiners = on_join, join during the month)."""
    firsts = months.first_days(month)
    j, lv = people.joined[person], people.left[person]
    on_first = people.takes[person] & (np.isnat(j) | (j <= firsts)) & (
        np.isnat(lv) | (lv >= firsts))
    if rules.grant_joiners == "on_join":
        nexts = months.first_days(np.asarray(month) + 1)
        joins = people.takes[person] & ~np.isnat(j) & (j > firsts) & (j < nexts) & (
            np.isnat(lv) | (lv >= j))
        on_first = on_first | joins
    return np.where(on_first, rules.monthly_allowance, 0).astype(np.int64)


def first_month(v: Verdicts) -> int:
    """The scheme's first month: Rules start, else the earliest dated Log row, else as_of."""
    if v.rules.start is not None:
        return months.of_date(v.rules.start)
    dated = v.log["month"].dropna()
    as_of = months.of_date(v.as_of)
    return int(min(dated.min(), as_of)) if len(dated) else as_of


def scheme_months(v: Verdicts) -> tuple[int, int]:
    """The months the Log is judged and granted over: the scheme's first to the as-of month."""
    return first_month(v), months.of_date(v.as_of)


def ledger(v: Verdicts) -> pd.DataFrame:
    """Columns: person, id, month (YYYY-MM), granted, sent, expired, left."""
    as_of_month = months.of_date(v.as_of)
    first = first_month(v)
    codes = np.arange(first, as_of_month + 1, dtype=np.int64)
    n = len(v.staff)
    person = np.repeat(np.arange(n, dtype=np.int64), len(codes))
    month = np.tile(codes, n)
    granted = grants(v.people, person, month, v.rules) if len(person) else np.array([], np.int64)
    acc = v.log.loc[v.log["accepted"], ["sender", "month", "points"]]
    senders = acc["sender"].to_numpy(dtype=np.int64)
    sent_in = acc["month"].to_numpy(dtype=np.int64)
    inside = (sent_in >= first) & (sent_in <= as_of_month)
    sent = np.bincount(senders[inside] * len(codes) + (sent_in[inside] - first),
                       weights=acc["points"].to_numpy(dtype=float)[inside],
                       minlength=n * len(codes)).astype(np.int64)
    running = month == as_of_month
    rest = granted - sent
    return pd.DataFrame({
        "person": person,
        "id": v.staff["id"].take(person).reset_index(drop=True),
        "month_code": month,
        "month": pd.Categorical.from_codes(np.tile(np.arange(len(codes)), n),
                                           categories=[months.name(int(m)) for m in codes]),
        "granted": granted,
        "sent": sent,
        "expired": np.where(running, 0, rest),
        "left": np.where(running, rest, 0),
    })


def ledger_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    cols = ["id", "month", "granted", "sent", "expired", "left"]
    out = frame[cols]
    return [
        {"id": i, "month": m, "granted": int(g), "sent": int(s), "expired": int(e), "left": int(lf)}
        for i, m, g, s, e, lf in zip(*(out[c].to_numpy() for c in cols), strict=True)
    ]
