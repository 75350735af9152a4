"""The rules of RULES.md as pandera checks, each beside its id and its message.

Each check runs over a column the engine derives (department on the day, points left before
the row, earlier sends to the same person). NA in a derived column means "this check does not
apply to this row" (a value it needs failed its own check), so most checks ignore NA; the ones
that must fail on a missing value say ``ignore_na=False``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .report import Severity, Violation
from .settings import Rules

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Context:
    """What messages need to speak the office's words."""

    rules: Rules
    as_of: dt.date
    staff: pd.DataFrame
    dept_name: Mapping[str, str]
    labels: Sequence[str] = ()


@dataclass(frozen=True)
class RowRule:
    """One rule: id, the derived column it checks, the office column it reports, its message."""

    id: str
    column: str | None
    field: str
    test: Callable[[Any], Any]
    explain: Callable[[Row, Context], str]
    value: str
    ignore_na: bool = True
    severity: Severity = "error"

    def check(self) -> pa.Check:
        return pa.Check(self.test, name=self.id, ignore_na=self.ignore_na)


def _day(ts: Any) -> str:
    return f"{ts.year:04d}-{ts.month:02d}-{ts.day:02d}"


def _month(ts: Any) -> str:
    return f"{ts.year:04d}-{ts.month:02d}"


def _txt(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def _num(v: Any) -> str:
    f = float(v)
    return str(int(f)) if f.is_integer() else str(f)


def person_labels(staff: pd.DataFrame) -> list[str]:
    """'E1002 (Kim)' for every person, made once: messages name people this way."""
    ids = staff["id"].astype("str").fillna("")
    named = ids + " (" + staff["name"].astype("str") + ")"
    return [str(x) for x in named.where(staff["name"].notna(), ids).tolist()]


def who(ctx: Context, idx: Any) -> str:
    return ctx.labels[int(idx)]


def _off_staff_reason(ctx: Context, idx: Any, when: Any) -> str:
    rec = ctx.staff.iloc[int(idx)]
    day = pd.Timestamp(when).normalize()
    if rec["takes_part"] is False or (not pd.isna(rec["takes_part"]) and not rec["takes_part"]):
        return f"does not take part (Staff row {rec['row']})"
    if not pd.isna(rec["joined"]) and rec["joined"] > day:
        return f"joins on {_day(rec['joined'])}"
    if not pd.isna(rec["left"]) and rec["left"] < day:
        return f"left on {_day(rec['left'])}"
    return "is not on the staff"


# ----- Log rows (RULES.md section 3) -----------------------------------------------------------

def _date_message(row: Row, ctx: Context) -> str:
    text = _txt(row["date_text"])
    if not text:
        return "Date is blank; expected a date such as 2025-03-04"
    if pd.isna(row["when"]):
        return f"{text!r} is not a date; expected a date such as 2025-03-04 (year first)"
    start = ctx.rules.start
    if start is not None and row["when"] < pd.Timestamp(start):
        return f"{_day(row['when'])} is before the scheme's start ({start.isoformat()})"
    return f"{_day(row['when'])} is in the future (after {ctx.as_of.isoformat()})"


def _person_message(side: str, label: str) -> Callable[[Row, Context], str]:
    def explain(row: Row, ctx: Context) -> str:
        text = _txt(row[side])
        status = row[f"{side}_status"]
        kind = "email" if "@" in text else "ID"
        if status == "blank":
            return f"{label} is blank; expected a staff ID or email"
        if status == "ambiguous":
            return f"{label} {text!r} matches more than one person in Staff"
        return f"{label} {text!r} is not an {kind} in Staff" if kind == "ID" \
            else f"{label} {text!r} is not an email in Staff"

    return explain


def _on_staff_message(side: str, label: str) -> Callable[[Row, Context], str]:
    idx_col = "sender" if side == "from" else "receiver"

    def explain(row: Row, ctx: Context) -> str:
        idx = row[idx_col]
        return (f"{label} {who(ctx, idx)} {_off_staff_reason(ctx, idx, row['when'])}; "
                f"not on the staff on {_day(row['when'])}")

    return explain


def _self_message(row: Row, ctx: Context) -> str:
    return f"{who(ctx, row['sender'])} sends points to themselves; choose a colleague"


def _same_dept_message(row: Row, ctx: Context) -> str:
    return (f"{who(ctx, row['sender'])} and {who(ctx, row['receiver'])} are both in "
            f"{ctx.dept_name.get(row['sender_dept'], row['sender_dept'])} on "
            f"{_day(row['when'])}; points go to another department")


def _points_ok(rules: Rules) -> Callable[[pd.Series], pd.Series]:
    def test(p: pd.Series) -> pd.Series:
        whole = p.notna() & (p == np.floor(p.fillna(0)))
        return whole & (p >= rules.min_points) & (p <= rules.max_points) & (
            p.fillna(0) % rules.points_step == 0)

    return test


def _points_message(row: Row, ctx: Context) -> str:
    r = ctx.rules
    text = _txt(row["points_text"])
    expected = f"a whole number from {r.min_points} to {r.max_points}"
    if r.points_step > 1:
        expected += f" in steps of {r.points_step}"
    if not text:
        return f"Points is blank; expected {expected}"
    p = row["points"]
    if pd.isna(p):
        return f"Points {text!r} is not a number; expected {expected}"
    if not float(p).is_integer():
        return f"Points {_num(p)} is not a whole number; expected {expected}"
    if p % r.points_step != 0 and r.min_points <= p <= r.max_points:
        return f"Points {_num(p)} is not a multiple of {r.points_step}"
    return f"Points {_num(p)} is outside {r.min_points} to {r.max_points}"


def _message_message(row: Row, ctx: Context) -> str:
    return "Message is blank; write what the colleague helped with"


def _pair_message(row: Row, ctx: Context) -> str:
    n = int(row["earlier_pair_sends"])
    return (f"{who(ctx, row['sender'])} already sent to {who(ctx, row['receiver'])} "
            f"{n} time{'s' if n != 1 else ''} in {_month(row['when'])}; "
            f"at most {ctx.rules.max_sends_per_pair} a month")


def _allowance_message(row: Row, ctx: Context) -> str:
    left, granted = int(row["points_left"]), int(row["granted"])
    if granted == 0:
        return (f"{who(ctx, row['sender'])} has no grant in {_month(row['when'])} "
                f"(not on the staff on the 1st); this row sends {_num(row['points'])}")
    return (f"{who(ctx, row['sender'])} has {left} of {granted} points left in "
            f"{_month(row['when'])}; this row sends {_num(row['points'])}")


def _duplicate_message(row: Row, ctx: Context) -> str:
    return (f"same sender, receiver, points and message as row {int(row['duplicate_of'])} "
            f"within {ctx.rules.duplicate_minutes} minutes: a likely double submission")


def _date_ok(rules: Rules, as_of: dt.date) -> Callable[[pd.Series], pd.Series]:
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    start = pd.Timestamp(rules.start) if rules.start else pd.Timestamp.min

    def test(when: pd.Series) -> pd.Series:
        return when.notna() & (when >= start) & (when < end)

    return test


def _is_true(s: pd.Series) -> pd.Series:
    return s.astype("boolean").fillna(True).astype(bool)


def _is_false(s: pd.Series) -> pd.Series:
    return ~s.astype("boolean").fillna(False).astype(bool)


def _present(s: pd.Series) -> pd.Series:
    return s.notna()


def log_rules(rules: Rules, as_of: dt.date) -> list[RowRule]:
    """Checks 1-9 and the duplicate warning, in the order RULES.md numbers them."""
    out = [
        RowRule("date", "when", "date", _date_ok(rules, as_of), _date_message, "date_text",
                ignore_na=False),
        RowRule("unknown-person", "sender", "from", _present, _person_message("from", "From"),
                "from", ignore_na=False),
        RowRule("unknown-person", "receiver", "to", _present, _person_message("to", "To"),
                "to", ignore_na=False),
        RowRule("not-on-staff", "sender_on_staff", "from", _is_true,
                _on_staff_message("from", "From"), "from"),
        RowRule("not-on-staff", "receiver_on_staff", "to", _is_true,
                _on_staff_message("to", "To"), "to"),
        RowRule("self", "is_self", "to", _is_false, _self_message, "to"),
    ]
    if rules.forbid_same_department:
        out.append(RowRule("same-department", "same_department", "to", _is_false,
                           _same_dept_message, "to"))
    out += [
        RowRule("points", "points", "points", _points_ok(rules), _points_message, "points_text",
                ignore_na=False),
        RowRule("message", "message", "message", _present, _message_message, "message",
                ignore_na=False),
        RowRule("pair-limit", "earlier_pair_sends", "to",
                lambda s: s < rules.max_sends_per_pair, _pair_message, "to"),
        RowRule("allowance", None, "points",
                lambda df: df["points_left"].isna() | (df["points"] <= df["points_left"]),
                _allowance_message, "points_text"),
        RowRule("duplicate", "duplicate_of", "date", lambda s: s.isna(), _duplicate_message,
                "date_text", ignore_na=False, severity="warning"),
    ]
    return out


# ----- Special tab (RULES.md section 4) --------------------------------------------------------

def _special_points_message(row: Row, ctx: Context) -> str:
    text = _txt(row["points_text"])
    if pd.isna(row["points"]):
        return f"Points {text!r} is not a number; expected a whole number (blank means " \
               f"{ctx.rules.special_points})"
    return f"Points {text} is not a whole number above 0"


def _special_depts_message(row: Row, ctx: Context) -> str:
    return str(row["departments_problem"])


def special_rules(rules: Rules, as_of: dt.date) -> list[RowRule]:
    return [
        RowRule("date", "when", "date", _date_ok(rules, as_of), _date_message, "date_text",
                ignore_na=False),
        RowRule("unknown-person", "person", "id", _present, _person_message("id", "ID"), "id",
                ignore_na=False),
        RowRule("not-on-staff", "person_on_staff", "id", _is_true,
                lambda row, ctx: f"ID {who(ctx, row['person'])} "
                f"{_off_staff_reason(ctx, row['person'], row['when'])}; not on the staff on "
                f"{_day(row['when'])}", "id"),
        RowRule("points", "points_ok", "points", _is_true, _special_points_message,
                "points_text"),
        RowRule("departments", "departments_problem", "departments", lambda s: s.isna(),
                _special_depts_message, "departments", ignore_na=False),
    ]


# ----- Staff, Departments and Moves tabs ------------------------------------------------------

def staff_rules() -> list[RowRule]:
    return [
        RowRule("missing-value", "id", "id", _present,
                lambda row, ctx: "ID is blank; every person needs a unique ID", "id",
                ignore_na=False),
        RowRule("duplicate-id", "id_count", "id", lambda s: s <= 1,
                lambda row, ctx: f"ID {row['id']!r} is used by {int(row['id_count'])} rows "
                "of Staff; IDs must be unique", "id"),
        RowRule("duplicate-email", "email_count", "email", lambda s: s <= 1,
                lambda row, ctx: f"Email {row['email']!r} is used by {int(row['email_count'])}"
                " rows of Staff; emails must be unique", "email"),
        RowRule("missing-value", "department", "department", _present,
                lambda row, ctx: "Department is blank", "department", ignore_na=False),
        RowRule("unknown-department", "dept_known", "department", _is_true,
                lambda row, ctx: f"Department {row['department']!r} is not in the Departments "
                "tab", "department"),
        RowRule("date", "joined_bad", "joined", _is_false,
                lambda row, ctx: f"Joined {row['joined_text']!r} is not a date; expected a date"
                " such as 2025-03-04", "joined_text"),
        RowRule("date", "left_bad", "left", _is_false,
                lambda row, ctx: f"Left {row['left_text']!r} is not a date; expected a date such"
                " as 2025-03-04", "left_text"),
        RowRule("date", "left_before_joined", "left", _is_false,
                lambda row, ctx: f"Left {_day(row['left'])} is before Joined "
                f"{_day(row['joined'])}", "left_text"),
        RowRule("bad-value", "takes_part_bad", "takes_part", _is_false,
                lambda row, ctx: f"Takes part {row['takes_part_text']!r} is not yes or no",
                "takes_part_text"),
    ]


def department_rules() -> list[RowRule]:
    return [
        RowRule("missing-value", "department", "department", _present,
                lambda row, ctx: "Department is blank", "department", ignore_na=False),
        RowRule("duplicate-department", "dept_count", "department", lambda s: s <= 1,
                lambda row, ctx: f"Department {row['department']!r} is listed "
                f"{int(row['dept_count'])} times", "department"),
        RowRule("missing-value", "group", "group", _present,
                lambda row, ctx: f"Group is blank for {row['department']!r}; expected a ranking "
                "group such as Head office", "group", ignore_na=False),
    ]


def move_rules() -> list[RowRule]:
    return [
        RowRule("date", "date", "date", _present,
                lambda row, ctx: f"Date {_txt(row['date_text'])!r} is not a date; expected a "
                "date such as 2025-03-04", "date_text", ignore_na=False),
        RowRule("unknown-person", "person", "id", _present, _person_message("id", "ID"), "id",
                ignore_na=False),
        RowRule("unknown-department", "dept_known", "department", _is_true,
                lambda row, ctx: f"Department {_txt(row['department'])!r} is not in the "
                "Departments tab", "department", ignore_na=False),
    ]


# ----- running them ---------------------------------------------------------------------------

def schema(rules_: list[RowRule], name: str) -> pa.DataFrameSchema:
    """The pandera schema these rules form; ``validate(lazy=True)`` on it reports the same rows."""
    columns: dict[str, pa.Column] = {}
    wide: list[pa.Check] = []
    for r in rules_:
        if r.column is None:
            wide.append(r.check())
        else:
            col = columns.setdefault(r.column, pa.Column(nullable=True, checks=[]))
            col.checks.append(r.check())
    return pa.DataFrameSchema(columns, checks=wide, name=name)


def rule_key(rule: RowRule) -> str:
    return f"{rule.id}:{rule.column}"


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


LOG_MESSAGE_COLUMNS = [
    "row", "when", "month", "date_text", "from", "to", "from_status", "to_status", "sender",
    "receiver", "sender_dept", "points", "points_text", "message", "earlier_pair_sends",
    "points_left", "granted", "duplicate_of"]


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
    """Every violation of every rule, in sheet-row order, and the failing positions by rule.
    ``columns`` limits what messages can see, which keeps large reports quick; ``known`` holds
    failing positions found already (by ``rule_key``)."""
    found: list[Violation] = []
    rows: list[np.ndarray] = []
    orders: list[np.ndarray] = []
    positions: dict[str, np.ndarray] = {}
    sheet_rows = frame["row"].to_numpy(dtype=np.int64) if len(frame) else np.array([], np.int64)
    for order, rule in enumerate(rules_):
        key = rule_key(rule)
        pos = known[key] if known is not None and key in known else failing(rule, frame)
        positions[key] = pos
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
