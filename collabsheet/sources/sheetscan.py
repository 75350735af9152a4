"""What a sheet's bytes hold, found before calamine parses them: how far its cells reach, which
formulas have no saved value, and its merged ranges.

calamine sets out a tab's whole span (rows x columns, from its first cell to its farthest) as
one block of about 32 bytes a cell before it hands anything over, and aborts the process when
that block cannot be had: a single value in XFD1048576 asks for 512 GiB. So the bytes the reader
streams anyway (for merged ranges, or a slice of the largest tab) are scanned first, and a tab
that spans more than ``CELL_BUDGET`` cells is refused with the cells that make it so far.

The scan (``SheetScan``) is one RE2 search (pyarrow's: about 1 GB/s on this pattern, four to
eight times Python's ``re``; 44 ms for the full-size office's Staff, 142 ms for each half of its
Log) for any cell tag that is not written as spreadsheet programs write it, ``<c r="B12"``, or
lies outside A1:AF1048576; for the first formula; and for merged ranges. A tab with a cell
outside that box is searched again for the other boxes of the budget's size (``TIERS``: a
Staff tab of 40 columns fits A1:DX262144); one no box holds, or with a cell written any other
way (no ``r``, another prefix, other quotes, lower case), is walked tag by tag as calamine
reads it (``Walk``), and its exact span decides.
A stretch of more than ``MAX_RUN`` bytes without any ``<`` (whitespace a bomb is padded with; no
cell text comes near it) is refused too: calamine holds such a stretch whole.

Only the standard library is imported at module level (``prefetch`` imports this before
pandas); pyarrow when a scan starts.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..sheetref import column_letter as column_letters
from .opc import Refused

CELL_BUDGET = 1 << 25
"""The most cells a tab may span, counted from A1 to its farthest row and column: 33,554,432,
every row a sheet can hold (1,048,576) times 32 columns (A:AF). The full-size office's Log spans
A1:E1048576 (5,242,880 cells) and a Log of 26 columns in every row (27,262,976) fits too; at the
budget calamine's block is about 1 GiB, so a tab that reaches it still reads in under 2 GiB."""

BOX_ROWS = 1 << 20
BOX_COLUMNS = CELL_BUDGET // BOX_ROWS
"""Cells the quick search vouches for lie in A1:AF1048576 (BOX_ROWS x BOX_COLUMNS = the budget)."""

TIERS = tuple((BOX_ROWS >> k, BOX_COLUMNS << k) for k in (2, 4, 6, 8, 9))
"""Narrower and wider boxes of the budget's size (A1:DX262144 ... A1:XFD2048), searched in turn
for a tab with cells right of AF (a Staff tab of 40 columns, say): one more pass each, where
walking the tab would take seconds."""

MAX_RUN = 1 << 20
"""The most bytes a sheet may hold without a ``<``: 1 MiB. A cell holds at most 32,767
characters (under 330 KB even with every character written as an entity)."""

_SEAM = 64
_FORMULA_SEAM = 1 << 16
_MAX_BYTES = 2 ** 31 - 1


def _greater(n: int) -> str:
    """A regex for the numbers of as many digits as ``n`` that are greater than it."""
    s = str(n)
    alts = [s[:i] + f"[{int(ch) + 1}-9]" + r"\d" * (len(s) - i - 1)
            for i, ch in enumerate(s) if ch != "9"]
    return "(?:" + "|".join(alts) + ")"


def _later(letters: str) -> str:
    """A regex for the column letters after ``letters`` (more of them, or as many and later)."""
    alts = [f"[A-Z]{{{len(letters) + 1},}}"]
    alts += [letters[:i] + f"[{chr(ord(ch) + 1)}-Z]" + "[A-Z]" * (len(letters) - i - 1)
             for i, ch in enumerate(letters) if ch != "Z"]
    return "(?:" + "|".join(alts) + ")"


def _far(rows: int, columns: int) -> str:
    """A cell tag written plainly whose reference lies beyond A1:(columns)(rows)."""
    return (r'c r="(?:' + _later(column_letters(columns - 1)) + r"|[A-Z]{1,3}(?:\d{"
            + str(len(str(rows)) + 1) + ",}|" + _greater(rows) + "))")


_ODD = (r'c(?:[\t\n\r>/]| [^r]| r[^=]| r=[^"]| r="(?:[^A-Z]|[A-Z][^A-Z0-9]|[A-Z]{2}[^A-Z0-9]'
        r'|[A-Z]{3}[^0-9]|[A-Z]{1,3}0|[A-Z]{1,3}\d{8}|[A-Z]{1,3}\d{1,7}[^\d"]))'
        r"|[\w.-]+:c[\s/>]")
"""A cell tag not written as <c r="B12" (no r, r not first, other quotes, lower case, a
leading zero, a prefix): its place is found by walking the tab."""
_IN_BOX = r"(?:[A-Z]|A[A-F])"  # the letters of A..AF
_NOT_PLAIN_IN_BOX = (
    r"(?:[^A-Z]|[A-Z][^A-Z0-9]|[A-Z][A-Z][^0-9]|[B-Z][A-Z]|A[G-Z]|" + _IN_BOX + r"(?:0|\d{"
    + str(len(str(BOX_ROWS)) + 1) + "}|" + _greater(BOX_ROWS) + r'|\d{1,'
    + str(len(str(BOX_ROWS))) + r'}[^\d"]))')
_ALTERNATIVES = {
    # odd or far in one: the same search as either alone, at the speed of one (the common case
    # finds nothing); a hit is told apart by _PLAIN, and the search goes on for odd ones only
    "cell": r'c(?:[\t\n\r>/]| [^r]| r[^=]| r=[^"]| r="' + _NOT_PLAIN_IN_BOX + r")|[\w.-]+:c[\s/>]",
    "odd": _ODD,
    "formula": r"(?:[\w.-]+:)?f[\s/>]",
    "merge": r"(?:[\w.-]+:)?mergeCell[\s/>]",
}
_PLAIN = re.compile(rb'<c r="[A-Z]{1,3}[1-9]')
_KIND = re.compile(rb"<(?:[\w.-]+:)?(c|f|mergeCell)[\s/>]")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_UNSAVED = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*)>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)'
    rb"(<v\s*/>|<v>\s*</v>)?</c>")
_STR = re.compile(rb'\st="(?:str|inlineStr)"')


def _cell(row: int, col: int) -> str:
    return f"{column_letters(col)}{row + 1}"


def too_far(title: str, rows: int, columns: int, right: tuple[int, int] | None = None,
            down: tuple[int, int] | None = None) -> Refused | None:
    """The refusal of a tab that spans ``rows`` x ``columns`` cells from A1, if that is past the
    budget; ``right`` and ``down`` are its farthest cells to the right and down (0-based row,
    column), named when they are not the corner itself."""
    if rows * columns <= CELL_BUDGET:
        return None
    corner = (rows - 1, columns - 1)
    named = [f"farthest {way} {_cell(*c)}" for way, c in (("right", right), ("down", down))
             if c is not None and c != corner]
    where = f" ({', '.join(named)})" if named else ""
    return Refused(f"tab {title!r} reaches {_cell(*corner)}{where}, {rows * columns:,} cells in "
                   f"all, more than the {CELL_BUDGET:,} a tab can span; delete what is in the far "
                   "cells (Ctrl+End in Excel goes to the last one) and save", tab=title,
                   extent=(rows, columns, right, down))


def _binary(data: Any, lo: int, hi: int) -> Any:
    """``data[lo:hi]`` as a one-value Arrow binary array, without a copy."""
    import pyarrow as pa

    view = memoryview(data)[lo:hi]
    offsets = pa.py_buffer(struct.pack("<ii", 0, len(view)))
    return pa.Array.from_buffers(pa.binary(), 1, [None, offsets, pa.py_buffer(view)])


def _find(data: Any, lo: int, hi: int, pattern: str) -> int:
    """Where ``pattern`` first matches in ``data[lo:hi]`` (RE2), or -1."""
    import pyarrow.compute as pc

    at = pc.find_substring_regex(_binary(data, lo, hi), pattern)[0].as_py()
    return -1 if at < 0 else lo + int(at)


@dataclass
class SheetScan:
    """A sheet's bytes fed in order (``feed``): whether a cell is written oddly (``odd``) or
    lies outside A1:AF1048576 (``far``), the formula cells without a saved value (``unsaved``:
    0-based row, column) and the merged ranges. ``title`` names the tab in refusals."""

    title: str
    odd: bool = False
    far: bool = False
    formulas: bool = False
    merged: list[str] = field(default_factory=list)
    unsaved: set[tuple[int, int]] = field(default_factory=set)
    _merging: bool = False
    _since: int = 0
    _seam: bytes = b""

    def _pattern(self) -> str | None:
        wanted = [key for key, on in (("cell", not (self.odd or self.far)),
                                      ("odd", self.far and not self.odd),
                                      ("formula", not self.formulas),
                                      ("merge", not self._merging)) if on]
        if not wanted:
            return None
        return "<(?:" + "|".join(_ALTERNATIVES[k] for k in wanted) + ")"

    def feed(self, data: bytes, lo: int = 0, hi: int | None = None) -> None:
        """The next bytes of the sheet: ``data[lo:hi]``."""
        hi = len(data) if hi is None else hi
        if hi - lo > _MAX_BYTES:
            for start in range(lo, hi, _MAX_BYTES):
                self.feed(data, start, min(hi, start + _MAX_BYTES))
            return
        self._runs(data, lo, hi)
        head = bytes(memoryview(data)[lo:min(hi, lo + _FORMULA_SEAM)])
        seam = self._seam + head
        had_formulas = self.formulas
        if self._seam:
            self._search(seam, 0, len(seam))
        self._search(data, lo, hi)
        if self.formulas and not had_formulas and self._seam:
            self._unsaved(seam, 0, len(seam))  # the first formula cell may begin in the seam
        keep = _FORMULA_SEAM if self.formulas else _SEAM
        tail = bytes(memoryview(data)[max(lo, hi - keep):hi])
        self._seam = (self._seam + tail)[-keep:] if len(tail) < keep else tail

    def feed_runs(self, data: bytes) -> None:
        """Only the check for stretches without a ``<`` (see ``_runs``), on the next bytes."""
        self._runs(data, 0, len(data))

    def _runs(self, data: bytes, lo: int, hi: int) -> None:
        """Refuse a stretch of more than MAX_RUN bytes without a ``<`` (two finds a block)."""
        for start in range(lo, hi, MAX_RUN):
            end = min(hi, start + MAX_RUN)
            first = data.find(b"<", start, end)
            if first < 0:
                self._since += end - start
            else:
                self._since += first - start
                if self._since <= MAX_RUN:
                    self._since = end - data.rfind(b"<", start, end) - 1
            if self._since > MAX_RUN:
                raise Refused(f"tab {self.title!r} holds more than {MAX_RUN >> 20} MiB of "
                              "bytes without any cell in them; the file is refused (a damaged "
                              "package, or a zip bomb)", tab=self.title)

    def _search(self, data: bytes, lo: int, hi: int) -> None:
        pos = lo
        formulas_from = lo if self.formulas else None
        merges_from = lo if self._merging else None
        while pos < hi:
            pattern = self._pattern()
            if pattern is None:
                break
            at = _find(data, pos, hi, pattern)
            if at < 0:
                break
            m = _KIND.match(data, at)
            kind = m.group(1) if m is not None else b"c"
            if kind == b"c":
                if _PLAIN.match(data, at):
                    self.far = True
                else:
                    self.odd = True
            elif kind == b"f":
                self.formulas = True
                formulas_from = lo  # from the start: the formula's cell begins before it
            else:
                self._merging = True
                merges_from = at
            pos = at + 1
        if formulas_from is not None:
            self._unsaved(data, formulas_from, hi)
        if merges_from is not None and data.find(b"mergeCell", merges_from, hi) >= 0:
            self.merged.extend(m.decode() for m in _MERGE.findall(data, merges_from, hi))

    def _unsaved(self, data: bytes, lo: int, hi: int) -> None:
        for m in _UNSAVED.finditer(data, lo, hi):
            if m.group(4) is not None and _STR.search(m.group(3)):
                continue  # a text formula that saved "" has a value: the empty text
            col = 0
            for ch in m.group(1):
                col = col * 26 + ch - 64
            self.unsaved.add((int(m.group(2)) - 1, col - 1))

    def finish(self) -> None:
        self.merged = list(dict.fromkeys(self.merged))


_TAG = re.compile(
    rb"""<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])(?:\s+r="([A-Z]{0,3})([0-9]{1,7})")?"""
    rb"""((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_R = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_COLUMNS: dict[bytes, int] = {}


def _column(letters: bytes) -> int:
    """calamine's reading of a reference's letters (either case) -> 0-based column."""
    col = _COLUMNS.get(letters)
    if col is None:
        col = 0
        for ch in letters.upper():
            col = col * 26 + ch - 64
        col -= 1
        if len(_COLUMNS) < 1 << 16:
            _COLUMNS[letters] = col
    return col


def _ref(text: bytes) -> tuple[int, int | None] | None:
    """calamine's reading of a reference: letters (either case) then digits -> 0-based row and
    column (None when there are no letters); None when it is not one."""
    m = re.fullmatch(rb"([A-Za-z]*)([0-9]+)", text)
    if m is None:
        return None
    return int(m.group(2)) - 1, (_column(m.group(1)) if m.group(1) else None)


@dataclass
class Walk:
    """A sheet's tags walked as calamine walks them: a cell's place is its ``r`` (any quotes,
    either case, any prefix), or the next column of the row it is in (rows numbered by their
    ``r`` or one after the last); an empty cell tag (``<c .../>``) holds nothing. A cell tag
    with content counts, value or not (calamine would skip one without a value: counting it
    errs on the side of refusing). Gives the span, for ``too_far``; 1.6 s for the full-size
    office's Staff (47 MB), so only for the tabs no box of the scan holds."""

    title: str
    rows: int = 0
    columns: int = 0
    right: tuple[int, int] | None = None
    down: tuple[int, int] | None = None
    _row: int = 0
    _col: int = 0
    _carry: bytes = b""

    def feed(self, data: bytes, lo: int = 0, hi: int | None = None) -> None:
        hi = len(data) if hi is None else hi
        buf = self._carry + bytes(memoryview(data)[lo:hi])
        end = 0
        for m in _TAG.finditer(buf):
            end = m.end()
            closing, name, letters, digits, attrs = m.groups()
            if m.group(0)[-2] == 47:  # "/>": an empty tag, nothing in it
                continue
            if closing:
                if name == b"row":
                    self._row, self._col = self._row + 1, 0
                continue
            if digits is not None:  # r first, written plainly
                got: tuple[int, int | None] | None = (
                    int(digits) - 1, _column(letters) if letters else None)
            else:
                r = _R.search(attrs)
                got = _ref(r.group(1) or r.group(2) or b"") if r is not None else None
            if name == b"row":
                if got is not None:
                    self._row = got[0]
                continue
            if got is not None and got[1] is not None:
                row, col = got[0], got[1]
                self._col = col
            else:
                row, col = self._row, self._col
            self._col += 1
            if col >= self.columns:
                self.columns, self.right = col + 1, (row, col)
            if row >= self.rows:
                self.rows, self.down = row + 1, (row, col)
        last = buf.rfind(b"<", end)
        self._carry = buf[last:] if last >= 0 and buf.find(b">", last) < 0 else b""

    def refusal(self) -> Refused | None:
        return too_far(self.title, self.rows, self.columns, self.right, self.down)


Spans = Iterable[tuple[bytes, int, int]]


def _any_far(spans: Spans, pattern: str) -> bool:
    seam = b""
    for data, lo, hi in spans:
        head = bytes(memoryview(data)[lo:min(hi, lo + _SEAM)])
        if seam and _find(seam + head, 0, len(seam) + len(head), pattern) >= 0:
            return True
        if _find(data, lo, hi, pattern) >= 0:
            return True
        seam = (seam + bytes(memoryview(data)[max(lo, hi - _SEAM):hi]))[-_SEAM:]
    return False


def check(title: str, spans: Callable[[], Spans]) -> SheetScan:
    """Scan a sheet's bytes (``spans()``: data, lo, hi, in order); when a cell lies right of AF
    or below row 1,048,576, search them again for the boxes of TIERS; when one is written
    oddly (or no box holds them), walk them. Raises Refused for a tab past the budget or a
    stretch past MAX_RUN; the scan holds the merged ranges and unsaved formulas."""
    scan = SheetScan(title)
    for data, lo, hi in spans():
        scan.feed(data, lo, hi)
    scan.finish()
    if not scan.odd and scan.far:
        for rows, columns in TIERS:
            if not _any_far(spans(), "<" + _far(rows, columns)):
                return scan
    if scan.odd or scan.far:
        walk = Walk(title)
        for data, lo, hi in spans():
            walk.feed(data, lo, hi)
        refused = walk.refusal()
        if refused is not None:
            raise refused
    return scan


def whole(pieces: Iterable[bytes]) -> Iterator[tuple[bytes, int, int]]:
    """Pieces as spans."""
    for piece in pieces:
        yield piece, 0, len(piece)


def check_runs(what: str, pieces: Iterable[bytes]) -> None:
    """Refuse a part (not a sheet) with a stretch of more than MAX_RUN bytes without a ``<``."""
    scan = SheetScan(what)
    for piece in pieces:
        try:
            scan.feed_runs(piece)
        except Refused:
            raise Refused(f"{what} holds more than {MAX_RUN >> 20} MiB of bytes without any "
                          "markup; the file is refused (a damaged package, or a zip bomb)"
                          ) from None
