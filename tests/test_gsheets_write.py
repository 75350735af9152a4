"""The Google Sheets backend against a fake that refuses what Google refuses: header-only tabs,
the cell budget at its peak, the sheet's time zone, retries that never replay a structural
request, the quota, the lock between runs, killed runs, and merged cells."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, write_workbook
from fake_sheets import FakeSheets, service_key, xlsx_tabs

import collabsheet
from collabsheet.cli import cli
from collabsheet.errors import SourceError
from collabsheet.sources import gsheets, gsheets_write
from collabsheet.sources.gsheets import Access, GSheetSource

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "collabsheet@office.iam.gserviceaccount.com"
SID = "officeSheet0001"
D = dt.date
CLEAN = [[D(2025, 4, 2), "E1", "E2", 100, "thanks"], [D(2025, 4, 3), "E1", "E4", 50, "more"]]
RUN = ["--period", "2025-04", "--as-of", "2025-05-10"]
RESULTS = ["Validation", "Ledger", "People", "Departments ranking", "Commendations", "Summary",
           "Signals"]


class Clock:
    """The time both the fake's quota and the client's pacing and lock see."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake(tmp_path, monkeypatch, clock):
    with FakeSheets(clock=clock, seed=7) as server:
        monkeypatch.setenv("COLLABSHEET_SHEETS_API", server.url)
        server.key = service_key(tmp_path / "key.json", f"{server.url}/token")
        monkeypatch.setenv("COLLABSHEET_CREDENTIALS", str(server.key))
        yield server


def tabs_of(tmp_path: Path, log: list[list[object]] = CLEAN, **extra: list[list[object]]
            ) -> dict[str, list[list[object]]]:
    path = write_workbook(tmp_path / "same.xlsx", {"Staff": STAFF, "Departments": DEPARTMENTS,
                                                    "Log": [LOG_HEADER, *log], **extra})
    return xlsx_tabs(path)


def source(clock: Clock, **kw: object) -> GSheetSource:
    return GSheetSource(SID, Access(), sleep=clock.sleep, clock=clock, seed=3, **kw)


def visible(fake: FakeSheets) -> list[str]:
    return [s.title for s in sorted(fake.books[SID].sheets, key=lambda s: s.index)
            if not s.hidden]


def values(fake: FakeSheets) -> dict[str, list[list[object]]]:
    return {s.title: [list(r) for r in s.values] for s in fake.books[SID].sheets}


def no_leftovers(fake: FakeSheets) -> bool:
    book = fake.books[SID]
    return (not any(s.title.startswith(gsheets_write.TEMP_PREFIX) for s in book.sheets)
            and not any(m["metadataKey"] == gsheets_write.LOCK_KEY for m in book.metadata))


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_a_clean_office_is_written_with_header_only_tabs(fake, tmp_path, clock):
    """Google refuses to freeze every row of a sheet: a Validation tab of a heading and a
    header alone (both frozen) gets a third, empty row."""
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    report = collabsheet.validate(source(clock), as_of=D(2025, 5, 10), write=True)
    assert report.valid and fake.violations == []
    validation = fake.tab(SID, "Validation")
    assert (validation.rows, validation.frozen) == (3, 2)
    assert visible(fake) == ["Staff", "Departments", "Log", "Validation", "Signals"]
    assert no_leftovers(fake)


def test_a_clean_and_a_full_office_written_twice_are_the_same(fake, tmp_path, clock):
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    for _ in range(2):
        assert collabsheet.run(source(clock), "2025-04", as_of=D(2025, 5, 10)).report.valid
    assert visible(fake) == ["Staff", "Departments", "Log", *RESULTS]
    first = values(fake)
    collabsheet.run(source(clock), "2025-04", as_of=D(2025, 5, 10))
    assert values(fake) == first and no_leftovers(fake)
    marks = [m["metadataValue"] for s in fake.books[SID].sheets for m in s.metadata]
    assert sorted(marks) == sorted(["validation", "ledger", "people", "departments",
                                    "commendations", "summary", "signals"])


def test_the_cell_budget_is_checked_at_the_peak_and_a_tight_sheet_still_takes_results(
        fake, tmp_path, clock):
    book = fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    collabsheet.run(source(clock), "2025-04", as_of=D(2025, 5, 10))
    results = sum(s.rows * s.cols for s in book.sheets if s.title in RESULTS)
    office = sum(s.rows * s.cols for s in book.sheets if s.title not in RESULTS)
    log = fake.tab(SID, "Log")
    log.rows += (gsheets_write.MAX_CELLS - office - results - results // 2) // log.cols
    fake.calls.clear()
    collabsheet.run(source(clock), "2025-04", as_of=D(2025, 5, 10))
    assert visible(fake) == ["Staff", "Departments", "Log", *RESULTS]
    assert no_leftovers(fake) and fake.violations == []
    first = next(c.body for c in fake.api_calls() if c.path.endswith(":batchUpdate"))
    kinds = [next(iter(r)) for r in first["requests"]]
    assert kinds.index("deleteSheet") < kinds.index("addSheet")  # the old results go first


def test_results_that_do_not_fit_at_all_are_refused_with_the_way_out(fake, tmp_path, clock):
    book = fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    fake.tab(SID, "Log").rows, fake.tab(SID, "Log").cols = 999_000, 10
    code, _, err = invoke("rank", f"gsheet:{SID}", "--period", "2025-04", "--as-of",
                          "2025-05-10", "--write")
    assert code == 2
    assert err.startswith(f"Error: gsheet:{SID}: the results need ")
    assert err.endswith("Google Sheets allows 10,000,000 in all. Nothing was written: put the "
                        "results into another workbook with --output (a new .xlsx or another "
                        "gsheet:ID)\n")
    assert len(book.sheets) == 3
    assert [c.method for c in fake.api_calls()] == ["GET", "GET"]


def test_form_timestamps_are_read_in_the_sheets_time_zone(fake, tmp_path, clock):
    """A Form on a New York sheet writes 2025-03-31 22:48 New York time: 2025-04-01 11:48 in
    Seoul, so April; a typed whole day stays that day."""
    tabs = tabs_of(tmp_path)
    del tabs["Log"]
    stamp = (dt.datetime(2025, 3, 31, 22, 48) - dt.datetime(1899, 12, 30)).total_seconds()
    tabs["Form Responses 1"] = [["Timestamp", "Email Address", "To", "Points", "Message"],
                                [stamp / 86400, "e1@office.kr", "E2", 20, "thanks"],
                                [45747.0, "e1@office.kr", "E4", 10, "typed day"]]
    fake.add_book(SID, tabs, {EMAIL: "reader"}, time_zone="America/New_York")
    code, out, _ = invoke("grant", f"gsheet:{SID}", "--as-of", "2025-05-10", "--format",
                          "json")
    months = {(r["month"], r["id"]): r["sent"] for r in json.loads(out)["ledger"]}
    assert months[("2025-04", "E1")] == 20 and months[("2025-03", "E1")] == 10
    report = collabsheet.validate(source(clock), as_of=D(2025, 5, 10))
    assert [(v.rule, v.severity, v.message) for v in report.violations] == [
        ("clock-zone", "warning", "the Google Sheet's time zone is America/New_York but the "
         "office's (Rules: timezone) is Asia/Seoul; times the sheet recorded (a Form's "
         "Timestamp) were read as America/New_York time and converted to Asia/Seoul. If the "
         "sheet's zone is wrong, set it in File > Settings")]
    assert code == 0


def test_a_lost_answer_to_the_first_batch_is_settled_by_reading_not_by_replaying(
        fake, tmp_path, clock):
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    fake.faults.append({"lost": True, "path": ":batchUpdate", "method": "POST"})
    collabsheet.validate(source(clock), as_of=D(2025, 5, 10), write=True)
    adds = [c for c in fake.calls if c.path.endswith(f"{SID}:batchUpdate")]
    assert len(adds) == 2  # the first (answer lost) and the swap: never the first again
    assert visible(fake)[-2:] == ["Validation", "Signals"] and no_leftovers(fake)


def test_a_lost_answer_to_the_swap_is_success_when_the_sheet_shows_it(fake, tmp_path, clock):
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    collabsheet.validate(source(clock), as_of=D(2025, 5, 10), write=True)
    fake.faults.append({"lost": True, "path": ":batchUpdate", "method": "POST", "skip": 1})
    collabsheet.validate(source(clock), as_of=D(2025, 5, 10), write=True)
    assert visible(fake)[-2:] == ["Validation", "Signals"] and no_leftovers(fake)


def test_a_batch_that_was_not_applied_is_sent_again_after_reading(fake, tmp_path, clock):
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    fake.faults.append({"drop": True, "path": ":batchUpdate", "method": "POST"})
    collabsheet.validate(source(clock), as_of=D(2025, 5, 10), write=True)
    assert visible(fake)[-2:] == ["Validation", "Signals"] and no_leftovers(fake)


def test_timeouts_retry_reads_and_settle_writes(fake, tmp_path, clock, monkeypatch):
    monkeypatch.setattr(gsheets, "TIMEOUT_SECONDS", 0.3)
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    fake.faults += [{"delay": 0.6, "method": "GET"}, {"delay": 0.6, "path": ":batchUpdate"}]
    collabsheet.validate(source(clock), as_of=D(2025, 5, 10), write=True)
    assert visible(fake)[-2:] == ["Validation", "Signals"] and no_leftovers(fake)
    assert gsheets.TIMEOUT_SECONDS == 0.3
    monkeypatch.undo()
    assert gsheets.TIMEOUT_SECONDS == 180


def test_the_quota_is_kept_and_a_429_waits_past_the_minute(tmp_path, monkeypatch, clock):
    told: list[str] = []
    with FakeSheets(clock=clock, seed=1, read_quota=1) as fake:
        monkeypatch.setenv("COLLABSHEET_SHEETS_API", fake.url)
        monkeypatch.setenv("COLLABSHEET_CREDENTIALS",
                           str(service_key(tmp_path / "key.json", f"{fake.url}/token")))
        fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "reader"})
        src = GSheetSource(SID, Access(notify=told.append), sleep=clock.sleep, clock=clock)
        report = collabsheet.validate(src, as_of=D(2025, 5, 10))
        assert report.stats.rows == 2
        quota = [c for c in fake.calls if c.status == 429]
        assert quota and sum(clock.waits) >= 60
        assert str(told[0]).startswith("Google Sheets quota reached (60 requests a minute); "
                                       "waiting")
        assert told[0].say("ko").startswith("Google 시트 할당량(1분에 60회 요청)에 닿아")


def test_the_client_paces_itself_under_sixty_requests_a_minute(clock):
    pace = gsheets.Pace(clock, clock.sleep, None)
    sent = []
    for _ in range(150):
        pace.before("write")
        sent.append(clock.now)
    assert clock.waits == [60.0, 60.0]
    assert all(sent[i + 60] - sent[i] >= 60 for i in range(len(sent) - 60))
    pace.before("read")
    assert clock.waits == [60.0, 60.0]  # reads have a quota of their own


def test_a_fresh_lock_of_another_run_stops_the_write(fake, tmp_path, clock):
    tabs = tabs_of(tmp_path)
    other = gsheets_write.Lock("feedbeef", clock.now - 30, "another-host", 4242)
    fake.add_book(SID, tabs, {EMAIL: "writer"},
                  metadata=[{"metadataKey": gsheets_write.LOCK_KEY,
                             "metadataValue": other.value()}])
    with pytest.raises(SourceError) as got:
        collabsheet.validate(source(clock), as_of=D(2025, 5, 10), write=True)
    assert str(got.value) == (
        f"gsheet:{SID}: another collabsheet run has been writing the sheet since "
        f"{other.since()}; nothing was written. Run again when it is done (a lock older than "
        "15 minutes is taken over)")
    assert visible(fake) == ["Staff", "Departments", "Log"]


def test_a_stale_lock_is_taken_over(fake, tmp_path, clock):
    old = gsheets_write.Lock("deadbeef", clock.now - 16 * 60, "another-host", 4242)
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"},
                  metadata=[{"metadataKey": gsheets_write.LOCK_KEY,
                             "metadataValue": old.value()}])
    collabsheet.validate(source(clock), as_of=D(2025, 5, 10), write=True)
    assert visible(fake)[-2:] == ["Validation", "Signals"] and no_leftovers(fake)


KILLED = """
import os, signal, sys
from collabsheet.sources import gsheets_write
def die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)
    yield {}
gsheets_write.value_batches = die
import collabsheet
collabsheet.run(sys.argv[1], "2025-04", as_of=__import__("datetime").date(2025, 5, 10))
"""


def test_a_run_killed_between_add_and_swap_is_cleaned_up_by_the_next(fake, tmp_path, clock):
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    collabsheet.run(source(clock), "2025-04", as_of=D(2025, 5, 10))
    before = values(fake)
    proc = subprocess.run([sys.executable, "-c", KILLED, f"gsheet:{SID}"], cwd=ROOT,
                          capture_output=True, timeout=120, env={**os.environ})
    assert proc.returncode == -signal.SIGKILL
    temps = [s for s in fake.books[SID].sheets
             if s.title.startswith(gsheets_write.TEMP_PREFIX)]
    assert len(temps) == len(RESULTS) and all(s.hidden for s in temps)
    assert visible(fake) == ["Staff", "Departments", "Log", *RESULTS]
    assert {t: v for t, v in values(fake).items() if t in before} == before
    collabsheet.run(source(clock), "2025-04", as_of=D(2025, 5, 10))
    assert values(fake) == before and no_leftovers(fake)


def test_two_runs_started_together_never_break_each_others_tabs(fake, tmp_path):
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def one() -> None:
        start.wait()
        try:
            collabsheet.run(GSheetSource(SID, Access(), sleep=lambda s: None), "2025-04",
                            as_of=D(2025, 5, 10))
            outcomes.append("wrote")
        except SourceError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "wrote" in outcomes
    for other in outcomes:
        assert other == "wrote" or "another collabsheet run" in other
    assert visible(fake) == ["Staff", "Departments", "Log", *RESULTS]
    assert no_leftovers(fake) and fake.violations == []


def test_a_run_that_planned_beside_one_already_done_stops_as_the_rival(fake, tmp_path,
                                                                       monkeypatch):
    """Both runs read the sheet before either wrote; the first finishes and releases its lock
    before the second takes one, so only the second's swap shows it lost the race."""
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    planned, first_done = threading.Barrier(2), threading.Event()
    plan = gsheets_write.plan_write
    outcomes: dict[str, str] = {}

    def plan_then_wait(*args, **kw):
        made = plan(*args, **kw)
        planned.wait()
        if threading.current_thread().name == "second":
            first_done.wait()
        return made

    monkeypatch.setattr(gsheets_write, "plan_write", plan_then_wait)

    def one() -> None:
        name = threading.current_thread().name
        try:
            collabsheet.run(GSheetSource(SID, Access(), sleep=lambda s: None), "2025-04",
                            as_of=D(2025, 5, 10))
            outcomes[name] = "wrote"
        except SourceError as exc:
            outcomes[name] = str(exc)
        finally:
            if name == "first":
                first_done.set()

    threads = [threading.Thread(target=one, name=n) for n in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes["first"] == "wrote"
    assert outcomes["second"].startswith(f"gsheet:{SID}: another collabsheet run started")
    assert visible(fake) == ["Staff", "Departments", "Log", *RESULTS]
    assert no_leftovers(fake) and fake.violations == []


def test_a_failed_write_removes_its_temporary_tabs_and_lock(fake, tmp_path, clock):
    fake.add_book(SID, tabs_of(tmp_path), {EMAIL: "writer"})
    collabsheet.run(source(clock), "2025-04", as_of=D(2025, 5, 10))
    before = values(fake)
    fake.faults.append({"status": 400, "path": "values:batchUpdate"})
    with pytest.raises(SourceError, match=r"refused to write values \(400"):
        collabsheet.run(source(clock), "2025-04", as_of=D(2025, 5, 10))
    assert values(fake) == before and no_leftovers(fake)


def test_merged_cells_give_the_same_verdicts_on_both_backends(fake, tmp_path, clock):
    import openpyxl

    log = [[D(2025, 4, 2), "E1", "E2", 10, "thanks"], [D(2025, 4, 2), "E1", "E4", 10, None]]
    path = write_workbook(tmp_path / "merged.xlsx", {"Staff": STAFF, "Departments": DEPARTMENTS,
                                                      "Log": [LOG_HEADER, *log]})
    wb = openpyxl.load_workbook(path)
    wb["Log"].merge_cells("E2:E3")
    wb.save(path)
    tabs = xlsx_tabs(path)
    fake.add_book(SID, tabs, {EMAIL: "reader"}, merges={"Log": ["E2:E3"]})
    sheet = collabsheet.validate(source(clock), as_of=D(2025, 5, 10))
    book = collabsheet.validate(path, as_of=D(2025, 5, 10))
    assert [v.to_dict() for v in sheet.violations] == [v.to_dict() for v in book.violations]
    assert [v.rule for v in sheet.violations] == ["merged-cells"]
