"""Sealed months: once a month has ended and its results were announced, `close` records a
fingerprint of every Log and Special row of the month in collabsheet's Seal tab; from then on
every run compares the month with its seal and reports edited, deleted and inserted rows."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import months
from .catalogue import rule, say
from .engine import Verdicts
from .errors import UsageError
from .labels import result_tab, word
from .office import Office
from .periods import parse_month
from .phrases import Said, said
from .report import Violation
from .resulttab import Column, ResultTab, Table

CHANGED = rule("sealed-changed").severity


@dataclass(frozen=True)
class Entry:
    tab: str
    row: int
    fingerprint: str
    content: str


@dataclass
class MonthSeal:
    month: str
    digest: str
    sealed_at: str
    entries: list[Entry]
    history: list[tuple[str, str, str]] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return str(value.isoformat(sep=" "))
    return str(value)


def _fingerprint(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:20]


def _texts(column: pd.Series) -> list[str]:
    """``_text`` of every value of the column, worked out a column at a time: a month of a
    large office is 200,000 rows, and a Python call per cell costs a second."""
    if isinstance(column.dtype, pd.StringDtype):
        return list(column.to_numpy(dtype=object, na_value=""))
    if pd.api.types.is_datetime64_dtype(column.dtype):
        whole = column.isna() | (column == column.dt.floor("s"))
        out = column.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object, na_value="")
        for i in (~whole).to_numpy().nonzero()[0]:
            out[i] = _text(column.iloc[i])
        return list(out)
    return [_text(x) for x in column.to_numpy(dtype=object, na_value=None)]


def _month_rows(frame: pd.DataFrame, month: int) -> pd.DataFrame:
    return frame[(months.of_times(frame["when"]) == month).fillna(False).astype(bool)]


def contents(frame: pd.DataFrame, names: tuple[str, ...]) -> tuple[list[int], list[str]]:
    """Each row's number and its content, the cells of ``names`` joined: what its
    fingerprint is taken of."""
    cells = [_texts(frame[c]) for c in names]
    return frame["row"].astype(int).tolist(), [" | ".join(t) for t in zip(*cells, strict=True)]


LOG_CELLS = ("when", "from", "to", "points_text", "message")
SPECIAL_CELLS = ("when", "id", "points_text", "work", "departments")


def log_fingerprints(v: Verdicts, month: int) -> list[tuple[int, str]]:
    """(Log row, fingerprint) of every Log row dated in ``month``, in the Log's order."""
    rows, texts = contents(_month_rows(v.log, month), LOG_CELLS)
    return [(r, _fingerprint(t)) for r, t in zip(rows, texts, strict=True)]


def current_entries(v: Verdicts, month: int) -> list[Entry]:
    """Every Log and Special row dated in ``month``, normalized: what the seal protects."""
    out = []
    for tab, frame, names in (("log", v.log, LOG_CELLS), ("special", v.special, SPECIAL_CELLS)):
        if not len(frame):
            continue
        title = v.titles.get(tab, tab.title())
        rows, texts = contents(_month_rows(frame, month), names)
        out += [Entry(title, r, _fingerprint(t), t) for r, t in zip(rows, texts, strict=True)]
    return out


def digest(entries: list[Entry]) -> str:
    joined = "\n".join(sorted(f"{e.tab}\t{e.fingerprint}" for e in entries))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


def read_seals(office: Office) -> dict[str, MonthSeal]:
    """The seals kept in the Seal tab, by month (YYYY-MM)."""
    frame = office.seal
    seals: dict[str, MonthSeal] = {}
    if frame is None or not len(frame):
        return seals
    history: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    entries: dict[str, list[Entry]] = defaultdict(list)
    for kind, month, tab, row, fp, content, at in frame.itertuples(index=False):
        kind, month = str(kind), str(month)
        if kind == "month":
            seals[month] = MonthSeal(month, str(fp), str(at), [])
        elif kind == "row":
            entries[month].append(Entry(str(tab), int(float(row)), str(fp), _text(content)))
        elif kind == "history":
            history[month].append((str(fp), str(at), _text(content)))
    for month, seal in seals.items():
        seal.entries = entries.get(month, [])
        seal.history = history.get(month, [])
    return seals


def compare(seal: MonthSeal, now: list[Entry], lang: str = "en") -> list[Violation]:
    """Edited, deleted and inserted rows of a sealed month, naming each row."""
    if digest(now) == seal.digest:
        return []
    sealed_by_fp: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e in seal.entries:
        sealed_by_fp[(e.tab, e.fingerprint)].append(e)
    extra: list[Entry] = []
    for e in now:
        bucket = sealed_by_fp.get((e.tab, e.fingerprint))
        if bucket:
            bucket.pop()
        else:
            extra.append(e)
    missing = [e for bucket in sealed_by_fp.values() for e in bucket]
    missing_at = {(e.tab, e.row): e for e in missing}
    out: list[Violation] = []
    for e in extra:
        old = missing_at.pop((e.tab, e.row), None)
        if old is not None:
            msg = say("sealed-changed", "edited", lang, row=e.row, month=seal.month,
                      old=old.content, new=e.content)
        else:
            msg = say("sealed-changed", "added", lang, row=e.row, month=seal.month,
                      content=e.content)
        out.append(Violation(e.tab, e.row, "", "sealed-changed", CHANGED, e.content, msg))
    for (tab, row), e in missing_at.items():
        out.append(Violation(tab, row, "", "sealed-changed", CHANGED, e.content,
                             say("sealed-changed", "gone", lang, month=seal.month, row=row,
                                 content=e.content)))
    return sorted(out, key=lambda v: (v.tab, v.row))


@dataclass(frozen=True)
class SealCheck:
    """The seals of the Seal tab, compared with the office's rows as they are now."""

    seals: dict[str, MonthSeal]
    violations: list[Violation]
    changed: list[str]
    """months whose rows changed since they were sealed"""


def check_seals(office: Office, v: Verdicts) -> SealCheck:
    found: list[Violation] = []
    changed: list[str] = []
    seals = read_seals(office)
    for month, seal in sorted(seals.items()):
        problems = compare(seal, current_entries(v, parse_month(month)), v.lang)
        if problems:
            changed.append(month)
            found += problems
    return SealCheck(seals, found, changed)


@dataclass(frozen=True)
class Sealed:
    tab: ResultTab
    message: Said
    seals: dict[str, MonthSeal]


def seal_month(seals: dict[str, MonthSeal], v: Verdicts, month: str, at: dt.datetime,
               accept_changes: bool = False) -> Sealed:
    """The Seal tab with ``month`` (re)sealed; the message says what happened."""
    code = parse_month(month)
    as_of_code = months.of_date(v.as_of)
    if code >= as_of_code:
        raise UsageError(said("not_ended", month=month, day=v.as_of.isoformat()), lang=v.lang)
    seals = dict(seals)
    now = current_entries(v, code)
    new_digest = digest(now)
    stamp = at.strftime("%Y-%m-%d %H:%M")
    old = seals.get(month)
    if old is not None and old.digest == new_digest:
        return Sealed(seal_tab(seals, v.lang, v.as_of), said("seal_unchanged", month=month),
                      seals)
    if old is not None and not accept_changes:
        raise UsageError(said("seal_changed", month=month), lang=v.lang)
    history = list(old.history) if old else []
    if old is not None:
        history.append((old.digest, old.sealed_at, f"replaced {stamp}"))
    seals[month] = MonthSeal(month, new_digest, stamp, now, history)
    return Sealed(seal_tab(seals, v.lang, v.as_of),
                  said("sealed_again" if old else "sealed_now", month=month, n=len(now),
                       digest=new_digest), seals)


def seal_tab(seals: dict[str, MonthSeal], lang: str, as_of: dt.date) -> ResultTab:
    """The seals as rows, read back by ``read_seals``: a month's row, its history, then its
    Log and Special rows. Only rows whose first cell is a kind (month, history, row) are read,
    so the heading and the header above them (in row 1 before headings were written, row 2
    since) are passed over."""
    rows: list[tuple[str, str, str, int | None, str, str, str]] = []
    for month in sorted(seals):
        s = seals[month]
        rows.append(("month", month, "", len(s.entries), s.digest, "", s.sealed_at))
        for fp, at, note in s.history:
            rows.append(("history", month, "", None, fp, note, at))
        for e in s.entries:
            rows.append(("row", month, e.tab, e.row, e.fingerprint, e.content, s.sealed_at))
    heads = [word(k, lang) for k in ("kind", "month", "tab", "row", "fingerprint", "content",
                                     "sealed_at")]
    widths = [9, 9, 12, 7, 34, 80, 18]
    kinds = ["text", "text", "text", "int", "text", "text", "text"]
    columns = [Column(h, k, w) for h, k, w in zip(heads, kinds, widths, strict=True)]  # type: ignore[arg-type]
    values = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in heads]
    span = (parse_month(min(seals)), parse_month(max(seals))) if seals else None
    return result_tab("seal", lang, [Table(columns, values)], as_of=as_of, span=span)
