""""Did you mean": the one known value clearly closest to one that matched nothing.

A mistyped ID or department is met with the value the person most likely meant, found by
rapidfuzz (a well-kept C++ library of string similarity; a hand-written distance would be
slower and less tested). Only values that failed are looked up, each once; a run with
thousands of distinct unknown values stops looking after ``BUDGET`` of them, so a broken
column cannot make a run slow."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from .labels import norm

CUTOFF = 75.0
"""the least similarity (0-100, rapidfuzz's normalised InDel ratio) a suggestion needs"""
MARGIN = 10.0
"""how far ahead of the second closest it must be, to be clearly the one meant"""
BUDGET = 1000
"""distinct unknown values looked up in one run"""

_ID_AND_NAME = re.compile(r"^\s*(\S+)\s*[(（]")


class Closest:
    """The choice closest to a text, or None when none is clearly closest."""

    def __init__(self, keys: Sequence[str], shown: Sequence[str]):
        """``keys`` as labels.norm folds them (the ``id_key`` and ``dept_key`` columns are);
        ``shown[i]`` is how a message names ``keys[i]``."""
        self.keys = keys
        self.shown = shown
        self.cache: dict[str, str | None] = {}

    @functools.cached_property
    def by_key(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def __call__(self, text: str) -> str | None:
        key = norm(text)
        if key in self.cache:
            return self.cache[key]
        if len(self.cache) >= BUDGET or not len(self.keys):
            return None
        self.cache[key] = got = self._find(key)
        return got

    def _find(self, key: str) -> str | None:
        named = _ID_AND_NAME.match(key)
        if named and named[1] in self.by_key:
            return self.shown[self.by_key[named[1]]]
        best = process.extract(key, self.keys, scorer=fuzz.ratio, limit=2,
                               score_cutoff=CUTOFF - MARGIN)
        if not best or best[0][1] < CUTOFF:
            return None
        if len(best) > 1 and best[0][1] - best[1][1] < MARGIN:
            return None
        return self.shown[best[0][2]]
