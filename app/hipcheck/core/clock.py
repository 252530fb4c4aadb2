"""Clocks passed into the core: monotonic time for durations, wall-clock time for filing by day."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of time; pass one in, never call ``time`` inline in the core."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for durations)."""
        ...

    def wall(self) -> datetime:
        """The local wall-clock time, timezone-aware (for filing under a day)."""
        ...


_BOOTTIME: int | None = getattr(time, "CLOCK_BOOTTIME", None)


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Seconds that never go back and keep counting through suspend where the OS allows."""
        # Linux's CLOCK_MONOTONIC (time.monotonic) stops while suspended, which would hide a
        # suspend from the tracker's gap rule and glue the time before and after into one bout.
        if _BOOTTIME is not None:
            return time.clock_gettime(_BOOTTIME)
        return time.monotonic()

    def wall(self) -> datetime:
        """Local time, aware."""
        return datetime.now().astimezone()


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    now_s: float = 0.0
    wall_start: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0).astimezone())

    def monotonic(self) -> float:
        """The fake monotonic seconds."""
        return self.now_s

    def wall(self) -> datetime:
        """The fake wall time: ``wall_start`` plus the elapsed monotonic seconds."""
        return self.wall_start + timedelta(seconds=self.now_s)

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now_s += seconds
