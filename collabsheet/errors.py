"""Typed errors the library raises; the CLI turns them into one ``Error:`` line and exit 2.

An error about a tab carries the catalogue's rule id and the tab and column it concerns, so
``--format json`` can hand a script the same fields a Violation has. Its words are kept unsaid
(``phrases.Said``) until the command line knows the language to show them in; ``str()`` of an
error is its English."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .phrases import Said, rule_said


class CollabsheetError(Exception):
    """Base of every error collabsheet raises on purpose: the input cannot be checked at all."""

    exit_code = 2

    def __init__(self, message: str | Said, *, rule: str | None = None, tab: str | None = None,
                 column: str | None = None, lang: str | None = None):
        super().__init__(str(message))
        self.words = message if isinstance(message, Said) else None
        self.rule, self.tab, self.column = rule, tab, column
        self.lang = lang
        """the office's language, where the library knew it when the error was raised"""

    def say(self, lang: str | None = None) -> str:
        """The message in ``lang``, else in the office's language, else in English."""
        lang = lang or self.lang or "en"
        return self.words.say(lang) if self.words is not None else str(self)

    def to_dict(self, lang: str | None = None) -> dict[str, str | None]:
        return {"rule": self.rule, "tab": self.tab, "column": self.column,
                "message": self.say(lang)}


@contextlib.contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """An error raised inside says its words in ``lang`` (the office's language, once the
    Rules tab is read), unless it already knows its language."""
    try:
        yield
    except CollabsheetError as exc:
        exc.lang = exc.lang or lang
        raise


class SourceError(CollabsheetError):
    """The workbook cannot be opened, read or written (missing file, not a workbook, locked)."""


class MailError(SourceError):
    """The mail server cannot be reached, refuses the login or the sender, or closes the
    connection; what was sent before is recorded."""


class LimitError(SourceError):
    """The workbook is refused before it is parsed: its package unpacks past what any office's
    workbook needs (a zip bomb), or a tab spans more cells than can be read (a value far out in
    XFD1048576, say). The message names the workbook and the tab, and what to do."""


class FormatError(SourceError):
    """The file is not what its name says, or not a workbook collabsheet reads: an .xls, a CSV,
    an .xlsx package named .xls. The message says what the file is and how to make it .xlsx."""


class TabError(CollabsheetError):
    """A tab the job needs is missing or its header row cannot be used."""


class UsageError(CollabsheetError):
    """An argument given to the library is not valid (bad period, bad month, bad date)."""


class SealError(CollabsheetError):
    """A sealed month changed and the office has not accepted the changes."""


class WriteRefused(SourceError):
    """Nothing was written: the target is not collabsheet's to change (an office tab with a
    result tab's name, a read-only file, a file changed during the run, a format it does not
    write). The words come from the catalogue, under ``rule``."""

    def __init__(self, rule: str, variant: str = "default", *, tab: str | None = None,
                 **fields: str):
        super().__init__(rule_said(rule, variant, tab=tab, **fields), rule=rule, tab=tab)
