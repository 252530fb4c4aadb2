"""Timer only (no camera): time at the computer counts, idle time is a break, never sitting."""

from __future__ import annotations

import pytest

from hipcheck.core.timer import TIMER_ONLY, TimerBout, is_timer_only
from hipcheck.core.types import State

BREAK_S = 120.0


def test_time_at_the_computer_counts_toward_the_limit() -> None:
    timer = TimerBout(0.0, natural_break_s=BREAK_S)
    assert timer.update(60.0, 0.0).bout_s == 60.0
    assert timer.update(600.0, None).bout_s == 600.0  # no idle time known: the clock runs on


def test_idle_long_enough_is_a_break_from_when_the_input_stopped() -> None:
    timer = TimerBout(0.0, natural_break_s=BREAK_S)
    timer.update(1000.0, 30.0)
    reading = timer.update(1100.0, 130.0)  # input stopped at 970 s
    assert reading.away and reading.bout_s == 0.0
    back = timer.update(1400.0, 20.0)  # first input at 1380 s: a new bout from there
    assert not back.away and back.bout_s == pytest.approx(20.0)
    intervals = timer.pop_closed_intervals()
    assert [(i.start_s, i.end_s, i.state) for i in intervals] == [
        (0.0, 970.0, State.UNKNOWN),
        (970.0, 1380.0, State.AWAY),
    ]
    assert all(is_timer_only(i.extra) for i in intervals)
    # Short idle (reading a page) is not a break.
    assert timer.update(1500.0, BREAK_S - 1).bout_s == pytest.approx(120.0)


def test_a_break_the_user_reports_starts_a_new_bout() -> None:
    timer = TimerBout(0.0, natural_break_s=BREAK_S)
    timer.update(900.0, None)
    timer.took_break(900.0)
    assert timer.update(960.0, None).bout_s == 60.0


def test_open_and_closed_intervals_cover_the_time_once_and_are_marked() -> None:
    timer = TimerBout(10.0, natural_break_s=BREAK_S)
    assert timer.open_interval() is None
    timer.update(70.0, 5.0)
    open_now = timer.open_interval()
    assert open_now is not None and (open_now.start_s, open_now.end_s) == (10.0, 70.0)
    assert open_now.extra == {TIMER_ONLY: 1.0}
    rest = timer.close(100.0)
    assert [(i.start_s, i.end_s) for i in rest] == [(10.0, 100.0)]
    assert timer.pop_closed_intervals() == []
    assert not is_timer_only({}) and not is_timer_only(None)
