"""Months as integer codes (year * 12 + month - 1), written once: a million rows group by month
with integer arithmetic, and a code turns back into YYYY-MM or its first day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def code(year: int, month: int) -> int:
    return year * 12 + month - 1


def of_date(day: dt.date) -> int:
    return code(day.year, day.month)


def name(month: int) -> str:
    """2025-03."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def of_times(ts: pd.Series) -> pd.Series:
    """The month code of each timestamp (NA where there is none)."""
    return (ts.dt.year * 12 + ts.dt.month - 1).astype("Int64")


def first_days(months: np.ndarray) -> np.ndarray:
    """The first day of each month code, as datetime64[ns]."""
    m = np.asarray(months, dtype=np.int64)
    return ((m // 12 - 1970) * 12 + m % 12).astype("datetime64[M]").astype("datetime64[ns]")


def last_day(month: int) -> pd.Timestamp:
    """The last day of a month code."""
    return pd.Timestamp(year=month // 12, month=month % 12 + 1, day=1) + pd.offsets.MonthEnd(0)
