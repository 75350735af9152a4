"""The Notices tab: what ``notify`` sent, one row per message (continued on further rows when
what it covered does not fit a cell), read back so that a later run sends only what is new.

A row is: month, the person's ID, the address, the items the message covered (the keys of
``notices``: a Log row's fingerprint, or the month's statement), the Message-ID and when it was
accepted by the mail server. Months older than ``KEEP_MONTHS`` before the run's are dropped when
the tab is written again, so the tab stays small; notices for those months are not sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from . import months
from .errors import CollabsheetError
from .labels import RESULT_TABS, result_tab, word
from .periods import parse_month
from .resulttab import Column, ResultTab, Table
from .sources.base import RawTab

TITLES = RESULT_TABS["notices"]
KEEP_MONTHS = 3
"""The months recorded: the run's month and the two before."""
CELL_TEXT = 30_000
"""What one cell holds of the keys (Excel's limit is 32,767 characters)."""
MAX_ROWS = 1_000_000
"""Records a tab may hold (a sheet has 1,048,576 rows)."""


@dataclass(frozen=True)
class Record:
    month: str
    person: str
    email: str
    covers: tuple[str, ...]
    message_id: str
    sent_at: str


def covered(records: Iterable[Record], month: int) -> dict[str, set[str]]:
    """ID -> the keys already told for ``month``."""
    name = months.name(month)
    out: dict[str, set[str]] = {}
    for r in records:
        if r.month == name:
            out.setdefault(r.person, set()).update(r.covers)
    return out


def read(raw: RawTab) -> list[Record]:
    """The records of a Notices tab; rows whose first cell is not a month (the heading, the
    header) are passed over, and a continued row's keys join its message's."""
    cols = [list(c.astype(object).where(c.notna(), None)) for c in raw.columns[:6]]
    if len(cols) < 6:
        return []
    out: dict[str, Record] = {}
    for month, person, email, keys, msgid, at in zip(*cols, strict=True):
        try:
            parse_month(str(month))
        except CollabsheetError:
            continue
        if not msgid or person is None:
            continue
        ks = tuple(str(keys or "").split())
        r = out.get(str(msgid))
        out[str(msgid)] = replace(r, covers=r.covers + ks) if r is not None else Record(
            str(month), str(person), str(email or ""), ks, str(msgid), str(at or ""))
    return list(out.values())


def kept(records: Iterable[Record], as_of: dt.date) -> list[Record]:
    first = months.of_date(as_of) - KEEP_MONTHS + 1
    return [r for r in records if parse_month(r.month) >= first]


def _cells(keys: tuple[str, ...]) -> list[str]:
    """The keys in pieces that each fit a cell."""
    out: list[str] = []
    piece: list[str] = []
    size = 0
    for k in keys:
        if piece and size + len(k) + 1 > CELL_TEXT:
            out.append(" ".join(piece))
            piece, size = [], 0
        piece.append(k)
        size += len(k) + 1
    return [*out, " ".join(piece)]


def tab(records: list[Record], lang: str, as_of: dt.date) -> ResultTab:
    rows: list[list[str]] = []
    for r in records:
        for text in _cells(r.covers):
            rows.append([r.month, r.person, r.email, text, r.message_id, r.sent_at])
    heads = [word(k, lang) for k in ("month", "id", "email", "covers", "message_id",
                                     "sent_at")]
    columns = [Column(h, "text", w) for h, w in zip(heads, (9, 10, 28, 60, 44, 26), strict=True)]
    values = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in heads]
    codes = [parse_month(r.month) for r in records]
    span = (min(codes), max(codes)) if codes else None
    return result_tab("notices", lang, [Table(columns, values)], as_of=as_of, span=span)
