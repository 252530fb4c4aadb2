"""The daily report: what the store holds for one local day, aggregated. Pure; no Qt, no I/O.

Definitions, stated once:

* Days are the report's: its time zone (``tz``, injectable) gives the day's bounds, local midnight
  to the next local midnight, so a daylight-saving day lasts 23 or 25 h. Records are picked by
  their UTC instants, whatever zone recorded them (a record made while travelling lands on the
  day it belongs to here). All durations are computed on UTC instants, never by subtracting
  local wall times.
* Each moment is counted once. Records may overlap (an analysed recording stored over time the
  tray app also recorded); the time line keeps, for every moment, the record with precedence:
  a measured record before a gap record (time the tracker had no samples), then the one that
  started first (then the longer one). The later record keeps only the time nobody else claimed,
  its flexion and hip-angle seconds cut in proportion. Per-state totals, recorded time, bouts
  and the tray's day totals all read this one time line, so no total exceeds the wall time.
* Times per state are the time line's, clipped at the day's bounds. ``not_monitored_s`` is the
  part of the day (up to ``now`` for today) with no interval at all. ``timer_only_s`` is the
  time HipCheck reminded by the clock alone (no camera; intervals marked by ``core.timer``): it
  is in no measured total (sitting, away, unknown), and a measured record takes precedence over
  it like over a gap record.
* A day ``has_data`` when it holds any interval or event. A day without data reports ``None``
  where a measurement would be, never a zero that looks measured.
* Sitting bouts follow ``core.tracker.SittingTracker``'s rule, re-applied to the stored intervals
  over neighbouring days so a bout crossing midnight is one bout: a bout starts with sitting when no
  bout is open; standing and away (and time nobody recorded, like the tracker's gaps) add up to a
  break, unknown pauses the break clock, sitting resets it. A break reaching ``natural_break_s``
  ends the bout at the break's start; shorter breaks belong to the bout. A bout counts on each day
  it overlaps, with the part that falls in that day (23:40–00:20 is 20 min on each day).
* The hip-angle distribution is the sitting time per 15° bin of the hip angle: each stored interval
  keeps its seconds per bin (``core.tracker.angle_seconds``); sitting time without a measured
  angle (hips hidden) is reported apart. Intervals stored before the bins existed count their
  whole duration in the bin of their mean angle.
* Event kinds are the reminder policy's (``core.reminders``): ``nudge``, ``snooze``,
  ``break_started``, ``break_done``, ``break_skipped``; a break event's detail names its
  ``exercise`` (family or catalogue key, read by ``core.exercise.exercise_of_event``). Breaks
  taken are ``break_done`` events; the exercise balance counts them over the last 7 days.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Protocol

from hipcheck.core.exercise import Exercise, exercise_of_event
from hipcheck.core.reminders import (
    EVENT_BREAK_DONE,
    EVENT_BREAK_SKIPPED,
    EVENT_BREAK_STARTED,
    EVENT_NUDGE,
    EVENT_SNOOZE,
)
from hipcheck.core.timer import is_timer_only
from hipcheck.core.tracker import (
    ANGLE_BIN_DEG,
    ANGLE_MAX_DEG,
    ANGLE_MIN_DEG,
    angle_bin_lo,
    angle_seconds,
)
from hipcheck.core.types import State

# The reminder policy names the event kinds; the report only reads them.
NUDGE = EVENT_NUDGE
BREAK_STARTED = EVENT_BREAK_STARTED
BREAK_DONE = EVENT_BREAK_DONE
SNOOZED = EVENT_SNOOZE
SKIPPED = EVENT_BREAK_SKIPPED
# Events drawn on the timeline (the tracker's own events are already visible as intervals).
MARKED_KINDS: tuple[str, ...] = (NUDGE, BREAK_DONE, SNOOZED, SKIPPED)
EXERCISES: tuple[str, ...] = tuple(e.value for e in Exercise)

TREND_DAYS = 7
# Stored pieces of one interval split at midnight meet exactly; allow float rounding.
_TOUCH_S = 0.001
_BREAK_STATES = frozenset({State.STANDING, State.AWAY})


class IntervalRecord(Protocol):
    """What the report reads of a stored interval (``store.StoredInterval`` is one)."""

    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...
    @property
    def state(self) -> State: ...
    @property
    def mean_hip_angle_deg(self) -> float | None: ...
    @property
    def flexion_s(self) -> float: ...
    @property
    def extra(self) -> dict[str, float]: ...


class EventRecord(Protocol):
    """What the report reads of a stored event (``store.StoredEvent`` is one)."""

    @property
    def at(self) -> datetime: ...
    @property
    def kind(self) -> str: ...
    @property
    def detail(self) -> dict[str, Any]: ...


class DayRecordsLike(Protocol):
    """One local day's records (``store.DayRecords`` is one)."""

    @property
    def intervals(self) -> Sequence[IntervalRecord]: ...
    @property
    def events(self) -> Sequence[EventRecord]: ...


class RecordSource(Protocol):
    """Where the records come from (``store.Store`` is one)."""

    def load_day(self, day: date, tz: tzinfo | None = None) -> DayRecordsLike:
        """Intervals (clipped to the day) and events of ``day`` in zone ``tz``."""
        ...


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of the day's timeline in one state (local times in the report's zone)."""

    start: datetime
    end: datetime
    state: State
    mean_hip_angle_deg: float | None
    flexion_s: float
    gap: bool
    angle_bin_s: Mapping[float, float] = field(default_factory=dict)
    # Recorded by the break timer while no camera could measure (core.timer), not measured.
    timer_only: bool = False

    @property
    def duration_s(self) -> float:
        """Seconds from start to end."""
        return _secs(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Mark:
    """An event of the day (those in ``MARKED_KINDS`` are drawn on the timeline)."""

    at: datetime
    kind: str
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Bout:
    """A sitting bout, the part of it inside the day; the flags say it goes on past midnight."""

    start: datetime
    end: datetime
    from_previous_day: bool
    into_next_day: bool
    full_duration_s: float

    @property
    def duration_s(self) -> float:
        """Seconds of the bout inside this day."""
        return _secs(self.start, self.end)


@dataclass(frozen=True, slots=True)
class AngleBin:
    """Sitting time with the hip angle in ``[lo_deg, hi_deg)``."""

    lo_deg: float
    hi_deg: float
    seconds: float


@dataclass(frozen=True, slots=True)
class TrendDay:
    """One day of the 7-day trend; ``None`` values mean nothing was recorded that day."""

    day: date
    has_data: bool
    sitting_s: float | None
    longest_bout_s: float | None


@dataclass(frozen=True, slots=True)
class ExerciseBalance:
    """Breaks taken per exercise over ``first_day``..``last_day`` (inclusive)."""

    first_day: date
    last_day: date
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        """All breaks taken with a known exercise."""
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class DayReport:
    """Everything the daily report shows for one local day."""

    day: date
    tz_name: str
    has_data: bool
    day_start: datetime
    day_end: datetime
    # The part of the day already past (the whole day unless it is today).
    elapsed_s: float
    sitting_s: float | None
    flexion_s: float | None
    standing_s: float | None
    away_s: float | None
    unknown_s: float | None
    not_monitored_s: float | None
    bouts: tuple[Bout, ...]
    longest_bout_s: float | None
    mean_hip_angle_sitting_deg: float | None
    angle_bins: tuple[AngleBin, ...]
    angle_unmeasured_s: float | None
    segments: tuple[Segment, ...]
    # Events drawn on the timeline, and every event of the day (for the CSV).
    marks: tuple[Mark, ...]
    events: tuple[Mark, ...]
    nudges: int | None
    breaks_started: int | None
    breaks_taken: int | None
    snoozed: int | None
    skipped: int | None
    balance: ExerciseBalance
    trend: tuple[TrendDay, ...]
    natural_break_s: float
    flexion_threshold_deg: float
    # Time reminded by the clock alone (no camera): part of the recorded time, in no state above.
    timer_only_s: float | None = None
    # The user's working hours (local hours of the day): the timeline shows at least these.
    work_hours_h: tuple[float, float] = (8.0, 18.0)
    # The day had not begun at ``now``: nothing can be recorded for it yet.
    is_future: bool = False

    @property
    def day_length_s(self) -> float:
        """Length of the local day: 86400 s, or 23/25 h on a daylight-saving change."""
        return _secs(self.day_start, self.day_end)

    @property
    def bout_count(self) -> int | None:
        """Sitting bouts overlapping the day, or None without data."""
        return len(self.bouts) if self.has_data else None

    @property
    def recorded_s(self) -> float:
        """Seconds covered by stored intervals (each moment once)."""
        return sum(s.duration_s for s in self.segments)


# A report reads the week before its day and the day after it: the days it can be asked for.
FIRST_DAY = date.min + timedelta(days=TREND_DAYS + 1)
LAST_DAY = date.max - timedelta(days=2)


def day_out_of_range(day: date) -> str | None:
    """Why ``day`` cannot be reported (too close to the ends of the calendar), or None."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"the report covers days from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}, not {day.isoformat()}"


def _local_hour(day: date, hours: float, tz: tzinfo) -> datetime:
    """The instant of local ``hours`` (8.5 is 08:30) on ``day`` (24 is the next midnight)."""
    if hours >= 24.0:
        return day_bounds(day, tz)[1]
    minutes = round(max(0.0, hours) * 60)
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)
    return local.astimezone(timezone.utc).astimezone(tz)


def _whole_hour(at: datetime, *, up: bool) -> datetime:
    """``at`` rounded down (or up) to a whole local hour."""
    floor = at.replace(minute=0, second=0, microsecond=0)
    if up and floor != at:
        return (floor.astimezone(timezone.utc) + timedelta(hours=1)).astimezone(at.tzinfo)
    return floor


def timeline_span(report: DayReport) -> tuple[datetime, datetime]:
    """The part of the day the timeline shows: the working hours, widened to whole hours so
    every record fits; the whole day when the working hours are empty."""
    tz = report.day_start.tzinfo
    assert tz is not None
    lo_h, hi_h = report.work_hours_h
    if hi_h <= lo_h:
        return report.day_start, report.day_end
    start = _local_hour(report.day, lo_h, tz)
    end = _local_hour(report.day, hi_h, tz)
    times = [t for s in report.segments for t in (s.start, s.end)] + [m.at for m in report.marks]
    if times:
        start = min(start, _whole_hour(min(times, key=datetime.timestamp), up=False), key=_ts)
        end = max(end, _whole_hour(max(times, key=datetime.timestamp), up=True), key=_ts)
    return max(start, report.day_start, key=_ts), min(end, report.day_end, key=_ts)


def _ts(at: datetime) -> float:
    return at.timestamp()


def _secs(a: datetime, b: datetime) -> float:
    """Seconds from ``a`` to ``b`` on the UTC time line (safe across DST changes)."""
    return b.timestamp() - a.timestamp()


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Local midnight of ``day`` and of the next day in ``tz`` (aware)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    # Round-trip through UTC so a zone's non-existent midnight lands on a real instant.
    return (
        start.astimezone(timezone.utc).astimezone(tz),
        end.astimezone(timezone.utc).astimezone(tz),
    )


def _zone_name(tz: tzinfo, when: datetime) -> str:
    """A readable name for the zone: its key (``Europe/Berlin``) or its abbreviation."""
    key = getattr(tz, "key", None)
    return str(key) if key else (tz.tzname(when) or "local time")


@dataclass(frozen=True, slots=True)
class _Piece:
    """A stretch of the continuous time line used for bouts (UTC seconds)."""

    start_s: float
    end_s: float
    state: State


def _pieces(timeline: Sequence[Segment]) -> list[_Piece]:
    """The time line for bouts (UTC seconds); time nobody recorded is away."""
    out: list[_Piece] = []
    last_end: float | None = None
    for seg in timeline:
        start_s, end_s = seg.start.timestamp(), seg.end.timestamp()
        if last_end is not None and start_s > last_end + _TOUCH_S:
            # Nothing recorded (app not running, suspended): counts as away, like a gap.
            out.append(_Piece(last_end, start_s, State.AWAY))
        out.append(_Piece(start_s, end_s, seg.state))
        last_end = end_s
    return out


def _uncovered(
    claimed: list[tuple[float, float]], lo_s: float, hi_s: float
) -> list[tuple[float, float]]:
    """The parts of ``[lo_s, hi_s)`` outside ``claimed`` (sorted, disjoint)."""
    out = []
    cur = lo_s
    i = max(bisect.bisect_right(claimed, (lo_s, math.inf)) - 1, 0)
    while i < len(claimed) and claimed[i][0] < hi_s and cur < hi_s:
        a, b = claimed[i]
        if b > cur:
            if a > cur:
                out.append((cur, a))
            cur = b
        i += 1
    if cur < hi_s:
        out.append((cur, hi_s))
    return out


def _claim(claimed: list[tuple[float, float]], lo_s: float, hi_s: float) -> None:
    """Add ``[lo_s, hi_s)`` to ``claimed``, merging what it touches."""
    i = bisect.bisect_left(claimed, (lo_s, -math.inf))
    if i > 0 and claimed[i - 1][1] >= lo_s:
        i -= 1
    j = i
    while j < len(claimed) and claimed[j][0] <= hi_s:
        lo_s, hi_s = min(lo_s, claimed[j][0]), max(hi_s, claimed[j][1])
        j += 1
    claimed[i:j] = [(lo_s, hi_s)]


def _segment(iv: IntervalRecord, lo_s: float, hi_s: float, tz: tzinfo) -> Segment:
    """The part ``[lo_s, hi_s)`` of a record, its flexion and angle seconds cut in proportion."""
    s, e = iv.start.timestamp(), iv.end.timestamp()
    share = (hi_s - lo_s) / (e - s) if e > s else 1.0
    return Segment(
        start=datetime.fromtimestamp(lo_s, tz),
        end=datetime.fromtimestamp(hi_s, tz),
        state=State(iv.state),
        mean_hip_angle_deg=iv.mean_hip_angle_deg,
        flexion_s=iv.flexion_s * share,
        gap=bool(iv.extra.get("gap")),
        angle_bin_s={lo: sec * share for lo, sec in angle_seconds(iv.extra).items()},
        timer_only=is_timer_only(iv.extra),
    )


def flatten(intervals: Iterable[IntervalRecord], tz: tzinfo) -> list[Segment]:
    """The records as one time line, oldest first, each moment counted once (the precedence is
    in the module docstring)."""
    ranked = sorted(
        intervals,
        key=lambda iv: (
            bool(iv.extra.get("gap")) or is_timer_only(iv.extra),
            iv.start.timestamp(),
            -iv.end.timestamp(),
        ),
    )
    claimed: list[tuple[float, float]] = []
    out = []
    for iv in ranked:
        s, e = iv.start.timestamp(), iv.end.timestamp()
        if e <= s:
            continue
        out += [_segment(iv, lo, hi, tz) for lo, hi in _uncovered(claimed, s, e)]
        _claim(claimed, s, e)
    return sorted(out, key=lambda seg: seg.start.timestamp())


def _clip_segments(
    timeline: Sequence[Segment], tz: tzinfo, lo_s: float, hi_s: float
) -> list[Segment]:
    """The time line's part inside ``[lo_s, hi_s)``, in ``tz``."""
    out = []
    for seg in timeline:
        s, e = seg.start.timestamp(), seg.end.timestamp()
        c_s, c_e = max(s, lo_s), min(e, hi_s)
        if c_e <= c_s:
            continue
        if (c_s, c_e) == (s, e):
            out.append(seg)
            continue
        share = (c_e - c_s) / (e - s)
        out.append(
            Segment(
                start=datetime.fromtimestamp(c_s, tz),
                end=datetime.fromtimestamp(c_e, tz),
                state=seg.state,
                mean_hip_angle_deg=seg.mean_hip_angle_deg,
                flexion_s=seg.flexion_s * share,
                gap=seg.gap,
                angle_bin_s={lo: sec * share for lo, sec in seg.angle_bin_s.items()},
                timer_only=seg.timer_only,
            )
        )
    return out


def sitting_totals(records: DayRecordsLike, tz: tzinfo) -> tuple[float, float]:
    """Seconds sitting and in hip flexion in one day's records, each moment counted once."""
    sitting = [seg for seg in flatten(records.intervals, tz) if seg.state == State.SITTING]
    return sum(seg.duration_s for seg in sitting), sum(seg.flexion_s for seg in sitting)


def _find_bouts(pieces: Sequence[_Piece], natural_break_s: float) -> list[tuple[float, float]]:
    """Sitting bouts (UTC start, end seconds) by the tracker's rule; see the module docstring."""
    bouts: list[tuple[float, float]] = []
    bout_start: float | None = None
    break_start: float | None = None
    break_s = 0.0
    last_sit_end: float | None = None
    for p in pieces:
        if p.state == State.SITTING:
            if bout_start is None:
                bout_start = p.start_s
            break_start, break_s, last_sit_end = None, 0.0, p.end_s
        elif p.state in _BREAK_STATES and bout_start is not None:
            if break_start is None:
                break_start = p.start_s
            break_s += p.end_s - p.start_s
            if break_s >= natural_break_s:
                bouts.append((bout_start, break_start))
                bout_start, break_start, break_s = None, None, 0.0
    if bout_start is not None:
        # Still open where the records end: it lasts to the start of the break in progress.
        end = break_start if break_start is not None else last_sit_end
        assert end is not None
        bouts.append((bout_start, end))
    return bouts


def _day_bouts(
    bouts: Sequence[tuple[float, float]], lo_s: float, hi_s: float, tz: tzinfo
) -> tuple[Bout, ...]:
    """The bouts overlapping ``[lo_s, hi_s)``, clipped to it."""
    out = []
    for start_s, end_s in bouts:
        c_start, c_end = max(start_s, lo_s), min(end_s, hi_s)
        if c_end > c_start:
            out.append(
                Bout(
                    start=datetime.fromtimestamp(c_start, tz),
                    end=datetime.fromtimestamp(c_end, tz),
                    from_previous_day=start_s < lo_s,
                    into_next_day=end_s > hi_s,
                    full_duration_s=end_s - start_s,
                )
            )
    return tuple(out)


def _bin_index(angle_deg: float) -> int:
    """The index of the bin ``angle_deg`` (or a bin's lower edge) falls in."""
    return round((angle_bin_lo(angle_deg) - ANGLE_MIN_DEG) / ANGLE_BIN_DEG)


def _angle_bins(segments: Sequence[Segment]) -> tuple[tuple[AngleBin, ...], float]:
    """Sitting time per hip-angle bin, and sitting time without a measured angle."""
    n = round((ANGLE_MAX_DEG - ANGLE_MIN_DEG) / ANGLE_BIN_DEG)
    seconds = [0.0] * n
    unmeasured = 0.0
    for s in segments:
        if s.state != State.SITTING:
            continue
        if s.angle_bin_s:
            measured = 0.0
            for lo, sec in s.angle_bin_s.items():
                seconds[_bin_index(lo)] += sec
                measured += sec
            unmeasured += max(0.0, s.duration_s - measured)
        elif s.mean_hip_angle_deg is None:
            unmeasured += s.duration_s
        else:
            seconds[_bin_index(s.mean_hip_angle_deg)] += s.duration_s
    bins = tuple(
        AngleBin(ANGLE_MIN_DEG + i * ANGLE_BIN_DEG, ANGLE_MIN_DEG + (i + 1) * ANGLE_BIN_DEG, sec)
        for i, sec in enumerate(seconds)
    )
    return bins, unmeasured


def _count(events: Sequence[EventRecord], kind: str) -> int:
    """How many events of ``kind``."""
    return sum(1 for e in events if e.kind == kind)


def build_day_report(
    source: RecordSource,
    day: date,
    *,
    tz: tzinfo,
    now: datetime | None = None,
    natural_break_s: float = 120.0,
    flexion_threshold_deg: float = 45.0,
    work_hours_h: tuple[float, float] = (8.0, 18.0),
) -> DayReport:
    """The report of local ``day`` in zone ``tz``; ``now`` ends today's elapsed part."""
    if natural_break_s <= 0:
        raise ValueError("natural_break_s must be positive")
    out_of_range = day_out_of_range(day)
    if out_of_range is not None:
        raise ValueError(out_of_range)
    # The trend needs 7 days; bouts crossing midnight need the day after too.
    first = day - timedelta(days=TREND_DAYS - 1)
    span = [first - timedelta(days=1) + timedelta(days=i) for i in range(TREND_DAYS + 2)]
    loaded = {d: source.load_day(d, tz) for d in span}
    timeline = flatten((iv for d in span for iv in loaded[d].intervals), tz)
    bouts = _find_bouts(_pieces(timeline), natural_break_s)

    def one_day(d: date) -> tuple[list[Segment], tuple[Bout, ...], datetime, datetime]:
        lo, hi = day_bounds(d, tz)
        lo_s, hi_s = lo.timestamp(), hi.timestamp()
        segs = _clip_segments(timeline, tz, lo_s, hi_s)
        return segs, _day_bouts(bouts, lo_s, hi_s, tz), lo, hi

    trend = []
    for i in range(TREND_DAYS):
        d = first + timedelta(days=i)
        segs, d_bouts, _, _ = one_day(d)
        has = bool(loaded[d].intervals or loaded[d].events)
        trend.append(
            TrendDay(
                day=d,
                has_data=has,
                sitting_s=sum(s.duration_s for s in segs if s.state == State.SITTING)
                if has
                else None,
                longest_bout_s=max((b.duration_s for b in d_bouts), default=0.0) if has else None,
            )
        )

    counts = dict.fromkeys(EXERCISES, 0)
    for d in span[1:-1]:
        for e in loaded[d].events:
            exercise = exercise_of_event(e.detail) if e.kind == BREAK_DONE else None
            if exercise is not None:
                counts[exercise.value] += 1
    balance = ExerciseBalance(first_day=first, last_day=day, counts=counts)

    records = loaded[day]
    segments, day_bouts_, start, end = one_day(day)
    has_data = bool(records.intervals or records.events)
    elapsed_end = end.timestamp()
    if now is not None:
        elapsed_end = min(max(now.timestamp(), start.timestamp()), elapsed_end)
    elapsed_s = elapsed_end - start.timestamp()
    events = tuple(
        Mark(at=e.at.astimezone(tz), kind=e.kind, detail=dict(e.detail))
        for e in sorted(records.events, key=lambda e: e.at.timestamp())
    )

    def total(state: State) -> float | None:
        if not has_data:
            return None
        return float(sum(s.duration_s for s in segments if s.state == state and not s.timer_only))

    def count(kind: str) -> int | None:
        return _count(records.events, kind) if has_data else None

    bins, unmeasured = _angle_bins(segments)
    sit_angle = [
        (s.mean_hip_angle_deg, s.duration_s)
        for s in segments
        if s.state == State.SITTING and s.mean_hip_angle_deg is not None
    ]
    angle_time = sum(w for _, w in sit_angle)
    recorded = sum(s.duration_s for s in segments)
    return DayReport(
        day=day,
        tz_name=_zone_name(tz, start),
        has_data=has_data,
        day_start=start,
        day_end=end,
        elapsed_s=elapsed_s,
        sitting_s=total(State.SITTING),
        flexion_s=sum(s.flexion_s for s in segments if s.state == State.SITTING)
        if has_data
        else None,
        standing_s=total(State.STANDING),
        away_s=total(State.AWAY),
        unknown_s=total(State.UNKNOWN),
        not_monitored_s=max(0.0, elapsed_s - recorded) if has_data else None,
        bouts=day_bouts_ if has_data else (),
        longest_bout_s=max((b.duration_s for b in day_bouts_), default=0.0) if has_data else None,
        mean_hip_angle_sitting_deg=(
            sum(a * w for a, w in sit_angle) / angle_time if angle_time > 0 else None
        ),
        angle_bins=bins if has_data else (),
        angle_unmeasured_s=unmeasured if has_data else None,
        segments=tuple(segments),
        marks=tuple(m for m in events if m.kind in MARKED_KINDS),
        events=events,
        nudges=count(NUDGE),
        breaks_started=count(BREAK_STARTED),
        breaks_taken=count(BREAK_DONE),
        snoozed=count(SNOOZED),
        skipped=count(SKIPPED),
        balance=balance,
        trend=tuple(trend),
        natural_break_s=natural_break_s,
        flexion_threshold_deg=flexion_threshold_deg,
        timer_only_s=float(sum(s.duration_s for s in segments if s.timer_only))
        if has_data
        else None,
        work_hours_h=work_hours_h,
        is_future=now is not None and now.timestamp() < start.timestamp(),
    )
