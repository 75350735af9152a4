"""Hostile files: refused with one clear line and exit code 2, in bounded memory; nothing left
behind by a killed run; formula cells read as what they are; files that are not what their
name says named for what they are. Every file is made here, most at the zip level."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook

import collabsheet
from collabsheet.sources import opc, prefetch, sheetscan

ROOT = Path(__file__).resolve().parents[1]
D = dt.datetime
AS_OF = "2025-07-01"
MEMORY_BOUND_MB = 512
"""A refused file may take the command no further than this: the command line with pandas and
pyarrow imported peaks at about 150 MB on a small office (200 MB for 20,000 Log rows), the
zip bomb took it past 5 GiB before, and 2 GiB is the limit for anything."""

# ----- files made at the zip level ------------------------------------------------------------


def _entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _write_zip(path: Path, items: list[tuple[str, bytes, int, int]]) -> None:
    """A zip written by hand from (name, deflated bytes, CRC, declared size): the declared size
    may lie, which zipfile would not write."""
    out = io.BytesIO()
    central = []
    for name, raw, crc, size in items:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size,
                              len(encoded), 0) + encoded + raw)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc,
                                   len(raw), size, len(encoded), 0, 0, 0, 0, 0, offset)
                       + encoded)
    start, directory = out.tell(), b"".join(central)
    out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(items), len(items),
                                      len(directory), start, 0))
    path.write_bytes(out.getvalue())


def _padded(src: Path, dst: Path, title: str, mib: int, declared: int | None = None) -> Path:
    """``src`` with ``mib`` MiB of spaces inside the sheetData of ``title``: one 1 MiB block
    deflated once and repeated (full flushes keep the stream valid), so a 3 GiB bomb is 3 MB
    and made in a moment. ``declared`` puts a lying size in the zip's headers."""
    with zipfile.ZipFile(src) as zf:
        part = opc.sheet_parts(zf)[title]
    items = []
    for name, data in _entries(src):
        if name != part:
            items.append((name, _deflate(data), zlib.crc32(data), len(data)))
            continue
        head, tail = data.split(b"<sheetData>", 1)
        head += b"<sheetData>"
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = c.compress(b" " * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        raw = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH) + block * mib
        raw += c.compress(tail) + c.flush()
        crc, spaces = zlib.crc32(head), b" " * (1 << 20)
        for _ in range(mib):
            crc = opc.ZLIB.crc32(spaces, crc)
        size = len(head) + (mib << 20) + len(tail)
        items.append((name, raw, opc.ZLIB.crc32(tail, crc),
                      size if declared is None else declared))
    _write_zip(dst, items)
    return dst


def _rewrite(path: Path, title: str, change) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as zf:
        part = opc.sheet_parts(zf)[title]
        items = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            zf.writestr(info, change(data) if info.filename == part else data)
    return path


def _office(path: Path, log_rows: int = 1, **cells: object) -> Path:
    """The base office with ``log_rows`` Log rows; ``cells`` puts values into the Log
    (``XFD1=...``)."""
    log = [LOG_HEADER, *[[D(2025, 4, 2, 9, i % 60), "E1", "E2", 10, f"thanks {i}"]
                         for i in range(log_rows)]]
    write_workbook(path, {"Staff": STAFF, "Departments": DEPARTMENTS, "Log": log})
    if cells:
        wb = openpyxl.load_workbook(path)
        for ref, value in cells.items():
            wb["Log"][ref] = value
        wb.save(path)
    return path


# ----- the command line in a fresh process, its peak memory measured --------------------------

_MEASURE = r"""
import json, resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": p.returncode, "out": p.stdout, "err": p.stderr,
                  "kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""

_PARALLEL = r"""
import sys
from collabsheet.sources import prefetch
prefetch.PARALLEL_BYTES = 0
from collabsheet.cli import main
sys.argv[0] = "collabsheet"
main()
"""


def run_cli(*args: str, parallel: bool = False, env: dict[str, str] | None = None
            ) -> tuple[int, str, str, int]:
    """``python -m collabsheet ARGS`` (with every large-tab read in slices if ``parallel``):
    exit code, stdout, stderr and the peak memory in MB of it and its readers, measured by a
    process of its own (RUSAGE_CHILDREN of this test's process would count earlier tests)."""
    command = [sys.executable, "-c", _PARALLEL] if parallel else [sys.executable, "-m",
                                                                   "collabsheet"]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    p = subprocess.run([sys.executable, "-c", _MEASURE, *command, *args], capture_output=True,
                       text=True, env=full_env, timeout=120)
    got = json.loads(p.stdout)
    return got["rc"], got["out"], got["err"], got["kb"] // 1024


def _refused(path: Path, message: str, parallel: bool = False) -> None:
    rc, out, err, mb = run_cli("validate", str(path), "--as-of", AS_OF, parallel=parallel)
    assert (rc, err) == (2, f"Error: {path.name}: {message}\n"), (rc, err)
    assert mb < MEMORY_BOUND_MB, mb


# ----- A. hostile sizes ----------------------------------------------------------------------


def test_a_zip_bomb_is_refused_from_the_directory(tmp_path):
    bomb = _padded(_office(tmp_path / "base.xlsx"), tmp_path / "bomb.xlsx", "Log", 3 << 10)
    assert bomb.stat().st_size < 4 << 20
    _refused(bomb, "tab 'Log' (xl/worksheets/sheet3.xml) unpacks to 3.0 GiB, more than the "
                   "1.0 GiB any part of an office's workbook needs; the file is refused (a "
                   "damaged package, or a zip bomb)")


def test_a_bomb_whose_header_lies_is_refused_as_it_inflates(tmp_path):
    base = _office(tmp_path / "base.xlsx")
    liar = _padded(base, tmp_path / "liar.xlsx", "Log", 3 << 10, declared=4000)
    message = ("tab 'Log' (xl/worksheets/sheet3.xml) unpacks to more than the 3.9 KiB the "
               "package declares for it; the file is refused (a damaged package, or a zip "
               "bomb)")
    _refused(liar, message)
    _refused(liar, message, parallel=True)
    with zipfile.ZipFile(liar) as zf:
        info = zf.getinfo("xl/worksheets/sheet3.xml")
    with pytest.raises(opc.Refused, match="unpacks to more than the 3.9 KiB"):
        for _ in opc.inflate(liar, info):
            pass


def test_whitespace_padding_inside_the_limits_is_refused(tmp_path):
    padded = _padded(_office(tmp_path / "base.xlsx"), tmp_path / "padded.xlsx", "Log", 3)
    message = ("tab 'Log' holds more than 1 MiB of bytes without any cell in them; the file is "
               "refused (a damaged package, or a zip bomb)")
    with pytest.raises(collabsheet.SourceError) as got:
        collabsheet.validate(padded, as_of=dt.date(2025, 7, 1))
    assert str(got.value) == f"padded.xlsx: {message}" and got.value.tab == "Log"
    assert isinstance(got.value, collabsheet.errors.LimitError)


def test_the_parts_calamine_reads_on_opening_are_held_to_their_declared_size(tmp_path):
    base = _office(tmp_path / "base.xlsx")

    def styles(name: str, declared_extra: int) -> Path:
        items = []
        for part, data in _entries(base):
            if part == "xl/styles.xml":
                padded = data.replace(b">", b">" + b" " * (3 << 20), 1)
                items.append((part, _deflate(padded), zlib.crc32(padded),
                              len(data) + declared_extra))
            else:
                items.append((part, _deflate(data), zlib.crc32(data), len(data)))
        _write_zip(tmp_path / name, items)
        return tmp_path / name

    with pytest.raises(collabsheet.errors.LimitError, match=r"^liar.xlsx: the part "
                       r"xl/styles.xml unpacks to more than the .* the package declares for it"):
        collabsheet.validate(styles("liar.xlsx", 0), as_of=dt.date(2025, 7, 1))
    with pytest.raises(collabsheet.errors.LimitError, match=r"^padded.xlsx: the part "
                       r"xl/styles.xml holds more than 1 MiB of bytes without any markup"):
        collabsheet.validate(styles("padded.xlsx", 3 << 20), as_of=dt.date(2025, 7, 1))


def test_prefetch_starts_no_reader_for_a_package_past_the_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(prefetch, "PARALLEL_BYTES", 0)
    bomb = _padded(_office(tmp_path / "base.xlsx"), tmp_path / "bomb.xlsx", "Log", 3 << 10)
    prefetch.start(str(bomb))
    assert prefetch._started == {}
    assert prefetch.largest(bomb) is None


def _big_log(path: Path, rows: int) -> Path:
    """An office with ``rows`` Log rows, written quickly (xlsxwriter, constant memory)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for title, data in (("Staff", STAFF), ("Departments", DEPARTMENTS)):
        ws = wb.add_worksheet(title)
        for r, row in enumerate(data):
            ws.write_row(r, 0, [v for v in row])
    ws = wb.add_worksheet("Log")
    ws.write_row(0, 0, LOG_HEADER)
    for r in range(1, rows + 1):
        ws.write_datetime(r, 0, D(2025, 4, 2, 8) + dt.timedelta(seconds=r), date)
        ws.write_row(r, 1, ["E1", "E2", 10, f"thanks for row {r}"])
    wb.close()
    return path


FAR = ("tab 'Log' reaches XFD1048576, 17,179,869,184 cells in all, more than the 33,554,432 a "
       "tab can span; delete what is in the far cells (Ctrl+End in Excel goes to the last one) "
       "and save")
NOTE = ("tab 'Log' reaches XFD20001 (farthest right XFD1, farthest down A20001), 327,696,384 "
        "cells in all, more than the 33,554,432 a tab can span; delete what is in the far cells "
        "(Ctrl+End in Excel goes to the last one) and save")


def test_one_value_in_the_last_cell_is_refused_not_aborted(tmp_path):
    far = _office(tmp_path / "far.xlsx", XFD1048576=1)
    assert far.stat().st_size < 8 << 10
    _refused(far, FAR)


def test_a_note_far_to_the_right_of_the_log_is_refused(tmp_path):
    note = _rewrite(_big_log(tmp_path / "note.xlsx", 20000), "Log", lambda xml: xml.replace(
        b"</row>", b'<c r="XFD1" t="inlineStr"><is><t>a note</t></is></c></row>', 1))
    _refused(note, NOTE)
    _refused(note, NOTE, parallel=True)


def test_cells_written_oddly_are_walked_as_calamine_reads_them(tmp_path, monkeypatch):
    base = _office(tmp_path / "base.xlsx", log_rows=20)
    refless = _rewrite(base, "Log", lambda xml: xml.replace(
        b'<row r="1">', b'<row r="1">' + b"<c><v>1</v></c>" * 45, 1))
    monkeypatch.setattr(sheetscan, "CELL_BUDGET", 900)
    with pytest.raises(collabsheet.errors.LimitError, match=r"^base.xlsx: tab 'Log' reaches "
                       r"AS21 \(farthest right AS1, farthest down A21\), 945 cells in all"):
        collabsheet.validate(refless, as_of=dt.date(2025, 7, 1))
    monkeypatch.undo()
    lower = _rewrite(_office(tmp_path / "lower.xlsx", log_rows=20), "Log",
                     lambda xml: xml.replace(b'r="E21"', b"r='xfd1048576'"))
    with pytest.raises(collabsheet.errors.LimitError, match="reaches XFD1048576"):
        collabsheet.validate(lower, as_of=dt.date(2025, 7, 1))


def test_a_wide_tab_is_held_by_a_wider_box_not_walked(monkeypatch):
    def row(i: int) -> bytes:
        return (b'<row r="%d">' % i + b"".join(b'<c r="%s%d"><v>1</v></c>' % (
            sheetscan.column_letters(c).encode(), i) for c in range(40)) + b"</row>")

    xml = b"<worksheet><sheetData>" + b"".join(row(i) for i in range(1, 300)) + b"</sheetData>"
    pieces = [xml[i:i + 1000] for i in range(0, len(xml), 1000)]
    monkeypatch.setattr(sheetscan.Walk, "feed", lambda *a: pytest.fail("walked"))
    scan = sheetscan.check("Staff", lambda: sheetscan.whole(pieces))
    assert scan.far and not scan.odd
    odd = xml.replace(b'<c r="B7">', b"<c>")
    with pytest.raises(BaseException, match="walked"):
        sheetscan.check("Staff", lambda: sheetscan.whole([odd]))


def test_a_tab_outside_the_quick_box_but_within_the_budget_is_read(tmp_path):
    wide = _office(tmp_path / "wide.xlsx", log_rows=3, ZZ2="a note beside row 2")
    assert collabsheet.validate(wide, as_of=dt.date(2025, 7, 1)).stats.rows == 3
    styled = _rewrite(_office(tmp_path / "styled.xlsx", log_rows=3), "Log", lambda xml:
                      xml.replace(b"</row></sheetData>",
                                  b'<c r="XFD1048576" s="0"/></row></sheetData>'))
    assert collabsheet.validate(styled, as_of=dt.date(2025, 7, 1)).stats.rows == 3


# ----- B. nothing left behind ----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent's reaping is left


_SLOW_READER = """
import time
from collabsheet.sources import partread
_cut = partread.cut_slice
def _held(*args, **kwargs):
    cut = _cut(*args, **kwargs)
    time.sleep(120)
    return cut
partread.cut_slice = _held
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_run_leaves_no_reader_and_the_next_run_no_file(tmp_path):
    import signal
    import time

    book = _big_log(tmp_path / "big.xlsx", 150_000)
    temp = tmp_path / "tmp"
    temp.mkdir()
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_SLOW_READER)  # readers hold after their slice
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
    command = [sys.executable, "-c", _PARALLEL, "validate", str(book), "--as-of", AS_OF]
    cli = subprocess.Popen(command, env={**env, "PYTHONPATH": f"{hook}{os.pathsep}{ROOT}"},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    readers: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until both readers are writing their slices
        readers = _children(cli.pid)
        slices = [f for f in temp.glob(f"collabsheet-{cli.pid}-*.xlsx") if f.stat().st_size]
        if len(readers) == prefetch.SLICES and len(slices) == prefetch.SLICES:
            break
        time.sleep(0.005)
    assert len(readers) == prefetch.SLICES, "the readers never started"
    cli.send_signal(signal.SIGKILL)
    cli.wait()
    deadline = time.monotonic() + 15  # a loaded machine schedules the kernel kill late
    while any(_running(r) for r in readers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(_running(r) for r in readers)
    left = sorted(temp.iterdir())
    assert left and all(f.name.startswith(f"collabsheet-{cli.pid}-") for f in left), left
    # killed with their parent, mid-read: no reader got as far as its Arrow file
    assert all(f.stat().st_size == 0 for f in left if f.suffix == ".arrow")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Log rows: 150,000" in done.stdout
    assert list(temp.iterdir()) == []


def test_stale_files_of_gone_processes_only_are_removed(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    names = [f"collabsheet-{gone}-ab12cd.arrow", f"collabsheet-{gone}-x_9.xlsx",
             f"collabsheet-{os.getpid()}-mine.arrow", f"collabsheet-{os.getppid()}-up.xlsx",
             f"collabsheet-{gone}-notours.txt", "collabsheet-demo.xlsx"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    removed = prefetch.remove_stale(str(tmp_path))
    assert sorted(p.name for p in removed) == sorted(names[:2])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])


def test_a_reader_ends_when_its_parent_is_gone(tmp_path):
    """The race: the parent ends before the reader asks the kernel to follow it."""
    child = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
         "from collabsheet.sources.partread import die_with_parent; "
         "die_with_parent(1 << 22); print('still here')", str(ROOT)],
        capture_output=True, text=True, timeout=30)
    assert child.returncode == 1 and child.stdout == ""


# ----- D. files that are not what their name says --------------------------------------------


def _ods(path: Path, tabs: dict[str, list[list[object]]]) -> Path:
    """A minimal OpenDocument spreadsheet (what LibreOffice reads): mimetype first, stored."""
    from xml.sax.saxutils import escape

    body = []
    for title, rows in tabs.items():
        body.append(f'<table:table table:name="{escape(title)}">')
        for row in rows:
            cells = []
            for v in row:
                if v is None:
                    cells.append("<table:table-cell/>")
                elif isinstance(v, int | float):
                    cells.append(f'<table:table-cell office:value-type="float" office:value="{v}">'
                                 f"<text:p>{v}</text:p></table:table-cell>")
                else:
                    text = v.isoformat(sep=" ") if isinstance(v, dt.datetime) else str(v)
                    cells.append('<table:table-cell office:value-type="string"><text:p>'
                                 f"{escape(text)}</text:p></table:table-cell>")
            body.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        body.append("</table:table>")
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
               'office:version="1.2"><office:body><office:spreadsheet>' + "".join(body)
               + "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type='
                '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def _misnamed(tmp_path: Path) -> dict[str, Path]:
    base = _office(tmp_path / "office.xlsx", log_rows=2)
    files = {"xlsx": base}
    files["xlsx_as_xls"] = tmp_path / "office.xls"
    files["xlsx_as_xls"].write_bytes(base.read_bytes())
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    files["xls"] = tmp_path / "old.xls"
    files["xls"].write_bytes(ole + "Workbook".encode("utf-16-le") + bytes(1000))
    files["encrypted"] = tmp_path / "locked.xlsx"
    files["encrypted"].write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + bytes(1000))
    files["csv"] = tmp_path / "export.xlsx"
    files["csv"].write_text("Date,From,To,Points,Message\n2025-04-02,E1,E2,10,thanks\n",
                            encoding="utf-8")
    files["ods"] = _ods(tmp_path / "office.ods", {"Staff": STAFF, "Departments": DEPARTMENTS,
                                                  "Log": [LOG_HEADER, [D(2025, 4, 2, 9), "E1",
                                                                       "E2", 10, "thanks"]]})
    files["ods_as_xlsx"] = tmp_path / "sheet.xlsx"
    files["ods_as_xlsx"].write_bytes(files["ods"].read_bytes())
    files["html"] = tmp_path / "report.xls"
    files["html"].write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    files["empty"] = tmp_path / "empty.xlsx"
    files["empty"].write_bytes(b"")
    return files


def test_kind_tells_what_a_file_is_whatever_its_name(tmp_path):
    from collabsheet.sources.sniff import kind

    got = {key: kind(path) for key, path in _misnamed(tmp_path).items()}
    assert got == {"xlsx": "xlsx", "xlsx_as_xls": "xlsx", "xls": "xls",
                   "encrypted": "encrypted", "csv": "csv", "ods": "ods", "ods_as_xlsx": "ods",
                   "html": "html", "empty": "empty"}
    assert kind(tmp_path / "none.xlsx") == "missing" and kind(tmp_path) == "folder"


def test_a_file_that_is_not_what_its_name_says_is_named_for_what_it_is(tmp_path):
    files = _misnamed(tmp_path)
    save = "open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)"
    expected = {
        "xlsx_as_xls": "is an .xlsx workbook named .xls; rename it to office.xlsx",
        "xls": f"is an Excel 97-2003 workbook (.xls), not an .xlsx workbook; {save}",
        "encrypted": "is a workbook protected with a password, not an .xlsx workbook "
                     "collabsheet can read; open it in Excel, remove the password (File > Info "
                     "> Protect Workbook) and save it",
        "csv": f"is a text file of values (CSV), not an .xlsx workbook; {save}",
        "ods_as_xlsx": "is an OpenDocument spreadsheet (.ods) named .xlsx; rename it to "
                       "sheet.ods",
        "html": f"is a web page (HTML), not an .xlsx workbook; {save}",
        "empty": "is empty (0 bytes), not an .xlsx workbook",
    }
    from click.testing import CliRunner

    from collabsheet.cli import cli

    for key, words in expected.items():
        result = CliRunner().invoke(cli, ["validate", str(files[key]), "--as-of", AS_OF])
        assert (result.exit_code, result.stderr) == (2, f"Error: {files[key]}: {words}\n"), key
    with pytest.raises(collabsheet.errors.FormatError):
        collabsheet.validate(files["xlsx_as_xls"], as_of=dt.date(2025, 7, 1))


def test_an_ods_is_read_as_before(tmp_path):
    files = _misnamed(tmp_path)
    report = collabsheet.validate(files["ods"], as_of=dt.date(2025, 7, 1))
    assert report.valid and report.stats.rows == 1


# ----- C. cells as they are ------------------------------------------------------------------

NO_VALUE = ("holds a formula with no saved value; open and save the workbook in Excel or "
            "LibreOffice so the value is saved, or type the value")


def _formulas(path: Path) -> Path:
    """openpyxl never saves a formula's value; one cell is made a cached error at zip level and
    one a text formula that saved the empty text."""
    _office(path, log_rows=0)
    wb = openpyxl.load_workbook(path)
    log = wb["Log"]
    for row in ([D(2025, 4, 2, 9), "E1", "E2", 10, '=A1&"x"'],
                [D(2025, 4, 2, 9, 1), "E1", "E2", "=5*2", "points by formula"],
                ["=TODAY()", "E1", "E2", 10, "date by formula"],
                [D(2025, 4, 2, 9, 2), "=B1", "E2", 10, "from by formula"],
                [D(2025, 4, 2, 9, 3), "E1", "E2", 10, "=FOO()"],
                [D(2025, 4, 2, 9, 4), "E1", "E2", 10, '=IF(1,"","")']):
        log.append(row)
    log["H7"] = "=1+1"  # beyond every column that holds a value
    wb["Staff"]["A8"] = '="E"&7'
    extra = wb.create_sheet("Extra")
    extra.append(["a"])
    extra["C5"] = "=A1"  # beyond every row and column that holds a value
    wb.save(path)

    def cached(xml: bytes) -> bytes:
        xml = xml.replace(b'<c r="E6"><f>FOO()</f><v /></c>',
                          b'<c r="E6" t="e"><f>FOO()</f><v>#NAME?</v></c>')
        return xml.replace(b'<c r="E7"><f>IF(1,"","")</f><v /></c>',
                           b'<c r="E7" t="str"><f>IF(1,"","")</f><v></v></c>')

    _rewrite(path, "Log", cached)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet3.xml")
    assert b'<v>#NAME?</v>' in xml and b"<v></v>" in xml
    return path


def _said(report: collabsheet.Report) -> list[tuple[str, int, str, str, object, str]]:
    return [(v.tab, v.row, v.column, v.rule, v.value, v.message) for v in report.violations
            if v.rule != "duplicate"]


FORMULA_VIOLATIONS = [
    ("Log", 1, "H", "blank-header", None, "Log column H has data but no header; it is ignored"),
    ("Staff", 8, "ID", "missing-value", "#NO_VALUE!", f"ID {NO_VALUE}"),
    ("Log", 2, "Message", "message", "#NO_VALUE!", f"Message {NO_VALUE}"),
    ("Log", 3, "Points", "points", "#NO_VALUE!", f"Points {NO_VALUE}"),
    ("Log", 4, "Date", "date", "#NO_VALUE!", f"Date {NO_VALUE}"),
    ("Log", 5, "From", "unknown-person", "#NO_VALUE!", f"From {NO_VALUE}"),
    ("Log", 6, "Message", "message", "#NAME?",
     "Message holds the formula error #NAME?; correct the formula, or type the value"),
    ("Log", 7, "Message", "message", None,
     "Message is blank; write what the colleague helped with"),
]


def test_formula_cells_are_reported_as_what_they_hold(tmp_path):
    report = collabsheet.validate(_formulas(tmp_path / "f.xlsx"), as_of=dt.date(2025, 7, 1))
    got = _said(report)
    assert [g[:4] for g in got] == [f[:4] for f in FORMULA_VIOLATIONS]
    assert [g[5] for g in got] == [f[5] for f in FORMULA_VIOLATIONS]
    assert [g[4] for g in got][:7] == [f[4] for f in FORMULA_VIOLATIONS][:7]


def test_the_reader_marks_formulas_without_a_value_in_slices_too(tmp_path, monkeypatch):
    from collabsheet.sources.base import NO_VALUE as MARK
    from collabsheet.sources.xlsx import XlsxSource

    path = _formulas(tmp_path / "f.xlsx")
    tabs = XlsxSource(path).read_tabs(["Log", "Extra"])
    whole = tabs["Log"]
    assert whole.letters == list("ABCDEH") and whole.rows.tolist() == list(range(2, 8))
    assert list(whole.columns[4]) == [MARK, "points by formula", "date by formula",
                                      "from by formula", "#NAME?", ""]
    assert _cells(whole.columns[5]) == [None] * 5 + [MARK]
    extra = tabs["Extra"]
    assert (extra.header, extra.letters, extra.rows.tolist()) == (["a", None], ["A", "C"], [5])
    assert [_cells(c) for c in extra.columns] == [[None], [MARK]]
    monkeypatch.setattr(prefetch, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(prefetch.tempfile, "tempdir", str(tmp_path))
    assert prefetch.largest(path, ["Log", "Extra"]) == "Log"
    for slices in (2, 3):
        monkeypatch.setattr(prefetch, "SLICES", slices)
        sliced = XlsxSource(path).read_tabs(["Log", "Extra"])["Log"]
        assert sliced.letters == whole.letters and sliced.rows.tolist() == whole.rows.tolist()
        assert [_cells(c) for c in sliced.columns] == [_cells(c) for c in whole.columns]


def _cells(column: object) -> list[object]:
    return [None if v is None or v != v else v for v in column]  # type: ignore[attr-defined]


def test_a_part_without_formulas_is_not_searched_for_them():
    scan = sheetscan.SheetScan("Log")
    scan.feed(b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>'
              b'&lt;f&gt; is text</t></is></c></row></sheetData>')
    assert not scan.formulas and not scan.unsaved


def test_every_rule_that_names_cells_has_the_words():
    from collabsheet.catalogue import BY_ID

    for rule_id in ("date", "unknown-person", "points", "message", "missing-value",
                    "unknown-department"):
        assert "no_value" in BY_ID[rule_id].messages["en"], rule_id
    for rule_id in ("message", "missing-value"):
        assert "formula_error" in BY_ID[rule_id].messages["en"], rule_id
