"""The one-line answer to "how long until my break?", shared by the tray, its menu and windows.

Pure: the controller gathers what it knows (activity, minutes since the last break, when the next
nudge is due, why none will come) into a ``Status``; ``status_line`` words it.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from hipcheck.core.glossary import duration


class Activity(str, enum.Enum):
    """What HipCheck sees the user doing (or why it cannot see)."""

    STARTING = "starting"
    LOOKING = "looking"
    SITTING = "sitting"
    STANDING = "standing"
    AWAY = "away"
    PAUSED = "paused"
    CAMERA_PROBLEM = "camera_problem"


@dataclass(frozen=True, slots=True)
class Status:
    """Everything the status line and the tray icon need at one moment."""

    activity: Activity
    sitting_s: float | None = None
    """Seconds sitting (or at the computer, timer only) since the last break; None: not sitting."""
    limit_s: float = 45 * 60.0
    break_in_s: float | None = None
    """Seconds until the next nudge; None when none is coming (see ``why_not``)."""
    why_not: str = ""
    """Why no nudge will come now ("outside working hours"); empty when one will."""
    timer_only: str = ""
    """Non-empty while the camera cannot measure: the short reason ("camera busy")."""
    paused: str = ""
    """Non-empty while paused: "Paused until 14:00"."""

    @property
    def fill(self) -> float:
        """The share of the sitting limit used (0–1), what the tray icon fills to."""
        if self.sitting_s is None or self.limit_s <= 0:
            return 0.0
        return max(0.0, min(1.0, self.sitting_s / self.limit_s))

    @property
    def due(self) -> bool:
        """True when the break is due (the nudge is out or would be)."""
        return self.break_in_s is not None and self.break_in_s <= 0


def _break_part(status: Status) -> str:
    if status.why_not:
        return status.why_not
    if status.break_in_s is None:
        return ""
    if status.break_in_s <= 0:
        return "break due now"
    # Whole minutes, rounded up: "break in 1 min" until the nudge comes, never "in 0 min".
    return f"break in {duration(60.0 * math.ceil(status.break_in_s / 60.0))}"


def status_line(status: Status) -> str:
    """ "Sitting 23 min · break in 22 min", or why not: "Paused until 14:00"."""
    if status.paused:
        return status.paused
    parts: list[str] = []
    if status.timer_only:
        parts.append(f"Timer only ({status.timer_only})")
        if status.activity is Activity.AWAY:
            parts.append("away from the keyboard")
            return " · ".join(parts)
        if status.sitting_s is not None:
            parts.append(f"at the computer {duration(status.sitting_s)}")
    elif status.activity is Activity.SITTING and status.sitting_s is not None:
        parts.append(f"Sitting {duration(status.sitting_s)}")
    else:
        parts.append(
            {
                Activity.STARTING: "Starting…",
                Activity.LOOKING: "Looking for you…",
                Activity.SITTING: "Sitting",
                Activity.STANDING: "Standing",
                Activity.AWAY: "Away from the desk",
                Activity.PAUSED: "Paused",
                Activity.CAMERA_PROBLEM: "Camera problem",
            }[status.activity]
        )
        return " · ".join(parts)
    tail = _break_part(status)
    if tail:
        parts.append(tail)
    return " · ".join(parts)
