"""Turn verdicts and results into ResultTabs (data only), in English or Korean, each headed
by what it is, the months it covers and the day it is as of."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from . import months
from .engine import Verdicts
from .intsort import runs
from .labels import result_tab, word
from .ledger import scheme_months
from .report import Report
from .resulttab import Chart, Column, Printing, ResultTab, Table
from .scores import TOTAL, Results, placed
from .sheetref import ref


def _values(s: pd.Series) -> list[Any]:
    """Cells as plain values, a column at a time: missing -> None, whole floats -> int."""
    if s.dtype.kind == "f":
        return [None if x != x else int(x) if x.is_integer() else x
                for x in s.to_numpy().tolist()]
    if s.dtype.kind == "M":
        stamps: list[Any] = s.to_numpy(dtype="datetime64[us]").tolist()
        return stamps
    out: list[Any] = s.to_numpy(dtype=object, na_value=None).tolist()
    return out


def validation_tab(v: Verdicts, report: Report, lang: str) -> ResultTab:
    """Rejected and warned Log rows, one line a row with a link back to it; then problems of
    the other tabs. Its size follows the problems, not the log."""
    log_tab = v.titles.get("log", "")
    on_log = [x for x in report.violations if x.tab == log_tab and x.row > 1]
    other = [(x.tab, x.row, x.column, x.rule, x.message) for x in report.violations
             if not (x.tab == log_tab and x.row > 1)]
    by_row = runs(np.array([x.row for x in on_log], dtype=np.int64))
    on_log = [on_log[k] for k in by_row.order.tolist()]
    starts = by_row.heads
    ends = np.append(starts[1:], len(on_log))[:len(starts)]
    rows = by_row.keys.tolist()
    rule_ids = [x.rule for x in on_log]
    messages = [x.message for x in on_log]
    errors = [x.severity == "error" for x in on_log]
    groups = list(zip(starts.tolist(), ends.tolist(), strict=True))
    severity = ["error" if any(errors[a:b]) else on_log[a].severity for a, b in groups]
    sheet_rows = v.log["row"].to_numpy()
    sub = v.log.iloc[np.searchsorted(sheet_rows, rows)][["when", "from", "to", "points",
                                                          "points_left"]]
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
            _values(sub["when"]),
            _values(sub["from"]),
            _values(sub["to"]),
            _values(sub["points"]),
            [word(s, lang) for s in severity],
            [", ".join(dict.fromkeys(rule_ids[a:b])) for a, b in groups],
            ["; ".join(messages[a:b]) for a, b in groups],
            _values(sub["points_left"]),
        ],
        links=[ref(log_tab, f"A{r}") for r in rows],
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
    return result_tab("validation", lang, tables, as_of=v.as_of, span=scheme_months(v))


def ledger_tab(frame: pd.DataFrame, v: Verdicts, lang: str) -> ResultTab:
    """The Ledger, one row per person: who (name and department on the as-of day beside the
    ID), totals, then what they sent each month. Granted points are the same 200 nearly every
    month and expiry is granted minus sent, so the months carry only what was sent; the full
    per-month rows are in `collabsheet grant --format csv`."""
    person = frame["person"].to_numpy(dtype=np.int64)
    n = int(person.max()) + 1 if len(person) else 0
    found = runs(frame["month_code"].to_numpy(dtype=np.int64))
    codes, month_at = found.keys, found.group

    def total(col: str, cells: np.ndarray, size: int) -> np.ndarray:
        return np.bincount(cells, weights=frame[col].to_numpy(dtype=float), minlength=size
                           ).astype(np.int64)

    sums = {col: total(col, person, n) for col in ("granted", "sent", "expired", "left")}
    keep = np.flatnonzero((sums["granted"] > 0) | (sums["sent"] > 0))
    departments = pd.Series(placed(v, pd.Timestamp(v.as_of))[1][:n][keep], dtype="str")
    by_month = total("sent", person * len(codes) + month_at, n * len(codes)).reshape(
        n, len(codes))
    columns = [Column(word("id", lang), "text", 12), Column(word("name", lang), "text", 12),
               Column(word("department", lang), "text", 20),
               Column(word("granted", lang), "int", 10),
               Column(word("sent", lang), "int", 10), Column(word("expired", lang), "int", 10),
               Column(word("left_now", lang), "int", 10)]
    values: list[Any] = [v.staff["id"].take(keep), v.staff["name"].take(keep), departments,
                         *(sums[c][keep] for c in ("granted", "sent", "expired", "left"))]
    for k, code in enumerate(codes.tolist()):
        columns.append(Column(f"{months.name(code)} {word('sent', lang)}", "int", 12))
        values.append(by_month[keep, k])
    span = (int(codes[0]), int(codes[-1])) if len(codes) else None
    return result_tab("ledger", lang, [Table(columns=columns, values=values)], as_of=v.as_of,
                      span=span)


def _scores(res: Results, scaled: Any) -> list[int | float]:
    return [res.score(s) for s in scaled]


def _span(res: Results) -> tuple[int, int]:
    return res.period.first, res.period.last


def _rank(lang: str) -> Column:
    return Column(word("rank", lang), "int", 7, center=True)


def people_tab(res: Results, lang: str, as_of: dt.date) -> ResultTab:
    p = res.people
    return result_tab("people", lang, [Table(
        columns=[_rank(lang), Column(word("id", lang), "text", 11),
                 Column(word("name", lang), "text", 12),
                 Column(word("department", lang), "text", 24),
                 Column(word("group", lang), "text", 40),
                 Column(word("received", lang), "int", 10), Column(word("sent", lang), "int", 10),
                 Column(word("special", lang), "int", 9), Column(word("score", lang), "score", 10),
                 Column(word("sends", lang), "int", 9), Column(word("receipts", lang), "int", 10),
                 Column(word("colleagues", lang), "int", 12)],
        values=[p["rank"].to_numpy(), p["id"], p["name"], p["department"], p["group"],
                p["received"].to_numpy(),
                p["sent"].to_numpy(), p["special"].to_numpy(), _scores(res, p["score"]),
                p["sends"].to_numpy(), p["receipts"].to_numpy(), p["helped"].to_numpy()],
    )], as_of=as_of, span=_span(res))


def departments_tab(res: Results, lang: str, as_of: dt.date) -> ResultTab:
    """One table, group by group (so its header tops every printed page and a filter picks a
    group), with a bar chart of each group's top ten."""
    blocks = [res.departments[res.departments["group"] == group] for group in res.groups]
    d = pd.concat(blocks) if blocks else res.departments
    charts, start = [], 0
    for group, block in zip(res.groups, blocks, strict=True):
        size = len(block)
        charts.append(Chart(title=f"{group}: {word('score', lang)} (top 10)", table=0,
                            categories=2, series=[3], kind="bar", skip=start,
                            max_rows=min(10, size)))
        start += size
    table = Table(
        columns=[Column(word("group", lang), "text", 16), _rank(lang),
                 Column(word("department", lang), "text", 28),
                 Column(word("score", lang), "score", 10),
                 Column(word("received", lang), "int", 10), Column(word("sent", lang), "int", 10),
                 Column(word("special", lang), "int", 9), Column(word("people", lang), "int", 8),
                 Column(word("collaborations", lang), "int", 13)],
        values=[d["group"].to_numpy(dtype=object), d["rank"].to_numpy(),
                d["department"].to_numpy(dtype=object), _scores(res, d["score"]),
                d["received"].to_numpy(), d["sent"].to_numpy(), d["special"].to_numpy(),
                d["people"].to_numpy(), d["collaborations"].to_numpy()])
    return result_tab("departments", lang, [table], charts, as_of=as_of, span=_span(res))


def commendations_tab(res: Results, lang: str, as_of: dt.date) -> ResultTab:
    cp = res.commended_people
    tie = word("tie", lang)
    tables = [Table(
        caption=word("commended_people", lang) + f" ({res.period.label})",
        columns=[_rank(lang), Column(word("id", lang), "text", 11),
                 Column(word("name", lang), "text", 12),
                 Column(word("department", lang), "text", 24),
                 Column(word("score", lang), "score", 10), Column(tie, "text", 22)],
        values=[cp["rank"].to_numpy(), cp["id"].to_numpy(dtype=object),
                cp["name"].to_numpy(dtype=object), cp["department"].to_numpy(dtype=object),
                _scores(res, cp["score"]), [tie if t else None for t in cp["tie"]]])]
    for group, cd in res.commended_departments.items():
        tables.append(Table(
            caption=word("commended_departments", lang) + f": {group}",
            columns=[_rank(lang), Column(word("department", lang), "text", 24),
                     Column(word("score", lang), "score", 10), Column(tie, "text", 22)],
            values=[cd["rank"].to_numpy(), cd["department"].to_numpy(dtype=object),
                    _scores(res, cd["score"]), [tie if t else None for t in cd["tie"]]]))
    return result_tab("commendations", lang, tables, freeze=False, autofilter=False,
                      printing=Printing(repeat_header=False), as_of=as_of, span=_span(res))


FLOW_ROWS = 1000


def summary_tab(res: Results, lang: str, as_of: dt.date) -> ResultTab:
    """Monthly figures, then who helps whom: the strongest department pairs only, since 400
    departments make 160,000 pairs that nobody reads (all of them are in ``Results.flows``).
    Collaborations (hundreds) and points (thousands) get a chart each, over the months only:
    on one axis the counts would not show, and the total is no month."""
    s = res.summary
    labels = [word("total", lang) if m == TOTAL else m for m in s["month"]]
    f = res.flows.head(FLOW_ROWS)
    flow_caption = word("helped_by", lang) + " → " + word("helped", lang)
    if len(res.flows) > FLOW_ROWS:
        flow_caption += " (" + word("top_of", lang).format(shown=FLOW_ROWS,
                                                            total=len(res.flows)) + ")"
    tables = [
        Table(columns=[Column(word("month", lang), "text", 10),
                       Column(word("collaborations", lang), "int", 14),
                       Column(word("points", lang), "int", 10),
                       Column(word("senders", lang), "int", 14),
                       Column(word("receivers", lang), "int", 16),
                       Column(word("rejected", lang), "int", 13),
                       Column(word("specials", lang), "int", 13)],
              values=[labels, s["collaborations"].to_numpy(), s["points"].to_numpy(),
                      s["senders"].to_numpy(), s["receivers"].to_numpy(),
                      s["rejected"].to_numpy(), s["specials"].to_numpy()]),
        Table(caption=flow_caption,
              columns=[Column(word("helped_by", lang), "text", 30),
                       Column(word("helped", lang), "text", 30),
                       Column(word("collaborations", lang), "int", 14),
                       Column(word("points", lang), "int", 10)],
              values=[f["helper"].to_numpy(dtype=object), f["helped"].to_numpy(dtype=object),
                      f["collaborations"].to_numpy(), f["points"].to_numpy()]),
    ]
    n = int((s["month"] != TOTAL).sum())
    charts = [Chart(title=word(key, lang), table=0, categories=0, series=[col], kind="col",
                    max_rows=n) for key, col in (("collaborations", 1), ("points", 2))]
    return result_tab("summary", lang, tables, charts, freeze=True, autofilter=False,
                      printing=Printing(repeat_header=False), as_of=as_of, span=_span(res))


def rank_tabs(res: Results, lang: str, as_of: dt.date) -> list[ResultTab]:
    return [people_tab(res, lang, as_of), departments_tab(res, lang, as_of),
            commendations_tab(res, lang, as_of), summary_tab(res, lang, as_of)]
