"""A hostile history: bad rows, other time zones, overlapping records, racing openers, odd paths.

Each table row is a case a user (or a damaged file) can produce; every one must leave the history
readable, its good records counted exactly once, and nothing recorded lost.
"""

from __future__ import annotations

import itertools
import json
import math
import multiprocessing
import random
import sqlite3
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hipcheck.core.report import build_day_report
from hipcheck.core.settings import Settings
from hipcheck.core.tracker import SittingTracker
from hipcheck.core.types import Observation, State
from hipcheck.data_archive import export_all_data
from hipcheck.paths import resolve_paths
from hipcheck.store.db import SCHEMA_VERSION, RecordingSink, Store
from hipcheck.ui.app import day_totals

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 11, 10)


def at(hh: int, mm: int = 0, ss: int = 0, tz: ZoneInfo = BERLIN, day: date = DAY) -> datetime:
    """A wall time on ``day`` in ``tz``."""
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=tz)


# ---- a row the schema accepts but that means nothing ----------------------------------------

# (case, SQL inserting the bad row; the good rows are one sitting hour 09:00-10:00 Berlin and a
# nudge at 09:30, which must still be reported)
BAD_ROWS = [
    ("unknown state", "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s,"
     " end_day, end_offset_s, state, flexion_s) VALUES ({s}, {e}, '2026-11-10', 3600,"
     " '2026-11-10', 3600, 'bogus', 0)"),
    ("extra not JSON", "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s,"
     " end_day, end_offset_s, state, flexion_s, extra) VALUES ({s}, {e}, '2026-11-10', 3600,"
     " '2026-11-10', 3600, 'sitting', 0, '{{not json')"),
    ("extra a list", "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s,"
     " end_day, end_offset_s, state, flexion_s, extra) VALUES ({s}, {e}, '2026-11-10', 3600,"
     " '2026-11-10', 3600, 'sitting', 0, '[1, 2]')"),
    ("extra with text", "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s,"
     " end_day, end_offset_s, state, flexion_s, extra) VALUES ({s}, {e}, '2026-11-10', 3600,"
     " '2026-11-10', 3600, 'sitting', 0, '{{\"gap\": \"yes\"}}')"),
    ("start is text", "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s,"
     " end_day, end_offset_s, state, flexion_s) VALUES ('{s}x', {e}, '2026-11-10', 3600,"
     " '2026-11-10', 3600, 'sitting', 0)"),
    ("ends before it starts", "INSERT INTO intervals (start_utc, end_utc, start_day,"
     " start_offset_s, end_day, end_offset_s, state, flexion_s) VALUES ({e}, {s}, '2026-11-10',"
     " 3600, '2026-11-10', 3600, 'sitting', 0)"),
    ("infinite end", "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s,"
     " end_day, end_offset_s, state, flexion_s) VALUES ({s}, 1e999, '2026-11-10', 3600,"
     " '2026-11-10', 3600, 'sitting', 0)"),
    ("angle is text", "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s,"
     " end_day, end_offset_s, state, flexion_s, mean_hip_angle_deg) VALUES ({s}, {e},"
     " '2026-11-10', 3600, '2026-11-10', 3600, 'sitting', 0, 'wide')"),
    ("flexion is text", "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s,"
     " end_day, end_offset_s, state, flexion_s) VALUES ({s}, {e}, '2026-11-10', 3600,"
     " '2026-11-10', 3600, 'sitting', 'lots')"),
    ("event detail a list", "INSERT INTO events (at_utc, day, utc_offset_s, kind, detail)"
     " VALUES ({s}, '2026-11-10', 3600, 'break_done', '[\"glute_bridge\"]')"),
    ("event detail not JSON", "INSERT INTO events (at_utc, day, utc_offset_s, kind, detail)"
     " VALUES ({s}, '2026-11-10', 3600, 'nudge', '{{oops')"),
    ("event detail deeply nested", "INSERT INTO events (at_utc, day, utc_offset_s, kind,"
     " detail) VALUES ({s}, '2026-11-10', 3600, 'nudge', '" + "[" * 100000 + "')"),
    ("event time is text", "INSERT INTO events (at_utc, day, utc_offset_s, kind, detail)"
     " VALUES ('soon', '2026-11-10', 3600, 'nudge', NULL)"),
    ("event kind is bytes", "INSERT INTO events (at_utc, day, utc_offset_s, kind, detail)"
     " VALUES ({s}, '2026-11-10', 3600, X'ff', NULL)"),
]  # fmt: skip


def good_day(path: Path) -> None:
    """One sitting hour 09:00-10:00 Berlin on DAY (2400 s in flexion) and a nudge at 09:30."""
    with Store.open(path) as store:
        store.record_interval(at(9), at(10), State.SITTING, 100.0, 2400.0, 7200, 7200)
        store.record_event(at(9, 30), "nudge", {"bout_s": 1800})


@pytest.mark.parametrize(("case", "sql"), BAD_ROWS, ids=[c for c, _ in BAD_ROWS])
def test_a_bad_row_is_skipped_and_the_rest_reported(tmp_path: Path, case: str, sql: str) -> None:
    path = tmp_path / "hipcheck.sqlite3"
    good_day(path)
    with sqlite3.connect(path) as con:
        con.execute(sql.format(s=at(9, 15).timestamp(), e=at(9, 45).timestamp()))
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    before = path.read_bytes()

    store = Store.open_readonly(path)
    try:
        report = build_day_report(store, DAY, tz=BERLIN)
    finally:
        store.close()
    assert report.sitting_s == 3600.0 and report.flexion_s == 2400.0
    assert report.recorded_s == 3600.0
    assert report.nudges == 1
    assert len(store.skipped) == 1, store.skipped
    assert store.skipped_warning is not None and "skipped" in store.skipped_warning
    assert path.read_bytes() == before, "reading changed the file"


# ---- days in the reader's zone, whatever zone recorded them ------------------------------------

# (case, recorded start and end, reading zone, expected {day: (local start, local end)})
ZONES = [
    (
        "New York evening read in London",
        (at(20, tz=NEW_YORK), at(21, tz=NEW_YORK)),
        LONDON,
        {DAY: None, date(2026, 11, 11): ("01:00", "02:00")},
    ),
    (
        "London morning read in New York",
        (at(3, day=date(2026, 11, 11), tz=LONDON), at(4, day=date(2026, 11, 11), tz=LONDON)),
        NEW_YORK,
        {DAY: ("22:00", "23:00"), date(2026, 11, 11): None},
    ),
    (
        "New York 23:30-00:30 read in Berlin: all on the 11th",
        (at(23, 30, tz=NEW_YORK), at(0, 30, tz=NEW_YORK, day=date(2026, 11, 11))),
        BERLIN,
        {DAY: None, date(2026, 11, 11): ("05:30", "06:30")},
    ),
    (
        "Tokyo across London midnight: split in two",
        (
            at(8, 30, tz=ZoneInfo("Asia/Tokyo"), day=date(2026, 11, 11)),
            at(9, 30, tz=ZoneInfo("Asia/Tokyo"), day=date(2026, 11, 11)),
        ),
        LONDON,
        {DAY: ("23:30", "00:00"), date(2026, 11, 11): ("00:00", "00:30")},
    ),
]


@pytest.mark.parametrize(("case", "span", "zone", "expected"), ZONES, ids=[z[0] for z in ZONES])
def test_records_land_on_the_readers_day(
    tmp_path: Path,
    case: str,
    span: tuple[datetime, datetime],
    zone: ZoneInfo,
    expected: dict[date, tuple[str, str] | None],
) -> None:
    path = tmp_path / "hipcheck.sqlite3"
    with Store.open(path) as store:
        store.record_interval(span[0], span[1], State.SITTING, 100.0, 0.0)
        total = 0.0
        for day, times in expected.items():
            report = build_day_report(store, day, tz=zone)
            if times is None:
                assert not report.has_data and report.segments == ()
                continue
            [seg] = report.segments
            assert (f"{seg.start:%H:%M}", f"{seg.end:%H:%M}") == times
            assert seg.start.tzinfo is zone
            total += report.sitting_s or 0.0
        assert total == 3600.0, "the hour is reported whole, once"


# ---- one moment is counted once ---------------------------------------------------------------

Rec = tuple[datetime, datetime, State, float, dict[str, float] | None]

# (case, records, expected (sitting, standing, away, recorded) seconds on DAY, longest bout s)
OVERLAPS: list[tuple[str, list[Rec], tuple[float, float, float, float], float]] = [
    (
        "five runs of one clip filed at the same moment",
        [(at(9), at(9, 0, 17), State.SITTING, 17.0, None)] * 5,
        (17.0, 0.0, 0.0, 17.0),
        17.0,
    ),
    (
        "tray hour with an analysed clip inside it",
        [
            (at(9), at(10), State.SITTING, 600.0, None),
            (at(9, 20), at(9, 40), State.STANDING, 0.0, None),
        ],
        (3600.0, 0.0, 0.0, 3600.0),
        3600.0,
    ),
    (
        "analysed clip sticking out past the tray record",
        [
            (at(9), at(10), State.SITTING, 3600.0, None),
            (at(9, 30), at(10, 30), State.STANDING, 0.0, None),
        ],
        (3600.0, 1800.0, 0.0, 5400.0),
        3600.0,
    ),
    (
        "a measured clip fills the tray app's gap",
        [
            (at(9), at(10), State.AWAY, 0.0, {"gap": 1.0}),
            (at(9, 10), at(9, 50), State.SITTING, 2400.0, None),
        ],
        (2400.0, 0.0, 1200.0, 3600.0),
        2400.0,
    ),
    (
        "three staggered runs",
        [
            (at(9), at(9, 30), State.SITTING, 0.0, None),
            (at(9, 10), at(9, 40), State.SITTING, 0.0, None),
            (at(9, 20), at(9, 50), State.SITTING, 0.0, None),
        ],
        (3000.0, 0.0, 0.0, 3000.0),
        3000.0,
    ),
]


@pytest.mark.parametrize(
    ("case", "records", "expected", "longest"), OVERLAPS, ids=[o[0] for o in OVERLAPS]
)
def test_overlapping_records_count_each_moment_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    records: list[Rec],
    expected: tuple[float, float, float, float],
    longest: float,
) -> None:
    with Store.open(tmp_path / "hipcheck.sqlite3") as store:
        for start, end, state, flexion, extra in records:
            store.record_interval(start, end, state, 100.0, flexion, extra=extra)
        report = build_day_report(store, DAY, tz=BERLIN, natural_break_s=120.0)
        monkeypatch.setenv("TZ", "Europe/Berlin")  # the tray's own zone
        tray_sitting, tray_flexion = day_totals(store)(DAY)
    got = (report.sitting_s, report.standing_s, report.away_s, report.recorded_s)
    assert got == pytest.approx(expected)
    assert report.not_monitored_s == pytest.approx(86400.0 - expected[3])
    assert report.longest_bout_s == pytest.approx(longest)
    # The tray's tooltip reads the same time line.
    assert tray_sitting == pytest.approx(expected[0])
    assert tray_flexion == pytest.approx(report.flexion_s)
    # The time line never holds a moment twice.
    segs = report.segments
    assert all(a.end <= b.start for a, b in itertools.pairwise(segs))


@pytest.mark.parametrize("seed", range(5))
def test_random_overlaps_never_exceed_the_wall_time(tmp_path: Path, seed: int) -> None:
    """Many random records, some across midnight: the report's totals add up to the union of
    their times (worked out here by a plain sort-and-merge), never more."""
    rng = random.Random(seed)
    day_start = at(0).timestamp()
    spans = []
    with Store.open(tmp_path / "hipcheck.sqlite3") as store:
        for _ in range(150):
            start = day_start - 3600 + rng.random() * (86400 + 2 * 3600)
            end = start + rng.random() * 5400
            state = rng.choice(list(State))
            extra = {"gap": 1.0} if state is State.AWAY and rng.random() < 0.3 else None
            store.record_interval(
                datetime.fromtimestamp(start, BERLIN),
                datetime.fromtimestamp(end, BERLIN),
                state,
                100.0,
                0.0,
                extra=extra,
            )
            spans.append((max(start, day_start), min(end, day_start + 86400)))
        report = build_day_report(store, DAY, tz=BERLIN)
    union, reach = 0.0, -math.inf
    for lo, hi in sorted(s for s in spans if s[1] > s[0]):
        if hi > reach:
            union += hi - max(lo, reach)
            reach = hi
    totals = [report.sitting_s, report.standing_s, report.away_s, report.unknown_s]
    assert sum(t or 0.0 for t in totals) == pytest.approx(union, abs=1e-3)
    assert report.recorded_s == pytest.approx(union, abs=1e-3)
    assert report.not_monitored_s == pytest.approx(86400.0 - union, abs=1e-3)
    assert all(b.duration_s <= 86400.0 for b in report.bouts)


def _record_sitting(path: str, wall_start: str, seconds: float, start_flag: object) -> None:
    """A recording process: a tracker fed 'sitting' every 0.5 s, written through a sink."""
    start_flag.wait()  # type: ignore[attr-defined]
    store = Store.open(path)
    try:
        tracker = SittingTracker.from_settings(Settings())
        sink = RecordingSink(store, flush_every_s=1.0)
        wall0 = datetime.fromisoformat(wall_start)
        t = 0.0
        while t <= seconds:
            obs = Observation(t, True, State.SITTING, hip_angle_deg=100.0, hips_visible=True,
                              confidence=0.9)  # fmt: skip
            tracker.update(obs, t)
            sink.write(tracker, t, wall0 + timedelta(seconds=t))
            t += 0.5
        sink.finish(tracker, seconds, wall0 + timedelta(seconds=seconds))
    finally:
        store.close()


def test_concurrent_recordings_of_one_moment_are_counted_once(tmp_path: Path) -> None:
    """Three processes record the same ten minutes (staggered by a minute) into one file at once:
    every row is kept, and the report counts 12 minutes of wall time, not 30."""
    path = tmp_path / "data" / "hipcheck.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    flag = ctx.Event()
    starts = [at(9, m).isoformat() for m in (0, 1, 2)]
    procs = [ctx.Process(target=_record_sitting, args=(str(path), s, 600.0, flag)) for s in starts]
    for p in procs:
        p.start()
    flag.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with Store.open_readonly(path) as store:
        rows = store.load_day(DAY, BERLIN).intervals
        report = build_day_report(store, DAY, tz=BERLIN)
    # Nothing lost: each run's own intervals add up to its ten minutes.
    assert sum(r.duration_s for r in rows) == pytest.approx(3 * 600.0, abs=1.0)
    assert report.sitting_s == pytest.approx(720.0, abs=1.0)
    assert report.recorded_s == pytest.approx(720.0, abs=1.0)
    assert report.bout_count == 1


# ---- two processes creating the database at the same moment -----------------------------------


def _open_and_record(path: str, n: int, start_flag: object, out: object) -> None:
    """Open (creating) the store the moment the flag is raised, record one event, report."""
    start_flag.wait()  # type: ignore[attr-defined]
    try:
        with Store.open(path) as store:
            store.record_event(at(9, n), "nudge", {"n": n})
            out.put((n, store.warning, None))  # type: ignore[attr-defined]
    except Exception as exc:  # the failure is the finding
        out.put((n, None, f"{type(exc).__name__}: {exc}"))  # type: ignore[attr-defined]


def test_racing_openers_of_a_new_file_all_succeed(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    trials, openers = 12, 4
    for trial in range(trials):
        folder = tmp_path / f"t{trial}"
        path = folder / "hipcheck.sqlite3"
        flag, out = ctx.Event(), ctx.Queue()
        procs = [
            ctx.Process(target=_open_and_record, args=(str(path), n, flag, out))
            for n in range(openers)
        ]
        for p in procs:
            p.start()
        flag.set()
        results = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(30)
        assert [r for r in results if r[2] is not None] == [], f"trial {trial}"
        assert [r for r in results if r[1] is not None] == [], f"trial {trial}: moved aside"
        assert sorted(p.name for p in folder.iterdir() if ".corrupt" in p.name) == []
        with Store.open_readonly(path) as store:
            assert store.schema_version == SCHEMA_VERSION
            events = store.load_day(DAY, BERLIN).events
        assert sorted(e.detail["n"] for e in events) == list(range(openers)), f"trial {trial}"


# ---- reading changes nothing -------------------------------------------------------------------


def v1_day(path: Path) -> None:
    """The first-schema (v1) database of the store tests: on 3 January 2026 (CET) sitting
    10:00-11:00 and 23:00-24:00 (the rest crosses midnight), a nudge at 10:45."""
    from store.test_db import make_v1

    make_v1(path)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# (case, how the file is made)
READ_ONLY: list[tuple[str, Callable[[Path], None]]] = [
    ("current schema", good_day),
    ("older schema, not migrated", v1_day),
]


@pytest.mark.parametrize(("case", "make"), READ_ONLY, ids=[c for c, _ in READ_ONLY])
def test_reading_changes_nothing(tmp_path: Path, case: str, make: Callable[[Path], None]) -> None:
    path = tmp_path / "hipcheck.sqlite3"
    make(path)
    before = snapshot(tmp_path)
    day = DAY if make is good_day else date(2026, 1, 3)
    with Store.open_readonly(path) as store:
        report = build_day_report(store, day, tz=BERLIN)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.record_event(at(11), "nudge")
    assert (report.sitting_s, report.nudges) == ((3600.0, 1) if make is good_day else (7200.0, 1))
    assert snapshot(tmp_path) == before


def test_reading_while_the_app_writes_sees_the_log(tmp_path: Path) -> None:
    """A reader sees what the writer's WAL holds and leaves it for the writer to checkpoint."""
    path = tmp_path / "hipcheck.sqlite3"
    writer = Store.open(path)
    try:
        writer.record_interval(at(9), at(10), State.SITTING, 100.0, 0.0)
        with Store.open_readonly(path) as reader:
            assert build_day_report(reader, DAY, tz=BERLIN).sitting_s == 3600.0
        writer.record_interval(at(10), at(11), State.STANDING, None, 0.0)
    finally:
        writer.close()
    with Store.open_readonly(path) as reader:
        assert build_day_report(reader, DAY, tz=BERLIN).standing_s == 3600.0


# ---- the data export with odd characters in the path -------------------------------------------


@pytest.mark.parametrize("folder", ["data#1", "what?now", "100%", "a b#c?d=e&f"])
def test_export_escapes_the_database_path(tmp_path: Path, folder: str) -> None:
    data_dir = tmp_path / folder
    paths = resolve_paths(data_dir)
    good_day(paths.database)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    zip_path = export_all_data(paths, tmp_path / "out" / "export.zip", Settings(), at(12))
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "out" not in p.parts)
    assert after == before, "no stray database was created"
    extracted = tmp_path / "out" / "copy.sqlite3"
    with zipfile.ZipFile(zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        extracted.write_bytes(zf.read(paths.database.name))
    assert paths.database.name in manifest["files"]
    with Store.open_readonly(extracted) as copy:
        assert build_day_report(copy, DAY, tz=BERLIN).sitting_s == 3600.0


def test_export_of_a_damaged_history_is_an_error_and_leaves_no_zip(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data")
    good_day(paths.database)
    data = bytearray(paths.database.read_bytes())
    data[:16] = b"not a database!!"
    paths.database.write_bytes(bytes(data))
    before = paths.database.read_bytes()
    with pytest.raises(OSError, match="cannot be copied"):
        export_all_data(paths, tmp_path / "out" / "export.zip", Settings(), at(12))
    assert not (tmp_path / "out" / "export.zip").exists()
    assert paths.database.read_bytes() == before


def test_report_zone_is_independent_of_the_recording_offset(tmp_path: Path) -> None:
    """A fixed-offset zone (no name) reads the same instants as a named one."""
    with Store.open(tmp_path / "hipcheck.sqlite3") as store:
        store.record_interval(at(9), at(10), State.SITTING, 100.0, 0.0)
        utc = build_day_report(store, DAY, tz=timezone.utc)
    [seg] = utc.segments
    assert (seg.start.hour, seg.end.hour) == (8, 9)
