"""Gaming signals: patterns that stay within the rules but deserve a look. They are warnings,
never rejections; the thresholds are Rules keys (signal_*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .engine import Verdicts
from .labels import result_title, word
from .periods import Period
from .report import Violation
from .tabs import Column, ResultTab, Table


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
    edges = acc.groupby(["month", "sender", "receiver"]).agg(
        points=("points", "sum"), first=("row", "min"))
    edges = edges.reset_index()
    edges[["month", "sender", "receiver"]] = edges[["month", "sender", "receiver"]].astype(int)
    out: list[Signal] = []
    # reciprocal pairs
    need = float(rules.signal_pair_share) * rules.monthly_allowance
    strong = edges[edges["points"] >= need]
    pairs = strong.merge(strong, left_on=["month", "sender", "receiver"],
                         right_on=["month", "receiver", "sender"], suffixes=("", "_back"))
    for r in pairs[pairs["sender"] < pairs["receiver"]].itertuples():
        a, b, m = ids[r.sender], ids[r.receiver], Period.name(r.month)
        out.append(Signal("signal-reciprocal", m, f"{a}, {b}", int(r.points + r.points_back),
                          [int(r.first), int(r.first_back)],
                          f"{a} and {b} sent each other {int(r.points)} and "
                          f"{int(r.points_back)} points in {m}"))
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
        a, b, c, m = ids[r.sender], ids[r.receiver], ids[r.receiver_2], Period.name(r.month)
        out.append(Signal("signal-ring", m, f"{a}, {b}, {c}",
                          int(r.points + r.points_2 + r.points_3),
                          [int(r.first), int(r.first_2), int(r.first_3)],
                          f"{a} -> {b} -> {c} -> {a}: a closed ring in {m}"))
    # one sender, one receiver, month after month
    share = float(rules.signal_one_share) * rules.monthly_allowance
    heavy = edges[edges["points"] >= share]
    counts = heavy.groupby(["sender", "receiver"]).agg(months=("month", "nunique"),
                                                       points=("points", "sum"),
                                                       first=("first", "min"))
    for (s, r), row in counts[counts["months"] >= rules.signal_one_months].iterrows():
        out.append(Signal("signal-concentration", "", f"{ids[s]}, {ids[r]}", int(row.points),
                          [int(row["first"])],
                          f"{ids[s]} gave {ids[r]} most of the monthly grant in "
                          f"{int(row.months)} months"))
    # the same message pasted across many rows
    text = acc["message"].astype("str").str.strip().str.lower()
    long = acc[text.str.len() >= 8]
    if len(long):
        groups = long.groupby(text[long.index])["row"].agg(["size", "min"])
        for msg, g in groups[groups["size"] >= rules.signal_paste_rows].iterrows():
            out.append(Signal("signal-pasted", "", "", 0, [int(g["min"])],
                              f"the same message appears in {int(g['size'])} rows: {msg[:60]!r}"))
    return out


def signal_violations(v: Verdicts, signals: list[Signal]) -> list[Violation]:
    tab = v.titles.get("log", "Log")
    return [Violation(tab, s.rows[0], "", s.kind, "warning", s.people, s.message)
            for s in signals]


def signals_tab(signals: list[Signal], lang: str) -> ResultTab:
    heads = [Column("Signal", "text", 22), Column(word("month", lang), "text", 10),
             Column(word("people", lang), "text", 24), Column(word("points", lang), "int", 10),
             Column(word("row", lang), "text", 16), Column(word("message", lang), "text", 80)]
    values: list[list[Any]] = [[s.kind for s in signals], [s.month or None for s in signals],
              [s.people or None for s in signals], [s.points or None for s in signals],
              [", ".join(map(str, s.rows)) for s in signals], [s.message for s in signals]]
    return ResultTab("signals", result_title("signals", lang), [Table(heads, values)])



