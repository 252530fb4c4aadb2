"""The pose boundary: the shipped model's check, the one Tasks adapter, native noise, scripts."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from hipcheck import logs
from hipcheck.core.types import NUM_LANDMARKS, Landmark, PoseSample
from hipcheck.errors import UserError
from hipcheck.vision import pose
from hipcheck.vision.pose import (
    MODEL_FILE,
    MODEL_SHA256,
    MODEL_SIZE,
    MediaPipePoseEstimator,
    ModelMissingError,
    ScriptedPoseEstimator,
    from_tasks,
    load_model_bytes,
    native_log_captured,
)


def _points(n: int, x0: float, visibility: float | None = 0.9) -> list[SimpleNamespace]:
    """``n`` made-up landmarks shaped like MediaPipe's (x grows with the index from ``x0``)."""
    return [SimpleNamespace(x=x0 + i / 100, y=0.5, z=-0.1, visibility=visibility) for i in range(n)]


def _result(*people: float, world: bool = True, n: int = NUM_LANDMARKS) -> SimpleNamespace:
    """Something shaped like a ``PoseLandmarkerResult`` with one person per x offset."""
    return SimpleNamespace(
        pose_landmarks=[_points(n, x0) for x0 in people],
        pose_world_landmarks=[
            [SimpleNamespace(x=x0, y=i / 10, z=0.0, visibility=0.9) for i in range(n)]
            for x0 in (people if world else ())
        ],
    )


# ---- the shipped model ------------------------------------------------------------------------


def test_the_shipped_model_is_intact() -> None:
    data = load_model_bytes()
    assert len(data) == MODEL_SIZE and hashlib.sha256(data).hexdigest() == MODEL_SHA256


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d[:-1],  # truncated
        lambda d: d + b"\0",  # grown
        lambda d: d[:1000] + bytes([d[1000] ^ 1]) + d[1001:],  # one bit flipped, same size
        lambda d: b"",
    ],
    ids=["truncated", "grown", "altered", "empty"],
)
def test_an_altered_model_is_a_one_line_error(change: object) -> None:
    data = change(load_model_bytes())  # type: ignore[operator]
    with pytest.raises(ModelMissingError) as info:
        load_model_bytes(data)
    message = str(info.value)
    assert isinstance(info.value, UserError)
    assert "\n" not in message and MODEL_FILE in message and "reinstall" in message


def test_a_missing_model_is_a_one_line_error_before_mediapipe_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The package's data folder without the model in it.
    monkeypatch.setattr(pose.resources, "files", lambda _package: tmp_path)
    with pytest.raises(ModelMissingError) as info:
        load_model_bytes()
    assert "\n" not in str(info.value) and "missing" in str(info.value)
    with pytest.raises(ModelMissingError):
        MediaPipePoseEstimator()


def test_a_missing_model_makes_analyze_exit_2_with_one_line(posture_data: Path) -> None:
    code = (
        "import sys\n"
        "from importlib import resources\n"
        "from pathlib import Path\n"
        "resources.files = lambda package: Path('/nonexistent')\n"
        "from hipcheck.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    image = posture_data / "images" / "side_sit_upright_01.jpg"
    done = subprocess.run(
        [sys.executable, "-c", code, "analyze", str(image), "--no-store"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and MODEL_FILE in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


# ---- from_tasks -------------------------------------------------------------------------------


def test_from_tasks_converts_one_person_and_keeps_the_frame_size() -> None:
    (sample,) = from_tasks(_result(0.0), 3.5, (640, 480))
    assert sample.timestamp_s == 3.5 and sample.image_size == (640, 480)
    assert len(sample.image) == NUM_LANDMARKS
    assert sample.image[10] == Landmark(0.1, 0.5, -0.1, 0.9)
    assert sample.world is not None and sample.world[3].y == pytest.approx(0.3)


def test_from_tasks_gives_every_person_in_the_order_found() -> None:
    samples = from_tasks(_result(0.0, 0.3, 0.6), 1.0, (1280, 720))
    assert [round(s.image[0].x, 6) for s in samples] == [0.0, 0.3, 0.6]
    assert [s.world[0].x for s in samples if s.world is not None] == [0.0, 0.3, 0.6]
    assert all(s.image_size == (1280, 720) for s in samples)


def test_from_tasks_nobody_a_wrong_shape_and_missing_parts() -> None:
    assert (
        from_tasks(SimpleNamespace(pose_landmarks=[], pose_world_landmarks=[]), 0.0, (4, 3)) == ()
    )
    assert from_tasks(SimpleNamespace(), 0.0, (4, 3)) == ()
    assert from_tasks(_result(0.0, n=17), 0.0, (4, 3)) == ()
    # A person with the wrong number of landmarks is dropped, the others kept.
    mixed = SimpleNamespace(pose_landmarks=[_points(17, 0.0), _points(NUM_LANDMARKS, 0.5)])
    (kept,) = from_tasks(mixed, 0.0, (4, 3))
    assert kept.image[0].x == 0.5 and kept.world is None
    # No world landmarks, or fewer than people: those people have none.
    no_world = from_tasks(_result(0.0, 0.2, world=False), 0.0, (4, 3))
    assert [s.world for s in no_world] == [None, None]
    short = _result(0.0, 0.2)
    short.pose_world_landmarks = short.pose_world_landmarks[:1]
    assert [s.world is None for s in from_tasks(short, 0.0, (4, 3))] == [False, True]
    # A landmark without a visibility counts as not visible.
    blind = SimpleNamespace(pose_landmarks=[_points(NUM_LANDMARKS, 0.0, visibility=None)])
    assert {lm.visibility for lm in from_tasks(blind, 0.0, (4, 3))[0].image} == {0.0}


# ---- MediaPipe's native noise -----------------------------------------------------------------


NATIVE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1764600000.000000   123 gl_context.cc:369] GL version: 3.2\n"
    "W0000 00:00:1764600000.000001   123 inference_feedback_manager.cc:114] Feedback manager\n"
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"
)


def test_native_noise_goes_to_the_log_and_other_lines_reach_stderr(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger=pose.__name__), native_log_captured():
        os.write(2, (NATIVE + "hipcheck: something the user must see\n").encode())
    err = capfd.readouterr().err
    assert err == "hipcheck: something the user must see\n"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "XNNPACK" in logged and "gl_context.cc" in logged and "absl::InitializeLog" in logged
    # fd 2 is stderr again afterwards.
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_with_verbose_native_noise_is_left_on_stderr(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "_console_verbose", True)
    with native_log_captured():
        os.write(2, NATIVE.encode())
    assert capfd.readouterr().err == NATIVE


def test_the_real_model_starts_runs_and_stops_without_a_word_on_stderr(
    posture_data: Path,
) -> None:
    """Nobody in the first frames, then a person: MediaPipe notes its first fit of a person
    (a projection warning) on that call, not on the first one; it must not reach the terminal."""
    code = (
        "import sys, cv2, numpy as np\n"
        "from hipcheck.vision.pose import MediaPipePoseEstimator\n"
        "person = cv2.imread(sys.argv[1])\n"
        "blank = np.zeros_like(person)\n"
        "for still in (True, False):\n"
        "    est = MediaPipePoseEstimator(static_image_mode=still, num_poses=3)\n"
        "    found = [len(est.detect(f, k / 2)) for k, f in enumerate([blank, blank, person, person])]\n"
        "    print(found[0], min(found[2:]) > 0)\n"
        "    est.close()\n"
    )
    out = _python(code, str(posture_data / "images" / "side_sit_upright_01.jpg"))
    assert out.split() == ["0", "True", "0", "True"]


def _python(code: str, *argv: str) -> str:
    """Run ``code`` in a fresh interpreter; what it printed (it must succeed, silent on stderr)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == ""
    return done.stdout


# ---- the real model and the scripted one ------------------------------------------------------


def test_real_model_on_an_empty_frame_and_bad_input(
    still_estimator: MediaPipePoseEstimator,
) -> None:
    assert still_estimator.detect(np.zeros((480, 640, 3), np.uint8), 0.0) == ()
    assert still_estimator.estimate(np.zeros((480, 640, 3), np.uint8), 0.0) is None
    with pytest.raises(ValueError):
        still_estimator.detect(np.zeros((480, 640), np.uint8), 0.0)


def test_a_closed_model_refuses_work_and_closes_twice_quietly() -> None:
    est = MediaPipePoseEstimator(static_image_mode=True)
    est.close()
    est.close()
    with pytest.raises(RuntimeError):
        est.detect(np.zeros((48, 64, 3), np.uint8), 0.0)


def _person(x: float, size: float) -> PoseSample:
    """A made-up person: every landmark at x but the shoulders and hips, ``size`` apart."""
    image = [Landmark(x, 0.5, 0.0, 1.0)] * NUM_LANDMARKS
    for i, (dx, dy) in {11: (-1, -1), 12: (1, -1), 23: (-1, 1), 24: (1, 1)}.items():
        image[i] = Landmark(x + dx * size / 4, 0.5 + dy * size / 2, 0.0, 1.0)
    return PoseSample(0.0, tuple(image), None, (640, 480))


def test_scripted_estimator_replays_frames_of_people_with_the_asked_time() -> None:
    small, big = _person(0.2, 0.1), _person(0.7, 0.3)
    scripted = ScriptedPoseEstimator([small, [small, big], None, ()])
    frame = np.zeros((48, 64, 3), np.uint8)
    (one,) = scripted.detect(frame, 7.0)
    assert one.timestamp_s == 7.0 and one.image == small.image
    two = scripted.detect(frame, 8.0)
    assert [p.image for p in two] == [small.image, big.image]
    assert {p.timestamp_s for p in two} == {8.0}
    assert scripted.detect(frame, 9.0) == ()
    assert scripted.estimate(frame, 10.0) is None  # the empty frame, repeated
    assert [t for _, t in scripted.calls] == [7.0, 8.0, 9.0, 10.0]
    scripted.close()
    assert scripted.closed


def test_estimate_is_the_most_prominent_person() -> None:
    small, big = _person(0.2, 0.1), _person(0.7, 0.3)
    frame = np.zeros((48, 64, 3), np.uint8)
    for order in ([small, big], [big, small]):
        found = ScriptedPoseEstimator([order]).estimate(frame, 0.0)
        assert found is not None and found.image == big.image
    once = ScriptedPoseEstimator([big], repeat_last=False)
    assert once.estimate(frame, 0.0) is not None and once.estimate(frame, 1.0) is None


def test_the_landmarker_runs_without_matplotlib_or_other_tasks(posture_data: Path) -> None:
    """mediapipe's package __init__ (every task, matplotlib through the drawing helpers) stays
    out of a run; the built app leaves matplotlib out altogether."""
    code = (
        "import sys, cv2\n"
        "from hipcheck.vision.pose import MediaPipePoseEstimator\n"
        "est = MediaPipePoseEstimator(static_image_mode=True)\n"
        "print(len(est.detect(cv2.imread(sys.argv[1]), 0.0)))\n"
        "est.close()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'sounddevice', 'PIL'}))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('mediapipe.tasks.python.audio',"
        " 'mediapipe.tasks.python.text', 'mediapipe.tasks.python.vision.drawing'))))\n"
    )
    out = _python(code, str(posture_data / "images" / "side_sit_upright_01.jpg"))
    assert out.splitlines() == ["1", "[]", "[]"]


def test_tasks_api_leaves_an_already_imported_mediapipe_alone() -> None:
    """Whoever imported mediapipe in full first keeps it whole (its own Image, its tasks)."""
    code = (
        "import mediapipe as mp\n"
        "from hipcheck.vision.pose import tasks_api\n"
        "api = tasks_api()\n"
        "print(api.Image is mp.Image, api.PoseLandmarker is mp.tasks.vision.PoseLandmarker)\n"
    )
    assert _python(code).split() == ["True", "True"]
