"""The real model and the posture rules on every labelled still and clip of ../shared/data/posture.

Floors are the accuracy reached when this was written (printed with ``-s``); a drop fails.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from tests.conftest import POSTURE_DATA
from tests.vision.accuracy_module import load_accuracy

from hipcheck.core.posture import observe
from hipcheck.core.types import State
from hipcheck.vision.pose import MediaPipePoseEstimator

accuracy = load_accuracy()


def _labelled(kind: str) -> list[tuple[str, str]]:
    """(file, state) rows of labels.csv for stills or videos (empty without the footage)."""
    labels = POSTURE_DATA / "labels.csv"
    if not labels.is_file():
        return []
    with labels.open(newline="") as handle:
        rows = [(r["file"], r["state"]) for r in csv.DictReader(handle)]
    videos = [r for r in rows if Path(r[0]).suffix.lower() in accuracy.VIDEO_SUFFIXES]
    return videos if kind == "videos" else [r for r in rows if r not in videos]


STILLS = _labelled("stills")
VIDEOS = _labelled("videos")
# Time for someone in view to settle and be taken for the user (the timelines' allowance).
SETTLING_S = 2.0


@pytest.mark.footage
def test_every_labelled_still_is_covered(posture_data: Path) -> None:
    assert len(STILLS) >= 26 and len(VIDEOS) >= 2
    assert {state for _, state in STILLS} == {"sitting", "standing", "away"}


@pytest.mark.footage
@pytest.mark.parametrize(("file", "expected"), STILLS or [("none", "none")], ids=lambda v: str(v))
def test_still_full_resolution(
    posture_data: Path, still_estimator: MediaPipePoseEstimator, file: str, expected: str
) -> None:
    observation, sample = accuracy.evaluate_still(posture_data / file, still_estimator)
    print(
        f"{file}: {observation.state.value} hips={observation.hips_visible} "
        f"angle={observation.hip_angle_deg}"
    )
    assert observation.state.value == expected
    if expected == "away":
        assert sample is None and not observation.person_present
    else:
        assert observation.person_present and observation.side is not None
    if observation.hip_angle_deg is not None:
        # A measured angle comes with seen hips and knees and agrees with the state.
        assert observation.hips_visible and observation.knees_visible
        if expected == "standing":
            assert observation.hip_angle_deg >= 150
        elif observation.state == State.SITTING:
            assert 45 <= observation.hip_angle_deg <= 150


@pytest.mark.footage
def test_side_views_measure_the_hip_angle_by_posture(
    posture_data: Path, still_estimator: MediaPipePoseEstimator
) -> None:
    """Side views: forward < upright < reclined, each within its plausible band."""
    angles: dict[str, list[float]] = {"forward": [], "upright": [], "reclined": []}
    for file, _ in STILLS:
        name = Path(file).name
        for posture in angles:
            if name.startswith(f"side_sit_{posture}_"):
                observation, _ = accuracy.evaluate_still(posture_data / file, still_estimator)
                assert observation.hip_angle_deg is not None, file
                angles[posture].append(observation.hip_angle_deg)
    print({k: [round(a) for a in v] for k, v in angles.items()})
    assert all(len(v) == 4 for v in angles.values())
    assert max(angles["forward"]) < min(angles["upright"])
    assert max(angles["upright"]) < min(angles["reclined"])
    assert all(55 <= a <= 80 for a in angles["forward"])
    assert all(90 <= a <= 112 for a in angles["upright"])
    assert all(115 <= a <= 140 for a in angles["reclined"])


@pytest.mark.footage
def test_stills_letterboxed_like_a_camera_frame(
    posture_data: Path, still_estimator: MediaPipePoseEstimator
) -> None:
    """At 640x480 the small people in group photos get harder; the floor is what we reach."""
    results = []
    for file, expected in STILLS:
        observation, _ = accuracy.evaluate_still(
            posture_data / file, still_estimator, size=(640, 480)
        )
        results.append((file, expected, observation.state.value))
    misses = [r for r in results if r[1] != r[2]]
    share = 1 - len(misses) / len(results)
    print(
        f"letterboxed 640x480: {len(results) - len(misses)}/{len(results)} = {share:.1%}; {misses}"
    )
    assert share >= 25 / 26
    # Never a sitting user taken for standing or away: that would break a sitting bout.
    assert not [m for m in misses if m[1] == "sitting"]


@pytest.mark.footage
@pytest.mark.parametrize(("file", "expected"), VIDEOS or [("none", "none")], ids=lambda v: str(v))
def test_front_view_clips_are_sitting_with_hips_hidden(
    posture_data: Path, tracking_estimator: MediaPipePoseEstimator, file: str, expected: str
) -> None:
    everything = accuracy.evaluate_video(posture_data / file, tracking_estimator)
    # The user is chosen once they have settled in view: before that, there but not yet measured.
    arriving = [o for o in everything if o.timestamp_s < SETTLING_S]
    assert all(o.state.value != "standing" for o in arriving) and arriving[-1].person_present
    observations = [o for o in everything if o.timestamp_s >= SETTLING_S]
    states = Counter(o.state.value for o in observations)
    share = states[expected] / len(observations)
    print(f"{file}: {share:.1%} of {len(observations)} samples {expected}; {dict(states)}")
    assert len(everything) >= 20
    assert share >= 0.95
    assert states["standing"] == 0
    # The laptop-camera framing hides the hips: never a measured hip angle.
    assert all(o.hip_angle_deg is None for o in observations)


def _mirror(image: np.ndarray) -> np.ndarray:
    """Left-right mirrored."""
    return cv2.flip(image, 1)


def _half(image: np.ndarray) -> np.ndarray:
    """Half the resolution."""
    return cv2.resize(
        image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_AREA
    )


def _tilted(image: np.ndarray) -> np.ndarray:
    """Camera rolled by 5°."""
    h, w = image.shape[:2]
    return cv2.warpAffine(image, cv2.getRotationMatrix2D((w / 2, h / 2), 5, 1.0), (w, h))


def _wide(image: np.ndarray) -> np.ndarray:
    """Letterboxed into a 1280x720 (16:9) camera frame."""
    return accuracy.letterbox(image, (1280, 720))


@pytest.mark.footage
@pytest.mark.parametrize("variant", [_mirror, _half, _tilted, _wide], ids=lambda f: f.__name__)
def test_stills_under_camera_variations_never_make_a_sitter_stand(
    posture_data: Path, still_estimator: MediaPipePoseEstimator, variant: Any
) -> None:
    """Not what the rules were tuned on: mirrored, halved, tilted, 16:9 versions of the stills.

    The misses that remain are standing people whose knees are out of the picture taken for
    sitting (the cautious direction); a sitter is never taken for standing.
    """
    results = []
    for file, expected in STILLS:
        image = variant(cv2.imread(str(posture_data / file)))
        state = observe(still_estimator.estimate(image, 0.0)).state.value
        results.append((file, expected, state))
    misses = [r for r in results if r[1] != r[2]]
    print(f"{variant.__name__}: {len(results) - len(misses)}/{len(results)}; {misses}")
    assert len(misses) <= 2
    assert not [m for m in misses if m[1] in ("sitting", "away")]
