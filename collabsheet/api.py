"""The library's jobs: open a workbook, run the rule pass, and (on request) write result tabs.

Each job takes its time as an argument: ``as_of`` is a date, or an aware datetime that is turned
into the office's local date; nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import engine, render, seal, signals
from .errors import SealError, UsageError
from .ledger import ledger as build_ledger
from .office import OfficeStart, load_office
from .periods import Period, parse_period
from .report import Report
from .resulttab import ResultTab
from .scores import Results
from .scores import rank as build_ranking
from .sources.base import Source, tab_writer
from .sources.gsheets import Access, spreadsheet_id

Location = str | os.PathLike[str] | Source


def open_source(location: Location, force: bool = False, access: Access | None = None
                ) -> Source:
    """A path to an .xlsx file, a Google Sheet ('gsheet:ID' or its URL), or a Source object."""
    if not isinstance(location, (str, os.PathLike)):
        return location
    sid = spreadsheet_id(str(location)) if isinstance(location, str) else None
    if sid is not None:
        from .sources.gsheets import GSheetSource

        return GSheetSource(sid, access)
    from .sources.xlsx import XlsxSource

    return XlsxSource(Path(location), force=force)


def local_date(as_of: dt.date | dt.datetime, office: OfficeStart) -> dt.date:
    if isinstance(as_of, dt.datetime):
        if as_of.tzinfo is None:
            raise UsageError("as_of must be a date or a time-zone-aware datetime")
        return as_of.astimezone(office.rules.zone).date()
    if isinstance(as_of, dt.date):
        return as_of
    raise UsageError(f"as_of must be a date, got {as_of!r}")


def evaluate(location: Location, as_of: dt.date | dt.datetime, force: bool = False,
             access: Access | None = None) -> tuple[Source, engine.Verdicts]:
    """Read once and run every rule, sealed months and gaming signals included."""
    source, verdicts = _rule_pass(location, as_of, force, access)
    _add_signals(verdicts)
    return source, verdicts


def _rule_pass(location: Location, as_of: dt.date | dt.datetime, force: bool,
               access: Access | None) -> tuple[Source, engine.Verdicts]:
    source = open_source(location, force=force, access=access)
    early: list[engine.Prepared] = []
    office = load_office(source, early=lambda start: early.append(
        engine.prepare(start, local_date(as_of, start))))
    verdicts = engine.evaluate(office, local_date(as_of, office),
                               prepared=early[0] if early else None)
    problems, changed = seal.check_seals(office, verdicts)
    verdicts.report.violations.extend(problems)
    verdicts.office = office
    verdicts.sealed_changed = changed
    return source, verdicts


def _add_signals(verdicts: engine.Verdicts) -> None:
    """Signals are warnings only; ranking does not need them, so ``run`` finds them later."""
    verdicts.signals = signals.find_signals(verdicts)
    verdicts.report.violations.extend(signals.signal_violations(verdicts, verdicts.signals))


def _guard_seals(verdicts: engine.Verdicts, accept_changes: bool, as_of: dt.date | dt.datetime
                 ) -> list[ResultTab]:
    """Results are not written over a changed sealed month unless the office accepts it."""
    if not verdicts.sealed_changed:
        return []
    months = ", ".join(verdicts.sealed_changed)
    if not accept_changes:
        raise SealError(f"sealed month(s) {months} changed since they were sealed (see the "
                        "sealed-changed rows in validate); nothing was written. Use "
                        "--accept-changes to accept the edits and seal again")
    tab = None
    stamp = _stamp(as_of, verdicts)
    for month in verdicts.sealed_changed:
        tab, _ = seal.seal_month(verdicts.office, verdicts, month, stamp, accept_changes=True)
        verdicts.office.seal = _seal_frame(tab)
    return [tab] if tab is not None else []


def validate(location: Location, as_of: dt.date | dt.datetime, write: bool = False,
             force: bool = False, access: Access | None = None) -> Report:
    """Check every row of every tab; with ``write`` put a Validation tab into the workbook."""
    source, verdicts = evaluate(location, as_of, force=force, access=access)
    if write:
        lang = verdicts.rules.language
        source.write_tabs([render.validation_tab(verdicts, lang),
                           signals.signals_tab(verdicts.signals, lang)])
    return verdicts.report


def _lang(lang: str | None, verdicts: engine.Verdicts) -> str:
    return lang or verdicts.rules.language


def _period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


@dataclass
class LedgerResult:
    ledger: pd.DataFrame
    report: Report
    lang: str


@dataclass
class RankResult:
    results: Results
    report: Report
    lang: str


@dataclass
class RunResult:
    report: Report
    ledger: pd.DataFrame
    results: Results
    lang: str
    written: list[str]


def grant(location: Location, as_of: dt.date | dt.datetime, write: bool = False,
          force: bool = False, lang: str | None = None, access: Access | None = None
          ) -> LedgerResult:
    """The ledger of grants, sends and expiry, recomputed whole; ``write`` puts a Ledger tab."""
    source, verdicts = evaluate(location, as_of, force=force, access=access)
    frame = build_ledger(verdicts)
    language = _lang(lang, verdicts)
    if write:
        source.write_tabs([render.ledger_tab(frame, language)])
    return LedgerResult(frame, verdicts.report, language)


def rank(location: Location, period: str | Period, as_of: dt.date | dt.datetime,
         write: bool = False, force: bool = False, lang: str | None = None,
         access: Access | None = None, accept_changes: bool = False) -> RankResult:
    """Scores, ranks, commendations and summary; ``write`` puts the four result tabs (refused
    while a sealed month has changed, unless ``accept_changes``, which seals it again)."""
    p = _period(period)
    source, verdicts = evaluate(location, as_of, force=force, access=access)
    results = build_ranking(verdicts, p)
    language = _lang(lang, verdicts)
    if write:
        resealed = _guard_seals(verdicts, accept_changes, as_of)
        source.write_tabs([*render.rank_tabs(results, language), *resealed])
    return RankResult(results, verdicts.report, language)


def run(location: Location, period: str | Period, as_of: dt.date | dt.datetime,
        force: bool = False, lang: str | None = None, access: Access | None = None,
        accept_changes: bool = False) -> RunResult:
    """The admin's monthly job: validate, grant and rank from one read, all tabs in one write."""
    p = _period(period)
    source, verdicts = _rule_pass(location, as_of, force, access)
    language = _lang(lang, verdicts)
    resealed = _guard_seals(verdicts, accept_changes, as_of)
    writer = tab_writer(source)
    made: dict[str, str] = {}

    def add(tab: ResultTab) -> None:
        writer.add(tab)
        made[tab.key] = tab.title

    try:
        # The large tabs first: the writer builds them while the rest is computed.
        frame = build_ledger(verdicts)
        add(render.ledger_tab(frame, language))
        results = build_ranking(verdicts, p)
        for tab in render.rank_tabs(results, language):
            add(tab)
        _add_signals(verdicts)
        add(render.validation_tab(verdicts, language))
        add(signals.signals_tab(verdicts.signals, language))
        written = [made[k] for k in RUN_TABS if k in made] + [t.title for t in resealed]
        for tab in resealed:
            add(tab)
        writer.commit(order=written)
    finally:
        writer.abort()
    return RunResult(verdicts.report, frame, results, language, written)


RUN_TABS = ("validation", "ledger", "people", "departments", "commendations", "summary",
            "signals")
DEMO_AS_OF = dt.date(2025, 7, 1)
DEMO_PERIOD = "2025-H1"
DEMO_NAME = "collabsheet-demo.xlsx"


def init(path: str | os.PathLike[str], lang: str = "en", access: Access | None = None
         ) -> str:
    """A new workbook from the template (never overwrites a file), or the template's tabs
    added to an empty Google Sheet (refused when its tabs hold data). Returns what was made."""
    sid = spreadsheet_id(str(path))
    if sid is not None:
        from .sources.gsheets import GSheetSource, init_template

        added = init_template(GSheetSource(sid, access), lang)
        return f"gsheet:{sid} (tabs added: {', '.join(added) or 'none'})"
    from .templates import write_template

    return str(write_template(Path(path), lang))


def demo(out: str | os.PathLike[str] = DEMO_NAME, lang: str = "en") -> RunResult:
    """Write the example office to ``out`` and run the whole job on it for 2025-H1.

    Only a file with the default demo name is replaced; any other existing file is refused."""
    from .errors import SourceError
    from .example import build, workbook_bytes

    target = Path(out)
    if target.exists() and target.name != DEMO_NAME:
        raise SourceError(f"{target} already exists; demo writes a new file (choose another name)")
    target.write_bytes(workbook_bytes(build()[lang]))
    return run(target, DEMO_PERIOD, as_of=DEMO_AS_OF)


def _stamp(as_of: dt.date | dt.datetime, verdicts: engine.Verdicts) -> dt.datetime:
    if isinstance(as_of, dt.datetime):
        return as_of.astimezone(verdicts.rules.zone).replace(tzinfo=None)
    return dt.datetime(as_of.year, as_of.month, as_of.day)


def _seal_frame(tab: ResultTab) -> pd.DataFrame:
    t = tab.tables[0]
    return pd.DataFrame({k: list(col) for k, col in zip(
        ("kind", "month", "tab", "row", "fp", "content", "at"), t.values, strict=True)})


@dataclass
class CloseResult:
    message: str
    report: Report


def close(location: Location, month: str, as_of: dt.date | dt.datetime, force: bool = False,
          access: Access | None = None, accept_changes: bool = False) -> CloseResult:
    """Seal a month that has ended: its rows' fingerprints go into the Seal tab."""
    source, verdicts = evaluate(location, as_of, force=force, access=access)
    tab, message = seal.seal_month(verdicts.office, verdicts, month,
                                   _stamp(as_of, verdicts), accept_changes=accept_changes)
    if not message.endswith("unchanged"):
        source.write_tabs([tab])
    return CloseResult(message, verdicts.report)
