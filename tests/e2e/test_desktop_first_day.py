"""The first day on a real desktop (Xvfb, trayer, dunst on a private bus): no camera, then one.

The app starts with a camera that is not there (a video path that does not exist yet): one
notification names the problem and is tied to the installed app id, the status says "Timer only",
and a nudge comes after the (short) sitting limit by the clock alone. Then the "camera" appears
(the clip is copied to that path) and measuring resumes by itself. A second run shows the first
run, which Enter completes; its answers are saved. Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import need, stored_seconds
from tests.e2e.test_desktop import (
    SCRIPT,
    TOOLS,
    _text,
    read_env,
    screenshot,
    stop_session,
    wait_for,
    window_names,
)

from hipcheck.paths import APP_ID

pytestmark = [pytest.mark.display, pytest.mark.footage]

CLIP = "videos/front_sit_upper_body_01.mp4"
ANY_TIME = [
    "--set", "work_days=mon,tue,wed,thu,fri,sat,sun",
    "--set", "work_start_h=0", "--set", "work_end_h=24",
]  # fmt: skip


def start(out: Path, data: Path, *argv: str, first_run: bool = False) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIPCHECK_", "QT_QPA"))}
    env["QT_QPA_PLATFORM"] = "xcb"
    if not first_run:
        env["HIPCHECK_NO_FIRST_RUN"] = "1"
    env.pop("DISPLAY", None)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    cmd = [
        "dbus-run-session", "--", "bash", str(SCRIPT), str(out), "--",
        sys.executable, "-m", "hipcheck", "--verbose", "--data-dir", str(data), *argv,
    ]  # fmt: skip
    return subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )


def status(data: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data), "status"],
        env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    return done.stdout


def timer_only_seconds(db: Path) -> float:
    return stored_seconds(db, "WHERE extra LIKE '%timer_only%'")


def test_no_camera_reminds_by_the_clock_and_measures_once_it_appears(
    posture_data: Path, tmp_path: Path
) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    need(not missing, f"desktop stack missing: {', '.join(missing)} (scripts/setup --dev)")
    out, data = tmp_path / "session", tmp_path / "data"
    camera = tmp_path / "plugged" / "camera.mp4"
    app_log = out / "app.log"
    session = start(
        out,
        data,
        "--set",
        f"camera={camera}",
        "--loop",
        "--set",
        "sitting_limit_min=0.5",
        *ANY_TIME,
    )
    try:
        wait_for("the desktop", lambda: (out / "env").exists(), 60, app_log)
        desk = {k: v for k, v in os.environ.items() if not k.startswith("HIPCHECK_")}
        desk.update(read_env(out / "env"))
        wait_for("the app", lambda: "HipCheck running" in _text(app_log), 90, app_log)
        # One notification naming the problem, tied to the installed app.
        wait_for(
            "the camera notification",
            lambda: "cannot use the camera" in _text(out / "monitor.log"),
            60,
            app_log,
        )
        monitor = _text(out / "monitor.log")
        assert "no video file" in monitor and str(camera) in monitor
        assert f'string "{APP_ID}"' in monitor  # app_icon and desktop-entry hint
        assert 'string "desktop-entry"' in monitor
        assert 'string "Choose camera…"' in monitor
        line = str(
            wait_for(
                "timer only",
                lambda: "Timer only" in status(data, desk) and status(data, desk),
                30,
                app_log,
            )
        )
        assert "does not exist" in line and "break in" in line
        # A nudge after the limit, by the clock alone (no camera, no idle service here).
        wait_for(
            "the nudge by the clock",
            lambda: "Time for a break" in _text(out / "monitor.log"),
            90,
            app_log,
        )
        monitor = _text(out / "monitor.log")
        assert monitor.count("cannot use the camera") == 1, "the camera problem was said again"
        assert 'string "Snooze 10 min"' in monitor
        screenshot(desk, "first-day-no-camera.png")
        wait_for(
            "timer-only time in the store",
            lambda: timer_only_seconds(data / "hipcheck.sqlite3") > 20,
            30,
            app_log,
        )

        # The camera appears: measuring resumes by itself.
        camera.parent.mkdir(parents=True)
        shutil.copy(posture_data / CLIP, camera)
        wait_for(
            "measuring again", lambda: "HipCheck is monitoring" in status(data, desk), 60, app_log
        )
        wait_for("the user seen sitting", lambda: "Sitting for" in status(data, desk), 60, app_log)
        assert "Timer only" not in status(data, desk)
        assert "the camera is back" in _text(app_log)
    finally:
        stop_session(session, out)
    assert _text(out / "app.rc").strip() == "0", _text(app_log)[-3000:]


def test_the_first_run_shows_once_and_enter_saves_its_answers(
    posture_data: Path, tmp_path: Path
) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    need(not missing, f"desktop stack missing: {', '.join(missing)} (scripts/setup --dev)")
    out, data = tmp_path / "session", tmp_path / "data"
    app_log = out / "app.log"
    # No camera at all: the first run still works and says so where the picture would be.
    session = start(
        out, data, "--set", f"camera={tmp_path / 'no-camera.mp4'}",
        "--set", "sitting_limit_min=0.5", first_run=True,
    )  # fmt: skip
    try:
        wait_for("the desktop", lambda: (out / "env").exists(), 60, app_log)
        desk = {k: v for k, v in os.environ.items() if not k.startswith("HIPCHECK_")}
        desk.update(read_env(out / "env"))
        wait_for("the first run", lambda: "Welcome to HipCheck" in window_names(desk), 90, app_log)
        time.sleep(3.0)
        screenshot(desk, "first-run-desktop.png")
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "Welcome to HipCheck"],
            env=desk, capture_output=True, text=True, timeout=20,
        )  # fmt: skip
        window_id = found.stdout.split()[0]
        subprocess.run(["xdotool", "windowfocus", "--sync", window_id], env=desk, timeout=20)
        subprocess.run(["xdotool", "key", "--clearmodifiers", "Return"], env=desk, timeout=20)
        settings = data / "settings.toml"
        wait_for("the saved answers", lambda: settings.exists(), 30, app_log)
        text = settings.read_text()
        assert 'exercise_variant = "office"' in text and 'camera_position = "front"' in text
        # The --set value was left as shown: it stays out of the file.
        assert "sitting_limit_min = 45" in text
        assert (data / "first-run-done").exists()
    finally:
        stop_session(session, out)
    assert _text(out / "app.rc").strip() == "0", _text(app_log)[-3000:]
