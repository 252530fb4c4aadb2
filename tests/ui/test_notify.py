"""Notifications against a real dunst on a private D-Bus session bus and Xvfb display."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QSystemTrayIcon
from tests.conftest import need

from hipcheck.ui import notify
from hipcheck.ui.notify import (
    DEFAULT,
    DISMISSED,
    NOTIFIER_ENV,
    NUDGE_ACTIONS,
    SNOOZE,
    DndWatcher,
    FreedesktopNotifier,
    NotificationServiceError,
    NotifySendNotifier,
    NullNotifier,
    TrayBalloonNotifier,
    choose_notifier,
    dnd_active,
)

TOOLS = ("dbus-daemon", "dbus-send", "Xvfb", "dunst", "dunstctl")


def _wait_for(cond: object, timeout_s: float = 10.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def desktop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A private session bus (as dbus-run-session makes), an Xvfb display and dunst on both."""
    missing = [t for t in TOOLS if shutil.which(t) is None]
    need(not missing, f"notification stack missing: {', '.join(missing)} (scripts/setup)")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        display = f":{90 + os.getpid() % 400}"
        xvfb = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
            stderr=subprocess.DEVNULL,
        )
        procs.append(xvfb)
        assert _wait_for(lambda: Path(f"/tmp/.X11-unix/X{display[1:]}").exists())
        # The bus gets the display too, so a dunst it activates on demand can start.
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            env={**os.environ, "DISPLAY": display},
        )
        procs.append(bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        assert address, "dbus-daemon printed no address"
        env = {"DBUS_SESSION_BUS_ADDRESS": address, "DISPLAY": display}
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("HOME", str(tmp_path))  # no user dunstrc
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
        monkeypatch.delenv(NOTIFIER_ENV, raising=False)
        log = (tmp_path / "dunst.log").open("wb")
        procs.append(subprocess.Popen(["dunst"], stdout=log, stderr=subprocess.STDOUT))
        # Wait for our dunst to own the name (asking dunstctl first would activate another).
        running = _wait_for(_service_owned)
        assert running, (tmp_path / "dunst.log").read_text()
        yield env
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()


def _service_owned() -> bool:
    out = subprocess.run(
        [
            "dbus-send", "--session", "--print-reply=literal", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.Notifications",
        ],
        capture_output=True, text=True,
    )  # fmt: skip
    return "true" in out.stdout


def _displayed() -> int:
    out = subprocess.run(["dunstctl", "count", "displayed"], capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def _send(qtbot, notifier: notify.Notifier, title: str = "Time for a break") -> list[str]:  # type: ignore[no-untyped-def]
    got: list[str] = []
    notifier.notify(title, "You've been sitting for 45 min", NUDGE_ACTIONS, got.append)
    qtbot.waitUntil(lambda: _displayed() == 1, timeout=5000)
    return got


def test_default_action_through_dunst_reaches_the_gui_thread(qtbot, desktop) -> None:  # type: ignore[no-untyped-def]
    notifier = choose_notifier()
    try:
        assert isinstance(notifier, FreedesktopNotifier)
        assert notifier.supports_actions
        got = _send(qtbot, notifier)
        threads: list[bool] = []
        from PySide6.QtCore import QThread

        got_cb: list[str] = []

        def on_action(key: str) -> None:
            threads.append(QThread.currentThread() is qtbot_main_thread)
            got_cb.append(key)

        qtbot_main_thread = QThread.currentThread()
        # A second nudge replaces the first (one notification on screen, the newest callback).
        notifier.notify("Time for a break: Dead bug", "again", NUDGE_ACTIONS, on_action)
        qtbot.waitUntil(lambda: notifier.sent == 2, timeout=5000)
        assert _displayed() == 1
        subprocess.run(["dunstctl", "action", "0"], check=True)
        qtbot.waitUntil(lambda: got_cb == [DEFAULT], timeout=5000)
        assert threads == [True]
        assert got == []
        qtbot.waitUntil(lambda: _displayed() == 0, timeout=5000)
    finally:
        notifier.shutdown()


def test_dismissing_and_closing(qtbot, desktop) -> None:  # type: ignore[no-untyped-def]
    notifier = FreedesktopNotifier.connect()
    try:
        got = _send(qtbot, notifier)
        subprocess.run(["dunstctl", "close"], check=True)
        qtbot.waitUntil(lambda: got == [DISMISSED], timeout=5000)
        # close() withdraws a notification and no callback follows.
        got2 = _send(qtbot, notifier)
        notifier.close()
        qtbot.waitUntil(lambda: _displayed() == 0, timeout=5000)
        qtbot.wait(300)
        assert got2 == []
    finally:
        notifier.shutdown()


def test_notify_send_fallback_reports_the_action(qtbot, desktop) -> None:  # type: ignore[no-untyped-def]
    exe = shutil.which("notify-send")
    need(exe is not None, "notify-send missing (libnotify-bin)")
    notifier = NotifySendNotifier(exe or "")
    try:
        got = _send(qtbot, notifier)
        subprocess.run(["dunstctl", "action", "0"], check=True)
        qtbot.waitUntil(lambda: got == [DEFAULT], timeout=5000)
    finally:
        notifier.shutdown()


def test_dnd_follows_dunst_pause(desktop) -> None:  # type: ignore[no-untyped-def]
    assert dnd_active() is False
    subprocess.run(["dunstctl", "set-paused", "true"], check=True)
    assert dnd_active() is True
    watcher = DndWatcher(interval_s=0.1).start()
    try:
        assert _wait_for(lambda: watcher.active)
        subprocess.run(["dunstctl", "set-paused", "false"], check=True)
        assert _wait_for(lambda: not watcher.active)
    finally:
        watcher.stop()


def test_no_service_falls_back_without_crashing(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A bus address nobody listens on: connecting fails quickly, nothing is raised.
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    monkeypatch.delenv(NOTIFIER_ENV, raising=False)
    with pytest.raises(NotificationServiceError):
        FreedesktopNotifier.connect(timeout_s=0.5)
    started = time.monotonic()
    notifier = choose_notifier(tray=None)
    assert time.monotonic() - started < 3.0
    assert isinstance(notifier, NullNotifier)
    notifier.notify("t", "b", NUDGE_ACTIONS, lambda key: None)
    notifier.close()
    notifier.shutdown()


def test_a_bus_without_a_notification_service(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    need(shutil.which("dbus-daemon") is not None, "dbus-daemon missing")
    # No service files to activate (dunst's would otherwise be started on demand).
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        env={**os.environ, "XDG_DATA_DIRS": str(tmp_path)},
    )
    try:
        assert bus.stdout is not None
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.stdout.readline().decode().strip())
        with pytest.raises(NotificationServiceError, match="no notification service"):
            FreedesktopNotifier.connect(timeout_s=0.5)
    finally:
        bus.terminate()
        bus.wait(timeout=5)


def test_forced_routes_and_the_tray_balloon(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    monkeypatch.setenv(NOTIFIER_ENV, "none")
    assert isinstance(choose_notifier(), NullNotifier)
    monkeypatch.setenv(NOTIFIER_ENV, "notify-send")
    if shutil.which("notify-send"):
        assert isinstance(choose_notifier(), NotifySendNotifier)
    # The balloon: a click on it is the default action, delivered queued on the GUI thread.
    tray = QSystemTrayIcon()
    balloon = TrayBalloonNotifier(tray)
    got: list[str] = []
    balloon.notify("Time for a break", "body", NUDGE_ACTIONS, got.append)
    tray.messageClicked.emit()
    assert got == []  # queued, not called inside the emit
    qtbot.waitUntil(lambda: got == [DEFAULT], timeout=2000)
    tray.messageClicked.emit()  # a second click without a new balloon does nothing
    qtbot.wait(50)
    assert got == [DEFAULT]
    balloon.shutdown()
    assert SNOOZE in dict(NUDGE_ACTIONS)
    assert dict(notify.nudge_actions(True)) == {DEFAULT: "Start break", SNOOZE: "Snooze 10 min"}
    assert dict(notify.nudge_actions(True, 2.5))[SNOOZE] == "Snooze 2.5 min"
    assert dict(notify.nudge_actions(False)) == {DEFAULT: "Start break"}


class _FakeRouter:
    """Records the messages a FreedesktopNotifier sends; answers Notify with id 7."""

    def __init__(self) -> None:
        self.sent: list[object] = []

    def filter(self, rule: object, queue: object) -> object:
        class _F:
            def close(self) -> None:
                pass

        return _F()

    def send(self, msg: object) -> None:
        self.sent.append(msg)

    def send_and_get_reply(self, msg: object, timeout: float = 0) -> object:
        from jeepney import new_method_return

        self.sent.append(msg)
        return new_method_return(msg, "u", (7,))

    def close(self) -> None:
        pass


def test_notifications_carry_the_installed_app_id_and_icon(qtbot) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from hipcheck.paths import APP_ID

    router = _FakeRouter()
    notifier = FreedesktopNotifier(router, ["actions"])
    try:
        notifier.notify("Time for a break", "body", notify.nudge_actions(True, 10), lambda k: None)
        qtbot.waitUntil(lambda: notifier.sent == 1, timeout=3000)
    finally:
        notifier.shutdown()
    call = next(m for m in router.sent if getattr(m, "body", None) and len(m.body) == 8)
    app_name, _replaces, icon, _title, _body, actions, hints, _timeout = call.body
    assert app_name == "HipCheck" and icon == APP_ID
    assert hints["desktop-entry"] == ("s", APP_ID)
    assert actions == ["default", "Start break", "snooze", "Snooze 10 min"]
    # The id is the installed desktop file's and icon's name.
    repo = Path(__file__).resolve().parents[2]
    assert (repo / "packaging" / f"{APP_ID}.desktop").is_file()
    assert (repo / "packaging" / "icons" / f"{APP_ID}.svg").is_file()


def test_windows_get_the_app_icon(qapp) -> None:  # type: ignore[no-untyped-def]
    from hipcheck.ui.app import app_icon

    assert not app_icon().isNull()
