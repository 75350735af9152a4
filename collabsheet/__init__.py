"""collabsheet: validate, ledger and rank a collaboration-point scheme kept in a spreadsheet.

The jobs are imported on first use, so the command line can start reading a large workbook
before pandas is loaded.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import CollabsheetError, SourceError, TabError, UsageError

if TYPE_CHECKING:
    from .api import evaluate, grant, open_source, rank, run, validate
    from .report import Report, Stats, Violation
    from .settings import Rules

_LAZY = {
    "evaluate": "api", "grant": "api", "open_source": "api", "rank": "api", "run": "api",
    "validate": "api", "Report": "report", "Stats": "report", "Violation": "report",
    "Rules": "settings",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'collabsheet' has no attribute {name!r}")


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
