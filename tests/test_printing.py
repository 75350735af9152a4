"""Result tabs fit to print and present: a heading with the period and the as-of day, print
settings in the written .xlsx, the Summary's charts over months only, and the printed pages as
LibreOffice makes them (headers on every page)."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

import collabsheet
from collabsheet import render
from collabsheet.labels import heading, period_words
from collabsheet.ledger import ledger
from collabsheet.months import code
from collabsheet.sources.package import replace_tabs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "example-office-en.xlsx"
AS_OF = dt.date(2025, 7, 1)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.mark.parametrize("first,last,en,ko", [
    ((2025, 3), (2025, 3), "March 2025", "2025년 3월"),
    ((2025, 4), (2025, 6), "2025 second quarter", "2025년 2분기"),
    ((2025, 1), (2025, 6), "2025 first half", "2025년 상반기"),
    ((2025, 7), (2025, 12), "2025 second half", "2025년 하반기"),
    ((2025, 1), (2025, 12), "2025", "2025년"),
    ((2025, 2), (2025, 6), "February to June 2025", "2025년 2월~6월"),
    ((2024, 11), (2025, 2), "November 2024 to February 2025", "2024년 11월~2025년 2월"),
    ((2025, 2), (2025, 4), "February to April 2025", "2025년 2월~4월"),  # not a quarter
])
def test_periods_in_the_offices_words(first, last, en, ko):
    assert period_words(code(*first), code(*last), "en") == en
    assert period_words(code(*first), code(*last), "ko") == ko


def test_headings():
    h1 = (code(2025, 1), code(2025, 6))
    assert heading("개인 순위", h1, AS_OF, "ko") == "개인 순위 · 2025년 상반기, 2025-07-01 기준"
    assert heading("People", h1, AS_OF) == "People · 2025 first half, as of 2025-07-01"
    assert heading("Seal", None, AS_OF) == "Seal · as of 2025-07-01"


@pytest.fixture(scope="module")
def example_run(tmp_path_factory) -> Path:
    """The example office after `run --period 2025-H1` in Korean: every result tab written."""
    path = tmp_path_factory.mktemp("example") / "office.xlsx"
    shutil.copyfile(ROOT / "examples" / "example-office-ko.xlsx", path)
    collabsheet.run(path, "2025-H1", as_of=AS_OF)
    return path


RUN_TABS_KO = ["검증", "원장", "개인 순위", "부서 순위", "표창", "요약", "이상 신호"]


def _parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part, from the workbook and its relationships."""
    wb = zf.read("xl/workbook.xml").decode()
    rels = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"',
                           zf.read("xl/_rels/workbook.xml.rels").decode()))
    return {name: posixpath.normpath(posixpath.join("xl", rels[rid]))
            for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"',
                                        wb)}


def test_every_result_tab_opens_with_its_heading(example_run):
    wb = openpyxl.load_workbook(example_run)
    assert {t: wb[t]["A1"].value for t in RUN_TABS_KO} == {
        "검증": "검증 · 2025년 2월~7월, 2025-07-01 기준",
        "원장": "원장 · 2025년 2월~7월, 2025-07-01 기준",
        "개인 순위": "개인 순위 · 2025년 상반기, 2025-07-01 기준",
        "부서 순위": "부서 순위 · 2025년 상반기, 2025-07-01 기준",
        "표창": "표창 · 2025년 상반기, 2025-07-01 기준",
        "요약": "요약 · 2025년 상반기, 2025-07-01 기준",
        "이상 신호": "이상 신호 · 2025년 2월~7월, 2025-07-01 기준",
    }
    assert all(wb[t]["A1"].font.b for t in RUN_TABS_KO)
    # the Signals tab speaks Korean too
    assert [c.value for c in wb["이상 신호"][2]] == ["신호", "월", "인원", "포인트", "행", "문제"]


def test_print_settings_are_in_the_written_xlsx(example_run):
    with zipfile.ZipFile(example_run) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet name="([^"]+)"', workbook)
        titles = dict(re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">'
                                 r"([^<]*)</definedName>", workbook))
        assert {names[int(at)]: rows for at, rows in titles.items()} == {
            "검증": "'검증'!$1:$2", "원장": "'원장'!$1:$2", "개인 순위": "'개인 순위'!$1:$2",
            "부서 순위": "'부서 순위'!$1:$2", "표창": "'표창'!$1:$1", "요약": "'요약'!$1:$1",
            "이상 신호": "'이상 신호'!$1:$2"}
        parts = _parts(zf)
        for title in RUN_TABS_KO:
            xml = zf.read(parts[title]).decode()
            assert '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' in xml, title
            assert '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>' in xml
            assert "<headerFooter><oddFooter>&amp;C&amp;P / &amp;N</oddFooter></headerFooter>" \
                in xml
    people = openpyxl.load_workbook(example_run)["개인 순위"]
    assert people.freeze_panes == "A3"  # the heading and the header stay in view
    assert people.print_title_rows == "$1:$2"


def test_a_second_run_replaces_the_print_titles_instead_of_adding_more(example_run, tmp_path):
    path = tmp_path / "again.xlsx"
    shutil.copyfile(example_run, path)
    collabsheet.run(path, "2025-H1", as_of=AS_OF, lang="en")  # renames every result tab
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    assert workbook.count("_xlnm.Print_Titles") == 7
    assert "'People'!$1:$2" in workbook and "개인 순위" not in workbook


def _chart_refs(zf: zipfile.ZipFile, sheet_part: str) -> list[tuple[str, list[str], list[str]]]:
    """(title, category ranges, value ranges) of each chart drawn on a sheet."""
    rels_of = lambda part: posixpath.join(posixpath.dirname(part), "_rels",  # noqa: E731
                                          posixpath.basename(part) + ".rels")
    drawing = re.search(r'Target="([^"]+)"', zf.read(rels_of(sheet_part)).decode()).group(1)
    drawing = posixpath.normpath(posixpath.join(posixpath.dirname(sheet_part), drawing))
    out = []
    for target in re.findall(r'Target="([^"]+)"', zf.read(rels_of(drawing)).decode()):
        xml = zf.read(posixpath.normpath(posixpath.join(posixpath.dirname(drawing), target))
                      ).decode()
        title = re.search(r"<a:t>([^<]*)</a:t>", xml).group(1)
        out.append((title, re.findall(r"<c:cat><c:strRef><c:f>([^<]*)</c:f>", xml),
                    re.findall(r"<c:val><c:numRef><c:f>([^<]*)</c:f>", xml)))
    return out


def test_the_summary_charts_months_only_with_counts_and_points_apart(example_run):
    with zipfile.ZipFile(example_run) as zf:
        charts = _chart_refs(zf, _parts(zf)["요약"])
    assert charts == [
        ("협업 건수", ["'요약'!$A$3:$A$7"], ["'요약'!$B$3:$B$7"]),
        ("포인트", ["'요약'!$A$3:$A$7"], ["'요약'!$C$3:$C$7"])]
    summary = openpyxl.load_workbook(example_run)["요약"]
    assert [summary[f"A{r}"].value for r in range(3, 8)] == [
        "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    assert summary["A8"].value == "합계"  # the total stays in the table, out of the charts


def test_the_ledger_names_each_person_and_their_department(example_run):
    ws = openpyxl.load_workbook(example_run)["원장"]
    assert [c.value for c in ws[2]][:7] == ["사번", "성명", "부서", "지급", "보냄", "소멸", "잔여"]
    office = openpyxl.load_workbook(example_run)
    staff = {r[0]: [r[1], r[2]] for r in office["직원"].iter_rows(min_row=2, values_only=True)}
    for day, who, department in sorted(office["인사이동"].iter_rows(min_row=2, values_only=True)):
        if day.date() <= AS_OF:
            staff[who][1] = department  # where they work on the as-of day
    rows = list(ws.iter_rows(min_row=3, max_col=3, values_only=True))
    assert len(rows) == 672
    assert [r for r in rows if staff[r[0]] != [r[1], r[2]]] == []
    assert ("E1400", staff["E1400"][0], "고덕평생학습관") in rows  # moved in March


def test_columns_fit_their_longest_text():
    """A column is as wide as its longest text (wide characters count two), up to a limit."""
    from collabsheet.resulttab import MAX_FIT, Column, ResultTab, Table, text_width

    assert text_width(["E1", "교육지원청 및 직속기관", None]) == 22
    assert text_width([1001, "E1"]) == 4  # numbers typed into a text column count as text
    tab = ResultTab("people", "People", [Table(
        [Column("Rank", "int", 7), Column("Department", "text", 10), Column("Note")],
        [[1, 2], ["Support offices and affiliated institutions", "x"], ["y" * 200, None]])])
    assert tab.widths() == [8.0, 45.0, MAX_FIT]


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="needs LibreOffice (soffice) and poppler (pdftotext)")
def test_printed_people_and_ledger_repeat_their_headers_on_every_page(tmp_path):
    """One conversion, as an admin prints for the meeting: the People and Ledger tabs of the
    example office run to several pages each, and every page starts with the heading (the
    period) and the header, and ends with its page number."""
    res = collabsheet.rank(EXAMPLE, "2025-H1", as_of=AS_OF).results
    _, ev = collabsheet.evaluate(EXAMPLE, as_of=AS_OF)
    book = tmp_path / "printed.xlsx"
    replace_tabs(book, [render.people_tab(res, "en", AS_OF),
                        render.ledger_tab(ledger(ev.verdicts), ev.verdicts, "en")])
    done = subprocess.run(["soffice", "--headless", "--norestore",
                           f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                           "pdf", "--outdir", str(tmp_path), str(book)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "printed.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    people = [p for p in pages if "People · 2025 first half, as of 2025-07-01" in p]
    ledger_pages = [p for p in pages if "Ledger · February to July 2025, as of 2025-07-01" in p]
    assert len(people) >= 2 and len(ledger_pages) >= 2
    assert len(people) + len(ledger_pages) == len(pages)  # the heading tops every page
    second = [line.split() for line in people[1].splitlines() if line.strip()]
    assert second[0] == ["People", "·", "2025", "first", "half,", "as", "of", "2025-07-01"]
    assert second[1] == ["Rank", "ID", "Name", "Department", "Group", "Received", "Sent",
                         "Special", "Score", "Sends", "Receipts", "Colleagues", "helped"]
    assert second[-1] == ["2", "/", str(len(pages))]
    ledger_head = [line.split() for line in ledger_pages[1].splitlines() if line.strip()][1]
    assert ledger_head[:7] == ["ID", "Name", "Department", "Granted", "Sent", "Expired", "Left"]
    # the rank stands apart from the ID: "1   E1649", never "1 E1649" run together
    first_row = [line for line in people[0].splitlines() if "E1649" in line][0]
    assert re.search(r"\b1\s{2,}E1649\b", first_row)
