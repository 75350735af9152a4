"""The values checks 1-7 of RULES.md section 3 test, one function per block, a column at a time.

Each function adds columns to the Log frame. A value a check needs that failed its own check
makes the check not apply: the column is NA there, and the rule's test skips NA. Which check is
skipped when is said in each docstring, in the words of RULES.md."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from . import months
from .checks import date_ok
from .people import People
from .settings import Rules


def dates(log: pd.DataFrame, rules: Rules, as_of: dt.date) -> None:
    """Check 1: ``day`` and ``month`` of every row whose date is a real date inside the
    scheme's run and not in the future; NaT and NA elsewhere, so the checks that need the day
    (3 and 5) are not made for it."""
    ok = date_ok(rules, as_of)(log["when"])
    day = log["when"].dt.normalize().where(ok)
    log["day"] = day
    log["month"] = months.of_times(day)


def persons(log: pd.DataFrame, people: People) -> None:
    """Check 2: ``sender`` and ``receiver`` (Staff positions, NA when they do not resolve) with
    ``from_status`` and ``to_status`` (ok, blank, unknown, ambiguous). The two lookups run side
    by side: Arrow and numpy let go of the GIL."""
    with ThreadPoolExecutor(max_workers=1) as beside:
        to_side = beside.submit(people.resolve, log["to_key"])
        log["sender"], log["from_status"] = people.resolve(log["from_key"])
        log["receiver"], log["to_status"] = to_side.result()


def on_staff(log: pd.DataFrame, people: People) -> None:
    """Check 3, made for each of sender and receiver that resolves, and only when the date
    passes check 1 (NA otherwise)."""
    log["sender_on_staff"] = people.on_staff(log["sender"], log["day"])
    log["receiver_on_staff"] = people.on_staff(log["receiver"], log["day"])


def self_sends(log: pd.DataFrame) -> None:
    """Check 4, made when both resolve: ``is_self``."""
    both = log["sender"].notna() & log["receiver"].notna()
    log["is_self"] = pd.Series(pd.NA, index=log.index, dtype="boolean")
    log.loc[both, "is_self"] = (log.loc[both, "sender"] == log.loc[both, "receiver"]).to_numpy()


def departments(log: pd.DataFrame, people: People) -> None:
    """Check 5: each side's department on the day (``sender_dept``, ``receiver_dept``), and
    ``same_department`` only when both resolve, the date passes check 1 and the row does not
    fail check 4 (a send to oneself is not also a same-department send)."""
    day = log["day"]
    log["sender_dept"] = people.department_on(log["sender"], day)
    log["receiver_dept"] = people.department_on(log["receiver"], day)
    both = log["sender"].notna() & log["receiver"].notna()
    same = pd.Series(pd.NA, index=log.index, dtype="boolean")
    applies = both & day.notna() & ~log["is_self"].fillna(True).astype(bool)
    same[applies] = (log.loc[applies, "sender_dept"] == log.loc[applies, "receiver_dept"]
                     ).to_numpy(dtype=bool)
    log["same_department"] = same


def derive(log: pd.DataFrame, people: People, rules: Rules, as_of: dt.date) -> None:
    """Everything checks 1-7 read. Points (6) and the message (7) are tested on the office's
    own cells, so they need nothing derived."""
    persons(log, people)
    dates(log, rules, as_of)
    on_staff(log, people)
    self_sends(log)
    departments(log, people)
