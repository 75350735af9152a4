"""The meeting report as one self-contained HTML page: no script, no font, nothing fetched.

Charts are inline SVG (``charts``), numbers are written the way the office writes them
(``labels.amount``), every figure carries ``data-figure`` so a test can read it back, and the
print CSS keeps each section whole on A4.
"""

from __future__ import annotations

from html import escape

from . import charts, months
from .labels import amount, month_words, period_words, word
from .meeting import Balance, Figure, Meeting
from .phrases import phrase

_CSS = """
@page { size: A4; margin: 11mm 12mm; }
* { box-sizing: border-box; }
body { font-family: FONTS; color: #1b1b1b; margin: 0; font-size: 10.5pt;
       line-height: 1.35; }
main { max-width: 186mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 1mm; }
h2 { font-size: 12pt; margin: 0 0 2mm; border-bottom: 1.5px solid #2f6db5;
     padding-bottom: 0.8mm; }
h3 { font-size: 10.5pt; margin: 1mm 0; }
p { margin: 1mm 0; }
.sub, .note { color: #555; font-size: 9pt; }
section { margin: 0 0 4.5mm; break-inside: avoid; page-break-inside: avoid; }
.figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2mm; }
.figure { border: 1px solid #d5dbe3; border-radius: 2mm; padding: 1.6mm 2.4mm; }
.figure .label { font-size: 9pt; color: #444; }
.figure .value { font-size: 17pt; font-weight: bold; }
.figure .change { font-size: 8.5pt; color: #555; }
.up { color: #1f7a3a; } .down { color: #b23b2a; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
.charts { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1mm; }
.charts svg, .wide svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { padding: 0.6mm 1.5mm; border-bottom: 1px solid #e3e6ea; text-align: left; }
th { background: #eef2f7; font-weight: bold; }
td.n, th.n { text-align: right; white-space: nowrap; }
.tie { color: #b23b2a; font-size: 8.5pt; }
footer { color: #777; font-size: 8pt; margin-top: 3mm; }
@media print { main { max-width: none; } }
""".replace("FONTS", charts.FONTS)


def _num(key: str, value: float, text: str | None = None) -> str:
    return (f'<span data-figure="{escape(key)}" data-value="{value:g}">'
            f"{escape(text or amount(value))}</span>")


def _change(f: Figure, lang: str) -> str:
    change = f.change
    if change is None:
        return ""
    if change == 0:
        return f'<div class="change">{escape(phrase("rep_unchanged", lang))}</div>'
    sign = "+" if change > 0 else "−"
    size = abs(change)
    if f.key == "participation":
        value = phrase("rep_pp", lang, value=amount(round(size, 1)))
    else:
        value = amount(size)
        if f.change_share is not None:
            value += f" ({abs(f.change_share) * 100:.0f}%)"
    css = "up" if change > 0 else "down"
    return (f'<div class="change {css}" data-figure="change-{f.key}" data-value="{change:g}">'
            f'{escape(phrase("rep_change", lang, sign=sign, value=value))}</div>')


def _headline(m: Meeting) -> str:
    lang = m.lang
    boxes = []
    for f in m.headline:
        text = f"{amount(f.value)}%" if f.key == "participation" else amount(f.value)
        note = ""
        if f.key == "participation":
            note = (f'<div class="change">'
                    f'{escape(phrase("rep_participation_note", lang, staff=m.staff))}</div>')
        boxes.append(f'<div class="figure"><div class="label">'
                     f'{escape(phrase("rep_" + f.key, lang))}</div>'
                     f'<div class="value">{_num(f.key, f.value, text)}</div>'
                     f"{note}{_change(f, lang)}</div>")
    if m.compared is not None:
        said = phrase("report_compared", lang,
                      period=period_words(m.compared.first, m.compared.last, lang))
    else:
        said = phrase("report_uncompared", lang)
    return (f'<section id="headline"><div class="figures">{"".join(boxes)}</div>'
            f'<p class="note">{escape(said)}</p></section>')


def _tie(lang: str) -> str:
    return f' <span class="tie">{escape(phrase("rep_tie", lang))}</span>'


def _commendations(m: Meeting) -> str:
    lang = m.lang
    head = (f'<tr><th class="n">{escape(word("rank", lang))}</th>'
            f'<th>{escape(word("name", lang))}</th>'
            f'<th>{escape(word("department", lang))}</th>'
            f'<th class="n">{escape(word("score", lang))}</th></tr>')
    rows = "".join(
        f'<tr data-person="{escape(p.id)}"><td class="n">{_num("person-rank", p.rank)}</td>'
        f"<td>{escape(p.name)} <span class=\"note\">{escape(p.id)}</span>"
        f'{_tie(lang) if p.tie else ""}</td><td>{escape(p.department)}</td>'
        f'<td class="n">{_num("person-score", p.score)}</td></tr>' for p in m.people)
    if not m.people:
        rows = f'<tr><td colspan="4">{escape(phrase("rep_none", lang))}</td></tr>'
    groups = []
    for group, depts in m.departments:
        body = "".join(
            f'<tr data-department="{escape(d.name)}"><td class="n">'
            f'{_num("department-rank", d.rank)}</td><td>{escape(d.name)}'
            f'{_tie(lang) if d.tie else ""}</td>'
            f'<td class="n">{_num("department-score", d.score)}</td></tr>' for d in depts)
        if not depts:
            body = f'<tr><td colspan="3">{escape(phrase("rep_none", lang))}</td></tr>'
        groups.append(
            f'<div data-group="{escape(group)}"><h3>'
            f'{escape(phrase("rep_departments", lang, group=group))}</h3><table><tr>'
            f'<th class="n">{escape(word("rank", lang))}</th>'
            f'<th>{escape(word("department", lang))}</th>'
            f'<th class="n">{escape(word("score", lang))}</th></tr>{body}</table></div>')
    return (f'<section id="commendations"><h2>{escape(phrase("rep_commend", lang))}</h2>'
            f'<h3>{escape(phrase("rep_people", lang))}</h3><table>{head}{rows}</table>'
            f'<div class="cols">{"".join(groups)}</div></section>')


def _month_label(code: int, lang: str, one_year: bool = True) -> str:
    """A month within the period, short enough for six bars in a third of a page (Feb, 2월;
    2025-02 when the period runs over two years)."""
    if not one_year:
        return months.name(code)
    said = month_words(code, lang, with_year=False)
    return said if lang == "ko" else said[:3]


def _months(m: Meeting) -> str:
    lang = m.lang
    one_year = m.period.first // 12 == m.period.last // 12
    labels = [_month_label(x.code, lang, one_year) for x in m.months]
    drawn = [
        charts.bars("months-collaborations", phrase("rep_collaborations", lang), labels,
                    [x.collaborations for x in m.months]),
        charts.bars("months-points", phrase("rep_points", lang), labels,
                    [x.points for x in m.months]),
        charts.bars("months-participation", phrase("rep_participation", lang), labels,
                    [x.participation for x in m.months], fmt=charts.percent, most=100),
    ]
    rows = "".join(
        f'<tr data-month="{months.name(x.code)}"><td>{escape(_month_label(x.code, lang, one_year))}'
        f"</td>"
        f'<td class="n">{_num("month-collaborations", x.collaborations)}</td>'
        f'<td class="n">{_num("month-points", x.points)}</td>'
        f'<td class="n">{_num("month-senders", x.senders)}</td>'
        f'<td class="n">{_num("month-participation", x.participation)}%</td></tr>'
        for x in m.months)
    table = (f'<table><tr><th>{escape(word("month", lang))}</th>'
             f'<th class="n">{escape(phrase("rep_collaborations", lang))}</th>'
             f'<th class="n">{escape(phrase("rep_points", lang))}</th>'
             f'<th class="n">{escape(phrase("rep_senders", lang))}</th>'
             f'<th class="n">{escape(phrase("rep_participation", lang))}</th></tr>{rows}'
             f"</table>")
    return (f'<section id="months"><h2>{escape(phrase("rep_months", lang))}</h2>'
            f'<div class="charts">{"".join(drawn)}</div>{table}'
            f'<p class="note">{escape(phrase("rep_months_note", lang))}</p></section>')


def _balances(title: str, rows: tuple[Balance, ...], lang: str, key: str) -> str:
    body = "".join(
        f'<tr data-{key}="{escape(b.department)}"><td>{escape(b.department)}</td>'
        f'<td class="n">{_num(key + "-sent", b.sent)}</td>'
        f'<td class="n">{_num(key + "-received", b.received)}</td></tr>' for b in rows)
    if not rows:
        body = f'<tr><td colspan="3">{escape(phrase("rep_none", lang))}</td></tr>'
    return (f"<div><h3>{escape(title)}</h3><table><tr>"
            f'<th>{escape(word("department", lang))}</th>'
            f'<th class="n">{escape(word("sent", lang))}</th>'
            f'<th class="n">{escape(word("received", lang))}</th></tr>{body}</table></div>')


def _flows(m: Meeting) -> str:
    lang = m.lang
    body = "".join(
        f"<tr><td>{escape(f.helper)}</td><td>→ {escape(f.helped)}</td>"
        f'<td class="n">{_num("flow-collaborations", f.collaborations)}</td>'
        f'<td class="n">{_num("flow-points", f.points)}</td></tr>' for f in m.flows)
    if not m.flows:
        body = f'<tr><td colspan="4">{escape(phrase("rep_none", lang))}</td></tr>'
    note = phrase("rep_flows_note", lang, shown=len(m.flows), total=m.flow_count)
    return (f'<section id="flows"><h2>{escape(phrase("rep_flows", lang))}</h2>'
            f'<table><tr><th>{escape(phrase("rep_helper", lang))}</th>'
            f'<th>{escape(phrase("rep_helped", lang))}</th>'
            f'<th class="n">{escape(phrase("rep_collaborations", lang))}</th>'
            f'<th class="n">{escape(word("points", lang))}</th></tr>{body}</table>'
            f'<p class="note">{escape(note)}</p><div class="cols">'
            f'{_balances(phrase("rep_givers", lang), m.givers, lang, "giver")}'
            f'{_balances(phrase("rep_takers", lang), m.takers, lang, "taker")}'
            f"</div></section>")


def _uptake(m: Meeting) -> str:
    lang = m.lang
    if len(m.uptake) < m.uptake_count:
        note = phrase("rep_uptake_some", lang, half=len(m.uptake) // 2, total=m.uptake_count)
    else:
        note = phrase("rep_uptake_note", lang, total=m.uptake_count)
    drawn = charts.bars("uptake", "", [u.department for u in m.uptake],
                        [u.participation for u in m.uptake], fmt=charts.percent, most=100,
                        width=700, height=max(140, 28 + 22 * len(m.uptake)), horizontal=True)
    marks = "".join(f'<li data-department="{escape(u.department)}">{escape(u.department)} '
                    f'{_num("uptake-participation", u.participation)}% '
                    f"({u.senders}/{u.people})</li>" for u in m.uptake)
    return (f'<section id="uptake"><h2>{escape(phrase("rep_uptake", lang))}</h2>'
            f'<div class="wide">{drawn}</div><p class="note">{escape(note)}</p>'
            f'<ul hidden="hidden">{marks}</ul></section>')


def _quality(m: Meeting) -> str:
    lang = m.lang
    if m.rejected:
        rules = ", ".join(phrase("rep_rule_rows", lang, title=b.title, rows=b.rows)
                          for b in m.broken)
        line = phrase("rep_quality_line", lang, rejected=m.rejected, rules=rules or "-")
    else:
        line = phrase("rep_quality_clean", lang)
    return (f'<section id="quality"><h2>{escape(phrase("rep_quality", lang))}</h2>'
            f'<p data-figure="rejected" data-value="{m.rejected}">{escape(line)}</p>'
            f"</section>")


def render(m: Meeting) -> str:
    """The page, in the office's language (``Meeting.lang``)."""
    lang = m.lang
    period = period_words(m.period.first, m.period.last, lang)
    title = phrase("report_title", lang, period=period)
    sub = phrase("report_sub", lang, source=m.source, day=m.as_of.isoformat())
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>"
            f'<header><h1>{escape(title)}</h1><p class="sub">{escape(sub)}</p></header>'
            f"{_headline(m)}{_commendations(m)}{_months(m)}{_flows(m)}{_uptake(m)}"
            f"{_quality(m)}<footer>{escape(phrase('rep_footer', lang, source=m.source))}"
            f"</footer></main></body></html>\n")
