"""Charts of the meeting report as inline SVG, drawn by pygal.

pygal was chosen by measuring it beside matplotlib (docs/architecture.md): it imports in
0.04 s (matplotlib 0.57 s), draws ten charts in 0.04 s (0.27 s), is 1.3 MB installed (35 MB
and five more packages), and keeps every label as SVG text, so Korean renders in the reader's
own fonts and can be copied; matplotlib measures text with its own fonts and has no Hangul.
What pygal adds for its browser tooltips (a script, a random id, comments naming its site and
the day) is taken out, so the page loads nothing and the same figures give the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pygal
from pygal.style import Style

FONTS = ('"Noto Sans CJK KR", "Noto Sans KR", NanumGothic, "Malgun Gothic", '
         '"Apple SD Gothic Neo", sans-serif')
_STYLE = Style(font_family=FONTS, background="white", plot_background="white",
               foreground="#333", foreground_strong="#111", foreground_subtle="#ccc",
               colors=("#2f6db5", "#d9822b", "#4a9a5b"), title_font_size=15,
               label_font_size=12, major_label_font_size=12, value_font_size=11,
               tooltip_font_size=11)
MAX_PRINTED = 6
"""Values longer than this (6,040,575) are not printed on their bars: they would not fit."""
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ID = re.compile(r'id="chart-([0-9a-f-]{36})"')


def whole(x: float) -> str:
    return f"{x:,.0f}"


def percent(x: float) -> str:
    return f"{x:,.1f}%"


def _clean(svg: str, name: str) -> str:
    found = _ID.search(svg)
    if found:
        svg = svg.replace(found.group(1), name)
    svg = _SCRIPT.sub("", _COMMENT.sub("", svg))
    return svg.replace("<svg ", '<svg role="img" ', 1)


def _wide_room(labels: Sequence[str]) -> float:
    """What pygal's label room (0.6 of the font size a character) lacks for Hangul and other
    wide characters, which take about a whole font size each."""
    size = _STYLE.label_font_size
    return max((sum(0.45 * size for ch in t if ord(ch) > 0x1100) for t in labels), default=0.0)


def bars(name: str, title: str, labels: Sequence[str], values: Sequence[float],
         fmt: Callable[[float], str] = whole, width: int = 330, height: int = 230,
         horizontal: bool = False, most: float | None = None) -> str:
    """One series of bars with their values printed on them. ``name`` makes the chart's
    styles its own on a page with several charts."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(js=[], width=width, height=height, show_legend=False, title=title,
                 style=_STYLE, disable_xml_declaration=True,
                 print_values=max((len(fmt(v)) for v in values), default=0) <= MAX_PRINTED,
                 value_formatter=fmt, margin=6, spacing=6, show_y_guides=not horizontal,
                 margin_left=6 + (_wide_room(labels) if horizontal else 0),
                 truncate_label=-1, range=(0, most) if most is not None else None,
                 no_data_text="-", x_label_rotation=0)
    chart.x_labels = list(labels)
    chart.add(title, list(values))
    return _clean(chart.render(is_unicode=True), name)
