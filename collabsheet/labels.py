"""Words the tool and its users share: tab names, header aliases and result labels, in English
and Korean. Matching is case-insensitive with surrounding and repeated spaces ignored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .resulttab import Chart, ResultTab, Table
from .sheetref import fold


def norm(text: object) -> str:
    """The form in which headers, tab names and departments are compared."""
    return fold(str(text))


@dataclass(frozen=True)
class Field:
    key: str
    aliases: tuple[str, ...]
    required: bool = True

    @property
    def label(self) -> str:
        return self.aliases[0]


@dataclass(frozen=True)
class TabSpec:
    key: str
    names: tuple[str, ...]
    fields: tuple[Field, ...]
    required: bool = True

    @property
    def label(self) -> str:
        return self.names[0]


STAFF = TabSpec(
    "staff",
    ("Staff", "직원", "직원 명단"),
    (
        Field("id", ("ID", "사번", "직원번호")),
        Field("name", ("Name", "성명", "이름")),
        Field("department", ("Department", "부서")),
        Field("email", ("Email", "이메일", "Email Address", "이메일 주소"), required=False),
        Field("joined", ("Joined", "입사일", "합류일"), required=False),
        Field("left", ("Left", "퇴사일", "종료일"), required=False),
        Field("takes_part", ("Takes part", "참여", "참여 여부"), required=False),
    ),
)
DEPARTMENTS = TabSpec(
    "departments",
    ("Departments", "부서", "부서 목록"),
    (
        Field("department", ("Department", "부서")),
        Field("group", ("Group", "그룹", "구분")),
    ),
)
MOVES = TabSpec(
    "moves",
    ("Moves", "인사이동", "부서 이동"),
    (
        Field("date", ("Date", "날짜", "이동일")),
        Field("id", ("ID", "사번")),
        Field("department", ("Department", "New department", "부서", "새 부서")),
    ),
    required=False,
)
LOG = TabSpec(
    "log",
    ("Log", "기록", "Form Responses 1", "설문지 응답 시트1"),
    (
        Field("date", ("Date", "날짜", "Timestamp", "타임스탬프")),
        Field("from", ("From", "보낸 사람", "Email Address", "이메일 주소", "이메일")),
        Field("to", ("To", "받는 사람")),
        Field("points", ("Points", "포인트")),
        Field("message", ("Message", "메시지", "감사 메시지")),
    ),
)
SPECIAL = TabSpec(
    "special",
    ("Special", "특별 포인트", "특별"),
    (
        Field("date", ("Date", "날짜")),
        Field("id", ("ID", "사번")),
        Field("points", ("Points", "포인트"), required=False),
        Field("work", ("Work", "업무"), required=False),
        Field("departments", ("Departments", "참여 부서", "부서")),
    ),
    required=False,
)
RULES = TabSpec(
    "rules",
    ("Rules", "규칙"),
    (
        Field("rule", ("Rule", "규칙", "항목")),
        Field("value", ("Value", "값")),
    ),
    required=False,
)

INPUT_TABS: tuple[TabSpec, ...] = (STAFF, DEPARTMENTS, MOVES, LOG, SPECIAL, RULES)

# Result tabs collabsheet owns, by key: (English title, Korean title).
RESULT_TABS: dict[str, tuple[str, str]] = {
    "validation": ("Validation", "검증"),
    "ledger": ("Ledger", "원장"),
    "people": ("People", "개인 순위"),
    "departments": ("Departments ranking", "부서 순위"),
    "commendations": ("Commendations", "표창"),
    "summary": ("Summary", "요약"),
    "seal": ("Seal", "봉인"),
    "signals": ("Signals", "이상 신호"),
    "notices": ("Notices", "알림 기록"),
}


SEAL_TITLES = RESULT_TABS["seal"]


def result_title(key: str, lang: str) -> str:
    en, ko = RESULT_TABS[key]
    return ko if lang == "ko" else en


def result_tab(key: str, lang: str, tables: list[Table], charts: list[Chart] | None = None,
               *, as_of: dt.date, span: tuple[int, int] | None = None, **layout: Any
               ) -> ResultTab:
    """A result tab titled in ``lang`` that also answers to its title in the other language,
    so a run in Korean replaces the tab an English run wrote (backends know no titles). Its
    heading names the tab, the months it covers (``span``: first and last month code) and the
    day it was made as of."""
    title = result_title(key, lang)
    return ResultTab(key, title, tables, charts or [], aliases=RESULT_TABS[key],
                     heading=heading(title, span, as_of, lang), **layout)


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
_HALVES = {"en": ("first half", "second half"), "ko": ("상반기", "하반기")}
_QUARTERS_EN = ("first quarter", "second quarter", "third quarter", "fourth quarter")


def month_words(code: int, lang: str, with_year: bool = True) -> str:
    year, month = divmod(code, 12)
    if lang == "ko":
        return f"{year}년 {month + 1}월" if with_year else f"{month + 1}월"
    return f"{_MONTHS_EN[month]} {year}" if with_year else _MONTHS_EN[month]


def period_words(first: int, last: int, lang: str = "en") -> str:
    """Months as an office names them: 2025년 3월, 2025년 2분기, 2025년 상반기, 2025년, or
    2025년 2월~6월 (March 2025, 2025 second quarter, 2025 first half, 2025, February to June
    2025). ``first`` and ``last`` are month codes (``months.code``)."""
    year, start = divmod(first, 12)
    ko = lang == "ko"
    if first == last:
        return month_words(first, lang)
    if last // 12 == year and start % 12 == 0 and last == first + 11:
        return f"{year}년" if ko else str(year)
    if last // 12 == year and start % 6 == 0 and last == first + 5:
        half = _HALVES["ko" if ko else "en"][start // 6]
        return f"{year}년 {half}" if ko else f"{year} {half}"
    if last // 12 == year and start % 3 == 0 and last == first + 2:
        return f"{year}년 {start // 3 + 1}분기" if ko else f"{year} {_QUARTERS_EN[start // 3]}"
    same_year = last // 12 == year
    if ko:
        return f"{month_words(first, lang)}~{month_words(last, lang, not same_year)}"
    if same_year:
        return f"{_MONTHS_EN[start]} to {month_words(last, lang)}"
    return f"{month_words(first, lang)} to {month_words(last, lang)}"


def heading(title: str, span: tuple[int, int] | None, as_of: dt.date, lang: str = "en") -> str:
    """A result tab's first line: 개인 순위 · 2025년 상반기, 2025-07-01 기준 (People · 2025
    first half, as of 2025-07-01)."""
    day = as_of.isoformat()
    when = f"{day} 기준" if lang == "ko" else f"as of {day}"
    if span is not None:
        when = f"{period_words(*span, lang)}, {when}"
    return f"{title} · {when}"


# Words used in result tabs and text output.
_WORDS: dict[str, tuple[str, str]] = {
    "row": ("Row", "행"),
    "date": ("Date", "날짜"),
    "from": ("From", "보낸 사람"),
    "to": ("To", "받는 사람"),
    "points": ("Points", "포인트"),
    "rules": ("Rules", "규칙"),
    "severity": ("Severity", "심각도"),
    "message": ("Problem", "문제"),
    "left": ("Points left before", "보내기 전 잔여 포인트"),
    "link": ("Go to row", "행으로 이동"),
    "tab": ("Tab", "탭"),
    "column": ("Column", "열"),
    "value": ("Value", "값"),
    "error": ("error", "오류"),
    "warning": ("warning", "경고"),
    "id": ("ID", "사번"),
    "name": ("Name", "성명"),
    "department": ("Department", "부서"),
    "group": ("Group", "그룹"),
    "month": ("Month", "월"),
    "granted": ("Granted", "지급"),
    "sent": ("Sent", "보냄"),
    "expired": ("Expired", "소멸"),
    "left_now": ("Left", "잔여"),
    "rank": ("Rank", "순위"),
    "received": ("Received", "받음"),
    "special": ("Special", "특별"),
    "score": ("Score", "점수"),
    "sends": ("Sends", "보낸 횟수"),
    "receipts": ("Receipts", "받은 횟수"),
    "colleagues": ("Colleagues helped", "도운 동료 수"),
    "people": ("People", "인원"),
    "collaborations": ("Collaborations", "협업 건수"),
    "tie": ("Tie: office decides", "동점: 기관 결정"),
    "commended_people": ("Commended people", "개인 표창"),
    "commended_departments": ("Commended departments", "부서 표창"),
    "period": ("Period", "기간"),
    "total": ("Total", "합계"),
    "senders": ("People who sent", "보낸 인원"),
    "receivers": ("People who received", "받은 인원"),
    "rejected": ("Rejected rows", "거부된 행"),
    "specials": ("Special awards", "특별 포인트"),
    "helped_by": ("Helped by (receiver's department)", "도운 부서(받은 쪽)"),
    "helped": ("Helped (sender's department)", "도움받은 부서(보낸 쪽)"),
    "rule": ("Rule", "규칙"),
    "section": ("Section", "절"),
    "title": ("Title", "제목"),
    "rules_footer": ("{n} rules. collabsheet rules --format json gives each one's description.",
                     "규칙 {n}개. 각 규칙의 설명은 collabsheet rules --format json "
                     "으로 볼 수 있습니다."),
    "signal": ("Signal", "신호"),
    "kind": ("Kind", "종류"),
    "fingerprint": ("Fingerprint", "지문"),
    "content": ("Content", "내용"),
    "sealed_at": ("Sealed at", "봉인 시각"),
    "email": ("Email", "이메일"),
    "covers": ("Covers", "알린 항목"),
    "message_id": ("Message-ID", "메시지 ID"),
    "sent_at": ("Sent at", "보낸 시각"),
    "top_of": ("top {shown:,} of {total:,} pairs", "상위 {shown:,}쌍 / 전체 {total:,}쌍"),
}


def amount(x: float) -> str:
    """A number as an office writes it: 1,445 points, 1,445.5 where the half point is real."""
    if isinstance(x, int) or float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.1f}".rstrip("0").rstrip(".")


def word(key: str, lang: str = "en") -> str:
    en, ko = _WORDS[key]
    return ko if lang == "ko" else en
