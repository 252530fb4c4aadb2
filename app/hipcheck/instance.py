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

On Unix the socket lives where only this user can create names: ``$XDG_RUNTIME_DIR`` when it is
this user's private folder, else a 0700 folder of ours in the temp folder whose owner and mode are
checked. A name held by someone else (a socket of another user, a plain file) is an error that
says so (``SocketHeld``); it is never taken for a running HipCheck and never replaced, and the app
does not run without its socket. A client checks the server's user id (``SO_PEERCRED``) too.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import logging
import os
import socket
import stat
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from hipcheck.errors import UserError
from hipcheck.paths import AppPaths, resolve_paths

log = logging.getLogger(__name__)

COMMANDS = ("show", "status", "pause", "resume")
Handler = Callable[[str, dict[str, Any]], dict[str, Any]]

CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 3000
MAX_LINE_BYTES = 64 * 1024
# A request is a command and a number; anything longer is refused before it is parsed.
MAX_REQUEST_BYTES = 4096
_POSIX = os.name == "posix"


class NotRunning(Exception):
    """No HipCheck instance listens on this data directory's socket."""


class NoReply(NotRunning):
    """An instance accepted the connection but did not answer in time (busy, hung or dying)."""


class SocketHeld(UserError):
    """The socket's name (or its folder) is held by another user or by something not a socket."""


def _owner(uid: int) -> str:
    """A user's name for messages ("uid N" when it has none)."""
    try:
        import pwd

        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _private_folder_problem(folder: Path) -> str | None:
    """Why ``folder`` is not a folder only this user controls, or None if it is."""
    try:
        st = folder.lstat()
    except OSError as exc:
        return f"{folder} cannot be used ({exc.strerror or exc})"
    if not stat.S_ISDIR(st.st_mode):
        return f"{folder} is not a folder"
    if st.st_uid != os.geteuid():
        return f"the folder {folder} belongs to another user, {_owner(st.st_uid)}"
    if stat.S_IMODE(st.st_mode) & 0o077:
        return (
            f"the folder {folder} can be written by other users (mode {stat.S_IMODE(st.st_mode):o})"
        )
    return None


def runtime_dir() -> Path:
    """The folder for the socket: ``$XDG_RUNTIME_DIR`` if it is this user's private folder, else
    ``<temp>/hipcheck-<uid>``, created 0700 and checked (SocketHeld if someone else holds it)."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and Path(xdg).is_absolute() and _private_folder_problem(Path(xdg)) is None:
        return Path(xdg)
    folder = Path(tempfile.gettempdir()) / f"hipcheck-{os.geteuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    with contextlib.suppress(OSError):
        st = folder.lstat()
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid():
            os.chmod(folder, 0o700)  # ours: whatever the umask made of it
    problem = _private_folder_problem(folder)
    if problem is not None:
        raise SocketHeld(
            f"{problem}; HipCheck keeps its control socket there, so it cannot run safely "
            "(set XDG_RUNTIME_DIR to a private folder, or remove that folder)"
        )
    return folder


def socket_name(paths: AppPaths) -> str:
    """The local socket for ``paths``: per user and per data directory.

    On Unix a full path in :func:`runtime_dir`; elsewhere a name that includes the user.
    """
    digest = hashlib.sha256(str(paths.data_dir.expanduser().resolve()).encode()).hexdigest()[:12]
    if _POSIX:
        return str(runtime_dir() / f"hipcheck-{digest}")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers): the data dir still separates
        user = "user"
    safe_user = "".join(c for c in user if c.isalnum())[:16] or "user"
    return f"hipcheck-{safe_user}-{digest}"


def check_name(name: str) -> None:
    """Raise SocketHeld if something other than this user's socket holds the socket path."""
    if not _POSIX or not name.startswith("/"):
        return
    try:
        st = os.lstat(name)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise SocketHeld(f"the control socket {name} cannot be checked ({exc})") from None
    if not stat.S_ISSOCK(st.st_mode):
        raise SocketHeld(
            f"{name} is not HipCheck's control socket (something else holds its name); "
            "HipCheck will not replace it"
        )
    if st.st_uid != os.geteuid():
        raise SocketHeld(
            f"the control socket {name} belongs to another user, {_owner(st.st_uid)}; "
            "HipCheck will not talk to it or replace it"
        )


def _check_peer(sock: QLocalSocket, name: str) -> None:
    """Raise SocketHeld if the process at the other end runs as another user (Linux)."""
    peercred = getattr(socket, "SO_PEERCRED", None)
    fd = int(sock.socketDescriptor())
    if peercred is None or fd < 0:
        return
    with socket.socket(fileno=os.dup(fd)) as peer:
        creds = peer.getsockopt(socket.SOL_SOCKET, peercred, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    if uid != os.geteuid():
        raise SocketHeld(
            f"the control socket {name} is served by another user, {_owner(uid)}; "
            "HipCheck will not talk to it"
        )


def encode(message: dict[str, Any]) -> bytes:
    """One protocol line."""
    return json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one protocol line into a dict; raise ValueError for anything else (too deep too)."""
    try:
        value = json.loads(line.decode("utf-8"))
    except RecursionError:
        raise ValueError("a protocol message is nested too deeply") from None
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
        self.error = ""

    def listen(self) -> bool:
        """Start listening, clearing a stale socket left by a crashed instance; False on failure."""
        if self._server.listen(self.name):
            return True
        # A socket file whose owner died (kill -9) refuses listen(); nobody answers on it, since
        # serve() asked first, so it is safe to remove, once it is known to be our own socket.
        check_name(self.name)
        QLocalServer.removeServer(self.name)
        ok = self._server.listen(self.name)
        if not ok:
            self.error = self._server.errorString()
            log.warning("cannot listen on %s: %s", self.name, self.error)
        return ok

    def close(self) -> None:
        """Stop listening and drop open connections."""
        for sock in list(self._buffers):
            with contextlib.suppress(RuntimeError):  # already deleted by Qt: nothing to abort
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
            if sock not in self._buffers:  # the client left while we answered: forgotten
                return
        if len(data) > MAX_REQUEST_BYTES:  # too long to be a request: answer it, then hang up
            sock.write(encode(self.answer(data)))
            sock.flush()
            if self._buffers.pop(sock, None) is not None:  # read no more from it
                sock.disconnectFromServer()  # once the reply is written; then _forget
            return
        self._buffers[sock] = data

    def answer(self, line: bytes) -> dict[str, Any]:
        """The reply to one request line; never raises (a bad request gets ``ok: false``)."""
        if len(line) > MAX_REQUEST_BYTES:
            return {"ok": False, "error": f"bad request: longer than {MAX_REQUEST_BYTES} bytes"}
        try:
            request = decode(line)
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
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
    sock = _connect(target)
    if sock is None:
        raise NotRunning(target)
    try:
        sock.write(encode({"command": command, **params}))
        if not sock.waitForBytesWritten(timeout_ms):
            raise NoReply(target)
        data = b""
        while b"\n" not in data:
            if len(data) > MAX_LINE_BYTES:
                raise ValueError("the reply is too long")
            if not sock.waitForReadyRead(timeout_ms):
                raise NoReply(target)
            data += bytes(sock.readAll().data())
        return decode(data.split(b"\n", 1)[0])
    finally:
        sock.abort()


def _connect(target: str) -> QLocalSocket | None:
    """A connection to our own instance at ``target``, None if nothing listens there.

    SocketHeld if the name or the listening process belongs to someone else.
    """
    check_name(target)
    sock = QLocalSocket()
    sock.connectToServer(target)
    if not sock.waitForConnected(CONNECT_TIMEOUT_MS):
        sock.abort()
        return None
    try:
        _check_peer(sock, target)
    except BaseException:
        sock.abort()
        raise
    return sock


def is_running(paths: AppPaths | None = None, *, name: str | None = None) -> bool:
    """Whether an instance listens on the socket (a connection is accepted).

    Accepting is enough: a running app whose GUI thread is busy for a moment still owns the socket,
    and must not have it taken away. A socket file left by a killed instance refuses connections.
    """
    target = name if name is not None else socket_name(paths or resolve_paths())
    sock = _connect(target)
    if sock is None:
        return False
    sock.abort()
    return True


def serve(
    handler: Handler,
    paths: AppPaths | None = None,
    *,
    name: str | None = None,
    parent: QObject | None = None,
) -> InstanceServer | None:
    """Become the running instance: listen and answer with ``handler(command, params) -> dict``.

    Returns None when another instance already listens (the caller should then :func:`hand_over`
    and exit). Raises SocketHeld when someone else holds the name, and UserError when listening
    fails otherwise: two apps writing one history would be worse than none starting. Needs a
    QCoreApplication; keep the returned object alive.
    """
    target = name if name is not None else socket_name(paths or resolve_paths())
    if is_running(name=target):
        return None
    server = InstanceServer(target, handler, parent)
    if not server.listen():
        raise UserError(f"cannot open the control socket {target}: {server.error}")
    return server


def hand_over(paths: AppPaths | None = None, *, name: str | None = None) -> bool:
    """Ask a running instance to show its window; True if one did (then do not start another)."""
    try:
        return bool(request("show", paths, name=name).get("ok"))
    except (NotRunning, ValueError):
        return False
