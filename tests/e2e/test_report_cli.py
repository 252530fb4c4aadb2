"""``hipcheck report`` end to end: a real subprocess reading a real SQLite file of known days."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reporting.sample_days import tuesday_data_dir


def hipcheck(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hipcheck ARGS`` in Berlin time with its data in ``data_dir``."""
    env = {**os.environ, "TZ": "Europe/Berlin", "HIPCHECK_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data directory whose history holds the known Tuesday."""
    return tuesday_data_dir(tmp_path)


def test_text_for_a_date(data_dir: Path) -> None:
    """The default format is a readable summary on stdout."""
    result = hipcheck("report", "--date", "2026-11-10", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Tuesday 10 November 2026" in result.stdout
    assert "1 h 59 min" in result.stdout and "1 h 30 min" in result.stdout
    assert result.stderr == ""


def test_today_without_data_says_so(data_dir: Path) -> None:
    """Today (no --date) has nothing recorded in this history: said in words, exit 0."""
    result = hipcheck("report", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "No data recorded on" in result.stdout


def test_json(data_dir: Path) -> None:
    """JSON on stdout with the hand-computed numbers."""
    result = hipcheck("report", "--date", "2026-11-10", "--format", "json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["sitting_s"], doc["bouts"], doc["longest_bout_s"]) == (7140.0, 2, 5400.0)
    assert doc["timezone"] == "Europe/Berlin"


def test_csv(data_dir: Path) -> None:
    """CSV of the day's 7 intervals and 6 events."""
    result = hipcheck("report", "--date", "2026-11-10", "--format", "csv", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["record"] for r in rows].count("interval") == 7
    assert [r["record"] for r in rows].count("event") == 6


def test_html_to_a_file(data_dir: Path, tmp_path: Path) -> None:
    """-o writes the file; stdout stays empty and stderr names the file."""
    out = tmp_path / "report.html"
    result = hipcheck(
        "report", "--date", "2026-11-10", "--format", "html", "-o", str(out), data_dir=data_dir
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert str(out) in result.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg ") == 8  # light and dark


def test_no_history_yet_is_exit_1_and_creates_nothing(tmp_path: Path) -> None:
    """Nothing ever recorded: one clear line, exit 1, and no empty database is created."""
    empty = tmp_path / "fresh"
    result = hipcheck("report", data_dir=empty)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("No data recorded yet")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (empty / "hipcheck.sqlite3").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--date", "10.11.2026"), "--date '10.11.2026' is not a day; use YYYY-MM-DD"),
        (("--format", "pdf"), "invalid choice"),
        (("-o", "/proc/no/such/dir/r.txt"), "does not exist"),
    ],
)
def test_bad_input_is_one_line_exit_2(data_dir: Path, args: tuple[str, ...], says: str) -> None:
    """Bad date, format or output: one line on stderr, exit 2, no traceback."""
    result = hipcheck("report", *args, data_dir=data_dir)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], result.stderr


# A short day from real photographs: sitting, a short absence (the bout goes on), sitting, a
# long absence (a natural break with natural_break_min=0.5), standing.
STILLS_PLAN = [
    ("images/side_sit_upright_01.jpg", 20),
    ("images/empty_home_office_desk_01.png", 10),
    ("images/side_sit_upright_01.jpg", 20),
    ("images/empty_home_office_desk_01.png", 40),
    ("images/standing_mpii_01.jpg", 20),
]


@pytest.mark.footage
@pytest.mark.parametrize("clip", ["videos/front_sit_upper_body_01.mp4", "stills"])
def test_report_agrees_with_analyze(posture_data: Path, tmp_path: Path, clip: str) -> None:
    """``hipcheck analyze`` then ``hipcheck report``: the same seconds and bouts (within rounding)."""
    if clip == "stills":
        from stills_video import Segment, write_stills_video

        video = tmp_path / "stills.mp4"
        write_stills_video(video, [Segment(posture_data / p, s) for p, s in STILLS_PLAN])
    else:
        video = posture_data / clip
    data_dir = tmp_path / "data"
    opts = ("--data-dir", str(data_dir), "--set", "natural_break_min=0.5")
    recorded = "2026-11-10T10:00:00+01:00"
    analysed = hipcheck("analyze", str(video), "--json", "--store", "--recorded-at", recorded,
                        *opts, data_dir=tmp_path / "unused")  # fmt: skip
    assert analysed.returncode == 0, analysed.stderr
    summary = json.loads(analysed.stdout)["summary"]
    # The footage is filed at the time it was recorded (--recorded-at).
    days = [json.loads(hipcheck("report", "--format", "json", "--date", "2026-11-10", *opts,
                                data_dir=tmp_path / "unused").stdout)]  # fmt: skip
    assert all(d["has_data"] for d in days)
    for key in ("sitting_s", "flexion_s", "standing_s", "away_s", "unknown_s"):
        assert sum(d[key] for d in days) == pytest.approx(summary[key], abs=0.15), key
    if len(days) == 1:
        assert days[0]["bouts"] == summary["bouts"]
        assert days[0]["longest_bout_s"] == pytest.approx(summary["longest_bout_s"], abs=0.15)
    assert summary["sitting_s"] > 10  # the footage really shows sitting
    if clip == "stills":
        assert summary["bouts"] == 1 and summary["standing_s"] > 10
