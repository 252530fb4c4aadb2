"""Desktop notifications with actions ("Start break", "Snooze"), chosen once at start-up.

Implementations, in the order ``choose_notifier`` tries them:

* ``FreedesktopNotifier``: org.freedesktop.Notifications over D-Bus (jeepney) with actions; the
  Linux route. Calls and signal handling run on one worker thread, never on the GUI thread.
* ``NotifySendNotifier``: ``notify-send --wait --action=...`` in a thread (Linux without jeepney).
* ``PlyerNotifier``: plyer's notification (Windows, macOS); it has no actions.
* ``TrayBalloonNotifier``: the tray icon's own balloon; a click on it is the default action.
* ``NullNotifier``: shows nothing (the tray icon still changes).

Whatever the route, ``on_action`` is called on the GUI thread (through a queued Qt signal), and a
missing or broken notification service is logged, never raised.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon

from hipcheck.offline import child_environment
from hipcheck.paths import APP_ID

log = logging.getLogger(__name__)

ActionCallback = Callable[[str], None]
Actions = Sequence[tuple[str, str]]

DEFAULT = "default"
SNOOZE = "snooze"
DISMISSED = "dismissed"
"""Passed to ``on_action`` when the user closed the notification without choosing an action."""

START_BREAK = (DEFAULT, "Start break")
APP_NAME = "HipCheck"
# The installed desktop file's id, which is also the icon's name: desktops link a notification
# to the app (and show its icon) by it.
DESKTOP_ENTRY = APP_ID


def nudge_actions(can_snooze: bool, snooze_min: float = 10.0) -> tuple[tuple[str, str], ...]:
    """The actions of a nudge: "Start break", plus "Snooze 10 min" while snoozes are left."""
    if not can_snooze:
        return (START_BREAK,)
    minutes = f"{snooze_min:g}"
    return (START_BREAK, (SNOOZE, f"Snooze {minutes} min"))


NUDGE_ACTIONS = nudge_actions(True)


# Freedesktop "closed" reasons: 1 expired, 2 dismissed by the user, 3 closed by a call.
_REASON_DISMISSED = 2


class Notifier(Protocol):
    """Shows one notification at a time; a new one replaces the last."""

    name: str

    def notify(self, title: str, body: str, actions: Actions, on_action: ActionCallback) -> None:
        """Show a notification; ``on_action(key)`` runs on the GUI thread when the user picks one."""
        ...

    def close(self) -> None:
        """Withdraw the notification shown, if any (no callback follows)."""
        ...

    def shutdown(self) -> None:
        """Release threads and connections (at quit)."""
        ...


class _GuiBridge(QObject):
    """Carries an action from any thread to the thread this object lives in (the GUI thread)."""

    fired = Signal(object, str)

    def __init__(self) -> None:
        super().__init__()
        # A queued connection even when emitted from the GUI thread, so a callback never runs
        # inside the notifier's own code.
        self.fired.connect(self._deliver, type=Qt.ConnectionType.QueuedConnection)

    @Slot(object, str)
    def _deliver(self, callback: ActionCallback, key: str) -> None:
        try:
            callback(key)
        except Exception:  # a failing handler must not take the notifier down with it
            log.exception("notification action handler failed for %r", key)


class NullNotifier:
    """Shows nothing; the tray icon is the only signal."""

    name = "none"

    def notify(self, title: str, body: str, actions: Actions, on_action: ActionCallback) -> None:
        """Log the notification that could not be shown."""
        log.info("no notification service; not shown: %s", title)

    def close(self) -> None:
        """Nothing to close."""

    def shutdown(self) -> None:
        """Nothing to release."""


# ---- freedesktop over D-Bus (jeepney) ----------------------------------------------------------


class NotificationServiceError(RuntimeError):
    """The notification service is missing or refused the call."""


class FreedesktopNotifier:
    """org.freedesktop.Notifications over jeepney; one worker thread does all D-Bus work."""

    name = "freedesktop"

    def __init__(self, router: Any, capabilities: Sequence[str], *, sound: bool = True) -> None:
        from jeepney import DBusAddress, MatchRule

        self._router = router
        self.capabilities = tuple(capabilities)
        self.sound = sound
        self._bridge = _GuiBridge()
        self._addr = DBusAddress(
            "/org/freedesktop/Notifications",
            bus_name="org.freedesktop.Notifications",
            interface="org.freedesktop.Notifications",
        )
        self._jobs: queue.Queue[Any] = queue.Queue()
        rule = MatchRule(
            type="signal",
            interface="org.freedesktop.Notifications",
            path="/org/freedesktop/Notifications",
        )
        # Signals land in the same queue as the jobs, so one thread handles everything in order.
        self._filter = router.filter(rule, queue=self._jobs)
        self._add_match(rule)
        self._current_id = 0
        self._callback: ActionCallback | None = None
        self.sent = 0
        self._thread = threading.Thread(target=self._run, name="hipcheck-notify", daemon=True)
        self._thread.start()

    @classmethod
    def connect(cls, *, sound: bool = True, timeout_s: float = 1.0) -> FreedesktopNotifier:
        """Connect to the session bus and check the service; NotificationServiceError if absent."""
        try:
            from jeepney import DBusAddress, new_method_call
            from jeepney.io.threading import DBusRouter, open_dbus_connection
        except ImportError as exc:
            raise NotificationServiceError(f"jeepney is not available ({exc})") from exc
        try:
            router = DBusRouter(open_dbus_connection(bus="SESSION"))
        except Exception as exc:  # no session bus, bad address, refused connection
            raise NotificationServiceError(f"no D-Bus session bus ({exc})") from exc
        try:
            addr = DBusAddress(
                "/org/freedesktop/Notifications",
                bus_name="org.freedesktop.Notifications",
                interface="org.freedesktop.Notifications",
            )
            reply = router.send_and_get_reply(
                new_method_call(addr, "GetCapabilities"), timeout=timeout_s
            )
            caps = _unwrap(reply)[0]
        except Exception as exc:
            router.close()
            raise NotificationServiceError(f"no notification service ({exc})") from exc
        return cls(router, caps, sound=sound)

    @property
    def supports_actions(self) -> bool:
        """True if the service shows action buttons."""
        return "actions" in self.capabilities

    def _add_match(self, rule: Any) -> None:
        from jeepney.bus_messages import message_bus

        # AddMatch has no useful reply; sending it without waiting keeps start-up short.
        self._router.send(message_bus.AddMatch(rule))

    def notify(self, title: str, body: str, actions: Actions, on_action: ActionCallback) -> None:
        """Queue the notification for the worker thread; returns at once."""
        self._jobs.put(("notify", title, body, tuple(actions), on_action))

    def close(self) -> None:
        """Queue closing the shown notification."""
        self._jobs.put(("close",))

    def shutdown(self) -> None:
        """Stop the worker and close the bus connection."""
        self._jobs.put(("stop",))
        self._thread.join(timeout=2.0)
        with contextlib.suppress(Exception):
            self._filter.close()
            self._router.close()

    def _run(self) -> None:
        from jeepney import Message

        while True:
            item = self._jobs.get()
            try:
                if isinstance(item, Message):
                    self._signal(item)
                elif item[0] == "notify":
                    self._notify(*item[1:])
                elif item[0] == "close":
                    self._close()
                elif item[0] == "stop":
                    return
            except Exception as exc:  # the service went away: log, keep the app running
                log.warning("notification failed: %s", exc)

    def _notify(self, title: str, body: str, actions: Actions, on_action: ActionCallback) -> None:
        from jeepney import new_method_call

        flat: list[str] = []
        for key, label in actions:
            flat += [key, label]
        hints: dict[str, tuple[str, Any]] = {
            "urgency": ("y", 1),
            "desktop-entry": ("s", DESKTOP_ENTRY),
            "category": ("s", "presence"),
            "suppress-sound": ("b", not self.sound),
        }
        msg = new_method_call(
            self._addr,
            "Notify",
            "susssasa{sv}i",
            # replaces_id: a repeat nudge replaces the one still shown; 0 = never expire.
            (APP_NAME, self._current_id, DESKTOP_ENTRY, title, body, flat, hints, 0),
        )
        reply = self._router.send_and_get_reply(msg, timeout=2.0)
        self._current_id = int(_unwrap(reply)[0])
        self._callback = on_action
        self.sent += 1

    def _close(self) -> None:
        from jeepney import new_method_call

        if not self._current_id:
            return
        nid, self._current_id, self._callback = self._current_id, 0, None
        msg = new_method_call(self._addr, "CloseNotification", "u", (nid,))
        self._router.send_and_get_reply(msg, timeout=2.0)

    def _signal(self, msg: Any) -> None:
        from jeepney import new_method_call

        member = msg.header.fields.get(_member_field())
        body = msg.body
        if not body or int(body[0]) != self._current_id or self._callback is None:
            return
        if member == "ActionInvoked":
            key = str(body[1])
        elif member == "NotificationClosed" and int(body[1]) == _REASON_DISMISSED:
            key = DISMISSED
        elif member == "NotificationClosed":
            key = ""
        else:
            return
        callback, self._callback, self._current_id = self._callback, None, 0
        if member == "ActionInvoked":
            # Some servers (dunst) keep the notification after an action; the break window
            # takes over, so withdraw it without waiting for the reply.
            self._router.send(new_method_call(self._addr, "CloseNotification", "u", (body[0],)))
        if key:
            self._bridge.fired.emit(callback, key)


def _member_field() -> Any:
    from jeepney.low_level import HeaderFields

    return HeaderFields.member


def _unwrap(reply: Any) -> tuple[Any, ...]:
    """The body of a method reply; an error reply becomes NotificationServiceError."""
    from jeepney.low_level import MessageType

    if reply.header.message_type == MessageType.error:
        raise NotificationServiceError(str(reply.body[0] if reply.body else "D-Bus error"))
    return tuple(reply.body)


# ---- notify-send in a thread (fallback on Linux) -----------------------------------------------


class NotifySendNotifier:
    """``notify-send --wait`` with actions, run in a thread; its stdout names the action."""

    name = "notify-send"

    def __init__(self, executable: str, *, sound: bool = True) -> None:
        self.executable = executable
        self.sound = sound
        self._bridge = _GuiBridge()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None

    def notify(self, title: str, body: str, actions: Actions, on_action: ActionCallback) -> None:
        """Start notify-send in a thread; returns at once."""
        self.close()
        cmd = [self.executable, f"--app-name={APP_NAME}", f"--icon={DESKTOP_ENTRY}"]
        cmd += [f"--hint=string:desktop-entry:{DESKTOP_ENTRY}", "--wait", "--expire-time=0"]
        cmd += [f"--action={key}={label}" for key, label in actions]
        if not self.sound:
            cmd.append("--hint=boolean:suppress-sound:true")
        cmd += ["--", title, body]
        threading.Thread(
            target=self._wait, args=(cmd, on_action), name="hipcheck-notify-send", daemon=True
        ).start()

    def _wait(self, cmd: list[str], on_action: ActionCallback) -> None:
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=child_environment(),
            )
        except OSError as exc:
            log.warning("notify-send failed: %s", exc)
            return
        with self._lock:
            self._proc = proc
        out, _ = proc.communicate()
        with self._lock:
            withdrawn = self._proc is not proc
            if not withdrawn:
                self._proc = None
        key = out.strip().splitlines()[-1] if out.strip() else ""
        if key and not withdrawn:
            self._bridge.fired.emit(on_action, key)

    def close(self) -> None:
        """Stop waiting for the shown notification (its callback will not run)."""
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()

    def shutdown(self) -> None:
        """Stop waiting."""
        self.close()


# ---- plyer (Windows, macOS) ------------------------------------------------------------------


class PlyerNotifier:
    """plyer's notification, in a thread because some back ends block; no actions."""

    name = "plyer"

    def __init__(self, notification: Any) -> None:
        self._notification = notification

    @classmethod
    def load(cls) -> PlyerNotifier:
        """plyer's platform notification; NotificationServiceError if it has none here."""
        try:
            from plyer import notification
        except Exception as exc:
            raise NotificationServiceError(f"plyer is not available ({exc})") from exc
        try:
            # The proxy loads the platform back end on first attribute access.
            notification._ensure_obj()
            impl = object.__getattribute__(notification, "_obj")
        except Exception as exc:
            raise NotificationServiceError(f"plyer has no back end here ({exc})") from exc
        if impl is None or type(impl).__module__.startswith("plyer.facades"):
            raise NotificationServiceError("plyer has no notification back end on this platform")
        return cls(notification)

    def notify(self, title: str, body: str, actions: Actions, on_action: ActionCallback) -> None:
        """Show the notification from a thread; actions cannot be offered."""
        threading.Thread(target=self._show, args=(title, body), daemon=True).start()

    def _show(self, title: str, body: str) -> None:
        try:
            self._notification.notify(title=title, message=body, app_name=APP_NAME, timeout=30)
        except Exception as exc:
            log.warning("plyer notification failed: %s", exc)

    def close(self) -> None:
        """plyer cannot withdraw a notification."""

    def shutdown(self) -> None:
        """Nothing to release."""


# ---- the tray's balloon ----------------------------------------------------------------------


class TrayBalloonNotifier:
    """``QSystemTrayIcon.showMessage``; a click on the balloon is the default action."""

    name = "tray"

    def __init__(self, tray: QSystemTrayIcon, *, timeout_ms: int = 30_000) -> None:
        self._tray = tray
        self._timeout_ms = timeout_ms
        self._callback: ActionCallback | None = None
        self._bridge = _GuiBridge()
        tray.messageClicked.connect(self._clicked)

    def notify(self, title: str, body: str, actions: Actions, on_action: ActionCallback) -> None:
        """Show the balloon (on the GUI thread, where this is called)."""
        self._callback = on_action
        self._tray.showMessage(
            title, body, QSystemTrayIcon.MessageIcon.Information, self._timeout_ms
        )

    def _clicked(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            self._bridge.fired.emit(callback, DEFAULT)

    def close(self) -> None:
        """Forget the balloon's callback (Qt cannot hide a balloon)."""
        self._callback = None

    def shutdown(self) -> None:
        """Disconnect from the tray."""
        self._callback = None
        with contextlib.suppress(RuntimeError):
            self._tray.messageClicked.disconnect(self._clicked)


# ---- choosing, once, at start-up ----------------------------------------------------------------

NOTIFIER_ENV = "HIPCHECK_NOTIFIER"
"""Force a route: freedesktop, notify-send, plyer, tray or none (falls back if it cannot work)."""


def choose_notifier(
    tray: QSystemTrayIcon | None = None, *, sound: bool = True, timeout_s: float = 1.0
) -> Notifier:
    """The best notifier this desktop offers; never raises. Call once, from the GUI thread."""
    forced = os.environ.get(NOTIFIER_ENV, "").strip().lower()
    linux = sys.platform.startswith(("linux", "freebsd", "openbsd"))
    tried: list[str] = []

    def wanted(name: str, default: bool) -> bool:
        return forced == name if forced else default

    if wanted("freedesktop", linux):
        try:
            return FreedesktopNotifier.connect(sound=sound, timeout_s=timeout_s)
        except NotificationServiceError as exc:
            tried.append(f"freedesktop: {exc}")
    notify_send = shutil.which("notify-send")
    # notify-send talks to the same service, so it only helps where jeepney itself is missing.
    if wanted("notify-send", linux and not _jeepney_importable()) and notify_send:
        return NotifySendNotifier(notify_send, sound=sound)
    if wanted("plyer", not linux):
        try:
            return PlyerNotifier.load()
        except NotificationServiceError as exc:
            tried.append(f"plyer: {exc}")
    if (
        wanted("tray", True)
        and tray is not None
        and QSystemTrayIcon.isSystemTrayAvailable()
        and QSystemTrayIcon.supportsMessages()
    ):
        return TrayBalloonNotifier(tray)
    if tried:
        log.warning("no desktop notifications (%s)", "; ".join(tried))
    return NullNotifier()


def _jeepney_importable() -> bool:
    try:
        import jeepney  # noqa: F401
    except ImportError:
        return False
    return True


# ---- do not disturb ------------------------------------------------------------------------


def _run_quick(cmd: list[str], timeout_s: float) -> str | None:
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
            env=child_environment(),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip().lower() if done.returncode == 0 else None


def dnd_active(timeout_s: float = 0.5) -> bool:
    """Best effort: True if the desktop is in do-not-disturb (dunst paused, GNOME banners off).

    Each probe is bounded by ``timeout_s``; call it from a timer every minute or so, or through
    ``DndWatcher`` to keep it off the GUI thread entirely.
    """
    if shutil.which("dunstctl") and _run_quick(["dunstctl", "is-paused"], timeout_s) == "true":
        return True
    if shutil.which("gsettings"):
        banners = _run_quick(
            ["gsettings", "get", "org.gnome.desktop.notifications", "show-banners"], timeout_s
        )
        if banners == "false":
            return True
    return False


class DndWatcher:
    """Polls ``dnd_active`` on a background thread; ``active`` reads the latest answer at once."""

    def __init__(self, interval_s: float = 30.0, probe: Callable[[], bool] = dnd_active) -> None:
        self.interval_s = interval_s
        self._probe = probe
        self._active = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hipcheck-dnd", daemon=True)

    @property
    def active(self) -> bool:
        """The last probe's answer (False until the first probe finished)."""
        return self._active

    def start(self) -> DndWatcher:
        """Start polling; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._active = self._probe()
            except Exception as exc:  # a probe must never end the watcher
                log.debug("do-not-disturb probe failed: %s", exc)
            self._stop.wait(self.interval_s)
