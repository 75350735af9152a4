"""collabsheet: validate, ledger and rank a collaboration-point scheme kept in a spreadsheet."""

from .api import evaluate, open_source, validate
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
    "open_source",
    "validate",
]
__version__ = "0.1.0"
