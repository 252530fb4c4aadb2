"""The people search: scans the whole frame, follows the user on a crop, maps crops back.

A blob "model" stands in for MediaPipe: it finds coloured torso boxes in whatever image (or crop)
it is given and reports up to ``num_poses`` of them, biggest first, as poses.
"""

from __future__ import annotations

import numpy as np
import pytest

from hipcheck.core.people import APPEARANCE_MAX_DISTANCE, Why, appearance_distance, describe
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
from hipcheck.vision.people import (
    CROP_DOWN,
    MIN_CROP_PX,
    SCAN_EVERY_S,
    Crop,
    PeopleSearch,
    crop_around,
    torso_appearance,
    uncrop,
)

SITTING_RED = (0, 0, 255)
# The same user standing: the stand-in model tells postures apart by colour, so a slightly darker
# red (the same shirt to the torso's colour histogram).
STANDING_RED = (0, 0, 200)
STRANGER_BLUE = (255, 0, 0)  # someone else, standing
POSTURE = {SITTING_RED: State.SITTING, STANDING_RED: State.STANDING, STRANGER_BLUE: State.STANDING}


class BlobEstimator:
    """A stand-in model: the coloured torso boxes in the image it is given, biggest first."""

    def __init__(self, num_poses: int = 3) -> None:
        self.num_poses = num_poses
        self.shapes: list[tuple[int, ...]] = []
        self.closed = False

    def detect(self, image_bgr: np.ndarray, timestamp_s: float) -> tuple[PoseSample, ...]:
        """Every blob's pose, in the coordinates of ``image_bgr``."""
        self.shapes.append(tuple(image_bgr.shape))
        height, width = image_bgr.shape[:2]
        found = []
        for colour in POSTURE:
            ys, xs = np.nonzero(np.all(image_bgr == colour, axis=2))
            if len(xs):
                found.append((len(xs), colour, xs, ys))
        found.sort(key=lambda f: -f[0])
        return tuple(
            _pose(colour, xs, ys, width, height, timestamp_s)
            for _, colour, xs, ys in found[: self.num_poses]
        )

    def close(self) -> None:
        """Nothing to free."""
        self.closed = True


def _pose(
    colour: tuple[int, int, int],
    xs: np.ndarray,
    ys: np.ndarray,
    width: int,
    height: int,
    t_s: float,
) -> PoseSample:
    """A pose for the blob: shoulders and hips at its corners, legs by its posture."""
    x0, x1, y0, y1 = float(xs.min()), float(xs.max() + 1), float(ys.min()), float(ys.max() + 1)
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
    points[LEFT_ANKLE] = (knees[0][0], knees[0][1] + 0.9 * torso)
    points[RIGHT_ANKLE] = (knees[1][0], knees[1][1] + 0.9 * torso)
    image = tuple(
        Landmark(points[i][0] / width, points[i][1] / height, 0.0, 1.0)
        for i in range(NUM_LANDMARKS)
    )
    return PoseSample(t_s, image, None, (width, height))


def scene(*boxes: tuple[tuple[int, int, int], int, int, int, int]) -> np.ndarray:
    """A 640x480 grey frame with (colour, x, y, w, h) torso boxes drawn in order."""
    image = np.full((480, 640, 3), 100, np.uint8)
    for colour, x, y, w, h in boxes:
        image[y : y + h, x : x + w] = colour
    return image


USER = (SITTING_RED, 100, 200, 40, 100)  # seated user's torso: centre (120, 250), 100 px long
USER_STANDING = (STANDING_RED, 100, 110, 40, 100)  # the same, risen by 90 px
STRANGER = (STRANGER_BLUE, 380, 20, 60, 150)  # a bigger (closer) person to the right


def search() -> tuple[PeopleSearch, BlobEstimator, BlobEstimator]:
    """A people search with a three-person scan and a one-person focus."""
    scan, focus = BlobEstimator(3), BlobEstimator(1)
    return PeopleSearch(scan, focus), scan, focus


def centre_x(sample: PoseSample | None) -> float:
    """The torso centre in full-frame pixels (x)."""
    assert sample is not None
    return describe(sample).centre_x


def test_uncrop_maps_crop_coordinates_back_to_the_frame() -> None:
    model = BlobEstimator(1)
    (full,) = model.detect(scene(USER), 0.0)
    crop = Crop(60, 150, 300, 420)
    (found,) = model.detect(scene(USER)[crop.y0 : crop.y1, crop.x0 : crop.x1], 0.0)
    back = uncrop(found, crop, (640, 480))
    assert back.image_size == (640, 480)
    for a, b in zip(full.image, back.image, strict=True):
        assert (a.x, a.y) == pytest.approx((b.x, b.y), abs=1e-9)


def test_crop_around_grows_most_downwards_stays_in_the_frame_and_is_never_tiny() -> None:
    crop = crop_around((100, 200, 140, 300, 100), (640, 480))
    assert crop.x0 == 0 and crop.y1 == 480  # clipped at the left and bottom edges
    assert crop.x1 > 140 and crop.y0 < 200
    big = crop_around((300, 100, 340, 140, 40), (640, 480))
    assert big.y1 - 140 == pytest.approx(CROP_DOWN * 40, abs=1)
    assert big.y1 - 140 > 100 - big.y0  # more room below (standing up) than above
    tiny = crop_around((300, 200, 302, 202, 2), (640, 480))
    assert tiny.width >= MIN_CROP_PX and tiny.height >= MIN_CROP_PX


def test_scans_until_someone_is_found_then_follows_on_a_crop() -> None:
    people, scan, focus = search()
    # The user alone, then a bigger person comes to stand beside them.
    t_s, answers, scans, focused = 0.0, [], [], []
    while t_s < 14.0:
        frame = scene(USER) if t_s < 3.0 else scene(USER, STRANGER)
        answers.append((t_s, people.find(frame, t_s)[1]))
        scans.append(people.scans)
        focused.append(people.focus_runs)
        t_s = round(t_s + 0.5, 3)
    learned = next(i for i, (_, c) in enumerate(answers) if c.sample is not None)
    assert answers[learned][0] <= 2.0
    # The first sample scans the whole frame; from then on the newcomer (and then the user) is
    # followed on a crop, each sample running one landmarker while the crop finds them.
    assert scans[0] == 1
    assert all(shape == (480, 640, 3) for shape in scan.shapes)
    assert focus.shapes and all(shape[1] < 640 for shape in focus.shapes)
    samples_after_first = len(answers) - 1
    assert (focused[-1] - focused[0]) + (scans[-1] - scans[0]) == samples_after_first
    # The whole frame is searched again when the picture around the crop changes, every
    # SCAN_EVERY_S while others are about, at least every SCAN_IDLE_S, never more often.
    scans_after = scans[-1] - scans[0]
    assert 1 <= scans_after <= samples_after_first * 0.5 / SCAN_EVERY_S + 2
    # The bigger person beside the user is seen by a scan within SCAN_EVERY_S of walking in (the
    # change is remembered until a scan runs), and never taken for the user.
    assert any(c.others == 1 for t, c in answers if 3.0 <= t <= 3.0 + SCAN_EVERY_S)
    assert all(
        centre_x(c.sample) == pytest.approx(120, abs=1) for c in [c for _, c in answers[learned:]]
    )


def test_a_focus_that_loses_the_user_scans_the_same_frame() -> None:
    people, scan, _ = search()
    for k in range(6):
        people.find(scene(USER), k * 0.5)
    scans = people.scans
    # The user moved far between two samples: the crop holds nobody, the scan finds them.
    moved = (SITTING_RED, 480, 200, 40, 100)
    _, choice = people.find(scene(moved), 3.0)
    assert people.scans == scans + 1 and scan.shapes[-1] == (480, 640, 3)
    assert choice.sample is None and choice.others == 1  # someone new, not yet the user


def test_a_stranger_who_fills_the_crop_does_not_take_over() -> None:
    people, _, _ = search()
    for k in range(6):
        people.find(scene(USER), k * 0.5)
    # A stranger far bigger than the user right next to the seat wins the one-person crop; the
    # whole-frame scan still finds the user, who stays the user.
    near = (STRANGER_BLUE, 150, 40, 90, 240)
    for k in range(6):
        _, choice = people.find(scene(USER, near), 3.0 + k * 0.5)
        assert centre_x(choice.sample) == pytest.approx(120, abs=1)
        assert observe(choice.sample).state == State.SITTING


def test_follows_the_user_standing_up_and_sitting_down() -> None:
    people, _, _ = search()
    boxes = [USER] * 10 + [USER_STANDING] * 14 + [USER] * 14
    states = []
    for k, box in enumerate(boxes):
        states.append(observe(people.find(scene(box), k * 0.5)[1].sample).state)
    # Learned once settled (1 s), then every posture change followed.
    assert states[3:] == [State.SITTING] * 7 + [State.STANDING] * 14 + [State.SITTING] * 14


def test_point_at_and_close_reach_both_landmarkers() -> None:
    people, scan, focus = search()
    people.point_at(455 / 640, 250 / 480)
    other = (SITTING_RED, 420, 150, 70, 170)  # smaller than the stranger, at the point
    for k in range(6):
        _, choice = people.find(scene(other, STRANGER), k * 0.5)
    assert choice.why in (Why.POINTED, Why.FOLLOWING)
    assert centre_x(choice.sample) == pytest.approx(455, abs=1)
    people.close()
    assert scan.closed and focus.closed


def _box_pose(x: int, y: int, w: int, h: int) -> PoseSample:
    """The stand-in model's pose for a torso box at (x, y, w, h) in a 640x480 frame."""
    xs, ys = np.array([x, x + w - 1]), np.array([y, y + h - 1])
    return _pose(SITTING_RED, xs, ys, 640, 480, 0.0)


def test_torso_appearance_tells_clothes_apart_and_ignores_the_background() -> None:
    frame = scene(USER, (STRANGER_BLUE, 400, 200, 40, 100))
    frame[200:300, 520:560] = (235, 235, 235)  # a white shirt
    user, blue, white = (
        _box_pose(100, 200, 40, 100),
        _box_pose(400, 200, 40, 100),
        _box_pose(520, 200, 40, 100),
    )
    red = torso_appearance(frame, user)
    assert red is not None
    for other in (blue, white):
        look = torso_appearance(frame, other)
        assert look is not None and appearance_distance(red, look) > APPEARANCE_MAX_DISTANCE
    # The grey background around the torso stays out; dimmer light on the same shirt stays
    # alike; a torso outside the picture has no look.
    # (Only the middle of the torso box is shirt here, the rest green: the look reads the
    # middle.)
    edged = frame.copy()
    edged[200:300, 100:140] = (0, 200, 0)
    edged[215:285, 105:135] = SITTING_RED
    same = torso_appearance(edged, user)
    assert same is not None and appearance_distance(red, same) == pytest.approx(0.0, abs=1e-6)
    dim = torso_appearance((frame * 0.8).astype(np.uint8), user)
    assert dim is not None and appearance_distance(red, dim) < 0.3
    gone = PoseSample(
        0.0, tuple(Landmark(2.0, 2.0, 0.0, 1.0) for _ in range(NUM_LANDMARKS)), None, (640, 480)
    )
    assert torso_appearance(frame, gone) is None
