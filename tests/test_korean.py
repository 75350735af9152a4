"""A Korean office end to end: every message in Korean, the command line's lines and errors in
Korean, CSV that Excel on Korean Windows opens right, and text tables that stay in line when
names are Hangul."""

from __future__ import annotations

import json
import re
import string

import pytest
from click.testing import CliRunner
from conftest import DEPARTMENTS, LOG_HEADER, STAFF, D, write_workbook
from rich.cells import cell_len

from collabsheet import api
from collabsheet.catalogue import RULES
from collabsheet.cli import cli
from collabsheet.phrases import PHRASES

HANGUL = re.compile("[가-힣]")


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def _fields(template: str) -> set[str]:
    return {name.split("!")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_template_of_every_rule_has_its_korean(rule):
    for variant, english in rule.messages["en"].items():
        korean = rule.messages["ko"].get(variant)
        assert korean and HANGUL.search(korean), (rule.id, variant)
        assert _fields(korean) == _fields(english), (rule.id, variant)
    assert HANGUL.search(rule.title["ko"])


def test_every_phrase_has_its_korean_with_the_same_fields():
    for key, (english, korean) in PHRASES.items():
        assert HANGUL.search(korean) or key.startswith("into"), key
        assert _fields(korean) <= _fields(english), key


@pytest.fixture(scope="module")
def korean_office(tmp_path_factory):
    path = tmp_path_factory.mktemp("ko") / "office.xlsx"
    api.demo(path, "ko")
    return path


def test_a_korean_office_is_told_everything_in_korean(korean_office):
    code, out, _ = invoke("validate", str(korean_office), "--as-of", "2025-07-01",
                          "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["lang"] == "ko"
    assert len({v["rule"] for v in report["violations"]}) >= 8
    assert all(HANGUL.search(v["message"]) for v in report["violations"])
    said = [v["message"] for v in report["violations"] if v["rule"] == "unknown-person"]
    assert said[0] == ("받는 사람 'E01584'은(는) 직원 명단에 없는 사번입니다. E1584 (남유진)을(를) "
                       "입력하려던 것인가요?")
    code, out, _ = invoke("validate", str(korean_office), "--as-of", "2025-07-01")
    assert out.splitlines()[-1].startswith(
        "office.xlsx: 오류 있음. 기록 1,869행 중 인정 1,784, 거부 85, 경고가 있는 행 0; ")
    assert out.splitlines()[0].split() == ["탭", "행", "열", "규칙", "심각도", "문제"]
    code, out, _ = invoke("validate", str(korean_office), "--as-of", "2025-07-01",
                          "--format", "json", "--lang", "en")
    assert json.loads(out)["violations"][0]["message"].startswith("To 'E01584' is not an ID")


def test_a_korean_csv_begins_with_the_byte_order_mark(korean_office):
    code, out, _ = invoke("validate", str(korean_office), "--as-of", "2025-07-01",
                          "--format", "csv")
    assert out.startswith("\ufefftab,row,column,rule,severity,value,message\n")
    assert HANGUL.search(out.splitlines()[1])
    code, plain, _ = invoke("validate", str(korean_office), "--as-of", "2025-07-01",
                            "--format", "csv", "--no-bom")
    assert plain == out[1:]
    code, ledger, _ = invoke("grant", str(korean_office), "--as-of", "2025-07-01",
                             "--format", "csv")
    assert ledger.startswith("\ufeffid,month,")
    code, js, _ = invoke("grant", str(korean_office), "--as-of", "2025-07-01",
                         "--format", "json")
    assert js.startswith("{")


def test_the_command_lines_lines_are_korean(korean_office, tmp_path):
    out_path = tmp_path / "results.xlsx"
    code, out, _ = invoke("run", str(korean_office), "--period", "2025-H1", "--as-of",
                          "2025-07-01", "--output", str(out_path))
    assert code == 1
    assert out.splitlines()[-1] == (
        f"검증, 원장, 개인 순위, 부서 순위, 표창, 요약, 이상 신호 탭을 {out_path}에 썼습니다.")
    assert "거부된 행 중 13개는 날짜를 읽을 수 없거나 2025-H1 밖이어서" in out
    code, out, err = invoke("close", str(korean_office), "--month", "2025-09", "--as-of",
                          "2025-07-01")
    assert code == 2 and out == ""
    assert err == ("오류: 2025-07-01 기준으로 2025-09은(는) 아직 끝나지 않았습니다. 끝난 달만 "
                   "봉인할 수 있습니다\n")


def test_errors_speak_the_language_asked_for_or_the_offices(tmp_path, make_book):
    code, _, err = invoke("validate", str(tmp_path / "없음.xlsx"), "--lang", "ko")
    assert code == 2 and err == f"오류: {tmp_path / '없음.xlsx'}: 파일이 없습니다\n"
    code, _, err = invoke("validate", str(tmp_path / "none.xlsx"))
    assert code == 2 and err == f"Error: {tmp_path / 'none.xlsx'}: no such file\n"
    book = make_book([[D(2025, 4, 2), "E1", "E2", 10]], Rules=[["Rule", "Value"],
                                                               ["language", "ko"]])
    log = book.parent / "short-log.xlsx"
    write_workbook(log, {"Staff": STAFF, "Departments": DEPARTMENTS,
                         "Log": [LOG_HEADER[:-1], [D(2025, 4, 2), "E1", "E2", 10]],
                         "Rules": [["Rule", "Value"], ["language", "ko"]]})
    code, _, err = invoke("validate", str(log), "--as-of", "2025-07-01")
    assert code == 2 and err.startswith("오류: Log 탭 1행에 '메시지' 열이 없습니다. 쓸 수 있는 "
                                        "머리글: Message, 메시지, 감사 메시지")
    code, _, err = invoke("validate", str(log), "--as-of", "2025-07-01", "--lang", "en")
    assert err.startswith("Error: Log tab: no 'Message' column in row 1")
    code, out, err = invoke("rank", str(log), "--period", "2025-H9", "--lang", "ko")
    assert code == 2 and err.startswith("오류: '2025-H9'은(는) 기간이 아닙니다.")


def test_text_tables_stay_in_line_with_hangul(korean_office):
    code, out, _ = invoke("validate", str(korean_office), "--as-of", "2025-07-01")
    table = out.splitlines()[:12]
    message_at = {cell_len(table[0][:table[0].index("문제")])}
    for row in table[2:]:
        found = re.search(r"(오류|경고) +", row)
        assert found, row
        message_at.add(cell_len(row[:found.end()]))
    assert len(message_at) == 1, table
    code, out, _ = invoke("rank", str(korean_office), "--period", "2025-H1", "--as-of",
                          "2025-07-01")
    people = out[out.index("인원: 상위 10명"):].splitlines()[1:12]
    assert any(HANGUL.search(line.split()[2]) for line in people[1:])
    before_department = {cell_len(line.rstrip().rsplit("  ", 1)[0]) for line in people}
    assert len(before_department) == 1, people
