"""Violations as data: typed records that render as a table, JSON or CSV (frictionless style)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

Severity = Literal["error", "warning"]

CSV_FIELDS = ("tab", "row", "column", "rule", "severity", "value", "message")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def csv_safe(value: Any) -> str:
    """OWASP CSV injection guard: a cell that a spreadsheet would run as a formula gets a ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


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


@dataclass
class Stats:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class Report:
    """The outcome of ``validate``: every violation found and counts of Log rows."""

    source: str
    as_of: str
    violations: list[Violation] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)

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
            "stats": self.stats.to_dict(),
            "rules": self.by_rule(),
            "violations": [v.to_dict() for v in self.violations],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for v in self.violations:
            d = v.to_dict()
            writer.writerow([csv_safe(d[k]) for k in CSV_FIELDS])
        return out.getvalue()

    def summary_line(self) -> str:
        s = self.stats
        errors = len(self.errors)
        verdict = "valid" if self.valid else "NOT valid"
        return (
            f"{self.source}: {verdict}. Log rows: {s.rows:,}, accepted {s.accepted:,}, "
            f"rejected {s.rejected:,}, warnings {s.warnings:,}; "
            f"{errors:,} error(s), {len(self.warnings):,} warning(s) in all tabs."
        )

    def to_text(self, limit: int | None = None) -> str:
        shown = self.violations if limit is None else self.violations[:limit]
        lines: list[str] = []
        if shown:
            heads = ("Tab", "Row", "Column", "Rule", "Severity", "Message")
            cells = [(v.tab, str(v.row) if v.row else "", v.column, v.rule, v.severity,
                      v.message) for v in shown]
            widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads[:-1])]
            widths = [min(w, 28) for w in widths]

            def fmt(row: tuple[str, ...]) -> str:
                return "  ".join(c[:w].ljust(w) for c, w in zip(row, widths, strict=False)) + \
                    "  " + row[-1]

            lines.append(fmt(heads))
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 7)
            lines.extend(fmt(c) for c in cells)
            if limit is not None and len(self.violations) > limit:
                lines.append(f"... and {len(self.violations) - limit:,} more")
            lines.append("")
        lines.append(self.summary_line())
        return "\n".join(lines)
