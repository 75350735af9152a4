"""The rule catalogue: every id collabsheet emits is declared once and worded from there;
`collabsheet rules` lists it; docs/rules.md is generated from it; input errors carry their id."""

from __future__ import annotations

import csv
import io
import json
import re
import runpy
from pathlib import Path

from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook

import collabsheet
from collabsheet.catalogue import BY_ID, RULES
from collabsheet.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "\n".join(p.read_text(encoding="utf-8")
                   for p in sorted((ROOT / "collabsheet").rglob("*.py")))


def test_every_rule_is_fully_declared():
    assert len(BY_ID) == len(RULES)
    for r in RULES:
        assert r.severity in ("error", "warning"), r.id
        assert r.title["en"] and r.title["ko"] and r.description and r.tab and r.section
        assert r.messages["en"], r.id
    section7 = ("date unknown-person not-on-staff self same-department points message "
                "pair-limit allowance duplicate departments missing-tab missing-column "
                "duplicate-id unknown-department bad-rule").split()
    assert set(section7) <= set(BY_ID)


def test_every_id_and_variant_the_code_names_is_in_the_catalogue():
    emitted = set(re.findall(r'RowRule\("([a-z-]+)"', SOURCE))
    said = set(re.findall(r'say\("([a-z-]+)", "(\w+)"', SOURCE))
    raised = set(re.findall(r'rule="([a-z-]+)"', SOURCE))
    assert emitted and said and raised
    assert emitted | {rid for rid, _ in said} | raised <= set(BY_ID)
    for rid, variant in said:
        assert variant in BY_ID[rid].messages["en"], (rid, variant)
    literal = set(re.findall(r'Violation\([^)]*?"([a-z]+-[a-z-]+)"', SOURCE))
    assert "sealed-changed" in literal and literal <= set(BY_ID)


def test_the_example_office_emits_only_catalogued_ids():
    report = collabsheet.validate(ROOT / "examples" / "example-office-en.xlsx",
                                  as_of=collabsheet_date())
    found = {v.rule for v in report.violations}
    assert found <= set(BY_ID)
    assert {"unknown-person", "same-department", "pair-limit", "allowance", "message"} <= found
    for v in report.violations:
        assert v.severity == BY_ID[v.rule].severity


def collabsheet_date():
    import datetime as dt

    return dt.date(2025, 7, 1)


def test_rules_command_text_json_and_csv():
    runner = CliRunner()
    text = runner.invoke(cli, ["rules"])
    assert text.exit_code == 0
    lines = text.output.splitlines()
    assert lines[0].split() == ["Rule", "Severity", "Tab", "Section", "Title"]
    assert lines[2].split()[:2] == ["date", "error"]
    assert lines[-1] == (f"{len(RULES)} rules. collabsheet rules --format json gives each "
                         "one's description.")
    data = json.loads(runner.invoke(cli, ["rules", "--format", "json"]).output)
    assert [r["id"] for r in data["rules"]] == [r.id for r in RULES]
    assert data["rules"][0] == {
        "id": "date", "severity": "error", "tab": "Log, Special, Staff, Moves",
        "section": "3.1", "title": "Not a usable date",
        "description": BY_ID["date"].description}
    made = runner.invoke(cli, ["rules", "--format", "csv"]).output
    assert made.startswith("\ufeffid,severity,")
    plain = runner.invoke(cli, ["rules", "--format", "csv", "--no-bom"]).output
    assert plain == made[1:]
    rows = list(csv.reader(io.StringIO(plain)))
    assert rows[0] == ["id", "severity", "tab", "section", "title", "description"]
    assert rows[1][:5] == ["date", "error", "Log, Special, Staff, Moves", "3.1",
                           "Not a usable date"]
    ko = json.loads(runner.invoke(cli, ["rules", "--format", "json", "--lang", "ko"]).output)
    assert ko["rules"][0]["title"] == "날짜 오류"
    ko_text = runner.invoke(cli, ["rules", "--lang", "ko"]).output.splitlines()
    assert ko_text[0].split() == ["규칙", "심각도", "탭", "절", "제목"]
    assert "날짜 오류" in ko_text[2]
    assert ko_text[-1] == (f"규칙 {len(RULES)}개. 각 규칙의 설명은 collabsheet rules --format json "
                           "으로 볼 수 있습니다.")


def test_docs_rules_page_is_generated_from_the_catalogue():
    gen = runpy.run_path(str(ROOT / "docs" / "gen_rules.py"))
    page = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == gen["page"](page)
    for r in RULES:
        assert f"| `{r.id}` | {r.severity} |" in page
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/rules.md)" in readme and "../shared/" not in readme


def test_a_missing_tab_is_one_json_error_with_its_id(tmp_path):
    path = write_workbook(tmp_path / "o.xlsx", {"Staff": STAFF, "Departments": DEPARTMENTS})
    r = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2025-07-01",
                                 "--format", "json"])
    assert r.exit_code == 2
    message = ("o.xlsx has no Log tab (looked for: Log, 기록, Form Responses 1, 설문지 응답 "
               "시트1); its tabs are: Staff, Departments")
    assert json.loads(r.stdout) == {"error": {"rule": "missing-tab", "tab": "Log",
                                              "column": None, "message": message}}
    assert r.stderr == f"Error: {message}\n"


def test_a_missing_column_is_one_json_error_with_its_id(tmp_path):
    log = [["Date", "From", "To", "Message"]]
    path = write_workbook(tmp_path / "o.xlsx", {"Staff": STAFF, "Departments": DEPARTMENTS,
                                                 "Log": log})
    r = CliRunner().invoke(cli, ["rank", str(path), "--period", "2025-04", "--as-of",
                                 "2025-07-01", "--format", "json"])
    assert r.exit_code == 2
    error = json.loads(r.stdout)["error"]
    assert error == {"rule": "missing-column", "tab": "Log", "column": "Points",
                     "message": "Log tab: no 'Points' column in row 1; accepted headers: "
                                "Points, 포인트 (found: 'Date', 'From', 'To', 'Message')"}
    text = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2025-07-01"])
    assert text.exit_code == 2 and text.stdout == ""
    assert text.stderr == f"Error: {error['message']}\n"
    assert LOG_HEADER[3] == "Points"
