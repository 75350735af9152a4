"""How a rule is checked and reported: a RowRule (a test over one derived column, the office
column it reports, and the function that words its message from the catalogue), and the runner
that turns failing rows into Violations, a column at a time.

NA in a derived column means "this check does not apply to this row" (a value it needs failed its
own check), so most tests ignore NA; the ones that must fail on a missing value say
``ignore_na=False``. The job modules (log_rules, special, tab_checks) declare their RowRules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .catalogue import BY_ID, Severity, say
from .report import Violation
from .settings import Rules
from .sources.base import ERROR_TEXTS, NO_VALUE

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Context:
    """What messages need to speak the office's words."""

    rules: Rules
    as_of: dt.date
    staff: pd.DataFrame
    dept_name: Mapping[str, str]
    labels: Sequence[str] = ()
    lang: str = "en"
    closest_person: Callable[[str], str | None] = lambda _: None
    """'did you mean': the person a mistyped ID most likely names (suggest.Closest)"""
    closest_department: Callable[[str], str | None] = lambda _: None


@dataclass(frozen=True)
class RowRule:
    """One rule id checked on one derived column; its severity and words are the catalogue's."""

    id: str
    column: str | None
    field: str
    test: Callable[[Any], Any]
    explain: Callable[[Row, Context], str]
    value: str
    ignore_na: bool = True

    @property
    def severity(self) -> Severity:
        return BY_ID[self.id].severity

    @property
    def key(self) -> str:
        """Tells apart two RowRules of one id (From and To both check unknown-person)."""
        return f"{self.id}:{self.column}"

    def check(self) -> pa.Check:
        return pa.Check(self.test, name=self.id, ignore_na=self.ignore_na)


# ----- words shared by the messages of several tabs ------------------------------------------

def day_text(ts: Any) -> str:
    return f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}"


def month_text(ts: Any) -> str:
    return f"{ts.year:04d}-{ts.month:02d}"


def txt(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def num(v: Any) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else str(f)


def department_message(row: Row, ctx: Context) -> str:
    """unknown-department, with the department most likely meant."""
    name = txt(row["department"])
    meant = ctx.closest_department(name)
    if meant is not None:
        return say("unknown-department", "hint", ctx.lang, department=name, suggestion=meant)
    return say("unknown-department", "default", ctx.lang, department=name)


def person_labels(staff: pd.DataFrame) -> list[str]:
    """'E1002 (Kim)' for every person, made once: messages name people this way."""
    ids = staff["id"].astype("str").fillna("")
    named = ids + " (" + staff["name"].astype("str") + ")"
    return [str(x) for x in named.where(staff["name"].notna(), ids).tolist()]


def who(ctx: Context, idx: Any) -> str:
    return ctx.labels[int(idx)]


def off_staff_reason(ctx: Context, idx: Any, when: Any) -> str:
    rec = ctx.staff.iloc[int(idx)]
    day = pd.Timestamp(when).normalize()
    if rec["takes_part"] is False or (not pd.isna(rec["takes_part"]) and not rec["takes_part"]):
        return say("not-on-staff", "not_taking", ctx.lang, row=rec["row"])
    if not pd.isna(rec["joined"]) and rec["joined"] > day:
        return say("not-on-staff", "joins", ctx.lang, day=day_text(rec["joined"]))
    if not pd.isna(rec["left"]) and rec["left"] < day:
        return say("not-on-staff", "left", ctx.lang, day=day_text(rec["left"]))
    return say("not-on-staff", "off", ctx.lang)


def person_message(side: str, label: str) -> Callable[[Row, Context], str]:
    """unknown-person: the ``side`` column (from, to, id) names no one, or several."""

    def explain(row: Row, ctx: Context) -> str:
        text = txt(row[side])
        status = row[f"{side}_status"]
        if status in ("blank", "ambiguous"):
            return say("unknown-person", str(status), ctx.lang, label=label, text=text)
        if "@" in text:
            return say("unknown-person", "email", ctx.lang, label=label, text=text)
        meant = ctx.closest_person(text)
        if meant is not None:
            return say("unknown-person", "id_hint", ctx.lang, label=label, text=text,
                       suggestion=meant)
        return say("unknown-person", "id", ctx.lang, label=label, text=text)

    return explain


def off_staff_message(label: str, person: str) -> Callable[[Row, Context], str]:
    """not-on-staff: the person in column ``person`` is not on the staff on the row's day."""

    def explain(row: Row, ctx: Context) -> str:
        idx = row[person]
        return say("not-on-staff", "default", ctx.lang, label=label, who=who(ctx, idx),
                   reason=off_staff_reason(ctx, idx, row["when"]), day=day_text(row["when"]))

    return explain


def date_message(row: Row, ctx: Context) -> str:
    """date: blank, unreadable, before the start or after as_of (Log and Special)."""
    text = txt(row["date_text"])
    if not text:
        return say("date", "blank", ctx.lang)
    if pd.isna(row["when"]):
        return say("date", "not_date", ctx.lang, text=text)
    start = ctx.rules.start
    if start is not None and row["when"] < pd.Timestamp(start):
        return say("date", "before_start", ctx.lang, day=day_text(row["when"]),
                   start=start.isoformat())
    return say("date", "future", ctx.lang, day=day_text(row["when"]), as_of=ctx.as_of.isoformat())


def date_ok(rules: Rules, as_of: dt.date) -> Callable[[pd.Series], pd.Series]:
    """Check 1's test: a date, not before Rules start, not after as_of."""
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    start = pd.Timestamp(rules.start) if rules.start else pd.Timestamp.min

    def test(when: pd.Series) -> pd.Series:
        return when.notna() & (when >= start) & (when < end)

    return test


def is_true(s: pd.Series) -> pd.Series:
    return s.astype("boolean").fillna(True).astype(bool)


def is_false(s: pd.Series) -> pd.Series:
    return ~s.astype("boolean").fillna(False).astype(bool)


def present(s: pd.Series) -> pd.Series:
    return s.notna()


def usable(s: pd.Series) -> pd.Series:
    """Present, and not a formula's error nor a formula with no saved value."""
    text = s if s.dtype == "str" else s.astype("str")
    return s.notna() & ~text.isin(list(ERROR_TEXTS)).fillna(False).astype(bool)


def unusable(value: Any) -> str | None:
    """The catalogue variant for a cell that holds no usable value: ``no_value`` (a formula that
    was never calculated, sources.base.NO_VALUE), ``formula_error`` (a formula's error, #NAME?),
    None for anything else."""
    text = txt(value)
    if text == NO_VALUE:
        return "no_value"
    return "formula_error" if text in ERROR_TEXTS else None


def naming(rule_id: str, label: str, column: str, explain: Callable[[Row, Context], str],
           errors: bool = False) -> Callable[[Row, Context], str]:
    """``explain``, unless the row's ``column`` holds a formula with no saved value (or, with
    ``errors``, a formula's error where the rule would call the cell blank): then the rule's
    ``no_value`` (``formula_error``) words say what the cell holds and how to fix it."""

    def explain_cell(row: Row, ctx: Context) -> str:
        variant = unusable(row[column])
        if variant == "no_value" or (variant == "formula_error" and errors):
            return say(rule_id, variant, ctx.lang, label=label, text=txt(row[column]))
        return explain(row, ctx)

    return explain_cell


# ----- running rules ------------------------------------------------------------------------

def failing(rule: RowRule, frame: pd.DataFrame) -> np.ndarray:
    """Positions of the rows that break ``rule``."""
    if len(frame) == 0:
        return np.array([], dtype=np.int64)
    target = frame if rule.column is None else frame[rule.column]
    out = rule.check()(target).check_output
    if isinstance(out, pd.DataFrame):
        out = out.all(axis=1)
    passed = out.fillna(True).to_numpy(dtype=bool)
    if out.index.equals(frame.index):
        return np.flatnonzero(~passed)
    where = frame.index.get_indexer(out.index[~passed])
    return np.sort(where[where >= 0])


class _Rows:
    """The failing rows' values, converted a column at a time and only for the columns the
    messages read: building a mapping per row was most of the cost of a large report."""

    def __init__(self, frame: pd.DataFrame, pos: np.ndarray, columns: list[str] | None):
        self._frame, self._pos = frame, pos
        self.names = list(frame.columns) if columns is None else list(columns)
        self._known = set(self.names)
        self._cols: dict[str, np.ndarray] = {}

    def has(self, name: str) -> bool:
        return name in self._known

    def column(self, name: str) -> np.ndarray:
        got = self._cols.get(name)
        if got is None:
            if name not in self._known:
                raise KeyError(name)
            got = self._frame[name].iloc[self._pos].to_numpy(dtype=object)
            self._cols[name] = got
        return got


class _Row(Mapping[str, Any]):
    __slots__ = ("_rows", "_i")

    def __init__(self, rows: _Rows, i: int):
        self._rows, self._i = rows, i

    def __getitem__(self, name: str) -> Any:
        return self._rows.column(name)[self._i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows.names)

    def __len__(self) -> int:
        return len(self._rows.names)


def run_rules(rules_: list[RowRule], frame: pd.DataFrame, tab: str, headers: Mapping[str, str],
              ctx: Context, columns: list[str] | None = None,
              known: Mapping[str, np.ndarray] | None = None
              ) -> tuple[list[Violation], dict[str, np.ndarray]]:
    """Every violation of every rule, in sheet-row order, and the failing positions by
    ``RowRule.key``. ``columns`` limits what messages can see, which keeps large reports quick;
    ``known`` holds failing positions found already."""
    found: list[Violation] = []
    rows: list[np.ndarray] = []
    orders: list[np.ndarray] = []
    positions: dict[str, np.ndarray] = {}
    sheet_rows = frame["row"].to_numpy(dtype=np.int64) if len(frame) else np.array([], np.int64)
    for order, rule in enumerate(rules_):
        pos = known[rule.key] if known is not None and rule.key in known else failing(rule, frame)
        positions[rule.key] = pos
        if not len(pos):
            continue
        sub = _Rows(frame, pos, columns)
        values = sub.column(rule.value).tolist() if sub.has(rule.value) else repeat(None)
        at = sheet_rows[pos]
        explain = rule.explain
        messages = [explain(_Row(sub, i), ctx) for i in range(len(pos))]
        found.extend(map(Violation, repeat(tab), at.tolist(),
                         repeat(headers.get(rule.field, rule.field)), repeat(rule.id),
                         repeat(rule.severity), values, messages))
        rows.append(at)
        orders.append(np.full(len(pos), order))
    if not found:
        return [], positions
    sequence = np.lexsort((np.concatenate(orders), np.concatenate(rows)))
    return [found[k] for k in sequence.tolist()], positions
