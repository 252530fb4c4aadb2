"""Which hip angle to trust: image plane (aspect-corrected pixels) or MediaPipe world coordinates.

Measured on every annotated person of ../shared/data/posture/hip_angles_keypoints.csv (the model
runs on a crop around each person's box; sides matched by the nearest hips). The image-plane angle
is closer to the annotations, so ``core.posture`` measures in the image plane by default.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.vision.accuracy_module import load_accuracy

from hipcheck.core.posture import DEFAULT_ANGLE_SPACE
from hipcheck.vision.pose import MediaPipePoseEstimator

accuracy = load_accuracy()


@pytest.mark.footage
def test_image_plane_angle_is_closer_to_the_annotations_than_world(
    posture_data: Path, still_estimator: MediaPipePoseEstimator
) -> None:
    annotated = accuracy.load_annotated_angles(posture_data / "hip_angles_keypoints.csv")
    results = accuracy.measure_angles(posture_data, annotated, still_estimator)
    errors = accuracy.angle_errors(results)
    for r in results:
        print(
            f"{r.file} {r.person} {r.side}: truth {r.truth_2d_deg:.1f} image {r.image_deg:.1f} "
            f"world {r.world_deg:.1f}"
        )
    print({k: v for k, v in errors.items()})
    assert len(annotated) == 19 and errors["image"]["n"] >= 18  # sides the model finds
    image, world = errors["image"], errors["world"]
    assert image["n"] == world["n"]
    assert image["mean_abs_deg"] < world["mean_abs_deg"]
    assert image["median_abs_deg"] < world["median_abs_deg"]
    assert DEFAULT_ANGLE_SPACE == "image"
    # Floors: what the model reaches against the 2D keypoint annotation.
    assert image["mean_abs_deg"] <= 9.0 and image["median_abs_deg"] <= 7.5
