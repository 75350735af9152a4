"""collector.paused: no cyclic collection inside, the collector as it was afterwards, an error
or a nested pause included."""

from __future__ import annotations

import gc

import pytest

from collabsheet.collector import paused


def test_paused_holds_the_collector_off_and_gives_it_back():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_gives_the_collector_back():
    @paused()
    def fails() -> None:
        assert not gc.isenabled()
        raise ValueError("inside")

    with pytest.raises(ValueError, match="inside"):
        fails()
    with pytest.raises(ValueError, match="inside"):
        fails()
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
