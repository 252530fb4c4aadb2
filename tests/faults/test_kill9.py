"""``kill -9`` while recording: the database passes ``PRAGMA integrity_check``, at most the last
10 s are lost, and the next start (single-instance socket included) works.

The real tray app (offscreen) monitors a looped clip in real time with its own ``--data-dir``.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hipcheck.commands.status import NOT_RUNNING

pytestmark = pytest.mark.footage

CLIP = "videos/front_sit_upper_body_01.mp4"
MAX_LOST_S = 10.0


def env_for(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("HIPCHECK_DATA_DIR", None)
    return env


def start_app(posture_data: Path, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "hipcheck", "--data-dir", str(data_dir),
             "--source", str(posture_data / CLIP), "--loop"],
            env=env_for(data_dir), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def latest_end_utc(db_path: Path) -> float | None:
    """The end of the latest stored interval (read-only, as another process would)."""
    if not db_path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            (value,) = db.execute("SELECT max(end_utc) FROM intervals").fetchone()
    except sqlite3.Error:
        return None
    return None if value is None else float(value)


def wait_for(predicate, timeout_s: float, proc: subprocess.Popen[bytes], log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert proc.poll() is None, f"the app exited: {log.read_text(errors='replace')[-3000:]}"
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)


def status(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data_dir), "status"],
        capture_output=True, text=True, timeout=60, env=env_for(data_dir),
    )  # fmt: skip


def test_kill_9_while_recording(posture_data: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    db_path = data_dir / "hipcheck.sqlite3"
    log = tmp_path / "app.log"
    app = start_app(posture_data, data_dir, log)
    try:
        # Recording for a while: something stored, then 12 s more.
        wait_for(lambda: latest_end_utc(db_path) is not None, 90, app, log)
        time.sleep(12)
        assert status(data_dir).returncode == 0  # it is the running instance
        killed_at = time.time()
        app.send_signal(signal.SIGKILL)
        app.wait(10)
    finally:
        if app.poll() is None:
            app.kill()
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (end,) = db.execute("SELECT max(end_utc) FROM intervals").fetchone()
    lost_s = killed_at - float(end)
    assert lost_s <= MAX_LOST_S, f"lost {lost_s:.1f} s of recording"

    # The killed instance left its socket behind: nobody answers, and a new start takes over.
    after = status(data_dir)
    assert (after.returncode, after.stderr) == (1, f"{NOT_RUNNING}\n")
    again = start_app(posture_data, data_dir, log)
    try:
        wait_for(lambda: status(data_dir).returncode == 0, 90, again, log)
        wait_for(lambda: (latest_end_utc(db_path) or 0) > killed_at, 60, again, log)
    finally:
        again.send_signal(signal.SIGTERM)
        try:
            again.wait(30)
        except subprocess.TimeoutExpired:
            again.kill()
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_kill_9_during_analyze(posture_data: Path, tmp_path: Path) -> None:
    """The same for ``hipcheck analyze`` killed half-way through a clip."""
    data_dir = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data_dir), "analyze",
         str(posture_data / CLIP), "--fps", "10", "--store"],
        env=env_for(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    db_path = data_dir / "hipcheck.sqlite3"
    deadline = time.monotonic() + 120
    while latest_end_utc(db_path) is None and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert proc.poll() is None, "analyze finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM intervals").fetchone()[0] >= 1
