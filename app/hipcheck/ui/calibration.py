"""The guided calibration step: "sit as you usually do … now stand up … done".

The dialog does not touch the camera: the app connects its camera worker's sample signal to
``on_sample`` while the dialog is open, and (through ``frames_wanted``) sends the monitor's own
pictures to ``set_frame``, drawn with the skeleton on top. Phases are timed on the injected clock;
a QTimer only drives ``tick`` so the big countdown moves. The last seconds of each step and each
new step sound a cue (the desktop's sound theme when ``canberra-gtk-play`` is there, else the
system beep), so the user standing away from the screen knows when to move. While standing, the
dialog says whether it sees the user standing.
"""

from __future__ import annotations

import enum
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QImage, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hipcheck.core.calibration import (
    MIN_RISE,
    Calibration,
    CalibrationError,
    calibrate,
    save_calibration,
    upper_body,
)
from hipcheck.core.clock import Clock, SystemClock
from hipcheck.core.colours import Roles
from hipcheck.core.glossary import duration
from hipcheck.core.types import PoseSample
from hipcheck.offline import child_environment
from hipcheck.ui.live_view import FrameView
from hipcheck.ui.palette import ThemedMixin

TICK_MS = 100
CUE_LAST_S = 3  # a cue in each of a step's last seconds


def system_cue() -> None:
    """A short sound: the desktop theme's bell through canberra when present, else Qt's beep."""
    player = shutil.which("canberra-gtk-play")
    if player is not None:
        try:
            subprocess.Popen(
                [player, "--id", "bell", "--description", "HipCheck calibration"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=child_environment(),
            )
            return
        except OSError:
            pass
    QApplication.beep()


def plain_failure(exc: Exception) -> str:
    """Why calibrating failed, in plain words for people (the core's text is for the log)."""
    text = str(exc)
    if isinstance(exc, OSError):
        return f"The calibration could not be saved ({exc.strerror or text}). Please try again."
    if text.startswith("saw your shoulders"):
        return (
            "I could not see your shoulders while you sat. Sit facing the camera with your "
            "head and shoulders in the picture, and try again."
        )
    if text.startswith("standing looked the same"):
        return (
            "Standing looked the same as sitting to the camera. Does the camera move with your "
            "desk? HipCheck will go by your hips instead."
        )
    return text[:1].upper() + text[1:].rstrip(".") + "."


class Phase(str, enum.Enum):
    """Where the guided step is."""

    INTRO = "intro"
    SEATED = "seated"
    STAND_UP = "stand_up"
    STANDING = "standing"
    DONE = "done"
    FAILED = "failed"


class CalibrationDialog(ThemedMixin, QDialog):
    """Records seated then standing samples, computes a Calibration and saves it."""

    calibrated = Signal(object)  # Calibration
    frames_wanted = Signal(bool)  # show me the monitor's camera pictures

    def __init__(
        self,
        *,
        save_path: str | Path | None = None,
        clock: Clock | None = None,
        seated_s: float = 5.0,
        stand_up_s: float = 3.0,
        standing_s: float = 5.0,
        cue: Callable[[], None] = system_cue,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("HipCheck — Calibration")
        self._cue = cue
        self._cued: tuple[Phase, int] | None = None
        self.cues = 0
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
        self._last_sample: PoseSample | None = None

        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.instructions = QLabel(self)
        self.instructions.setWordWrap(True)
        self.instructions.setMinimumWidth(380)
        self.picture = FrameView(self)
        self.picture.setMinimumSize(320, 200)
        self.countdown = QLabel(self)
        count_font = QFont(self.countdown.font())
        count_font.setPointSizeF(count_font.pointSizeF() * 3.2)
        count_font.setBold(True)
        self.countdown.setFont(count_font)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown.setMinimumWidth(90)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.seen_label = QLabel(self)
        seen_font = QFont(self.seen_label.font())
        seen_font.setBold(True)
        self.seen_label.setFont(seen_font)
        self.start_button = QPushButton("Start", self)
        self.start_button.setDefault(True)
        self.close_button = QPushButton("Cancel", self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.close_button)
        picture_row = QHBoxLayout()
        picture_row.addWidget(self.picture, 1)
        picture_row.addWidget(self.countdown)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.instructions)
        layout.addLayout(picture_row, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.seen_label, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(buttons)

        self.start_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self._close_clicked)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self.refresh_roles()
        self._render()
        self.resize(560, 520)

    def apply_roles(self, roles: Roles) -> None:
        """Colours from the palette's roles."""
        self._roles = roles
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        """A new desktop palette recolours the dialog."""
        self.themed_change(event)
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        """Ask for the camera pictures while shown."""
        super().showEvent(event)
        self.frames_wanted.emit(True)

    # -- inputs --

    def set_frame(self, image: QImage) -> None:
        """A picture from the monitor's camera."""
        self.picture.set_frame(image)

    def on_sample(self, sample: PoseSample | None) -> None:
        """Take one pose sample (None: no person) from the camera worker."""
        self._last_seen = upper_body(sample) is not None
        self._last_sample = sample
        self.picture.set_pose(sample, None)
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
        self._sound(phase, -1)  # a new step: a cue

    def _sound(self, phase: Phase, second: int) -> None:
        """One cue per step start and per second of a step's last seconds."""
        if self._cued != (phase, second):
            self._cued = (phase, second)
            self.cues += 1
            self._cue()

    def _finish(self) -> None:
        self._timer.stop()
        created = self._clock.wall().isoformat(timespec="seconds")
        try:
            self.calibration = calibrate(self._seated, self._standing, created=created)
            if self._save_path is not None:
                save_calibration(self._save_path, self.calibration)
        except (CalibrationError, OSError) as exc:
            self.calibration = None
            self.error = plain_failure(exc)
            self.phase = Phase.FAILED
            self._sound(Phase.FAILED, -1)
            self._render()
            self.start_button.setFocus()  # "Try again"
            return
        self.phase = Phase.DONE
        self._sound(Phase.DONE, -1)
        self._render()
        self.close_button.setDefault(True)
        self.close_button.setFocus()  # "Close", never a stale Cancel
        self.calibrated.emit(self.calibration)

    def _seen_text(self) -> tuple[str, bool]:
        """What the camera sees now, in words, and whether that is what the step wants."""
        seated = [b for b in map(upper_body, self._seated) if b is not None]
        if self.phase in (Phase.STAND_UP, Phase.STANDING) and seated:
            now = upper_body(self._last_sample)
            if now is None:
                return "○ You are out of the picture: that is fine, stay standing", True
            seated_y = sorted(b.shoulder_y for b in seated)[len(seated) // 2]
            if seated_y - now.shoulder_y >= MIN_RISE:
                return "● I can see you standing", True
            return "○ I can still see you sitting: please stand up", False
        if self._last_seen:
            return "● I can see your shoulders", True
        return "○ I cannot see your shoulders: face the camera", False

    def _render(self) -> None:
        if not hasattr(self, "close_button"):
            return  # still building
        phase = self.phase
        remaining = max(0.0, self._durations.get(phase, 0.0) - self._elapsed_s())
        seconds = duration(remaining) if remaining >= 0.5 else "…"
        whole = int(remaining + 0.999)
        # The step's start already sounded: no second cue in its first second.
        if phase in self._durations and 0 < whole <= CUE_LAST_S and whole < self._durations[phase]:
            self._sound(phase, whole)
        texts = {
            Phase.INTRO: (
                "Calibrate",
                f"HipCheck will watch you sit for {duration(self._durations[Phase.SEATED])} and "
                f"then stand for {duration(self._durations[Phase.STANDING])}, so it can tell "
                "the two apart when your hips are out of the picture. Sit as you usually do, "
                "facing the camera, and press Start. A sound tells you when to stand up.",
            ),
            Phase.SEATED: (f"Sit as you usually do… {seconds}", "Keep still, facing the camera."),
            Phase.STAND_UP: (f"Now stand up… {seconds}", "Stand up in front of your desk."),
            Phase.STANDING: (f"Stay standing… {seconds}", "Keep still; nearly done."),
            Phase.DONE: ("Done", self._done_text()),
            Phase.FAILED: ("That did not work", self.error),
        }
        title, text = texts[phase]
        self.title.setText(title)
        self.instructions.setText(text)
        step_s = self._durations.get(phase)
        self.progress.setVisible(step_s is not None)
        if step_s:
            self.progress.setValue(int(1000 * min(1.0, self._elapsed_s() / step_s)))
        self.countdown.setText(str(whole) if step_s and whole > 0 else "")
        recording = phase in (Phase.SEATED, Phase.STAND_UP, Phase.STANDING)
        self.seen_label.setVisible(recording)
        seen_text, good = self._seen_text()
        self.seen_label.setText(seen_text)
        roles = self._roles or self.roles()
        self.seen_label.setStyleSheet(f"color: {roles.success if good else roles.error};")
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
        """Stop the timer and the pictures when the dialog closes."""
        self._timer.stop()
        self.frames_wanted.emit(False)
        self.picture.clear()
        super().done(result)
