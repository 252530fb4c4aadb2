"""``hipcheck`` with no sub-command: the tray app. Builds the parts once, wires them, runs Qt.

Bad input (a missing video file, a bad ``--set``, an unusable database) is found before any window
opens and becomes one line and exit status 2 through ``UserError``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sqlite3
import sys
from datetime import date, timedelta
from typing import Any

from hipcheck.core.clock import Clock, SystemClock
from hipcheck.core.redact import redact_url
from hipcheck.core.settings import LoadedSettings, Settings, load_settings
from hipcheck.errors import UserError
from hipcheck.paths import APP_ID, AppPaths, assets_dir, resolve_paths
from hipcheck.settings_run import settings_for_run

log = logging.getLogger(__name__)

WEEK_DAYS = 7


def _is_file_spec(spec: str) -> bool:
    from hipcheck.vision.source import is_url

    return not spec.strip().isdigit() and not is_url(spec)


def make_source_opener(spec_of: Any, *, loop: bool, clock: Clock, on_lost: Any) -> Any:
    """A function opening the current source: files directly, cameras and URLs with reconnection."""
    from hipcheck.vision.source import ReconnectingSource, open_source

    def open_current() -> Any:
        spec = spec_of()
        if _is_file_spec(spec):
            return open_source(spec, loop=loop, clock=clock)
        holder: dict[str, ReconnectingSource] = {}

        def status(lost: bool) -> None:
            source = holder.get("source")
            on_lost(lost, source.last_error if source is not None and source.last_error else "")

        source = ReconnectingSource(
            lambda: open_source(spec, loop=loop, clock=clock), clock=clock, on_status=status
        )
        holder["source"] = source
        return source

    return open_current


def _touch(path: Any) -> None:
    """Create ``path`` (and its folder); a failure only means the first run shows again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as exc:
        log.warning("could not note that the first run is done: %s", exc)


def started_text(*, has_tray: bool) -> str:
    """The one line printed when the app is up: where it is and how to ask it."""
    where = "in the tray" if has_tray else "in a small window (this desktop has no tray)"
    return (
        f"HipCheck is running {where}; `hipcheck status` says what it sees, "
        "Quit in its menu stops it."
    )


def load_break_log(store: Any, today: date) -> Any:
    """The last week's done breaks from the store, for the exercise balance rule."""
    from hipcheck.core.exercise import BreakLog

    rows = []
    for offset in range(WEEK_DAYS):
        day = today - timedelta(days=offset)
        for event in store.load_day(day).events:
            rows.append((day, event.kind, event.detail))
    return BreakLog.from_events(rows)


def day_totals(store: Any) -> Any:
    """A function giving (sitting seconds, flexion seconds) stored for a day, each moment once."""
    from hipcheck.core.report import sitting_totals
    from hipcheck.reporting.localzone import local_zone

    def totals(day: date) -> tuple[float, float]:
        tz = local_zone()
        return sitting_totals(store.load_day(day, tz), tz)

    return totals


def app_icon() -> Any:
    """The app's icon: the installed theme icon, else the one shipped in assets."""
    from PySide6.QtGui import QIcon

    return QIcon.fromTheme(APP_ID, QIcon(str(assets_dir() / "hipcheck.svg")))


def save_first_run(paths: AppPaths, running: Settings, changes: dict[str, Any]) -> Settings:
    """Save the first run's answers into the settings file (only those keys); the new running
    settings keep this run's other ``--set`` overrides."""
    from dataclasses import replace

    from hipcheck.core.settings import save_settings, saved_with_change

    saved = load_settings(paths.settings_file, repair=False).settings
    for name, value in changes.items():
        saved = saved_with_change(saved, name, value)
    save_settings(paths.settings_file, saved)
    return replace(running, **{name: getattr(saved, name) for name in changes})


def make_settings_dialog(
    loaded: LoadedSettings,
    settings: Settings,
    on_change: Any,
    paths: AppPaths,
    *,
    shared_frames: bool = False,
) -> Any:
    """The settings dialog for this run: ``--set`` values are marked "for this run" and unsaved.

    The file's own values come from the file as it is now (the first run may have saved since).
    """
    from hipcheck.ui.settings_dialog import SettingsDialog

    saved = load_settings(paths.settings_file, repair=False).settings
    return SettingsDialog(
        settings,
        on_change,
        paths=paths,
        warnings=loaded.warnings,
        saved=saved,
        for_this_run=loaded.overridden,
        shared_frames=shared_frames,
    )


def run_app(args: argparse.Namespace) -> int:
    """Start the tray app; returns the exit status."""
    loaded = settings_for_run(args)
    settings = loaded.settings
    paths = resolve_paths(getattr(args, "data_dir", None))
    clock = SystemClock()
    spec = str(args.source) if getattr(args, "source", None) is not None else settings.camera
    loop = bool(getattr(args, "loop", False))

    # Bad input before any window: a --source file is opened now (a missing file is one line).
    # The camera from the settings is never fatal: without it HipCheck reminds by the clock and
    # starts measuring as soon as it can open it.
    first_source = None
    if _is_file_spec(spec) and getattr(args, "source", None) is not None:
        from hipcheck.vision.source import IMAGE_ONCE, ImageFileSource, open_source

        first_source = open_source(spec, loop=loop, clock=clock)
        if loop and isinstance(first_source, ImageFileSource):
            print(
                f"hipcheck: note: --loop plays a video over and over; {IMAGE_ONCE}", file=sys.stderr
            )

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("HipCheck")
    app.setQuitOnLastWindowClosed(False)
    # Windows carry the installed app id and icon (Wayland and docks match windows by it).
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())

    from hipcheck import instance

    holder: dict[str, Any] = {}
    server = instance.serve(lambda c, p: holder["handle"](c, p), paths)
    if server is None:
        if first_source is not None:
            first_source.release()
        if instance.hand_over(paths):
            print("HipCheck is already running; it was asked to show itself.", file=sys.stderr)
            return 0
        raise UserError("another HipCheck is running with this data folder but does not answer")

    from hipcheck.store.db import Store, StoreError

    try:
        store = Store.open(paths.database)
    except (StoreError, OSError) as exc:
        if first_source is not None:
            first_source.release()
        server.close()
        if isinstance(exc, StoreError):
            raise UserError(str(exc)) from None
        raise UserError(f"cannot open the history in {paths.data_dir}: {exc}") from None
    try:
        status = _run(
            app,
            args,
            loaded,
            settings,
            paths,
            clock,
            spec,
            loop,
            first_source,
            store,
            holder,
            server,
        )
    finally:
        store.close()
    # Everything is stopped, flushed and closed. Leave without the interpreter's finalization:
    # with the live view open on X11, PySide6 6.12 aborted in the final garbage collection
    # ("none_dealloc", exit status 134), which would turn a clean quit into a crash report.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _run(
    app: Any,
    args: argparse.Namespace,
    loaded: Any,
    settings: Settings,
    paths: AppPaths,
    clock: SystemClock,
    spec: str,
    loop: bool,
    first_source: Any,
    store: Any,
    holder: dict[str, Any],
    server: Any,
) -> int:
    from PySide6.QtCore import QTimer

    from hipcheck.core.calibration import SavedCalibration, calibration_path, repair_calibration
    from hipcheck.store.db import RecordingSink
    from hipcheck.ui.controller import AppController, Windows
    from hipcheck.ui.idle import IdleWatcher
    from hipcheck.ui.live_view import LiveView
    from hipcheck.ui.notify import DndWatcher, choose_notifier
    from hipcheck.ui.session import SessionWatcher
    from hipcheck.ui.tray import Tray, TrayActions
    from hipcheck.ui.worker import CameraWorker, WorkerHost
    from hipcheck.vision.camera_check import describe_camera_problem
    from hipcheck.vision.engine import Engine

    sink = RecordingSink(store)
    # Timer-only time (no camera) is written from the GUI thread: a sink of its own.
    timer_sink = RecordingSink(store)
    idle = IdleWatcher().start()
    current = {"settings": settings}
    # The camera worker re-reads calibration.json whenever the calibration dialog or "delete all
    # data" changes it.
    calibration_note = repair_calibration(calibration_path(paths.settings_file), clock.wall())
    if calibration_note:
        log.warning("calibration: %s", calibration_note)
    calibration = SavedCalibration(calibration_path(paths.settings_file))
    if calibration.current() is None and calibration.problem and not calibration_note:
        log.warning("calibration not used: %s", calibration.problem)
    actions = TrayActions()
    tray = Tray(actions)
    tray.show()
    notifier = choose_notifier(tray.icon, sound=settings.sound)
    log.info("notifications through %s", notifier.name)
    dnd = DndWatcher().start()

    worker_ref: dict[str, CameraWorker] = {}

    def spec_now() -> str:
        return spec if args.source is not None else current["settings"].camera

    opener = make_source_opener(
        spec_now,
        loop=loop,
        clock=clock,
        on_lost=lambda lost, reason: worker_ref["w"].camera_lost(lost, reason),
    )
    worker = CameraWorker(
        open_source=opener,
        make_engine=lambda: Engine(
            current["settings"], recorder=sink, calibration=calibration.current
        ),
        clock=clock,
        first_source=first_source,
    )
    worker_ref["w"] = worker
    host = WorkerHost(worker)

    def report_window() -> Any:
        from hipcheck.ui.report_window import ReportWindow

        return ReportWindow(store, today=clock.wall().date(), settings=current["settings"])

    def settings_dialog(on_change: Any) -> Any:
        return make_settings_dialog(
            loaded, current["settings"], on_change, paths, shared_frames=True
        )

    def break_window(choice: Any, *, on_done: Any, on_skip: Any, on_postpone: Any = None) -> Any:
        from hipcheck.ui.break_window import BreakWindow

        return BreakWindow(
            choice, on_done=on_done, on_skip=on_skip, on_postpone=on_postpone, clock=clock
        )

    def about_window() -> Any:
        from hipcheck.ui.about import AboutWindow

        return AboutWindow(paths)

    def first_run_window() -> Any:
        from hipcheck.ui.first_run import FirstRunWindow

        return FirstRunWindow(
            current["settings"],
            save=lambda changes: save_first_run(paths, current["settings"], changes),
            mark_done=lambda: _touch(paths.first_run_done),
            has_tray=tray.has_tray,
        )

    def calibration_dialog() -> Any:
        from hipcheck.ui.calibration import CalibrationDialog

        return CalibrationDialog(save_path=calibration_path(paths.settings_file), clock=clock)

    def settings_changed(new: Settings) -> None:
        current["settings"] = new

    try:
        break_log = load_break_log(store, clock.wall().date())
    except Exception:
        log.warning("could not read past breaks; the exercise balance starts fresh", exc_info=True)
        break_log = None
    controller = AppController(
        settings=settings,
        worker=worker,
        actions=actions,
        show_view=tray.show_view,
        notifier=notifier,
        windows=Windows(
            live_view=lambda: LiveView(front=current["settings"].camera_position == "front"),
            report=report_window,
            settings=settings_dialog,
            break_window=break_window,
            calibration=calibration_dialog,
            about=about_window,
            first_run=first_run_window,
        ),
        clock=clock,
        events=sink,
        day_totals=day_totals(store),
        break_log=break_log,
        dnd=lambda: dnd.active,
        on_settings_changed=settings_changed,
        idle_s=lambda: idle.idle_s,
        timer_sink=timer_sink,
        camera_problem=lambda reason: describe_camera_problem(spec_now(), reason),
    )
    status_window = tray.window

    def answer(command: str, params: dict[str, Any]) -> dict[str, Any]:
        # Without a tray, "show" also brings back the status window.
        if command == "show" and status_window is not None:
            status_window.showNormal()
        return controller.handle_command(command, params)

    holder["handle"] = answer
    controller.quit_requested.connect(app.quit)
    session = SessionWatcher(monotonic=clock.monotonic, wall=clock.wall)
    session.inactive_changed.connect(controller.on_session_inactive)
    session.slept.connect(controller.on_slept)
    for warning in loaded.warnings:
        log.warning("settings: %s", warning)
    for warning in (store.warning, calibration_note):
        if warning:
            tray.show_message("HipCheck", warning)
    if store.warning:
        log.warning("%s", store.warning)

    def apply_retention() -> None:
        """Delete records older than the "Keep data for" setting: at start, then hourly."""
        keep = current["settings"].retention_days
        try:
            deleted = store.apply_retention(clock.wall().date(), keep)
        except sqlite3.Error as exc:
            log.warning("could not delete records older than %d days: %s", keep, exc)
        else:
            if deleted:
                log.info("deleted %d records older than %d days", deleted, keep)

    apply_retention()
    retention_timer = QTimer()
    retention_timer.timeout.connect(apply_retention)
    retention_timer.start(3600 * 1000)

    # Qt's event loop does not let Python see SIGTERM/SIGINT; a timer gives it a chance.
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(250)

    host.start()
    log.info("HipCheck running: source %s, data in %s", redact_url(spec_now()), paths.data_dir)
    print(started_text(has_tray=tray.window is None), flush=True)
    from hipcheck.ui.first_run import first_run_wanted

    if first_run_wanted(paths.first_run_done, forced=getattr(args, "first_run", None)):
        QTimer.singleShot(0, controller.open_first_run)
    try:
        app.exec()
    finally:
        heartbeat.stop()
        retention_timer.stop()
        controller.shutdown()
        stopped = host.shutdown(8000)
        dnd.stop()
        idle.stop()
        notifier.shutdown()
        server.close()
        tray.hide()
        # Windows go before the QApplication, in Qt's order, not in the garbage collector's.
        from PySide6.QtCore import QCoreApplication, QEvent

        for widget in app.topLevelWidgets():
            widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if not stopped:
            # A read stuck in a driver must not keep the process alive: the store is flushed
            # by SQLite's own transactions; leave without waiting for the thread.
            log.warning("leaving without the camera thread")
    return 0
