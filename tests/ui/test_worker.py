"""The camera worker on its QThread: records as signals, pause releases the source, stop never hangs."""

from __future__ import annotations

import time

from _scripted import Opener, engine_factory
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hipcheck.core.clock import SystemClock
from hipcheck.core.types import State
from hipcheck.ui.worker import CameraWorker, WorkerHost, WorkerState, WorkerStatus


def make_host(opener: Opener, **kw: object) -> WorkerHost:
    worker = CameraWorker(
        open_source=opener,
        make_engine=engine_factory(),
        clock=SystemClock(),
        **kw,  # type: ignore[arg-type]
    )
    return WorkerHost(worker)


def test_records_arrive_on_the_gui_thread_at_the_sample_rate(qtbot: QtBot) -> None:
    opener = Opener()
    host = make_host(opener)
    records: list[object] = []
    host.worker.record_ready.connect(records.append)
    host.start()
    try:
        started = time.monotonic()
        qtbot.waitUntil(lambda: len(records) >= 20, timeout=10_000)
        elapsed = time.monotonic() - started
        # The person in the picture when monitoring starts is the user at once: present from
        # the first record, never away.
        first, last = records[0], records[-1]
        assert first.observation.person_present  # type: ignore[attr-defined]
        assert all(r.raw_state is not State.AWAY for r in records)  # type: ignore[attr-defined]
        assert last.state is State.SITTING  # type: ignore[attr-defined]
        assert last.observation.hip_angle_deg == 95.0  # type: ignore[attr-defined]
        # 10 samples/s: 20 records take at least ~1.9 s (paced, not as fast as frames come).
        assert elapsed >= 1.8
    finally:
        assert host.shutdown(3000)
    assert opener.count("release") == opener.count("open") == 1


def test_pause_releases_the_source_and_resume_reopens_it(qtbot: QtBot) -> None:
    opener = Opener()
    host = make_host(opener)
    records: list[object] = []
    statuses: list[WorkerStatus] = []
    host.worker.record_ready.connect(records.append)
    host.worker.status_changed.connect(statuses.append)
    host.start()
    try:
        qtbot.waitUntil(lambda: len(records) >= 2, timeout=10_000)
        host.worker.pause()
        qtbot.waitUntil(lambda: opener.count("release") == 1, timeout=3000)
        assert opener.sources[0].released
        qtbot.waitUntil(lambda: statuses[-1].state is WorkerState.PAUSED, timeout=3000)
        n = len(records)
        qtbot.wait(500)
        assert len(records) <= n + 1  # nothing is read while paused
        host.worker.resume()
        qtbot.waitUntil(lambda: opener.count("open") == 2, timeout=3000)
        qtbot.waitUntil(lambda: len(records) >= n + 3, timeout=5000)
        assert statuses[-1].state is WorkerState.RUNNING
    finally:
        assert host.shutdown(3000)
    assert opener.log == ["open", "release", "open", "release"]


def test_a_lost_camera_is_an_error_state_retried_with_back_off(qtbot: QtBot) -> None:
    opener = Opener(failures=2)
    host = make_host(opener, backoff_s=(0.2, 0.4))
    statuses: list[WorkerStatus] = []
    records: list[object] = []
    host.worker.status_changed.connect(statuses.append)
    host.worker.record_ready.connect(records.append)
    started = time.monotonic()
    host.start()
    try:
        qtbot.waitUntil(lambda: len(records) >= 1, timeout=10_000)
        waited = time.monotonic() - started
    finally:
        assert host.shutdown(3000)
    problems = [s for s in statuses if s.state is WorkerState.CAMERA_PROBLEM]
    assert len(problems) == 2
    assert "no camera at index 0" in problems[0].message and "0 s" in problems[0].message
    assert waited >= 0.6  # 0.2 s then 0.4 s of back-off
    assert opener.log[:3] == ["open-failed", "open-failed", "open"]


def test_camera_unplugged_while_reading_is_reopened(qtbot: QtBot) -> None:
    opener = Opener()
    host = make_host(opener, backoff_s=(0.1,))
    records: list[object] = []
    statuses: list[WorkerStatus] = []
    host.worker.record_ready.connect(records.append)
    host.worker.status_changed.connect(statuses.append)
    host.start()
    try:
        qtbot.waitUntil(lambda: len(records) >= 1, timeout=10_000)
        opener.sources[0].fail_reads = 1
        qtbot.waitUntil(lambda: opener.count("open") == 2, timeout=5000)
        n = len(records)
        qtbot.waitUntil(lambda: len(records) > n, timeout=5000)
    finally:
        assert host.shutdown(3000)
    assert any(s.state is WorkerState.CAMERA_PROBLEM for s in statuses)
    assert statuses[-1].state is WorkerState.STOPPED


def test_stop_does_not_hang_when_a_slot_raises(qtbot: QtBot) -> None:
    opener = Opener()
    host = make_host(opener)
    calls: list[int] = []

    def bad_slot(record: object) -> None:
        calls.append(1)
        raise RuntimeError("a broken slot")

    # Direct connection: the slot runs on the worker thread, inside the read loop.
    host.worker.record_ready.connect(bad_slot, Qt.ConnectionType.DirectConnection)
    with qtbot.capture_exceptions() as raised:
        host.start()
        qtbot.waitUntil(lambda: len(calls) >= 3, timeout=10_000)
        started = time.monotonic()
        assert host.shutdown(3000)
        assert time.monotonic() - started < 1.0
    assert opener.count("release") == 1
    # The slot's errors surfaced (and were logged), but the loop kept reading until stopped.
    assert len(calls) >= 3
    assert all(isinstance(exc, RuntimeError) for _, exc, _ in raised)


def test_frames_leave_the_worker_only_while_wanted(qtbot: QtBot) -> None:
    opener = Opener()
    host = make_host(opener)
    signals: list[int] = []
    records: list[object] = []
    host.worker.frame_available.connect(lambda: signals.append(1))
    host.worker.record_ready.connect(records.append)
    host.start()
    try:
        qtbot.waitUntil(lambda: len(records) >= 3, timeout=10_000)
        assert signals == [] and host.worker.take_frame() is None
        host.worker.set_frames_wanted(True)
        qtbot.waitUntil(lambda: len(signals) >= 1, timeout=3000)
        image = host.worker.take_frame()
        assert image is not None and (image.width(), image.height()) == (640, 480)
        assert image.pixelColor(10, 10).red() == 90
        host.worker.set_frames_wanted(False)
        qtbot.wait(300)
        n = len(signals)
        qtbot.wait(400)
        assert len(signals) == n and host.worker.take_frame() is None
    finally:
        assert host.shutdown(3000)


def test_a_file_that_ends_is_reported_not_retried(qtbot: QtBot) -> None:
    opener = Opener(live=False)
    host = make_host(opener)
    statuses: list[WorkerStatus] = []
    host.worker.status_changed.connect(statuses.append)
    host.start()
    try:
        qtbot.waitUntil(
            lambda: len(opener.sources) == 1 and opener.sources[0].reads >= 2, timeout=10_000
        )
        opener.sources[0].released = True  # the scripted file "ends": next_frame returns None
        qtbot.waitUntil(lambda: statuses[-1].state is WorkerState.ENDED, timeout=3000)
        qtbot.wait(300)
        assert opener.count("open") == 1
    finally:
        assert host.shutdown(3000)


def test_a_suspend_is_a_gap_the_tracker_counts_as_away(qtbot: QtBot) -> None:
    opener = Opener()
    host = make_host(opener)
    records: list[object] = []
    host.worker.record_ready.connect(records.append)
    host.start()
    try:
        qtbot.waitUntil(lambda: len(records) >= 5, timeout=10_000)
        host.worker.pause()  # the session watcher pauses on PrepareForSleep(true)
        qtbot.waitUntil(lambda: opener.count("release") == 1, timeout=3000)
        host.worker.add_slept(600.0)  # ...and reports 10 min of sleep on wake
        host.worker.resume()
        n = len(records)
        qtbot.waitUntil(lambda: len(records) >= n + 2, timeout=5000)
    finally:
        assert host.shutdown(3000)
    from hipcheck.core.types import Gap

    gaps = [e for r in records for e in r.events if isinstance(e, Gap)]  # type: ignore[attr-defined]
    assert len(gaps) == 1 and gaps[0].duration_s >= 600.0
    summary = records[-1].summary  # type: ignore[attr-defined]
    assert summary.away_s >= 600.0 and summary.sitting_s < 60.0


def test_emitting_often_does_not_drain_the_refcount_of_true(qapp: object) -> None:
    import sys

    from PySide6.QtCore import QObject, Signal

    from hipcheck.ui.signals import emit

    class Emitter(QObject):
        ping = Signal(object)

    emitter = Emitter()
    emitter.ping.connect(lambda _: None)
    before = sys.getrefcount(True)
    for i in range(5000):
        emit(emitter.ping, i)
    # PySide6 6.12.0 alone would have taken 5000 references (and aborted Python 3.11).
    assert sys.getrefcount(True) >= before - 5
