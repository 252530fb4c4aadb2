"""Calibration from made-up upper bodies: baselines, errors, classification, seat region, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hipcheck.core.calibration import (
    CalibrationError,
    SavedCalibration,
    calibrate,
    calibration_path,
    classify_with_calibration,
    in_seat_region,
    load_calibration,
    save_calibration,
    upper_body,
)
from hipcheck.core.types import (
    LEFT_SHOULDER,
    NOSE,
    NUM_LANDMARKS,
    RIGHT_SHOULDER,
    Landmark,
    PoseSample,
    State,
)

SIZE = (640, 480)  # aspect 4:3


def body(
    shoulder_y: float, width_px: float = 160.0, centre_x: float = 0.5, vis: float = 0.9
) -> PoseSample:
    """A front-view sample: shoulders ``width_px`` apart at ``shoulder_y``, nose above them."""
    half = width_px / SIZE[0] / 2
    lm = [Landmark(0.5, 0.5, 0.0, 0.0)] * NUM_LANDMARKS
    lm[LEFT_SHOULDER] = Landmark(centre_x + half, shoulder_y, 0.0, vis)
    lm[RIGHT_SHOULDER] = Landmark(centre_x - half, shoulder_y, 0.0, vis)
    lm[NOSE] = Landmark(centre_x, shoulder_y - 0.2, 0.0, vis)
    return PoseSample(0.0, tuple(lm), None, SIZE)


SEATED = [body(0.70 + d) for d in (-0.01, 0.0, 0.01, 0.0, 0.02)]
STANDING = [body(0.30 + d) for d in (-0.01, 0.0, 0.01)]


def test_upper_body_measures_in_frame_heights() -> None:
    ub = upper_body(body(0.6, width_px=240))
    assert ub is not None
    assert ub.shoulder_y == pytest.approx(0.6)
    assert ub.shoulder_width == pytest.approx(240 / 480)
    assert ub.shoulder_x == pytest.approx(0.5 * 640 / 480)
    assert ub.nose_y == pytest.approx(0.4) and ub.hip_y is None
    assert upper_body(body(0.6, vis=0.2)) is None and upper_body(None) is None


def test_calibrate_takes_medians_and_ignores_misses() -> None:
    cal = calibrate([*SEATED, None, body(0.1, vis=0.1)], STANDING, created="2026-11-29T03:00Z")
    assert cal.seated.shoulder_y == pytest.approx(0.70) and cal.seated.samples == 5
    assert cal.standing is not None and cal.standing.shoulder_y == pytest.approx(0.30)
    assert cal.threshold_y() == pytest.approx(0.50)
    assert cal.frame_aspect == pytest.approx(4 / 3)
    assert cal.seat_region.contains(cal.seated.shoulder_x, cal.seated.shoulder_y)


@pytest.mark.parametrize(
    ("shoulder_y", "width_px", "expected"),
    [
        (0.72, 160, State.SITTING),
        (0.55, 160, State.SITTING),  # leaning back/up a little is still sitting
        (0.45, 160, State.STANDING),
        (0.25, 150, State.STANDING),
        (0.70, 40, None),  # far smaller: someone in the background, or far away
        (0.70, 400, None),  # far wider: leaning into the camera
    ],
)
def test_classify_with_both_baselines(
    shoulder_y: float, width_px: float, expected: State | None
) -> None:
    cal = calibrate(SEATED, STANDING)
    assert classify_with_calibration(body(shoulder_y, width_px), cal) is expected


def test_classify_when_standing_leaves_the_frame() -> None:
    # Laptop camera: on standing up the shoulders leave the frame, so no standing baseline.
    cal = calibrate(SEATED, [None, None, body(0.02, vis=0.1)])
    assert cal.standing is None
    # Threshold: seated 0.70 minus 0.6 shoulder widths (160 px / 480 px = 1/3) = 0.50.
    assert cal.threshold_y() == pytest.approx(0.50)
    assert classify_with_calibration(body(0.66), cal) is State.SITTING
    assert classify_with_calibration(body(0.40), cal) is State.STANDING
    assert classify_with_calibration(None, cal) is None


def test_calibrate_refuses_bad_recordings() -> None:
    with pytest.raises(CalibrationError, match="shoulders in 2 of 4 seated samples"):
        calibrate([SEATED[0], SEATED[1], None, None], STANDING)
    with pytest.raises(CalibrationError, match="standing looked the same as sitting"):
        calibrate(SEATED, [body(0.68), body(0.69), body(0.70)])


def test_seat_region_follows_the_user_not_a_passer_by() -> None:
    cal = calibrate(SEATED, STANDING)
    assert in_seat_region(body(0.7, centre_x=0.52), cal)
    assert not in_seat_region(body(0.7, centre_x=0.05, width_px=60), cal)
    assert not in_seat_region(None, cal)


def test_json_round_trip_beside_settings(tmp_path: Path) -> None:
    path = calibration_path(tmp_path / "settings.toml")
    assert path == tmp_path / "calibration.json"
    assert load_calibration(path) is None
    for cal in (calibrate(SEATED, STANDING, "t"), calibrate(SEATED, [])):
        save_calibration(path, cal)
        assert load_calibration(path) == cal
    assert json.loads(path.read_text())["version"] == 1


def test_saved_calibration_follows_the_file(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    saved = SavedCalibration(path)
    assert saved.current() is None and saved.problem is None
    first = calibrate(SEATED, STANDING, "first")
    save_calibration(path, first)
    assert saved.current() == first
    second = calibrate(SEATED, [], "second, a longer stamp")
    save_calibration(path, second)  # another size: seen even within one mtime tick
    assert saved.current() == second
    path.write_text("{not json")
    assert saved.current() is None and saved.problem is not None and "calibrat" in saved.problem
    path.unlink()  # "delete all data"
    assert saved.current() is None and saved.problem is None


@pytest.mark.parametrize(
    ("where", "value"),
    [("seated.shoulder_width", 0), ("seated.shoulder_y", "0.5"), ("seated.shoulder_x", None),
     ("seated.samples", 0), ("frame_aspect", -1.0), ("frame_aspect", True),
     ("seat_region.x0", 9.0), ("standing.nose_y", "high")],
)  # fmt: skip
def test_impossible_values_in_a_valid_file_are_a_clear_error(
    tmp_path: Path, where: str, value: object
) -> None:
    """A hand-edited value that would crash the monitor later is refused when the file is read."""
    path = tmp_path / "calibration.json"
    save_calibration(path, calibrate(SEATED, STANDING))
    data = json.loads(path.read_text())
    *parents, key = where.split(".")
    node = data
    for part in parents:
        node = node[part]
    node[key] = value
    path.write_text(json.dumps(data))
    with pytest.raises(CalibrationError, match="calibrate again"):
        load_calibration(path)
    saved = SavedCalibration(path)
    assert saved.current() is None and saved.problem is not None


@pytest.mark.parametrize(
    "text", ["{not json", '{"version": 9}', '{"version": 1, "seated": {}}', "[]"]
)
def test_broken_calibration_file_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "calibration.json"
    path.write_text(text)
    with pytest.raises(CalibrationError, match="calibrat"):
        load_calibration(path)


def test_settings_and_calibration_stay_free_of_qt_and_vision() -> None:
    import subprocess
    import sys

    code = (
        "import sys, hipcheck.core.settings, hipcheck.core.calibration; "
        "print(sorted(m for m in ('PySide6', 'cv2', 'mediapipe', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_observe_uses_calibration_only_when_hips_are_hidden() -> None:
    from hipcheck.core.posture import observe

    cal = calibrate(SEATED, STANDING)
    risen = body(0.30)  # hips hidden (visibility 0 in body())
    assert observe(risen).state is State.SITTING  # without calibration: hidden hips sit
    assert observe(risen, standing_desk=True).state is State.UNKNOWN
    seen = observe(risen, calibration=cal)
    assert seen.state is State.STANDING and seen.person_present and not seen.hips_visible
    assert observe(body(0.70), standing_desk=True, calibration=cal).state is State.SITTING
    # Unsure (a much smaller person): falls back to the uncalibrated rule.
    assert observe(body(0.30, width_px=40), calibration=cal).state is State.SITTING
    assert observe(None, calibration=cal).state is State.AWAY
