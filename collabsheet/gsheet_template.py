"""The template's tabs put into an empty Google Sheet (``collabsheet init gsheet:ID``): tab
titles, headers, the Rules tab and the dropdowns, as Sheets API requests. It knows the
template's words; the backend it writes through does not."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import live
from .errors import SourceError
from .labels import INPUT_TABS
from .office import find_title
from .phrases import said
from .sheetref import column_index, ref
from .sources.gsheets import GSheetSource
from .sources.gsheets_write import bold
from .templates import build_template, live_scratch, live_titles


def _grid_range(sid: int, sqref: str) -> dict[str, Any]:
    m = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", sqref)
    if not m:
        m = re.fullmatch(r"([A-Z]+)(\d+)", sqref)
        if not m:
            raise SourceError(f"template range {sqref!r} cannot be mapped")
        row = int(m.group(2))
        return {"sheetId": sid, "startRowIndex": row - 1, "endRowIndex": row,
                "startColumnIndex": column_index(m.group(1)),
                "endColumnIndex": column_index(m.group(1)) + 1}

    return {"sheetId": sid, "startRowIndex": int(m.group(2)) - 1,
            "startColumnIndex": column_index(m.group(1)),
            "endColumnIndex": column_index(m.group(3)) + 1}


def _rule(dv: Any, titles: dict[str, str]) -> dict[str, Any]:
    """An openpyxl data validation of the template as a Sheets DataValidationRule."""
    named = {"=StaffIDs": "=" + ref(titles["staff"], "A2:A"),
             "=DepartmentNames": "=" + ref(titles["departments"], "A2:A")}
    if dv.type == "list" and dv.formula1 in named:
        condition = {"type": "ONE_OF_RANGE",
                     "values": [{"userEnteredValue": named[dv.formula1]}]}
    elif dv.type == "list":
        items = dv.formula1.strip('"').split(",")
        condition = {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": i} for i in items]}
    elif dv.type == "whole":
        condition = {"type": "NUMBER_BETWEEN",
                     "values": [{"userEnteredValue": "=" + dv.formula1},
                                {"userEnteredValue": "=" + dv.formula2}]}
    else:
        condition = {"type": "DATE_IS_VALID"}
    return {"condition": condition, "strict": bool(dv.showErrorMessage), "showCustomUi": True,
            "inputMessage": dv.prompt or dv.error or ""}


def _colour(hex_rgb: str) -> dict[str, float]:
    return {k: int(hex_rgb[i:i + 2], 16) / 255 for k, i in (("red", 0), ("green", 2),
                                                           ("blue", 4))}


def _marks(wb: Any, titles: dict[str, str], sid: int) -> list[dict[str, Any]]:
    """The Log's marks as conditional format rules (their formulas as ``live.for_google``
    gives them), over the Log's five columns below the header, to its last row."""
    t = live.Tabs(staff=titles["staff"], log=titles["log"], rules=titles["rules"])
    out = []
    rules = [r for cf in wb[titles["log"]].conditional_formatting for r in cf.rules]
    for k, rule in enumerate(rules):
        out.append({"addConditionalFormatRule": {"index": k, "rule": {
            "ranges": [{"sheetId": sid, "startRowIndex": 1, "startColumnIndex": 0,
                        "endColumnIndex": 5}],
            "booleanRule": {
                "condition": {"type": "CUSTOM_FORMULA", "values": [
                    {"userEnteredValue": "=" + live.for_google(rule.formula[0], t)}]},
                "format": {"backgroundColor": _colour(rule.dxf.fill.bgColor.rgb[-6:])}}}}})
    return out


def _split(values: list[list[Any]]) -> tuple[list[list[Any]], list[list[Any]]]:
    """Cells written RAW (text stays text) and formulas written USER_ENTERED (computed)."""
    raw = [[None if isinstance(v, str) and v.startswith("=") else v for v in row]
           for row in values]
    formulas = [[v if isinstance(v, str) and v.startswith("=") else None for v in row]
                for row in values]
    return raw, formulas


def _put(source: GSheetSource, sheets: list[Any], titles: dict[str, str],
         marks: Callable[[dict[str, int]], list[dict[str, Any]]] | None,
         by_title: dict[str, int]) -> list[str]:
    """Add ``sheets`` (openpyxl worksheets) as tabs with their bold header, dropdowns and
    hidden columns, and the Log's ``marks``; then their values: RAW, formulas USER_ENTERED."""
    next_id = max([0, *by_title.values()]) + 1
    requests: list[dict[str, Any]] = []
    added = []
    for ws in sheets:
        sid = by_title.get(ws.title)
        if sid is None:
            sid = next_id
            next_id += 1
            by_title[ws.title] = sid
            requests.append({"addSheet": {"properties": {
                "sheetId": sid, "title": ws.title,
                "gridProperties": {"rowCount": 1000, "columnCount": max(ws.max_column, 5),
                                   "frozenRowCount": 1}}}})
            added.append(ws.title)
        requests.append(bold(sid, 0, ws.max_column))
        for dv in ws.data_validations.dataValidation:
            for sqref in str(dv.sqref).split():
                requests.append({"setDataValidation": {"range": _grid_range(sid, sqref),
                                                       "rule": _rule(dv, titles)}})
        for letter, dim in ws.column_dimensions.items():
            if dim.hidden:
                at = column_index(letter)
                requests.append({"updateDimensionProperties": {
                    "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": at,
                              "endIndex": at + 1},
                    "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}})
    if marks is not None:
        requests += marks(by_title)
    source._call("add the template's tabs",
                 lambda: source.http.batch_update(source.id, {"requests": requests}), write=True)
    raw, formulas = [], []
    for ws in sheets:
        cells, computed = _split([list(row) for row in ws.iter_rows(values_only=True)])
        raw.append({"range": ref(ws.title, "A1"), "majorDimension": "ROWS",
                    "values": [["" if v is None else v for v in row] for row in cells]})
        if any(v is not None for row in computed for v in row):
            formulas.append({"range": ref(ws.title, "A1"), "majorDimension": "ROWS",
                             "values": computed})
    source._call("write the template", lambda: source.http.values_batch_update(
        source.id, {"valueInputOption": "RAW", "data": raw}), write=True)
    if formulas:
        source._call("write the My points formulas", lambda: source.http.values_batch_update(
            source.id, {"valueInputOption": "USER_ENTERED", "data": formulas}), write=True)
    source._meta = None
    return added


def _sheet_ids(source: GSheetSource) -> dict[str, int]:
    props = [s["properties"] for s in source.metadata().get("sheets", [])]
    return {p["title"]: p["sheetId"] for p in props}


def init_template(source: GSheetSource, lang: str, live_parts: bool = True) -> list[str]:
    """Add the template's tabs, headers, Rules and dropdowns (and, with ``live_parts``, the
    My points tab and the Log's marks) to an empty Google Sheet; refuse when a tab of that
    name already holds data. Returns the tabs added."""
    wb = build_template(lang, live=live_parts)
    existing = source.tab_titles()
    clash = [ws.title for ws in wb if ws.title in existing]
    if clash:
        current = source.read_tabs(clash)
        full = [t for t, raw in current.items() if raw.header or len(raw.rows)]
        if full:
            raise SourceError(said("sheet_not_empty", tabs=", ".join(full)))
    titles = {spec.key: find_title([ws.title for ws in wb], spec.names) or spec.label
              for spec in INPUT_TABS}
    return _put(source, list(wb), titles,
                (lambda ids: _marks(wb, titles, ids[titles["log"]])) if live_parts else None,
                _sheet_ids(source))


def is_office(source: GSheetSource) -> bool:
    """Whether the sheet already has an office's Staff and Log tabs."""
    titles = source.tab_titles()
    return all(find_title(titles, spec.names) is not None for spec in INPUT_TABS
               if spec.key in ("staff", "log"))


def add_live_tab(source: GSheetSource, lang: str) -> list[str]:
    """The My points tab and the Log's marks added to an office's existing sheet, for the
    office's own tab titles; its tabs' values are not touched (the marks are formats)."""
    titles = live_titles(source.tab_titles(), source.name)
    scratch, mine = live_scratch(titles, lang)
    return _put(source, [mine], titles, lambda ids: _marks(scratch, titles, ids[titles["log"]]),
                _sheet_ids(source))
