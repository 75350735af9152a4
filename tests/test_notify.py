"""Notices written as .eml files (notify --dry-run): each person gets exactly the thanks of the
accepted rows they received and their own rejected rows with the reasons, the statement's
figures are the ledger's, typed text stays data, and Korean is encoded as mail must be."""

from __future__ import annotations

import datetime as dt
import email
import re
import shutil
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, write_workbook
from hypothesis import example, given
from hypothesis import strategies as st

from collabsheet import api, months
from collabsheet.cli import cli
from collabsheet.ledger import ledger
from collabsheet.notices import Notice, Notices, Refusal, Statement, Thanks
from collabsheet.periods import Period

ROOT = Path(__file__).resolve().parent.parent
AT = dt.datetime(2025, 5, 10, 9, 0, tzinfo=dt.UTC)


def read(folder: Path) -> dict[str, email.message.EmailMessage]:
    """Each .eml by its recipient's address."""
    out = {}
    for path in sorted(folder.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        out[msg["To"].addresses[0].addr_spec] = msg
    return out


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content()


@pytest.fixture(scope="module")
def april(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("notify")
    book = tmp / "office.xlsx"
    shutil.copyfile(ROOT / "examples" / "example-office-en.xlsx", book)
    res = api.notify(book, "2025-04", as_of=dt.date(2025, 5, 10), at=AT, dry_run=tmp / "out")
    _, ev = api.evaluate(book, dt.date(2025, 5, 10))
    return res, ev, read(tmp / "out")


def test_each_recipient_gets_exactly_the_thanks_they_received(april):
    res, ev, mails = april
    log, staff = ev.verdicts.log, ev.verdicts.staff
    april_code = months.code(2025, 4)
    emails = staff.set_index("id")["email"]
    accepted = log[log["accepted"] & (log["month"] == april_code)]
    checked = 0
    for pid, rows in accepted.groupby("to"):
        msg = mails[emails[pid]]
        lines = [ln for ln in body(msg).splitlines() if " points from " in ln]
        assert len(lines) == len(rows), pid
        for (_, r), line in zip(rows.sort_values("row").iterrows(), lines, strict=True):
            assert line.startswith(f"{r['when'].date().isoformat()}: {int(r['points'])} "
                                   f"points from ")
            assert line.endswith(f'"{r["message"]}"')
        checked += 1
    assert checked > 100 and len(res.files) == len(mails)


def test_rejected_rows_go_to_their_sender_only_with_the_reasons(april):
    _res, ev, mails = april
    log, staff = ev.verdicts.log, ev.verdicts.staff
    emails = staff.set_index("id")["email"]
    rejected = log[~log["accepted"] & (log["month"] == months.code(2025, 4))
                   & log["sender"].notna()]
    owner = {int(r["row"]): emails[r["from"]] for _, r in rejected.iterrows()}
    seen = set()
    for address, msg in mails.items():
        for row in map(int, re.findall(r"^Log row (\d+),", body(msg), re.M)):
            assert owner[row] == address  # nobody sees another person's rows
            seen.add(row)
    assert seen == set(owner)
    reasons = {v.row: v.message for v in ev.report.violations if v.severity == "error"}
    some = next(iter(owner))
    assert f"  - {reasons[some]}" in body(mails[owner[some]])


def test_the_statement_is_the_ledgers(april):
    _res, ev, mails = april
    frame = ledger(ev.verdicts)
    rows = frame[frame["month_code"] == months.code(2025, 4)]
    staff = ev.verdicts.staff
    for _, r in rows.head(40).iterrows():
        address = staff.loc[int(r["person"]), "email"]
        if not (r["granted"] or r["sent"]):
            continue
        text = body(mails[address])
        assert f"Granted {r['granted']:,}, sent {r['sent']:,}, expired {r['expired']:,}, " in text


def test_while_the_month_is_open_the_points_left_are_said(tmp_path):
    book = tmp_path / "office.xlsx"
    shutil.copyfile(ROOT / "examples" / "example-office-en.xlsx", book)
    res = api.notify(book, "2025-06", as_of=dt.date(2025, 6, 20), at=AT, dry_run=tmp_path / "o")
    assert all(n.statement is None for n in res.notices.notices)
    bad = [n for n in res.notices.notices if n.refused]
    assert bad and all(n.left is not None for n in bad)
    mails = read(tmp_path / "o")
    n = bad[0]
    assert f"You still have {n.left:,} points to send this month" in body(mails[n.email])


def small(tmp_path: Path, staff_name: str, message: str) -> Path:
    staff = [["ID", "Name", "Department", "Email"],
             ["E1", staff_name, "Planning", "e1@office.kr"],
             ["E2", "이서연", "Finance", "e2@office.kr"],
             ["E3", "No Mail", "Finance", None]]
    log = [LOG_HEADER, [dt.date(2025, 4, 2), "E2", "E1", 50, message],
           [dt.date(2025, 4, 3), "E3", "E1", 20, "thanks"]]
    return write_workbook(tmp_path / "small.xlsx", {"Staff": staff, "Departments": DEPARTMENTS,
                                                     "Log": log, "Rules": [
                                                         ["Rule", "Value"],
                                                         ["language", "ko"]]})


def test_typed_text_is_data_and_korean_is_encoded(tmp_path):
    book = small(tmp_path, "Kim\r\nBcc: all@office.kr", '<b>고맙습니다</b> & "thanks"')
    out = CliRunner().invoke(cli, ["notify", str(book), "--month", "2025-04", "--as-of",
                                   "2025-05-10", "--dry-run", str(tmp_path / "o"), "-q"])
    assert out.exit_code == 0, out.output
    assert out.output == (f"2025-04 알림 2건을 {tmp_path / 'o'}에 썼습니다. 보내지는 "
                          "않았습니다.\n직원 탭에 이메일 주소가 없는 사람: E3\n")
    raw = sorted((tmp_path / "o").glob("*-E1.eml"))[0].read_bytes()
    headers = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "\r\nBcc:" not in headers and "Subject: =?utf-8?" in headers
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "협업 포인트: 2025년 4월 알림"
    assert msg["To"].addresses[0].display_name == "Kim Bcc: all@office.kr"
    html = msg.get_body(("html",)).get_content()
    assert "&lt;b&gt;고맙습니다&lt;/b&gt; &amp; &quot;thanks&quot;" in html and "<b>" not in html
    assert '"<b>고맙습니다</b> & "thanks""' in body(msg)
    assert "이서연(Finance) 님이 50포인트와 함께" in body(msg)


_TEXT = st.text(st.sampled_from(list(" a가&<>\"'\r\n\t\u2028\xa0{}")), max_size=8) | \
    st.text(st.characters(codec="utf-8"), max_size=12)
_THANKS = st.builds(Thanks, key=st.just("log:x"), row=st.integers(2, 10**6),
                    day=st.dates(), sender=_TEXT, name=_TEXT, department=_TEXT,
                    points=st.integers(1, 10**6), message=_TEXT)
_REFUSAL = st.builds(Refusal, key=st.just("log:y"), row=st.integers(2, 10**6),
                     day=st.none() | st.dates(), receiver=_TEXT, points=_TEXT,
                     reasons=st.lists(_TEXT, max_size=3).map(tuple))
_NUMBER = st.integers(-10**7, 10**7)
_STATEMENT = st.builds(
    Statement, key=st.just("statement:2025-04"), month=st.just(months.code(2025, 4)),
    granted=_NUMBER, sent=_NUMBER, expired=_NUMBER, received=_NUMBER,
    score=_NUMBER | _NUMBER.map(lambda x: x + 0.5),
    period=st.sampled_from([Period(months.code(2025, 0), months.code(2025, 4), "h"),
                            Period(months.code(2025, 4), months.code(2025, 4), "m")]))


@example(lang="en", name=" Kim\xa0", thanks=[], refused=[], left=None, statement=None,
         source="")
@example(lang="ko", name="김\r\nBcc: x@y.kr", left=1, statement=None, source="<b>",
         thanks=[Thanks("k", 2, dt.date(2025, 4, 1), "E2", "이\n", "<i>", 5, "a & b\n")],
         refused=[Refusal("r", 3, None, "E3", "x", ("{fix}",))])
@given(lang=st.sampled_from(["en", "ko"]), name=_TEXT,
       thanks=st.lists(_THANKS, max_size=3), refused=st.lists(_REFUSAL, max_size=3),
       left=st.none() | _NUMBER, statement=st.none() | _STATEMENT, source=_TEXT)
def test_the_batchs_texts_are_the_references(lang, name, thanks, refused, left, statement,
                                             source):
    """mailbytes.Texts, its words worked out once a batch, writes what mail.texts writes,
    whatever people typed (line breaks, markup, Korean, empty)."""
    from collabsheet import mail, mailbytes

    n = Notice("E1", name, "a@b.kr", tuple(thanks), tuple(refused), left, statement)
    batch = Notices(months.code(2025, 4), dt.date(2025, 5, 10), lang, source, (n,), ())
    assert mailbytes.Texts(batch)(n) == mail.texts(n, batch)


@pytest.mark.parametrize("lang_book,as_of", [("ko", dt.date(2025, 5, 10)),
                                             ("en", dt.date(2025, 4, 20))])
def test_the_fast_writer_makes_the_references_message(lang_book, as_of):
    """mailbytes writes what mail.compose builds with the email package: the same headers,
    parts and text once parsed, for every notice of the example office's month."""
    from collabsheet import mail, mailbytes
    from collabsheet.notices import notices

    book = ROOT / "examples" / f"example-office-{lang_book}.xlsx"
    _, ev = api.evaluate(book, as_of)
    found = notices(ev.verdicts, ev.report, months.code(2025, 4))
    writer = mailbytes.Writer(found, "points@office.go.kr", AT)
    checked = 0
    for n in [*found.notices, found.notices[0]._replace(name="가" * 60)]:
        if not n.email:
            continue
        msgid = mail.message_id("points@office.go.kr")
        ref = email.message_from_bytes(mail.as_bytes(mail.compose(
            n, found, "points@office.go.kr", AT, msgid)), policy=policy.default)
        fast_bytes = writer.message(n, msgid)
        assert max(map(len, fast_bytes.split(b"\r\n"))) <= 998 and b"\n" not in \
            fast_bytes.replace(b"\r\n", b"")
        fast = email.message_from_bytes(fast_bytes, policy=policy.default)
        assert [k for k in fast.keys()] == [k for k in ref.keys()]
        for k in ref.keys():
            if k != "Content-Type":
                assert str(fast[k]) == str(ref[k]), k
        assert [(p.get_content_type(), p.get_content()) for p in fast.iter_parts()] == \
            [(p.get_content_type(), p.get_content()) for p in ref.iter_parts()]
        checked += 1
    assert checked > 50


def test_a_notice_that_cannot_be_written_is_one_line(tmp_path):
    """A dry run's folder where a notice's file cannot be made: one line naming the file,
    whichever thread was writing it, and no traceback."""
    book = small(tmp_path, "Kim", "thanks")
    args = ["notify", str(book), "--month", "2025-04", "--as-of", "2025-05-10",
            "--dry-run", str(tmp_path / "o"), "-q"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    second = sorted((tmp_path / "o").glob("*.eml"))[1]
    second.unlink()
    second.mkdir()
    out = CliRunner().invoke(cli, args)
    assert (out.exit_code, out.stdout) == (2, ""), out.stderr
    assert out.stderr == (f"오류: {second}: 쓸 수 없습니다(Is a directory). "
                          "파일은 그대로 두었습니다\n")
