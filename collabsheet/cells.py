"""What real spreadsheet cells hold, turned into typed values, column at a time.

Backends hand every cell over as text (or missing); these functions decide what the text
means: a date in any of the forms people and forms type, a serial number (counted from the
workbook's epoch), ISO text with a UTC offset (converted to the office's time zone), a number
stored as text. They never raise on bad input: what cannot be read becomes missing, and the
caller reports it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
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
# A time followed by a UTC offset or Z, as pandas' ISO 8601 parser reads them: 14:30+09:00,
# 14:30:00.5+0900, 08:00 +09, 05:30:00Z.
_OFFSET = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)\s*$"

_TEXT_DATE = re.compile(
    r"^\s*(?P<y>\d{4})\s*(?:[-./]|년)\s*(?P<m>\d{1,2})\s*(?:[-./]|월)\s*(?P<d>\d{1,2})\s*[.일]?"
    r"(?:\s*\(?\s*(?:[월화수목금토일](?:요일)?|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?)\s*\)?)?"
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


def parse_date_text(text: str, epoch: dt.datetime = EPOCH_1900,
                    zone: dt.tzinfo | None = None) -> pd.Timestamp | None:
    """One text date, year first; None when it is not an unambiguous date."""
    out = parse_dates(pd.Series([text], dtype=object), epoch, zone).iloc[0]
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


def parse_dates(values: pd.Series, epoch: dt.datetime = EPOCH_1900,
                zone: dt.tzinfo | None = None, clock_zone: dt.tzinfo | None = None
                ) -> pd.Series:
    """Cell texts to naive office-local timestamps; NaT where the text is not a plausible date.

    A number is a serial: days since ``epoch``, the workbook's (1899-12-30, or 1904-01-01 in
    the 1904 date system). ISO text with a UTC offset or Z is converted to ``zone``, the
    office's time zone (UTC when None); text without one is office-local already.
    ``clock_zone`` is the zone of the workbook's own clock (a Google Sheet's): a serial with a
    time of day (a Form's Timestamp) is that zone's wall-clock time, converted to ``zone``; a
    serial of a whole day is a date someone typed, and stays that day."""
    text = values.astype(object).where(values.notna(), None)
    result = _iso(text, zone)
    todo = result.isna() & text.notna()
    if todo.any():
        start = pd.Timestamp(epoch)
        numbers = pd.to_numeric(text[todo], errors="coerce")
        serial = numbers[(numbers >= (EARLIEST - start).days)
                         & (numbers <= (LATEST - start).days)]
        if len(serial):
            stamps = start + pd.to_timedelta(
                np.round(serial.to_numpy(dtype=float) * 86400), unit="s")
            if clock_zone is not None and zone is not None and clock_zone != zone:
                stamps = _from_clock(pd.Series(stamps), clock_zone, zone)
            result.loc[serial.index] = stamps.to_numpy()
        todo = result.isna() & text.notna()
        at: list[object] = []
        read: list[pd.Timestamp] = []
        for idx, t in zip(todo[todo].index, text[todo].tolist(), strict=True):
            t = str(t)
            m = _TEXT_DATE.match(t if t.isascii() else unicodedata.normalize("NFKC", t))
            ts = _from_match(m) if m else None
            if ts is not None:
                at.append(idx)
                read.append(ts)
        if at:
            result.loc[at] = np.array(read, dtype="datetime64[ns]")
    result = result.where((result >= EARLIEST) & (result <= LATEST))
    return result


def _from_clock(stamps: pd.Series, clock: dt.tzinfo, zone: dt.tzinfo) -> pd.Series:
    """Wall-clock times of ``clock`` as wall-clock times of ``zone``; midnights (whole days)
    kept as they are."""
    timed = stamps != stamps.dt.normalize()
    if not timed.any():
        return stamps
    moved = (stamps[timed].dt.tz_localize(clock, ambiguous="NaT", nonexistent="shift_forward")
             .dt.tz_convert(zone).dt.tz_localize(None))
    out = stamps.copy()
    out[timed] = moved
    return out


def _iso(text: pd.Series, zone: dt.tzinfo | None) -> pd.Series:
    """ISO 8601 texts (object Series, None for blank) to naive office-local datetime64[ns];
    NaT where a text is not ISO 8601. Text without an offset (nearly every log) is parsed in
    one call, as before; only a column whose texts carry offsets takes a longer way."""
    try:
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    except ValueError:  # "Mixed timezones": offsets differ, or stand beside naive text
        return pd.Series(_iso_mixed(text, zone), index=text.index)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # every ISO text has this one offset
        return pd.Series(_local(parsed, zone), index=text.index)
    return pd.Series(np.asarray(parsed, dtype="datetime64[ns]"), index=text.index)


def _local(aware: pd.Series, zone: dt.tzinfo | None) -> np.ndarray:
    """Aware timestamps as naive wall-clock times in ``zone`` (UTC when None)."""
    return np.asarray(aware.dt.tz_convert(zone or dt.UTC).dt.tz_localize(None),
                      dtype="datetime64[ns]")


def _iso_mixed(text: pd.Series, zone: dt.tzinfo | None) -> np.ndarray:
    """The texts with an offset converted to ``zone``, the others read as office-local."""
    arr = pa.array(text.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    has = pc.fill_null(pc.match_substring_regex(arr, _OFFSET), False).to_numpy(
        zero_copy_only=False)
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    if has.any():
        out[has] = _local(pd.to_datetime(text[has], format="ISO8601", errors="coerce",
                                         utc=True), zone)
        if not has.all():  # no offset the pattern knows is left: one call, as in _iso
            out[~has] = _iso(text[~has], zone).to_numpy()
    else:  # offsets in a form the pattern does not know
        out[:] = [_one(t, zone) for t in text.tolist()]
    return out


def _one(text: str | None, zone: dt.tzinfo | None) -> np.datetime64:
    ts = pd.to_datetime(text, format="ISO8601", errors="coerce") if text is not None else None
    if ts is None or pd.isna(ts):
        return np.datetime64("NaT")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(zone or dt.UTC).tz_localize(None)
    return np.datetime64(ts.to_datetime64(), "ns")


def _parse_numbers_slow(values: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), None)
    out = pd.to_numeric(text, errors="coerce")
    todo = out.isna() & text.notna()
    if todo.any():
        cleaned = text[todo].map(lambda t: unicodedata.normalize("NFKC", str(t))
                                 .replace(",", "").strip())
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
    """The form ids and emails are matched in: stripped, lower-case, '1002.0' read as '1002',
    full-width letters and digits (Ｅ１００２) as their plain forms (NFKC, only where a value
    is not ASCII)."""
    text = clean_text(values).str.lower()
    if len(text) and isinstance(text.dtype, pd.StringDtype):
        wide = ~pc.fill_null(pc.string_is_ascii(arrow_text(text)), True).to_numpy(
            zero_copy_only=False)
        if wide.any():
            text = text.copy()
            text[wide] = text[wide].map(lambda t: unicodedata.normalize("NFKC", t).strip())
    dotted = text.str.contains(".0", regex=False).fillna(False).to_numpy(dtype=bool)
    if dotted.any():
        text = text.copy()
        text[dotted] = text[dotted].str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return text
