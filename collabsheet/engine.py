"""The rule pass: every rule of every tab over one office, giving the verdict of each Log and
Special row and the Violations that explain them.

The pass runs in two halves so the job can overlap the first with the parse of the Log:
``prepare`` (Staff, Departments, Moves, Rules; section 1 and the tab checks) and ``rule_pass``
(section 3 over the Log, section 4 over Special). Each section's rules live in their own module;
this one only puts them in order."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import facts, special, tab_checks
from .checks import Context, failing, person_labels, run_rules
from .duplicates import earlier_copy
from .log_rules import MESSAGE_COLUMNS, ORDER_DEPENDENT, log_rules
from .office import Office, OfficeStart
from .order_checks import order_checks
from .people import People
from .report import Stats, Violation
from .settings import Rules
from .suggest import Closest


@dataclass(frozen=True)
class Verdicts:
    """The derived Log (one row per Log row) and Special frames, each with an ``accepted``
    column, and every Violation the rules found."""

    source: str
    log: pd.DataFrame
    special: pd.DataFrame
    staff: pd.DataFrame
    rules: Rules
    as_of: dt.date
    violations: list[Violation]
    stats: Stats
    dept_group: dict[str, str]
    dept_name: dict[str, str]
    titles: dict[str, str]
    moves: pd.DataFrame
    people: People
    lang: str = "en"
    """the language of every message: the Rules tab's, unless the job was given one"""


@dataclass(frozen=True)
class Prepared:
    """The checks of the Staff, Departments and Moves tabs, and the lookups the Log needs."""

    staff: pd.DataFrame
    dept_known: set[str]
    dept_name: dict[str, str]
    dept_group: dict[str, str]
    ctx: Context
    people: People
    moves: pd.DataFrame
    violations: list[Violation]


def prepare(office: OfficeStart, as_of: dt.date, lang: str | None = None) -> Prepared:
    """Everything that does not need the Log, so it can run while the Log is still read;
    messages in ``lang``, else in the Rules tab's language."""
    staff = office.staff.copy()
    depts = office.departments.copy()
    dept_known = set(depts["dept_key"].dropna())
    dept_name = dict(zip(depts["dept_key"], depts["department"], strict=True))
    ctx = Context(rules=office.rules, as_of=as_of, staff=staff, dept_name=dept_name,
                  labels=(labels := person_labels(staff)), lang=lang or office.rules.language,
                  closest_person=Closest(staff["id_key"].fillna("").tolist(), labels),
                  closest_department=Closest(list(dept_name), list(dept_name.values())))
    titles = office.titles
    violations: list[Violation] = []

    depts["dept_count"] = depts["dept_key"].map(depts["dept_key"].value_counts())
    v, _ = run_rules(tab_checks.department_rules(), depts, titles.get("departments", ""),
                     office.headers["departments"], ctx)
    violations += v

    people = People(staff, pd.DataFrame())
    staff["id_count"] = people.id_count
    staff["email_count"] = people.email_count
    staff["dept_known"] = staff["dept_key"].map(lambda k: k in dept_known,
                                                na_action="ignore").astype("boolean")
    staff["joined_bad"] = staff["joined_text"].notna() & staff["joined"].isna()
    staff["left_bad"] = staff["left_text"].notna() & staff["left"].isna()
    staff["left_before_joined"] = (staff["left"] < staff["joined"]).fillna(False)
    staff["takes_part_bad"] = staff["takes_part"].isna()
    v, _ = run_rules(tab_checks.staff_rules(), staff, titles.get("staff", ""),
                     office.headers["staff"], ctx)
    violations += v

    moves = office.moves.copy()
    moves["person"], moves["id_status"] = people.resolve(moves["id_key"])
    moves["dept_known"] = moves["dept_key"].map(lambda k: k in dept_known,
                                                na_action="ignore").astype("boolean")
    if "moves" in titles:
        v, _ = run_rules(tab_checks.move_rules(), moves, titles["moves"],
                         office.headers["moves"], ctx)
        violations += v
    good_moves = moves[moves["date"].notna() & moves["person"].notna()
                       & moves["dept_known"].fillna(False).astype(bool)].copy()
    good_moves["person"] = good_moves["person"].astype(np.int64)
    return Prepared(staff=staff, dept_known=dept_known, dept_name=dept_name,
                    dept_group=dict(zip(depts["dept_key"], depts["group"], strict=True)),
                    ctx=ctx, people=people.with_moves(good_moves), moves=good_moves,
                    violations=violations)


def _log_pass(office: Office, p: Prepared, as_of: dt.date
              ) -> tuple[pd.DataFrame, list[Violation], np.ndarray]:
    """Section 3 over the Log: the derived frame, its Violations and the warned positions."""
    rules = office.rules
    log = office.log.copy()
    facts.derive(log, p.people, rules, as_of)
    row_rules = log_rules(rules, as_of)
    pre = np.ones(len(log), dtype=bool)
    known: dict[str, np.ndarray] = {}
    for rule in row_rules:
        if rule.id not in ORDER_DEPENDENT:
            pos = known[rule.key] = failing(rule, log)
            pre[pos] = False
    log["pre_valid"] = pre
    with ThreadPoolExecutor(max_workers=1) as beside:
        duplicates = beside.submit(earlier_copy, pd.DataFrame(
            {c: log[c] for c in ("sender", "receiver", "when", "points", "message", "row")}),
            rules.duplicate_minutes)
        order_checks(log, p.people, rules)
        log["duplicate_of"] = duplicates.result()
    v, failed = run_rules(row_rules, log, office.titles["log"], office.headers["log"], p.ctx,
                          columns=MESSAGE_COLUMNS, known=known)
    warned = next((pos for key, pos in failed.items() if key.startswith("duplicate:")),
                  np.array([], dtype=np.int64))
    return log, v, warned


def _special_pass(office: Office, p: Prepared, as_of: dt.date
                  ) -> tuple[pd.DataFrame, list[Violation]]:
    """Section 4 over the Special tab."""
    sp = special.derive(office.special, p.people, office.rules, as_of, p.dept_known,
                        p.dept_name, p.ctx.lang)
    sp["accepted"] = True
    if "special" not in office.titles:
        return sp, []
    v, failed = run_rules(special.special_rules(office.rules, as_of), sp,
                          office.titles["special"], office.headers["special"], p.ctx)
    bad = np.zeros(len(sp), dtype=bool)
    for pos in failed.values():
        bad[pos] = True
    sp["accepted"] = ~bad
    return sp, v


def rule_pass(office: Office, as_of: dt.date, prepared: Prepared | None = None) -> Verdicts:
    """Every rule over every tab. ``prepared`` is ``prepare(office, as_of)`` when the job ran
    it already, beside the parse of the Log."""
    p = prepared if prepared is not None else prepare(office, as_of)
    lang = p.ctx.lang
    titles = office.titles
    violations = tab_checks.rules_tab(office.rule_problems, titles.get("rules", "Rules"),
                                      office.column("rules", "value"), lang)
    violations += tab_checks.headers(office.all_header_problems, lang)
    violations += tab_checks.merged(office.merged, lang)
    violations += tab_checks.clock(office.clock_zone, office.rules.timezone,
                                   titles.get("rules", "Rules"), lang)
    violations += tab_checks.live_size(office.every_title, titles.get("log", "Log"),
                                       len(office.log), lang)
    violations += p.violations
    log, log_violations, warned = _log_pass(office, p, as_of)
    violations += log_violations
    sp, sp_violations = _special_pass(office, p, as_of)
    violations += sp_violations
    accepted = int(log["accepted"].sum())
    stats = Stats(rows=len(log), accepted=accepted, rejected=len(log) - accepted,
                  warnings=len(np.unique(warned)))
    return Verdicts(
        source=office.source, log=log, special=sp, staff=p.staff, rules=office.rules,
        as_of=as_of, violations=violations, stats=stats, dept_group=p.dept_group,
        dept_name=p.dept_name, titles=dict(titles), moves=p.moves, people=p.people,
        lang=lang)
