"""The reminder policy: when to nudge the user out of the chair. Pure, tick-driven, no timers.

The app calls ``update`` on every tracker tick with the monotonic time, the wall time, the
smoothed sitting verdict and the current bout's length; it returns the nudges to show now.
Decisions, all documented here once:

* Due: a nudge is due when the bout's *unrewarded* sitting (bout length minus what a done or
  skipped break already answered) reaches ``limit_s``, or when a snooze or an unanswered nudge's
  ``snooze_s`` runs out.
* Shown only to a user who is sitting, inside working hours on a working day, not paused and
  not in do-not-disturb. A due nudge blocked by hours, pause or do-not-disturb is held back and
  delivered (``held_back=True``) as soon as the block ends, if the user is still sitting and the
  bout still going; a user who stood up is never nagged -- the nudge waits for them to sit again
  within the bout, or is dropped when the bout ends.
* Natural break: the bout length dropping (the tracker ended the bout) or ``natural_break()``
  resets everything: pending, shown and snoozed nudges are cancelled (``showing`` turns False,
  so the app closes the notification) and the snooze count starts again.
* Snooze: ``snooze()`` is accepted ``snooze_max`` times in a row; the nudge after the last
  allowed snooze has ``can_snooze=False``. A nudge closed without an answer (``dismissed()``)
  and a nudge left unanswered both come back after ``snooze_s`` without using up a snooze.
* Breaks: ``break_started`` silences nudges; ``break_done`` and ``break_skipped`` answer the
  sitting so far, so the next nudge comes ``limit_s`` of bout later (a short break leaves the
  tracker's bout running). ``break_done`` also logs the exercise for the balance rule.
* Working hours: ``work_start_h <= hour < work_end_h`` on ``work_days``; a start after the end
  is an overnight window (filed under the day it starts); equal start and end mean all day.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hipcheck.core.exercise import (
    BoutPosture,
    BreakLog,
    Exercise,
    ExerciseChoice,
    choose_exercise,
)
from hipcheck.core.settings import WEEKDAYS, Settings

# A bout that shrinks by more than this between ticks was ended by the tracker (a natural
# break); smaller jitter is tolerated.
BOUT_DROP_TOLERANCE_S = 1.0


# Event kinds the app stores (Store.record_event) for reminders; ``event_detail`` gives the detail.
EVENT_NUDGE = "nudge"
EVENT_SNOOZE = "snooze"
EVENT_BREAK_STARTED = "break_started"
EVENT_BREAK_DONE = "break_done"
EVENT_BREAK_SKIPPED = "break_skipped"


def event_detail(choice: ExerciseChoice, **extra: object) -> dict[str, object]:
    """The stored detail of a reminder event: exercise family, catalogue key, reason, extras."""
    return {
        "exercise": choice.exercise.value,
        "variant": choice.variant.value,
        "key": choice.spec.key,
        "reason": choice.reason,
        **extra,
    }


class NudgeKind(str, enum.Enum):
    """Why a nudge is shown now."""

    LIMIT = "limit"
    SNOOZE_OVER = "snooze_over"
    REPEAT = "repeat"


class Block(str, enum.Enum):
    """What holds a due nudge back."""

    PAUSED = "paused"
    DND = "dnd"
    OFF_HOURS = "off_hours"
    DAY_OFF = "day_off"


@dataclass(frozen=True, slots=True)
class Nudge:
    """One reminder to show: the exercise choice, the bout so far and whether snooze is offered."""

    at_s: float
    kind: NudgeKind
    choice: ExerciseChoice
    bout_s: float
    can_snooze: bool
    snoozes_left: int
    held_back: bool = False

    @property
    def title(self) -> str:
        """The notification's title."""
        return f"Time for a break: {self.choice.spec.name}"

    @property
    def body(self) -> str:
        """The notification's body: the reason and the dose."""
        return f"{self.choice.reason}\n{self.choice.spec.name}, {self.choice.spec.dose}."


class _Phase(str, enum.Enum):
    WAITING = "waiting"  # counting towards the limit
    SHOWING = "showing"  # a nudge is out, unanswered
    SNOOZED = "snoozed"
    IN_BREAK = "in_break"


def _weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()]


class ReminderPolicy:
    """Tick-driven reminder policy: ``update(...) -> [Nudge]`` plus the user's answers."""

    def __init__(
        self,
        *,
        limit_s: float = 45 * 60.0,
        snooze_s: float = 600.0,
        snooze_max: int = 3,
        work_start_h: float = 8.0,
        work_end_h: float = 18.0,
        work_days: Iterable[str] = ("mon", "tue", "wed", "thu", "fri"),
        preferred_exercise: str = "balanced",
        exercise_variant: str = "floor",
        break_log: BreakLog | None = None,
    ) -> None:
        self.limit_s = limit_s
        self.snooze_s = snooze_s
        self.snooze_max = snooze_max
        self.work_start_h = work_start_h
        self.work_end_h = work_end_h
        self.work_days = tuple(work_days)
        self.preferred_exercise = preferred_exercise
        self.exercise_variant = exercise_variant
        self.break_log = break_log if break_log is not None else BreakLog()
        self._validate()
        self._phase = _Phase.WAITING
        self._last_bout_s = 0.0
        # Bout seconds already answered by a break done or skipped (see module docstring).
        self._answered_bout_s = 0.0
        self._snoozes_in_row = 0
        self._due_kind: NudgeKind = NudgeKind.LIMIT
        self._timer_until_s: float | None = None
        self._held = False
        self._block: Block | None = None
        self._last_wall: datetime | None = None
        self._last_posture: BoutPosture | None = None
        self._active: Nudge | None = None
        self._break_choice: ExerciseChoice | None = None

    def _validate(self) -> None:
        if self.limit_s <= 0 or self.snooze_s <= 0 or self.snooze_max < 0:
            raise ValueError("limit_s and snooze_s must be positive, snooze_max not negative")
        bad = [d for d in self.work_days if d not in WEEKDAYS]
        if bad:
            raise ValueError(f"unknown work day {bad[0]!r}")

    @classmethod
    def from_settings(cls, settings: Settings, break_log: BreakLog | None = None) -> ReminderPolicy:
        """A policy with the user's limit, snooze, working hours and exercise preference."""
        policy = cls(break_log=break_log)
        policy.apply_settings(settings)
        return policy

    def apply_settings(self, settings: Settings) -> None:
        """Take changed settings live; a running snooze keeps its end time."""
        self.limit_s = settings.sitting_limit_min * 60.0
        self.snooze_s = settings.snooze_min * 60.0
        self.snooze_max = settings.snooze_max
        self.work_start_h = settings.work_start_h
        self.work_end_h = settings.work_end_h
        self.work_days = tuple(settings.work_days)
        self.preferred_exercise = settings.preferred_exercise
        self.exercise_variant = settings.exercise_variant
        self._validate()

    # ---- what the app can read --------------------------------------------------------------

    @property
    def showing(self) -> bool:
        """True while a nudge is out and unanswered; when it turns False, close the notification."""
        return self._phase is _Phase.SHOWING

    @property
    def in_break(self) -> bool:
        """True between ``break_started`` and ``break_done``/``break_skipped``."""
        return self._phase is _Phase.IN_BREAK

    @property
    def active_nudge(self) -> Nudge | None:
        """The nudge out now, if any."""
        return self._active if self.showing else None

    @property
    def held_back(self) -> Block | None:
        """What holds a due nudge back right now, or None."""
        return self._block if self._held else None

    @property
    def snoozes_in_row(self) -> int:
        """Snoozes since the last break or natural break."""
        return self._snoozes_in_row

    def since_break_s(self, bout_s: float) -> float:
        """Seconds of the sitting stretch since the last break done or skipped (what counts)."""
        return max(0.0, bout_s - self._answered_bout_s)

    def due_in_s(self, now_s: float, bout_s: float) -> float | None:
        """Seconds of sitting until the next nudge is due (0: due or out now); None in a break.

        A snoozed nudge is due when the snooze ends; otherwise when this sitting stretch's
        unanswered sitting reaches the limit.
        """
        if self._phase is _Phase.IN_BREAK:
            return None
        if self._phase is _Phase.SHOWING:
            return 0.0
        if self._phase is _Phase.SNOOZED:
            return None if self._timer_until_s is None else max(0.0, self._timer_until_s - now_s)
        return max(0.0, self.limit_s - (bout_s - self._answered_bout_s))

    def blocked_at(
        self, wall: datetime, *, paused: bool = False, dnd: bool = False
    ) -> Block | None:
        """What would hold a nudge back at ``wall`` (pause, do not disturb, hours), or None."""
        return self._blocked(wall, paused=paused, dnd=dnd)

    def in_working_hours(self, wall: datetime) -> bool:
        """True if ``wall`` is inside the working hours of a working day."""
        return self._hours_block(wall) is None

    def choose(self, wall: datetime, posture: BoutPosture) -> ExerciseChoice:
        """The exercise for a break now (also for "Take a break now" from the tray)."""
        return choose_exercise(
            posture,
            self.break_log.history(wall.date()),
            preferred=self.preferred_exercise,
            variant=self.exercise_variant,
        )

    # ---- the tick ---------------------------------------------------------------------------

    def update(
        self,
        now_s: float,
        wall: datetime,
        *,
        sitting: bool,
        bout_s: float,
        paused: bool = False,
        dnd: bool = False,
        posture: BoutPosture | None = None,
    ) -> list[Nudge]:
        """Advance to ``now_s``; return the nudges to show (at most one)."""
        self._last_wall = wall
        if bout_s < self._last_bout_s - BOUT_DROP_TOLERANCE_S:
            self.natural_break(now_s)
        self._last_bout_s = bout_s
        self._last_posture = posture
        if not self._is_due(now_s, bout_s):
            self._held = False
            return []
        block = self._blocked(wall, paused=paused, dnd=dnd)
        if block is not None:
            self._held = True
            self._block = block
            return []
        if not sitting or bout_s <= 0:
            # Never nag a user who is up; the nudge waits for them to sit down again in this bout.
            return []
        nudge = self._deliver(now_s, wall, bout_s, posture, held_back=self._held)
        self._held = False
        return [nudge]

    def _is_due(self, now_s: float, bout_s: float) -> bool:
        if self._phase is _Phase.IN_BREAK:
            return False
        if self._phase in (_Phase.SNOOZED, _Phase.SHOWING):
            return self._timer_until_s is not None and now_s >= self._timer_until_s
        return bout_s - self._answered_bout_s >= self.limit_s

    def _blocked(self, wall: datetime, *, paused: bool, dnd: bool) -> Block | None:
        if paused:
            return Block.PAUSED
        if dnd:
            return Block.DND
        return self._hours_block(wall)

    def _hours_block(self, wall: datetime) -> Block | None:
        hour = wall.hour + wall.minute / 60.0 + wall.second / 3600.0
        start, end = self.work_start_h, self.work_end_h
        day = wall.date()
        if start == end:
            inside = True
        elif start < end:
            inside = start <= hour < end
        else:
            inside = hour >= start or hour < end
            if hour < end:
                day -= timedelta(
                    days=1
                )  # the small hours belong to the shift that started the day before
        if _weekday(day) not in self.work_days:
            return Block.DAY_OFF
        return None if inside else Block.OFF_HOURS

    def _deliver(
        self,
        now_s: float,
        wall: datetime,
        bout_s: float,
        posture: BoutPosture | None,
        *,
        held_back: bool,
    ) -> Nudge:
        kind = NudgeKind.LIMIT if self._phase is _Phase.WAITING else self._due_kind
        choice = self.choose(wall, posture or BoutPosture(bout_s=bout_s))
        left = max(0, self.snooze_max - self._snoozes_in_row)
        nudge = Nudge(
            at_s=now_s,
            kind=kind,
            choice=choice,
            bout_s=bout_s,
            can_snooze=left > 0,
            snoozes_left=left,
            held_back=held_back,
        )
        self._phase = _Phase.SHOWING
        self._active = nudge
        # Left unanswered, the nudge comes back after a snooze length (not counted as a snooze).
        self._due_kind = NudgeKind.REPEAT
        self._timer_until_s = now_s + self.snooze_s
        return nudge

    # ---- the user's answers and the tracker's news -------------------------------------------

    def snooze(self, now_s: float) -> bool:
        """Snooze the nudge out now; False (and nothing changes) if no snooze is left."""
        if self._snoozes_in_row >= self.snooze_max or self._phase is _Phase.IN_BREAK:
            return False
        self._snoozes_in_row += 1
        self._phase = _Phase.SNOOZED
        self._due_kind = NudgeKind.SNOOZE_OVER
        self._timer_until_s = now_s + self.snooze_s
        self._held = False
        return True

    def dismissed(self, now_s: float) -> None:
        """The notification was closed without an answer: it comes back after ``snooze_s``."""
        if self._phase is _Phase.SHOWING:
            self._phase = _Phase.SNOOZED
            self._due_kind = NudgeKind.REPEAT
            self._timer_until_s = now_s + self.snooze_s

    def break_started(self, now_s: float, choice: ExerciseChoice | None = None) -> ExerciseChoice:
        """The break window opened; returns the exercise it shows (the nudge's unless given)."""
        if choice is None:
            if self._active is not None and self._phase is _Phase.SHOWING:
                choice = self._active.choice
            else:
                wall = self._last_wall or datetime.now().astimezone()
                choice = self.choose(wall, self._last_posture or BoutPosture(self._last_bout_s))
        self._phase = _Phase.IN_BREAK
        self._break_choice = choice
        self._active = None
        self._held = False
        self._timer_until_s = None
        return choice

    def break_done(
        self, now_s: float, exercise: Exercise | None = None, day: date | None = None
    ) -> None:
        """The break counted (Done pressed or the user got up): log it, start a fresh cycle."""
        done = exercise
        if done is None and self._break_choice is not None:
            done = self._break_choice.exercise
        when = day or (self._last_wall.date() if self._last_wall is not None else None)
        if done is not None and when is not None:
            self.break_log.add(when, done)
        self._fresh_cycle(answered_bout_s=self._last_bout_s)

    def break_postponed(self, now_s: float, seconds: float) -> None:
        """The break window asked to come back later: the nudge returns after ``seconds``."""
        self._phase = _Phase.SNOOZED
        self._due_kind = NudgeKind.SNOOZE_OVER
        self._timer_until_s = now_s + seconds
        self._held = False
        self._active = None
        self._break_choice = None

    def break_skipped(self, now_s: float) -> None:
        """The break was skipped: no log entry; the next nudge comes after another full limit."""
        self._fresh_cycle(answered_bout_s=self._last_bout_s)

    def natural_break(self, now_s: float) -> None:
        """The user stood or left long enough: the bout is over, pending nudges are cancelled."""
        choice = self._break_choice if self._phase is _Phase.IN_BREAK else None
        self._fresh_cycle(answered_bout_s=0.0)
        self._last_bout_s = 0.0
        if choice is not None:
            # Standing up during the break window ends the bout; the window stays open.
            self._phase = _Phase.IN_BREAK
            self._break_choice = choice

    def _fresh_cycle(self, *, answered_bout_s: float) -> None:
        self._phase = _Phase.WAITING
        self._answered_bout_s = answered_bout_s
        self._snoozes_in_row = 0
        self._timer_until_s = None
        self._held = False
        self._block = None
        self._active = None
        self._break_choice = None
