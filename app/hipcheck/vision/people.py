"""Turn frames into people, spending the multi-person model only where it changes the answer.

Two landmarkers: a *scan* looking for several people on the whole frame, and a *focus* that
follows one person on a crop around where the user was last seen (a crop also makes a small or
partly hidden user bigger for the model, so they are found where the whole frame misses them).
Once someone is followed (the user, or before that the likeliest newcomer), each sample runs
the focus, and the scan only when the focus does not find them, every ``SCAN_EVERY_S`` while
others are about or the picture around them changes, else every ``SCAN_IDLE_S``; with nobody to
follow, every sample is a scan. Each person found carries the colour histogram of their torso
(``torso_appearance``), so people passing close by can be told apart. Which person is the user
is decided by ``core.people``; this module only finds people.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

import cv2
import numpy as np

from hipcheck.core.people import UserChoice, UserFinder
from hipcheck.core.types import (
    LEFT_HIP,
    LEFT_SHOULDER,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    Landmark,
    PoseSample,
)
from hipcheck.vision.pose import PoseEstimator

# How often the whole frame is searched for people while the user is followed on a crop: every
# SCAN_EVERY_S while others are about or the picture around the user changes, else every
# SCAN_IDLE_S (a user alone in a still room costs little more than one pose).
SCAN_EVERY_S: Final = 3.0
SCAN_IDLE_S: Final = 60.0
# The picture around the user "changes" when more than CHANGE_SHARE of a thumbnail's pixels
# outside the user's crop differ by more than CHANGE_LEVELS grey levels: someone walking in, even
# small and far away (a person 3 % of the picture); camera noise and light flicker stay below.
CHANGE_LEVELS: Final = 24
CHANGE_SHARE: Final = 0.01
THUMB_SIZE: Final = (64, 48)
# The crop around the user's last torso box, in torso lengths: room to lean and to stand up.
CROP_SIDE: Final = 1.2
CROP_UP: Final = 1.4
CROP_DOWN: Final = 2.2
MIN_CROP_PX: Final = 96


@dataclass(frozen=True, slots=True)
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


def crop_around(box: tuple[float, float, float, float, float], image_size: tuple[int, int]) -> Crop:
    """The torso box (x0, y0, x1, y1, size in pixels) grown for leaning and standing, clipped."""
    width, height = image_size
    x0, y0, x1, y1, s = box
    cx0 = max(0, int(x0 - CROP_SIDE * s))
    cx1 = min(width, math.ceil(x1 + CROP_SIDE * s))
    cy0 = max(0, int(y0 - CROP_UP * s))
    cy1 = min(height, math.ceil(y1 + CROP_DOWN * s))
    if cx1 - cx0 < MIN_CROP_PX:  # too small a crop leaves the model nothing to work with
        c = (cx0 + cx1) // 2
        cx0, cx1 = max(0, c - MIN_CROP_PX // 2), min(width, c + MIN_CROP_PX // 2)
    if cy1 - cy0 < MIN_CROP_PX:
        c = (cy0 + cy1) // 2
        cy0, cy1 = max(0, c - MIN_CROP_PX // 2), min(height, c + MIN_CROP_PX // 2)
    return Crop(cx0, cy0, cx1, cy1)


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


# The torso's look: a hue x saturation x value histogram of the box between the shoulders and
# the hips, shrunk toward its centre (to stay on the clothes), read from about LOOK_PX pixels
# across.
LOOK_BINS: Final = (6, 3, 3)
LOOK_SHRINK: Final = 0.6
LOOK_PX: Final = 24
_TORSO_CORNERS: Final = (LEFT_SHOULDER, RIGHT_SHOULDER, RIGHT_HIP, LEFT_HIP)


def torso_appearance(image_bgr: np.ndarray, sample: PoseSample) -> tuple[float, ...] | None:
    """The normalised colour histogram of the torso in ``image_bgr`` (None when it is out of
    the picture or too small to read)."""
    height, width = image_bgr.shape[:2]
    xs = [sample.image[i].x * width for i in _TORSO_CORNERS]
    ys = [sample.image[i].y * height for i in _TORSO_CORNERS]
    cx, cy = sum(xs) / 4, sum(ys) / 4
    half_w = LOOK_SHRINK * (max(xs) - min(xs)) / 2
    half_h = LOOK_SHRINK * (max(ys) - min(ys)) / 2
    x0, x1 = max(int(cx - half_w), 0), min(math.ceil(cx + half_w), width)
    y0, y1 = max(int(cy - half_h), 0), min(math.ceil(cy + half_h), height)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    step = max(1, max(x1 - x0, y1 - y0) // LOOK_PX)
    hsv = cv2.cvtColor(np.ascontiguousarray(image_bgr[y0:y1:step, x0:x1:step]), cv2.COLOR_BGR2HSV)
    hist = cv2.calcHist([hsv], [0, 1, 2], None, list(LOOK_BINS), [0, 180, 0, 256, 0, 256])
    total = float(hist.sum())
    return tuple((hist.ravel() / total).tolist()) if total > 0 else None


def with_appearance(image_bgr: np.ndarray, sample: PoseSample) -> PoseSample:
    """``sample`` carrying the look of its torso in ``image_bgr``."""
    return replace(sample, appearance=torso_appearance(image_bgr, sample))


class PeopleSearch:
    """Finds the people in each frame (see the module docstring) and asks who the user is."""

    def __init__(self, scan: PoseEstimator, focus: PoseEstimator | None = None) -> None:
        self.scan = scan
        self.focus = focus
        self.finder = UserFinder()
        self._last_scan_s: float | None = None
        self._others_at_last_scan = 0
        self._thumb: np.ndarray | None = None
        self._changed_since_scan = False  # the picture around the user changed since the scan
        self.scans = 0
        self.focus_runs = 0
        self.last_crop: Crop | None = None

    def _focused(
        self, image_bgr: np.ndarray, t_s: float, size: tuple[int, int]
    ) -> list[PoseSample]:
        """The focus landmarker on the crop around the user's last place (empty: no user)."""
        box = self.finder.look_at(t_s, size)
        if self.focus is None or box is None:
            return []
        crop = crop_around(box, size)
        self.last_crop = crop
        # A view, not a copy: the landmarker's colour conversion reads it in place.
        part = image_bgr[crop.y0 : crop.y1, crop.x0 : crop.x1]
        self.focus_runs += 1
        found = self.focus.detect(part, t_s)
        return [with_appearance(image_bgr, uncrop(p, crop, size)) for p in found]

    def _scanned(self, image_bgr: np.ndarray, t_s: float) -> list[PoseSample]:
        """The scan landmarker on the whole frame."""
        self._last_scan_s = t_s
        self.scans += 1
        found = [with_appearance(image_bgr, p) for p in self.scan.detect(image_bgr, t_s)]
        self._others_at_last_scan = len(found) - (1 if self.finder.finds_user(found, t_s) else 0)
        self._changed_since_scan = False
        return found

    def _changed_around_user(self, image_bgr: np.ndarray) -> bool:
        """Whether the picture outside the user's crop changed since the last sample."""
        # Averaging 2x2 pixels picked on a grid is plenty for a 64x48 thumbnail (camera noise
        # stays well below CHANGE_LEVELS), at a fraction of the cost of averaging them all.
        grid = (2 * THUMB_SIZE[0], 2 * THUMB_SIZE[1])
        picked = cv2.resize(image_bgr, grid, interpolation=cv2.INTER_NEAREST)
        small = cv2.cvtColor(
            cv2.resize(picked, THUMB_SIZE, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY
        )
        previous, self._thumb = self._thumb, small
        if previous is None or previous.shape != small.shape:
            return True
        diff = cv2.absdiff(small, previous)
        outside = diff.size
        crop = self.last_crop
        if crop is not None:
            height, width = image_bgr.shape[:2]
            sx, sy = THUMB_SIZE[0] / width, THUMB_SIZE[1] / height
            inside = diff[
                int(crop.y0 * sy) : int(np.ceil(crop.y1 * sy)),
                int(crop.x0 * sx) : int(np.ceil(crop.x1 * sx)),
            ]
            outside -= inside.size
            inside[:] = 0
        changed = cv2.countNonZero(cv2.threshold(diff, CHANGE_LEVELS, 255, cv2.THRESH_BINARY)[1])
        return outside > 0 and changed > CHANGE_SHARE * outside

    def _scan_due(self, image_bgr: np.ndarray, t_s: float) -> bool:
        """Whether the whole frame is due for a search: by the clock, sooner while others are
        about or the picture around the user changes."""
        if self._changed_around_user(image_bgr):
            self._changed_since_scan = True  # kept until the next scan, however soon it changed
        last = self._last_scan_s
        if last is None or not t_s - last >= 0:
            return True
        busy = self._changed_since_scan or self._others_at_last_scan > 0
        return t_s - last >= (SCAN_EVERY_S if busy else SCAN_IDLE_S)

    def find(
        self,
        image_bgr: np.ndarray,
        t_s: float,
        *,
        at_desk: Callable[[PoseSample], bool] | None = None,
        still: bool = False,
    ) -> tuple[tuple[PoseSample, ...], UserChoice]:
        """Everyone found in the frame, and the chooser's answer (``still``: a single picture)."""
        height, width = image_bgr.shape[:2]
        size = (int(width), int(height))
        due = self._scan_due(image_bgr, t_s)
        if self.focus is None or self.finder.user_box(t_s) is None or due:
            people = self._scanned(image_bgr, t_s)
            if not self.finder.finds_user(people, t_s):
                people += self._focused(image_bgr, t_s, size)
        else:
            people = self._focused(image_bgr, t_s, size)
            if not self.finder.finds_user(people, t_s):
                people += self._scanned(image_bgr, t_s)
        choice = self.finder.update(people, t_s, at_desk=at_desk, still=still)
        return tuple(people), choice

    def point_at(self, x: float, y: float) -> None:
        """ "That's me" at (x, y), fractions of the frame."""
        self.finder.chooser.point_at(x, y)

    def close(self) -> None:
        """Close both landmarkers."""
        try:
            self.scan.close()
        finally:
            if self.focus is not None:
                self.focus.close()
