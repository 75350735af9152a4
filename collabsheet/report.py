"""Violations as data: typed records, the way frictionless reports errors. Their words come from
the rule catalogue; ``output`` renders them as a table, JSON or CSV."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .catalogue import Severity


def plain(value: Any) -> Any:
    """A JSON-safe Python value: numpy scalars unwrapped, NaN and NaT to None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if value != value:
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, (int, str, bool)):
        return value
    if hasattr(value, "isoformat"):
        try:
            if value != value:
                return None
        except (TypeError, ValueError):
            pass
        return str(value.isoformat())
    return str(value)


@dataclass(slots=True)
class Violation:
    """One problem in one cell. Not frozen: a large report makes tens of thousands of these,
    and a frozen dataclass takes five times as long to build."""

    tab: str
    row: int
    column: str
    rule: str
    severity: Severity
    value: Any
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"tab": self.tab, "row": self.row, "column": self.column, "rule": self.rule,
                "severity": self.severity, "value": plain(self.value), "message": self.message}


@dataclass(frozen=True)
class Stats:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Report:
    """The outcome of ``validate``: every violation found and counts of Log rows. Made once, by
    the job, from the rule pass, the seals and the signals."""

    source: str
    as_of: str
    violations: list[Violation] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    lang: str = "en"
    """the language of the messages"""

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "error"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not any(v.severity == "error" for v in self.violations)

    def by_rule(self) -> dict[str, int]:
        return dict(sorted(Counter(v.rule for v in self.violations).items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "source": self.source,
            "as_of": self.as_of,
            "lang": self.lang,
            "stats": self.stats.to_dict(),
            "rules": self.by_rule(),
            "violations": [v.to_dict() for v in self.violations],
        }
