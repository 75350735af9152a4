"""Checks 8 and 9 of RULES.md section 3: the pair limit and the month's allowance, over the rows
that passed checks 1-7, in time order (ties in sheet order), per sender and month.

``walk`` is the rule as RULES.md says it, one row after another: the reference. ``settle`` gives
the same answer for a million rows: cumulative sums and counts within groups settle every
(sender, month) where nothing goes over a limit, and only the groups where an earlier rejection
could change a later verdict are walked. A hypothesis test keeps the two equal."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .intsort import runs, stable_order
from .ledger import grants
from .people import People
from .settings import Rules


@dataclass(frozen=True)
class Sends:
    """The rows that passed checks 1-7, in time order (ties in sheet order), as arrays."""

    pos: np.ndarray
    """each send's position in the Log frame"""
    sender: np.ndarray
    receiver: np.ndarray
    month: np.ndarray
    points: np.ndarray
    group: np.ndarray
    """each send's (sender, month) group"""
    granted: np.ndarray
    """what the sender was granted in that month"""


@dataclass(frozen=True)
class Settled:
    """For each send of ``Sends``: the verdict and what checks 8 and 9 saw before it."""

    accepted: np.ndarray
    pair_before: np.ndarray
    left: np.ndarray


def sends(log: pd.DataFrame, people: People, rules: Rules) -> Sends:
    pos = np.flatnonzero(log["pre_valid"].to_numpy())
    pos = pos[stable_order(log["row"].to_numpy(dtype=np.int64)[pos])]
    pos = pos[stable_order(log["when"].to_numpy(dtype="datetime64[ns]")[pos].view(np.int64))]
    sender = log["sender"].to_numpy(dtype=np.int64, na_value=0)[pos]
    receiver = log["receiver"].to_numpy(dtype=np.int64, na_value=0)[pos]
    month = log["month"].to_numpy(dtype=np.int64, na_value=0)[pos]
    points = log["points"].to_numpy(dtype=float)[pos].astype(np.int64)
    if not len(pos):
        empty = np.array([], dtype=np.int64)
        return Sends(pos, sender, receiver, month, points, empty, empty)
    first_month = int(month.min())
    span = int(month.max()) - first_month + 1
    found = runs(sender * span + (month - first_month))
    keys = found.keys
    granted = grants(people, keys // span, keys % span + first_month, rules)[found.group]
    return Sends(pos, sender, receiver, month, points, found.group, granted)


def walk(s: Sends, max_pairs: int, only: np.ndarray | None = None) -> Settled:
    """RULES.md's reading, row by row: a send is accepted when the sender has sent to this
    receiver fewer than ``max_pairs`` times this month and the points fit in what is left; only
    an accepted send uses anything. ``only`` limits the walk to some places (whole groups)."""
    n = len(s.pos)
    accepted = np.zeros(n, dtype=bool)
    pair_before = np.zeros(n, dtype=np.int64)
    left = np.zeros(n, dtype=np.int64)
    at = np.arange(n) if only is None else only
    used_by: dict[int, int] = {}
    pairs: dict[tuple[int, int], int] = {}
    for i, g, r, pts, grant in zip(at.tolist(), s.group[at].tolist(), s.receiver[at].tolist(),
                                   s.points[at].tolist(), s.granted[at].tolist(), strict=True):
        used = used_by.get(g, 0)
        sent_pair = pairs.get((g, r), 0)
        ok = sent_pair < max_pairs and pts <= grant - used
        left[i], pair_before[i], accepted[i] = grant - used, sent_pair, ok
        if ok:
            used_by[g] = used + pts
            pairs[(g, r)] = sent_pair + 1
    return Settled(accepted, pair_before, left)


def settle(s: Sends, max_pairs: int) -> Settled:
    """What ``walk`` gives, with running sums where no limit is reached."""
    n = len(s.pos)
    if not n:
        return walk(s, max_pairs)
    by_month = runs(s.group)
    order, start = by_month.order, by_month.start
    sent_before = np.cumsum(s.points[order]) - s.points[order]
    spent = np.empty(n, dtype=np.int64)
    spent[order] = sent_before - sent_before[start]
    by_pair = runs(s.group * (int(s.receiver.max()) + 1) + s.receiver)
    pair_before = np.empty(n, dtype=np.int64)
    pair_before[by_pair.order] = np.arange(n) - by_pair.start

    over = (spent + s.points > s.granted) | (pair_before >= max_pairs)
    bad = np.zeros(int(s.group.max()) + 1, dtype=bool)
    bad[s.group[over]] = True
    hard = np.flatnonzero(bad[s.group])
    left = s.granted - spent
    accepted = ~over
    if len(hard):
        walked = walk(s, max_pairs, only=hard)
        accepted[hard] = walked.accepted[hard]
        pair_before[hard] = walked.pair_before[hard]
        left[hard] = walked.left[hard]
    return Settled(accepted, pair_before, left)


def order_checks(log: pd.DataFrame, people: People, rules: Rules) -> None:
    """Adds ``earlier_pair_sends``, ``points_left``, ``granted`` (NA where checks 8-9 do not
    apply) and ``accepted`` to the Log frame."""
    n = len(log)
    s = sends(log, people, rules)
    done = settle(s, rules.max_sends_per_pair)
    for col, values_at in (("earlier_pair_sends", done.pair_before), ("points_left", done.left),
                           ("granted", s.granted)):
        values = np.zeros(n, dtype=np.int64)
        missing = np.ones(n, dtype=bool)
        values[s.pos] = values_at
        missing[s.pos] = False
        log[col] = pd.arrays.IntegerArray(values, missing)
    result = np.zeros(n, dtype=bool)
    result[s.pos] = done.accepted
    log["accepted"] = result
