"""What real spreadsheet cells hold, turned into typed values, column at a time.

Backends hand every cell over as text (or missing); these functions decide what the text
means: a date in any of the forms people and forms type, a serial number (counted from the
workbook's epoch), a number stored as text. They never raise on bad input: what cannot be read
becomes missing, and the caller reports it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .sheetref import EPOCH_1900

EXCEL_EPOCH = pd.Timestamp(EPOCH_1900)
# Dates before this are not taken as real dates of the scheme (a time typed alone reads as 1899,
# or 1904 in a workbook of the 1904 date system).
EARLIEST = pd.Timestamp("2000-01-01")
LATEST = pd.Timestamp("2200-01-01")

_TEXT_DATE = re.compile(
    r"^\s*(?P<y>\d{4})\s*(?:[-./]|년)\s*(?P<m>\d{1,2})\s*(?:[-./]|월)\s*(?P<d>\d{1,2})\s*[.일]?"
    r"(?:\s*[T ]?\s*(?P<ap1>오전|오후|AM|PM|am|pm)?\s*"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?\s*(?P<ap2>AM|PM|am|pm|오전|오후)?)?\s*$"
)


def _from_match(m: re.Match[str]) -> pd.Timestamp | None:
    try:
        hour = int(m["H"] or 0)
        ampm = (m["ap1"] or m["ap2"] or "").upper()
        if ampm in ("PM", "오후") and hour < 12:
            hour += 12
        elif ampm in ("AM", "오전") and hour == 12:
            hour = 0
        ts = pd.Timestamp(
            dt.datetime(int(m["y"]), int(m["m"]), int(m["d"]), hour, int(m["M"] or 0),
                        int(m["S"] or 0))
        )
    except (ValueError, OverflowError):
        return None
    return ts


def parse_date_text(text: str, epoch: dt.datetime = EPOCH_1900) -> pd.Timestamp | None:
    """One text date, year first; None when it is not an unambiguous date."""
    out = parse_dates(pd.Series([text], dtype=object), epoch).iloc[0]
    return None if pd.isna(out) else pd.Timestamp(out)


def arrow_text(values: pd.Series) -> pa.Array:
    """A text column as one Arrow large_string array (nulls kept)."""
    arr = pa.array(values.astype("str").array if not isinstance(values.dtype, pd.StringDtype)
                   else values.array, type=pa.large_string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _fast(values: pd.Series, pattern: str, convert: Callable[[pa.Array], np.ndarray],
          slow: Callable[[pd.Series], pd.Series], empty: np.ndarray) -> pd.Series:
    """Convert the cells whose text matches ``pattern`` in Arrow, the rest with ``slow``.
    Almost every cell of a real log takes the fast way; the odd forms keep their full rules."""
    if not isinstance(values.dtype, pd.StringDtype) or not len(values):
        return slow(values)
    arr = arrow_text(values)
    plain = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    mask = plain.to_numpy(zero_copy_only=False)
    out = empty.copy()
    if mask.any():
        out[mask] = convert(arr.filter(plain))
    rest = (~mask | pd.isna(out)) & values.notna().to_numpy()
    if rest.any():
        out[rest] = slow(values[rest]).to_numpy(dtype=out.dtype)
    return pd.Series(out, index=values.index)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Cell texts to floats; numbers stored as text (with spaces or thousands commas) count."""
    return _fast(values, r"^-?\d{1,15}(\.\d{1,15})?$",
                 lambda arr: pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False),
                 _parse_numbers_slow, np.full(len(values), np.nan)).astype(float)


def parse_dates(values: pd.Series, epoch: dt.datetime = EPOCH_1900) -> pd.Series:
    """Cell texts to naive local timestamps; NaT where the text is not a plausible date.

    A number is a serial: days since ``epoch``, the workbook's (1899-12-30, or 1904-01-01 in
    the 1904 date system)."""
    text = values.astype(object).where(values.notna(), None)
    result = pd.to_datetime(text, format="ISO8601", errors="coerce")
    result = pd.Series(np.asarray(result, dtype="datetime64[ns]"), index=values.index)
    todo = result.isna() & text.notna()
    if todo.any():
        start = pd.Timestamp(epoch)
        numbers = pd.to_numeric(text[todo], errors="coerce")
        serial = numbers[(numbers >= (EARLIEST - start).days)
                         & (numbers <= (LATEST - start).days)]
        if len(serial):
            stamps = start + pd.to_timedelta(
                np.round(serial.to_numpy(dtype=float) * 86400), unit="s")
            result.loc[serial.index] = stamps.to_numpy()
        todo = result.isna() & text.notna()
        at: list[object] = []
        read: list[pd.Timestamp] = []
        for idx, t in zip(todo[todo].index, text[todo].tolist(), strict=True):
            m = _TEXT_DATE.match(str(t))
            ts = _from_match(m) if m else None
            if ts is not None:
                at.append(idx)
                read.append(ts)
        if at:
            result.loc[at] = np.array(read, dtype="datetime64[ns]")
    result = result.where((result >= EARLIEST) & (result <= LATEST))
    return result


def _parse_numbers_slow(values: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), None)
    out = pd.to_numeric(text, errors="coerce")
    todo = out.isna() & text.notna()
    if todo.any():
        cleaned = text[todo].map(lambda t: str(t).replace(",", "").strip())
        out.loc[todo] = pd.to_numeric(cleaned, errors="coerce")
    return out.astype(float)


def _as_str(values: pd.Series) -> pd.Series:
    if values.dtype == "str":
        return values
    text = values.where(values.notna(), None)
    return text.astype("str") if len(values) else pd.Series([], dtype="str")


def clean_text(values: pd.Series) -> pd.Series:
    """Stripped text (Arrow strings); missing where the cell is blank or only spaces."""
    text = _as_str(values).str.strip()
    return text.where(text != "")


def id_key(values: pd.Series) -> pd.Series:
    """The form ids and emails are matched in: stripped, lower-case, '1002.0' read as '1002'."""
    text = clean_text(values).str.lower()
    dotted = text.str.contains(".0", regex=False).fillna(False).to_numpy(dtype=bool)
    if dotted.any():
        text = text.copy()
        text[dotted] = text[dotted].str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return text
