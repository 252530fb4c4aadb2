"""The guided calibration step: "sit as you usually do … now stand up … done".

The dialog does not touch the camera: the app connects its camera worker's sample signal to
``on_sample`` while the dialog is open. Phases are timed on the injected clock; a QTimer only
drives ``tick`` so the countdown moves.
"""

from __future__ import annotations

import enum
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hipcheck.core.calibration import (
    Calibration,
    CalibrationError,
    calibrate,
    save_calibration,
    upper_body,
)
from hipcheck.core.clock import Clock, SystemClock
from hipcheck.core.types import PoseSample

TICK_MS = 100


class Phase(str, enum.Enum):
    """Where the guided step is."""

    INTRO = "intro"
    SEATED = "seated"
    STAND_UP = "stand_up"
    STANDING = "standing"
    DONE = "done"
    FAILED = "failed"


class CalibrationDialog(QDialog):
    """Records seated then standing samples, computes a Calibration and saves it."""

    calibrated = Signal(object)  # Calibration

    def __init__(
        self,
        *,
        save_path: str | Path | None = None,
        clock: Clock | None = None,
        seated_s: float = 5.0,
        stand_up_s: float = 3.0,
        standing_s: float = 5.0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("HipCheck calibration")
        self._save_path = Path(save_path) if save_path is not None else None
        self._clock = clock or SystemClock()
        self._durations = {
            Phase.SEATED: seated_s,
            Phase.STAND_UP: stand_up_s,
            Phase.STANDING: standing_s,
        }
        self.phase = Phase.INTRO
        self.calibration: Calibration | None = None
        self.error = ""
        self._phase_started_s = 0.0
        self._seated: list[PoseSample | None] = []
        self._standing: list[PoseSample | None] = []
        self._last_seen = False

        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.instructions = QLabel(self)
        self.instructions.setWordWrap(True)
        self.instructions.setMinimumWidth(380)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.seen_label = QLabel(self)
        self.start_button = QPushButton("Start", self)
        self.start_button.setDefault(True)
        self.close_button = QPushButton("Cancel", self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.instructions)
        layout.addWidget(self.progress)
        layout.addWidget(self.seen_label, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.start_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self._close_clicked)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._render()

    # -- inputs --

    def on_sample(self, sample: PoseSample | None) -> None:
        """Take one pose sample (None: no person) from the camera worker."""
        self._last_seen = upper_body(sample) is not None
        if self.phase is Phase.SEATED:
            self._seated.append(sample)
        elif self.phase is Phase.STANDING:
            self._standing.append(sample)
        self._render()

    def start(self) -> None:
        """Begin (or redo) the recording from the seated phase."""
        self._seated.clear()
        self._standing.clear()
        self.calibration = None
        self.error = ""
        self._enter(Phase.SEATED)
        self._timer.start()
        self._render()

    def tick(self) -> None:
        """Advance the phases by the clock; called by the timer (or by tests)."""
        if self.phase in self._durations and self._elapsed_s() >= self._durations[self.phase]:
            following = {
                Phase.SEATED: Phase.STAND_UP,
                Phase.STAND_UP: Phase.STANDING,
                Phase.STANDING: Phase.DONE,
            }[self.phase]
            if following is Phase.DONE:
                self._finish()
            else:
                self._enter(following)
        self._render()

    # -- internals --

    def _elapsed_s(self) -> float:
        return self._clock.monotonic() - self._phase_started_s

    def _enter(self, phase: Phase) -> None:
        self.phase = phase
        self._phase_started_s = self._clock.monotonic()

    def _finish(self) -> None:
        self._timer.stop()
        created = self._clock.wall().isoformat(timespec="seconds")
        try:
            self.calibration = calibrate(self._seated, self._standing, created=created)
            if self._save_path is not None:
                save_calibration(self._save_path, self.calibration)
        except (CalibrationError, OSError) as exc:
            self.calibration = None
            self.error = str(exc)
            self.phase = Phase.FAILED
            return
        self.phase = Phase.DONE
        self.calibrated.emit(self.calibration)

    def _render(self) -> None:
        phase = self.phase
        remaining = max(0.0, self._durations.get(phase, 0.0) - self._elapsed_s())
        seconds = f"{remaining:.0f} s" if remaining >= 0.5 else "…"
        texts = {
            Phase.INTRO: (
                "Calibrate",
                f"HipCheck will watch you sit for {self._durations[Phase.SEATED]:.0f} seconds and "
                f"then stand for {self._durations[Phase.STANDING]:.0f} seconds, so it can tell "
                "the two apart when your hips are out of the picture. Sit as you usually do, "
                "facing the camera, and press Start.",
            ),
            Phase.SEATED: (f"Sit as you usually do… {seconds}", "Keep still, facing the camera."),
            Phase.STAND_UP: (f"Now stand up… {seconds}", "Stand up in front of your desk."),
            Phase.STANDING: (f"Stay standing… {seconds}", "Keep still; nearly done."),
            Phase.DONE: ("Done", self._done_text()),
            Phase.FAILED: ("That did not work", self.error + "."),
        }
        title, text = texts[phase]
        self.title.setText(title)
        self.instructions.setText(text)
        duration = self._durations.get(phase)
        self.progress.setVisible(duration is not None)
        if duration:
            self.progress.setValue(int(1000 * min(1.0, self._elapsed_s() / duration)))
        recording = phase in (Phase.SEATED, Phase.STANDING)
        self.seen_label.setVisible(recording)
        self.seen_label.setText(
            "● I can see your shoulders" if self._last_seen else "○ I cannot see your shoulders"
        )
        self.seen_label.setStyleSheet("color: #1b7f3b;" if self._last_seen else "color: #b00020;")
        self.start_button.setVisible(phase in (Phase.INTRO, Phase.FAILED))
        self.start_button.setText("Try again" if phase is Phase.FAILED else "Start")
        self.close_button.setText("Close" if phase is Phase.DONE else "Cancel")

    def _close_clicked(self) -> None:
        if self.phase is Phase.DONE:
            self.accept()
        else:
            self.reject()

    def _done_text(self) -> str:
        if self.calibration is None:
            return ""
        if self.calibration.standing is None:
            return (
                "Sitting recorded. When you stood up you left the picture, so HipCheck will count "
                "your shoulders rising well above their seated height as standing."
            )
        return "Sitting and standing recorded. You can redo this any time from Settings."

    def done(self, result: int) -> None:
        """Stop the timer when the dialog closes."""
        self._timer.stop()
        super().done(result)
