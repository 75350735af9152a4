"""Who is who, and where, on a given day (RULES.md section 1): the Staff tab as lookups by ID
and email, who is on the staff on a day, and each person's department on a day after moves.

Lookups are Arrow hash joins and moves one merge_asof, so a million Log rows resolve in a
fraction of a second."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .cells import arrow_text
from .sources.base import ERROR_TEXTS

_NO_KEYS = frozenset(t.lower() for t in ERROR_TEXTS)
"""Keys no person has: a cell holding a formula's error or no saved value is no one's ID or
email, however many rows hold it (tab_checks reports those cells)."""


def _usable(keys: pd.Series) -> pd.Series:
    return keys.where(~keys.isin(list(_NO_KEYS)))


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
_ID_AND_NAME = r"^\s*(\S+)\s*[(（]\s*(.+?)\s*[)）]\s*$"


class People:
    """The Staff tab as lookups: key -> person position, and who is on the staff when."""

    def __init__(self, staff: pd.DataFrame, moves: pd.DataFrame):
        self.staff = staff
        self.id_count, self.by_id, self.ambiguous_ids = self._lookup(_usable(staff["id_key"]))
        self.email_count, self.by_email, self.ambiguous_emails = self._lookup(
            _usable(staff["email_key"]))
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
        missed = (pos < 0) & ~amb_set & ~is_email & ~pc.is_null(arr).to_numpy(
            zero_copy_only=False)
        if missed.any():
            pos[missed] = self._named(keys[missed])
        found = pd.Series(pd.arrays.IntegerArray(pos, pos < 0), index=keys.index)
        codes = np.where(pos >= 0, 0, np.where(amb_set, 3, 2)).astype(np.int8)
        codes[pc.is_null(arr).to_numpy(zero_copy_only=False)] = 1
        status = pd.Categorical.from_codes(codes, categories=_STATUSES)
        return found, pd.Series(status, index=keys.index)

    def _named(self, keys: pd.Series) -> np.ndarray:
        """``E1001 (김민수)``, as a dropdown of "ID (name)" writes it: the person, when the ID
        is theirs and the name in brackets is theirs too; -1 otherwise."""
        parts = keys.str.extract(_ID_AND_NAME)
        out = np.full(len(keys), -1, dtype=np.int64)
        has = parts[0].notna().to_numpy(dtype=bool)
        if not has.any():
            return out
        pos = self.by_id.find(arrow_text(parts[0][has].str.strip()))
        names = self.staff["name"].astype("str").str.strip().str.lower().to_numpy(dtype=object)
        said = parts[1][has].str.strip().str.lower().to_numpy(dtype=object)
        ok = (pos >= 0) & (names[np.maximum(pos, 0)] == said)
        out[np.flatnonzero(has)[ok]] = pos[ok]
        return out

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

    def with_moves(self, moves: pd.DataFrame) -> People:
        """The same lookups with the checked Moves (person positions resolved)."""
        other = copy.copy(self)
        other.moves = moves
        return other

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
