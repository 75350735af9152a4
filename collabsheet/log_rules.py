"""The rules of a Log row (RULES.md section 3), in the order it numbers them: checks 1-7 on the
row alone, checks 8-9 against what came before, and the duplicate warning. Each RowRule tests a
column that ``facts``, ``order_checks`` or ``duplicates`` derive; the words are the catalogue's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from .catalogue import say
from .checks import (
    Context,
    Row,
    RowRule,
    date_message,
    date_ok,
    day_text,
    is_false,
    is_true,
    month_text,
    naming,
    num,
    off_staff_message,
    person_message,
    present,
    txt,
    who,
)
from .settings import Rules

MESSAGE_COLUMNS = [
    "row", "when", "month", "date_text", "from", "to", "from_status", "to_status", "sender",
    "receiver", "sender_dept", "points", "points_text", "message", "message_text",
    "earlier_pair_sends", "points_left", "granted", "duplicate_of"]
"""The only Log columns the messages read (keeps a report of 70,000 problems quick)."""

ORDER_DEPENDENT = ("pair-limit", "allowance", "duplicate")
"""Rules settled only after checks 1-7, over the rows that passed them."""


def _self_message(row: Row, ctx: Context) -> str:
    return say("self", "default", ctx.lang, who=who(ctx, row["sender"]))


def _same_dept_message(row: Row, ctx: Context) -> str:
    return say("same-department", "default", ctx.lang, sender=who(ctx, row["sender"]),
               receiver=who(ctx, row["receiver"]),
               department=ctx.dept_name.get(row["sender_dept"], row["sender_dept"]),
               day=day_text(row["when"]))


def _points_ok(rules: Rules) -> Callable[[pd.Series], pd.Series]:
    def test(p: pd.Series) -> pd.Series:
        whole = p.notna() & (p == np.floor(p.fillna(0)))
        return whole & (p >= rules.min_points) & (p <= rules.max_points) & (
            p.fillna(0) % rules.points_step == 0)

    return test


def _points_message(row: Row, ctx: Context) -> str:
    r, lang = ctx.rules, ctx.lang
    low, high, step = r.min_points, r.max_points, r.points_step
    expected = say("points", "expected_step" if step > 1 else "expected", lang, low=low,
                   high=high, step=step)
    text = txt(row["points_text"])
    if not text:
        return say("points", "blank", lang, expected=expected)
    p = row["points"]
    if pd.isna(p):
        return say("points", "not_number", lang, text=text, expected=expected)
    if not float(p).is_integer():
        return say("points", "not_whole", lang, value=num(p), expected=expected)
    if p % step != 0 and low <= p <= high:
        return say("points", "step", lang, value=num(p), step=step)
    return say("points", "range", lang, value=num(p), low=low, high=high)


def _message_message(row: Row, ctx: Context) -> str:
    return say("message", "default", ctx.lang)


def _pair_message(row: Row, ctx: Context) -> str:
    n = int(row["earlier_pair_sends"])
    return say("pair-limit", "one" if n == 1 else "many", ctx.lang,
               sender=who(ctx, row["sender"]), receiver=who(ctx, row["receiver"]), n=n,
               month=month_text(row["when"]), most=ctx.rules.max_sends_per_pair)


def _allowance_message(row: Row, ctx: Context) -> str:
    left, granted = int(row["points_left"]), int(row["granted"])
    return say("allowance", "no_grant" if granted == 0 else "default", ctx.lang,
               sender=who(ctx, row["sender"]), left=left, granted=granted,
               month=month_text(row["when"]), points=num(row["points"]))


def _duplicate_message(row: Row, ctx: Context) -> str:
    return say("duplicate", "default", ctx.lang, row=int(row["duplicate_of"]),
               minutes=ctx.rules.duplicate_minutes)


def log_rules(rules: Rules, as_of: dt.date) -> list[RowRule]:
    """Checks 1-9 and the duplicate warning, in the order RULES.md numbers them."""
    out = [
        RowRule("date", "when", "date", date_ok(rules, as_of),
                naming("date", "Date", "date_text", date_message), "date_text", ignore_na=False),
        RowRule("unknown-person", "sender", "from", present,
                naming("unknown-person", "From", "from", person_message("from", "From")),
                "from", ignore_na=False),
        RowRule("unknown-person", "receiver", "to", present,
                naming("unknown-person", "To", "to", person_message("to", "To")),
                "to", ignore_na=False),
        RowRule("not-on-staff", "sender_on_staff", "from", is_true,
                off_staff_message("From", "sender"), "from"),
        RowRule("not-on-staff", "receiver_on_staff", "to", is_true,
                off_staff_message("To", "receiver"), "to"),
        RowRule("self", "is_self", "to", is_false, _self_message, "to"),
    ]
    if rules.forbid_same_department:
        out.append(RowRule("same-department", "same_department", "to", is_false,
                           _same_dept_message, "to"))
    out += [
        RowRule("points", "points", "points", _points_ok(rules),
                naming("points", "Points", "points_text", _points_message), "points_text",
                ignore_na=False),
        RowRule("message", "message", "message", present,
                naming("message", "Message", "message_text", _message_message, errors=True),
                "message_text", ignore_na=False),
        RowRule("pair-limit", "earlier_pair_sends", "to",
                lambda s: s < rules.max_sends_per_pair, _pair_message, "to"),
        RowRule("allowance", None, "points",
                lambda df: df["points_left"].isna() | (df["points"] <= df["points_left"]),
                _allowance_message, "points_text"),
        RowRule("duplicate", "duplicate_of", "date", lambda s: s.isna(), _duplicate_message,
                "date_text", ignore_na=False),
    ]
    return out
