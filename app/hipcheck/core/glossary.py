"""The words and formats people read in HipCheck, written down once.

Windows, notifications, the command line and the reports all call this module, so one change here
changes every place a person reads it. Pure: no Qt, no I/O.

The vocabulary:

* **Durations** have one format: ``55 s`` below a minute, ``12 min`` below an hour, ``1 h 31 min``
  (``2 h`` on the hour) above. Never ``0:55``, ``1h31``, ``2m`` or zero-padded minutes. A length
  chosen exactly (a setting, an exercise) keeps its part minute: ``2 min 30 s``. Only a running
  countdown reads like a clock face (``1:30``).
* **The hip angle** is the one angle people see: the angle at the hip between trunk and thigh,
  180° = a straight hip (standing), about 90° sitting upright, less when folded forward. Code and
  stored settings keep *flexion* (how far the hip is bent from straight, 180° − hip angle); it is
  turned into a hip angle only here, for people. "Bent past 45°" means a hip angle of 135° or less.
* **A sitting stretch** is one stretch of time in the chair, ended by standing up or being away
  for a while (code: a *bout*; the word "bout" is never shown).
* **Exercise names**: "Glute bridge" and "Dead bug" (two words, everywhere).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime

# ---- durations -----------------------------------------------------------------------------------

NO_DATA = "no data"


def duration(seconds: float | None, *, missing: str = NO_DATA) -> str:
    """``55 s``, ``12 min``, ``1 h 31 min`` or ``2 h``; ``missing`` when nothing was measured.

    Seconds below a minute, whole minutes (rounded) above; a measured nothing is ``0 min``.
    """
    if seconds is None:
        return missing
    seconds = max(0.0, float(seconds))
    if seconds < 0.5:
        return "0 min"
    if seconds < 59.5:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60.0)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if rest == 0 else f"{hours} h {rest} min"


def exact_duration(seconds: float) -> str:
    """Like ``duration``, but a part minute is kept: ``2 min 30 s``, ``1 min 15 s``, ``45 min``.

    For lengths that are exact by choice (a setting, an exercise's time), never for measurements.
    """
    whole_min, rest_s = divmod(max(0, round(seconds)), 60)
    if whole_min and rest_s:
        return f"{duration(whole_min * 60.0)} {rest_s} s"
    return duration(whole_min * 60.0 + rest_s)


def minutes_setting(minutes: float) -> str:
    """A setting given in minutes, exactly: ``45 min``, ``1 h 30 min``, ``30 s``, ``2 min 30 s``."""
    return exact_duration(minutes * 60.0)


_LENGTH_UNITS_MIN = {"h": 60.0, "min": 1.0, "m": 1.0, "s": 1.0 / 60.0, "": 1.0}
_LENGTH = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*(h|min|m|s|)(?=\s|\d|$)")


def minutes_from_text(text: str) -> float | None:
    """What a person typed for a length in minutes: ``1 h 30 min``, ``45 min``, ``30 s`` or a
    bare number of minutes (``45``); None when it is not a length."""
    text = text.strip().lower()
    if not text:
        return None
    total, pos = 0.0, 0
    while pos < len(text):
        match = _LENGTH.match(text, pos)
        if match is None or match.end() == pos:
            return None
        total += float(match.group(1).replace(",", ".")) * _LENGTH_UNITS_MIN[match.group(2)]
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return total


def about(seconds: float) -> str:
    """How long something takes: ``about 1 min 30 s``, ``about 2 min``, ``about 45 s``."""
    return f"about {exact_duration(seconds)}"


def countdown(seconds: float) -> str:
    """A ticking countdown, read like a clock face: ``1:30``, ``0:05`` (never negative).

    Only a running timer looks like this; a length in a sentence is always ``duration``'s.
    """
    whole = max(0, math.ceil(seconds))  # round up: 0:01 shows until the last second is over
    return f"{whole // 60}:{whole % 60:02d}"


def clock_time(at: datetime) -> str:
    """``14:05`` in the datetime's own zone."""
    return at.strftime("%H:%M")


def clock_time_from(at: datetime, now: datetime) -> str:
    """``14:30`` today, ``Wed 08:00`` on another day (in ``now``'s zone when both are aware)."""
    if at.tzinfo is not None and now.tzinfo is not None:
        at = at.astimezone(now.tzinfo)
    return clock_time(at) if at.date() == now.date() else f"{at:%a} {clock_time(at)}"


def day_name(day: date) -> str:
    """``Sunday 29 November 2026``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def count(value: int | None) -> str:
    """A count, or ``no data`` when nothing was recorded."""
    return NO_DATA if value is None else str(value)


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 break``, ``3 breaks`` (``many`` for irregular plurals)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


# ---- the hip angle -------------------------------------------------------------------------------

STRAIGHT_HIP_DEG = 180.0
"""The hip angle of a straight hip: standing upright."""

HIP_ANGLE_NOTE = "180° = straight"
"""Said wherever a hip angle is shown without a picture of the convention."""


def hip_angle_from_flexion(flexion_deg: float) -> float:
    """The hip angle people see for a flexion (degrees bent from straight): 45 -> 135."""
    return STRAIGHT_HIP_DEG - flexion_deg


def flexion_from_hip_angle(hip_angle_deg: float) -> float:
    """The flexion (degrees bent from straight) for a hip angle people chose: 135 -> 45."""
    return STRAIGHT_HIP_DEG - hip_angle_deg


def degrees(value: float | None, *, missing: str = "not measured") -> str:
    """``110°`` (rounded to the degree)."""
    return missing if value is None else f"{value:.0f}°"


def hip_angle(value_deg: float | None, *, missing: str = "not measured") -> str:
    """``110° (180° = straight)``: a hip angle with its convention."""
    return missing if value_deg is None else f"{degrees(value_deg)} ({HIP_ANGLE_NOTE})"


def bent_past(flexion_threshold_deg: float) -> str:
    """``bent past 45°``: how the report names time with the hips bent at least the threshold."""
    return f"bent past {flexion_threshold_deg:g}°"


def bent_past_explained(flexion_threshold_deg: float) -> str:
    """``Hips bent past 45°: a hip angle of 135° or less (180° = straight).``"""
    limit = hip_angle_from_flexion(flexion_threshold_deg)
    return (
        f"Hips {bent_past(flexion_threshold_deg)}: a hip angle of {limit:g}° or less "
        f"({HIP_ANGLE_NOTE})."
    )


BENT_HIPS = "hips bent"
"""The short label of time sitting with the hips bent past the threshold (under "Sitting")."""

# ---- sitting stretches, breaks, states ---------------------------------------------------------------

SITTING_STRETCH = "sitting stretch"
SITTING_STRETCHES = "sitting stretches"
LONGEST_STRETCH = "Longest sitting stretch"
STRETCHES_LABEL = "Sitting stretches"
NO_STRETCH = "Not sitting now"


def break_that_ends_stretch(minutes: float) -> str:
    """``Standing up or being away for 2 min ends a sitting stretch.``"""
    return f"Standing up or being away for {minutes_setting(minutes)} ends a {SITTING_STRETCH}."


STATE_NAMES: Mapping[str, str] = {
    "sitting": "Sitting",
    "standing": "Standing",
    "away": "Away",
    "unknown": "Not sure",
    "paused": "Paused",
    "starting": "Starting",
    "running": "Watching",
    "camera_problem": "Camera problem",
    "ended": "Video ended",
    "stopped": "Stopped",
}
"""Posture states (``core.types.State``) and the monitor's states, as people read them."""


def state_name(state: str) -> str:
    """``Sitting``, ``Camera problem``: a state's name for people (its key if unknown)."""
    return STATE_NAMES.get(state, state.replace("_", " ").capitalize())


# ---- exercises and setting choices ------------------------------------------------------------

EXERCISE_NAMES: Mapping[str, str] = {
    "glute_bridge": "Glute bridge",
    "deadbug": "Dead bug",
    "standing_glute_squeeze": "Standing glute squeeze",
    "standing_march": "Standing march",
}
"""Exercise families (``core.exercise.Exercise``) and catalogue keys, by name."""

EXERCISE_PLURALS: Mapping[str, str] = {"glute_bridge": "glute bridges", "deadbug": "dead bugs"}

CHOICE_NAMES: Mapping[str, str] = {
    **EXERCISE_NAMES,
    "balanced": "Balanced (what your posture needs)",
    "floor": "On the floor",
    "office": "At the desk (standing)",
    "front": "In front of me (a laptop or monitor camera)",
    "side": "Beside me",
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
    "sun": "Sun",
}
"""The words shown for the choices of a setting (the stored values stay the keys)."""


def exercise_name(key: str) -> str:
    """``deadbug`` -> ``Dead bug``; ``glute_bridge`` -> ``Glute bridge``."""
    return EXERCISE_NAMES.get(key, key.replace("_", " ").capitalize())


def exercise_plural(key: str) -> str:
    """``deadbug`` -> ``dead bugs``."""
    return EXERCISE_PLURALS.get(key, exercise_name(key).lower())


def choice_name(choice: str) -> str:
    """How a setting's choice reads: ``deadbug`` -> ``Dead bug``, ``office`` -> ``At the desk…``."""
    return CHOICE_NAMES.get(choice, choice.replace("_", " ").capitalize())


# ---- words never shown to people -----------------------------------------------------------------

BANNED: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bbouts?\b", re.IGNORECASE),
    re.compile(r"\bDeadbugs?\b"),  # the stored key "deadbug" may appear; the name never
    re.compile(r"\bnatural break", re.IGNORECASE),
    re.compile(r"\bflexion\b", re.IGNORECASE),
    re.compile(r"\banalys(e|ed|es|ing)\b", re.IGNORECASE),  # the command is "analyze"
    re.compile(r"samples/s\b"),
    re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b"),  # 1:05:09 as a duration
    re.compile(r"\b\d+h\d{2}\b"),  # 1h31
    re.compile(r"\b\d+ ?m\b"),  # 2m
    re.compile(r"\b\d+ h 0\d min\b"),  # 1 h 05 min
)
"""Words and duration formats never shown to people (the duration format is ``duration``'s)."""


def banned_in(text: str) -> list[str]:
    """The words and formats of ``BANNED`` found in ``text`` (empty when it speaks the glossary)."""
    return [m.group(0) for pattern in BANNED for m in pattern.finditer(text)]
