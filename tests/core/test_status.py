"""The status line: "Sitting 23 min · break in 22 min", or why no break is coming."""

from __future__ import annotations

import pytest

from hipcheck.core.status import Activity, Status, status_line

LIMIT_S = 45 * 60.0


@pytest.mark.parametrize(
    ("status", "line"),
    [
        (
            Status(Activity.SITTING, 23 * 60, LIMIT_S, break_in_s=22 * 60),
            "Sitting 23 min · break in 22 min",
        ),
        (
            Status(Activity.SITTING, 44.5 * 60, LIMIT_S, break_in_s=30),
            "Sitting 44 min · break in 1 min",
        ),
        (
            Status(Activity.SITTING, 50 * 60, LIMIT_S, break_in_s=-300),
            "Sitting 50 min · break due now",
        ),
        (
            Status(Activity.SITTING, 20, LIMIT_S, break_in_s=LIMIT_S - 20),
            "Sitting 20 s · break in 45 min",
        ),
        (
            Status(
                Activity.SITTING, 90 * 60, LIMIT_S, why_not="no reminders outside working hours"
            ),
            "Sitting 1 h 30 min · no reminders outside working hours",
        ),
        (Status(Activity.PAUSED, paused="Paused until 14:00"), "Paused until 14:00"),
        (
            Status(Activity.SITTING, 5 * 60, LIMIT_S, break_in_s=40 * 60, timer_only="camera busy"),
            "Timer only (camera busy) · at the computer 5 min · break in 40 min",
        ),
        (
            Status(Activity.AWAY, None, LIMIT_S, timer_only="no camera"),
            "Timer only (no camera) · away from the keyboard",
        ),
        (Status(Activity.STANDING), "Standing"),
        (Status(Activity.STARTING), "Starting…"),
    ],
)
def test_status_line(status: Status, line: str) -> None:
    assert status_line(status) == line


def test_fill_and_due_follow_the_limit() -> None:
    assert Status(Activity.SITTING, 0.0, LIMIT_S).fill == 0.0
    assert Status(Activity.SITTING, LIMIT_S / 2, LIMIT_S).fill == 0.5
    assert Status(Activity.SITTING, LIMIT_S * 3, LIMIT_S).fill == 1.0
    assert Status(Activity.STANDING).fill == 0.0
    assert Status(Activity.SITTING, LIMIT_S, LIMIT_S, break_in_s=0.0).due
    assert not Status(Activity.SITTING, 10.0, LIMIT_S, break_in_s=10.0).due
