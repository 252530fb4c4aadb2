"""The first run: one page, under a minute, skippable.

What HipCheck does and keeps (two sentences), the camera with a live picture (the running
monitor's frames, never a second open of the camera), where the camera is, office or floor
exercises, the sitting limit and working hours, an optional calibration, and where the icon lives.
"Done" saves only the values shown here (through ``save``); "Skip" saves nothing. Either way the
first run is marked done and does not come back by itself (the tray menu reopens it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QTime, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from hipcheck.core.colours import Roles
from hipcheck.core.glossary import choice_name
from hipcheck.core.settings import Settings, spec_of
from hipcheck.core.types import State
from hipcheck.ui.live_view import NO_PICTURE, FrameView
from hipcheck.ui.palette import ThemedMixin, colour_css
from hipcheck.ui.screen import fit_to_screen
from hipcheck.ui.signals import emit
from hipcheck.ui.tray import TrayMode, draw_icon

if TYPE_CHECKING:
    from hipcheck.vision.engine import SampleRecord

NO_FIRST_RUN_ENV = "HIPCHECK_NO_FIRST_RUN"
"""Set (to anything but "" or "0") to never show the first run by itself (tests, kiosks)."""

ASKED = ("camera_position", "exercise_variant")
"""Settings the first run asks for outright (saved on Done even when left as offered)."""

PRIVACY = (
    "HipCheck watches how you sit through your webcam and tells you when it is time to get up. "
    "The pictures stay in memory on this computer; only sitting and standing times are kept, "
    "and nothing is sent anywhere."
)
TRAY_HOME = (
    "HipCheck lives in the system tray (the top bar or the corner of the task bar): its "
    "circle fills up toward your break. Click it for the menu: pause, the live view, "
    "today's report, settings, and this window again (Set up HipCheck…)."
)
NO_TRAY_HOME = (
    "Your desktop has no system tray, so HipCheck shows a small window with its status "
    "and menu instead; closing it only minimises it."
)


def first_run_wanted(done_marker: os.PathLike[str], *, forced: bool | None = None) -> bool:
    """Show the first run at start? Once per data folder, never with $HIPCHECK_NO_FIRST_RUN.

    ``forced`` (a command-line flag) wins over both.
    """
    if forced is not None:
        return forced
    if os.environ.get(NO_FIRST_RUN_ENV, "") not in ("", "0"):
        return False
    return not os.path.exists(done_marker)


def _choice(group: QButtonGroup, options: Mapping[str, str], current: str) -> QWidget:
    box = QWidget()
    row = QVBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    for value, text in options.items():
        radio = QRadioButton(text)
        radio.setProperty("value", value)
        radio.setChecked(value == current)
        group.addButton(radio)
        row.addWidget(radio)
    return box


class HoursEdit(QTimeEdit):
    """A time of day shown as 08:30, valued in hours (the settings' ``*_h`` numbers)."""

    def __init__(self, hours: float) -> None:
        super().__init__()
        self.setDisplayFormat("HH:mm")
        self.set_hours(hours)

    def set_hours(self, hours: float) -> None:
        """Show ``hours`` (24 is shown as 23:59, the end of the day)."""
        minutes = min(round(hours * 60), 24 * 60 - 1)
        self.setTime(QTime(minutes // 60, minutes % 60))

    def hours(self) -> float:
        """The time shown, in hours (23:59 reads as 24, the end of the day)."""
        t = self.time()
        minutes = t.hour() * 60 + t.minute()
        return 24.0 if minutes == 24 * 60 - 1 else minutes / 60.0


class FirstRunWindow(ThemedMixin, QDialog):
    """The welcome window; emits ``settings_applied`` with the running settings after "Done".

    Enter is Done, Escape is Skip.
    """

    visibility_changed = Signal(bool)
    settings_applied = Signal(object)  # Settings
    calibrate_requested = Signal()
    choose_camera_requested = Signal()
    finished = Signal(str)  # "done" or "skipped"

    def __init__(
        self,
        settings: Settings,
        *,
        save: Callable[[dict[str, Any]], Settings],
        mark_done: Callable[[], None],
        has_tray: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to HipCheck")
        self._settings = settings
        self._save = save
        self._mark_done = mark_done
        self.result = ""

        privacy = QLabel(PRIVACY)
        privacy.setWordWrap(True)

        self.frame_view = FrameView()
        self.frame_view.setMinimumSize(240, 135)
        self.camera_label = QLabel("Waiting for the camera…")
        self.camera_label.setWordWrap(True)
        # The colour role of the camera line: "error" for a problem, "success" once it sees you.
        self.camera_tone = "text"
        choose = QPushButton("Choose camera…")
        choose.clicked.connect(lambda: emit(self.choose_camera_requested))

        self.position = QButtonGroup(self)
        position_box = _choice(
            self.position,
            {value: choice_name(value) for value in ("front", "side")},
            settings.camera_position,
        )
        self.variant = QButtonGroup(self)
        # An office desk is the common case: office exercises unless the user chose floor before.
        variant_box = _choice(
            self.variant,
            {value: choice_name(value) for value in ("office", "floor")},
            "office",
        )
        limit_spec = spec_of("sitting_limit_min")
        self.limit = QDoubleSpinBox()
        self.limit.setRange(limit_spec.minimum or 0.5, limit_spec.maximum or 240.0)
        self.limit.setDecimals(0 if float(settings.sitting_limit_min).is_integer() else 1)
        self.limit.setSingleStep(5.0)
        self.limit.setSuffix(" min")
        self.limit.setValue(settings.sitting_limit_min)
        self.work_start = HoursEdit(settings.work_start_h)
        self.work_end = HoursEdit(settings.work_end_h)
        hours = QHBoxLayout()
        hours.addWidget(self.work_start)
        hours.addWidget(QLabel("to"))
        hours.addWidget(self.work_end)
        hours.addStretch(1)
        calibrate = QPushButton("Calibrate… (optional, 10 s)")
        calibrate.setToolTip("Sit for 5 s, then stand for 5 s, so HipCheck knows both postures")
        calibrate.clicked.connect(lambda: emit(self.calibrate_requested))

        icon = QLabel()
        icon.setPixmap(QPixmap.fromImage(draw_icon(TrayMode.SITTING, 0.5, 32)))
        home = QLabel(TRAY_HOME if has_tray else NO_TRAY_HOME)
        home.setWordWrap(True)
        home_row = QHBoxLayout()
        home_row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        home_row.addWidget(home, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("The camera is:", position_box)
        form.addRow("Exercises:", variant_box)
        form.addRow("Break after sitting:", self.limit)
        form.addRow("Working hours:", hours)
        form.addRow("Calibration:", calibrate)

        self.skip_button = QPushButton("Skip")
        self.skip_button.clicked.connect(self.skip)
        self.done_button = QPushButton("Done")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.confirm)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.done_button)

        layout = QVBoxLayout(self)
        layout.addWidget(privacy)
        layout.addWidget(self.frame_view, 1)
        # Full width under the picture: a wrapped label inside a form row gets clipped.
        camera_row = QHBoxLayout()
        camera_row.addWidget(self.camera_label, 1)
        camera_row.addWidget(choose, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(camera_row)
        layout.addLayout(form)
        layout.addLayout(home_row)
        layout.addLayout(buttons)
        fit_to_screen(self, 560, 720)
        self._shown = self.values()
        self.refresh_roles()

    def apply_roles(self, roles: Roles) -> None:
        """The camera line in the colour of what it says."""
        self.camera_label.setStyleSheet(colour_css(roles, self.camera_tone))

    def _camera_line(self, text: str, tone: str) -> None:
        self.camera_label.setText(text)
        self.camera_tone = tone
        if self._roles is not None:
            self.apply_roles(self._roles)

    def changeEvent(self, event: QEvent) -> None:
        """A new desktop palette recolours the window."""
        self.themed_change(event)
        super().changeEvent(event)

    # ---- what the monitor sends ----------------------------------------------------------------

    def set_frame(self, image: QImage) -> None:
        """The monitor's newest frame (the camera is opened once, by the monitor)."""
        self.frame_view.set_frame(image)

    def set_record(self, record: SampleRecord) -> None:
        """The monitor's newest sample: say whether the camera sees the user."""
        self.frame_view.set_pose(record.sample, None)
        if record.observation.person_present:
            state = {State.SITTING: "sitting", State.STANDING: "standing"}.get(record.state)
            seen = f" (now: {state})" if state else ""
            self._camera_line(f"The camera works and sees you{seen}.", "success")
        else:
            self._camera_line("The camera works, but nobody is in view yet.", "text")

    def set_camera_problem(self, message: str) -> None:
        """The camera cannot be used: say why (empty: no problem)."""
        self.frame_view.set_placeholder(NO_PICTURE if message else "")
        if message:
            self._camera_line(message, "error")
            self.frame_view.clear()
        elif self.camera_tone == "error":  # the camera is back: the next picture says more
            self._camera_line("Waiting for the camera…", "text")

    # ---- answers -------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The settings this window edits, as shown now."""
        position = self.position.checkedButton()
        variant = self.variant.checkedButton()
        return {
            "camera_position": position.property("value") if position else "front",
            "exercise_variant": variant.property("value") if variant else "office",
            "sitting_limit_min": float(self.limit.value()),
            "work_start_h": self.work_start.hours(),
            "work_end_h": self.work_end.hours(),
        }

    def changes(self) -> dict[str, Any]:
        """What "Done" saves: the two choices made here, and any value the user changed.

        A value left as shown is not written: it may be this run's ``--set`` override.
        """
        return {
            name: value
            for name, value in self.values().items()
            if name in ASKED or value != self._shown[name]
        }

    def confirm(self) -> None:
        """Done: save what is chosen here, apply it, and close."""
        new = self._save(self.changes())
        self._finish("done")
        emit(self.settings_applied, new)

    def skip(self) -> None:
        """Close without changing any setting."""
        self._finish("skipped")

    def reject(self) -> None:
        """Escape skips."""
        self.skip()

    def accept(self) -> None:
        """Enter is Done."""
        self.confirm()

    def _finish(self, how: str) -> None:
        self.result = how
        self._mark_done()
        self.hide()
        emit(self.finished, how)

    def showEvent(self, event: QShowEvent) -> None:
        """Ask the monitor for frames while shown."""
        super().showEvent(event)
        emit(self.visibility_changed, True)

    def hideEvent(self, event: QHideEvent) -> None:
        """No frames while hidden."""
        super().hideEvent(event)
        self.frame_view.clear()
        emit(self.visibility_changed, False)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window is a skip (nothing saved), and it does not come back by itself."""
        if not self.result:
            self.result = "skipped"
            self._mark_done()
            emit(self.finished, "skipped")
        event.accept()
