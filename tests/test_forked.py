"""Work split between forked processes (forked.py), as notify --dry-run uses it for a large
office: the same files as one process writes, a child's error is the run's one line, a child
that dies is reported, a parent that fails stops its children, and where fork is unsafe the
parts run here in order.

The suite's workers may run server threads, which ``can_fork`` refuses; the tests that mean
to fork say so (``forking``)."""

from __future__ import annotations

import datetime as dt
import email
import os
import shutil
import signal
import sys
import threading
import time
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsheet import api, dryrun, forked
from collabsheet.cli import cli
from collabsheet.errors import SourceError, UsageError

ROOT = Path(__file__).resolve().parent.parent
AT = dt.datetime(2025, 5, 10, 9, 0, tzinfo=dt.UTC)
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux")


@pytest.fixture
def forking(monkeypatch):
    monkeypatch.setattr(forked, "can_fork", lambda: True)


@pytest.fixture(scope="module")
def april(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("forked")
    book = tmp / "office.xlsx"
    shutil.copyfile(ROOT / "examples" / "example-office-en.xlsx", book)
    return book, api.notify(book, "2025-04", as_of=dt.date(2025, 5, 10), at=AT,
                            dry_run=tmp / "out").notices


def _contents(folder: Path) -> dict[str, tuple[object, ...]]:
    """Each file's headers and parts, the Message-ID (and the boundary made from it) aside."""
    out = {}
    for path in sorted(folder.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        out[path.name] = (msg["To"], msg["From"], msg["Subject"], msg["Date"],
                          [(p.get_content_type(), p.get_content()) for p in msg.iter_parts()])
    return out


@linux
def test_parts_write_the_same_files_as_one_process(april, tmp_path, forking):
    _, found = april
    one = dryrun.write_notices(found, tmp_path / "one", "hr@office.example", AT, parts=1)
    three = dryrun.write_notices(found, tmp_path / "three", "hr@office.example", AT, parts=3)
    assert [p.name for p in one] == [p.name for p in three]
    assert len(one) > 50
    assert _contents(tmp_path / "one") == _contents(tmp_path / "three")
    ids = {email.message_from_bytes(p.read_bytes())["Message-ID"] for p in [*one, *three]}
    assert len(ids) == 2 * len(one)


@linux
def test_a_child_that_cannot_write_fails_the_run_with_its_line(april, tmp_path, forking,
                                                               monkeypatch):
    book, _ = april
    monkeypatch.setattr(dryrun, "SPLIT_FROM", 1)
    monkeypatch.setattr(forked, "cores", lambda: 2)
    args = ["notify", str(book), "--month", "2025-04", "--as-of", "2025-05-10",
            "--dry-run", str(tmp_path / "o"), "-q"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    last = sorted((tmp_path / "o").glob("*.eml"))[-1]
    last.unlink()
    last.mkdir()
    out = CliRunner().invoke(cli, [*args, "--lang", "ko"])
    assert (out.exit_code, out.stdout) == (2, ""), out.stderr
    assert out.stderr == f"오류: {last}: 쓸 수 없습니다(Is a directory). 파일은 그대로 두었습니다\n"


@linux
def test_a_child_that_dies_is_reported(forking):
    def work(part: int) -> None:
        if part == 1:
            os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(SourceError) as caught:
        forked.in_parts(work, 2)
    assert caught.value.say("en") == ("a worker process stopped before its part was done "
                                      "(exit status -9); run again")
    assert caught.value.say("ko") == ("작업 프로세스가 맡은 부분을 마치기 전에 멈췄습니다"
                                      "(종료 상태 -9). 다시 실행하십시오")


@linux
def test_a_parent_that_fails_stops_its_children(forking, tmp_path):
    late = tmp_path / "late"

    def work(part: int) -> None:
        if part == 0:
            raise UsageError("the parent's part failed")
        time.sleep(1)
        late.write_text("a child went on")

    with pytest.raises(UsageError, match="the parent's part failed"):
        forked.in_parts(work, 2)
    time.sleep(1.5)
    assert not late.exists()


def test_where_fork_is_unsafe_the_parts_run_here_in_order():
    done: list[tuple[int, int]] = []
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not forked.can_fork()
        forked.in_parts(lambda part: done.append((part, os.getpid())), 3)
    finally:
        stop.set()
        other.join()
    assert done == [(0, os.getpid()), (1, os.getpid()), (2, os.getpid())]


@linux
@pytest.mark.parametrize("blocked", [0, -1], ids=["in the parent's part", "in a child's part"])
def test_a_failed_run_takes_back_the_files_it_made(april, tmp_path, forking, blocked):
    _, found = april
    names = [p.name for p in dryrun.write_notices(found, tmp_path / "all", "hr@x.example", AT)]
    folder = tmp_path / "fresh"
    folder.mkdir()
    (folder / names[blocked]).mkdir()
    with pytest.raises(SourceError) as caught:
        dryrun.write_notices(found, folder, "hr@x.example", AT, parts=2)
    assert caught.value.say("en") == (f"{folder / names[blocked]}: cannot be written "
                                      "(Is a directory); it was left as it was")
    assert [p.name for p in folder.iterdir()] == [names[blocked]]


@linux
def test_a_folder_the_failed_run_made_is_removed(april, tmp_path, forking, monkeypatch):
    _, found = april
    last = [n for n in found.notices if n.email][-1].id
    real = dryrun.Writer.message

    def message(self, n, msgid):
        if n.id == last:
            raise UsageError("this one cannot be composed")
        return real(self, n, msgid)

    monkeypatch.setattr(dryrun.Writer, "message", message)
    with pytest.raises(SourceError, match="this one cannot be composed"):
        dryrun.write_notices(found, tmp_path / "new" / "notices", "hr@x.example", AT, parts=3)
    assert [p.name for p in tmp_path.iterdir()] == ["new"]
    assert not any((tmp_path / "new").iterdir())


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "in order"])
def test_the_parts_that_succeeded_are_undone_when_one_fails(monkeypatch, fork):
    if fork and not sys.platform.startswith("linux"):
        pytest.skip("fork is used on Linux")
    monkeypatch.setattr(forked, "can_fork", lambda: fork)
    undone: list[int] = []

    def work(part: int) -> int:
        if part == 2:
            raise UsageError("part 2 failed")
        return part * 10

    assert forked.in_parts(work, 2, undo=undone.append) == [0, 10]
    assert undone == []
    with pytest.raises(UsageError if not fork else SourceError, match="part 2 failed"):
        forked.in_parts(work, 4, undo=undone.append)
    assert sorted(undone) == ([0, 10] if not fork else [0, 10, 30])
