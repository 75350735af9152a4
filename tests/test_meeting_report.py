"""The report for the executive meeting: its figures are the result tabs' figures, it loads
nothing from outside, it prints to at most two A4 pages in a real browser, and odd periods
(no collaborations, one department, ties across the line) render."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook

from collabsheet import api, browser
from collabsheet.cli import cli
from collabsheet.scores import TOTAL

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
AS_OF = dt.date(2025, 7, 1)
D = dt.date


class Figures(HTMLParser):
    """Every ``data-figure`` of the page, in order, with the row keys around it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, float]] = []
        self.refs: list[str] = []
        self.hidden_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "data-figure" in a:
            self.found.append((str(a["data-figure"]), float(a["data-value"] or "nan")))
        for key in ("src", "href", "xlink:href"):
            if a.get(key):
                self.refs.append(str(a[key]))

    def values(self, key: str) -> list[float]:
        return [v for k, v in self.found if k == key]


def parsed(page: str) -> Figures:
    f = Figures()
    f.feed(page)
    return f


@pytest.fixture(scope="module", params=["en", "ko"])
def example(request, tmp_path_factory):
    lang = request.param
    tmp = tmp_path_factory.mktemp(f"report-{lang}")
    book = tmp / "office.xlsx"
    shutil.copyfile(EXAMPLES / f"example-office-{lang}.xlsx", book)
    res = api.report(book, "2025-H1", as_of=AS_OF, html=tmp / "report.html")
    ranks = api.rank(book, "2025-H1", as_of=AS_OF)
    return lang, res, ranks.results, tmp


def test_every_figure_is_the_result_tabs_figure(example):
    lang, res, results, _tmp = example
    page = parsed(res.html)
    total = results.summary[results.summary["month"] == TOTAL].iloc[0]
    for key in ("collaborations", "points", "senders", "receivers", "specials"):
        assert page.values(key) == [float(total[key])], key
    senders = int((results.people["sends"] > 0).sum())
    assert page.values("participation") == [round(100 * senders / len(results.people), 1)]
    assert page.values("rejected") == [float(total["rejected"])]
    cp = results.commended_people
    assert page.values("person-rank") == [float(r) for r in cp["rank"]]
    assert page.values("person-score") == [float(results.score(s)) for s in cp["score"]]
    ranked = [r for g in results.groups for r in results.commended_departments[g]["rank"]]
    scored = [results.score(s) for g in results.groups
              for s in results.commended_departments[g]["score"]]
    assert page.values("department-rank") == [float(r) for r in ranked]
    assert page.values("department-score") == [float(s) for s in scored]
    months = results.summary[results.summary["month"] != TOTAL]
    assert page.values("month-collaborations") == [float(x) for x in months["collaborations"]]
    assert page.values("month-points") == [float(x) for x in months["points"]]
    assert page.values("month-senders") == [float(x) for x in months["senders"]]
    flows = results.flows.head(8)
    assert page.values("flow-points") == [float(x) for x in flows["points"]]
    assert page.values("flow-collaborations") == [float(x) for x in flows["collaborations"]]
    people = results.people[results.people["department"].notna()]
    by_dept = people.assign(s=people["sends"] > 0).groupby("department")["s"]
    share = (by_dept.sum() / by_dept.size() * 100).round(1)
    shown = res.meeting.uptake
    assert [u.participation for u in shown] == [share[u.department] for u in shown]
    assert page.values("uptake-participation") == [u.participation for u in shown]
    d = results.departments.set_index("department")
    for b in (*res.meeting.givers, *res.meeting.takers):
        assert (b.sent, b.received) == (d.loc[b.department, "sent"],
                                        d.loc[b.department, "received"])
        assert b.sent > b.received if b in res.meeting.givers else b.received > b.sent


def test_the_page_is_in_the_offices_words(example):
    lang, res, _results, _tmp = example
    if lang == "ko":
        assert "협업 포인트 운영 결과: 2025년 상반기" in res.html
        assert "가장 많이 어긴 규칙: 같은 부서(15행)" in res.html
        assert "1,037.5" in res.html and "27,745" in res.html
    else:
        assert "Collaboration points: 2025 first half" in res.html
        assert "the rules they broke most: Same department (15)" in res.html
        assert "<td>Feb</td>" in res.html and "<td>Jun</td>" in res.html
    assert f'<html lang="{lang}">' in res.html


def test_the_page_loads_nothing_from_outside(example):
    _lang, res, _results, _tmp = example
    page = parsed(res.html)
    assert page.refs == [] or not any(re.match(r"(?i)\s*(https?:|//)", r) for r in page.refs)
    assert "@import" not in res.html and "<script" not in res.html.lower()
    assert not re.search(r"(?i)url\(\s*['\"]?(https?:|//)", res.html)
    assert res.html.count("<svg ") == 4


def test_the_same_figures_give_the_same_page(example, tmp_path):
    lang, res, _results, tmp = example
    again = api.report(tmp / "office.xlsx", "2025-H1", as_of=AS_OF)
    assert again.html == res.html
    assert (tmp / "report.html").read_text(encoding="utf-8") == res.html


def test_compare_gives_each_headline_figure_its_change(tmp_path):
    book = tmp_path / "office.xlsx"
    shutil.copyfile(EXAMPLES / "example-office-en.xlsx", book)
    now = api.report(book, "2025-Q2", as_of=AS_OF)
    before = api.report(book, "2025-Q1", as_of=AS_OF)
    page = parsed(now.html)
    assert now.meeting.compared is not None and now.meeting.compared.label == "2025-01..2025-03"
    for key in ("collaborations", "points", "senders"):
        change = page.values(f"change-{key}")
        assert change == [now.meeting.figure(key).value - before.meeting.figure(key).value]
    assert "Changes against 2025 first quarter." in now.html
    chosen = api.report(book, "2025-06", as_of=AS_OF, compare="2025-03")
    assert chosen.meeting.compared.label == "2025-03"
    first = api.report(book, "2025-H1", as_of=AS_OF)
    assert first.meeting.compared is None and "No earlier period" in first.html


def small(tmp_path: Path, log: list[list[object]], departments=DEPARTMENTS,
          staff=STAFF) -> Path:
    return write_workbook(tmp_path / "small.xlsx", {"Staff": staff, "Departments": departments,
                                                     "Log": [LOG_HEADER, *log]})


def test_a_period_with_no_collaborations_renders(tmp_path):
    book = small(tmp_path, [[D(2025, 4, 2), "E1", "E2", 100, "thanks"]])
    res = api.report(book, "2025-02", as_of=AS_OF)
    page = parsed(res.html)
    assert page.values("collaborations") == [0.0] and page.values("participation") == [0.0]
    assert res.meeting.people == () and res.meeting.flows == ()
    assert "No Log row of the period was rejected." in res.html and "none" in res.html


def test_a_single_department_renders(tmp_path):
    staff = [STAFF[0], ["E1", "Kim", "Planning", None, None, None, None],
             ["E2", "Lee", "Planning", None, None, None, None]]
    book = small(tmp_path, [[D(2025, 4, 2), "E1", "E2", 100, "thanks"]],
                 departments=[DEPARTMENTS[0], ["Planning", "Head office"]], staff=staff)
    res = api.report(book, "2025-04", as_of=AS_OF)
    assert res.meeting.figure("collaborations").value == 0
    assert res.meeting.rejected == 1
    assert [b.rule for b in res.meeting.broken] == ["same-department"]
    assert [u.department for u in res.meeting.uptake] == ["Planning"]


def test_ties_across_the_commendation_line_are_marked(tmp_path):
    log = [[D(2025, 4, 2), "E1", "E2", 100, "thanks"], [D(2025, 4, 2), "E2", "E4", 100, "ok"],
           [D(2025, 4, 3), "E4", "E1", 100, "good"], [D(2025, 4, 3), "E3", "E5", 100, "yes"],
           [D(2025, 4, 4), "E5", "E3", 100, "fine"]]
    res = api.report(small(tmp_path, log), "2025-04", as_of=AS_OF)
    assert [p.rank for p in res.meeting.people] == [1, 1, 1, 1, 1]
    assert all(p.tie for p in res.meeting.people)
    assert res.html.count("tie across the line: the office decides") >= 5


def test_the_command_writes_the_page_and_says_so(tmp_path):
    book = tmp_path / "사무소.xlsx"
    shutil.copyfile(EXAMPLES / "example-office-ko.xlsx", book)
    before = book.read_bytes()
    out = CliRunner().invoke(cli, ["report", str(book), "--period", "2025-H1", "--as-of",
                                   "2025-07-01", "-o", str(tmp_path / "보고서.html"), "-q"])
    assert out.exit_code == 0, out.output
    assert out.output == f"2025-H1 보고서를 {tmp_path / '보고서.html'}에 썼습니다.\n"
    assert book.read_bytes() == before
    bad = CliRunner().invoke(cli, ["report", str(book), "--period", "2025-H1", "-o",
                                   str(tmp_path / "r.txt"), "-q", "--lang", "en"])
    assert bad.exit_code == 2
    assert bad.output.endswith("the report is written to a file ending .html / .htm\n")
    assert not (tmp_path / "r.txt").exists()


def test_without_a_browser_pdf_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("COLLABSHEET_BROWSER", raising=False)
    book = tmp_path / "office.xlsx"
    shutil.copyfile(EXAMPLES / "example-office-en.xlsx", book)
    out = CliRunner().invoke(cli, ["report", str(book), "--period", "2025-H1", "--as-of",
                                   "2025-07-01", "-o", str(tmp_path / "r.html"), "--pdf",
                                   str(tmp_path / "r.pdf"), "-q"])
    assert out.exit_code == 2
    assert "no headless browser to print the PDF: install Chromium (Debian or Ubuntu: " \
           "apt-get install chromium)" in out.output
    assert (tmp_path / "r.html").exists() and not (tmp_path / "r.pdf").exists()


def _korean_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True).stdout
    return bool(listed.strip())


needs_browser = pytest.mark.skipif(
    browser.find() is None or shutil.which("pdftotext") is None or not _korean_font(),
    reason="no headless Chromium, pdftotext or Korean font (CI installs chromium, "
           "poppler-utils and fonts-nanum)")


@needs_browser
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_printed_in_a_real_browser_it_fits_two_a4_pages(tmp_path, lang):
    book = tmp_path / "office.xlsx"
    shutil.copyfile(EXAMPLES / f"example-office-{lang}.xlsx", book)
    pdf = tmp_path / "report.pdf"
    res = api.report(book, "2025-H1", as_of=AS_OF, html=tmp_path / "report.html", pdf=pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 1 <= pages <= 2
    width, height = (float(x) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)",
                                                 info).groups())
    assert abs(width - 595) < 2 and abs(height - 842) < 2
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    for number in ("1,784", "27,745", "1,395", "1,037.5", "3,855"):
        assert number in text
    if lang == "ko":
        for words in ("2025년 상반기", "표창 대상", "부서별 참여율", "체육건강과", "윤정우"):
            assert words in text
    png = tmp_path / "report.png"
    browser.screenshot(res.html, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("COLLABSHEET_DOCS") and lang == "ko":
        shutil.copyfile(png, ROOT / "docs" / "report.png")


def test_a_google_sheet_gives_the_same_page_as_its_xlsx(tmp_path, monkeypatch):
    from fake_sheets import FakeSheets, service_key, xlsx_tabs

    book = EXAMPLES / "example-office-ko.xlsx"
    with FakeSheets(seed=7) as server:
        monkeypatch.setenv("COLLABSHEET_SHEETS_API", server.url)
        monkeypatch.setenv("COLLABSHEET_CREDENTIALS",
                           str(service_key(tmp_path / "key.json", f"{server.url}/token")))
        server.add_book("officeSheet0001", xlsx_tabs(book),
                        {"collabsheet@office.iam.gserviceaccount.com": "reader"})
        before = server.books["officeSheet0001"].sheets[:]
        online = api.report("gsheet:officeSheet0001", "2025-H1", as_of=AS_OF)
        assert server.books["officeSheet0001"].sheets == before
    local = api.report(book, "2025-H1", as_of=AS_OF)
    assert parsed(online.html).found == parsed(local.html).found
    assert online.meeting.people == local.meeting.people
