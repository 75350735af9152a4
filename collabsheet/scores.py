"""Scores, department totals, ranks, commendations and the summary (RULES.md sections 5-6).

Scores are kept as whole numbers of 1/scale points (scale = 10 ** decimals of the weights), so a
half point stays exactly .5 and equal scores compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import months
from .engine import Verdicts
from .intsort import distinct, runs
from .people import People
from .periods import Period

TOTAL = "total"


@dataclass
class Results:
    period: Period
    scale: int
    people: pd.DataFrame
    departments: pd.DataFrame
    commended_people: pd.DataFrame
    commended_departments: dict[str, pd.DataFrame]
    summary: pd.DataFrame
    flows: pd.DataFrame
    groups: list[str]

    def score(self, scaled: Any) -> int | float:
        """A scaled score as the number people read: 12 or 12.5."""
        q, r = divmod(int(scaled), self.scale)
        return q if r == 0 else int(scaled) / self.scale


def _scale(*weights: Decimal) -> tuple[int, list[int]]:
    places = max(max(0, -int(w.as_tuple().exponent)) for w in weights)
    scale = 10 ** places
    return scale, [int(w * scale) for w in weights]


def rank_desc(scores: pd.Series) -> pd.Series:
    """Equal scores share a rank and the next rank skips (1, 2, 2, 4)."""
    return scores.rank(method="min", ascending=False).astype(np.int64)


def commend(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """The top ``n`` by rank with a score above 0; a tie that crosses the line is listed whole
    and marked for the office to decide."""
    top = frame[(frame["rank"] <= n) & (frame["score"] > 0)].copy()
    sizes = frame[frame["score"] > 0].groupby("rank").size()
    top["tie"] = [bool(r + sizes.get(r, 1) - 1 > n) for r in top["rank"]]
    return top


def placed(v: Verdicts, day: pd.Timestamp) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Where every person of the staff is on ``day``, after moves: the department key (a
    categorical), its name as the Departments tab writes it, and its ranking group."""
    n = len(v.staff)
    dept = v.people.department_on(pd.Series(np.arange(n), dtype="Int64"), pd.Series(
        np.full(n, np.datetime64(day.to_datetime64(), "ns"))))
    codes = dept.cat.codes.to_numpy()
    keys = list(dept.cat.categories)
    names = np.array([v.dept_name.get(k, k) for k in keys] + [None], dtype=object)[codes]
    groups = np.array([v.dept_group.get(k) for k in keys] + [None], dtype=object)[codes]
    return dept, names, groups


def score_period(v: Verdicts, period: Period) -> Results:
    """Scores, ranks and commendations of people and departments over ``period``."""
    rules = v.rules
    scale, (rw, sw) = _scale(rules.received_weight, rules.sent_weight)
    log = v.log
    in_period = log["accepted"] & log["month"].between(period.first, period.last)
    acc = log.loc[in_period, ["month", "sender", "receiver", "points", "sender_dept",
                              "receiver_dept"]]
    sp = v.special
    sp_in = sp[sp["accepted"] & sp["month"].between(period.first, period.last)]
    n = len(v.staff)
    people: People = v.people

    sender = acc["sender"].to_numpy(dtype=np.int64)
    receiver = acc["receiver"].to_numpy(dtype=np.int64)
    pts = acc["points"].to_numpy(dtype=np.int64)
    received = np.bincount(receiver, weights=pts, minlength=n).astype(np.int64)
    sent = np.bincount(sender, weights=pts, minlength=n).astype(np.int64)
    sends = np.bincount(sender, minlength=n)
    receipts = np.bincount(receiver, minlength=n)
    special = np.bincount(sp_in["person"].to_numpy(dtype=np.int64),
                          weights=sp_in["award"].to_numpy(dtype=np.int64), minlength=n
                          ).astype(np.int64)
    helped = np.bincount(distinct(receiver * n + sender) // n, minlength=n)
    scaled = received * rw + sent * sw + special * scale

    end = min(months.last_day(period.last), pd.Timestamp(v.as_of))
    dept_now, dept_name, group_now = placed(v, end)
    active = (sends + receipts + (special > 0)) > 0
    takes = v.staff["takes_part"].fillna(True).to_numpy(dtype=bool)
    keep = (takes | active) & v.staff["id"].notna().to_numpy()
    ppl = pd.DataFrame({
        "person": np.arange(n), "id": v.staff["id"].to_numpy(dtype=object),
        "name": v.staff["name"].to_numpy(dtype=object),
        "department": dept_name, "dept_key": dept_now.to_numpy(dtype=object),
        "group": group_now,
        "received": received, "sent": sent, "special": special, "score": scaled,
        "sends": sends, "receipts": receipts, "helped": helped,
    })[keep]
    ppl["rank"] = rank_desc(ppl["score"])
    ppl = ppl.sort_values(["rank", "id"], kind="stable").reset_index(drop=True)

    # departments: each event counts on the day of the event
    dkeys = list(v.dept_name)
    d = len(dkeys)

    known = set(dkeys)
    every = dkeys + [k for k in people.department_keys() if k not in known]
    value_set = pa.array(every, type=pa.large_string(), from_pandas=True)

    def dept_index(keys: pd.Series) -> np.ndarray:
        """Position in ``every`` of each key, -1 for none; a categorical maps its categories."""
        if isinstance(keys.dtype, pd.CategoricalDtype):
            lut = np.append(dept_index(pd.Series(keys.cat.categories, dtype=object)), -1)
            out: np.ndarray = lut[keys.cat.codes.to_numpy()]
            return out
        arr = pa.array(keys.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
        found = pc.index_in(arr, value_set=value_set, skip_nulls=True)
        out = pc.fill_null(found, -1).to_numpy(zero_copy_only=False)
        return out

    def by_dept(idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
        ok = (idx >= 0) & (idx < d)
        return np.bincount(idx[ok], weights=weights[ok], minlength=d).astype(np.int64)

    recv_idx, send_idx = dept_index(acc["receiver_dept"]), dept_index(acc["sender_dept"])
    d_received = by_dept(recv_idx, pts)
    d_sent = by_dept(send_idx, pts)
    d_special = by_dept(dept_index(sp_in["department"]), sp_in["award"].to_numpy(dtype=np.int64))
    ones = np.ones(len(acc), dtype=np.int64)
    d_collab = by_dept(recv_idx, ones) + by_dept(send_idx, ones)
    members = pd.Series(dept_now.to_numpy(dtype=object)[keep]).value_counts()
    depts = pd.DataFrame({
        "dept_key": dkeys, "department": [v.dept_name[k] for k in dkeys],
        "group": [v.dept_group.get(k) for k in dkeys],
        "received": d_received, "sent": d_sent, "special": d_special,
        "score": d_received * rw + d_sent * sw + d_special * scale,
        "people": [int(members.get(k, 0)) for k in dkeys], "collaborations": d_collab,
    })
    depts = depts[depts["dept_key"].notna() & depts["group"].notna()]
    depts["rank"] = depts.groupby("group")["score"].rank(method="min", ascending=False
                                                         ).astype(np.int64)
    groups = list(dict.fromkeys(depts["group"]))
    depts["group_order"] = depts["group"].map({g: i for i, g in enumerate(groups)})
    depts = depts.sort_values(["group_order", "rank", "department"], kind="stable"
                              ).drop(columns="group_order").reset_index(drop=True)

    commended_people = commend(ppl, rules.commend_people)
    commended_depts = {g: commend(depts[depts["group"] == g], rules.commend_departments)
                       for g in groups}
    return Results(
        period=period, scale=scale, people=ppl, departments=depts,
        commended_people=commended_people, commended_departments=commended_depts,
        summary=_summary(v, period, acc, sp_in), flows=_flows(v, every, recv_idx, send_idx, pts),
        groups=groups,
    )


def _summary(v: Verdicts, period: Period, acc: pd.DataFrame, sp_in: pd.DataFrame
             ) -> pd.DataFrame:
    """Per month and for the period: the figures an office reports."""
    log = v.log
    month = log["month"].to_numpy(dtype=np.int64, na_value=0)
    rejected = month[~log["accepted"].to_numpy(dtype=bool)
                     & (month >= period.first) & (month <= period.last)]
    a_month = acc["month"].to_numpy(dtype=np.int64)
    points = acc["points"].to_numpy(dtype=np.int64)
    sender = acc["sender"].to_numpy(dtype=np.int64)
    receiver = acc["receiver"].to_numpy(dtype=np.int64)
    s_month = sp_in["month"].to_numpy(dtype=np.int64)
    n = len(v.staff)

    def how_many(people: np.ndarray) -> int:
        seen = np.zeros(n, dtype=bool)
        seen[people] = True
        return int(seen.sum())

    rows = []
    start = v.rules.start
    first = months.of_date(start) if start else period.first
    for m in [*(m for m in period.months if m >= first), None]:
        a = slice(None) if m is None else a_month == m
        rows.append({
            "month": TOTAL if m is None else months.name(m),
            "collaborations": len(a_month[a]), "points": int(points[a].sum()),
            "senders": how_many(sender[a]), "receivers": how_many(receiver[a]),
            "rejected": len(rejected) if m is None else int((rejected == m).sum()),
            "specials": len(s_month) if m is None else int((s_month == m).sum()),
        })
    return pd.DataFrame(rows)


def _flows(v: Verdicts, keys: list[str], helper: np.ndarray, helped: np.ndarray,
           points: np.ndarray) -> pd.DataFrame:
    """Who helps whom: receiver's department (helper) to sender's department (helped), counted
    on department positions so a million rows cost a few array operations."""
    ok = (helper >= 0) & (helped >= 0)
    k = len(keys)
    found = runs(helper[ok].astype(np.int64) * k + helped[ok])
    used = found.keys
    size = np.bincount(found.group, minlength=len(used)).astype(np.int64)
    total = np.bincount(found.group, weights=points[ok], minlength=len(used)).astype(np.int64)
    names = np.array([v.dept_name.get(key, key) for key in keys], dtype=object)
    g = pd.DataFrame({"helper": names[used // k], "helped": names[used % k],
                      "collaborations": size, "points": total})
    return g.sort_values(["points", "collaborations", "helper", "helped"],
                         ascending=[False, False, True, True], kind="stable"
                         ).reset_index(drop=True)
