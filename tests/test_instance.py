"""Single instance: the local socket server, the JSON line protocol, and status/pause/resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hipcheck.commands.status import NOT_RUNNING, STATUS_KEYS
from hipcheck.instance import (
    InstanceServer,
    is_running,
    serve,
    socket_name,
)
from hipcheck.paths import resolve_paths


class Recorder:
    """A handler that remembers every command and answers like a small app would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.paused = False

    def __call__(self, command: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((command, params))
        if command == "pause":
            self.paused = True
            return {"paused": True, "message": f"Paused for {params.get('minutes', 'ever')}"}
        if command == "resume":
            self.paused = False
            return {}
        if command == "status":
            return {"state": "sitting", "paused": self.paused, "bout_s": 754}
        return {}


def cli(data_dir: Path, *argv: str) -> subprocess.Popen[str]:
    """Start ``hipcheck --data-dir DATA_DIR ARGV`` in a subprocess."""
    return subprocess.Popen(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data_dir), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(qtbot: Any, proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Spin the Qt event loop (so the server answers) until ``proc`` exits."""
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
    out, err = proc.communicate()
    return proc.returncode, out, err


@pytest.fixture
def served(qapp: Any, tmp_path: Path) -> Any:
    """A server for ``tmp_path`` answering with a Recorder."""
    handler = Recorder()
    server = serve(handler, resolve_paths(tmp_path))
    assert server is not None and server.listening
    yield tmp_path, handler, server
    server.close()


def test_socket_name_is_per_data_dir(tmp_path: Path) -> None:
    a = socket_name(resolve_paths(tmp_path / "a"))
    assert a == socket_name(resolve_paths(tmp_path / "a"))
    assert a != socket_name(resolve_paths(tmp_path / "b"))
    # A path in a folder only this user can create names in, short enough for a Unix socket.
    assert Path(a).name.startswith("hipcheck-") and len(a.encode()) < 104


def test_cli_status_pause_resume_reach_the_running_instance(qtbot: Any, served: Any) -> None:
    data_dir, handler, _server = served
    rc, out, err = finish(qtbot, cli(data_dir, "status"))
    assert (rc, err) == (0, "")
    assert out == "HipCheck is monitoring. Sitting for 13 min.\n"

    rc, out, _ = finish(qtbot, cli(data_dir, "pause", "15"))
    assert rc == 0 and out.strip() == "Paused for 15.0"
    assert handler.paused

    rc, out, _ = finish(qtbot, cli(data_dir, "status", "--json"))
    doc = json.loads(out)
    assert rc == 0 and list(doc) == list(STATUS_KEYS)
    assert (doc["running"], doc["state"], doc["paused"], doc["sitting_s"]) == (
        True,
        "sitting",
        True,
        754,
    )
    assert doc["message"] == "HipCheck is paused until you resume it (`hipcheck resume`)."

    rc, out, _ = finish(qtbot, cli(data_dir, "resume"))
    assert rc == 0 and out.strip() == "Resumed" and not handler.paused
    rc, _, _ = finish(qtbot, cli(data_dir, "pause"))
    assert rc == 0
    assert [c for c, _ in handler.calls] == ["status", "pause", "status", "resume", "pause"]
    assert handler.calls[1][1] == {"minutes": 15.0} and handler.calls[4][1] == {}


def test_other_data_dir_does_not_see_the_instance(qtbot: Any, served: Any, tmp_path: Path) -> None:
    rc, out, err = finish(qtbot, cli(tmp_path / "elsewhere", "status"))
    assert (rc, out, err.strip()) == (1, "", NOT_RUNNING)


def test_not_running_is_one_line_and_exit_1(tmp_path: Path) -> None:
    for argv in (["status"], ["pause", "5"], ["resume"]):
        proc = subprocess.run(
            [sys.executable, "-m", "hipcheck", "--data-dir", str(tmp_path), *argv],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert proc.returncode == 1, argv
        assert proc.stderr == f"{NOT_RUNNING}\n" and proc.stdout == ""


def test_second_server_steps_aside(qapp: Any, served: Any) -> None:
    data_dir, _handler, first = served
    assert serve(Recorder(), resolve_paths(data_dir)) is None
    assert first.listening and is_running(resolve_paths(data_dir))


def test_hand_over_shows_the_first_window(qtbot: Any, served: Any) -> None:
    data_dir, handler, _server = served
    code = (
        "import sys; from hipcheck.instance import hand_over; from hipcheck.paths import "
        f"resolve_paths; sys.exit(0 if hand_over(resolve_paths({str(data_dir)!r})) else 3)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], text=True)
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=20_000)
    assert proc.returncode == 0
    assert handler.calls == [("show", {})]


def test_stale_socket_of_a_killed_instance_is_taken_over(qapp: Any, tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    code = (
        "from PySide6.QtCore import QCoreApplication; from hipcheck.instance import serve; "
        "from hipcheck.paths import resolve_paths; app = QCoreApplication([]); "
        f"s = serve(lambda c, p: {{}}, resolve_paths({str(tmp_path)!r})); print('up', flush=True); "
        "app.exec()"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "up"
    assert is_running(paths)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 5
    while is_running(paths) and time.monotonic() < deadline:
        time.sleep(0.05)
    server = serve(Recorder(), paths)
    assert server is not None and server.listening
    server.close()


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b"not json", "bad request"),
        (b"[1, 2]", "bad request"),
        (b"\xff\xfe", "bad request"),
        (b'{"command": "format_disk"}', "unknown command"),
        (b'{"nocommand": 1}', "unknown command"),
    ],
)
def test_bad_requests_get_an_error_reply(qapp: Any, line: bytes, error: str) -> None:
    server = InstanceServer("unused", Recorder())
    reply = server.answer(line)
    assert reply["ok"] is False and error in reply["error"]


def test_handler_exception_is_a_reply_not_a_crash(qapp: Any) -> None:
    def broken(command: str, params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("boom")

    server = InstanceServer("unused", broken)
    assert server.answer(b'{"command": "status"}') == {"ok": False, "error": "RuntimeError: boom"}
    assert server.answer(b'{"command": "ping"}') == {"ok": True, "pong": True}
