"""Every console sample in README.md is a real run: each ``$ collabsheet ...`` line is run on
the bundled example office (a fresh copy as office.xlsx, or the Korean edition as
사무소.xlsx) and what it prints must match the sample, where ``...`` stands for lines left
out."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from collabsheet.cli import cli

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
EXAMPLES = {"office.xlsx": "example-office-en.xlsx", "사무소.xlsx": "example-office-ko.xlsx"}


def samples(text: str) -> list[tuple[list[str], list[str]]]:
    """(commands, expected lines) of every console block, in order."""
    out = []
    for block in BLOCK.findall(text):
        commands, lines = [], []
        for line in block.splitlines():
            if line.startswith("$ "):
                commands.append(line[2:].split("  #")[0].strip())
            else:
                lines.append(line)
        out.append((commands, lines))
    return out


def matches(expected: list[str], got: list[str]) -> bool:
    """``got`` is ``expected`` with each ``...`` standing for any number of lines."""
    pos, loose = 0, False
    for line in expected:
        if line == "...":
            loose = True
            continue
        if loose:
            while pos < len(got) and got[pos] != line:
                pos += 1
        if pos >= len(got) or got[pos] != line:
            return False
        pos, loose = pos + 1, False
    return loose or pos == len(got)


README = samples((ROOT / "README.md").read_text(encoding="utf-8"))


def test_matching_knows_what_dots_stand_for():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a"], ["a", "b"])
    assert matches(["a", "..."], ["a", "b"])


@pytest.mark.parametrize("commands,expected", README,
                         ids=[c[0][0].split()[1] + f"-{i}" for i, c in enumerate(README)])
def test_readme_sample_is_a_real_run(commands, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    printed: list[str] = []
    for command in commands:
        args = shlex.split(command)
        assert args[0] == "collabsheet"
        if args[1] != "init":
            for name, example in EXAMPLES.items():
                if name in args and not (tmp_path / name).exists():
                    shutil.copy(ROOT / "examples" / example, tmp_path / name)
        result = CliRunner().invoke(cli, args[1:])
        assert result.exit_code in (0, 1), result.output
        printed += result.output.splitlines()
    assert matches(expected, printed), "\n".join(printed)


NOTICE = re.compile(r"<!-- sample notice: (\S+) (\S+) (\S+) (\S+) -->\n```text\n(.*?)```", re.S)


def test_the_sample_notice_is_a_real_one(tmp_path):
    """The notice README shows is the plain-text part notify writes for that person."""
    import datetime as dt
    import email
    from email import policy

    found = NOTICE.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(found) == 1
    book, month, as_of, person, text = found[0]
    out = CliRunner().invoke(cli, ["notify", str(ROOT / "examples" / book), "--month", month,
                                   "--as-of", as_of, "--dry-run", str(tmp_path), "-q"])
    assert out.exit_code == 0, out.output
    (path,) = tmp_path.glob(f"*-{person}.eml")
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert msg.get_body(("plain",)).get_content() == text
    assert dt.date.fromisoformat(as_of)
