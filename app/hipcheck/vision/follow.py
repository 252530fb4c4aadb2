"""Keep the pose model on the user: the person in the seat, not whoever walks past.

``UserFollower`` wraps any ``PoseEstimator``. Once it has seen the user for a moment it knows
their *seat region* (the median box around shoulders and hips over the last seconds) and their
size. From then on it runs the model on a crop around that region, generous enough to keep the
user in view when they lean or stand up, and maps the landmarks back to full-frame coordinates.
A result whose torso is far from the region or of another size (a passer-by behind the chair is
farther away, so smaller, and higher) is rejected; the model is then asked again on a tight crop
around the seat, and if that fails too the sample is dropped (None: nobody the follower trusts).
When no sample has been accepted for ``forget_after_s`` the user has really gone: the region is
forgotten and the next person found on the full frame is learned afresh.

With a calibration, "afresh" means the person at the desk: someone found elsewhere on the full
frame is not learned; the model is asked again on the calibrated seat. Only when a person
elsewhere has been seen in every sample for ``settle_s`` (the camera or the chair has moved since
the calibration) is that person learned, and ``calibration_in_doubt`` then says the calibration
no longer describes this desk, until someone is learned at the calibrated seat again.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hipcheck.core.calibration import Calibration, at_the_desk, calibration_fits
from hipcheck.core.geometry import distance, midpoint, to_pixels
from hipcheck.core.types import (
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    Landmark,
    PoseSample,
)
from hipcheck.vision.pose import PoseEstimator

_TORSO = (NOSE, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP)


@dataclass(frozen=True)
class Region:
    """The user's torso in full-frame pixels: its box, centre and size (torso length)."""

    x0: float
    y0: float
    x1: float
    y1: float
    centre_x: float
    centre_y: float
    scale_px: float


def torso_region(sample: PoseSample) -> Region:
    """The box around nose, shoulders and hips, the shoulder–hip centre and the body's size."""
    size = sample.image_size
    points = [to_pixels(sample.image[i], size) for i in _TORSO]
    shoulders = midpoint(points[1], points[2])
    hips = midpoint(points[3], points[4])
    centre = midpoint(shoulders, hips)
    # Torso length survives leaning and turning to the side better than shoulder width does;
    # the width still guards against a near-zero length from a bad fit.
    scale = max(distance(shoulders, hips), distance(points[1], points[2]), 1.0)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return Region(min(xs), min(ys), max(xs), max(ys), centre[0], centre[1], scale)


def median_region(regions: list[Region]) -> Region:
    """The element-wise median of several regions (robust to a stray sample)."""
    return Region(
        *(statistics.median(getattr(r, name) for r in regions) for name in Region.__annotations__)
    )


@dataclass(frozen=True)
class Crop:
    """A crop rectangle in full-frame pixels (x0, y0 inclusive; x1, y1 exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        """Width in pixels."""
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        """Height in pixels."""
        return self.y1 - self.y0


def crop_around(
    region: Region,
    image_size: tuple[int, int],
    *,
    side: float,
    up: float,
    down: float,
    min_px: int = 96,
) -> Crop:
    """The region's box grown by ``side``/``up``/``down`` torso lengths, clipped to the frame."""
    width, height = image_size
    s = region.scale_px
    x0 = max(0, int(region.x0 - side * s))
    x1 = min(width, int(np.ceil(region.x1 + side * s)))
    y0 = max(0, int(region.y0 - up * s))
    y1 = min(height, int(np.ceil(region.y1 + down * s)))
    # Too small a crop leaves the model nothing to work with; grow it around its centre.
    if x1 - x0 < min_px:
        cx = (x0 + x1) // 2
        x0, x1 = max(0, cx - min_px // 2), min(width, cx + min_px // 2)
    if y1 - y0 < min_px:
        cy = (y0 + y1) // 2
        y0, y1 = max(0, cy - min_px // 2), min(height, cy + min_px // 2)
    return Crop(x0, y0, x1, y1)


def uncrop(sample: PoseSample, crop: Crop, image_size: tuple[int, int]) -> PoseSample:
    """Map a sample found in ``crop`` back to full-frame normalised coordinates."""
    width, height = image_size

    def back(lm: Landmark) -> Landmark:
        # MediaPipe's image z is on the same scale as x, so it scales with the crop width.
        return Landmark(
            (crop.x0 + lm.x * crop.width) / width,
            (crop.y0 + lm.y * crop.height) / height,
            lm.z * crop.width / width,
            lm.visibility,
        )

    return PoseSample(
        timestamp_s=sample.timestamp_s,
        image=tuple(back(lm) for lm in sample.image),
        world=sample.world,
        image_size=(width, height),
    )


def seat_crop(calibration: Calibration, image_size: tuple[int, int]) -> Crop:
    """The calibrated seat and standing spot, with room for the head above and hips below."""
    width, height = image_size
    w = calibration.seated.shoulder_width
    seat = calibration.seat_region
    top = (
        seat.y0
        if calibration.standing is None
        else min(seat.y0, calibration.standing.shoulder_y - w)
    )
    x0 = max(0, int((seat.x0 - 0.5 * w) * height))
    x1 = min(width, int(np.ceil((seat.x1 + 0.5 * w) * height)))
    y0 = max(0, int((top - 1.0 * w) * height))
    y1 = min(height, int(np.ceil((seat.y1 + 3.0 * w) * height)))
    return Crop(x0, y0, x1, y1)


class UserFollower:
    """A ``PoseEstimator`` that stays on the seated user (see the module docstring)."""

    def __init__(
        self,
        estimator: PoseEstimator,
        *,
        learn_s: float = 5.0,
        forget_after_s: float = 15.0,
        max_shift_side: float = 0.8,
        max_shift_up: float = 1.6,
        max_shift_down: float = 1.6,
        scale_range: tuple[float, float] = (0.7, 1.45),
        calibration: Callable[[], Calibration | None] | None = None,
        settle_s: float = 10.0,
    ) -> None:
        self.estimator = estimator
        self.calibration = calibration
        self.settle_s = settle_s
        self.calibration_in_doubt = False
        # When a person elsewhere was first and last seen, in an unbroken run of samples.
        self._elsewhere_since_s: float | None = None
        self._elsewhere_last_s: float | None = None
        self.learn_s = learn_s
        self.forget_after_s = forget_after_s
        self.max_shift_side = max_shift_side
        self.max_shift_up = max_shift_up
        self.max_shift_down = max_shift_down
        self.scale_range = scale_range
        self._recent: deque[tuple[float, Region]] = deque()
        self._last_accepted_s: float | None = None
        self.region: Region | None = None
        self.rejected = 0
        self.accepted = 0
        self.last_crop: Crop | None = None

    def reset(self) -> None:
        """Forget the learned user (e.g. after the camera changed)."""
        self._recent.clear()
        self.region = None
        self._last_accepted_s = None
        self._elsewhere_since_s = self._elsewhere_last_s = None

    def consistent(self, sample: PoseSample) -> bool:
        """Whether ``sample``'s torso could be the learned user's (position and size)."""
        if self.region is None:
            return True
        got = torso_region(sample)
        ref = self.region
        ratio = got.scale_px / ref.scale_px
        if not self.scale_range[0] <= ratio <= self.scale_range[1]:
            return False
        dx = abs(got.centre_x - ref.centre_x) / ref.scale_px
        dy = (got.centre_y - ref.centre_y) / ref.scale_px
        # Standing up lifts the torso by about a thigh length (~ one torso), so allow more up.
        return dx <= self.max_shift_side and -self.max_shift_up <= dy <= self.max_shift_down

    def _accept(self, sample: PoseSample, timestamp_s: float) -> PoseSample:
        """Learn from an accepted sample and return it."""
        self._recent.append((timestamp_s, torso_region(sample)))
        while self._recent and self._recent[0][0] < timestamp_s - self.learn_s:
            self._recent.popleft()
        self.region = median_region([r for _, r in self._recent])
        self._last_accepted_s = timestamp_s
        self.accepted += 1
        return sample

    def _run(self, image_bgr: np.ndarray, timestamp_s: float, crop: Crop) -> PoseSample | None:
        """The estimator on ``crop`` of the frame, mapped back to the full frame."""
        height, width = image_bgr.shape[:2]
        self.last_crop = crop
        if (crop.x0, crop.y0, crop.x1, crop.y1) == (0, 0, width, height):
            return self.estimator.estimate(image_bgr, timestamp_s)
        part = np.ascontiguousarray(image_bgr[crop.y0 : crop.y1, crop.x0 : crop.x1])
        found = self.estimator.estimate(part, timestamp_s)
        return None if found is None else uncrop(found, crop, (int(width), int(height)))

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> PoseSample | None:
        """The user's pose in full-frame coordinates, or None when the user is not found."""
        height, width = image_bgr.shape[:2]
        size = (int(width), int(height))
        if (
            self._last_accepted_s is not None
            and timestamp_s - self._last_accepted_s > self.forget_after_s
        ) or (self._last_accepted_s is not None and timestamp_s < self._last_accepted_s):
            self.reset()  # really gone (or time went backwards: a new run) -> learn again
        if self.region is None:
            found = self._run(image_bgr, timestamp_s, Crop(0, 0, size[0], size[1]))
            if found is None:
                self._elsewhere_since_s = self._elsewhere_last_s = None  # the run is broken
                return None
            return self._learn(image_bgr, found, timestamp_s)
        wide = crop_around(self.region, size, side=1.2, up=1.4, down=2.2)
        found = self._run(image_bgr, timestamp_s, wide)
        if found is None:
            # Nobody around the seat: the tight crop holds the same pixels, and asking the model
            # twice per sample for the whole absence would double its cost when nobody is there.
            return None
        if self.consistent(found):
            return self._accept(found, timestamp_s)
        # Someone else (or nobody) in the wide crop: ask again on the seat alone.
        tight = crop_around(self.region, size, side=0.35, up=0.35, down=0.6)
        again = self._run(image_bgr, timestamp_s, tight)
        if again is not None and self.consistent(again):
            return self._accept(again, timestamp_s)
        if found is not None or again is not None:
            self.rejected += 1
        return None

    def _calibration_for(self, size: tuple[int, int]) -> Calibration | None:
        """The user's calibration, if it was made with frames of this shape."""
        cal = self.calibration() if self.calibration is not None else None
        return cal if cal is not None and calibration_fits(cal, size) else None

    def _learn(
        self, image_bgr: np.ndarray, found: PoseSample, timestamp_s: float
    ) -> PoseSample | None:
        """Learn the user from ``found`` (full frame), or from the calibrated seat if it is elsewhere."""
        height, width = image_bgr.shape[:2]
        cal = self._calibration_for((int(width), int(height)))
        if cal is None:
            return self._accept(found, timestamp_s)
        at_desk: PoseSample | None = found
        if not at_the_desk(found, cal):
            at_desk = self._run(image_bgr, timestamp_s, seat_crop(cal, (int(width), int(height))))
            if at_desk is not None and not at_the_desk(at_desk, cal):
                at_desk = None
        if at_desk is not None:
            self.calibration_in_doubt = False
            self._elsewhere_since_s = self._elsewhere_last_s = None
            return self._accept(at_desk, timestamp_s)
        # Someone elsewhere: learned only after an unbroken run of such samples (a gap of more
        # than two seconds, or time going back, starts the run again).
        last = self._elsewhere_last_s
        if last is None or not 0 <= timestamp_s - last <= 2.0:
            self._elsewhere_since_s = timestamp_s
        self._elsewhere_last_s = timestamp_s
        assert self._elsewhere_since_s is not None
        if timestamp_s - self._elsewhere_since_s >= self.settle_s:
            self.calibration_in_doubt = True  # the desk has moved since the calibration
            self._elsewhere_since_s = self._elsewhere_last_s = None
            return self._accept(found, timestamp_s)
        self.rejected += 1
        return None

    def close(self) -> None:
        """Close the wrapped estimator."""
        self.estimator.close()
