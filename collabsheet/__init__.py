"""collabsheet: validate, ledger and rank a collaboration-point scheme kept in a spreadsheet."""

from .api import evaluate, grant, open_source, rank, run, validate
from .errors import CollabsheetError, SourceError, TabError, UsageError
from .report import Report, Stats, Violation
from .rules import Rules

__all__ = [
    "CollabsheetError",
    "Report",
    "Rules",
    "SourceError",
    "Stats",
    "TabError",
    "UsageError",
    "Violation",
    "evaluate",
    "grant",
    "open_source",
    "rank",
    "run",
    "validate",
]
__version__ = "0.1.0"
