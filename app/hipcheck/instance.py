"""One HipCheck per user and data directory: a local socket the running app listens on.

The running tray app calls :func:`serve` with a handler; a second ``hipcheck`` (or ``hipcheck
status|pause|resume``) connects as a client with :func:`request`. The protocol is one JSON object
per line each way::

    -> {"command": "pause", "minutes": 30}
    <- {"ok": true, "paused": true, "paused_until": "2026-01-05T10:30:00+01:00"}

Commands: ``show`` (bring the window forward), ``status``, ``pause`` (optional ``minutes``; none
means until resumed), ``resume``, and ``ping`` (answered by the server itself). The handler's
dict is sent back with ``"ok": true`` added; a ``"message"`` string in it is what ``hipcheck
status|pause|resume`` print (otherwise they print the other keys as ``key: value`` lines). The socket name
includes a hash of the data directory, so runs with different ``--data-dir`` never meet.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from hipcheck.paths import AppPaths, resolve_paths

log = logging.getLogger(__name__)

COMMANDS = ("show", "status", "pause", "resume")
Handler = Callable[[str, dict[str, Any]], dict[str, Any]]

CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 3000
MAX_LINE_BYTES = 64 * 1024


class NotRunning(Exception):
    """No HipCheck instance listens on this data directory's socket."""


class NoReply(NotRunning):
    """An instance accepted the connection but did not answer in time (busy, hung or dying)."""


def socket_name(paths: AppPaths) -> str:
    """The local socket name for ``paths``: per user and per data directory."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers): the data dir still separates
        user = "user"
    digest = hashlib.sha256(str(paths.data_dir.expanduser().resolve()).encode()).hexdigest()[:12]
    safe_user = "".join(c for c in user if c.isalnum())[:16] or "user"
    return f"hipcheck-{safe_user}-{digest}"


def encode(message: dict[str, Any]) -> bytes:
    """One protocol line."""
    return json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one protocol line into a dict; raise ValueError for anything else."""
    value = json.loads(line.decode("utf-8"))
    if not isinstance(value, dict):
        raise ValueError("a protocol message must be a JSON object")
    return value


class InstanceServer(QObject):
    """Listens on the instance socket and answers each request line with ``handler``'s dict.

    Lives on the GUI thread: requests arrive through Qt's event loop, so the handler can touch the
    app's state directly.
    """

    def __init__(self, name: str, handler: Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._handler = handler
        self._server = QLocalServer(self)
        # Only this user may connect (the socket file gets mode 0700-ish on Unix).
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening, clearing a stale socket left by a crashed instance; False on failure."""
        if self._server.listen(self.name):
            return True
        # A socket file whose owner died (kill -9) refuses listen(); nobody answers on it, since
        # serve() asked first, so it is safe to remove.
        QLocalServer.removeServer(self.name)
        ok = self._server.listen(self.name)
        if not ok:
            log.warning("cannot listen on %s: %s", self.name, self._server.errorString())
        return ok

    def close(self) -> None:
        """Stop listening and drop open connections."""
        for sock in list(self._buffers):
            sock.abort()
        self._buffers.clear()
        self._server.close()

    @property
    def listening(self) -> bool:
        """Whether the server accepts connections."""
        return self._server.isListening()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            if sock is None:
                break
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._on_ready_read(s))
            sock.disconnected.connect(lambda s=sock: self._forget(s))

    def _forget(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _on_ready_read(self, sock: QLocalSocket) -> None:
        if sock not in self._buffers:
            return
        data = self._buffers[sock] + bytes(sock.readAll().data())
        while b"\n" in data:
            line, data = data.split(b"\n", 1)
            sock.write(encode(self.answer(line)))
            sock.flush()
        if len(data) > MAX_LINE_BYTES:  # a client that never sends a newline
            sock.abort()
            self._forget(sock)
            return
        self._buffers[sock] = data

    def answer(self, line: bytes) -> dict[str, Any]:
        """The reply to one request line; never raises (a bad request gets ``ok: false``)."""
        try:
            request = decode(line)
        except (ValueError, UnicodeDecodeError) as exc:
            return {"ok": False, "error": f"bad request: {exc}"}
        command = request.get("command")
        if command == "ping":
            return {"ok": True, "pong": True}
        if command not in COMMANDS:
            return {"ok": False, "error": f"unknown command {command!r}"}
        params = {k: v for k, v in request.items() if k != "command"}
        try:
            result = self._handler(str(command), params)
        except Exception as exc:  # a bug in one request must not take the app down
            log.exception("instance command %r failed", command)
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        return {"ok": True, **result}


def request(
    command: str,
    paths: AppPaths | None = None,
    *,
    name: str | None = None,
    timeout_ms: int = REPLY_TIMEOUT_MS,
    **params: Any,
) -> dict[str, Any]:
    """Send one command to the running instance and return its reply; raise NotRunning if none.

    Blocking; needs no Qt event loop, so it works from plain command-line sub-commands.
    """
    target = name if name is not None else socket_name(paths or resolve_paths())
    sock = QLocalSocket()
    sock.connectToServer(target)
    if not sock.waitForConnected(CONNECT_TIMEOUT_MS):
        raise NotRunning(target)
    try:
        sock.write(encode({"command": command, **params}))
        if not sock.waitForBytesWritten(timeout_ms):
            raise NoReply(target)
        data = b""
        while b"\n" not in data:
            if not sock.waitForReadyRead(timeout_ms):
                raise NoReply(target)
            data += bytes(sock.readAll().data())
        return decode(data.split(b"\n", 1)[0])
    finally:
        sock.abort()


def is_running(paths: AppPaths | None = None, *, name: str | None = None) -> bool:
    """Whether an instance listens on the socket (a connection is accepted).

    Accepting is enough: a running app whose GUI thread is busy for a moment still owns the socket,
    and must not have it taken away. A socket file left by a killed instance refuses connections.
    """
    target = name if name is not None else socket_name(paths or resolve_paths())
    sock = QLocalSocket()
    sock.connectToServer(target)
    try:
        return sock.waitForConnected(CONNECT_TIMEOUT_MS)
    finally:
        sock.abort()


def serve(
    handler: Handler,
    paths: AppPaths | None = None,
    *,
    name: str | None = None,
    parent: QObject | None = None,
) -> InstanceServer | None:
    """Become the running instance: listen and answer with ``handler(command, params) -> dict``.

    Returns None when another instance already listens (the caller should then :func:`hand_over`
    and exit). If listening fails for another reason the server is returned anyway with
    ``listening`` False: the app then runs without single-instance protection rather than not at
    all. Needs a QCoreApplication; keep the returned object alive.
    """
    target = name if name is not None else socket_name(paths or resolve_paths())
    if is_running(name=target):
        return None
    server = InstanceServer(target, handler, parent)
    server.listen()
    return server


def hand_over(paths: AppPaths | None = None, *, name: str | None = None) -> bool:
    """Ask a running instance to show its window; True if one did (then do not start another)."""
    try:
        return bool(request("show", paths, name=name).get("ok"))
    except (NotRunning, ValueError):
        return False
