"""The data types that cross HipCheck's layers: pose samples, observations, states and events."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final

# BlazePose / MediaPipe Pose landmark indices (33 landmarks).
NOSE: Final = 0
LEFT_EAR: Final = 7
RIGHT_EAR: Final = 8
LEFT_SHOULDER: Final = 11
RIGHT_SHOULDER: Final = 12
LEFT_WRIST: Final = 15
RIGHT_WRIST: Final = 16
LEFT_HIP: Final = 23
RIGHT_HIP: Final = 24
LEFT_KNEE: Final = 25
RIGHT_KNEE: Final = 26
LEFT_ANKLE: Final = 27
RIGHT_ANKLE: Final = 28
NUM_LANDMARKS: Final = 33


class Side(str, enum.Enum):
    """Which side of the body a measurement was taken on."""

    LEFT = "left"
    RIGHT = "right"


class State(str, enum.Enum):
    """What the user is doing, per sample or after smoothing."""

    SITTING = "sitting"
    STANDING = "standing"
    AWAY = "away"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Landmark:
    """One body landmark: image coordinates normalised to [0, 1] or world coordinates in metres."""

    x: float
    y: float
    z: float
    visibility: float


@dataclass(frozen=True, slots=True)
class PoseSample:
    """One detected pose at one instant; the only pose type past the vision boundary.

    ``image`` holds 33 landmarks with x, y normalised to the frame (y down), ``world`` the same 33
    in metres around the hip centre (MediaPipe's world landmarks; y down), or ``None`` when the
    estimator gives none. ``image_size`` is (width, height) in pixels of the frame the
    normalised coordinates refer to, so angles can be measured without aspect distortion.
    ``appearance`` is a normalised colour histogram of the torso (clothes), added by the vision
    layer so people can be told apart when they pass close by; ``None`` when not measured.
    """

    timestamp_s: float
    image: tuple[Landmark, ...]
    world: tuple[Landmark, ...] | None
    image_size: tuple[int, int]
    appearance: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.image) != NUM_LANDMARKS:
            raise ValueError(
                f"PoseSample needs {NUM_LANDMARKS} image landmarks, got {len(self.image)}"
            )
        if self.world is not None and len(self.world) != NUM_LANDMARKS:
            raise ValueError(
                f"PoseSample needs {NUM_LANDMARKS} world landmarks, got {len(self.world)}"
            )
        if self.image_size[0] <= 0 or self.image_size[1] <= 0:
            raise ValueError(f"PoseSample image_size must be positive, got {self.image_size}")


@dataclass(frozen=True, slots=True)
class Observation:
    """What one sample says about the user's posture (the core's per-sample verdict)."""

    timestamp_s: float
    person_present: bool
    state: State
    side: Side | None = None
    hips_visible: bool = False
    knees_visible: bool = False
    hip_angle_deg: float | None = None
    trunk_inclination_deg: float | None = None
    confidence: float = 0.0

    @property
    def flexion_deg(self) -> float | None:
        """Hip flexion: 180° minus the trunk–thigh angle, or None when the angle is unknown."""
        return None if self.hip_angle_deg is None else 180.0 - self.hip_angle_deg


# ---- events emitted by the tracker (and later the reminder policy) ----------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all timeline events; ``t_s`` is on the tracker's monotonic clock."""

    t_s: float


@dataclass(frozen=True, slots=True)
class StateChanged(Event):
    """The smoothed state changed from ``old`` to ``new``."""

    old: State
    new: State


@dataclass(frozen=True, slots=True)
class BoutStarted(Event):
    """A continuous sitting bout began (sitting after a natural break or at start)."""


@dataclass(frozen=True, slots=True)
class BoutEnded(Event):
    """A sitting bout ended because a natural break reached its minimum length."""

    duration_s: float
    flexion_s: float


@dataclass(frozen=True, slots=True)
class NaturalBreak(Event):
    """The user stood or left for at least the natural-break length."""

    state: State


@dataclass(frozen=True, slots=True)
class Gap(Event):
    """No samples arrived for ``duration_s`` (suspend, stall); counted as away."""

    duration_s: float


@dataclass(frozen=True, slots=True)
class Interval:
    """A stretch of one smoothed state on the monotonic clock, ready to be stored."""

    start_s: float
    end_s: float
    state: State
    mean_hip_angle_deg: float | None = None
    flexion_s: float = 0.0
    samples: int = 0
    hips_visible_samples: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        """Length of the interval in seconds."""
        return self.end_s - self.start_s
