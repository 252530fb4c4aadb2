"""The break window: the exercise, its illustration and steps, a countdown, Done and Skip.

Exactly one of ``on_done(reason)`` / ``on_skip(reason)`` is called per window:
``on_done("done")`` for the Done button, ``on_done("stood_up")`` when the app reports that the
camera saw the user get up (the break counts even if Done is never pressed; the window stays
open so the user can finish), ``on_skip("skip")`` for Skip and ``on_skip("closed")`` when the
window is closed before either.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hipcheck.core.clock import Clock, SystemClock
from hipcheck.core.exercise import ExerciseChoice, Variant
from hipcheck.paths import assets_dir

log = logging.getLogger(__name__)

DONE = "done"
STOOD_UP = "stood_up"
SKIP = "skip"
CLOSED = "closed"
TICK_MS = 250
ILLUSTRATION_WIDTH_PX = 380


def exercise_asset(svg_name: str) -> Path:
    """Where an exercise illustration lives (see ``paths.assets_dir``)."""
    return assets_dir() / "exercises" / svg_name


def format_countdown(seconds: float) -> str:
    """``m:ss`` for a countdown, never negative."""
    whole = max(0, math.ceil(seconds))  # round up: 0:01 shows until the last second is over
    return f"{whole // 60}:{whole % 60:02d}"


class BreakWindow(QWidget):
    """One exercise break: name, illustration, steps, dose, countdown, Done and Skip."""

    def __init__(
        self,
        choice: ExerciseChoice,
        *,
        on_done: Callable[[str], None],
        on_skip: Callable[[str], None],
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.choice = choice
        self.spec = choice.spec
        self._on_done = on_done
        self._on_skip = on_skip
        self._clock: Clock = clock or SystemClock()
        self._started_s = self._clock.monotonic()
        self.outcome: str | None = None
        self.setWindowTitle(f"HipCheck — break: {self.spec.name}")
        self.setObjectName("breakWindow")
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()

    # ---- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        spec = self.spec
        root = QVBoxLayout(self)
        root.setContentsMargins(24, 20, 24, 20)
        root.setSpacing(12)

        self.name_label = QLabel(spec.name)
        font = QFont(self.name_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.name_label.setFont(font)
        self.dose_label = QLabel(spec.dose)
        dose_font = QFont(self.dose_label.font())
        dose_font.setPointSizeF(dose_font.pointSizeF() * 1.25)
        dose_font.setBold(True)
        self.dose_label.setFont(dose_font)
        self.dose_label.setStyleSheet("color: #1f9a8c;")
        root.addWidget(self.name_label)
        # The dose sits under the name so long names (standing glute squeeze) never get cut.
        subline = QHBoxLayout()
        subline.addWidget(self.dose_label)
        if spec.variant is Variant.OFFICE:
            tag = QLabel("· office-friendly, no floor needed")
            tag.setStyleSheet("color: #5f6b73;")
            subline.addWidget(tag)
        subline.addStretch(1)
        root.addLayout(subline)

        self.reason_label = QLabel(self.choice.reason)
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet("color: #44525c; font-style: italic;")
        root.addWidget(self.reason_label)

        path = exercise_asset(spec.svg)
        self.illustration = QSvgWidget(str(path))
        renderer = self.illustration.renderer()
        if renderer.isValid():
            # Keep the drawing's aspect: floor exercises are wide and low, standing ones taller.
            box = renderer.viewBoxF()
            height = round(ILLUSTRATION_WIDTH_PX * box.height() / max(1.0, box.width()))
        else:
            log.warning("exercise illustration missing or broken: %s", path)
            height = ILLUSTRATION_WIDTH_PX // 2
        self.illustration.setFixedSize(ILLUSTRATION_WIDTH_PX, height)
        card = QFrame()
        card.setObjectName("illustrationCard")
        card.setStyleSheet("#illustrationCard { background: white; border-radius: 10px; }")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(16, 16, 16, 16)
        card_layout.addWidget(self.illustration, 0, Qt.AlignmentFlag.AlignHCenter)
        root.addWidget(card)

        items = "".join(f"<li>{html.escape(step)}</li>" for step in spec.steps)
        self.steps_label = QLabel(f"<ol style='margin-left:0'>{items}</ol>")
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        self.steps_label.setWordWrap(True)
        root.addWidget(self.steps_label)

        self.countdown_label = QLabel()
        count_font = QFont(self.countdown_label.font())
        count_font.setPointSizeF(count_font.pointSizeF() * 2.2)
        count_font.setBold(True)
        self.countdown_label.setFont(count_font)
        self.countdown_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QProgressBar()
        self.progress.setRange(0, int(spec.duration_s))
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        root.addWidget(self.countdown_label)
        root.addWidget(self.progress)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet("color: #2e7d32; font-weight: bold;")
        self.status_label.hide()
        root.addWidget(self.status_label)

        buttons = QHBoxLayout()
        self.skip_button = QPushButton("&Skip")
        self.done_button = QPushButton("&Done")
        self.done_button.setDefault(True)
        # Keyboard: Enter presses the focused button or Done, Escape closes (a skip), and the
        # buttons' mnemonics (see keyPressEvent).
        self.done_button.setMinimumWidth(120)
        self.skip_button.clicked.connect(self.skip)
        self.done_button.clicked.connect(self.done)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        root.addLayout(buttons)
        self.done_button.setFocus()  # Enter on a fresh window is Done, never Skip
        self.setMinimumWidth(ILLUSTRATION_WIDTH_PX + 80)

    # ---- the countdown -------------------------------------------------------------------------

    @property
    def remaining_s(self) -> float:
        """Seconds left on the countdown (0 when over)."""
        elapsed = self._clock.monotonic() - self._started_s
        return max(0.0, self.spec.duration_s - elapsed)

    def tick(self) -> None:
        """Redraw the countdown from the clock (the timer calls this; tests call it directly)."""
        left = self.remaining_s
        self.progress.setValue(round(self.spec.duration_s - left))
        if left > 0:
            self.countdown_label.setText(format_countdown(left))
            return
        self.countdown_label.setText("Time's up" if self.outcome is None else "Well done")
        if self.outcome is None:
            self.done_button.setText("&Done ✓")
        self._timer.stop()

    # ---- outcomes ------------------------------------------------------------------------------

    def done(self) -> None:
        """The Done button: the break counts (once) and the window closes."""
        self._finish_done(DONE)
        self.close()

    def skip(self) -> None:
        """The Skip button: the break does not count; the window closes."""
        if self.outcome is None:
            self.outcome = SKIP
            self._on_skip(SKIP)
        self.close()

    def user_stood_up(self) -> None:
        """The camera saw the user get up: the break counts; the window stays for the steps."""
        if self.outcome is not None:
            return
        self._finish_done(STOOD_UP)
        self.status_label.setText("You got up: this break counts. Finish at your own pace.")
        self.status_label.show()
        self.skip_button.hide()
        self.done_button.setText("&Close")

    def _finish_done(self, reason: str) -> None:
        if self.outcome is None:
            self.outcome = reason
            self._on_done(reason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter presses the focused button, else Done (the default button); Escape closes."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            button = focused if isinstance(focused, QPushButton) else self.done_button
            button.click()
        elif event.key() == Qt.Key.Key_Escape:
            self.close()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing without Done or Skip skips the break."""
        self._timer.stop()
        if self.outcome is None:
            self.outcome = CLOSED
            self._on_skip(CLOSED)
        super().closeEvent(event)
