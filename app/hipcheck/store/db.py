"""The SQLite store: sitting intervals and events, as UTC instants. Never frames.

One file, WAL mode, schema version in ``PRAGMA user_version``, ordered migrations. Before an older
schema is migrated the file is copied aside (``<name>.v<N>-<timestamp>.bak``); a corrupt or
unrecognised file is moved aside (``<name>.corrupt-<timestamp>``) and a fresh database started, with
``Store.warning`` set for the UI. A database from a newer HipCheck is never touched. Checking and
migrating happen in one write transaction, so two processes creating the file at the same moment
see either an empty file or a finished one, never half of it.

``Store.open_readonly`` reads a history without changing it in any way (no migration, no
checkpoint, nothing moved aside): the report and the data export use it.

Every timestamp is stored as UTC epoch seconds with the local day (``YYYY-MM-DD``) and the UTC
offset in seconds beside it. Reading goes by the instants: ``load_day(day, tz)`` selects rows by
the UTC instants of ``day``'s bounds in the zone ``tz`` (the reader's zone, whatever zone recorded
them; the stored days, never more than a day off the UTC date, only narrow the search through
their index) and returns intervals CLIPPED to those bounds: an interval crossing midnight
appears in both days, each part with its own share of the time; its ``flexion_s`` and sample
counts are split in proportion to time (an estimate) and ``clipped`` is set.

A row that the schema accepts but that means nothing (an unknown state, ``extra`` that is not a
JSON object of numbers, an event detail that is not a JSON object, a time that is not a finite
number) is skipped with a warning (``Store.skipped``), never allowed to stop a report.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import sqlite3
import threading
import time as _time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Protocol
from uuid import uuid4

from hipcheck.core.settings import retention_cutoff
from hipcheck.core.tracker import scale_angle_seconds
from hipcheck.core.types import Interval, State

_log = logging.getLogger(__name__)

SCHEMA_VERSION = 2


class StoreError(Exception):
    """The database cannot be used (for example it comes from a newer HipCheck)."""


def _migrate_to_1(db: sqlite3.Connection) -> None:
    """v1, the first schema: intervals and events, each with UTC seconds, day and offset."""
    db.execute(
        """CREATE TABLE intervals (
            id INTEGER PRIMARY KEY,
            start_utc REAL NOT NULL,
            end_utc REAL NOT NULL,
            day TEXT NOT NULL,
            utc_offset_s INTEGER NOT NULL,
            state TEXT NOT NULL,
            mean_hip_angle_deg REAL,
            flexion_s REAL NOT NULL DEFAULT 0
        )"""
    )
    db.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at_utc REAL NOT NULL,
            day TEXT NOT NULL,
            utc_offset_s INTEGER NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT
        )"""
    )


def _migrate_to_2(db: sqlite3.Connection) -> None:
    """v2: the end's own day and offset (midnight crossings), sample counts, extras, a key, meta.

    The key lets the open interval be upserted every few seconds, so a crash loses little.
    """
    db.execute("ALTER TABLE intervals RENAME COLUMN day TO start_day")
    db.execute("ALTER TABLE intervals RENAME COLUMN utc_offset_s TO start_offset_s")
    db.execute("ALTER TABLE intervals ADD COLUMN end_day TEXT")
    db.execute("ALTER TABLE intervals ADD COLUMN end_offset_s INTEGER")
    db.execute("ALTER TABLE intervals ADD COLUMN samples INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE intervals ADD COLUMN hips_visible_samples INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE intervals ADD COLUMN key TEXT")
    db.execute("ALTER TABLE intervals ADD COLUMN extra TEXT")
    # v1 kept only the start's offset; the end's local day follows from it.
    db.execute(
        "UPDATE intervals SET end_offset_s = start_offset_s,"
        " end_day = date(end_utc + start_offset_s, 'unixepoch')"
    )
    db.execute("CREATE UNIQUE INDEX intervals_key ON intervals(key)")
    db.execute("CREATE INDEX intervals_days ON intervals(start_day, end_day)")
    db.execute("CREATE INDEX events_day ON events(day)")
    # Small facts about the database itself, e.g. how often the user erased it.
    db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


# Ordered: MIGRATIONS[i] brings a database from version i to i + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_to_1, _migrate_to_2)
assert len(MIGRATIONS) == SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class StoredInterval:
    """A stored interval as ``load_day`` returns it: aware times in the reader's zone, clipped to
    the day."""

    id: int
    start: datetime
    end: datetime
    state: State
    mean_hip_angle_deg: float | None
    flexion_s: float
    samples: int
    hips_visible_samples: int
    clipped: bool
    extra: dict[str, float]

    @property
    def duration_s(self) -> float:
        """Seconds from ``start`` to ``end``."""
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A stored event: aware time in the reader's zone, kind and its details."""

    id: int
    at: datetime
    kind: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DayRecords:
    """Everything recorded on one day of the reader's zone."""

    day: date
    intervals: tuple[StoredInterval, ...]
    events: tuple[StoredEvent, ...]


def _stamp(wall: datetime) -> tuple[float, str, int]:
    """UTC epoch seconds, local day and UTC offset of an aware (or naive = local) datetime."""
    aware = wall if wall.tzinfo is not None else wall.astimezone()
    offset = aware.utcoffset() or timedelta(0)
    return aware.timestamp(), aware.date().isoformat(), round(offset.total_seconds())


# A stored time that is no number never matches a range; it is looked for to be skipped aloud.
_NOT_A_TIME = "typeof({}) NOT IN ('integer', 'real')"


def _near_day(utc_s: float, days: int) -> str:
    """The UTC date of ``utc_s`` moved by ``days`` (held at the calendar's ends), ISO."""
    utc_date = datetime.fromtimestamp(utc_s, timezone.utc).date()
    try:
        return (utc_date + timedelta(days=days)).isoformat()
    except OverflowError:
        return utc_date.isoformat()


class Store:
    """Sitting intervals and events in one SQLite file; open it with ``Store.open(path)``."""

    def __init__(self, db: sqlite3.Connection, path: Path, warning: str | None = None) -> None:
        self._db = db
        # The camera worker records while the GUI reads reports: one lock makes each call atomic.
        self._lock = threading.RLock()
        self.path = path
        self.warning = warning
        self.backup_path: Path | None = None
        # True for ``open_readonly``: close() then leaves the file exactly as it was.
        self.read_only = False
        # Rows skipped because they mean nothing ("interval 12" -> why), for one warning.
        self.skipped: dict[str, str] = {}
        # Rows whose times are no numbers, looked for once: (intervals, events).
        self._untimed: tuple[list[Any], list[Any]] | None = None

    # ---- opening, migrating, recovering ---------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, *, now: datetime | None = None, busy_timeout_s: float = 5.0
    ) -> Store:
        """Open or create the database at ``path`` (and its folder); migrate or recover it.

        ``now`` only names backup and moved-aside files (defaults to the current time). Raises
        ``StoreError`` (one clear line) for a newer schema, or a file that is locked or cannot
        be opened; only a file that is not a readable HipCheck database is moved aside.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = (now or datetime.now()).strftime("%Y%m%dT%H%M%S")
        warning: str | None = None
        try:
            db, backup = cls._connect_and_migrate(path, stamp, busy_timeout_s)
        except _Unusable as exc:
            moved = _move_aside(path, f"corrupt-{stamp}")
            warning = (
                f"The history database could not be read ({exc}); it was moved to {moved.name}"
                " and a new one started."
            )
            db, backup = cls._connect_and_migrate(path, stamp, busy_timeout_s)
        store = cls(db, path, warning)
        store.backup_path = backup
        return store

    @classmethod
    def open_readonly(cls, path: str | Path, *, busy_timeout_s: float = 5.0) -> Store:
        """Open the database at ``path`` to read it, changing nothing in it or beside it.

        No migration (an older schema is read as it is), no checkpoint, nothing moved aside, no
        file created; a read-only data folder is fine. Raises ``StoreError`` (one clear line) for
        a missing, damaged, foreign or newer file.
        """
        path = Path(path)
        db = connect_readonly(path, busy_timeout_s)
        try:
            version = _check(db)
        except _Unusable as exc:
            db.close()
            raise StoreError(
                f"the history {path} cannot be read ({exc}); HipCheck moves it aside and starts"
                " a new one the next time it records"
            ) from None
        except sqlite3.Error as exc:
            db.close()
            raise StoreError(f"cannot read {path}: {exc}") from None
        if version > SCHEMA_VERSION:
            db.close()
            raise StoreError(_newer_message(path, version))
        store = cls(db, path)
        store.read_only = True
        return store

    @staticmethod
    def _connect_and_migrate(
        path: Path, stamp: str, busy_timeout_s: float
    ) -> tuple[sqlite3.Connection, Path | None]:
        """Connect, check the file and bring its schema up to date; returns the backup made."""
        # Autocommit mode: transactions are explicit, so DDL and user_version commit together.
        try:
            db = sqlite3.connect(
                path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open {path}: {exc}") from exc
        try:
            backup = _check_and_migrate(db, path, stamp)
            _enable_wal(db, busy_timeout_s)
            # NORMAL in WAL mode survives an application crash; only power loss can lose the tail.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            return db, backup
        except sqlite3.OperationalError as exc:
            db.close()
            raise StoreError(f"cannot use {path}: {exc}") from exc
        except BaseException:
            db.close()
            raise

    # ---- writing --------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, under the lock."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """All rows of one read, under the lock."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def record_interval(
        self,
        start_wall: datetime,
        end_wall: datetime,
        state: State | str,
        mean_hip_angle_deg: float | None,
        flexion_s: float,
        samples: int = 0,
        hips_visible_samples: int = 0,
        *,
        extra: dict[str, float] | None = None,
        key: str | None = None,
    ) -> int:
        """Store one interval; with ``key`` a second call with the same key updates the row.

        ``extra`` holds flags such as ``{"gap": 1.0}`` (time with no samples, counted as away).
        """
        state = State(state)
        if end_wall < start_wall:
            raise ValueError(f"interval ends before it starts: {start_wall} > {end_wall}")
        s_utc, s_day, s_off = _stamp(start_wall)
        e_utc, e_day, e_off = _stamp(end_wall)
        with self._transaction() as db:
            row = db.execute(
                """INSERT INTO intervals (start_utc, start_day, start_offset_s, end_utc, end_day,
                    end_offset_s, state, mean_hip_angle_deg, flexion_s, samples,
                    hips_visible_samples, extra, key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET
                    start_utc = excluded.start_utc, start_day = excluded.start_day,
                    start_offset_s = excluded.start_offset_s, end_utc = excluded.end_utc,
                    end_day = excluded.end_day, end_offset_s = excluded.end_offset_s,
                    state = excluded.state, mean_hip_angle_deg = excluded.mean_hip_angle_deg,
                    flexion_s = excluded.flexion_s, samples = excluded.samples,
                    hips_visible_samples = excluded.hips_visible_samples,
                    extra = excluded.extra
                RETURNING id""",
                (
                    s_utc,
                    s_day,
                    s_off,
                    e_utc,
                    e_day,
                    e_off,
                    state.value,
                    mean_hip_angle_deg,
                    float(flexion_s),
                    int(samples),
                    int(hips_visible_samples),
                    json.dumps(extra, sort_keys=True) if extra else None,
                    key,
                ),
            ).fetchone()
        return int(row[0])

    def record_event(
        self, at_wall: datetime, kind: str, detail: dict[str, Any] | None = None
    ) -> int:
        """Store one event (``nudge``, ``break_done``, ``paused``...) with JSON-able details."""
        if not kind:
            raise ValueError("event kind must not be empty")
        text = json.dumps(detail, sort_keys=True) if detail else None
        utc, day, off = _stamp(at_wall)
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO events (at_utc, day, utc_offset_s, kind, detail) VALUES (?, ?, ?, ?, ?)",
                (utc, day, off, kind, text),
            )
        return int(cur.lastrowid or 0)

    # ---- reading --------------------------------------------------------------------------

    def load_day(self, day: date, tz: tzinfo | None = None) -> DayRecords:
        """The intervals (clipped to the day) and events of ``day`` in zone ``tz``, oldest first.

        ``tz`` None is the computer's local time. Rows are selected by UTC instants, so a record
        made in any other zone lands on the day it belongs to in ``tz``; times come back in ``tz``.
        A row that means nothing is skipped and noted in ``skipped``.
        """
        lo_s, hi_s = day_bounds_utc(day, tz)
        version = self.schema_version
        if version == 0:  # an empty file nothing was ever written to
            return DayRecords(day=day, intervals=(), events=())
        # The stored local days only narrow the search (through their index): a local day is
        # at most one day off the UTC date, so a day's margin on each side misses nothing.
        first, last = _near_day(lo_s, -1), _near_day(hi_s, +1)
        # v1 had no sample counts, extras or end days; a read-only store reads it as it is.
        columns, near = "0, 0, NULL", ""
        near_days: tuple[str, ...] = ()
        if version >= 2:
            columns = "samples, hips_visible_samples, extra"
            near, near_days = "start_day <= ? AND end_day >= ? AND", (last, first)
        rows = self._query(
            f"""SELECT id, start_utc, end_utc, state, mean_hip_angle_deg, flexion_s, {columns}
            FROM intervals WHERE {near} start_utc < ? AND end_utc >= ?
            ORDER BY start_utc, id""",
            (*near_days, hi_s, lo_s),
        )
        rows += self._untimed_intervals(columns)
        intervals = []
        for row in rows:
            try:
                iv = _clip(row, lo_s, hi_s, tz)
            except _BadRow as exc:
                self._skip(f"interval {row[0]}", str(exc))
                continue
            # A part that only touches the day (an interval ending at midnight) is left out.
            if iv.duration_s > 0 or not iv.clipped:
                intervals.append(iv)
        events = []
        for row in (
            self._query(
                "SELECT id, at_utc, kind, detail FROM events WHERE day BETWEEN ? AND ?"
                " AND at_utc >= ? AND at_utc < ? ORDER BY at_utc, id",
                (first, last, lo_s, hi_s),
            )
            + self._untimed_events()
        ):
            try:
                events.append(_event(row, tz))
            except _BadRow as exc:
                self._skip(f"event {row[0]}", str(exc))
        return DayRecords(day=day, intervals=tuple(intervals), events=tuple(events))

    def _untimed_intervals(self, columns: str) -> list[Any]:
        """Interval rows whose times are no numbers (found once per connection: HipCheck never
        writes such a row, so only a damaged or hand-edited file holds them)."""
        if self._untimed is None:
            self._untimed = (
                self._query(
                    f"""SELECT id, start_utc, end_utc, state, mean_hip_angle_deg, flexion_s,
                    {columns} FROM intervals WHERE {_NOT_A_TIME.format("start_utc")}
                    OR {_NOT_A_TIME.format("end_utc")}"""
                ),
                self._query(
                    "SELECT id, at_utc, kind, detail FROM events WHERE"
                    f" {_NOT_A_TIME.format('at_utc')}"
                ),
            )
        return self._untimed[0]

    def _untimed_events(self) -> list[Any]:
        """Event rows whose time is no number (see ``_untimed_intervals``)."""
        if self._untimed is None:
            self._untimed_intervals("0, 0, NULL")
        assert self._untimed is not None
        return self._untimed[1]

    def _skip(self, what: str, why: str) -> None:
        """Note a row that cannot be read (logged once per row)."""
        if what not in self.skipped:
            _log.warning("skipping %s of %s: %s", what, self.path, why)
        self.skipped[what] = why

    @property
    def skipped_warning(self) -> str | None:
        """One line about the rows skipped so far, or None."""
        if not self.skipped:
            return None
        first, why = next(iter(self.skipped.items()))
        more = len(self.skipped) - 1
        others = f" and {more} more" if more else ""
        return f"skipped {first} of the history ({why}){others}; the rest is reported"

    def days(self) -> list[date]:
        """Every local day on which an interval starts or ends or an event happened, ascending."""
        rows = self._query(
            "SELECT start_day FROM intervals UNION SELECT end_day FROM intervals"
            " UNION SELECT day FROM events ORDER BY 1"
        )
        return [date.fromisoformat(r[0]) for r in rows if r[0]]

    @property
    def schema_version(self) -> int:
        """The database's schema version."""
        return int(self._query("PRAGMA user_version")[0][0])

    @property
    def journal_mode(self) -> str:
        """SQLite's journal mode (``wal``)."""
        return str(self._query("PRAGMA journal_mode")[0][0])

    @property
    def erase_count(self) -> int:
        """How many times ``delete_all`` ran on this database (writers use it to notice)."""
        rows = self._query("SELECT value FROM meta WHERE name = 'erase_count'")
        return int(rows[0][0]) if rows else 0

    # ---- deleting -------------------------------------------------------------------------

    def delete_all(self) -> None:
        """Erase every record, and the freed pages with them; running writers notice it.

        Raises sqlite3.Error if the scrub cannot finish now; the records are gone already and
        the scrub is retried by the next ``apply_retention``."""
        with self._transaction() as db:
            db.execute("DELETE FROM intervals")
            db.execute("DELETE FROM events")
            db.execute(
                "INSERT INTO meta (name, value) VALUES ('erase_count', '1') ON CONFLICT(name)"
                " DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
            _mark_scrub_pending(db)
        self._finish_scrub()

    def delete_before(self, day: date) -> int:
        """Delete what ended before ``day`` (local); returns rows deleted. The file is marked
        for a scrub (see ``apply_retention``)."""
        iso = day.isoformat()
        with self._transaction() as db:
            n = db.execute("DELETE FROM intervals WHERE end_day < ?", (iso,)).rowcount
            n += db.execute("DELETE FROM events WHERE day < ?", (iso,)).rowcount
            if n:
                _mark_scrub_pending(db)
        return n

    def apply_retention(self, today: date, keep_days: int) -> int:
        """Delete what ended before the last ``keep_days`` days (today included); returns rows
        deleted. The freed pages are scrubbed from the file too; a scrub that could not finish
        (a reader held the WAL, the disk was full) stays noted in the file and is retried on the
        next call. Raises sqlite3.Error when it cannot finish now."""
        n = self.delete_before(retention_cutoff(today, keep_days))
        if self._query("SELECT 1 FROM meta WHERE name = 'scrub_pending'"):
            self._finish_scrub()
        return n

    def _finish_scrub(self) -> None:
        """Scrub, then clear the note that a scrub is pending (and empty the log once more)."""
        self._scrub()
        with self._transaction() as db:
            db.execute("DELETE FROM meta WHERE name = 'scrub_pending'")
        self._checkpoint()

    def _scrub(self) -> None:
        """Rewrite the file without freed pages, and empty the WAL, so deleted data is gone.

        Raises sqlite3.OperationalError when a reader keeps the WAL from being emptied.
        """
        with self._lock:
            self._db.execute("VACUUM")
        self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the WAL into the file and truncate it; OperationalError if a reader blocks it."""
        with self._lock:
            busy = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            raise sqlite3.OperationalError("the database is busy; its log could not be emptied")

    def close(self) -> None:
        """Checkpoint and close the database."""
        with self._lock:
            # Closing must not fail; an un-checkpointed WAL is replayed on the next open.
            if not self.read_only:
                with suppress(sqlite3.Error):
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Unusable(Exception):
    """The file is not a readable HipCheck database."""


def _check(db: sqlite3.Connection) -> int:
    """The schema version of a readable database; raises ``_Unusable`` otherwise."""
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.OperationalError:
        # Locked, busy or not openable: the file may be fine, so it must not be moved aside.
        raise
    except sqlite3.DatabaseError as exc:
        raise _Unusable(str(exc)) from exc
    if result != "ok":
        raise _Unusable(f"integrity check: {result}")
    if version == 0 and tables:
        raise _Unusable("it is not a HipCheck database")
    if 0 < version <= SCHEMA_VERSION and not {"intervals", "events"} <= tables:
        raise _Unusable("tables are missing")
    return version


def _newer_message(path: Path, version: int) -> str:
    """What to say about a database from a newer HipCheck."""
    return (
        f"{path} was written by a newer HipCheck (schema {version}, this one knows"
        f" {SCHEMA_VERSION}); upgrade HipCheck or choose another --data-dir"
    )


def _check_and_migrate(db: sqlite3.Connection, path: Path, stamp: str) -> Path | None:
    """Check the file and migrate it inside ONE write transaction; returns the backup made.

    Holding the write lock from the first look to the last migration means a second process
    creating the same new file waits, then finds it finished: it never sees tables without a
    version (and so never takes a healthy new file for a foreign one). An older schema is first
    copied aside outside the transaction (SQLite's backup cannot read through our own write
    lock), then looked at again under the lock.
    """
    backup: Path | None = None
    while True:
        version = _begin_and_check(db)
        try:
            if version > SCHEMA_VERSION:
                raise StoreError(_newer_message(path, version))
            if 0 < version < SCHEMA_VERSION and backup is None:
                db.execute("ROLLBACK")
                backup = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
                target = sqlite3.connect(backup)
                try:
                    db.backup(target)
                finally:
                    target.close()
                continue
            for target_version in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target_version - 1](db)
                db.execute(f"PRAGMA user_version = {target_version}")
            db.execute("COMMIT")
            return backup
        except BaseException:
            if db.in_transaction:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise


def _begin_and_check(db: sqlite3.Connection) -> int:
    """Take the write lock and return the file's schema version (``_check``)."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        raise  # locked or busy: the file may be fine
    except sqlite3.DatabaseError as exc:
        raise _Unusable(str(exc)) from exc
    try:
        return _check(db)
    except BaseException:
        with suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


def _enable_wal(db: sqlite3.Connection, busy_timeout_s: float) -> None:
    """Switch the file to WAL (a no-op when it is already); retried while another opener holds
    it. A file that cannot be switched keeps working in its old journal mode."""
    deadline = _time.monotonic() + busy_timeout_s
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError:
            if _time.monotonic() >= deadline:
                raise
            _time.sleep(0.02)


def connect_readonly(path: Path, busy_timeout_s: float = 5.0) -> sqlite3.Connection:
    """A read-only connection to the database at ``path`` that creates and changes nothing.

    The path goes into a ``file:`` URI properly escaped (a ``#`` or ``?`` in a folder name is
    part of the name). With no write-ahead log beside the file nothing is pending and nobody is
    writing, so the file is opened immutable: SQLite then creates no ``-wal``/``-shm`` files
    either (and a read-only folder is fine). With a log (HipCheck is recording) the reader
    shares it, read-only.
    """
    if not path.is_file():
        raise StoreError(f"cannot read {path}: there is no such file")
    log = path.with_name(path.name + "-wal")
    mode = "mode=ro" if log.exists() else "mode=ro&immutable=1"
    try:
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?{mode}",
            uri=True,
            timeout=busy_timeout_s,
            isolation_level=None,
            check_same_thread=False,
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read {path}: {exc}") from exc
    return db


def _move_aside(path: Path, suffix: str) -> Path:
    """Rename ``path`` (and its -wal/-shm files) to ``<name>.<suffix>``; nothing is deleted."""
    target = path.with_name(f"{path.name}.{suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{suffix}-{n}")
    shutil.move(str(path), str(target))
    for extra in ("-wal", "-shm"):
        side = path.with_name(path.name + extra)
        if side.exists():
            shutil.move(str(side), str(target.with_name(target.name + extra)))
    return target


def _mark_scrub_pending(db: sqlite3.Connection) -> None:
    """Note in the file that deleted records still wait to be scrubbed from it."""
    db.execute(
        "INSERT INTO meta (name, value) VALUES ('scrub_pending', '1')"
        " ON CONFLICT(name) DO UPDATE SET value = '1'"
    )


class _BadRow(Exception):
    """A stored row whose values mean nothing (the schema let them in)."""


def _finite(value: object, what: str) -> float:
    """``value`` as a finite float; ``_BadRow`` for text, NULL, NaN or infinity."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _BadRow(f"{what} is {value!r}")
    return float(value)


def _count_of(value: object, what: str) -> int:
    """A non-negative whole count."""
    number = _finite(value, what)
    if number < 0:
        raise _BadRow(f"{what} is {value!r}")
    return round(number)


def _json_object(text: object, what: str) -> dict[str, Any]:
    """A stored JSON column: NULL or empty is ``{}``; anything but a JSON object is ``_BadRow``."""
    if text is None or text == "":
        return {}
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise _BadRow(f"{what} is not a JSON object")
    return data


def _numbers(text: object) -> dict[str, float]:
    """``extra``: NULL or a JSON object of finite numbers."""
    return {str(k): _finite(v, f"extra {k!r}") for k, v in _json_object(text, "extra").items()}


def _in_zone(utc_s: float, tz: tzinfo | None) -> datetime:
    """The aware time of UTC seconds in ``tz`` (None: the computer's local time)."""
    try:
        at = datetime.fromtimestamp(utc_s, timezone.utc)
        return at.astimezone(tz) if tz is not None else at.astimezone()
    except (OverflowError, OSError, ValueError) as exc:
        raise _BadRow(f"time {utc_s!r} is out of range") from exc


def day_bounds_utc(day: date, tz: tzinfo | None) -> tuple[float, float]:
    """UTC seconds of ``day``'s local midnight and the next one's in ``tz`` (None: local time)."""

    def midnight(d: date) -> float:
        wall = datetime.combine(d, time(0))
        # A naive time is the computer's local time; astimezone() applies that day's rules.
        return (wall.replace(tzinfo=tz) if tz is not None else wall.astimezone()).timestamp()

    return midnight(day), midnight(day + timedelta(days=1))


def _clip(row: Iterable[Any], lo_s: float, hi_s: float, tz: tzinfo | None) -> StoredInterval:
    """A stored interval clipped to ``[lo_s, hi_s]``; counts, flexion and angle seconds split in
    proportion to time. ``_BadRow`` when its values mean nothing."""
    (iid, s_utc, e_utc, state, angle, flexion, samples, hips, extra) = row
    s_utc, e_utc = _finite(s_utc, "start"), _finite(e_utc, "end")
    if e_utc < s_utc:
        raise _BadRow("it ends before it starts")
    try:
        kind = State(state)
    except ValueError:
        raise _BadRow(f"state {state!r} is unknown") from None
    if angle is not None:
        angle = _finite(angle, "hip angle")
    flexion = _finite(flexion, "flexion")
    samples, hips = _count_of(samples, "samples"), _count_of(hips, "hips visible")
    numbers = _numbers(extra)
    c_start, c_end = max(s_utc, lo_s), min(e_utc, hi_s)
    clipped = c_start > s_utc or c_end < e_utc
    share = 1.0
    if clipped:
        share = (c_end - c_start) / (e_utc - s_utc) if e_utc > s_utc else 0.0
    return StoredInterval(
        id=iid,
        start=_in_zone(c_start, tz),
        end=_in_zone(c_end, tz),
        state=kind,
        mean_hip_angle_deg=angle,
        flexion_s=flexion * share,
        samples=round(samples * share),
        hips_visible_samples=round(hips * share),
        clipped=clipped,
        extra=scale_angle_seconds(numbers, share) if numbers else {},
    )


def _event(row: Iterable[Any], tz: tzinfo | None) -> StoredEvent:
    """A stored event; ``_BadRow`` when its values mean nothing."""
    (eid, at_utc, kind, detail) = row
    if not isinstance(kind, str) or not kind:
        raise _BadRow(f"kind {kind!r} is not a name")
    data = _json_object(detail, "detail")
    return StoredEvent(id=eid, at=_in_zone(_finite(at_utc, "time"), tz), kind=kind, detail=data)


class IntervalSource(Protocol):
    """What ``RecordingSink`` needs from a tracker (``core.tracker.SittingTracker`` is one)."""

    def pop_closed_intervals(self) -> list[Interval]:
        """Intervals closed since the last pop."""
        ...

    def open_interval(self) -> Interval | None:
        """The interval still open, up to the last update."""
        ...

    def close(self, now_s: float) -> list[Interval]:
        """End the open interval at ``now_s`` and pop every closed one."""
        ...


class RecordingSink:
    """Writes a tracker's intervals to a ``Store``, and the still-open one every few seconds.

    Durations come from the monotonic clock; the wall clock only files them under a day. Each
    ``write`` brings an anchor, ``(now_s, wall_now)``, and every interval's wall times are
    ``wall_now - (now_s - t)``, so a wall-clock step between writes never stretches an interval.
    The open interval is upserted under the same key its closed form will use, so after a crash
    (kill -9) at most ``flush_every_s`` plus one tick of the timeline is missing.

    When the user erases the history (``Store.delete_all``, from any connection), the next write
    notices and from then on stores only time after that write, so an interval that was open
    during the erasure does not bring the erased time back.

    A write that fails (disk full, read-only data folder, file removed) never raises: monitoring
    goes on, ``error`` says why for the UI, the interval is kept and retried on the next write,
    and ``error`` goes back to None once writing works again.
    """

    def __init__(
        self, store: Store, *, flush_every_s: float = 5.0, run_id: str | None = None
    ) -> None:
        if flush_every_s <= 0:
            raise ValueError("flush_every_s must be positive")
        self.store = store
        self.flush_every_s = flush_every_s
        # Keys are per run: monotonic times restart with the machine.
        self.run_id = run_id or uuid4().hex
        self._last_flush_s: float | None = None
        self._erase_count: int | None = None
        # Monotonic time before which nothing is stored any more (set after an erasure).
        self._keep_from_s: float | None = None
        self.rows_written = 0
        self.error: str | None = None
        # Intervals whose write failed, by row key (a newer copy of the open one replaces it).
        self._unwritten: dict[str, tuple[Interval, float, datetime]] = {}

    def _failed(self, exc: sqlite3.Error, key: str, item: tuple[Interval, float, datetime]) -> int:
        """Remember an interval that could not be written; tell the log once per outage."""
        if self.error is None:
            _log.warning("cannot write the history database %s: %s", self.store.path, exc)
        self.error = f"The history cannot be saved ({exc}); monitoring goes on."
        self._unwritten[key] = item
        return 0

    def _retry_unwritten(self) -> int:
        """Try again to write what failed before; clears ``error`` when everything got through."""
        written = 0
        for key, (interval, now_s, wall_now) in list(self._unwritten.items()):
            del self._unwritten[key]
            written += self._record(interval, now_s, wall_now)
            if key in self._unwritten:  # still failing: keep the rest for later
                return written
        if self.error is not None:
            _log.info("the history database is writable again")
            self.error = None
        return written

    def record_event(self, at_wall: datetime, kind: str, detail: dict[str, Any] | None) -> int:
        """``Store.record_event`` that never raises on a failing disk (the event is dropped)."""
        try:
            return self.store.record_event(at_wall, kind, detail)
        except sqlite3.Error as exc:
            if self.error is None:
                _log.warning("cannot write the history database %s: %s", self.store.path, exc)
            self.error = f"The history cannot be saved ({exc}); monitoring goes on."
            return 0

    def _check_erased(self, now_s: float) -> None:
        """Notice a ``delete_all`` since the last write and stop storing time before ``now_s``."""
        try:
            count = self.store.erase_count
        except sqlite3.Error:  # an unreadable disk: _record reports it
            return
        if self._erase_count is not None and count != self._erase_count:
            self._keep_from_s = now_s
        self._erase_count = count

    def _key(self, interval: Interval) -> str:
        """The row key of an interval: its run and its (strictly increasing) start."""
        return f"{self.run_id}:{interval.start_s!r}"

    def _record(self, interval: Interval, now_s: float, wall_now: datetime) -> int:
        """Write one interval (clipped after an erasure), mapping times through the anchor."""
        key = self._key(interval)
        keep = self._keep_from_s
        if keep is not None and interval.start_s < keep:
            if interval.end_s <= keep:
                return 0
            share = (interval.end_s - keep) / interval.duration_s
            interval = replace(
                interval,
                start_s=keep,
                flexion_s=interval.flexion_s * share,
                samples=round(interval.samples * share),
                hips_visible_samples=round(interval.hips_visible_samples * share),
                extra=scale_angle_seconds(interval.extra, share),
            )
        try:
            self.store.record_interval(
                wall_now - timedelta(seconds=now_s - interval.start_s),
                wall_now - timedelta(seconds=now_s - interval.end_s),
                interval.state,
                interval.mean_hip_angle_deg,
                interval.flexion_s,
                interval.samples,
                interval.hips_visible_samples,
                extra=interval.extra or None,
                key=key,
            )
        except sqlite3.Error as exc:
            return self._failed(exc, key, (interval, now_s, wall_now))
        self.rows_written += 1
        return 1

    def write(self, source: IntervalSource, now_s: float, wall_now: datetime) -> int:
        """Store the intervals closed since the last call and, when due, the open one."""
        self._check_erased(now_s)
        written = self._retry_unwritten() if self._unwritten else 0
        for interval in source.pop_closed_intervals():
            written += self._record(interval, now_s, wall_now)
        due = self._last_flush_s is None or now_s - self._last_flush_s >= self.flush_every_s
        if due:
            current = source.open_interval()
            if current is not None and current.end_s > current.start_s:
                written += self._record(current, now_s, wall_now)
            self._last_flush_s = now_s
        return written

    def finish(self, source: IntervalSource, now_s: float, wall_now: datetime) -> int:
        """Close the source at ``now_s`` and store everything it still holds."""
        self._check_erased(now_s)
        written = self._retry_unwritten() if self._unwritten else 0
        for interval in source.close(now_s):
            written += self._record(interval, now_s, wall_now)
        self._last_flush_s = now_s
        return written
