"""The live "My points" tab and the Log's marks: formulas the spreadsheet computes itself while
staff type, in Excel 2016+, LibreOffice Calc and Google Sheets alike.

Only functions all three compute the same are used: SUMIFS, COUNTIFS, INDEX/MATCH, IFERROR,
DATE, EOMONTH, and SUMPRODUCT, which evaluates arrays in all three without array entry
(``SUMPRODUCT(LARGE(cond * ROW(range), k))`` finds the k-th matching row). FILTER and UNIQUE
are left out: Excel 2016 does not have them. The formulas read the office's tabs only by
reference, so nothing a user typed ever becomes part of a formula; and they are hints: the
rules as ``validate`` applies them (moves between departments, time order of sends, rejected
rows not counting) are the authority, and docs/live.md lists where a hint can differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .settings import KEYS
from .sheetref import quote_sheet

LIVE_ROWS = 20_000
"""Log rows the live formulas look at (rows 2 to LIVE_ROWS + 1): each formula's work grows with
it, and past this a sheet stays responsive only without them (``init --no-live``)."""
LISTED = 15
"""Sends and receipts listed on the My points tab."""

TITLE = {"en": "My points", "ko": "내 포인트"}
NO_WORDS = ("no", "n", "false", "0", "아니오", "아니요", "x", "거짓")


@dataclass(frozen=True)
class Tabs:
    """The titles the formulas refer to (the template's, or an office's own)."""

    staff: str
    log: str
    rules: str


def _col(tab: str, letter: str, rows: int = LIVE_ROWS) -> str:
    return f"{quote_sheet(tab)}!${letter}$2:${letter}${rows + 1}"


def _rule(t: Tabs, key: str) -> str:
    """A Rules value, found by its key wherever the office keeps the row."""
    rules = quote_sheet(t.rules)
    return f'INDEX({rules}!$B:$B,MATCH("{key}",{rules}!$A:$A,0))'


def _number(t: Tabs, key: str) -> str:
    """A number of the Rules tab, or its default where the tab leaves it out."""
    default = next(k.default for k in KEYS if k.key == key)
    return f"IFERROR(VALUE({_rule(t, key)}&\"\"),{default})"


def allowance(t: Tabs) -> str:
    return _number(t, "monthly_allowance")


def pair_limit(t: Tabs) -> str:
    return _number(t, "max_sends_per_pair")


def start(t: Tabs) -> str:
    """The scheme's first day, or 0 when Rules leaves it blank (typed as a date or as text)."""
    cell = f'IFERROR({_rule(t, "start")},"")'
    return f'IF({cell}="",0,IFERROR(DATEVALUE({cell}&""),N({cell})))'


def staff_field(t: Tabs, letter: str, person: str) -> str:
    """A Staff column of ``person`` (a cell holding an ID), "" when the ID is not on Staff."""
    return (f"IFERROR(INDEX({quote_sheet(t.staff)}!${letter}:${letter},"
            f"MATCH({person},{quote_sheet(t.staff)}!$A:$A,0))&\"\",\"\")")


def _takes(t: Tabs, person: str) -> str:
    words = ",".join(f'"{w}"' for w in NO_WORDS)
    return f"ISNA(MATCH(LOWER(TRIM({staff_field(t, 'G', person)})),{{{words}}},0))"


# ----- the My points tab: the cells a person types and the cells that answer
ID_CELL, MONTH_CELL = "$B$3", "$B$4"
FIRST, LAST = "$B$8", "$B$9"
"""the month's first and last day; a send counts when FIRST <= its date < LAST + 1 (a date
typed with a time of day falls on its day)"""
BEFORE = f"({LAST}+1)"


def my_points(t: Tabs) -> dict[str, str]:
    """Cell -> formula of the answer block (B6:B12)."""
    joined, left = (f"IFERROR(INDEX({quote_sheet(t.staff)}!${c}:${c},MATCH({ID_CELL},"
                    f"{quote_sheet(t.staff)}!$A:$A,0)),\"\")" for c in ("E", "F"))
    joiners = f'IFERROR({_rule(t, "grant_joiners")},"")'
    granted = (
        f'=IF(OR({ID_CELL}="",{staff_field(t, "A", ID_CELL)}=""),0,'
        f"IF(AND({_takes(t, ID_CELL)},{LAST}>={start(t)},"
        f'OR({joined}="",{joined}<=IF(LOWER(TRIM({joiners}&""))="on_join",{LAST},{FIRST})),'
        f'OR({left}="",{left}>={FIRST})),{allowance(t)},0))')
    sent = (f"=SUMIFS({_col(t.log, 'D')},{_col(t.log, 'B')},{ID_CELL},"
            f'{_col(t.log, "A")},">="&{FIRST},{_col(t.log, "A")},"<"&{BEFORE})')
    received = (f"=SUMIFS({_col(t.log, 'D')},{_col(t.log, 'C')},{ID_CELL},"
                f'{_col(t.log, "A")},">="&{FIRST},{_col(t.log, "A")},"<"&{BEFORE})')
    return {
        "B6": f"={staff_field(t, 'B', ID_CELL)}",
        "B7": f"={staff_field(t, 'C', ID_CELL)}",
        FIRST.replace("$", ""): (f'=IF({MONTH_CELL}="",DATE(YEAR(TODAY()),MONTH(TODAY()),1),'
                                 f"DATE(YEAR({MONTH_CELL}),MONTH({MONTH_CELL}),1))"),
        LAST.replace("$", ""): f"=EOMONTH({FIRST},0)",
        "B10": granted,
        "B11": sent,
        "B12": "=B10-B11",
        "B13": received,
    }


def _kth_row(t: Tabs, who: str, k: str) -> str:
    """The sheet row of the k-th row (by sheet order) of the Log in the month whose ``who``
    column (B: sender, C: receiver) is the ID typed; 0 when there are fewer."""
    cond = (f"({_col(t.log, who)}={ID_CELL})*({_col(t.log, 'A')}>={FIRST})"
            f"*({_col(t.log, 'A')}<{BEFORE})")
    rows = f"ROW({_col(t.log, 'A')})"
    return (f"IF(SUMPRODUCT({cond})<{k},0,"
            f"SUMPRODUCT(SMALL({cond}*{rows}+(1-{cond})*{LIVE_ROWS + 2},{k})))")


def list_cells(t: Tabs, who: str, first_row: int) -> dict[str, str]:
    """Sends (``who`` = "B") or receipts ("C") of the month, one a row from ``first_row``:
    H holds the Log row found (hidden), then date, colleague, name, points, message and, for
    sends, how many times this month the person sent to that colleague."""
    other = "C" if who == "B" else "B"
    out: dict[str, str] = {}
    log = quote_sheet(t.log)
    for k in range(1, LISTED + 1):
        r = first_row + k - 1
        at = f"$H{r}"
        out[f"H{r}"] = f"={_kth_row(t, who, str(k))}"
        out[f"A{r}"] = f'=IF({at}=0,"",INDEX({log}!$A:$A,{at}))'
        out[f"B{r}"] = f'=IF({at}=0,"",INDEX({log}!${other}:${other},{at})&"")'
        out[f"C{r}"] = f'=IF({at}=0,"",{staff_field(t, "B", f"B{r}")})'
        out[f"D{r}"] = f'=IF({at}=0,"",INDEX({log}!$D:$D,{at}))'
        out[f"E{r}"] = f'=IF({at}=0,"",INDEX({log}!$E:$E,{at})&"")'
        if who == "B":
            out[f"F{r}"] = (f'=IF({at}=0,"",COUNTIFS({_col(t.log, "B")},{ID_CELL},'
                            f'{_col(t.log, "C")},B{r},{_col(t.log, "A")},">="&{FIRST},'
                            f'{_col(t.log, "A")},"<"&{BEFORE})&" / "&{pair_limit(t)})')
    return out


# ----- marks on the Log (conditional formatting, relative to row 2)
def marks(t: Tabs) -> dict[str, str]:
    """Mark -> a formula true on a row of the Log (written for row 2, filled down). Sends are
    taken in time order, ties in sheet order, as ``validate`` takes them; unlike it, a mark
    counts every earlier row typed, a rejected one too."""
    log = quote_sheet(t.log)
    whole = f"{log}!$B$2:$B${LIVE_ROWS + 1}"
    month = (f'{log}!$A$2:$A${LIVE_ROWS + 1},">="&DATE(YEAR($A2),MONTH($A2),1),'
             f'{log}!$A$2:$A${LIVE_ROWS + 1},"<"&$A2')
    same_time = f"{log}!$A$2:$A2,$A2"

    def before(fn: str, extra: str = "") -> str:
        """Rows of the sender earlier in time this month, and rows above at the same time."""
        full = f"{whole.replace('$B$', '$D$') + ',' if fn == 'SUMIFS' else ''}{whole},$B2"
        above = f"{log}!$D$2:$D2," if fn == "SUMIFS" else ""
        return (f"{fn}({full},{month}{extra.format(r=f'${LIVE_ROWS + 1}')})"
                f"+{fn}({above}{log}!$B$2:$B2,$B2,{same_time}{extra.format(r='2')})")

    pair = f",{log}!$C$2:$C{{r}},$C2"
    return {
        "same-department": (f'AND($B2<>"",$C2<>"",{staff_field(t, "C", "$B2")}<>"",'
                            f'{staff_field(t, "C", "$B2")}={staff_field(t, "C", "$C2")})'),
        "pair-limit": (f'AND($B2<>"",$C2<>"",ISNUMBER($A2),'
                       f"{before('COUNTIFS', pair)}>{pair_limit(t)})"),
        "allowance": (f'AND($B2<>"",ISNUMBER($A2),ISNUMBER($D2),'
                      f"{before('SUMIFS')}>{allowance(t)})"),
        "message": 'AND($B2<>"",TRIM($E2&"")="")',
        "unknown-person": (f'OR(AND($B2<>"",{staff_field(t, "A", "$B2")}=""),'
                           f'AND($C2<>"",{staff_field(t, "A", "$C2")}=""))'),
        "date": (f'AND(OR($B2<>"",$A2<>""),OR(NOT(ISNUMBER($A2)),$A2<{start(t)},'
                 f"$A2>=TODAY()+1))"),
    }


_OTHER_TAB = re.compile(r"'(?:[^']|'')+'!\$?[A-Z]+\$?\d*(?::\$?[A-Z]+\$?\d*)?")


def for_google(formula: str, t: Tabs) -> str:
    """A mark's formula as a Google Sheets conditional format takes it: Google's custom
    formulas refer to other tabs only through INDIRECT, so those references are wrapped (the
    Log's own are written plain); everything else is the same text as in the .xlsx."""
    own = quote_sheet(t.log) + "!"
    formula = formula.replace(own, "")

    def wrap(m: re.Match[str]) -> str:
        return 'INDIRECT("' + m.group(0).replace('"', '""') + '")'

    return _OTHER_TAB.sub(wrap, formula)
