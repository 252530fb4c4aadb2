"""Frame sources: video time for files, frame skipping without decoding, loops, stills, bad input,
live cameras through a scripted capture, and reconnecting after a camera is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from hipcheck.core.clock import FakeClock
from hipcheck.errors import UserError
from hipcheck.vision.source import (
    Frame,
    ImageFileSource,
    LiveSource,
    ReconnectingSource,
    SourceLost,
    VideoFileSource,
    list_cameras,
    open_source,
)


def _write_video(path: Path, frames: int, fps: float, size: tuple[int, int] = (64, 48)) -> Path:
    """A clip whose frame k is uniformly grey level 2k (so a frame tells its index)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for k in range(frames):
        writer.write(np.full((size[1], size[0], 3), 2 * k, np.uint8))
    writer.release()
    return path


def _index_of(frame: Frame) -> int:
    """The frame index encoded in its grey level."""
    return round(float(frame.image.mean()) / 2)


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    """Ten seconds at 10 fps."""
    return _write_video(tmp_path / "clip.avi", 100, 10.0)


def test_video_file_is_read_in_video_time(clip: Path) -> None:
    with open_source(str(clip)) as source:
        assert isinstance(source, VideoFileSource) and not source.is_live
        frames = []
        while (frame := source.next_frame()) is not None:
            frames.append(frame)
    assert len(frames) == 100
    assert [f.timestamp_s for f in frames] == pytest.approx([k / 10 for k in range(100)])
    assert [_index_of(f) for f in frames] == list(range(100))
    assert frames[0].image.shape == (48, 64, 3) and frames[0].image.dtype == np.uint8


def test_frames_before_the_wanted_time_are_grabbed_not_decoded(clip: Path) -> None:
    source = VideoFileSource(clip)
    times = []
    next_s = 0.0
    while (frame := source.next_frame(next_s)) is not None:
        times.append(frame.timestamp_s)
        assert _index_of(frame) == round(frame.timestamp_s * 10)  # the frame really is that one
        next_s = frame.timestamp_s + 1.0
    source.release()
    assert times == pytest.approx([float(k) for k in range(10)])
    assert source.decoded == 10  # one decode per returned frame
    assert source.grabbed == 100  # every frame demuxed once


def test_loop_restarts_with_timestamps_still_increasing(tmp_path: Path) -> None:
    clip = _write_video(tmp_path / "short.avi", 10, 10.0)  # 1 s
    with open_source(str(clip), loop=True) as source:
        frames = [source.next_frame() for _ in range(35)]
    times = [f.timestamp_s for f in frames if f is not None]
    assert len(times) == 35
    assert np.all(np.diff(times) > 0)
    assert times[-1] == pytest.approx(3.4)
    assert [_index_of(f) for f in frames if f is not None][9:12] == [9, 0, 1]


def test_image_file_yields_one_frame_at_zero(tmp_path: Path) -> None:
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), np.full((30, 40, 3), 7, np.uint8))
    with open_source(str(path)) as source:
        assert isinstance(source, ImageFileSource)
        first = source.next_frame()
        assert first is not None and first.timestamp_s == 0.0 and first.image.shape == (30, 40, 3)
        assert source.next_frame() is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.mp4", None, "no such file"),
        ("garbage.mp4", b"this is not a video" * 50, "cannot read"),
        ("garbage.jpg", b"\xff\xd8 not really a jpeg", "cannot read"),
        ("empty.avi", b"", "cannot read"),
    ],
)
def test_bad_files_are_one_line_user_errors(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserError) as info:
        open_source(str(path))
    text = str(info.value)
    assert message in text and "\n" not in text and str(path) in text


def test_folder_and_empty_spec_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="folder"):
        open_source(str(tmp_path))
    with pytest.raises(UserError, match="no source"):
        open_source("  ")


def test_missing_camera_is_a_user_error() -> None:
    # No camera exists on the test machines; index 63 is absent on any ordinary desktop too.
    with pytest.raises(UserError, match="no camera at index 63"):
        open_source("63")
    assert all(isinstance(i, int) for i in list_cameras(max_index=2))


class ScriptedCapture:
    """A camera that delivers ``good`` frames and then fails (unplugged)."""

    def __init__(self, good: int, clock: FakeClock, fps: float = 10.0) -> None:
        self.good = good
        self.clock = clock
        self.fps = fps
        self.grabs = 0
        self.retrieves = 0
        self.released = False

    def isOpened(self) -> bool:
        return True

    def grab(self) -> bool:
        if self.grabs >= self.good:
            return False
        self.grabs += 1
        self.clock.advance(1 / self.fps)  # a camera delivers in real time
        return True

    def retrieve(self) -> tuple[bool, Any]:
        self.retrieves += 1
        return True, np.zeros((4, 4, 3), np.uint8)

    def read(self) -> tuple[bool, Any]:
        return (self.grab() and self.retrieve()[0]), np.zeros((4, 4, 3), np.uint8)

    def get(self, prop: int) -> float:
        return 0.0

    def set(self, prop: int, value: float) -> bool:
        return True

    def release(self) -> None:
        self.released = True


def test_live_source_stamps_with_the_clock_and_skips_without_decoding() -> None:
    clock = FakeClock(100.0)
    cap = ScriptedCapture(good=30, clock=clock)
    source = LiveSource(cap, name="camera 0", clock=clock)
    assert source.is_live
    first = source.next_frame()
    assert first is not None and first.timestamp_s == pytest.approx(100.1)
    second = source.next_frame(first.timestamp_s + 1.0)
    assert second is not None and second.timestamp_s == pytest.approx(101.1)
    assert cap.grabs == 11 and cap.retrieves == 2
    with pytest.raises(SourceLost):
        while True:
            source.next_frame()


def test_reconnecting_source_reports_lost_backs_off_and_recovers() -> None:
    clock = FakeClock(0.0)
    opened: list[ScriptedCapture] = []
    plan = ["ok", "fail", "fail", "fail", "ok"]  # unplugged for three attempts

    def opener() -> LiveSource:
        step = plan.pop(0) if plan else "ok"
        if step == "fail":
            raise UserError("no camera at index 0")
        cap = ScriptedCapture(good=5, clock=clock)
        opened.append(cap)
        return LiveSource(cap, name="camera 0", clock=clock)

    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    statuses: list[bool] = []
    source = ReconnectingSource(
        opener, clock=clock, sleep=sleep, on_status=statuses.append, poll_s=100.0
    )
    frames = [source.next_frame() for _ in range(5)]
    assert all(f is not None for f in frames) and not source.lost
    attempts_before = source.attempts
    sixth = source.next_frame()  # the first camera dies here; reconnect happens inside
    assert sixth is not None
    assert statuses == [True, False]  # reported lost once, then back
    assert source.attempts - attempts_before == 4  # three failures, then success
    # Back-off doubles: 1 s after the loss, then 2, 4, 8 between failed attempts.
    assert sleeps == pytest.approx([1.0, 2.0, 4.0, 8.0])
    assert opened[0].released
    source.release()
    assert source.next_frame() is None


def test_reconnecting_source_stop_ends_a_wait() -> None:
    clock = FakeClock(0.0)

    def opener() -> LiveSource:
        raise UserError("no camera at index 0")

    source = ReconnectingSource(opener, clock=clock, sleep=lambda s: source.stop())
    assert source.next_frame() is None
    assert source.lost and source.last_error == "no camera at index 0"


def test_url_that_does_not_open_is_a_user_error() -> None:
    with pytest.raises(UserError, match="cannot open stream"):
        open_source("rtsp://127.0.0.1:9/none")


def test_http_url_is_a_live_source_on_the_clock(clip: Path) -> None:
    """A stream URL (here a local HTTP server) is read in real time, stamped by the clock."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(clip.parent))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        clock = FakeClock(50.0)
        url = f"http://127.0.0.1:{server.server_address[1]}/{clip.name}"
        with open_source(url, clock=clock) as source:
            assert isinstance(source, LiveSource) and source.is_live
            first = source.next_frame()
            clock.advance(2.0)
            second = source.next_frame()
        assert first is not None and first.timestamp_s == 50.0
        assert second is not None and second.timestamp_s == 52.0
        assert _index_of(second) == 1  # the next frame of the stream, not video time
    finally:
        server.shutdown()
        server.server_close()
