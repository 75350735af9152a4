"""The library's jobs: open a workbook, read it once, judge it, and (on request) write result
tabs. Each job arranges its own steps: the tabs before the Log are checked while a backend still
parses the Log, and the seals and signals are computed as values of their own and combined
into one Report.

Each job takes its time as an argument: ``as_of`` is a date, or an aware datetime that is
turned into the office's local date once, at the start; nothing here reads the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import engine, months, render, seal, signals
from .engine import Verdicts
from .errors import (
    CollabsheetError,
    MailError,
    SealError,
    SourceError,
    UsageError,
    WriteRefused,
    speaking,
)
from .ledger import ledger as build_ledger
from .office import Office, find_title, read_log, read_start
from .periods import Period, parse_month, parse_period
from .phrases import Said, said
from .report import Report
from .resulttab import ResultTab
from .scores import Results, score_period
from .settings import Rules
from .sources.base import Source, tab_writer
from .sources.filesafe import write_whole
from .sources.gsheets import Access, spreadsheet_id

if TYPE_CHECKING:
    from .meeting import Meeting
    from .notices import Notices
    from .noticetab import Record
    from .smtp import Clock, Server

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


def _local(location: Location | None) -> Path | None:
    if location is None or not isinstance(location, (str, os.PathLike)):
        return None
    if isinstance(location, str) and spreadsheet_id(location) is not None:
        return None
    return Path(location)


def check_output(location: Location | None, into: Location | None = None) -> None:
    """Refuse, before any work, a write that cannot happen: an output that is neither an .xlsx
    file nor a Google Sheet, and a local workbook (the output, else ``into``, the workbook
    itself) that is read-only or an .ods."""
    path = _local(location)
    if path is not None and path.suffix.lower() != ".xlsx":
        raise WriteRefused("not-xlsx", "output", source=str(path))
    path = path if location is not None else _local(into)
    if path is None or not path.is_file():
        return
    import zipfile

    from .sources.filesafe import check_writable
    from .sources.package import is_ods

    check_writable(path, path.name)
    try:
        with zipfile.ZipFile(path) as zf:
            ods = is_ods(zf)
    except (zipfile.BadZipFile, OSError):
        return
    if ods:
        raise WriteRefused("not-xlsx", "ods", source=path.name)


def open_target(location: Location | None, source: Source, force: bool = False,
                access: Access | None = None) -> Source:
    """Where result tabs go: ``source`` itself, or (``--output``) another workbook: a new or
    existing .xlsx file, whose own tabs are kept as they are, or a Google Sheet."""
    if location is None:
        return source
    if not isinstance(location, (str, os.PathLike)):
        return location
    sid = spreadsheet_id(str(location)) if isinstance(location, str) else None
    if sid is not None:
        if getattr(source, "id", None) == sid:
            return source
        from .sources.gsheets import GSheetSource

        return GSheetSource(sid, access)
    check_output(location)
    path = Path(location)
    own = getattr(source, "path", None)
    if isinstance(own, Path) and path.exists() and own.exists() and path.samefile(own):
        return source
    from .sources.xlsx import XlsxTarget

    return XlsxTarget(path, force=force)


@dataclass(frozen=True)
class Moment:
    """``as_of`` in the office's time zone: the day rules judge by, and the wall-clock time a
    seal records."""

    day: dt.date
    stamp: dt.datetime

    @staticmethod
    def of(as_of: dt.date | dt.datetime, rules: Rules) -> Moment:
        if isinstance(as_of, dt.datetime):
            if as_of.tzinfo is None:
                raise UsageError(said("as_of_aware"))
            local = as_of.astimezone(rules.zone).replace(tzinfo=None)
            return Moment(local.date(), local)
        if isinstance(as_of, dt.date):
            return Moment(as_of, dt.datetime(as_of.year, as_of.month, as_of.day))
        raise UsageError(said("as_of_type", value=as_of))


@dataclass(frozen=True)
class Evaluation:
    """One read of the office, judged: the rule pass, the seals and (when asked) the gaming
    signals, and the one Report that holds all their violations."""

    office: Office
    verdicts: Verdicts
    seals: seal.SealCheck
    signals: list[signals.Signal]
    report: Report
    moment: Moment

    @property
    def log(self) -> pd.DataFrame:
        return self.verdicts.log

    @property
    def rules(self) -> Rules:
        return self.verdicts.rules

    @property
    def as_of(self) -> dt.date:
        return self.verdicts.as_of


def _judge(location: Location, as_of: dt.date | dt.datetime, force: bool,
           access: Access | None, lang: str | None = None
           ) -> tuple[Source, Office, Verdicts, seal.SealCheck, Moment]:
    """Read once and run every rule and the seals; the Log parses while the other tabs are
    checked. Every message is in ``lang``, else in the Rules tab's language."""
    with speaking(lang):
        source = open_source(location, force=force, access=access)
        start = read_start(source)
    with speaking(lang or start.rules.language):
        moment = Moment.of(as_of, start.rules)
        prepared = engine.prepare(start, moment.day, lang)
        office = read_log(start)
        del start
        verdicts = engine.rule_pass(office, moment.day, prepared)
        return source, office, verdicts, seal.check_seals(office, verdicts), moment


def _combine(office: Office, verdicts: Verdicts, seals: seal.SealCheck, moment: Moment,
             found: list[signals.Signal] | None) -> Evaluation:
    found = found or []
    violations = [*verdicts.violations, *seals.violations,
                  *signals.signal_violations(verdicts, found)]
    report = Report(source=verdicts.source, as_of=verdicts.as_of.isoformat(),
                    violations=violations, stats=verdicts.stats, lang=verdicts.lang)
    return Evaluation(office, verdicts, seals, found, report, moment)


def evaluate(location: Location, as_of: dt.date | dt.datetime, force: bool = False,
             access: Access | None = None, lang: str | None = None
             ) -> tuple[Source, Evaluation]:
    """Read once and run every rule, sealed months and gaming signals included; messages in
    ``lang`` (default: the Rules tab's language)."""
    source, office, verdicts, seals, moment = _judge(location, as_of, force, access, lang)
    return source, _combine(office, verdicts, seals, moment, signals.find_signals(verdicts))


def _resealed(ev_seals: seal.SealCheck, verdicts: Verdicts, moment: Moment,
              accept_changes: bool) -> list[ResultTab]:
    """Results are not written over a changed sealed month unless the office accepts it; then
    the months are sealed again."""
    if not ev_seals.changed:
        return []
    if not accept_changes:
        months = ", ".join(ev_seals.changed)
        raise SealError(said("sealed_changed", months=months), lang=verdicts.lang)
    seals, tab = ev_seals.seals, None
    for month in ev_seals.changed:
        sealed = seal.seal_month(seals, verdicts, month, moment.stamp, accept_changes=True)
        seals, tab = sealed.seals, sealed.tab
    return [tab] if tab is not None else []


def validate(location: Location, as_of: dt.date | dt.datetime, write: bool = False,
             force: bool = False, access: Access | None = None,
             output: Location | None = None, lang: str | None = None) -> Report:
    """Check every row of every tab; with ``write`` put the Validation and Signals tabs into
    the workbook (or into ``output``). The report's messages are in ``lang``, else in the
    Rules tab's language (``Report.lang``)."""
    with speaking(lang):
        check_output(output, location if write else None)
    source, ev = evaluate(location, as_of, force=force, access=access, lang=lang)
    if write:
        lang = ev.verdicts.lang
        tabs = [render.validation_tab(ev.verdicts, ev.report, lang),
                signals.signals_tab(ev.signals, ev.verdicts, lang)]
        with speaking(lang):
            open_target(output, source, force, access).write_tabs(tabs)
    return ev.report


def _period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


@dataclass(frozen=True)
class LedgerResult:
    ledger: pd.DataFrame
    report: Report
    lang: str


@dataclass(frozen=True)
class RankResult:
    results: Results
    report: Report
    lang: str


@dataclass(frozen=True)
class RunResult:
    report: Report
    ledger: pd.DataFrame
    results: Results
    lang: str
    written: list[str]
    meeting_report: Path | None = None
    """the demo's meeting report, beside its workbook"""


def grant(location: Location, as_of: dt.date | dt.datetime, write: bool = False,
          force: bool = False, lang: str | None = None, access: Access | None = None,
          output: Location | None = None) -> LedgerResult:
    """The ledger of grants, sends and expiry, recomputed whole; ``write`` puts a Ledger tab
    (into ``output`` if given)."""
    with speaking(lang):
        check_output(output, location if write else None)
    source, ev = evaluate(location, as_of, force=force, access=access, lang=lang)
    frame = build_ledger(ev.verdicts)
    language = ev.verdicts.lang
    if write:
        with speaking(language):
            open_target(output, source, force, access).write_tabs(
                [render.ledger_tab(frame, ev.verdicts, language)])
    return LedgerResult(frame, ev.report, language)


def rank(location: Location, period: str | Period, as_of: dt.date | dt.datetime,
         write: bool = False, force: bool = False, lang: str | None = None,
         access: Access | None = None, accept_changes: bool = False,
         output: Location | None = None) -> RankResult:
    """Scores, ranks, commendations and summary; ``write`` puts the four result tabs (refused
    while a sealed month has changed, unless ``accept_changes``, which seals it again; the
    Seal tab stays beside the Log it seals, whatever ``output`` says)."""
    with speaking(lang):
        p = _period(period)
        check_output(output, location if write else None)
    source, ev = evaluate(location, as_of, force=force, access=access, lang=lang)
    results = score_period(ev.verdicts, p)
    language = ev.verdicts.lang
    if write:
        with speaking(language):
            _write_ranks(source, ev, results, output, force, access, accept_changes)
    return RankResult(results, ev.report, language)


def _write_ranks(source: Source, ev: Evaluation, results: Results, output: Location | None,
                 force: bool, access: Access | None, accept_changes: bool) -> None:
    language = ev.verdicts.lang
    resealed = _resealed(ev.seals, ev.verdicts, ev.moment, accept_changes)
    target = open_target(output, source, force, access)
    if target is source:
        source.write_tabs([*render.rank_tabs(results, language, ev.as_of), *resealed])
    else:
        target.write_tabs(render.rank_tabs(results, language, ev.as_of))
        if resealed:
            source.write_tabs(resealed)


RUN_TABS = ("validation", "ledger", "people", "departments", "commendations", "summary",
            "signals")


def run(location: Location, period: str | Period, as_of: dt.date | dt.datetime,
        force: bool = False, lang: str | None = None, access: Access | None = None,
        accept_changes: bool = False, output: Location | None = None) -> RunResult:
    """The admin's monthly job: validate, grant and rank from one read, all tabs in one write
    (into ``output`` if given; a Seal tab written again stays beside the Log it seals)."""
    with speaking(lang):
        p = _period(period)
        check_output(output, location)
    source, office, verdicts, seals, moment = _judge(location, as_of, force, access, lang)
    with speaking(verdicts.lang):
        return _run_write(source, office, verdicts, seals, moment, p, output, force, access,
                          accept_changes)


def _run_write(source: Source, office: Office, verdicts: Verdicts, seals: seal.SealCheck,
               moment: Moment, p: Period, output: Location | None, force: bool,
               access: Access | None, accept_changes: bool) -> RunResult:
    target = open_target(output, source, force, access)
    language = verdicts.lang
    resealed = _resealed(seals, verdicts, moment, accept_changes)
    writer = tab_writer(target)
    made: dict[str, str] = {}

    def add(tab: ResultTab) -> None:
        writer.add(tab)
        made[tab.key] = tab.title

    try:
        # The large tabs first: the writer builds them while the rest is computed.
        frame = build_ledger(verdicts)
        add(render.ledger_tab(frame, verdicts, language))
        results = score_period(verdicts, p)
        for tab in render.rank_tabs(results, language, verdicts.as_of):
            add(tab)
        ev = _combine(office, verdicts, seals, moment, signals.find_signals(verdicts))
        add(render.validation_tab(verdicts, ev.report, language))
        add(signals.signals_tab(ev.signals, verdicts, language))
        written = [made[k] for k in RUN_TABS if k in made] + [t.title for t in resealed]
        if target is source:
            for tab in resealed:
                add(tab)
        writer.commit(order=written)
    finally:
        writer.abort()
    if resealed and target is not source:
        source.write_tabs(resealed)
    return RunResult(ev.report, frame, results, language, written)


@dataclass(frozen=True)
class ReportResult:
    meeting: Meeting
    html: str
    lang: str
    written: tuple[Path, ...]


def report(location: Location, period: str | Period, as_of: dt.date | dt.datetime,
           compare: str | Period | None = None, force: bool = False, lang: str | None = None,
           access: Access | None = None, html: str | os.PathLike[str] | None = None,
           pdf: str | os.PathLike[str] | None = None) -> ReportResult:
    """The page for the executive meeting, from one read and the result tabs' own figures
    (``meeting``): written to ``html`` and, through a headless browser, printed to ``pdf``.
    The HTML is written first, so a missing browser still leaves it."""
    with speaking(lang):
        p = _period(period)
        other = _period(compare) if compare is not None else None
        for path, ends in ((html, (".html", ".htm")), (pdf, (".pdf",))):
            if path is not None and not str(path).lower().endswith(ends):
                raise UsageError(said("report_suffix", path=path, ends=" / ".join(ends)))
    from . import browser, meeting_html
    from .meeting import meeting

    source, office, verdicts, seals, moment = _judge(location, as_of, force, access, lang)
    with speaking(verdicts.lang):
        found = meeting(verdicts, _combine(office, verdicts, seals, moment, None).report, p,
                        other)
        page = meeting_html.render(found)
        written: list[Path] = []
        if html is not None:
            write_whole(Path(html), page.encode("utf-8"))
            written.append(Path(html))
        if pdf is not None:
            browser.print_pdf(page, Path(pdf))
            written.append(Path(pdf))
    return ReportResult(found, page, verdicts.lang, tuple(written))


@dataclass(frozen=True)
class Unsent:
    person: str
    email: str
    why: str


@dataclass(frozen=True)
class NotifyResult:
    notices: Notices
    files: tuple[Path, ...]
    lang: str
    sent: tuple[str, ...] = ()
    """the Message-IDs the mail server accepted (and the Notices tab records)"""
    refused: tuple[Unsent, ...] = ()
    server: str | None = None
    tab: str | None = None


NOTIFY_BATCH = 50
"""Messages sent between two writes of the Notices tab, at most (fewer at a slower pace: a
minute's worth)."""


def notify(location: Location, month: str, as_of: dt.date | dt.datetime, at: dt.datetime,
           dry_run: str | os.PathLike[str] | None = None, server: Server | None = None,
           sender: str = "collabsheet@localhost", per_minute: int = 30,
           clock: Clock | None = None, force: bool = False, lang: str | None = None,
           access: Access | None = None, progress: Callable[[int, int], None] | None = None
           ) -> NotifyResult:
    """Each person's notice for ``month`` that is new since the Notices tab's records: with
    ``dry_run``, written as one .eml file per person into that folder (dated ``at``), nothing
    sent or recorded; with ``server``, sent (``per_minute`` at most, timed by ``clock``) and
    recorded on the Notices tab after each batch, so a run that dies sends again at most the
    batch it was in (docs/notify.md)."""
    from . import noticetab
    from .dryrun import write_notices
    from .notices import notices

    if (dry_run is None) == (server is None):
        raise UsageError(said("notify_how"))
    with speaking(lang):
        code = parse_month(month)
        if server is not None and per_minute < 1:
            raise UsageError(said("per_minute", n=per_minute))
    source, office, verdicts, seals, moment = _judge(location, as_of, force, access, lang)
    with speaking(verdicts.lang):
        title = find_title(source.tab_titles(), noticetab.TITLES)
        records = noticetab.read(source.read_tabs([title])[title]) if title else []
        report = _combine(office, verdicts, seals, moment, None).report
        found = notices(verdicts, report, code, noticetab.covered(records, code))
        if dry_run is not None:
            return NotifyResult(found, write_notices(found, Path(dry_run), sender, at),
                                verdicts.lang)
        assert server is not None and clock is not None
        return _send(source, found, records, server, sender, per_minute, clock, moment.day,
                     progress)


def _send(source: Source, found: Notices, records: list[Record], server: Server, sender: str,
          per_minute: int, clock: Clock, day: dt.date,
          progress: Callable[[int, int], None] | None) -> NotifyResult:
    """Send, recording after each batch what the server accepted; a refused recipient is
    reported and left unrecorded, to be tried again by the next run."""
    from . import mail, noticetab
    from .labels import result_title
    from .mailbytes import Writer
    from .smtp import Connection, Pace

    lang = found.lang
    todo = [n for n in found.notices if n.email]
    tab_title = result_title("notices", lang)
    done = NotifyResult(found, (), lang, server=server.name, tab=tab_title)
    if not todo:
        return done
    if found.month < months.of_date(day) - noticetab.KEEP_MONTHS + 1:
        raise UsageError(said("notify_too_old", month=months.name(found.month),
                              keep=noticetab.KEEP_MONTHS, as_of=day.isoformat()))
    records = noticetab.kept(records, day)
    if len(records) + len(todo) > noticetab.MAX_ROWS:
        raise UsageError(said("notify_full", tab=tab_title, limit=noticetab.MAX_ROWS,
                              keep=noticetab.KEEP_MONTHS))
    connection = Connection(server)
    try:
        connection.probe(sender)
    except MailError:
        connection.close()
        raise
    sent: list[str] = []
    refused: list[Unsent] = []
    pending: list[Record] = []
    name = months.name(found.month)

    def record() -> None:
        if not pending:
            return
        try:
            source.write_tabs([noticetab.tab([*records, *pending], lang, day)])
        except CollabsheetError as exc:
            raise type(exc)(said("notify_unrecorded", n=len(pending), why=exc.say(lang)),
                            lang=lang) from None
        records.extend(pending)
        sent.extend(r.message_id for r in pending)
        pending.clear()

    try:
        source.write_tabs([noticetab.tab(records, lang, day)])
        pace = Pace(per_minute, clock)
        size = max(1, min(NOTIFY_BATCH, per_minute))
        for first in range(0, len(todo), size):
            writer = Writer(found, sender, clock.now())
            for done_so_far, n in enumerate(todo[first:first + size], start=first + 1):
                msgid = mail.message_id(sender)
                pace.wait()
                why = connection.send(sender, str(n.email), writer.message(n, msgid))
                if why is not None:
                    refused.append(Unsent(n.id, str(n.email), why))
                else:
                    pending.append(noticetab.Record(name, n.id, str(n.email), n.covers, msgid,
                                                    clock.now().isoformat(timespec="seconds")))
                if progress is not None:
                    progress(done_so_far, len(todo))
            record()
    except MailError as exc:
        record()
        raise MailError(said("smtp_stopped", why=exc.say(lang), n=len(sent)),
                        lang=lang) from None
    except BaseException:
        record()
        raise
    finally:
        connection.close()
    return dataclasses.replace(done, sent=tuple(sent), refused=tuple(refused))


DEMO_AS_OF = dt.date(2025, 7, 1)
DEMO_PERIOD = "2025-H1"
DEMO_NAME = "collabsheet-demo.xlsx"


@dataclass(frozen=True)
class InitResult:
    made: str
    """the file made, or gsheet:ID"""
    added: tuple[str, ...] = ()
    """the tabs added to a Google Sheet"""
    live_only: bool = False
    """only the My points tab and the marks were added to an office's own workbook"""

    def said(self, lang: str) -> Said:
        if self.live_only:
            return said("live_added", path=self.made, tabs=", ".join(self.added))
        if self.made.startswith("gsheet:"):
            return said("created_sheet", path=self.made, tabs=", ".join(self.added) or "-")
        return said("created", path=self.made, lang=lang)


def init(path: str | os.PathLike[str], lang: str = "en", access: Access | None = None,
         live: bool = True) -> InitResult:
    """A new workbook from the template (never overwrites a file), or the template's tabs
    added to an empty Google Sheet (refused when its tabs hold data). ``live``: with the My
    points tab and the Log's marks."""
    sid = spreadsheet_id(str(path))
    if sid is not None:
        from .gsheet_template import init_template
        from .sources.gsheets import GSheetSource

        added = init_template(GSheetSource(sid, access), lang, live)
        return InitResult(f"gsheet:{sid}", tuple(added))
    if Path(path).suffix.lower() != ".xlsx":
        raise WriteRefused("not-xlsx", "init", source=str(path))
    from .templates import write_template

    return InitResult(str(write_template(Path(path), lang, live)))


def add_live(location: str | os.PathLike[str], lang: str = "en", access: Access | None = None
             ) -> InitResult:
    """The My points tab and the Log's marks added to an office's existing workbook, read
    against its own tab titles; its tabs' data is not changed. Into an .xlsx they go as new
    parts beside the office's, which are copied as they are (``sources.livepart``); a Google
    Sheet without the office's tabs gets the whole template."""
    sid = spreadsheet_id(str(location))
    if sid is None:
        return _add_live_xlsx(Path(location), lang)
    from .gsheet_template import add_live_tab, init_template, is_office
    from .sources.gsheets import GSheetSource

    source = GSheetSource(sid, access)
    if not is_office(source):
        return InitResult(f"gsheet:{sid}", tuple(init_template(source, lang)))
    added = add_live_tab(source, lang)
    return InitResult(f"gsheet:{sid}", tuple(added), live_only=True)


def _add_live_xlsx(path: Path, lang: str) -> InitResult:
    """The titles are read from the file as it is now, and the write is refused if anyone
    saves it before it is done."""
    from .sources.filesafe import seen
    from .sources.livepart import add_tab_and_marks, tab_titles
    from .templates import live_parts, live_titles

    if path.suffix.lower() != ".xlsx":
        raise WriteRefused("not-xlsx", "init", source=str(path))
    before = seen(path)
    titles = live_titles(tab_titles(path, path.name), path.name)
    tab, marks = live_parts(titles, lang)
    add_tab_and_marks(path, tab, marks, expect=before)
    return InitResult(str(path), (tab.title,), live_only=True)


def demo(out: str | os.PathLike[str] = DEMO_NAME, lang: str = "en") -> RunResult:
    """Write the example office to ``out``, run the whole job on it for 2025-H1 and put the
    meeting report beside it (``<name>-report.html``).

    Only a file with the default demo name is replaced; any other existing file is refused."""
    from .example import build, workbook_bytes

    target = Path(out)
    if target.suffix.lower() != ".xlsx":
        raise WriteRefused("not-xlsx", "init", source=str(target))
    page = target.with_name(f"{target.stem}-report.html")
    for made in (target, page):
        if made.exists() and target.name != DEMO_NAME:
            raise SourceError(said("demo_exists", path=made))
    target.write_bytes(workbook_bytes(build()[lang]))
    done = run(target, DEMO_PERIOD, as_of=DEMO_AS_OF)
    report(target, DEMO_PERIOD, as_of=DEMO_AS_OF, html=page)
    return dataclasses.replace(done, meeting_report=page)


@dataclass(frozen=True)
class CloseResult:
    message: Said
    report: Report
    lang: str


def close(location: Location, month: str, as_of: dt.date | dt.datetime, force: bool = False,
          access: Access | None = None, accept_changes: bool = False,
          lang: str | None = None) -> CloseResult:
    """Seal a month that has ended: its rows' fingerprints go into the Seal tab."""
    with speaking(lang):
        check_output(None, location)
    source, ev = evaluate(location, as_of, force=force, access=access, lang=lang)
    with speaking(ev.verdicts.lang):
        sealed = seal.seal_month(ev.seals.seals, ev.verdicts, month, ev.moment.stamp,
                                 accept_changes=accept_changes)
        if sealed.message.key != "seal_unchanged":
            source.write_tabs([sealed.tab])
    return CloseResult(sealed.message, ev.report, ev.verdicts.lang)
