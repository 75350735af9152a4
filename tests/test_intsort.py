"""The quick grouping of integer keys gives what numpy's stable sort and np.unique give."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from collabsheet.intsort import distinct, runs, stable_order

keys = st.lists(st.one_of(st.integers(0, 5), st.integers(-(2**62), 2**62)), max_size=60)


@given(keys)
def test_stable_order_is_numpys_stable_argsort(values):
    arr = np.array(values, dtype=np.int64)
    assert stable_order(arr).tolist() == np.argsort(arr, kind="stable").tolist()


@given(keys)
def test_runs_and_distinct_match_np_unique(values):
    arr = np.array(values, dtype=np.int64)
    got = runs(arr)
    uniq, first, inverse = np.unique(arr, return_index=True, return_inverse=True)
    assert got.keys.tolist() == uniq.tolist() == distinct(arr).tolist()
    assert got.group.tolist() == inverse.tolist()
    assert got.order[got.heads].tolist() == first.tolist()
    assert got.start.tolist() == [int(np.flatnonzero(arr[got.order] == arr[i])[0])
                                  for i in got.order]


def test_narrow_and_very_wide_key_ranges():
    small = np.array([3, 1, 3, 1, 2], dtype=np.int64)
    large = np.array([2**62, -(2**62), 2**62, 0], dtype=np.int64)
    assert stable_order(small).tolist() == [1, 3, 4, 0, 2]
    assert stable_order(large).tolist() == [1, 3, 0, 2]
