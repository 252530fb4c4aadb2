"""The engine: sampling and frame skipping, the per-sample record, the store, the real model."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from hipcheck.core.settings import Settings
from hipcheck.core.types import PoseSample, State
from hipcheck.store.db import RecordingSink, Store
from hipcheck.vision.engine import MAX_PEOPLE, Engine
from hipcheck.vision.pose import MediaPipePoseEstimator
from hipcheck.vision.source import Frame


class ListSource:
    """Frames from memory at a fixed frame rate; records what the engine asked for."""

    is_live = False

    def __init__(self, images: list[np.ndarray], fps: float) -> None:
        self._images = images
        self._fps = fps
        self._index = 0
        self.requests: list[float | None] = []
        self.decoded = 0

    def next_frame(self, min_timestamp_s: float | None = None) -> Frame | None:
        """The next frame at or after ``min_timestamp_s``."""
        self.requests.append(min_timestamp_s)
        while self._index < len(self._images):
            t_s = self._index / self._fps
            image = self._images[self._index]
            self._index += 1
            if min_timestamp_s is None or t_s >= min_timestamp_s:
                self.decoded += 1
                return Frame(image, t_s)
        return None

    def release(self) -> None:
        """Nothing to free."""


class CountingEstimator:
    """Wraps an estimator and counts its calls; ``None`` inner means nobody is ever seen."""

    def __init__(self, inner: object | None = None) -> None:
        self.inner = inner
        self.calls: list[float] = []
        self.closed = False

    def detect(self, image_bgr: np.ndarray, timestamp_s: float) -> tuple[PoseSample, ...]:
        """Count, then delegate."""
        self.calls.append(timestamp_s)
        if self.inner is None:
            return ()
        result: tuple[PoseSample, ...] = self.inner.detect(image_bgr, timestamp_s)  # type: ignore[attr-defined]
        return result

    def close(self) -> None:
        """Close the inner estimator."""
        self.closed = True
        if self.inner is not None:
            self.inner.close()  # type: ignore[attr-defined]


def _blank(n: int) -> list[np.ndarray]:
    """``n`` black 64x48 frames (an empty scene as far as the model is concerned)."""
    image = np.zeros((48, 64, 3), np.uint8)
    return [image] * n


def _letterbox(path: Path) -> np.ndarray:
    """A still scaled into a 640x480 frame like the camera gives."""
    from stills_video import letterbox

    image = cv2.imread(str(path))
    assert image is not None, path
    return letterbox(image, 640, 480)


@pytest.mark.parametrize("rate_hz", [2.0, 5.0, 1.0])
def test_samples_at_the_configured_rate_and_skips_the_frames_between(rate_hz: float) -> None:
    source = ListSource(_blank(25 * 10), fps=25.0)  # 10 s at 25 fps
    estimator = CountingEstimator()
    engine = Engine(Settings(sample_rate_hz=rate_hz), estimator=estimator, adaptive=False)
    records = engine.run(source)
    times = [r.timestamp_s for r in records]
    assert len(times) == round(10 * rate_hz)
    assert estimator.calls == times  # exactly one model call per sample
    assert source.decoded == len(times)  # the frames between samples were skipped
    steps = np.diff(times)
    # On the ideal grid: a step is one period give or take one frame, and it does not drift.
    assert np.all(np.abs(steps - 1 / rate_hz) <= 1 / 25 + 1e-9)
    assert abs(times[-1] - (len(times) - 1) / rate_hz) <= 1 / 25 + 1e-9
    engine.close()
    assert estimator.closed


class BrokenSource(ListSource):
    """Fails like a corrupt file after ``fail_after`` frames."""

    def __init__(self, images: list[np.ndarray], fps: float, fail_after: int) -> None:
        super().__init__(images, fps)
        self.fail_after = fail_after

    def next_frame(self, min_timestamp_s: float | None = None) -> Frame | None:
        """Frames, then an error."""
        if self.decoded >= self.fail_after:
            raise OSError("disk read error")
        return super().next_frame(min_timestamp_s)


def test_a_failing_file_raises_in_the_caller_and_stopping_early_leaves_no_reader() -> None:
    engine = Engine(Settings(), estimator=CountingEstimator(), adaptive=False)
    with pytest.raises(OSError, match="disk read error"):
        engine.run(BrokenSource(_blank(250), fps=25.0, fail_after=4))
    source = ListSource(_blank(25 * 60), fps=25.0)
    seen: list[object] = []
    records = engine.run(source, on_sample=seen.append, should_stop=lambda: len(seen) >= 3)
    # The reader thread reads at most its queue (2) and one frame in hand ahead.
    assert len(records) == 3 and source.decoded <= len(records) + 3
    assert not [t for t in threading.enumerate() if t.name == "hipcheck-read-ahead"]


def test_adaptive_sampling_slows_down_while_the_state_is_steady() -> None:
    source = ListSource(_blank(25 * 90), fps=25.0)  # 90 s of an empty room
    engine = Engine(Settings(adaptive_sampling=True), estimator=CountingEstimator())
    times = [r.timestamp_s for r in engine.run(source)]
    early = [t for t in times if t < 30]
    late = [t for t in times if t >= 40]
    assert len(early) >= 55  # 2/s while the state is new
    assert np.all(np.diff(late) >= 1.9)  # slower once it has been steady for 30 s


def test_changed_settings_apply_from_the_next_sample() -> None:
    source = ListSource(_blank(25 * 20), fps=25.0)
    engine = Engine(Settings(sample_rate_hz=1.0), estimator=CountingEstimator(), adaptive=False)
    times: list[float] = []
    for frame in iter(lambda: source.next_frame(engine.next_sample_s), None):
        times.append(engine.process(frame).timestamp_s)
        if len(times) == 5:
            engine.apply_settings(Settings(sample_rate_hz=5.0, natural_break_min=0.5))
    slow, fast = np.diff(times[:5]), np.diff(times[5:])
    assert np.allclose(slow, 1.0) and np.all(np.abs(fast - 0.2) <= 0.04 + 1e-9)
    assert engine.tracker.natural_break_s == 30.0
    assert engine.settings.sample_rate_hz == 5.0


def test_record_carries_sample_observation_smoothed_state_and_summary() -> None:
    source = ListSource(_blank(25 * 6), fps=25.0)
    engine = Engine(Settings(), estimator=CountingEstimator(), adaptive=False)
    records = engine.run(source)
    first, last = records[0], records[-1]
    assert first.sample is None and first.raw_state == State.AWAY
    assert first.state == State.UNKNOWN  # nothing smoothed yet
    assert last.state == State.AWAY and last.summary.state == State.AWAY
    assert last.image_size == (64, 48)
    changes = [e for r in records for e in r.events if type(e).__name__ == "StateChanged"]
    assert len(changes) == 1 and changes[0].t_s <= 2.0  # smoothing delay at 2/s
    assert last.summary.samples == len(records)
    assert last.summary.duration_s == pytest.approx(last.timestamp_s)
    assert last.summary.away_s + last.summary.unknown_s == pytest.approx(last.timestamp_s)


def test_intervals_reach_the_store_on_the_mapped_wall_clock(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.sqlite3")
    start = datetime(2026, 3, 2, 10, 0).astimezone()
    engine = Engine(
        Settings(),
        estimator=CountingEstimator(),
        recorder=RecordingSink(store),
        wall_at=lambda t_s: start + timedelta(seconds=t_s),
        adaptive=False,
    )
    records = engine.run(ListSource(_blank(25 * 20), fps=25.0))
    intervals = engine.finish()
    engine.close()
    day = store.load_day(date(2026, 3, 2))
    store.close()
    assert [iv.state for iv in day.intervals] == [State.UNKNOWN, State.AWAY]
    assert sum(iv.duration_s for iv in day.intervals) == pytest.approx(records[-1].timestamp_s)
    assert day.intervals[0].start == start
    assert intervals and intervals[-1].end_s == records[-1].timestamp_s


@pytest.mark.footage
def test_real_model_sees_sitting_then_an_empty_room_then_standing(posture_data: Path) -> None:
    images = posture_data / "images"
    # The empty room is long enough for the user to count as gone: the standing person is another
    # photograph, so another person, learned afresh once they have settled in view.
    scenes = [
        (_letterbox(images / "side_sit_upright_01.jpg"), 5, State.SITTING),
        (_letterbox(images / "empty_home_office_desk_01.png"), 20, State.AWAY),
        (_letterbox(images / "standing_mpii_01.jpg"), 5, State.STANDING),
    ]
    fps = 10.0
    frames = [image for image, seconds, _ in scenes for _ in range(int(fps * seconds))]
    counter = CountingEstimator(MediaPipePoseEstimator(num_poses=MAX_PEOPLE))
    engine = Engine(Settings(), estimator=counter, adaptive=False)
    records = engine.run(ListSource(frames, fps))
    engine.close()
    assert len(records) == 2 * sum(seconds for _, seconds, _ in scenes)
    start = 0.0
    for _, seconds, expected in scenes:
        # Raw per-sample states within the segment, and the smoothed state after its delay; a
        # person in view is taken for the user once settled (1 s): until then, there but unknown.
        segment = [r for r in records if start <= r.timestamp_s < start + seconds]
        arriving = [r.raw_state for r in segment if r.timestamp_s < start + 1.0]
        assert set(arriving) <= {expected, State.UNKNOWN}, (expected, arriving)
        raw = [r.raw_state for r in segment if r.timestamp_s >= start + 1.0]
        assert raw.count(expected) >= len(raw) - 1, (expected, raw)
        settled = [r.state for r in segment if r.timestamp_s >= start + 2.0]
        assert set(settled) == {expected}, (expected, settled)
        start += seconds
    # A given estimator scans the whole frame once per sample, whoever is in view.
    assert counter.calls == [r.timestamp_s for r in records]
    sitting = [r for r in records if r.raw_state == State.SITTING]
    assert all(r.sample is not None and r.observation.hips_visible for r in sitting)
    assert all(r.observation.hip_angle_deg is not None for r in sitting)
