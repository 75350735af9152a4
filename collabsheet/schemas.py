"""The rules as pandera schemas: the typed structure of every tab (checked on every read), and
the Log rules for pandas pipelines of one's own.

``STRUCTURE`` is what ``office`` promises the rules: the column types of each tab's typed
frame. Checking it costs about 25 ms at a million Log rows, so every read checks it.

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

import pandas as pd
import pandera.pandas as pa

from .checks import RowRule
from .log_rules import log_rules
from .settings import Rules

_TEXT = pd.Series([], dtype="str").dtype


def _typed(**kinds: str) -> pa.DataFrameSchema:
    types = {"int": "int64", "text": _TEXT, "time": "datetime64[ns]", "number": "float64",
             "flag": "boolean"}
    return pa.DataFrameSchema({"row": pa.Column("int64"), **{
        name: pa.Column(types[kind], nullable=True) for name, kind in kinds.items()}})


STRUCTURE: dict[str, pa.DataFrameSchema] = {
    "staff": _typed(id="text", id_key="text", name="text", department="text", dept_key="text",
                    email="text", email_key="text", joined_text="text", joined="time",
                    left_text="text", left="time", takes_part_text="text", takes_part="flag"),
    "departments": _typed(department="text", dept_key="text", group="text"),
    "moves": _typed(date_text="text", date="time", id="text", id_key="text", department="text",
                    dept_key="text"),
    "log": _typed(date_text="text", when="time", points_text="text", points="number",
                  **{c: "text" for c in ("from", "from_key", "to", "to_key", "message",
                                         "message_text")}),
    "special": _typed(date_text="text", when="time", id="text", id_key="text",
                      points_text="text", points="number", work="text", departments="text"),
}


def check_structure(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` when it has the types the rules expect; pandera's SchemaError otherwise (a
    fault in collabsheet, never in the office's data)."""
    out: pd.DataFrame = STRUCTURE[key].validate(frame)
    return out


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
