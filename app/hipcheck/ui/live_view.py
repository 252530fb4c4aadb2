"""The live view: the camera picture with the skeleton, hip angle, state, bout timer and framing advice.

Frames reach this window only while it is open and only as in-memory ``QImage`` copies; nothing
is written anywhere. Closing the window hides it; monitoring goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QHideEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from hipcheck.core import types as t
from hipcheck.core.glossary import (
    BENT_HIPS,
    NO_STRETCH,
    SITTING_STRETCH,
    duration,
    hip_angle,
    state_name,
)
from hipcheck.core.types import Landmark, Observation, PoseSample
from hipcheck.ui.signals import emit

if TYPE_CHECKING:
    from hipcheck.vision.engine import SampleRecord

VISIBLE = 0.5
POINT_HINT = "Following someone else? Click yourself in the picture."
POINTED = "Thanks: HipCheck now follows the person you clicked."
TOO_DARK_LUMA = 45.0  # mean luminance 0–255 below which MediaPipe loses people in our footage
TOO_FAR_HEIGHT_SHARE = 0.30  # a seated body spanning less than this of the frame height

# The BlazePose skeleton, drawn as bones between landmark indices.
BONES: tuple[tuple[int, int], ...] = (
    (t.LEFT_EAR, t.NOSE),
    (t.NOSE, t.RIGHT_EAR),
    (t.LEFT_SHOULDER, t.RIGHT_SHOULDER),
    (t.LEFT_SHOULDER, 13),
    (13, t.LEFT_WRIST),
    (t.RIGHT_SHOULDER, 14),
    (14, t.RIGHT_WRIST),
    (t.LEFT_SHOULDER, t.LEFT_HIP),
    (t.RIGHT_SHOULDER, t.RIGHT_HIP),
    (t.LEFT_HIP, t.RIGHT_HIP),
    (t.LEFT_HIP, t.LEFT_KNEE),
    (t.LEFT_KNEE, t.LEFT_ANKLE),
    (t.RIGHT_HIP, t.RIGHT_KNEE),
    (t.RIGHT_KNEE, t.RIGHT_ANKLE),
)
HIP_ANGLE_POINTS = {
    t.Side.LEFT: (t.LEFT_SHOULDER, t.LEFT_HIP, t.LEFT_KNEE),
    t.Side.RIGHT: (t.RIGHT_SHOULDER, t.RIGHT_HIP, t.RIGHT_KNEE),
}

ADVICE_DARK = "Too dark: switch on a light or face a window so the camera can see you."
ADVICE_NOBODY = "Nobody in view: sit where the camera can see you."
ADVICE_FAR = "You look far away: move the camera closer so your body fills more of the picture."
ADVICE_HIPS = (
    "Hips not visible: place the camera to your side, at desk height, "
    "so it sees your hip and knee to measure the hip angle."
)
ADVICE_KNEES = "Knees not visible: tilt or move the camera down a little so it sees your knees."
FRONT_NOTE = (
    "Camera in front of you: HipCheck measures when you sit, stand up and leave, "
    "not the hip angle (that needs the camera beside you)."
)
LEGEND = "Solid lines: seen · dashed lines: guessed (hidden from the camera)"
WAITING = "Waiting for the camera…"
NO_PICTURE = "No picture: the camera cannot be used (see below)"


def mean_luminance(image: QImage) -> float:
    """Mean luminance (0–255) of ``image``, from a small grey thumbnail (cheap at any size)."""
    if image.isNull():
        return 0.0
    small = image.scaled(32, 18, Qt.AspectRatioMode.IgnoreAspectRatio).convertToFormat(
        QImage.Format.Format_Grayscale8
    )
    total = 0
    for y in range(small.height()):
        for x in range(small.width()):
            total += small.pixelColor(x, y).value()
    return total / (small.width() * small.height())


def body_height_share(sample: PoseSample) -> float:
    """The vertical share of the frame spanned by the visible landmarks (0 when none)."""
    ys = [lm.y for lm in sample.image if lm.visibility >= VISIBLE]
    if len(ys) < 2:
        return 0.0
    return max(0.0, min(1.0, max(ys)) - max(0.0, min(ys)))


def framing_advice(
    sample: PoseSample | None,
    observation: Observation | None,
    luminance: float | None,
    *,
    front: bool = False,
) -> list[str]:
    """What to fix about the camera's framing, most important first (empty when all is fine).

    With the camera in front (``front``), hidden hips and knees are expected, not advice.
    """
    advice: list[str] = []
    if luminance is not None and luminance < TOO_DARK_LUMA:
        advice.append(ADVICE_DARK)
    if observation is None or not observation.person_present or sample is None:
        advice.append(ADVICE_NOBODY)
        return advice
    if body_height_share(sample) < TOO_FAR_HEIGHT_SHARE:
        advice.append(ADVICE_FAR)
    if front:
        return advice
    if not observation.hips_visible:
        advice.append(ADVICE_HIPS)
    elif not observation.knees_visible:
        advice.append(ADVICE_KNEES)
    return advice


@dataclass(frozen=True)
class LiveText:
    """The text panel of the live view for one processed sample."""

    state: str
    angle: str
    bout: str
    advice: tuple[str, ...]


def live_text(
    record: SampleRecord | None,
    luminance: float | None,
    paused: str = "",
    *,
    camera_problem: str = "",
    front: bool = False,
) -> LiveText:
    """Compose the live view's text from the newest engine record."""
    if paused:
        return LiveText(paused, "", "", ())
    if camera_problem:
        return LiveText("No camera: reminding by the clock", "", "", (camera_problem,))
    if record is None:
        return LiveText("Starting the camera…", "", "", ())
    obs = record.observation
    state = record.state
    state_text = state_name(state.value)
    if obs.hip_angle_deg is not None and obs.flexion_deg is not None:
        side = f", {obs.side.value} side" if obs.side is not None else ""
        angle = f"Hip angle {hip_angle(obs.hip_angle_deg)}{side}"
    elif front:
        angle = FRONT_NOTE
    else:
        angle = "Hip angle: not measurable from this view"
    summary = record.summary
    if summary.in_bout:
        bout = f"This {SITTING_STRETCH}: {duration(summary.current_bout_s)}"
        if summary.current_bout_flexion_s > 0:
            bout += f" ({BENT_HIPS} {duration(summary.current_bout_flexion_s)})"
    else:
        bout = NO_STRETCH
    advice = framing_advice(record.sample, obs, luminance, front=front)
    if record.calibration_note:
        advice.append(f"Calibration not used: {record.calibration_note}.")
    return LiveText(state_text, angle, bout, tuple(advice))


class FrameView(QWidget):
    """Paints the newest frame scaled to fit, with the skeleton on top; a click on the picture
    emits ``pointed`` with the place as fractions of the picture's width and height."""

    pointed = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._image = QImage()
        self._sample: PoseSample | None = None
        self._side: t.Side | None = None
        self._placeholder = WAITING
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        """A 16:9 default size."""
        return QSize(640, 360)

    def set_frame(self, image: QImage) -> None:
        """Show a new frame (already a private copy)."""
        self._image = image
        self.update()

    def set_pose(self, sample: PoseSample | None, side: t.Side | None) -> None:
        """Draw this pose over the frame (None: no skeleton)."""
        self._sample = sample
        self._side = side
        self.update()

    def set_placeholder(self, text: str) -> None:
        """What the empty picture says (``WAITING`` unless the camera has a problem)."""
        self._placeholder = text or WAITING
        self.update()

    def clear(self) -> None:
        """Forget the frame (when the window closes: frames live only while shown)."""
        self._image = QImage()
        self._sample = None
        self.update()

    def picture_point(self, x: float, y: float) -> tuple[float, float] | None:
        """Where widget point (x, y) lies in the picture, as fractions (None: off the picture)."""
        if self._image.isNull():
            return None
        target = _fit(self._image.width(), self._image.height(), self.width(), self.height())
        if not target.contains(QPointF(x, y)):
            return None
        return (x - target.x()) / target.width(), (y - target.y()) / target.height()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click on someone in the picture says "that's me"."""
        if event.button() == Qt.MouseButton.LeftButton:
            where = self.picture_point(event.position().x(), event.position().y())
            if where is not None:
                emit(self.pointed, *where)
                return
        super().mousePressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw frame, skeleton and the measured hip angle."""
        del event
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#101010"))
        if self._image.isNull():
            p.setPen(QColor("#d0d0d0"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        target = _fit(self._image.width(), self._image.height(), self.width(), self.height())
        p.drawImage(target, self._image)
        p.setClipRect(target)  # guessed landmarks may lie outside the picture
        if self._sample is not None:
            _draw_skeleton(p, target, self._sample.image, self._side)
        p.end()


def _fit(w: int, h: int, box_w: int, box_h: int) -> QRectF:
    scale = min(box_w / w, box_h / h)
    dw, dh = w * scale, h * scale
    return QRectF((box_w - dw) / 2, (box_h - dh) / 2, dw, dh)


def _draw_skeleton(
    p: QPainter, target: QRectF, landmarks: Sequence[Landmark], side: t.Side | None
) -> None:
    def point(i: int) -> QPointF:
        lm = landmarks[i]
        return QPointF(target.x() + lm.x * target.width(), target.y() + lm.y * target.height())

    width = max(2.0, target.width() / 200)
    for a, b in BONES:
        seen = min(landmarks[a].visibility, landmarks[b].visibility) >= VISIBLE
        pen = QPen(QColor(80, 220, 120) if seen else QColor(255, 200, 60, 140), width)
        # Guessed (low-visibility) bones are dashed: MediaPipe invents hidden hips.
        pen.setStyle(Qt.PenStyle.SolidLine if seen else Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawLine(point(a), point(b))
    p.setPen(Qt.PenStyle.NoPen)
    for i, lm in enumerate(landmarks):
        if i in (t.NOSE, *range(11, 17), *range(23, 29)):
            p.setBrush(QColor(80, 220, 120) if lm.visibility >= VISIBLE else QColor(255, 200, 60))
            p.drawEllipse(point(i), width * 1.4, width * 1.4)
    if side is not None:
        s, h, k = HIP_ANGLE_POINTS[side]
        p.setPen(QPen(QColor(40, 160, 255), width * 2))
        p.drawLine(point(s), point(h))
        p.drawLine(point(h), point(k))


class LiveView(QWidget):
    """The live view window; emits ``visibility_changed`` so the worker sends frames only while shown."""

    visibility_changed = Signal(bool)
    choose_camera_requested = Signal()
    user_pointed = Signal(float, float)  # "that's me": fractions of the picture

    def __init__(self, parent: QWidget | None = None, *, front: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("HipCheck — live view")
        self.front = front
        self.frame_view = FrameView()
        self.frame_view.pointed.connect(self._pointed)
        self.point_hint = QLabel(POINT_HINT)
        self.point_hint.setWordWrap(True)
        self.state_label = QLabel()
        big = QFont()
        big.setPointSize(16)
        big.setBold(True)
        self.state_label.setFont(big)
        self.angle_label = QLabel()
        self.bout_label = QLabel()
        self.advice_label = QLabel()
        self.advice_label.setWordWrap(True)
        self.advice_label.setStyleSheet("color: #b45309;")
        self.angle_label.setWordWrap(True)
        self.legend_label = QLabel(LEGEND)
        self.legend_label.setWordWrap(True)
        self.choose_camera = QPushButton("Choose camera…")
        self.choose_camera.clicked.connect(lambda: emit(self.choose_camera_requested))
        privacy = QLabel("The picture stays in memory on this computer; nothing is recorded.")
        privacy.setWordWrap(True)
        for quiet in (privacy, self.legend_label, self.point_hint):
            quiet.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.frame_view, stretch=1)
        layout.addWidget(self.legend_label)
        layout.addWidget(self.point_hint)
        for label in (self.state_label, self.angle_label, self.bout_label, self.advice_label):
            layout.addWidget(label)
        layout.addWidget(self.choose_camera, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(privacy)
        self._record: SampleRecord | None = None
        self._luminance: float | None = None
        self._paused = ""
        self._camera_problem = ""
        self._render()
        self.resize(720, 600)

    def _pointed(self, x: float, y: float) -> None:
        """The user clicked themselves: pass it on and say so."""
        self.point_hint.setText(POINTED)
        emit(self.user_pointed, x, y)

    def set_frame(self, image: QImage) -> None:
        """A new camera frame (only arrives while the window is shown)."""
        if not self.isVisible():
            return
        self._luminance = mean_luminance(image)
        self.frame_view.set_frame(image)
        self._render()

    def set_record(self, record: SampleRecord) -> None:
        """A new processed sample from the engine."""
        self._record = record
        if self.isVisible():
            obs = record.observation
            # The measured side is highlighted only when an angle was actually measured.
            side = obs.side if obs.hip_angle_deg is not None else None
            self.frame_view.set_pose(record.sample, side)
            self._render()

    def set_paused(self, text: str) -> None:
        """Show that monitoring is paused (empty text: running again)."""
        self._paused = text
        if text:
            self.frame_view.clear()
        self._render()

    def set_camera_problem(self, message: str) -> None:
        """The camera cannot be used: say why and what to do (empty: measuring again)."""
        if message == self._camera_problem:
            return
        self._camera_problem = message
        self.frame_view.set_placeholder(NO_PICTURE if message else WAITING)
        if message:
            self.frame_view.clear()
        self._render()

    def set_front(self, front: bool) -> None:
        """Where the camera is (the ``camera_position`` setting): front or side."""
        self.front = front
        self._render()

    def text(self) -> LiveText:
        """What the text panel shows now."""
        return live_text(
            self._record,
            self._luminance,
            self._paused,
            camera_problem=self._camera_problem,
            front=self.front,
        )

    def _render(self) -> None:
        text = self.text()
        self.state_label.setText(text.state)
        self.angle_label.setText(text.angle)
        self.bout_label.setText(text.bout)
        self.advice_label.setText("\n".join(f"• {a}" for a in text.advice))
        self.advice_label.setVisible(bool(text.advice))
        self.choose_camera.setVisible(bool(self._camera_problem))

    def showEvent(self, event: QShowEvent) -> None:
        """Ask for frames while shown."""
        super().showEvent(event)
        emit(self.visibility_changed, True)

    def hideEvent(self, event: QHideEvent) -> None:
        """Stop frames while hidden (closing hides; monitoring keeps running)."""
        super().hideEvent(event)
        emit(self.visibility_changed, False)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing only hides the window and drops the frame."""
        event.accept()
        self.frame_view.clear()
        self._luminance = None
