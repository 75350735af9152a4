"""The command line: parse options, call one library function, format its result, map errors
to exit codes (0 valid, 1 violations, 2 usage, input or access error). Nothing else."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from . import api
from .errors import CollabsheetError

F = TypeVar("F", bound=Callable[..., Any])

EXAMPLE_TZ = "Asia/Seoul"


class _Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)


def _now() -> dt.datetime:
    """The one place collabsheet reads the clock: the default for --as-of."""
    return dt.datetime.now(dt.timezone.utc)


@contextlib.contextmanager
def _working(quiet: bool, text: str) -> Iterator[None]:
    if quiet or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(text):
        yield


def _run(ctx: click.Context, job: Callable[[], int]) -> None:
    debug = ctx.find_root().params.get("debug", False)
    try:
        code = job()
    except CollabsheetError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Error: interrupted; the workbook was not changed", err=True)
        ctx.exit(2)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(
            f"Error: unexpected failure ({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}); "
            "the workbook was not changed. Run with --debug for details.",
            err=True,
        )
        ctx.exit(2)
    ctx.exit(code)


def _common(f: F) -> F:
    f = click.option("--quiet", "-q", is_flag=True, help="No progress display.")(f)
    f = click.option("--as-of", "as_of", type=_Date(), default=None,
                     help="The day to judge by (default: today in the office's time zone).")(f)
    return f


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
@click.argument("workbook")
@_common
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True, help="How to print the report.")
@click.option("--write", is_flag=True, help="Put a Validation tab into the workbook.")
@click.option("--force", is_flag=True, help="Write even if the workbook seems open elsewhere.")
@click.pass_context
def validate(ctx: click.Context, workbook: str, as_of: dt.date | None, quiet: bool, fmt: str,
             write: bool, force: bool) -> None:
    """Check every Log row (and the other tabs) against the rules.

    Exit code 0 when there are no errors (warnings allowed), 1 when there are, 2 when the
    workbook cannot be checked at all.

    \b
    Example:
      collabsheet validate office.xlsx --as-of 2025-07-01 --format json
    """

    def job() -> int:
        with _working(quiet, f"Validating {workbook}"):
            report = api.validate(workbook, as_of=as_of or _now(), write=write, force=force)
        out = {"json": report.to_json, "csv": report.to_csv, "text": report.to_text}[fmt]()
        click.echo(out, nl=fmt != "csv")
        if write and fmt == "text":
            click.echo("Wrote the Validation tab.")
        return 0 if report.valid else 1

    _run(ctx, job)


def main() -> None:
    cli(prog_name="collabsheet")
