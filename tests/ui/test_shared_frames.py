"""The windows that show the camera picture share the monitor's feed; nothing opens it twice."""

from __future__ import annotations

from pathlib import Path

from _scripted import Opener, engine_factory
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from hipcheck.core.clock import FakeClock
from hipcheck.core.settings import Settings
from hipcheck.ui.break_window import BreakWindow
from hipcheck.ui.calibration import CalibrationDialog
from hipcheck.ui.controller import AppController, Windows
from hipcheck.ui.live_view import LiveView
from hipcheck.ui.settings_dialog import SettingsDialog
from hipcheck.ui.tray import TrayActions
from hipcheck.ui.worker import CameraWorker
from ui.test_tray import RecordingNotifier


class Store:
    """Events go nowhere."""

    def record_event(self, *args: object, **kwargs: object) -> None:
        """Drop it."""


def test_frames_flow_while_any_camera_window_is_open(qtbot: QtBot, tmp_path: Path) -> None:
    """Live view, the settings' camera tab and calibration each ask for frames; the worker sends
    them while any of them is open, and every open one gets the picture."""
    clock = FakeClock()
    opener = Opener()
    worker = CameraWorker(open_source=opener, make_engine=engine_factory(), clock=clock)
    cameras_opened: list[str] = []

    def settings_dialog(on_change: object) -> SettingsDialog:
        return SettingsDialog(
            Settings(), on_change, cameras=lambda: [], shared_frames=True,  # type: ignore[arg-type]
            capture_opener=lambda s: cameras_opened.append(s),  # type: ignore[arg-type,func-returns-value]
        )  # fmt: skip

    controller = AppController(
        settings=Settings(),
        worker=worker,
        actions=TrayActions(),
        show_view=lambda view: None,
        notifier=RecordingNotifier(),
        windows=Windows(
            live_view=LiveView,
            report=None,
            settings=settings_dialog,
            break_window=lambda choice, **kw: BreakWindow(choice, clock=clock, **kw),
            calibration=lambda: CalibrationDialog(clock=clock, cue=lambda: None),
        ),
        clock=clock,
        events=Store(),
    )

    def wanted() -> bool:
        return worker._want_frames  # the thread-safe flag the read loop reads

    live = controller.open_live_view()
    qtbot.addWidget(live)
    assert wanted()
    dialog = controller.open_settings()
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(1)  # the Camera tab
    live.close()
    assert wanted()  # the settings preview still shows the picture
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    image.fill(0x336699)
    worker._latest = image
    controller.on_frame()
    preview = dialog.camera_editor.preview
    assert preview.pixmap() is not None and not preview.pixmap().isNull()
    dialog.close()
    assert not wanted()
    calibration = controller.open_calibration()
    qtbot.addWidget(calibration)
    assert wanted()
    calibration.reject()
    assert not wanted()
    assert cameras_opened == [] and opener.sources == []
    controller.shutdown()
