"""Pose estimation: MediaPipe's BlazePose (bundled full model) behind a small protocol.

``from_mediapipe`` is the only function that knows the shape of MediaPipe's results; everything
past it sees a ``PoseSample``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from hipcheck.core.types import NUM_LANDMARKS, Landmark, PoseSample
from hipcheck.errors import UserError

# The only model files mediapipe==0.10.21 bundles; model_complexity=1 needs exactly these.
# Any other complexity would make MediaPipe download a model at run time, which we never allow.
MODEL_COMPLEXITY = 1
BUNDLED_MODEL_FILES = (
    "modules/pose_landmark/pose_landmark_full.tflite",
    "modules/pose_detection/pose_detection.tflite",
)


class PoseEstimator(Protocol):
    """Anything that turns one BGR frame into the pose of (at most) one person."""

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> PoseSample | None:
        """The pose in ``image_bgr`` (None when nobody is found)."""
        ...

    def close(self) -> None:
        """Free the model."""
        ...


class ModelMissingError(UserError):
    """MediaPipe's bundled pose model is not installed (we never download one)."""


def mediapipe_package_dir() -> Path:
    """The installed ``mediapipe`` package folder (found without importing its heavy modules)."""
    import importlib.util

    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError("mediapipe is not installed; run scripts/setup")
    return Path(next(iter(spec.submodule_search_locations)))


def check_bundled_model(package_dir: Path | None = None) -> None:
    """Raise ``ModelMissingError`` unless the bundled BlazePose full model files are present."""
    root = package_dir if package_dir is not None else mediapipe_package_dir()
    missing = [name for name in BUNDLED_MODEL_FILES if not (root / name).is_file()]
    if missing:
        raise ModelMissingError(
            f"MediaPipe's bundled pose model is missing ({', '.join(missing)} under {root}); "
            "reinstall mediapipe==0.10.21 (HipCheck never downloads models)"
        )


def _landmarks(points: Iterable[Any]) -> tuple[Landmark, ...]:
    """MediaPipe landmark protos -> our frozen landmarks."""
    return tuple(
        Landmark(float(p.x), float(p.y), float(p.z), float(getattr(p, "visibility", 0.0)))
        for p in points
    )


def from_mediapipe(
    results: Any, timestamp_s: float, image_size: tuple[int, int]
) -> PoseSample | None:
    """Convert a ``mediapipe.solutions.pose.Pose.process`` result into a ``PoseSample`` (or None).

    ``image_size`` is (width, height) of the frame the normalised coordinates refer to.
    """
    image_lms = getattr(results, "pose_landmarks", None)
    if image_lms is None:
        return None
    image = _landmarks(image_lms.landmark)
    if len(image) != NUM_LANDMARKS:
        return None
    world_lms = getattr(results, "pose_world_landmarks", None)
    world = _landmarks(world_lms.landmark) if world_lms is not None else None
    if world is not None and len(world) != NUM_LANDMARKS:
        world = None
    return PoseSample(
        timestamp_s=timestamp_s, image=image, world=world, image_size=(image_size[0], image_size[1])
    )


# mediapipe.solutions imports its drawing helpers, and they import matplotlib.pyplot: measured here
# 0.6 s and 31 MB (peak RSS) more on every start, plus a font-cache build of seconds (over 10 s on
# a busy machine) on a user's first start.
# HipCheck draws its own overlay, so they are left out.
_DRAWING_MODULES = (
    "mediapipe.python.solutions.drawing_utils",
    "mediapipe.python.solutions.drawing_styles",
)


def import_mediapipe() -> Any:
    """``import mediapipe`` (heavy: only when a model is really wanted) without its drawing helpers."""
    import types

    placeholders = {}
    for name in _DRAWING_MODULES:
        if name not in sys.modules:
            placeholders[name] = sys.modules[name] = types.ModuleType(name, "left out by HipCheck")
    try:
        import mediapipe as mp
    finally:
        for name, module in placeholders.items():
            if sys.modules.get(name) is module:  # a later real import still works
                del sys.modules[name]
    return mp


class MediaPipePoseEstimator:
    """MediaPipe Pose (BlazePose full, bundled) created once; tracking mode unless ``static``."""

    def __init__(
        self,
        *,
        static_image_mode: bool = False,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        check_bundled_model()
        mp = import_mediapipe()
        self._pose = mp.solutions.pose.Pose(
            static_image_mode=static_image_mode,
            model_complexity=MODEL_COMPLEXITY,
            smooth_landmarks=True,
            enable_segmentation=False,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        self.static_image_mode = static_image_mode
        self._closed = False

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> PoseSample | None:
        """Run the model on one BGR frame; the frame stays in memory and is not kept."""
        if self._closed:
            raise RuntimeError("MediaPipePoseEstimator used after close()")
        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.size == 0:
            raise ValueError(f"expected a BGR image, got shape {image_bgr.shape}")
        height, width = image_bgr.shape[:2]
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False  # lets MediaPipe use the buffer without copying it
        results = self._pose.process(rgb)
        return from_mediapipe(results, timestamp_s, (int(width), int(height)))

    def close(self) -> None:
        """Free the model (idempotent)."""
        if not self._closed:
            self._closed = True
            self._pose.close()


class ScriptedPoseEstimator:
    """Returns given samples in order (re-stamped with the asked timestamp); for tests."""

    def __init__(self, samples: Sequence[PoseSample | None], *, repeat_last: bool = True) -> None:
        self._samples = list(samples)
        self._index = 0
        self._repeat_last = repeat_last
        self.calls: list[tuple[tuple[int, ...], float]] = []
        self.closed = False

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> PoseSample | None:
        """The next scripted sample, carrying ``timestamp_s`` and this image's size."""
        self.calls.append((tuple(image_bgr.shape), timestamp_s))
        if not self._samples:
            return None
        if self._index >= len(self._samples):
            if not self._repeat_last:
                return None
            sample = self._samples[-1]
        else:
            sample = self._samples[self._index]
            self._index += 1
        if sample is None:
            return None
        return PoseSample(
            timestamp_s=timestamp_s,
            image=sample.image,
            world=sample.world,
            image_size=sample.image_size,
        )

    def close(self) -> None:
        """Mark closed."""
        self.closed = True
