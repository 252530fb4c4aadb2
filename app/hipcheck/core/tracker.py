"""The sitting timeline: smoothed states, sitting bouts, natural breaks, gaps and flexion time.

``SittingTracker`` is tick-driven and owns no timers and reads no clock: every call brings the
monotonic time ``now_s``. Decisions, all documented here once:

* Time between two updates belongs to the smoothed state *before* the later update; a state change
  decided by the smoother is stamped at the update that decides it (under 2 s after the real
  change at 2 samples/s or more, see ``core.smoothing``).
* ``update(None, now_s)`` (no sample: no person found or a camera hiccup) is raw ``away``
  evidence; a single one never flips the state.
* Gap: if more than ``gap_s`` passes between updates (suspend, stalled camera), the whole gap is
  ``away`` — never sitting — stored as its own interval with ``extra={"gap": 1.0}``, and a
  ``Gap`` event is emitted. After a gap the smoother restarts from ``away``.
* Flexion: hip flexion = 180° − hip angle. Time counts as flexion only while the smoothed state is
  sitting and the newest sample had a known angle with flexion ≥ ``flexion_threshold_deg``; the
  angle of a sample holds until the next update (a ``None`` tick forgets it).
* Bouts: a bout starts when the smoothed state becomes sitting while no bout is open. Standing or
  away (gaps included) adds up to a break; unknown pauses the break clock, sitting resets it. When
  the break reaches ``natural_break_s`` while a bout is open, the tracker emits ``NaturalBreak``
  and ``BoutEnded`` once, both stamped at the moment the break reached its length. Shorter breaks do not end the bout, and
  their time DOES count into the bout's wall duration (``current_bout_s``): the bout is the
  stretch at the desk, from its start to the start of the break that ended it. The bout's
  ``sitting`` seconds are kept beside it (``current_bout_sitting_s``).
* Means of the hip angle are time-weighted (the same hold as flexion), so slower adaptive sampling
  during a steady posture does not skew them; an interval too short to hold any time falls back to
  the plain mean of its samples.
* ``hips_visible_share`` is the share of samples taken while (smoothed) sitting in which the hips
  were visible; 0.0 before any sitting sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hipcheck.core.settings import Settings
from hipcheck.core.smoothing import StateSmoother
from hipcheck.core.types import (
    BoutEnded,
    BoutStarted,
    Event,
    Gap,
    Interval,
    NaturalBreak,
    Observation,
    State,
    StateChanged,
)

DEFAULT_FLEXION_THRESHOLD_DEG = 45.0
DEFAULT_NATURAL_BREAK_S = 120.0
# 10 s: 20 missed samples at the default 2/s. Callers sampling slower than 1 every 3 s should
# pass at least 3 sample periods so ordinary sampling is never mistaken for a gap.
DEFAULT_GAP_S = 10.0

BREAK_STATES = frozenset({State.STANDING, State.AWAY})


@dataclass(frozen=True, slots=True)
class TrackerSummary:
    """Totals of a tracker's timeline so far (seconds on the monotonic clock)."""

    duration_s: float
    sitting_s: float
    flexion_s: float
    standing_s: float
    away_s: float
    unknown_s: float
    gap_s: float
    bouts: int
    longest_bout_s: float
    mean_hip_angle_sitting_deg: float | None
    hips_visible_share: float
    samples: int
    state: State
    in_bout: bool
    current_bout_s: float
    current_bout_sitting_s: float
    current_bout_flexion_s: float
    current_break_s: float


# The hip-angle distribution: each interval keeps its seconds per 15° bin of the hip angle
# (trunk–thigh, 180° = straight hip) in ``Interval.extra`` under ``ANGLE_KEY_PREFIX + lower edge``.
ANGLE_BIN_DEG = 15.0  # edges at 90° and 135° (the default flexion limit)
ANGLE_MIN_DEG = 60.0
ANGLE_MAX_DEG = 180.0
ANGLE_KEY_PREFIX = "angle_s:"


def angle_bin_lo(angle_deg: float) -> float:
    """The lower edge of the bin ``angle_deg`` falls in; angles outside go to the edge bins."""
    n = round((ANGLE_MAX_DEG - ANGLE_MIN_DEG) / ANGLE_BIN_DEG)
    i = min(max(int((angle_deg - ANGLE_MIN_DEG) // ANGLE_BIN_DEG), 0), n - 1)
    return ANGLE_MIN_DEG + i * ANGLE_BIN_DEG


def angle_seconds(extra: Mapping[str, float]) -> dict[float, float]:
    """The per-bin seconds stored in an interval's ``extra`` (empty for older records)."""
    return {
        float(k[len(ANGLE_KEY_PREFIX) :]): v
        for k, v in extra.items()
        if k.startswith(ANGLE_KEY_PREFIX)
    }


def scale_angle_seconds(extra: Mapping[str, float], share: float) -> dict[str, float]:
    """``extra`` for a part of its interval: the per-bin seconds scaled, the flags kept."""
    return {k: v * share if k.startswith(ANGLE_KEY_PREFIX) else v for k, v in extra.items()}


@dataclass(slots=True)
class _OpenInterval:
    """The interval being built: one smoothed state from ``start_s`` on."""

    start_s: float
    state: State
    flexion_s: float = 0.0
    samples: int = 0
    hips_visible_samples: int = 0
    angle_weighted_sum: float = 0.0
    angle_time_s: float = 0.0
    angle_sample_sum: float = 0.0
    angle_samples: int = 0
    angle_bin_s: dict[float, float] = field(default_factory=dict)

    def mean_angle(self) -> float | None:
        """Time-weighted mean hip angle, else the sample mean, else None."""
        if self.angle_time_s > 0:
            return self.angle_weighted_sum / self.angle_time_s
        if self.angle_samples:
            return self.angle_sample_sum / self.angle_samples
        return None

    def to_interval(self, end_s: float, extra: dict[str, float] | None = None) -> Interval:
        """A frozen ``Interval`` of this stretch ending at ``end_s``."""
        return Interval(
            start_s=self.start_s,
            end_s=end_s,
            state=self.state,
            mean_hip_angle_deg=self.mean_angle(),
            flexion_s=self.flexion_s,
            samples=self.samples,
            hips_visible_samples=self.hips_visible_samples,
            extra={
                **{
                    f"{ANGLE_KEY_PREFIX}{lo:g}": sec for lo, sec in sorted(self.angle_bin_s.items())
                },
                **(extra or {}),
            },
        )


class SittingTracker:
    """Tick-driven sitting timeline: ``update(observation_or_none, now_s) -> events``."""

    def __init__(
        self,
        *,
        flexion_threshold_deg: float = DEFAULT_FLEXION_THRESHOLD_DEG,
        natural_break_s: float = DEFAULT_NATURAL_BREAK_S,
        gap_s: float = DEFAULT_GAP_S,
        smoother: StateSmoother | None = None,
    ) -> None:
        if natural_break_s <= 0 or gap_s <= 0:
            raise ValueError("natural_break_s and gap_s must be positive")
        self.flexion_threshold_deg = flexion_threshold_deg
        self.natural_break_s = natural_break_s
        self.gap_s = gap_s
        self._smoother = smoother or StateSmoother()
        self._last_s: float | None = None
        self._open: _OpenInterval | None = None
        self._closed: list[Interval] = []
        # The newest sample's hip angle, held until the next update.
        self._held_angle_deg: float | None = None
        # Totals per smoothed state.
        self._time_s: dict[State, float] = dict.fromkeys(State, 0.0)
        self._flexion_s = 0.0
        self._gap_total_s = 0.0
        self._samples = 0
        self._sit_samples = 0
        self._sit_hips_visible = 0
        self._sit_angle_sum = 0.0
        self._sit_angle_time_s = 0.0
        # Bouts and breaks.
        self._bouts = 0
        self._longest_bout_s = 0.0
        self._bout_start_s: float | None = None
        self._bout_sitting_s = 0.0
        self._bout_flexion_s = 0.0
        self._break_s = 0.0
        self._break_start_s: float | None = None
        self._break_reported = False

    @classmethod
    def from_settings(cls, settings: Settings) -> SittingTracker:
        """A tracker with the user's thresholds; ``gap_s`` is at least 3 sample periods."""
        return cls(
            flexion_threshold_deg=settings.flexion_threshold_deg,
            natural_break_s=settings.natural_break_min * 60.0,
            gap_s=max(DEFAULT_GAP_S, 3.0 / settings.sample_rate_hz),
        )

    @property
    def state(self) -> State:
        """The current smoothed state."""
        return self._smoother.state

    def update(self, obs: Observation | None, now_s: float) -> list[Event]:
        """Account the time since the last update, take in one sample (or none), return events."""
        events: list[Event] = []
        if self._last_s is None:
            self._last_s = now_s
            self._open = _OpenInterval(start_s=now_s, state=self.state)
        # A clock that steps back is treated as standing still rather than crashing the app.
        now_s = max(now_s, self._last_s)
        elapsed = now_s - self._last_s
        if elapsed > self.gap_s:
            self._gap(now_s, events)
        else:
            self._advance(now_s, events)
        self._take_sample(obs, now_s, events)
        return events

    def _advance(self, now_s: float, events: list[Event]) -> None:
        """Credit ``[last, now_s]`` to the current state and run the break clock."""
        assert self._last_s is not None and self._open is not None
        dt = now_s - self._last_s
        if dt <= 0:
            return
        state = self.state
        self._time_s[state] += dt
        angle = self._held_angle_deg
        if angle is not None:
            self._open.angle_weighted_sum += angle * dt
            self._open.angle_time_s += dt
            lo = angle_bin_lo(angle)
            self._open.angle_bin_s[lo] = self._open.angle_bin_s.get(lo, 0.0) + dt
        if state == State.SITTING:
            if angle is not None:
                self._sit_angle_sum += angle * dt
                self._sit_angle_time_s += dt
                if 180.0 - angle >= self.flexion_threshold_deg:
                    self._flexion_s += dt
                    self._open.flexion_s += dt
                    if self._bout_start_s is not None:
                        self._bout_flexion_s += dt
            if self._bout_start_s is not None:
                self._bout_sitting_s += dt
        if state in BREAK_STATES:
            self._run_break(self._last_s, dt, state, events)
        self._last_s = now_s

    def _run_break(self, from_s: float, dt: float, state: State, events: list[Event]) -> None:
        """Add ``dt`` seconds of standing/away starting at ``from_s`` to the break clock."""
        if self._break_start_s is None:
            self._break_start_s = from_s
        before = self._break_s
        self._break_s += dt
        if not self._break_reported and self._break_s >= self.natural_break_s:
            self._break_reported = True
            reached_s = from_s + (self.natural_break_s - before)
            if self._bout_start_s is not None:
                events.append(NaturalBreak(t_s=reached_s, state=state))
                duration = self._break_start_s - self._bout_start_s
                self._longest_bout_s = max(self._longest_bout_s, duration)
                events.append(
                    BoutEnded(t_s=reached_s, duration_s=duration, flexion_s=self._bout_flexion_s)
                )
                self._bout_start_s = None

    def _gap(self, now_s: float, events: list[Event]) -> None:
        """Account a jump in time as away: its own interval, a ``Gap`` event, a fresh smoother."""
        assert self._last_s is not None
        start = self._last_s
        old = self.state
        self._smoother.reset(State.AWAY)
        if old != State.AWAY:
            self._after_change(old, State.AWAY, start, events)
        else:
            # Keep the gap in an interval of its own even when the user was already away.
            self._close_open(start)
            self._open = _OpenInterval(start_s=start, state=State.AWAY)
        self._held_angle_deg = None
        self._advance(now_s, events)
        self._gap_total_s += now_s - start
        self._close_open(now_s, extra={"gap": 1.0})
        self._open = _OpenInterval(start_s=now_s, state=State.AWAY)
        events.append(Gap(t_s=now_s, duration_s=now_s - start))

    def _after_change(self, old: State, new: State, at_s: float, events: list[Event]) -> None:
        """Bookkeeping once the smoothed state went from ``old`` to ``new`` at ``at_s``."""
        events.append(StateChanged(t_s=at_s, old=old, new=new))
        self._close_open(at_s)
        self._open = _OpenInterval(start_s=at_s, state=new)
        if new == State.SITTING:
            self._break_s = 0.0
            self._break_start_s = None
            self._break_reported = False
            if self._bout_start_s is None:
                self._bouts += 1
                self._bout_start_s = at_s
                self._bout_sitting_s = 0.0
                self._bout_flexion_s = 0.0
                events.append(BoutStarted(t_s=at_s))

    def _close_open(self, end_s: float, extra: dict[str, float] | None = None) -> None:
        """Move the open interval to the closed list; a zero-length one is dropped.

        Dropping keeps interval starts strictly increasing (the store keys on them); the one
        sample such an interval can hold still counts in ``summary()``.
        """
        if self._open is not None and end_s > self._open.start_s:
            self._closed.append(self._open.to_interval(end_s, extra))
        self._open = None

    def _take_sample(self, obs: Observation | None, now_s: float, events: list[Event]) -> None:
        """Feed the sample to the smoother and attribute it to the resulting state's interval."""
        raw = State.AWAY if obs is None else obs.state
        old = self.state
        new = self._smoother.update(raw, now_s)
        if new != old:
            self._after_change(old, new, now_s, events)
        assert self._open is not None
        self._held_angle_deg = None if obs is None else obs.hip_angle_deg
        if obs is None:
            return
        self._samples += 1
        self._open.samples += 1
        if obs.hips_visible:
            self._open.hips_visible_samples += 1
        if obs.hip_angle_deg is not None:
            self._open.angle_sample_sum += obs.hip_angle_deg
            self._open.angle_samples += 1
        if new == State.SITTING:
            self._sit_samples += 1
            if obs.hips_visible:
                self._sit_hips_visible += 1

    def open_interval(self) -> Interval | None:
        """A snapshot of the interval still open, up to the last update (None before any)."""
        if self._open is None or self._last_s is None:
            return None
        return self._open.to_interval(self._last_s)

    def pop_closed_intervals(self) -> list[Interval]:
        """The intervals closed since the last pop, oldest first."""
        closed, self._closed = self._closed, []
        return closed

    def close(self, now_s: float) -> list[Interval]:
        """Account time up to ``now_s``, end the open interval there and pop every closed one.

        The tracker can keep going afterwards: a new interval in the same state opens at
        ``now_s``. Events that the accounting produces (a break reaching its length) are lost;
        call ``update`` first if they matter.
        """
        if self._last_s is None:
            return self.pop_closed_intervals()
        now_s = max(now_s, self._last_s)
        events: list[Event] = []
        if now_s - self._last_s > self.gap_s:
            self._gap(now_s, events)
        else:
            self._advance(now_s, events)
        assert self._open is not None
        state = self._open.state
        self._close_open(now_s)
        self._open = _OpenInterval(start_s=now_s, state=state)
        return self.pop_closed_intervals()

    def summary(self) -> TrackerSummary:
        """Totals so far; the open bout counts towards ``longest_bout_s``."""
        current_bout = 0.0
        if self._bout_start_s is not None and self._last_s is not None:
            current_bout = self._last_s - self._bout_start_s
        mean_sit = (
            self._sit_angle_sum / self._sit_angle_time_s if self._sit_angle_time_s > 0 else None
        )
        return TrackerSummary(
            duration_s=sum(self._time_s.values()),
            sitting_s=self._time_s[State.SITTING],
            flexion_s=self._flexion_s,
            standing_s=self._time_s[State.STANDING],
            away_s=self._time_s[State.AWAY],
            unknown_s=self._time_s[State.UNKNOWN],
            gap_s=self._gap_total_s,
            bouts=self._bouts,
            longest_bout_s=max(self._longest_bout_s, current_bout),
            mean_hip_angle_sitting_deg=mean_sit,
            hips_visible_share=(
                self._sit_hips_visible / self._sit_samples if self._sit_samples else 0.0
            ),
            samples=self._samples,
            state=self.state,
            in_bout=self._bout_start_s is not None,
            current_bout_s=current_bout,
            current_bout_sitting_s=self._bout_sitting_s if self._bout_start_s is not None else 0.0,
            current_bout_flexion_s=self._bout_flexion_s if self._bout_start_s is not None else 0.0,
            current_break_s=self._break_s,
        )
