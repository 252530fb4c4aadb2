"""No camera is a supported state: said once, reminders by the clock, measuring resumes by itself.

A real controller and camera worker, with a scripted camera that is missing until the test plugs
it in, a real store and a recording notifier.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from _scripted import Opener, any_time_settings, engine_factory, light_windows
from pytestqt.qtbot import QtBot
from test_tray import RecordingNotifier

from hipcheck.core.clock import SystemClock
from hipcheck.core.report import build_day_report
from hipcheck.core.timer import is_timer_only
from hipcheck.store.db import RecordingSink, Store
from hipcheck.ui.controller import AppController
from hipcheck.ui.tray import TrayActions, TrayMode, TrayView
from hipcheck.ui.worker import CameraWorker, WorkerHost, WorkerState
from hipcheck.vision.camera_check import CameraProblem, Problem

PROBLEM = CameraProblem(
    Problem.BUSY,
    "Test Camera (/dev/video0)",
    "Test Camera (/dev/video0) is in use by another app (a video call?). Close that app.",
)


@pytest.fixture
def parts(qtbot: QtBot, tmp_path: Path) -> Iterator[dict[str, Any]]:
    opener = Opener(failures=10_000)
    clock = SystemClock()
    worker = CameraWorker(
        open_source=opener, make_engine=engine_factory(), clock=clock, backoff_s=(0.1,)
    )
    host = WorkerHost(worker)
    store = Store.open(tmp_path / "hipcheck.sqlite3")
    actions = TrayActions()
    views: list[TrayView] = []
    notifier = RecordingNotifier()
    idle: dict[str, float | None] = {"s": None}
    settings = any_time_settings()
    controller = AppController(
        settings=settings,
        worker=worker,
        actions=actions,
        show_view=views.append,
        notifier=notifier,
        windows=light_windows(clock),
        clock=clock,
        events=store,
        idle_s=lambda: idle["s"],
        timer_sink=RecordingSink(store, flush_every_s=0.1),
        camera_problem=lambda reason: PROBLEM,
    )
    host.start()
    try:
        yield dict(opener=opener, controller=controller, views=views, notifier=notifier,
                   store=store, idle=idle, actions=actions)  # fmt: skip
    finally:
        controller.shutdown()
        assert host.shutdown(3000)
        store.close()


def test_no_camera_reminds_by_the_clock_then_measures_again(
    parts: dict[str, Any], qtbot: QtBot
) -> None:
    controller: AppController = parts["controller"]
    notifier: RecordingNotifier = parts["notifier"]
    opener: Opener = parts["opener"]
    qtbot.waitUntil(lambda: controller.timer is not None, timeout=10_000)
    qtbot.waitUntil(lambda: opener.count("open-failed") >= 4, timeout=10_000)
    # Said once, in words to act on, with the camera choice offered; retries say nothing new.
    assert len(notifier.shown) == 1
    title, body, actions = notifier.shown[0]
    assert title == "HipCheck cannot use the camera: camera busy"
    assert body == PROBLEM.message and actions == (("choose_camera", "Choose camera…"),)
    view = controller.tray_view()
    assert view.status.startswith("Timer only (camera busy) · at the computer")
    assert view.camera_badge and view.mode is TrayMode.SITTING and "in use" in view.tooltip
    from hipcheck.commands.status import status_document

    said = status_document(controller.handle_command("status", {}), datetime.now().astimezone())
    assert said["timer_only"] and "in use by another app" in said["message"]
    assert "Timer only: reminding by the clock, break in " in said["message"]
    live = controller.open_live_view()
    assert "in use by another app" in live.advice_label.text()

    # The sitting limit by the clock: a nudge.
    controller.policy.limit_s = 1.0
    time.sleep(1.1)
    controller.on_timer_tick()
    assert notifier.shown[-1][0].startswith("Time for a break: ")
    assert "You've been at the computer for" in notifier.shown[-1][1]  # not "sitting"
    assert controller.tray_view().due
    # Away from the keyboard long enough: a break; the nudge is withdrawn.
    closed = notifier.closed
    parts["idle"]["s"] = controller.settings.natural_break_min * 60.0 + 5
    controller.on_timer_tick()
    assert controller.timer is not None and controller.timer.away
    assert notifier.closed > closed
    assert controller.tray_view().status == "Timer only (camera busy) · away from the keyboard"
    assert controller.tray_view().mode is TrayMode.AWAY
    parts["idle"]["s"] = 0.0
    controller.on_timer_tick()

    # Stored as timer only, never as measured sitting.
    store: Store = parts["store"]
    today = datetime.now().astimezone().date()
    intervals = store.load_day(today).intervals
    assert intervals and all(is_timer_only(i.extra) for i in intervals)
    report = build_day_report(store, today, tz=datetime.now().astimezone().tzinfo)
    assert report.sitting_s == 0.0 and (report.timer_only_s or 0) > 0

    # The camera comes back: measuring resumes by itself, the timer stops.
    opener.failures = 0
    qtbot.waitUntil(lambda: controller.status.state is WorkerState.RUNNING, timeout=10_000)
    assert controller.timer is None and not controller.problem_notified
    qtbot.waitUntil(lambda: controller.last_record is not None, timeout=10_000)
    qtbot.waitUntil(lambda: controller.tray_view().status.startswith("Sitting"), timeout=10_000)
    assert not controller.tray_view().camera_badge
    assert "in use" not in live.advice_label.text()


def test_i_just_took_a_break_starts_the_count_again(parts: dict[str, Any], qtbot: QtBot) -> None:
    controller: AppController = parts["controller"]
    qtbot.waitUntil(lambda: controller.timer is not None, timeout=10_000)
    time.sleep(0.3)
    controller.on_timer_tick()
    before = controller.timer_bout_s
    assert before > 0
    parts["actions"].took_break.trigger()
    controller.on_timer_tick()
    assert controller.timer_bout_s < before
    today = datetime.now().astimezone().date()
    assert "break_told" in [e.kind for e in parts["store"].load_day(today).events]


def test_a_pause_without_camera_counts_as_time_away(parts: dict[str, Any], qtbot: QtBot) -> None:
    from hipcheck.ui.tray import PauseChoice

    controller: AppController = parts["controller"]
    qtbot.waitUntil(lambda: controller.timer is not None, timeout=10_000)
    controller.timer.natural_break_s = 0.2  # type: ignore[union-attr]
    controller.pause(PauseChoice.UNTIL_RESUMED)
    time.sleep(0.3)
    controller.on_timer_tick()
    assert controller.timer is not None and controller.timer.away
    assert controller.tray_view().status == "Paused until you resume"
