"""The office's tabs as typed frames: headers matched to fields (English, Korean, Google Form),
cells converted, and the sheet row number of every record kept for the report.

Read in two steps so the job can check Staff, Departments and Moves while a backend still
parses the Log: ``read_start`` (every tab but the Log), then ``read_log``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from . import cells
from .errors import TabError, speaking
from .labels import (
    DEPARTMENTS,
    INPUT_TABS,
    LOG,
    MOVES,
    RULES,
    SEAL_TITLES,
    SPECIAL,
    STAFF,
    TabSpec,
    norm,
)
from .phrases import rule_said
from .schemas import check_structure
from .settings import RuleProblem, Rules, parse_bool, parse_rules
from .sources.base import ERROR_TEXTS, RawTab, Source


@dataclass(frozen=True)
class HeaderProblem:
    """A header cell worth a warning (blank-header, duplicate-header) and its message fields."""

    tab: str
    letter: str
    rule: str
    fields: dict[str, str]


@dataclass(frozen=True)
class OfficeStart:
    """Every tab but the Log: enough to check staff, departments and moves while the Log is
    still being parsed."""

    source: str
    titles: dict[str, str]
    headers: dict[str, dict[str, str]]
    staff: pd.DataFrame
    departments: pd.DataFrame
    moves: pd.DataFrame
    special: pd.DataFrame
    rules: Rules
    rule_problems: list[RuleProblem]
    header_problems: dict[str, list[HeaderProblem]]
    seal: pd.DataFrame | None
    raws: Mapping[str, RawTab] = field(repr=False, compare=False)
    clock_zone: str | None = None
    """The time zone of the workbook's own clock (a Google Sheet's), when it has one."""
    every_title: tuple[str, ...] = ()
    """All the workbook's tab titles, the office's own included."""

    def column(self, tab: str, key: str) -> str:
        """The header the office uses for a field, so messages speak the office's words."""
        return self.headers.get(tab, {}).get(key, key)


@dataclass(frozen=True)
class Office(OfficeStart):
    """Everything read from one workbook, ready for the rule pass."""

    log: pd.DataFrame = field(default_factory=pd.DataFrame)
    merged: dict[str, list[str]] = field(default_factory=dict)

    @property
    def all_header_problems(self) -> list[HeaderProblem]:
        """In the order of the tabs: Rules, Staff, Departments, Moves, Log, Special."""
        return [p for key in ("rules", "staff", "departments", "moves", "log", "special")
                for p in self.header_problems.get(key, [])]


def find_title(titles: list[str], names: tuple[str, ...]) -> str | None:
    wanted = [norm(n) for n in names]
    by_norm = {norm(t): t for t in titles}
    for w in wanted:
        if w in by_norm:
            return by_norm[w]
    return None


def _map_header(spec: TabSpec, tab: RawTab) -> tuple[dict[str, int], list[HeaderProblem]]:
    """Field key -> column position. Missing required fields and ambiguous headers raise."""
    found: dict[str, list[int]] = {}
    alias_of: dict[str, str] = {}
    for f in spec.fields:
        for a in f.aliases:
            alias_of.setdefault(norm(a), f.key)
    problems: list[HeaderProblem] = []
    seen: dict[str, str] = {}
    for i, head in enumerate(tab.header):
        if head is None or not str(head).strip():
            if any(c.iloc[:].notna().any() for c in [tab.columns[i]]):
                problems.append(HeaderProblem(tab.title, tab.letters[i], "blank-header",
                                              {"letter": tab.letters[i]}))
            continue
        n = norm(head)
        if n not in alias_of and "\n" in str(head).strip():
            n = norm(str(head).strip().splitlines()[0])
        if n in seen:
            problems.append(HeaderProblem(tab.title, tab.letters[i], "duplicate-header", {
                "first": seen[n], "second": tab.letters[i], "head": str(head).strip()}))
        seen.setdefault(n, tab.letters[i])
        key = alias_of.get(n)
        if key is not None:
            found.setdefault(key, []).append(i)
    mapping: dict[str, int] = {}
    for f in spec.fields:
        cols = found.get(f.key, [])
        if len(cols) > 1:
            where = " and ".join(f"{tab.letters[c]} ({str(tab.header[c]).strip()!r})" for c in cols)
            raise TabError(rule_said("ambiguous-column", tab=tab.title, where=where,
                                     label=f.label),
                           rule="ambiguous-column", tab=tab.title,
                           column=tab.letters[cols[1]])
        if cols:
            mapping[f.key] = cols[0]
        elif f.required:
            heads = ", ".join(repr(str(h).strip()) for h in tab.header if h and str(h).strip())
            raise TabError(rule_said("missing-column", tab=tab.title, label=f.label,
                               aliases=", ".join(f.aliases), found=heads or "no headers"),
                           rule="missing-column", tab=tab.title, column=f.label)
    return mapping, problems


HEADER_ROWS = 3
"""How far down a tab its header row is looked for: a title row or two may stand above it."""


def _below(tab: RawTab, k: int) -> RawTab:
    """``tab`` with data row ``k`` (0-based) as its header: the title rows above it dropped."""
    header = [None if c.iloc[k] is None or c.iloc[k] != c.iloc[k] else str(c.iloc[k])
              for c in tab.columns]
    return dataclasses.replace(tab, header=header, rows=tab.rows[k + 1:],
                               columns=[c.iloc[k + 1:] for c in tab.columns])


def _header_row(spec: TabSpec, tab: RawTab) -> RawTab:
    """The tab from its header row: row 1, or the first of the next rows (up to
    HEADER_ROWS) that names every required field when row 1 does not."""
    try:
        _map_header(spec, tab)
        return tab
    except TabError as first:
        for k in range(HEADER_ROWS - 1):
            if not len(tab.rows) > k or tab.rows[k] > HEADER_ROWS:
                break
            below = _below(tab, k)
            try:
                _map_header(spec, below)
            except TabError:
                continue
            return below
        raise first


def _frame(spec: TabSpec, tab: RawTab) -> tuple[pd.DataFrame, dict[str, str],
                                                list[HeaderProblem]]:
    tab = _header_row(spec, tab)
    mapping, problems = _map_header(spec, tab)
    data: dict[str, object] = {"row": pd.Series(tab.rows, dtype=np.int64)}
    heads: dict[str, str] = {}
    n = len(tab.rows)
    for f in spec.fields:
        if f.key in mapping:
            i = mapping[f.key]
            col = tab.columns[i].reset_index(drop=True)
            data[f.key] = col if col.dtype == "str" else col.astype(object).where(
                col.notna(), None).astype("str")
            heads[f.key] = str(tab.header[i]).strip().splitlines()[0].strip()
        else:
            data[f.key] = pd.Series([None] * n, dtype="str")
            heads[f.key] = f.label
    return pd.DataFrame(data), heads, problems


def _is_error(values: pd.Series) -> pd.Series:
    text = values.astype("str") if values.dtype != "str" else values
    maybe = text.str.startswith("#").fillna(False).astype(bool)
    if not maybe.any():
        return maybe
    return maybe & text.isin(list(ERROR_TEXTS))


def clock_zone(tab: RawTab) -> dt.tzinfo | None:
    """The zone of the workbook's own clock (a Google Sheet's), if it says and it is known."""
    if not tab.zone:
        return None
    try:
        return ZoneInfo(tab.zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


Dates = Callable[[pd.Series], pd.Series]
"""How the date cells of one tab are read (``_dates_of``)."""


def _dates_of(tab: RawTab, rules: Rules) -> Dates:
    """Date cells of ``tab`` as the file means them: a serial counts from its workbook's epoch
    (the 1904 date system's too), text with a UTC offset is converted to the office's time zone
    (the Rules tab's, read before every other tab)."""
    epoch, zone = tab.epoch, rules.zone
    clock = clock_zone(tab)

    def read(values: pd.Series) -> pd.Series:
        return cells.parse_dates(values.where(~_is_error(values)), epoch, zone, clock)

    return read


def _per_value(values: pd.Series, convert: Callable[[Any], Any], missing: Any) -> np.ndarray:
    """``convert`` applied once per distinct value: 180,000 staff rows hold a few hundred."""
    codes, uniques = pd.factorize(values)
    out: np.ndarray = np.array([convert(u) for u in uniques] + [missing], dtype=object)[codes]
    return out


def _norm(text: pd.Series) -> pd.Series:
    """labels.norm for a column (departments are matched in this form)."""
    return pd.Series(_per_value(text, norm, None), index=text.index, dtype="str")


def _takes_part(v: Any) -> Any:
    if not str(v).strip():
        return True
    try:
        return parse_bool(str(v))
    except ValueError:
        return pd.NA


def _staff(raw: pd.DataFrame, dates: Dates) -> pd.DataFrame:
    takes = _per_value(raw["takes_part"], _takes_part, True)
    return pd.DataFrame({
        "row": raw["row"],
        "id": cells.clean_text(raw["id"]),
        "id_key": cells.id_key(raw["id"]),
        "name": cells.clean_text(raw["name"]),
        "department": cells.clean_text(raw["department"]),
        "dept_key": _norm(cells.clean_text(raw["department"])),
        "email": cells.clean_text(raw["email"]),
        "email_key": cells.id_key(raw["email"]),
        "joined_text": cells.clean_text(raw["joined"]),
        "joined": dates(raw["joined"]).dt.normalize(),
        "left_text": cells.clean_text(raw["left"]),
        "left": dates(raw["left"]).dt.normalize(),
        "takes_part_text": cells.clean_text(raw["takes_part"]),
        "takes_part": pd.array(takes, dtype="boolean"),
    })


def _departments(raw: pd.DataFrame, dates: Dates) -> pd.DataFrame:
    """(Departments hold no dates; ``dates`` keeps the converters alike.)"""
    dept = cells.clean_text(raw["department"])
    return pd.DataFrame({
        "row": raw["row"],
        "department": dept,
        "dept_key": _norm(dept),
        "group": cells.clean_text(raw["group"]),
    })


def _moves(raw: pd.DataFrame, dates: Dates) -> pd.DataFrame:
    dept = cells.clean_text(raw["department"])
    return pd.DataFrame({
        "row": raw["row"],
        "date_text": cells.clean_text(raw["date"]),
        "date": dates(raw["date"]).dt.normalize(),
        "id": cells.clean_text(raw["id"]),
        "id_key": cells.id_key(raw["id"]),
        "department": dept,
        "dept_key": _norm(dept),
    })


def _log(raw: pd.DataFrame, dates: Dates) -> pd.DataFrame:
    points_text = cells.clean_text(raw["points"])
    message = cells.clean_text(raw["message"])
    return pd.DataFrame({
        "row": raw["row"],
        "date_text": cells.clean_text(raw["date"]),
        "when": dates(raw["date"]),
        "from": cells.clean_text(raw["from"]),
        "from_key": cells.id_key(raw["from"]),
        "to": cells.clean_text(raw["to"]),
        "to_key": cells.id_key(raw["to"]),
        "points_text": points_text,
        "points": cells.parse_numbers(points_text.where(~_is_error(points_text))),
        "message": message.where(~_is_error(message)),
        "message_text": message,
    })


def _special(raw: pd.DataFrame, dates: Dates) -> pd.DataFrame:
    points_text = cells.clean_text(raw["points"])
    return pd.DataFrame({
        "row": raw["row"],
        "date_text": cells.clean_text(raw["date"]),
        "when": dates(raw["date"]),
        "id": cells.clean_text(raw["id"]),
        "id_key": cells.id_key(raw["id"]),
        "points_text": points_text,
        "points": cells.parse_numbers(points_text.where(~_is_error(points_text))),
        "work": cells.clean_text(raw["work"]),
        "departments": cells.clean_text(raw["departments"]),
    })


def _empty(spec: TabSpec) -> RawTab:
    return RawTab(title=spec.label, header=[f.label for f in spec.fields],
                  letters=[chr(65 + i) for i in range(len(spec.fields))],
                  columns=[pd.Series([], dtype=object) for _ in spec.fields],
                  rows=np.array([], dtype=np.int64))


def read_start(source: Source) -> OfficeStart:
    """Every input tab but the Log, read and converted; the Log may still be parsing."""
    titles = source.tab_titles()
    found: dict[str, str] = {}
    for spec in INPUT_TABS:
        title = find_title(titles, spec.names)
        if title is not None:
            found[spec.key] = title
    seal_title = find_title(titles, SEAL_TITLES)
    wanted = set(found.values()) | ({seal_title} if seal_title else set())
    raws = source.read_tabs(sorted(wanted))
    rules = Rules()
    rule_problems: list[RuleProblem] = []
    heads: dict[str, dict[str, str]] = {}
    header_problems: dict[str, list[HeaderProblem]] = {}
    if "rules" in found:
        frame, heads["rules"], header_problems["rules"] = _frame(RULES, raws[found["rules"]])
        entries = [
            (int(r), str(k).strip(), "" if v is None or (isinstance(v, float) and np.isnan(v))
             else str(v))
            for r, k, v in zip(frame["row"], frame["rule"], frame["value"], strict=True)
            if k is not None and not (isinstance(k, float) and np.isnan(k)) and str(k).strip()
        ]
        rules, rule_problems = parse_rules(entries, epoch=raws[found["rules"]].epoch)
    if rules.log_tab:
        title = find_title(titles, (rules.log_tab,))
        if title is None:
            raise TabError(rule_said("missing-tab", "log_tab", name=rules.log_tab,
                                     tabs=", ".join(titles)), rule="missing-tab",
                           tab=rules.log_tab, lang=rules.language)
        found["log"] = title
        if title not in raws:
            raws = {**raws, **source.read_tabs([title])}
    for spec in INPUT_TABS:
        if spec.required and spec.key not in found:
            raise TabError(rule_said("missing-tab", source=source.name, label=spec.label,
                                     names=", ".join(spec.names),
                                     tabs=", ".join(titles) or "-"),
                           rule="missing-tab", tab=spec.label, lang=rules.language)
    frames: dict[str, pd.DataFrame] = {}
    with speaking(rules.language):
        for spec, convert in ((STAFF, _staff), (DEPARTMENTS, _departments), (MOVES, _moves),
                              (SPECIAL, _special)):
            raw = raws[found[spec.key]] if spec.key in found else _empty(spec)
            frame, heads[spec.key], header_problems[spec.key] = _frame(spec, raw)
            frames[spec.key] = check_structure(spec.key, convert(frame, _dates_of(raw, rules)))
    return OfficeStart(
        source=source.name, titles=found, headers=heads, staff=frames["staff"],
        departments=frames["departments"], moves=frames["moves"], special=frames["special"],
        rules=rules, rule_problems=rule_problems, header_problems=header_problems,
        seal=_seal(raws[seal_title]) if seal_title else None, raws=raws,
        clock_zone=raws[found["staff"]].zone if "staff" in found else None,
        every_title=tuple(titles))


def read_log(start: OfficeStart) -> Office:
    """The Log read and converted: the office complete."""
    raws = start.raws
    raw = raws[start.titles["log"]]
    frame, head, problems = _frame(LOG, raw)
    parts = {f.name: getattr(start, f.name) for f in dataclasses.fields(OfficeStart)}
    parts["headers"] = {**start.headers, "log": head}
    parts["header_problems"] = {**start.header_problems, "log": problems}
    parts["raws"] = {}
    return Office(**parts, log=check_structure("log", _log(frame, _dates_of(raw, start.rules))),
                  merged={t: r.merged for t, r in raws.items() if r.merged})


SEAL_COLUMNS = ("kind", "month", "tab", "row", "fp", "content", "at")


def _seal(raw: RawTab) -> pd.DataFrame | None:
    cols = [c.reset_index(drop=True) for c in raw.columns[:7]]
    if len(cols) != 7:
        return None
    return pd.DataFrame({k: c.astype(object).where(c.notna(), None)
                         for k, c in zip(SEAL_COLUMNS, cols, strict=True)})
