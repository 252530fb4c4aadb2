"""A corrupt or unreadable history database is moved aside (timestamped) with a warning and a new
one started; a database from an older schema is migrated after a backup. Through the real
``hipcheck analyze`` command on real footage, as a user would meet it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hipcheck.store.db import SCHEMA_VERSION, _migrate_to_1

pytestmark = pytest.mark.footage

CLIP = "videos/front_sit_upper_body_01.mp4"
STAMP = r"\d{8}T\d{6}"


def analyze(posture_data: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Analyse 4 s of the clip, storing into ``data_dir``."""
    env = {**os.environ}
    env.pop("HIPCHECK_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data_dir), "analyze",
         str(posture_data / CLIP), "--duration", "4", "--store"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip


def integrity(db_path: Path) -> str:
    with sqlite3.connect(db_path) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def interval_count(db_path: Path) -> int:
    with sqlite3.connect(db_path) as db:
        return int(db.execute("SELECT count(*) FROM intervals").fetchone()[0])


def real_database(tmp_path: Path, posture_data: Path) -> bytes:
    """The bytes of a real, checkpointed HipCheck database with some intervals in it."""
    seed = tmp_path / "seed"
    assert analyze(posture_data, seed).returncode == 0
    return (seed / "hipcheck.sqlite3").read_bytes()


@pytest.mark.parametrize("damage", ["garbage", "text", "truncated", "zeroed_header"])
def test_damaged_database_is_moved_aside_and_replaced(
    posture_data: Path, tmp_path: Path, damage: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db_path = data / "hipcheck.sqlite3"
    if damage == "garbage":
        content = os.urandom(64 * 1024)
    elif damage == "text":
        content = b"my shopping list\nmilk\n" * 100
    else:
        good = real_database(tmp_path, posture_data)
        content = good[: len(good) // 2] if damage == "truncated" else bytes(100) + good[100:]
    db_path.write_bytes(content)

    proc = analyze(posture_data, data)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    moved = [
        p for p in data.iterdir() if re.fullmatch(rf"hipcheck\.sqlite3\.corrupt-{STAMP}", p.name)
    ]
    assert len(moved) == 1, sorted(p.name for p in data.iterdir())
    assert moved[0].read_bytes() == content, "the damaged file must be kept as it was"
    warning = [line for line in proc.stderr.splitlines() if line.startswith("hipcheck: warning")]
    assert warning and moved[0].name in warning[0], proc.stderr
    assert integrity(db_path) == "ok"
    assert interval_count(db_path) > 0


def test_old_schema_is_backed_up_then_migrated(posture_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db_path = data / "hipcheck.sqlite3"
    with sqlite3.connect(db_path) as db:
        _migrate_to_1(db)
        db.execute(
            "INSERT INTO intervals (start_utc, end_utc, day, utc_offset_s, state,"
            " mean_hip_angle_deg, flexion_s) VALUES (1767600000, 1767603600, '2026-01-05', 3600,"
            " 'sitting', 98.5, 3000)"
        )
        db.execute(
            "INSERT INTO events (at_utc, day, utc_offset_s, kind, detail)"
            " VALUES (1767601800, '2026-01-05', 3600, 'nudge', NULL)"
        )
        db.execute("PRAGMA user_version = 1")
    db.close()
    v1_bytes = db_path.read_bytes()

    proc = analyze(posture_data, data)
    assert proc.returncode == 0, proc.stderr
    backups = [
        p for p in data.iterdir() if re.fullmatch(rf"hipcheck\.sqlite3\.v1-{STAMP}\.bak", p.name)
    ]
    assert len(backups) == 1, sorted(p.name for p in data.iterdir())
    with sqlite3.connect(backups[0]) as bak:
        assert bak.execute("PRAGMA user_version").fetchone()[0] == 1
        assert bak.execute("SELECT state, flexion_s FROM intervals").fetchall() == [
            ("sitting", 3000.0)
        ]
    assert len(v1_bytes) > 0
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        old = db.execute(
            "SELECT state, flexion_s, start_day, end_day FROM intervals WHERE start_utc = 1767600000"
        ).fetchall()
        assert old == [("sitting", 3000.0, "2026-01-05", "2026-01-05")]
        assert db.execute("SELECT kind FROM events WHERE at_utc = 1767601800").fetchall() == [
            ("nudge",)
        ]
    assert interval_count(db_path) > 1  # and the new analysis was added beside the old data
    assert integrity(db_path) == "ok"


def test_database_from_a_newer_hipcheck_is_left_alone(posture_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db_path = data / "hipcheck.sqlite3"
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE future (x)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    db.close()
    before = db_path.read_bytes()
    proc = analyze(posture_data, data)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "newer" in proc.stderr
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in data.iterdir() if p.name.startswith("hipcheck.sqlite3")) == [
        "hipcheck.sqlite3"
    ]
