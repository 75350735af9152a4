"""Monthly grants and expiry (RULES.md section 2): one row per person per month, recomputed
whole from the tabs on every run, so running it twice changes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .engine import People, Verdicts
from .periods import Period


def first_month(v: Verdicts) -> int:
    """The scheme's first month: Rules start, else the earliest dated Log row, else as_of."""
    if v.rules.start is not None:
        return Period.code(v.rules.start.year, v.rules.start.month)
    months = v.log["month"].dropna()
    as_of = Period.code(v.as_of.year, v.as_of.month)
    return int(min(months.min(), as_of)) if len(months) else as_of


def ledger(v: Verdicts, people: People | None = None) -> pd.DataFrame:
    """Columns: person, id, month (YYYY-MM), granted, sent, expired, left."""
    people = people or v.people or People(v.staff, pd.DataFrame())
    as_of_month = Period.code(v.as_of.year, v.as_of.month)
    first = first_month(v)
    months = np.arange(first, as_of_month + 1, dtype=np.int64)
    n = len(v.staff)
    person = np.repeat(np.arange(n, dtype=np.int64), len(months))
    month = np.tile(months, n)
    granted = people.grants(person, month, v.rules) if len(person) else np.array([], np.int64)
    acc = v.log.loc[v.log["accepted"], ["sender", "month", "points"]]
    senders = acc["sender"].to_numpy(dtype=np.int64)
    sent_in = acc["month"].to_numpy(dtype=np.int64)
    inside = (sent_in >= first) & (sent_in <= as_of_month)
    sent = np.bincount(senders[inside] * len(months) + (sent_in[inside] - first),
                       weights=acc["points"].to_numpy(dtype=float)[inside],
                       minlength=n * len(months)).astype(np.int64)
    running = month == as_of_month
    rest = granted - sent
    frame = pd.DataFrame({
        "person": person,
        "id": v.staff["id"].take(person).reset_index(drop=True),
        "month_code": month,
        "month": pd.Categorical.from_codes(np.tile(np.arange(len(months)), n),
                                           categories=[Period.name(int(m)) for m in months]),
        "granted": granted,
        "sent": sent,
        "expired": np.where(running, 0, rest),
        "left": np.where(running, rest, 0),
    })
    return frame


def ledger_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    cols = ["id", "month", "granted", "sent", "expired", "left"]
    out = frame[cols]
    return [
        {"id": i, "month": m, "granted": int(g), "sent": int(s), "expired": int(e), "left": int(lf)}
        for i, m, g, s, e, lf in zip(*(out[c].to_numpy() for c in cols), strict=True)
    ]

