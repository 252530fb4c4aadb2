"""Runs inside ``unshare --map-root-user --mount``: the recording pipeline on a tiny tmpfs that
fills up, empties, and is then remounted read-only. Prints one JSON line per phase.

Usage: ``python disk_driver.py MOUNTPOINT``. The mount is private to this process's namespace, so
the disk that fills up is a real filesystem returning ENOSPC and then EROFS, not a simulation.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from hipcheck.core.clock import FakeClock
from hipcheck.core.settings import Settings
from hipcheck.core.tracker import SittingTracker
from hipcheck.core.types import Observation, State
from hipcheck.store.db import RecordingSink, Store, StoreError


def main() -> int:
    mnt = Path(sys.argv[1])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], check=True)
    data = mnt / "data"
    data.mkdir()
    clock = FakeClock(now_s=100.0, wall_start=datetime(2026, 3, 9, 9, 0).astimezone())
    store = Store.open(data / "hipcheck.sqlite3")
    tracker = SittingTracker.from_settings(Settings())
    sink = RecordingSink(store, flush_every_s=5.0)
    samples = 0

    def run(seconds: float, state: State) -> None:
        nonlocal samples
        end = clock.monotonic() + seconds
        while clock.monotonic() < end:
            now = clock.monotonic()
            obs = Observation(now, state != State.AWAY, state, hip_angle_deg=100.0,
                              hips_visible=True, confidence=0.9)  # fmt: skip
            tracker.update(obs, now)
            sink.write(tracker, now, clock.wall())
            if samples % 10 == 0:
                sink.record_event(clock.wall(), "tick", {"n": samples})
            samples += 1
            clock.advance(0.5)

    def phase(name: str) -> None:
        print(json.dumps({
            "phase": name, "error": sink.error, "samples": samples,
            "state": tracker.state.value, "unwritten": len(sink._unwritten),
        }), flush=True)  # fmt: skip

    run(60, State.SITTING)
    phase("normal")
    # Fill the disk: one file takes every free block.
    filler = mnt / "filler"
    try:
        with open(filler, "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
    except OSError:
        pass  # ENOSPC: the disk is full now
    run(120, State.STANDING)
    phase("full")
    filler.unlink()
    run(30, State.SITTING)
    phase("freed")
    # Read-only: a filesystem with open writers cannot be remounted read-only, so HipCheck meets
    # this one when it starts: close, remount, and try to open the store there.
    sink.finish(tracker, clock.monotonic(), clock.wall())
    store.close()
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    try:
        Store.open(data / "hipcheck.sqlite3").close()
        read_only_error = None
    except StoreError as exc:
        read_only_error = str(exc)
    print(json.dumps({"phase": "read_only", "store_error": read_only_error}), flush=True)
    subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
    store = Store.open(data / "hipcheck.sqlite3")
    sink = RecordingSink(store, flush_every_s=5.0)
    run(30, State.SITTING)
    sink.finish(tracker, clock.monotonic(), clock.wall())
    phase("writable_again")
    store.close()
    with sqlite3.connect(data / "hipcheck.sqlite3") as db:
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = db.execute("SELECT state, sum(end_utc - start_utc) FROM intervals GROUP BY state")
        totals = {state: round(total, 1) for state, total in rows}
    print(json.dumps({"phase": "end", "integrity": check, "totals": totals}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
