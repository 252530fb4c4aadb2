"""The desktop's idle time over D-Bus: a fake org.freedesktop.ScreenSaver on a private bus."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from tests.conftest import need

from hipcheck.ui.idle import DesktopIdle, IdleWatcher


class FakeScreenSaver:
    """Owns org.freedesktop.ScreenSaver and answers GetSessionIdleTime with ``idle_ms``."""

    def __init__(self, address: str) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.idle_ms = 0
        self.calls = 0
        self.conn = open_dbus_connection(bus=address)
        self.conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.ScreenSaver"))
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        from jeepney import new_error, new_method_return
        from jeepney.low_level import HeaderFields, MessageType

        while not self._stop:
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except Exception:
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            if member == "GetSessionIdleTime":
                self.calls += 1
                self.conn.send(new_method_return(msg, "u", (self.idle_ms,)))
            else:
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.conn.close()


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    need(shutil.which("dbus-daemon") is not None, "dbus-daemon missing (scripts/setup)")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().decode().strip()
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address
    finally:
        daemon.terminate()
        daemon.wait(5)


def test_idle_time_comes_from_the_screensaver_service(bus: str) -> None:
    desktop = DesktopIdle()
    try:
        assert desktop.idle_s() is None  # nobody answers yet: a normal state
        fake = FakeScreenSaver(bus)
        try:
            fake.idle_ms = 150_000
            assert desktop.idle_s() == 150.0 and desktop.source == "screensaver"
            fake.idle_ms = 2_000
            assert desktop.idle_s() == 2.0
        finally:
            fake.close()
    finally:
        desktop.close()


def test_the_watcher_reads_in_the_background(bus: str) -> None:
    fake = FakeScreenSaver(bus)
    fake.idle_ms = 300_000
    watcher = IdleWatcher(interval_s=0.1).start()
    try:
        deadline = time.monotonic() + 5
        while watcher.idle_s is None and time.monotonic() < deadline:
            time.sleep(0.05)
        idle = watcher.idle_s
        assert idle is not None and idle >= 300.0
        fake.idle_ms = 0
        deadline = time.monotonic() + 5
        while watcher.idle_s != 0.0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert watcher.idle_s == 0.0
    finally:
        watcher.stop()
        fake.close()
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"] == bus
