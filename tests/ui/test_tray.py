"""The tray: icons whose shape tells the state, the menu's actions, and the no-tray window."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from _scripted import Opener, any_time_settings, engine_factory, light_windows
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from hipcheck.core.clock import SystemClock
from hipcheck.core.settings import Settings
from hipcheck.store.db import Store
from hipcheck.ui.break_window import BreakWindow
from hipcheck.ui.controller import AppController, Windows, pause_until
from hipcheck.ui.live_view import LiveView
from hipcheck.ui.tray import (
    NO_TRAY_NOTICE,
    PauseChoice,
    StatusWindow,
    Tray,
    TrayActions,
    TrayMode,
    TrayView,
    draw_icon,
)
from hipcheck.ui.worker import CameraWorker, WorkerHost, WorkerState

ICON_VIEWS: dict[str, dict[str, Any]] = {
    "starting": {"mode": TrayMode.STARTING},
    "sitting_10": {"mode": TrayMode.SITTING, "fill": 0.1},
    "sitting_50": {"mode": TrayMode.SITTING, "fill": 0.5},
    "sitting_90": {"mode": TrayMode.SITTING, "fill": 0.9},
    "break_due": {"mode": TrayMode.SITTING, "fill": 1.0, "due": True},
    "standing": {"mode": TrayMode.STANDING},
    "away": {"mode": TrayMode.AWAY},
    "paused": {"mode": TrayMode.PAUSED},
    "camera_problem": {"mode": TrayMode.CAMERA_PROBLEM},
    "timer_only": {"mode": TrayMode.SITTING, "fill": 0.5, "camera_badge": True},
}
PANELS = {"light": QColor("#f0f0f0"), "dark": QColor("#202020")}


def icon(name: str, size: int) -> QImage:
    view = dict(ICON_VIEWS[name])
    mode = view.pop("mode")
    fill = view.pop("fill", 0.0)
    return draw_icon(mode, fill, size, **view)


def on_panel(image: QImage, panel: QColor) -> QImage:
    out = QImage(image.size(), QImage.Format.Format_ARGB32)
    out.fill(panel)
    p = QPainter(out)
    p.drawImage(0, 0, image)
    p.end()
    return out


def luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mask(image: QImage) -> list[bool]:
    """Which pixels are painted at all (alpha), i.e. the icon's shape without its colour."""
    return [
        image.pixelColor(x, y).alpha() > 128
        for y in range(image.height())
        for x in range(image.width())
    ]


def dark_mask(image: QImage) -> list[bool]:
    """The icon's dark ink (what a light panel shows), without its colour."""
    return [
        image.pixelColor(x, y).alpha() > 128 and image.pixelColor(x, y).lightness() < 140
        for y in range(image.height())
        for x in range(image.width())
    ]


@pytest.mark.parametrize("size", [16, 22, 32])
def test_every_state_has_its_own_shape_not_only_colour(qapp: Any, size: int) -> None:
    names = ["starting", "sitting_50", "break_due", "standing", "away", "paused", "camera_problem"]
    shapes = {n: dark_mask(icon(n, size)) for n in names}
    for a, b in itertools.combinations(names, 2):
        differing = sum(p != q for p, q in zip(shapes[a], shapes[b], strict=True))
        assert differing > size * size * 0.08, f"{a} and {b} look alike at {size} px"


def test_the_pie_fills_toward_the_limit(qapp: Any) -> None:
    inked = [sum(dark_mask(icon(n, 32))) for n in ("sitting_10", "sitting_50", "sitting_90")]
    assert inked[0] < inked[1] < inked[2]
    # Due is not just a fuller pie: it is a different picture (red disc, white arrow).
    assert dark_mask(icon("break_due", 32)) != dark_mask(icon("sitting_90", 32))


@pytest.mark.parametrize("panel", list(PANELS))
@pytest.mark.parametrize("name", list(ICON_VIEWS))
def test_every_icon_has_enough_contrast_on_light_and_dark_panels(
    qapp: Any, name: str, panel: str
) -> None:
    """At 22 px, a good part of the icon stands out from the panel at >= 4.5:1."""
    image = on_panel(icon(name, 22), PANELS[panel])
    painted = mask(icon(name, 22))
    strong = sum(
        1
        for i, on in enumerate(painted)
        if on and contrast(image.pixelColor(i % 22, i // 22), PANELS[panel]) >= 4.5
    )
    assert strong >= 0.25 * sum(painted), f"{name} on a {panel} panel: {strong}/{sum(painted)}"


def test_icon_screenshots_on_light_and_dark_panels(qapp: Any, artefacts: Path) -> None:
    """One sheet per panel: every state at 16, 22, 32 px (and 2x), saved for a look."""
    sizes = (16, 22, 32, 64)
    for panel, colour in PANELS.items():
        sheet = QImage(
            (max(sizes) + 8) * len(sizes),
            (max(sizes) + 8) * len(ICON_VIEWS),
            QImage.Format.Format_ARGB32,
        )
        sheet.fill(colour)
        p = QPainter(sheet)
        for row, name in enumerate(ICON_VIEWS):
            for col, size in enumerate(sizes):
                p.drawImage(
                    (max(sizes) + 8) * col + 4, (max(sizes) + 8) * row + 4, icon(name, size)
                )
        p.end()
        assert sheet.save(str(artefacts / f"tray-icons-{panel}.png"))


class RecordingNotifier:
    """Collects notifications instead of showing them (the real ones are in tests/e2e)."""

    name = "recording"

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, tuple[tuple[str, str], ...]]] = []
        self.callbacks: list[Any] = []
        self.closed = 0

    def notify(self, title: str, body: str, actions: Any, on_action: Any) -> None:
        self.shown.append((title, body, tuple(actions)))
        self.callbacks.append(on_action)

    def close(self) -> None:
        self.closed += 1

    def shutdown(self) -> None:
        pass


@pytest.fixture
def app_parts(qtbot: QtBot, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A controller wired to a real worker (scripted source + engine), real store and windows."""
    opener = Opener()
    clock = SystemClock()
    worker = CameraWorker(open_source=opener, make_engine=engine_factory(), clock=clock)
    host = WorkerHost(worker)
    store = Store.open(tmp_path / "hipcheck.sqlite3")
    actions = TrayActions()
    views: list[TrayView] = []
    warnings: list[str] = []
    tray = Tray(actions, tray_available=lambda: False, warn=warnings.append)
    notifier = RecordingNotifier()
    settings = any_time_settings()

    def show(view: TrayView) -> None:
        views.append(view)
        tray.show_view(view)

    controller = AppController(
        settings=settings,
        worker=worker,
        actions=actions,
        show_view=show,
        notifier=notifier,
        windows=light_windows(clock),
        clock=clock,
        events=store,
    )
    host.start()
    parts = dict(opener=opener, worker=worker, controller=controller, actions=actions, views=views,
                 tray=tray, store=store, notifier=notifier, warnings=warnings)  # fmt: skip
    try:
        yield parts
    finally:
        controller.shutdown()
        assert host.shutdown(3000)
        store.close()


def kinds(store: Store) -> list[str]:
    today = datetime.now().astimezone().date()
    return [e.kind for e in store.load_day(today).events]


def test_menu_holds_every_action(app_parts: dict[str, Any]) -> None:
    actions: TrayActions = app_parts["actions"]
    menu = actions.build_menu()
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[1:] == ["Pause monitoring", "Resume monitoring", "I just took a break",
                         "Take a break now", "Live view", "Today's report", "Settings…",
                         "Set up HipCheck…", "About HipCheck", "Quit HipCheck"]  # fmt: skip
    # The first line is the status: bold, at full contrast (enabled), and it opens the live view.
    assert menu.actions()[0] is actions.status and actions.status.isEnabled()
    assert actions.status.font().bold()
    actions.status.trigger()
    live = app_parts["controller"].live_view
    assert live is not None and live.isVisible()
    live.close()
    pause_menu = next(a for a in menu.actions() if a.text() == "Pause monitoring").menu()
    assert [a.text() for a in pause_menu.actions()] == [c.value for c in PauseChoice]
    # No report/settings window factories given: those items are disabled, not broken.
    assert not actions.report.isEnabled() and not actions.settings.isEnabled()


def test_no_tray_says_so_once_and_shows_a_window_with_the_same_actions(
    app_parts: dict[str, Any], qtbot: QtBot
) -> None:
    tray: Tray = app_parts["tray"]
    assert not tray.has_tray and tray.window is not None
    assert app_parts["warnings"] == [
        "No system tray found; showing the HipCheck status window instead."
    ]
    tray.show()
    qtbot.waitUntil(lambda: tray.window is not None and tray.window.isVisible())
    buttons = {b.defaultAction().text() for b in tray.window.buttons if hasattr(b, "defaultAction")}
    assert {"Resume monitoring", "Live view", "Take a break now", "Quit HipCheck"} <= buttons
    assert "Set up HipCheck…" in buttons  # no tray menu: the first run reopens from here
    assert NO_TRAY_NOTICE.split(";")[0] in " ".join(
        w.text() for w in tray.window.findChildren(type(tray.window._state))
    )
    # The window follows the state like the icon would.
    qtbot.waitUntil(lambda: "Sitting" in tray.window.status_text(), timeout=10_000)
    assert "· break in" in tray.window.status_text()
    assert "Today: sitting" in tray.window.state_text()


def test_pause_from_the_menu_releases_the_camera_and_resume_reopens_it(
    app_parts: dict[str, Any], qtbot: QtBot
) -> None:
    opener: Opener = app_parts["opener"]
    actions: TrayActions = app_parts["actions"]
    controller: AppController = app_parts["controller"]
    qtbot.waitUntil(lambda: controller.last_record is not None, timeout=10_000)
    qtbot.waitUntil(lambda: app_parts["views"][-1].mode is TrayMode.SITTING, timeout=10_000)
    actions.pause[PauseChoice.MIN_15].trigger()
    qtbot.waitUntil(lambda: opener.count("release") == 1, timeout=3000)
    assert controller.paused and actions.resume.isEnabled()
    assert not actions.pause[PauseChoice.HOUR_1].isEnabled()
    qtbot.waitUntil(lambda: app_parts["views"][-1].mode is TrayMode.PAUSED, timeout=3000)
    assert "Paused until" in app_parts["views"][-1].tooltip
    from hipcheck.core.glossary import clock_time_from

    assert controller.paused_until is not None
    until = clock_time_from(controller.paused_until, datetime.now().astimezone())
    assert app_parts["views"][-1].status == f"Paused until {until}"  # "14:00", no weekday today
    assert app_parts["actions"].status.text() == app_parts["views"][-1].status
    until = controller.paused_until
    assert until is not None and timedelta(
        minutes=14
    ) < until - datetime.now().astimezone() <= timedelta(minutes=15)
    actions.resume.trigger()
    qtbot.waitUntil(lambda: opener.count("open") == 2, timeout=3000)
    qtbot.waitUntil(lambda: controller.status.state is WorkerState.RUNNING, timeout=5000)
    assert kinds(app_parts["store"]).count("paused") == 1 and "resumed" in kinds(app_parts["store"])


def test_a_timed_pause_ends_by_itself(app_parts: dict[str, Any], qtbot: QtBot) -> None:
    opener: Opener = app_parts["opener"]
    controller: AppController = app_parts["controller"]
    qtbot.waitUntil(lambda: controller.last_record is not None, timeout=10_000)
    controller.pause(
        PauseChoice.UNTIL_RESUMED, until=datetime.now().astimezone() + timedelta(seconds=0.3)
    )
    qtbot.waitUntil(lambda: opener.count("release") == 1, timeout=3000)
    qtbot.wait(400)
    controller.check_pause_deadline()  # the 5 s timer, without waiting for it
    qtbot.waitUntil(lambda: opener.count("open") == 2, timeout=3000)
    assert not controller.paused


def test_hipcheck_pause_minutes_is_stored_as_timed_and_ends_on_time(
    app_parts: dict[str, Any], qtbot: QtBot
) -> None:
    controller: AppController = app_parts["controller"]
    qtbot.waitUntil(lambda: controller.last_record is not None, timeout=10_000)
    reply = controller.handle_command("pause", {"minutes": 1.5 / 60})
    assert reply["paused"] is True and "paused until" in reply["message"]
    deadline = controller.paused_until
    assert deadline is not None
    today = datetime.now().astimezone().date()
    paused = [e for e in app_parts["store"].load_day(today).events if e.kind == "paused"]
    assert [e.detail for e in paused] == [{"choice": "timed", "until": deadline.isoformat()}]
    # Only the event loop runs: no manual check. The 5 s wall-clock poll alone would be late.
    qtbot.waitUntil(lambda: not controller.paused, timeout=4000)
    late_s = (datetime.now().astimezone() - deadline).total_seconds()
    assert 0 <= late_s < 1.0, late_s


def test_screen_lock_pauses_and_unlock_resumes_but_not_a_user_pause(
    app_parts: dict[str, Any], qtbot: QtBot
) -> None:
    opener: Opener = app_parts["opener"]
    controller: AppController = app_parts["controller"]
    qtbot.waitUntil(lambda: controller.last_record is not None, timeout=10_000)
    controller.on_session_inactive(True)
    qtbot.waitUntil(lambda: opener.count("release") == 1, timeout=3000)
    controller.on_session_inactive(False)
    qtbot.waitUntil(lambda: opener.count("open") == 2, timeout=3000)
    controller.pause(PauseChoice.UNTIL_RESUMED)
    qtbot.waitUntil(lambda: opener.count("release") == 2, timeout=3000)
    controller.on_session_inactive(True)
    controller.on_session_inactive(False)
    qtbot.wait(500)
    assert opener.count("open") == 2  # still paused by the user


def test_take_a_break_now_opens_the_break_window_and_done_is_stored(
    app_parts: dict[str, Any], qtbot: QtBot
) -> None:
    actions: TrayActions = app_parts["actions"]
    controller: AppController = app_parts["controller"]
    opened: list[Any] = []
    controller.break_opened.connect(opened.append)
    actions.take_break.trigger()
    assert len(opened) == 1 and isinstance(opened[0], BreakWindow) and opened[0].isVisible()
    opened[0].done_button.click()
    qtbot.waitUntil(lambda: "break_done" in kinds(app_parts["store"]), timeout=3000)
    assert kinds(app_parts["store"])[-2:] == ["break_started", "break_done"]


def test_a_nudge_offers_start_break_and_snooze_and_both_work(
    app_parts: dict[str, Any], qtbot: QtBot
) -> None:
    controller: AppController = app_parts["controller"]
    notifier: RecordingNotifier = app_parts["notifier"]
    controller.policy.limit_s = 1.0  # seconds of sitting before the nudge
    qtbot.waitUntil(lambda: len(notifier.shown) == 1, timeout=15_000)
    title, body, actions = notifier.shown[0]
    assert title.startswith("Time for a break: ")
    assert title.removeprefix("Time for a break: ") in body  # the exercise and its dose
    assert [key for key, _ in actions] == ["default", "snooze"]
    notifier.callbacks[0]("snooze")
    assert "snooze" in kinds(app_parts["store"])
    controller.policy.snooze_s = 0.5
    notifier.callbacks[0]("snooze")  # a second snooze while none is out is refused
    qtbot.waitUntil(lambda: len(notifier.shown) >= 2, timeout=15_000)
    notifier.callbacks[-1]("default")
    assert controller.break_window is not None and controller.break_window.isVisible()
    assert kinds(app_parts["store"])[-1] == "break_started"
    controller.break_window.skip()
    qtbot.waitUntil(lambda: "break_skipped" in kinds(app_parts["store"]), timeout=3000)


def test_pause_until_tomorrow_is_tomorrow_at_work_start() -> None:
    now = datetime(2026, 3, 4, 16, 30).astimezone()
    assert pause_until(PauseChoice.TOMORROW, now, 8.5) == datetime(2026, 3, 5, 8, 30).astimezone()
    assert pause_until(PauseChoice.HOUR_1, now, 8) == now + timedelta(hours=1)
    assert pause_until(PauseChoice.UNTIL_RESUMED, now, 8) is None


def test_report_and_settings_open_from_the_menu_and_settings_apply_live(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from hipcheck.paths import resolve_paths
    from hipcheck.ui.report_window import ReportWindow
    from hipcheck.ui.settings_dialog import SettingsDialog

    opener = Opener()
    clock = SystemClock()
    worker = CameraWorker(open_source=opener, make_engine=engine_factory(), clock=clock)
    host = WorkerHost(worker)
    paths = resolve_paths(tmp_path / "data")
    store = Store.open(paths.database)
    actions = TrayActions()
    settings = Settings()
    controller = AppController(
        settings=settings,
        worker=worker,
        actions=actions,
        show_view=lambda view: None,
        notifier=RecordingNotifier(),
        windows=Windows(
            live_view=LiveView,
            report=lambda: ReportWindow(store, today=clock.wall().date()),
            settings=lambda on_change: SettingsDialog(
                controller.settings, on_change, paths=paths, cameras=lambda: []
            ),
            break_window=lambda choice, **kw: BreakWindow(choice, clock=clock, **kw),
        ),
        clock=clock,
        events=store,
    )
    host.start()
    try:
        qtbot.waitUntil(lambda: controller.last_record is not None, timeout=10_000)
        assert actions.report.isEnabled() and actions.settings.isEnabled()
        actions.report.trigger()
        assert (
            isinstance(controller.report_window, ReportWindow)
            and controller.report_window.isVisible()
        )
        actions.settings.trigger()
        dialog = controller.settings_dialog
        assert isinstance(dialog, SettingsDialog) and dialog.isVisible()
        dialog.tabs.setCurrentIndex(2)  # away from the camera preview tab
        assert dialog.set_value("sitting_limit_min", 30)
        assert dialog.set_value("sample_rate_hz", 5.0)
        assert dialog.set_value("flexion_threshold_deg", 60.0)
        assert controller.policy.limit_s == 30 * 60.0  # reminder policy, live
        qtbot.waitUntil(
            lambda: (
                worker.engine is not None
                and worker.engine.settings.sample_rate_hz == 5.0
                and worker.engine.tracker.flexion_threshold_deg == 60.0
            ),  # type: ignore[attr-defined]
            timeout=3000,
        )
        assert "sitting_limit_min = 30" in paths.settings_file.read_text()
        assert opener.count("open") == 1  # the camera was not reopened for these
    finally:
        controller.shutdown()
        assert host.shutdown(3000)
        for window in (controller.report_window, controller.settings_dialog):
            if window is not None:
                window.close()
        store.close()


@pytest.mark.parametrize("width", [200, 320, 640])
def test_the_no_tray_window_lays_out_at_any_width(
    qtbot: QtBot, width: int, artefacts: Path
) -> None:
    """Every text wraps (nothing cut), buttons never overlap, at 1x and 2x."""
    from PySide6.QtGui import QPixmap
    from PySide6.QtWidgets import QLabel

    window = StatusWindow(TrayActions(), NO_TRAY_NOTICE)
    qtbot.addWidget(window)
    window.show_view(
        TrayView(
            TrayMode.SITTING,
            fill=0.5,
            status="Sitting 23 min · break in 22 min",
            tooltip="HipCheck — Sitting 23 min · break in 22 min\nToday: sitting 2 h 10 min, in flexion 1 h 02 min",
        )
    )
    window.show()
    qtbot.waitExposed(window)
    window.resize(width, 100)  # the buttons take their columns for this width
    qtbot.wait(20)
    window.resize(width, window.layout().totalHeightForWidth(width))
    qtbot.wait(50)
    for label in window.findChildren(QLabel):
        if label.text() and label.wordWrap():
            needed = label.heightForWidth(label.width())
            assert label.height() >= needed, f"{label.text()[:30]!r} is cut at {width} px"
    rects = [b.geometry() for b in window.buttons]
    for i, a in enumerate(rects):
        assert a.right() <= window.width()
        for b in rects[i + 1 :]:
            assert not a.intersects(b)
    for scale in (1, 2):
        pixmap = QPixmap(window.size() * scale)
        pixmap.setDevicePixelRatio(scale)
        window.render(pixmap)
        assert pixmap.save(str(artefacts / f"no-tray-{width}px-{scale}x.png"))


def test_menu_screenshot_with_the_status_line(qtbot: QtBot, artefacts: Path) -> None:
    from PySide6.QtGui import QPixmap

    actions = TrayActions()
    actions.status.setText("Sitting 23 min · break in 22 min")
    menu = actions.build_menu()
    qtbot.addWidget(menu)
    menu.popup(menu.pos())
    qtbot.waitExposed(menu)
    assert menu.actions()[0].text() == "Sitting 23 min · break in 22 min"
    for scale in (1, 2):
        pixmap = QPixmap(menu.size() * scale)
        pixmap.setDevicePixelRatio(scale)
        menu.render(pixmap)
        assert pixmap.save(str(artefacts / f"tray-menu-{scale}x.png"))
    menu.close()


def test_the_first_run_reopens_from_the_menu_and_shows_the_monitors_picture(
    app_parts: dict[str, Any], qtbot: QtBot, tmp_path: Path
) -> None:
    """The first run gets the running worker's frames: the camera is never opened twice."""
    from hipcheck.ui.first_run import FirstRunWindow

    controller: AppController = app_parts["controller"]
    opener = app_parts["opener"]
    controller.windows.first_run = lambda: FirstRunWindow(
        controller.settings, save=lambda changes: controller.settings, mark_done=lambda: None
    )
    app_parts["actions"].first_run.setEnabled(True)
    app_parts["actions"].first_run.trigger()
    window = controller.first_run_window
    assert isinstance(window, FirstRunWindow) and window.isVisible()
    qtbot.waitUntil(lambda: not window.frame_view._image.isNull(), timeout=10_000)
    qtbot.waitUntil(lambda: "The camera works" in window.camera_label.text(), timeout=10_000)
    assert opener.count("open") == 1
    window.skip()
    qtbot.waitUntil(lambda: not controller.worker._want_frames, timeout=3000)


def test_status_reply_reads_as_sentences_and_pause_resume_say_so(
    app_parts: dict[str, Any], qtbot: QtBot
) -> None:
    """The running app's status reply becomes `hipcheck status`'s sentence; pause/resume answer."""
    from hipcheck.commands.status import STATUS_KEYS, status_document

    controller: AppController = app_parts["controller"]
    qtbot.waitUntil(lambda: app_parts["views"][-1].mode is TrayMode.SITTING, timeout=10_000)
    reply = controller.handle_command("status", {})
    assert reply["state"] == "sitting" and reply["camera"] == "running"
    # The default limit is 45 min; only seconds of sitting so far.
    assert 44 * 60 < reply["next_break_in_s"] <= 45 * 60
    assert reply["today_sitting_s"] >= 0 and "reminders_held" not in reply
    doc = status_document(reply, datetime.now().astimezone())
    assert list(doc) == list(STATUS_KEYS)
    assert doc["message"].startswith("HipCheck is monitoring. Sitting for ")
    assert " · break in 45 min. Today: " in doc["message"]

    paused = controller.handle_command("pause", {"minutes": 30})
    assert paused["message"].startswith("HipCheck is paused until ")
    doc = status_document(controller.handle_command("status", {}), datetime.now().astimezone())
    assert doc["paused"] and doc["message"].startswith(paused["message"])
    resumed = controller.handle_command("resume", {})
    assert resumed == {"paused": False, "message": "HipCheck is monitoring again."}
    forever = controller.handle_command("pause", {})
    assert forever["message"] == "HipCheck is paused until you resume it (`hipcheck resume`)."
