"""``hipcheck`` with no sub-command: bad input is one line, and the real app runs, pauses and quits."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import stored_seconds

pytestmark = pytest.mark.footage
CLIP = "videos/front_sit_upper_body_01.mp4"


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("HIPCHECK_")}
    out["QT_QPA_PLATFORM"] = "offscreen"
    out["HIPCHECK_NO_FIRST_RUN"] = "1"
    out.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no notification service: must not matter
    return out


def hipcheck(data: Path, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data), *argv],
        capture_output=True, text=True, timeout=timeout, env=env(),
    )  # fmt: skip


def status(data: Path) -> dict[str, Any]:
    """``hipcheck status --json`` of the running app ({"running": False, ...} if none)."""
    doc: dict[str, Any] = json.loads(hipcheck(data, "status", "--json").stdout)
    return doc


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--source", "/no/such/clip.mp4"], "no such file"),
        (["--source", "sample.txt"], "cannot read"),
        (["--set", "sitting_limit_min=0.1"], "sitting_limit_min"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, argv: list[str], fragment: str) -> None:
    (tmp_path / "sample.txt").write_text("not a video")
    done = subprocess.run(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(tmp_path / "d"), *argv],
        capture_output=True, text=True, timeout=60, env=env(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in done.stderr


def wait(predicate, timeout_s: float, proc: subprocess.Popen[bytes], log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)


@contextlib.contextmanager
def running_app(
    posture_data: Path, data: Path, log: Path, *argv: str
) -> Iterator[subprocess.Popen[bytes]]:
    """The app on the looped clip; SIGTERM at the end, which must end it with status 0."""
    with log.open("wb") as out:
        app = subprocess.Popen(
            [sys.executable, "-m", "hipcheck", "--data-dir", str(data), "--verbose",
             "--source", str(posture_data / CLIP), "--loop", *argv],
            env=env(), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield app
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            rc = app.wait(30)
        except subprocess.TimeoutExpired:
            app.kill()
            raise
    assert rc == 0, log.read_text(errors="replace")[-3000:]


def test_the_app_monitors_pauses_resumes_and_quits_cleanly(
    posture_data: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    log = tmp_path / "app.log"
    # Reminders at any hour of any day, so "break in" is said whenever the test runs.
    any_time = ["--set", "work_start_h=0", "--set", "work_end_h=24",
                "--set", "work_days=mon,tue,wed,thu,fri,sat,sun"]  # fmt: skip
    with running_app(posture_data, data, log, *any_time) as app:
        wait(lambda: hipcheck(data, "status").returncode == 0, 90, app, log)
        wait(lambda: status(data)["state"] == "sitting", 60, app, log)
        said = hipcheck(data, "status").stdout
        assert said.startswith("HipCheck is monitoring. Sitting for ") and "break in" in said
        # No tray offscreen: said once, and the status window stands in.
        text = log.read_text(errors="replace")
        assert text.count("No system tray found") == 1
        assert "HipCheck is running in a small window (this desktop has no tray)" in text
        wait(lambda: stored_seconds(data / "hipcheck.sqlite3") > 3, 30, app, log)

        paused = hipcheck(data, "pause", "5")
        assert paused.returncode == 0 and "HipCheck is paused until" in paused.stdout
        doc = status(data)
        assert doc["paused"] is True and doc["paused_until"]
        assert hipcheck(data, "status").stdout.startswith("HipCheck is paused until ")
        time.sleep(1.0)
        before = stored_seconds(data / "hipcheck.sqlite3")
        time.sleep(4.0)
        assert stored_seconds(data / "hipcheck.sqlite3") == before  # nothing recorded while paused

        assert hipcheck(data, "resume").returncode == 0
        wait(lambda: status(data)["camera"] == "running", 30, app, log)
        # A second start hands over to the running one instead of opening the camera twice.
        second = hipcheck(data, "--source", str(posture_data / CLIP), timeout=60)
        assert second.returncode == 0 and "already running" in second.stderr
    with sqlite3.connect(data / "hipcheck.sqlite3") as conn:
        kinds = [k for (k,) in conn.execute("SELECT kind FROM events ORDER BY id")]
    assert "paused" in kinds and "resumed" in kinds


def test_the_running_app_uses_the_saved_calibration(posture_data: Path, tmp_path: Path) -> None:
    """A calibration that puts the seated shoulders lower than the clip's reads the clip as standing.

    The clip's hips are hidden, so without calibration the app says "sitting" (the test above).
    """
    import cv2

    from hipcheck.core.calibration import Baseline, calibrate, save_calibration, upper_body
    from hipcheck.vision.pose import MediaPipePoseEstimator

    cap = cv2.VideoCapture(str(posture_data / CLIP))
    cap.set(cv2.CAP_PROP_POS_FRAMES, cap.get(cv2.CAP_PROP_FRAME_COUNT) // 2)
    ok, frame = cap.read()
    cap.release()
    assert ok
    est = MediaPipePoseEstimator(static_image_mode=True)
    sample = est.estimate(frame, 0.0)
    est.close()
    body = upper_body(sample)
    assert sample is not None and body is not None
    here = Baseline(body.shoulder_x, body.shoulder_y, body.shoulder_width, body.nose_y, 5)
    lower = Baseline(body.shoulder_x, body.shoulder_y + 0.3, body.shoulder_width, None, 5)
    cal = calibrate([sample] * 3, [])  # the right shape, then the baselines we want
    data = tmp_path / "data"
    save_calibration(data / "calibration.json", replace(cal, seated=lower, standing=here))

    log = tmp_path / "app.log"
    with running_app(posture_data, data, log) as app:
        wait(lambda: status(data)["state"] == "standing", 120, app, log)
    with sqlite3.connect(data / "hipcheck.sqlite3") as conn:
        states = {s for (s,) in conn.execute("SELECT state FROM intervals")}
    assert "standing" in states and "sitting" not in states, states


def test_the_app_deletes_records_older_than_the_retention(
    posture_data: Path, tmp_path: Path
) -> None:
    from datetime import datetime, timedelta

    from hipcheck.store.db import Store

    data = tmp_path / "data"
    now = datetime.now().astimezone()
    with Store.open(data / "hipcheck.sqlite3") as store:
        for days_ago in (40, 29, 1):
            start = now - timedelta(days=days_ago)
            store.record_interval(start, start + timedelta(hours=1), "sitting", None, 0.0)
    log = tmp_path / "app.log"
    with running_app(posture_data, data, log, "--set", "retention_days=30") as app:
        wait(lambda: hipcheck(data, "status").returncode == 0, 90, app, log)
    assert "deleted 1 records older than 30 days" in log.read_text(errors="replace")
    with Store.open(data / "hipcheck.sqlite3") as store:
        days = store.days()
    oldest = (now - timedelta(days=29)).date()
    assert days and days[0] == oldest, days  # 29 days ago is inside the last 30; 40 is not


def test_session_watcher_pauses_on_lock_and_measures_a_suspend(qapp: object) -> None:
    from datetime import datetime, timedelta

    from hipcheck.ui.session import SessionWatcher

    mono = [100.0]
    wall = [datetime(2026, 3, 4, 10, 0).astimezone()]
    watcher = SessionWatcher(monotonic=lambda: mono[0], wall=lambda: wall[0], use_dbus=False)
    inactive: list[bool] = []
    slept: list[float] = []
    watcher.inactive_changed.connect(inactive.append)
    watcher.slept.connect(slept.append)
    watcher.on_screensaver(True)
    watcher.on_screensaver(False)
    watcher.on_prepare_for_sleep(True)
    wall[0] += timedelta(minutes=30)  # the monotonic clock stands still while suspended
    mono[0] += 2.0
    watcher.on_prepare_for_sleep(False)
    watcher.check_clocks()  # the heartbeat does not count the same sleep twice
    assert inactive == [True, False, True, False]
    assert slept == [pytest.approx(1798.0)]
    # A suspend nobody announced (no logind): the heartbeat finds it.
    wall[0] += timedelta(minutes=5, seconds=5)
    mono[0] += 5.0
    watcher.check_clocks()
    assert slept[-1] == pytest.approx(300.0)


def test_screen_lock_signal_arrives_over_a_real_session_bus(tmp_path: Path) -> None:
    import shutil

    from tests.conftest import need

    need(shutil.which("dbus-run-session") is not None, "dbus-run-session missing (dbus)")
    script = tmp_path / "lock.py"
    script.write_text(
        "import subprocess, sys, time\n"
        "from datetime import datetime\n"
        "from PySide6.QtCore import QCoreApplication, QTimer\n"
        "from hipcheck.ui.session import SessionWatcher\n"
        "app = QCoreApplication(sys.argv)\n"
        "w = SessionWatcher(monotonic=time.monotonic, wall=lambda: datetime.now().astimezone())\n"
        "got = []\n"
        "w.inactive_changed.connect(got.append)\n"
        "def send(v, path, iface):\n"
        "    subprocess.run(['dbus-send', '--session', '--type=signal', path, iface + '.ActiveChanged', 'boolean:' + v])\n"
        "QTimer.singleShot(300, lambda: send('true', '/org/gnome/ScreenSaver', 'org.gnome.ScreenSaver'))\n"
        "QTimer.singleShot(800, lambda: send('false', '/org/freedesktop/ScreenSaver', 'org.freedesktop.ScreenSaver'))\n"
        "QTimer.singleShot(1500, app.quit)\n"
        "app.exec()\n"
        "print(got)\n"
    )
    done = subprocess.run(
        ["dbus-run-session", "--", sys.executable, str(script)],
        capture_output=True, text=True, timeout=60, env=env(),
    )  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == "[True, False]", done.stderr
