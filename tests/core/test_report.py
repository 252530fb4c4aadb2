"""The daily report from a real SQLite store filled with known intervals and events.

Every expected number below is worked out by hand from the intervals written (see
``tests/reporting/sample_days.py``); times are Europe/Berlin, with both daylight-saving days of 2026.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from hipcheck.core.report import build_day_report, day_bounds
from hipcheck.core.tracker import SittingTracker
from hipcheck.core.types import Observation, State
from hipcheck.store.db import RecordingSink, Store
from reporting.sample_days import BERLIN, MIN, at, fill_tuesday

SIT, STAND, AWAY = State.SITTING, State.STANDING, State.AWAY


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty store in a real SQLite file."""
    s = Store.open(tmp_path / "hipcheck.sqlite3")
    yield s
    s.close()


def test_a_day_of_known_intervals(store: Store) -> None:
    """Totals, bouts, histogram, mean angle and reminder counts of an ordinary day."""
    fill_tuesday(store)
    r = build_day_report(store, date(2026, 11, 10), tz=BERLIN)
    assert r.has_data
    assert r.day_length_s == 86400
    assert r.sitting_s == pytest.approx((50 + 39 + 30) * MIN)
    assert r.flexion_s == pytest.approx(4200.0)
    assert r.standing_s == pytest.approx(11 * MIN)
    assert r.away_s == pytest.approx(5 * MIN)
    assert r.unknown_s == pytest.approx(5 * MIN)
    assert r.not_monitored_s == pytest.approx(86400 - 140 * MIN)
    # 1 min of standing does not end the first bout (natural break 2 min); 10 min does.
    assert r.bout_count == 2
    assert [(b.start.strftime("%H:%M"), b.end.strftime("%H:%M")) for b in r.bouts] == [
        ("09:00", "10:30"),
        ("10:45", "11:15"),
    ]
    assert r.longest_bout_s == pytest.approx(90 * MIN)
    bins = {b.lo_deg: b.seconds for b in r.angle_bins if b.seconds}
    assert bins == {90.0: pytest.approx(3000.0), 120.0: pytest.approx(39 * MIN)}
    assert r.angle_unmeasured_s == pytest.approx(30 * MIN)
    assert r.mean_hip_angle_sitting_deg == pytest.approx((100 * 3000 + 125 * 2340) / 5340)
    assert (r.nudges, r.breaks_started, r.breaks_taken, r.snoozed, r.skipped) == (2, 1, 1, 1, 1)
    assert [m.kind for m in r.marks] == ["nudge", "break_done", "nudge", "snooze", "break_skipped"]
    assert len(r.events) == 6
    assert sum(s.duration_s for s in r.segments) == pytest.approx(140 * MIN)


def test_a_longer_natural_break_setting_joins_the_bouts(store: Store) -> None:
    """With a 15-minute natural break the 10-minute stand no longer ends the first bout."""
    fill_tuesday(store)
    r = build_day_report(store, date(2026, 11, 10), tz=BERLIN, natural_break_s=15 * MIN)
    # Standing 10 min, unknown 5 min (pauses the break clock), sitting again: one bout; the
    # away 5 min at the end is too short to end it, so it runs to the start of that break.
    assert r.bout_count == 1
    assert r.longest_bout_s == pytest.approx(135 * MIN)


def test_a_bout_across_midnight_counts_on_both_days(store: Store) -> None:
    """23:40–00:20: 20 minutes of sitting and of the bout on each day."""
    store.record_interval(
        at(2026, 11, 11, 23, 40), at(2026, 11, 12, 0, 20), State.SITTING, 95.0, 2400.0
    )
    store.record_interval(at(2026, 11, 12, 0, 20), at(2026, 11, 12, 0, 30), State.STANDING, None, 0)
    first = build_day_report(store, date(2026, 11, 11), tz=BERLIN)
    second = build_day_report(store, date(2026, 11, 12), tz=BERLIN)
    for r in (first, second):
        assert r.sitting_s == pytest.approx(20 * MIN)
        assert r.flexion_s == pytest.approx(20 * MIN)
        assert r.bout_count == 1
        assert r.longest_bout_s == pytest.approx(20 * MIN)
        assert r.bouts[0].full_duration_s == pytest.approx(40 * MIN)
    assert first.bouts[0].into_next_day and not first.bouts[0].from_previous_day
    assert second.bouts[0].from_previous_day and not second.bouts[0].into_next_day
    assert first.segments[-1].end == datetime(2026, 11, 12, 0, 0, tzinfo=BERLIN)
    assert second.standing_s == pytest.approx(10 * MIN)
    # The trend of the 12th shows both days with their own share.
    trend = {d.day: d for d in second.trend}
    assert trend[date(2026, 11, 11)].sitting_s == pytest.approx(20 * MIN)
    assert trend[date(2026, 11, 11)].longest_bout_s == pytest.approx(20 * MIN)


def test_the_angle_distribution_is_time_per_bin_across_midnight(store: Store) -> None:
    # 10:00–11:00: 30 min at 90–105°, 20 min at 135–150°, 10 min with the hips hidden.
    bins = {"angle_s:90": 30 * MIN, "angle_s:135": 20 * MIN}
    store.record_interval(
        at(2026, 11, 11, 10, 0), at(2026, 11, 11, 11, 0), State.SITTING, 111.0, 0.0, extra=bins
    )
    # 23:30–00:30, all of it at 105–120°: half on each day.
    store.record_interval(
        at(2026, 11, 11, 23, 30), at(2026, 11, 12, 0, 30), State.SITTING, 110.0, 0.0,
        extra={"angle_s:105": 60 * MIN},
    )  # fmt: skip
    first = build_day_report(store, date(2026, 11, 11), tz=BERLIN)
    seconds = {b.lo_deg: b.seconds for b in first.angle_bins if b.seconds}
    assert seconds == {
        90.0: pytest.approx(30 * MIN), 105.0: pytest.approx(30 * MIN),
        135.0: pytest.approx(20 * MIN),
    }  # fmt: skip
    assert first.angle_unmeasured_s == pytest.approx(10 * MIN)
    second = build_day_report(store, date(2026, 11, 12), tz=BERLIN)
    assert {b.lo_deg: b.seconds for b in second.angle_bins if b.seconds} == {
        105.0: pytest.approx(30 * MIN)
    }
    assert second.angle_unmeasured_s == pytest.approx(0.0)


def test_spring_forward_day_has_23_hours(store: Store) -> None:
    """2026-03-29: 01:30 CET to 03:30 CEST is one hour of sitting; the day lasts 23 h."""
    store.record_interval(at(2026, 3, 29, 1, 30), at(2026, 3, 29, 3, 30), State.SITTING, 90.0, 3600)
    store.record_interval(at(2026, 3, 29, 3, 30), at(2026, 3, 29, 3, 45), State.AWAY, None, 0.0)
    r = build_day_report(store, date(2026, 3, 29), tz=BERLIN)
    assert r.day_length_s == 23 * 3600
    assert r.sitting_s == pytest.approx(3600.0)
    assert r.longest_bout_s == pytest.approx(3600.0)
    assert r.not_monitored_s == pytest.approx(23 * 3600 - 75 * MIN)
    assert r.day_start.utcoffset() == timedelta(hours=1)
    assert r.day_end.utcoffset() == timedelta(hours=2)


def test_fall_back_day_has_25_hours_and_a_bout_from_the_evening_before(store: Store) -> None:
    """2026-10-24 23:30 CEST to 10-25 03:30 CET: 30 min on the 24th, 4 h 30 on the 25-hour 25th."""
    store.record_interval(
        at(2026, 10, 24, 23, 30), at(2026, 10, 25, 3, 30), State.SITTING, 110.0, 5 * 3600.0
    )
    store.record_interval(at(2026, 10, 25, 3, 30), at(2026, 10, 25, 3, 40), State.STANDING, None, 0)
    # An event in the repeated hour (the second 02:15) lands on the 25th, in order.
    store.record_event(at(2026, 10, 25, 2, 15, fold=0), "nudge", {})
    store.record_event(at(2026, 10, 25, 2, 15, fold=1), "snooze", {})
    before = build_day_report(store, date(2026, 10, 24), tz=BERLIN)
    r = build_day_report(store, date(2026, 10, 25), tz=BERLIN)
    assert r.day_length_s == 25 * 3600
    assert before.day_length_s == 24 * 3600
    assert before.sitting_s == pytest.approx(30 * MIN)
    assert r.sitting_s == pytest.approx(4.5 * 3600)
    assert r.flexion_s == pytest.approx(4.5 * 3600)
    assert before.longest_bout_s == pytest.approx(30 * MIN)
    assert r.longest_bout_s == pytest.approx(4.5 * 3600)
    assert r.bouts[0].full_duration_s == pytest.approx(5 * 3600)
    assert r.not_monitored_s == pytest.approx(25 * 3600 - (4.5 * 3600 + 10 * MIN))
    assert [m.kind for m in r.marks] == ["nudge", "snooze"]
    assert r.marks[1].at.timestamp() - r.marks[0].at.timestamp() == 3600


def test_an_empty_day_says_so_instead_of_zeros(store: Store) -> None:
    """No records: has_data is False and every measurement is None, not 0."""
    fill_tuesday(store)
    r = build_day_report(store, date(2026, 11, 9), tz=BERLIN)
    assert not r.has_data
    for value in (r.sitting_s, r.flexion_s, r.standing_s, r.away_s, r.unknown_s):
        assert value is None
    assert r.bout_count is None and r.longest_bout_s is None
    assert r.nudges is None and r.breaks_taken is None
    assert r.segments == () and r.bouts == () and r.angle_bins == ()
    # The week still shows the other days; the empty ones as "no data", not as zero.
    trend = {d.day: d for d in build_day_report(store, date(2026, 11, 12), tz=BERLIN).trend}
    assert trend[date(2026, 11, 9)].sitting_s is None
    assert not trend[date(2026, 11, 9)].has_data
    assert trend[date(2026, 11, 10)].sitting_s == pytest.approx(119 * MIN)
    assert trend[date(2026, 11, 10)].longest_bout_s == pytest.approx(90 * MIN)


def test_exercise_balance_counts_breaks_taken_over_seven_days(store: Store) -> None:
    """break_done events of the last 7 days by exercise; older ones and break_started not."""
    ev = store.record_event
    ev(at(2026, 11, 3, 10, 0), "break_done", {"exercise": "deadbug"})  # 8 days before
    ev(at(2026, 11, 4, 10, 0), "break_done", {"exercise": "glute_bridge"})  # first of 7
    ev(at(2026, 11, 8, 10, 0), "break_started", {"exercise": "deadbug"})
    ev(at(2026, 11, 8, 10, 5), "break_done", {"exercise": "deadbug"})
    # An office variant named by its catalogue key counts for its family (dead bug).
    ev(at(2026, 11, 9, 15, 0), "break_done", {"exercise": "standing_march"})
    ev(at(2026, 11, 9, 16, 0), "break_done", {"reason": "no exercise named"})
    ev(at(2026, 11, 10, 23, 59), "break_done", {"exercise": "glute_bridge"})
    ev(at(2026, 11, 11, 0, 1), "break_done", {"exercise": "deadbug"})  # the day after
    b = build_day_report(store, date(2026, 11, 10), tz=BERLIN).balance
    assert (b.first_day, b.last_day) == (date(2026, 11, 4), date(2026, 11, 10))
    assert dict(b.counts) == {"glute_bridge": 2, "deadbug": 2}
    assert b.total == 4


def test_today_is_only_elapsed_up_to_now(store: Store) -> None:
    """For today the not-recorded time runs to ``now``, not to midnight."""
    fill_tuesday(store)
    now = at(2026, 11, 10, 12, 0)
    r = build_day_report(store, date(2026, 11, 10), tz=BERLIN, now=now)
    assert r.elapsed_s == 12 * 3600
    assert r.not_monitored_s == pytest.approx(12 * 3600 - 140 * MIN)


def test_the_time_zone_is_injectable(store: Store) -> None:
    """The same records seen from UTC: the day's bounds and the timeline follow the zone."""
    fill_tuesday(store)
    r = build_day_report(store, date(2026, 11, 10), tz=timezone.utc)
    lo, hi = day_bounds(date(2026, 11, 10), timezone.utc)
    assert (r.day_start, r.day_end) == (lo, hi)
    assert r.segments[0].start == datetime(2026, 11, 10, 8, 0, tzinfo=timezone.utc)
    assert r.sitting_s == pytest.approx(119 * MIN)


def test_bouts_agree_with_the_tracker(store: Store) -> None:
    """The tracker's bouts, written through RecordingSink, come back the same from the store."""
    tracker = SittingTracker()
    sink = RecordingSink(store)
    wall0 = at(2026, 11, 10, 8, 0)
    script = [
        (SIT, 600, 100.0),
        (STAND, 60, None),  # short: the bout goes on
        (SIT, 300, 120.0),
        (AWAY, 200, None),  # ends bout 1
        (SIT, 420, 95.0),
        (STAND, 150, None),  # ends bout 2
        (SIT, 90, 100.0),
    ]
    t = 0.0
    for state, seconds, angle in script:
        for _ in range(int(seconds * 2)):
            sample = None
            if state != AWAY:
                sample = Observation(
                    timestamp_s=t, person_present=True, state=state, hip_angle_deg=angle
                )
            tracker.update(sample, t)
            sink.write(tracker, t, wall0 + timedelta(seconds=t))
            t += 0.5
    sink.finish(tracker, t, wall0 + timedelta(seconds=t))
    summary = tracker.summary()
    r = build_day_report(store, date(2026, 11, 10), tz=BERLIN)
    assert r.bout_count == summary.bouts == 3
    assert r.longest_bout_s == pytest.approx(summary.longest_bout_s, abs=1.0)
    assert r.sitting_s == pytest.approx(summary.sitting_s, abs=0.01)
    assert r.flexion_s == pytest.approx(summary.flexion_s, abs=0.01)
    assert r.standing_s == pytest.approx(summary.standing_s, abs=0.01)
