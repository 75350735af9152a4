"""Every key of the Rules tab: its default, how its value is read, and what it means.

An office changes a number in its Rules tab; nothing else in collabsheet hard-codes it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .labels import norm


class Unreadable(ValueError):
    """A Rules value that cannot be read: the catalogue's bad-rule variant that says why."""

    def __init__(self, variant: str, **fields: Any):
        super().__init__(variant)
        self.variant, self.fields = variant, fields

_YES = {"yes", "y", "true", "1", "예", "네", "o", "참"}
_NO = {"no", "n", "false", "0", "아니오", "아니요", "x", "거짓"}


def parse_bool(text: str) -> bool:
    t = norm(text)
    if t in _YES:
        return True
    if t in _NO:
        return False
    raise Unreadable("yes_no")


def _int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            d = Decimal(text.strip())
        except InvalidOperation:
            raise Unreadable("whole") from None
        if d != d.to_integral_value():
            raise Unreadable("whole")
        n = int(d)
        if not low <= n <= high:
            raise Unreadable("whole_range", low=low, high=high)
        return n

    return parse


def _weight(text: str) -> Decimal:
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise Unreadable("number") from None
    if not d.is_finite() or d < 0 or d > 1000:
        raise Unreadable("number_range")
    if -d.as_tuple().exponent > 6:  # type: ignore[operator]
        raise Unreadable("decimals")
    return d.normalize()


def _zone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise Unreadable("zone") from None
    return text.strip()


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        t = norm(text).replace(" ", "_")
        if t not in options:
            raise Unreadable("choice", options=", ".join(options))
        return t

    return parse


def _date(text: str, epoch: dt.datetime | None = None, zone: dt.tzinfo | None = None
          ) -> dt.date:
    """A date typed, or a serial counted from ``epoch`` (the workbook's); a text with a UTC
    offset is taken on its day in ``zone``, the office's time zone."""
    from .cells import parse_date_text
    from .sheetref import EPOCH_1900

    d = parse_date_text(text, epoch or EPOCH_1900, zone)
    if d is None:
        raise Unreadable("date")
    return dt.date(d.year, d.month, d.day)


def _text(text: str) -> str:
    if not text.strip():
        raise Unreadable("tab")
    return text.strip()


@dataclass(frozen=True)
class RuleKey:
    key: str
    default: Any
    parse: Callable[[str], Any]
    describe: str


KEYS: tuple[RuleKey, ...] = (
    RuleKey("start", None, _date, "The scheme's first day; rows before it are rejected."),
    RuleKey("timezone", "Asia/Seoul", _zone, "The office's time zone; months follow it."),
    RuleKey("monthly_allowance", 200, _int(0, 1_000_000), "Points granted on the 1st."),
    RuleKey(
        "grant_joiners",
        "next_month",
        _choice("next_month", "on_join"),
        "next_month: joiners wait for the next 1st; on_join: granted on the joining day.",
    ),
    RuleKey("min_points", 1, _int(1, 1_000_000), "Fewest points one row may send."),
    RuleKey("max_points", 200, _int(1, 1_000_000), "Most points one row may send."),
    RuleKey("points_step", 1, _int(1, 1_000_000), "Points must be a multiple of this."),
    RuleKey(
        "max_sends_per_pair", 2, _int(1, 1_000_000), "Sends a month from one person to another."
    ),
    RuleKey(
        "forbid_same_department",
        True,
        parse_bool,
        "Reject sends within one department.",
    ),
    RuleKey("received_weight", Decimal(1), _weight, "Score per point received."),
    RuleKey("sent_weight", Decimal("0.5"), _weight, "Score per point sent."),
    RuleKey("special_points", 100, _int(1, 1_000_000), "Points of a special award."),
    RuleKey("commend_people", 3, _int(0, 1_000_000), "People commended."),
    RuleKey("commend_departments", 3, _int(0, 1_000_000), "Departments commended per group."),
    RuleKey("language", "en", _choice("en", "ko"), "Language of result tabs: en or ko."),
    RuleKey("log_tab", None, _text, "Name of the Log tab when it is not Log (a form's tab)."),
    RuleKey("signal_pair_share", Decimal("0.5"), _weight,
            "Signal: two people each send the other at least this share of a month's grant."),
    RuleKey("signal_ring_points", 50, _int(1, 1_000_000),
            "Signal: three people send around a ring, each at least this many points a month."),
    RuleKey("signal_one_share", Decimal("0.8"), _weight,
            "Signal: one sender gives at least this share of a month's grant to one person..."),
    RuleKey("signal_one_months", 3, _int(1, 1000), "...in at least this many months."),
    RuleKey("signal_paste_rows", 10, _int(2, 1_000_000),
            "Signal: one sender sends the same message (8 characters or more) to at least "
            "this many people in a month."),
    RuleKey(
        "duplicate_minutes",
        10,
        _int(0, 100_000),
        "Same send repeated within this many minutes is warned as a double submission.",
    ),
)
KEY_NAMES = tuple(k.key for k in KEYS)
_BY_NORM = {norm(k.key): k for k in KEYS}


@dataclass(frozen=True)
class Rules:
    start: dt.date | None = None
    timezone: str = "Asia/Seoul"
    monthly_allowance: int = 200
    grant_joiners: str = "next_month"
    min_points: int = 1
    max_points: int = 200
    points_step: int = 1
    max_sends_per_pair: int = 2
    forbid_same_department: bool = True
    received_weight: Decimal = Decimal(1)
    sent_weight: Decimal = Decimal("0.5")
    special_points: int = 100
    commend_people: int = 3
    commend_departments: int = 3
    language: str = "en"
    log_tab: str | None = None
    signal_pair_share: Decimal = Decimal("0.5")
    signal_ring_points: int = 50
    signal_one_share: Decimal = Decimal("0.8")
    signal_one_months: int = 3
    signal_paste_rows: int = 10
    duplicate_minutes: int = 10

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def replace(self, **changes: Any) -> Rules:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class RuleProblem:
    """A Rules tab entry that was not used: the catalogue's bad-rule variant and its fields."""

    row: int
    key: str
    value: str
    variant: str
    fields: dict[str, Any]


def lookup(key: str) -> RuleKey | None:
    return _BY_NORM.get(norm(key).replace(" ", "_"))


def _zone_of(entries: list[tuple[int, str, str]]) -> ZoneInfo:
    """The time zone the entries will set (the last readable timezone entry, else the
    default): dates with a UTC offset are read in it."""
    zone = Rules.timezone
    for _row, key, value in entries:
        spec = lookup(key)
        if spec is not None and spec.key == "timezone" and value.strip():
            with contextlib.suppress(Unreadable):
                zone = spec.parse(value)
    return ZoneInfo(zone)


def parse_rules(entries: list[tuple[int, str, str]], epoch: dt.datetime | None = None
                ) -> tuple[Rules, list[RuleProblem]]:
    """Read (sheet row, key, value) entries; a bad entry keeps the default and is reported.
    A date may be a serial counted from ``epoch``, the workbook's (1899-12-30 when None)."""
    values: dict[str, Any] = {}
    problems: list[RuleProblem] = []
    zone = _zone_of(entries)
    for row, key, value in entries:
        spec = lookup(key)
        if spec is None:
            problems.append(RuleProblem(row, key, value, "unknown",
                                        {"key": key, "known": ", ".join(KEY_NAMES)}))
            continue
        if not value.strip():
            continue
        parse = functools.partial(_date, epoch=epoch, zone=zone) if spec.parse is _date \
            else spec.parse
        try:
            values[spec.key] = parse(value)
        except Unreadable as exc:
            problems.append(RuleProblem(row, key, value, "bad", {
                "key": spec.key, "value": value, "why": (exc.variant, exc.fields)}))
    rules = Rules(**values)
    if rules.min_points > rules.max_points:
        problems.append(RuleProblem(0, "min_points", str(rules.min_points), "min_max", {}))
        rules = rules.replace(min_points=1, max_points=200)
    return rules, problems
