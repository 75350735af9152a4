"""The example office: a realistic run of the scheme, February to June 2025.

Modeled on the published case in RULES.md: a head office of 10 departments and 30 support
offices and affiliated institutions, about 650 staff, about 1,766 accepted collaborations worth
about 27,000 points, skewed as real schemes are, with a few moves, special awards and the
mistakes real people make. Fixed seed: the same office on every run. ``collabsheet demo`` and
``examples/make_example.py`` both build it here.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .zipstamp import pinned

SEED = 20250201

HEAD = [("기획예산과", "Planning and Budget"), ("총무과", "General Affairs"),
        ("교육정책과", "Education Policy"), ("초등교육과", "Elementary Education"),
        ("중등교육과", "Secondary Education"), ("학생생활교육과", "Student Life"),
        ("체육건강과", "Sports and Health"), ("행정과", "Administration"),
        ("시설과", "Facilities"), ("감사관실", "Audit Office")]
_REGIONS = [("동부", "East"), ("서부", "West"), ("남부", "South"), ("북부", "North"),
            ("중부", "Central"), ("강동", "Gangdong"), ("강서", "Gangseo"), ("성동", "Seongdong"),
            ("성북", "Seongbuk"), ("동작", "Dongjak"), ("중랑", "Jungnang")]
SUPPORT = [(f"{ko}교육지원청", f"{en} District Office") for ko, en in _REGIONS] + [
    ("교육연구정보원", "Research and Information Institute"), ("교육연수원", "Training Institute"),
    ("과학전시관", "Science Center"), ("학생교육원", "Student Education Center"),
    ("유아교육진흥원", "Early Childhood Institute"), ("교육시설관리본부", "Facilities Agency"),
    ("학교보건진흥원", "School Health Institute"), ("교육정보연구원", "Education Data Institute"),
    ("정독도서관", "Jeongdok Library"), ("남산도서관", "Namsan Library"),
    ("고덕평생학습관", "Godeok Learning Center"), ("마포평생학습관", "Mapo Learning Center"),
    ("영등포평생학습관", "Yeongdeungpo Learning Center"), ("동대문도서관", "Dongdaemun Library"),
    ("종로도서관", "Jongno Library"), ("어린이도서관", "Children's Library"),
    ("학생체육관", "Student Gymnasium"), ("교육박물관", "Education Museum"),
    ("해양교육원", "Marine Education Center")]
GROUPS = {"ko": ("본청", "교육지원청 및 직속기관"),
          "en": ("Head office", "Support offices and affiliated institutions")}
SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민"
GIVEN = ["민준", "서연", "지훈", "서윤", "도윤", "지우", "하준", "하은", "예준", "수아", "시우",
         "지민", "주원", "채원", "지호", "다은", "준서", "예린", "현우", "소율", "건우", "유진",
         "우진", "지아", "선우", "수빈", "연우", "예은", "정우", "민서", "승현", "윤서", "동현",
         "가은", "재원", "은지", "성민", "혜원", "상훈", "미경"]
MESSAGES = ["자료 취합을 도와주셔서 감사합니다", "급한 공문 처리를 함께해 주셔서 고맙습니다",
            "행사 준비를 도와주셔서 감사합니다", "예산 자료 검토 감사합니다",
            "시스템 오류를 빠르게 해결해 주셨어요", "회의 자료를 꼼꼼히 챙겨 주셔서 감사합니다",
            "현장 점검에 동행해 주셔서 고맙습니다", "민원 응대를 함께해 주셔서 감사합니다",
            "통계 자료를 정리해 주셔서 감사합니다", "협조 요청에 신속히 답해 주셨어요"]
WORKS = [("학생 안전 종합대책 수립", "Student safety plan"),
         ("교육 데이터 통합 플랫폼 구축", "Education data platform"),
         ("학교 공간 혁신 사업", "School space renewal"),
         ("디지털 교과서 도입 지원", "Digital textbook rollout"),
         ("늘봄학교 운영 지원", "After-school care programme"),
         ("교원 업무 경감 방안", "Teacher workload reduction"),
         ("기초학력 보장 지원", "Basic skills support"),
         ("학교 급식 품질 개선", "School meals quality")]

TABS = {
    "en": {"Staff": ["ID", "Name", "Department", "Email", "Joined", "Left", "Takes part"],
           "Departments": ["Department", "Group"], "Moves": ["Date", "ID", "Department"],
           "Log": ["Date", "From", "To", "Points", "Message"],
           "Special": ["Date", "ID", "Points", "Work", "Departments"],
           "Rules": ["Rule", "Value"]},
    "ko": {"직원": ["사번", "성명", "부서", "이메일", "입사일", "퇴사일", "참여 여부"],
           "부서": ["부서", "그룹"], "인사이동": ["날짜", "사번", "부서"],
           "기록": ["날짜", "보낸 사람", "받는 사람", "포인트", "메시지"],
           "특별 포인트": ["날짜", "사번", "포인트", "업무", "참여 부서"],
           "규칙": ["규칙", "값"]},
}


def build(seed: int = SEED) -> dict[str, dict[str, list[list[object]]]]:
    """Rows of every tab, for both editions, from one draw of the random generator."""
    rnd = random.Random(seed)
    depts = [(ko, en, 0) for ko, en in HEAD] + [(ko, en, 1) for ko, en in SUPPORT]
    sizes = [30] * len(HEAD) + [12] * len(SUPPORT)
    for i in range(len(sizes)):
        sizes[i] += rnd.randint(-5, 5)
    staff: list[dict[str, Any]] = []
    n = 0
    for d, size in enumerate(sizes):
        for _ in range(size):
            n += 1
            name = rnd.choice(SURNAMES) + rnd.choice(GIVEN)
            staff.append({"id": f"E{1000 + n}", "name": name, "dept": d,
                          "email": f"e{1000 + n}@edu.example.kr", "joined": None, "left": None,
                          "takes": True})
    for p in rnd.sample(staff, 6):
        p["joined"] = dt.date(2025, rnd.randint(2, 5), rnd.randint(2, 25))
    for p in rnd.sample(staff, 5):
        if p["joined"] is None:
            p["left"] = dt.date(2025, rnd.randint(3, 5), rnd.randint(1, 28))
    for p in rnd.sample(staff, 4):
        p["takes"] = False
    # activity skew: a few very active people and departments, many quiet ones
    dept_weight = [rnd.paretovariate(1.3) * (1.6 if g == 0 else 1.0) for _, _, g in depts]
    for p in staff:
        p["w"] = rnd.paretovariate(1.7) * dept_weight[int(p["dept"])]
    moves = []
    for p in rnd.sample(staff, 5):
        new = rnd.randrange(len(depts))
        if new != p["dept"]:
            moves.append((dt.date(2025, rnd.randint(3, 5), rnd.randint(1, 28)), p, new))
    moves.sort(key=lambda m: m[0])

    def dept_on(p: dict[str, Any], day: dt.date) -> int:
        d = int(p["dept"])
        for when, who, new in moves:
            if who is p and when <= day:
                d = new
        return d

    def on_staff(p: dict[str, Any], day: dt.date) -> bool:
        j, lv = p["joined"], p["left"]
        return bool(p["takes"]) and (j is None or j <= day) and (lv is None or day <= lv)

    weights = [float(p["w"]) for p in staff]
    log: list[list[Any]] = []
    months = [2, 3, 4, 5, 6]
    per_month = [302, 357, 374, 374, 357]
    for month, count in zip(months, per_month, strict=True):
        spent: dict[str, int] = {}
        for _ in range(count):
            day = dt.date(2025, month, rnd.randint(1, 28 if month == 2 else 30))
            when = dt.datetime(day.year, day.month, day.day, rnd.randint(8, 18),
                               rnd.randint(0, 59))
            a = rnd.choices(staff, weights)[0]
            b = rnd.choices(staff, weights)[0]
            tries = 0
            while (b is a or dept_on(a, day) == dept_on(b, day) or not on_staff(a, day)
                   or not on_staff(b, day)) and tries < 50:
                a = rnd.choices(staff, weights)[0]
                b = rnd.choices(staff, weights)[0]
                tries += 1
            points = rnd.choices([5, 10, 10, 10, 20, 20, 30, 50, 100],
                                 [4, 7, 7, 7, 5, 5, 2, 1, 0.5])[0]
            left = 200 - spent.get(str(a["id"]), 0)
            if points > left:
                if left < 5:
                    continue
                points = left
            spent[str(a["id"])] = spent.get(str(a["id"]), 0) + points
            log.append([when, a["id"], b["id"], points, rnd.choice(MESSAGES)])
    log.sort(key=lambda r: r[0])
    # the mistakes real people make (about 5% of rows)
    mistakes = []
    active = [p for p in staff if p["w"] > 3]
    for k in range(95):
        base = list(rnd.choice(log))
        kind = k % 7
        if kind == 0:  # same department
            a = rnd.choice(staff)
            mates = [p for p in staff if p["dept"] == a["dept"] and p is not a]
            base[1], base[2] = a["id"], rnd.choice(mates)["id"]
        elif kind == 1:  # a third send to the same person
            when = base[0]
            base[0] = when + dt.timedelta(minutes=30)
            mistakes.append([when + dt.timedelta(minutes=11), base[1], base[2], 5, "또 감사합니다"])
            base[3], base[4] = 5, "정말 감사합니다"
        elif kind == 2:  # over budget
            base[1] = rnd.choice(active)["id"]
            base[3] = 150
        elif kind == 3:  # blank message
            base[4] = None
        elif kind == 4:  # mistyped id
            base[2] = str(base[2]).replace("E", "E0", 1)
        elif kind == 5:  # date typed as text, not a date
            base[0] = f"{base[0]:%m월 %d일}"
        else:  # points not whole
            base[3] = 12.5
        mistakes.append(base)
    for m in mistakes:
        log.insert(rnd.randrange(len(log) + 1), m)
    specials = []
    for ko_work, en_work in WORKS:
        p = rnd.choice([p for p in staff
                        if p["takes"] and p["joined"] is None and p["left"] is None])
        day = dt.date(2025, rnd.randint(2, 6), rnd.randint(1, 28))
        own = dept_on(p, day)
        others = rnd.sample([i for i in range(len(depts)) if i != own], rnd.randint(1, 3))
        specials.append((day, p, [own, *others], ko_work, en_work))
    editions: dict[str, dict[str, list[list[Any]]]] = {}
    for lang in ("en", "ko"):
        pick = 0 if lang == "ko" else 1

        def name_of(i: int, pick: int = pick) -> str:
            return str(depts[i][pick])

        heads: list[list[Any]] = [list(h) for h in TABS[lang].values()]
        titles = list(TABS[lang])
        yes, no = ("예", "아니오") if lang == "ko" else ("yes", "no")
        tabs: dict[str, list[list[Any]]] = {
            titles[0]: [heads[0]] + [[p["id"], p["name"], name_of(int(p["dept"])), p["email"],
                                      p["joined"], p["left"], yes if p["takes"] else no]
                                     for p in staff],
            titles[1]: [heads[1]] + [[name_of(i), GROUPS[lang][g]]
                                     for i, (_, _, g) in enumerate(depts)],
            titles[2]: [heads[2]] + [[when, p["id"], name_of(new)] for when, p, new in moves],
            titles[3]: [heads[3]] + log,
            titles[4]: [heads[4]] + [[day, p["id"], None, ko if lang == "ko" else en,
                                      ", ".join(name_of(i) for i in ds)]
                                     for day, p, ds, ko, en in specials],
            titles[5]: [heads[5], ["start", "2025-02-01"], ["timezone", "Asia/Seoul"],
                        ["language", lang]],
        }
        editions[lang] = tabs
    return editions


def workbook_bytes(tabs: dict[str, list[list[object]]]) -> bytes:
    """One edition as .xlsx bytes, identical on every run (zip and document times pinned)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in tabs.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for j, _ in enumerate(rows[0], start=1):
            ws.column_dimensions[get_column_letter(j)].width = 16
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    wb.properties.created = dt.datetime(2025, 7, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return pinned(buf.getvalue(), (2025, 7, 1))


def write_examples(folder: Path) -> list[Path]:
    """Write example-office-en.xlsx and example-office-ko.xlsx into ``folder``."""
    paths = []
    for lang, tabs in build().items():
        path = folder / f"example-office-{lang}.xlsx"
        path.write_bytes(workbook_bytes(tabs))
        paths.append(path)
    return paths
