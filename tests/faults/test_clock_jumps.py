"""The clock jumps (suspend/resume, a manual change) and the day rolls over at midnight while
HipCheck runs: the core with a FakeClock, recording into a real SQLite file.

The pipeline is the live one minus the camera and the model: observations at 2/s go into the
``SittingTracker``; its intervals go through ``RecordingSink`` into a ``Store`` on disk, anchored
on the fake clock's monotonic and wall time exactly as the camera worker anchors them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from hipcheck.core.clock import FakeClock
from hipcheck.core.settings import Settings
from hipcheck.core.tracker import SittingTracker
from hipcheck.core.types import BoutEnded, Event, Gap, Observation, State
from hipcheck.store.db import RecordingSink, Store

RATE_HZ = 2.0
SMOOTHING_SLACK_S = 3.0  # the smoother decides a change within ~2 s; allow one more tick


def sitting(t_s: float) -> Observation:
    """A person sitting with visible hips at 95° (85° of flexion)."""
    return Observation(
        t_s, True, State.SITTING, hips_visible=True, knees_visible=True, hip_angle_deg=95.0,
        confidence=0.9,
    )  # fmt: skip


class Run:
    """Tracker + recording sink + store, driven by a fake clock."""

    def __init__(self, db: Path, clock: FakeClock) -> None:
        self.clock = clock
        self.store = Store.open(db)
        self.tracker = SittingTracker.from_settings(Settings())
        self.sink = RecordingSink(self.store, flush_every_s=5.0)
        self.events: list[Event] = []

    def sit_for(self, seconds: float) -> None:
        """Sample a sitting person at 2/s for ``seconds``."""
        end = self.clock.monotonic() + seconds
        while self.clock.monotonic() < end:
            now = self.clock.monotonic()
            self.events += self.tracker.update(sitting(now), now)
            self.sink.write(self.tracker, now, self.clock.wall())
            self.clock.advance(1.0 / RATE_HZ)

    def resume_after(self, seconds: float) -> None:
        """No samples for ``seconds`` (the machine slept; the monotonic clock counts it)."""
        self.clock.advance(seconds)

    def finish(self) -> None:
        self.sink.finish(self.tracker, self.clock.monotonic(), self.clock.wall())

    def seconds(self, day: date, state: State) -> float:
        return sum(iv.duration_s for iv in self.store.load_day(day).intervals if iv.state == state)


MakeRun = Callable[[datetime], Run]


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[MakeRun]:
    runs: list[Run] = []

    def make(wall_start: datetime) -> Run:
        run = Run(tmp_path / "hipcheck.sqlite3", FakeClock(now_s=1000.0, wall_start=wall_start))
        # FakeClock.wall is wall_start + now_s: start the wall where the test says.
        run.clock.wall_start = wall_start - timedelta(seconds=1000.0)
        runs.append(run)
        return run

    yield make
    for run in runs:
        run.store.close()


def local(*args: int) -> datetime:
    return datetime(*args).astimezone()  # type: ignore[arg-type]


def test_midnight_rollover_splits_the_sitting_between_the_days(make_run: MakeRun) -> None:
    run = make_run(local(2026, 3, 9, 23, 55))
    run.sit_for(600)  # 23:55 -> 00:05, one continuous bout
    run.finish()
    before, after = (
        run.seconds(date(2026, 3, 9), State.SITTING),
        run.seconds(date(2026, 3, 10), State.SITTING),
    )
    assert before == pytest.approx(300, abs=SMOOTHING_SLACK_S)
    assert after == pytest.approx(300, abs=1.0)
    assert not [e for e in run.events if isinstance(e, (Gap, BoutEnded))]  # midnight is no break
    assert run.store.days() == [date(2026, 3, 9), date(2026, 3, 10)]


def test_suspend_counts_as_away_and_ends_the_bout(make_run: MakeRun) -> None:
    run = make_run(local(2026, 3, 9, 10, 0))
    run.sit_for(300)
    run.resume_after(1800)  # lid closed for half an hour
    run.sit_for(300)
    run.finish()
    day = date(2026, 3, 9)
    assert run.seconds(day, State.SITTING) == pytest.approx(600, abs=2 * SMOOTHING_SLACK_S)
    gaps = [e for e in run.events if isinstance(e, Gap)]
    assert len(gaps) == 1 and gaps[0].duration_s == pytest.approx(1800, abs=1.0)
    gap_rows = [iv for iv in run.store.load_day(day).intervals if iv.extra.get("gap")]
    assert len(gap_rows) == 1 and gap_rows[0].state == State.AWAY
    assert gap_rows[0].duration_s == pytest.approx(1800, abs=1.0)
    assert any(isinstance(e, BoutEnded) for e in run.events)  # 30 min away is a natural break


@pytest.mark.parametrize("jump_h", [-1.0, +1.0, -24.0])
def test_manual_wall_clock_change_does_not_stretch_or_shrink_time(
    make_run: MakeRun, jump_h: float
) -> None:
    run = make_run(local(2026, 3, 9, 14, 0))
    run.sit_for(300)
    run.clock.wall_start += timedelta(hours=jump_h)  # the user (or NTP) sets the clock
    run.sit_for(300)
    run.finish()
    rows = [iv for d in run.store.days() for iv in run.store.load_day(d).intervals]
    assert all(iv.duration_s >= 0 for iv in rows)
    sitting_s = sum(iv.duration_s for iv in rows if iv.state == State.SITTING)
    # Durations come from the monotonic clock: still ten minutes of sitting, not 10 min ± 1 h.
    assert sitting_s == pytest.approx(600, abs=SMOOTHING_SLACK_S)
    assert not [e for e in run.events if isinstance(e, Gap)]


def test_clock_jump_while_recording_survives_restart(make_run: MakeRun) -> None:
    """A second run (after the jump and a restart) adds to the same file without clashes."""
    first = make_run(local(2026, 3, 9, 9, 0))
    first.sit_for(120)
    first.finish()
    first.store.close()
    second = make_run(local(2026, 3, 9, 8, 30))  # the clock was set back before the restart
    second.sit_for(120)
    second.finish()
    assert second.seconds(date(2026, 3, 9), State.SITTING) == pytest.approx(
        240, abs=2 * SMOOTHING_SLACK_S
    )
