"""The real tray app on a real desktop stack: Xvfb, trayer (tray host), dunst (notifications).

Everything runs inside one ``dbus-run-session`` (``desktop_session.sh``), so the app, dunst and
dbus-monitor share a private session bus. The app monitors a sitting clip with a 0.5 min sitting
limit; the test asserts that the ``Notify`` call naming the exercise reached the bus, invokes the
notification's default action with ``dunstctl action 0``, checks that the break window opened and
the break was recorded in the SQLite store, then presses Enter (Done) in the break window with
xdotool and checks the break counted. Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import REPO, need

from hipcheck.core.exercise import CATALOGUE

pytestmark = [pytest.mark.display, pytest.mark.footage]

CLIP = "videos/front_sit_upper_body_01.mp4"
SCRIPT = Path(__file__).with_name("desktop_session.sh")
ARTIFACTS = REPO / "test-artifacts"
TOOLS = (
    "dbus-run-session", "Xvfb", "trayer", "dunst", "dunstctl", "dbus-monitor", "dbus-send",
    "xdpyinfo", "xwininfo", "import", "xdotool",
)  # fmt: skip


def wait_for(what: str, predicate: Callable[[], object], timeout_s: float, log: Path) -> object:
    """Poll ``predicate`` until it returns something truthy; fail with the app's log otherwise."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no app log)"
            pytest.fail(f"timed out waiting for {what}; app log:\n{tail}")
        time.sleep(0.3)


def read_env(path: Path) -> dict[str, str]:
    """DISPLAY and DBUS_SESSION_BUS_ADDRESS written by the session script."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return dict(pairs)


def events(db: Path, kind: str) -> list[str]:
    """The stored details of events of ``kind`` (read-only, as another process would)."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            rows = conn.execute("SELECT detail FROM events WHERE kind = ?", (kind,)).fetchall()
    except sqlite3.Error:
        return []
    return [r[0] or "" for r in rows]


def window_names(env: dict[str, str]) -> str:
    """Every X window with its name (``xwininfo -root -tree``)."""
    done = subprocess.run(
        ["xwininfo", "-root", "-tree"], capture_output=True, text=True, env=env, timeout=20
    )
    return done.stdout


def screenshot(env: dict[str, str], name: str) -> Path:
    """Save the whole X screen to ``test-artifacts/NAME``."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(["import", "-window", "root", str(target)], env=env, check=True, timeout=60)
    return target


def stop_session(session: subprocess.Popen[bytes], out: Path) -> None:
    """Ask the desktop session script to stop (it ends the app with SIGTERM), else kill it."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "stop").touch()
    try:
        session.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(session.pid, 9)
        session.wait(10)


def test_nudge_to_break_on_a_real_desktop(posture_data: Path, tmp_path: Path) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    need(not missing, f"desktop stack missing: {', '.join(missing)} (scripts/setup --dev)")
    out = tmp_path / "session"
    data = tmp_path / "data"
    app_log = out / "app.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIPCHECK_", "QT_QPA"))}
    env["QT_QPA_PLATFORM"] = "xcb"
    env["HIPCHECK_NO_FIRST_RUN"] = "1"
    env.pop("DISPLAY", None)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    cmd = [
        "dbus-run-session", "--", "bash", str(SCRIPT), str(out), "--",
        sys.executable, "-m", "hipcheck", "--verbose",
        "--source", str(posture_data / CLIP), "--loop", "--data-dir", str(data),
        "--set", "sitting_limit_min=0.5",
        # Whatever day and hour CI runs at: nudges are allowed.
        "--set", "work_days=mon,tue,wed,thu,fri,sat,sun",
        "--set", "work_start_h=0", "--set", "work_end_h=24",
    ]  # fmt: skip
    session = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_for("the desktop", lambda: (out / "env").exists(), 60, app_log)
        desk = {**env, **read_env(out / "env")}
        wait_for("the app to start", lambda: "HipCheck running" in _text(app_log), 90, app_log)
        log_text = _text(app_log)
        assert "No system tray found" not in log_text, "trayer should be the tray host"
        assert "notifications through freedesktop" in log_text

        # The live view, opened through the single-instance socket (what a second start does).
        show = [sys.executable, "-m", "hipcheck", "--data-dir", str(data), "status"]
        wait_for(
            "the instance socket",
            lambda: subprocess.run(show, env=desk, capture_output=True, timeout=30).returncode == 0,
            60,
            app_log,
        )
        from hipcheck.instance import request
        from hipcheck.paths import resolve_paths

        assert request("show", resolve_paths(data)).get("ok")

        # The nudge: a Notify call on the session bus naming the exercise, with its actions.
        def notify_title() -> str | None:
            text = _text(out / "monitor.log")
            if "member=Notify" not in text:
                return None
            match = re.search(r'string "Time for a break: ([^"]+)"', text)
            return match.group(1) if match else None

        exercise = str(wait_for("the Notify call", notify_title, 150, app_log))
        assert exercise in {spec.name for spec in CATALOGUE.values()}
        monitor = _text(out / "monitor.log")
        assert 'string "default"' in monitor and 'string "Start break"' in monitor
        assert 'string "snooze"' in monitor
        assert events(data / "hipcheck.sqlite3", "nudge"), "the nudge was not stored"
        time.sleep(2.0)  # a few live frames for the screenshot
        tree = window_names(desk)
        assert "HipCheck — live view" in tree
        shot = screenshot(desk, "desktop.png")
        assert shot.stat().st_size > 10_000

        # The notification's default action opens the break window and records the break.
        subprocess.run(["dunstctl", "action", "0"], env=desk, check=True, timeout=20)
        started = wait_for(
            "the break_started event",
            lambda: events(data / "hipcheck.sqlite3", "break_started"),
            30,
            app_log,
        )
        assert exercise.lower().replace(" ", "_") in str(started) or "exercise" in str(started)
        wait_for(
            "the break window",
            lambda: f"HipCheck — Break: {exercise}" in window_names(desk),
            30,
            app_log,
        )
        assert "notification action: default" in _text(app_log)
        screenshot(desk, "desktop-break.png")

        # The user finishes the exercise and presses Enter: Done.
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", f"HipCheck — Break: {exercise}"],
            env=desk, capture_output=True, text=True, timeout=20,
        )  # fmt: skip
        assert found.stdout.split(), f"xdotool found no break window: {found.stderr}"
        window_id = found.stdout.split()[0]
        subprocess.run(["xdotool", "windowfocus", "--sync", window_id], env=desk, timeout=20)
        subprocess.run(["xdotool", "key", "--clearmodifiers", "Return"], env=desk, timeout=20)
        done = wait_for(
            "the break_done event",
            lambda: events(data / "hipcheck.sqlite3", "break_done"),
            30,
            app_log,
        )
        assert '"how": "done"' in str(done) or '"how":"done"' in str(done), done
        visible = ["xdotool", "search", "--onlyvisible", "--name", f"HipCheck — Break: {exercise}"]
        wait_for(
            "the break window to close",
            lambda: not subprocess.run(visible, env=desk, capture_output=True, timeout=20).stdout,
            30,
            app_log,
        )
    finally:
        stop_session(session, out)
    # SIGTERM ends the app cleanly: the camera thread stops, the store closes, exit status 0.
    assert _text(out / "app.rc").strip() == "0", _text(app_log)[-3000:]


def _text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
