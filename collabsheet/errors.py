"""Typed errors the library raises; the CLI turns them into one ``Error:`` line and exit 2.

An error about a tab carries the catalogue's rule id and the tab and column it concerns, so
``--format json`` can hand a script the same fields a Violation has."""

from __future__ import annotations


class CollabsheetError(Exception):
    """Base of every error collabsheet raises on purpose: the input cannot be checked at all."""

    exit_code = 2

    def __init__(self, message: str, *, rule: str | None = None, tab: str | None = None,
                 column: str | None = None):
        super().__init__(message)
        self.rule, self.tab, self.column = rule, tab, column

    def to_dict(self) -> dict[str, str | None]:
        return {"rule": self.rule, "tab": self.tab, "column": self.column, "message": str(self)}


class SourceError(CollabsheetError):
    """The workbook cannot be opened, read or written (missing file, not a workbook, locked)."""


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
        from .catalogue import say

        super().__init__(say(rule, variant, tab=tab, **fields), rule=rule, tab=tab)
