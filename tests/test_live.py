"""The live My points tab and the Log's marks, computed by a real spreadsheet engine
(LibreOffice, recalculating every formula on load) on the example office, against what
collabsheet computes: the ledger's grants, the rows as typed, validate's verdicts."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.formula.translate import Translator

from collabsheet import api, live, months
from collabsheet.cli import cli
from collabsheet.ledger import ledger
from collabsheet.sheetref import quote_sheet
from collabsheet.templates import build_template

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "example-office-en.xlsx"
AS_OF = dt.date(2025, 7, 1)
TABS = live.Tabs(staff="Staff", log="Log", rules="Rules")
MARK_COLUMN = 11  # K: the first column right of the Log's own
RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>"""


def recalculated(path: Path, tmp: Path) -> openpyxl.Workbook:
    """``path`` opened by LibreOffice with every formula recalculated, saved, read back."""
    profile = tmp / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC)
    out = tmp / "out"
    subprocess.run(["soffice", "--headless", "--norestore",
                    f"-env:UserInstallation=file://{profile}", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    return openpyxl.load_workbook(out / path.name, data_only=True)


def _cases(ev) -> list[tuple[str, dt.date]]:
    """People and months worth checking: the busiest sender of two months, a sender with
    rejected rows, a joiner in and before their joining month, a leaver, nobody sending."""
    log, staff = ev.verdicts.log, ev.verdicts.staff
    ids = staff["id"].to_numpy(dtype=object)
    out = []
    for code in (months.code(2025, 2), months.code(2025, 4)):
        sent = log[(log["month"] == code) & log["sender"].notna()]
        busiest = int(sent.groupby("sender")["points"].sum().idxmax())
        out.append((ids[busiest], months.last_day(code).date()))
    bad = log[~log["accepted"] & log["sender"].notna() & log["month"].notna()].iloc[0]
    out.append((ids[int(bad["sender"])], months.last_day(int(bad["month"])).date()))
    joiner = staff[staff["joined"].notna()].iloc[0]
    joined = joiner["joined"].date()
    out += [(joiner["id"], joined), (joiner["id"], joined.replace(day=1) + dt.timedelta(
        days=40))]
    leaver = staff[staff["left"].notna()].iloc[0]
    out.append((leaver["id"], leaver["left"].date() + dt.timedelta(days=20)))
    quiet = sorted(set(staff["id"]) - set(log["from"].dropna()))[0]
    out.append((quiet, dt.date(2025, 3, 9)))
    return out


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice (soffice): CI installs libreoffice-calc")
    tmp = tmp_path_factory.mktemp("live")
    _, ev = api.evaluate(EXAMPLE, AS_OF)
    cases = _cases(ev)
    wb = openpyxl.load_workbook(EXAMPLE)
    for k, (pid, day) in enumerate(cases):
        ws = wb.create_sheet(f"Me{k}")
        ws["B3"], ws["B4"] = pid, day
        for cells in (live.my_points(TABS), live.list_cells(TABS, "B", 17),
                      live.list_cells(TABS, "C", 35)):
            for ref, formula in cells.items():
                ws[ref] = formula
    log = wb["Log"]
    for j, formula in enumerate(live.marks(TABS).values()):
        letter = openpyxl.utils.get_column_letter(MARK_COLUMN + j)
        for r in range(2, log.max_row + 1):
            log[f"{letter}{r}"] = Translator("=" + formula, origin=f"{letter}2"
                                             ).translate_formula(f"{letter}{r}")
    path = tmp / "office.xlsx"
    wb.save(path)
    return ev, cases, recalculated(path, tmp)


def test_my_points_computes_the_ledgers_grant_and_the_rows_as_typed(computed):
    ev, cases, wb = computed
    frame = ledger(ev.verdicts)
    log = ev.verdicts.log
    for k, (pid, day) in enumerate(cases):
        ws = wb[f"Me{k}"]
        code = months.of_date(day)
        person = int(ev.verdicts.staff.index[ev.verdicts.staff["id"] == pid][0])
        row = frame[(frame["person"] == person) & (frame["month_code"] == code)]
        granted = int(row["granted"].iloc[0]) if len(row) else 0
        typed = log[(log["sender"] == person) & (log["month"] == code)]
        got = [ws[c].value for c in ("B10", "B11", "B12", "B13")]
        assert got[0] == granted, (pid, day)
        assert got[1] == typed["points"].sum(), (pid, day)
        assert got[2] == granted - typed["points"].sum()
        received = log[(log["receiver"] == person) & (log["month"] == code)]["points"].sum()
        assert got[3] == received
        if typed["accepted"].all():
            assert got[1] == (int(row["sent"].iloc[0]) if len(row) else 0)
        assert ws["B6"].value == ev.verdicts.staff.loc[person, "name"]
        listed = [ws.cell(r, 8).value for r in range(17, 17 + live.LISTED)]
        assert [r for r in listed if r] == sorted(typed["row"])[:live.LISTED]
        for r in range(17, 17 + min(len(typed), live.LISTED)):
            colleague = ws.cell(r, 2).value
            count = int((typed["to"] == colleague).sum())
            assert ws.cell(r, 6).value == f"{count} / 2"
        got_in = [ws.cell(r, 8).value for r in range(35, 35 + live.LISTED)]
        rows_in = log[(log["receiver"] == person) & (log["month"] == code)]["row"]
        assert [r for r in got_in if r] == sorted(rows_in)[:live.LISTED]


def test_one_case_has_sends_a_rejected_row_and_a_joiner_gets_nothing_before_joining(computed):
    ev, cases, wb = computed
    values = [wb[f"Me{k}"]["B10"].value for k in range(len(cases))]
    assert values[3] == 0 and values[4] == 200  # joined mid-month: from the next 1st
    assert wb["Me0"]["B11"].value > 0 and wb["Me6"]["B11"].value == 0


def _marked(wb, j: int) -> set[int]:
    log = wb["Log"]
    return {r for r in range(2, log.max_row + 1) if log.cell(r, MARK_COLUMN + j).value is True}


def test_the_logs_marks_agree_with_validate(computed):
    """Exactly for same department, message, unknown ID and date. For the pair limit and the
    allowance the marks count every earlier row as typed, validate only the accepted ones: the
    marks include every row validate rejects for them, and each extra mark follows an earlier
    rejected row of the same sender (and receiver) in the month."""
    ev, _cases, wb = computed
    log = ev.verdicts.log.set_index("row")
    for j, key in enumerate(live.marks(TABS)):
        flagged = {v.row for v in ev.report.violations if v.rule == key and v.tab == "Log"}
        marked = _marked(wb, j)
        if key in ("pair-limit", "allowance"):
            assert flagged <= marked, key
            for r in marked - flagged:
                row = log.loc[r]
                earlier = log[(log["sender"] == row["sender"]) & (log["month"] == row["month"])
                              & ((log["when"] < row["when"]) | ((log["when"] == row["when"])
                                                                & (log.index < r)))]
                if key == "pair-limit":
                    earlier = earlier[earlier["receiver"] == row["receiver"]]
                assert (~earlier["accepted"]).any(), (key, r)
        else:
            assert marked == flagged, key
    assert all(_marked(wb, j) for j in range(len(live.marks(TABS))))


def test_the_template_carries_the_tested_formulas():
    for lang in ("en", "ko"):
        wb = build_template(lang)
        ws = wb[live.TITLE[lang]]
        titles = {"en": ("Staff", "Log", "Rules"), "ko": ("직원", "기록", "규칙")}[lang]
        t = live.Tabs(*titles)
        for ref, formula in {**live.my_points(t), **live.list_cells(t, "B", 17),
                             **live.list_cells(t, "C", 35)}.items():
            assert ws[ref].value == formula
        log = wb[titles[1]]
        rules = [r for cf in log.conditional_formatting for r in cf.rules]
        assert [r.formula[0] for r in rules] == list(live.marks(t).values())
        guide = wb.worksheets[0]
        assert any("collabsheet validate" in str(c.value) for c in guide["A"][-8:])


def test_no_user_text_is_ever_part_of_a_formula():
    """Formulas are made of quoted tab titles and constants; what people type (IDs, months)
    is only ever referred to (B3, B4, the Log's cells)."""
    tricky = live.Tabs(staff="직원's tab", log='=HYPERLINK("x")', rules="R!1")
    cells = [*live.my_points(tricky).values(), *live.list_cells(tricky, "B", 17).values(),
             *live.marks(tricky).values()]
    for formula in cells:
        rest = formula
        for title in (tricky.staff, tricky.log, tricky.rules):
            rest = rest.replace(quote_sheet(title) + "!", "")
        assert "HYPERLINK" not in rest and "직원" not in rest and "R!1" not in rest


def test_init_no_live_leaves_them_out(tmp_path):
    out = CliRunner().invoke(cli, ["init", str(tmp_path / "plain.xlsx"), "--no-live"])
    assert out.exit_code == 0, out.output
    plain = openpyxl.load_workbook(tmp_path / "plain.xlsx")
    assert "My points" not in plain.sheetnames
    assert not list(plain["Log"].conditional_formatting)
    out = CliRunner().invoke(cli, ["init", str(tmp_path / "live.xlsx")])
    assert out.exit_code == 0
    with zipfile.ZipFile(tmp_path / "live.xlsx") as zf:
        assert any("conditionalFormatting" in zf.read(n).decode("utf-8", "replace")
                   for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "My points" in openpyxl.load_workbook(tmp_path / "live.xlsx").sheetnames


def test_a_log_past_the_live_size_is_said(tmp_path, monkeypatch):
    monkeypatch.setattr(live, "LIVE_ROWS", 3)
    path = tmp_path / "office.xlsx"
    CliRunner().invoke(cli, ["init", str(path)])
    wb = openpyxl.load_workbook(path)
    wb["Staff"].append(["E1", "Kim", "Planning"])
    wb["Staff"].append(["E2", "Lee", "Finance"])
    wb["Departments"].append(["Planning", "Head office"])
    wb["Departments"].append(["Finance", "Head office"])
    for day, (a, b) in enumerate([("E1", "E2"), ("E2", "E1")] * 2, start=1):
        wb["Log"].append([dt.datetime(2025, 4, day), a, b, 10, "thanks"])
    wb.save(path)
    out = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2025-05-01"])
    assert out.exit_code == 0, out.output
    assert "live-size" in out.output
    assert ("the Log has 4 rows but the My points tab and the Log's marks look at the first 3 "
            "only") in out.output
    del wb["My points"]
    wb.save(path)
    out = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2025-05-01"])
    assert "My points" not in out.output
