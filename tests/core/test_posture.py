"""Per-sample posture on made-up landmark sets with known angles (pure: no model, no cv2)."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import dataclass

import pytest

from hipcheck.core.posture import best_side, observe, person_present
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
    Side,
    State,
)

SIZE = (1280, 720)


@dataclass(frozen=True)
class Body:
    """A made-up body seen from its left side, built from angles (pixels, y down)."""

    hip_angle_deg: float = 100.0  # shoulder–hip–knee
    trunk_lean_deg: float = 10.0  # torso from vertical, leaning toward +x
    knee_angle_deg: float = 90.0  # hip–knee–ankle
    hip_px: tuple[float, float] = (500.0, 420.0)
    torso_px: float = 220.0
    thigh_px: float = 190.0
    shin_px: float = 180.0
    shoulder_width_px: float = 20.0  # side view: the shoulders overlap
    visibility: float = 0.99
    hip_visibility: float | None = None
    knee_visibility: float | None = None
    ankle_visibility: float | None = None
    far_side_visibility: float = 0.3
    neck_scale: float = 1.0  # the nose's offset from the shoulders, relative to the default

    def points(self) -> dict[int, tuple[float, float]]:
        """Pixel positions of the landmarks that matter."""
        hx, hy = self.hip_px
        up = math.radians(-90 + self.trunk_lean_deg)  # direction hip -> shoulder
        sx, sy = hx + self.torso_px * math.cos(up), hy + self.torso_px * math.sin(up)
        thigh_dir = up + math.radians(self.hip_angle_deg)  # opened from the torso toward +x
        kx, ky = hx + self.thigh_px * math.cos(thigh_dir), hy + self.thigh_px * math.sin(thigh_dir)
        shin_dir = thigh_dir + math.pi - math.radians(self.knee_angle_deg)
        ax, ay = kx + self.shin_px * math.cos(shin_dir), ky + self.shin_px * math.sin(shin_dir)
        w = self.shoulder_width_px / 2
        return {
            NOSE: (sx + 30 * self.neck_scale, sy - 70 * self.neck_scale),
            LEFT_SHOULDER: (sx - w, sy),
            RIGHT_SHOULDER: (sx + w, sy),
            LEFT_HIP: (hx - w, hy),
            RIGHT_HIP: (hx + w, hy),
            LEFT_KNEE: (kx - w, ky),
            RIGHT_KNEE: (kx + w, ky),
            LEFT_ANKLE: (ax - w, ay),
            RIGHT_ANKLE: (ax + w, ay),
        }

    def sample(self, t_s: float = 1.0) -> PoseSample:
        """The body as a PoseSample with the left side seen and the right side occluded."""
        pts = self.points()
        vis = dict.fromkeys(range(NUM_LANDMARKS), 0.1)
        vis.update({NOSE: self.visibility, LEFT_SHOULDER: self.visibility})
        vis[LEFT_HIP] = self.hip_visibility if self.hip_visibility is not None else self.visibility
        vis[LEFT_KNEE] = (
            self.knee_visibility if self.knee_visibility is not None else self.visibility
        )
        vis[LEFT_ANKLE] = (
            self.ankle_visibility if self.ankle_visibility is not None else self.visibility
        )
        for i in (RIGHT_SHOULDER, RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE):
            vis[i] = self.far_side_visibility
        hip = self.hip_px
        image = tuple(
            Landmark(pts.get(i, hip)[0] / SIZE[0], pts.get(i, hip)[1] / SIZE[1], 0.0, vis[i])
            for i in range(NUM_LANDMARKS)
        )
        return PoseSample(t_s, image, None, SIZE)


@pytest.mark.parametrize(
    ("body", "state", "angle"),
    [
        (Body(hip_angle_deg=100), State.SITTING, 100),
        (Body(hip_angle_deg=70, trunk_lean_deg=35), State.SITTING, 70),  # hunched forward
        (Body(hip_angle_deg=130, trunk_lean_deg=-30), State.SITTING, 130),  # reclined
        # Reclined far: the hip opens past the standing angle but the thigh stays horizontal.
        (Body(hip_angle_deg=155, trunk_lean_deg=-65), State.SITTING, 155),
        (Body(hip_angle_deg=175, trunk_lean_deg=3, knee_angle_deg=178), State.STANDING, 175),
        (Body(hip_angle_deg=160, trunk_lean_deg=15, knee_angle_deg=170), State.STANDING, 160),
        # Kneeling on a seat: straight-ish hip, thigh upright, but the knee folded.
        (Body(hip_angle_deg=165, trunk_lean_deg=5, knee_angle_deg=60), State.SITTING, 165),
        # Standing, ankle out of view: no knee check.
        (
            Body(hip_angle_deg=172, trunk_lean_deg=4, knee_angle_deg=178, ankle_visibility=0.1),
            State.STANDING,
            172,
        ),
    ],
)
def test_hips_and_knees_seen_decide_by_angle(body: Body, state: State, angle: float) -> None:
    obs = observe(body.sample())
    assert obs.person_present and obs.hips_visible and obs.knees_visible
    assert obs.side == Side.LEFT
    assert obs.hip_angle_deg == pytest.approx(angle, abs=0.01)
    assert obs.trunk_inclination_deg == pytest.approx(abs(body.trunk_lean_deg), abs=0.01)
    assert obs.state == state
    assert obs.confidence == pytest.approx(body.visibility)
    assert obs.timestamp_s == 1.0


def _moved(body: Body, index: int, x: float, y: float) -> PoseSample:
    """``body`` with one landmark moved to normalised (x, y)."""
    sample = body.sample()
    image = list(sample.image)
    image[index] = Landmark(x, y, 0.0, image[index].visibility)
    return PoseSample(sample.timestamp_s, tuple(image), None, SIZE)


# Someone at the laptop, close to its camera: shoulders a third of the picture's height apart.
CLOSE = 240.0

UPPER_BODY_ONLY = [
    # MediaPipe's guesses for a laptop camera: hips below the frame, called visible.
    ("hip below the frame", _moved(Body(178, shoulder_width_px=CLOSE), LEFT_HIP, 0.4, 1.12)),
    ("hip on the bottom edge", _moved(Body(178, shoulder_width_px=CLOSE), LEFT_HIP, 0.4, 0.985)),
    ("hip low visibility", Body(hip_visibility=0.2, shoulder_width_px=CLOSE).sample()),
    ("hip left of the frame", _moved(Body(shoulder_width_px=CLOSE), LEFT_HIP, -0.2, 0.6)),
    ("hip above the shoulder", _moved(Body(shoulder_width_px=CLOSE), LEFT_HIP, 0.39, 0.05)),
]


@pytest.mark.parametrize(("name", "sample"), UPPER_BODY_ONLY, ids=[n for n, _ in UPPER_BODY_ONLY])
@pytest.mark.parametrize("standing_desk", [False, True])
def test_hips_not_really_seen_mean_sitting_or_unknown_at_a_standing_desk(
    name: str, sample: PoseSample, standing_desk: bool
) -> None:
    obs = observe(sample, standing_desk=standing_desk)
    assert obs.person_present and not obs.hips_visible and not obs.knees_visible
    assert obs.hip_angle_deg is None and obs.trunk_inclination_deg is None
    assert obs.state == (State.UNKNOWN if standing_desk else State.SITTING)


@pytest.mark.parametrize(
    ("shoulder_width_px", "neck_scale", "state"),
    [
        (60.0, 0.4, State.UNKNOWN),  # shoulders and neck small: far away
        (160.0, 0.4, State.SITTING),  # shoulders 22 % of the picture's height
        (20.0, 1.0, State.SITTING),  # side view: shoulders overlap, the neck (76 px) tells
    ],
)
def test_hidden_hips_mean_sitting_only_close_to_the_camera(
    shoulder_width_px: float, neck_scale: float, state: State
) -> None:
    """Far from the camera (a doorway), an upper body with hidden hips may as well be standing."""
    body = Body(hip_visibility=0.2, shoulder_width_px=shoulder_width_px, neck_scale=neck_scale)
    obs = observe(body.sample())
    assert obs.person_present and not obs.hips_visible and obs.state == state


def test_a_close_user_seen_from_the_side_with_hidden_hips_sits() -> None:
    """A side camera beside the desk, the hips hidden by it: the torso fills a third of the
    picture's height, the shoulders overlap (20 px apart)."""
    obs = observe(Body(hip_visibility=0.2).sample())
    assert obs.person_present and not obs.hips_visible and obs.state == State.SITTING


def test_front_view_hips_hidden_by_a_wide_torso_check() -> None:
    # Front view: shoulders 300 px apart but the "hip" only 100 px below them: not a torso.
    body = Body(trunk_lean_deg=0, torso_px=100, shoulder_width_px=300, far_side_visibility=0.99)
    obs = observe(body.sample())
    assert obs.person_present and not obs.hips_visible and obs.state == State.SITTING


@pytest.mark.parametrize(
    ("name", "sample", "knees_visible"),
    [
        ("knee low visibility", Body(knee_visibility=0.2).sample(), False),
        ("knee below the frame", _moved(Body(), LEFT_KNEE, 0.5, 1.1), False),
        ("knee on the hip", _moved(Body(), LEFT_KNEE, 500 / 1280 - 10 / 1280, 420 / 720), False),
        ("knee far away", _moved(Body(), LEFT_KNEE, 0.99, 0.02), False),
        ("knee fine", Body().sample(), True),
    ],
)
def test_knee_plausibility(name: str, sample: PoseSample, knees_visible: bool) -> None:
    obs = observe(sample)
    assert obs.hips_visible and obs.knees_visible == knees_visible
    assert (obs.hip_angle_deg is not None) == knees_visible


@pytest.mark.parametrize(
    ("body", "standing_desk", "state"),
    [
        # Hips clearly in view, knees hidden: MediaPipe's guessed leg, straight and upright.
        (Body(hip_angle_deg=175, trunk_lean_deg=3, knee_visibility=0.2), False, State.STANDING),
        (Body(hip_angle_deg=175, trunk_lean_deg=3, knee_visibility=0.2), True, State.STANDING),
        # Guessed leg bent: sitting behind a desk.
        (Body(hip_angle_deg=110, knee_visibility=0.2), False, State.SITTING),
        (Body(hip_angle_deg=110, knee_visibility=0.2), True, State.SITTING),
        # Guessed straight leg but the hip itself is only fairly visible: not trusted.
        (
            Body(hip_angle_deg=175, trunk_lean_deg=3, knee_visibility=0.2, hip_visibility=0.7),
            False,
            State.SITTING,
        ),
        (
            Body(hip_angle_deg=175, trunk_lean_deg=3, knee_visibility=0.2, hip_visibility=0.7),
            True,
            State.UNKNOWN,
        ),
    ],
)
def test_hips_seen_knees_guessed(body: Body, standing_desk: bool, state: State) -> None:
    obs = observe(body.sample(), standing_desk=standing_desk)
    assert obs.hips_visible and not obs.knees_visible and obs.hip_angle_deg is None
    assert obs.state == state


def test_guessed_knee_needs_room_below_the_hip() -> None:
    # Hip at 95 % of the frame height: the thigh's start is not in view; a straight guess is
    # MediaPipe's default legs, not evidence of standing.
    body = Body(hip_angle_deg=178, trunk_lean_deg=0, knee_visibility=0.1)
    sample = _moved(body, LEFT_HIP, body.hip_px[0] / SIZE[0], 0.95)
    assert observe(sample).state == State.SITTING


@pytest.mark.parametrize(("thigh_px", "knees_visible"), [(30.0, True), (10.0, False)])
def test_thigh_toward_the_camera_is_sitting(thigh_px: float, knees_visible: bool) -> None:
    # Front view: the knee close to the hip (thigh foreshortened), image angle meaningless;
    # at 10 px the knee is on the hip, which is no knee at all.
    body = Body(hip_angle_deg=175, trunk_lean_deg=0, thigh_px=thigh_px, knee_angle_deg=170)
    obs = observe(body.sample())
    assert obs.knees_visible == knees_visible and obs.state == State.SITTING
    assert obs.hip_angle_deg is None  # no world landmarks to fall back on


def _with_world_legs(sample: PoseSample, ankle_offset: tuple[float, float, float]) -> PoseSample:
    """``sample`` with world landmarks: hip angle 145° in 3D, each ankle at ``ankle_offset`` from
    its knee (metres, y down, z toward the camera negative)."""
    w = [Landmark(0.0, 0.0, 0.0, 1.0)] * NUM_LANDMARKS
    knee = (0.0, 0.45 * math.cos(math.radians(35)), -0.45 * math.sin(math.radians(35)))
    ankle = tuple(k + o for k, o in zip(knee, ankle_offset, strict=True))
    for shoulder, knee_i, ankle_i in (
        (LEFT_SHOULDER, LEFT_KNEE, LEFT_ANKLE),
        (RIGHT_SHOULDER, RIGHT_KNEE, RIGHT_ANKLE),
    ):
        w[shoulder] = Landmark(0.0, -0.5, 0.0, 1.0)
        w[knee_i] = Landmark(*knee, 1.0)
        w[ankle_i] = Landmark(*ankle, 1.0)
    return PoseSample(sample.timestamp_s, sample.image, tuple(w), SIZE)


STRAIGHT_SHIN = (0.0, 0.45 * math.cos(math.radians(35)), -0.45 * math.sin(math.radians(35)))


@pytest.mark.parametrize(
    ("ankle_offset", "ankles_seen", "state"),
    [
        # Both knees straight in 3D: someone standing, seen by a camera high above.
        (STRAIGHT_SHIN, True, State.STANDING),
        # Knees bent, shins under the seat: a seated person facing the camera.
        ((0.0, 0.1, 0.44), True, State.SITTING),
        # Legs under a desk: MediaPipe guesses them straight, in 3D too; without both ankles
        # seen that is no evidence of standing.
        (STRAIGHT_SHIN, False, State.SITTING),
    ],
)
def test_a_short_thigh_with_both_knees_straight_in_3d_is_standing(
    ankle_offset: tuple[float, float, float], ankles_seen: bool, state: State
) -> None:
    body = Body(
        hip_angle_deg=175,
        trunk_lean_deg=0,
        thigh_px=50,
        knee_angle_deg=175,
        far_side_visibility=0.9 if ankles_seen else 0.2,
    )
    obs = observe(_with_world_legs(body.sample(), ankle_offset))
    assert obs.knees_visible and obs.state == state


def test_world_angle_space() -> None:
    body = Body(hip_angle_deg=100)
    sample = body.sample()
    world = tuple(Landmark(0.0, 0.0, 0.0, 1.0) for _ in range(NUM_LANDMARKS))
    w = list(world)
    w[LEFT_SHOULDER] = Landmark(0.0, -0.5, 0.0, 1.0)
    w[LEFT_KNEE] = Landmark(0.0, 0.0, -0.4, 1.0)  # thigh toward the camera: 90° in space
    with_world = PoseSample(sample.timestamp_s, sample.image, tuple(w), SIZE)
    assert observe(with_world, angle_space="world").hip_angle_deg == pytest.approx(90.0)
    assert observe(with_world, angle_space="image").hip_angle_deg == pytest.approx(100.0)
    assert observe(sample, angle_space="world").hip_angle_deg is None
    with pytest.raises(ValueError):
        observe(sample, angle_space="pixels")  # type: ignore[arg-type]


def test_nobody_is_away() -> None:
    obs = observe(None)
    assert not obs.person_present and obs.state == State.AWAY and obs.hip_angle_deg is None
    faint = Body(visibility=0.1, far_side_visibility=0.1).sample()
    assert not person_present(faint)
    assert observe(faint).state == State.AWAY


def test_the_better_seen_side_is_chosen() -> None:
    sample = Body(far_side_visibility=0.3).sample()
    assert best_side(sample).side == Side.LEFT
    # Mirror the visibilities: the right side is now the seen one.
    image = list(sample.image)
    for left, right in (
        (LEFT_SHOULDER, RIGHT_SHOULDER),
        (LEFT_HIP, RIGHT_HIP),
        (LEFT_KNEE, RIGHT_KNEE),
        (LEFT_ANKLE, RIGHT_ANKLE),
    ):
        a, b = image[left], image[right]
        image[left] = Landmark(a.x, a.y, a.z, b.visibility)
        image[right] = Landmark(b.x, b.y, b.z, a.visibility)
    mirrored = PoseSample(sample.timestamp_s, tuple(image), None, SIZE)
    assert observe(mirrored).side == Side.RIGHT


def test_core_posture_imports_no_vision_or_qt() -> None:
    code = (
        "import sys, hipcheck.core.posture, hipcheck.core.geometry;"
        "bad=[m for m in ('cv2','mediapipe','PySide6','numpy') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
