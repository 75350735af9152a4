"""Periods an office ranks over: 2025-03, 2025-Q2, 2025-H1, 2025, 2025-02..2025-06."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import months
from .errors import UsageError
from .phrases import said

_FORMS = "2025-03 (a month), 2025-Q2, 2025-H1, 2025, or 2025-02..2025-06"


@dataclass(frozen=True)
class Period:
    """An inclusive range of months, as month codes (year * 12 + month - 1)."""

    first: int
    last: int
    label: str

    code = staticmethod(months.code)
    name = staticmethod(months.name)

    @property
    def months(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    def to_dict(self) -> dict[str, str]:
        return {"from": self.name(self.first), "to": self.name(self.last)}


def _month(text: str) -> int:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UsageError(said("not_month", text=text))
    return Period.code(int(m.group(1)), int(m.group(2)))


def parse_period(text: str) -> Period:
    t = text.strip().upper()
    if ".." in t:
        a, b = (s.strip() for s in t.split("..", 1))
        first, last = _month(a), _month(b)
        if last < first:
            raise UsageError(said("period_backwards", text=text))
        return Period(first, last, text.strip())
    if m := re.fullmatch(r"(\d{4})", t):
        y = int(m.group(1))
        return Period(Period.code(y, 1), Period.code(y, 12), t)
    if m := re.fullmatch(r"(\d{4})-H([12])", t):
        y, h = int(m.group(1)), int(m.group(2))
        return Period(Period.code(y, 6 * h - 5), Period.code(y, 6 * h), t)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", t):
        y, q = int(m.group(1)), int(m.group(2))
        return Period(Period.code(y, 3 * q - 2), Period.code(y, 3 * q), t)
    if re.fullmatch(r"\d{4}-\d{1,2}", t):
        c = _month(t)
        return Period(c, c, t)
    raise UsageError(said("not_period", text=text, forms=_FORMS))


def parse_month(text: str) -> int:
    return _month(text.strip())
