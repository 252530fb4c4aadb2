"""The SQLite store on a real file: round trip, WAL, versions, migration, recovery, deletion."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from hipcheck.core.settings import retention_cutoff
from hipcheck.core.tracker import SittingTracker
from hipcheck.core.types import Observation, State
from hipcheck.store import SCHEMA_VERSION, RecordingSink, Store, StoreError

CET = timezone(timedelta(hours=1))
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=CET)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database goes (a folder that does not exist yet)."""
    return tmp_path / "data" / "nested" / "hipcheck.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A fresh store on a real file."""
    s = Store.open(db_path)
    yield s
    s.close()


def at(day: int, hour: int, minute: int = 0, tz: timezone = CET) -> datetime:
    """A wall time in January 2026."""
    return datetime(2026, 1, day, hour, minute, tzinfo=tz)


def raw(path: Path, sql: str) -> list[tuple[object, ...]]:
    """Run ``sql`` on the file with a separate plain connection."""
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_round_trip(store: Store, db_path: Path) -> None:
    store.record_interval(at(5, 9), at(5, 9, 30), State.SITTING, 101.5, 600.0, 3600, 1200)
    store.record_interval(at(5, 9, 30), at(5, 9, 35), "standing", None, 0.0, extra={"gap": 1.0})
    store.record_event(at(5, 9, 45), "nudge", {"bout_s": 2700, "exercise": "glute_bridge"})
    store.record_event(at(6, 8), "paused", None)
    store.close()

    with Store.open(db_path) as again:
        day = again.load_day(date(2026, 1, 5), CET)
        assert [(i.state, i.start, i.end) for i in day.intervals] == [
            (State.SITTING, at(5, 9), at(5, 9, 30)),
            (State.STANDING, at(5, 9, 30), at(5, 9, 35)),
        ]
        sit, stand = day.intervals
        assert sit.mean_hip_angle_deg == 101.5 and sit.flexion_s == 600.0
        assert (sit.samples, sit.hips_visible_samples) == (3600, 1200)
        assert sit.duration_s == 1800.0 and not sit.clipped
        assert sit.start.utcoffset() == timedelta(hours=1)
        assert stand.mean_hip_angle_deg is None and stand.extra == {"gap": 1.0}
        assert [(e.kind, e.detail, e.at) for e in day.events] == [
            ("nudge", {"bout_s": 2700, "exercise": "glute_bridge"}, at(5, 9, 45))
        ]
        assert again.load_day(date(2026, 1, 6), CET).events[0].kind == "paused"
        assert again.load_day(date(2026, 1, 7), CET).intervals == ()
        assert again.days() == [date(2026, 1, 5), date(2026, 1, 6)]
    # Stored as UTC seconds with the local day and offset beside them.
    assert raw(db_path, "SELECT start_utc, start_day, start_offset_s FROM intervals LIMIT 1") == [
        (at(5, 9).timestamp(), "2026-01-05", 3600)
    ]


def test_fresh_file_is_wal_at_current_version(store: Store, db_path: Path) -> None:
    assert db_path.is_file()
    assert store.journal_mode == "wal"
    assert store.schema_version == SCHEMA_VERSION
    assert store.warning is None and store.backup_path is None
    # WAL is a property of the file, seen by any other connection too.
    assert raw(db_path, "PRAGMA journal_mode") == [("wal",)]
    assert raw(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_no_frames_ever_no_blob_columns(store: Store, db_path: Path) -> None:
    for table in ("intervals", "events"):
        types = {row[2].upper() for row in raw(db_path, f"PRAGMA table_info({table})")}
        assert types <= {"INTEGER", "REAL", "TEXT"}, table


def make_v1(path: Path) -> None:
    """Write a database in the first schema (v1) by hand, with two days of data."""
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE intervals (id INTEGER PRIMARY KEY, start_utc REAL NOT NULL,
            end_utc REAL NOT NULL, day TEXT NOT NULL, utc_offset_s INTEGER NOT NULL,
            state TEXT NOT NULL, mean_hip_angle_deg REAL, flexion_s REAL NOT NULL DEFAULT 0);
        CREATE TABLE events (id INTEGER PRIMARY KEY, at_utc REAL NOT NULL, day TEXT NOT NULL,
            utc_offset_s INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT);
        PRAGMA user_version = 1;
        """
    )
    rows = [
        (at(3, 10).timestamp(), at(3, 11).timestamp(), "2026-01-03", 3600, "sitting", 95.0, 900.0),
        # Crosses midnight: 23:00 on the 3rd to 01:00 on the 4th (CET).
        (at(3, 23).timestamp(), at(4, 1).timestamp(), "2026-01-03", 3600, "sitting", 99.0, 3600.0),
    ]
    con.executemany(
        "INSERT INTO intervals (start_utc, end_utc, day, utc_offset_s, state,"
        " mean_hip_angle_deg, flexion_s) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    con.execute(
        "INSERT INTO events (at_utc, day, utc_offset_s, kind, detail) VALUES (?, ?, ?, ?, ?)",
        (at(3, 10, 45).timestamp(), "2026-01-03", 3600, "nudge", '{"n": 1}'),
    )
    con.commit()
    con.close()


def test_migrates_an_older_schema_after_a_backup(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    make_v1(db_path)

    with Store.open(db_path, now=datetime(2026, 1, 5, 8, 30)) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.backup_path == db_path.with_name("hipcheck.sqlite3.v1-20260105T083000.bak")
        day3 = store.load_day(date(2026, 1, 3), CET)
        assert [i.mean_hip_angle_deg for i in day3.intervals] == [95.0, 99.0]
        assert day3.events[0].detail == {"n": 1}
        # v1 had no end day; the migration derived it, so the crossing shows on the 4th too.
        day4 = store.load_day(date(2026, 1, 4), CET)
        assert len(day4.intervals) == 1 and day4.intervals[0].duration_s == 3600.0
        assert store.days() == [date(2026, 1, 3), date(2026, 1, 4)]
        # And the migrated database takes new rows.
        store.record_interval(at(5, 9), at(5, 10), State.SITTING, 100.0, 0.0, 10, 5)

    backup = db_path.with_name("hipcheck.sqlite3.v1-20260105T083000.bak")
    assert raw(backup, "PRAGMA user_version") == [(1,)]
    assert raw(backup, "SELECT count(*), sum(flexion_s) FROM intervals") == [(2, 4500.0)]
    # Opening the current version again makes no new backup.
    with Store.open(db_path, now=datetime(2026, 1, 6)) as store:
        assert store.backup_path is None
    assert len(list(db_path.parent.glob("*.bak"))) == 1


def test_newer_schema_is_refused_and_left_alone(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE intervals (x)")
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer HipCheck"):
        Store.open(db_path)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["hipcheck.sqlite3"]


@pytest.mark.parametrize("kind", ["garbage", "foreign", "damaged"])
def test_unreadable_file_is_moved_aside_and_a_fresh_one_started(db_path: Path, kind: str) -> None:
    db_path.parent.mkdir(parents=True)
    if kind == "garbage":
        db_path.write_bytes(b"this is not a database\n" * 400)
    elif kind == "foreign":
        con = sqlite3.connect(db_path)
        con.execute("CREATE TABLE photos (jpeg BLOB)")
        con.commit()
        con.close()
    else:
        with Store.open(db_path) as good:
            for i in range(300):
                good.record_event(NOW + timedelta(seconds=i), "nudge", {"pad": "x" * 200})
        data = bytearray(db_path.read_bytes())
        # Scribble over the b-tree pages after the header page.
        data[4096:12288] = b"\xff" * 8192
        db_path.write_bytes(bytes(data))
    before = db_path.read_bytes()

    store = Store.open(db_path, now=datetime(2026, 1, 5, 7, 0, 1))
    try:
        moved = db_path.with_name("hipcheck.sqlite3.corrupt-20260105T070001")
        assert moved.read_bytes() == before, "the old file is kept byte for byte"
        assert store.warning is not None and moved.name in store.warning
        assert store.schema_version == SCHEMA_VERSION
        store.record_event(NOW, "resumed")
        assert [e.kind for e in store.load_day(NOW.date(), CET).events] == ["resumed"]
    finally:
        store.close()


def test_interval_across_midnight_is_clipped_into_both_days(store: Store) -> None:
    store.record_interval(at(5, 23, 30), at(6, 0, 30), State.SITTING, 100.0, 1800.0, 7200, 3600)
    first = store.load_day(date(2026, 1, 5), CET).intervals
    second = store.load_day(date(2026, 1, 6), CET).intervals
    assert len(first) == len(second) == 1
    a, b = first[0], second[0]
    assert (a.start, a.end) == (at(5, 23, 30), at(6, 0))
    assert (b.start, b.end) == (at(6, 0), at(6, 0, 30))
    assert a.clipped and b.clipped and a.id == b.id
    assert a.flexion_s == pytest.approx(900.0) and b.flexion_s == pytest.approx(900.0)
    assert a.samples + b.samples == 7200
    assert store.days() == [date(2026, 1, 5), date(2026, 1, 6)]
    # An interval ending exactly at midnight does not show up, empty, on the next day.
    store.record_interval(at(7, 23), at(8, 0), State.STANDING, None, 0.0)
    assert store.load_day(date(2026, 1, 8), CET).intervals == ()


def test_days_are_the_readers_days_whatever_zone_recorded(store: Store) -> None:
    tokyo = timezone(timedelta(hours=9))
    # 08:00 on the 6th in Tokyo is still the 5th in UTC; it is filed under the local day.
    store.record_interval(at(6, 8, tz=tokyo), at(6, 9, tz=tokyo), State.SITTING, None, 0.0)
    assert store.days() == [date(2026, 1, 6)]
    [iv] = store.load_day(date(2026, 1, 6), tokyo).intervals
    assert iv.start.hour == 8 and iv.start.utcoffset() == timedelta(hours=9)
    # Read in UTC the same hour is 23:00-24:00 on the 5th, and nothing of it is on the 6th.
    [iv] = store.load_day(date(2026, 1, 5), timezone.utc).intervals
    assert (iv.start, iv.end) == (at(5, 23, tz=timezone.utc), at(6, 0, tz=timezone.utc))
    assert store.load_day(date(2026, 1, 6), timezone.utc).intervals == ()


def test_upsert_by_key(store: Store) -> None:
    first = store.record_interval(at(5, 9), at(5, 9, 1), State.SITTING, 100.0, 10.0, key="k")
    second = store.record_interval(at(5, 9), at(5, 9, 5), State.SITTING, 110.0, 50.0, key="k")
    assert first == second
    [iv] = store.load_day(date(2026, 1, 5), CET).intervals
    assert iv.end == at(5, 9, 5) and iv.flexion_s == 50.0


def test_rejects_interval_ending_before_it_starts(store: Store) -> None:
    with pytest.raises(ValueError):
        store.record_interval(at(5, 10), at(5, 9), State.SITTING, None, 0.0)
    with pytest.raises(ValueError):
        store.record_interval(at(5, 9), at(5, 10), "lying", None, 0.0)


def test_delete_all_erases_the_data_from_the_file(store: Store, db_path: Path) -> None:
    store.record_interval(at(5, 9), at(5, 10), State.SITTING, 100.0, 0.0)
    store.record_event(at(5, 9), "nudge", {"note": "ZQXJ-private-marker"})
    store.delete_all()
    assert store.days() == []
    assert store.load_day(date(2026, 1, 5), CET).intervals == ()
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    assert all(b"ZQXJ-private-marker" not in p.read_bytes() for p in files)
    # Still usable afterwards.
    store.record_event(at(5, 11), "resumed")
    assert store.days() == [date(2026, 1, 5)]


def test_delete_before_keeps_recent_and_straddling_records(store: Store) -> None:
    store.record_interval(at(1, 9), at(1, 10), State.SITTING, None, 0.0)
    store.record_interval(at(2, 23), at(3, 1), State.SITTING, None, 0.0)
    store.record_interval(at(4, 9), at(4, 10), State.SITTING, None, 0.0)
    store.record_event(at(1, 9), "nudge")
    store.record_event(at(4, 9), "nudge")
    assert store.delete_before(date(2026, 1, 3)) == 2
    assert store.days() == [date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 4)]


def test_retention_keeps_the_last_days_and_scrubs_the_rest(store: Store, db_path: Path) -> None:
    assert retention_cutoff(date(2026, 1, 10), 1) == date(2026, 1, 10)
    assert retention_cutoff(date(2026, 3, 1), 365) == date(2025, 3, 2)
    with pytest.raises(ValueError):
        retention_cutoff(date(2026, 1, 10), 0)
    store.record_interval(at(1, 9), at(1, 10), State.SITTING, None, 0.0)
    store.record_event(at(1, 9), "nudge", {"note": "QWKZ-old-marker"})
    store.record_interval(at(3, 9), at(3, 10), State.SITTING, None, 0.0)
    store.record_interval(at(5, 9), at(5, 10), State.STANDING, None, 0.0)
    assert store.apply_retention(date(2026, 1, 5), keep_days=3) == 2  # keeps the 3rd to the 5th
    assert store.days() == [date(2026, 1, 3), date(2026, 1, 5)]
    assert store.apply_retention(date(2026, 1, 5), keep_days=3) == 0
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    assert all(b"QWKZ-old-marker" not in p.read_bytes() for p in files)


def test_a_scrub_that_cannot_finish_is_retried(store: Store, db_path: Path) -> None:
    """A reader holding the log open blocks the scrub; the next call finishes it."""
    store.record_interval(at(1, 9), at(1, 10), State.SITTING, None, 0.0)
    store.record_event(at(1, 9), "nudge", {"note": "VBNQ-old-marker"})
    store.record_interval(at(5, 9), at(5, 10), State.SITTING, None, 0.0)
    reader = sqlite3.connect(db_path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM intervals").fetchone()  # holds a snapshot
    with pytest.raises(sqlite3.OperationalError):
        store.apply_retention(date(2026, 1, 5), keep_days=3)
    assert store.days() == [date(2026, 1, 5)]  # deleted all the same
    reader.rollback()
    reader.close()
    assert store.apply_retention(date(2026, 1, 5), keep_days=3) == 0  # nothing new: only a scrub
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    assert all(b"VBNQ-old-marker" not in p.read_bytes() for p in files)
    assert not [
        r for r in sqlite3.connect(db_path).execute("SELECT name FROM meta") if "scrub" in r[0]
    ]


def sitting(angle: float = 100.0) -> Observation:
    """A sitting observation with visible hips."""
    return Observation(0.0, True, State.SITTING, hips_visible=True, hip_angle_deg=angle)


def test_sink_writes_closed_intervals_once_and_maps_wall_times(store: Store) -> None:
    tracker = SittingTracker()
    sink = RecordingSink(store, flush_every_s=5.0, run_id="run1")
    wall0 = at(5, 9)
    for i in range(2 * 300):
        t = i / 2
        state_obs = sitting() if t < 200 else Observation(t, False, State.AWAY)
        tracker.update(state_obs, t)
        sink.write(tracker, t, wall0 + timedelta(seconds=t))
    sink.finish(tracker, 300.0, wall0 + timedelta(seconds=300))
    day = store.load_day(date(2026, 1, 5), CET)
    # unknown (first half second), sitting, away: one row each, the open-interval rows replaced.
    assert [i.state for i in day.intervals] == [State.UNKNOWN, State.SITTING, State.AWAY]
    assert day.intervals[0].start == wall0
    assert day.intervals[-1].end == wall0 + timedelta(seconds=300)
    assert sum(i.duration_s for i in day.intervals) == pytest.approx(300.0)
    summary = tracker.summary()
    sit = day.intervals[1]
    assert sit.duration_s == pytest.approx(summary.sitting_s)
    assert sit.flexion_s == pytest.approx(summary.flexion_s)


def test_sink_survives_a_wall_clock_step(store: Store) -> None:
    tracker = SittingTracker()
    sink = RecordingSink(store, run_id="run2")
    for i in range(40):
        tracker.update(sitting(), i / 2)
        # The wall clock jumps an hour ahead halfway (NTP, the user): durations must not.
        jump = timedelta(hours=1) if i >= 20 else timedelta(0)
        sink.write(tracker, i / 2, at(5, 9) + timedelta(seconds=i / 2) + jump)
    sink.finish(tracker, 20.0, at(5, 10) + timedelta(seconds=20))
    sit = [i for i in store.load_day(date(2026, 1, 5), CET).intervals if i.state == State.SITTING]
    assert sum(i.duration_s for i in sit) == pytest.approx(19.5)


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime, timedelta, timezone
    from hipcheck.core.tracker import SittingTracker
    from hipcheck.core.types import Observation, State
    from hipcheck.store import RecordingSink, Store

    store = Store.open(sys.argv[1])
    tracker = SittingTracker()
    sink = RecordingSink(store, flush_every_s=float(sys.argv[2]))
    wall0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    obs = Observation(0.0, True, State.SITTING, hips_visible=True, hip_angle_deg=100.0)
    for i in range(2 * 120):
        t = i / 2
        tracker.update(obs, t)
        sink.write(tracker, t, wall0 + timedelta(seconds=t))
    print(tracker.summary().sitting_s, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no close(), no checkpoint: a crash
    """
)


@pytest.mark.parametrize("flush_every_s", [5.0, 10.0])
def test_kill_9_loses_at_most_the_flush_period(db_path: Path, flush_every_s: float) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(db_path), str(flush_every_s)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -9, proc.stderr
    sitting_s = float(proc.stdout)
    assert sitting_s > 115
    with Store.open(db_path) as store:
        assert store.warning is None
        stored = [
            i for i in store.load_day(date(2026, 1, 5), CET).intervals if i.state == State.SITTING
        ]
        assert len(stored) == 1
        lost = sitting_s - stored[0].duration_s
        assert 0 <= lost <= flush_every_s


def test_erasing_while_recording_does_not_bring_the_erased_time_back(
    store: Store, db_path: Path
) -> None:
    tracker = SittingTracker()
    sink = RecordingSink(store, flush_every_s=5.0)
    wall0 = at(5, 9)

    def tick(t: float) -> None:
        tracker.update(sitting(), t)
        sink.write(tracker, t, wall0 + timedelta(seconds=t))

    for i in range(2 * 600):
        tick(i / 2)
    assert store.load_day(date(2026, 1, 5), CET).intervals
    # The settings dialog erases through its own connection while the engine keeps recording.
    with Store.open(db_path) as other:
        other.delete_all()
        assert other.erase_count == 1
    for i in range(2 * 600, 2 * 660):
        tick(i / 2)
    sink.finish(tracker, 660.0, wall0 + timedelta(seconds=660))
    day = store.load_day(date(2026, 1, 5), CET)
    # One sitting row, starting when the erasure was noticed, not when the bout began.
    assert [i.state for i in day.intervals] == [State.SITTING]
    assert day.intervals[0].start == wall0 + timedelta(seconds=600)
    assert day.intervals[0].duration_s == pytest.approx(60.0)
    assert day.intervals[0].samples == pytest.approx(120, abs=2)


def test_store_can_be_written_from_another_thread(store: Store) -> None:
    import threading

    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for i in range(50):
                store.record_event(at(5, 9) + timedelta(seconds=i), "nudge", {"i": i})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for _ in range(50):
        store.load_day(date(2026, 1, 5), CET)
    for th in threads:
        th.join()
    assert errors == []
    assert len(store.load_day(date(2026, 1, 5), CET).events) == 100


def test_locked_database_is_an_error_not_corruption(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    make_v1(db_path)  # rollback-journal mode, so an exclusive lock blocks readers
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            Store.open(db_path, busy_timeout_s=0.1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["hipcheck.sqlite3"]
    with Store.open(db_path) as store:
        assert store.warning is None
        assert len(store.load_day(date(2026, 1, 3), CET).intervals) == 2


def test_unopenable_path_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(StoreError, match="cannot"):
        Store.open(tmp_path / "dir.sqlite3")
    assert (tmp_path / "dir.sqlite3").is_dir()
