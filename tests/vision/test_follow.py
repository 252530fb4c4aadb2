"""The follower keeps the model on the seated user: crops, maps back, rejects passers-by, re-learns.

Scripted tests use a blob "model" that finds coloured torso boxes in whatever image (or crop) it is
given and, like MediaPipe's detector, reports the biggest; the real-model tests composite a
standing stranger beside a seated user from the shared stills.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from hipcheck.core.calibration import Calibration, calibrate
from hipcheck.core.posture import observe
from hipcheck.core.types import (
    LEFT_ANKLE,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    NOSE,
    NUM_LANDMARKS,
    RIGHT_ANKLE,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    Landmark,
    PoseSample,
    State,
)
from hipcheck.vision.follow import Crop, UserFollower, crop_around, torso_region, uncrop
from hipcheck.vision.pose import MediaPipePoseEstimator

SITTING_RED = (0, 0, 255)
STANDING_RED = (255, 0, 255)  # the same user, standing
STRANGER_BLUE = (255, 0, 0)  # a passer-by, standing
POSTURE = {SITTING_RED: State.SITTING, STANDING_RED: State.STANDING, STRANGER_BLUE: State.STANDING}


class BlobEstimator:
    """A stand-in model: the biggest coloured torso box in the image it is given, as a pose."""

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []

    def estimate(self, image_bgr: np.ndarray, timestamp_s: float) -> PoseSample | None:
        """The biggest blob's pose, in the coordinates of ``image_bgr``."""
        self.shapes.append(tuple(image_bgr.shape))
        height, width = image_bgr.shape[:2]
        best: tuple[int, tuple[int, int, int], np.ndarray, np.ndarray] | None = None
        for colour in POSTURE:
            ys, xs = np.nonzero(np.all(image_bgr == colour, axis=2))
            if len(xs) and (best is None or len(xs) > best[0]):
                best = (len(xs), colour, xs, ys)
        if best is None:
            return None
        _, colour, xs, ys = best
        x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
        torso = y1 - y0
        points = {i: ((x0 + x1) / 2, (y0 + y1) / 2) for i in range(NUM_LANDMARKS)}
        points[NOSE] = ((x0 + x1) / 2, y0 - 0.3 * torso)
        points[LEFT_SHOULDER], points[RIGHT_SHOULDER] = (x0, y0), (x1, y0)
        points[LEFT_HIP], points[RIGHT_HIP] = (x0, y1), (x1, y1)
        if POSTURE[colour] == State.STANDING:
            knees = ((x0, y1 + 0.9 * torso), (x1, y1 + 0.9 * torso))
        else:
            knees = ((x1 + 0.9 * torso, y1), (x1 + 0.9 * torso, y1))
        points[LEFT_KNEE], points[RIGHT_KNEE] = knees
        # Shins hang straight down from the knees in both postures.
        points[LEFT_ANKLE] = (knees[0][0], knees[0][1] + 0.9 * torso)
        points[RIGHT_ANKLE] = (knees[1][0], knees[1][1] + 0.9 * torso)
        image = tuple(
            Landmark(points[i][0] / width, points[i][1] / height, 0.0, 1.0)
            for i in range(NUM_LANDMARKS)
        )
        return PoseSample(timestamp_s, image, None, (width, height))

    def close(self) -> None:
        """Nothing to free."""


def _scene(*boxes: tuple[tuple[int, int, int], int, int, int, int]) -> np.ndarray:
    """A 640x480 grey frame with (colour, x, y, w, h) torso boxes drawn in order."""
    image = np.full((480, 640, 3), 100, np.uint8)
    for colour, x, y, w, h in boxes:
        image[y : y + h, x : x + w] = colour
    return image


USER = (SITTING_RED, 100, 200, 40, 100)  # seated user's torso: centre (120, 250), 100 px long
USER_STANDING = (STANDING_RED, 100, 110, 40, 100)  # the same, risen by 90 px
STRANGER = (STRANGER_BLUE, 380, 20, 60, 150)  # a bigger (closer) passer-by to the right


def _centre_x(sample: PoseSample) -> float:
    """The torso centre in full-frame pixels (x)."""
    return torso_region(sample).centre_x


def test_uncrop_maps_crop_coordinates_back_to_the_frame() -> None:
    estimator = BlobEstimator()
    full = estimator.estimate(_scene(USER), 0.0)
    crop = Crop(60, 150, 300, 420)
    part = _scene(USER)[crop.y0 : crop.y1, crop.x0 : crop.x1]
    found = estimator.estimate(part, 0.0)
    assert full is not None and found is not None
    back = uncrop(found, crop, (640, 480))
    assert back.image_size == (640, 480)
    for a, b in zip(full.image, back.image, strict=True):
        assert (a.x, a.y) == pytest.approx((b.x, b.y), abs=1e-9)


def test_crop_around_grows_more_downwards_and_stays_in_the_frame() -> None:
    region = torso_region(BlobEstimator().estimate(_scene(USER), 0.0))  # type: ignore[arg-type]
    crop = crop_around(region, (640, 480), side=1.0, up=1.0, down=2.0)
    assert (crop.x0, crop.x1) == (0, 240)  # 100 - 100 clipped at 0; 140 + 100
    assert crop.y0 == int(region.y0 - 100) and crop.y1 == 480


def test_follower_crops_to_the_seat_and_ignores_a_bigger_passer_by() -> None:
    bare = BlobEstimator()
    follower = UserFollower(BlobEstimator())
    t_s = 0.0
    for _ in range(10):  # 5 s alone: learned
        sample = follower.estimate(_scene(USER), t_s)
        assert sample is not None and observe(sample).state == State.SITTING
        t_s += 0.5
    assert follower.region is not None
    for _ in range(10):
        frame = _scene(USER, STRANGER)
        witness = bare.estimate(frame, t_s)
        assert (
            witness is not None and observe(witness).state == State.STANDING
        )  # bare model: fooled
        sample = follower.estimate(frame, t_s)
        assert sample is not None and sample.image_size == (640, 480)
        assert _centre_x(sample) == pytest.approx(120.0, abs=1.0)
        assert observe(sample).state == State.SITTING
        t_s += 0.5
    inner = follower.estimator
    assert isinstance(inner, BlobEstimator)
    assert all(shape[1] < 640 for shape in inner.shapes[1:])  # the model only saw crops


def test_follower_rejects_a_jump_to_someone_else_in_the_crop() -> None:
    follower = UserFollower(BlobEstimator())
    for k in range(10):
        follower.estimate(_scene(USER), k * 0.5)
    # A stranger far bigger than the user right next to the seat wins the wide crop; the tight
    # crop around the seat still finds the user.
    near_stranger = (STRANGER_BLUE, 150, 40, 90, 240)
    sample = follower.estimate(_scene(USER, near_stranger), 5.0)
    assert sample is not None and _centre_x(sample) == pytest.approx(120.0, abs=1.0)
    # The stranger alone, covering the seat: nobody the follower trusts.
    covering = (STRANGER_BLUE, 80, 40, 120, 400)
    assert follower.estimate(_scene(covering), 5.5) is None
    assert follower.rejected >= 1


def test_follower_follows_the_user_standing_up_and_sitting_down() -> None:
    follower = UserFollower(BlobEstimator())
    states = []
    scenes = [USER] * 10 + [USER_STANDING] * 14 + [USER] * 14
    for k, box in enumerate(scenes):
        sample = follower.estimate(_scene(box), k * 0.5)
        assert sample is not None, k
        states.append(observe(sample).state)
    assert states == [State.SITTING] * 10 + [State.STANDING] * 14 + [State.SITTING] * 14


def test_follower_relearns_after_the_user_has_really_gone() -> None:
    follower = UserFollower(BlobEstimator(), forget_after_s=15.0)
    for k in range(10):
        follower.estimate(_scene(USER), k * 0.5)
    # Gone for 20 s; then someone else sits down elsewhere, of another size.
    for k in range(40):
        assert follower.estimate(_scene(), 5.0 + k * 0.5) is None
    other = (SITTING_RED, 420, 150, 70, 170)
    sample = follower.estimate(_scene(other), 26.0)
    assert sample is not None and _centre_x(sample) == pytest.approx(455.0, abs=1.0)
    # ... but the same newcomer within the forget time of the user would have been rejected.
    strict = UserFollower(BlobEstimator(), forget_after_s=15.0)
    for k in range(10):
        strict.estimate(_scene(USER), k * 0.5)
    assert strict.estimate(_scene(other), 10.0) is None


# ---- the real model ---------------------------------------------------------------------------


def _seated_and_stranger(images: Path) -> tuple[np.ndarray, np.ndarray]:
    """A 1280x720 frame with the seated user, and the same with a standing stranger beside."""
    alone = np.full((720, 1280, 3), 90, np.uint8)
    seated = cv2.imread(str(images / "side_sit_upright_01.jpg"))
    standing = cv2.imread(str(images / "standing_mpii_01.jpg"))
    assert seated is not None and standing is not None
    alone[180:, 0:303] = cv2.resize(seated, (303, 540), interpolation=cv2.INTER_AREA)
    both = alone.copy()
    both[:, 303:703] = standing[:, 650:1050]  # the stranger, nearer the camera than the user
    return alone, both


@pytest.mark.footage
def test_real_model_keeps_the_seated_user_when_a_stranger_stands_beside(
    posture_data: Path, tracking_estimator: MediaPipePoseEstimator
) -> None:
    alone, both = _seated_and_stranger(posture_data / "images")
    dark = np.zeros_like(alone)  # the camera blanks for a moment: tracking is lost
    scenes = [alone] * 10 + [dark] + [both] * 12
    follower = UserFollower(tracking_estimator)
    states = [observe(follower.estimate(image, k * 0.5)).state for k, image in enumerate(scenes)]
    assert states == [State.SITTING] * 10 + [State.AWAY] + [State.SITTING] * 12, states
    # The witness: without the follower the model re-detects on the full frame and takes the
    # stranger, so the user would have "stood up".
    assert tracking_estimator.estimate(dark, 100.0) is None
    bare = [observe(tracking_estimator.estimate(both, 100.5 + k)).state for k in range(3)]
    assert bare == [State.STANDING] * 3


@pytest.mark.footage
def test_real_model_learns_a_new_user_after_an_empty_room(
    posture_data: Path, tracking_estimator: MediaPipePoseEstimator
) -> None:
    images = posture_data / "images"
    alone, _ = _seated_and_stranger(images)
    empty = cv2.resize(cv2.imread(str(images / "empty_home_office_desk_01.png")), (1280, 720))
    newcomer = np.full((720, 1280, 3), 90, np.uint8)
    newcomer[:, 800:1200] = cv2.imread(str(images / "standing_mpii_01.jpg"))[:, 650:1050]
    follower = UserFollower(tracking_estimator, forget_after_s=15.0)
    scenes = [alone] * 6 + [empty] * 40 + [newcomer] * 4  # 20 s empty: really gone
    states = [observe(follower.estimate(image, k * 0.5)).state for k, image in enumerate(scenes)]
    assert states[:6] == [State.SITTING] * 6
    assert set(states[6:46]) == {State.AWAY}
    assert states[46:] == [State.STANDING] * 4, states[46:]


@pytest.mark.footage
def test_real_model_follows_the_user_standing_up_at_the_seat(
    posture_data: Path,
    still_estimator: MediaPipePoseEstimator,
    tracking_estimator: MediaPipePoseEstimator,
) -> None:
    """The seated user, then a standing person of the same size where the user sat, risen by
    most of a thigh: the follower must take it (a stand-up), not reject it as a stranger."""
    images = posture_data / "images"
    seated = cv2.imread(str(images / "side_sit_upright_01.jpg"))
    standing = cv2.imread(str(images / "standing_mpii_01.jpg"))[:, 650:1050]
    canvas_size = (1280, 720)
    sit_frame = np.full((720, 1280, 3), 90, np.uint8)
    sit_frame[180:, 400:703] = cv2.resize(seated, (303, 540), interpolation=cv2.INTER_AREA)
    sit_sample = still_estimator.estimate(sit_frame, 0.0)
    stand_sample = still_estimator.estimate(standing, 0.0)
    assert sit_sample is not None and stand_sample is not None
    sit_region, stand_region = torso_region(sit_sample), torso_region(stand_sample)
    # Scale the standing person to the user's torso length and put their torso centre above
    # the seat, 0.8 torso lengths higher (the hips rise by about a thigh length).
    scale = sit_region.scale_px / stand_region.scale_px
    resized = cv2.resize(standing, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    x = round(sit_region.centre_x - stand_region.centre_x * scale)
    y = round(sit_region.centre_y - 0.8 * sit_region.scale_px - stand_region.centre_y * scale)
    stand_frame = np.full((720, 1280, 3), 90, np.uint8)
    top, left = max(0, y), max(0, x)
    part = resized[top - y : top - y + 720 - top, left - x : left - x + canvas_size[0] - left]
    stand_frame[top : top + part.shape[0], left : left + part.shape[1]] = part
    follower = UserFollower(tracking_estimator)
    scenes = [sit_frame] * 10 + [stand_frame] * 6 + [sit_frame] * 6
    states = [observe(follower.estimate(image, k * 0.5)).state for k, image in enumerate(scenes)]
    assert states[:16] == [State.SITTING] * 10 + [State.STANDING] * 6, states
    # Dropping back into the seat within one frame, MediaPipe's tracker first fits a shrunken
    # torso, which the follower drops (one sample "away", absorbed by the tracker's smoothing);
    # a real sit-down passes through frames in between.
    assert states[16] in (State.SITTING, State.AWAY)
    assert states[17:] == [State.SITTING] * 5, states
    assert follower.rejected <= 1


def _blob_calibration() -> Calibration:
    """The user's calibration, made from the blob model sitting and standing at the desk."""
    model = BlobEstimator()
    seated = [model.estimate(_scene(USER), 0.0)] * 3
    standing = [model.estimate(_scene(USER_STANDING), 0.0)] * 3
    return calibrate(seated, standing)


def test_with_a_calibration_the_follower_learns_the_person_at_the_desk() -> None:
    cal = _blob_calibration()
    plain = UserFollower(BlobEstimator())
    calibrated = UserFollower(BlobEstimator(), calibration=lambda: cal)
    # The user comes back while a bigger passer-by is in view: the bare follower learns the
    # passer-by (the model reports the biggest person); the calibrated one, the user at the seat.
    first = plain.estimate(_scene(USER, STRANGER), 0.0)
    assert first is not None and observe(first).state == State.STANDING
    for k in range(6):
        sample = calibrated.estimate(_scene(USER, STRANGER), k * 0.5)
        assert sample is not None and _centre_x(sample) == pytest.approx(120.0, abs=1.0)
        assert observe(sample).state == State.SITTING
    # A user who comes back and stands at the desk is learned too.
    standing = UserFollower(BlobEstimator(), calibration=lambda: cal)
    sample = standing.estimate(_scene(USER_STANDING, STRANGER), 0.0)
    assert sample is not None and observe(sample).state == State.STANDING
    assert _centre_x(sample) == pytest.approx(120.0, abs=1.0)


def test_a_calibration_from_another_desk_gives_way_after_a_while() -> None:
    cal = _blob_calibration()
    moved = (SITTING_RED, 420, 260, 40, 100)  # the laptop moved: the user is elsewhere now
    follower = UserFollower(BlobEstimator(), calibration=lambda: cal, settle_s=10.0)
    seen = [follower.estimate(_scene(moved), k * 0.5) is not None for k in range(30)]
    assert seen[:20] == [False] * 20  # not learned during the first 10 s ...
    assert all(seen[20:])  # ... then learned, and followed from there
    assert follower.region is not None and follower.region.centre_x == pytest.approx(440, abs=1)
    assert follower.calibration_in_doubt
    # The user back at the calibrated seat (after the moved one has gone): no doubt any more.
    follower.reset()
    assert follower.estimate(_scene(USER), 100.0) is not None
    assert not follower.calibration_in_doubt
    # A calibration made with another frame shape is not used at all.
    other = UserFollower(BlobEstimator(), calibration=lambda: replace(cal, frame_aspect=16 / 9))
    assert other.estimate(_scene(moved), 0.0) is not None


def test_only_an_unbroken_run_of_someone_elsewhere_gives_way() -> None:
    cal = _blob_calibration()
    follower = UserFollower(BlobEstimator(), calibration=lambda: cal, settle_s=10.0)
    passer_by = (STRANGER_BLUE, 420, 40, 40, 100)  # the user's size, far from the seat
    assert follower.estimate(_scene(passer_by), 0.0) is None
    for k in range(1, 200):  # 100 s of an empty room
        assert follower.estimate(_scene(), k * 0.5) is None
    # Another passer-by much later is not taken at once: the run starts again.
    assert follower.estimate(_scene(passer_by), 100.0) is None
    assert follower.estimate(_scene(passer_by), 100.5) is None
    # The user sits down a second later and is learned.
    sample = follower.estimate(_scene(USER), 101.0)
    assert sample is not None and _centre_x(sample) == pytest.approx(120.0, abs=1.0)
    assert not follower.calibration_in_doubt
