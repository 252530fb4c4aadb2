"""The glossary: one duration format, one hip-angle convention, one name per exercise."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from hipcheck.core import glossary as g


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0 min"),
        (0.4, "0 min"),
        (0.6, "1 s"),
        (55.0, "55 s"),
        (59.4, "59 s"),
        (59.6, "1 min"),
        (12 * 60 + 10, "12 min"),
        (59 * 60 + 29, "59 min"),
        (59 * 60 + 31, "1 h"),
        (3600 + 31 * 60, "1 h 31 min"),
        (3600 + 5 * 60, "1 h 5 min"),
        (2 * 3600 + 59 * 60 + 40, "3 h"),
        (25 * 3600, "25 h"),
        (-5.0, "0 min"),
    ],
)
def test_one_duration_format(seconds: float, text: str) -> None:
    """``55 s``, ``12 min``, ``1 h 31 min``: never ``0:55``, ``1h31``, ``2m`` or ``1 h 05 min``."""
    assert g.duration(seconds) == text
    assert g.banned_in(text) == []


def test_nothing_measured_is_not_zero() -> None:
    """None means nothing was recorded: it reads "no data" (or the caller's word), never 0."""
    assert g.duration(None) == "no data"
    assert g.duration(None, missing="-") == "-"
    assert g.count(None) == "no data" and g.count(0) == "0"


def test_minutes_settings_read_as_durations() -> None:
    """A setting of 0.5 min reads 30 s; 90 min reads 1 h 30 min."""
    assert g.minutes_setting(0.5) == "30 s"
    assert g.minutes_setting(2) == "2 min"
    assert g.minutes_setting(90) == "1 h 30 min"
    assert g.minutes_setting(2.5) == "2 min 30 s" and g.minutes_setting(90.5) == "1 h 30 min 30 s"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45 min", 45.0),
        ("45", 45.0),
        ("1 h 30 min", 90.0),
        ("1h30", 90.0),
        ("30 s", 0.5),
        ("2 min 30 s", 2.5),
        ("2,5", 2.5),
        ("", None),
        ("soon", None),
        ("5 x", None),
    ],
)
def test_a_typed_length_reads_back_in_minutes(text: str, minutes: float | None) -> None:
    """What the settings window accepts: its own format, or a bare number of minutes."""
    assert g.minutes_from_text(text) == minutes
    if minutes is not None:
        assert g.minutes_from_text(g.minutes_setting(minutes)) == minutes


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (90, "1:30"),
        (89.2, "1:30"),
        (89.0005, "1:30"),
        (60, "1:00"),
        (0.1, "0:01"),
        (0, "0:00"),
        (-3, "0:00"),
    ],
)
def test_a_running_countdown_reads_like_a_clock_face(seconds: float, text: str) -> None:
    """``1:30`` rounded up until the second is over, never negative."""
    assert g.countdown(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(90, "about 1 min 30 s"), (75, "about 1 min 15 s"), (120, "about 2 min"), (45, "about 45 s")],
)
def test_about_keeps_the_part_minute(seconds: float, text: str) -> None:
    """How long an exercise takes, its part minute kept."""
    assert g.about(seconds) == text
    assert g.banned_in(text) == []


def test_clock_and_day() -> None:
    """Times of day as 14:05 in their own zone; days spelled out."""
    at = datetime(2026, 11, 29, 14, 5, 59, tzinfo=timezone.utc)
    assert g.clock_time(at) == "14:05"
    assert g.day_name(date(2026, 11, 29)) == "Sunday 29 November 2026"


@pytest.mark.parametrize(("flexion", "angle"), [(0.0, 180.0), (45.0, 135.0), (90.0, 90.0)])
def test_hip_angle_is_180_minus_flexion_both_ways(flexion: float, angle: float) -> None:
    """Stored flexion and the shown hip angle convert into each other exactly."""
    assert g.hip_angle_from_flexion(flexion) == angle
    assert g.flexion_from_hip_angle(angle) == flexion


def test_hip_angle_words() -> None:
    """A hip angle carries its convention; "bent past 45°" is explained as a hip angle."""
    assert g.hip_angle(110.4) == "110° (180° = straight)"
    assert g.hip_angle(None) == "not measured"
    assert g.bent_past(45.0) == "bent past 45°"
    assert g.bent_past_explained(45.0) == (
        "Hips bent past 45°: a hip angle of 135° or less (180° = straight)."
    )
    assert "a hip angle of 150° or less" in g.bent_past_explained(30.0)


@pytest.mark.parametrize(
    ("key", "name", "plural"),
    [("deadbug", "Dead bug", "dead bugs"), ("glute_bridge", "Glute bridge", "glute bridges")],
)
def test_exercise_names(key: str, name: str, plural: str) -> None:
    """One name per exercise: "Dead bug", never "Deadbug"."""
    assert g.exercise_name(key) == name
    assert g.exercise_plural(key) == plural
    assert g.choice_name(key) == name


def test_every_catalogue_exercise_has_a_glossary_name() -> None:
    """The break window's catalogue uses the glossary's names, so they cannot drift apart."""
    from hipcheck.core.exercise import CATALOGUE, Exercise

    for spec in CATALOGUE.values():
        assert spec.name == g.exercise_name(spec.key)
    for family in Exercise:
        assert family.value in g.EXERCISE_NAMES and family.value in g.EXERCISE_PLURALS


def test_states_have_names() -> None:
    """Posture and monitor states read as words, not keys."""
    from hipcheck.core.types import State

    for state in State:
        assert g.state_name(state.value)[0].isupper()
    assert g.state_name("camera_problem") == "Camera problem"
    assert g.state_name("something_new") == "Something new"


def test_sitting_stretch_replaces_bout() -> None:
    """The stretch of sitting is named without "bout", and its end is said in plain words."""
    assert g.break_that_ends_stretch(2) == (
        "Standing up or being away for 2 min ends a sitting stretch."
    )
    for text in (g.SITTING_STRETCH, g.LONGEST_STRETCH, g.STRETCHES_LABEL, g.NO_STRETCH):
        assert g.banned_in(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "This bout: 5 min",
        "Sitting bouts",
        "Deadbug 3",
        "a natural break of 2 min",
        "Hip flexion threshold",
        "analyse a video",
        "2 samples/s",
        "sitting for 1:05:09",
        "1h31",
        "12m",
        "1 h 05 min",
    ],
)
def test_banned_words_are_found(text: str) -> None:
    """The checker used on every user-facing text finds each banned word and format."""
    assert g.banned_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Sitting for 14 min · break in 31 min",
        "Dead bug, 8 per side",
        "preferred_exercise: deadbug",
        "hipcheck analyze clip.mp4",
        "at 14:05",
        "1 h 31 min",
        "about",
    ],
)
def test_glossary_words_pass(text: str) -> None:
    """Clock times, stored keys and the glossary's own words are not flagged."""
    assert g.banned_in(text) == []


def test_clock_time_names_another_day() -> None:
    """A time today is 14:30; on another day it carries the weekday."""
    now = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)  # a Tuesday
    assert g.clock_time_from(datetime(2026, 12, 1, 14, 30, tzinfo=timezone.utc), now) == "14:30"
    assert g.clock_time_from(datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc), now) == "Wed 08:00"


def test_plural() -> None:
    assert g.plural(1, "picture") == "1 picture"
    assert g.plural(3, "picture") == "3 pictures"
    assert g.plural(2, "stretch", "stretches") == "2 stretches"
