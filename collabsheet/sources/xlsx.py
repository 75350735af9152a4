"""The .xlsx backend: fastexcel (calamine) reads cell values; results go into the package beside
the office's parts (see ``package``), replacing the file atomically.

Nothing reaches calamine unchecked: the package's declared sizes first (``opc.check_sizes``),
then the parts calamine reads when the file is opened (held to their declared size, no
whitespace padding), and each tab's bytes before it is parsed (``sheetscan``: its span against
the cell budget, in the same stream that finds its merged ranges)."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import FormatError, LimitError, SourceError
from ..phrases import said
from ..resulttab import ResultTab
from ..sheetref import column_letter, split_cell
from . import prefetch, sheetscan
from .base import NO_VALUE, RawTab, TabWriter, drop_blank_rows, error_text
from .opc import Refused, check_sizes, inflate, sheet_parts
from .prefetch import short as _short
from .sniff import kind, refusal


def _refused(name: str, exc: Refused) -> LimitError:
    return LimitError(f"{name}: {exc}", tab=exc.tab)


_OPENED = re.compile(r"[^/]+|_rels/[^/]+|xl/[^/]+|xl/_rels/[^/]+")
"""The parts calamine may read when a workbook is opened (the workbook, its relationships,
shared strings, styles); a sheet, a drawing or a pivot cache lies in a folder of its own."""


def check_package(path: Path, name: str) -> None:
    """Refuse a package before calamine opens it: declared sizes past the limits, or a part
    calamine reads on opening (``_OPENED``) that unpacks past its declared size or is padded
    with whitespace. Worksheets are checked when their tab is read (``XlsxSource._scan``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            check_sizes(zf)
            infos = [i for i in zf.infolist() if _OPENED.fullmatch(i.filename)
                     and i.filename.lower().endswith((".xml", ".rels"))]
        for info in infos:
            sheetscan.check_runs(f"the part {info.filename}", inflate(path, info))
    except Refused as exc:
        raise _refused(name, exc) from None
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SourceError(said("unreadable", path=name, why=_short(exc))) from exc


def _open_reader(path: Path):  # type: ignore[no-untyped-def]
    import fastexcel

    if not path.exists():
        raise SourceError(said("no_file", path=path))
    if path.is_dir():
        raise SourceError(said("is_folder", path=path))
    what = kind(path)
    refused = refusal(path, what)
    if refused is not None:
        raise FormatError(refused)
    if what not in ("xlsx", "ods"):
        raise SourceError(said("not_xlsx_file", path=path))
    check_package(path, path.name)
    try:
        return fastexcel.read_excel(str(path))
    except Exception as exc:  # calamine raises several unrelated types for broken packages
        raise SourceError(said("unreadable", path=path, why=_short(exc))) from exc


def _split_ref(ref: str) -> tuple[int, int]:
    col, row = split_cell(ref)
    return row - 1, col


def _fill_merged(columns: list[pd.Series], indexes: list[int], merged: list[str]) -> None:
    """Every cell of a merged range shows the top-left value, as a person sees it."""
    pos = {absolute: i for i, absolute in enumerate(indexes)}
    for ref in merged:
        a, b = ref.split(":")
        (r0, c0), (r1, c1) = _split_ref(a), _split_ref(b)
        if c0 not in pos:
            continue
        col0 = columns[pos[c0]]
        if r0 >= len(col0):
            continue
        value = col0.iloc[r0]
        for c in range(c0, c1 + 1):
            if c not in pos:
                continue
            col = columns[pos[c]]
            for r in range(r0, min(r1, len(col) - 1) + 1):
                if (r, c) != (r0, c0):
                    col.iloc[r] = value


def _serial_epoch(path: Path) -> dt.datetime:
    """The day the workbook's date serials count from (its workbook part says which system).
    calamine applies it to date-formatted cells already; plain numbers in a date column are
    read with it (``RawTab.epoch``)."""
    from ..sheetref import serial_epoch
    from .opc import workbook_date1904

    try:
        with zipfile.ZipFile(path) as zf:
            return serial_epoch(workbook_date1904(zf))
    except (zipfile.BadZipFile, OSError):
        return serial_epoch(False)


def _mark_unsaved(columns: list[pd.Series], indexes: list[int],
                  cells: list[tuple[int, int]]) -> tuple[list[pd.Series], list[int]]:
    """Formula cells without a saved value (0-based sheet row, column) read as NO_VALUE; a
    column or row that only such cells reach is added (calamine saw nothing there)."""
    n = max([len(columns[0]) if columns else 0] + [r + 1 for r, _ in cells])
    by_index = dict(zip(indexes, columns, strict=True))
    for _, c in cells:
        by_index.setdefault(c, pd.Series([None] * n, dtype="str"))
    out_indexes = sorted(by_index)
    out = []
    for i in out_indexes:
        col = by_index[i]
        if len(col) < n:
            col = pd.concat([col, pd.Series([None] * (n - len(col)), dtype="str")],
                            ignore_index=True)
        else:
            col = col.copy()
        out.append(col)
    pos = {a: i for i, a in enumerate(out_indexes)}
    for r, c in cells:
        out[pos[c]].iloc[r] = NO_VALUE
    return out, out_indexes


class _Tabs(Mapping[str, RawTab]):
    """Tabs read already, plus one whose read finishes on first lookup."""

    def __init__(self, titles: list[str], ready: dict[str, RawTab], pending: str,
                 collect: Callable[[], RawTab]):
        self._titles = list(titles)
        self._ready = ready
        self._pending: str | None = pending
        self._collect = collect

    def __getitem__(self, title: str) -> RawTab:
        if title == self._pending:
            self._ready[title] = self._collect()
            self._pending = None
        return self._ready[title]

    def __iter__(self) -> Iterator[str]:
        return iter(self._titles)

    def __len__(self) -> int:
        return len(self._titles)


class XlsxSource:
    """An .xlsx file on disk."""

    def __init__(self, path: str | os.PathLike[str], force: bool = False):
        from .filesafe import seen

        self.path = Path(path)
        self.name = self.path.name
        self.force = force
        self.seen = seen(self.path) if self.path.is_file() else None
        self._reader = _open_reader(self.path)
        self._epoch = _serial_epoch(self.path)

    def tab_titles(self) -> list[str]:
        return list(self._reader.sheet_names)

    def read_tabs(self, titles: list[str]) -> Mapping[str, RawTab]:
        """The largest tab is parsed in other processes, a slice of its rows each, while this
        one reads and converts the rest (the calamine parse holds the GIL, so threads would not
        overlap it); it is collected when first looked up. A sheet that cannot be cut safely
        is read here, whole."""
        big = prefetch.largest(self.path, titles)
        if big is None:
            return {t: self._read(t) for t in titles}
        child = prefetch.take(self.path, big) or prefetch.ChildRead(self.path, big)
        try:
            ready = {t: self._read(t) for t in titles if t != big}
        except BaseException:
            child.close()
            raise

        def collect() -> RawTab:
            try:
                got = child.result(self.name)
            finally:
                child.close()
            if got is None:
                return self._read(big)
            batch, errors, indexes, merged, unsaved = got
            return self._finish(big, batch, errors, indexes, merged, unsaved)

        return _Tabs(titles, ready, big, collect)

    def _read(self, title: str) -> RawTab:
        merged, unsaved = self._scan(title)
        try:
            sheet = self._reader.load_sheet_by_name(
                title, header_row=None, skip_rows=0, dtypes="string")
            batch, cell_errors = sheet.to_arrow_with_errors()
            indexes = [getattr(info, "absolute_index", i)
                       for i, info in enumerate(sheet.available_columns())]
        except Exception as exc:
            raise SourceError(said("tab_unreadable", path=self.name, tab=title,
                                   why=_short(exc))) from exc
        errors = [(e.position[0], e.position[1], str(e.detail))
                  for e in (cell_errors.errors if cell_errors is not None else [])]
        del sheet, cell_errors  # calamine's block of the tab's span goes before pandas comes
        return self._finish(title, batch, errors, indexes, merged, unsaved)

    def _finish(self, title: str, batch: pa.RecordBatch, errors: list[tuple[int, int, str]],
                indexes: list[int], merged: list[str],
                unsaved: list[tuple[int, int]] | None = None) -> RawTab:
        columns = [pd.Series(batch.column(i).to_pandas(), dtype="str")
                   for i in range(batch.num_columns)]
        for r, c, detail in errors:
            if c < len(columns):
                columns[c] = columns[c].copy()
                columns[c].iloc[r] = error_text(detail)
        if unsaved:
            columns, indexes = _mark_unsaved(columns, list(indexes), unsaved)
        letters = [column_letter(i) for i in indexes]
        if not columns or len(columns[0]) == 0:
            return RawTab(title, [], [], [], np.array([], dtype=np.int64), epoch=self._epoch)
        if merged:
            _fill_merged(columns, indexes, merged)
        header = [None if pd.isna(c.iloc[0]) else str(c.iloc[0]) for c in columns]
        body = [c.iloc[1:].reset_index(drop=True) for c in columns]
        body, rows = drop_blank_rows(body, first_row=2)
        return RawTab(title, header, letters, body, rows, merged=merged, epoch=self._epoch)

    def _scan(self, title: str) -> tuple[list[str], list[tuple[int, int]]]:
        """The tab's bytes streamed once before calamine parses them: refused past the cell
        budget (``sheetscan``); its merged ranges and its formula cells without a saved value.
        A tab whose part cannot be found here is left to calamine as before (no merged ranges,
        such formulas read blank)."""
        try:
            with zipfile.ZipFile(self.path) as zf:
                part = sheet_parts(zf).get(title)
                if part is None:
                    return [], []
                info = zf.getinfo(part)
        except (KeyError, ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError):
            return [], []
        try:
            scan = sheetscan.check(title, lambda: sheetscan.whole(inflate(self.path, info)))
        except Refused as exc:
            raise _refused(self.name, exc) from None
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            raise SourceError(said("tab_unreadable", path=self.name, tab=title,
                                   why=_short(exc))) from exc
        return scan.merged, sorted(scan.unsaved)

    def write_tabs(self, tabs: list[ResultTab]) -> None:
        from .filesafe import seen
        from .package import replace_tabs

        replace_tabs(self.path, tabs, force=self.force, name=self.name, expect=self.seen)
        self.seen = seen(self.path)

    def begin_write(self) -> TabWriter:
        """Sheets are built while the caller makes the next tab (see PackageWriter); nothing
        is written if the file changed since it was read."""
        from .package import PackageWriter

        return PackageWriter(self.path, force=self.force, name=self.name, expect=self.seen)


class XlsxTarget(XlsxSource):
    """An .xlsx file results are written into and nothing is read from (``--output``): made
    if it does not exist, its own tabs kept as they are if it does."""

    def __init__(self, path: str | os.PathLike[str], force: bool = False):
        from .filesafe import seen

        self.path = Path(path)
        self.name = self.path.name
        self.force = force
        if self.path.is_dir():
            raise SourceError(said("is_folder", path=self.path))
        self.seen = seen(self.path)

    def tab_titles(self) -> list[str]:
        return []

    def read_tabs(self, titles: list[str]) -> Mapping[str, RawTab]:
        return {}
