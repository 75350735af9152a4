"""The library's jobs: open a workbook, run the rule pass, and (on request) write result tabs.

Each job takes its time as an argument: ``as_of`` is a date, or an aware datetime that is turned
into the office's local date; nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from . import engine, render
from .errors import UsageError
from .labels import owned_titles
from .report import Report
from .sources.base import Source
from .tables import Office, load_office

Location = str | os.PathLike[str] | Source


def open_source(location: Location, force: bool = False) -> Source:
    """A path to an .xlsx file, or a Source object already made."""
    if not isinstance(location, (str, os.PathLike)):
        return location
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


def evaluate(location: Location, as_of: dt.date | dt.datetime,
             force: bool = False) -> tuple[Source, engine.Verdicts]:
    source = open_source(location, force=force)
    office = load_office(source)
    return source, engine.evaluate(office, local_date(as_of, office))


def validate(location: Location, as_of: dt.date | dt.datetime, write: bool = False,
             force: bool = False) -> Report:
    """Check every row of every tab; with ``write`` put a Validation tab into the workbook."""
    source, verdicts = evaluate(location, as_of, force=force)
    if write:
        lang = verdicts.rules.language
        source.write_tabs([render.validation_tab(verdicts, lang)], owned_titles())
    return verdicts.report
