"""The break window: the exercise, its illustration and steps, a countdown, Done, Postpone, Skip.

Exactly one of ``on_done(reason)`` / ``on_skip(reason)`` / ``on_postpone(seconds)`` is called per
window: ``on_done("done")`` for the Done button, ``on_done("stood_up")`` when the app reports that
the camera saw the user get up (the break counts even if Done is never pressed; the window stays
open so the user can finish), ``on_postpone(300)`` for "Postpone 5 min" (shown only when the app
passes ``on_postpone``), ``on_skip("skip")`` for "Skip this break" and ``on_skip("closed")`` when
the window is closed before any of them — which the Skip button's words say.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
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
from hipcheck.core.colours import Roles
from hipcheck.core.exercise import ExerciseChoice, Variant, spec_for
from hipcheck.core.glossary import about, countdown, duration
from hipcheck.paths import assets_dir
from hipcheck.ui.palette import ThemedMixin
from hipcheck.ui.screen import FRAME_MARGIN_PX, available_area

log = logging.getLogger(__name__)

DONE = "done"
STOOD_UP = "stood_up"
SKIP = "skip"
CLOSED = "closed"
POSTPONE = "postpone"
POSTPONE_S = 300.0
TICK_MS = 250
ILLUSTRATION_WIDTH_PX = 380
MIN_ILLUSTRATION_WIDTH_PX = 220


def exercise_asset(svg_name: str) -> Path:
    """Where an exercise illustration lives (see ``paths.assets_dir``)."""
    return assets_dir() / "exercises" / svg_name


def card_reason(choice: ExerciseChoice) -> str:
    """The reason, always about the exercise on the card.

    The reason names the exercise family ("fewer dead bugs"); when the card shows the office
    variant under another name (Standing march), say that it stands in for the family.
    """
    spec = choice.spec
    family = spec_for(choice.exercise, Variant.FLOOR).name
    if spec.name == family:
        return choice.reason
    stands_for = f"the {family.lower()}"
    return (
        f"{choice.reason} The {spec.name.lower()} is the standing, office version of {stands_for}."
    )


class BreakWindow(ThemedMixin, QWidget):
    """One exercise break: name, illustration, steps, dose, countdown, Done, Postpone and Skip."""

    def __init__(
        self,
        choice: ExerciseChoice,
        *,
        on_done: Callable[[str], None],
        on_skip: Callable[[str], None],
        on_postpone: Callable[[float], None] | None = None,
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.choice = choice
        self.spec = choice.spec
        self._on_done = on_done
        self._on_skip = on_skip
        self._on_postpone = on_postpone
        self._clock: Clock = clock or SystemClock()
        self._started_s = self._clock.monotonic()
        self.outcome: str | None = None
        self.setWindowTitle(f"HipCheck — Break: {self.spec.name}")
        self.setObjectName("breakWindow")
        self._build()
        self.refresh_roles()
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

        self.heading_label = QLabel("Time to move — a short break does your hips good")
        heading_font = QFont(self.heading_label.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.1)
        self.heading_label.setFont(heading_font)
        self.heading_label.setWordWrap(True)
        root.addWidget(self.heading_label)
        self.name_label = QLabel(spec.name)
        font = QFont(self.name_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.name_label.setFont(font)
        self.dose_label = QLabel(f"{spec.dose} · {about(spec.duration_s)}")
        dose_font = QFont(self.dose_label.font())
        dose_font.setPointSizeF(dose_font.pointSizeF() * 1.25)
        dose_font.setBold(True)
        self.dose_label.setFont(dose_font)
        root.addWidget(self.name_label)
        # The dose sits under the name so long names (standing glute squeeze) never get cut.
        subline = QHBoxLayout()
        subline.addWidget(self.dose_label)
        self.tag_label: QLabel | None = None
        if spec.variant is Variant.OFFICE:
            self.tag_label = QLabel("· office-friendly, no floor needed")
            subline.addWidget(self.tag_label)
        subline.addStretch(1)
        root.addLayout(subline)

        self.reason_label = QLabel(card_reason(self.choice))
        self.reason_label.setWordWrap(True)
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
        self._illustration_aspect = height / ILLUSTRATION_WIDTH_PX
        self.illustration.setFixedSize(ILLUSTRATION_WIDTH_PX, height)
        card = QFrame()
        card.setObjectName("illustrationCard")
        self.card = card
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
        self.countdown_note = QLabel(
            "Time left for this exercise. No rush: press Done when you have finished."
        )
        self.countdown_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown_note.setWordWrap(True)
        root.addWidget(self.countdown_label)
        root.addWidget(self.progress)
        root.addWidget(self.countdown_note)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        status_font = QFont(self.status_label.font())
        status_font.setBold(True)
        self.status_label.setFont(status_font)
        self.status_label.hide()
        root.addWidget(self.status_label)

        buttons = QHBoxLayout()
        self.skip_button = QPushButton("&Skip this break")
        self.skip_button.setToolTip("Closing the window skips the break too")
        self.postpone_button = QPushButton(f"&Postpone {duration(POSTPONE_S)}")
        self.postpone_button.setToolTip(f"Remind me again in {duration(POSTPONE_S)}")
        self.postpone_button.setVisible(self._on_postpone is not None)
        self.done_button = QPushButton("&Done")
        self.done_button.setDefault(True)
        # Keyboard: Enter presses the focused button or Done, Escape closes (a skip), and the
        # buttons' mnemonics (see keyPressEvent).
        self.done_button.setMinimumWidth(120)
        self.skip_button.clicked.connect(self.skip)
        self.postpone_button.clicked.connect(self.postpone)
        self.done_button.clicked.connect(self.done)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.postpone_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        root.addLayout(buttons)
        self.done_button.setFocus()  # Enter on a fresh window is Done, never Skip
        self.setMinimumWidth(ILLUSTRATION_WIDTH_PX + 80)
        self._fit_illustration()

    def _fit_illustration(self) -> None:
        """On a short screen, draw the illustration smaller so the whole window fits."""
        area = available_area(self)
        spare = area.height() - FRAME_MARGIN_PX - self.sizeHint().height()
        if spare >= 0:
            return
        height = max(
            round(MIN_ILLUSTRATION_WIDTH_PX * self._illustration_aspect),
            self.illustration.height() + spare,
        )
        width = round(height / self._illustration_aspect)
        self.illustration.setFixedSize(width, height)
        self.setMinimumWidth(min(ILLUSTRATION_WIDTH_PX, width) + 80)

    def apply_roles(self, roles: Roles) -> None:
        """Colours from the palette's roles."""
        self.dose_label.setStyleSheet(f"color: {roles.accent};")
        self.reason_label.setStyleSheet(f"color: {roles.text}; font-style: italic;")
        self.heading_label.setStyleSheet(f"color: {roles.text};")
        self.countdown_note.setStyleSheet(f"color: {roles.muted};")
        if self.tag_label is not None:
            self.tag_label.setStyleSheet(f"color: {roles.muted};")
        self.status_label.setStyleSheet(f"color: {roles.success};")
        # The drawings are dark lines on white: the card stays light whatever the theme.
        self.card.setStyleSheet("#illustrationCard { background: #ffffff; border-radius: 10px; }")

    def changeEvent(self, event: QEvent) -> None:
        """A new desktop palette recolours the window."""
        self.themed_change(event)
        super().changeEvent(event)

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
            self.countdown_label.setText(countdown(left))
            return
        self.countdown_label.setText("Nice work!" if self.outcome is None else "Well done")
        if self.outcome is None:
            self.countdown_note.setText("That's the time. Press Done when you have finished.")
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

    def postpone(self) -> None:
        """Postpone 5 min: no break now; the app reminds again in 5 minutes."""
        if self.outcome is None and self._on_postpone is not None:
            self.outcome = POSTPONE
            self._on_postpone(POSTPONE_S)
        self.close()

    def user_stood_up(self) -> None:
        """The camera saw the user get up: the break counts; the window stays for the steps."""
        if self.outcome is not None:
            return
        self._finish_done(STOOD_UP)
        self.status_label.setText("You got up: this break counts. Finish at your own pace.")
        self.status_label.show()
        self.skip_button.hide()
        self.postpone_button.hide()
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
