"""The camera disappears mid-run and comes back: the state shows it, monitoring resumes by itself,
and the timeline shows the gap as away (never as sitting).

The live pipeline on a fake clock: a scripted camera (frames of a real clip of a seated person)
that is unplugged at 60 s and plugged back at 100 s, behind the real ``ReconnectingSource``, feeding
the real ``Engine`` (MediaPipe model, posture rules, tracker) that records into a real SQLite file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hipcheck.core.clock import FakeClock
from hipcheck.core.settings import Settings
from hipcheck.core.types import Gap, State
from hipcheck.errors import UserError
from hipcheck.store.db import RecordingSink, Store
from hipcheck.vision.engine import Engine, SampleRecord
from hipcheck.vision.source import Frame, ReconnectingSource, SourceLost, VideoFileSource

pytestmark = pytest.mark.footage

CLIP = "videos/front_sit_upper_body_01.mp4"
UNPLUG_S, REPLUG_S, END_S = 60.0, 100.0, 200.0
FRAME_PERIOD_S = 1 / 30


class Camera:
    """A camera device on a fake clock that vanishes between ``UNPLUG_S`` and ``REPLUG_S``."""

    def __init__(self, clip: Path, clock: FakeClock) -> None:
        self.clip = clip
        self.clock = clock
        self.opened = 0

    def present(self) -> bool:
        return not UNPLUG_S <= self.clock.monotonic() < REPLUG_S

    def open(self) -> Session:
        """What ``open_camera`` does: fail while unplugged."""
        if not self.present():
            raise UserError("camera 0 is not available")
        self.opened += 1
        return Session(self)


class Session:
    """One opened camera: delivers the clip's frames in real (fake) time until unplugged."""

    is_live = True

    def __init__(self, camera: Camera) -> None:
        self.camera = camera
        self.video = VideoFileSource(camera.clip, loop=True)

    def next_frame(self, min_timestamp_s: float | None = None) -> Frame | None:
        clock = self.camera.clock
        # A camera delivers a frame every period; the reader waits until the one it wants.
        clock.now_s = max(clock.now_s + FRAME_PERIOD_S, min_timestamp_s or 0.0)
        if not self.camera.present():
            raise SourceLost("no frame from camera 0 (device removed)")
        frame = self.video.next_frame()
        assert frame is not None
        return Frame(frame.image, clock.monotonic())

    def release(self) -> None:
        self.video.release()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def test_camera_unplugged_and_back(posture_data: Path, tmp_path: Path) -> None:
    clock = FakeClock(now_s=0.0, wall_start=datetime(2026, 3, 9, 10, 0).astimezone())
    camera = Camera(posture_data / CLIP, clock)
    status: list[tuple[float, bool]] = []
    source = ReconnectingSource(
        camera.open,
        clock=clock,
        sleep=clock.advance,
        on_status=lambda lost: status.append((clock.monotonic(), lost)),
    )
    records: list[SampleRecord] = []
    with Store.open(tmp_path / "hipcheck.sqlite3") as store:
        engine = Engine(
            Settings(),
            recorder=RecordingSink(store),
            wall_at=lambda t_s: clock.wall_start + timedelta(seconds=t_s),
        )
        try:
            engine.run(
                source,
                on_sample=records.append,
                should_stop=lambda: clock.monotonic() >= END_S,
            )
            engine.finish()
        finally:
            engine.close()
            source.release()
        day = store.load_day(clock.wall().date())

    # The state showed it: lost once at the unplug, back once after the replug (back-off <= 30 s).
    assert [lost for _, lost in status] == [True, False]
    (lost_at, _), (back_at, _) = status
    assert UNPLUG_S <= lost_at <= UNPLUG_S + 2.5  # noticed at the next sample (<= 2 s apart)
    assert REPLUG_S <= back_at <= REPLUG_S + 31.0
    assert camera.opened == 2

    # No sample while it was gone; monitoring resumed by itself and found the person again.
    assert not [r for r in records if lost_at < r.timestamp_s < back_at]
    assert records[-1].timestamp_s >= END_S - 3.0
    assert records[-1].state == State.SITTING
    before = [r for r in records if r.timestamp_s < lost_at]
    assert before and before[-1].state == State.SITTING

    # The tracker counted the outage as a gap (away), and the store holds it as such.
    # It spans from the last sample before the loss to the first one after the return.
    last_before = before[-1].timestamp_s
    first_after = min(r.timestamp_s for r in records if r.timestamp_s >= back_at)
    gaps = [e for r in records for e in r.events if isinstance(e, Gap)]
    assert len(gaps) == 1
    assert gaps[0].duration_s == pytest.approx(first_after - last_before, abs=0.01)
    gap_rows = [iv for iv in day.intervals if iv.extra.get("gap")]
    assert len(gap_rows) == 1 and gap_rows[0].state == State.AWAY
    assert gap_rows[0].duration_s == pytest.approx(first_after - last_before, abs=0.01)
    sitting_s = sum(iv.duration_s for iv in day.intervals if iv.state == State.SITTING)
    monitored_s = END_S - (first_after - last_before)
    assert sitting_s < monitored_s  # the gap is never counted as sitting
    assert sitting_s > monitored_s - 15.0  # ... and the rest was (smoothing takes a few seconds)
