"""Window sizes from the screen the window opens on, never from fixed numbers alone."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room left for the window frame and title bar the window manager adds around the window.
FRAME_MARGIN_PX = 48


def available_area(widget: QWidget) -> QRect:
    """The work area (the screen minus panels) of the screen ``widget`` is on, or the primary's."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 720)


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Size ``widget`` to ``width`` × ``height`` or less so it fits the work area, and centre it."""
    area = available_area(widget)
    w = max(200, min(width, area.width() - FRAME_MARGIN_PX))
    h = max(150, min(height, area.height() - FRAME_MARGIN_PX))
    widget.resize(w, h)
    widget.move(area.x() + (area.width() - w) // 2, area.y() + max(0, (area.height() - h) // 2))


def cap_to_screen(widget: QWidget) -> None:
    """Shrink a window whose preferred size is taller or wider than the work area."""
    area = available_area(widget)
    hint = widget.sizeHint()
    w = min(max(hint.width(), widget.width()), area.width() - FRAME_MARGIN_PX)
    h = min(max(hint.height(), widget.height()), area.height() - FRAME_MARGIN_PX)
    widget.resize(w, h)


__all__ = ["available_area", "cap_to_screen", "fit_to_screen"]
