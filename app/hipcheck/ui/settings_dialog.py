"""The settings dialog, generated from the declarations in ``hipcheck.core.settings``.

One tab per declared ``tab`` (the sitting limit's first; settings flagged ``advanced`` together
under "Advanced"); one editor per setting chosen by its type (check box, spin box with the declared
bounds and unit, combo box of choices, check boxes for a set of choices) or by its ``widget`` hint
(camera picker with a live preview, time of day). Every edit is validated, saved to the settings
file and passed to ``on_change`` at once, so the running app applies it live; the status line says
so. "Restore defaults" puts every preference back. With ``shared_frames`` the camera preview shows
the pictures the running monitor already reads (``frames_wanted`` / ``set_frame``) instead of
opening the camera a second time.
"""

from __future__ import annotations

import importlib
import logging
import math
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hipcheck.autostart import Platform, default_command, set_autostart
from hipcheck.core.calibration import CalibrationError, calibration_path, load_calibration
from hipcheck.core.colours import Roles
from hipcheck.core.glossary import choice_name, clock_time, minutes_from_text, minutes_setting
from hipcheck.core.redact import redact_url
from hipcheck.core.settings import (
    ADVANCED,
    Settings,
    SettingsError,
    SettingSpec,
    iter_specs,
    retention_cutoff,
    save_settings,
    saved_with_change,
    setting_names,
    settings_to_dict,
    shown_bounds,
    shown_value,
    spec_of,
    stored_value,
    with_value,
)
from hipcheck.paths import AppPaths
from hipcheck.ui.palette import ThemedMixin
from hipcheck.ui.screen import cap_to_screen

log = logging.getLogger(__name__)

PREVIEW_SIZE = (192, 144)
PREVIEW_INTERVAL_MS = 100
# The tabs in the order people look for them; any other declared tab follows.
TAB_ORDER = ("Reminders", "Camera", "Privacy & start-up", ADVANCED)
# Kept as they are by "Restore defaults": the hardware in use, and a change outside the app.
KEPT_BY_RESTORE = ("camera", "start_at_login")


# ---- cameras --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameraChoice:
    """A camera the user can pick: the settings value (index as text) and a label."""

    value: str
    label: str


def probe_cameras(max_index: int = 6) -> list[CameraChoice]:
    """The cameras that exist: V4L2 capture nodes on Linux, else indices OpenCV can open."""
    if sys.platform.startswith("linux"):
        return _v4l2_cameras()
    import cv2  # deferred: the dialog must open fast even when cv2 is slow to import

    found = []
    for index in range(max_index):
        cap = cv2.VideoCapture(index)
        try:
            if cap.isOpened():
                found.append(CameraChoice(str(index), f"Camera {len(found) + 1}"))
        finally:
            cap.release()
    return found


def _v4l2_cameras(root: Path = Path("/sys/class/video4linux")) -> list[CameraChoice]:
    """Linux capture devices, by sysfs, without opening them (the app may be using one)."""
    found = []
    for node in sorted(root.glob("video*"), key=lambda p: int(p.name[5:] or 0)):
        # A camera exposes several nodes; only index 0 is the picture (the rest are metadata).
        index_file = node / "index"
        if index_file.is_file() and index_file.read_text().strip() not in ("", "0"):
            continue
        name = (node / "name").read_text().strip() if (node / "name").is_file() else node.name
        found.append(CameraChoice(node.name[5:], f"Camera {len(found) + 1} — {name}"))
    return found


def available_cameras() -> list[CameraChoice]:
    """The cameras that exist, named for people: ``Camera 1 — <name>`` from sysfs on Linux
    (without opening a camera the monitor may hold), else ``Camera 1``, ``Camera 2``… for the
    indices the vision layer can open."""
    if sys.platform.startswith("linux"):
        found = _v4l2_cameras()
        if found:
            return found
    try:
        source = importlib.import_module("hipcheck.vision.source")
    except ImportError:
        return probe_cameras()
    list_cameras = getattr(source, "list_cameras", None)
    if list_cameras is None:
        return probe_cameras()
    return [CameraChoice(str(i), f"Camera {n}") for n, i in enumerate(list_cameras(), start=1)]


def camera_label(value: str) -> str:
    """A setting value the camera list does not have, for people: ``Camera 1`` for index 0, a
    stream URL without its password."""
    return f"Camera {int(value) + 1}" if value.strip().isdigit() else redact_url(value)


class Capture(Protocol):
    """The part of ``cv2.VideoCapture`` the preview uses."""

    def isOpened(self) -> bool: ...
    def read(self) -> tuple[bool, Any]: ...
    def set(self, prop: int, value: float) -> bool: ...
    def release(self) -> None: ...


def open_capture(source: str) -> Capture:
    """Open a camera index, video file or URL with OpenCV."""
    import cv2

    return cv2.VideoCapture(int(source) if source.strip().isdigit() else source)


class CameraPreview(QLabel):
    """A small live picture of a camera; holds the camera only between ``start`` and ``stop``."""

    def __init__(
        self, opener: Callable[[str], Capture] = open_capture, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._opener = opener
        self._capture: Capture | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(PREVIEW_INTERVAL_MS)
        self._timer.timeout.connect(self._show_next_frame)
        self.setFixedSize(*PREVIEW_SIZE)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        # A picture frame: dark whatever the theme, with light text on it.
        self.setStyleSheet("background: #202020; color: #e0e0e0; border-radius: 4px;")
        self.setText("Preview")

    def show_image(self, image: QImage) -> None:
        """Show one picture (from the monitor's own camera feed)."""
        self.setPixmap(
            QPixmap.fromImage(image).scaled(
                *PREVIEW_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    @property
    def active(self) -> bool:
        """Whether a camera is held open."""
        return self._capture is not None

    def start(self, source: str) -> None:
        """Open ``source`` and show its frames until ``stop``."""
        self.stop()
        try:
            capture = self._opener(source)
        except Exception:  # OpenCV raises assorted errors for bad sources
            log.exception("camera preview: cannot open %r", source)
            capture = None
        if capture is None or not capture.isOpened():
            if capture is not None:
                capture.release()
            self.setText("No picture from this camera\n(missing, or in use)")
            return
        self._capture = capture
        self._show_next_frame()
        self._timer.start()

    def stop(self) -> None:
        """Release the camera."""
        self._timer.stop()
        if self._capture is not None:
            self._capture.release()
            self._capture = None
            self.setText("Preview")

    def _show_next_frame(self) -> None:
        if self._capture is None:
            return
        ok, frame = self._capture.read()
        if not ok:
            # A video file ended: start it again; a camera that stops giving frames: say so.
            self._capture.set(1, 0)  # cv2.CAP_PROP_POS_FRAMES
            ok, frame = self._capture.read()
            if not ok:
                self.setText("The camera stopped sending pictures")
                return
        height, width = frame.shape[:2]
        image = QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_BGR888)
        self.show_image(image)


# ---- small editors --------------------------------------------------------------------------


class HoursSpinBox(QDoubleSpinBox):
    """A time of day kept as hours (8.5) but shown and typed as ``08:30``."""

    def textFromValue(self, value: float) -> str:
        """Render hours as HH:MM."""
        minutes = round(value * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    def valueFromText(self, text: str) -> float:
        """Parse HH:MM (or plain hours) back into hours."""
        hours, _, minutes = text.strip().partition(":")
        try:
            return int(hours or 0) + int(minutes or 0) / 60
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Accept partial HH:MM input while typing."""
        hours, _, minutes = text.strip().partition(":")
        if not all(part.isdigit() or part == "" for part in (hours, minutes)):
            return QValidator.State.Invalid, text, pos
        if not hours or (":" in text and not minutes):
            return QValidator.State.Intermediate, text, pos
        value = self.valueFromText(text)
        if self.minimum() <= value <= self.maximum() and int(minutes or 0) < 60:
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


class MinutesSpinBox(QDoubleSpinBox):
    """A length kept in minutes, shown in the glossary's format (``45 min``, ``2 min 30 s``,
    ``1 h 30 min``) and typed that way or as a bare number of minutes."""

    def textFromValue(self, value: float) -> str:
        """Render minutes as the glossary does."""
        return minutes_setting(value)

    def valueFromText(self, text: str) -> float:
        """Parse what was typed back into minutes."""
        minutes = minutes_from_text(text)
        return self.value() if minutes is None else minutes

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Accept a length in range; let anything that may become one through while typing."""
        minutes = minutes_from_text(text)
        if minutes is not None and self.minimum() <= minutes <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        if all(ch.isdigit() or ch in " .,hmins" for ch in text.lower()):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos

    def sizeHint(self) -> QSize:
        """Wide enough for the longest length in range, not only for the bounds' texts."""
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        longest = max(
            (self.textFromValue(self.maximum() - f) for f in (0.0, 0.5, 1.0)),
            key=metrics.horizontalAdvance,
        )
        extra = metrics.horizontalAdvance(longest) - metrics.horizontalAdvance(
            self.textFromValue(self.maximum())
        )
        return QSize(hint.width() + max(0, extra), hint.height())

    def minimumSizeHint(self) -> QSize:
        """As wide as ``sizeHint``: a length is never cut."""
        return self.sizeHint()


class NumberSpinBox(QDoubleSpinBox):
    """A number without trailing zeros: ``2 per s``, ``0.5 per s`` (never ``2.0``)."""

    def textFromValue(self, value: float) -> str:
        """The number in the locale, its decimals only where needed."""
        text = self.locale().toString(value, "f", self.decimals())
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text


class HelpLabel(QLabel):
    """A setting's help under its editor, wrapped at the page's width.

    A wrapped QLabel's minimum size is the height of its narrowest width, which a scrolling page
    takes as its own minimum and spreads its rows apart; this one holds the height of its lines
    at the width the page really gives it.
    """

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # The form grows only Expanding fields: the help then takes the page's width.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setContentsMargins(0, 0, 0, 4)  # a little air before the next setting
        self.setFixedHeight(self.fontMetrics().height() + 4)

    def minimumSizeHint(self) -> QSize:
        """Narrow, and as tall as its lines at the width it has (see ``resizeEvent``)."""
        return QSize(self.fontMetrics().averageCharWidth() * 30, self.minimumHeight())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A new width: hold the height of the lines at that width (the form asks no further)."""
        super().resizeEvent(event)
        # Measured as drawn: QLabel's own heightForWidth can wrap narrower than it paints.
        margins = self.contentsMargins()
        width = event.size().width() - margins.left() - margins.right()
        lines = self.fontMetrics().boundingRect(
            0, 0, max(1, width), 100_000, Qt.TextFlag.TextWordWrap, self.text()
        )
        height = lines.height() + margins.top() + margins.bottom()
        if height != self.minimumHeight():
            self.setFixedHeight(height)


def _humanise(choice: str) -> str:
    return choice_name(choice)


def _step_and_decimals(spec: SettingSpec) -> tuple[float, int]:
    """A spin-box step and decimals: the declared step, else one tenth-ish of the range."""
    if spec.step is not None:
        step = spec.step
    else:
        span = (spec.maximum or 0) - (spec.minimum or 0)
        step = 1.0 if span >= 20 else 0.1
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    for bound in (spec.minimum, spec.maximum):
        if bound is not None and not float(bound * 10**decimals).is_integer():
            decimals += 1
    return step, decimals


class WeekdaysEditor(QWidget):
    """Check boxes for a set of choices (e.g. working days); emits the checked ones."""

    changed = Signal(tuple)

    def __init__(self, choices: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for choice in choices:
            box = QCheckBox(_humanise(choice), self)
            box.toggled.connect(self._emit)
            layout.addWidget(box)
            self.boxes[choice] = box
        layout.addStretch(1)

    def value(self) -> tuple[str, ...]:
        """The checked choices in declaration order."""
        return tuple(c for c, box in self.boxes.items() if box.isChecked())

    def set_value(self, value: Sequence[str]) -> None:
        """Check exactly ``value`` without emitting."""
        for choice, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(choice in value)
            box.blockSignals(False)

    def _emit(self) -> None:
        self.changed.emit(self.value())


class CameraEditor(QWidget):
    """An editable list of the cameras that exist (or a typed file/URL) with a live preview."""

    changed = Signal(str)

    def __init__(
        self,
        cameras: Callable[[], list[CameraChoice]],
        opener: Callable[[str], Capture],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._cameras = cameras
        self.combo = QComboBox(self)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setMinimumContentsLength(24)
        self.line_edit = self.combo.lineEdit()
        assert self.line_edit is not None  # an editable combo always has one
        self.line_edit.setPlaceholderText("a camera, a video file or a URL")
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setToolTip("Look for cameras again")
        self.file_button = QPushButton("Video file…", self)
        self.file_button.setToolTip("Watch a recorded video instead of a camera")
        self.file_button.clicked.connect(self._pick_file)
        self.preview = CameraPreview(opener, self)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.combo, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.file_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.preview)
        self._value = ""
        self.combo.activated.connect(self._commit)
        self.line_edit.editingFinished.connect(self._commit)
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh()

    def value(self) -> str:
        """The chosen camera as a settings value (index, file or URL)."""
        return self._value

    def set_value(self, value: str) -> None:
        """Show ``value`` as the current camera (adding it to the list if it is a file/URL)."""
        self._value = value
        index = self.combo.findData(value)
        self.combo.blockSignals(True)
        if index < 0:
            self.combo.addItem(camera_label(value), value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)

    def refresh(self) -> None:
        """Re-list the cameras, keeping the current choice."""
        current = self._value
        self.combo.blockSignals(True)
        self.combo.clear()
        try:
            cameras = self._cameras()
        except Exception:  # a broken camera driver must not break the settings window
            log.exception("listing cameras failed")
            cameras = []
        for cam in cameras:
            self.combo.addItem(cam.label, cam.value)
        if not cameras:
            self.combo.setToolTip("No camera found; type a camera number, a video file or a URL")
        self.combo.blockSignals(False)
        if current:
            self.set_value(current)

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Watch a video file", str(Path.home()), "Videos (*.mp4 *.mkv *.avi *.mov *.webm)"
        )
        if path and path != self._value:
            self.set_value(path)
            self.changed.emit(path)

    def _commit(self, *_: object) -> None:
        text = self.combo.currentText().strip()
        index = self.combo.findText(text)
        value = str(self.combo.itemData(index)) if index >= 0 else text
        if value and value != self._value:
            self._value = value
            self.changed.emit(value)


# ---- the dialog -----------------------------------------------------------------------------


class SettingsDialog(ThemedMixin, QDialog):
    """The settings window; every edit is saved and passed to ``on_change`` immediately."""

    settings_changed = Signal(object)
    calibrate_requested = Signal()
    frames_wanted = Signal(bool)  # with ``shared_frames``: show me the monitor's pictures

    def __init__(
        self,
        settings: Settings,
        on_change: Callable[[Settings], None],
        *,
        paths: AppPaths | None = None,
        warnings: Sequence[str] = (),
        delete_all: Callable[[], None] | None = None,
        cameras: Callable[[], list[CameraChoice]] = available_cameras,
        capture_opener: Callable[[str], Capture] = open_capture,
        autostart_command: Sequence[str] | None = None,
        autostart_platform: Platform | None = None,
        now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        saved: Settings | None = None,
        for_this_run: Collection[str] = (),
        shared_frames: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("HipCheck — Settings")
        self._shared_frames = shared_frames
        self._sharing = False
        self._settings = settings
        # What the settings file holds: ``settings`` minus this run's --set overrides, which are
        # marked "for this run" and never written to the file.
        self._saved = saved if saved is not None else settings
        self.for_this_run = set(for_this_run)
        self._labels: dict[str, QLabel] = {}
        self._on_change = on_change
        self._paths = paths
        self._delete_all = delete_all
        self._autostart_command = list(autostart_command or default_command())
        self._autostart_platform = autostart_platform
        self._now = now
        self.editors: dict[str, QWidget] = {}
        self._monitoring_tab: QWidget | None = None
        self.camera_editor: CameraEditor | None = None

        self.warning_label = QLabel(self)
        self.warning_label.setWordWrap(True)
        self.warning_label.setTextFormat(Qt.TextFormat.PlainText)
        self.show_warnings(warnings)

        self.tabs = QTabWidget(self)
        self.tabs.setUsesScrollButtons(False)  # every tab visible; the dialog widens to fit
        self.help_labels: list[QLabel] = []
        tab_forms: dict[str, QFormLayout] = {}
        specs = list(iter_specs())
        order = [t for t in TAB_ORDER if any(spec.shown_in == t for _n, spec, _d in specs)]
        order += [spec.shown_in for _n, spec, _d in specs if spec.shown_in not in order]
        for tab in dict.fromkeys(order):
            page = QWidget()
            column = QVBoxLayout(page)
            form = QFormLayout()
            column.addLayout(form)
            column.addStretch(1)  # spare height below the settings, never between them
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            tab_forms[tab] = form
            # Each page scrolls on a short screen rather than growing the dialog past it.
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(page)
            self.tabs.addTab(scroll, tab.replace("&", "&&"))  # "&" is not a mnemonic
        for name, spec, _default in specs:
            form = tab_forms[spec.shown_in]
            editor = self._make_editor(name, spec, cameras, capture_opener)
            editor.setToolTip(spec.help)
            label = QLabel(spec.label + ":")
            label.setToolTip(spec.help)
            label.setBuddy(editor)
            self._labels[name] = label
            form.addRow(label, editor)
            # The help also shows under the editor: tooltips are easy to miss.
            help_label = HelpLabel(spec.help)
            form.addRow("", help_label)
            self.help_labels.append(help_label)
            self.editors[name] = editor
            if spec.widget == "camera":
                self._monitoring_tab = self.tabs.widget(list(tab_forms).index(spec.shown_in))
        self._add_extras(tab_forms)

        self.status_label = QLabel(self)
        self.status_label.setText("Changes apply and are saved at once.")
        self._status_error: bool | None = None  # None: nothing changed yet (a neutral note)
        self.restore_button = QPushButton("Restore defaults…", self)
        self.restore_button.setToolTip(
            "Put every setting back to how HipCheck came (the camera and start at login stay)"
        )
        self.restore_button.clicked.connect(self._ask_restore)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.restore_button)
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        self._load_editors(settings)
        for name in self.for_this_run:
            self._mark_for_this_run(name, True)
        self.tabs.currentChanged.connect(self._update_preview)
        self.refresh_roles()
        cap_to_screen(self)

    def apply_roles(self, roles: Roles) -> None:
        """Colours from the palette's roles: help text, notes, the warning banner, the status."""
        for label in self.help_labels:
            label.setStyleSheet(f"color: {roles.muted};")
        self.privacy_note.setStyleSheet(f"color: {roles.muted};")
        self.warning_label.setStyleSheet(
            f"background: {roles.warning_bg}; color: {roles.warning};"
            f" border: 1px solid {roles.warning}; border-radius: 4px; padding: 6px;"
        )
        self._style_status(roles)

    def _style_status(self, roles: Roles) -> None:
        if self._status_error is None:
            self.status_label.setStyleSheet(f"color: {roles.muted};")
            return
        colour = roles.error if self._status_error else roles.success
        self.status_label.setStyleSheet(f"color: {colour}; font-weight: bold;")

    def changeEvent(self, event: QEvent) -> None:
        """A new desktop palette recolours the dialog."""
        self.themed_change(event)
        super().changeEvent(event)

    # -- public API --

    @property
    def settings(self) -> Settings:
        """The settings as currently edited (and saved)."""
        return self._settings

    def show_warnings(self, warnings: Sequence[str]) -> None:
        """Show problems found in the settings file (or hide the banner when there are none)."""
        if warnings:
            self.warning_label.setText(
                "Some settings were wrong and were reset to their defaults:\n• "
                + "\n• ".join(warnings)
            )
        self.warning_label.setVisible(bool(warnings))

    def set_value(self, name: str, value: object) -> bool:
        """Validate, apply, save and announce one setting; False (and a message) if refused."""
        try:
            new = with_value(self._settings, name, value)
        except SettingsError as exc:
            self._status(str(exc), error=True)
            self._load_editors(self._settings)
            return False
        if new == self._settings:
            return True
        if name == "start_at_login" and not self._apply_autostart(bool(new.start_at_login)):
            self._load_editors(self._settings)
            return False
        self._settings = new
        # Only this key changes in the file; another key's one-run override stays out of it.
        self._save(
            saved_with_change(self._saved, name, value), (name,), self._saved_text(name, new)
        )
        if (
            name == "camera"
            and not self._shared_frames
            and self.camera_editor is not None
            and self.camera_editor.preview.active
        ):
            self.camera_editor.preview.start(new.camera)
        self.settings_changed.emit(new)
        self._on_change(new)
        return True

    def _mark_for_this_run(self, name: str, on: bool) -> None:
        """Mark a label whose value came from ``--set``: in force now, not in the settings file."""
        label = self._labels.get(name)
        if label is None:
            return
        spec = spec_of(name)
        label.setText(f"{spec.label} (for this run):" if on else f"{spec.label}:")
        label.setToolTip(
            f"Set with --set for this run only; the settings file keeps "
            f"{settings_to_dict(self._saved)[name]!r}. Change it here to keep a new value."
            if on
            else spec.help
        )

    def _saved_text(self, name: str, new: Settings) -> str:
        """What "Saved" means for this change (a shorter retention deletes older records)."""
        saved = f"✓ “{spec_of(name).label}” saved at {clock_time(self._now())}"
        if name != "retention_days":
            return saved
        cutoff = retention_cutoff(self._now().date(), new.retention_days)
        return f"{saved}; records from before {cutoff:%d %b %Y} are deleted within the hour"

    def restore_defaults(self) -> None:
        """Every setting back to its default (except the camera and start at login), saved."""
        defaults = Settings()
        kept = {name: getattr(self._settings, name) for name in KEPT_BY_RESTORE}
        new = replace(defaults, **kept)
        if new == self._settings:
            self._status("✓ Already the defaults")
            return
        self._settings = new
        self._load_editors(new)
        # The file keeps its own camera and start at login (not this run's --set values).
        self._save(
            replace(defaults, **{name: getattr(self._saved, name) for name in KEPT_BY_RESTORE}),
            [name for name in setting_names() if name not in KEPT_BY_RESTORE],
            f"✓ Defaults restored and saved at {clock_time(self._now())}",
        )
        if self._paths is None:
            self._status("✓ Defaults restored")
        self.settings_changed.emit(new)
        self._on_change(new)

    def _save(self, saved: Settings, chosen: Sequence[str], done: str) -> None:
        """Write ``saved`` (the file's values) and say ``done``; the ``chosen`` settings are now
        the user's own, no longer this run's ``--set`` values."""
        self._saved = saved
        for name in chosen:
            if name in self.for_this_run:
                self.for_this_run.discard(name)
                self._mark_for_this_run(name, False)
        if self._paths is None:
            return
        try:
            save_settings(self._paths.settings_file, saved)
        except OSError as exc:
            self._status(f"Applied, but could not save the settings file: {exc}", error=True)
        else:
            self._status(done)

    def _ask_restore(self) -> None:
        answer = QMessageBox.question(
            self,
            "Restore defaults?",
            "Put every setting back to how HipCheck came? The camera and start at login stay "
            "as they are.",
            QMessageBox.StandardButton.RestoreDefaults | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.RestoreDefaults:
            self.restore_defaults()

    def refresh_calibration_status(self) -> None:
        """Re-read the calibration file and show when it was made."""
        if self._paths is None:
            self.calibration_label.setText("Calibration needs a data folder")
            return
        try:
            cal = load_calibration(calibration_path(self._paths.settings_file))
        except CalibrationError as exc:
            self.calibration_label.setText(f"Calibration unusable: {exc}")
            return
        if cal is None:
            self.calibration_label.setText("Not calibrated")
        else:
            when = cal.created[:16].replace("T", " ") if cal.created else "earlier"
            stand = "" if cal.standing is not None else " (standing leaves the picture)"
            self.calibration_label.setText(f"Calibrated {when}{stand}")

    def export_to(self, dest: str | Path) -> Path:
        """Write the export zip (settings, calibration, database copy) to ``dest``."""
        from hipcheck.data_archive import export_all_data

        if self._paths is None:
            raise OSError("no data folder to export")
        return export_all_data(self._paths, dest, self._saved, self._now())

    def delete_all_data(self) -> None:
        """Delete every recorded interval and event, and the calibration; settings are kept."""
        if self._delete_all is not None:
            self._delete_all()
        elif self._paths is not None:
            _delete_store(self._paths)
        if self._paths is not None:
            calibration_path(self._paths.settings_file).unlink(missing_ok=True)
        self.refresh_calibration_status()

    # -- building --

    def _make_editor(
        self,
        name: str,
        spec: SettingSpec,
        cameras: Callable[[], list[CameraChoice]],
        opener: Callable[[str], Capture],
    ) -> QWidget:
        default = getattr(Settings(), name)
        suffix = f" {spec.unit}" if spec.unit and spec.unit != "°" else spec.unit
        if spec.widget == "camera":
            cam = CameraEditor(cameras, opener, self)
            cam.changed.connect(lambda v, n=name: self.set_value(n, v))
            self.camera_editor = cam
            return cam
        if isinstance(default, bool):
            box = QCheckBox(self)
            box.toggled.connect(lambda v, n=name: self.set_value(n, v))
            return box
        if isinstance(default, int):
            spin = QSpinBox(self)
            spin.setRange(int(spec.minimum or 0), int(spec.maximum or 2**31 - 1))
            spin.setSuffix(suffix)
            spin.setKeyboardTracking(False)  # apply typed numbers once, not digit by digit
            spin.valueChanged.connect(lambda v, n=name: self.set_value(n, v))
            return spin
        if isinstance(default, float):
            dspin: QDoubleSpinBox
            step, decimals = _step_and_decimals(spec)
            if spec.widget == "time_of_day":
                dspin = HoursSpinBox(self)
                decimals = 4
            elif spec.unit == "min":
                dspin = MinutesSpinBox(self)  # its text carries the unit
                decimals = max(decimals, 2)  # typed seconds: 30 s is 0.5 min
            else:
                dspin = NumberSpinBox(self)
                dspin.setSuffix(suffix)
            dspin.setDecimals(decimals)
            lowest, highest = shown_bounds(name)  # a hip angle, not the stored flexion
            dspin.setRange(lowest or 0.0, highest or 1e9)
            dspin.setSingleStep(step)
            dspin.setKeyboardTracking(False)
            dspin.valueChanged.connect(lambda v, n=name: self.set_value(n, stored_value(n, v)))
            return dspin
        if isinstance(default, tuple):
            days = WeekdaysEditor(spec.choices, self)
            days.changed.connect(lambda v, n=name: self.set_value(n, v))
            return days
        if spec.choices:
            combo = QComboBox(self)
            for choice in spec.choices:
                combo.addItem(_humanise(choice), choice)
            combo.currentIndexChanged.connect(
                lambda i, n=name, c=combo: self.set_value(n, c.itemData(i))
            )
            return combo
        line = QLineEdit(self)
        line.editingFinished.connect(lambda n=name, e=line: self.set_value(n, e.text()))
        return line

    def _add_extras(self, forms: dict[str, QFormLayout]) -> None:
        """The actions that are not settings: calibration, export, delete."""
        self.calibration_label = QLabel(self)
        self.calibrate_button = QPushButton("Calibrate…", self)
        self.calibrate_button.setToolTip(
            "Record how you look sitting and standing, so HipCheck can tell them apart "
            "when your hips are out of the picture."
        )
        self.calibrate_button.clicked.connect(self.calibrate_requested.emit)
        row = QHBoxLayout()
        row.addWidget(self.calibrate_button)
        row.addWidget(self.calibration_label, 1)
        camera_tab = spec_of("camera").shown_in
        if camera_tab in forms:
            forms[camera_tab].addRow("Calibration:", row)
        self.refresh_calibration_status()

        self.export_button = QPushButton("Export all data…", self)
        self.export_button.setToolTip("Save settings, calibration and the database in one zip file")
        self.export_button.clicked.connect(self._ask_export)
        self.delete_button = QPushButton("Delete all data…", self)
        self.delete_button.setToolTip("Delete every sitting record and the calibration")
        self.delete_button.clicked.connect(self._ask_delete)
        has_data = self._paths is not None or self._delete_all is not None
        self.export_button.setEnabled(self._paths is not None)
        self.delete_button.setEnabled(has_data)
        self.privacy_note = QLabel(
            "Pictures from the camera are never stored or sent anywhere; "
            "only sitting and standing times are kept on this computer."
        )
        self.privacy_note.setWordWrap(True)
        data_tab = spec_of("retention_days").shown_in
        if data_tab in forms:
            data_row = QHBoxLayout()
            data_row.addWidget(self.export_button)
            data_row.addWidget(self.delete_button)
            data_row.addStretch(1)
            forms[data_tab].addRow("Your data:", data_row)
            forms[data_tab].addRow(self.privacy_note)

    def _load_editors(self, settings: Settings) -> None:
        """Show ``settings`` in the editors without triggering changes."""
        for name, editor in self.editors.items():
            value = getattr(settings, name)
            editor.blockSignals(True)
            if isinstance(editor, CameraEditor | WeekdaysEditor):
                editor.set_value(value)
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                editor.setValue(shown_value(name, value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(editor.findData(value))
            elif isinstance(editor, QLineEdit):
                editor.setText(str(value))
            editor.blockSignals(False)

    # -- actions --

    def _apply_autostart(self, enabled: bool) -> bool:
        try:
            path = set_autostart(enabled, self._autostart_command, self._autostart_platform)
        except OSError as exc:
            self._status(f"Could not change start at login: {exc}", error=True)
            return False
        log.info("start at login %s: %s", "on" if enabled else "off", path)
        return True

    def _ask_export(self) -> None:
        stamp = self._now().strftime("%Y-%m-%d")
        dest, _ = QFileDialog.getSaveFileName(
            self,
            "Export all HipCheck data",
            str(Path.home() / f"hipcheck-export-{stamp}.zip"),
            "Zip archives (*.zip)",
        )
        if not dest:
            return
        try:
            written = self.export_to(dest)
        except (OSError, ValueError) as exc:
            self._status(f"Export failed: {exc}", error=True)
            return
        self._status(f"Exported to {written}")

    def _ask_delete(self) -> None:
        answer = QMessageBox.question(
            self,
            "Delete all data?",
            "Delete every sitting record, break and nudge HipCheck has stored, and your "
            "calibration? Your settings are kept. This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.delete_all_data()
        except Exception as exc:  # the store may be locked or missing; tell the user
            log.exception("delete all data failed")
            self._status(f"Deleting failed: {exc}", error=True)
            return
        self._status("All recorded data deleted")

    def _status(self, text: str, *, error: bool = False) -> None:
        self._status_error = error
        self._style_status(self._roles or self.roles())
        self.status_label.setText(text)

    # -- preview lifecycle: the camera is held only while the Camera tab is visible --

    def _update_preview(self, *_: object) -> None:
        cam = self.camera_editor
        if cam is None:
            return
        wanted = self.isVisible() and self.tabs.currentWidget() is self._monitoring_tab
        if self._shared_frames:
            if wanted != self._sharing:
                self._sharing = wanted
                if not wanted:
                    cam.preview.setText("Preview")
                else:
                    cam.preview.setText("Waiting for the camera…")
                self.frames_wanted.emit(wanted)
            return
        if wanted and not cam.preview.active:
            cam.preview.start(self._settings.camera)
        elif not wanted and cam.preview.active:
            cam.preview.stop()

    def set_frame(self, image: QImage) -> None:
        """A picture from the monitor's camera (only while ``frames_wanted`` is on)."""
        if self._sharing and self.camera_editor is not None:
            self.camera_editor.preview.show_image(image)

    def showEvent(self, event: Any) -> None:
        """Start the preview when shown on the Camera tab."""
        super().showEvent(event)
        self._update_preview()

    def hideEvent(self, event: Any) -> None:
        """Release the camera when hidden or closed."""
        super().hideEvent(event)
        if self.camera_editor is not None:
            self.camera_editor.preview.stop()
        if self._sharing:
            self._sharing = False
            self.frames_wanted.emit(False)

    def settings_applied_elsewhere(self, settings: Settings) -> None:
        """Show settings changed outside the dialog (e.g. by the tray menu) without re-saving."""
        self._settings = settings
        self._load_editors(settings)


def _delete_store(paths: AppPaths) -> None:
    """Delete all recorded data through the store (opened just for this)."""
    from hipcheck.store.db import Store

    if not paths.database.exists():
        return  # nothing recorded yet; opening would create an empty database
    with Store.open(paths.database) as store:
        store.delete_all()
