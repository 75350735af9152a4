"""Hostile input, fuzzed: generated broken workbooks never give a traceback, always exit 1 or 2
with a report or one `Error:` line, and leave the input file byte-identical.

The number of generated workbooks is COLLABSHEET_FUZZ_CASES (default 1,000), split over four
tests so that pytest-xdist can run them on both cores; each case is a real .xlsx run through
the CLI.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from collabsheet.cli import cli

CASES = int(os.environ.get("COLLABSHEET_FUZZ_CASES", "1000"))
SHARDS = 4

junk = st.one_of(
    st.none(), st.integers(-10**15, 10**15), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0x590, max_codepoint=0x6FF), max_size=20),
    st.sampled_from(["🎉🙏", "\u202eE1", "\t", "=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+cmd",
                     "-1+1", "@SUM(A1)", "#REF!", "#N/A", "#DIV/0!", "x" * 10_000, "E1 ",
                     "e2@office.kr", "2025. 4. 3.", "45749", "1e400", " ", "\u00a0"]),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2200, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 1, 1)),
)
header_variant = st.sampled_from(["keep", "blank", "duplicate", "merged", "missing", "shuffle"])
TABS = {"Staff": STAFF, "Departments": DEPARTMENTS, "Log": [LOG_HEADER]}


def _clean(v: object) -> object:
    return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v


@st.composite
def broken_workbooks(draw: st.DrawFn) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    tabs = dict(TABS)
    if draw(st.booleans()):
        tabs.pop(draw(st.sampled_from(list(tabs))))
    for title, rows in tabs.items():
        ws = wb.create_sheet(draw(st.sampled_from([title, title.upper(), f" {title} "])))
        header = list(rows[0])
        variant = draw(header_variant)
        if variant == "blank":
            header[draw(st.integers(0, len(header) - 1))] = None
        elif variant == "duplicate":
            header.append(header[draw(st.integers(0, len(header) - 1))])
        elif variant == "missing":
            header.pop(draw(st.integers(0, len(header) - 1)))
        elif variant == "shuffle":
            header = draw(st.permutations(header))
        ws.append(header)
        body = [list(r) for r in rows[1:]]
        body += draw(st.lists(st.lists(junk, max_size=len(header) + 2), max_size=8))
        for row in body:
            for j in range(len(row)):
                if draw(st.integers(0, 9)) == 0:
                    row[j] = draw(junk)
            ws.append([_clean(v) for v in row])
        if variant == "merged" and ws.max_column > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
        if draw(st.integers(0, 5)) == 0 and ws.max_row > 1:
            ws.cell(2, 1).value = "=1/0"
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    damage = draw(st.sampled_from(["none"] * 8 + ["truncate", "garbage"]))
    if damage == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "garbage":
        data = draw(st.binary(max_size=200))
    return data


COMMANDS = [
    ["validate", "--as-of", "2025-07-01", "--format", "json"],
    ["grant", "--as-of", "2025-07-01", "--format", "csv"],
    ["rank", "--period", "2025-H1", "--as-of", "2025-07-01"],
]


@pytest.mark.parametrize("shard", range(SHARDS))
def test_broken_workbooks(tmp_path: Path, shard: int) -> None:
    """One quarter of the cases; each shard draws its own workbooks."""

    @settings(max_examples=-(-CASES // SHARDS), deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(data=broken_workbooks(), command=st.sampled_from(COMMANDS), salt=st.just(shard))
    def case(data: bytes, command: list[str], salt: int) -> None:
        check_case(tmp_path / f"broken-{salt}.xlsx", data, command)

    case()


def check_case(path: Path, data: bytes, command: list[str]) -> None:
    path.write_bytes(data)
    result = CliRunner().invoke(cli, [command[0], str(path), *command[1:]])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert path.read_bytes() == data
    if command[0] == "validate":
        assert result.exit_code in (0, 1, 2)
    else:
        assert result.exit_code in (0, 2)
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert "unexpected failure" not in lines[0], lines[0]


def test_a_million_formatted_empty_rows(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "formatted.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    for title, rows in TABS.items():
        ws = wb.add_worksheet(title)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, [v for v in row])
    ws = wb.add_worksheet("Notes")
    fmt = wb.add_format({"bg_color": "#FFFF00"})
    for r in range(1_048_576):
        ws.set_row(r, 15, fmt)
    wb.close()
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["validate", str(path), "--as-of", "2025-07-01"])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04broken", b"%PDF-1.4", "이름,부서".encode()])
def test_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2 and result.stderr.startswith("Error: ")
