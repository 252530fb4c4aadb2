"""How long the user has not touched keyboard or mouse, from the desktop, over D-Bus (jeepney).

Asked in this order, the first that answers wins and is kept:

* ``org.gnome.Mutter.IdleMonitor.GetIdletime`` (GNOME; milliseconds) on the session bus,
* ``org.freedesktop.ScreenSaver.GetSessionIdleTime`` (KDE and others; milliseconds) on the
  session bus,
* logind's session ``IdleHint`` / ``IdleSinceHintMonotonic`` on the system bus (set by the
  desktop after its idle delay; microseconds of CLOCK_MONOTONIC).

No desktop answering is a normal state (``idle_s`` stays None): the timer then counts every
minute as time at the computer. ``IdleWatcher`` polls on its own thread, so a slow bus never
blocks the GUI.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 0.5


def _call(router: Any, bus_name: str, path: str, interface: str, method: str) -> tuple[Any, ...]:
    from jeepney import DBusAddress, new_method_call
    from jeepney.low_level import MessageType

    addr = DBusAddress(path, bus_name=bus_name, interface=interface)
    reply = router.send_and_get_reply(new_method_call(addr, method), timeout=CALL_TIMEOUT_S)
    if reply.header.message_type == MessageType.error:
        raise OSError(str(reply.body[0] if reply.body else "D-Bus error"))
    return tuple(reply.body)


def mutter_idle_s(router: Any) -> float:
    """GNOME Shell's idle time in seconds."""
    body = _call(
        router,
        "org.gnome.Mutter.IdleMonitor",
        "/org/gnome/Mutter/IdleMonitor/Core",
        "org.gnome.Mutter.IdleMonitor",
        "GetIdletime",
    )
    return float(body[0]) / 1000.0


def screensaver_idle_s(router: Any) -> float:
    """The freedesktop screensaver's session idle time in seconds."""
    body = _call(
        router,
        "org.freedesktop.ScreenSaver",
        "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver",
        "GetSessionIdleTime",
    )
    return float(body[0]) / 1000.0


def logind_idle_s(router: Any, monotonic_s: Callable[[], float] = time.monotonic) -> float:
    """Seconds since logind's idle hint was set for this session (0 while not idle)."""
    from jeepney import DBusAddress, Properties

    session = DBusAddress(
        "/org/freedesktop/login1/session/auto",
        bus_name="org.freedesktop.login1",
        interface="org.freedesktop.login1.Session",
    )
    props = Properties(session)
    hint = router.send_and_get_reply(props.get("IdleHint"), timeout=CALL_TIMEOUT_S).body
    if not hint or not bool(hint[0][1]):
        return 0.0
    since = router.send_and_get_reply(
        props.get("IdleSinceHintMonotonic"), timeout=CALL_TIMEOUT_S
    ).body
    since_us = float(since[0][1])
    return max(0.0, monotonic_s() - since_us / 1e6)


class DesktopIdle:
    """Asks the desktop for the idle time; remembers which service answered."""

    def __init__(self) -> None:
        self._routers: dict[str, Any] = {}
        self.source: str | None = None
        self.silent = False  # said once that no service answers
        self._probes: list[tuple[str, str, Callable[[Any], float]]] = [
            ("SESSION", "mutter", mutter_idle_s),
            ("SESSION", "screensaver", screensaver_idle_s),
            ("SYSTEM", "logind", logind_idle_s),
        ]

    def _router(self, bus: str) -> Any:
        router = self._routers.get(bus)
        if router is None:
            from jeepney.io.threading import DBusRouter, open_dbus_connection

            router = DBusRouter(open_dbus_connection(bus=bus))
            self._routers[bus] = router
        return router

    def idle_s(self) -> float | None:
        """Seconds without input, or None when no desktop service tells."""
        probes = self._probes
        if self.source is not None:
            probes = [p for p in probes if p[1] == self.source]
        for bus, name, probe in probes:
            try:
                value = probe(self._router(bus))
            except Exception as exc:  # missing service or bus: try the next one
                if not self.silent:
                    log.debug("idle time from %s: %s", name, exc)
                continue
            if self.source != name:
                log.info("idle time from %s", name)
                self.source = name
            return value
        if self.source is not None or not self.silent:
            log.info(
                f"idle time from {self.source} no longer answers"
                if self.source is not None
                else "the desktop tells no idle time; time away from the keyboard is not noticed"
            )
            self.source = None
            self.silent = True
        return None

    def close(self) -> None:
        """Close the bus connections."""
        for router in self._routers.values():
            try:
                router.close()
            except Exception:  # closing a dead connection
                log.debug("closing a D-Bus connection failed", exc_info=True)
        self._routers.clear()


class IdleWatcher:
    """Polls the desktop's idle time on a thread; ``idle_s`` reads the latest answer at once."""

    def __init__(
        self, interval_s: float = 5.0, probe: Callable[[], float | None] | None = None
    ) -> None:
        self.interval_s = interval_s
        self._desktop: DesktopIdle | None = None
        if probe is None:
            self._desktop = DesktopIdle()
            probe = self._desktop.idle_s
        self._probe = probe
        self._idle: float | None = None
        self._at = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hipcheck-idle", daemon=True)

    @property
    def idle_s(self) -> float | None:
        """The idle time now: the last answer plus the time since, while the user stayed idle."""
        with self._lock:
            idle, at = self._idle, self._at
        if idle is None:
            return None
        return idle + max(0.0, time.monotonic() - at) if idle > 0 else 0.0

    def start(self) -> IdleWatcher:
        """Start polling; returns self."""
        self._thread.start()
        return self

    def poll_now(self) -> None:
        """Ask again without waiting for the interval."""
        self._wake.set()

    def stop(self) -> None:
        """Stop polling and close the bus connections."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=2.0)
        if self._desktop is not None:
            self._desktop.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                idle = self._probe()
            except Exception as exc:  # a probe must never end the watcher
                log.debug("idle probe failed: %s", exc)
                idle = None
            with self._lock:
                self._idle, self._at = idle, time.monotonic()
            # Nobody answers: ask again now and then (a desktop may start its service later).
            self._wake.wait(self.interval_s if idle is not None else 12 * self.interval_s)
            self._wake.clear()
