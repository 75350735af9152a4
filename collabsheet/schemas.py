"""The rules as pandera schemas, for pandas pipelines of one's own.

``log_schema`` is the Log rules of RULES.md section 3 as a ``pandera.DataFrameSchema`` over the
derived Log frame ``collabsheet.evaluate`` returns (``evaluation.log``): validating it lazily
reports the same rows and rule ids as collabsheet's own pass. collabsheet itself runs each
check's function directly (see docs/architecture.md, "Pandera", for the figures), so the
product path pays nothing for pandera's bookkeeping.

    _, ev = collabsheet.evaluate("office.xlsx", as_of=date(2025, 7, 1))
    collabsheet.schemas.log_schema(ev.rules, ev.as_of).validate(ev.log, lazy=True)
"""

from __future__ import annotations

import datetime as dt

import pandera.pandas as pa

from .checks import RowRule
from .log_rules import log_rules
from .settings import Rules


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


def log_schema(rules: Rules, as_of: dt.date) -> pa.DataFrameSchema:
    """Checks 1-9 and the duplicate warning as one schema; each Check's name is its rule id."""
    return schema(log_rules(rules, as_of), "Log")
