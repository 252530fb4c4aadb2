"""Notices when the screen locks or the machine suspends, so monitoring can pause meanwhile.

Three independent sources, any of which may be missing on a given desktop:
* logind's ``PrepareForSleep(bool)`` on the system bus (suspend / resume),
* ``ActiveChanged(bool)`` of ``org.freedesktop.ScreenSaver`` / ``org.gnome.ScreenSaver`` on the
  session bus (screen lock; KDE, GNOME, Xfce, Cinnamon and others),
* a heartbeat comparing monotonic and wall time: on Linux the monotonic clock stops during
  suspend while the wall clock does not, so a wall jump much larger than the monotonic step means
  the machine slept even when no bus told us (no logind, Windows, macOS).
QtDBus is used only to *receive* signals, which it does well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import SLOT, QObject, QTimer, Signal, Slot

from hipcheck.ui.signals import emit

log = logging.getLogger(__name__)

# (object path, interface) of the lock-screen signals of KDE/Xfce/Cinnamon and of GNOME.
_SCREENSAVERS = (
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
)


def wall_jump_s(mono_step_s: float, wall_step_s: float, tolerance_s: float = 20.0) -> float:
    """How many seconds the wall clock ran ahead of the monotonic clock (0 below ``tolerance_s``)."""
    jump = wall_step_s - mono_step_s
    return jump if jump > tolerance_s else 0.0


class SessionWatcher(QObject):
    """Emits ``inactive_changed(True)`` while the screen is locked or the machine sleeps."""

    inactive_changed = Signal(bool)
    # Seconds the machine was asleep, found by the clock check (no bus signal came).
    slept = Signal(float)

    def __init__(
        self,
        *,
        monotonic: Callable[[], float],
        wall: Callable[[], datetime],
        heartbeat_ms: int = 5000,
        use_dbus: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._monotonic = monotonic
        self._wall = wall
        self._locked = False
        self._sleeping = False
        self._last_mono = monotonic()
        self._last_wall = wall()
        self._sleep_started: tuple[float, datetime] | None = None
        self.connected: list[str] = []
        if use_dbus:
            self._connect_dbus()
        self._timer = QTimer(self)
        self._timer.setInterval(heartbeat_ms)
        self._timer.timeout.connect(self.check_clocks)
        self._timer.start()

    @property
    def inactive(self) -> bool:
        """True while locked or asleep."""
        return self._locked or self._sleeping

    def _connect_dbus(self) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:  # QtDBus is absent from some builds (Windows, macOS wheels).
            log.info("QtDBus not available; screen lock detection off")
            return
        system = QDBusConnection.systemBus()
        if system.isConnected() and system.connect(
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            self,
            SLOT("on_prepare_for_sleep(bool)"),
        ):
            self.connected.append("logind")
        session = QDBusConnection.sessionBus()
        if session.isConnected():
            for path, interface in _SCREENSAVERS:
                # Connecting with an empty service accepts the signal from any sender: the
                # screensaver's well-known name may be claimed only after we start.
                if session.connect(
                    "", path, interface, "ActiveChanged", self, SLOT("on_screensaver(bool)")
                ):
                    self.connected.append(f"{interface}@{path}")
        log.info("session watcher listening to: %s", ", ".join(self.connected) or "clock only")

    @Slot(bool)
    def on_prepare_for_sleep(self, going_to_sleep: bool) -> None:
        """logind: True just before suspend, False after resume (then ``slept`` says how long)."""
        log.info("logind PrepareForSleep(%s)", going_to_sleep)
        if going_to_sleep:
            self._sleep_started = (self._monotonic(), self._wall())
        elif self._sleep_started is not None:
            mono0, wall0 = self._sleep_started
            self._sleep_started = None
            mono, wall = self._monotonic(), self._wall()
            jump = wall_jump_s(mono - mono0, (wall - wall0).total_seconds(), tolerance_s=1.0)
            # The heartbeat must not count the same jump a second time.
            self._last_mono, self._last_wall = mono, wall
            if jump > 0:
                emit(self.slept, jump)
        self._set(sleeping=going_to_sleep)

    @Slot(bool)
    def on_screensaver(self, active: bool) -> None:
        """The screensaver (lock screen) became active or inactive."""
        log.info("screensaver ActiveChanged(%s)", active)
        self._set(locked=active)

    def _set(self, *, locked: bool | None = None, sleeping: bool | None = None) -> None:
        before = self.inactive
        if locked is not None:
            self._locked = locked
        if sleeping is not None:
            self._sleeping = sleeping
        if self.inactive != before:
            emit(self.inactive_changed, self.inactive)

    @Slot()
    def check_clocks(self) -> None:
        """Heartbeat: detect a suspend nobody told us about by comparing clock steps."""
        mono, wall = self._monotonic(), self._wall()
        jump = wall_jump_s(mono - self._last_mono, (wall - self._last_wall).total_seconds())
        self._last_mono, self._last_wall = mono, wall
        if jump > 0:
            log.info("wall clock jumped %.0f s past the monotonic clock: the machine slept", jump)
            emit(self.slept, jump)
