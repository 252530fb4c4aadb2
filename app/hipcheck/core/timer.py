"""Sitting time by the clock alone, for when no camera can measure it ("timer only").

With the camera missing, busy or refused, HipCheck keeps reminding like a plain break timer:
the time at the computer counts toward the sitting limit, and time the desktop reports idle (no
keyboard or mouse) for at least the natural-break length counts as a break. Nothing here is
measured sitting: the intervals it stores carry ``TIMER_ONLY`` and the state ``UNKNOWN`` (at the
computer) or ``AWAY`` (idle), so the report can show them as "timer only" and never adds them to
the measured sitting time.

``TimerBout`` is tick-driven like the tracker (``update(now_s, idle_s)``) and is an interval
source for ``store.RecordingSink`` (``pop_closed_intervals``, ``open_interval``, ``close``).
"""

from __future__ import annotations

from dataclasses import dataclass

from hipcheck.core.types import Interval, State

TIMER_ONLY = "timer_only"
"""The flag (``extra`` key, value 1.0) of an interval recorded by the timer, not the camera."""


@dataclass(frozen=True, slots=True)
class TimerReading:
    """The timer's answer at one tick."""

    bout_s: float
    """Seconds at the computer since the last break (0 while idle)."""
    away: bool
    """Idle for at least the natural-break length: the user is taking a break."""


def is_timer_only(extra: dict[str, float] | None) -> bool:
    """True for a stored interval recorded by the timer (no camera)."""
    return bool(extra) and bool(extra.get(TIMER_ONLY))  # type: ignore[union-attr]


class TimerBout:
    """The sitting bout as a break timer counts it: time at the computer, reset by idle time.

    ``idle_s`` is the desktop's idle time (seconds since the last key press or mouse move), or
    None where the desktop does not tell; then only a break the user reports ends a bout.
    """

    def __init__(self, now_s: float, *, natural_break_s: float) -> None:
        if natural_break_s <= 0:
            raise ValueError("natural_break_s must be positive")
        self.natural_break_s = natural_break_s
        self._bout_start_s = now_s
        self._away = False
        self._segment_start_s = now_s
        self._last_s = now_s
        self._closed: list[Interval] = []

    @property
    def away(self) -> bool:
        """True while the idle time counts as a break."""
        return self._away

    def update(self, now_s: float, idle_s: float | None) -> TimerReading:
        """Advance to ``now_s`` with the desktop's idle time; returns the bout and away state."""
        now_s = max(now_s, self._last_s)
        idle = None if idle_s is None else max(0.0, idle_s)
        if idle is not None and not self._away and idle >= self.natural_break_s:
            # Idle long enough: the break began when the input stopped, not now.
            self._switch(now_s - idle, away=True)
        elif idle is not None and self._away and idle < self.natural_break_s:
            # Back at the keyboard: a new bout began with the first input.
            back_s = max(now_s - idle, self._segment_start_s)
            self._switch(back_s, away=False)
            self._bout_start_s = back_s
        self._last_s = now_s
        bout_s = 0.0 if self._away else now_s - self._bout_start_s
        return TimerReading(bout_s=bout_s, away=self._away)

    def took_break(self, now_s: float) -> None:
        """The user says (or the break window confirms) a break was just taken: a new bout."""
        self._bout_start_s = max(now_s, self._last_s)

    def _switch(self, at_s: float, *, away: bool) -> None:
        at_s = max(at_s, self._segment_start_s)
        if at_s > self._segment_start_s:
            self._closed.append(self._segment(self._segment_start_s, at_s))
        self._segment_start_s = at_s
        self._away = away

    def _segment(self, start_s: float, end_s: float) -> Interval:
        state = State.AWAY if self._away else State.UNKNOWN
        return Interval(start_s, end_s, state, extra={TIMER_ONLY: 1.0})

    # ---- interval source for store.RecordingSink ----------------------------------------------

    def pop_closed_intervals(self) -> list[Interval]:
        """The intervals finished since the last call."""
        closed, self._closed = self._closed, []
        return closed

    def open_interval(self) -> Interval | None:
        """The interval still running, up to the last tick."""
        if self._last_s <= self._segment_start_s:
            return None
        return self._segment(self._segment_start_s, self._last_s)

    def close(self, now_s: float) -> list[Interval]:
        """End timing at ``now_s`` (the camera is back, or the app quits); returns what is left."""
        end_s = max(now_s, self._last_s)
        if end_s > self._segment_start_s:
            self._closed.append(self._segment(self._segment_start_s, end_s))
        self._segment_start_s = self._last_s = end_s
        return self.pop_closed_intervals()
