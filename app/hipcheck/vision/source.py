"""Frame capture from a camera, a video or image file, or a stream URL; frames stay in memory.

Files are read in *video time* (frame index / fps), so a ten-minute clip is analysed as fast as it
decodes; cameras and streams are stamped by the injected monotonic clock. ``next_frame`` takes
the earliest timestamp the caller still wants and skips earlier frames with ``grab()`` alone,
without decoding them, which is most of the saving at a low sample rate.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import cv2
import numpy as np

from hipcheck.core.clock import Clock, SystemClock
from hipcheck.core.redact import redact_url
from hipcheck.errors import UserError

# FFmpeg's own messages about a broken file would add lines before our one-line error.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
URL_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://", "rtmp://", "udp://", "tcp://")
# A container's fps outside this range is a placeholder; fall back to the decoder's own clock.
_SANE_FPS = (1.0, 240.0)


@dataclass(frozen=True)
class Frame:
    """One picture (BGR, in memory only) and when it was taken, in seconds."""

    image: np.ndarray
    timestamp_s: float


class SourceLost(UserError):
    """A live camera or stream stopped delivering frames.

    A ``UserError`` so a command-line run on a camera that gets unplugged ends with one line
    rather than a traceback; the tray app wraps its camera in ``ReconnectingSource`` instead.
    """


class FrameSource(Protocol):
    """Where frames come from: a camera, a stream, a video or an image."""

    @property
    def is_live(self) -> bool:
        """True for a camera or stream (real time), False for a file (video time)."""
        ...

    def next_frame(self, min_timestamp_s: float | None = None) -> Frame | None:
        """The next frame stamped at or after ``min_timestamp_s``; None when the source ended."""
        ...

    def release(self) -> None:
        """Free the device or file."""
        ...

    def __enter__(self) -> FrameSource: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the sources use (a seam for scripted failures)."""

    def isOpened(self) -> bool: ...
    def grab(self) -> bool: ...
    def retrieve(self) -> tuple[bool, Any]: ...
    def read(self) -> tuple[bool, Any]: ...
    def get(self, prop: int) -> float: ...
    def set(self, prop: int, value: float) -> bool: ...
    def release(self) -> None: ...


@contextlib.contextmanager
def _opencv_quiet() -> Iterator[None]:
    """Silence OpenCV's own log lines (our UserError says what went wrong, in one line)."""
    # cv2.utils.logging in current OpenCV; cv2.getLogLevel in older 4.x wheels.
    logging_api = getattr(getattr(cv2, "utils", None), "logging", None)
    api = logging_api if hasattr(logging_api, "getLogLevel") else cv2
    previous = api.getLogLevel()
    api.setLogLevel(0)  # silent: probing a missing camera or a broken file prints warnings
    try:
        yield
    finally:
        api.setLogLevel(previous)


def _quiet_capture(target: int | str, params: list[int] | None = None) -> Capture:
    """``cv2.VideoCapture(target)`` without OpenCV's warnings."""
    with _opencv_quiet():
        if params:
            return cv2.VideoCapture(target, cv2.CAP_ANY, params)
        return cv2.VideoCapture(target)


# A stream that accepts the connection and then says nothing would hold FFmpeg for 30 s per
# open and per read; these bound it, and the open runs where Ctrl-C can still reach the user.
STREAM_OPEN_TIMEOUT_MS = 10_000
STREAM_READ_TIMEOUT_MS = 10_000
_POLL_S = 0.1


def _open_interruptibly(url: str) -> Capture:
    """Open a stream in a helper thread, so Ctrl-C ends the wait at once.

    The decoder blocks in native code where Python's signal handler cannot run; waiting on the
    thread instead keeps the main thread responsive. An open abandoned by Ctrl-C finishes by
    itself (within the open timeout) and is dropped.
    """
    params = [
        cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
        STREAM_OPEN_TIMEOUT_MS,
        cv2.CAP_PROP_READ_TIMEOUT_MSEC,
        STREAM_READ_TIMEOUT_MS,
    ]
    result: dict[str, Any] = {}

    def open_it() -> None:
        try:
            result["capture"] = _quiet_capture(url, params)
        except Exception as exc:  # handed to the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=open_it, name="stream-open", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(_POLL_S)
    if "error" in result:
        raise result["error"]
    capture: Capture = result["capture"]
    return capture


class _ContextMixin:
    """``with source:`` releases it."""

    def release(self) -> None:
        """Free the underlying resource."""

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class VideoFileSource(_ContextMixin):
    """A video file read in video time; ``loop`` restarts it with timestamps still increasing."""

    is_live = False

    def __init__(self, path: Path, *, loop: bool = False) -> None:
        self.path = path
        self.loop = loop
        self._cap: Capture = _quiet_capture(str(path))
        if not self._cap.isOpened():
            self._cap.release()
            raise UserError(f"cannot read {path} as a video or image")
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps: float | None = fps if _SANE_FPS[0] <= fps <= _SANE_FPS[1] else None
        self._index = 0  # index of the next frame grab() will return within this pass
        self._offset_s = 0.0  # video time already played in earlier passes (loop)
        self._pass_end_s = 0.0
        self._released = False
        # Prove the file holds a picture now, so bad input fails at open with one clear line.
        with _opencv_quiet():
            ok, image = self._cap.read()
        if not ok or image is None:
            self._cap.release()
            raise UserError(f"no picture could be read from {path}")
        self._pending: Frame | None = Frame(image, self._timestamp(0))
        self._index = 1
        self.grabbed = 1
        self.decoded = 1

    def _timestamp(self, index: int) -> float:
        """The video time of frame ``index`` of the current pass."""
        if self.fps is not None:
            return self._offset_s + index / self.fps
        return self._offset_s + float(self._cap.get(cv2.CAP_PROP_POS_MSEC)) / 1000.0

    def _restart(self) -> bool:
        """Start the next pass of a looped file; False when it cannot restart."""
        if self._index == 0:
            return False  # an empty pass: looping would spin forever
        period_s = 1.0 / self.fps if self.fps is not None else 0.0
        self._offset_s = max(self._pass_end_s + period_s, self._offset_s)
        self._cap.release()
        self._cap = cv2.VideoCapture(str(self.path))
        self._index = 0
        return self._cap.isOpened()

    def next_frame(self, min_timestamp_s: float | None = None) -> Frame | None:
        """The next frame at or after ``min_timestamp_s``, decoding only that one."""
        if self._released:
            return None
        if self._pending is not None:
            frame, self._pending = self._pending, None
            if min_timestamp_s is None or frame.timestamp_s >= min_timestamp_s:
                return frame
        while True:
            if not self._cap.grab():
                if self.loop and self._restart():
                    continue
                return None
            self.grabbed += 1
            t_s = self._timestamp(self._index)
            self._pass_end_s = t_s
            self._index += 1
            if min_timestamp_s is not None and t_s < min_timestamp_s - 1e-9:
                continue  # skipped without retrieve(): no decode cost beyond demuxing
            ok, image = self._cap.retrieve()
            if not ok or image is None:
                continue  # a corrupt frame in the middle of a file: skip it
            self.decoded += 1
            return Frame(image, t_s)

    def release(self) -> None:
        """Close the file."""
        self._released = True
        self._pending = None
        self._cap.release()


class ImageFileSource(_ContextMixin):
    """A still image: one frame at t = 0, then the end."""

    is_live = False

    def __init__(self, path: Path) -> None:
        with _opencv_quiet():
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise UserError(f"cannot read {path} as an image")
        self.path = path
        self._image: np.ndarray | None = image

    def next_frame(self, min_timestamp_s: float | None = None) -> Frame | None:
        """The image once (whatever ``min_timestamp_s``; a still has only one moment)."""
        image, self._image = self._image, None
        return None if image is None else Frame(image, 0.0)

    def release(self) -> None:
        """Drop the image."""
        self._image = None


class LiveSource(_ContextMixin):
    """A camera (by index) or stream URL, stamped by the clock; a failed read raises SourceLost."""

    is_live = True

    def __init__(
        self,
        capture: Capture,
        *,
        name: str,
        clock: Clock | None = None,
    ) -> None:
        self._cap = capture
        self.name = name
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._released = False

    def next_frame(self, min_timestamp_s: float | None = None) -> Frame | None:
        """The next frame taken at or after ``min_timestamp_s`` (earlier ones grabbed, not decoded)."""
        if self._released:
            return None
        while True:
            if not self._cap.grab():
                raise SourceLost(f"{self.name} stopped delivering frames")
            t_s = self._clock.monotonic()
            if min_timestamp_s is None or t_s >= min_timestamp_s - 1e-6:
                break
        ok, image = self._cap.retrieve()
        if not ok or image is None:
            raise SourceLost(f"{self.name} delivered an unreadable frame")
        return Frame(image, t_s)

    def release(self) -> None:
        """Close the device or stream."""
        self._released = True
        self._cap.release()


def open_camera(
    index: int, *, width_px: int = 640, height_px: int = 480, clock: Clock | None = None
) -> LiveSource:
    """Open camera ``index`` at ``width_px`` x ``height_px``; UserError when there is none."""
    cap = _quiet_capture(index)
    if not cap.isOpened():
        cap.release()
        raise UserError(f"no camera at index {index}")
    # A camera's default is often its highest resolution; 640x480 is plenty for the pose model
    # and keeps decoding cheap on a laptop.
    cap.set(cv2.CAP_PROP_FRAME_WIDTH, width_px)
    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height_px)
    cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # keep only the latest frame
    return LiveSource(cap, name=f"camera {index}", clock=clock)


def open_stream(url: str, *, clock: Clock | None = None) -> LiveSource:
    """Open a stream URL (rtsp/http); UserError when it does not open.

    The URL's credentials stay in memory: the source's name and every message show it redacted.
    """
    shown = redact_url(url)
    cap = _open_interruptibly(url)
    if not cap.isOpened():
        cap.release()
        raise UserError(f"cannot open stream {shown}")
    return LiveSource(cap, name=shown, clock=clock)


def _not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a video or image file (one line), or None if it can.

    Only regular files are read: a named pipe without a writer would block the read in native
    code where Ctrl-C cannot reach it, and a pipe cannot be rewound, which most video formats
    need. A camera device (``/dev/video0``) is opened as a camera instead.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    kind = (
        "a named pipe"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    return f"{path} is {kind}, not a video or image file (save the video to a file first)"


def _is_camera_device(path: Path) -> bool:
    """Whether ``path`` is a Video4Linux camera node such as ``/dev/video0``."""
    try:
        return stat.S_ISCHR(path.stat().st_mode) and path.name.startswith("video")
    except OSError:
        return False


def is_url(spec: str) -> bool:
    """Whether ``spec`` names a stream rather than a file or camera."""
    return spec.lower().startswith(URL_SCHEMES)


def open_source(
    spec: str,
    *,
    width_px: int = 640,
    height_px: int = 480,
    loop: bool = False,
    clock: Clock | None = None,
) -> FrameSource:
    """Open a camera index ("0"), a video or image file, or a stream URL; UserError if it cannot."""
    text = str(spec).strip()
    if not text:
        raise UserError("no source given (a camera index, a video or image file, or a URL)")
    if text.isdigit():
        return open_camera(int(text), width_px=width_px, height_px=height_px, clock=clock)
    if is_url(text):
        return open_stream(text, clock=clock)
    path = Path(text).expanduser()
    if not path.exists():
        raise UserError(f"no such file: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder, not a video or image file")
    if not os.access(path, os.R_OK):
        raise UserError(f"cannot read {path}: permission denied")
    if _is_camera_device(path):
        cap = _quiet_capture(str(path))
        if not cap.isOpened():
            cap.release()
            raise UserError(f"no camera at {path}")
        return LiveSource(cap, name=str(path), clock=clock)
    problem = _not_a_file(path)
    if problem is not None:
        raise UserError(problem)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFileSource(path)
    return VideoFileSource(path, loop=loop)


IMAGE_ONCE = "The image was analyzed once: an image has no frames to loop over."
VIDEO_ENDED = "The video ended (start HipCheck with --loop to play it over and over)."


def ended_text(source: FrameSource) -> str:
    """What to tell the user when a file source has nothing more to read."""
    return IMAGE_ONCE if isinstance(source, ImageFileSource) else VIDEO_ENDED


def list_cameras(max_index: int = 5) -> list[int]:
    """The camera indices below ``max_index`` that open and deliver a frame."""
    found = []
    for index in range(max_index):
        cap = _quiet_capture(index)
        try:
            if cap.isOpened() and cap.read()[0]:
                found.append(index)
        finally:
            cap.release()
    return found


class ReconnectingSource(_ContextMixin):
    """A live source that survives unplugging: on SourceLost it reopens with exponential back-off.

    While the camera is gone, ``lost`` is True, ``on_status(True)`` has been called once, and
    ``next_frame`` waits (in slices of at most ``poll_s``, sleeping through the injected ``sleep``)
    for the next attempt; it never raises. ``on_status(False)`` reports the camera back. The delay
    doubles from ``initial_backoff_s`` up to ``max_backoff_s`` and resets after a good frame.
    ``stop()`` (from any thread) makes a waiting ``next_frame`` return None, so shutdown never
    hangs on a missing camera.
    """

    is_live = True

    def __init__(
        self,
        opener: Callable[[], FrameSource],
        *,
        clock: Clock | None = None,
        sleep: Callable[[float], None] | None = None,
        on_status: Callable[[bool], None] | None = None,
        initial_backoff_s: float = 1.0,
        max_backoff_s: float = 30.0,
        poll_s: float = 0.25,
    ) -> None:
        self._opener = opener
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._sleep = sleep if sleep is not None else time.sleep
        self._on_status = on_status
        self.initial_backoff_s = initial_backoff_s
        self.max_backoff_s = max_backoff_s
        self.poll_s = poll_s
        self._source: FrameSource | None = None
        self._backoff_s = initial_backoff_s
        self._next_attempt_s = self._clock.monotonic()
        self._stop = threading.Event()
        self.lost = False
        self.attempts = 0
        self.last_error: str | None = None

    def stop(self) -> None:
        """Make ``next_frame`` return None instead of waiting (thread-safe)."""
        self._stop.set()

    def _set_lost(self, lost: bool, reason: str | None) -> None:
        """Record the state and report transitions."""
        if reason is not None:
            self.last_error = reason
        if lost != self.lost:
            self.lost = lost
            if self._on_status is not None:
                self._on_status(lost)

    def _drop(self, reason: str) -> None:
        """Forget the broken source and schedule the next attempt."""
        if self._source is not None:
            # A dead device may fail to close; it is gone anyway.
            with contextlib.suppress(Exception):
                self._source.release()
            self._source = None
        self._next_attempt_s = self._clock.monotonic() + self._backoff_s
        self._backoff_s = min(self._backoff_s * 2.0, self.max_backoff_s)
        self._set_lost(True, reason)

    def next_frame(self, min_timestamp_s: float | None = None) -> Frame | None:
        """The next frame, waiting out (and reporting) a lost camera; None only after stop()."""
        while not self._stop.is_set():
            if self._source is None:
                wait_s = self._next_attempt_s - self._clock.monotonic()
                if wait_s > 0:
                    self._sleep(min(wait_s, self.poll_s))
                    continue
                self.attempts += 1
                try:
                    self._source = self._opener()
                except (UserError, SourceLost, OSError, cv2.error) as exc:
                    self._drop(str(exc))
                    continue
            try:
                frame = self._source.next_frame(min_timestamp_s)
            except (SourceLost, cv2.error) as exc:
                self._drop(str(exc))
                continue
            if frame is None:
                self._drop("the stream ended")
                continue
            self._backoff_s = self.initial_backoff_s
            self._set_lost(False, None)
            return frame
        return None

    def release(self) -> None:
        """Stop and close the current source."""
        self._stop.set()
        if self._source is not None:
            self._source.release()
            self._source = None
