"""SittingTracker on scripted observation sequences driven by a FakeClock."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest

from hipcheck.core.clock import FakeClock
from hipcheck.core.settings import Settings
from hipcheck.core.tracker import SittingTracker, angle_bin_lo, angle_seconds, scale_angle_seconds
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

SIT, STAND, AWAY, UNK = State.SITTING, State.STANDING, State.AWAY, State.UNKNOWN
RATES = (2.0, 5.0, 10.0)


def obs(state: State, angle: float | None = None, hips: bool | None = None) -> Observation:
    """An observation of ``state``; hips count as visible when an angle is given."""
    return Observation(
        timestamp_s=0.0,
        person_present=state != AWAY,
        state=state,
        hips_visible=angle is not None if hips is None else hips,
        hip_angle_deg=angle,
    )


@dataclass
class Script:
    """Drives a tracker with a FakeClock and collects its events and intervals."""

    tracker: SittingTracker = field(default_factory=SittingTracker)
    clock: FakeClock = field(default_factory=FakeClock)
    rate: float = 2.0
    events: list[Event] = field(default_factory=list)
    intervals: list[Interval] = field(default_factory=list)
    _ticks: int = 0

    def run(self, seconds: float, sample: Observation | None) -> Script:
        """Send ``sample`` at ``rate`` for ``seconds``, the first one right away."""
        # Count ticks instead of adding 1/rate repeatedly, so times stay exact.
        base = self.clock.now_s
        for i in range(round(seconds * self.rate)):
            self.clock.now_s = base + i / self.rate
            self.events += self.tracker.update(sample, self.clock.now_s)
        self.clock.now_s = base + round(seconds * self.rate) / self.rate
        self.intervals += self.tracker.pop_closed_intervals()
        return self

    def sleep(self, seconds: float) -> Script:
        """Let time pass with no updates at all (suspend, stall)."""
        self.clock.advance(seconds)
        return self

    def finish(self) -> Script:
        """Close the tracker at the current time."""
        self.intervals += self.tracker.close(self.clock.now_s)
        return self

    def of(self, kind: type[Event]) -> list[Event]:
        """The events of one kind."""
        return [e for e in self.events if isinstance(e, kind)]


def test_one_long_sit_is_one_bout() -> None:
    s = Script().run(600, obs(SIT, 100.0)).finish()
    summ = s.tracker.summary()
    assert summ.bouts == 1
    assert len(s.of(BoutStarted)) == 1
    assert not s.of(BoutEnded)
    # The smoother needs two samples (0.5 s at 2/s) before the first state shows.
    assert summ.sitting_s == pytest.approx(600 - 1.0, abs=0.51)
    assert summ.unknown_s + summ.sitting_s == pytest.approx(summ.duration_s)
    assert summ.current_bout_s == pytest.approx(summ.sitting_s - 0.5, abs=0.51)
    assert summ.longest_bout_s == summ.current_bout_s
    assert summ.in_bout and summ.state == SIT


def test_natural_break_ends_the_bout() -> None:
    s = Script().run(600, obs(SIT, 100.0)).run(180, obs(STAND)).run(300, obs(SIT, 100.0))
    summ = s.tracker.summary()
    assert summ.bouts == 2
    [ended] = s.of(BoutEnded)
    [brk] = s.of(NaturalBreak)
    stand_change = next(
        e for e in s.of(StateChanged) if isinstance(e, StateChanged) and e.new == STAND
    )
    assert isinstance(ended, BoutEnded) and isinstance(brk, NaturalBreak)
    assert brk.state == STAND
    # Stamped when the break reached its 120 s, i.e. 120 s after standing was recognised.
    assert brk.t_s == pytest.approx(stand_change.t_s + 120.0)
    assert ended.t_s == brk.t_s
    assert ended.duration_s == pytest.approx(600.0, abs=2.0)
    assert summ.longest_bout_s == pytest.approx(ended.duration_s)
    assert summ.current_bout_s == pytest.approx(300.0, abs=2.0)


@pytest.mark.parametrize(
    ("name", "pause", "ends_bout"),
    [
        ("short stand", [(60, STAND)], False),
        ("short away", [(100, AWAY)], False),
        ("stand just under", [(118, STAND)], False),
        ("stand then away adds up", [(60, STAND), (70, AWAY)], True),
        ("unknown pauses the break clock", [(60, STAND), (30, UNK), (70, STAND)], True),
        ("sitting resets the break clock", [(60, STAND), (30, SIT), (70, STAND)], False),
        ("long unknown is not a break", [(600, UNK)], False),
    ],
)
def test_which_pauses_end_a_bout(
    name: str, pause: list[tuple[float, State]], ends_bout: bool
) -> None:
    s = Script().run(600, obs(SIT, 100.0))
    for seconds, state in pause:
        s.run(seconds, obs(state, 100.0 if state == SIT else None))
    s.run(300, obs(SIT, 100.0))
    summ = s.tracker.summary()
    assert bool(s.of(BoutEnded)) == ends_bout, name
    assert summ.bouts == (2 if ends_bout else 1), name


def test_short_break_counts_into_the_bout_wall_duration() -> None:
    s = Script().run(600, obs(SIT, 100.0)).run(60, obs(STAND)).run(600, obs(SIT, 100.0))
    summ = s.tracker.summary()
    assert summ.bouts == 1
    # Wall duration includes the minute of standing; sitting seconds do not.
    assert summ.current_bout_s == pytest.approx(1260.0, abs=2.0)
    assert summ.current_bout_sitting_s == pytest.approx(1200.0, abs=2.0)
    assert summ.standing_s == pytest.approx(60.0, abs=1.5)


def test_suspend_gap_counts_as_away_and_is_a_natural_break() -> None:
    s = Script().run(300, obs(SIT, 100.0))
    sitting_before = s.tracker.summary().sitting_s
    s.sleep(1800).run(60, obs(SIT, 100.0)).finish()
    summ = s.tracker.summary()
    [gap] = s.of(Gap)
    assert isinstance(gap, Gap)
    assert gap.duration_s == pytest.approx(1800.5)
    assert summ.gap_s == pytest.approx(1800.5)
    assert summ.away_s >= 1800.0
    # Not a second of the gap became sitting.
    assert summ.sitting_s == pytest.approx(sitting_before + 60.0, abs=1.5)
    assert summ.bouts == 2
    assert len(s.of(NaturalBreak)) == 1 and len(s.of(BoutEnded)) == 1
    gap_intervals = [i for i in s.intervals if i.extra.get("gap")]
    assert len(gap_intervals) == 1
    assert gap_intervals[0].state == AWAY
    assert gap_intervals[0].duration_s == pytest.approx(1800.5)


def test_short_gap_is_away_but_keeps_the_bout() -> None:
    s = Script().run(300, obs(SIT, 100.0)).sleep(30).run(300, obs(SIT, 100.0))
    summ = s.tracker.summary()
    assert len(s.of(Gap)) == 1
    assert summ.away_s == pytest.approx(30.5, abs=1.0)
    assert summ.bouts == 1 and not s.of(BoutEnded)


def test_gap_while_already_away_is_its_own_interval() -> None:
    s = Script().run(10, obs(AWAY)).sleep(60).run(10, obs(AWAY)).finish()
    assert [(i.state, bool(i.extra.get("gap"))) for i in s.intervals] == [
        (UNK, False),
        (AWAY, False),
        (AWAY, True),
        (AWAY, False),
    ]


def test_updates_within_gap_s_are_not_a_gap() -> None:
    tracker = SittingTracker(gap_s=10.0)
    s = Script(tracker=tracker, rate=0.2).run(300, obs(SIT, 100.0))
    assert not s.of(Gap)
    assert tracker.summary().sitting_s > 280


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize(("before", "after"), [(SIT, STAND), (STAND, SIT), (SIT, AWAY)])
def test_reaction_within_2_s(rate: float, before: State, after: State) -> None:
    s = Script(rate=rate).run(30, obs(before)).run(10, obs(after))
    changed = [e for e in s.of(StateChanged) if isinstance(e, StateChanged) and e.new == after]
    assert len(changed) == 1
    # The real change happened at t=30 (just after the last "before" sample).
    assert 0 < changed[0].t_s - (30 - 1 / rate) <= 2.0


@pytest.mark.parametrize("rate", RATES)
def test_single_bad_frames_do_not_flip_the_timeline(rate: float) -> None:
    s = Script(rate=rate).run(5, obs(SIT, 100.0))
    for bad in (obs(STAND), obs(AWAY), None, obs(UNK), obs(STAND)):
        s.run(1 / rate, bad).run(20, obs(SIT, 100.0))
    s.finish()
    assert [i.state for i in s.intervals] == [UNK, SIT]
    assert s.tracker.summary().standing_s == 0


@pytest.mark.parametrize(
    ("angle", "threshold", "flexed"),
    [
        (100.0, 45.0, True),  # flexion 80
        (135.0, 45.0, True),  # flexion exactly at the threshold counts
        (136.0, 45.0, False),
        (150.0, 45.0, False),
        (150.0, 20.0, True),
        (90.0, 90.0, True),
        (None, 45.0, False),  # hips hidden: angle unknown, never flexion
    ],
)
def test_flexion_accounting(angle: float | None, threshold: float, flexed: bool) -> None:
    tracker = SittingTracker(flexion_threshold_deg=threshold)
    s = Script(tracker=tracker).run(120, obs(SIT, angle)).finish()
    summ = tracker.summary()
    expected = summ.sitting_s if flexed else 0.0
    assert summ.flexion_s == pytest.approx(expected)
    assert sum(i.flexion_s for i in s.intervals) == pytest.approx(expected)


def test_flexion_only_counts_the_flexed_part_and_only_while_sitting() -> None:
    s = Script().run(60, obs(SIT, 100.0)).run(60, obs(SIT, 160.0)).run(60, obs(STAND, 100.0))
    summ = s.finish().tracker.summary()
    assert summ.flexion_s == pytest.approx(60.0, abs=1.0)
    assert summ.current_bout_flexion_s == pytest.approx(summ.flexion_s)
    assert summ.mean_hip_angle_sitting_deg == pytest.approx(130.0, abs=0.5)
    stand = [i for i in s.intervals if i.state == STAND]
    assert stand and stand[0].flexion_s == 0 and stand[0].mean_hip_angle_deg == pytest.approx(100.0)


def test_intervals_keep_their_seconds_per_hip_angle_bin() -> None:
    s = Script().run(60, obs(SIT, 100.0)).run(60, obs(SIT, 140.0))
    s = s.run(30, obs(SIT, None, hips=False)).finish()
    sit = [i for i in s.intervals if i.state == SIT]
    assert len(sit) == 1
    # One mean angle (about 120°) would put the whole interval in the 120–135° bin.
    assert sit[0].mean_hip_angle_deg == pytest.approx(120.0, abs=1.0)
    assert angle_seconds(sit[0].extra) == {
        90.0: pytest.approx(60.0, abs=1.5),
        135.0: pytest.approx(60.0, abs=0.1),
    }
    assert angle_seconds({"gap": 1.0}) == {}
    assert scale_angle_seconds({"angle_s:90": 60.0, "gap": 1.0}, 0.25) == {
        "angle_s:90": 15.0,
        "gap": 1.0,
    }


@pytest.mark.parametrize(
    ("angle", "lo"), [(30.0, 60.0), (60.0, 60.0), (89.9, 75.0), (90.0, 90.0), (134.9, 120.0),
                      (135.0, 135.0), (179.0, 165.0), (200.0, 165.0)],
)  # fmt: skip
def test_angle_bins_are_15_degrees_with_edge_bins(angle: float, lo: float) -> None:
    assert angle_bin_lo(angle) == lo


def test_hips_hidden_sitting_counts_sitting_without_angle() -> None:
    s = Script().run(300, obs(SIT, None, hips=False)).finish()
    summ = s.tracker.summary()
    assert summ.sitting_s == pytest.approx(299.0, abs=0.6)
    assert summ.flexion_s == 0
    assert summ.mean_hip_angle_sitting_deg is None
    assert summ.hips_visible_share == 0.0
    sit = [i for i in s.intervals if i.state == SIT]
    assert sit[0].mean_hip_angle_deg is None and sit[0].hips_visible_samples == 0
    assert sit[0].samples > 500


def test_hips_visible_share_counts_sitting_samples() -> None:
    s = Script().run(100, obs(SIT, 100.0)).run(100, obs(SIT, None, hips=False))
    assert s.tracker.summary().hips_visible_share == pytest.approx(0.5, abs=0.01)


def test_none_ticks_become_away_within_2_s() -> None:
    s = Script().run(60, obs(SIT, 100.0)).run(30, None)
    summ = s.tracker.summary()
    assert summ.state == AWAY
    assert summ.away_s == pytest.approx(30.0, abs=2.0)
    assert not s.of(Gap)


def test_intervals_tile_the_timeline_and_match_the_summary() -> None:
    s = Script(rate=5.0)
    s.run(100, obs(SIT, 100.0)).run(50, obs(STAND)).run(40, None).sleep(25)
    s.run(200, obs(SIT, 150.0)).run(30, obs(UNK)).run(5, obs(SIT, 120.0)).finish()
    summ = s.tracker.summary()
    ivs = s.intervals
    for a, b in itertools.pairwise(ivs):
        assert a.end_s == b.start_s
        assert a.end_s > a.start_s
    assert ivs[0].start_s == 0.0 and ivs[-1].end_s == s.clock.now_s
    assert sum(i.duration_s for i in ivs) == pytest.approx(summ.duration_s)
    for state, total in [(SIT, summ.sitting_s), (STAND, summ.standing_s), (AWAY, summ.away_s)]:
        assert sum(i.duration_s for i in ivs if i.state == state) == pytest.approx(total)
    assert sum(i.flexion_s for i in ivs) == pytest.approx(summ.flexion_s)
    assert sum(i.samples for i in ivs) <= summ.samples
    assert summ.sitting_s + summ.standing_s + summ.away_s + summ.unknown_s == pytest.approx(
        summ.duration_s
    )


def test_open_interval_snapshot_and_pop() -> None:
    tracker = SittingTracker()
    assert tracker.open_interval() is None
    s = Script(tracker=tracker).run(20, obs(SIT, 100.0))
    open_iv = tracker.open_interval()
    assert open_iv is not None and open_iv.state == SIT
    assert open_iv.end_s == pytest.approx(19.5)
    assert [i.state for i in s.intervals] == [UNK]
    assert tracker.pop_closed_intervals() == []


def test_close_ends_the_open_interval_and_the_tracker_goes_on() -> None:
    s = Script().run(20, obs(SIT, 100.0))
    closed = s.tracker.close(25.0)
    assert closed[-1].state == SIT and closed[-1].end_s == 25.0
    s.clock.now_s = 25.0
    s.run(10, obs(SIT, 100.0))
    open_iv = s.tracker.open_interval()
    assert open_iv is not None and open_iv.start_s == 25.0 and open_iv.state == SIT
    assert s.tracker.summary().bouts == 1


def test_clock_stepping_back_is_harmless() -> None:
    tracker = SittingTracker()
    tracker.update(obs(SIT), 10.0)
    tracker.update(obs(SIT), 5.0)
    assert tracker.summary().duration_s == 0.0


def test_from_settings() -> None:
    settings = Settings(flexion_threshold_deg=30.0, natural_break_min=5.0, sample_rate_hz=0.2)
    tracker = SittingTracker.from_settings(settings)
    assert tracker.flexion_threshold_deg == 30.0
    assert tracker.natural_break_s == 300.0
    assert tracker.gap_s == 15.0


def test_rejects_nonsense_thresholds() -> None:
    with pytest.raises(ValueError):
        SittingTracker(natural_break_s=0)


def test_system_clock_counts_suspended_time_where_it_can() -> None:
    # The gap rule only sees a suspend if the monotonic clock keeps counting through it; on an
    # unsuspended test machine both clocks agree, so check which one SystemClock reads.
    import sys
    import time

    from hipcheck.core import clock

    if sys.platform.startswith("linux"):
        assert clock._BOOTTIME == time.CLOCK_BOOTTIME
        boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        assert clock.SystemClock().monotonic() == pytest.approx(boot, abs=0.05)
