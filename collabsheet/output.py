"""Every result as the command line prints it, in one place: reports, ledgers, rankings and
the rule catalogue as text, JSON and CSV, and an input error as JSON. Nothing else formats."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from rich.cells import cell_len, set_cell_size

from .catalogue import RULES
from .labels import amount, period_words, word
from .ledger import ledger_records
from .phrases import phrase
from .report import Report
from .scores import TOTAL, Results

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
"""Begins a CSV by default: Excel on Korean Windows reads UTF-8 only when the file says so."""
REPORT_FIELDS = ("tab", "row", "column", "rule", "severity", "value", "message")
RULE_FIELDS = ("id", "severity", "tab", "section", "title", "description")


def csv_safe(value: Any) -> str:
    """OWASP CSV injection guard: a cell that a spreadsheet would run as a formula gets a ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([csv_safe(x) for x in r])
    return out.getvalue()


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def left(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal cells: Hangul and other wide characters take two,
    so Korean names keep the columns in line."""
    return text + " " * (width - cell_len(text)) if cell_len(text) < width else text


def right(text: str, width: int) -> str:
    return " " * (width - cell_len(text)) + text if cell_len(text) < width else text


def _columns(heads: Sequence[str], cells: Sequence[Sequence[str]], widest: int = 28) -> list[str]:
    """A text table: every column but the last padded to its width (at most ``widest``)."""
    widths = [min(widest, max(cell_len(h), *(cell_len(c[i]) for c in cells)))
              for i, h in enumerate(heads[:-1])]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(set_cell_size(c, w) for c, w in zip(row, widths, strict=False)) + \
            "  " + row[-1]

    return [fmt(heads), "  ".join("-" * w for w in widths) + "  " + "-" * 7,
            *(fmt(c) for c in cells)]


# ----- the validation report -------------------------------------------------------------------

def report_json(report: Report) -> str:
    return _json(report.to_dict())


def report_csv(report: Report) -> str:
    return _csv(REPORT_FIELDS, ([d[k] for k in REPORT_FIELDS]
                                for d in (v.to_dict() for v in report.violations)))


def summary_line(report: Report) -> str:
    s, lang = report.stats, report.lang
    return phrase("summary", lang, source=report.source,
                  verdict=phrase("valid" if report.valid else "not_valid", lang), rows=s.rows,
                  accepted=s.accepted, rejected=s.rejected, warned=s.warnings,
                  errors=len(report.errors), warnings=len(report.warnings))


def report_text(report: Report, limit: int | None = None) -> str:
    lang = report.lang
    shown = report.violations if limit is None else report.violations[:limit]
    lines: list[str] = []
    if shown:
        cells = [(v.tab, str(v.row) if v.row else "", v.column, v.rule, word(v.severity, lang),
                  v.message) for v in shown]
        heads = tuple(word(k, lang) for k in ("tab", "row", "column", "rule", "severity"))
        lines += _columns((*heads, word("message", lang)), cells)
        if limit is not None and len(report.violations) > limit:
            lines.append(phrase("more", lang, n=len(report.violations) - limit))
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines)


# ----- the rule catalogue ----------------------------------------------------------------------

def rules_json(lang: str = "en") -> str:
    return _json({"rules": [r.to_dict(lang) for r in RULES]})


def rules_csv(lang: str = "en") -> str:
    return _csv(RULE_FIELDS, ([r.to_dict(lang)[k] for k in RULE_FIELDS] for r in RULES))


def rules_text(lang: str = "en") -> str:
    cells = [(r.id, r.severity, r.tab, r.section, r.to_dict(lang)["title"]) for r in RULES]
    heads = tuple(word(k, lang) for k in ("rule", "severity", "tab", "section", "title"))
    return "\n".join(_columns(heads, cells, widest=30)
                     + ["", word("rules_footer", lang).format(n=len(RULES))])


def rules_markdown(lang: str = "en") -> str:
    """The catalogue as the Markdown table docs/rules.md carries."""
    lines = ["| Rule | Severity | Tab | Section | Title | What it means |",
             "|---|---|---|---|---|---|"]
    for r in RULES:
        d = r.to_dict(lang)
        lines.append(f"| `{r.id}` | {r.severity} | {r.tab} | {r.section} | {d['title']} | "
                     f"{d['description']} |")
    return "\n".join(lines)


# ----- an input error --------------------------------------------------------------------------

def error_json(error: Any, lang: str | None = None) -> str:
    """``{"error": {"rule", "tab", "column", "message"}}`` for an error that stops a job."""
    return _json({"error": error.to_dict(lang)})


def ledger_json(frame: pd.DataFrame) -> str:
    return _json({"ledger": ledger_records(frame)})


def ledger_csv(frame: pd.DataFrame) -> str:
    recs = ledger_records(frame)
    cols = ["id", "month", "granted", "sent", "expired", "left"]
    return _csv(cols, [[r[c] for c in cols] for r in recs])


def ledger_text(frame: pd.DataFrame, lang: str = "en") -> str:
    if not len(frame):
        return phrase("no_months", lang)
    by_month = frame.groupby("month")[["granted", "sent", "expired", "left"]].sum()
    people = frame[frame["granted"] > 0].groupby("month")["person"].nunique()
    heads = [word(k, lang) for k in ("month", "people", "granted", "sent", "expired",
                                     "left_now")]
    lines = [" ".join([left(heads[0], 8), right(heads[1], 8),
                       *(right(h, 10) for h in heads[2:])])]
    for month, r in by_month.iterrows():
        lines.append(f"{month:<8} {int(people.get(month, 0)):>8,} {int(r['granted']):>10,} "
                     f"{int(r['sent']):>10,} {int(r['expired']):>10,} {int(r['left']):>10,}")
    lines.append(phrase("ledger_rows", lang, n=len(frame)))
    return "\n".join(lines)


def rank_json(res: Results) -> str:
    return _json(rank_dict(res))


def rank_dict(res: Results) -> dict[str, Any]:
    p, d = res.people, res.departments
    s = res.summary
    return {
        "period": res.period.to_dict(),
        "people": [
            {"id": i, "name": n, "department": dep, "group": g, "received": int(rc),
             "sent": int(se), "special": int(sp), "score": res.score(sc), "rank": int(rk),
             "sends": int(ns), "receipts": int(nr), "colleagues_helped": int(h)}
            for i, n, dep, g, rc, se, sp, sc, rk, ns, nr, h in zip(
                p["id"], p["name"], p["department"], p["group"], p["received"], p["sent"],
                p["special"], p["score"], p["rank"], p["sends"], p["receipts"], p["helped"],
                strict=True)
        ],
        "departments": [
            {"department": dep, "group": g, "score": res.score(sc), "rank": int(rk),
             "received": int(rc), "sent": int(se), "special": int(sp), "people": int(n),
             "collaborations": int(c)}
            for dep, g, sc, rk, rc, se, sp, n, c in zip(
                d["department"], d["group"], d["score"], d["rank"], d["received"], d["sent"],
                d["special"], d["people"], d["collaborations"], strict=True)
        ],
        "commendations": {
            "people": [{"id": i, "name": n, "rank": int(r), "score": res.score(sc),
                        "tie": bool(t)}
                       for i, n, r, sc, t in zip(
                           res.commended_people["id"], res.commended_people["name"],
                           res.commended_people["rank"], res.commended_people["score"],
                           res.commended_people["tie"], strict=True)],
            "departments": {
                g: [{"department": dep, "rank": int(r), "score": res.score(sc), "tie": bool(t)}
                    for dep, r, sc, t in zip(c["department"], c["rank"], c["score"], c["tie"],
                                             strict=True)]
                for g, c in res.commended_departments.items()},
        },
        "summary": {
            "months": [
                {"month": m, "collaborations": int(c), "points": int(pt), "senders": int(a),
                 "receivers": int(b), "rejected": int(rj), "special_awards": int(sa)}
                for m, c, pt, a, b, rj, sa in zip(
                    s["month"], s["collaborations"], s["points"], s["senders"], s["receivers"],
                    s["rejected"], s["specials"], strict=True) if m != TOTAL],
            "period": {k: int(s.iloc[-1][k2]) for k, k2 in (
                ("collaborations", "collaborations"), ("points", "points"),
                ("senders", "senders"), ("receivers", "receivers"), ("rejected", "rejected"),
                ("special_awards", "specials"))},
        },
    }


def rank_csv(res: Results) -> str:
    p = res.people
    cols = ["rank", "id", "name", "department", "group", "received", "sent", "special",
            "score", "sends", "receipts", "colleagues_helped"]
    rows = [[int(rk), i, n, d, g, int(rc), int(se), int(sp), res.score(sc), int(a), int(b),
             int(h)]
            for rk, i, n, d, g, rc, se, sp, sc, a, b, h in zip(
                p["rank"], p["id"], p["name"], p["department"], p["group"], p["received"],
                p["sent"], p["special"], p["score"], p["sends"], p["receipts"], p["helped"],
                strict=True)]
    return _csv(cols, rows)


_fmt = amount


def run_text(report: Report, res: Results, lang: str = "en", top: int = 3) -> str:
    """What run and demo print: the report's summary line, the ranking, and why the period's
    rejected rows may be fewer than the Log's (rows with no usable date are in no month)."""
    lines = [summary_line(report), "", rank_text(res, lang, top)]
    outside = report.stats.rejected - int(res.summary.iloc[-1]["rejected"])
    if outside > 0:
        lines.append(phrase("unplaced", lang, n=outside, period=res.period.label))
    return "\n".join(lines)


def rank_text(res: Results, lang: str = "en", top: int = 10) -> str:
    tie = word("tie", lang)
    span = res.period.to_dict()
    lines = [f"{word('period', lang)}: {period_words(res.period.first, res.period.last, lang)} "
             f"({res.period.label}, {span['from']} .. {span['to']})", "",
             word("commended_people", lang)]
    for r in res.commended_people.itertuples():
        mark = f"  [{tie}]" if r.tie else ""
        lines.append(f"  {r.rank:>3}. {r.id} {r.name} ({r.department}) "
                     f"{_fmt(res.score(r.score))}{mark}")
    if not len(res.commended_people):
        lines.append("  -")
    for g, c in res.commended_departments.items():
        lines.append(f"{word('commended_departments', lang)}: {g}")
        for r in c.itertuples():
            mark = f"  [{tie}]" if r.tie else ""
            lines.append(f"  {r.rank:>3}. {r.department} {_fmt(res.score(r.score))}{mark}")
        if not len(c):
            lines.append("  -")
    lines += ["", f"{word('people', lang)}: {phrase('top', lang, n=top)}",
              "  " + "  ".join([right(word("rank", lang), 4), left(word("id", lang), 10)]) + " "
              + " ".join([left(word("name", lang), 10), right(word("score", lang), 9),
                          right(word("received", lang), 9), right(word("sent", lang), 9),
                          right(word("special", lang), 8)]) + "  " + word("department", lang)]
    for r in res.people.head(top).itertuples():
        lines.append(f"  {r.rank:>4}  {left(str(r.id), 10)} {left(str(r.name), 10)} "
                     f"{_fmt(res.score(r.score)):>9} {r.received:>9,} {r.sent:>9,} "
                     f"{r.special:>8,}  {r.department}")
    for g in res.groups:
        d = res.departments[res.departments["group"] == g].head(5)
        lines += ["", f"{word('department', lang)}: {g} "
                      f"({phrase('top_departments', lang, n=5)})"]
        for r in d.itertuples():
            lines.append(f"  {r.rank:>4}  {left(str(r.department), 32)} "
                         f"{_fmt(res.score(r.score)):>9}")
    s = res.summary.iloc[-1]
    lines += ["", f"{word('collaborations', lang)}: {int(s['collaborations']):,}, "
              f"{word('points', lang)}: {int(s['points']):,}, "
              f"{word('rejected', lang)}: {int(s['rejected']):,}"]
    return "\n".join(lines)
