"""A day in 110 seconds: a video built from stills, analysed end to end, its timeline asserted.

No real clip shows a transition, so the test writes one with OpenCV from real photographs: sitting,
a short absence (shorter than the natural break), sitting again, a long absence (a natural break),
standing. The natural break is set to 30 s with ``--set`` so the video stays short.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stills_video import Segment, write_stills_video

pytestmark = pytest.mark.footage

SIT = "images/side_sit_upright_01.jpg"
EMPTY = "images/empty_home_office_desk_01.png"
STAND = "images/standing_mpii_01.jpg"
# (still, seconds, expected smoothed state)
PLAN = [
    (SIT, 20, "sitting"),
    (EMPTY, 10, "away"),  # shorter than the 30 s natural break: the bout goes on
    (SIT, 20, "sitting"),
    (EMPTY, 40, "away"),  # a natural break after 30 s of it
    (STAND, 20, "standing"),
]
# The smoother shows a change within 1.9 s at 2 samples/s (core/smoothing.py).
DELAY_S = 2.0


@pytest.fixture(scope="module")
def analysed(posture_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Write the video once, analyse it once with the store on; the JSON plus the database path."""
    folder = tmp_path_factory.mktemp("transition")
    video = folder / "transition.mp4"
    length_s = write_stills_video(
        video, [Segment(posture_data / still, seconds) for still, seconds, _ in PLAN], fps=5.0
    )
    assert length_s == sum(seconds for _, seconds, _ in PLAN)
    data_dir = folder / "data"
    result = subprocess.run(
        [
            sys.executable, "-m", "hipcheck", "analyze", str(video), "--json", "--store",
            "--data-dir", str(data_dir), "--set", "natural_break_min=0.5",
        ],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "HIPCHECK_DATA_DIR": str(folder / "unused")},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    doc["database"] = data_dir / "hipcheck.sqlite3"
    return doc


def _segments() -> list[tuple[float, float, str]]:
    """(start, end, expected state) of each segment in video seconds."""
    out, t = [], 0.0
    for _, seconds, state in PLAN:
        out.append((t, t + seconds, state))
        t += seconds
    return out


def test_each_segment_shows_its_state_after_the_smoothing_delay(analysed: dict[str, Any]) -> None:
    timeline = analysed["timeline"]
    assert len(timeline) == 220  # 110 s at 2 samples/s
    for start, end, expected in _segments():
        settled = [e["state"] for e in timeline if start + DELAY_S <= e["t"] < end]
        assert settled and set(settled) == {expected}, (start, expected, settled)
        raw = [e["raw_state"] for e in timeline if start <= e["t"] < end]
        # Per sample the model may stumble once in a while; the smoothing absorbs it.
        assert raw.count(expected) >= 0.9 * len(raw), (start, expected, raw)
    # The side view shows the hips: the samples that saw someone sitting measured the angle
    # (nearly all: the whole-frame search for several people now and then fits the knees less
    # surely than the close look at the user does; smoothing absorbs it).
    sitting = [e for e in timeline if e["raw_state"] == "sitting"]
    measured = [e for e in sitting if e["hips_visible"] and e["hip_angle_deg"] is not None]
    assert sitting and len(measured) >= 0.9 * len(sitting), (len(measured), len(sitting))


def test_one_bout_one_natural_break(analysed: dict[str, Any]) -> None:
    summary, events = analysed["summary"], analysed["events"]
    kinds = [e["kind"] for e in events]
    # The short absence does not end the bout; the long one does, 30 s after it began.
    assert kinds.count("bout_started") == 1 and summary["bouts"] == 1
    assert kinds.count("natural_break") == 1 and kinds.count("bout_ended") == 1
    (brk,) = [e for e in events if e["kind"] == "natural_break"]
    assert brk["state"] == "away"
    assert brk["t"] == pytest.approx(50 + 30, abs=DELAY_S)
    (ended,) = [e for e in events if e["kind"] == "bout_ended"]
    # The bout runs from the first sitting to the start of the long absence, the short one inside.
    assert ended["duration_s"] == pytest.approx(50, abs=DELAY_S)
    assert summary["longest_bout_s"] == pytest.approx(50, abs=DELAY_S)


def test_summary_totals_follow_the_plan(analysed: dict[str, Any]) -> None:
    s = analysed["summary"]
    # The last sample falls on the first frame at or after 109.5 s (frames every 0.2 s).
    assert s["duration_s"] == pytest.approx(109.5, abs=0.21)
    assert s["sitting_s"] == pytest.approx(40, abs=2 * DELAY_S)
    assert s["away_s"] == pytest.approx(50, abs=2 * DELAY_S)
    assert s["standing_s"] == pytest.approx(19.5, abs=DELAY_S)
    assert s["unknown_s"] <= DELAY_S
    # Flexion time is the sitting time whose sample measured flexion >= 45° (each sample holds
    # for 0.5 s); sitting upright on a chair is roughly a right angle at the hip.
    timeline = analysed["timeline"]
    flexed = [e for e in timeline if e["state"] == "sitting" and (e["flexion_deg"] or 0) >= 45]
    assert s["flexion_s"] == pytest.approx(0.5 * len(flexed), abs=2 * DELAY_S)
    assert 0 < s["flexion_s"] <= s["sitting_s"]
    assert 70 <= s["mean_hip_angle_sitting_deg"] <= 140


def test_the_store_holds_the_same_timeline(analysed: dict[str, Any]) -> None:
    with sqlite3.connect(analysed["database"]) as db:
        intervals = db.execute(
            "SELECT start_utc, end_utc, state FROM intervals ORDER BY start_utc"
        ).fetchall()
        events = [k for (k,) in db.execute("SELECT kind FROM events ORDER BY at_utc")]
    states = [state for _, _, state in intervals if state != "unknown"]
    assert states == ["sitting", "away", "sitting", "away", "standing"]
    assert intervals[-1][1] - intervals[0][0] == pytest.approx(
        analysed["summary"]["duration_s"], abs=0.01
    )
    assert events.count("natural_break") == 1 and events.count("bout_started") == 1
