"""Camera problems in words to act on: which camera, what is wrong, what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipcheck.vision.camera_check import Problem, camera_name, describe_camera_problem


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    dev, sys_root = tmp_path / "dev", tmp_path / "sys"
    dev.mkdir()
    (sys_root / "video0").mkdir(parents=True)
    (sys_root / "video0" / "name").write_text("Integrated Camera\n")
    return dev, sys_root


def test_a_missing_camera_says_where_it_looked_and_what_to_do(roots: tuple[Path, Path]) -> None:
    dev, sys_root = roots
    problem = describe_camera_problem("0", dev_root=dev, sys_root=sys_root)
    assert problem.problem is Problem.MISSING and problem.short == "no camera"
    assert f"No camera found at {dev}/video0" in problem.message
    assert "Plug in a webcam" in problem.message and "Settings → Camera" in problem.message
    assert "reminds you by the clock" in problem.message


def test_a_camera_held_by_another_app_is_busy(roots: tuple[Path, Path]) -> None:
    dev, sys_root = roots
    (dev / "video0").write_text("")
    problem = describe_camera_problem("0", "no camera at index 0", dev_root=dev, sys_root=sys_root)
    assert problem.problem is Problem.BUSY and problem.short == "camera busy"
    assert problem.message.startswith("Integrated Camera (/dev/video0) is in use by another app")
    assert camera_name(0, sys_root) == "Integrated Camera (/dev/video0)"
    assert camera_name(3, sys_root) == "camera 3 (/dev/video3)"


def test_a_camera_the_user_may_not_open(roots: tuple[Path, Path]) -> None:
    dev, sys_root = roots
    (dev / "video0").write_text("")
    problem = describe_camera_problem(
        "0", dev_root=dev, sys_root=sys_root, access=lambda path, mode: False
    )
    assert problem.problem is Problem.NO_PERMISSION and '"video" group' in problem.message


def test_files_streams_and_a_failing_model(tmp_path: Path) -> None:
    missing = describe_camera_problem(str(tmp_path / "cam.mp4"))
    assert missing.short == "no video file" and "does not exist" in missing.message
    stream = describe_camera_problem("rtsp://cam.local/s")
    assert stream.problem is Problem.STREAM and "rtsp://cam.local/s" in stream.message
    failed = describe_camera_problem("0", "Monitoring stopped: the pose model is missing")
    assert failed.problem is Problem.FAILED and "the pose model is missing" in failed.message


def test_a_stream_password_is_never_shown() -> None:
    problem = describe_camera_problem("rtsp://user:secret@cam.local/s")
    assert "secret" not in problem.message and "secret" not in problem.camera
