"""The live view on real frames through the real model: picture, skeleton, angle, advice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from hipcheck.core.settings import Settings
from hipcheck.core.types import State
from hipcheck.ui.live_view import (
    ADVICE_DARK,
    ADVICE_HIPS,
    ADVICE_NOBODY,
    FRONT_NOTE,
    LEGEND,
    LiveView,
    framing_advice,
    live_text,
    mean_luminance,
)
from hipcheck.ui.worker import frame_to_qimage
from hipcheck.vision.engine import Engine, SampleRecord
from hipcheck.vision.source import Frame

pytestmark = pytest.mark.footage
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def engine() -> Iterator[Engine]:
    """An engine with the production people search (fresh per test: it learns who the user is)."""
    eng = Engine(Settings(adaptive_sampling=False))
    yield eng
    eng.close()


def run(engine: Engine, image: np.ndarray, samples: int = 4) -> SampleRecord:
    """The engine's record after a few samples of the same still (so the state settles)."""
    record = None
    for i in range(samples):
        record = engine.process(Frame(image, i * 0.5))
    assert record is not None
    return record


def green_pixels(image: QImage) -> int:
    """Pixels of the skeleton's green (80, 220, 120)."""
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if abs(c.red() - 80) < 30 and abs(c.green() - 220) < 30 and abs(c.blue() - 120) < 30:
                count += 1
    return count


def test_side_view_shows_picture_skeleton_and_hip_angle(
    qtbot: QtBot, posture_data: Path, engine: Engine
) -> None:
    image = cv2.imread(str(posture_data / "images/side_sit_upright_01.jpg"))
    record = run(engine, image)
    assert record.state is State.SITTING and record.observation.hip_angle_deg is not None
    view = LiveView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.set_frame(frame_to_qimage(image))
    view.set_record(record)
    text = view.text()
    assert text.state == "Sitting"
    assert f"Hip angle {record.observation.hip_angle_deg:.0f}°" in text.angle
    assert "(180° = straight)" in text.angle and "flexion" not in text.angle  # the glossary
    assert text.bout.startswith("This sitting stretch: ")
    assert ADVICE_HIPS not in text.advice and ADVICE_NOBODY not in text.advice
    shot = view.grab().toImage()
    ARTIFACTS.mkdir(exist_ok=True)
    shot.save(str(ARTIFACTS / "live_view_side.png"))
    assert green_pixels(view.frame_view.grab().toImage()) > 50  # the skeleton is drawn
    # Without the pose, no green: the skeleton really comes from the record.
    view.frame_view.set_pose(None, None)
    assert green_pixels(view.frame_view.grab().toImage()) == 0


def test_front_camera_frame_asks_for_a_side_view(
    qtbot: QtBot, posture_data: Path, engine: Engine
) -> None:
    cap = cv2.VideoCapture(str(posture_data / "videos/front_sit_upper_body_01.mp4"))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 100)  # 4 s in: the first frames show nobody yet
    ok, image = cap.read()
    cap.release()
    assert ok
    record = run(engine, image)
    advice = framing_advice(
        record.sample, record.observation, mean_luminance(frame_to_qimage(image))
    )
    assert record.state is State.SITTING and record.observation.person_present
    assert ADVICE_HIPS in advice and ADVICE_NOBODY not in advice
    assert "side" in ADVICE_HIPS
    # With the camera in front (a laptop), hidden hips are expected: one line says what is
    # measured, and there is no advice to move the camera.
    front = live_text(record, 100.0, front=True)
    assert front.angle == FRONT_NOTE and ADVICE_HIPS not in front.advice
    # The engine's note on an unusable calibration reaches the panel too.
    noted = replace(record, calibration_note="it was made elsewhere; calibrate again")
    assert live_text(noted, 100.0).advice[-1] == (
        "Calibration not used: it was made elsewhere; calibrate again."
    )
    assert not any("Calibration" in a for a in live_text(record, 100.0).advice)


def test_dark_and_empty_frames_get_their_advice(
    qapp: Any, posture_data: Path, engine: Engine
) -> None:
    room = cv2.imread(str(posture_data / "images/empty_home_office_desk_01.png"))
    record = run(engine, room)
    luma = mean_luminance(frame_to_qimage(room))
    assert luma > 45
    assert framing_advice(record.sample, record.observation, luma) == [ADVICE_NOBODY]
    dark = (room * 0.1).astype(np.uint8)
    dark_luma = mean_luminance(frame_to_qimage(dark))
    assert dark_luma < 30
    assert framing_advice(None, None, dark_luma)[0] == ADVICE_DARK


def test_closing_keeps_nothing_and_stops_asking_for_frames(qtbot: QtBot) -> None:
    view = LiveView()
    qtbot.addWidget(view)
    wanted: list[bool] = []
    view.visibility_changed.connect(wanted.append)
    view.show()
    qtbot.waitExposed(view)
    view.set_frame(QImage(64, 48, QImage.Format.Format_RGB888))
    view.close()
    assert wanted == [True, False]
    assert view.frame_view._image.isNull()
    view.set_frame(QImage(64, 48, QImage.Format.Format_RGB888))  # ignored while closed
    assert view.frame_view._image.isNull()


def test_no_camera_is_said_in_the_live_view_with_a_camera_choice(qtbot: QtBot) -> None:
    view = LiveView(front=True)
    qtbot.addWidget(view)
    view.show()
    assert view.legend_label.text() == LEGEND and "dashed" in LEGEND
    assert view.text().state == "Starting the camera…" and view.choose_camera.isHidden()
    view.set_camera_problem("Camera 0 (/dev/video0) is in use by another app (a video call?).")
    assert view.text().state == "No camera: reminding by the clock"
    assert "in use by another app" in view.advice_label.text()
    assert not view.choose_camera.isHidden()
    with qtbot.waitSignal(view.choose_camera_requested, timeout=1000):
        view.choose_camera.click()
    view.set_camera_problem("")
    assert view.choose_camera.isHidden()
