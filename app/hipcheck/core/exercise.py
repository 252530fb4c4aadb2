"""Which exercise a break suggests, and why: the one written-down rule, plus the catalogue.

THE RULE (``choose_exercise``), in order:

1. A preference set in Settings (``preferred_exercise`` other than ``balanced``) always wins.
2. The bout's posture votes. Glute bridge signs (the hip flexors winning): long unbroken hip
   flexion (flexion for at least 70 % of the bout and at least 20 minutes), deep flexion (mean
   flexion of at least 95°, i.e. a hip angle of 85° or less) and a trunk folded forward (mean
   lean of 15° or more). Dead bug signs (the back extended, the pelvis tipped forward): leaning
   back (mean lean of -20° or less) and hips opened up (mean flexion of 70° or less). More dead
   bug signs than none and at least as many as glute bridge signs -> dead bug; otherwise any glute
   bridge sign -> glute bridge; no sign at all -> no posture preference.
3. Balance: if the posture's pick already makes up at least 3/4 of today's breaks (2 or more
   breaks) or of the last 7 days' breaks (4 or more), the other exercise is chosen instead -- so
   a day of mostly glute work gets a dead bug. Without a posture preference the exercise done less
   often today is chosen, then the one done less often this week, then the glute bridge (sitting
   itself flexes the hips).
4. The variant (``exercise_variant``) picks the floor exercise or its office-friendly stand-in:
   glute bridge -> standing glute squeeze, dead bug -> standing march.

Trunk lean is signed: positive = trunk tilted forward of vertical, negative = leaning back.
``Observation.trunk_inclination_deg`` is unsigned (0-180°), so the lean is measured here from the
landmarks (``signed_trunk_lean_deg``): "forward" is the way the thigh points from the hip.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta

from hipcheck.core.geometry import inclination_from_vertical_deg, to_pixels
from hipcheck.core.glossary import duration, exercise_name, exercise_plural
from hipcheck.core.types import (
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    Observation,
    PoseSample,
    Side,
)

# ---- the thresholds of the rule (documented above; change both together) ----------------------

LONG_FLEXION_SHARE = 0.70
LONG_FLEXION_MIN_S = 20 * 60.0
DEEP_FLEXION_DEG = 95.0
FOLDED_FORWARD_DEG = 15.0
LEANING_BACK_DEG = -20.0
OPEN_HIPS_FLEXION_DEG = 70.0
MOSTLY_SHARE = 0.75
MOSTLY_MIN_TODAY = 2
MOSTLY_MIN_WEEK = 4
WEEK_DAYS = 7


class Exercise(str, enum.Enum):
    """What the break trains: the glute bridge family or the dead bug family."""

    GLUTE_BRIDGE = "glute_bridge"
    DEADBUG = "deadbug"

    @property
    def other(self) -> Exercise:
        """The other exercise."""
        return Exercise.DEADBUG if self is Exercise.GLUTE_BRIDGE else Exercise.GLUTE_BRIDGE


class Variant(str, enum.Enum):
    """On the floor, or office-friendly (standing, no floor needed)."""

    FLOOR = "floor"
    OFFICE = "office"


@dataclass(frozen=True, slots=True)
class ExerciseSpec:
    """One catalogue entry: what to show in the break window."""

    key: str
    name: str
    exercise: Exercise
    variant: Variant
    steps: tuple[str, ...]
    dose: str
    duration_s: float
    svg: str


CATALOGUE: dict[tuple[Exercise, Variant], ExerciseSpec] = {
    (Exercise.GLUTE_BRIDGE, Variant.FLOOR): ExerciseSpec(
        key="glute_bridge",
        name=exercise_name("glute_bridge"),
        exercise=Exercise.GLUTE_BRIDGE,
        variant=Variant.FLOOR,
        steps=(
            "Lie on your back, knees bent, feet flat and hip-width apart.",
            "Squeeze your glutes and lift your hips until knees, hips and shoulders line up.",
            "Hold for 2 seconds; keep your ribs down, don't arch your lower back.",
            "Lower slowly and repeat.",
        ),
        dose="10 reps",
        duration_s=90.0,
        svg="glute_bridge.svg",
    ),
    (Exercise.GLUTE_BRIDGE, Variant.OFFICE): ExerciseSpec(
        key="standing_glute_squeeze",
        name=exercise_name("standing_glute_squeeze"),
        exercise=Exercise.GLUTE_BRIDGE,
        variant=Variant.OFFICE,
        steps=(
            "Stand tall, feet hip-width apart, hands resting on the desk.",
            "Tuck your pelvis slightly under and squeeze both glutes hard.",
            "Push your hips gently forward until the front of the hips stretches.",
            "Hold for 5 seconds, relax and repeat.",
        ),
        dose="10 × 5 s holds",
        duration_s=75.0,
        svg="standing_glute_squeeze.svg",
    ),
    (Exercise.DEADBUG, Variant.FLOOR): ExerciseSpec(
        key="deadbug",
        name=exercise_name("deadbug"),
        exercise=Exercise.DEADBUG,
        variant=Variant.FLOOR,
        steps=(
            "Lie on your back, arms up to the ceiling, hips and knees bent at 90°.",
            "Press your lower back gently into the floor and keep it there.",
            "Breathing out, slowly lower one arm and the opposite leg towards the floor.",
            "Bring them back and switch sides.",
        ),
        dose="8 per side",
        duration_s=90.0,
        svg="deadbug.svg",
    ),
    (Exercise.DEADBUG, Variant.OFFICE): ExerciseSpec(
        key="standing_march",
        name=exercise_name("standing_march"),
        exercise=Exercise.DEADBUG,
        variant=Variant.OFFICE,
        steps=(
            "Stand tall, one hand on the desk or your back near a wall.",
            "Brace your belly lightly: ribs down, lower back flat, no leaning back.",
            "Slowly lift one knee to hip height, keeping the pelvis level.",
            "Lower it and switch legs.",
        ),
        dose="10 per leg",
        duration_s=75.0,
        svg="standing_march.svg",
    ),
}


def spec_for(exercise: Exercise, variant: Variant) -> ExerciseSpec:
    """The catalogue entry for an exercise in a variant."""
    return CATALOGUE[(exercise, variant)]


@dataclass(frozen=True, slots=True)
class BoutPosture:
    """How the user sat during the current bout (the inputs of the rule).

    ``mean_flexion_deg`` is the time-weighted mean hip flexion (180° - hip angle) while sitting;
    ``mean_trunk_lean_deg`` the time-weighted mean trunk lean while sitting, positive forward
    (``signed_trunk_lean_deg``).
    Either is None when the camera could not measure it. ``timer_only``: no camera measured the
    bout; ``bout_s`` is time at the computer by the clock (``core.timer``).
    """

    bout_s: float
    flexion_s: float = 0.0
    mean_flexion_deg: float | None = None
    mean_trunk_lean_deg: float | None = None
    timer_only: bool = False


@dataclass(frozen=True, slots=True)
class ExerciseHistory:
    """How many breaks of each exercise were done today and in the last 7 days (today included)."""

    glute_today: int = 0
    deadbug_today: int = 0
    glute_week: int = 0
    deadbug_week: int = 0

    def today(self, exercise: Exercise) -> int:
        """Breaks of ``exercise`` today."""
        return self.glute_today if exercise is Exercise.GLUTE_BRIDGE else self.deadbug_today

    def week(self, exercise: Exercise) -> int:
        """Breaks of ``exercise`` in the last 7 days."""
        return self.glute_week if exercise is Exercise.GLUTE_BRIDGE else self.deadbug_week


class BreakLog:
    """The dated breaks done, from which ``ExerciseHistory`` is counted for any day."""

    def __init__(self, breaks: Iterable[tuple[date, Exercise]] = ()) -> None:
        self._breaks: list[tuple[date, Exercise]] = list(breaks)

    @classmethod
    def from_events(
        cls, events: Iterable[tuple[date, str, Mapping[str, object]]], kind: str = "break_done"
    ) -> BreakLog:
        """A log from stored events ``(local day, kind, detail)``: those of ``kind`` naming an exercise."""
        log = cls()
        for day, event_kind, detail in events:
            exercise = exercise_of_event(detail) if event_kind == kind else None
            if exercise is not None:
                log.add(day, exercise)
        return log

    def add(self, day: date, exercise: Exercise) -> None:
        """Record one break done on ``day``."""
        self._breaks.append((day, exercise))

    def history(self, today: date) -> ExerciseHistory:
        """Counts for ``today`` and the 7 days ending with it."""
        first = today - timedelta(days=WEEK_DAYS - 1)
        counts = {"gt": 0, "dt": 0, "gw": 0, "dw": 0}
        for day, exercise in self._breaks:
            if not first <= day <= today:
                continue
            glute = exercise is Exercise.GLUTE_BRIDGE
            counts["gw" if glute else "dw"] += 1
            if day == today:
                counts["gt" if glute else "dt"] += 1
        return ExerciseHistory(counts["gt"], counts["dt"], counts["gw"], counts["dw"])


def exercise_of_event(detail: Mapping[str, object]) -> Exercise | None:
    """The exercise family named in a stored break event's details (key or catalogue key)."""
    value = detail.get("exercise")
    for spec in CATALOGUE.values():
        if value in (spec.exercise.value, spec.key):
            return spec.exercise
    return None


@dataclass(frozen=True, slots=True)
class ExerciseChoice:
    """The suggestion for one break: exercise, variant and the reason shown to the user."""

    exercise: Exercise
    variant: Variant
    reason: str

    @property
    def spec(self) -> ExerciseSpec:
        """The catalogue entry to show."""
        return spec_for(self.exercise, self.variant)


def _posture_vote(p: BoutPosture) -> tuple[Exercise | None, str]:
    """Step 2 of the rule: the posture's pick and the sentence describing the posture."""
    mins = duration(p.bout_s)
    lean = p.mean_trunk_lean_deg
    flex = p.mean_flexion_deg
    folded = lean is not None and lean >= FOLDED_FORWARD_DEG
    leaning_back = lean is not None and lean <= LEANING_BACK_DEG
    deep = flex is not None and flex >= DEEP_FLEXION_DEG
    open_hips = flex is not None and flex <= OPEN_HIPS_FLEXION_DEG
    long_flexion = (
        p.bout_s > 0
        and p.flexion_s >= LONG_FLEXION_MIN_S
        and p.flexion_s >= LONG_FLEXION_SHARE * p.bout_s
    )
    bridge_votes = int(folded) + int(deep) + int(long_flexion)
    deadbug_votes = int(leaning_back) + int(open_hips)
    if deadbug_votes and deadbug_votes >= bridge_votes:
        if leaning_back and open_hips:
            return Exercise.DEADBUG, f"You've been leaning back with your hips open for {mins}"
        if leaning_back:
            return Exercise.DEADBUG, f"You've been sitting leaning back for {mins}"
        return Exercise.DEADBUG, f"You've been sitting with your hips opened up for {mins}"
    if bridge_votes:
        if folded:
            return Exercise.GLUTE_BRIDGE, f"You've been sitting folded forward for {mins}"
        if deep:
            return Exercise.GLUTE_BRIDGE, f"Your hips have been deeply bent for {mins}"
        return (
            Exercise.GLUTE_BRIDGE,
            f"Your hips have been bent for {duration(p.flexion_s)} without a break",
        )
    if p.timer_only:
        return None, f"You've been at the computer for {mins}"
    return None, f"You've been sitting for {mins}"


def _plural(exercise: Exercise) -> str:
    return exercise_plural(exercise.value)


def _mostly(done: int, total: int, minimum: int) -> bool:
    return total >= minimum and done >= MOSTLY_SHARE * total


def choose_exercise(
    posture: BoutPosture,
    history: ExerciseHistory,
    *,
    preferred: str = "balanced",
    variant: str = "floor",
) -> ExerciseChoice:
    """Apply THE RULE (module docstring) to one bout and the break history."""
    chosen_variant = Variant(variant) if variant in Variant._value2member_map_ else Variant.FLOOR
    pick, sentence = _posture_vote(posture)
    if preferred in Exercise._value2member_map_:
        exercise = Exercise(preferred)
        return ExerciseChoice(
            exercise, chosen_variant, f"{sentence}; your settings ask for {_plural(exercise)}."
        )
    total_today = history.glute_today + history.deadbug_today
    total_week = history.glute_week + history.deadbug_week
    if pick is not None:
        done_today = history.today(pick)
        done_week = history.week(pick)
        if _mostly(done_today, total_today, MOSTLY_MIN_TODAY):
            why = f"{done_today} of today's {total_today} breaks were {_plural(pick)}"
            return ExerciseChoice(
                pick.other, chosen_variant, f"{sentence}, but {why}; this one balances them."
            )
        if _mostly(done_week, total_week, MOSTLY_MIN_WEEK):
            why = f"{done_week} of this week's {total_week} breaks were {_plural(pick)}"
            return ExerciseChoice(
                pick.other, chosen_variant, f"{sentence}, but {why}; this one balances them."
            )
        return ExerciseChoice(pick, chosen_variant, f"{sentence}.")
    g_today, d_today = history.glute_today, history.deadbug_today
    if g_today != d_today:
        less = Exercise.GLUTE_BRIDGE if g_today < d_today else Exercise.DEADBUG
        note = f"today's breaks have had fewer {_plural(less)}"
    elif history.glute_week != history.deadbug_week:
        less = (
            Exercise.GLUTE_BRIDGE if history.glute_week < history.deadbug_week else Exercise.DEADBUG
        )
        note = f"this week's breaks have had fewer {_plural(less)}"
    else:
        less = Exercise.GLUTE_BRIDGE
        note = "sitting keeps your hips bent, so wake up the glutes"
    return ExerciseChoice(less, chosen_variant, f"{sentence}; {note}.")


# ---- per-bout posture from observations (the tracker keeps no trunk lean) ---------------------

# The thigh must point this much sideways in the picture (share of its length) for "forward" to
# be readable: a camera in front of the user foreshortens the thigh and hides the direction.
MIN_THIGH_SIDEWAYS_SHARE = 0.5
_SIDE_POINTS = {
    Side.LEFT: (LEFT_SHOULDER, LEFT_HIP, LEFT_KNEE),
    Side.RIGHT: (RIGHT_SHOULDER, RIGHT_HIP, RIGHT_KNEE),
}


def signed_trunk_lean_deg(sample: PoseSample, side: Side) -> float | None:
    """The trunk's lean from vertical on ``side``, positive forward (towards the knee), or None.

    None when the thigh does not point sideways in the picture (no side view), so the direction
    of "forward" cannot be told.
    """
    i_sh, i_hip, i_knee = _SIDE_POINTS[side]
    sh, hip, knee = (to_pixels(sample.image[i], sample.image_size) for i in (i_sh, i_hip, i_knee))
    thigh_dx = knee[0] - hip[0]
    thigh_len = ((knee[0] - hip[0]) ** 2 + (knee[1] - hip[1]) ** 2) ** 0.5
    if thigh_len <= 0 or abs(thigh_dx) < MIN_THIGH_SIDEWAYS_SHARE * thigh_len:
        return None
    lean = inclination_from_vertical_deg(sh, hip)
    if lean is None:
        return None
    forward = (sh[0] - hip[0]) * thigh_dx >= 0
    return lean if forward else -lean


@dataclass(slots=True)
class BoutPostureAccumulator:
    """Time-weighted mean flexion and trunk lean over the sitting time of the current bout.

    Feed every observation the tracker sees with its smoothed ``sitting`` verdict and the pose
    sample it came from (for the signed lean); a sample's values hold until the next update (as
    in the tracker), and ``reset()`` at each new bout. The lean is only taken when the
    observation saw the knees (a side view).
    """

    _last_s: float | None = None
    _held_flexion: float | None = None
    _held_lean: float | None = None
    _held_sitting: bool = False
    _flexion_sum: float = 0.0
    _flexion_time_s: float = 0.0
    _lean_sum: float = 0.0
    _lean_time_s: float = 0.0

    def update(
        self,
        obs: Observation | None,
        now_s: float,
        *,
        sitting: bool,
        sample: PoseSample | None = None,
    ) -> None:
        """Credit the time since the last update to the held values, then hold ``obs``'s."""
        if self._last_s is not None and self._held_sitting:
            dt = max(0.0, now_s - self._last_s)
            if self._held_flexion is not None:
                self._flexion_sum += self._held_flexion * dt
                self._flexion_time_s += dt
            if self._held_lean is not None:
                self._lean_sum += self._held_lean * dt
                self._lean_time_s += dt
        self._last_s = now_s if self._last_s is None else max(now_s, self._last_s)
        self._held_sitting = sitting
        self._held_flexion = None if obs is None else obs.flexion_deg
        self._held_lean = None
        if obs is not None and sample is not None and obs.side is not None and obs.knees_visible:
            self._held_lean = signed_trunk_lean_deg(sample, obs.side)

    def reset(self) -> None:
        """Forget the bout (a new bout started or a break was taken)."""
        fresh = BoutPostureAccumulator()
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))

    def posture(self, bout_s: float, flexion_s: float) -> BoutPosture:
        """The bout's summary; ``bout_s`` and ``flexion_s`` come from the tracker."""
        return BoutPosture(
            bout_s=bout_s,
            flexion_s=flexion_s,
            mean_flexion_deg=(
                self._flexion_sum / self._flexion_time_s if self._flexion_time_s > 0 else None
            ),
            mean_trunk_lean_deg=(
                self._lean_sum / self._lean_time_s if self._lean_time_s > 0 else None
            ),
        )
