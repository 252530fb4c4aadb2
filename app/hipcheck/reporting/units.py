"""How the report writes durations, times of day and exercise names for people."""

from __future__ import annotations

from datetime import date, datetime

EXERCISE_LABELS = {"glute_bridge": "Glute bridge", "deadbug": "Deadbug"}
STATE_LABELS = {
    "sitting": "Sitting",
    "standing": "Standing",
    "away": "Away",
    "unknown": "Unknown",
}


def fmt_duration(seconds: float | None, *, missing: str = "no data", compact: bool = False) -> str:
    """``1 h 05 min``, ``12 min`` or ``40 s`` (``compact``: ``1h05``, ``12m``, ``40s``).

    ``missing`` stands for None: nothing was measured.
    """
    if seconds is None:
        return missing
    seconds = max(0.0, seconds)
    if seconds < 0.5:
        return "0m" if compact else "0 min"  # a measured nothing reads as minutes, like the rest
    if seconds < 59.5:
        return f"{round(seconds)}s" if compact else f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes}m" if compact else f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}" if compact else f"{hours} h {rest:02d} min"


def fmt_short_duration(seconds: float) -> str:
    """A compact duration for chart labels: ``1h05``, ``12m``, ``40s``."""
    return fmt_duration(seconds, compact=True)


def fmt_clock(at: datetime) -> str:
    """``14:05`` in the datetime's own zone."""
    return at.strftime("%H:%M")


def fmt_day(day: date) -> str:
    """``Sunday 29 November 2026``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def fmt_count(value: int | None) -> str:
    """A count, or ``no data`` when nothing was recorded."""
    return "no data" if value is None else str(value)


def exercise_label(name: str) -> str:
    """``glute_bridge`` -> ``Glute bridge``."""
    return EXERCISE_LABELS.get(name, name.replace("_", " ").capitalize())
