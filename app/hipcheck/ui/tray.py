"""The tray icon (or, where no tray exists, a small status window) and its menu.

The icon answers "how long until my break?": while sitting it is a pie that fills toward the
sitting limit and turns into a red disc with an up arrow when the break is due. Its *shape* tells
the other states, so it reads on light and dark panels and for colour-blind users: standing is an
upright figure with arms and legs, away a crescent moon, paused two bars, a camera problem a triangle with "!" (a
small one in the corner while HipCheck reminds by the clock alone).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
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
    QPainterPathStroker,
    QPen,
    QPixmap,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from hipcheck.core.colours import Roles
from hipcheck.ui.palette import ThemedMixin, colour_css
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


# Every colour is dark enough for white (and light panels) at >= 4.5:1; each shape also gets a
# white rim, so it stands out on dark panels too (tests/ui/test_tray.py measures both).
INK = QColor("#1f2933")
RIM = QColor("#ffffff")
_COLOURS = {
    TrayMode.STARTING: QColor("#4b5563"),
    TrayMode.SITTING: QColor("#1d4ed8"),
    TrayMode.STANDING: QColor("#166534"),
    TrayMode.AWAY: QColor("#374151"),
    TrayMode.PAUSED: QColor("#374151"),
    TrayMode.CAMERA_PROBLEM: QColor("#b42318"),
}
NEAR_LIMIT_COLOUR = QColor("#92400e")  # the last fifth before the limit
DUE_COLOUR = QColor("#b42318")
NEAR_LIMIT_SHARE = 0.8


@dataclass(frozen=True)
class TrayView:
    """Everything the tray shows at one moment.

    ``fill`` is the share of the sitting limit used (the icon's pie), ``due`` turns the icon into
    "get up now", ``camera_badge`` marks timer-only mode, ``status`` is the menu's first line.
    """

    mode: TrayMode
    fill: float = 0.0
    due: bool = False
    camera_badge: bool = False
    status: str = "Starting…"
    tooltip: str = "HipCheck"

    @property
    def icon_key(self) -> tuple[TrayMode, int, bool, bool]:
        """What the icon depends on (the pie in 1/24 steps, so it is redrawn rarely)."""
        return (self.mode, round(self.fill * 24), self.due, self.camera_badge)


def _rimmed(p: QPainter, path: QPainterPath, fill: QColor, rim_px: float) -> None:
    """Fill ``path`` with a white rim around it (visible on dark panels)."""
    p.setPen(
        QPen(
            RIM,
            rim_px * 2,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
    )
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(fill)
    p.drawPath(path)


def _pie(p: QPainter, s: float, fill: float, due: bool, rim: float) -> None:
    """The bout: a white disc with a dark ring that fills clockwise toward the sitting limit."""
    box = QRectF(s * 0.08, s * 0.08, s * 0.84, s * 0.84)
    ring = max(2.0, s / 8)
    if due:
        # The limit is reached: a full red disc with an upward arrow, "get up".
        disc = QPainterPath()
        disc.addEllipse(box)
        _rimmed(p, disc, DUE_COLOUR, rim)
        arrow = QPolygonF(
            [
                QPointF(s * 0.50, s * 0.20),
                QPointF(s * 0.76, s * 0.50),
                QPointF(s * 0.59, s * 0.50),
                QPointF(s * 0.59, s * 0.80),
                QPointF(s * 0.41, s * 0.80),
                QPointF(s * 0.41, s * 0.50),
                QPointF(s * 0.24, s * 0.50),
            ]
        )
        p.setBrush(RIM)
        p.drawPolygon(arrow)
        return
    # A white outer band (the silhouette on dark panels), a dark ring (on light panels).
    halo = max(1.5, s / 10)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(RIM)
    p.drawEllipse(QRectF(s * 0.02, s * 0.02, s * 0.96, s * 0.96))
    box = QRectF(s * 0.02 + halo, s * 0.02 + halo, s * 0.96 - 2 * halo, s * 0.96 - 2 * halo)
    p.setPen(QPen(INK, ring))
    p.setBrush(RIM)
    p.drawEllipse(box.adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2))
    if fill > 0:
        colour = NEAR_LIMIT_COLOUR if fill >= NEAR_LIMIT_SHARE else _COLOURS[TrayMode.SITTING]
        wedge = QPainterPath()
        inner = box.adjusted(ring, ring, -ring, -ring)
        wedge.moveTo(inner.center())
        # Qt angles: degrees counter-clockwise from 3 o'clock; start at 12, go clockwise.
        wedge.arcTo(inner, 90.0, -360.0 * max(fill, 0.04))
        wedge.closeSubpath()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawPath(wedge)


def _badge(p: QPainter, s: float, rim: float) -> None:
    """A small red triangle with "!" in the lower right: the camera is not measuring."""
    tri = QPainterPath()
    tri.addPolygon(
        QPolygonF(
            [QPointF(s * 0.74, s * 0.46), QPointF(s * 1.0, s * 0.98), QPointF(s * 0.48, s * 0.98)]
        )
    )
    tri.closeSubpath()
    _rimmed(p, tri, _COLOURS[TrayMode.CAMERA_PROBLEM], rim)
    p.setBrush(RIM)
    p.drawRect(QRectF(s * 0.715, s * 0.62, s * 0.05, s * 0.19))
    p.drawRect(QRectF(s * 0.715, s * 0.855, s * 0.05, s * 0.06))


def draw_icon(
    mode: TrayMode,
    fill: float = 0.0,
    size_px: int = 64,
    *,
    due: bool = False,
    camera_badge: bool = False,
) -> QImage:
    """Paint the tray icon for ``mode`` on a transparent square image.

    Shapes, not colours, tell the states apart: a pie filling toward the limit (sitting), a red
    disc with an up arrow (break due), a standing person (standing), a crescent moon (away),
    two bars (paused), a triangle with "!" (camera problem), a dotted ring (starting).
    """
    image = QImage(size_px, size_px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    s = float(size_px)
    colour = _COLOURS[mode]
    rim = max(1.0, s / 24)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if mode is TrayMode.SITTING:
        _pie(p, s, fill, due, rim)
    elif mode is TrayMode.STANDING:
        # A person standing: head, body, arms and two legs apart (not an "i").
        limbs = QPainterPath()
        limbs.moveTo(s * 0.50, s * 0.30)
        limbs.lineTo(s * 0.50, s * 0.60)
        limbs.lineTo(s * 0.30, s * 0.92)
        limbs.moveTo(s * 0.50, s * 0.60)
        limbs.lineTo(s * 0.70, s * 0.92)
        limbs.moveTo(s * 0.24, s * 0.52)
        limbs.lineTo(s * 0.50, s * 0.36)
        limbs.lineTo(s * 0.76, s * 0.52)
        stroke = QPainterPathStroker()
        stroke.setWidth(s * 0.14)
        stroke.setCapStyle(Qt.PenCapStyle.RoundCap)
        stroke.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        figure = stroke.createStroke(limbs)
        figure.addEllipse(QRectF(s * 0.37, s * 0.02, s * 0.26, s * 0.26))
        figure.setFillRule(Qt.FillRule.WindingFill)
        _rimmed(p, figure.simplified(), colour, rim)
    elif mode is TrayMode.AWAY:
        # A crescent moon, the usual "away" sign: nobody at the desk.
        moon = QPainterPath()
        moon.addEllipse(QRectF(s * 0.08, s * 0.08, s * 0.84, s * 0.84))
        bite = QPainterPath()
        bite.addEllipse(QRectF(s * 0.34, s * -0.04, s * 0.70, s * 0.70))
        _rimmed(p, moon.subtracted(bite), colour, rim)
    elif mode is TrayMode.PAUSED:
        bars = QPainterPath()
        bars.addRect(QRectF(s * 0.18, s * 0.10, s * 0.24, s * 0.80))
        bars.addRect(QRectF(s * 0.58, s * 0.10, s * 0.24, s * 0.80))
        _rimmed(p, bars, colour, rim)
    elif mode is TrayMode.CAMERA_PROBLEM:
        tri = QPainterPath()
        tri.addPolygon(
            QPolygonF(
                [
                    QPointF(s * 0.5, s * 0.06),
                    QPointF(s * 0.96, s * 0.92),
                    QPointF(s * 0.04, s * 0.92),
                ]
            )
        )
        tri.closeSubpath()
        _rimmed(p, tri, colour, rim)
        p.setBrush(RIM)
        p.drawRect(QRectF(s * 0.44, s * 0.32, s * 0.12, s * 0.34))
        p.drawRect(QRectF(s * 0.44, s * 0.72, s * 0.12, s * 0.12))
    else:  # STARTING: a dotted ring, clearly "not yet"
        path = QPainterPath()
        path.addEllipse(QRectF(s * 0.15, s * 0.15, s * 0.70, s * 0.70))
        p.setPen(QPen(RIM, s * 0.16, Qt.PenStyle.DotLine))
        p.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        p.drawPath(path)
        p.setPen(QPen(colour, s * 0.10, Qt.PenStyle.DotLine))
        p.drawPath(path)
    if camera_badge and mode is not TrayMode.CAMERA_PROBLEM:
        _badge(p, s, rim)
    p.end()
    return image


def make_icon(view: TrayView) -> QIcon:
    """The QIcon for a tray view, drawn at the sizes panels ask for."""
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64):
        icon.addPixmap(
            QPixmap.fromImage(
                draw_icon(view.mode, view.fill, size, due=view.due, camera_badge=view.camera_badge)
            )
        )
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
        # The menu's first line answers "how long until my break?": in bold and at full
        # contrast (a disabled line would be the faintest in the menu); it opens the live view.
        self.status = QAction("Starting…", self)
        self.status.setToolTip("Open the live view")
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)
        self.pause: dict[PauseChoice, QAction] = {}
        for choice in PauseChoice:
            action = QAction(choice.value, self)
            action.triggered.connect(lambda _=False, c=choice: emit(self.pause_requested, c))
            self.pause[choice] = action
        self.resume = QAction("Resume monitoring", self)
        self.took_break = QAction("I just took a break", self)
        self.took_break.setToolTip("Start the sitting count again from now")
        self.live_view = QAction("Live view", self)
        self.report = QAction("Today's report", self)
        self.settings = QAction("Settings…", self)
        self.take_break = QAction("Take a break now", self)
        self.first_run = QAction("Set up HipCheck…", self)
        self.about = QAction("About HipCheck", self)
        self.quit = QAction("Quit HipCheck", self)
        self.resume.setEnabled(False)
        self.first_run.setEnabled(False)  # enabled when the app has a first-run window

    def all(self) -> list[QAction]:
        """Every action, in menu order."""
        return [
            *self.pause.values(),
            self.resume,
            self.took_break,
            self.live_view,
            self.report,
            self.settings,
            self.take_break,
            self.first_run,
            self.about,
            self.quit,
        ]

    def set_paused(self, paused: bool) -> None:
        """Offer resume while paused and pause options while running."""
        self.resume.setEnabled(paused)
        for action in self.pause.values():
            action.setEnabled(not paused)

    def build_menu(self, parent: QWidget | None = None) -> QMenu:
        """The tray menu: status line, Pause ▸ / Resume, break actions, windows, About, Quit."""
        menu = QMenu(parent)
        menu.addAction(self.status)
        menu.addSeparator()
        self._pause_menu = menu.addMenu("Pause monitoring")
        for action in self.pause.values():
            self._pause_menu.addAction(action)
        menu.addAction(self.resume)
        menu.addSeparator()
        menu.addAction(self.took_break)
        menu.addAction(self.take_break)
        menu.addSeparator()
        menu.addAction(self.live_view)
        menu.addAction(self.report)
        menu.addAction(self.settings)
        menu.addSeparator()
        menu.addAction(self.first_run)
        menu.addAction(self.about)
        menu.addAction(self.quit)
        return menu


def _wrapping_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    # Wrapped labels take any width the window has; the layout asks them for their height.
    policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    label.setSizePolicy(policy)
    return label


class StatusWindow(ThemedMixin, QWidget):
    """A window with the tray's state and actions, for desktops without a tray.

    It lays out at any width: every text wraps, and the buttons share rows as the width allows.
    """

    MIN_WIDTH_PX = 200

    def __init__(self, actions: TrayActions, notice: str) -> None:
        super().__init__()
        self.setWindowTitle("HipCheck")
        self.setMinimumWidth(self.MIN_WIDTH_PX)
        self._icon = QLabel()
        self._icon.setFixedSize(48, 48)
        self._status = _wrapping_label("Starting…")
        font = QFont(self._status.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self._status.setFont(font)
        self._state = _wrapping_label()
        self.notice = _wrapping_label(notice)
        top = QHBoxLayout()
        top.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self._status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self._state)
        pause_button = QPushButton("Pause monitoring")
        pause_menu = QMenu(pause_button)
        for action in actions.pause.values():
            pause_menu.addAction(action)
        pause_button.setMenu(pause_menu)
        self.buttons: list[QPushButton] = [pause_button]
        grid = QGridLayout()
        self._grid = grid
        for action in (
            actions.resume,
            actions.took_break,
            actions.take_break,
            actions.live_view,
            actions.report,
            actions.settings,
            actions.first_run,
            actions.about,
            actions.quit,
        ):
            self.buttons.append(ActionButton(action))
        for button in self.buttons:
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addWidget(self.notice)
        layout.addStretch(1)
        self._columns = 0
        width = 360
        # Lay the buttons out for the first width, so the first height fits them (no empty band).
        self._arrange(self._columns_for(width))
        self.resize(width, layout.totalHeightForWidth(width))
        self.refresh_roles()

    def apply_roles(self, roles: Roles) -> None:
        """The notice under the buttons is secondary text."""
        self.notice.setStyleSheet(colour_css(roles, "muted"))

    def changeEvent(self, event: QEvent) -> None:
        """A new desktop palette recolours the window."""
        self.themed_change(event)
        super().changeEvent(event)

    def _columns_for(self, width: int) -> int:
        """As many button columns (up to 3) as fit ``width``."""
        widest = max(b.fontMetrics().horizontalAdvance(b.text()) for b in self.buttons) + 40
        return max(1, min(3, width // widest))

    def _arrange(self, columns: int) -> None:
        """Put the buttons into ``columns`` columns (one on a narrow window, more when wide)."""
        if columns == self._columns:
            return
        self._columns = columns
        for button in self.buttons:
            self._grid.removeWidget(button)
        for i, button in enumerate(self.buttons):
            self._grid.addWidget(button, i // columns, i % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """More button columns as the window widens; every text keeps wrapping."""
        width = event.size().width()
        self._arrange(self._columns_for(width))
        super().resizeEvent(event)
        # A top-level window does not follow its layout's height-for-width by itself: never
        # let it be shorter than its wrapped text needs at this width.
        layout = self.layout()
        if layout is not None:
            self.setMinimumHeight(layout.totalHeightForWidth(width))

    def show_view(self, view: TrayView) -> None:
        """Show the current icon, status line and tooltip text."""
        self._icon.setPixmap(
            QPixmap.fromImage(
                draw_icon(view.mode, view.fill, 48, due=view.due, camera_badge=view.camera_badge)
            )
        )
        self._status.setText(view.status)
        self._state.setText(view.tooltip.partition("\n")[2])
        self.setWindowIcon(make_icon(view))

    def status_text(self) -> str:
        """The status line shown (for tests)."""
        return self._status.text()

    def state_text(self) -> str:
        """The status line and the details shown (for tests)."""
        return f"{self._status.text()}\n{self._state.text()}"

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


class ActionButton(QPushButton):
    """A push button that mirrors an action (text, enabled state) and triggers it."""

    def __init__(self, action: QAction) -> None:
        super().__init__(action.text())
        self._action = action
        self.setToolTip(action.toolTip())
        self.setEnabled(action.isEnabled())
        self.clicked.connect(action.trigger)
        action.changed.connect(self._sync)

    def defaultAction(self) -> QAction:
        """The action this button stands for."""
        return self._action

    def _sync(self) -> None:
        self.setEnabled(self._action.isEnabled())
        self.setText(self._action.text())


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
        self._view = TrayView(TrayMode.STARTING, tooltip="HipCheck — starting…")
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
        redraw = view.icon_key != self._view.icon_key
        self._view = view
        self.actions.status.setText(view.status)
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
