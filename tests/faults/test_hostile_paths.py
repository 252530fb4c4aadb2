"""Odd paths: every one is one line and exit status 2, the tray app included; nothing hangs.

The first table puts something odd where the data folder belongs and runs every entry point;
the second gives ``analyze`` and the tray app a source that is not a regular file. A named pipe
is refused up front: reading one without a writer blocks inside the video decoder, where Ctrl-C
cannot reach. The history already recorded is byte for byte the same afterwards. Last, a stream
that never answers: Ctrl-C ends the wait at once (exit status 130), where it used to take 30 s.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from tests.conftest import run_hipcheck

from hipcheck.store.db import Store

ENTRY_POINTS = [
    ["--source", "0"],  # the tray app
    ["status"],
    ["pause", "5"],
    ["report"],
    ["analyze", "0"],
]


def run(argv: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "run").mkdir(mode=0o700, exist_ok=True)
    start = time.monotonic()
    proc = run_hipcheck(argv, env={"XDG_RUNTIME_DIR": str(tmp_path / "run")})
    assert time.monotonic() - start < 30, "a path error took too long"
    return proc


def one_line_exit_2(proc: subprocess.CompletedProcess[str], words: str) -> None:
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("hipcheck: error: "), proc.stderr[-2000:]
    assert words in lines[0], lines[0]
    assert "Traceback" not in proc.stderr


def a_file(tmp: Path) -> Path:
    (tmp / "data").write_text("my notes\n")
    return tmp / "data"


def a_dangling_link(tmp: Path) -> Path:
    (tmp / "data").symlink_to(tmp / "gone")
    return tmp / "data"


def a_link_loop(tmp: Path) -> Path:
    (tmp / "data").symlink_to(tmp / "data")
    return tmp / "data"


def under_a_file(tmp: Path) -> Path:
    (tmp / "notes").write_text("my notes\n")
    return tmp / "notes" / "data"


FOLDERS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("a file", a_file, "is a file, not a folder"),
    ("a dangling symlink", a_dangling_link, "which does not exist"),
    ("a symlink loop", a_link_loop, "which does not exist"),
    ("a folder under a file", under_a_file, "is a file, not a folder"),
]


@pytest.mark.parametrize("argv", ENTRY_POINTS, ids=[a[0] for a in ENTRY_POINTS])
@pytest.mark.parametrize(
    ("make", "words"), [(m, w) for _, m, w in FOLDERS], ids=[n for n, _, _ in FOLDERS]
)
def test_a_data_folder_that_cannot_be_one(
    tmp_path: Path, make: Callable[[Path], Path], words: str, argv: list[str]
) -> None:
    (tmp_path / "run").mkdir(mode=0o700)
    data = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = run(["--data-dir", str(data), *argv], tmp_path)
    one_line_exit_2(proc, words)
    assert str(data) in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing made beside it
    if data.is_file():
        assert data.read_text() == "my notes\n"


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, Callable[[], str]]:
    """A data folder with one recorded event; returns it and a digest of the history."""
    data = tmp_path / "data"
    with Store.open(data / "hipcheck.sqlite3") as store:
        store.record_event(datetime(2026, 3, 9, 9, 0).astimezone(), "paused", {"choice": "x"})

    def digest() -> str:
        return "".join(
            hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(data.glob("hipcheck.sqlite3*"))
        )

    return data, digest


def a_fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe.mp4")
    return tmp / "pipe.mp4"


def a_socket(tmp: Path) -> Path:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp / "sock.mp4"))
    sock.close()
    return tmp / "sock.mp4"


def dev_null(tmp: Path) -> Path:
    return Path("/dev/null")


def a_folder(tmp: Path) -> Path:
    (tmp / "clips.mp4").mkdir()
    return tmp / "clips.mp4"


def unreadable(tmp: Path) -> Path:
    target = tmp / "locked.mp4"
    target.write_bytes(b"\0" * 64)
    target.chmod(0)
    if os.access(target, os.R_OK):  # root reads anything: an empty file instead
        target.chmod(0o600)
        target.write_bytes(b"")
    return target


SOURCES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("a named pipe without a writer", a_fifo, "is a named pipe, not a video or image file"),
    ("a socket", a_socket, "is a socket, not a video or image file"),
    ("a device", dev_null, "is a device, not a video or image file"),
    ("a folder", a_folder, "is a folder, not a video or image file"),
    ("unreadable or empty", unreadable, "locked.mp4"),
]


@pytest.mark.parametrize("command", [["analyze"], ["--source"]], ids=["analyze", "tray app"])
@pytest.mark.parametrize(
    ("make", "words"), [(m, w) for _, m, w in SOURCES], ids=[n for n, _, _ in SOURCES]
)
def test_a_source_that_is_not_a_file(
    tmp_path: Path,
    history: tuple[Path, Callable[[], str]],
    make: Callable[[Path], Path],
    words: str,
    command: list[str],
) -> None:
    data, digest = history
    before = digest()
    source = make(tmp_path)
    proc = run(["--data-dir", str(data), *command, str(source)], tmp_path)
    one_line_exit_2(proc, words)
    assert digest() == before


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never says a word; yields its port."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def test_ctrl_c_ends_a_stream_that_never_answers(tmp_path: Path, silent_server: int) -> None:
    """The decoder waits for the stream in native code; Ctrl-C still ends it at once."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(tmp_path / "data"), "analyze",
         f"http://127.0.0.1:{silent_server}/live"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    time.sleep(3)  # well into the connection wait
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - start < 2.0
    assert (proc.returncode, out, err) == (130, "", "hipcheck: interrupted\n")
    assert not (tmp_path / "data" / "hipcheck.sqlite3").exists()
