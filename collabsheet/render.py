"""Turn verdicts and results into ResultTabs (data only), in English or Korean."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from .engine import Verdicts
from .labels import result_title, word
from .tabs import Column, ResultTab, Table


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _value(x: Any) -> Any:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def validation_tab(v: Verdicts, lang: str) -> ResultTab:
    """Rejected and warned Log rows, one line a row with a link back to it; then problems of
    the other tabs. Its size follows the problems, not the log."""
    log_tab = v.titles.get("log", "")
    rules: dict[int, list[str]] = defaultdict(list)
    msgs: dict[int, list[str]] = defaultdict(list)
    severity: dict[int, str] = {}
    other: list[tuple[str, int, str, str, str]] = []
    for viol in v.report.violations:
        if viol.tab == log_tab and viol.row > 1:
            if viol.rule not in rules[viol.row]:
                rules[viol.row].append(viol.rule)
            msgs[viol.row].append(viol.message)
            if viol.severity == "error" or viol.row not in severity:
                severity[viol.row] = viol.severity
        else:
            other.append((viol.tab, viol.row, viol.column, viol.rule, viol.message))
    rows = sorted(rules)
    sub = v.log.set_index("row").loc[rows]
    tables = [Table(
        columns=[
            Column(word("row", lang), "int", 8),
            Column(word("date", lang), "datetime", 18),
            Column(word("from", lang), "text", 14),
            Column(word("to", lang), "text", 14),
            Column(word("points", lang), "int", 9),
            Column(word("severity", lang), "text", 10),
            Column(word("rules", lang), "text", 24),
            Column(word("message", lang), "text", 100),
            Column(word("left", lang), "int", 12),
        ],
        values=[
            rows,
            [_value(t) for t in sub["when"]],
            [_value(t) for t in sub["from"]],
            [_value(t) for t in sub["to"]],
            [_value(t) for t in sub["points"]],
            [word(severity[r], lang) for r in rows],
            [", ".join(rules[r]) for r in rows],
            ["; ".join(msgs[r]) for r in rows],
            [_value(t) for t in sub["points_left"]],
        ],
        links=[f"{_quote(log_tab)}!A{r}" for r in rows],
    )]
    if other:
        tables.append(Table(
            caption=word("tab", lang),
            columns=[Column(word("tab", lang), "text", 14), Column(word("row", lang), "int", 8),
                     Column(word("column", lang), "text", 14),
                     Column(word("rules", lang), "text", 24),
                     Column(word("message", lang), "text", 100)],
            values=[list(col) for col in zip(*other, strict=True)],
        ))
    return ResultTab("validation", result_title("validation", lang), tables)
