"""Checks of the tabs other than the Log (RULES.md sections 1 and 7): Staff, Departments and
Moves rows, Rules entries, headers and merged cells. They need nothing of the Log, so the job
runs them while the Log is still being parsed."""

from __future__ import annotations

from .catalogue import rule, say
from .checks import (
    Context,
    Row,
    RowRule,
    day_text,
    department_message,
    is_false,
    is_true,
    naming,
    person_message,
    present,
    usable,
)
from .checks import txt as _txt
from .office import HeaderProblem
from .report import Violation
from .settings import RuleProblem
from .sheetref import column_letter, split_cell


def staff_rules() -> list[RowRule]:
    return [
        RowRule("missing-value", "id", "id", usable,
                naming("missing-value", "ID", "id",
                       lambda row, ctx: say("missing-value", "id", ctx.lang), errors=True),
                "id", ignore_na=False),
        RowRule("duplicate-id", "id_count", "id", lambda s: s <= 1,
                lambda row, ctx: say("duplicate-id", "default", ctx.lang, id=row["id"],
                                     n=int(row["id_count"])), "id"),
        RowRule("duplicate-email", "email_count", "email", lambda s: s <= 1,
                lambda row, ctx: say("duplicate-email", "default", ctx.lang, email=row["email"],
                                     n=int(row["email_count"])), "email"),
        RowRule("missing-value", "department", "department", present,
                lambda row, ctx: say("missing-value", "department", ctx.lang), "department",
                ignore_na=False),
        RowRule("unknown-department", "dept_known", "department", is_true,
                naming("unknown-department", "Department", "department",
                       department_message), "department"),
        RowRule("date", "joined_bad", "joined", is_false,
                naming("date", "Joined", "joined_text",
                       lambda row, ctx: say("date", "joined", ctx.lang, text=row["joined_text"])),
                "joined_text"),
        RowRule("date", "left_bad", "left", is_false,
                naming("date", "Left", "left_text",
                       lambda row, ctx: say("date", "left", ctx.lang, text=row["left_text"])),
                "left_text"),
        RowRule("date", "left_before_joined", "left", is_false,
                lambda row, ctx: say("date", "left_before_joined", ctx.lang,
                                     left=day_text(row["left"]), joined=day_text(row["joined"])),
                "left_text"),
        RowRule("bad-value", "takes_part_bad", "takes_part", is_false,
                lambda row, ctx: say("bad-value", "default", ctx.lang,
                                     text=row["takes_part_text"]), "takes_part_text"),
    ]


def department_rules() -> list[RowRule]:
    return [
        RowRule("missing-value", "department", "department", usable,
                naming("missing-value", "Department", "department",
                       lambda row, ctx: say("missing-value", "department", ctx.lang),
                       errors=True), "department", ignore_na=False),
        RowRule("duplicate-department", "dept_count", "department", lambda s: s <= 1,
                lambda row, ctx: say("duplicate-department", "default", ctx.lang,
                                     department=row["department"], n=int(row["dept_count"])),
                "department"),
        RowRule("missing-value", "group", "group", usable,
                naming("missing-value", "Group", "group",
                       lambda row, ctx: say("missing-value", "group", ctx.lang,
                                            department=row["department"]), errors=True),
                "group", ignore_na=False),
    ]


def _move_date(row: Row, ctx: Context) -> str:
    return say("date", "move", ctx.lang, text=_txt(row["date_text"]))


def move_rules() -> list[RowRule]:
    return [
        RowRule("date", "date", "date", present, naming("date", "Date", "date_text", _move_date),
                "date_text", ignore_na=False),
        RowRule("unknown-person", "person", "id", present,
                naming("unknown-person", "ID", "id", person_message("id", "ID")), "id",
                ignore_na=False),
        RowRule("unknown-department", "dept_known", "department", is_true,
                naming("unknown-department", "Department", "department",
                       department_message), "department", ignore_na=False),
    ]


def rules_tab(problems: list[RuleProblem], tab: str, column: str, lang: str) -> list[Violation]:
    """bad-rule: Rules entries that were not used (the default stands in)."""
    out = []
    for p in problems:
        fields = dict(p.fields)
        if "why" in fields:
            variant, why = fields.pop("why")
            fields["problem"] = say("bad-rule", variant, lang, **why)
        out.append(Violation(tab, p.row, column, "bad-rule", rule("bad-rule").severity, p.value,
                             say("bad-rule", p.variant, lang, **fields)))
    return out


def headers(problems: list[HeaderProblem], lang: str) -> list[Violation]:
    """blank-header and duplicate-header: the header row of a tab, as warnings."""
    return [Violation(p.tab, 1, p.letter, p.rule, rule(p.rule).severity, None,
                      say(p.rule, "default", lang, tab=p.tab, **p.fields)) for p in problems]


def merged(ranges: dict[str, list[str]], lang: str) -> list[Violation]:
    """merged-cells: every merged range of the tabs read, named by its top-left cell."""
    out = []
    for tab, refs in ranges.items():
        for ref in refs:
            col, row = split_cell(ref.split(":")[0])
            out.append(Violation(tab, row, column_letter(col), "merged-cells",
                                 rule("merged-cells").severity, ref,
                                 say("merged-cells", "default", lang, ref=ref)))
    return out


def clock(sheet_zone: str | None, office_zone: str, tab: str, lang: str) -> list[Violation]:
    """clock-zone: the workbook's own clock runs in another zone than the office's."""
    if not sheet_zone or sheet_zone == office_zone:
        return []
    return [Violation(tab, 1, "", "clock-zone", rule("clock-zone").severity, sheet_zone,
                      say("clock-zone", "default", lang, sheet=sheet_zone, office=office_zone))]


def live_size(titles: tuple[str, ...], log_tab: str, rows: int, lang: str) -> list[Violation]:
    """live-size: the Log has grown past what the template's live My points tab and marks
    look at (``live.LIVE_ROWS``)."""
    from .live import LIVE_ROWS, TITLE

    if rows <= LIVE_ROWS or not set(TITLE.values()) & set(titles):
        return []
    return [Violation(log_tab, 1, "", "live-size", rule("live-size").severity, rows,
                      say("live-size", "default", lang, rows=rows, most=LIVE_ROWS))]
