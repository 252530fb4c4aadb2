"""The pose boundary: the bundled-model check, the one MediaPipe adapter, the scripted estimator."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from hipcheck.core.types import NUM_LANDMARKS, Landmark, PoseSample
from hipcheck.errors import UserError
from hipcheck.vision.pose import (
    BUNDLED_MODEL_FILES,
    MediaPipePoseEstimator,
    ScriptedPoseEstimator,
    check_bundled_model,
    from_mediapipe,
    mediapipe_package_dir,
)


def _results(n: int, world: bool = True) -> SimpleNamespace:
    """Something shaped like ``Pose.process`` results with ``n`` landmarks."""
    points = [SimpleNamespace(x=i / 100, y=0.5, z=-0.1, visibility=0.9) for i in range(n)]
    wpoints = [SimpleNamespace(x=0.0, y=i / 10, z=0.0, visibility=0.9) for i in range(n)]
    return SimpleNamespace(
        pose_landmarks=SimpleNamespace(landmark=points),
        pose_world_landmarks=SimpleNamespace(landmark=wpoints) if world else None,
    )


def test_from_mediapipe_converts_landmarks_and_keeps_the_frame_size() -> None:
    sample = from_mediapipe(_results(NUM_LANDMARKS), 3.5, (640, 480))
    assert sample is not None
    assert sample.timestamp_s == 3.5 and sample.image_size == (640, 480)
    assert sample.image[10] == Landmark(0.1, 0.5, -0.1, 0.9)
    assert sample.world is not None and sample.world[3].y == pytest.approx(0.3)
    no_world = from_mediapipe(_results(NUM_LANDMARKS, world=False), 0.0, (64, 48))
    assert no_world is not None and no_world.world is None


def test_from_mediapipe_nobody_or_a_wrong_shape_is_none() -> None:
    assert from_mediapipe(SimpleNamespace(pose_landmarks=None), 0.0, (64, 48)) is None
    assert from_mediapipe(_results(17), 0.0, (64, 48)) is None


def test_the_bundled_model_is_installed_and_a_missing_one_is_a_clear_error(
    tmp_path: Path,
) -> None:
    root = mediapipe_package_dir()
    assert all((root / name).is_file() for name in BUNDLED_MODEL_FILES)
    check_bundled_model()
    with pytest.raises(UserError, match="never downloads") as info:
        check_bundled_model(tmp_path)
    assert "pose_landmark_full.tflite" in str(info.value) and "\n" not in str(info.value)


def test_real_model_on_an_empty_frame_and_bad_input(
    still_estimator: MediaPipePoseEstimator,
) -> None:
    assert still_estimator.estimate(np.zeros((480, 640, 3), np.uint8), 0.0) is None
    with pytest.raises(ValueError):
        still_estimator.estimate(np.zeros((480, 640), np.uint8), 0.0)


def test_scripted_estimator_replays_samples_with_the_asked_time() -> None:
    image = tuple(Landmark(0.5, 0.5, 0.0, 1.0) for _ in range(NUM_LANDMARKS))
    one = PoseSample(0.0, image, None, (64, 48))
    scripted = ScriptedPoseEstimator([one, None])
    frame = np.zeros((48, 64, 3), np.uint8)
    first = scripted.estimate(frame, 7.0)
    assert first is not None and first.timestamp_s == 7.0 and first.image == image
    assert scripted.estimate(frame, 8.0) is None
    assert scripted.estimate(frame, 9.0) is None  # repeats the last (None)
    assert [t for _, t in scripted.calls] == [7.0, 8.0, 9.0]
    scripted.close()
    assert scripted.closed


def test_the_model_loads_without_matplotlib(posture_data: Path) -> None:
    """mediapipe's drawing helpers (and matplotlib's font-cache build) stay out of a run."""
    import subprocess
    import sys

    code = (
        "import sys, cv2\n"
        "from hipcheck.vision.pose import MediaPipePoseEstimator\n"
        "est = MediaPipePoseEstimator(static_image_mode=True)\n"
        f"sample = est.estimate(cv2.imread({str(posture_data / 'images/side_sit_forward_01.jpg')!r}), 0.0)\n"
        "print(sample is not None, 'matplotlib' in sys.modules)\n"
        "import mediapipe.python.solutions.drawing_utils as du\n"  # still importable on purpose
        "print(callable(du.draw_landmarks))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "False", "True"]
