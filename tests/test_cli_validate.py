"""The validate command: exit codes, exact messages, JSON and CSV, and --write."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from click.testing import CliRunner

from collabsheet.cli import cli

D = dt.date
GOOD = [[D(2025, 4, 2), "E1", "E2", 10, "thanks"]]
BAD = [[D(2025, 4, 2), "E1", "E2", 10, "thanks"], [D(2025, 4, 3), "E1", "E1", 5, "again"]]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_valid_exits_0(make_book):
    code, out, _ = run("validate", str(make_book(GOOD)), "--as-of", "2025-07-15")
    assert code == 0
    assert out.strip() == ("office.xlsx: valid. Log rows: 1, accepted 1, rejected 0, with "
                           "warnings 0; 0 error(s), 0 warning(s) in all tabs.")


def test_violations_exit_1_with_table(make_book):
    code, out, _ = run("validate", str(make_book(BAD)), "--as-of", "2025-07-15")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == ["Tab", "Row", "Column", "Rule", "Severity", "Problem"]
    assert "Log  3    To      self  error     E1 (Kim) sends points to themselves; choose a " \
           "colleague" in out
    assert lines[-1] == ("office.xlsx: NOT valid. Log rows: 2, accepted 1, rejected 1, "
                         "with warnings 0; 1 error(s), 0 warning(s) in all tabs.")


def test_json_shape(make_book):
    code, out, _ = run("validate", str(make_book(BAD)), "--as-of", "2025-07-15", "--format",
                       "json")
    assert code == 1
    data = json.loads(out)
    assert data["valid"] is False
    assert data["stats"] == {"rows": 2, "accepted": 1, "rejected": 1, "warnings": 0}
    assert data["violations"] == [{
        "tab": "Log", "row": 3, "column": "To", "rule": "self", "severity": "error",
        "value": "E1", "message": "E1 (Kim) sends points to themselves; choose a colleague"}]


def test_csv_neutralizes_formulas(make_book):
    bad = [[D(2025, 4, 3), "E1", "E1", 5, "x"], [D(2025, 4, 3), "@SUM(A1)", "E2", 5, "y"]]
    code, out, _ = run("validate", str(make_book(bad)), "--as-of", "2025-07-15", "--format", "csv")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "\ufefftab,row,column,rule,severity,value,message"
    assert lines[2] == ("Log,3,From,unknown-person,error,'@SUM(A1),"
                        "From '@SUM(A1)' is not an email in Staff")


def test_missing_file_exits_2(tmp_path):
    code, out, err = run("validate", str(tmp_path / "none.xlsx"))
    assert code == 2 and out == ""
    assert err == f"Error: {tmp_path / 'none.xlsx'}: no such file\n"


def test_missing_tab_exits_2_one_line(make_book):
    code, _, err = run("validate", str(make_book(Staff=None)), "--as-of", "2025-07-15")
    assert code == 2
    assert err == ("Error: office.xlsx has no Staff tab (looked for: Staff, 직원, 직원 명단); "
                   "its tabs are: Departments, Log\n")


def test_bad_as_of_is_usage_error(make_book):
    code, _, err = run("validate", str(make_book(GOOD)), "--as-of", "15/07/2025")
    assert code == 2
    assert "'15/07/2025' is not a date in the form YYYY-MM-DD" in err


def test_debug_shows_traceback(tmp_path):
    code, _, err = run("--debug", "validate", str(tmp_path / "none.xlsx"))
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().endswith("no such file")


def test_no_traceback_without_debug(tmp_path):
    code, _, err = run("validate", str(tmp_path / "none.xlsx"))
    assert "Traceback" not in err


def test_write_adds_validation_tab_and_keeps_office_tabs(make_book):
    path = make_book(BAD)
    before = parts(path)
    code, out, _ = run("validate", str(path), "--as-of", "2025-07-15", "--write")
    assert code == 1 and out.splitlines()[-1] == f"Wrote Validation, Signals into {path}."
    after = parts(path)
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
                 "xl/worksheets/sheet3.xml", "docProps/core.xml"):
        assert after[name] == before[name]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Staff", "Departments", "Log", "Validation", "Signals"]
    ws = wb["Validation"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Validation · April to July 2025, as of 2025-07-15", *[None] * 8)
    assert rows[1] == ("Row", "Date", "From", "To", "Points", "Severity", "Rules", "Problem",
                       "Points left before")
    assert rows[2] == (3, dt.datetime(2025, 4, 3), "E1", "E1", 5, "error", "self",
                       "E1 (Kim) sends points to themselves; choose a colleague", None)
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:I3"
    assert ws["A3"].hyperlink.location == "'Log'!A3"
    # run twice: same file, byte for byte
    snapshot = path.read_bytes()
    run("validate", str(path), "--as-of", "2025-07-15", "--write")
    assert path.read_bytes() == snapshot


@pytest.mark.parametrize("attack", ['=HYPERLINK("http://x","y")', "+cmd", "-1+1", "@SUM(A1)"])
def test_text_that_looks_like_a_formula_stays_text(make_book, attack):
    path = make_book([[D(2025, 4, 3), "placeholder", "E1", 5, "x"]])
    wb = openpyxl.load_workbook(path)
    wb["Log"]["B2"].value = attack
    wb["Log"]["B2"].data_type = "s"
    wb.save(path)
    code, _, _ = run("validate", str(path), "--as-of", "2025-07-15", "--write")
    assert code == 1
    ws = openpyxl.load_workbook(path)["Validation"]
    assert ws["C3"].data_type == "s" and ws["C3"].value == attack
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet4.xml").decode()
    assert "<f>" not in xml
    assert f"<t>{escape(attack)}</t>" in xml


def test_refuses_when_open_in_excel(make_book):
    path = make_book(BAD)
    (path.parent / "~$office.xlsx").write_text("lock")
    before = path.read_bytes()
    code, _, err = run("validate", str(path), "--as-of", "2025-07-15", "--write")
    assert code == 2
    assert err == ("Error: office.xlsx seems to be open in Excel or LibreOffice "
                   "(~$office.xlsx exists); close it first, or use --force\n")
    assert path.read_bytes() == before
    code, _, _ = run("validate", str(path), "--as-of", "2025-07-15", "--write", "--force")
    assert code == 1 and "Validation" in openpyxl.load_workbook(path).sheetnames


def test_failed_write_leaves_file_untouched(make_book, monkeypatch):
    from collabsheet.sources import package

    path = make_book(BAD)
    before = path.read_bytes()

    def boom(*a: object, **k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(package, "_copy", boom)
    code, _, err = run("validate", str(path), "--as-of", "2025-07-15", "--write")
    assert code == 2
    assert err == "Error: office.xlsx: cannot be written (disk full); it was left as it was\n"
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["office.xlsx"]


def test_python_m_entry_point(make_book):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "collabsheet", "validate", str(make_book(GOOD)),
                          "--as-of", "2025-07-15"], capture_output=True, text=True)
    assert out.returncode == 0 and "valid" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "collabsheet", "rank", str(make_book(GOOD)),
                          "--period", "2025-H3"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("Error: ") and len(bad.stderr.splitlines()) == 1
    usage = subprocess.run([sys.executable, "-m", "collabsheet", "nope"], capture_output=True,
                           text=True)
    assert usage.returncode == 2 and "No such command 'nope'" in usage.stderr
