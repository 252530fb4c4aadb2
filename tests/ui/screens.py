"""Screenshots of every window on one simulated screen, and what a person would notice in them.

Run as a script (one screen per process: Qt reads the screen at start-up)::

    python tests/ui/screens.py --scheme dark --size 1280x720 --dpr 2 --out test-artifacts/screens

It opens each window (report with a two-week history, every settings tab, calibration, break
windows, the first run, the window shown without a tray, the tray menu, About) on an offscreen
screen of that size and pixel ratio, in the light or dark palette, saves a PNG of each, and
prints JSON: per window, the problems found:

* ``outside``: the window is larger than the screen's work area, or not on it;
* ``clipped``: a label or button is smaller than its text needs (cut text), or lies outside its
  window;
* ``contrast``: a label's or button's text colour on the background actually painted under it
  (sampled from the screenshot) is under 4.5:1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent)]

from hipcheck.core.colours import SCHEMES  # noqa: E402 - Qt-free, safe before the screen is set


def _screen_config(width: int, height: int, dpr: float) -> str:
    """An offscreen-platform config file describing one screen (logical size, pixel ratio)."""
    fd, path = tempfile.mkstemp(suffix=".json", prefix="hipcheck-screen-")
    screen = {
        "name": "screen",
        "x": 0,
        "y": 0,
        "width": width,
        "height": height,
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
        "dpr": dpr,
    }
    with os.fdopen(fd, "w") as fh:
        json.dump({"synthesizedMultiTouch": False, "screens": [screen]}, fh)
    return path


# ---- what a person would notice -------------------------------------------------------------


def _problems(window: Any, image: Any, dpr: float) -> list[str]:
    """Outside the work area, clipped text, low contrast: one line each."""
    from PySide6.QtCore import QPoint, QRect, QSize, Qt
    from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QTabBar

    from hipcheck.core.colours import WCAG_AA, contrast_ratio

    found = []
    area = window.screen().availableGeometry()
    if not area.contains(window.frameGeometry()):
        found.append(
            f"outside: window {window.frameGeometry().getRect()} vs work area {area.getRect()}"
        )
    whole = QRect(QPoint(0, 0), window.size())
    for scroll in window.findChildren(QScrollArea):
        if scroll.isVisible() and scroll.horizontalScrollBar().isVisible():
            found.append(f"sideways: {scroll.widget().objectName() or 'a page'} scrolls sideways")
    for w in window.findChildren(QLabel) + window.findChildren(QAbstractButton):
        if not w.isVisibleTo(window) or not w.isVisible() or isinstance(w.parent(), QTabBar):
            continue
        text = w.text()
        if not text or (
            isinstance(w, QLabel) and w.pixmap() is not None and not w.pixmap().isNull()
        ):
            continue
        name = f"{type(w).__name__} {text[:40]!r}"
        top_left = w.mapTo(window, QPoint(0, 0))
        rect = QRect(top_left, w.size())
        in_scroll = any(isinstance(a, QScrollArea) for a in _ancestors(w, window))
        if not in_scroll and not whole.contains(rect):
            found.append(f"clipped: {name} at {rect.getRect()} outside the window")
            continue
        need = w.minimumSizeHint()
        wraps = isinstance(w, QLabel) and w.wordWrap()
        if wraps:  # a wrapped label needs the height of its painted lines at its width
            inner = w.contentsRect()
            lines = w.fontMetrics().boundingRect(
                0, 0, max(1, inner.width()), 100_000, Qt.TextFlag.TextWordWrap, w.text()
            )
            need = QSize(need.width(), lines.height() + w.height() - inner.height())
        if (not wraps and w.width() + 1 < need.width()) or w.height() + 1 < need.height():
            found.append(
                f"clipped: {name} is {w.width()}×{w.height()}, needs {need.width()}×{need.height()}"
            )
        if not w.isEnabled():
            continue  # WCAG exempts inactive controls
        visible = rect.intersected(whole)
        if isinstance(w, QAbstractButton):  # the face, inside the frame and focus ring
            visible = visible.adjusted(4, 4, -4, -4)
        bg = _background(image, visible, dpr)
        if bg is None:
            continue
        fg = w.palette().color(w.foregroundRole()).name()
        ratio = contrast_ratio(fg, bg)
        if ratio < WCAG_AA:
            found.append(f"contrast: {name} {fg} on {bg} is {ratio:.2f}:1")
    return found


def _ancestors(w: Any, stop: Any) -> Iterator[Any]:
    p = w.parentWidget()
    while p is not None and p is not stop:
        yield p
        p = p.parentWidget()


def _background(image: Any, rect: Any, dpr: float) -> str | None:
    """The colour most of ``rect`` is painted in (the background under the text)."""
    from PySide6.QtGui import QColor

    counts: Counter[int] = Counter()
    x0, y0 = int(rect.x() * dpr), int(rect.y() * dpr)
    x1, y1 = int((rect.x() + rect.width()) * dpr), int((rect.y() + rect.height()) * dpr)
    step = max(1, int(dpr))
    for y in range(max(0, y0), min(image.height(), y1), step):
        for x in range(max(0, x0), min(image.width(), x1), step):
            counts[image.pixel(x, y) & 0xFFFFFF] += 1
    if not counts:
        return None
    # Gradients (button faces) spread over near colours: count by coarse bins, then take the
    # most common exact colour of the winning bin.
    bins: Counter[int] = Counter()
    for rgb, n in counts.items():
        bins[rgb & 0xF0F0F0] += n
    best_bin = bins.most_common(1)[0][0]
    rgb = max((c for c in counts if c & 0xF0F0F0 == best_bin), key=lambda c: counts[c])
    return QColor(rgb | 0xFF000000).name()


# ---- a two-week history ----------------------------------------------------------------------


def two_weeks(store: Any, today: date, tz: Any) -> None:
    """Fourteen days before ``today``: workdays of sitting, standing, breaks; weekends empty."""
    from hipcheck.core.types import State

    plan = [
        (State.SITTING, 50, 104.0),
        (State.STANDING, 6, None),
        (State.SITTING, 65, 118.0),
        (State.AWAY, 12, None),
        (State.SITTING, 40, 96.0),
        (State.UNKNOWN, 4, None),
        (State.SITTING, 35, 131.0),
        (State.AWAY, 55, None),
        (State.SITTING, 70, 110.0),
        (State.STANDING, 9, None),
        (State.SITTING, 45, 139.0),
        (State.STANDING, 15, None),
        (State.SITTING, 30, 100.0),
    ]
    for back in range(14, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        t = datetime(day.year, day.month, day.day, 8, 40 + (back % 4) * 5, tzinfo=tz)
        for i, (state, minutes, angle) in enumerate(plan):
            length = minutes + (back * (i + 1)) % 9
            end = t + timedelta(minutes=length)
            flexion = length * 60.0 if angle is not None and angle <= 135 else 0.0
            store.record_interval(t, end, state, angle, flexion)
            if state is State.SITTING and length >= 45:
                nudge = t + timedelta(minutes=45)
                store.record_event(nudge, "nudge", {"bout_s": 2700})
                if (back + i) % 3 == 0:
                    store.record_event(nudge + timedelta(minutes=1), "snooze", {})
                else:
                    exercise = "deadbug" if (back + i) % 2 else "glute_bridge"
                    store.record_event(
                        nudge + timedelta(minutes=2),
                        "break_done",
                        {"exercise": exercise, "how": "stood_up"},
                    )
            t = end


# ---- the windows -----------------------------------------------------------------------------


def windows(tmp: Path) -> Iterator[tuple[str, Callable[[], Any]]]:
    """(name, factory) of every window to shoot, each in the state a person sees it."""
    from zoneinfo import ZoneInfo

    from hipcheck.core.clock import FakeClock
    from hipcheck.core.exercise import Exercise, ExerciseChoice, Variant
    from hipcheck.core.settings import Settings
    from hipcheck.store.db import Store
    from hipcheck.ui.break_window import BreakWindow
    from hipcheck.ui.settings_dialog import CameraChoice, SettingsDialog

    tz = ZoneInfo("Europe/Berlin")
    today = date(2026, 11, 25)
    store = Store.open(tmp / "hipcheck.sqlite3")
    two_weeks(store, today, tz)

    def report() -> Any:
        from hipcheck.ui.report_window import ReportWindow

        w = ReportWindow(
            store, today=today, tz=tz, now=lambda: datetime(2026, 11, 25, 11, 0, tzinfo=tz)
        )
        w.show_day(today - timedelta(days=1))
        return w

    yield "report", report

    def settings(tab: int) -> Callable[[], Any]:
        def make() -> Any:
            dlg = SettingsDialog(
                Settings(),
                lambda _s: None,
                cameras=lambda: [CameraChoice("0", "Camera 1 — Integrated Webcam")],
                capture_opener=_no_camera,
            )
            dlg.tabs.setCurrentIndex(tab)
            return dlg

        return make

    probe = SettingsDialog(
        Settings(), lambda _s: None, cameras=lambda: [], capture_opener=_no_camera
    )
    for index in range(probe.tabs.count()):
        label = probe.tabs.tabText(index).replace("&&", "and").replace(" ", "-").lower()
        yield f"settings-{index + 1}-{label}", settings(index)
    probe.deleteLater()

    def calibration(seated: bool) -> Callable[[], Any]:
        def make() -> Any:
            from hipcheck.ui.calibration import CalibrationDialog

            clock = FakeClock()
            dlg = CalibrationDialog(clock=clock)
            if seated:
                dlg.start()
                clock.advance(1.2)
                _feed_calibration(dlg)
            return dlg

        return make

    yield "calibration-intro", calibration(False)
    yield "calibration-seated", calibration(True)

    def break_window(exercise: Exercise, variant: Variant, reason: str) -> Callable[[], Any]:
        def make() -> Any:
            return BreakWindow(
                ExerciseChoice(exercise, variant, reason),
                on_done=lambda _r: None,
                on_skip=lambda _r: None,
                on_postpone=lambda _s: None,
                clock=FakeClock(),
            )

        return make

    yield (
        "break-glute-bridge",
        break_window(
            Exercise.GLUTE_BRIDGE,
            Variant.FLOOR,
            "You've been sitting folded forward for 52 min.",
        ),
    )
    yield (
        "break-standing-march",
        break_window(
            Exercise.DEADBUG,
            Variant.OFFICE,
            "You've been sitting for 47 min; today's breaks have had fewer dead bugs.",
        ),
    )

    def first_run(has_tray: bool, problem: str) -> Callable[[], Any]:
        def make() -> Any:
            from hipcheck.ui.first_run import FirstRunWindow

            w = FirstRunWindow(
                Settings(), save=lambda _c: Settings(), mark_done=lambda: None, has_tray=has_tray
            )
            w.set_camera_problem(problem)
            return w

        return make

    yield "first-run", first_run(True, "")
    yield (
        "first-run-no-camera-no-tray",
        first_run(
            False,
            "Camera 1 is in use by another program (a video call?). HipCheck reminds you by the"
            " clock until it is free, and starts measuring again by itself.",
        ),
    )

    def no_tray() -> Any:
        from hipcheck.ui.tray import NO_TRAY_NOTICE, StatusWindow, TrayActions, TrayMode, TrayView

        w = StatusWindow(TrayActions(), NO_TRAY_NOTICE)
        w.show_view(
            TrayView(
                mode=TrayMode.SITTING,
                fill=0.5,
                status="Sitting 23 min · break in 22 min",
                tooltip="HipCheck — Sitting 23 min\nToday: sitting 2 h 10 min, hips bent 1 h 02 min",
            )
        )
        return w

    yield "no-tray", no_tray

    kept: list[Any] = []

    def tray_menu() -> Any:
        from hipcheck.ui.tray import TrayActions

        actions = TrayActions()
        actions.status.setText("Sitting 23 min · break in 22 min")
        menu = actions.build_menu()
        kept.append(actions)  # the menu's actions live as long as the shots
        return menu

    yield "tray-menu", tray_menu

    def about() -> Any:
        from hipcheck.paths import resolve_paths
        from hipcheck.ui.about import AboutWindow

        return AboutWindow(resolve_paths(str(tmp / "data")))

    yield "about", about


def _no_camera(_source: str) -> Any:
    """A camera that never opens (the preview then says so)."""

    class Closed:
        def isOpened(self) -> bool:
            return False

        def read(self) -> tuple[bool, Any]:
            return False, None

        def set(self, prop: int, value: float) -> bool:
            return False

        def release(self) -> None:
            pass

    return Closed()


def _feed_calibration(dlg: Any) -> None:
    """A made-up camera picture with a seated person, as the worker would send it."""
    import numpy as np

    from hipcheck.core.types import NUM_LANDMARKS, Landmark, PoseSample
    from hipcheck.ui.worker import frame_to_qimage

    points = {
        0: (0.5, 0.30),
        11: (0.60, 0.45),
        12: (0.40, 0.45),
        13: (0.66, 0.62),
        14: (0.34, 0.62),
        15: (0.62, 0.75),
        16: (0.38, 0.75),
        23: (0.57, 0.78),
        24: (0.43, 0.78),
    }
    lm = [Landmark(0.5, 0.5, 0.0, 0.0)] * NUM_LANDMARKS
    for i, (x, y) in points.items():
        lm[i] = Landmark(x, y, 0.0, 0.95)
    sample = PoseSample(0.0, tuple(lm), None, (640, 480))
    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    frame[:, :] = (70, 60, 50)
    frame[200:480, 200:440] = (90, 110, 140)
    set_frame = getattr(dlg, "set_frame", None)
    if set_frame is not None:
        set_frame(frame_to_qimage(frame))
    dlg.on_sample(sample)


# ---- the run ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Shoot every window on one screen; print the problems as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheme", choices=sorted(SCHEMES), default="light")
    parser.add_argument("--size", default="1280x720", help="the screen's logical size, WxH")
    parser.add_argument("--dpr", type=float, default=1.0, help="device pixel ratio (2 = 2× scale)")
    parser.add_argument(
        "--scale-factor", type=float, default=1.0, help="QT_SCALE_FACTOR (the size stays physical)"
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", default="", help="shoot only windows whose name contains this")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    os.environ["QT_QPA_PLATFORM"] = (
        f"offscreen:configfile={_screen_config(width, height, args.dpr)}"
    )
    if args.scale_factor != 1:
        os.environ["QT_SCALE_FACTOR"] = f"{args.scale_factor:g}"

    from PySide6.QtWidgets import QApplication

    from hipcheck.ui.palette import palette_of

    app = QApplication(["screens"])
    app.setStyle("Fusion")
    app.setPalette(palette_of(SCHEMES[args.scheme]))
    args.out.mkdir(parents=True, exist_ok=True)
    scale = args.dpr * args.scale_factor
    tag = f"{args.scheme}-{width}x{height}" + (f"@{scale:g}x" if scale != 1 else "")
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in windows(Path(tmp)):
            if args.only and args.only not in name:
                continue
            window = make()
            window.show()
            for _ in range(5):
                app.processEvents()
            image = window.grab().toImage()
            png = args.out / f"{tag}-{name}.png"
            image.save(str(png))
            report[name] = {
                "png": str(png),
                "size": [window.width(), window.height()],
                "problems": _problems(window, image, image.devicePixelRatio()),
            }
            window.close()
            window.deleteLater()
            app.processEvents()
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
