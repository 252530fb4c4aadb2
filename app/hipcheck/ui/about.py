"""The About window: version, licences (the pose model's included) and where data lives."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from hipcheck import __version__
from hipcheck.paths import AppPaths, notice_file
from hipcheck.vision.pose import MODEL_ATTRIBUTION

LICENCES = (
    ("MediaPipe", "Apache License 2.0, © Google LLC"),
    ("OpenCV", "Apache License 2.0"),
    ("Qt for Python (PySide6)", "LGPL 3.0"),
    ("NumPy", "BSD 3-Clause"),
    ("jeepney, platformdirs, plyer, tomli-w", "MIT"),
)


def notice_line(notice: Path) -> str:
    """Where the notice and the model's licence text are, as installed (or that they come along)."""
    if not notice.is_file():
        return "The full texts are in the NOTICE file that comes with HipCheck."
    licence = notice.parent / "LICENSES" / "Apache-2.0.txt"
    where = f"{notice} and {licence}" if licence.is_file() else str(notice)
    return f"Notice and the model's licence in full: {where}"


def about_text(paths: AppPaths) -> str:
    """The About window's text (plain, for tests and the window)."""
    lines = [
        f"HipCheck {__version__}",
        "Watches how you sit and gets you out of the chair at the right moment.",
        "Pictures stay in memory on this computer; nothing is sent anywhere.",
        "",
        "Licences:",
        f"• {MODEL_ATTRIBUTION}",
        *(f"• {name}: {licence}" for name, licence in LICENCES),
        notice_line(notice_file()),
        "",
        "Your data:",
        f"• settings and calibration: {paths.config_dir}",
        f"• sitting history: {paths.data_dir}",
        f"• logs: {paths.log_dir}",
    ]
    return "\n".join(lines)


class AboutWindow(QDialog):
    """Version, licences and data folders; the text can be selected and copied."""

    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About HipCheck")
        title, _, body = about_text(paths).partition("\n")
        self.title = QLabel(title)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.label = QLabel(body)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())
