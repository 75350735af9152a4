"""The rule pass: derive what each check needs, settle checks 8-9 in time order, give verdicts.

Everything here is column-at-a-time except the order-dependent checks, and those run row by row
only for the few (sender, month) groups where an earlier rejection could change a later verdict.
"""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import schemas
from .cells import arrow_text
from .intsort import runs, stable_order
from .labels import norm
from .office import Office, OfficeStart
from .report import Report, Stats, Violation
from .settings import Rules


@dataclass
class Verdicts:
    """The derived Log (one row per Log row) and Special frames, with an ``accepted`` column."""

    log: pd.DataFrame
    special: pd.DataFrame
    staff: pd.DataFrame
    rules: Rules
    as_of: dt.date
    report: Report
    dept_group: dict[str, str]
    dept_name: dict[str, str]
    titles: dict[str, str]
    moves: pd.DataFrame
    office: Any = None
    sealed_changed: list[str] = field(default_factory=list)
    signals: list[Any] = field(default_factory=list)
    people: Any = None


def month_code(ts: pd.Series) -> pd.Series:
    """Months as integers (year * 12 + month - 1) so grouping by month is cheap."""
    return (ts.dt.year * 12 + ts.dt.month - 1).astype("Int64")


def _month_starts(months: np.ndarray) -> np.ndarray:
    """First day of each month code, as datetime64."""
    m = np.asarray(months, dtype=np.int64)
    years = m // 12
    return ((years - 1970) * 12 + m % 12).astype("datetime64[M]").astype("datetime64[ns]")


def _is_in(arr: pa.Array, value_set: pa.Array) -> np.ndarray:
    if not len(value_set):
        return np.zeros(len(arr), dtype=bool)
    out: np.ndarray = pc.is_in(arr, value_set=value_set).to_numpy(zero_copy_only=False)
    return out


@dataclass
class _KeyTable:
    """Unique keys and the staff position of each."""

    keys: pa.Array
    positions: np.ndarray

    def find(self, arr: pa.Array) -> np.ndarray:
        """Staff position of each key, -1 where it is not one of ours."""
        if not len(self.keys):
            return np.full(len(arr), -1, dtype=np.int64)
        hit = pc.fill_null(pc.index_in(arr, value_set=self.keys), -1).to_numpy(
            zero_copy_only=False).astype(np.int64)
        return np.where(hit >= 0, self.positions[hit], -1)


_STATUSES = ["ok", "blank", "unknown", "ambiguous"]


class People:
    """The Staff tab as lookups: key -> person position, and who is on the staff when."""

    def __init__(self, staff: pd.DataFrame, moves: pd.DataFrame):
        self.staff = staff
        self.id_count, self.by_id, self.ambiguous_ids = self._lookup(staff["id_key"])
        self.email_count, self.by_email, self.ambiguous_emails = self._lookup(staff["email_key"])
        self.takes = staff["takes_part"].fillna(True).to_numpy(dtype=bool)
        self.joined = staff["joined"].to_numpy(dtype="datetime64[ns]")
        self.left = staff["left"].to_numpy(dtype="datetime64[ns]")
        codes, uniques = pd.factorize(staff["dept_key"])
        self._base_codes = codes.astype(np.int64)
        self._base_keys = [str(k) for k in uniques]
        self.moves = moves

    @staticmethod
    def _lookup(keys: pd.Series) -> tuple[pd.Series, _KeyTable, pa.Array]:
        """Rows per key (NaN for a blank key), the keys held by exactly one row, and the
        keys held by several."""
        codes, uniques = pd.factorize(keys)
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        per_row = np.append(counts, np.nan)[codes]
        once = per_row == 1
        table = _KeyTable(arrow_text(keys[once]), keys.index.to_numpy(dtype=np.int64)[once])
        return (pd.Series(per_row, index=keys.index), table,
                arrow_text(pd.Series(np.asarray(uniques)[counts > 1], dtype="str")))

    def resolve(self, keys: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Person positions (NA when unresolved) and a status: ok, blank, unknown, ambiguous.

        Lookups are Arrow hash joins: a million keys take a fraction of a second."""
        arr = arrow_text(keys)
        is_email = pc.fill_null(pc.match_substring(arr, "@"), False).to_numpy(
            zero_copy_only=False)
        pos = self.by_id.find(arr)
        amb_set = _is_in(arr, self.ambiguous_ids)
        if is_email.any():
            emails = arr.filter(pa.array(is_email))
            pos[is_email] = self.by_email.find(emails)
            amb_set[is_email] = _is_in(emails, self.ambiguous_emails)
        found = pd.Series(pd.arrays.IntegerArray(pos, pos < 0), index=keys.index)
        codes = np.where(pos >= 0, 0, np.where(amb_set, 3, 2)).astype(np.int8)
        codes[pc.is_null(arr).to_numpy(zero_copy_only=False)] = 1
        status = pd.Categorical.from_codes(codes, categories=_STATUSES)
        return found, pd.Series(status, index=keys.index)

    def on_staff(self, person: pd.Series, day: pd.Series) -> pd.Series:
        """True when the person takes part and is on the staff that day; NA when unknowable."""
        known = person.notna() & day.notna()
        out = pd.Series(pd.NA, index=person.index, dtype="boolean")
        if known.any():
            p = person[known].to_numpy(dtype=np.int64)
            d = day[known].to_numpy(dtype="datetime64[ns]")
            j, lv = self.joined[p], self.left[p]
            ok = self.takes[p] & (np.isnat(j) | (j <= d)) & (np.isnat(lv) | (d <= lv))
            out[known] = ok
        return out

    def department_on(self, person: pd.Series, day: pd.Series) -> pd.Series:
        """Department key of each person on each day: the latest move on or before it.

        A categorical: every call of one People shares its categories, so columns compare and
        count by code."""
        keys = self.department_keys()
        codes = np.full(len(person), -1, dtype=np.int64)
        known = person.notna()
        if known.any():
            p = person[known].to_numpy(dtype=np.int64)
            codes[known.to_numpy()] = self._base_codes[p]
            mv = self.moves
            if len(mv):
                self._moved(codes, p, day[known].to_numpy(dtype="datetime64[ns]"),
                            np.flatnonzero(known.to_numpy()), {k: i for i, k in enumerate(keys)})
        return pd.Series(pd.Categorical.from_codes(codes, categories=keys), index=person.index)

    def department_keys(self) -> list[str]:
        """Every department key a person can be in: the Staff tab's, then those moved to."""
        if not len(self.moves):
            return self._base_keys
        return self._base_keys + sorted(set(self.moves["dept_key"].dropna())
                                        - set(self._base_keys))

    def _moved(self, codes: np.ndarray, p: np.ndarray, day: np.ndarray, at: np.ndarray,
               code_of: dict[str, int]) -> None:
        mv = self.moves
        moved = np.isin(p, mv["person"].to_numpy(dtype=np.int64))
        left = pd.DataFrame({"person": p[moved], "day": day[moved], "pos": at[moved]})
        left = left[left["day"].notna()]
        right = mv[["person", "date", "dept_key"]].sort_values("date", kind="stable")
        merged = pd.merge_asof(left.sort_values("day", kind="stable"), right,
                               left_on="day", right_on="date", by="person",
                               direction="backward")
        found = merged[merged["dept_key"].notna()]
        codes[found["pos"].to_numpy()] = [code_of[k] for k in found["dept_key"]]

    def grants(self, person: np.ndarray, months: np.ndarray, rules: Rules) -> np.ndarray:
        """Points each person is granted in each month (RULES.md section 2)."""
        firsts = _month_starts(months)
        j, lv = self.joined[person], self.left[person]
        on_first = self.takes[person] & (np.isnat(j) | (j <= firsts)) & (
            np.isnat(lv) | (lv >= firsts))
        if rules.grant_joiners == "on_join":
            nexts = _month_starts(np.asarray(months) + 1)
            joins = self.takes[person] & ~np.isnat(j) & (j > firsts) & (j < nexts) & (
                np.isnat(lv) | (lv >= j))
            on_first = on_first | joins
        return np.where(on_first, rules.monthly_allowance, 0).astype(np.int64)


def _prepare_moves(office: OfficeStart, people: People, dept_known: set[str]) -> pd.DataFrame:
    mv = office.moves.copy()
    mv["person"], mv["id_status"] = people.resolve(mv["id_key"])
    mv["dept_known"] = mv["dept_key"].map(lambda k: k in dept_known, na_action="ignore")
    mv["dept_known"] = mv["dept_known"].astype("boolean")
    return mv


def _order_checks(log: pd.DataFrame, people: People, rules: Rules) -> None:
    """Checks 8 and 9: walk each sender's month in time order, ties in sheet order.

    Cumulative sums and counts within groups settle every (sender, month) where nothing is
    over a limit; only the groups where an earlier rejection could change a later verdict are
    walked row by row."""
    n = len(log)
    for col in ("earlier_pair_sends", "points_left", "granted"):
        log[col] = pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    log["accepted"] = False
    pre = log["pre_valid"].to_numpy()
    if not pre.any():
        return
    pos = np.flatnonzero(pre)
    pos = pos[stable_order(log["row"].to_numpy(dtype=np.int64)[pos])]
    pos = pos[stable_order(log["when"].to_numpy(dtype="datetime64[ns]")[pos].view(np.int64))]
    sender = log["sender"].to_numpy(dtype=np.int64, na_value=0)[pos]
    receiver = log["receiver"].to_numpy(dtype=np.int64, na_value=0)[pos]
    month = log["month"].to_numpy(dtype=np.int64, na_value=0)[pos]
    points = log["points"].to_numpy(dtype=float)[pos].astype(np.int64)

    first_month = int(month.min())
    span = int(month.max()) - first_month + 1
    months = runs(sender * span + (month - first_month))
    order, start, group, groups = months.order, months.start, months.group, months.keys
    granted = people.grants(groups // span, groups % span + first_month, rules)[group]

    sent_before = np.cumsum(points[order]) - points[order]
    spent = np.empty(len(pos), dtype=np.int64)
    spent[order] = sent_before - sent_before[start]
    by_pair = runs(group * (int(receiver.max()) + 1) + receiver)
    order, start = by_pair.order, by_pair.start
    pair_before = np.empty(len(pos), dtype=np.int64)
    pair_before[order] = np.arange(len(pos)) - start

    over = (spent + points > granted) | (pair_before >= rules.max_sends_per_pair)
    left = granted - spent
    accepted = ~over
    bad = np.zeros(len(groups), dtype=bool)
    bad[group[over]] = True
    hard = np.flatnonzero(bad[group])
    if len(hard):
        used_by: dict[int, int] = {}
        pairs: dict[tuple[int, int], int] = {}
        for i, g, r, pts, grant in zip(hard.tolist(), group[hard].tolist(),
                                       receiver[hard].tolist(), points[hard].tolist(),
                                       granted[hard].tolist(), strict=True):
            used = used_by.get(g, 0)
            sent_pair = pairs.get((g, r), 0)
            ok = sent_pair < rules.max_sends_per_pair and pts <= grant - used
            left[i], pair_before[i], accepted[i] = grant - used, sent_pair, ok
            if ok:
                used_by[g] = used + pts
                pairs[(g, r)] = sent_pair + 1
    for col, values_at in (("earlier_pair_sends", pair_before), ("points_left", left),
                           ("granted", granted)):
        values = np.zeros(n, dtype=np.int64)
        missing = np.ones(n, dtype=bool)
        values[pos] = values_at
        missing[pos] = False
        log[col] = pd.arrays.IntegerArray(values, missing)
    result = np.zeros(n, dtype=bool)
    result[pos] = accepted
    log["accepted"] = result


def _duplicates(log: pd.DataFrame, minutes: int) -> pd.Series:
    """Sheet row of an earlier identical send within ``minutes``; NA where there is none.

    Identical means same sender, receiver, points and message; rows are sorted by those, then
    time and sheet row, so each row's predecessor in its group sits just before it."""
    n = len(log)
    ok = (log["sender"].notna() & log["receiver"].notna() & log["when"].notna()).to_numpy()
    values = np.zeros(n, dtype=np.int64)
    missing = np.ones(n, dtype=bool)
    if ok.any() and minutes > 0:
        idx = np.flatnonzero(ok)
        pair = (log["sender"].to_numpy(dtype=np.int64, na_value=0)[idx] * (n + 1)
                + log["receiver"].to_numpy(dtype=np.int64, na_value=0)[idx])
        points, _ = pd.factorize(log["points"].iloc[idx])
        message, uniques = pd.factorize(log["message"].iloc[idx].fillna(""))
        content = points.astype(np.int64) * (len(uniques) + 1) + message
        when = log["when"].to_numpy(dtype="datetime64[ns]")[idx].astype(np.int64)
        row = log["row"].to_numpy(dtype=np.int64)[idx]
        order = stable_order(row)
        for key in (when, content, pair):
            order = order[stable_order(key[order])]
        pair, content, when, row = pair[order], content[order], when[order], row[order]
        same = np.zeros(len(idx), dtype=bool)
        same[1:] = (pair[1:] == pair[:-1]) & (content[1:] == content[:-1]) & (
            when[1:] - when[:-1] <= minutes * 60 * 10**9)
        hit = np.flatnonzero(same)
        target = idx[order][hit]
        values[target] = row[hit - 1]
        missing[target] = False
    return pd.Series(pd.arrays.IntegerArray(values, missing), index=log.index)


_SPLIT = re.compile(r"\s*[,;，、/·\n]\s*")


def _special_departments(office: Office, sp: pd.DataFrame, dept_known: set[str],
                         people: People) -> pd.Series:
    """Why a Special row's departments fail (RULES.md section 4), or NA when they pass."""
    own = people.department_on(sp["person"], sp["when"].dt.normalize())
    office_names = dict(zip(office.departments["dept_key"], office.departments["department"],
                            strict=True))
    out: list[object] = []
    for text, mine in zip(sp["departments"], own, strict=True):
        if text is None or (isinstance(text, float) and np.isnan(text)):
            out.append("Departments is blank; list the departments involved, comma-separated")
            continue
        names = [t for t in _SPLIT.split(str(text)) if t]
        keys = list(dict.fromkeys(norm(t) for t in names))
        unknown = [t for t in names if norm(t) not in dept_known]
        if unknown:
            out.append("Departments: " + ", ".join(repr(u) for u in unknown)
                       + " not in the Departments tab")
        elif len(keys) < 2:
            out.append(f"Departments lists {len(keys)} department; a special award needs work "
                       "of at least two")
        elif mine is not None and not (isinstance(mine, float)) and mine not in keys:
            out.append(f"the person's own department ({office_names.get(mine, mine)}) is not "
                       "among the departments involved")
        else:
            out.append(pd.NA)
    return pd.Series(out, index=sp.index, dtype=object)


@dataclass
class Prepared:
    """The checks of the Staff, Departments and Moves tabs, and the lookups the Log needs."""

    staff: pd.DataFrame
    dept_known: set[str]
    dept_name: dict[str, str]
    dept_group: dict[str, str]
    ctx: schemas.Context
    people: People
    moves: pd.DataFrame
    violations: list[Violation]


def prepare(office: OfficeStart, as_of: dt.date) -> Prepared:
    """Everything that does not need the Log, so it can run while the Log is still read."""
    rules = office.rules
    staff = office.staff.copy()
    depts = office.departments.copy()
    dept_known = set(depts["dept_key"].dropna())
    dept_name = dict(zip(depts["dept_key"], depts["department"], strict=True))
    ctx = schemas.Context(rules=rules, as_of=as_of, staff=staff, dept_name=dept_name,
                          labels=schemas.person_labels(staff))
    violations: list[Violation] = []
    titles = office.titles

    # Departments
    depts["dept_count"] = depts["dept_key"].map(depts["dept_key"].value_counts())
    v, _ = schemas.run_rules(schemas.department_rules(), depts, titles.get("departments", ""),
                             office.headers["departments"], ctx)
    violations += v

    # Staff
    people = People(staff, pd.DataFrame())
    staff["id_count"] = people.id_count
    staff["email_count"] = people.email_count
    staff["dept_known"] = staff["dept_key"].map(lambda k: k in dept_known,
                                                na_action="ignore").astype("boolean")
    staff["joined_bad"] = staff["joined_text"].notna() & staff["joined"].isna()
    staff["left_bad"] = staff["left_text"].notna() & staff["left"].isna()
    staff["left_before_joined"] = (staff["left"] < staff["joined"]).fillna(False)
    staff["takes_part_bad"] = staff["takes_part"].isna()
    v, _ = schemas.run_rules(schemas.staff_rules(), staff, titles.get("staff", ""),
                             office.headers["staff"], ctx)
    violations += v

    # Moves
    moves = _prepare_moves(office, people, dept_known)
    if "moves" in titles:
        v, _ = schemas.run_rules(schemas.move_rules(), moves, titles["moves"],
                                 office.headers["moves"], ctx)
        violations += v
    good_moves = moves[moves["date"].notna() & moves["person"].notna()
                       & moves["dept_known"].fillna(False).astype(bool)].copy()
    good_moves["person"] = good_moves["person"].astype(np.int64)
    people.moves = good_moves
    return Prepared(staff=staff, dept_known=dept_known, dept_name=dept_name,
                    dept_group=dict(zip(depts["dept_key"], depts["group"], strict=True)),
                    ctx=ctx, people=people, moves=good_moves, violations=violations)


def evaluate(office: Office, as_of: dt.date, prepared: Prepared | None = None) -> Verdicts:
    """Run every rule over every tab; the Report plus derived frames for ledger and scores.
    ``prepared`` is ``prepare(office, as_of)`` when it was run already."""
    rules = office.rules
    p = prepared if prepared is not None else prepare(office, as_of)
    staff, dept_known, dept_name, ctx, people = (p.staff, p.dept_known, p.dept_name, p.ctx,
                                                 p.people)
    violations: list[Violation] = []
    titles = office.titles

    for row, value, message in ((rp.row, rp.value, rp.message) for rp in office.rule_problems):
        violations.append(Violation(titles.get("rules", "Rules"), row,
                                    office.column("rules", "value"), "bad-rule", "error",
                                    value, message))
    for tab, letter, rule_id, message in office.header_problems:
        violations.append(Violation(tab, 1, letter, rule_id, "warning", None, message))
    for tab, refs in office.merged.items():
        for ref in refs:
            first = ref.split(":")[0]
            violations.append(Violation(
                tab, int(re.sub(r"[A-Z]+", "", first)), re.sub(r"[0-9]+", "", first),
                "merged-cells", "warning", ref,
                f"cells {ref} are merged; every cell in them is read as the top-left value"))
    violations += p.violations

    # Log
    log = office.log.copy()
    with ThreadPoolExecutor(max_workers=1) as beside:
        # Arrow and numpy let go of the GIL, so these halves use both cores.
        to_side = beside.submit(people.resolve, log["to_key"])
        log["sender"], log["from_status"] = people.resolve(log["from_key"])
        log["receiver"], log["to_status"] = to_side.result()
    date_ok = schemas._date_ok(rules, as_of)(log["when"])
    day = log["when"].dt.normalize().where(date_ok)
    log["day"] = day
    log["month"] = month_code(day)
    log["sender_on_staff"] = people.on_staff(log["sender"], day)
    log["receiver_on_staff"] = people.on_staff(log["receiver"], day)
    both = log["sender"].notna() & log["receiver"].notna()
    log["is_self"] = pd.Series(pd.NA, index=log.index, dtype="boolean")
    log.loc[both, "is_self"] = (log.loc[both, "sender"] == log.loc[both, "receiver"]).to_numpy()
    log["sender_dept"] = people.department_on(log["sender"], day)
    log["receiver_dept"] = people.department_on(log["receiver"], day)
    same = pd.Series(pd.NA, index=log.index, dtype="boolean")
    applies = both & day.notna() & ~log["is_self"].fillna(True).astype(bool)
    same[applies] = (log.loc[applies, "sender_dept"] == log.loc[applies, "receiver_dept"]
                     ).to_numpy(dtype=bool)
    log["same_department"] = same
    row_rules = schemas.log_rules(rules, as_of)
    pre = np.ones(len(log), dtype=bool)
    known: dict[str, np.ndarray] = {}
    for rule in row_rules:
        if rule.id in ("pair-limit", "allowance", "duplicate"):
            continue
        pos = known[schemas.rule_key(rule)] = schemas.failing(rule, log)
        pre[pos] = False
    log["pre_valid"] = pre
    with ThreadPoolExecutor(max_workers=1) as beside:
        duplicates = beside.submit(_duplicates, pd.DataFrame(
            {c: log[c] for c in ("sender", "receiver", "when", "points", "message", "row")}),
            rules.duplicate_minutes)
        _order_checks(log, people, rules)
        log["duplicate_of"] = duplicates.result()
    v, failed = schemas.run_rules(row_rules, log, titles["log"], office.headers["log"], ctx,
                                  columns=schemas.LOG_MESSAGE_COLUMNS, known=known)
    violations += v
    warned = failed.get("duplicate:duplicate_of", np.array([], dtype=np.int64))

    # Special
    sp = office.special.copy()
    sp["person"], sp["id_status"] = people.resolve(sp["id_key"])
    sp_ok = schemas._date_ok(rules, as_of)(sp["when"])
    sp_day = sp["when"].dt.normalize().where(sp_ok)
    sp["person_on_staff"] = people.on_staff(sp["person"], sp_day)
    blank_pts = sp["points_text"].isna()
    sp["award"] = sp["points"].where(~blank_pts, float(rules.special_points))
    sp["points_ok"] = (sp["award"].notna() & (sp["award"] > 0)
                       & (sp["award"] == np.floor(sp["award"].fillna(0)))).astype("boolean")
    sp["departments_problem"] = _special_departments(office, sp, dept_known, people)
    sp["department"] = people.department_on(sp["person"], sp_day)
    sp["month"] = month_code(sp_day)
    sp["accepted"] = True
    if "special" in titles:
        sp_rules = schemas.special_rules(rules, as_of)
        v, sp_failed = schemas.run_rules(sp_rules, sp, titles["special"],
                                         office.headers["special"], ctx)
        violations += v
        bad = np.zeros(len(sp), dtype=bool)
        for pos in sp_failed.values():
            bad[pos] = True
        sp["accepted"] = ~bad

    accepted = int(log["accepted"].sum())
    stats = Stats(rows=len(log), accepted=accepted, rejected=len(log) - accepted,
                  warnings=len(np.unique(warned)))
    report = Report(source=office.source, as_of=as_of.isoformat(), violations=violations,
                    stats=stats)
    return Verdicts(
        log=log, special=sp, staff=staff, rules=rules, as_of=as_of, report=report,
        dept_group=p.dept_group,
        dept_name=dept_name,
        titles=dict(titles),
        moves=p.moves,
        people=people,
    )
