"""Google Sheets through the real gspread library, over HTTP, against tests/fake_sheets.py."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook
from fake_sheets import FakeSheets, service_key, xlsx_tabs

import collabsheet
from collabsheet.cli import cli
from collabsheet.errors import SourceError
from collabsheet.sources.gsheets import Access, GSheetSource

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "collabsheet@office.iam.gserviceaccount.com"
SID = "officeSheet0001"
D = dt.date
LOG = [[D(2025, 4, 2), "E1", "E2", 100, "thanks"], [D(2025, 4, 3), "E1", "E4", 150, "more"],
       [D(2025, 4, 4), "E1", "E1", 5, '=HYPERLINK("http://x","y")']]


@pytest.fixture
def fake(tmp_path, monkeypatch):
    with FakeSheets() as server:
        monkeypatch.setenv("COLLABSHEET_SHEETS_API", server.url)
        server.key = service_key(tmp_path / "key.json", f"{server.url}/token")
        monkeypatch.setenv("COLLABSHEET_CREDENTIALS", str(server.key))
        yield server


def office_tabs(tmp_path: Path, log: list[list[object]] = LOG) -> dict[str, list[list[object]]]:
    path = write_workbook(tmp_path / "same.xlsx", {"Staff": STAFF, "Departments": DEPARTMENTS,
                                                    "Log": [LOG_HEADER, *log]})
    return xlsx_tabs(path)


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_validate_matches_the_xlsx_of_the_same_data(fake, tmp_path):
    tabs = xlsx_tabs(ROOT / "examples" / "example-office-en.xlsx")
    fake.add_book(SID, tabs, {EMAIL: "reader"})
    code, out, _ = invoke("validate", f"gsheet:{SID}", "--as-of", "2025-07-01", "--format", "json")
    code_x, out_x, _ = invoke("validate", str(ROOT / "examples" / "example-office-en.xlsx"),
                              "--as-of", "2025-07-01", "--format", "json")
    assert code == code_x == 1
    sheet, book = json.loads(out), json.loads(out_x)
    assert sheet["stats"] == book["stats"] and sheet["violations"] == book["violations"]
    assert fake.violations == []


def test_url_form_and_request_count_do_not_grow_with_size(fake, tmp_path):
    small = office_tabs(tmp_path)
    big_log = [[D(2025, 4, 1) + dt.timedelta(days=i % 28), "E1", "E4", 1, f"m{i}"]
               for i in range(100_000)]
    fake.add_book(SID, small, {EMAIL: "reader"})
    big = dict(small)
    big["Log"] = [LOG_HEADER] + [[45748.0 + (i % 28), "E1", "E4", 1, f"m{i}"]
                                 for i in range(len(big_log))]
    fake.add_book("bigSheet00001", big, {EMAIL: "reader"})
    url = f"https://docs.google.com/spreadsheets/d/{SID}/edit#gid=0"
    invoke("validate", url, "--as-of", "2025-07-01")
    small_calls = len(fake.api_calls())
    fake.calls.clear()
    invoke("validate", "gsheet:bigSheet00001", "--as-of", "2025-07-01")
    assert small_calls == len(fake.api_calls()) == 2
    assert [c.path for c in fake.api_calls()] == ["/v4/spreadsheets/bigSheet00001",
                                                  "/v4/spreadsheets/bigSheet00001/values:batchGet"]
    assert fake.api_calls()[1].query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert fake.api_calls()[1].query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]


def test_rank_write_raw_and_swapped_in(fake, tmp_path):
    fake.add_book(SID, office_tabs(tmp_path), {EMAIL: "writer"})
    code, _, err = invoke("run", f"gsheet:{SID}", "--period", "2025-04", "--as-of", "2025-05-10")
    assert code == 1, err
    titles = [s.title for s in sorted(fake.books[SID].sheets, key=lambda s: s.index)]
    assert titles == ["Staff", "Departments", "Log", "Validation", "Ledger", "People",
                      "Departments ranking", "Commendations", "Summary", "Signals"]
    calls = fake.api_calls()
    assert [c.path.rsplit("/", 1)[-1] for c in calls] == [
        SID, "values:batchGet", f"{SID}:batchUpdate", SID, "values:batchUpdate",
        f"{SID}:batchUpdate"]  # read; lock and hidden tabs, no rival run, values, swap
    assert all(c.body["valueInputOption"] == "RAW" for c in calls if
               c.path.endswith("values:batchUpdate"))
    assert fake.violations == []
    people = fake.tab(SID, "People").values
    assert people[0] == ["People · April 2025, as of 2025-05-10"]
    assert people[1][:4] == ["Rank", "ID", "Name", "Department"]
    assert people[2][:2] == [1, "E2"]
    assert fake.tab(SID, "People").frozen == 2  # the heading and the header stay in view
    # idempotent: the same tabs, replaced whole
    before = {s.title: s.values for s in fake.books[SID].sheets}
    invoke("run", f"gsheet:{SID}", "--period", "2025-04", "--as-of", "2025-05-10")
    assert {s.title: s.values for s in fake.books[SID].sheets} == before


@pytest.mark.parametrize("attack", ["=cmd|' /C calc'!A0", "+cmd", "-1+1", "@SUM(A1)"])
def test_formula_text_stays_text(fake, tmp_path, attack):
    tabs = office_tabs(tmp_path, [[D(2025, 4, 3), "placeholder", "E2", 5, "x"]])
    tabs["Log"][1][1] = attack  # text in the sheet, as a user could type it
    fake.add_book(SID, tabs, {EMAIL: "writer"})
    invoke("validate", f"gsheet:{SID}", "--as-of", "2025-05-10", "--write")
    validation = fake.tab(SID, "Validation").values
    assert validation[2][2] == attack
    body = next(c.body for c in fake.api_calls() if c.path.endswith("values:batchUpdate"))
    assert body["valueInputOption"] == "RAW"


def test_values_split_into_requests_of_at_most_2_mb(fake, tmp_path):
    log = [[45748.0 + (i % 20), "E1", "E1", 5, "x" * 40] for i in range(40_000)]
    tabs = office_tabs(tmp_path)
    tabs["Log"] = [LOG_HEADER, *log]
    fake.add_book(SID, tabs, {EMAIL: "writer"})
    invoke("validate", f"gsheet:{SID}", "--as-of", "2025-07-01", "--write")
    sizes = [len(json.dumps(c.body).encode()) for c in fake.api_calls()
             if c.path.endswith("values:batchUpdate")]
    assert len(sizes) >= 2 and max(sizes) <= 2_000_000
    assert len(fake.tab(SID, "Validation").values) == 40_002  # heading, header, rows


def test_not_shared_names_the_account(fake, tmp_path):
    fake.add_book(SID, office_tabs(tmp_path), {})
    code, _, err = invoke("validate", f"gsheet:{SID}", "--as-of", "2025-07-01")
    assert code == 2
    assert err == (f"Error: the sheet {SID} is not shared with {EMAIL}; share it with that "
                   "address (Viewer to check, Editor to --write)\n")


def test_missing_sheet_and_read_only_write(fake, tmp_path):
    code, _, err = invoke("validate", "gsheet:noSuchSheet0001", "--as-of", "2025-07-01")
    assert (code, err) == (2, "Error: no Google Sheet with id noSuchSheet0001 (check the id or "
                              "URL)\n")
    fake.add_book(SID, office_tabs(tmp_path), {EMAIL: "reader"})
    code, _, err = invoke("validate", f"gsheet:{SID}", "--as-of", "2025-07-01", "--write")
    assert code == 2
    assert err == (f"Error: {EMAIL} may read but not edit the sheet {SID}; share it with that "
                   "address as Editor to use --write\n")
    assert [s.title for s in fake.books[SID].sheets] == ["Staff", "Departments", "Log"]


def test_credentials_errors_and_no_key_in_output(fake, tmp_path, monkeypatch):
    monkeypatch.delenv("COLLABSHEET_CREDENTIALS")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    code, _, err = invoke("validate", f"gsheet:{SID}")
    assert code == 2 and err.startswith("Error: no Google credentials: give --credentials")
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    code, _, err = invoke("validate", f"gsheet:{SID}", "--credentials", str(bad))
    assert err == (f"Error: credentials file {bad} cannot be read as a service-account key (a "
                   "JSON file from Google Cloud with client_email and private_key)\n")
    secret = json.loads(fake.key.read_text())["private_key"].splitlines()[5]
    for args in (["validate", f"gsheet:{SID}"], ["--debug", "validate", f"gsheet:{SID}"],
                 ["--debug", "rank", f"gsheet:{SID}", "--period", "2025", "--write"]):
        r = CliRunner().invoke(cli, [*args, "--credentials", str(fake.key)])
        assert secret not in r.output and "PRIVATE KEY" not in r.output
        assert "tok:" not in r.output


def test_retries_429_with_retry_after_then_succeeds(fake, tmp_path):
    fake.add_book(SID, office_tabs(tmp_path), {EMAIL: "reader"})
    fake.faults += [{"status": 429, "retry_after": "7"}, {"status": 500}, {"drop": True},
                    {"delay": 0.2}]
    waits: list[float] = []
    source = GSheetSource(SID, Access(), sleep=waits.append)
    report = collabsheet.validate(source, as_of=D(2025, 7, 1))
    assert report.stats.rows == 3
    assert len(waits) == 3 and waits[0] >= 7
    assert 0.5 <= waits[1] <= 2 and 1 <= waits[2] <= 4


def test_gives_up_after_seven_tries(fake, tmp_path):
    fake.add_book(SID, office_tabs(tmp_path), {EMAIL: "reader"})
    fake.faults += [{"status": 503}] * 7
    waits: list[float] = []
    with pytest.raises(SourceError, match="kept answering 503 after 7 tries"):
        collabsheet.validate(GSheetSource(SID, Access(), sleep=waits.append),
                             as_of=D(2025, 7, 1))
    assert len(waits) == 6 and len(fake.api_calls()) == 7


def test_failed_write_leaves_no_half_result(fake, tmp_path):
    fake.add_book(SID, office_tabs(tmp_path), {EMAIL: "writer"})
    source = GSheetSource(SID, Access(), sleep=lambda s: None)
    collabsheet.rank(source, "2025-04", as_of=D(2025, 5, 10), write=True)
    before = {s.title: [list(r) for r in s.values] for s in fake.books[SID].sheets}

    original = fake._values_update

    def fail(book, body):  # the values write breaks after the temporary tabs exist
        return 500, {"error": {"code": 500, "message": "boom", "status": "INTERNAL"}}

    fake._values_update = fail
    with pytest.raises(SourceError, match="kept answering 500"):
        collabsheet.rank(GSheetSource(SID, Access(), sleep=lambda s: None), "2025-04",
                         as_of=D(2025, 5, 10), write=True)
    after = {s.title: s.values for s in fake.books[SID].sheets
             if not s.title.startswith("collabsheet-new-")}
    assert after == before
    fake._values_update = original
    collabsheet.rank(GSheetSource(SID, Access(), sleep=lambda s: None), "2025-04",
                     as_of=D(2025, 5, 10), write=True)
    assert not any(s.title.startswith("collabsheet-new-") for s in fake.books[SID].sheets)


def test_ten_million_cell_limit(fake, tmp_path):
    book = fake.add_book(SID, office_tabs(tmp_path), {EMAIL: "writer"})
    book.sheets[2].rows, book.sheets[2].cols = 1_000_000, 10
    code, _, err = invoke("rank", f"gsheet:{SID}", "--period", "2025-04", "--as-of",
                          "2025-05-10", "--write")
    assert code == 2
    assert "Google Sheets allows 10,000,000 in all. Nothing was written" in err
    assert len(fake.books[SID].sheets) == 3


def test_form_responses_tab_named_in_rules(fake, tmp_path):
    tabs = office_tabs(tmp_path)
    del tabs["Log"]
    tabs["Answers"] = [["Timestamp", "Email Address", "To", "Points", "Message"],
                       [45749.4, "e1@office.kr", "E2", 20, "thanks"],
                       [45749.5, "e9@gmail.com", "E2", 20, "thanks"]]
    tabs["Rules"] = [["Rule", "Value"], ["log_tab", "Answers"]]
    fake.add_book(SID, tabs, {EMAIL: "reader"})
    report = collabsheet.validate(f"gsheet:{SID}", as_of=D(2025, 7, 1))
    assert [(v.tab, v.row, v.rule) for v in report.violations] == [
        ("Answers", 3, "unknown-person")]
    assert len(fake.api_calls()) == 3  # the named tab costs one more batchGet


def test_without_gspread_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "gspread", None)
    code, _, err = invoke("validate", "gsheet:whatever00001")
    assert (code, err) == (2, "Error: Google Sheets support needs gspread: pip install "
                              "'collabsheet[gsheets]'\n")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_init_puts_my_points_and_the_marks_on_a_google_sheet(fake, lang):
    """The same formulas as the .xlsx template: My points' cells written USER_ENTERED, the
    marks as conditional format rules with other tabs reached through INDIRECT."""
    from collabsheet import live
    from collabsheet.templates import build_template

    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"})
    code, _, err = invoke("init", f"gsheet:{SID}", "--lang", lang)
    assert code == 0, err
    assert fake.violations == []
    wb = build_template(lang)
    mine = wb[live.TITLE[lang]]
    tab = fake.tab(SID, live.TITLE[lang])
    for row in mine.iter_rows():
        for c in row:
            got = tab.values[c.row - 1][c.column - 1] if c.row <= len(tab.values) and \
                c.column <= len(tab.values[c.row - 1]) else ""
            assert got == ("" if c.value is None else c.value), c.coordinate
    formulas = [v for line in tab.values for v in line if isinstance(v, str) and
                v.startswith("=")]
    assert formulas and all(type(v).__name__ == "Formula" for v in formulas)
    titles = {"en": ("Staff", "Log", "Rules"), "ko": ("직원", "기록", "규칙")}[lang]
    t = live.Tabs(*titles)
    log = fake.tab(SID, titles[1])
    rules = [f["addConditionalFormatRule"]["rule"] for f in log.formats
             if "addConditionalFormatRule" in f]
    assert [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in rules] == [
        "=" + live.for_google(f, t) for f in live.marks(t).values()]
    for f in live.marks(t).values():
        outside = re.sub(r'INDIRECT\("(?:[^"]|"")*"\)', "", live.for_google(f, t))
        assert "!" not in outside  # every other tab reached through INDIRECT
    hidden = [f for f in tab.formats if "updateDimensionProperties" in f]
    assert hidden[0]["updateDimensionProperties"]["range"]["startIndex"] == 7


def test_init_live_adds_only_my_points_and_the_marks_to_an_offices_sheet(fake, tmp_path):
    from collabsheet import live

    office = {"직원 명단": STAFF, "Departments": DEPARTMENTS,
              "Log": [LOG_HEADER, [dt.date(2025, 4, 2), "E1", "E2", 10, "thanks"]]}
    path = write_workbook(tmp_path / "office.xlsx", office)
    fake.add_book(SID, xlsx_tabs(path), {EMAIL: "writer"})
    before = {s.title: [list(r) for r in s.values] for s in fake.books[SID].sheets}
    code, out, err = invoke("init", "--live", f"gsheet:{SID}")
    assert code == 0, err
    assert out == f"Added My points to gsheet:{SID}, and marks on its Log.\n"
    assert fake.violations == []
    after = {s.title: [list(r) for r in s.values] for s in fake.books[SID].sheets}
    assert {t: v for t, v in after.items() if t in before} == before
    mine = fake.tab(SID, "My points")
    t = live.Tabs(staff="직원 명단", log="Log", rules="Rules")
    assert mine.values[9][1] == live.my_points(t)["B10"]
    rules = [f["addConditionalFormatRule"]["rule"] for f in fake.tab(SID, "Log").formats
             if "addConditionalFormatRule" in f]
    assert len(rules) == len(live.marks(t))
    code, _, err = invoke("init", "--live", f"gsheet:{SID}")
    assert code == 2 and "has a My points tab already; nothing was added" in err
    code, out, err = invoke("init", "--live", str(path))
    assert code == 0 and out == f"Added My points to {path}, and marks on its Log.\n", err


def test_init_no_live_on_a_google_sheet(fake):
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"})
    code, _, err = invoke("init", f"gsheet:{SID}", "--no-live")
    assert code == 0, err
    assert "My points" not in [s.title for s in fake.books[SID].sheets]
    assert not any("addConditionalFormatRule" in f for s in fake.books[SID].sheets
                   for f in s.formats)


@pytest.mark.parametrize("lang,log,departments,groups", [
    ("en", "Log", "Departments", ["Head office", "Support offices and affiliated institutions"]),
    ("ko", "기록", "부서", ["본청", "교육지원청 및 직속기관"])])
def test_init_on_an_empty_google_sheet(fake, lang, log, departments, groups):
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"})
    code, out, err = invoke("init", f"gsheet:{SID}", "--lang", lang)
    assert code == 0, err
    titles = [s.title for s in fake.books[SID].sheets]
    assert log in titles and len(titles) == 9  # Sheet1, the template's seven, My points
    rules = [f["setDataValidation"]["rule"]["condition"]["type"]
             for f in fake.tab(SID, log).formats if "setDataValidation" in f]
    assert sorted(rules) == ["DATE_IS_VALID", "NUMBER_BETWEEN", "ONE_OF_RANGE"]
    # the Departments tab: its header only, and the groups as the Group column's dropdown
    dept = fake.tab(SID, departments)
    assert [row for row in dept.values if any(row)] == [dept.values[0]]
    [dropdown] = [f["setDataValidation"] for f in dept.formats if "setDataValidation" in f]
    assert dropdown["range"] == {"sheetId": dept.sheet_id, "startRowIndex": 1,
                                 "startColumnIndex": 1, "endColumnIndex": 2}
    assert dropdown["rule"]["condition"] == {
        "type": "ONE_OF_LIST", "values": [{"userEnteredValue": g} for g in groups]}
    assert dropdown["rule"]["strict"] is False and dropdown["rule"]["showCustomUi"] is True
    assert fake.violations == []
    code, _, _ = invoke("validate", f"gsheet:{SID}", "--as-of", "2025-07-01")
    assert code == 0
    code, _, err = invoke("init", f"gsheet:{SID}", "--lang", lang)
    assert code == 2 and ("already has data" if lang == "en" else "이미 데이터가 있습니다") in err
