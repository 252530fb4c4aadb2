"""One MediaPipe model per test session for stills and one for sequences (the model is slow to load)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from hipcheck.vision.pose import MediaPipePoseEstimator


@pytest.fixture(scope="session")
def still_estimator() -> Iterator[MediaPipePoseEstimator]:
    """The real model in static-image mode: every still is detected afresh."""
    estimator = MediaPipePoseEstimator(static_image_mode=True)
    yield estimator
    estimator.close()


@pytest.fixture(scope="session")
def _session_tracking_estimator() -> Iterator[MediaPipePoseEstimator]:
    """The real model in tracking mode, shared by the sequence tests."""
    estimator = MediaPipePoseEstimator()
    yield estimator
    estimator.close()


@pytest.fixture
def tracking_estimator(
    _session_tracking_estimator: MediaPipePoseEstimator,
) -> MediaPipePoseEstimator:
    """The shared tracking model with its track dropped, as if the camera had just started."""
    # A frame with nobody in it ends MediaPipe's tracking; the next frame runs the detector.
    assert _session_tracking_estimator.estimate(np.zeros((64, 64, 3), np.uint8), -1.0) is None
    return _session_tracking_estimator
