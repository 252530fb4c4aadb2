"""Per-sample posture: turn one ``PoseSample`` into an ``Observation`` (present, side, angles, state).

MediaPipe reports a full body even when the camera sees only the head and shoulders: it guesses
hips below the frame edge and straight legs under the desk, and often calls them visible. So the
hips and knees count as seen only when they are also *plausible*: inside the frame, below the
shoulders by a sane torso length, the knee apart from the hip. Three cases follow:

* hips and knees seen: the hip angle (shoulder–hip–knee) and the thigh's lean decide;
* hips seen clearly with room below them but knees not: MediaPipe's guessed knee still tells a
  straight, upright leg (standing) from a bent one, but only with a stricter angle;
* hips hidden (the usual front laptop camera): a person is there and sits, unless the user has a
  standing desk, in which case the upper body alone cannot tell, so the state is unknown.

Angles are measured in the image plane (pixels, aspect-corrected) by default: measured against
the annotated keypoint angles in ``../shared/data/posture`` the image-plane angle is closer than
MediaPipe's world-coordinate angle (tests/vision/test_angle_space.py; figures in the README).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Final, Literal

from hipcheck.core.calibration import Calibration, classify_with_calibration
from hipcheck.core.geometry import (
    distance,
    inclination_from_vertical_deg,
    joint_angle_deg,
    midpoint,
    to_pixels,
    to_world,
)
from hipcheck.core.types import (
    LEFT_ANKLE,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_ANKLE,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    Observation,
    PoseSample,
    Side,
    State,
)

AngleSpace = Literal["image", "world"]
DEFAULT_ANGLE_SPACE: Final[AngleSpace] = "image"

# MediaPipe visibility below which a landmark is not taken as seen at all.
MIN_VISIBILITY: Final = 0.5
# A person is present when the upper body (nose or a shoulder) is at least this visible.
MIN_PRESENT_VISIBILITY: Final = 0.5
# Landmarks this close to (or past) the bottom edge are MediaPipe's guesses under a desk or below
# the frame, not observations; 3 % of the frame height.
BOTTOM_MARGIN: Final = 0.03
SIDE_MARGIN: Final = 0.02
# A torso shorter than this many shoulder widths is a person seen from above or a bad fit.
MIN_TORSO_PER_SHOULDER_WIDTH: Final = 0.5
# The hip must lie below the shoulders by at least this share of the torso length (a torso
# leaning more than ~70° is lying, not sitting or standing, or a mis-fit).
MIN_TORSO_DROP_SHARE: Final = 0.3
# Thigh length in torso lengths: shorter than MIN_THIGH the knee sits on the hip (a mis-fit);
# shorter than FORESHORTENED the thigh points at the camera (a front view of a seated person);
# longer than MAX_THIGH the "knee" belongs to something else.
MIN_THIGH_PER_TORSO: Final = 0.05
FORESHORTENED_THIGH_PER_TORSO: Final = 0.35
MAX_THIGH_PER_TORSO: Final = 1.8
# Standing: a nearly straight hip and a thigh near vertical (a reclined sitter can open the hip
# angle past 140° but then the thigh lies near horizontal).
STANDING_MIN_HIP_ANGLE_DEG: Final = 150.0
STANDING_MAX_THIGH_LEAN_DEG: Final = 35.0
# A seated person facing the camera shows a straight-looking leg in the picture (the thigh
# points at the camera); two things still tell: MediaPipe's world (3D) hip angle, and the thigh
# foreshortened against the shin. Measured on the shared clips: standing world angle 144-176°,
# thigh/shin 0.61-1.3; seated facing the camera 97-135°, 0.35-0.6.
STANDING_MIN_WORLD_HIP_ANGLE_DEG: Final = 140.0
# Both angles must be clearly straight together (standing: image + world at least 312°; seated
# facing the camera: at most 308°).
STANDING_MIN_ANGLE_SUM_DEG: Final = 310.0
STANDING_MIN_THIGH_PER_SHIN: Final = 0.6
# Both knees straight in MediaPipe's world (3D) landmarks: standing even when the picture shortens
# the thigh (a camera high above). Measured on the shared clips: seated facing the camera, the
# straighter knee at most 132°; standing seen from above, 155-174°.
STANDING_MIN_WORLD_KNEE_ANGLE_DEG: Final = 150.0
# With the ankle in view, a standing knee is nearly straight (kneeling folds it).
STANDING_MIN_KNEE_ANGLE_DEG: Final = 130.0
# When only the hips are seen and the knee is MediaPipe's guess, demand clear room below the hip
# (the thigh's start is in view), a confident hip, and a clearly straight guessed leg: a sitter's
# legs guessed under a desk came out at up to ~163° on the shared stills.
GUESSED_KNEE_MAX_HIP_Y: Final = 0.92
GUESSED_KNEE_MIN_HIP_VISIBILITY: Final = 0.9
GUESSED_STANDING_MIN_HIP_ANGLE_DEG: Final = 165.0
GUESSED_STANDING_MAX_THIGH_LEAN_DEG: Final = 20.0

# Hidden hips mean "sitting" only for someone close to the camera: shoulders at least this share
# of the picture's shorter side (a laptop user: 0.3-0.8; someone standing in a doorway: 0.15).
CLOSE_SHOULDER_WIDTH: Final = 0.2

_SIDES: Final = {
    Side.LEFT: (LEFT_SHOULDER, LEFT_HIP, LEFT_KNEE, LEFT_ANKLE),
    Side.RIGHT: (RIGHT_SHOULDER, RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE),
}


@dataclass(frozen=True, slots=True)
class SideView:
    """What one side of the body shows in one sample (pixels; None where not measurable)."""

    side: Side
    score: float
    hip_visible: bool
    knee_visible: bool
    torso_px: float
    thigh_px: float
    hip_angle_image_deg: float | None
    hip_angle_world_deg: float | None
    trunk_inclination_deg: float | None
    thigh_lean_deg: float | None
    knee_angle_deg: float | None
    shin_px: float | None  # None when the ankle is not seen
    hip_y: float
    hip_visibility: float
    knee_visibility: float


def _in_frame(x: float, y: float) -> bool:
    """Whether a normalised point lies inside the frame, away from the bottom edge."""
    return -SIDE_MARGIN <= x <= 1.0 + SIDE_MARGIN and 0.0 <= y <= 1.0 - BOTTOM_MARGIN


def side_view(sample: PoseSample, side: Side) -> SideView:
    """Measure one side of ``sample``: plausibility of hip and knee, angles and lengths."""
    i_sh, i_hip, i_knee, i_ankle = _SIDES[side]
    lm = sample.image
    size = sample.image_size
    sh, hip, knee, ankle = (to_pixels(lm[i], size) for i in (i_sh, i_hip, i_knee, i_ankle))
    shoulder_width_px = distance(
        to_pixels(lm[LEFT_SHOULDER], size), to_pixels(lm[RIGHT_SHOULDER], size)
    )
    torso_px = distance(sh, hip)
    thigh_px = distance(hip, knee)
    v_sh, v_hip, v_knee, v_ankle = (lm[i].visibility for i in (i_sh, i_hip, i_knee, i_ankle))

    hip_visible = (
        v_sh >= MIN_VISIBILITY
        and v_hip >= MIN_VISIBILITY
        and _in_frame(lm[i_hip].x, lm[i_hip].y)
        and torso_px >= MIN_TORSO_PER_SHOULDER_WIDTH * shoulder_width_px
        and torso_px > 0.0
        and hip[1] - sh[1] >= MIN_TORSO_DROP_SHARE * torso_px
    )
    knee_visible = (
        hip_visible
        and v_knee >= MIN_VISIBILITY
        and _in_frame(lm[i_knee].x, lm[i_knee].y)
        and MIN_THIGH_PER_TORSO * torso_px <= thigh_px <= MAX_THIGH_PER_TORSO * torso_px
    )
    world_angle = None
    if sample.world is not None:
        w = sample.world
        world_angle = joint_angle_deg(to_world(w[i_sh]), to_world(w[i_hip]), to_world(w[i_knee]))
    ankle_seen = v_ankle >= MIN_VISIBILITY and _in_frame(lm[i_ankle].x, lm[i_ankle].y)
    return SideView(
        side=side,
        score=v_sh + v_hip + v_knee,
        hip_visible=hip_visible,
        knee_visible=knee_visible,
        torso_px=torso_px,
        thigh_px=thigh_px,
        hip_angle_image_deg=joint_angle_deg(sh, hip, knee),
        hip_angle_world_deg=world_angle,
        trunk_inclination_deg=inclination_from_vertical_deg(sh, hip),
        thigh_lean_deg=inclination_from_vertical_deg(hip, knee),
        knee_angle_deg=joint_angle_deg(hip, knee, ankle) if ankle_seen else None,
        shin_px=distance(knee, ankle) if ankle_seen else None,
        hip_y=lm[i_hip].y,
        hip_visibility=v_hip,
        knee_visibility=v_knee,
    )


def best_side(sample: PoseSample) -> SideView:
    """The side the camera sees better: plausible hips and knees first, then visibility."""
    views = [side_view(sample, s) for s in (Side.LEFT, Side.RIGHT)]
    return max(views, key=lambda v: (v.knee_visible, v.hip_visible, v.score))


def close_to_camera(sample: PoseSample) -> bool:
    """Whether the shoulders span enough of the picture to be someone at the camera's desk."""
    width, height = sample.image_size
    left = to_pixels(sample.image[LEFT_SHOULDER], sample.image_size)
    right = to_pixels(sample.image[RIGHT_SHOULDER], sample.image_size)
    nose = to_pixels(sample.image[NOSE], sample.image_size)
    # Seen from the side the shoulders overlap; twice the neck (nose to the shoulders' middle)
    # is about a shoulder width too.
    size_px = max(distance(left, right), 2 * distance(nose, midpoint(left, right)))
    return size_px >= CLOSE_SHOULDER_WIDTH * min(width, height)


def person_present(sample: PoseSample | None) -> bool:
    """Whether the sample shows a person: the nose or a shoulder is clearly visible."""
    if sample is None:
        return False
    lm = sample.image
    return (
        max(lm[NOSE].visibility, lm[LEFT_SHOULDER].visibility, lm[RIGHT_SHOULDER].visibility)
        >= MIN_PRESENT_VISIBILITY
    )


def _chosen_angle(view: SideView, angle_space: AngleSpace) -> float | None:
    """The hip angle in the requested space; a thigh pointing at the camera needs world space."""
    foreshortened = view.thigh_px < FORESHORTENED_THIGH_PER_TORSO * view.torso_px
    if angle_space == "world" or foreshortened:
        # In the image plane a foreshortened thigh gives an arbitrary angle; the world
        # coordinates carry the depth MediaPipe inferred, the only estimate left.
        return view.hip_angle_world_deg
    return view.hip_angle_image_deg


def knees_straight_3d(sample: PoseSample) -> bool:
    """Whether both knees are nearly straight in MediaPipe's world (3D) landmarks, with both
    ankles seen in the picture (legs hidden under a desk are guessed straight)."""
    w = sample.world
    if w is None:
        return False
    for ankle in (LEFT_ANKLE, RIGHT_ANKLE):
        lm = sample.image[ankle]
        if lm.visibility < MIN_VISIBILITY or not _in_frame(lm.x, lm.y):
            return False
    angles = [
        joint_angle_deg(to_world(w[h]), to_world(w[k]), to_world(w[a]))
        for h, k, a in ((LEFT_HIP, LEFT_KNEE, LEFT_ANKLE), (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE))
    ]
    return all(a is not None and a >= STANDING_MIN_WORLD_KNEE_ANGLE_DEG for a in angles)


def _classify_seen(view: SideView, angle_deg: float | None, straight_knees: bool = False) -> State:
    """The state when hips and knees are seen."""
    world, image = view.hip_angle_world_deg, view.hip_angle_image_deg
    straight_both = (
        world is not None
        and image is not None
        and world + image >= STANDING_MIN_ANGLE_SUM_DEG
        and world >= STANDING_MIN_WORLD_HIP_ANGLE_DEG
    )
    if view.thigh_px < FORESHORTENED_THIGH_PER_TORSO * view.torso_px:
        # A short thigh in the picture points at the camera: horizontal, a seated person facing
        # it. A camera high above someone standing also shortens the thigh; then both knees are
        # straight in 3D and the hip straight in the picture (seated facing the camera, the
        # knees are bent).
        if straight_knees and image is not None and image >= STANDING_MIN_HIP_ANGLE_DEG:
            return State.STANDING
        if not straight_both:
            return State.SITTING
    straight = angle_deg is not None and angle_deg >= STANDING_MIN_HIP_ANGLE_DEG
    upright_thigh = (
        view.thigh_lean_deg is not None and view.thigh_lean_deg <= STANDING_MAX_THIGH_LEAN_DEG
    )
    knee_ok = view.knee_angle_deg is None or view.knee_angle_deg >= STANDING_MIN_KNEE_ANGLE_DEG
    straight_3d = (
        world is None
        or straight_both
        or straight_knees
        or (image is None and world >= STANDING_MIN_WORLD_HIP_ANGLE_DEG)
    )
    full_thigh = view.shin_px is None or view.thigh_px >= STANDING_MIN_THIGH_PER_SHIN * view.shin_px
    standing = straight and upright_thigh and knee_ok and straight_3d and full_thigh
    return State.STANDING if standing else State.SITTING


def _usable_guess(view: SideView) -> bool:
    """Whether MediaPipe's guessed leg on this side is worth reading (hips seen, knees not)."""
    return (
        view.hip_visible
        and view.hip_y <= GUESSED_KNEE_MAX_HIP_Y
        and view.hip_visibility >= GUESSED_KNEE_MIN_HIP_VISIBILITY
        and view.hip_angle_image_deg is not None
        and view.thigh_lean_deg is not None
        # A guessed knee (nearly) on the hip gives no usable leg direction.
        and view.thigh_px >= FORESHORTENED_THIGH_PER_TORSO * view.torso_px
    )


def guessed_leg_straight(sample: PoseSample) -> bool | None:
    """With hips seen but knees not: whether the guessed legs are straight and upright.

    None when no side's guess is usable. Both usable sides are averaged so one leg guessed
    straight under a desk does not make a sitter stand.
    """
    views = [
        v for v in (side_view(sample, Side.LEFT), side_view(sample, Side.RIGHT)) if _usable_guess(v)
    ]
    if not views:
        return None
    angle = statistics.fmean(
        v.hip_angle_image_deg for v in views if v.hip_angle_image_deg is not None
    )
    lean = statistics.fmean(v.thigh_lean_deg for v in views if v.thigh_lean_deg is not None)
    return (
        angle >= GUESSED_STANDING_MIN_HIP_ANGLE_DEG and lean <= GUESSED_STANDING_MAX_THIGH_LEAN_DEG
    )


def observe(
    sample: PoseSample | None,
    *,
    standing_desk: bool = False,
    angle_space: AngleSpace = DEFAULT_ANGLE_SPACE,
    calibration: Calibration | None = None,
) -> Observation:
    """What one sample says: who is there, which side is seen, the hip angle and the raw state.

    With a ``calibration``, hidden hips no longer mean "sitting" (or "unknown" at a standing
    desk): the shoulders' height against the user's recorded baselines decides.
    """
    if angle_space not in ("image", "world"):
        raise ValueError(f"angle_space must be 'image' or 'world', got {angle_space!r}")
    if sample is None or not person_present(sample):
        t_s = 0.0 if sample is None else sample.timestamp_s
        return Observation(timestamp_s=t_s, person_present=False, state=State.AWAY, confidence=1.0)
    view = best_side(sample)
    upper = max(
        sample.image[NOSE].visibility,
        sample.image[LEFT_SHOULDER].visibility,
        sample.image[RIGHT_SHOULDER].visibility,
    )
    if not view.hip_visible:
        calibrated = (
            classify_with_calibration(sample, calibration) if calibration is not None else None
        )
        if calibrated is not None:
            return Observation(
                timestamp_s=sample.timestamp_s,
                person_present=True,
                state=calibrated,
                side=view.side,
                confidence=0.7 * upper,
            )
        # Front laptop camera: only the upper body, close. Without a standing desk the user
        # sits; someone far from the camera with hidden hips may as well stand (a doorway).
        unclear = standing_desk or not close_to_camera(sample)
        return Observation(
            timestamp_s=sample.timestamp_s,
            person_present=True,
            state=State.UNKNOWN if unclear else State.SITTING,
            side=view.side,
            confidence=0.0 if unclear else 0.5 * upper,
        )
    trunk = view.trunk_inclination_deg
    if view.knee_visible:
        angle = _chosen_angle(view, angle_space)
        return Observation(
            timestamp_s=sample.timestamp_s,
            person_present=True,
            state=_classify_seen(view, angle, knees_straight_3d(sample)),
            side=view.side,
            hips_visible=True,
            knees_visible=True,
            hip_angle_deg=angle,
            trunk_inclination_deg=trunk,
            confidence=min(view.hip_visibility, view.knee_visibility),
        )
    straight = guessed_leg_straight(sample)
    if straight is None:
        state = State.UNKNOWN if standing_desk else State.SITTING
        confidence = 0.0 if standing_desk else 0.5 * view.hip_visibility
    else:
        state = State.STANDING if straight else State.SITTING
        confidence = 0.6 * view.hip_visibility
    return Observation(
        timestamp_s=sample.timestamp_s,
        person_present=True,
        state=state,
        side=view.side,
        hips_visible=True,
        knees_visible=False,
        trunk_inclination_deg=trunk,
        confidence=confidence,
    )
