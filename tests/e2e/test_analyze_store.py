"""What ``hipcheck analyze`` puts into the history: nothing unless asked, and stored footage filed
at the time it was recorded, so runs of the same clip (even at once) count its time once.

The real command, the real model, real footage (copied into a temporary folder so its file time
can be set), a real SQLite file.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.footage

BERLIN = ZoneInfo("Europe/Berlin")
CLIP = "videos/front_table_sit_children_01.mp4"  # 10.5 s, a child sitting at a table
CLIP_S = 10.5
FILMED_END = datetime(2026, 11, 10, 10, 0, 0, tzinfo=BERLIN)  # the copy's modification time


def run(*args: str, data_dir: Path, tz: str = "Europe/Berlin") -> subprocess.Popen[str]:
    """Start ``python -m hipcheck ARGS`` in zone ``tz`` with its data in ``data_dir``."""
    env = {**os.environ, "TZ": tz, "HIPCHECK_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "hipcheck", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def hipcheck(
    *args: str, data_dir: Path, tz: str = "Europe/Berlin"
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hipcheck ARGS`` to the end."""
    proc = run(*args, data_dir=data_dir, tz=tz)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture
def clip(posture_data: Path, tmp_path: Path) -> Path:
    """A copy of the clip whose file time says it was filmed until FILMED_END."""
    copy = tmp_path / "footage" / Path(CLIP).name
    copy.parent.mkdir()
    shutil.copyfile(posture_data / CLIP, copy)
    os.utime(copy, (FILMED_END.timestamp(), FILMED_END.timestamp()))
    return copy


def rows(data_dir: Path) -> list[tuple[float, float, str]]:
    """(start, end, state) of every stored interval."""
    con = sqlite3.connect(data_dir / "hipcheck.sqlite3")
    try:
        found = con.execute("SELECT start_utc, end_utc, state FROM intervals ORDER BY start_utc")
        return [(float(a), float(b), str(s)) for a, b, s in found]
    finally:
        con.close()


def report(data_dir: Path) -> dict[str, object]:
    """The JSON report of 2026-11-10 in Berlin."""
    result = hipcheck("report", "--date", "2026-11-10", "--format", "json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


# (case, extra arguments, where the stored footage starts: None = nothing stored)
STORING = [
    ("default stores nothing", (), None),
    ("--no-store stores nothing", ("--no-store",), None),
    ("--store files it at the file time minus its length", ("--store",), "mtime"),
    (
        "--recorded-at files it there",
        ("--store", "--recorded-at", "2026-11-10T08:30:00+01:00"),
        "2026-11-10T08:30:00+01:00",
    ),
    (
        "--recorded-at without an offset is local time",
        ("--store", "--recorded-at", "2026-11-10T08:30"),
        "2026-11-10T08:30:00+01:00",
    ),
]


@pytest.mark.parametrize(("case", "extra", "start"), STORING, ids=[s[0] for s in STORING])
def test_what_is_stored_and_when(
    clip: Path, tmp_path: Path, case: str, extra: tuple[str, ...], start: str | None
) -> None:
    data_dir = tmp_path / "data"
    result = hipcheck("analyze", str(clip), *extra, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if start is None:
        assert not list(tmp_path.rglob("*.sqlite3*")), "nothing may be stored"
        assert "--store" in result.stdout
        return
    stored = rows(data_dir)
    first = FILMED_END.timestamp() - CLIP_S if start == "mtime" else datetime.fromisoformat(start)
    first_s = first if isinstance(first, float) else first.timestamp()
    assert stored[0][0] == pytest.approx(first_s, abs=0.6)
    assert stored[-1][1] - stored[0][0] == pytest.approx(CLIP_S, abs=0.6)
    assert "Added to the history" in result.stdout


# (case, arguments, words in the one-line error)
BAD = [
    ("--recorded-at needs --store", ("--recorded-at", "2026-11-10T08:30"), ("--store",)),
    ("--recorded-at not a time", ("--store", "--recorded-at", "at noon"), ("--recorded-at",)),
    ("--store and --no-store", ("--store", "--no-store"), ("--no-store",)),
]


@pytest.mark.parametrize(("case", "extra", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_storing_options(
    clip: Path, tmp_path: Path, case: str, extra: tuple[str, ...], words: tuple[str, ...]
) -> None:
    result = hipcheck("analyze", str(clip), *extra, data_dir=tmp_path / "data")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert not list(tmp_path.rglob("*.sqlite3*"))


def test_runs_of_one_clip_at_once_count_its_time_once(clip: Path, tmp_path: Path) -> None:
    """Three storing analyses of the same clip, at the same moment, into one history: every row
    is kept (nothing lost), and the report counts the clip's 10.5 s once."""
    data_dir = tmp_path / "data"
    single = tmp_path / "single"
    alone = hipcheck("analyze", str(clip), "--store", data_dir=single)
    assert alone.returncode == 0, alone.stderr
    procs = [run("analyze", str(clip), "--store", data_dir=data_dir) for _ in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    stored = rows(data_dir)
    assert len(stored) == 3 * len(rows(single))
    once, thrice = report(single), report(data_dir)
    for key in ("sitting_s", "standing_s", "away_s", "unknown_s", "not_recorded_s", "bouts"):
        assert thrice[key] == pytest.approx(once[key], abs=0.15), key
    covered = sum(
        float(thrice[k])  # type: ignore[arg-type]
        for k in ("sitting_s", "standing_s", "away_s", "unknown_s")
    )
    assert covered == pytest.approx(CLIP_S, abs=0.6)


def test_filmed_in_new_york_reported_in_london(clip: Path, tmp_path: Path) -> None:
    """Stored on a laptop set to New York at 20:00 local time on 10 Nov; the report in London
    shows it at 01:00 on the 11th, and nothing on the 10th."""
    data_dir = tmp_path / "data"
    stored = hipcheck("analyze", str(clip), "--store", "--recorded-at", "2026-11-10T20:00",
                      data_dir=data_dir, tz="America/New_York")  # fmt: skip
    assert stored.returncode == 0, stored.stderr

    def london(day: str) -> dict[str, Any]:
        result = hipcheck("report", "--date", day, "--format", "json", data_dir=data_dir,
                          tz="Europe/London")  # fmt: skip
        assert result.returncode == 0, result.stderr
        doc: dict[str, Any] = json.loads(result.stdout)
        return doc

    assert london("2026-11-10")["has_data"] is False
    doc = london("2026-11-11")
    assert doc["timeline"][0]["start"] == "2026-11-11T01:00:00+00:00"
    covered = sum(doc[k] for k in ("sitting_s", "standing_s", "away_s", "unknown_s"))
    assert covered == pytest.approx(CLIP_S, abs=0.6)
