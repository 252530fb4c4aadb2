"""benchmarks/accuracy.py: bad input is one line and exit 2; a tiny labelled folder is scored."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.vision.accuracy_module import ACCURACY_PY


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    """The benchmark as a user runs it."""
    return subprocess.run(
        [sys.executable, str(ACCURACY_PY), *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("name,kind\na,b\n", "lacks column"),
        ("file,state\nimages/x.jpg,dancing\n", "state must be one of"),
        ("file,state\nimages/missing.jpg,sitting\n", "labelled file not found"),
        ("file,state\n", "no labelled files"),
    ],
)
def test_bad_labels_are_one_line_and_exit_2(
    tmp_path: Path, content: str | None, message: str
) -> None:
    labels = tmp_path / "labels.csv"
    if content is not None:
        labels.write_text(content)
    proc = _run(str(labels))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr


def test_bad_option_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = _run(str(tmp_path / "labels.csv"), "--size", "big")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


@pytest.mark.footage
def test_scores_a_small_labelled_folder(posture_data: Path, tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    rows = ["file,state"]
    # One sitting, one standing, one empty room, and a deliberately wrong label.
    for name, state in [
        ("side_sit_upright_02.jpg", "sitting"),
        ("standing_mpii_01.jpg", "standing"),
        ("empty_conference_room_01.png", "away"),
        ("side_sit_reclined_01.jpg", "standing"),
    ]:
        shutil.copy(posture_data / "images" / name, tmp_path / "images" / name)
        rows.append(f"images/{name},{state}")
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")
    proc = _run(str(tmp_path / "labels.csv"))
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout)
    assert "State accuracy (stills): 3/4 = 75.0%" in proc.stdout
    assert "miss: images/side_sit_reclined_01.jpg: expected standing, got sitting" in proc.stdout
    assert "Hip angle" not in proc.stdout  # no keypoint file beside these labels
