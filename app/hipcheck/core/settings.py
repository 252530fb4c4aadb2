"""Every HipCheck setting, declared once: name, type, default, bounds, unit, label, help, tab.

The settings dialog, validation of the settings file, ``--set KEY=VALUE`` and the README's table
are all derived from these declarations; adding a setting is one ``_s(...)`` line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """How one setting is declared."""

    label: str
    help: str
    tab: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


def _s(default: Any, label: str, help: str, tab: str, **kw: Any) -> Any:
    """Declare a setting: a dataclass field whose metadata is its ``SettingSpec``."""
    spec = SettingSpec(label=label, help=help, tab=tab, **kw)
    if isinstance(default, (list, tuple)):
        return field(default_factory=lambda: tuple(default), metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


MON = "Monitoring"
POS = "Posture"
REM = "Reminders"
EXE = "Exercises"
PRI = "Privacy & data"
STA = "Start-up"


@dataclass(frozen=True)
class Settings:
    """All settings with their defaults; units are in the names."""

    camera: str = _s("0", "Camera", "Camera index (0 is the first camera), video file or URL.", MON)
    sample_rate_hz: float = _s(
        2.0, "Sample rate", "Pose samples per second while monitoring.", MON,
        unit="1/s", minimum=0.2, maximum=10.0,
    )  # fmt: skip
    adaptive_sampling: bool = _s(
        True, "Adaptive sampling", "Sample less often while your posture is stable.", MON
    )
    standing_desk: bool = _s(
        False, "I use a standing desk",
        "With hips hidden, assume you may be standing instead of sitting.", MON,
    )  # fmt: skip
    flexion_threshold_deg: float = _s(
        45.0, "Hip flexion threshold",
        "Hip flexion at or above this counts as time in flexion (0° is a straight hip).", POS,
        unit="°", minimum=10.0, maximum=90.0,
    )  # fmt: skip
    natural_break_min: float = _s(
        2.0, "Natural break length",
        "Standing or being away at least this long ends a sitting bout.", POS,
        unit="min", minimum=0.5, maximum=30.0,
    )  # fmt: skip
    sitting_limit_min: float = _s(
        45.0, "Sitting limit", "Nudge after sitting this long without a break.", REM,
        unit="min", minimum=5.0, maximum=240.0,
    )  # fmt: skip
    snooze_min: float = _s(
        10.0, "Snooze length", "How long a snoozed nudge waits.", REM,
        unit="min", minimum=1.0, maximum=60.0,
    )  # fmt: skip
    snooze_max: int = _s(
        3, "Snoozes in a row", "How many times in a row a nudge may be snoozed.", REM,
        minimum=0, maximum=10,
    )  # fmt: skip
    work_start_h: float = _s(
        8.0, "Working hours start", "No nudges before this hour of the day.", REM,
        unit="h", minimum=0.0, maximum=24.0,
    )  # fmt: skip
    work_end_h: float = _s(
        18.0, "Working hours end", "No nudges after this hour of the day.", REM,
        unit="h", minimum=0.0, maximum=24.0,
    )  # fmt: skip
    work_days: tuple[str, ...] = _s(
        ("mon", "tue", "wed", "thu", "fri"), "Working days", "Days on which HipCheck nudges.", REM,
        choices=WEEKDAYS,
    )  # fmt: skip
    sound: bool = _s(True, "Sound", "Play the notification sound with a nudge.", REM)
    preferred_exercise: str = _s(
        "balanced", "Preferred exercise",
        "Balanced picks what your posture needs; or always suggest one exercise.", EXE,
        choices=("balanced", "glute_bridge", "deadbug"),
    )  # fmt: skip
    exercise_variant: str = _s(
        "floor", "Exercise variant",
        "Floor exercises, or office-friendly ones you can do standing.", EXE,
        choices=("floor", "office"),
    )  # fmt: skip
    retention_days: int = _s(
        365, "Keep data for", "Older sitting records are deleted.", PRI,
        unit="days", minimum=1, maximum=3650,
    )  # fmt: skip
    start_at_login: bool = _s(False, "Start at login", "Start HipCheck when you log in.", STA)


def spec_of(name: str) -> SettingSpec:
    """The declaration of setting ``name``."""
    for f in fields(Settings):
        if f.name == name:
            spec: SettingSpec = f.metadata["spec"]
            return spec
    raise KeyError(name)
