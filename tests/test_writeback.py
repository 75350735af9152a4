"""Write-back never touches the office's parts: images, charts, comments, validation,
conditional formats, tables and defined names survive `run` twice byte for byte."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import fastexcel
import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF

from collabsheet.cli import cli

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def rich_office(path: Path) -> Path:
    """An office workbook as Excel users make them, built with xlsxwriter."""
    wb = xlsxwriter.Workbook(str(path))
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    staff = wb.add_worksheet("Staff")
    for r, row in enumerate(STAFF):
        for c, v in enumerate(row):
            if isinstance(v, dt.date):
                staff.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date)
            elif v is not None:
                staff.write(r, c, v)
    staff.add_table(0, 0, len(STAFF) - 1, len(STAFF[0]) - 1,
                    {"name": "StaffTable", "header_row": True,
                     "columns": [{"header": h} for h in STAFF[0]]})
    staff.write_comment("B2", "Head of planning")
    staff.insert_image("J2", "logo.png", {"image_data": __import__("io").BytesIO(PNG)})
    depts = wb.add_worksheet("Departments")
    for r, row in enumerate(DEPARTMENTS):
        depts.write_row(r, 0, row)
    depts.data_validation("B2:B50", {"validate": "list",
                                     "source": ["Head office", "Support offices"]})
    log = wb.add_worksheet("Log")
    log.write_row(0, 0, LOG_HEADER)
    rows = [[dt.datetime(2025, 4, 2), "E1", "E2", 100, "thanks"],
            [dt.datetime(2025, 4, 3), "E4", "E1", 30, "help"],
            [dt.datetime(2025, 4, 4), "E1", "E1", 5, "self"]]
    for r, row in enumerate(rows, start=1):
        log.write_datetime(r, 0, row[0], date)
        log.write_row(r, 1, row[1:])
    log.conditional_format("D2:D100", {"type": "cell", "criteria": ">", "value": 50,
                                       "format": wb.add_format({"bg_color": "#FFC7CE"})})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=Log!$B$2:$B$4", "values": "=Log!$D$2:$D$4"})
    log.insert_chart("H2", chart)
    wb.define_name("Points", "=Log!$D$2:$D$100")
    wb.define_name("Log!LocalName", "=Log!$A$1")
    wb.close()
    return path


def office_parts(path: Path) -> dict[str, bytes]:
    """Every part that belongs to the office's tabs (not workbook-level lists, nor the
    package's list of relationships and custom properties, where the mark goes)."""
    skip = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
            "xl/styles.xml", "_rels/.rels", "docProps/custom.xml"}
    with zipfile.ZipFile(path) as zf:
        ours = _our_parts(zf)
        return {n: zf.read(n) for n in zf.namelist() if n not in skip and n not in ours}


def _our_parts(zf: zipfile.ZipFile) -> set[str]:
    from collabsheet.sources.opc import sheet_parts

    parts = sheet_parts(zf)
    office = {"Staff", "Departments", "Log"}
    ours = {p for t, p in parts.items() if t not in office}
    rels = {p.replace("worksheets/", "worksheets/_rels/") + ".rels" for p in ours}
    return ours | rels | _our_drawings(zf, ours)


def _our_drawings(zf: zipfile.ZipFile, sheets: set[str]) -> set[str]:
    out = set()
    for s in sheets:
        rels = s.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels not in zf.namelist():
            continue
        for target in re.findall(r'Target="\.\./drawings/([^"]+)"', zf.read(rels).decode()):
            d = f"xl/drawings/{target}"
            out |= {d, f"xl/drawings/_rels/{target}.rels"}
            for chart in re.findall(r'Target="\.\./charts/([^"]+)"',
                                    zf.read(f"xl/drawings/_rels/{target}.rels").decode()):
                out.add(f"xl/charts/{chart}")
    return out


def run(path: Path) -> int:
    return CliRunner().invoke(cli, ["run", str(path), "--period", "2025-04", "--as-of",
                                    "2025-05-10"]).exit_code


def test_office_parts_survive_two_runs(tmp_path):
    path = rich_office(tmp_path / "rich.xlsx")
    before = office_parts(path)
    assert any(n.startswith("xl/media/") for n in before)
    assert any(n.startswith("xl/charts/") for n in before)
    assert any(n.startswith("xl/tables/") for n in before)
    assert any("comments" in n for n in before)
    with zipfile.ZipFile(path) as zf:
        names_before = re.search(r"<definedNames>.*</definedNames>",
                                 zf.read("xl/workbook.xml").decode()).group()
    assert run(path) == 1
    first = path.read_bytes()
    assert run(path) == 1
    assert path.read_bytes() == first
    after = office_parts(path)
    assert after == before
    with zipfile.ZipFile(path) as zf:
        names_after = re.search(r"<definedNames>.*</definedNames>",
                                zf.read("xl/workbook.xml").decode()).group()
    # the office's names as they were, then each result tab's rows to print atop its pages
    ours = [(at, title, rows) for at, (title, rows) in enumerate(
        [("Validation", 2), ("Ledger", 2), ("People", 2), ("Departments ranking", 2),
         ("Commendations", 1), ("Summary", 1), ("Signals", 2)], start=3)]
    assert names_after == names_before.replace("</definedNames>", "".join(
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{at}">\'{title}\'!$1:${rows}'
        "</definedName>" for at, title, rows in ours) + "</definedNames>")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Staff", "Departments", "Log", "Validation", "Ledger", "People",
                             "Departments ranking", "Commendations", "Summary", "Signals"]
    assert wb["Staff"]["B2"].comment.text.startswith("Head of planning")
    assert "StaffTable" in wb["Staff"].tables
    assert wb["Departments"].data_validations.dataValidation[0].formula1 == \
        '"Head office,Support offices"'
    assert "Points" in wb.defined_names
    reader = fastexcel.read_excel(str(path))
    assert reader.sheet_names[-1] == "Signals"
    people = reader.load_sheet_by_name("People", header_row=1)  # below the heading
    assert people.height == 6  # E7 does not take part


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_result_opens_in_libreoffice(tmp_path):
    path = rich_office(tmp_path / "rich.xlsx")
    run(path)
    out = subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "pdf",
                          "--outdir", str(tmp_path), str(path)], capture_output=True,
                         text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "rich.pdf").stat().st_size > 1000


def test_killed_during_write_leaves_original(tmp_path):
    path = rich_office(tmp_path / "rich.xlsx")
    original = path.read_bytes()
    script = (
        "import os, signal, sys\n"
        "from collabsheet.sources import package\n"
        "real = package._copy\n"
        "count = [0]\n"
        "def dying(zin, zout, info):\n"
        "    count[0] += 1\n"
        "    if count[0] == 5:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    real(zin, zout, info)\n"
        "package._copy = dying\n"
        "from collabsheet.cli import main\n"
        "sys.argv = ['collabsheet', 'run', sys.argv[1], '--period', '2025-04', '--as-of', "
        "'2025-05-10']\n"
        "main()\n")
    proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert proc.returncode == -9
    assert path.read_bytes() == original
    assert run(path) == 1  # the next run works and replaces nothing of the office's


def _tab() -> object:
    from collabsheet.resulttab import Column, ResultTab, Table

    return ResultTab("people", "People", [Table([Column("ID"), Column("Score", "score")],
                                                [["E1", "E2"], [12.5, 3]])])


def test_an_aborted_writer_changes_nothing(tmp_path):
    from collabsheet.sources.package import PackageWriter

    path = rich_office(tmp_path / "office.xlsx")
    before = path.read_bytes()
    writer = PackageWriter(path)
    writer.add(_tab())
    writer.abort()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.xlsx"]


def test_a_workbook_saved_while_the_writer_works_is_not_overwritten(tmp_path):
    from collabsheet.errors import WriteRefused
    from collabsheet.sources.package import PackageWriter

    path = rich_office(tmp_path / "office.xlsx")
    writer = PackageWriter(path)
    writer.add(_tab())
    wb = openpyxl.load_workbook(path)
    wb["Staff"]["A1"].font = openpyxl.styles.Font(italic=True, size=17)
    wb.save(path)
    saved = path.read_bytes()
    with pytest.raises(WriteRefused, match=r"^office.xlsx changed while collabsheet ran"):
        writer.commit()
    writer.abort()
    assert path.read_bytes() == saved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.xlsx"]


def test_large_tabs_are_deflated_and_written_in_the_order_asked(tmp_path):
    """Sheets over 1 MB are deflated by the writer (ISA-L where installed); tabs made in any
    order land in the order given to commit, each with every row."""
    from collabsheet.resulttab import Column, ResultTab, Table
    from collabsheet.sources.package import PackageWriter

    n = 60_000
    big = ResultTab("ledger", "Ledger", [Table(
        [Column("ID"), Column("Sent", "int"), Column("Note")],
        [[f"E{i}" for i in range(n)], list(range(n)), [f"<&> row {i}" for i in range(n)]])])
    path = rich_office(tmp_path / "office.xlsx")
    writer = PackageWriter(path)
    writer.add(_tab())
    writer.add(big)
    writer.commit(order=["Ledger", "People"])
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        ledger_part = next(i for i in zf.infolist() if i.file_size > 1 << 20)
        assert ledger_part.compress_type == zipfile.ZIP_DEFLATED
    names = fastexcel.read_excel(path).sheet_names
    assert names[-2:] == ["Ledger", "People"]
    rows = fastexcel.read_excel(path).load_sheet_by_name("Ledger").to_pandas()
    assert len(rows) == n
    assert rows.iloc[n - 1].tolist() == [f"E{n - 1}", n - 1, f"<&> row {n - 1}"]
