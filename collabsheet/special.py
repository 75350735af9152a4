"""Special collaboration points (RULES.md section 4): a Special row is accepted when its person
resolves and is on the staff that day, its points are a whole number above 0 (blank means
Rules special_points), and at least two departments are involved, the person's own among them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import months
from .catalogue import say
from .checks import (
    Context,
    Row,
    RowRule,
    date_message,
    date_ok,
    is_true,
    naming,
    off_staff_message,
    person_message,
    present,
    txt,
)
from .labels import norm
from .people import People
from .settings import Rules

_SPLIT = re.compile(r"\s*[,;，、/·\n]\s*")


def _departments_problem(texts: pd.Series, own: pd.Series, dept_known: set[str],
                         dept_name: Mapping[str, str], lang: str) -> pd.Series:
    """Why a row's departments fail, in the catalogue's words, or NA when they pass."""
    out: list[object] = []
    for text, mine in zip(texts, own, strict=True):
        if text is None or (isinstance(text, float) and np.isnan(text)):
            out.append(say("departments", "blank", lang))
            continue
        names = [t for t in _SPLIT.split(str(text)) if t]
        keys = list(dict.fromkeys(norm(t) for t in names))
        unknown = [t for t in names if norm(t) not in dept_known]
        if unknown:
            out.append(say("departments", "unknown", lang,
                           names=", ".join(repr(u) for u in unknown)))
        elif len(keys) < 2:
            out.append(say("departments", "too_few", lang, n=len(keys)))
        elif mine is not None and not (isinstance(mine, float)) and mine not in keys:
            out.append(say("departments", "not_own", lang, department=dept_name.get(mine, mine)))
        else:
            out.append(pd.NA)
    return pd.Series(out, index=texts.index, dtype=object)


def derive(special: pd.DataFrame, people: People, rules: Rules, as_of: dt.date,
           dept_known: set[str], dept_name: Mapping[str, str], lang: str) -> pd.DataFrame:
    """The Special frame with what its rules test: person, on staff, award, departments."""
    sp = special.copy()
    sp["person"], sp["id_status"] = people.resolve(sp["id_key"])
    day = sp["when"].dt.normalize().where(date_ok(rules, as_of)(sp["when"]))
    sp["person_on_staff"] = people.on_staff(sp["person"], day)
    blank_pts = sp["points_text"].isna()
    sp["award"] = sp["points"].where(~blank_pts, float(rules.special_points))
    sp["points_ok"] = (sp["award"].notna() & (sp["award"] > 0)
                       & (sp["award"] == np.floor(sp["award"].fillna(0)))).astype("boolean")
    own = people.department_on(sp["person"], sp["when"].dt.normalize())
    sp["departments_problem"] = _departments_problem(sp["departments"], own, dept_known,
                                                     dept_name, lang)
    sp["department"] = people.department_on(sp["person"], day)
    sp["month"] = months.of_times(day)
    return sp


def _points_message(row: Row, ctx: Context) -> str:
    if pd.isna(row["points"]):
        return say("points", "special_not_number", ctx.lang, text=txt(row["points_text"]),
                   points=ctx.rules.special_points)
    return say("points", "special_not_whole", ctx.lang, text=txt(row["points_text"]))


def _departments_message(row: Row, ctx: Context) -> str:
    return str(row["departments_problem"])


def special_rules(rules: Rules, as_of: dt.date) -> list[RowRule]:
    return [
        RowRule("date", "when", "date", date_ok(rules, as_of),
                naming("date", "Date", "date_text", date_message), "date_text", ignore_na=False),
        RowRule("unknown-person", "person", "id", present,
                naming("unknown-person", "ID", "id", person_message("id", "ID")), "id",
                ignore_na=False),
        RowRule("not-on-staff", "person_on_staff", "id", is_true,
                off_staff_message("ID", "person"), "id"),
        RowRule("points", "points_ok", "points", is_true,
                naming("points", "Points", "points_text", _points_message), "points_text"),
        RowRule("departments", "departments_problem", "departments", lambda s: s.isna(),
                _departments_message, "departments", ignore_na=False),
    ]
