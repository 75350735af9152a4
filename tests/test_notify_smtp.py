"""notify --smtp against a real SMTP server on 127.0.0.1 (aiosmtpd): what each person receives,
what the Notices tab records, and how the run behaves when the server refuses, drops or is
killed under it."""

from __future__ import annotations

import datetime as dt
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from email import policy
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from test_notify import body, small

from collabsheet import api, months
from collabsheet.cli import cli
from collabsheet.ledger import ledger

ROOT = Path(__file__).resolve().parent.parent
MONTH = ["--month", "2025-04", "--as-of", "2025-05-10"]
FAST = ["--per-minute", "100000", "-q"]


class Box:
    """Collects what the server accepts; can refuse a recipient, drop the connection after a
    number of messages, or call ``on_data`` before accepting one."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.drop_after: int | None = None
        self.on_data = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.drop_after is not None and len(self.mails) >= self.drop_after:
                server.transport.close()
                return "421 closing"
            if self.on_data is not None:
                self.on_data(len(self.mails))
            self.mails.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def parsed(self) -> dict[str, list[email.message.EmailMessage]]:
        out: dict[str, list[email.message.EmailMessage]] = {}
        for tos, data in self.mails:
            out.setdefault(tos[0], []).append(email.message_from_bytes(data,
                                                                       policy=policy.default))
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _auth(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"admin", b"s3cret")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp():
    started = []

    def start(login: bool = False) -> tuple[Box, str]:
        box = Box()
        port = free_port()
        kw = dict(auth_required=True, auth_require_tls=False, authenticator=_auth,
                  auth_exclude_mechanism=["LOGIN"]) \
            if login else {}
        c = Controller(box, hostname="127.0.0.1", port=port, **kw)
        c.start()
        started.append(c)
        return box, f"127.0.0.1:{port}"

    yield start
    for c in started:
        c.stop()


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "office.xlsx"
    shutil.copyfile(ROOT / "examples" / "example-office-en.xlsx", path)
    return path


def records(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb["Notices"]
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[0] and str(r[0])[:2] == "20"]
    wb.close()
    return rows


def run(book: Path, server: str, *extra: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["notify", str(book), *MONTH, "--smtp", server,
                                    "--from", "points@office.example", *FAST, *extra],
                              env=env)


def test_each_person_gets_their_own_notice_and_a_second_run_sends_nothing(book, smtp):
    box, server = smtp()
    out = run(book, server)
    assert out.exit_code == 0, out.output
    _, ev = api.evaluate(book, dt.date(2025, 5, 10))
    v = ev.verdicts
    log, staff = v.log, v.staff
    emails = staff.set_index("id")["email"]
    got = box.parsed()
    assert all(len(m) == 1 for m in got.values())
    assert out.output.startswith(f"Sent {len(got):,} notice(s) for 2025-04 through {server}; "
                                 "recorded on the Notices tab.\n")
    april = months.code(2025, 4)
    accepted = log[log["accepted"] & (log["month"] == april)]
    for pid, rows in accepted.groupby("to"):
        text = body(got[emails[pid]][0])
        lines = [ln for ln in text.splitlines() if " points from " in ln]
        assert len(lines) == len(rows)
        for (_, r), line in zip(rows.sort_values("row").iterrows(), lines, strict=True):
            assert line.endswith(f'"{r["message"]}"')
    rejected = log[~log["accepted"] & (log["month"] == april) & log["sender"].notna()]
    owner = {int(r["row"]): emails[r["from"]] for _, r in rejected.iterrows()}
    told = {}
    for address, msgs in got.items():
        for line in body(msgs[0]).splitlines():
            if line.startswith("Log row "):
                told[int(line.split()[2].rstrip(","))] = address
    assert told == owner
    frame = ledger(v)
    frame = frame[frame["month_code"] == april]
    for _, r in frame.head(60).iterrows():
        if r["granted"] or r["sent"]:
            text = body(got[staff.loc[int(r["person"]), "email"]][0])
            assert (f"Granted {r['granted']:,}, sent {r['sent']:,}, expired {r['expired']:,}, "
                    in text)
    rows = records(book)
    assert len({r[4] for r in rows}) == len(got)
    assert {r[4] for r in rows} == {m[0]["Message-ID"] for m in got.values()}
    before = book.read_bytes()
    again = run(book, server)
    assert again.exit_code == 0, again.output
    assert again.output.startswith("Nothing new to tell for 2025-04: every notice was sent "
                                   "before.\n")
    assert len(box.mails) == len(got) and book.read_bytes() == before


def test_a_refused_recipient_is_reported_and_sent_on_the_next_run(book, smtp):
    box, server = smtp()
    _, ev = api.evaluate(book, dt.date(2025, 5, 10))
    staff = ev.verdicts.staff
    address = staff.loc[staff["id"] == "E1008", "email"].iloc[0]
    box.refuse.add(address)
    out = run(book, server)
    assert out.exit_code == 1
    n = len(box.mails)
    assert (f"The mail server refused 1 address(es), not recorded (tried again next run): "
            f"E1008 <{address}> (550 5.1.1 no such mailbox here)\n") in out.output
    assert address not in {r[2] for r in records(book)} and len(records(book)) == n
    box.refuse.clear()
    again = run(book, server)
    assert again.exit_code == 0, again.output
    assert [tos for tos, _ in box.mails[n:]] == [[address]]


def test_a_dropped_connection_stops_with_what_was_sent_recorded(book, smtp):
    box, server = smtp()
    box.drop_after = 70
    out = run(book, server)
    assert out.exit_code == 2
    assert out.output.startswith(f"Error: the mail server {server} closed the connection: ")
    assert out.output.endswith("70 notice(s) sent before were recorded, run again to send the "
                               "rest\n")
    assert len(records(book)) == 70
    box.drop_after = None
    assert run(book, server).exit_code == 0
    per_person = Counter(tos[0] for tos, _ in box.mails)
    assert set(per_person.values()) == {1}


def test_login_required_missing_wrong_and_right(book, smtp):
    box, server = smtp(login=True)
    before = book.read_bytes()
    out = run(book, server)
    assert out.exit_code == 2
    assert out.output == (f"Error: the mail server {server} wants a login: set "
                          "COLLABSHEET_SMTP_USER and COLLABSHEET_SMTP_PASSWORD; nothing was "
                          "sent\n")
    wrong = run(book, server, env={"COLLABSHEET_SMTP_USER": "admin",
                                   "COLLABSHEET_SMTP_PASSWORD": "guess"})
    assert wrong.exit_code == 2
    assert wrong.output.startswith(f"Error: the mail server {server} refused the login of "
                                   "admin: 535 ")
    assert "guess" not in wrong.output
    assert book.read_bytes() == before and not box.mails
    right = run(book, server, env={"COLLABSHEET_SMTP_USER": "admin",
                                   "COLLABSHEET_SMTP_PASSWORD": "s3cret"})
    assert right.exit_code == 0, right.output
    assert box.mails and "s3cret" not in right.output


def test_no_server_listening_is_one_line_and_nothing_changes(book):
    before = book.read_bytes()
    port = free_port()
    out = run(book, f"127.0.0.1:{port}")
    assert out.exit_code == 2
    assert out.output == (f"Error: cannot reach the mail server 127.0.0.1:{port}: Connection "
                          "refused; check --smtp (and --starttls or --ssl); nothing was sent\n")
    assert book.read_bytes() == before


def test_a_name_with_a_line_break_and_korean_text_over_smtp(tmp_path, smtp):
    box, server = smtp()
    book = small(tmp_path, "Kim\r\nBcc: all@office.kr", "고맙습니다\r\nSubject: spam")
    out = CliRunner().invoke(cli, ["notify", str(book), *MONTH, "--smtp", server, *FAST])
    assert out.exit_code == 0, out.output
    assert out.output == (f"2025-04 알림 2건을 {server}로 보내고 알림 기록 탭에 "
                          "기록했습니다.\n직원 탭에 이메일 주소가 없는 사람: E3\n")
    raw = next(data for tos, data in box.mails if tos == ["e1@office.kr"])
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"\r\nBcc:" not in head and head.count(b"\r\nSubject:") == 1
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "협업 포인트: 2025년 4월 알림"
    assert msg["To"].addresses[0].display_name == "Kim Bcc: all@office.kr"
    assert "고맙습니다\nSubject: spam" in body(msg)


def test_the_pace_is_kept(book, smtp):
    box, server = smtp()

    class Clock:
        t = 0.0
        waits: list[float] = []

        def now(self):
            return dt.datetime(2025, 5, 10, 9, tzinfo=dt.UTC) + dt.timedelta(seconds=self.t)

        def monotonic(self):
            return self.t

        def sleep(self, s):
            self.waits.append(s)
            self.t += s

    from collabsheet.smtp import parse_server

    clock = Clock()
    res = api.notify(book, "2025-04", as_of=dt.date(2025, 5, 10), at=clock.now(),
                     server=parse_server(server), per_minute=120, clock=clock)
    assert len(res.sent) == len(box.mails) > 100
    assert clock.waits and all(abs(w - 0.5) < 1e-9 for w in clock.waits)
    assert len(clock.waits) == len(box.mails) - 1


def test_a_run_killed_mid_batch_sends_that_batch_again_and_nothing_is_lost(book, smtp):
    """The promise (docs/notify.md): a message the server took but the run did not record is
    sent again, once; nobody is left out."""
    box, server = smtp()
    proc: list[subprocess.Popen] = []

    def kill(n: int) -> None:
        if n == 120:
            os.kill(proc[0].pid, signal.SIGKILL)

    box.on_data = kill
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "collabsheet", "notify", str(book), *MONTH, "--smtp", server,
           *FAST]
    proc.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    proc[0].wait(120)
    assert proc[0].returncode == -signal.SIGKILL
    recorded = len(records(book))
    assert recorded == 100  # two batches of 50 were recorded; the third was in flight
    box.on_data = None
    done = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    per_person = Counter(tos[0] for tos, _ in box.mails)
    twice = {a for a, k in per_person.items() if k == 2}
    assert set(per_person.values()) <= {1, 2} and 0 < len(twice) <= 50
    first_run = [tos[0] for tos, _ in box.mails[:121]]
    assert twice <= set(first_run[100:])
    _, ev = api.evaluate(book, dt.date(2025, 5, 10))
    everyone = {n.email for n in api.notify(book, "2025-04", as_of=dt.date(2025, 5, 10),
                                            at=dt.datetime(2025, 5, 10, tzinfo=dt.UTC),
                                            dry_run=book.parent / "none").notices.notices}
    assert everyone == set() or everyone == {None}
    third = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    assert third.returncode == 0 and b"Nothing new" in third.stdout


def test_on_a_google_sheet_the_notices_tab_is_written_and_read_back(tmp_path, smtp,
                                                                     monkeypatch):
    from fake_sheets import FakeSheets, service_key, xlsx_tabs

    box, server = smtp()
    with FakeSheets() as sheets:
        monkeypatch.setenv("COLLABSHEET_SHEETS_API", sheets.url)
        key = service_key(tmp_path / "key.json", f"{sheets.url}/token")
        monkeypatch.setenv("COLLABSHEET_CREDENTIALS", str(key))
        sheets.add_book("officeSheet0001", xlsx_tabs(ROOT / "examples" /
                                                     "example-office-en.xlsx"),
                        {"collabsheet@office.iam.gserviceaccount.com": "writer"})
        out = run(Path("gsheet:officeSheet0001"), server)
        assert out.exit_code == 0, out.output
        n = len(box.mails)
        assert n > 100 and out.output.startswith(f"Sent {n:,} notice(s)")
        tab = sheets.tab("officeSheet0001", "Notices")
        ids = {row[4] for row in tab.values if row and str(row[0]).startswith("2025-")}
        assert len(ids) == n
        again = run(Path("gsheet:officeSheet0001"), server)
        assert again.exit_code == 0 and again.output.startswith("Nothing new")
        assert len(box.mails) == n and sheets.violations == []
