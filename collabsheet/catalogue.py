"""Every rule id collabsheet can emit, declared once: severity, the tab it concerns, its RULES.md
section, a title, a description, and its message templates by language.

Whatever reports a problem (a Log row, a Staff row, a header, a sealed month, a signal, a tab
that is missing) takes its id and its words from here, the way frictionless declares each error
type once; ``collabsheet rules`` and docs/rules.md are made from the same declarations.

Templates use ``str.format`` fields. A language without a template of its own falls back to
English, so a Korean slot can be filled in without touching the code that emits the record.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]
LANGUAGES = ("en", "ko")


@dataclass(frozen=True)
class Rule:
    """One rule id and everything a person needs to understand it."""

    id: str
    severity: Severity
    tab: str
    section: str
    """the RULES.md section (3.2 is check 2 of section 3); "-" for collabsheet's own checks"""
    title: Mapping[str, str]
    description: str
    messages: Mapping[str, Mapping[str, str]]

    def template(self, variant: str = "default", lang: str = "en") -> str:
        own = self.messages.get(lang, {})
        return own.get(variant) or self.messages["en"][variant]

    def say(self, variant: str = "default", lang: str = "en", **fields: Any) -> str:
        if lang != "en" and "label" in fields:
            fields["label"] = field_label(str(fields["label"]), lang)
        return self.template(variant, lang).format(**fields)

    def to_dict(self, lang: str = "en") -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "tab": self.tab,
                "section": self.section, "title": self.title.get(lang) or self.title["en"],
                "description": self.description}


@functools.cache
def _korean_fields() -> dict[str, str]:
    from .labels import INPUT_TABS

    out: dict[str, str] = {}
    for spec in INPUT_TABS:
        for f in spec.fields:
            ko = next((a for a in f.aliases if any("\uac00" <= c <= "\ud7a3" for c in a)), None)
            if ko:
                out.setdefault(f.label, ko)
    return out


def field_label(label: str, lang: str) -> str:
    """A column a message names ("From") as the office's template heads it in ``lang``."""
    return _korean_fields().get(label, label) if lang == "ko" else label


def _rule(id: str, severity: Severity, tab: str, section: str, title: tuple[str, str],
          description: str, /, ko: Mapping[str, str] | None = None, **en: str) -> Rule:
    """``en`` are the English templates by variant; ``ko`` the Korean ones, same variants."""
    missing = set(ko or {}) - set(en)
    if missing:
        raise ValueError(f"{id}: Korean variants without an English one: {sorted(missing)}")
    return Rule(id, severity, tab, section, {"en": title[0], "ko": title[1]},
                " ".join(description.split()), {"en": en, "ko": dict(ko or {})})


_EXPECT_DATE = "expected a date such as 2025-03-04"
_NO_VALUE = ("{label} holds a formula with no saved value; open and save the workbook in Excel or "
             "LibreOffice so the value is saved, or type the value")
"""Every rule that reads a cell's text says this of a formula that was never calculated."""
_FORMULA_ERROR = "{label} holds the formula error {text}; correct the formula, or type the value"
_NO_VALUE_KO = ("{label}에 값이 저장되지 않은 수식이 있습니다. Excel이나 LibreOffice에서 "
                "통합 문서를 열어 저장하면 값이 저장됩니다. 값을 직접 입력해도 됩니다")
_FORMULA_ERROR_KO = ("{label}의 수식이 오류 {text}을(를) 냅니다. 수식을 고치거나 값을 직접 "
                     "입력하세요")

RULES: tuple[Rule, ...] = (
    # ----- Log rows, checks on the row alone (RULES.md section 3, checks 1-7)
    _rule("date", "error", "Log, Special, Staff, Moves", "3.1", ("Not a usable date", "날짜 오류"),
          """The date is blank, is not a date (a date, a date-time, a spreadsheet serial or an
          unambiguous text date, year first), is before the scheme's start (Rules: start) or is
          after the day collabsheet judges by. On Staff, a Joined or Left that is not a date, or
          a Left before Joined; on Moves, a date that cannot be read.""",
          blank="Date is blank; " + _EXPECT_DATE,
          not_date="{text!r} is not a date; " + _EXPECT_DATE + " (year first)",
          before_start="{day} is before the scheme's start ({start})",
          future="{day} is in the future (after {as_of})",
          joined="Joined {text!r} is not a date; " + _EXPECT_DATE,
          left="Left {text!r} is not a date; " + _EXPECT_DATE,
          left_before_joined="Left {left} is before Joined {joined}",
          move="Date {text!r} is not a date; " + _EXPECT_DATE, no_value=_NO_VALUE,
          ko=dict(
              blank="날짜가 비어 있습니다. 2025-03-04처럼 입력하세요",
              not_date="{text!r}은(는) 날짜가 아닙니다. 2025-03-04처럼 연도부터 입력하세요",
              before_start="{day}은(는) 제도 시작일({start}) 이전입니다",
              future="{day}은(는) 기준일({as_of}) 이후의 날짜입니다",
              joined="입사일 {text!r}은(는) 날짜가 아닙니다. 2025-03-04처럼 입력하세요",
              left="퇴사일 {text!r}은(는) 날짜가 아닙니다. 2025-03-04처럼 입력하세요",
              left_before_joined="퇴사일 {left}이(가) 입사일 {joined}보다 앞섭니다",
              move="이동일 {text!r}은(는) 날짜가 아닙니다. 2025-03-04처럼 입력하세요",
              no_value=_NO_VALUE_KO,
          )),
    _rule("unknown-person", "error", "Log, Special, Moves", "3.2",
          ("Not one person in Staff", "직원 명단에 없는 사람"),
          """From, To (or ID) must name exactly one person of the Staff tab, by ID or, where the
          Log holds emails as a form writes them, by email. Blank, unknown and ambiguous values
          are all reported here.""",
          blank="{label} is blank; expected a staff ID or email",
          ambiguous="{label} {text!r} matches more than one person in Staff",
          id="{label} {text!r} is not an ID in Staff",
          email="{label} {text!r} is not an email in Staff", no_value=_NO_VALUE,
          id_hint="{label} {text!r} is not an ID in Staff; did you mean {suggestion}?",
          ko=dict(
              blank="{label} 칸이 비어 있습니다. 직원 명단의 사번이나 이메일을 입력하세요",
              ambiguous="{label} {text!r}에 해당하는 사람이 직원 명단에 여러 명 있습니다",
              id="{label} {text!r}은(는) 직원 명단에 없는 사번입니다",
              email="{label} {text!r}은(는) 직원 명단에 없는 이메일입니다",
              id_hint="{label} {text!r}은(는) 직원 명단에 없는 사번입니다. {suggestion}을(를) "
                      "입력하려던 것인가요?",
              no_value=_NO_VALUE_KO,
          )),
    _rule("not-on-staff", "error", "Log, Special", "3.3",
          ("Not on the staff that day", "해당 날짜에 재직하지 않음"),
          """Sender and receiver (or the awardee) must take part and be on the staff on the date:
          joined on or before it, and it is not after their leaving date. Checked only for a
          person who resolves and a date that passes its own check.""",
          default="{label} {who} {reason}; not on the staff on {day}",
          not_taking="does not take part (Staff row {row})",
          joins="joins on {day}", left="left on {day}", off="is not on the staff",
          ko=dict(
              default="{label} {who}은(는) {day}에 재직 중이 아닙니다({reason})",
              not_taking="참여 대상 아님, 직원 명단 {row}행",
              joins="{day} 입사 예정",
              left="{day} 퇴사",
              off="재직 기록 없음",
          )),
    _rule("self", "error", "Log", "3.4", ("Sent to themselves", "자기 자신에게 보냄"),
          "The sender is the receiver.",
          default="{who} sends points to themselves; choose a colleague",
          ko=dict(
              default="{who}: 자기 자신에게는 포인트를 보낼 수 없습니다. 도움을 준 동료를 "
                      "선택하세요",
          )),
    _rule("same-department", "error", "Log", "3.5",
          ("Same department", "같은 부서"),
          """Sender and receiver are in the same department on the date of the row (their
          department that day, after moves). Checked only when both resolve, the date passes
          and the row is not a send to oneself; Rules: forbid_same_department.""",
          default="{sender} and {receiver} are both in {department} on {day}; points go to "
                  "another department",
          ko=dict(
              default="{sender}, {receiver} 두 사람 모두 {day}에 {department} 소속입니다. "
                      "포인트는 다른 부서 직원에게만 보낼 수 있습니다",
          )),
    _rule("points", "error", "Log, Special", "3.6", ("Points out of range", "포인트 오류"),
          """Points must be a whole number from min_points to max_points (default 1 to 200), a
          multiple of points_step. On Special, a whole number above 0 (blank means
          special_points).""",
          blank="Points is blank; expected {expected}",
          not_number="Points {text!r} is not a number; expected {expected}",
          not_whole="Points {value} is not a whole number; expected {expected}",
          step="Points {value} is not a multiple of {step}",
          range="Points {value} is outside {low} to {high}",
          expected="a whole number from {low} to {high}",
          expected_step="a whole number from {low} to {high} in steps of {step}",
          special_not_number="Points {text!r} is not a number; expected a whole number (blank "
                             "means {points})",
          special_not_whole="Points {text} is not a whole number above 0", no_value=_NO_VALUE,
          ko=dict(
              blank="포인트 칸이 비어 있습니다. {expected}를 입력하세요",
              not_number="포인트 {text!r}은(는) 숫자가 아닙니다. {expected}를 입력하세요",
              not_whole="포인트 {value}은(는) 정수가 아닙니다. {expected}를 입력하세요",
              step="포인트 {value}은(는) {step}의 배수가 아닙니다",
              range="포인트 {value}은(는) {low}~{high} 범위를 벗어납니다",
              expected="{low}~{high} 사이의 정수",
              expected_step="{low}~{high} 사이에서 {step} 단위의 정수",
              special_not_number="포인트 {text!r}은(는) 숫자가 아닙니다. 정수를 입력하세요(비워 "
                                 "두면 {points}점)",
              special_not_whole="포인트 {text}은(는) 0보다 큰 정수가 아닙니다",
              no_value=_NO_VALUE_KO,
          )),
    _rule("message", "error", "Log", "3.7", ("Blank message", "메시지 없음"),
          """The thank-you message is blank, or its cell holds a formula whose value is an
          error (#NAME?) or was never saved.""",
          default="Message is blank; write what the colleague helped with",
          formula_error=_FORMULA_ERROR, no_value=_NO_VALUE,
          ko=dict(
              default="메시지가 비어 있습니다. 동료가 어떤 도움을 주었는지 적어 주세요",
              formula_error=_FORMULA_ERROR_KO,
              no_value=_NO_VALUE_KO,
          )),
    # ----- checks against what came before (section 3, checks 8-9)
    _rule("pair-limit", "error", "Log", "3.8",
          ("Too many sends to one person", "같은 사람에게 보낸 횟수 초과"),
          """At most max_sends_per_pair (default 2) accepted sends from one sender to one
          receiver in a month, rows taken in time order, ties in sheet order. A rejected row
          uses nothing.""",
          one="{sender} already sent to {receiver} {n} time in {month}; at most {most} a month",
          many="{sender} already sent to {receiver} {n} times in {month}; at most {most} a "
               "month",
          ko=dict(
              one="{sender}은(는) {month}에 이미 {receiver}에게 {n}번 보냈습니다. 같은 사람에게는 "
                  "한 달에 {most}번까지 보낼 수 있습니다",
              many="{sender}은(는) {month}에 이미 {receiver}에게 {n}번 보냈습니다. 같은 "
                   "사람에게는 한 달에 {most}번까지 보낼 수 있습니다",
          )),
    _rule("allowance", "error", "Log", "3.9", ("Over the month's allowance", "월 잔여 포인트 초과"),
          """The points must fit in what the sender has left that month: the month's grant
          (section 2) minus what their accepted rows of the month already sent.""",
          default="{sender} has {left} of {granted} points left in {month}; this row sends "
                  "{points}",
          no_grant="{sender} has no grant in {month} (not on the staff on the 1st); this row "
                   "sends {points}",
          ko=dict(
              default="{sender}의 {month} 잔여 포인트는 {granted}점 중 {left}점인데 이 행은 "
                      "{points}점을 보냅니다",
              no_grant="{sender}은(는) {month} 1일에 재직하지 않아 그달 지급된 포인트가 없는데 이 "
                       "행은 {points}점을 보냅니다",
          )),
    _rule("duplicate", "warning", "Log", "3",
          ("Likely double submission", "중복 제출 의심"),
          """The same sender, receiver, points and message as an earlier row within
          duplicate_minutes (default 10). The row is still accepted.""",
          default="same sender, receiver, points and message as row {row} within {minutes} "
                  "minutes: a likely double submission",
          ko=dict(
              default="{row}행과 보낸 사람, 받는 사람, 포인트, 메시지가 같고 {minutes}분 안에 "
                      "입력되었습니다. 중복 제출로 보입니다",
          )),
    # ----- Special tab (section 4)
    _rule("departments", "error", "Special", "4",
          ("Departments of a special award", "특별 포인트 참여 부서 오류"),
          """A special award needs at least two departments involved, each in the Departments
          tab, and the awardee's own department on the day among them.""",
          blank="Departments is blank; list the departments involved, comma-separated",
          unknown="Departments: {names} not in the Departments tab",
          too_few="Departments lists {n} department; a special award needs work of at least "
                  "two",
          not_own="the person's own department ({department}) is not among the departments "
                  "involved",
          ko=dict(
              blank="참여 부서가 비어 있습니다. 함께한 부서를 쉼표로 구분해 적으세요",
              unknown="참여 부서 중 {names}은(는) 부서 목록에 없습니다",
              too_few="참여 부서가 {n}개뿐입니다. 특별 포인트는 두 개 이상 부서가 함께한 업무에 "
                      "줍니다",
              not_own="받는 사람의 소속 부서({department})가 참여 부서에 없습니다",
          )),
    # ----- Staff, Departments and Moves tabs (section 1)
    _rule("missing-value", "error", "Staff, Departments", "1",
          ("Required value missing", "필수 값 없음"),
          """A Staff row without an ID or department, or a Departments row without a group; an
          ID, department or group whose formula's value is an error or was never saved is
          missing too.""",
          id="ID is blank; every person needs a unique ID",
          department="Department is blank",
          group="Group is blank for {department!r}; expected a ranking group such as Head "
                "office", formula_error=_FORMULA_ERROR, no_value=_NO_VALUE,
          ko=dict(
              id="사번이 비어 있습니다. 직원마다 고유한 사번이 있어야 합니다",
              department="부서가 비어 있습니다",
              group="{department!r}의 그룹이 비어 있습니다. 본청처럼 순위를 매길 그룹을 입력하세요",
              formula_error=_FORMULA_ERROR_KO,
              no_value=_NO_VALUE_KO,
          )),
    _rule("duplicate-id", "error", "Staff", "1", ("ID used twice", "사번 중복"),
          "Two Staff rows share an ID; IDs must be unique.",
          default="ID {id!r} is used by {n} rows of Staff; IDs must be unique",
          ko=dict(
              default="사번 {id!r}이(가) 직원 명단의 {n}개 행에 있습니다. 사번은 한 사람에 "
                      "하나씩이어야 합니다",
          )),
    _rule("duplicate-email", "error", "Staff", "1", ("Email used twice", "이메일 중복"),
          "Two Staff rows share an email address; emails must be unique where given.",
          default="Email {email!r} is used by {n} rows of Staff; emails must be unique",
          ko=dict(
              default="이메일 {email!r}이(가) 직원 명단의 {n}개 행에 있습니다. 이메일은 서로 "
                      "달라야 합니다",
          )),
    _rule("unknown-department", "error", "Staff, Moves", "1",
          ("Department not in Departments", "부서 목록에 없는 부서"),
          "A department in Staff or Moves that the Departments tab does not list.",
          default="Department {department!r} is not in the Departments tab",
          hint="Department {department!r} is not in the Departments tab; did you mean "
               "{suggestion!r}?",
          no_value=_NO_VALUE,
          ko=dict(
              default="부서 {department!r}은(는) 부서 목록에 없습니다",
              hint="부서 {department!r}은(는) 부서 목록에 없습니다. {suggestion!r}을(를) "
                   "입력하려던 것인가요?",
              no_value=_NO_VALUE_KO,
          )),
    _rule("duplicate-department", "error", "Departments", "1",
          ("Department listed twice", "부서 중복"),
          "The Departments tab lists a department more than once.",
          default="Department {department!r} is listed {n} times",
          ko=dict(
              default="부서 {department!r}이(가) {n}번 나옵니다",
          )),
    _rule("bad-value", "error", "Staff", "1", ("Not yes or no", "예/아니오가 아님"),
          "Takes part must be yes or no (blank means yes).",
          default="Takes part {text!r} is not yes or no",
          ko=dict(
              default="참여 여부 {text!r}은(는) 예/아니오가 아닙니다",
          )),
    # ----- Rules tab (section 7)
    _rule("bad-rule", "error", "Rules", "7", ("Rules tab entry not usable", "규칙 값 오류"),
          """An unknown key in the Rules tab, or a value that cannot be read; the default is
          used instead.""",
          unknown="unknown rule {key!r}; known rules: {known}",
          bad="rule {key}: {problem}, got {value!r}",
          min_max="rule min_points is larger than max_points; using the defaults",
          whole="expected a whole number",
          whole_range="expected a whole number from {low} to {high}",
          number="expected a number such as 0.5",
          number_range="expected a number from 0 to 1000",
          decimals="expected at most 6 decimals",
          zone="expected a time zone name such as Asia/Seoul",
          choice="expected one of {options}",
          date="expected a date such as 2025-02-01",
          tab="expected a tab name",
          yes_no="expected yes or no",
          ko=dict(
              unknown="알 수 없는 규칙 {key!r}입니다. 쓸 수 있는 규칙: {known}",
              bad="규칙 {key}: {problem}. 입력된 값은 {value!r}입니다",
              min_max="min_points가 max_points보다 큽니다. 기본값을 씁니다",
              whole="정수를 입력하세요",
              whole_range="{low}~{high} 사이의 정수를 입력하세요",
              number="0.5 같은 숫자를 입력하세요",
              number_range="0~1000 사이의 숫자를 입력하세요",
              decimals="소수점 아래 여섯 자리까지 입력하세요",
              zone="Asia/Seoul 같은 시간대 이름을 입력하세요",
              choice="{options} 중 하나를 입력하세요",
              date="2025-02-01 같은 날짜를 입력하세요",
              tab="탭 이름을 입력하세요",
              yes_no="예 또는 아니오를 입력하세요",
          )),
    # ----- the tabs themselves (section 7)
    _rule("missing-tab", "error", "workbook", "7", ("Tab missing", "탭 없음"),
          """A tab the scheme needs (Staff, Departments, Log) is not in the workbook, under any
          of its English, Korean or Google Form names; or the Rules tab names a Log tab that
          does not exist. Nothing can be checked.""",
          default="{source} has no {label} tab (looked for: {names}); its tabs are: {tabs}",
          log_tab="Rules say the Log tab is {name!r}, but the workbook has no such tab; its "
                  "tabs are: {tabs}",
          ko=dict(
              default="{source}에 {label} 탭이 없습니다(찾아본 이름: {names}). 있는 탭: {tabs}",
              log_tab="규칙 탭에 기록 탭이 {name!r}(으)로 지정되어 있지만 그런 탭이 없습니다. "
                      "있는 탭: {tabs}",
          )),
    _rule("missing-column", "error", "any", "7", ("Column missing", "열 없음"),
          """A required column is not in the tab's header row (row 1, or row 2 or 3 below a
          title). Nothing can be checked.""",
          default="{tab} tab: no {label!r} column in row 1; accepted headers: {aliases} "
                  "(found: {found})",
          ko=dict(
              default="{tab} 탭 1행에 {label!r} 열이 없습니다. 쓸 수 있는 머리글: {aliases} (있는 "
                      "머리글: {found})",
          )),
    _rule("ambiguous-column", "error", "any", "7", ("Column given twice", "같은 뜻의 열이 둘"),
          """Two columns of one tab both mean the same field (say From and Email Address in a
          Log). Nothing can be checked until one is removed.""",
          default="{tab} tab: columns {where} both mean {label!r}; keep only one",
          ko=dict(
              default="{tab} 탭: {where} 열이 모두 {label!r}을(를) 뜻합니다. 하나만 남기세요",
          )),
    _rule("blank-header", "warning", "any", "7", ("Data without a header", "머리글 없는 열"),
          "A column holds data but has no header; it is ignored.",
          default="{tab} column {letter} has data but no header; it is ignored",
          ko=dict(
              default="{tab} 탭 {letter}열에 값이 있지만 머리글이 없어 읽지 않습니다",
          )),
    _rule("duplicate-header", "warning", "any", "7", ("Header used twice", "머리글 중복"),
          "Two columns have the same header; the first one is read.",
          default="{tab} columns {first} and {second} are both headed {head!r}",
          ko=dict(
              default="{tab} 탭 {first}열과 {second}열의 머리글이 모두 {head!r}입니다. 앞의 열만 "
                      "읽습니다",
          )),
    _rule("merged-cells", "warning", "any", "8", ("Merged cells", "병합된 셀"),
          "Cells are merged; every cell in the range is read as its top-left value.",
          default="cells {ref} are merged; every cell in them is read as the top-left value",
          ko=dict(
              default="{ref} 셀이 병합되어 있습니다. 병합된 모든 셀을 왼쪽 위 셀의 값으로 읽습니다",
          )),
    # ----- writing results back (collabsheet's own checks on the workbook it writes into)
    _rule("foreign-tab", "error", "workbook", "-",
          ("Tab not collabsheet's", "사용자 탭과 이름 충돌"),
          """A tab of the office has the name of a result tab (in either language, in any
          case), but collabsheet did not write it: it carries no collabsheet mark. collabsheet
          never changes the office's tabs, so nothing is written.""",
          default="{source}: the tab {tab!r} has the name of a result tab but collabsheet did "
                  "not make it, so nothing was written; rename that tab (or delete it if it is "
                  "an old result tab), or write the results elsewhere with --output "
                  "RESULTS.xlsx",
          ko=dict(
              default="{source}: {tab!r} 탭은 결과 탭과 이름이 같지만 collabsheet가 만든 탭이 "
                      "아니어서 아무것도 쓰지 않았습니다. 그 탭의 이름을 바꾸거나(예전 결과 "
                      "탭이면 삭제) --output RESULTS.xlsx로 결과를 다른 파일에 쓰세요",
          )),
    _rule("read-only", "error", "workbook", "-", ("Workbook is read-only", "읽기 전용 통합 문서"),
          """The workbook (or its folder) cannot be written; nothing is written.""",
          default="{source} is read-only, so nothing was written; make it writable, or write "
                  "the results elsewhere with --output RESULTS.xlsx",
          folder="{source}: its folder {folder} cannot be written into, so nothing was "
                 "written; write the results elsewhere with --output RESULTS.xlsx",
          ko=dict(
              default="{source}이(가) 읽기 전용이어서 아무것도 쓰지 않았습니다. 쓰기 가능하게 "
                      "바꾸거나 --output RESULTS.xlsx로 결과를 다른 파일에 쓰세요",
              folder="{source}: 폴더 {folder}에 쓸 수 없어 아무것도 쓰지 않았습니다. --output "
                     "RESULTS.xlsx로 결과를 다른 곳에 쓰세요",
          )),
    _rule("workbook-changed", "error", "workbook", "-",
          ("Workbook changed during the run", "실행 중 통합 문서 변경"),
          """The workbook was saved by someone else (or a sync client) while collabsheet ran;
          its results would be computed from the old content, so nothing is written.""",
          default="{source} changed while collabsheet ran (someone saved it, or a sync "
                  "client updated it); nothing was written; run again",
          ko=dict(
              default="collabsheet가 실행되는 동안 {source}이(가) 바뀌었습니다(누군가 저장했거나 "
                      "동기화 프로그램이 갱신함). 아무것도 쓰지 않았으니 다시 실행하세요",
          )),
    _rule("not-xlsx", "error", "workbook", "-", ("Not an .xlsx workbook", ".xlsx 파일 아님"),
          """collabsheet writes .xlsx workbooks (and Google Sheets) only.""",
          ods="{source} is an OpenDocument spreadsheet (.ods); collabsheet can read it but "
              "writes .xlsx only: save it as .xlsx (Excel 2007-365) and run again, or write "
              "the results elsewhere with --output RESULTS.xlsx",
          init="{source}: a new workbook is an .xlsx file; give a name ending in .xlsx",
          output="{source}: results go into an .xlsx file or a Google Sheet (gsheet:ID); "
                 "give a name ending in .xlsx",
          ko=dict(
              ods="{source}은(는) OpenDocument 스프레드시트(.ods)입니다. 읽을 수는 있지만 결과는 "
                  ".xlsx에만 씁니다. .xlsx(Excel 2007-365 형식)로 저장한 뒤 다시 실행하거나 "
                  "--output RESULTS.xlsx로 결과를 다른 파일에 쓰세요",
              init="{source}: 새 통합 문서는 .xlsx 파일입니다. .xlsx로 끝나는 이름을 지정하세요",
              output="{source}: 결과는 .xlsx 파일이나 Google 시트(gsheet:ID)에 씁니다. .xlsx로 "
                     "끝나는 이름을 지정하세요",
          )),
    _rule("live-size", "warning", "Log", "-",
          ("Log past the live tab's size", "실시간 탭이 다루는 크기를 넘은 기록"),
          """The workbook has the template's My points tab and Log marks, which look at the
          first 20,000 Log rows only (past that they would make the sheet slow to type in).
          Rows below are not counted on My points; validate still checks every row.""",
          default="the Log has {rows:,} rows but the My points tab and the Log's marks look at "
                  "the first {most:,} only: start a new workbook for the next period (collabsheet "
                  "init), or delete the My points tab; validate checks every row",
          ko=dict(
              default="기록 탭이 {rows:,}행인데 내 포인트 탭과 기록 탭 표시는 처음 {most:,}행만 "
                      "봅니다. 다음 기간에는 새 통합 문서를 만들거나(collabsheet init) 내 포인트 "
                      "탭을 지우세요. validate는 모든 행을 검사합니다")),
    _rule("clock-zone", "warning", "workbook", "8",
          ("Sheet's time zone differs", "시트 시간대가 다름"),
          """The Google Sheet's own time zone (File > Settings) is not the office's (Rules:
          timezone). Times the sheet recorded itself, such as a Form's Timestamp, are that
          zone's wall-clock times; they are converted to the office's zone. Dates typed as
          whole days are kept as they are.""",
          default="the Google Sheet's time zone is {sheet} but the office's (Rules: timezone) "
                  "is {office}; times the sheet recorded (a Form's Timestamp) were read as "
                  "{sheet} time and converted to {office}. If the sheet's zone is wrong, set it "
                  "in File > Settings",
          ko=dict(
              default="Google 시트의 시간대는 {sheet}인데 기관의 시간대(규칙: timezone)는 "
                      "{office}입니다. 시트가 직접 기록한 시각(설문지 타임스탬프 등)은 {sheet} "
                      "시각으로 읽어 {office} 시각으로 바꿨습니다. 시트의 시간대가 틀렸다면 파일 "
                      "> 설정에서 고치세요",
          )),
    # ----- sealed months
    _rule("sealed-changed", "error", "Log, Special", "-",
          ("Sealed month changed", "봉인된 달의 변경"),
          """A row of a month sealed with `collabsheet close` was edited, deleted or inserted
          since. Results are not written until the office accepts the change
          (--accept-changes).""",
          edited="row {row} of sealed month {month} was edited: sealed {old!r}, now {new!r}",
          added="row {row} was added to sealed month {month}: {content!r}",
          gone="a row sealed in {month} as row {row} is gone: {content!r}",
          ko=dict(
              edited="봉인된 {month}의 {row}행이 수정되었습니다. 봉인 당시 {old!r}, 지금 {new!r}",
              added="봉인된 {month}에 {row}행이 추가되었습니다: {content!r}",
              gone="{month}에 {row}행으로 봉인된 행이 없어졌습니다: {content!r}",
          )),
    # ----- gaming signals (warnings; Rules: signal_*)
    _rule("signal-reciprocal", "warning", "Log", "-",
          ("Two people thanking each other", "서로 주고받기"),
          """Two people each sent the other at least signal_pair_share of a month's grant in
          the same month.""",
          default="{a} and {b} sent each other {first} and {second} points in {month}",
          ko=dict(
              default="{month}에 {a}, {b} 두 사람이 서로 {first}점과 {second}점을 주고받았습니다",
          )),
    _rule("signal-ring", "warning", "Log", "-", ("A ring of three", "세 사람 순환"),
          """Three people sent around a closed ring in one month, each at least
          signal_ring_points.""",
          default="{a} -> {b} -> {c} -> {a}: a closed ring in {month}",
          ko=dict(
              default="{month}에 {a} → {b} → {c} → {a}로 포인트가 한 바퀴 돌았습니다",
          )),
    _rule("signal-concentration", "warning", "Log", "-",
          ("One favourite recipient", "한 사람에게 집중"),
          """One sender gave at least signal_one_share of the monthly grant to one person in
          at least signal_one_months months.""",
          default="{a} gave {b} most of the monthly grant in {n} months",
          ko=dict(
              default="{a}: {n}개월 동안 월 지급 포인트의 대부분을 {b}에게 보냈습니다",
          )),
    _rule("signal-pasted", "warning", "Log", "-", ("Pasted message", "복사한 메시지"),
          """One sender sent the same message (8 characters or more) to at least
          signal_paste_rows different people in one month, in accepted rows. Many people
          writing the same thanks is not a signal.""",
          default="{a} sent the same message to {n} people in {month}: {text!r}",
          ko=dict(
              default="{a}: {month}에 같은 메시지를 {n}명에게 보냈습니다: {text!r}",
          )),
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    return BY_ID[rule_id]


def say(rule_id: str, variant: str = "default", lang: str = "en", **fields: Any) -> str:
    """The message of ``rule_id`` (one of its variants) with its fields filled in."""
    return BY_ID[rule_id].say(variant, lang, **fields)
