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

from . import engine, render
from .errors import UsageError
from .labels import owned_titles
from .ledger import ledger as build_ledger
from .periods import Period, parse_period
from .report import Report
from .scores import Results
from .scores import rank as build_ranking
from .sources.gsheets import Access, spreadsheet_id
from .sources.base import Source
from .tables import Office, load_office

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


def local_date(as_of: dt.date | dt.datetime, office: Office) -> dt.date:
    if isinstance(as_of, dt.datetime):
        if as_of.tzinfo is None:
            raise UsageError("as_of must be a date or a time-zone-aware datetime")
        return as_of.astimezone(office.rules.zone).date()
    if isinstance(as_of, dt.date):
        return as_of
    raise UsageError(f"as_of must be a date, got {as_of!r}")


def evaluate(location: Location, as_of: dt.date | dt.datetime, force: bool = False,
             access: Access | None = None) -> tuple[Source, engine.Verdicts]:
    source = open_source(location, force=force, access=access)
    office = load_office(source)
    return source, engine.evaluate(office, local_date(as_of, office))


def validate(location: Location, as_of: dt.date | dt.datetime, write: bool = False,
             force: bool = False, access: Access | None = None) -> Report:
    """Check every row of every tab; with ``write`` put a Validation tab into the workbook."""
    source, verdicts = evaluate(location, as_of, force=force, access=access)
    if write:
        lang = verdicts.rules.language
        source.write_tabs([render.validation_tab(verdicts, lang)], owned_titles())
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
        source.write_tabs([render.ledger_tab(frame, language)], owned_titles())
    return LedgerResult(frame, verdicts.report, language)


def rank(location: Location, period: str | Period, as_of: dt.date | dt.datetime,
         write: bool = False, force: bool = False, lang: str | None = None,
         access: Access | None = None) -> RankResult:
    """Scores, ranks, commendations and summary; ``write`` puts the four result tabs."""
    p = _period(period)
    source, verdicts = evaluate(location, as_of, force=force, access=access)
    results = build_ranking(verdicts, p)
    language = _lang(lang, verdicts)
    if write:
        source.write_tabs(render.rank_tabs(results, language), owned_titles())
    return RankResult(results, verdicts.report, language)


def run(location: Location, period: str | Period, as_of: dt.date | dt.datetime,
        force: bool = False, lang: str | None = None, access: Access | None = None
        ) -> RunResult:
    """The admin's monthly job: validate, grant and rank from one read, all tabs in one write."""
    p = _period(period)
    source, verdicts = evaluate(location, as_of, force=force, access=access)
    frame = build_ledger(verdicts)
    results = build_ranking(verdicts, p)
    language = _lang(lang, verdicts)
    tabs = [render.validation_tab(verdicts, language), render.ledger_tab(frame, language),
            *render.rank_tabs(results, language)]
    source.write_tabs(tabs, owned_titles())
    return RunResult(verdicts.report, frame, results, language, [t.title for t in tabs])


DEMO_AS_OF = dt.date(2025, 7, 1)
DEMO_PERIOD = "2025-H1"
DEMO_NAME = "collabsheet-demo.xlsx"


def init(path: str | os.PathLike[str], lang: str = "en") -> Path:
    """A new workbook from the template; never overwrites an existing file."""
    from .templates import write_template

    return write_template(Path(path), lang)


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
