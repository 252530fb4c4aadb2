"""The guided calibration dialog, fed made-up samples on a fake clock."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from hipcheck.core.calibration import classify_with_calibration, load_calibration
from hipcheck.core.clock import FakeClock
from hipcheck.core.types import (
    LEFT_SHOULDER,
    NOSE,
    NUM_LANDMARKS,
    RIGHT_SHOULDER,
    Landmark,
    PoseSample,
    State,
)
from hipcheck.ui.calibration import CalibrationDialog, Phase


def front(shoulder_y: float) -> PoseSample:
    lm = [Landmark(0.5, 0.5, 0.0, 0.0)] * NUM_LANDMARKS
    lm[LEFT_SHOULDER] = Landmark(0.62, shoulder_y, 0.0, 0.95)
    lm[RIGHT_SHOULDER] = Landmark(0.38, shoulder_y, 0.0, 0.95)
    lm[NOSE] = Landmark(0.5, shoulder_y - 0.2, 0.0, 0.95)
    return PoseSample(0.0, tuple(lm), None, (640, 480))


def run_phase(
    dlg: CalibrationDialog, clock: FakeClock, seconds: float, sample: PoseSample | None
) -> None:
    """Feed 2 samples per second for ``seconds`` and tick the dialog along."""
    for _ in range(int(seconds * 2)):
        dlg.on_sample(sample)
        clock.advance(0.5)
        dlg.tick()


def test_guided_steps_record_sitting_then_standing(qtbot: QtBot, tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "calibration.json"
    dlg = CalibrationDialog(save_path=path, clock=clock)
    qtbot.addWidget(dlg)
    assert dlg.phase is Phase.INTRO and "Sit as you usually do" in dlg.instructions.text()
    dlg.on_sample(front(0.7))  # before Start: ignored
    dlg.start_button.click()
    assert dlg.phase is Phase.SEATED and dlg.title.text().startswith("Sit as you usually do")
    run_phase(dlg, clock, 5.0, front(0.70))
    assert dlg.phase is Phase.STAND_UP and dlg.title.text().startswith("Now stand up")
    run_phase(dlg, clock, 3.0, front(0.50))  # getting up: not recorded
    assert dlg.phase is Phase.STANDING
    with qtbot.waitSignal(dlg.calibrated, timeout=1000) as sig:
        run_phase(dlg, clock, 5.0, front(0.30))
    assert dlg.phase is Phase.DONE and dlg.title.text() == "Done"
    cal = sig.args[0]
    assert cal.seated.samples == 10 and cal.standing is not None and cal.standing.samples == 10
    assert cal.seated.shoulder_y == 0.70 and cal.standing.shoulder_y == 0.30
    assert load_calibration(path) == cal
    assert cal.created.startswith("2026-01-05T09:00")
    assert classify_with_calibration(front(0.35), cal) is State.STANDING
    assert classify_with_calibration(front(0.68), cal) is State.SITTING


def test_nobody_seen_fails_and_can_be_redone(qtbot: QtBot, tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "calibration.json"
    dlg = CalibrationDialog(save_path=path, clock=clock, seated_s=2, stand_up_s=1, standing_s=2)
    qtbot.addWidget(dlg)
    dlg.start()
    run_phase(dlg, clock, 2, None)
    assert "I cannot see your shoulders" in dlg.seen_label.text()
    run_phase(dlg, clock, 1, None)
    run_phase(dlg, clock, 2, None)
    # Plain words, a capital letter, no sample counts; the focus on "Try again", not Cancel.
    assert dlg.phase is Phase.FAILED
    assert dlg.instructions.text().startswith("I could not see your shoulders while you sat.")
    assert "samples" not in dlg.instructions.text()
    assert not path.exists() and dlg.start_button.text() == "Try again"
    assert dlg.focusWidget() is dlg.start_button or not dlg.isVisible()
    dlg.start_button.click()
    run_phase(dlg, clock, 2, front(0.7))
    run_phase(dlg, clock, 1, None)
    run_phase(dlg, clock, 2, None)  # standing left the picture: still a usable calibration
    assert (
        dlg.phase is Phase.DONE and dlg.calibration is not None and dlg.calibration.standing is None
    )
    assert "left the picture" in dlg.instructions.text()
    assert load_calibration(path) == dlg.calibration
    assert dlg.close_button.text() == "Close" and dlg.close_button.isDefault()


def test_counts_down_with_cues_and_says_when_it_sees_the_user_standing(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A cue at each step and in each of its last 3 seconds; "I can see you standing"."""
    clock = FakeClock()
    cues: list[int] = []
    dlg = CalibrationDialog(
        clock=clock, seated_s=5, stand_up_s=3, standing_s=5, cue=lambda: cues.append(1)
    )
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.start()
    assert len(cues) == 1 and dlg.countdown.text() == "5"
    run_phase(dlg, clock, 5.0, front(0.70))
    # The seated step: its start, then 3, 2, 1; then the stand-up step starts.
    assert len(cues) == 5 and dlg.phase is Phase.STAND_UP
    dlg.on_sample(front(0.69))
    assert dlg.seen_label.text() == "○ I can still see you sitting: please stand up"
    dlg.on_sample(front(0.40))
    assert dlg.seen_label.text() == "● I can see you standing"
    dlg.on_sample(None)
    assert "out of the picture" in dlg.seen_label.text()
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(0x404040)
    dlg.set_frame(image)  # the monitor's picture, drawn with the skeleton
    assert dlg.picture.isVisible()
