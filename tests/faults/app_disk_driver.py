"""Runs inside ``unshare --map-root-user --mount``: the real tray app with its data folder on a
private 8 MB tmpfs, and a disk that the test fills and frees on request.

Usage: ``python app_disk_driver.py MOUNTPOINT CONTROL_DIR APP_ARGS...``. The test talks to it through
files in CONTROL_DIR: it writes ``fill``, ``free`` or ``stop``; the driver answers ``filled``,
``freed``, and at the end ``exit`` (the app's exit status) and ``integrity`` (PRAGMA
integrity_check of the history).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path


def fill(mnt: Path) -> None:
    """Take every free block of the tmpfs."""
    try:
        with open(mnt / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
    except OSError:
        pass


def main() -> int:
    mnt, control = Path(sys.argv[1]), Path(sys.argv[2])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)
    data = mnt / "data"
    data.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with open(control / "app.log", "wb") as log:
        app = subprocess.Popen(
            [sys.executable, "-m", "hipcheck", "--data-dir", str(data), *sys.argv[3:]],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and app.poll() is None:
        if (control / "fill").exists() and not (control / "filled").exists():
            fill(mnt)
            (control / "filled").write_text("")
        if (control / "free").exists() and not (control / "freed").exists():
            (mnt / "filler").unlink(missing_ok=True)
            (control / "freed").write_text("")
        if (control / "stop").exists():
            break
        time.sleep(0.2)
    if app.poll() is None:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(30)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()
    (control / "exit").write_text(str(app.returncode))
    try:
        with sqlite3.connect(data / "hipcheck.sqlite3") as db:
            result = str(db.execute("PRAGMA integrity_check").fetchone()[0])
            rows = int(db.execute("SELECT count(*) FROM intervals").fetchone()[0])
        (control / "integrity").write_text(f"{result} {rows}")
    except sqlite3.Error as exc:
        (control / "integrity").write_text(f"error {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
