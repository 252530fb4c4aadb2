"""Pose estimation: MediaPipe's Pose Landmarker (Tasks API) behind a small protocol.

The model ships inside HipCheck (``models/pose_landmarker_full.task``: Google's BlazePose GHUM full
bundle, float16 v1, Apache-2.0; the same network as the legacy ``model_complexity=1``). Its size
and sha256 are checked before it is loaded from memory, so it works from a wheel, an editable
install and the PyInstaller folder alike; HipCheck never downloads a model.

``from_tasks`` is the only function that knows the shape of MediaPipe's results; everything past
it sees ``PoseSample``s (zero or more per frame).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from types import ModuleType, SimpleNamespace
from typing import Any, Final, Protocol

import cv2
import numpy as np

from hipcheck.core.types import NUM_LANDMARKS, Landmark, PoseSample
from hipcheck.errors import UserError
from hipcheck.logs import console_verbose
from hipcheck.offline import keep_native_code_offline

log = logging.getLogger(__name__)

MODEL_FILE: Final = "pose_landmarker_full.task"
MODEL_SIZE: Final = 9_398_198
MODEL_SHA256: Final = "5134a3aad27a58b93da0088d431f366da362b44e3ccfbe3462b3827a839011b1"
MODEL_ATTRIBUTION: Final = (
    "Pose model: MediaPipe Pose Landmarker (BlazePose GHUM full, float16 v1), © Google LLC, "
    "Apache-2.0, unmodified"
)


class PoseEstimator(Protocol):
    """Anything that turns one BGR frame into the poses of the people in it."""

    def detect(self, image_bgr: np.ndarray, timestamp_s: float) -> tuple[PoseSample, ...]:
        """Every pose found in ``image_bgr`` (empty when nobody is found), in no stable order."""
        ...

    def close(self) -> None:
        """Free the model."""
        ...


def estimate_one(
    estimator: PoseEstimator, image_bgr: np.ndarray, timestamp_s: float
) -> PoseSample | None:
    """The most prominent pose in the frame (the largest torso), or None."""
    from hipcheck.core.people import torso_scale

    found = estimator.detect(image_bgr, timestamp_s)
    return max(found, key=torso_scale, default=None)


class ModelMissingError(UserError):
    """The pose model shipped with HipCheck is missing or altered (we never download one)."""


def load_model_bytes(data: bytes | None = None) -> bytes:
    """The shipped pose model, checked against its size and sha256 (``data``: bytes to check)."""
    if data is None:
        try:
            data = resources.files("hipcheck.vision").joinpath("models", MODEL_FILE).read_bytes()
        except OSError as exc:
            raise ModelMissingError(
                f"the pose model {MODEL_FILE} is missing from the HipCheck installation "
                f"({exc.strerror or exc}); reinstall HipCheck"
            ) from None
    if len(data) != MODEL_SIZE or hashlib.sha256(data).hexdigest() != MODEL_SHA256:
        raise ModelMissingError(
            f"the pose model {MODEL_FILE} in the HipCheck installation is damaged or altered "
            f"({len(data)} bytes, expected {MODEL_SIZE}); reinstall HipCheck"
        )
    return data


# Packages whose ``__init__`` imports every MediaPipe task (audio, text, and the vision drawing
# helpers that pull in matplotlib.pyplot): HipCheck uses none of them.
_MEDIAPIPE_SKIPPED_INITS: Final = (
    "mediapipe",
    "mediapipe.tasks",
    "mediapipe.tasks.python",
    "mediapipe.tasks.python.vision",
)


def tasks_api() -> SimpleNamespace:
    """The parts of MediaPipe's Tasks API that HipCheck uses, imported without the rest.

    ``import mediapipe`` imports every task and, through the vision drawing helpers, matplotlib:
    0.8 s and tens of MB that a pose landmarker never touches, and a dependency the PyInstaller
    build leaves out. The packages above are registered bare (their ``__init__`` not run) unless
    something imported them already, so only the pose landmarker and what it needs are loaded.
    """
    for name in _MEDIAPIPE_SKIPPED_INITS:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            raise ModuleNotFoundError(f"no package {name}", name=name)
        package: ModuleType = importlib.util.module_from_spec(spec)
        sys.modules[name] = package
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, package)
    landmarker = importlib.import_module("mediapipe.tasks.python.vision.pose_landmarker")
    image = importlib.import_module("mediapipe.tasks.python.vision.core.image")
    base = importlib.import_module("mediapipe.tasks.python.core.base_options")
    running = importlib.import_module("mediapipe.tasks.python.vision.core.vision_task_running_mode")
    return SimpleNamespace(
        BaseOptions=base.BaseOptions,
        PoseLandmarker=landmarker.PoseLandmarker,
        PoseLandmarkerOptions=landmarker.PoseLandmarkerOptions,
        RunningMode=running.VisionTaskRunningMode,
        Image=image.Image,
        ImageFormat=image.ImageFormat,
    )


def _landmarks(points: Iterable[Any]) -> tuple[Landmark, ...]:
    """MediaPipe landmarks -> our frozen landmarks."""
    return tuple(
        Landmark(float(p.x), float(p.y), float(p.z), float(getattr(p, "visibility", None) or 0.0))
        for p in points
    )


def from_tasks(
    result: Any, timestamp_s: float, image_size: tuple[int, int]
) -> tuple[PoseSample, ...]:
    """Convert a ``PoseLandmarkerResult`` into ``PoseSample``s (one per person found).

    ``image_size`` is (width, height) of the frame the normalised coordinates refer to.
    """
    people = getattr(result, "pose_landmarks", None) or []
    worlds = getattr(result, "pose_world_landmarks", None) or []
    samples = []
    for index, landmarks in enumerate(people):
        image = _landmarks(landmarks)
        if len(image) != NUM_LANDMARKS:
            continue
        world = _landmarks(worlds[index]) if index < len(worlds) else None
        if world is not None and len(world) != NUM_LANDMARKS:
            world = None
        samples.append(
            PoseSample(
                timestamp_s=timestamp_s,
                image=image,
                world=world,
                image_size=(int(image_size[0]), int(image_size[1])),
            )
        )
    return tuple(samples)


# What MediaPipe's native code writes to fd 2: its own log lines, not messages for the user.
_NATIVE_LINE = re.compile(
    r"^(INFO|WARNING|ERROR): |^[IWEF]\d{4} |^WARNING: (All log messages|Logging before)"
)


@contextlib.contextmanager
def native_log_captured() -> Iterator[None]:
    """Capture what native code writes to fd 2 while MediaPipe starts or stops.

    Its lines go to the log at debug level; any other line written meanwhile is passed on to the
    real stderr. With ``--verbose`` nothing is captured.
    """
    if console_verbose():
        yield
        return
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    with tempfile.TemporaryFile() as capture:
        saved_fd = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            capture.seek(0)
            for raw in capture.read().decode("utf-8", "replace").splitlines():
                if _NATIVE_LINE.match(raw):
                    log.debug("mediapipe: %s", raw)
                elif raw.strip():
                    print(raw, file=sys.stderr)


_M_ARENA_MAX: Final = -8  # glibc's mallopt parameters
_M_MMAP_THRESHOLD: Final = -3
# Blocks from this size up get their own mapping, returned to the system when freed.
MMAP_THRESHOLD_BYTES: Final = 4 * 1024 * 1024


def tune_malloc(arenas: int = 2) -> None:
    """Keep glibc's malloc from holding memory MediaPipe no longer uses; call before MediaPipe
    starts its threads.

    Each native worker thread otherwise gets an arena of its own, and their unused free space
    stays resident: measured here, two landmarkers take 327 MB resident by default and 267 MB
    with two arenas, at the same speed. A fixed mmap threshold stops glibc from raising it as
    large blocks are freed (which moves them into the heap, where they fragment it): the peak of
    ``hipcheck analyze`` on the 720p front clip drops from 320-355 MB to 309-317 MB. Elsewhere
    (no glibc) nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_ARENA_MAX, arenas)
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)


# Calls whose native output is captured while no person has been fitted yet (an empty room
# must not hold back the process's stderr for ever).
NATIVE_NOTE_CALLS: Final = 20


class MediaPipePoseEstimator:
    """MediaPipe's Pose Landmarker on the shipped full model, created once per run.

    Video mode (the default) tracks poses from frame to frame; ``static_image_mode`` treats every
    frame on its own. ``num_poses`` is how many people it looks for.
    """

    def __init__(
        self,
        *,
        static_image_mode: bool = False,
        num_poses: int = 1,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        model = load_model_bytes()
        keep_native_code_offline()
        tune_malloc()
        with native_log_captured():
            mp = tasks_api()
            mode = mp.RunningMode.IMAGE if static_image_mode else mp.RunningMode.VIDEO
            options = mp.PoseLandmarkerOptions(
                base_options=mp.BaseOptions(model_asset_buffer=model),
                running_mode=mode,
                num_poses=num_poses,
                min_pose_detection_confidence=min_detection_confidence,
                min_pose_presence_confidence=min_presence_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
            self._landmarker = mp.PoseLandmarker.create_from_options(options)
        self._mp = mp
        self.static_image_mode = static_image_mode
        self.num_poses = num_poses
        self._last_ms = -1
        self._fitted = False  # whether a person was found yet (native notes come until then)
        self._calls = 0
        self._closed = False

    def _timestamp_ms(self, timestamp_s: float) -> int:
        """Video mode wants strictly increasing whole milliseconds, whatever the caller's clock."""
        ms = max(round(timestamp_s * 1000.0), self._last_ms + 1)
        self._last_ms = ms
        return ms

    def detect(self, image_bgr: np.ndarray, timestamp_s: float) -> tuple[PoseSample, ...]:
        """Run the model on one BGR frame; the frame stays in memory and is not kept."""
        if self._closed:
            raise RuntimeError("MediaPipePoseEstimator used after close()")
        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.size == 0:
            raise ValueError(f"expected a BGR image, got shape {image_bgr.shape}")
        height, width = image_bgr.shape[:2]
        rgb = np.ascontiguousarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        # Native notes come once each: on the first call (memory alignment) and on the first fit
        # of a person (landmark projection); keep them off the terminal until both are past.
        quiet = not self._fitted and self._calls < NATIVE_NOTE_CALLS
        self._calls += 1
        with native_log_captured() if quiet else contextlib.nullcontext():
            if self.static_image_mode:
                result = self._landmarker.detect(image)
            else:
                result = self._landmarker.detect_for_video(image, self._timestamp_ms(timestamp_s))
        people = from_tasks(result, timestamp_s, (int(width), int(height)))
        self._fitted = self._fitted or bool(people)
        return people

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> PoseSample | None:
        """The most prominent pose in the frame, or None."""
        return estimate_one(self, image_bgr, timestamp_s)

    def close(self) -> None:
        """Free the model (idempotent); a landmarker left to ``__del__`` at exit prints errors."""
        if not self._closed:
            self._closed = True
            with native_log_captured():
                self._landmarker.close()


class ScriptedPoseEstimator:
    """Returns given frames of people in order (re-stamped with the asked timestamp); for tests.

    Each scripted item is one frame: a ``PoseSample`` (one person), a sequence of them, or None
    (nobody).
    """

    def __init__(
        self,
        frames: Sequence[PoseSample | Sequence[PoseSample] | None],
        *,
        repeat_last: bool = True,
    ) -> None:
        self._frames = [
            () if f is None else (f,) if isinstance(f, PoseSample) else tuple(f) for f in frames
        ]
        self._index = 0
        self._repeat_last = repeat_last
        self.calls: list[tuple[tuple[int, ...], float]] = []
        self.closed = False

    def detect(self, image_bgr: np.ndarray, timestamp_s: float) -> tuple[PoseSample, ...]:
        """The next scripted frame's people, carrying ``timestamp_s``."""
        self.calls.append((tuple(image_bgr.shape), timestamp_s))
        if not self._frames:
            return ()
        if self._index >= len(self._frames):
            if not self._repeat_last:
                return ()
            people = self._frames[-1]
        else:
            people = self._frames[self._index]
            self._index += 1
        return tuple(
            PoseSample(
                timestamp_s=timestamp_s, image=p.image, world=p.world, image_size=p.image_size
            )
            for p in people
        )

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> PoseSample | None:
        """The most prominent scripted pose, or None."""
        return estimate_one(self, image_bgr, timestamp_s)

    def close(self) -> None:
        """Mark closed."""
        self.closed = True
