"""The template workbooks (English and Korean): every input tab with its headers, an
Instructions tab, the Rules tab with every key, and data validation that prevents most mistakes.

Generated here so that ``collabsheet init`` works from an installed package; the files in
``templates/`` are what this code writes (a test keeps them equal).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .errors import SourceError
from .labels import DEPARTMENTS, LOG, MOVES, RULES, SPECIAL, STAFF, TabSpec
from .phrases import said
from .settings import KEYS
from .sheetref import column_index, fold, quote_sheet
from .sources.livepart import Cell, Column, Dropdown, FormulaTab, Look, Mark, Marks
from .zipstamp import pinned

if TYPE_CHECKING:
    from . import live

FIXED_TIME = dt.datetime(2025, 1, 1)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")

GROUPS = {"en": ["Head office", "Support offices and affiliated institutions"],
          "ko": ["본청", "교육지원청 및 직속기관"]}
"""The two ranking groups of the original scheme: the choices of the Departments tab's Group
column (any other name may be typed), never rows of the tab, which would rank as departments."""

_INSTRUCTIONS = {
    "en": [
        "Collaboration points: how this workbook works",
        "",
        "1. Every person in the Staff tab gets 200 points on the 1st of each month. Points not "
        "sent by the end of the month expire.",
        "2. When someone in another department helps you, add a row to the Log tab: the date, "
        "your ID (From), their ID (To), the points and a thank-you message.",
        "3. You may send to the same person at most twice a month, and only to people in "
        "another department.",
        "4. A person's score is 100% of the points received plus 50% of the points sent, plus "
        "100-point special awards for leading work that involved several departments "
        "(Special tab).",
        "5. Twice a year the office ranks people and departments and commends the top ones.",
        "",
        "The admin runs collabsheet on this file:",
        "  collabsheet validate THIS.xlsx --write    checks every row, adds a Validation tab",
        "  collabsheet run THIS.xlsx --period 2025-H1  ledger, rankings and commendations",
        "",
        "Tabs you fill: Staff, Departments, Log, and when needed Moves and Special. Change a "
        "number of the scheme in the Rules tab. collabsheet only writes its own result tabs "
        "and never changes yours.",
        "In the Departments tab, list each department once and pick its ranking group from the "
        "list in the Group column (or type the name of another group).",
    ],
    "ko": [
        "협업 포인트: 이 통합 문서 사용법",
        "",
        "1. 직원 탭의 모든 직원은 매월 1일에 200포인트를 받습니다. 그 달에 보내지 않은 포인트는 "
        "월말에 소멸됩니다.",
        "2. 다른 부서 직원에게 도움을 받았다면 기록 탭에 한 줄을 추가하세요: 날짜, 내 사번(보낸 "
        "사람), 상대 사번(받는 사람), 포인트, 감사 메시지.",
        "3. 같은 사람에게는 한 달에 두 번까지, 다른 부서 직원에게만 보낼 수 있습니다.",
        "4. 개인 점수는 받은 포인트의 100%와 보낸 포인트의 50%를 더하고, 여러 부서가 함께한 "
        "업무를 주관한 담당자에게 주는 특별 포인트(100점, 특별 포인트 탭)를 더합니다.",
        "5. 반기마다 개인과 부서 순위를 매겨 우수자를 표창합니다.",
        "",
        "관리자는 이 파일에 collabsheet를 실행합니다:",
        "  collabsheet validate 이파일.xlsx --write    모든 행 검증, 검증 탭 추가",
        "  collabsheet run 이파일.xlsx --period 2025-H1  원장, 순위, 표창",
        "",
        "직접 채우는 탭: 직원, 부서, 기록, 필요하면 인사이동과 특별 포인트. 제도의 숫자는 규칙 "
        "탭에서 바꿉니다. collabsheet는 자기 결과 탭만 쓰고 여러분의 탭은 바꾸지 않습니다.",
        "부서 탭에는 부서를 한 줄에 하나씩 적고, 그룹 열의 목록에서 순위를 매길 그룹을 고르세요"
        "(목록에 없는 그룹은 직접 입력합니다).",
    ],
}
_RULE_HELP_KO = {
    "start": "제도 시작일; 이전 날짜의 행은 거부됩니다.",
    "timezone": "기관의 시간대; 월은 이 시간대를 따릅니다.",
    "monthly_allowance": "매월 1일 지급 포인트.",
    "grant_joiners": "next_month: 중간 입사자는 다음 달 1일부터; on_join: 입사일에 지급.",
    "min_points": "한 행에 보낼 수 있는 최소 포인트.",
    "max_points": "한 행에 보낼 수 있는 최대 포인트.",
    "points_step": "포인트는 이 수의 배수여야 합니다.",
    "max_sends_per_pair": "같은 사람에게 한 달에 보낼 수 있는 횟수.",
    "forbid_same_department": "같은 부서끼리 보내기를 거부합니다.",
    "received_weight": "받은 포인트 1점당 점수.",
    "sent_weight": "보낸 포인트 1점당 점수.",
    "special_points": "특별 포인트 1건의 점수.",
    "commend_people": "표창 인원.",
    "commend_departments": "그룹별 표창 부서 수.",
    "language": "결과 탭 언어: en 또는 ko.",
    "log_tab": "기록 탭 이름이 기록이 아닐 때(설문 응답 탭) 그 이름.",
    "duplicate_minutes": "같은 내용이 이 시간(분) 안에 반복되면 중복 제출로 경고합니다.",
    "signal_pair_share": "신호: 두 사람이 서로 한 달 지급분의 이 비율 이상을 주고받음.",
    "signal_ring_points": "신호: 세 사람이 한 달에 각각 이 포인트 이상을 고리로 주고받음.",
    "signal_one_share": "신호: 한 사람이 한 달 지급분의 이 비율 이상을 한 사람에게...",
    "signal_one_months": "...이 개월 수 이상 보냄.",
    "signal_paste_rows": "신호: 같은 메시지(8자 이상)가 이 행 수 이상 반복됨.",
}
_DESCRIPTION = {"en": "Description", "ko": "설명"}


def _tab_title(spec: TabSpec, lang: str) -> str:
    return spec.names[0] if lang == "en" else next(
        n for n in spec.names[1:] if any("\uac00" <= ch <= "\ud7a3" for ch in n))


def _headers(spec: TabSpec, lang: str) -> list[str]:
    if lang == "en":
        return [f.aliases[0] for f in spec.fields]
    return [next(a for a in f.aliases if any("\uac00" <= ch <= "\ud7a3" for ch in a))
            for f in spec.fields]


def _value_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_LIVE_WORDS = {
    "en": {
        "title": "My points: pick your ID (and a month); the figures follow the Log as it is "
                 "typed",
        "hint": "Hints only: at month end collabsheet validate decides which rows count "
                "(see the Instructions tab).",
        "hint_below": "Hints only: at month end collabsheet validate decides which rows count "
                      "(the Log's marks are explained below the lists).",
        "id": "Your ID", "month": "Month (any day of it; blank: this month)", "name": "Name",
        "department": "Department", "from": "From", "to": "To", "granted": "Granted",
        "sent": "Sent so far", "left": "Left to send", "received": "Received",
        "sends": "Sent this month", "receipts": "Received this month", "date": "Date",
        "colleague": "Colleague", "points": "Points", "message": "Message",
        "pair": "Sends to them this month", "row": "Log row",
    },
    "ko": {
        "title": "내 포인트: 사번(과 달)을 고르면 기록 탭에 입력한 대로 바로 계산합니다",
        "hint": "참고용입니다. 월말에 collabsheet validate가 어떤 행을 인정할지 최종 판정합니다"
                "(안내 탭 참고).",
        "hint_below": "참고용입니다. 월말에 collabsheet validate가 어떤 행을 인정할지 최종 "
                      "판정합니다(기록 탭의 표시 설명은 목록 아래에 있습니다).",
        "id": "내 사번", "month": "달(그달의 아무 날짜, 비우면 이번 달)", "name": "성명",
        "department": "부서", "from": "시작일", "to": "종료일", "granted": "지급",
        "sent": "보낸 포인트", "left": "남은 포인트", "received": "받은 포인트",
        "sends": "이번 달 보낸 내역", "receipts": "이번 달 받은 내역", "date": "날짜",
        "colleague": "상대 사번", "points": "포인트", "message": "메시지",
        "pair": "이번 달 이 사람에게 보낸 횟수", "row": "기록 행",
    },
}
_MARKS = {
    "en": {"same-department": "same department as the sender", "pair-limit":
           "a third (or later) send to the same person this month", "allowance":
           "more than the month's allowance sent so far", "message": "no message",
           "unknown-person": "an ID not on the Staff tab", "date":
           "not a date, before the scheme's start, or in the future"},
    "ko": {"same-department": "보낸 사람과 같은 부서", "pair-limit":
           "이번 달 같은 사람에게 세 번째(이상) 보냄", "allowance": "이번 달 지급분을 넘게 보냄",
           "message": "메시지 없음", "unknown-person": "직원 탭에 없는 사번",
           "date": "날짜가 아니거나 제도 시작 전, 또는 미래"},
}
_MARK_FILL = {"same-department": "F4CCCC", "pair-limit": "FCE5CD", "allowance": "FFF2CC",
              "message": "D9EAD3", "unknown-person": "D0E0E3", "date": "D9D2E9"}
_LEGEND = {"en": ("Marks on the Log tab, as rows are typed (hints only: collabsheet validate "
                  "is the authority; docs/live.md says where a mark can differ):"),
           "ko": "기록 탭의 표시(입력하는 대로 칠해지는 참고용 표시이며, 최종 판정은 "
                 "collabsheet validate가 합니다):"}


def _live_tabs(titles: dict[str, str]) -> live.Tabs:
    from . import live

    return live.Tabs(staff=titles["staff"], log=titles["log"], rules=titles["rules"])


def add_live(wb: openpyxl.Workbook, titles: dict[str, str], lang: str,
             legend: bool = True) -> openpyxl.worksheet.worksheet.Worksheet:
    """The My points tab and the Log's marks (``live``) for the tabs ``titles`` names, with
    (``legend``) the marks' legend on the first tab, the Instructions. Returns the tab."""
    from openpyxl.formatting.rule import FormulaRule

    from . import live

    t = _live_tabs(titles)
    w = _LIVE_WORDS[lang]
    ws = wb.create_sheet(live.TITLE[lang])
    ws["A1"], ws["A2"] = w["title"], w["hint"]
    ws["A1"].font = Font(bold=True, size=13)
    for row, key in ((3, "id"), (4, "month"), (6, "name"), (7, "department"), (8, "from"),
                     (9, "to"), (10, "granted"), (11, "sent"), (12, "left"),
                     (13, "received")):
        ws.cell(row, 1, w[key]).font = Font(bold=row in (3, 4, 12))
    for k in ("B3", "B4"):
        ws[k].fill = PatternFill("solid", fgColor="FFF2CC")
    ids = DataValidation(type="list", formula1="=StaffIDs", allow_blank=True)
    ids.add("B3")
    ws.add_data_validation(ids)
    for cell, formula in live.my_points(t).items():
        ws[cell] = formula
    for k in ("B4", "B8", "B9"):
        ws[k].number_format = "yyyy-mm-dd"
    ws["B12"].font = Font(bold=True)
    for title_row, who, first in ((15, "B", 17), (33, "C", 35)):
        ws.cell(title_row, 1, w["sends" if who == "B" else "receipts"]).font = Font(bold=True)
        heads = [w["date"], w["colleague"], w["name"], w["points"], w["message"]]
        heads += [w["pair"]] if who == "B" else [""]
        for j, head in enumerate([*heads, "", w["row"]]):
            if head:
                c = ws.cell(first - 1, j + 1, head)
                c.font, c.fill = Font(bold=True), _HEAD_FILL
        for cell, formula in live.list_cells(t, who, first).items():
            ws[cell] = formula
        for r in range(first, first + live.LISTED):
            ws[f"A{r}"].number_format = "yyyy-mm-dd"
    for letter, width in (("A", 40), ("B", 14), ("C", 14), ("D", 10), ("E", 48), ("F", 22)):
        ws.column_dimensions[letter].width = width
    ws.column_dimensions["H"].hidden = True

    log = wb[titles["log"]]
    area = f"A2:E{live.LIVE_ROWS + 1}"
    for key, formula in live.marks(t).items():
        fill = PatternFill("solid", fgColor=_MARK_FILL[key], bgColor=_MARK_FILL[key])
        log.conditional_formatting.add(area, FormulaRule(formula=[formula], fill=fill,
                                                         stopIfTrue=False))
    if not legend:
        return ws
    guide = wb.worksheets[0]
    guide.append([""])
    put_legend(guide, lang, guide.max_row + 1)
    return ws


LEGEND_ROW = 51
"""Where the legend starts on a My points tab added to an office's workbook: below the list of
receipts (rows 35 to 49)."""


def put_legend(ws: openpyxl.worksheet.worksheet.Worksheet, lang: str, row: int) -> None:
    """The marks' legend from ``row`` down: a line saying what they are, then each mark in its
    colour."""
    ws.cell(row, 1, _LEGEND[lang])
    for k, (key, said_) in enumerate(_MARKS[lang].items(), start=1):
        ws.cell(row + k, 1, f"  {said_}").fill = PatternFill("solid", fgColor=_MARK_FILL[key])


def first_column(title: str) -> str:
    """A tab's first column from A2 to its last filled row (the Staff tab's IDs, the
    Departments tab's names): what a dropdown of them offers."""
    return (f"OFFSET({quote_sheet(title)}!$A$2,0,0,"
            f"MAX(1,COUNTA({quote_sheet(title)}!$A:$A)-1),1)")


def live_titles(existing: list[str], name: str) -> dict[str, str]:
    """The office's own titles of its tabs (key -> title) that the My points tab reads, Rules
    as named even where the workbook has none (its defaults apply then); refused when a My
    points tab (either language, any case) is there already or Staff or Log is missing."""
    from .labels import INPUT_TABS
    from .live import TITLE
    from .office import find_title

    if {fold(t) for t in TITLE.values()} & {fold(t) for t in existing}:
        raise SourceError(said("live_exists", name=name))
    titles: dict[str, str] = {}
    for spec in INPUT_TABS:
        title = find_title(existing, spec.names)
        if title is not None:
            titles[spec.key] = title
    missing = [spec.label for spec in INPUT_TABS if spec.key in ("staff", "log")
               and spec.key not in titles]
    if missing:
        raise SourceError(said("live_no_tabs", name=name, tabs=", ".join(missing)))
    titles.setdefault("rules", "Rules")
    return titles


def live_scratch(titles: dict[str, str], lang: str
                 ) -> tuple[openpyxl.Workbook, openpyxl.worksheet.worksheet.Worksheet]:
    """The My points tab and the Log's marks made in a workbook of their own, with empty tabs
    of the office's titles for the formulas to name: what goes into an office's workbook."""
    scratch = openpyxl.Workbook()
    scratch.remove(scratch.active)
    for key in ("staff", "log", "rules"):
        scratch.create_sheet(titles[key])
    return scratch, add_live(scratch, titles, lang, legend=False)


def live_parts(titles: dict[str, str], lang: str) -> tuple[FormulaTab, Marks]:
    """The My points tab (with the marks' legend below its lists, since the office's own
    Instructions are not edited) and the Log's marks, as the parts an office's .xlsx gets."""
    from .live import LIVE_ROWS, marks

    _, ws = live_scratch(titles, lang)
    ws["A2"] = _LIVE_WORDS[lang]["hint_below"]
    put_legend(ws, lang, LEGEND_ROW)
    named = {"=StaffIDs": first_column(titles["staff"])}
    cells = []
    for row in ws.iter_rows():
        for c in row:
            fill = c.fill.fgColor.rgb[-6:] if c.fill.fill_type == "solid" else None
            look = Look(bold=bool(c.font.b), size=c.font.sz or 11, fill=fill,
                        number_format=None if c.number_format == "General" else c.number_format)
            value = c.value
            if isinstance(value, str) and value.startswith("="):
                cells.append(Cell(c.coordinate, formula=value[1:], look=look))
            elif value is not None or look != Look():
                cells.append(Cell(c.coordinate, text=None if value is None else str(value),
                                  look=look))
    columns = tuple(Column(column_index(letter), dim.width if dim.customWidth else None,
                           bool(dim.hidden)) for letter, dim in ws.column_dimensions.items())
    dropdowns = tuple(Dropdown(str(dv.sqref), named.get(dv.formula1, dv.formula1).lstrip("="))
                      for dv in ws.data_validations.dataValidation)
    t = _live_tabs(titles)
    found = tuple(Mark(f, _MARK_FILL[key]) for key, f in marks(t).items())
    return (FormulaTab(ws.title, tuple(cells), columns, dropdowns),
            Marks(titles["log"], f"A2:E{LIVE_ROWS + 1}", found))


def build_template(lang: str = "en", live: bool = True) -> openpyxl.Workbook:
    """The template workbook for ``lang`` (en or ko); ``live``: with the My points tab and
    the Log's marks."""
    if lang not in ("en", "ko"):
        raise SourceError(said("no_template", lang=lang))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)

    ws = wb.create_sheet("Instructions" if lang == "en" else "안내")
    for line in _INSTRUCTIONS[lang]:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110
    for row in ws.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    titles = {}
    for spec in (STAFF, DEPARTMENTS, MOVES, LOG, SPECIAL, RULES):
        title = _tab_title(spec, lang)
        titles[spec.key] = title
        sheet = wb.create_sheet(title)
        heads = _headers(spec, lang)
        if spec.key == "rules":
            heads = [*heads, _DESCRIPTION[lang]]
        sheet.append(heads)
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = _HEAD_FILL
        sheet.freeze_panes = "A2"
        for j, head in enumerate(heads):
            letter = openpyxl.utils.get_column_letter(j + 1)
            sheet.column_dimensions[letter].width = max(14, min(48, len(head) * 2 + 4))

    dept = wb[titles["departments"]]
    dept.column_dimensions["A"].width = 36
    dept.column_dimensions["B"].width = 44

    rules = wb[titles["rules"]]
    rule_row = {}
    for k in KEYS:
        value = lang if k.key == "language" else _value_text(k.default)
        text = k.describe if lang == "en" else _RULE_HELP_KO[k.key]
        rules.append([k.key, value, text])
        rule_row[k.key] = rules.max_row
    rules.column_dimensions["A"].width = 26
    rules.column_dimensions["B"].width = 16
    rules.column_dimensions["C"].width = 90

    q = quote_sheet
    staff_t, log_t = titles["staff"], titles["log"]
    wb.defined_names["StaffIDs"] = DefinedName("StaffIDs", attr_text=first_column(staff_t))
    wb.defined_names["DepartmentNames"] = DefinedName(
        "DepartmentNames", attr_text=first_column(titles["departments"]))

    limit = 1_048_576
    log = wb[log_t]
    msg = {"en": ("Not a staff ID", "Pick an ID from the Staff tab."),
           "ko": ("사번 아님", "직원 탭의 사번을 고르세요.")}[lang]
    people = DataValidation(type="list", formula1="=StaffIDs", allow_blank=True,
                            showErrorMessage=True, errorTitle=msg[0], error=msg[1])
    people.add(f"B2:C{limit}")
    pts_msg = {"en": ("Points", "A whole number within the Rules limits."),
               "ko": ("포인트", "규칙 탭의 범위 안의 정수.")}[lang]
    points = DataValidation(
        type="whole", operator="between",
        formula1=f"{q(titles['rules'])}!$B${rule_row['min_points']}",
        formula2=f"{q(titles['rules'])}!$B${rule_row['max_points']}",
        allow_blank=True, showErrorMessage=True, errorTitle=pts_msg[0], error=pts_msg[1])
    points.add(f"D2:D{limit}")
    date_msg = {"en": ("Date", "A date such as 2025-03-04."),
                "ko": ("날짜", "2025-03-04 같은 날짜.")}[lang]
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526",
                           allow_blank=True, showErrorMessage=True, errorTitle=date_msg[0],
                           error=date_msg[1])
    dates.add(f"A2:A{limit}")
    for v in (people, points, dates):
        log.add_data_validation(v)
    log.column_dimensions["A"].width = 18
    log.column_dimensions["E"].width = 60

    staff = wb[staff_t]
    depts = DataValidation(type="list", formula1="=DepartmentNames", allow_blank=True)
    depts.add(f"C2:C{limit}")
    staff.add_data_validation(depts)
    moves = wb[titles["moves"]]
    mdepts = DataValidation(type="list", formula1="=DepartmentNames", allow_blank=True)
    mdepts.add(f"C2:C{limit}")
    mids = DataValidation(type="list", formula1="=StaffIDs", allow_blank=True)
    mids.add(f"B2:B{limit}")
    moves.add_data_validation(mdepts)
    moves.add_data_validation(mids)
    group_msg = {"en": ("Group", "Pick a ranking group, or type the name of another."),
                 "ko": ("그룹", "순위를 매길 그룹을 고르거나 다른 그룹 이름을 입력하세요.")}[lang]
    groups = DataValidation(type="list", formula1='"' + ",".join(GROUPS[lang]) + '"',
                            allow_blank=True, showErrorMessage=False, showInputMessage=True,
                            promptTitle=group_msg[0], prompt=group_msg[1])
    groups.add(f"B2:B{limit}")
    dept.add_data_validation(groups)
    special = wb[titles["special"]]
    sids = DataValidation(type="list", formula1="=StaffIDs", allow_blank=True)
    sids.add(f"B2:B{limit}")
    special.add_data_validation(sids)

    if live:
        add_live(wb, titles, lang)
    wb.properties.creator = "collabsheet"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.active = 0
    return wb


def template_bytes(lang: str = "en", live: bool = True) -> bytes:
    """The template as .xlsx bytes, the same on every call."""
    buf = io.BytesIO()
    build_template(lang, live).save(buf)
    return pinned(buf.getvalue(), (2025, 1, 1))


def write_template(path: Path, lang: str = "en", live: bool = True) -> Path:
    """Create a new workbook at ``path`` from the template; never overwrite a file."""
    data = template_bytes(lang, live)
    try:
        with open(path, "xb") as f:
            f.write(data)
    except FileExistsError:
        raise SourceError(said("init_exists", path=path)) from None
    except OSError as exc:
        raise SourceError(said("cannot_create", path=path, why=exc.strerror)) from exc
    return path
