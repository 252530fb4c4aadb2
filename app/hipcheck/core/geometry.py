"""Plane and space geometry on landmarks: angles, inclinations and lengths (pure, no cv2)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from hipcheck.core.types import Landmark

Point = tuple[float, ...]


def to_pixels(landmark: Landmark, image_size: tuple[int, int]) -> tuple[float, float]:
    """A normalised image landmark in pixels, so angles are not distorted by the aspect ratio."""
    width, height = image_size
    return (landmark.x * width, landmark.y * height)


def to_world(landmark: Landmark) -> tuple[float, float, float]:
    """A world landmark as an (x, y, z) point in metres."""
    return (landmark.x, landmark.y, landmark.z)


def sub(a: Sequence[float], b: Sequence[float]) -> Point:
    """The vector from ``b`` to ``a``."""
    if len(a) != len(b):
        raise ValueError(f"points of different dimension: {len(a)} and {len(b)}")
    return tuple(p - q for p, q in zip(a, b, strict=True))


def norm(v: Sequence[float]) -> float:
    """Euclidean length."""
    return math.sqrt(sum(c * c for c in v))


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Euclidean distance between two points of the same dimension."""
    return norm(sub(a, b))


def midpoint(a: Sequence[float], b: Sequence[float]) -> Point:
    """The point halfway between ``a`` and ``b``."""
    return tuple((p + q) / 2.0 for p, q in zip(a, b, strict=True))


def angle_between_deg(u: Sequence[float], v: Sequence[float]) -> float | None:
    """The angle between two vectors in degrees [0, 180], or None if either has no length."""
    nu, nv = norm(u), norm(v)
    if nu < 1e-9 or nv < 1e-9:
        return None
    cos = sum(p * q for p, q in zip(u, v, strict=True)) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def joint_angle_deg(
    a: Sequence[float], vertex: Sequence[float], c: Sequence[float]
) -> float | None:
    """The angle a–vertex–c at ``vertex`` in degrees (e.g. shoulder–hip–knee), None if degenerate."""
    return angle_between_deg(sub(a, vertex), sub(c, vertex))


def inclination_from_vertical_deg(top: Sequence[float], bottom: Sequence[float]) -> float | None:
    """How far the segment bottom->top leans from straight up, in degrees [0, 180].

    Image and MediaPipe world coordinates both have y pointing down, so "up" is (0, -1[, 0]).
    """
    up: Point = (0.0, -1.0) + (0.0,) * (len(top) - 2)
    return angle_between_deg(sub(top, bottom), up)
