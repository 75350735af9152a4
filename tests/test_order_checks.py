"""Checks 8-9: the vectorised settle gives exactly what the row-by-row walk of RULES.md gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from collabsheet.order_checks import Sends, settle, walk

send = st.tuples(st.integers(0, 5), st.integers(0, 4), st.integers(1, 250))


@settings(max_examples=300, deadline=None)
@given(st.lists(send, max_size=60), st.lists(st.sampled_from([0, 100, 200]), min_size=6,
                                             max_size=6), st.integers(1, 3))
def test_settle_matches_the_walk(rows, grant_of, max_pairs):
    group = np.array([g for g, _, _ in rows], dtype=np.int64)
    s = Sends(pos=np.arange(len(rows)), sender=group, receiver=np.array(
        [r for _, r, _ in rows], dtype=np.int64), month=np.zeros(len(rows), dtype=np.int64),
        points=np.array([p for _, _, p in rows], dtype=np.int64), group=group,
        granted=np.array([grant_of[g] for g in group.tolist()], dtype=np.int64))
    fast, plain = settle(s, max_pairs), walk(s, max_pairs)
    assert fast.accepted.tolist() == plain.accepted.tolist()
    assert fast.pair_before.tolist() == plain.pair_before.tolist()
    assert fast.left.tolist() == plain.left.tolist()
    spent = np.bincount(group[plain.accepted], weights=s.points[plain.accepted], minlength=6)
    assert (spent <= np.array(grant_of)).all()


def test_the_worked_example_of_rules_md():
    """One sender, one month: 150 to A, 100 to B (only 50 left), 50 to B, 10 to A."""
    s = Sends(pos=np.arange(4), sender=np.zeros(4, np.int64), receiver=np.array([0, 1, 1, 0]),
              month=np.zeros(4, np.int64), points=np.array([150, 100, 50, 10]),
              group=np.zeros(4, np.int64), granted=np.full(4, 200))
    for done in (walk(s, 2), settle(s, 2)):
        assert done.accepted.tolist() == [True, False, True, False]
        assert done.left.tolist() == [200, 50, 50, 0]
