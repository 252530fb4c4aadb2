"""``hipcheck analyze`` end to end: a real subprocess, the real model, real footage, a real SQLite file."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hipcheck import __version__

pytestmark = pytest.mark.footage

STATES = {"sitting", "standing", "away", "unknown"}


def hipcheck(
    *args: str, data_dir: Path, timeout_s: float = 180
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hipcheck ARGS`` with its data dir pinned (never the user's real one)."""
    env = {**os.environ, "HIPCHECK_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout_s,
        check=False,
    )


def analyze_json(source: Path, tmp_path: Path, *extra: str) -> dict[str, Any]:
    """Analyse ``source`` with --json and return the parsed document."""
    result = hipcheck("analyze", str(source), "--json", *extra, data_dir=tmp_path / "env-data")
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def stored_intervals(database: Path) -> list[tuple[float, float, str]]:
    """(start, end, state) of every stored interval, read with plain sqlite3."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT start_utc, end_utc, state FROM intervals ORDER BY start_utc")
        return [(float(a), float(b), str(s)) for a, b, s in rows]


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hipcheck", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"hipcheck {__version__}"


@pytest.mark.parametrize("clip", ["front_sit_upper_body_01.mp4", "front_table_sit_children_01.mp4"])
def test_video_json_summary_and_timeline_agree(
    posture_data: Path, tmp_path: Path, clip: str
) -> None:
    doc = analyze_json(posture_data / "videos" / clip, tmp_path, "--no-store")
    summary, timeline = doc["summary"], doc["timeline"]
    # One entry per sample at 2/s over the whole clip (these clips are 10.8 s and 17.3 s long).
    assert len(timeline) == summary["samples"]
    assert summary["duration_s"] >= 10.0
    assert len(timeline) == pytest.approx(2 * summary["duration_s"] + 1, abs=1)
    times = [e["t"] for e in timeline]
    assert times[0] == 0 and all(0.45 <= b - a <= 0.55 for a, b in itertools.pairwise(times))
    assert times[-1] == pytest.approx(summary["duration_s"], abs=0.01)
    for entry in timeline:
        assert set(entry) >= {"t", "state", "hip_angle_deg", "flexion_deg", "hips_visible"}
        assert entry["state"] in STATES and isinstance(entry["hips_visible"], bool)
        if entry["hip_angle_deg"] is None:
            assert entry["flexion_deg"] is None
        else:
            assert entry["flexion_deg"] == pytest.approx(180 - entry["hip_angle_deg"], abs=0.11)
    # The state totals split the duration; flexion is part of sitting.
    parts = ("sitting_s", "standing_s", "away_s", "unknown_s")
    assert sum(summary[k] for k in parts) == pytest.approx(summary["duration_s"], abs=0.05)
    assert 0 <= summary["flexion_s"] <= summary["sitting_s"] + 0.01
    assert summary["longest_bout_s"] <= summary["duration_s"] + 0.01
    visible = sum(e["hips_visible"] for e in timeline) / len(timeline)
    assert summary["hips_visible_share"] == pytest.approx(visible, abs=0.001)
    # These are people sitting at a table seen from the front: HipCheck must call it sitting
    # once the smoothing has settled, and count one bout.
    settled = [e["state"] for e in timeline if e["t"] >= 2.0]
    assert settled.count("sitting") >= 0.9 * len(settled), settled
    assert summary["bouts"] == 1
    # Arriving: 1 s to settle in view and be taken for the user, then the smoothing delay.
    assert summary["sitting_s"] >= summary["duration_s"] - 3.0


def test_side_view_still_gives_one_raw_entry_with_the_hip_angle(
    posture_data: Path, tmp_path: Path
) -> None:
    doc = analyze_json(posture_data / "images" / "side_sit_upright_01.jpg", tmp_path, "--no-store")
    (entry,) = doc["timeline"]
    assert entry["t"] == 0
    assert entry["state"] == "sitting"  # the raw state: a still has no smoothing delay
    assert entry["hips_visible"] is True
    assert 60 <= entry["hip_angle_deg"] <= 130  # upright on a chair: roughly a right angle
    assert doc["summary"]["samples"] == 1 and doc["summary"]["duration_s"] == 0
    assert doc["summary"]["state"] == "sitting"
    assert doc["summary"]["mean_hip_angle_sitting_deg"] == entry["hip_angle_deg"]


def test_a_still_reads_as_one_picture(posture_data: Path, tmp_path: Path) -> None:
    """A still's text summary names its state and angle, with no durations to add up."""
    image = posture_data / "images" / "side_sit_upright_01.jpg"
    result = hipcheck("analyze", str(image), "--no-store", data_dir=tmp_path / "env")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{image}: one picture, analyzed once: sitting"
    assert lines[1].startswith("  Hip angle: ") and lines[1].endswith("° (180° = straight)")
    assert lines[2:] == [
        "  Hips in view: yes",
        "Not added to the history (add --store to keep it).",
    ]


def test_empty_room_still_is_away(posture_data: Path, tmp_path: Path) -> None:
    doc = analyze_json(
        posture_data / "images" / "empty_conference_room_01.png", tmp_path, "--no-store"
    )
    (entry,) = doc["timeline"]
    assert entry["state"] == "away" and entry["hip_angle_deg"] is None


def test_text_summary_and_store_in_data_dir(posture_data: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "mine"
    clip = posture_data / "videos" / "front_table_sit_children_01.mp4"
    result = hipcheck(
        "analyze", str(clip), "--store", "--data-dir", str(data_dir), data_dir=tmp_path / "env"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for word in (
        "Sitting",
        "hips bent",
        "Standing",
        "Away",
        "Not sure",
        "Sitting stretches",
        "hip angle",
    ):
        assert word in out
    assert "Added to the history in" in out
    rows = stored_intervals(data_dir / "hipcheck.sqlite3")
    assert rows, "no interval stored"
    assert not (tmp_path / "env").exists()  # --data-dir wins over $HIPCHECK_DATA_DIR
    # Back to back, covering the analysed footage, ending sitting.
    assert all(abs(a[1] - b[0]) < 1e-3 for a, b in itertools.pairwise(rows))
    assert rows[-1][1] - rows[0][0] == pytest.approx(10.5, abs=0.6)
    assert rows[-1][2] == "sitting"


def test_no_store_writes_nothing(posture_data: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    data_dir.mkdir()
    clip = posture_data / "images" / "side_sit_forward_01.jpg"
    result = hipcheck(
        "analyze", str(clip), "--no-store", "--data-dir", str(data_dir), data_dir=data_dir
    )
    assert result.returncode == 0, result.stderr
    # No history and no settings written (the log folder may appear: logging is not history).
    written = [p.name for p in data_dir.rglob("*") if p.is_file() and p.parent == data_dir]
    assert written == [], written
    assert not list(data_dir.rglob("*.sqlite3*"))


def test_fps_changes_the_sampling(posture_data: Path, tmp_path: Path) -> None:
    clip = posture_data / "videos" / "front_table_sit_children_01.mp4"
    doc = analyze_json(clip, tmp_path, "--no-store", "--fps", "1")
    times = [e["t"] for e in doc["timeline"]]
    assert doc["summary"]["sample_rate_hz"] == 1
    assert all(0.95 <= b - a <= 1.05 for a, b in itertools.pairwise(times))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["analyze", "{tmp}/missing.mp4"], "missing.mp4"),
        (["analyze", "{tmp}/garbage.mp4"], "garbage.mp4"),
        (["analyze", "{tmp}/garbage.png"], "garbage.png"),
        (["analyze", "7"], "7"),
        (["analyze", "{clip}", "--fps", "0"], "--fps"),
        (["analyze", "{clip}", "--fps", "fast"], "--fps"),
        (["analyze", "{clip}", "--set", "sample_rate_hz=99"], "sample_rate_hz"),
        (["analyze"], "SOURCE"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    posture_data: Path, tmp_path: Path, args: list[str], needle: str
) -> None:
    (tmp_path / "garbage.mp4").write_bytes(b"this is not a video\n" * 100)
    (tmp_path / "garbage.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    clip = posture_data / "videos" / "front_table_sit_children_01.mp4"
    argv = [a.format(tmp=tmp_path, clip=clip) for a in args]
    result = hipcheck(*argv, data_dir=tmp_path / "data", timeout_s=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and needle.lower() in lines[0].lower()
    assert result.stdout == ""
    assert not (tmp_path / "data" / "hipcheck.sqlite3").exists()
