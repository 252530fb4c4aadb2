"""The monitoring pipeline: frame -> pose -> observation -> smoothed state -> events -> store.

Qt-free on purpose: the tray app runs an ``Engine`` inside its camera worker QThread and the
``analyze`` command runs it on a file; both see the same ``SampleRecord`` per processed sample.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import numpy as np

from hipcheck.core.calibration import Calibration, at_the_desk, calibration_fits
from hipcheck.core.clock import SystemClock
from hipcheck.core.people import UserChoice, Why
from hipcheck.core.posture import observe
from hipcheck.core.sampling import AdaptiveRate
from hipcheck.core.settings import Settings
from hipcheck.core.tracker import SittingTracker, TrackerSummary
from hipcheck.core.types import (
    BoutEnded,
    BoutStarted,
    Event,
    Gap,
    Interval,
    NaturalBreak,
    Observation,
    PoseSample,
    State,
)
from hipcheck.store.db import RecordingSink
from hipcheck.vision.people import PeopleSearch
from hipcheck.vision.pose import PoseEstimator
from hipcheck.vision.source import Frame, FrameSource


@dataclass(frozen=True, slots=True)
class SampleRecord:
    """One processed sample: everything the live view and the analyse timeline need."""

    timestamp_s: float
    image_size: tuple[int, int]
    sample: PoseSample | None
    observation: Observation
    state: State
    events: tuple[Event, ...]
    closed_intervals: tuple[Interval, ...]
    summary: TrackerSummary
    calibration_note: str | None = None  # why the saved calibration is not used, if it is not
    people: tuple[PoseSample, ...] = ()  # everyone found in the frame, the user among them
    choice: UserChoice | None = None  # who the user is in this frame, and why

    @property
    def raw_state(self) -> State:
        """The per-sample state, before smoothing."""
        return self.observation.state


def make_search() -> PeopleSearch:
    """The production people search: one landmarker scanning for up to ``MAX_PEOPLE`` people and
    one following the user on a crop, each created once per run."""
    from hipcheck.vision.pose import MediaPipePoseEstimator

    scan = MediaPipePoseEstimator(num_poses=MAX_PEOPLE)
    try:
        focus = MediaPipePoseEstimator(num_poses=1)
    except BaseException:
        scan.close()
        raise
    return PeopleSearch(scan, focus)


# People looked for per frame: the user, a passer-by and a bystander.
MAX_PEOPLE = 3


log = logging.getLogger(__name__)

# Tracker events worth keeping in the history (state changes are already the intervals).
_STORED_EVENTS: tuple[type[Event], ...] = (BoutStarted, BoutEnded, NaturalBreak, Gap)


def event_kind(event: Event) -> str:
    """The snake_case name of an event's type (``BoutStarted`` -> ``bout_started``)."""
    name = type(event).__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def event_detail(event: Event) -> dict[str, object]:
    """The JSON-able fields of an event besides its time."""
    detail: dict[str, object] = {}
    for f in fields(event):
        if f.name != "t_s":
            value = getattr(event, f.name)
            detail[f.name] = value.value if isinstance(value, State) else value
    return detail


class _Popped:
    """The tracker as the recording sink sees it, with the intervals the engine already popped."""

    def __init__(self, tracker: SittingTracker, closed: tuple[Interval, ...]) -> None:
        self._tracker = tracker
        self._closed = list(closed)

    def pop_closed_intervals(self) -> list[Interval]:
        """The intervals this sample closed."""
        closed, self._closed = self._closed, []
        return closed

    def open_interval(self) -> Interval | None:
        """The tracker's open interval."""
        return self._tracker.open_interval()

    def close(self, now_s: float) -> list[Interval]:
        """Close the tracker."""
        return self._closed + self._tracker.close(now_s)


def next_due_s(next_s: float | None, t_s: float, interval_s: float) -> float:
    """When the sample after one taken at ``t_s`` is due, given it was due at ``next_s``.

    On the ideal grid, not ``t_s + interval_s``, so the rate does not drift down by up to a frame
    period per sample; but never in the past after a stall, and never more than one period ahead
    when a caller processes frames that were not due.
    """
    due_s = t_s + interval_s if next_s is None else next_s + interval_s
    return due_s if t_s < due_s <= t_s + interval_s else t_s + interval_s


class _ReadAhead:
    """Reads the frames due at a fixed rate on a thread of its own, a bounded queue ahead."""

    def __init__(self, source: FrameSource, next_s: float | None, interval_s: float) -> None:
        self._source = source
        self._next_s = next_s
        self._interval_s = interval_s
        # Two frames: enough to keep the model busy, little memory (a 720p frame is 2.7 MB).
        self._queue: queue.Queue[Frame | BaseException | None] = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="hipcheck-read-ahead", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        """The thread: read due frames until the source ends, fails or we are stopped."""
        try:
            while not self._stop.is_set():
                frame = self._source.next_frame(self._next_s)
                self._put(frame)
                if frame is None:
                    return
                self._next_s = next_due_s(self._next_s, frame.timestamp_s, self._interval_s)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(exc)

    def _put(self, item: Frame | BaseException | None) -> None:
        """Queue ``item``, giving up when stopped (so a consumer that left never hangs us)."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def next_frame(self) -> Frame | None:
        """The next due frame, None at the end; re-raises what the reader thread raised."""
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self) -> None:
        """Stop reading and wait for the thread (at most one frame's decoding)."""
        self._stop.set()
        self._thread.join()


class Engine:
    """Runs the people search and one sitting tracker over frames at the configured sample rate.

    ``recorder`` (optional) stores intervals and bout events as they happen; ``wall_at`` maps a
    sample's timestamp to the wall-clock time it is filed under (live: the current time; a file:
    the analysis start plus the video time). ``calibration`` (optional) is asked once per sample
    for the user's current calibration, so a new one applies from the next sample.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        estimator: PoseEstimator | None = None,
        tracker: SittingTracker | None = None,
        recorder: RecordingSink | None = None,
        wall_at: Callable[[float], datetime] | None = None,
        adaptive: bool | None = None,
        calibration: Callable[[], Calibration | None] | None = None,
        still: bool = False,
    ) -> None:
        self.settings = settings if settings is not None else Settings()
        # analyze wants one sample per period for a regular timeline, whatever the setting.
        self._adaptive = adaptive
        self._rate = self._make_rate(self.settings)
        # A given estimator (tests, benchmarks) scans every frame; the production search also
        # follows the user on a crop between scans.
        self._search = PeopleSearch(estimator) if estimator is not None else make_search()
        self._still = still  # a single picture: the user is chosen without time to settle
        self._calibration_in_doubt = False
        self._point: tuple[float, float] | None = None
        self._point_lock = threading.Lock()  # point_at comes from the GUI thread
        self._doubted: Calibration | None = None  # the calibration found not to fit
        self._tracker = (
            tracker if tracker is not None else SittingTracker.from_settings(self.settings)
        )
        self._recorder = recorder
        self._wall_at = wall_at if wall_at is not None else _system_wall
        self._calibration = calibration
        self._calibration_ignored: str | None = None
        self._next_sample_s: float | None = None
        self._last_s: float | None = None
        self.samples = 0

    def _make_rate(self, settings: Settings) -> AdaptiveRate:
        """The sampling policy for ``settings`` (adaptive unless the caller said otherwise)."""
        rate = AdaptiveRate.from_settings(settings)
        if self._adaptive is not None:
            rate.enabled = self._adaptive
        return rate

    def apply_settings(self, settings: Settings) -> None:
        """Take changed settings at once, keeping the loaded model and the timeline so far."""
        self.settings = settings
        self._rate = self._make_rate(settings)
        fresh = SittingTracker.from_settings(settings)
        self._tracker.flexion_threshold_deg = fresh.flexion_threshold_deg
        self._tracker.natural_break_s = fresh.natural_break_s
        self._tracker.gap_s = fresh.gap_s
        if self._next_sample_s is not None and self._last_s is not None:
            # A faster rate applies from the next sample, not after the old, longer wait.
            self._next_sample_s = min(
                self._next_sample_s, self._last_s + self._rate.interval_s(self._last_s)
            )

    @property
    def tracker(self) -> SittingTracker:
        """The sitting tracker this engine feeds."""
        return self._tracker

    @property
    def next_sample_s(self) -> float | None:
        """The earliest timestamp worth processing next (None before the first sample)."""
        return self._next_sample_s

    def due(self, timestamp_s: float) -> bool:
        """Whether a frame at ``timestamp_s`` should be processed at the current sample rate."""
        return self._next_sample_s is None or timestamp_s >= self._next_sample_s

    def point_at(self, x: float, y: float) -> None:
        """ "That's me": from the next sample the user is the settled person at (x, y), given as
        fractions of the frame width and height (may be called from another thread)."""
        with self._point_lock:
            self._point = (x, y)

    def _find_user(
        self, image: np.ndarray, t_s: float, size: tuple[int, int]
    ) -> tuple[tuple[PoseSample, ...], UserChoice]:
        """Everyone in the frame and who the user is, using the calibrated desk when it fits."""
        with self._point_lock:
            point, self._point = self._point, None
        if point is not None:
            self._search.point_at(*point)
        cal = self._calibration() if self._calibration is not None else None
        fits = cal is not None and calibration_fits(cal, size)
        at_desk = (lambda s: at_the_desk(s, cal)) if fits and cal is not None else None
        people, choice = self._search.find(image, t_s, at_desk=at_desk, still=self._still)
        if cal is not self._doubted:
            self._calibration_in_doubt = False  # a new (or removed) calibration: trust it again
            self._doubted = None
        if at_desk is not None and choice.sample is not None and choice.why is not Why.FOLLOWING:
            # A user learned away from the calibrated desk: the camera or the chair has moved.
            self._calibration_in_doubt = not at_desk(choice.sample)
            self._doubted = cal if self._calibration_in_doubt else None
        return people, choice

    def process(self, frame: Frame) -> SampleRecord:
        """Run the model, the posture rules and the tracker on one frame; store what closed."""
        t_s = frame.timestamp_s
        height, width = frame.image.shape[:2]
        size = (int(width), int(height))
        people, choice = self._find_user(frame.image, t_s, size)
        sample = choice.sample
        if sample is None and choice.present:
            # Someone covers the user, or someone is arriving: there, posture unknown.
            observation = Observation(t_s, person_present=True, state=State.UNKNOWN)
        else:
            observation = observe(
                sample,
                standing_desk=self.settings.standing_desk,
                calibration=self._usable_calibration(size),
            )
        events = tuple(self._tracker.update(observation, t_s))
        closed = tuple(self._tracker.pop_closed_intervals())
        if self._recorder is not None:
            self._record(t_s, events, closed)
        summary = self._tracker.summary()
        # Slow while the smoothed state holds; a raw state that differs is looked at again soon.
        interval_s = self._rate.update(
            summary.state, t_s, unsettled=observation.state != summary.state
        )
        self._next_sample_s = next_due_s(self._next_sample_s, t_s, interval_s)
        self._last_s = t_s
        self.samples += 1
        return SampleRecord(
            timestamp_s=t_s,
            image_size=(int(width), int(height)),
            sample=sample,
            observation=observation,
            state=summary.state,
            events=events,
            closed_intervals=closed,
            summary=summary,
            calibration_note=self._calibration_ignored,
            people=people,
            choice=choice,
        )

    def _usable_calibration(self, image_size: tuple[int, int]) -> Calibration | None:
        """The user's calibration if it describes this picture: same shape, and the follower
        has not found the user somewhere else than the calibrated seat."""
        cal = self._calibration() if self._calibration is not None else None
        why = None
        if cal is not None and not calibration_fits(cal, image_size):
            w, h = image_size
            why = (
                f"it was made with a picture of another shape ({cal.frame_aspect:.2f}:1, "
                f"this one is {w}×{h}); calibrate again"
            )
        elif cal is not None and self._calibration_in_doubt:
            why = "you are no longer where it was made (camera or chair moved?); calibrate again"
        if why != self._calibration_ignored:
            self._calibration_ignored = why
            if why is not None:
                log.warning("calibration not used: %s", why)
        return cal if why is None else None

    def _record(self, t_s: float, events: tuple[Event, ...], closed: tuple[Interval, ...]) -> None:
        """Hand this sample's closed intervals (and the open one, when due) and events to the store."""
        assert self._recorder is not None
        wall = self._wall_at(t_s)
        self._recorder.write(_Popped(self._tracker, closed), t_s, wall)
        for event in events:
            if isinstance(event, _STORED_EVENTS):
                at = wall - timedelta(seconds=t_s - event.t_s)
                self._recorder.record_event(at, event_kind(event), event_detail(event))

    def run(
        self,
        source: FrameSource,
        *,
        on_sample: Callable[[SampleRecord], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[SampleRecord]:
        """Process ``source`` until it ends (or ``should_stop``), skipping frames between samples.

        A file at a fixed rate is read ahead on a second thread (at most two frames), so decoding
        the next sample's frame overlaps the model's work on this one; all tracking stays here.
        """
        records: list[SampleRecord] = []
        reader: _ReadAhead | None = None
        if not source.is_live and not self._rate.enabled:
            reader = _ReadAhead(source, self._next_sample_s, self._rate.normal_interval_s)
        try:
            while should_stop is None or not should_stop():
                frame = reader.next_frame() if reader else source.next_frame(self._next_sample_s)
                if frame is None:
                    break
                record = self.process(frame)
                records.append(record)
                if on_sample is not None:
                    on_sample(record)
        finally:
            if reader is not None:
                reader.stop()
        return records

    def finish(self, now_s: float | None = None) -> list[Interval]:
        """End the timeline at ``now_s`` (default: the last sample); store and return what it held."""
        end_s = now_s if now_s is not None else self._last_s
        if end_s is None:
            return []
        if self._recorder is not None:
            remaining = self._tracker.close(end_s)
            self._recorder.write(
                _Popped(self._tracker, tuple(remaining)), end_s, self._wall_at(end_s)
            )
            return remaining
        return self._tracker.close(end_s)

    def close(self) -> None:
        """Free the models (call once, after ``finish``)."""
        self._search.close()


def _system_wall(_t_s: float) -> datetime:
    """The current local wall-clock time (live monitoring files samples under now)."""
    return SystemClock().wall()
