"""The .xlsx backend: fastexcel (calamine) reads cell values; results go into the package beside
the office's parts (see ``package``), replacing the file atomically."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SourceError
from ..tabs import ResultTab
from .base import RawTab, column_letter, drop_blank_rows, error_text


def _open_reader(path: Path):  # type: ignore[no-untyped-def]
    import fastexcel

    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not a workbook")
    if not zipfile.is_zipfile(path):
        raise SourceError(f"{path}: not an .xlsx workbook (expected an Excel file saved as .xlsx)")
    try:
        return fastexcel.read_excel(str(path))
    except Exception as exc:  # calamine raises several unrelated types for broken packages
        raise SourceError(f"{path}: cannot be read as an .xlsx workbook ({_short(exc)})") from exc


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


class XlsxSource:
    """An .xlsx file on disk."""

    def __init__(self, path: str | os.PathLike[str], force: bool = False):
        self.path = Path(path)
        self.name = self.path.name
        self.force = force
        self._reader = _open_reader(self.path)

    def tab_titles(self) -> list[str]:
        return list(self._reader.sheet_names)

    def read_tabs(self, titles: list[str]) -> dict[str, RawTab]:
        return {t: self._read(t) for t in titles}

    def _read(self, title: str) -> RawTab:
        try:
            sheet = self._reader.load_sheet_by_name(
                title, header_row=None, skip_rows=0, dtypes="string")
            batch, cell_errors = sheet.to_arrow_with_errors()
            infos = sheet.available_columns()
        except Exception as exc:
            raise SourceError(f"{self.name}: tab {title!r} cannot be read ({_short(exc)})") from exc
        frame = batch.to_pandas()
        columns = [frame.iloc[:, i].astype(object) for i in range(frame.shape[1])]
        letters = [column_letter(getattr(info, "absolute_index", i))
                   for i, info in enumerate(infos)]
        if cell_errors is not None:
            for err in cell_errors.errors:
                r, c = err.position
                if c < len(columns):
                    columns[c].iloc[r] = error_text(str(err.detail))
        if not columns or len(columns[0]) == 0:
            return RawTab(title, [], [], [], np.array([], dtype=np.int64))
        header = [None if pd.isna(c.iloc[0]) else str(c.iloc[0]) for c in columns]
        body = [c.iloc[1:].reset_index(drop=True) for c in columns]
        body, rows = drop_blank_rows(body, first_row=2)
        return RawTab(title, header, letters, body, rows)

    def write_tabs(self, tabs: list[ResultTab], owned: set[str]) -> None:
        from .package import replace_tabs

        replace_tabs(self.path, tabs, force=self.force)
