"""``hipcheck report`` against hostile input: odd -o targets, dates at the calendar's ends, bad
rows, a read-only or damaged history, overlapping records, another time zone.

Each row runs the real command in a subprocess and checks the exit status, the one-line message,
that no traceback appeared, and that the history (and the -o target's kind) is as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hipcheck.core.types import State
from hipcheck.store.db import SCHEMA_VERSION, Store
from reporting.sample_days import BERLIN, tuesday_data_dir

NEW_YORK = ZoneInfo("America/New_York")


def hipcheck(
    *args: str,
    data_dir: Path,
    tz: str = "Europe/Berlin",
    prefix: tuple[str, ...] = (),
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hipcheck ARGS`` in zone ``tz`` with its data in ``data_dir``."""
    env = {**os.environ, "TZ": tz, "HIPCHECK_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "hipcheck", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        cwd=cwd,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2 with one line on stderr naming ``words``, and no traceback."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipcheck: error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def files(folder: Path) -> dict[str, bytes]:
    """Every file of the history (the database and anything beside it), by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("hipcheck.sqlite3*"))}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder whose history holds the known Tuesday (sitting 7140 s)."""
    return tuesday_data_dir(tmp_path)


# ---- -o PATH ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An -o case: what is made at the path, what must hold afterwards."""

    name: str
    make: Callable[[Path], str]  # returns the -o argument
    status: int
    check: Callable[[Path, subprocess.CompletedProcess[str]], None]
    words: tuple[str, ...] = ()


def _regular(tmp: Path) -> str:
    return str(tmp / "new.txt")


def _regular_check(tmp: Path, r: subprocess.CompletedProcess[str]) -> None:
    assert (tmp / "new.txt").read_text().startswith("HipCheck report")
    assert [p.name for p in tmp.iterdir() if p.name.startswith(".new")] == []


def _existing(tmp: Path) -> str:
    (tmp / "old.txt").write_text("yesterday's report\n")
    (tmp / "old.txt").chmod(0o640)
    return str(tmp / "old.txt")


def _existing_check(tmp: Path, r: subprocess.CompletedProcess[str]) -> None:
    assert (tmp / "old.txt").read_text().startswith("HipCheck report")
    assert stat.S_IMODE((tmp / "old.txt").stat().st_mode) == 0o640


def _link(tmp: Path, *, dangling: bool = False) -> str:
    """A symlink to real/target.txt (which exists unless ``dangling``)."""
    (tmp / "real").mkdir()
    if not dangling:
        (tmp / "real" / "target.txt").write_text("old\n")
    (tmp / "link.txt").symlink_to(tmp / "real" / "target.txt")
    return str(tmp / "link.txt")


def _link_check(tmp: Path, r: subprocess.CompletedProcess[str]) -> None:
    assert (tmp / "link.txt").is_symlink()
    assert (tmp / "real" / "target.txt").read_text().startswith("HipCheck report")


def _device(tmp: Path) -> str:
    """A null device. As root a private one is made (a regression must never be able to turn
    the machine's /dev/null into a file); otherwise /dev/null, which a user cannot replace."""
    if os.geteuid() != 0:
        return os.devnull
    os.mknod(tmp / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return str(tmp / "null")


def _device_check(tmp: Path, r: subprocess.CompletedProcess[str]) -> None:
    device = tmp / "null" if os.geteuid() == 0 else Path(os.devnull)
    assert stat.S_ISCHR(device.stat().st_mode), "the device must stay a device"
    assert [p.name for p in tmp.iterdir() if p.name != "null"] == []


def _stdout(tmp: Path) -> str:
    """/dev/stdout; as root a private link to it (a regression must never replace the real one)."""
    if os.geteuid() != 0:
        return "/dev/stdout"
    (tmp / "stdout").symlink_to("/proc/self/fd/1")
    return str(tmp / "stdout")


def _dash(tmp: Path) -> str:
    return "-"  # run in ``tmp``: a regression writing a file named "-" writes it there


def _stdout_check(tmp: Path, r: subprocess.CompletedProcess[str]) -> None:
    assert r.stdout.startswith("HipCheck report"), r.stdout
    assert not (tmp / "-").exists()
    assert all(p.is_symlink() for p in tmp.iterdir())


def _directory(tmp: Path) -> str:
    (tmp / "folder").mkdir()
    return str(tmp / "folder")


def _directory_check(tmp: Path, r: subprocess.CompletedProcess[str]) -> None:
    assert (tmp / "folder").is_dir() and not any((tmp / "folder").iterdir())


def _no_folder(tmp: Path) -> str:
    return str(tmp / "missing" / "report.txt")


def _no_folder_check(tmp: Path, r: subprocess.CompletedProcess[str]) -> None:
    assert not (tmp / "missing").exists()


def _proc_file(tmp: Path) -> str:
    return "/proc/version"


def _proc_check(tmp: Path, r: subprocess.CompletedProcess[str]) -> None:
    assert Path("/proc/version").read_text().startswith("Linux")


TARGETS = [
    Target("new regular file", _regular, 0, _regular_check),
    Target("existing file keeps its mode", _existing, 0, _existing_check),
    Target("symlink: its target is written", _link, 0, _link_check),
    Target("dangling symlink: its target is made", partial(_link, dangling=True), 0, _link_check),
    Target("a null device stays a device", _device, 0, _device_check),
    Target("/dev/stdout", _stdout, 0, _stdout_check),
    Target("- is stdout", _dash, 0, _stdout_check),
    Target("a directory", _directory, 2, _directory_check, ("it is a directory",)),
    Target("missing folder", _no_folder, 2, _no_folder_check, ("does not exist",)),
    Target("/proc file", _proc_file, 2, _proc_check, ("/proc/version",)),
]


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_output_goes_where_the_user_named(data_dir: Path, tmp_path: Path, target: Target) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    arg = target.make(out_dir)
    before = files(data_dir)
    result = hipcheck("report", "--date", "2026-11-10", "-o", arg, data_dir=data_dir, cwd=out_dir)
    if target.status == 0:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    else:
        one_line_error(result, *target.words)
    target.check(out_dir, result)
    assert files(data_dir) == before


def test_output_to_a_fifo_is_written_in_place(data_dir: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    result = hipcheck("report", "--date", "2026-11-10", "-o", str(fifo), data_dir=data_dir)
    reader.join(30)
    assert result.returncode == 0, result.stderr
    assert got and got[0].startswith("HipCheck report")
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the FIFO must not be replaced by a file"


# ---- dates at the ends of the calendar ----------------------------------------------------------

# (date, exit status, words in the message or in stdout)
DATES = [
    ("0001-01-01", 2, ("0001-01-01", "covers days from")),
    ("0001-01-08", 2, ("covers days from",)),
    ("0001-01-09", 0, ("No data recorded",)),
    ("9999-12-31", 2, ("9999-12-31",)),
    ("1970-01-01", 0, ("No data recorded",)),
]


@pytest.mark.parametrize(("day", "status", "words"), DATES, ids=[d for d, _, _ in DATES])
def test_dates_at_the_calendars_ends(
    data_dir: Path, day: str, status: int, words: tuple[str, ...]
) -> None:
    for fmt in ("text", "json"):
        result = hipcheck("report", "--date", day, "--format", fmt, data_dir=data_dir)
        if status == 2:
            one_line_error(result, *words)
        else:
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
            if fmt == "text":
                assert all(w in result.stdout for w in words), result.stdout


# ---- the history itself is hostile -------------------------------------------------------------


@contextmanager
def connected(db: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection, committed and closed after (a damaged file then lies at rest)."""
    con = sqlite3.connect(db)
    try:
        yield con
        con.commit()
    finally:
        con.close()


def _bad_rows(db: Path) -> None:
    """Tuesday plus meaningless rows the schema lets in."""
    with connected(db) as con:
        s, e = datetime(2026, 11, 10, 12, 0, tzinfo=BERLIN), datetime(2026, 11, 10, 12, 30)
        con.execute(
            "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s, end_day,"
            " end_offset_s, state, flexion_s) VALUES (?, ?, '2026-11-10', 3600, '2026-11-10',"
            " 3600, 'bogus', 0)",
            (s.timestamp(), e.replace(tzinfo=BERLIN).timestamp()),
        )
        con.execute(
            "INSERT INTO intervals (start_utc, end_utc, start_day, start_offset_s, end_day,"
            " end_offset_s, state, flexion_s, extra) VALUES (?, ?, '2026-11-10', 3600,"
            " '2026-11-10', 3600, 'sitting', 0, 'not json')",
            (s.timestamp(), e.replace(tzinfo=BERLIN).timestamp()),
        )
        con.execute(
            "INSERT INTO events (at_utc, day, utc_offset_s, kind, detail) VALUES"
            " (?, '2026-11-10', 3600, 'break_done', '[1, 2]')",
            (s.timestamp(),),
        )


def _older_schema(db: Path) -> None:
    """The same Tuesday in a file that says it is schema 1 with the v1 column names."""
    with connected(db) as con:
        con.execute("DROP INDEX intervals_days")
        con.execute("ALTER TABLE intervals RENAME COLUMN start_day TO day")
        con.execute("ALTER TABLE intervals RENAME COLUMN start_offset_s TO utc_offset_s")
        con.execute("DROP INDEX intervals_key")
        for column in (
            "end_day",
            "end_offset_s",
            "key",
            "extra",
            "samples",
            "hips_visible_samples",
        ):
            con.execute(f"ALTER TABLE intervals DROP COLUMN {column}")
        con.execute("PRAGMA user_version = 1")


def _damaged(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[:16] = b"not a database!!"
    db.write_bytes(bytes(data))


def _newer(db: Path) -> None:
    with connected(db) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def _foreign(db: Path) -> None:
    db.unlink()
    with connected(db) as con:
        con.execute("CREATE TABLE photos (jpeg BLOB)")


# (case, damage, exit status, words in stderr, sitting seconds reported on Tuesday)
HISTORIES: list[tuple[str, Callable[[Path], None], int, tuple[str, ...], float | None]] = [
    ("bad rows are skipped aloud", _bad_rows, 0, ("warning", "skipped", "2 more"), 7140.0),
    ("older schema read as it is", _older_schema, 0, (), 7140.0),
    ("damaged file is left in place", _damaged, 2, ("cannot be read",), None),
    ("newer schema is refused", _newer, 2, ("newer HipCheck",), None),
    ("foreign database is refused", _foreign, 2, ("not a HipCheck database",), None),
]


@pytest.mark.parametrize(
    ("case", "damage", "status", "words", "sitting"), HISTORIES, ids=[h[0] for h in HISTORIES]
)
def test_a_hostile_history(
    data_dir: Path,
    case: str,
    damage: Callable[[Path], None],
    status: int,
    words: tuple[str, ...],
    sitting: float | None,
) -> None:
    damage(data_dir / "hipcheck.sqlite3")
    before = files(data_dir)
    result = hipcheck("report", "--date", "2026-11-10", "--format", "json", data_dir=data_dir)
    assert "Traceback" not in result.stderr
    if status == 2:
        one_line_error(result, *words)
    else:
        assert result.returncode == 0, result.stderr
        assert all(w in result.stderr for w in words), result.stderr
        assert json.loads(result.stdout)["sitting_s"] == sitting
    # Read-only: not migrated, not moved aside, nothing created beside it.
    assert files(data_dir) == before
    assert sorted(p.name for p in data_dir.glob("*.sqlite3*")) == ["hipcheck.sqlite3"]


def _read_only_prefix(folder: Path) -> tuple[str, ...]:
    """Run the command with ``folder`` read-only: a private read-only bind mount as root (where
    permissions do not bind), a 0555 folder otherwise."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return ()
    unshare = shutil.which("unshare")
    assert unshare, "unshare (util-linux) is needed to make a read-only folder as root"
    script = (
        f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && exec "$@"'
    )
    return (unshare, "--mount", "sh", "-c", script, "sh")


def test_a_read_only_data_folder(data_dir: Path) -> None:
    before = files(data_dir)
    prefix = _read_only_prefix(data_dir)
    try:
        result = hipcheck(
            "report", "--date", "2026-11-10", "--format", "json", data_dir=data_dir, prefix=prefix
        )
    finally:
        data_dir.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout)["sitting_s"] == 7140.0
    assert files(data_dir) == before


def test_report_while_the_app_is_writing_changes_nothing_it_owns(data_dir: Path) -> None:
    """With a writer's log beside the file the report reads it too, and leaves it."""
    writer = Store.open(data_dir / "hipcheck.sqlite3")
    try:
        writer.record_interval(
            datetime(2026, 11, 10, 13, 0, tzinfo=BERLIN),
            datetime(2026, 11, 10, 13, 1, tzinfo=BERLIN),
            State.SITTING,
            100.0,
            0.0,
        )
        result = hipcheck("report", "--date", "2026-11-10", "--format", "json", data_dir=data_dir)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["sitting_s"] == 7140.0 + 60.0
    finally:
        writer.close()


# ---- one moment once; days in the reader's zone ------------------------------------------------


def test_five_stored_runs_of_one_clip_count_once(tmp_path: Path) -> None:
    """Five 17 s records filed at the same moment (the old `analyze` default): 17 s of sitting,
    and "Not recorded" is the rest of the day."""
    data = tmp_path / "data"
    start = datetime(2026, 11, 10, 9, 0, 0, tzinfo=BERLIN)
    with Store.open(data / "hipcheck.sqlite3") as store:
        for run in range(5):
            end = start.replace(second=17)
            store.record_interval(start, end, State.SITTING, 100.0, 10.0, key=f"run{run}:0.0")
    result = hipcheck("report", "--date", "2026-11-10", "--format", "json", data_dir=data)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["sitting_s"], doc["flexion_s"], doc["bouts"]) == (17.0, 10.0, 1)
    assert doc["not_recorded_s"] == 86400.0 - 17.0
    assert sum(seg["end"] > seg["start"] for seg in doc["timeline"]) == 1


def test_new_york_evening_reported_in_london(tmp_path: Path) -> None:
    """Recorded 20:00-21:00 America/New_York on 10 Nov; in Europe/London it is 01:00-02:00 on
    the 11th, and nothing on the 10th."""
    data = tmp_path / "data"
    with Store.open(data / "hipcheck.sqlite3") as store:
        store.record_interval(
            datetime(2026, 11, 10, 20, 0, tzinfo=NEW_YORK),
            datetime(2026, 11, 10, 21, 0, tzinfo=NEW_YORK),
            State.SITTING,
            100.0,
            0.0,
        )
    tenth = hipcheck("report", "--date", "2026-11-10", "--format", "json", data_dir=data,
                     tz="Europe/London")  # fmt: skip
    eleventh = hipcheck("report", "--date", "2026-11-11", "--format", "json", data_dir=data,
                        tz="Europe/London")  # fmt: skip
    assert tenth.returncode == eleventh.returncode == 0, tenth.stderr + eleventh.stderr
    assert json.loads(tenth.stdout)["has_data"] is False
    doc = json.loads(eleventh.stdout)
    assert doc["sitting_s"] == 3600.0 and doc["timezone"] == "Europe/London"
    [seg] = doc["timeline"]
    assert (seg["start"], seg["end"]) == ("2026-11-11T01:00:00+00:00", "2026-11-11T02:00:00+00:00")
