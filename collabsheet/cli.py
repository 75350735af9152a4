"""The command line: parse options, call one library function, format its result, map errors
to exit codes (0 valid, 1 violations, 2 usage, input or access error). Nothing else."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from .errors import CollabsheetError
from .phrases import Said, phrase

DEMO_NAME = "collabsheet-demo.xlsx"

F = TypeVar("F", bound=Callable[..., Any])

EXAMPLE_TZ = "Asia/Seoul"


class _Date(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)


def _now() -> dt.datetime:
    """The one place collabsheet reads the clock: the default for --as-of, a notice's date."""
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def _working(quiet: bool, text: str, lang: str | None = None
             ) -> Iterator[Callable[[Said], None]]:
    """A status line on a terminal (quiet when piped or --quiet); it yields how the library
    tells what it is waiting for (a Google quota pause), shown beside ``text``."""
    if quiet or not sys.stderr.isatty():
        yield lambda _: None
        return
    from rich.console import Console

    with Console(stderr=True).status(text) as status:
        yield lambda news: status.update(f"{text}: {news.say(lang or 'en')}")


def _run(ctx: click.Context, job: Callable[[], int]) -> None:
    """``job``, with every error one line in the language of the run: --lang, else the
    workbook's (when the library had read it), else English."""
    debug = ctx.find_root().params.get("debug", False)
    lang = ctx.params.get("lang") or "en"
    try:
        code = job()
    except CollabsheetError as exc:
        if debug:
            traceback.print_exc()
        lang = ctx.params.get("lang") or exc.lang or "en"
        if ctx.params.get("fmt") == "json":
            from .output import error_json

            click.echo(error_json(exc, lang))
        click.echo(phrase("error", lang, message=exc.say(lang)), err=True)
        ctx.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo(phrase("error", lang, message=phrase("interrupted", lang)), err=True)
        ctx.exit(2)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        click.echo(phrase("error", lang, message=phrase("unexpected", lang,
                                                        kind=type(exc).__name__,
                                                        detail=detail)), err=True)
        ctx.exit(2)
    ctx.exit(code)


def _echo(text: str, fmt: str, no_bom: bool) -> None:
    """A result as --format asked: CSV begins with a byte-order mark unless --no-bom."""
    if fmt == "csv":
        from .output import BOM

        click.echo(text if no_bom else BOM + text, nl=False)
    else:
        click.echo(text)


def _wrote(keys: tuple[str, ...] | list[str], lang: str, where: str) -> str:
    from .labels import result_title

    return phrase("wrote", lang, tabs=", ".join(result_title(k, lang) for k in keys),
                  where=where)


def _library(workbook: str | None = None) -> Any:
    """The library, imported when a command runs. A large local workbook's biggest tab starts
    parsing in a second process first, so that parse overlaps the import of pandas."""
    if workbook is not None:
        from .sources import prefetch

        prefetch.start(workbook)
    from . import api

    return api


def _access(credentials: str | None, oauth: bool,
            notify: Callable[[Said], None] | None = None) -> Any:
    from .sources.gsheets import Access

    return Access(credentials=credentials, oauth=oauth, notify=notify)


def _common(f: F) -> F:
    """Every command that reads a workbook: --as-of, --quiet and the Google credentials."""
    f = click.option("--oauth", is_flag=True,
                     help="Google Sheets: sign in as yourself (gspread's OAuth flow).")(f)
    f = click.option("--credentials", metavar="KEY.json", default=None,
                     help="Google Sheets: a service-account key file (else "
                          "COLLABSHEET_CREDENTIALS or GOOGLE_APPLICATION_CREDENTIALS).")(f)
    f = click.option("--quiet", "-q", is_flag=True, help="No progress display.")(f)
    f = click.option("--as-of", "as_of", type=_Date(), default=None,
                     help="The day to judge by (default: today in the office's time zone).")(f)
    return f


def _format_option(what: str) -> Callable[[F], F]:
    """--format, and --no-bom for CSV."""

    def bundle(f: F) -> F:
        f = click.option("--no-bom", is_flag=True,
                         help="CSV without the byte-order mark (Excel needs it to read "
                              "Korean text right; some programs do not want it).")(f)
        return click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]),
                            default="text", show_default=True, help=f"How to print {what}.")(f)

    return bundle


def _force_option(f: F) -> F:
    return click.option("--force", is_flag=True,
                        help="Write even if the workbook seems open elsewhere.")(f)


def _output_option(f: F) -> F:
    return click.option("--output", "-o", "target", metavar="TARGET", default=None,
                        help="Put the result tabs into TARGET instead (a new or existing .xlsx, "
                             "whose own tabs are kept, or gsheet:ID); the workbook is not "
                             "changed. Implies --write.")(f)


def _write_options(what: str) -> Callable[[F], F]:
    """--write (with what it writes), --output and --force."""

    def bundle(f: F) -> F:
        return click.option("--write", is_flag=True, help=what)(_output_option(_force_option(f)))

    return bundle


def _lang_option(f: F) -> F:
    return click.option("--lang", type=click.Choice(["en", "ko"]), default=None,
                        help="Language of messages, result tabs and text (default: the Rules "
                             "tab's 'language', else English).")(f)


def _accept_option(help_text: str) -> Callable[[F], F]:
    def bundle(f: F) -> F:
        return click.option("--accept-changes", is_flag=True, help=help_text)(f)

    return bundle


_ACCEPT = "Write even though a sealed month changed, and seal it again."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.version_option(package_name="collabsheet")
def cli(debug: bool) -> None:
    """Validate, ledger and rank a collaboration-point scheme kept in a spreadsheet.

    \b
    Example:
      collabsheet validate office.xlsx --as-of 2025-07-01
    """


@cli.command()
@click.argument("workbook", metavar="WORKBOOK")
@_common
@_format_option("the report")
@_write_options("Put the Validation tab (the rejected and warned rows) and the Signals tab "
                "(gaming signals) into the workbook.")
@_lang_option
@click.pass_context
def validate(ctx: click.Context, workbook: str, as_of: dt.date | None, quiet: bool,
             credentials: str | None, oauth: bool, fmt: str, no_bom: bool, write: bool,
             target: str | None, force: bool, lang: str | None) -> None:
    """Check every Log row (and the other tabs) against the rules.

    Exit code 0 when there are no errors (warnings allowed), 1 when there are, 2 when the
    workbook cannot be checked at all.

    \b
    Example:
      collabsheet validate office.xlsx --as-of 2025-07-01 --format json
    """

    def job() -> int:
        api = _library(workbook)
        from . import output

        with _working(quiet, phrase("validating", lang or "en", path=workbook), lang) as news:
            report = api.validate(workbook, as_of=as_of or _now(), write=write or bool(target),
                                  force=force, access=_access(credentials, oauth, news),
                                  output=target, lang=lang)
        out = {"json": output.report_json, "csv": output.report_csv,
               "text": output.report_text}[fmt](report)
        _echo(out, fmt, no_bom)
        if (write or target) and fmt == "text":
            click.echo(_wrote(("validation", "signals"), report.lang, target or workbook))
        return 0 if report.valid else 1

    _run(ctx, job)


def _period_option(f: F) -> F:
    return click.option("--period", required=True,
                        help="2025-H1, 2025-Q2, 2025-03, 2025 or 2025-02..2025-06.")(f)


@cli.command()
@click.argument("workbook", metavar="WORKBOOK")
@_common
@_format_option("the ledger")
@_write_options("Put a Ledger tab into the workbook.")
@_lang_option
@click.pass_context
def grant(ctx: click.Context, workbook: str, as_of: dt.date | None, quiet: bool,
          credentials: str | None, oauth: bool, fmt: str, no_bom: bool, write: bool,
          target: str | None, force: bool, lang: str | None) -> None:
    """Show the monthly grants, sends and expiry: one row per person per month.

    Months run from the scheme's first month (Rules: start) to the month of --as-of; months
    that ended before --as-of show what expired, the running month what is left. Recomputed
    whole on every run.

    \b
    Example:
      collabsheet grant office.xlsx --as-of 2025-07-01 --write
    """

    def job() -> int:
        api = _library(workbook)
        from . import output

        with _working(quiet, phrase("ledgering", lang or "en", path=workbook), lang) as news:
            res = api.grant(workbook, as_of=as_of or _now(), write=write or bool(target),
                            force=force, lang=lang, access=_access(credentials, oauth, news),
                            output=target)
        shown: dict[str, Callable[[Any], str]] = {
            "json": output.ledger_json, "csv": output.ledger_csv,
            "text": functools.partial(output.ledger_text, lang=res.lang)}
        _echo(shown[fmt](res.ledger), fmt, no_bom)
        if (write or target) and fmt == "text":
            click.echo(_wrote(("ledger",), res.lang, target or workbook))
        return 0

    _run(ctx, job)


@cli.command()
@click.argument("workbook", metavar="WORKBOOK")
@_period_option
@_common
@_format_option("the results (csv: the people ranking)")
@_write_options("Put the People, Departments ranking, Commendations and Summary tabs.")
@_accept_option(_ACCEPT)
@_lang_option
@click.pass_context
def rank(ctx: click.Context, workbook: str, period: str, as_of: dt.date | None, quiet: bool,
         credentials: str | None, oauth: bool, fmt: str, no_bom: bool, write: bool,
         target: str | None, force: bool, accept_changes: bool, lang: str | None) -> None:
    """Score and rank people and departments over a period, and list commendations.

    Only accepted Log rows and accepted special awards count. Equal scores share a rank; a tie
    across the commendation line is listed whole and marked for the office to decide.

    \b
    Example:
      collabsheet rank office.xlsx --period 2025-H1 --write --lang ko
    """

    def job() -> int:
        api = _library(workbook)
        from . import output

        with _working(quiet, phrase("ranking", lang or "en", path=workbook), lang) as news:
            res = api.rank(workbook, period=period, as_of=as_of or _now(),
                           write=write or bool(target), force=force, lang=lang,
                           access=_access(credentials, oauth, news),
                           accept_changes=accept_changes,
                           output=target)
        shown: dict[str, Callable[[Any], str]] = {
            "json": output.rank_json, "csv": output.rank_csv,
            "text": functools.partial(output.rank_text, lang=res.lang)}
        _echo(shown[fmt](res.results), fmt, no_bom)
        if (write or target) and fmt == "text":
            click.echo("\n" + _wrote(("people", "departments", "commendations", "summary"),
                                     res.lang, target or workbook))
        return 0

    _run(ctx, job)


@cli.command("run")
@click.argument("workbook", metavar="WORKBOOK")
@_period_option
@_common
@_output_option
@_force_option
@_accept_option(_ACCEPT)
@_lang_option
@click.pass_context
def run_cmd(ctx: click.Context, workbook: str, period: str, as_of: dt.date | None, quiet: bool,
            credentials: str | None, oauth: bool, target: str | None, force: bool,
            accept_changes: bool, lang: str | None) -> None:
    """The whole monthly job: validate, grant and rank, writing every result tab at once.

    Reads the workbook once and writes Validation, Ledger, People, Departments ranking,
    Commendations and Summary in one atomic replace. Exit code 1 when the Log has errors
    (the results are written all the same: rejected rows do not count).

    \b
    Example:
      collabsheet run office.xlsx --period 2025-H1 --as-of 2025-07-01
    """

    def job() -> int:
        api = _library(workbook)
        from . import output

        with _working(quiet, phrase("running", lang or "en", path=workbook), lang) as news:
            res = api.run(workbook, period=period, as_of=as_of or _now(), force=force,
                          lang=lang, access=_access(credentials, oauth, news),
                          accept_changes=accept_changes, output=target)
        click.echo(output.run_text(res.report, res.results, res.lang, top=3))
        click.echo("")
        click.echo(phrase("wrote", res.lang, tabs=", ".join(res.written),
                          where=target or workbook))
        return 0 if res.report.valid else 1

    _run(ctx, job)


class _SystemClock:
    """The real time, for the library's pacing (it never reads the clock itself)."""

    def now(self) -> dt.datetime:
        return _now()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@contextlib.contextmanager
def _bar(quiet: bool, text: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal; nothing when piped or --quiet."""
    if quiet or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(text, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@cli.command()
@click.argument("workbook", metavar="WORKBOOK")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month the notices cover.")
@_common
@click.option("--smtp", "server", metavar="HOST:PORT", default=None,
              help="Send through this mail server; the login, if it wants one, comes from "
                   "COLLABSHEET_SMTP_USER and COLLABSHEET_SMTP_PASSWORD.")
@click.option("--starttls", is_flag=True, help="Switch the connection to TLS (STARTTLS).")
@click.option("--ssl", "use_ssl", is_flag=True,
              help="Connect with TLS from the start (port 465 by default).")
@click.option("--per-minute", type=int, default=30, show_default=True,
              help="Send at most this many messages a minute.")
@click.option("--dry-run", "folder", metavar="DIR", default=None,
              help="Write each notice as an .eml file into DIR and send nothing.")
@click.option("--from", "sender", metavar="ADDRESS", default="collabsheet@localhost",
              show_default=True, help="The notices' sender.")
@click.option("--force", is_flag=True, help="Write even if the workbook seems open elsewhere.")
@_lang_option
@click.pass_context
def notify(ctx: click.Context, workbook: str, month: str, as_of: dt.date | None, quiet: bool,
           credentials: str | None, oauth: bool, server: str | None, starttls: bool,
           use_ssl: bool, per_minute: int, folder: str | None, sender: str, force: bool,
           lang: str | None) -> None:
    """Notices for a month, one per person: the thanks they received (from whom, points,
    message), their own rows that were rejected with the reason and the fix (and, while the
    month is open, the points they still have to send), and at month end a statement.

    Addresses come from the Staff tab's Email column. Nobody's notice holds another person's
    rows. What was sent is recorded on the Notices tab after each batch, so the next run sends
    only what is new; a run that dies sends its last batch again (docs/notify.md). With
    --dry-run every notice is written as an .eml file into DIR to be looked at first, and
    nothing is sent or recorded.

    \b
    Example:
      collabsheet notify office.xlsx --month 2025-06 --dry-run notices
      collabsheet notify office.xlsx --month 2025-06 --smtp mail.example.go.kr:587 --starttls \\
          --from points@example.go.kr
    """

    def job() -> int:
        api = _library(workbook)
        from .errors import UsageError
        from .phrases import said

        if starttls and use_ssl:
            raise UsageError(said("tls_both"))
        mail_server = None
        if server is not None:
            from .smtp import parse_server

            mail_server = parse_server(
                server, "ssl" if use_ssl else "starttls" if starttls else "none",
                os.environ.get("COLLABSHEET_SMTP_USER"),
                os.environ.get("COLLABSHEET_SMTP_PASSWORD"))
        access = _access(credentials, oauth, lambda _: None)
        with _bar(quiet, phrase("notifying", lang or "en", path=workbook)) as progress:
            res = api.notify(workbook, month, as_of=as_of or _now(), at=_now(),
                             dry_run=folder, server=mail_server, sender=sender,
                             per_minute=per_minute, clock=_SystemClock(), force=force,
                             lang=lang, access=access, progress=progress)
        if folder is not None:
            click.echo(phrase("notify_wrote", res.lang, n=len(res.files), month=month,
                              dir=folder))
        elif not res.sent and not res.refused:
            click.echo(phrase("notify_nothing", res.lang, month=month))
        else:
            click.echo(phrase("notify_sent", res.lang, n=len(res.sent), month=month,
                              server=res.server, tab=res.tab))
        if res.refused:
            who = "; ".join(f"{u.person} <{u.email}> ({u.why})" for u in res.refused)
            click.echo(phrase("notify_refused", res.lang, n=len(res.refused), who=who))
        if res.notices.without_email:
            click.echo(phrase("notify_no_email", res.lang,
                              ids=", ".join(res.notices.without_email)))
        return 1 if res.refused else 0

    _run(ctx, job)


@cli.command()
@click.argument("workbook", metavar="WORKBOOK")
@_period_option
@_common
@click.option("--compare", metavar="PERIOD", default=None,
              help="The period to compare with (default: the one of the same length before).")
@click.option("--output", "-o", "html", metavar="REPORT.html", required=True,
              help="Where to write the HTML page.")
@click.option("--pdf", metavar="REPORT.pdf", default=None,
              help="Also print it to PDF (needs Chromium).")
@click.option("--force", is_flag=True, help="Read even a workbook that is open elsewhere.")
@_lang_option
@click.pass_context
def report(ctx: click.Context, workbook: str, period: str, as_of: dt.date | None, quiet: bool,
           credentials: str | None, oauth: bool, compare: str | None, html: str,
           pdf: str | None, force: bool, lang: str | None) -> None:
    """The page for the executive meeting: headline figures, commendations, months, who
    helps whom, participation by department and data quality, in the office's language.

    One read, and the figures are the result tabs' own. The page is self-contained HTML
    (charts as SVG, nothing loaded from outside) laid out for A4; --pdf prints it with a
    headless Chromium. Nothing is written into the workbook.

    \b
    Example:
      collabsheet report office.xlsx --period 2025-H1 --as-of 2025-07-01 -o report.html
    """

    def job() -> int:
        api = _library(workbook)

        with _working(quiet, phrase("reporting", lang or "en", path=workbook), lang) as news:
            res = api.report(workbook, period=period, as_of=as_of or _now(), compare=compare,
                             force=force, lang=lang, access=_access(credentials, oauth, news),
                             html=html, pdf=pdf)
        where = ", ".join(str(p) for p in res.written)
        click.echo(phrase("report_wrote", res.lang, period=period, where=where))
        return 0

    _run(ctx, job)


@cli.command()
@click.argument("workbook", metavar="WORKBOOK")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to seal.")
@_common
@_force_option
@_accept_option("Seal again a sealed month that has changed (the old digest is kept).")
@_lang_option
@click.pass_context
def close(ctx: click.Context, workbook: str, month: str, as_of: dt.date | None, quiet: bool,
          credentials: str | None, oauth: bool, force: bool, accept_changes: bool,
          lang: str | None) -> None:
    """Seal a month that has ended, so later edits to its rows are caught.

    The Seal tab records a fingerprint of every Log and Special row of the month. From then
    on validate, grant and rank report every edited, deleted or inserted row of the month
    (rule sealed-changed), and rank --write refuses to write until the office accepts the
    changes with --accept-changes.

    \b
    Example:
      collabsheet close office.xlsx --month 2025-06
    """

    def job() -> int:
        api = _library(workbook)
        with _working(quiet, phrase("sealing", lang or "en", month=month, path=workbook),
                      lang) as news:
            res = api.close(workbook, month, as_of=as_of or _now(), force=force,
                            access=_access(credentials, oauth, news),
                            accept_changes=accept_changes, lang=lang)
        click.echo(res.message.say(res.lang))
        return 0

    _run(ctx, job)


@cli.command()
@click.argument("path")
@click.option("--lang", type=click.Choice(["en", "ko"]), default="en", show_default=True,
              help="Language of tab names, headers and instructions.")
@click.option("--credentials", metavar="KEY.json", default=None,
              help="Google Sheets: a service-account key file.")
@click.option("--oauth", is_flag=True, help="Google Sheets: sign in as yourself.")
@click.option("--live/--no-live", default=None,
              help="The My points tab and the Log's marks, computed by the spreadsheet as "
                   "rows are typed (default: with them). --live on an office's existing "
                   "workbook (.xlsx or Google Sheet) adds only them.")
@click.pass_context
def init(ctx: click.Context, path: str, lang: str, credentials: str | None, oauth: bool,
         live: bool) -> None:
    """Create a new office workbook from the template (never overwrites a file).

    The template has every tab with its headers, an Instructions tab, the Rules tab with every
    key and its default, and dropdowns and checks that prevent most typing mistakes, a My
    points tab where a person sees what they have left this month, and marks on the Log for
    rows that break a rule as they are typed (hints; validate decides). With a Google Sheet
    (gsheet:ID or its URL) the same tabs are added to an empty sheet. `init --live` on an
    office's own workbook or sheet adds only the My points tab and the Log's marks; none of
    its tabs' data changes.

    \b
    Example:
      collabsheet init office.xlsx --lang ko
      collabsheet init --live our-office.xlsx
    """

    def job() -> int:
        api = _library()
        sheet = path.startswith(("gsheet:", "https://"))
        if live is True and (sheet or os.path.exists(path)):
            made = api.add_live(path, lang, access=_access(credentials, oauth))
        else:
            made = api.init(path, lang, access=_access(credentials, oauth),
                            live=live is not False)
        click.echo(made.said(lang).say(lang))
        return 0

    _run(ctx, job)


@cli.command()
@click.argument("out", default=DEMO_NAME)
@click.option("--lang", type=click.Choice(["en", "ko"]), default="en", show_default=True,
              help="Which edition of the example office.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@click.pass_context
def demo(ctx: click.Context, out: str, lang: str, quiet: bool) -> None:
    """Run the whole job on a realistic example office (650 staff, February to June 2025).

    Writes the example workbook to OUT (default collabsheet-demo.xlsx), then validates it,
    computes the ledger and ranks 2025-H1, writing every result tab into it, and puts the
    meeting report beside it (collabsheet-demo-report.html).

    \b
    Example:
      collabsheet demo
    """

    def job() -> int:
        api = _library()
        from . import output

        with _working(quiet, phrase("demoing", lang), lang):
            res = api.demo(out, lang)
        click.echo(output.run_text(res.report, res.results, res.lang, top=5))
        click.echo("")
        click.echo(phrase("demo_open", res.lang, path=out, tabs=", ".join(res.written)))
        if res.meeting_report is not None:
            click.echo(phrase("demo_report", res.lang, path=res.meeting_report))
        return 0

    _run(ctx, job)


@cli.command("rules")
@_format_option("the catalogue")
@click.option("--lang", type=click.Choice(["en", "ko"]), default="en", show_default=True,
              help="Language of the titles.")
@click.pass_context
def rules_cmd(ctx: click.Context, fmt: str, no_bom: bool, lang: str) -> None:
    """List every rule id collabsheet reports: severity, tab, RULES.md section and title.

    The same catalogue gives every message its words; docs/rules.md is made from it.

    \b
    Example:
      collabsheet rules --format json
    """

    def job() -> int:
        from . import output

        out = {"json": output.rules_json, "csv": output.rules_csv,
               "text": output.rules_text}[fmt](lang)
        _echo(out, fmt, no_bom)
        return 0

    _run(ctx, job)


def _terminated(signum: int, frame: Any) -> None:
    """SIGTERM (a service manager, a closed terminal, `kill`) ends a run the way Ctrl+C does:
    the readers stop, temporary files go, the workbook stays as it was."""
    raise KeyboardInterrupt


def main() -> None:
    """Run the command line, then end the process at once: tearing down a million-row run's
    objects one by one costs most of a second and changes nothing on disk."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        cli(prog_name="collabsheet")
        code = 0
    except SystemExit as done:
        if isinstance(done.code, str):
            click.echo(done.code, err=True)
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    from .sources import prefetch

    prefetch.stop_all()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
