"""The tray icon (or, where no tray exists, a small status window) and its menu.

The icon's *shape* tells the state, so it reads in a monochrome panel and for colour-blind users:
sitting is a filled disc with the bout's minutes in it, standing an upright bar with a head,
away a hollow ring, paused two vertical bars, and a camera problem a triangle with "!".
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QIcon,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hipcheck.ui.signals import emit

log = logging.getLogger(__name__)


class TrayMode(str, enum.Enum):
    """What the tray icon shows."""

    STARTING = "starting"
    SITTING = "sitting"
    STANDING = "standing"
    AWAY = "away"
    PAUSED = "paused"
    CAMERA_PROBLEM = "camera_problem"


_COLOURS = {
    TrayMode.STARTING: QColor("#8a8a8a"),
    TrayMode.SITTING: QColor("#d9822b"),
    TrayMode.STANDING: QColor("#2e9e5b"),
    TrayMode.AWAY: QColor("#5b7fb5"),
    TrayMode.PAUSED: QColor("#7a7a7a"),
    TrayMode.CAMERA_PROBLEM: QColor("#c62828"),
}


@dataclass(frozen=True)
class TrayView:
    """Everything the tray shows at one moment: mode, bout minutes and tooltip text."""

    mode: TrayMode
    bout_min: int = 0
    tooltip: str = "HipCheck"


def draw_icon(mode: TrayMode, bout_min: int = 0, size_px: int = 64) -> QImage:
    """Paint the tray icon for ``mode`` on a transparent square image."""
    image = QImage(size_px, size_px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    s = float(size_px)
    colour = _COLOURS[mode]
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    outline = QPen(QColor("#202020"), max(1.0, s / 32))
    if mode is TrayMode.SITTING:
        # Filled disc with the minutes: the number is the point of this state.
        p.setPen(outline)
        p.setBrush(colour)
        p.drawEllipse(QRectF(s * 0.03, s * 0.03, s * 0.94, s * 0.94))
        text = str(min(bout_min, 999))
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(s * (0.52 if len(text) <= 2 else 0.38)))
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(QRectF(0, 0, s, s), Qt.AlignmentFlag.AlignCenter, text)
    elif mode is TrayMode.STANDING:
        # An upright figure: head and a tall bar, nothing else.
        p.setPen(outline)
        p.setBrush(colour)
        p.drawEllipse(QRectF(s * 0.36, s * 0.02, s * 0.28, s * 0.28))
        p.drawRoundedRect(QRectF(s * 0.38, s * 0.34, s * 0.24, s * 0.64), s * 0.06, s * 0.06)
    elif mode is TrayMode.AWAY:
        # A hollow ring: nobody there.
        p.setPen(QPen(colour, s * 0.14))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QRectF(s * 0.12, s * 0.12, s * 0.76, s * 0.76))
    elif mode is TrayMode.PAUSED:
        p.setPen(outline)
        p.setBrush(colour)
        p.drawRect(QRectF(s * 0.18, s * 0.10, s * 0.22, s * 0.80))
        p.drawRect(QRectF(s * 0.60, s * 0.10, s * 0.22, s * 0.80))
    elif mode is TrayMode.CAMERA_PROBLEM:
        p.setPen(outline)
        p.setBrush(colour)
        p.drawPolygon(
            QPolygonF(
                [
                    QPointF(s * 0.5, s * 0.04),
                    QPointF(s * 0.97, s * 0.94),
                    QPointF(s * 0.03, s * 0.94),
                ]
            )
        )
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("white"))
        p.drawRoundedRect(QRectF(s * 0.45, s * 0.32, s * 0.10, s * 0.36), s * 0.03, s * 0.03)
        p.drawEllipse(QRectF(s * 0.44, s * 0.74, s * 0.12, s * 0.12))
    else:  # STARTING: a dotted ring, clearly "not yet"
        path = QPainterPath()
        path.addEllipse(QRectF(s * 0.15, s * 0.15, s * 0.70, s * 0.70))
        pen = QPen(colour, s * 0.10, Qt.PenStyle.DotLine)
        p.setPen(pen)
        p.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        p.drawPath(path)
    p.end()
    return image


def make_icon(view: TrayView) -> QIcon:
    """The QIcon for a tray view, drawn at the sizes panels ask for."""
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64):
        icon.addPixmap(QPixmap.fromImage(draw_icon(view.mode, view.bout_min, size)))
    return icon


class PauseChoice(str, enum.Enum):
    """The pause options the menu offers."""

    MIN_15 = "15 minutes"
    HOUR_1 = "1 hour"
    TOMORROW = "Until tomorrow"
    UNTIL_RESUMED = "Until resumed"


class TrayActions(QObject):
    """The app's actions, shared by the tray menu and the fallback status window."""

    pause_requested = Signal(object)  # PauseChoice

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pause: dict[PauseChoice, QAction] = {}
        for choice in PauseChoice:
            action = QAction(choice.value, self)
            action.triggered.connect(lambda _=False, c=choice: emit(self.pause_requested, c))
            self.pause[choice] = action
        self.resume = QAction("Resume monitoring", self)
        self.live_view = QAction("Live view", self)
        self.report = QAction("Today's report", self)
        self.settings = QAction("Settings…", self)
        self.take_break = QAction("Take a break now", self)
        self.quit = QAction("Quit HipCheck", self)
        self.resume.setEnabled(False)

    def all(self) -> list[QAction]:
        """Every action, in menu order."""
        return [
            *self.pause.values(),
            self.resume,
            self.live_view,
            self.report,
            self.settings,
            self.take_break,
            self.quit,
        ]

    def set_paused(self, paused: bool) -> None:
        """Offer resume while paused and pause options while running."""
        self.resume.setEnabled(paused)
        for action in self.pause.values():
            action.setEnabled(not paused)

    def build_menu(self, parent: QWidget | None = None) -> QMenu:
        """The tray menu: Pause ▸ / Resume, Live view, Today's report, Settings, break, Quit."""
        menu = QMenu(parent)
        self._pause_menu = menu.addMenu("Pause monitoring")
        for action in self.pause.values():
            self._pause_menu.addAction(action)
        menu.addAction(self.resume)
        menu.addSeparator()
        menu.addAction(self.live_view)
        menu.addAction(self.report)
        menu.addAction(self.settings)
        menu.addSeparator()
        menu.addAction(self.take_break)
        menu.addSeparator()
        menu.addAction(self.quit)
        return menu


class StatusWindow(QWidget):
    """A small always-available window with the tray's state and actions, for desktops without a tray."""

    def __init__(self, actions: TrayActions, notice: str) -> None:
        super().__init__()
        self.setWindowTitle("HipCheck")
        self._icon = QLabel()
        self._state = QLabel("Starting…")
        self._state.setWordWrap(True)
        layout = QVBoxLayout(self)
        note = QLabel(notice)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self._icon, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self._state)
        pause_button = QToolButton()
        pause_button.setText("Pause monitoring")
        pause_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        pause_menu = QMenu(pause_button)
        for action in actions.pause.values():
            pause_menu.addAction(action)
        pause_button.setMenu(pause_menu)
        pause_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        layout.addWidget(pause_button)
        self.buttons: list[QToolButton] = [pause_button]
        for action in (
            actions.resume,
            actions.live_view,
            actions.report,
            actions.settings,
            actions.take_break,
            actions.quit,
        ):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            layout.addWidget(button)
            self.buttons.append(button)

    def show_view(self, view: TrayView) -> None:
        """Show the current icon and tooltip text."""
        self._icon.setPixmap(QPixmap.fromImage(draw_icon(view.mode, view.bout_min, 48)))
        self._state.setText(view.tooltip)
        self.setWindowIcon(make_icon(view))

    def state_text(self) -> str:
        """The state text shown (for tests)."""
        return self._state.text()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The user's close minimises: without a tray this window is HipCheck's only sign.

        Only a spontaneous close (the title bar's button) is refused; Qt 6's quit() closes
        every window first and would be cancelled by a refusal.
        """
        if event.spontaneous():
            event.ignore()
            self.showMinimized()
        else:
            event.accept()


NO_TRAY_NOTICE = (
    "Your desktop has no system tray (on GNOME, install the AppIndicator extension), "
    "so HipCheck shows this window instead. Closing it only minimises it; "
    "use Quit to stop HipCheck."
)


class Tray(QObject):
    """The tray icon with its menu, or the status window where no tray exists."""

    def __init__(
        self,
        actions: TrayActions,
        *,
        tray_available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
        warn: Callable[[str], None] = lambda msg: log.warning("%s", msg),
    ) -> None:
        super().__init__()
        self.actions = actions
        self.icon: QSystemTrayIcon | None = None
        self.window: StatusWindow | None = None
        self._view = TrayView(TrayMode.STARTING, tooltip="HipCheck: starting…")
        if tray_available():
            self.menu = actions.build_menu()
            self.icon = QSystemTrayIcon(make_icon(self._view))
            self.icon.setContextMenu(self.menu)
            self.icon.setToolTip(self._view.tooltip)
            # A left click opens the same menu: panels differ in which click they forward.
            self.icon.activated.connect(self._on_activated)
        else:
            warn("No system tray found; showing the HipCheck status window instead.")
            self.window = StatusWindow(actions, NO_TRAY_NOTICE)
            self.window.show_view(self._view)

    @property
    def has_tray(self) -> bool:
        """True when a real tray icon is used."""
        return self.icon is not None

    @property
    def view(self) -> TrayView:
        """What is shown now."""
        return self._view

    def show(self) -> None:
        """Make the icon (or window) visible."""
        if self.icon is not None:
            self.icon.show()
        elif self.window is not None:
            self.window.show()

    def hide(self) -> None:
        """Remove the icon / hide the window (at quit)."""
        if self.icon is not None:
            self.icon.hide()
        if self.window is not None:
            self.window.hide()

    def show_view(self, view: TrayView) -> None:
        """Update icon and tooltip; redraws only when something visible changed."""
        if view == self._view:
            return
        redraw = (view.mode, view.bout_min) != (self._view.mode, self._view.bout_min)
        self._view = view
        if self.icon is not None:
            if redraw:
                self.icon.setIcon(make_icon(view))
            self.icon.setToolTip(view.tooltip)
        if self.window is not None:
            self.window.show_view(view)

    def show_message(self, title: str, text: str) -> bool:
        """A tray balloon (the last-resort notification); False when there is no tray icon."""
        if self.icon is None or not self.icon.supportsMessages():
            return False
        self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 15000)
        return True

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger and self.icon is not None:
            menu = self.icon.contextMenu()
            if menu is not None and self.icon.geometry().isValid():
                menu.popup(self.icon.geometry().center())
