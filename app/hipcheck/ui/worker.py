"""The camera worker: one QObject on one QThread that reads frames and runs the engine.

It owns the frame source and the ``Engine`` and nothing else; every result leaves as a signal
carrying the engine's ``SampleRecord``, and all app state changes happen in the GUI thread's slots.
The GUI controls it through thread-safe flags (pause, resume, stop, new settings, frames wanted)
and one wake-up event that every wait in the read loop listens to, so stopping never waits for
more than one frame read, whatever a slot does.

Files are paced to real time and every frame is stamped with the worker's own monotonic clock
(plus the seconds the machine slept, which the monotonic clock does not count), so a looped clip
behaves like a camera and a pause, a lock or a suspend is a gap the tracker counts as away.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QImage

from hipcheck.core.clock import Clock
from hipcheck.core.settings import Settings
from hipcheck.errors import UserError
from hipcheck.ui.signals import emit
from hipcheck.vision.source import Frame, FrameSource, SourceLost, ended_text

if TYPE_CHECKING:
    from hipcheck.vision.engine import SampleRecord

log = logging.getLogger(__name__)

# Retry delays for a source that fails to open or read (a live source has its own back-off).
# Capped at 10 s: a camera plugged back in (or freed by a video call) is measured again soon.
BACKOFF_S = (1.0, 2.0, 5.0, 10.0)
# While the live view is open, frames are shown at this rate (the engine keeps its sample rate).
DISPLAY_INTERVAL_S = 0.1


class EngineLike(Protocol):
    """What the worker needs of ``vision.engine.Engine``."""

    @property
    def next_sample_s(self) -> float | None:
        """When the next sample is due."""
        ...

    def process(self, frame: Frame) -> SampleRecord:
        """Run one frame through the pipeline."""
        ...

    def apply_settings(self, settings: Settings) -> None:
        """Take new settings."""
        ...

    def finish(self, now_s: float | None = None) -> list[Any]:
        """Close the timeline."""
        ...

    def point_at(self, x: float, y: float) -> None:
        """ "That's me" at (x, y), fractions of the picture."""
        ...

    def close(self) -> None:
        """Free the model."""
        ...


class WorkerState(str, enum.Enum):
    """What the worker is doing."""

    STARTING = "starting"
    RUNNING = "running"
    PAUSED = "paused"
    CAMERA_PROBLEM = "camera_problem"
    ENDED = "ended"  # a video file without --loop reached its end
    STOPPED = "stopped"


@dataclass(frozen=True)
class WorkerStatus:
    """A change of the worker's state, with a message for the user."""

    state: WorkerState
    message: str = ""


def frame_to_qimage(image: np.ndarray) -> QImage:
    """A QImage copy of a BGR (or grey) frame, owning its pixels.

    The pixels are copied into a QImage Qt allocated, rather than handing Qt a Python buffer:
    a QImage built on a Python buffer crashed PySide6 6.12 at interpreter exit (a refcount error).
    """
    if image.ndim == 2:
        h, w = image.shape
        qimage = QImage(w, h, QImage.Format.Format_Grayscale8)
        channels = 1
    else:
        h, w = image.shape[:2]
        qimage = QImage(w, h, QImage.Format.Format_BGR888)
        channels = 3
        image = image[:, :, :3]
    rows = np.frombuffer(qimage.bits(), dtype=np.uint8).reshape(h, qimage.bytesPerLine())
    rows[:, : w * channels] = image.reshape(h, w * channels)
    return qimage


class CameraWorker(QObject):
    """Reads the source and runs the engine at its sample rate; lives on its own QThread."""

    record_ready = Signal(object)  # SampleRecord
    frame_available = Signal()  # call take_frame(); emitted only while frames are wanted
    status_changed = Signal(object)  # WorkerStatus
    finished = Signal()

    def __init__(
        self,
        *,
        open_source: Callable[[], FrameSource],
        make_engine: Callable[[], EngineLike],
        clock: Clock,
        first_source: FrameSource | None = None,
        backoff_s: tuple[float, ...] = BACKOFF_S,
    ) -> None:
        super().__init__()
        self._open_source = open_source
        self._make_engine = make_engine
        self._clock = clock
        self._source: FrameSource | None = first_source
        self._backoff_s = backoff_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._paused = False
        self._ended = False
        self._want_frames = False
        self._pending_settings: Settings | None = None
        self._slept_s = 0.0
        self._latest: QImage | None = None
        self._frame_signalled = False
        self._state = WorkerState.STARTING
        self.engine: EngineLike | None = None
        self.samples = 0
        self.opens = 0 if first_source is None else 1

    # ---- control, from the GUI thread (thread-safe) ---------------------------------------------

    def pause(self) -> None:
        """Stop reading and release the source (the camera light goes off)."""
        with self._lock:
            self._paused = True
        self._interrupt_source()
        self._wake.set()

    def resume(self) -> None:
        """Reopen the source and go on."""
        with self._lock:
            self._paused = False
            self._ended = False
        self._wake.set()

    def stop(self) -> None:
        """End the read loop; ``finished`` follows once the source and model are freed."""
        self._stop.set()
        self._interrupt_source()
        self._wake.set()

    def apply_settings(self, settings: Settings) -> None:
        """Hand new settings to the engine before its next sample."""
        with self._lock:
            self._pending_settings = settings
        self._wake.set()

    def point_at(self, x: float, y: float) -> None:
        """ "That's me" at (x, y), fractions of the picture: the engine takes it at its next
        sample (the engine only keeps the point; safe from the GUI thread)."""
        engine = self.engine
        if engine is not None:
            engine.point_at(x, y)

    def set_frames_wanted(self, wanted: bool) -> None:
        """Send frames (for the live view) or not; without a viewer no frame leaves the worker."""
        with self._lock:
            self._want_frames = wanted
            if not wanted:
                self._latest = None
        self._wake.set()

    def add_slept(self, seconds: float) -> None:
        """The machine slept this long: move the worker's clock on so the tracker sees the gap."""
        with self._lock:
            self._slept_s += max(0.0, seconds)

    def camera_lost(self, lost: bool, reason: str = "") -> None:
        """A reconnecting live source reports the camera gone or back (called on this thread)."""
        if lost:
            self._set_state(WorkerState.CAMERA_PROBLEM, reason or "The camera is not available")
        else:
            self._set_state(WorkerState.RUNNING)

    def take_frame(self) -> QImage | None:
        """The newest frame (only the latest is kept), or None."""
        with self._lock:
            image, self._latest = self._latest, None
            self._frame_signalled = False
        return image

    @property
    def stopping(self) -> bool:
        """True once stop() was called."""
        return self._stop.is_set()

    def now_s(self) -> float:
        """The worker's timeline: monotonic seconds plus the seconds slept."""
        with self._lock:
            slept = self._slept_s
        return self._clock.monotonic() + slept

    # ---- the read loop, on the worker thread -------------------------------------------------

    @Slot()
    def run(self) -> None:
        """The read loop; returns when stop() is called."""
        try:
            self._run()
        except Exception as exc:  # never leave the thread without saying so
            log.exception("camera worker failed")
            # The message's start is what tells this apart from a camera problem (camera_check).
            self._set_state(WorkerState.CAMERA_PROBLEM, f"Monitoring stopped: {exc}")
        finally:
            self._release()
            engine, self.engine = self.engine, None
            if engine is not None:
                with contextlib.suppress(Exception):
                    engine.finish(self.now_s())
                with contextlib.suppress(Exception):
                    engine.close()
            self._set_state(WorkerState.STOPPED)
            self._safe_emit(self.finished)

    def _run(self) -> None:
        self._set_state(WorkerState.STARTING, "Loading the pose model…")
        self.engine = self._make_engine()
        engine = self.engine
        failures = 0
        retry_at_s = 0.0
        opened_at_s = self.now_s()
        next_display_s = 0.0
        while not self._stop.is_set():
            with self._lock:
                paused, want_frames, ended = self._paused, self._want_frames, self._ended
                pending, self._pending_settings = self._pending_settings, None
            if pending is not None:
                engine.apply_settings(pending)
            if paused or ended:
                if self._source is not None:
                    self._release()
                if paused:
                    self._set_state(WorkerState.PAUSED)
                self._wait(None)
                continue
            if self._source is None:
                now = self.now_s()
                if now < retry_at_s:
                    self._wait(retry_at_s - now)
                    continue
                try:
                    self._source = self._open_source()
                    self.opens += 1
                except (UserError, SourceLost, OSError) as exc:
                    retry_at_s = self._retry_later(exc, failures)
                    failures += 1
                    continue
                opened_at_s = self.now_s()
            now = self.now_s()
            due = engine.next_sample_s
            sample_due = due is None or now >= due
            display_due = want_frames and now >= next_display_s
            if not sample_due and not display_due:
                wake_at = due if due is not None else now
                if want_frames:
                    wake_at = min(wake_at, next_display_s)
                self._wait(max(0.0, wake_at - now))
                continue
            source = self._source
            try:
                # A file is read in video time: ask for the frame that belongs to "now".
                raw = source.next_frame(None if source.is_live else now - opened_at_s)
            except (SourceLost, OSError) as exc:
                self._release()
                retry_at_s = self._retry_later(exc, failures)
                failures += 1
                continue
            if raw is None:
                if self._stop.is_set() or self._is_paused():
                    continue  # interrupted on purpose
                if source.is_live:
                    self._release()
                    continue
                self._release()
                self._set_state(WorkerState.ENDED, ended_text(source))
                with self._lock:
                    self._ended = True  # nothing more to read until the user resumes
                continue
            failures = 0
            frame = Frame(raw.image, self.now_s())
            if want_frames:
                next_display_s = frame.timestamp_s + DISPLAY_INTERVAL_S
                self._offer_frame(raw.image)
            if self._state is not WorkerState.RUNNING:
                self._set_state(WorkerState.RUNNING)
            if sample_due:
                record = engine.process(frame)
                self.samples += 1
                self._safe_emit(self.record_ready, record)

    def _retry_later(self, exc: Exception, failures: int) -> float:
        """Report the problem and return when to try the source again (growing back-off)."""
        delay = self._backoff_s[min(failures, len(self._backoff_s) - 1)]
        self._set_state(WorkerState.CAMERA_PROBLEM, f"{exc} (trying again in {delay:.0f} s)")
        return self.now_s() + delay

    def _is_paused(self) -> bool:
        with self._lock:
            return self._paused

    def _wait(self, timeout_s: float | None) -> None:
        """Sleep until ``timeout_s`` passes or the GUI wakes the loop (pause, stop, settings)."""
        self._wake.wait(timeout_s)
        self._wake.clear()

    def _offer_frame(self, image: np.ndarray) -> None:
        qimage = frame_to_qimage(image)
        with self._lock:
            if not self._want_frames:
                return
            self._latest = qimage
            signal = not self._frame_signalled
            self._frame_signalled = True
        # Signal only once per frame taken, so a busy GUI never builds a queue of frames.
        if signal:
            self._safe_emit(self.frame_available)

    def _interrupt_source(self) -> None:
        """Make a source that is waiting for a lost camera give up now (thread-safe)."""
        source = self._source
        stop = getattr(source, "stop", None)
        if callable(stop):
            with contextlib.suppress(Exception):
                stop()

    def _release(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            try:
                source.release()
            except Exception:  # a dead device may fail to close; it is gone anyway
                log.debug("releasing the source failed", exc_info=True)

    def _set_state(self, state: WorkerState, message: str = "") -> None:
        if state is self._state and not message:
            return
        self._state = state
        self._safe_emit(self.status_changed, WorkerStatus(state, message))

    def _safe_emit(self, signal: Any, *args: object) -> None:
        # A slot connected directly (tests) runs here; its exception must not end the loop.
        try:
            emit(signal, *args)
        except Exception:
            log.exception("a slot of the camera worker raised")


class WorkerHost:
    """Owns the QThread a ``CameraWorker`` runs on: start it, and stop it without hanging."""

    def __init__(self, worker: CameraWorker) -> None:
        from PySide6.QtCore import QThread

        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName("hipcheck-camera")
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        # Direct: QThread.quit is thread-safe, and the GUI thread may be blocked in wait().
        worker.finished.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)

    def start(self) -> None:
        """Start the thread (the worker's run loop begins)."""
        self.thread.start()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop the worker and wait for its thread; False if it did not end in time."""
        self.worker.stop()
        if not self.thread.isRunning():
            return True
        done = bool(self.thread.wait(timeout_ms))
        if not done:
            log.warning("the camera thread did not stop within %d ms", timeout_ms)
        return done
