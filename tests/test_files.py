"""The office's files as offices keep them: tabs owned by mark, --output, symlinks, read-only
and changed workbooks, SIGTERM, stale temporary files, and the formats collabsheet writes."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook
from fake_sheets import FakeSheets, service_key, xlsx_tabs

from collabsheet.cli import cli
from collabsheet.sources import marks

D = dt.date
LOG = [[D(2025, 4, 2), "E1", "E2", 10, "thanks"], [D(2025, 4, 3), "E1", "E1", 5, "again"]]
RUN = ["--period", "2025-04", "--as-of", "2025-05-10"]
RESULTS = ["Validation", "Ledger", "People", "Departments ranking", "Commendations", "Summary",
           "Signals"]
ROOT = Path(__file__).resolve().parents[1]


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def office(path: Path, **extra: list[list[object]]) -> Path:
    return write_workbook(path, {"Staff": STAFF, "Departments": DEPARTMENTS,
                                 "Log": [LOG_HEADER, *LOG], **extra})


def mark_of(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return marks.owned_titles(zf.read("docProps/custom.xml").decode())


# ----- ownership by mark ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Summary", "people", "요약"])
def test_an_office_tab_with_a_result_tabs_name_is_never_touched(tmp_path, name):
    path = office(tmp_path / "office.xlsx", **{name: [["our own notes"], ["keep me"]]})
    before = path.read_bytes()
    code, out, err = invoke("run", str(path), *RUN)
    assert code == 2 and out == ""
    assert err == (f"Error: office.xlsx: the tab {name!r} has the name of a result tab but "
                   "collabsheet did not make it, so nothing was written; rename that tab (or "
                   "delete it if it is an old result tab), or write the results elsewhere with "
                   "--output RESULTS.xlsx\n")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.xlsx"]


def test_the_name_clash_as_json_names_the_tab(tmp_path):
    path = office(tmp_path / "office.xlsx", Signals=[["notes"]])
    code, out, _ = invoke("validate", str(path), "--as-of", "2025-05-10", "--write",
                          "--format", "json")
    assert code == 2
    assert '"rule": "foreign-tab"' in out and '"tab": "Signals"' in out


def test_tabs_collabsheet_wrote_are_marked_and_replaced_on_the_next_run(tmp_path):
    path = office(tmp_path / "office.xlsx")
    assert invoke("run", str(path), *RUN)[0] == 1
    assert mark_of(path) == RESULTS
    first = path.read_bytes()
    assert invoke("run", str(path), *RUN)[0] == 1
    assert path.read_bytes() == first
    assert invoke("run", str(path), *RUN, "--lang", "ko")[0] == 1
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Staff", "Departments", "Log"] and len(wb.sheetnames) == 10
    assert "요약" in wb.sheetnames and "Summary" not in wb.sheetnames
    assert "요약" in mark_of(path) and "Summary" not in mark_of(path)


def test_a_renamed_result_tab_becomes_the_offices(tmp_path):
    path = office(tmp_path / "office.xlsx")
    invoke("run", str(path), *RUN)
    wb = openpyxl.load_workbook(path)
    wb["Summary"].title = "Summary April"
    wb.save(path)
    code, _, err = invoke("run", str(path), *RUN)
    assert code == 1, err
    wb = openpyxl.load_workbook(path)
    assert "Summary April" in wb.sheetnames and "Summary" in wb.sheetnames
    assert "Summary April" not in mark_of(path)


def test_the_mark_survives_a_libreoffice_save_and_keeps_the_offices_properties(tmp_path):
    soffice = "soffice"
    if subprocess.run(["which", soffice], capture_output=True).returncode:
        pytest.skip("LibreOffice is not installed")
    path = office(tmp_path / "office.xlsx")
    wb = openpyxl.load_workbook(path)
    from openpyxl.packaging.custom import StringProperty

    wb.custom_doc_props.append(StringProperty(name="Owner", value="총무과"))
    wb.save(path)
    invoke("run", str(path), *RUN)
    out = tmp_path / "lo"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                    str(path)], check=True, capture_output=True, timeout=120)
    saved = out / "office.xlsx"
    assert mark_of(saved) == RESULTS
    code, _, err = invoke("run", str(saved), *RUN)
    assert code == 1, err
    props = {p.name: p.value for p in openpyxl.load_workbook(saved).custom_doc_props}
    assert props["Owner"] == "총무과"


# ----- --output -------------------------------------------------------------------------------

def test_output_to_a_new_workbook_leaves_the_office_untouched(tmp_path):
    path = office(tmp_path / "office.xlsx")
    before = path.read_bytes()
    target = tmp_path / "results.xlsx"
    code, out, _ = invoke("run", str(path), *RUN, "--output", str(target))
    assert code == 1
    assert out.splitlines()[-1] == f"Wrote {', '.join(RESULTS)} into {target}."
    assert path.read_bytes() == before
    assert openpyxl.load_workbook(target).sheetnames == RESULTS
    assert mark_of(target) == RESULTS
    first = target.read_bytes()
    assert invoke("run", str(path), *RUN, "--output", str(target))[0] == 1
    assert target.read_bytes() == first


def test_output_into_an_existing_workbook_keeps_its_tabs(tmp_path):
    path = office(tmp_path / "office.xlsx")
    target = write_workbook(tmp_path / "archive.xlsx", {"Notes": [["mine"], ["also mine"]]})
    code, out, _ = invoke("validate", str(path), "--as-of", "2025-05-10", "-o", str(target))
    assert code == 1
    assert out.splitlines()[-1] == f"Wrote Validation, Signals into {target}."
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["Notes", "Validation", "Signals"]
    assert [c.value for c in wb["Notes"]["A"]] == ["mine", "also mine"]


def test_output_must_be_xlsx_or_a_google_sheet(tmp_path):
    path = office(tmp_path / "office.xlsx")
    code, _, err = invoke("grant", str(path), "--as-of", "2025-05-10", "--output",
                          str(tmp_path / "r.csv"))
    assert code == 2
    assert err == (f"Error: {tmp_path / 'r.csv'}: results go into an .xlsx file or a Google "
                   "Sheet (gsheet:ID); give a name ending in .xlsx\n")


def test_output_to_a_google_sheet(tmp_path, monkeypatch):
    path = office(tmp_path / "office.xlsx")
    email = "collabsheet@office.iam.gserviceaccount.com"
    with FakeSheets() as fake:
        monkeypatch.setenv("COLLABSHEET_SHEETS_API", fake.url)
        monkeypatch.setenv("COLLABSHEET_CREDENTIALS",
                           str(service_key(tmp_path / "key.json", f"{fake.url}/token")))
        fake.add_book("resultsSheet01", {"Notes": [["ours"]], "People": [["not theirs"]]},
                      {email: "writer"})
        code, _, err = invoke("rank", str(path), "--period", "2025-04", "--as-of",
                              "2025-05-10", "--output", "gsheet:resultsSheet01")
        assert code == 2 and "the tab 'People' has the name of a result tab" in err
        assert [s.title for s in fake.books["resultsSheet01"].sheets] == ["Notes", "People"]
        fake.tab("resultsSheet01", "People").title = "People (old)"
        code, _, err = invoke("rank", str(path), "--period", "2025-04", "--as-of",
                              "2025-05-10", "--output", "gsheet:resultsSheet01")
        assert code == 0, err
        book = fake.books["resultsSheet01"]
        assert [s.title for s in book.sheets] == ["Notes", "People (old)", "People",
                                                  "Departments ranking", "Commendations",
                                                  "Summary"]
        assert [m["metadataValue"] for s in book.sheets for m in s.metadata] == [
            "people", "departments", "commendations", "summary"]
        assert fake.violations == []
        code, _, err = invoke("rank", str(path), "--period", "2025-04", "--as-of",
                              "2025-05-10", "--output", "gsheet:resultsSheet01")
        assert code == 0, err
        assert len(book.sheets) == 6
    assert "docProps/custom.xml" not in zipfile.ZipFile(path).namelist()


def test_an_office_tab_on_a_google_sheet_is_never_replaced(tmp_path, monkeypatch):
    tabs = xlsx_tabs(office(tmp_path / "same.xlsx"))
    tabs["Validation"] = [["the office's own validation notes"]]
    email = "collabsheet@office.iam.gserviceaccount.com"
    with FakeSheets() as fake:
        monkeypatch.setenv("COLLABSHEET_SHEETS_API", fake.url)
        monkeypatch.setenv("COLLABSHEET_CREDENTIALS",
                           str(service_key(tmp_path / "key.json", f"{fake.url}/token")))
        fake.add_book("officeSheet0001", tabs, {email: "writer"})
        code, _, err = invoke("run", "gsheet:officeSheet0001", *RUN)
        assert code == 2
        assert err == ("Error: gsheet:officeSheet0001: the tab 'Validation' has the name of a "
                       "result tab but collabsheet did not make it, so nothing was written; "
                       "rename that tab (or delete it if it is an old result tab), or write the "
                       "results elsewhere with --output RESULTS.xlsx\n")
        assert [c.method for c in fake.api_calls()] == ["GET", "GET"]
        assert fake.tab("officeSheet0001", "Validation").values == [
            ["the office's own validation notes"]]


# ----- files as editors treat them ------------------------------------------------------------

def test_a_symlinked_workbook_is_written_through_to_its_target(tmp_path):
    (tmp_path / "shared").mkdir()
    real = office(tmp_path / "shared" / "office.xlsx")
    link = tmp_path / "office.xlsx"
    link.symlink_to(real)
    code, _, err = invoke("validate", str(link), "--as-of", "2025-05-10", "--write")
    assert code == 1, err
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert "Validation" in openpyxl.load_workbook(real).sheetnames
    assert sorted(p.name for p in real.parent.iterdir()) == ["office.xlsx"]


def test_a_read_only_workbook_is_refused(tmp_path):
    path = office(tmp_path / "office.xlsx")
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        code, _, err = invoke("run", str(path), *RUN)
    finally:
        path.chmod(0o644)
    assert code == 2
    assert err == ("Error: office.xlsx is read-only, so nothing was written; make it writable, "
                   "or write the results elsewhere with --output RESULTS.xlsx\n")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.xlsx"]


def test_a_workbook_changed_during_the_run_is_not_overwritten(tmp_path, monkeypatch):
    """The office saves the workbook while collabsheet computes: that save is kept."""
    from collabsheet import scores

    path = office(tmp_path / "office.xlsx")
    real = scores.score_period

    def while_scoring(*args, **kwargs):  # type: ignore[no-untyped-def]
        wb = openpyxl.load_workbook(path)
        wb["Log"].append([D(2025, 4, 20), "E2", "E4", 30, "saved meanwhile"])
        wb.save(path)
        return real(*args, **kwargs)

    monkeypatch.setattr("collabsheet.api.score_period", while_scoring)
    code, _, err = invoke("run", str(path), *RUN)
    assert code == 2
    assert err == ("Error: office.xlsx changed while collabsheet ran (someone saved it, or a "
                   "sync client updated it); nothing was written; run again\n")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Staff", "Departments", "Log"]
    assert wb["Log"].max_row == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.xlsx"]


def test_a_changed_file_of_the_same_size_and_time_is_caught_by_its_checksum(tmp_path):
    from collabsheet.sources.filesafe import seen

    path = tmp_path / "f.bin"
    path.write_bytes(b"a" * 1000)
    first = seen(path)
    stat = path.stat()
    path.write_bytes(b"b" * 1000)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert seen(path) != first and seen(path).size == first.size


def test_stale_temporary_files_of_a_killed_run_are_removed_by_the_next(tmp_path):
    path = office(tmp_path / "office.xlsx")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".office.xlsx.collabsheet-{dead.pid}-abcd1234.tmp"
    stale.write_bytes(b"half a workbook")
    live = tmp_path / f".office.xlsx.collabsheet-{os.getppid()}-efgh5678.tmp"
    live.write_bytes(b"another run, still going")
    old = tmp_path / ".office.xlsx.k2j4h5g6.tmp"
    old.write_bytes(b"left by an older collabsheet")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert invoke("validate", str(path), "--as-of", "2025-05-10", "--write")[0] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "office.xlsx"]


SIGTERM_CHILD = """
import sys, time
from collabsheet import api
from collabsheet.sources import package
real = package._plan
def slow(*a, **k):
    out = real(*a, **k)
    print("writing", flush=True)
    time.sleep(30)
    return out
package._plan = slow
from collabsheet.cli import main
sys.argv = ["collabsheet", "run", sys.argv[1], "--period", "2025-04", "--as-of", "2025-05-10"]
main()
"""


def test_sigterm_during_the_write_leaves_the_workbook_and_nothing_else(tmp_path):
    path = office(tmp_path / "office.xlsx")
    before = path.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", SIGTERM_CHILD, str(path)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "writing\n"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.strip().splitlines()[-1] == "Error: interrupted; the workbook was not changed"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.xlsx"]


# ----- formats --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["x.csv", "y.ods", "z"])
def test_init_makes_xlsx_only(tmp_path, name):
    code, _, err = invoke("init", str(tmp_path / name))
    assert code == 2
    assert err == (f"Error: {tmp_path / name}: a new workbook is an .xlsx file; give a name "
                   "ending in .xlsx\n")
    assert list(tmp_path.iterdir()) == []


def test_an_ods_is_read_but_not_written_into(tmp_path):
    soffice = "soffice"
    if subprocess.run(["which", soffice], capture_output=True).returncode:
        pytest.skip("LibreOffice is not installed")
    path = office(tmp_path / "office.xlsx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "ods", "--outdir", str(tmp_path), str(path)], check=True,
                   capture_output=True, timeout=120)
    ods = tmp_path / "office.ods"
    before = ods.read_bytes()
    assert invoke("validate", str(ods), "--as-of", "2025-05-10")[0] == 1
    code, _, err = invoke("validate", str(ods), "--as-of", "2025-05-10", "--write")
    assert code == 2
    assert err == ("Error: office.ods is an OpenDocument spreadsheet (.ods); collabsheet can "
                   "read it but writes .xlsx only: save it as .xlsx (Excel 2007-365) and run "
                   "again, or write the results elsewhere with --output RESULTS.xlsx\n")
    assert ods.read_bytes() == before
    code, _, _ = invoke("validate", str(ods), "--as-of", "2025-05-10",
                        "--output", str(tmp_path / "results.xlsx"))
    assert code == 1 and ods.read_bytes() == before


def test_the_mark_joins_custom_properties_an_xlsxwriter_file_already_has(tmp_path):
    import xlsxwriter

    path = tmp_path / "office.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for title, rows in {"Staff": STAFF, "Departments": DEPARTMENTS,
                        "Log": [LOG_HEADER, *LOG]}.items():
        sheet = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day),
                                         book.add_format({"num_format": "yyyy-mm-dd"}))
                elif value is not None:
                    sheet.write(r, c, value)
    book.set_custom_property("Owner", "총무과")
    book.set_custom_property("Checked", True)
    book.close()
    assert invoke("run", str(path), *RUN)[0] == 1
    props = {p.name: p.value for p in openpyxl.load_workbook(path).custom_doc_props}
    assert props["Owner"] == "총무과" and props["Checked"] is True
    assert mark_of(path) == RESULTS
    with zipfile.ZipFile(path) as zf:
        assert zf.read("_rels/.rels").count(b"custom-properties") == 1
    assert invoke("run", str(path), *RUN)[0] == 1
