"""The template's tabs put into an empty Google Sheet (``collabsheet init gsheet:ID``): tab
titles, headers, the Rules tab and the dropdowns, as Sheets API requests. It knows the
template's words; the backend it writes through does not."""

from __future__ import annotations

import re
from typing import Any

from .errors import SourceError
from .labels import INPUT_TABS
from .office import find_title
from .phrases import said
from .sheetref import column_index, ref
from .sources.gsheets import GSheetSource
from .sources.gsheets_write import bold
from .templates import build_template


def _grid_range(sid: int, sqref: str) -> dict[str, Any]:
    m = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", sqref)
    if not m:
        raise SourceError(f"template range {sqref!r} cannot be mapped")

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


def init_template(source: GSheetSource, lang: str) -> list[str]:
    """Add the template's tabs, headers, Rules and dropdowns to an empty Google Sheet; refuse
    when a tab of that name already holds data. Returns the tabs added."""
    wb = build_template(lang, live=False)
    existing = source.tab_titles()
    clash = [ws.title for ws in wb if ws.title in existing]
    if clash:
        current = source.read_tabs(clash)
        full = [t for t, raw in current.items() if raw.header or len(raw.rows)]
        if full:
            raise SourceError(said("sheet_not_empty", tabs=", ".join(full)))
    titles = {spec.key: find_title([ws.title for ws in wb], spec.names) or spec.label
              for spec in INPUT_TABS}
    props = [s["properties"] for s in source.metadata().get("sheets", [])]
    by_title = {p["title"]: p["sheetId"] for p in props}
    next_id = max([0, *by_title.values()]) + 1
    requests: list[dict[str, Any]] = []
    added = []
    for ws in wb:
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
    source._call("add the template's tabs",
                 lambda: source.http.batch_update(source.id, {"requests": requests}), write=True)
    data = [{"range": ref(ws.title, "A1"), "majorDimension": "ROWS",
             "values": [["" if v is None else v for v in row]
                        for row in ws.iter_rows(values_only=True)]} for ws in wb]
    source._call("write the template", lambda: source.http.values_batch_update(
        source.id, {"valueInputOption": "RAW", "data": data}), write=True)
    source._meta = None
    return added
