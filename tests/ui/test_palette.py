"""Colour roles resolved from the Qt palette, and windows that follow a palette change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from hipcheck.core.colours import DARK, HIGH_CONTRAST, LIGHT, WCAG_AA, contrast_ratio
from hipcheck.ui.palette import dark_palette, light_palette, roles_of
from hipcheck.ui.report_window import ReportWindow


def test_dark_is_detected_from_the_window_colour() -> None:
    """A dark window colour picks the dark scheme; a light one the light scheme."""
    assert roles_of(dark_palette()).name == DARK.name
    assert roles_of(light_palette()).name == LIGHT.name


def test_black_on_white_is_high_contrast() -> None:
    """A pure black-on-white palette picks the high-contrast colours."""
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#000000"))
    roles = roles_of(palette)
    assert roles.name == HIGH_CONTRAST.name and roles.sitting == HIGH_CONTRAST.sitting


def test_the_themes_own_colours_are_kept_and_readable() -> None:
    """A theme's text and window colours win; muted text stays at 4.5:1 on that window."""
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#353535"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#dddddd"))
    roles = roles_of(palette)
    assert (roles.text, roles.background) == ("#dddddd", "#353535")
    assert contrast_ratio(roles.muted, roles.background) >= WCAG_AA


def test_report_follows_a_palette_change(qtbot: QtBot, tmp_path: Path) -> None:
    """Switching the window to a dark palette redraws its charts and labels in the dark scheme."""
    window = ReportWindow(tmp_path / "none.sqlite3", today=date(2026, 11, 10))
    qtbot.addWidget(window)
    assert window.chart_widgets["timeline"].renderer().isValid()
    assert window._roles is not None and window._roles.name == "light"
    window.setPalette(dark_palette())
    assert window._roles is not None and window._roles.name == "dark"
    assert DARK.muted in window.subtitle_label.styleSheet() or not window.subtitle_label.text()
    assert f"color: {DARK.text}" in window.empty_label.styleSheet()
