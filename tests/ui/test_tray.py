"""The tray: icons whose shape tells the state, the menu's actions, and the no-tray window."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from _scripted import Opener, engine_factory
from PySide6.QtGui import QImage
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
    Tray,
    TrayActions,
    TrayMode,
    TrayView,
    draw_icon,
)
from hipcheck.ui.worker import CameraWorker, WorkerHost, WorkerState


def mask(image: QImage) -> list[bool]:
    """Which pixels are painted at all (alpha), i.e. the icon's shape without its colour."""
    return [
        image.pixelColor(x, y).alpha() > 128
        for y in range(image.height())
        for x in range(image.width())
    ]


def test_every_state_has_its_own_shape_not_only_colour(qapp: Any) -> None:
    shapes = {mode: mask(draw_icon(mode, 12, 32)) for mode in TrayMode}
    for a, b in itertools.combinations(TrayMode, 2):
        differing = sum(p != q for p, q in zip(shapes[a], shapes[b], strict=True))
        assert differing > 32 * 32 * 0.05, f"{a.value} and {b.value} look alike in monochrome"


def test_sitting_icon_shows_the_bout_minutes(qapp: Any) -> None:
    icons = [draw_icon(TrayMode.SITTING, minutes, 64) for minutes in (3, 47, 120)]
    # The digits are drawn in white on the disc: different numbers, different pixels.
    whites = [
        {(x, y) for y in range(64) for x in range(64) if img.pixelColor(x, y).lightness() > 240}
        for img in icons
    ]
    assert all(whites) and whites[0] != whites[1] != whites[2]


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
    settings = Settings(
        work_start_h=0.0,
        work_end_h=0.0,
        work_days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    )

    def show(view: TrayView) -> None:
        views.append(view)
        tray.show_view(view)

    controller = AppController(
        settings=settings,
        worker=worker,
        actions=actions,
        show_view=show,
        notifier=notifier,
        windows=Windows(
            live_view=LiveView,
            report=None,
            settings=None,
            break_window=lambda choice, **kw: BreakWindow(choice, clock=clock, **kw),
        ),
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
    assert texts == ["Pause monitoring", "Resume monitoring", "Live view", "Today's report",
                     "Settings…", "Take a break now", "Quit HipCheck"]  # fmt: skip
    pause_menu = menu.actions()[0].menu()
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
    buttons = {
        b.defaultAction().text() for b in tray.window.buttons if b.defaultAction() is not None
    }
    assert {"Resume monitoring", "Live view", "Take a break now", "Quit HipCheck"} <= buttons
    assert NO_TRAY_NOTICE.split(";")[0] in " ".join(
        w.text() for w in tray.window.findChildren(type(tray.window._state))
    )
    # The window follows the state like the icon would.
    qtbot.waitUntil(lambda: "sitting" in tray.window.state_text(), timeout=10_000)
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
