"""The duplicate warning of RULES.md section 3: the same sender, receiver, points and message
within a few minutes (Rules: duplicate_minutes) is a likely double submission. The row is still
accepted; the warning names the earlier row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .intsort import stable_order


def earlier_copy(log: pd.DataFrame, minutes: int) -> pd.Series:
    """Sheet row of an earlier identical send within ``minutes``; NA where there is none.

    Identical means same sender, receiver, points and message; rows are sorted by those, then
    time and sheet row, so each row's predecessor in its group sits just before it."""
    n = len(log)
    ok = (log["sender"].notna() & log["receiver"].notna() & log["when"].notna()).to_numpy()
    values = np.zeros(n, dtype=np.int64)
    missing = np.ones(n, dtype=bool)
    if ok.any() and minutes > 0:
        idx = np.flatnonzero(ok)
        pair = (log["sender"].to_numpy(dtype=np.int64, na_value=0)[idx] * (n + 1)
                + log["receiver"].to_numpy(dtype=np.int64, na_value=0)[idx])
        points, _ = pd.factorize(log["points"].iloc[idx])
        message, uniques = pd.factorize(log["message"].iloc[idx].fillna(""))
        content = points.astype(np.int64) * (len(uniques) + 1) + message
        when = log["when"].to_numpy(dtype="datetime64[ns]")[idx].astype(np.int64)
        row = log["row"].to_numpy(dtype=np.int64)[idx]
        order = stable_order(row)
        for key in (when, content, pair):
            order = order[stable_order(key[order])]
        pair, content, when, row = pair[order], content[order], when[order], row[order]
        same = np.zeros(len(idx), dtype=bool)
        same[1:] = (pair[1:] == pair[:-1]) & (content[1:] == content[:-1]) & (
            when[1:] - when[:-1] <= minutes * 60 * 10**9)
        hit = np.flatnonzero(same)
        target = idx[order][hit]
        values[target] = row[hit - 1]
        missing[target] = False
    return pd.Series(pd.arrays.IntegerArray(values, missing), index=log.index)
