"""The exercise rule: posture votes, balance over the day and week, preferences, the catalogue."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from hipcheck.core.exercise import (
    CATALOGUE,
    BoutPosture,
    BoutPostureAccumulator,
    BreakLog,
    Exercise,
    ExerciseHistory,
    Variant,
    choose_exercise,
    exercise_of_event,
    signed_trunk_lean_deg,
)
from hipcheck.core.types import (
    NUM_LANDMARKS,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    Landmark,
    Observation,
    PoseSample,
    Side,
    State,
)

REPO = Path(__file__).resolve().parents[2]
MIN = 60.0
G, D = Exercise.GLUTE_BRIDGE, Exercise.DEADBUG

FOLDED = BoutPosture(
    bout_s=52 * MIN, flexion_s=10 * MIN, mean_flexion_deg=85, mean_trunk_lean_deg=25
)
DEEP = BoutPosture(bout_s=50 * MIN, flexion_s=10 * MIN, mean_flexion_deg=100, mean_trunk_lean_deg=5)
LONG = BoutPosture(bout_s=50 * MIN, flexion_s=45 * MIN, mean_flexion_deg=85, mean_trunk_lean_deg=5)
LEAN_BACK = BoutPosture(
    bout_s=47 * MIN, flexion_s=5 * MIN, mean_flexion_deg=80, mean_trunk_lean_deg=-25
)
OPEN_HIPS = BoutPosture(
    bout_s=46 * MIN, flexion_s=5 * MIN, mean_flexion_deg=62, mean_trunk_lean_deg=0
)
RECLINED = BoutPosture(
    bout_s=46 * MIN, flexion_s=5 * MIN, mean_flexion_deg=62, mean_trunk_lean_deg=-30
)
NEUTRAL = BoutPosture(
    bout_s=45 * MIN, flexion_s=5 * MIN, mean_flexion_deg=85, mean_trunk_lean_deg=3
)
UNMEASURED = BoutPosture(bout_s=45 * MIN)
# Leaning back while the hip angle stays deeply flexed: one vote each, the back wins the tie.
MIXED = BoutPosture(
    bout_s=45 * MIN, flexion_s=5 * MIN, mean_flexion_deg=100, mean_trunk_lean_deg=-25
)
NONE = ExerciseHistory()


@pytest.mark.parametrize(
    ("posture", "history", "expected", "reason_part"),
    [
        (FOLDED, NONE, G, "You've been sitting folded forward for 52 min"),
        (DEEP, NONE, G, "deeply bent for 50 min"),
        (LONG, NONE, G, "bent for 45 min without a break"),
        (LEAN_BACK, NONE, D, "leaning back for 47 min"),
        (OPEN_HIPS, NONE, D, "hips opened up for 46 min"),
        (RECLINED, NONE, D, "leaning back with your hips open"),
        (MIXED, NONE, D, "leaning back"),
        # Balance: a posture pick that already fills today's (or the week's) breaks flips.
        (FOLDED, ExerciseHistory(2, 0, 2, 0), D, "2 of today's 2 breaks were glute bridges"),
        (FOLDED, ExerciseHistory(3, 1, 3, 1), D, "3 of today's 4 breaks"),
        (FOLDED, ExerciseHistory(2, 1, 2, 1), G, "folded forward"),
        (FOLDED, ExerciseHistory(1, 0, 1, 0), G, "folded forward"),
        (FOLDED, ExerciseHistory(0, 0, 5, 1), D, "5 of this week's 6 breaks"),
        (FOLDED, ExerciseHistory(0, 0, 3, 0), G, "folded forward"),
        (LEAN_BACK, ExerciseHistory(0, 2, 0, 2), G, "2 of today's 2 breaks were dead bugs"),
        # No posture sign: the one done less today, then this week, then the glute bridge.
        (NEUTRAL, NONE, G, "sitting keeps your hips bent"),
        (UNMEASURED, NONE, G, "You've been sitting for 45 min"),
        (NEUTRAL, ExerciseHistory(1, 0, 1, 0), D, "today's breaks have had fewer dead bugs"),
        (NEUTRAL, ExerciseHistory(1, 2, 1, 2), G, "fewer glute bridges"),
        (NEUTRAL, ExerciseHistory(1, 1, 4, 2), D, "this week's breaks have had fewer dead bugs"),
    ],
)
def test_rule(
    posture: BoutPosture, history: ExerciseHistory, expected: Exercise, reason_part: str
) -> None:
    choice = choose_exercise(posture, history)
    assert choice.exercise is expected
    assert choice.variant is Variant.FLOOR
    assert reason_part in choice.reason


@pytest.mark.parametrize(
    ("preferred", "variant", "posture", "key", "reason_part"),
    [
        ("glute_bridge", "floor", LEAN_BACK, "glute_bridge", "your settings ask for glute bridges"),
        ("deadbug", "office", FOLDED, "standing_march", "your settings ask for dead bugs"),
        ("balanced", "office", FOLDED, "standing_glute_squeeze", "folded forward"),
        ("balanced", "office", LEAN_BACK, "standing_march", "leaning back"),
        ("balanced", "nonsense", FOLDED, "glute_bridge", "folded forward"),
    ],
)
def test_preferences_and_variants(
    preferred: str, variant: str, posture: BoutPosture, key: str, reason_part: str
) -> None:
    choice = choose_exercise(posture, NONE, preferred=preferred, variant=variant)
    assert choice.spec.key == key
    assert reason_part in choice.reason


def _simulate_day(posture: BoutPosture, breaks: int, log: BreakLog, day: date) -> list[Exercise]:
    done = []
    for _ in range(breaks):
        choice = choose_exercise(posture, log.history(day))
        log.add(day, choice.exercise)
        done.append(choice.exercise)
    return done


def test_balance_over_a_day_of_folded_sitting() -> None:
    """Always folded forward: mostly bridges, but dead bugs keep coming (about one in four)."""
    done = _simulate_day(FOLDED, 8, BreakLog(), date(2026, 1, 5))
    assert done[:3] == [G, G, D]
    assert done.count(D) == 2 and done.count(G) == 6
    # Never more than three bridges in a row.
    assert "GGGG" not in "".join("G" if e is G else "D" for e in done)


def test_balance_over_a_day_without_posture_signs_alternates() -> None:
    done = _simulate_day(NEUTRAL, 6, BreakLog(), date(2026, 1, 5))
    assert done == [G, D, G, D, G, D]


def test_balance_over_a_week() -> None:
    """A week of folded-forward days: the week's share of dead bugs stays at a quarter or more."""
    log = BreakLog()
    for offset in range(7):
        _simulate_day(FOLDED, 6, log, date(2026, 1, 5 + offset))
    week = log.history(date(2026, 1, 11))
    assert week.glute_week + week.deadbug_week == 42
    assert week.deadbug_week / 42 >= 0.25
    assert week.glute_week > week.deadbug_week


def test_break_log_counts_today_and_the_last_seven_days() -> None:
    log = BreakLog(
        [
            (date(2026, 1, 12), G),  # today
            (date(2026, 1, 12), D),
            (date(2026, 1, 6), G),  # 6 days ago: in the week
            (date(2026, 1, 5), D),  # 7 days ago: out
            (date(2026, 1, 13), G),  # tomorrow: out
        ]
    )
    assert log.history(date(2026, 1, 12)) == ExerciseHistory(1, 1, 2, 1)


def test_break_log_from_stored_events() -> None:
    day = date(2026, 1, 12)
    events = [
        (day, "break_done", {"exercise": "glute_bridge", "key": "glute_bridge"}),
        (day, "break_done", {"exercise": "deadbug", "key": "standing_march"}),
        (day, "break_skipped", {"exercise": "deadbug"}),  # skipped breaks do not count
        (day, "nudge", {"exercise": "deadbug"}),
        (date(2026, 1, 11), "break_done", {"exercise": "glute_bridge"}),
        (day, "break_done", {}),
    ]
    assert BreakLog.from_events(events).history(day) == ExerciseHistory(1, 1, 2, 1)


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ({"exercise": "glute_bridge"}, G),
        ({"exercise": "standing_march"}, D),
        ({"exercise": "deadbug"}, D),
        ({"exercise": "yoga"}, None),
        ({}, None),
    ],
)
def test_exercise_of_event(detail: dict[str, object], expected: Exercise | None) -> None:
    assert exercise_of_event(detail) is expected


def test_catalogue_is_complete_and_its_assets_exist() -> None:
    assert set(CATALOGUE) == {(e, v) for e in Exercise for v in Variant}
    for (exercise, variant), spec in CATALOGUE.items():
        assert spec.exercise is exercise and spec.variant is variant
        assert 3 <= len(spec.steps) <= 4
        assert all(len(step) <= 90 for step in spec.steps)
        assert spec.dose and spec.duration_s > 0
        svg = REPO / "assets" / "exercises" / spec.svg
        assert svg.is_file(), svg
        assert "<svg" in svg.read_text(encoding="utf-8")


def _sample(shoulder: tuple[float, float], knee: tuple[float, float]) -> PoseSample:
    """A right-side pose with the hip at (0.5, 0.6) in a 1000 x 1000 frame."""
    points = {RIGHT_SHOULDER: shoulder, RIGHT_HIP: (0.5, 0.6), RIGHT_KNEE: knee}
    lms = tuple(Landmark(*points.get(i, (0.5, 0.5)), 0.0, 0.9) for i in range(NUM_LANDMARKS))
    return PoseSample(timestamp_s=0.0, image=lms, world=None, image_size=(1000, 1000))


FORWARD_20 = (0.5 + 0.3 * math.sin(math.radians(20)), 0.6 - 0.3 * math.cos(math.radians(20)))
BACK_10 = (0.5 - 0.3 * math.sin(math.radians(10)), 0.6 - 0.3 * math.cos(math.radians(10)))


@pytest.mark.parametrize(
    ("shoulder", "knee", "expected"),
    [
        (FORWARD_20, (0.75, 0.62), 20.0),  # facing right, leaning towards the knee
        (BACK_10, (0.75, 0.62), -10.0),
        ((0.5, 0.3), (0.75, 0.62), 0.0),
        # Mirror image: facing left, the same leans keep their signs.
        ((1 - FORWARD_20[0], FORWARD_20[1]), (0.25, 0.62), 20.0),
        ((1 - BACK_10[0], BACK_10[1]), (0.25, 0.62), -10.0),
        # Camera in front: the thigh points at the camera, "forward" cannot be told.
        (FORWARD_20, (0.52, 0.75), None),
        (FORWARD_20, (0.5, 0.6), None),
    ],
)
def test_signed_trunk_lean(
    shoulder: tuple[float, float], knee: tuple[float, float], expected: float | None
) -> None:
    lean = signed_trunk_lean_deg(_sample(shoulder, knee), Side.RIGHT)
    if expected is None:
        assert lean is None
    else:
        assert lean == pytest.approx(expected, abs=0.01)


def _obs(t: float, state: State, hip_angle: float | None, knees: bool = True) -> Observation:
    return Observation(
        timestamp_s=t,
        person_present=True,
        state=state,
        side=Side.RIGHT,
        knees_visible=knees,
        hip_angle_deg=hip_angle,
        trunk_inclination_deg=99.0,  # unsigned and unused: the lean comes from the sample
    )


def test_accumulator_weights_by_time_and_counts_only_sitting() -> None:
    acc = BoutPostureAccumulator()
    fwd, back = _sample(FORWARD_20, (0.75, 0.62)), _sample(BACK_10, (0.75, 0.62))
    acc.update(_obs(0, State.SITTING, 90), 0.0, sitting=True, sample=fwd)  # 90°, +20° for 30 s
    acc.update(_obs(30, State.SITTING, 120), 30.0, sitting=True, sample=back)  # 60°, -10° 10 s
    acc.update(_obs(40, State.STANDING, 175), 40.0, sitting=False, sample=fwd)  # not counted
    acc.update(None, 100.0, sitting=True)  # no sample: nothing held
    acc.update(_obs(110, State.SITTING, 90, knees=False), 110.0, sitting=True, sample=fwd)
    acc.update(_obs(120, State.SITTING, 90), 120.0, sitting=True)  # no sample: no lean
    acc.update(_obs(130, State.SITTING, 90), 130.0, sitting=True)
    p = acc.posture(bout_s=130.0, flexion_s=40.0)
    # flexion: 90*30 + 60*10 + 90*20 over 60 s; lean: 20*30 - 10*10 over 40 s
    assert p.mean_flexion_deg == pytest.approx((90 * 30 + 60 * 10 + 90 * 20) / 60)
    assert p.mean_trunk_lean_deg == pytest.approx((20 * 30 - 10 * 10) / 40, abs=0.01)
    assert (p.bout_s, p.flexion_s) == (130.0, 40.0)
    acc.reset()
    assert acc.posture(0.0, 0.0) == BoutPosture(bout_s=0.0)


@pytest.mark.parametrize(
    ("bout_s", "words"),
    [(33.0, "sitting for 33 s"), (61.0, "sitting for 1 min"),
     (45 * MIN, "sitting for 45 min")],
)  # fmt: skip
def test_the_reason_says_the_bout_in_words(bout_s: float, words: str) -> None:
    choice = choose_exercise(BoutPosture(bout_s=bout_s), ExerciseHistory(0, 0, 0, 0))
    assert words in choice.reason
