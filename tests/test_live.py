"""The live My points tab and the Log's marks, computed by a real spreadsheet engine
(LibreOffice, recalculating every formula on load) on the example office, against what
collabsheet computes: the ledger's grants, the rows as typed, validate's verdicts."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.formula.translate import Translator

from collabsheet import api, live, months, templates
from collabsheet.cli import cli
from collabsheet.ledger import ledger
from collabsheet.phrases import said
from collabsheet.sheetref import quote_sheet
from collabsheet.sources import livepart, package
from collabsheet.sources.opc import sheet_parts
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
    return recalculated_all([path], tmp)[0]


def recalculated_all(paths: list[Path], tmp: Path) -> list[openpyxl.Workbook]:
    """Each of ``paths`` (all with different names) so, by one LibreOffice."""
    profile = tmp / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC)
    out = tmp / "out"
    subprocess.run(["soffice", "--headless", "--norestore",
                    f"-env:UserInstallation=file://{profile}", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, paths)],
                   check=True, capture_output=True, timeout=180 * len(paths))
    return [openpyxl.load_workbook(out / path.name, data_only=True) for path in paths]


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


def _check_case(ev, frame, ws, pid: str, day: dt.date) -> None:
    """A My points tab LibreOffice computed for ``pid`` and the month of ``day``, against the
    ledger's grant and the Log's rows as typed."""
    log = ev.verdicts.log
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


def test_my_points_computes_the_ledgers_grant_and_the_rows_as_typed(computed):
    ev, cases, wb = computed
    frame = ledger(ev.verdicts)
    for k, (pid, day) in enumerate(cases):
        _check_case(ev, frame, wb[f"Me{k}"], pid, day)


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


# ----- init --live on an office's own .xlsx ---------------------------------------------------

EDITED = {"xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels",
          "xl/styles.xml"}
"""The office's parts `init --live` may change (besides the Log's sheet part)."""
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst")
"""CT_Worksheet's children in the order ECMA-376 Part 1 (18.3.1.99) gives them."""
KO_TABS = live.Tabs(staff="직원", log="기록", rules="규칙")


def _init_live(path: Path, *args: str):
    return CliRunner().invoke(cli, ["init", "--live", str(path), *args])


def _parts(path: Path) -> dict[str, tuple[bytes, int, int]]:
    """Each part's bytes, with the checksum and compressed size its zip entry carries."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (zf.read(i.filename), i.CRC, i.compress_size)
                for i in zf.infolist()}


def _part_of(path: Path, title: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return sheet_parts(zf)[title]


def _loaded(path: Path, warned: tuple[str, ...] = ()) -> openpyxl.Workbook:
    """The workbook read by openpyxl, which says nothing but ``warned``."""
    with warnings.catch_warnings(record=True) as said_:
        warnings.simplefilter("always")
        wb = openpyxl.load_workbook(path)
    assert tuple(str(w.message) for w in said_) == warned
    return wb


def _children_in_order(xml: bytes) -> list[str]:
    """The worksheet's children, checked to follow the schema's order."""
    names = [child.tag.split("}")[-1] for child in ElementTree.fromstring(xml)]
    at = [WORKSHEET_ORDER.index(n) for n in names]
    assert at == sorted(at), names
    return names


def _office_copy(tmp_path: Path, lang: str = "en") -> Path:
    path = tmp_path / "office.xlsx"
    shutil.copy(ROOT / "examples" / f"example-office-{lang}.xlsx", path)
    return path


@pytest.mark.parametrize("lang,t", [("en", TABS), ("ko", KO_TABS)])
def test_init_live_adds_my_points_and_the_marks_and_copies_every_office_part(tmp_path, lang, t):
    path = _office_copy(tmp_path, lang)
    before = _parts(path)
    log_part = _part_of(path, t.log)
    out = _init_live(path, "--lang", lang)
    assert out.exit_code == 0, out.output
    assert out.stdout == said("live_added", path=path, tabs=live.TITLE[lang]).say(lang) + "\n"
    after = _parts(path)
    mine = _part_of(path, live.TITLE[lang])
    assert set(after) == set(before) | {mine}
    for part, was in before.items():
        if part not in EDITED | {log_part}:
            assert after[part] == was, part
    old_log, new_log = before[log_part][0], after[log_part][0]
    blocks = re.findall(rb"<conditionalFormatting\b.*?</conditionalFormatting>", new_log, re.S)
    assert len(blocks) == 1
    assert new_log.replace(blocks[0], b"", 1) == old_log  # every other byte, the cells first
    end = old_log.index(b"</sheetData>") + len(b"</sheetData>")
    assert new_log[:end] == old_log[:end]
    _children_in_order(new_log)
    _children_in_order(after[mine][0])

    wb = _loaded(path)
    assert wb.sheetnames[-1] == live.TITLE[lang] and wb.calculation.fullCalcOnLoad
    ws = wb[live.TITLE[lang]]
    for ref, formula in {**live.my_points(t), **live.list_cells(t, "B", 17),
                         **live.list_cells(t, "C", 35)}.items():
        assert ws[ref].value == formula
    assert ws["A1"].font.b and ws["B3"].fill.fgColor.rgb[-6:] == "FFF2CC"
    assert ws["B8"].number_format == "yyyy-mm-dd" and ws.column_dimensions["H"].hidden
    [ids] = ws.data_validations.dataValidation
    assert (str(ids.sqref), ids.type, ids.formula1) == ("B3", "list",
                                                        templates.first_column(t.staff))
    rules = [r for cf in wb[t.log].conditional_formatting for r in cf.rules]
    assert [r.formula[0] for r in rules] == list(live.marks(t).values())
    assert [r.dxf.fill.bgColor.rgb[-6:] for r in rules] == [
        templates._MARK_FILL[k] for k in live.marks(t)]
    assert {str(cf.sqref) for cf in wb[t.log].conditional_formatting} == {
        f"A2:E{live.LIVE_ROWS + 1}"}
    legend = [ws.cell(r, 1).value for r in range(templates.LEGEND_ROW,
                                                 templates.LEGEND_ROW + 7)]
    assert legend[0] == templates._LEGEND[lang]
    assert ws["A2"].value == templates._LIVE_WORDS[lang]["hint_below"]  # not the Instructions
    assert [v.strip() for v in legend[1:]] == list(templates._MARKS[lang].values())
    # the office's data, as collabsheet reads it, is what it was
    assert (api.evaluate(path, AS_OF)[1].report.violations
            == api.evaluate(ROOT / "examples" / f"example-office-{lang}.xlsx",
                            AS_OF)[1].report.violations)


def _typed(path: Path, out: Path, title: str, pid: str, day: dt.date) -> Path:
    """A copy of ``path`` with ``pid`` and ``day`` typed into My points' B3 and B4, as a person
    would (its other parts as they are)."""
    part = _part_of(path, title)
    serial = (day - dt.date(1899, 12, 30)).days
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                text = re.sub(r'<c r="B3"( s="\d+")?/>',
                              rf'<c r="B3"\1 t="inlineStr"><is><t>{pid}</t></is></c>', text)
                text = re.sub(r'<c r="B4"( s="\d+")?/>', rf'<c r="B4"\1><v>{serial}</v></c>',
                              text)
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return out


def test_libreoffice_computes_the_added_tab_as_collabsheet_does(tmp_path):
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice (soffice): CI installs libreoffice-calc")
    path = _office_copy(tmp_path)
    assert _init_live(path).exit_code == 0
    _, ev = api.evaluate(path, AS_OF)
    cases = _cases(ev)
    copies = [_typed(path, tmp_path / f"me{k}.xlsx", "My points", pid, day)
              for k, (pid, day) in enumerate(cases)]
    books = recalculated_all(copies, tmp_path)
    frame = ledger(ev.verdicts)
    for (pid, day), wb in zip(cases, books, strict=True):
        _check_case(ev, frame, wb["My points"], pid, day)
    assert [books[k]["My points"]["B10"].value for k in (3, 4)] == [0, 200]
    kept = [r.formula[0] for cf in books[0]["Log"].conditional_formatting for r in cf.rules]
    assert len(kept) == len(live.marks(TABS))  # LibreOffice read and kept every mark


def test_a_second_init_live_refuses_and_leaves_the_file_as_it_was(tmp_path):
    path = _office_copy(tmp_path, "ko")
    assert _init_live(path, "--lang", "ko").exit_code == 0
    data = path.read_bytes()
    for lang, said_ in (("en", "office.xlsx has a My points tab already; nothing was added"),
                        ("ko", "office.xlsx에 내 포인트 탭이 이미 있어 아무것도 추가하지 "
                               "않았습니다")):
        out = _init_live(path, "--lang", lang)
        assert (out.exit_code, out.stdout) == (2, "")
        assert out.stderr == f"{'Error' if lang == 'en' else '오류'}: {said_}\n"
        assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.xlsx"]


def test_a_workbook_without_a_log_tab_is_refused(tmp_path):
    path = tmp_path / "office.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Staff"
    wb.active.append(["ID", "Name", "Department"])
    wb.create_sheet("Rules")
    wb.save(path)
    data = path.read_bytes()
    out = _init_live(path)
    assert out.exit_code == 2
    assert out.stderr == ("Error: office.xlsx has no Log tab for the My points tab to read; "
                          "nothing was added\n")
    assert path.read_bytes() == data


def test_a_workbook_open_elsewhere_or_saved_meanwhile_is_left_as_it_was(tmp_path, monkeypatch):
    path = _office_copy(tmp_path)
    data = path.read_bytes()
    lock = tmp_path / ".~lock.office.xlsx#"
    lock.write_text("someone")
    out = _init_live(path)
    assert out.exit_code == 2 and "open" in out.stderr and path.read_bytes() == data
    lock.unlink()
    real = livepart._plan

    def saved_meanwhile(*args, **kwargs):
        planned = real(*args, **kwargs)
        path.write_bytes(data + b"\0")  # the office saves while collabsheet writes
        return planned

    monkeypatch.setattr(livepart, "_plan", saved_meanwhile)
    out = _init_live(path)
    assert out.exit_code == 2 and "changed while collabsheet ran" in out.stderr, out.stderr
    assert path.read_bytes() == data + b"\0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.xlsx"]


def test_an_offices_own_conditional_formats_stay_and_the_marks_come_after_them(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "office.xlsx"
    book = xlsxwriter.Workbook(str(path))
    staff = book.add_worksheet("Staff")
    for r, row in enumerate([["ID", "Name", "Department"], ["E1", "Kim", "Planning"],
                             ["E2", "Lee", "Finance"]]):
        staff.write_row(r, 0, row)
    dept = book.add_worksheet("Departments")
    dept.write_row(0, 0, ["Department", "Group"])
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=Staff!$A$2:$A$3"})
    dept.insert_chart("D2", chart)
    log = book.add_worksheet("Log")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    log.write_row(0, 0, ["Date", "From", "To", "Points", "Message"])
    log.write_datetime(1, 0, dt.datetime(2025, 4, 2), day)
    log.write_row(1, 1, ["E1", "E2", 10, "thanks"])
    red = book.add_format({"bg_color": "#FFC7CE"})
    log.conditional_format("D2:D500", {"type": "cell", "criteria": ">", "value": 50,
                                       "format": red})
    log.conditional_format("D2:D500", {"type": "data_bar", "data_bar_2010": True})
    log.data_validation("B2:C500", {"validate": "list", "source": "=Staff!$A$2:$A$3"})
    log.write_url("G1", "https://example.org/scheme")
    log.set_landscape()
    book.close()
    before = _parts(path)
    with warnings.catch_warnings(record=True) as said_:
        warnings.simplefilter("always")
        openpyxl.load_workbook(path)  # it leaves out the data bar's extension, and says so
    theirs_said = tuple(str(w.message) for w in said_)
    old_log = before[_part_of(path, "Log")][0]
    theirs = [int(p) for p in re.findall(rb'priority="(\d+)"', old_log)]
    assert theirs and b"extLst" in old_log

    out = _init_live(path)
    assert out.exit_code == 0, out.output
    after = _parts(path)
    for part, was in before.items():
        if part not in EDITED | {_part_of(path, "Log")}:
            assert after[part] == was, part  # the chart and drawing parts among them
    new_log = after[_part_of(path, "Log")][0]
    names = _children_in_order(new_log)
    assert names.count("conditionalFormatting") == 2  # the office's, then the marks
    both = [int(p) for p in re.findall(rb'priority="(\d+)"', new_log)]
    assert both[:len(theirs)] == theirs
    added = both[len(theirs):]
    assert len(added) == len(set(added)) == len(live.marks(TABS)) and min(added) > max(theirs)

    wb = _loaded(path, theirs_said)
    rules = [r for cf in wb["Log"].conditional_formatting for r in cf.rules]
    assert rules[0].type == "cellIs" and rules[0].dxf.fill.bgColor.rgb[-6:] == "FFC7CE"
    assert [r.formula[0] for r in rules if r.type == "expression"] == list(
        live.marks(TABS).values())
    assert [r.dxf.fill.bgColor.rgb[-6:] for r in rules if r.type == "expression"] == [
        templates._MARK_FILL[k] for k in live.marks(TABS)]
    assert wb["Log"].data_validations.dataValidation[0].formula1 == "Staff!$A$2:$A$3"
    assert wb["Departments"]._charts


def test_validate_write_and_run_after_init_live_keep_my_points_and_the_marks(tmp_path):
    path = _office_copy(tmp_path)
    assert _init_live(path).exit_code == 0
    added = _parts(path)
    mine, log_part = _part_of(path, "My points"), _part_of(path, "Log")
    out = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2025-07-01", "--write"])
    assert out.exit_code == 1, out.output
    out = CliRunner().invoke(cli, ["run", str(path), "--period", "2025-H1",
                                   "--as-of", "2025-07-01"])
    assert out.exit_code in (0, 1), out.output
    after = _parts(path)
    assert after[mine] == added[mine] and after[log_part] == added[log_part]
    wb = _loaded(path)
    assert "Validation" in wb.sheetnames and "My points" in wb.sheetnames
    with zipfile.ZipFile(path) as zf:
        assert "My points" not in package.owned(zf)  # the office's tab, as on Google Sheets
    assert len([r for cf in wb["Log"].conditional_formatting for r in cf.rules]) == len(
        live.marks(TABS))
    out = _init_live(path)
    assert out.exit_code == 2 and "has a My points tab already" in out.stderr


def test_the_parts_are_edited_where_the_schema_puts_things_whatever_their_prefixes():
    """A workbook part without calcPr (and an extLst inside its workbookView), styles without
    dxfs but an extension's x14:dxfs, a prefixed worksheet whose cfRule holds an extLst."""
    wb_xml = ('<x:workbook xmlns:x="m"><x:bookViews><x:workbookView><x:extLst/></x:workbookView>'
              '</x:bookViews><x:sheets/><x:extLst/></x:workbook>')
    assert livepart.full_calc_on_load(wb_xml) == wb_xml.replace(
        "<x:extLst/></x:workbook>", '<x:calcPr fullCalcOnLoad="1"/><x:extLst/></x:workbook>')
    assert livepart.full_calc_on_load('<workbook><calcPr calcId="1"/></workbook>') == (
        '<workbook><calcPr calcId="1" fullCalcOnLoad="1"/></workbook>')
    styles = ('<styleSheet><cellXfs count="1"><xf/></cellXfs><cellStyles><cellStyle><extLst/>'
              '</cellStyle></cellStyles><extLst><x14:dxfs count="1"><dxf/></x14:dxfs></extLst>'
              '</styleSheet>')
    out, ids = livepart._dxfs(styles, ["F4CCCC", "FCE5CD"])
    assert ids == [0, 1]
    assert out.index("</cellStyles><dxfs count=\"2\"><dxf>") > 0
    assert out.endswith('<extLst><x14:dxfs count="1"><dxf/></x14:dxfs></extLst></styleSheet>')
    sheet = (b'<?xml version="1.0"?>\n<x:worksheet xmlns:x="m"><x:sheetData><x:row r="1"/>'
             b'</x:sheetData><x:conditionalFormatting sqref="A1"><x:cfRule priority="4">'
             b'<x:extLst/></x:cfRule></x:conditionalFormatting><x:pageMargins/>'
             b'</x:worksheet>')
    marks = livepart.Marks("Log", "A2:E9", (livepart.Mark('$A2<>""', "F4CCCC"),))
    out_sheet = livepart.with_conditional_formats(sheet, marks, [7])
    ours = (b'<x:conditionalFormatting sqref="A2:E9"><x:cfRule type="expression" dxfId="7" '
            b'priority="5"><x:formula>$A2&lt;&gt;""</x:formula></x:cfRule>'
            b"</x:conditionalFormatting>")
    assert out_sheet == sheet.replace(b"<x:pageMargins/>", ours + b"<x:pageMargins/>")
