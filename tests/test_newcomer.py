"""Templates, init, demo, the example office, and the CLI reference."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import collabsheet
from collabsheet.cli import cli
from collabsheet.example import build, workbook_bytes
from collabsheet.templates import template_bytes

ROOT = Path(__file__).resolve().parent.parent


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_templates_match_the_generator(lang):
    assert (ROOT / "templates" / f"collabsheet-{lang}.xlsx").read_bytes() == template_bytes(lang)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_examples_match_the_generator(lang):
    assert (ROOT / "examples" / f"example-office-{lang}.xlsx").read_bytes() == \
        workbook_bytes(build()[lang])


def test_template_validation_and_names(tmp_path):
    path = tmp_path / "t.xlsx"
    invoke("init", str(path))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Staff", "Departments", "Moves", "Log", "Special",
                             "Rules", "My points"]
    assert set(wb.defined_names) == {"StaffIDs", "DepartmentNames"}
    assert wb.defined_names["StaffIDs"].attr_text == \
        "OFFSET('Staff'!$A$2,0,0,MAX(1,COUNTA('Staff'!$A:$A)-1),1)"
    log = {(v.type, v.formula1, str(v.sqref)) for v in wb["Log"].data_validations.dataValidation}
    assert log == {("list", "=StaffIDs", "B2:C1048576"),
                   ("whole", "'Rules'!$B$6", "D2:D1048576"),
                   ("date", "36526", "A2:A1048576")}
    assert ("list", "=DepartmentNames") in {
        (v.type, v.formula1) for v in wb["Staff"].data_validations.dataValidation}
    assert wb["Log"].freeze_panes == "A2"
    rules = {r[0]: r[1] for r in wb["Rules"].iter_rows(min_row=2, values_only=True)}
    assert rules["monthly_allowance"] == "200" and rules["sent_weight"] == "0.5"
    # no placeholder rows: a row named after a group would rank as a department
    assert [r for r in wb["Departments"].iter_rows(values_only=True)] == [("Department", "Group")]
    [groups] = wb["Departments"].data_validations.dataValidation
    assert (groups.type, groups.formula1, str(groups.sqref)) == (
        "list", '"Head office,Support offices and affiliated institutions"', "B2:B1048576")
    assert groups.showErrorMessage is False  # an office may define any number of groups
    assert (groups.showInputMessage, groups.prompt) == (
        True, "Pick a ranking group, or type the name of another.")


def test_korean_template_offers_the_groups_in_korean(tmp_path):
    path = tmp_path / "t.xlsx"
    invoke("init", str(path), "--lang", "ko")
    ws = openpyxl.load_workbook(path)["부서"]
    assert [r for r in ws.iter_rows(values_only=True)] == [("부서", "그룹")]
    [groups] = ws.data_validations.dataValidation
    assert (groups.formula1, str(groups.sqref)) == ('"본청,교육지원청 및 직속기관"', "B2:B1048576")


@pytest.mark.parametrize("lang,staff,log", [("en", "Staff", "Log"), ("ko", "직원", "기록")])
def test_init_validates_then_ranks_after_rows_are_added(tmp_path, lang, staff, log):
    path = tmp_path / "new.xlsx"
    code, out, _ = invoke("init", str(path), "--lang", lang)
    assert code == 0 and out == {
        "en": f"Created {path} (en). Fill Staff and Departments, then the Log.\n",
        "ko": f"{path}을(를) 만들었습니다. 직원, 부서 탭을 채운 뒤 기록 탭에 입력하세요.\n"}[lang]
    code, _, _ = invoke("validate", str(path), "--as-of", "2025-07-01")
    assert code == 0
    wb = openpyxl.load_workbook(path)
    departments = wb[wb.sheetnames[2]]
    groups = departments.data_validations.dataValidation[0].formula1.strip('"').split(",")
    departments.append(["Planning", groups[0]])  # as the admin picks from the dropdown
    departments.append(["Schools", groups[1]])
    wb[staff].append(["A1", "Ahn", "Planning"])
    wb[staff].append(["B1", "Baek", "Schools"])
    wb[log].append([dt.datetime(2025, 3, 4, 9), "A1", "B1", 50, "thanks"])
    wb.save(path)
    code, out, _ = invoke("rank", str(path), "--period", "2025-Q1", "--as-of", "2025-07-01",
                          "--format", "json")
    assert code == 0
    assert '"id": "B1", "name": "Baek"' in out and '"score": 50' in out


def test_init_never_overwrites(tmp_path):
    path = tmp_path / "office.xlsx"
    path.write_bytes(b"precious")
    code, _, err = invoke("init", str(path))
    assert code == 2
    assert err == f"Error: {path} already exists; collabsheet init never overwrites a file\n"
    assert path.read_bytes() == b"precious"


def test_demo_in_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("demo")
    assert code == 0
    assert out.splitlines()[-2:] == [
        "Open collabsheet-demo.xlsx: the result tabs are Validation, Ledger, People, "
        "Departments ranking, Commendations, Summary, Signals.",
        "The meeting report for 2025-H1 is collabsheet-demo-report.html."]
    page = (tmp_path / "collabsheet-demo-report.html").read_text(encoding="utf-8")
    assert "Collaboration points: 2025 first half" in page and "27,745" in page
    assert openpyxl.load_workbook(tmp_path / "collabsheet-demo.xlsx").sheetnames[-7:] == [
        "Validation", "Ledger", "People", "Departments ranking", "Commendations", "Summary",
        "Signals"]
    code, _, _ = invoke("demo")
    assert code == 0  # the demo file itself is replaced
    (tmp_path / "mine.xlsx").write_bytes(b"x")
    code, _, err = invoke("demo", "mine.xlsx")
    assert code == 2 and "already exists" in err
    (tmp_path / "yours-report.html").write_text("mine")
    code, _, err = invoke("demo", "yours.xlsx")
    assert code == 2 and "yours-report.html" in err and "already exists" in err
    assert not (tmp_path / "yours.xlsx").exists()


def test_example_headline_figures():
    res = collabsheet.rank(ROOT / "examples" / "example-office-en.xlsx", "2025-H1",
                           as_of=dt.date(2025, 7, 1))
    stats = res.report.stats
    assert (stats.rows, stats.accepted, stats.rejected) == (1869, 1784, 85)
    r = res.results
    assert int(r.summary.iloc[-1]["points"]) == 27745
    assert list(r.summary["month"]) == ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
                                        "total"]  # no month before the scheme's start
    assert [(p.id, r.score(p.score)) for p in r.commended_people.itertuples()] == [
        ("E1649", 1395), ("E1366", 1037.5), ("E1177", 937.5)]
    assert {g: [(d.department, r.score(d.score)) for d in c.itertuples()]
            for g, c in r.commended_departments.items()} == {
        "Head office": [("Sports and Health", 3855), ("Student Life", 3827.5),
                        ("Education Policy", 3060)],
        "Support offices and affiliated institutions": [
            ("South District Office", 2670), ("West District Office", 2352.5),
            ("Education Museum", 2115)]}
    ko = collabsheet.rank(ROOT / "examples" / "example-office-ko.xlsx", "2025-H1",
                          as_of=dt.date(2025, 7, 1)).results
    assert [p.id for p in ko.commended_people.itertuples()] == ["E1649", "E1366", "E1177"]


def test_cli_reference_is_current():
    gen = runpy.run_path(str(ROOT / "docs" / "gen_cli.py"))
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == gen["reference"]()


def test_every_command_has_an_example():
    for name, command in cli.commands.items():
        assert "Example:" in (command.help or ""), name


def test_cli_demo_default_is_the_library_demo_name():
    import sys

    from collabsheet import api, cli

    assert cli.DEMO_NAME == api.DEMO_NAME
    code = ("import sys, collabsheet.cli, collabsheet.sources.prefetch; "
            "print('pandas' in sys.modules)")
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
