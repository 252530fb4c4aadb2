"""The control socket against other local users and hostile clients.

Each row of the first table is something another user (or a mistake) leaves where HipCheck's
socket belongs. ``hipcheck status``, ``pause`` and the tray app must say so in one line and exit 2:
never "already running", never "not running" (the app would start a second writer), never
replace it, never talk to it. Rows that need a second user id run as ``nobody`` through setuid
when the tests run as root. Then hostile text from a socket, and hostile clients of the server.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.test_instance import cli, finish

from hipcheck.commands.status import NOT_RUNNING
from hipcheck.instance import InstanceServer, serve, socket_name
from hipcheck.paths import resolve_paths

NOBODY = 65534
AS_NOBODY = "import os; os.setgid({uid}); os.setuid({uid}); "


def need_root() -> None:
    """Rows with a second user id need root to become ``nobody`` (skipped otherwise)."""
    if os.geteuid() != 0:
        pytest.skip("a second user id needs root (setuid to nobody)")


@pytest.fixture
def private_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private $XDG_RUNTIME_DIR for this test (children inherit it)."""
    run = tmp_path / "run"
    run.mkdir()
    run.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    return run


def hipcheck(data_dir: Path, *argv: str, env: dict[str, str] | None = None) -> Any:
    """Run ``hipcheck --data-dir DATA_DIR ARGV`` to the end (nothing of ours answers)."""
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data_dir), *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


# ---- squatters: what is at the socket's name, and how to put it there ----------------------------


def plain_file(path: Path) -> Callable[[], bool]:
    path.write_text("not a socket\n")
    return lambda: path.read_text() == "not a socket\n"


def a_folder(path: Path) -> Callable[[], bool]:
    path.mkdir()
    return path.is_dir


def foreign_socket(path: Path) -> Callable[[], bool]:
    """A listening socket whose file belongs to ``nobody`` (chown, as another user's would)."""
    need_root()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.listen()
    os.chown(path, NOBODY, NOBODY)
    return lambda: path.is_socket() and path.stat().st_uid == NOBODY and sock.fileno() >= 0


def foreign_listener(path: Path) -> Callable[[], bool]:
    """A process running as ``nobody`` listening at the name and answering like HipCheck."""
    need_root()
    code = (
        "import os, socket, sys\n"
        f"s = socket.socket(socket.AF_UNIX); s.bind({str(path)!r})\n"
        + AS_NOBODY.format(uid=NOBODY)
        + "\ns.listen(); print('up', flush=True)\n"
        "while True:\n"
        "    c, _ = s.accept()\n"
        "    try:\n"
        "        c.recv(4096)\n"
        '        c.sendall(b\'{"ok": true, "message": "\\\\u001b]0;owned\\\\u0007Paused"}\\n\')\n'
        "    except OSError:\n"
        "        pass  # the client hung up first\n"
        "    c.close()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "up"
    SQUATTERS.append(proc)
    return lambda: proc.poll() is None and path.is_socket()


SQUATTERS: list[subprocess.Popen[str]] = []


@dataclass(frozen=True)
class Squat:
    """One thing at the socket's name and the words the error must use."""

    name: str
    make: Callable[[Path], Callable[[], bool]]  # returns "is it still there, untouched?"
    message: str


SQUATS = [
    Squat("a plain file", plain_file, "is not HipCheck's control socket"),
    Squat("a folder", a_folder, "is not HipCheck's control socket"),
    Squat("a socket of another user", foreign_socket, "belongs to another user, "),
    Squat("a listener running as another user", foreign_listener, "served by another user, "),
]


@pytest.fixture(autouse=True)
def _stop_squatters() -> Any:
    yield
    while SQUATTERS:
        proc = SQUATTERS.pop()
        proc.kill()
        proc.wait(10)


@pytest.mark.parametrize("argv", [["status"], ["pause", "5"], ["resume"], ["--source", "0"]])
@pytest.mark.parametrize("squat", SQUATS, ids=[s.name for s in SQUATS])
def test_a_name_held_by_someone_else_is_an_error_that_says_so(
    private_run: Path, tmp_path: Path, squat: Squat, argv: list[str]
) -> None:
    data = tmp_path / "data"
    path = Path(socket_name(resolve_paths(data)))
    assert path.parent == private_run
    untouched = squat.make(path)
    proc = hipcheck(data, *argv)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipcheck: error: "), proc.stderr
    assert squat.message in lines[0] and str(path) in lines[0]
    assert "already running" not in proc.stderr and "not running" not in proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr and proc.stdout == ""
    assert untouched(), "the squatter's name was replaced"
    # Nothing was started: no history was created beside it.
    assert not (data / "hipcheck.sqlite3").exists()


def test_a_runtime_folder_made_by_another_user_is_refused(tmp_path: Path) -> None:
    """Without $XDG_RUNTIME_DIR the socket folder is <temp>/hipcheck-<uid>: made by nobody first."""
    need_root()
    # pytest's own temp folders are 0700: nobody needs a way in, like the real /tmp.
    shared = Path(tempfile.mkdtemp(prefix="hipcheck-shared-", dir="/tmp"))
    shared.chmod(0o1777)
    try:
        runtime_folder_squatted(shared, tmp_path)
    finally:
        shutil.rmtree(shared)


def runtime_folder_squatted(shared: Path, tmp_path: Path) -> None:
    """``nobody`` makes HipCheck's socket folder in the shared temp folder first."""
    folder = shared / f"hipcheck-{os.geteuid()}"
    code = AS_NOBODY.format(uid=NOBODY) + f"os.mkdir({str(folder)!r}, 0o777)"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert folder.stat().st_uid == NOBODY
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env["TMPDIR"] = str(shared)
    for argv in (["status"], ["--source", "0"]):
        proc = hipcheck(tmp_path / "data", *argv, env=env)
        assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
        assert f"the folder {folder} belongs to another user, " in proc.stderr
        assert list(folder.iterdir()) == []


def test_a_runtime_dir_others_can_write_is_not_used(tmp_path: Path) -> None:
    """A world-writable $XDG_RUNTIME_DIR is not private: the socket goes to a folder of ours."""
    shared = tmp_path / "run"
    shared.mkdir()
    shared.chmod(0o1777)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "XDG_RUNTIME_DIR": str(shared), "TMPDIR": str(temp)}
    proc = hipcheck(tmp_path / "data", "status", env=env)
    assert (proc.returncode, proc.stderr) == (1, NOT_RUNNING + "\n")
    ours = temp / f"hipcheck-{os.geteuid()}"
    assert ours.is_dir() and (ours.stat().st_mode & 0o777) == 0o700
    assert list(shared.iterdir()) == []


# ---- hostile text from the socket ---------------------------------------------------------------


def served_cli(qtbot: Any, handler: Any, data_dir: Path, *argv: str) -> tuple[int, str, str]:
    """Run ``hipcheck ARGV`` against a server of ours answering with ``handler``."""
    server = serve(handler, resolve_paths(data_dir))
    assert server is not None
    try:
        return finish(qtbot, cli(data_dir, *argv))
    finally:
        server.close()


HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b[31mPaused\x9b6n\x00 rtsp://bob:s3cret@cam/x"


@pytest.mark.parametrize(
    ("argv", "visible"),
    [
        (["status"], "HipCheck cannot watch: Paused rtsp://***@cam/x."),
        (["status", "--json"], '"camera_message": "Paused rtsp://***@cam/x"'),
        (["pause", "5"], "Paused rtsp://***@cam/x"),
        (["resume"], "Paused rtsp://***@cam/x"),
    ],
)
def test_text_from_the_socket_is_printed_without_control_characters(
    qtbot: Any, private_run: Path, tmp_path: Path, argv: list[str], visible: str
) -> None:
    def handler(command: str, params: dict[str, Any]) -> dict[str, Any]:
        if command == "status":
            return {
                "state": "camera_problem",
                "camera": "camera_problem",
                "camera_message": HOSTILE,
            }
        return {"message": HOSTILE}

    rc, out, err = served_cli(qtbot, handler, tmp_path, *argv)
    assert rc == 0, err
    assert visible in out, out
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in out + err)
    assert "s3cret" not in out + err


def test_an_error_from_the_socket_is_one_clean_line(
    qtbot: Any, private_run: Path, tmp_path: Path
) -> None:
    def handler(command: str, params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError(HOSTILE + "\nsecond line")

    rc, out, err = served_cli(qtbot, handler, tmp_path, "status")
    assert rc == 1 and out == "" and len(err.splitlines()) == 1
    assert "\x1b" not in err and "s3cret" not in err and "RuntimeError: Paused" in err


# ---- hostile clients of the server --------------------------------------------------------------


def raw_exchange(path: str, payload: bytes, *, read: bool = True) -> bytes:
    """Send ``payload`` on a plain Unix socket; the reply line (or b"" without ``read``)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(path)
        sock.sendall(payload)
        if not read:
            return b""
        data = b""
        while b"\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


@pytest.fixture
def server(qapp: Any, private_run: Path, tmp_path: Path) -> Any:
    calls: list[str] = []

    def handler(command: str, params: dict[str, Any]) -> dict[str, Any]:
        calls.append(command)
        return {"message": "fine"}

    srv = serve(handler, resolve_paths(tmp_path))
    assert srv is not None and srv.listening
    yield srv, calls
    srv.close()


def reply_of(qtbot: Any, path: str, payload: bytes) -> dict[str, Any]:
    """Exchange in a thread while the Qt loop runs the server; the decoded reply."""
    import threading

    box: dict[str, bytes] = {}
    thread = threading.Thread(target=lambda: box.update(r=raw_exchange(path, payload)))
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=10_000)
    assert box["r"].endswith(b"\n"), box
    value: dict[str, Any] = json.loads(box["r"])
    return value


REQUESTS = [
    ("30,000-deep JSON array", b"[" * 30_000 + b"]" * 30_000 + b"\n", "longer than 4096 bytes"),
    ("1,500-deep JSON in a short line", b"[" * 1500 + b"]" * 1500 + b"\n", "nested too deeply"),
    ("100 kB without a newline", b"x" * 100_000, "longer than 4096 bytes"),
    ("not UTF-8", b"\xff\xfe\n", "bad request"),
    ("a JSON string", b'"status"\n', "must be a JSON object"),
]


@pytest.mark.parametrize(
    ("payload", "error"), [(p, e) for _, p, e in REQUESTS], ids=[n for n, _, _ in REQUESTS]
)
def test_a_hostile_request_gets_an_error_reply(
    qtbot: Any, server: Any, payload: bytes, error: str
) -> None:
    srv, calls = server
    reply = reply_of(qtbot, srv.name, payload)
    assert reply["ok"] is False and error in reply["error"]
    assert calls == []
    # The server still answers the next client.
    assert reply_of(qtbot, srv.name, b'{"command": "status"}\n') == {"ok": True, "message": "fine"}


def test_clients_that_leave_before_the_reply_do_not_crash_shutdown(qtbot: Any, server: Any) -> None:
    srv, calls = server
    for _ in range(30):
        raw_exchange(srv.name, b'{"command": "status"}\n{"command": "status"}\n', read=False)
        qtbot.wait(5)
    qtbot.waitUntil(lambda: len(calls) >= 30, timeout=10_000)
    qtbot.wait(100)
    srv.close()  # raised "Internal C++ object already deleted" before
    assert not srv.listening


def test_a_stale_socket_of_our_own_is_still_taken_over(
    qapp: Any, private_run: Path, tmp_path: Path
) -> None:
    """Refusing squatters must not refuse our own dead socket (a kill -9 leaves one)."""
    path = Path(socket_name(resolve_paths(tmp_path)))
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # bound, never listening: connections are refused
    start = time.monotonic()
    srv = InstanceServer(str(path), lambda c, p: {})
    assert srv.listen() and time.monotonic() - start < 5
    srv.close()
