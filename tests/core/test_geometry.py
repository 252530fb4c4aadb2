"""Geometry on made-up points with known angles."""

from __future__ import annotations

import math

import pytest

from hipcheck.core.geometry import (
    angle_between_deg,
    distance,
    inclination_from_vertical_deg,
    joint_angle_deg,
    midpoint,
    to_pixels,
    to_world,
)
from hipcheck.core.types import Landmark


def _polar(deg: float, r: float = 1.0) -> tuple[float, float]:
    """A point at ``deg`` from the +x axis (y down, so positive angles point down)."""
    return (r * math.cos(math.radians(deg)), r * math.sin(math.radians(deg)))


@pytest.mark.parametrize("angle", [0.0, 1.0, 30.0, 45.0, 90.0, 100.0, 135.0, 179.0, 180.0])
@pytest.mark.parametrize("rotation", [0.0, 33.0, -120.0])
def test_joint_angle_is_the_angle_at_the_vertex(angle: float, rotation: float) -> None:
    vertex = (3.0, -2.0)
    a = tuple(v + p for v, p in zip(vertex, _polar(rotation, 2.0), strict=True))
    c = tuple(v + p for v, p in zip(vertex, _polar(rotation + angle, 0.5), strict=True))
    assert joint_angle_deg(a, vertex, c) == pytest.approx(angle, abs=1e-6)


@pytest.mark.parametrize(
    ("a", "vertex", "c", "expected"),
    [
        ((0, 0, 1), (0, 0, 0), (1, 0, 0), 90.0),  # 3-D right angle
        ((0, -1, 0), (0, 0, 0), (0, 1, 0), 180.0),  # straight
        ((1, 1, 1), (0, 0, 0), (2, 2, 2), 0.0),  # folded
        ((0, -1, 0), (0, 0, 0), (0, 1, 1), 135.0),
    ],
)
def test_joint_angle_in_space(
    a: tuple[float, ...], vertex: tuple[float, ...], c: tuple[float, ...], expected: float
) -> None:
    assert joint_angle_deg(a, vertex, c) == pytest.approx(expected, abs=1e-6)


def test_degenerate_angles_are_none_and_dimensions_must_match() -> None:
    assert joint_angle_deg((1, 1), (1, 1), (2, 2)) is None
    assert angle_between_deg((0, 0), (1, 0)) is None
    with pytest.raises(ValueError):
        distance((0, 0), (0, 0, 0))


@pytest.mark.parametrize(
    ("top", "bottom", "expected"),
    [
        ((0, 0), (0, 1), 0.0),  # straight up (y down)
        ((1, 0), (0, 1), 45.0),
        ((-1, 1), (0, 1), 90.0),  # horizontal
        ((0, 2), (0, 1), 180.0),  # upside down
        ((0, -1, 1), (0, 0, 0), 45.0),  # leaning toward the camera in 3-D
    ],
)
def test_inclination_from_vertical(
    top: tuple[float, ...], bottom: tuple[float, ...], expected: float
) -> None:
    assert inclination_from_vertical_deg(top, bottom) == pytest.approx(expected, abs=1e-6)


def test_pixels_undo_the_aspect_ratio() -> None:
    # A 45° line in a 1280x720 frame is not 45° in normalised coordinates.
    size = (1280, 720)
    hip = to_pixels(Landmark(0.5, 0.5, 0.0, 1.0), size)
    shoulder = to_pixels(Landmark(0.5, 0.5 - 360 / 720, 0.0, 1.0), size)
    knee = to_pixels(Landmark(0.5 + 360 / 1280, 0.5, 0.0, 1.0), size)
    assert joint_angle_deg(shoulder, hip, knee) == pytest.approx(90.0)
    assert inclination_from_vertical_deg(knee, (hip[0], hip[1] + 360)) == pytest.approx(45.0)
    assert to_world(Landmark(0.1, 0.2, 0.3, 0.9)) == (0.1, 0.2, 0.3)
    assert midpoint((0, 0), (2, 4)) == (1.0, 2.0)
    assert distance((0, 0), (3, 4)) == 5.0
