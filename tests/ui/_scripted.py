"""Shared test doubles for the tray app tests: a scripted frame source and made-up poses."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import numpy as np

from hipcheck.core import types as t
from hipcheck.core.types import Landmark, PoseSample
from hipcheck.vision.source import Frame, SourceLost

SIZE = (640, 480)


def side_sitting_sample(hip_angle_deg: float = 95.0, t_s: float = 0.0) -> PoseSample:
    """A body seen from its left side, sitting with the given shoulder–hip–knee angle."""
    w, h = SIZE
    hip = (300.0, 300.0)
    up = math.radians(-90 + 10)  # trunk leaning 10° forward
    shoulder = (hip[0] + 160 * math.cos(up), hip[1] + 160 * math.sin(up))
    thigh = up + math.radians(hip_angle_deg)
    knee = (hip[0] + 140 * math.cos(thigh), hip[1] + 140 * math.sin(thigh))
    ankle = (knee[0], knee[1] + 130)
    pts = {
        t.NOSE: (shoulder[0] + 25, shoulder[1] - 55),
        t.LEFT_EAR: (shoulder[0] + 5, shoulder[1] - 55),
        t.LEFT_SHOULDER: shoulder,
        t.RIGHT_SHOULDER: (shoulder[0] + 8, shoulder[1]),
        t.LEFT_HIP: hip,
        t.RIGHT_HIP: (hip[0] + 8, hip[1]),
        t.LEFT_KNEE: knee,
        t.RIGHT_KNEE: (knee[0] + 8, knee[1]),
        t.LEFT_ANKLE: ankle,
        t.RIGHT_ANKLE: (ankle[0] + 8, ankle[1]),
    }
    seen = {t.NOSE, t.LEFT_EAR, t.LEFT_SHOULDER, t.LEFT_HIP, t.LEFT_KNEE, t.LEFT_ANKLE}
    marks = []
    for i in range(t.NUM_LANDMARKS):
        x, y = pts.get(i, (shoulder[0], shoulder[1] - 40))
        marks.append(Landmark(x / w, y / h, 0.0, 0.99 if i in seen else 0.1))
    return PoseSample(timestamp_s=t_s, image=tuple(marks), world=None, image_size=SIZE)


class ScriptedSource:
    """A frame source of grey pictures that records release() and can fail on demand."""

    def __init__(self, log: list[str], *, live: bool = True, fail_reads: int = 0) -> None:
        self.log = log
        self.is_live = live
        self.fail_reads = fail_reads
        self.released = False
        self.reads = 0
        self.log.append("open")

    def next_frame(self, min_timestamp_s: float | None = None) -> Frame | None:
        """A grey frame; raises SourceLost while ``fail_reads`` lasts."""
        if self.released:
            return None
        if self.fail_reads > 0:
            self.fail_reads -= 1
            raise SourceLost("scripted camera unplugged")
        self.reads += 1
        image = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
        return Frame(image, float(min_timestamp_s or 0.0))

    def release(self) -> None:
        """Record the release (the camera light going off)."""
        self.released = True
        self.log.append("release")

    def __enter__(self) -> ScriptedSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Opener:
    """Opens ScriptedSources; the first ``failures`` opens raise like a missing camera."""

    def __init__(self, *, failures: int = 0, live: bool = True) -> None:
        self.log: list[str] = []
        self.failures = failures
        self.live = live
        self.sources: list[ScriptedSource] = []
        self.lock = threading.Lock()

    def __call__(self) -> ScriptedSource:
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                self.log.append("open-failed")
                raise SourceLost("no camera at index 0")
            source = ScriptedSource(self.log, live=self.live)
            self.sources.append(source)
            return source

    def count(self, what: str) -> int:
        """How often ``what`` happened."""
        with self.lock:
            return self.log.count(what)


def engine_factory(
    settings_rate_hz: float = 10.0, hip_angle_deg: float = 95.0
) -> Callable[[], object]:
    """A real Engine with a scripted pose estimator (no model) sitting at ``hip_angle_deg``."""
    from hipcheck.core.settings import Settings
    from hipcheck.vision.engine import Engine
    from hipcheck.vision.pose import ScriptedPoseEstimator

    def make() -> Engine:
        settings = Settings(sample_rate_hz=settings_rate_hz, adaptive_sampling=False)
        estimator = ScriptedPoseEstimator([side_sitting_sample(hip_angle_deg)])
        return Engine(settings, estimator=estimator)

    return make


def any_time_settings() -> object:
    """Settings whose working hours are always (tests run at any hour, any day)."""
    from hipcheck.core.settings import WEEKDAYS, Settings

    return Settings(work_start_h=0.0, work_end_h=0.0, work_days=WEEKDAYS)


def light_windows(clock: object) -> object:
    """The controller's windows for tests: a real live view and break window, nothing else."""
    from hipcheck.ui.break_window import BreakWindow
    from hipcheck.ui.controller import Windows
    from hipcheck.ui.live_view import LiveView

    return Windows(
        live_view=LiveView,
        report=None,
        settings=None,
        break_window=lambda choice, **kw: BreakWindow(choice, clock=clock, **kw),
    )
