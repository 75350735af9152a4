"""Gaming signals: patterns that stay within the rules but deserve a look. They are warnings,
never rejections; the thresholds are Rules keys (signal_*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import months
from .catalogue import rule, say
from .engine import Verdicts
from .intsort import runs
from .labels import result_tab, word
from .ledger import scheme_months
from .report import Violation
from .resulttab import Column, ResultTab, Table


@dataclass(frozen=True)
class Signal:
    kind: str
    month: str
    people: str
    points: int
    rows: list[int]
    message: str


def find_signals(v: Verdicts) -> list[Signal]:
    acc = v.log.loc[v.log["accepted"], ["month", "sender", "receiver", "points", "row",
                                         "message"]]
    if not len(acc):
        return []
    rules = v.rules
    ids = v.staff["id"].to_numpy(dtype=object)
    edges = _edges(acc)
    out: list[Signal] = []
    # reciprocal pairs
    need = float(rules.signal_pair_share) * rules.monthly_allowance
    strong = edges[edges["points"] >= need]
    pairs = strong.merge(strong, left_on=["month", "sender", "receiver"],
                         right_on=["month", "receiver", "sender"], suffixes=("", "_back"))
    for r in pairs[pairs["sender"] < pairs["receiver"]].itertuples():
        a, b, m = ids[r.sender], ids[r.receiver], months.name(r.month)
        out.append(Signal("signal-reciprocal", m, f"{a}, {b}", int(r.points + r.points_back),
                          [int(r.first), int(r.first_back)],
                          say("signal-reciprocal", "default", v.lang, a=a, b=b,
                              first=int(r.points), second=int(r.points_back), month=m)))
    # rings of three
    ring = edges[edges["points"] >= rules.signal_ring_points][["month", "sender", "receiver",
                                                               "points", "first"]]
    tri = ring.merge(ring, left_on=["month", "receiver"], right_on=["month", "sender"],
                     suffixes=("", "_2")).merge(
        ring, left_on=["month", "receiver_2", "sender"], right_on=["month", "sender", "receiver"],
        suffixes=("", "_3"))
    tri = tri[(tri["sender"] < tri["receiver"]) & (tri["sender"] < tri["receiver_2"])
              & (tri["receiver"] != tri["receiver_2"])]
    for r in tri.itertuples():
        a, b, c, m = ids[r.sender], ids[r.receiver], ids[r.receiver_2], months.name(r.month)
        out.append(Signal("signal-ring", m, f"{a}, {b}, {c}",
                          int(r.points + r.points_2 + r.points_3),
                          [int(r.first), int(r.first_2), int(r.first_3)],
                          say("signal-ring", "default", v.lang, a=a, b=b, c=c, month=m)))
    # one sender, one receiver, month after month
    share = float(rules.signal_one_share) * rules.monthly_allowance
    heavy = edges[edges["points"] >= share]
    counts = heavy.groupby(["sender", "receiver"]).agg(months=("month", "nunique"),
                                                       points=("points", "sum"),
                                                       first=("first", "min"))
    for (s, r), row in counts[counts["months"] >= rules.signal_one_months].iterrows():
        out.append(Signal("signal-concentration", "", f"{ids[s]}, {ids[r]}", int(row.points),
                          [int(row["first"])],
                          say("signal-concentration", "default", v.lang, a=ids[s], b=ids[r],
                              n=int(row.months))))
    out += _pasted(acc, rules.signal_paste_rows, ids, v.lang)
    return out


def _pasted(acc: pd.DataFrame, most: int, ids: np.ndarray, lang: str) -> list[Signal]:
    """One sender sending one message (8 characters or more) to at least ``most`` different
    people in a month. Many people writing the same thanks ("감사합니다") is no signal."""
    text = acc["message"].astype("str").str.strip().str.lower()
    long = (text.str.len() >= 8).fillna(False).to_numpy(dtype=bool)
    if not long.any():
        return []
    codes, uniques = pd.factorize(text[long])
    sender = acc["sender"].to_numpy(dtype=np.int64)[long]
    month = acc["month"].to_numpy(dtype=np.int64)[long]
    receiver = acc["receiver"].to_numpy(dtype=np.int64)[long]
    senders, low = int(sender.max()) + 1, int(month.min())
    span = int(month.max()) - low + 1
    group, heads = pd.factorize((codes.astype(np.int64) * senders + sender) * span + month - low)
    width = int(receiver.max()) + 1
    big = (np.bincount(group, minlength=len(heads)) >= most)[group]
    pairs = np.unique(group[big].astype(np.int64) * width + receiver[big])
    people = np.bincount(pairs // width, minlength=len(heads))
    rows = acc["row"].to_numpy(dtype=np.int64)[long]
    first_at = np.full(len(heads), len(rows))
    np.minimum.at(first_at, group, np.arange(len(rows)))
    out = []
    for k in np.flatnonzero(people >= most):
        at = first_at[k]
        code, who, m = codes[at], sender[at], month[at]
        a, name = str(ids[who]), months.name(int(m))
        msg = str(uniques[code])
        out.append(Signal("signal-pasted", name, a, 0, [int(rows[first_at[k]])],
                          say("signal-pasted", "default", lang, a=a, n=int(people[k]),
                              month=name, text=msg[:60])))
    return out


def _edges(acc: pd.DataFrame) -> pd.DataFrame:
    """Accepted sends summed per (month, sender, receiver), in that order, with the first sheet
    row of each (``acc`` is in sheet order, so a key's first occurrence is its first row)."""
    month = acc["month"].to_numpy(dtype=np.int64)
    sender = acc["sender"].to_numpy(dtype=np.int64)
    receiver = acc["receiver"].to_numpy(dtype=np.int64)
    width = int(max(sender.max(), receiver.max())) + 1
    m0 = int(month.min())
    key = ((month - m0) * width + sender) * width + receiver
    found = runs(key)
    keys, first_at = found.keys, found.order[found.heads]
    points = np.bincount(found.group, weights=acc["points"].to_numpy(dtype=float),
                         minlength=len(keys))
    return pd.DataFrame({
        "month": keys // (width * width) + m0, "sender": keys // width % width,
        "receiver": keys % width, "points": points.astype(np.int64),
        "first": acc["row"].to_numpy(dtype=np.int64)[first_at],
    })


def signal_violations(v: Verdicts, signals: list[Signal]) -> list[Violation]:
    tab = v.titles.get("log", "Log")
    return [Violation(tab, s.rows[0], "", s.kind, rule(s.kind).severity, s.people, s.message)
            for s in signals]


def signals_tab(signals: list[Signal], v: Verdicts, lang: str) -> ResultTab:
    heads = [Column(word("signal", lang), "text", 22), Column(word("month", lang), "text", 10),
             Column(word("people", lang), "text", 24), Column(word("points", lang), "int", 10),
             Column(word("row", lang), "text", 16), Column(word("message", lang), "text", 80)]
    values: list[list[Any]] = [[s.kind for s in signals], [s.month or None for s in signals],
              [s.people or None for s in signals], [s.points or None for s in signals],
              [", ".join(map(str, s.rows)) for s in signals], [s.message for s in signals]]
    return result_tab("signals", lang, [Table(heads, values)], as_of=v.as_of,
                      span=scheme_months(v))
