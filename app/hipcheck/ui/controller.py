"""The glue of the tray app, on the GUI thread: engine records in; tray, nudges, breaks and store out.

Everything here reacts to three inputs: the camera worker's signals (records, frames, status),
the user's actions (tray menu, notification actions, break window), and timers/session signals
(pause deadlines, screen lock, suspend). It holds no posture logic of its own: the tracker (in
the engine), ``core.reminders.ReminderPolicy`` and ``core.exercise`` decide; this turns their
answers into windows, notifications and stored events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from hipcheck.core.clock import Clock
from hipcheck.core.exercise import BoutPosture, BoutPostureAccumulator, BreakLog, ExerciseChoice
from hipcheck.core.glossary import BENT_HIPS, clock_time_from, duration
from hipcheck.core.redact import redact_url
from hipcheck.core.reminders import (
    EVENT_BREAK_DONE,
    EVENT_BREAK_SKIPPED,
    EVENT_BREAK_STARTED,
    EVENT_NUDGE,
    EVENT_SNOOZE,
    Block,
    Nudge,
    ReminderPolicy,
    event_detail,
)
from hipcheck.core.settings import Settings
from hipcheck.core.status import Activity, Status, status_line
from hipcheck.core.timer import TimerBout
from hipcheck.core.types import BoutEnded, BoutStarted, NaturalBreak, State, StateChanged
from hipcheck.ui.notify import DEFAULT, DISMISSED, SNOOZE, Notifier, nudge_actions
from hipcheck.ui.signals import emit
from hipcheck.ui.tray import PauseChoice, TrayActions, TrayMode, TrayView
from hipcheck.ui.worker import WorkerState, WorkerStatus

if TYPE_CHECKING:
    from hipcheck.vision.engine import SampleRecord

log = logging.getLogger(__name__)

EVENT_PAUSED = "paused"
EVENT_RESUMED = "resumed"
EVENT_TOLD_BREAK = "break_told"
TODAY_REFRESH_MS = 30_000
PAUSE_CHECK_MS = 5_000  # the wall-clock check, for a deadline passed while suspended
TIMED_CHOICE = "timed"  # a pause for a number of minutes (``hipcheck pause MINUTES``)
TIMER_TICK_MS = 2_000
CHOOSE_CAMERA = "choose_camera"
WHY_NOT = {
    Block.PAUSED: "paused",
    Block.DND: "reminders wait while do not disturb is on",
    Block.OFF_HOURS: "no reminders outside working hours",
    Block.DAY_OFF: "no reminders today (not a working day)",
}


class WorkerControl(Protocol):
    """The camera worker as the controller drives it (``CameraWorker``)."""

    record_ready: Any
    frame_available: Any
    status_changed: Any

    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def apply_settings(self, settings: Settings) -> None: ...
    def set_frames_wanted(self, wanted: bool) -> None: ...
    def take_frame(self) -> QImage | None: ...
    def add_slept(self, seconds: float) -> None: ...
    def now_s(self) -> float: ...


class EventSink(Protocol):
    """Where user-facing events go (``RecordingSink`` or ``Store``)."""

    def record_event(self, at_wall: datetime, kind: str, detail: dict[str, Any] | None) -> int: ...


class DayTotals(Protocol):
    """Today's stored totals (for the tooltip)."""

    def __call__(self, day: date) -> tuple[float, float]: ...


def pause_until(choice: PauseChoice, now: datetime, work_start_h: float) -> datetime | None:
    """When a pause chosen at ``now`` ends (None: until resumed); "tomorrow" is at work start."""
    if choice is PauseChoice.MIN_15:
        return now + timedelta(minutes=15)
    if choice is PauseChoice.HOUR_1:
        return now + timedelta(hours=1)
    if choice is PauseChoice.TOMORROW:
        tomorrow = now.date() + timedelta(days=1)
        start = datetime.combine(tomorrow, time(0), tzinfo=now.tzinfo)
        return start + timedelta(hours=work_start_h)
    return None


def tooltip_text(
    state_line: str, today_sitting_s: float, today_flexion_s: float, detail: str = ""
) -> str:
    """The tray tooltip: the status line, today's sitting time (and with the hips bent), a detail."""
    lines = [f"HipCheck — {state_line}"]
    lines.append(
        f"Today: sitting {duration(today_sitting_s)}, {BENT_HIPS} {duration(today_flexion_s)}"
    )
    if detail:
        lines.append(detail)
    return "\n".join(lines)


class TimerSink(Protocol):
    """Where timer-only intervals go (a ``store.RecordingSink`` of their own)."""

    def write(self, source: Any, now_s: float, wall_now: datetime) -> int: ...
    def finish(self, source: Any, now_s: float, wall_now: datetime) -> int: ...


@dataclass
class Windows:
    """Factories for the app's windows (so tests can pass light ones)."""

    live_view: Callable[[], Any]
    report: Callable[[], Any] | None
    settings: Callable[[Callable[[Settings], None]], Any] | None
    break_window: Callable[..., Any]
    calibration: Callable[[], Any] | None = None
    about: Callable[[], Any] | None = None
    first_run: Callable[[], Any] | None = None


class AppController(QObject):
    """Turns records, statuses and user actions into tray state, nudges, breaks and events."""

    break_opened = Signal(object)  # the break window
    quit_requested = Signal()

    def __init__(
        self,
        *,
        settings: Settings,
        worker: WorkerControl,
        actions: TrayActions,
        show_view: Callable[[TrayView], None],
        notifier: Notifier,
        windows: Windows,
        clock: Clock,
        events: EventSink | None,
        day_totals: DayTotals | None = None,
        break_log: BreakLog | None = None,
        dnd: Callable[[], bool] = lambda: False,
        on_settings_changed: Callable[[Settings], None] | None = None,
        idle_s: Callable[[], float | None] = lambda: None,
        timer_sink: TimerSink | None = None,
        camera_problem: Callable[[str], Any] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.worker = worker
        self.actions = actions
        self._show_view = show_view
        self.notifier = notifier
        self.windows = windows
        self.clock = clock
        self.events = events
        self._day_totals = day_totals
        self._dnd = dnd
        self._on_settings_changed = on_settings_changed
        self.policy = ReminderPolicy.from_settings(settings, break_log)
        self.posture = BoutPostureAccumulator()
        self.last_record: SampleRecord | None = None
        self.status = WorkerStatus(WorkerState.STARTING)
        # Why the history cannot be saved right now (disk full, read-only), or None.
        self.storage_error: str | None = None
        self.user_paused = False
        self.paused_until: datetime | None = None
        self.session_inactive = False
        self.nudges: list[Nudge] = []
        self.break_window: Any = None
        self._break_choice: ExerciseChoice | None = None
        self.live_view: Any = None
        self.report_window: Any = None
        self.settings_dialog: Any = None
        self.calibration_dialog: Any = None
        self._frame_viewers: set[str] = set()
        self._today: tuple[date, float, float] | None = None
        # No camera: remind by the clock, with the desktop's idle time as breaks.
        self._idle_s = idle_s
        self._timer_sink = timer_sink
        self._camera_problem = camera_problem
        self.timer: TimerBout | None = None
        self._paused_at_s = 0.0
        self.timer_bout_s = 0.0
        self.problem: Any = None  # the CameraProblem told to the user, or None
        self.problem_notified = False
        self.about_window: Any = None
        self.first_run_window: Any = None

        worker.record_ready.connect(self.on_record)
        worker.frame_available.connect(self.on_frame)
        worker.status_changed.connect(self.on_status)
        for choice, action in actions.pause.items():
            action.triggered.connect(lambda _=False, c=choice: self.pause(c))
        actions.resume.triggered.connect(lambda: self.resume())
        actions.live_view.triggered.connect(self.open_live_view)
        actions.status.triggered.connect(self.open_live_view)
        actions.report.triggered.connect(self.open_report)
        actions.settings.triggered.connect(self.open_settings)
        actions.take_break.triggered.connect(lambda: self.start_break())
        actions.took_break.triggered.connect(self.took_break)
        actions.about.triggered.connect(self.open_about)
        actions.first_run.triggered.connect(self.open_first_run)
        actions.quit.triggered.connect(lambda: emit(self.quit_requested))
        actions.report.setEnabled(windows.report is not None)
        actions.settings.setEnabled(windows.settings is not None)
        actions.about.setEnabled(windows.about is not None)
        actions.first_run.setEnabled(windows.first_run is not None)

        self._pause_timer = QTimer(self)
        self._pause_timer.setInterval(PAUSE_CHECK_MS)
        self._pause_timer.timeout.connect(self.check_pause_deadline)
        self._pause_timer.start()
        # Fires at the deadline itself, so a timed pause ends on time rather than up to 5 s late.
        self._deadline_timer = QTimer(self)
        self._deadline_timer.setSingleShot(True)
        self._deadline_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._deadline_timer.timeout.connect(self.check_pause_deadline)
        self._today_timer = QTimer(self)
        self._today_timer.setInterval(TODAY_REFRESH_MS)
        self._today_timer.timeout.connect(self.refresh_today)
        self._today_timer.start()
        self._timer_tick = QTimer(self)
        self._timer_tick.setInterval(TIMER_TICK_MS)
        self._timer_tick.timeout.connect(self.on_timer_tick)
        self.refresh_today()
        self._update_tray()

    # ---- worker input ------------------------------------------------------------------------

    def on_record(self, record: SampleRecord) -> None:
        """One processed sample: tray, live view, bout posture, break detection, reminders."""
        self.last_record = record
        summary = record.summary
        sitting = record.state is State.SITTING
        for event in record.events:
            if isinstance(event, BoutStarted):
                self.posture.reset()
            if self.break_window is not None and (
                isinstance(event, (NaturalBreak, BoutEnded))
                or (isinstance(event, StateChanged) and event.new is State.STANDING)
            ):
                # The camera saw the user get up: the break counts even without "Done".
                self.break_window.user_stood_up()
        self.posture.update(
            record.observation, record.timestamp_s, sitting=sitting, sample=record.sample
        )
        if self.live_view is not None:
            self.live_view.set_record(record)
        if self.calibration_dialog is not None and self.calibration_dialog.isVisible():
            self.calibration_dialog.on_sample(record.sample)
        if self.first_run_window is not None and self.first_run_window.isVisible():
            self.first_run_window.set_record(record)
        was_showing = self.policy.showing
        bout_s = summary.current_bout_s if summary.in_bout else 0.0
        nudges = self.policy.update(
            record.timestamp_s,
            self.clock.wall(),
            sitting=sitting,
            bout_s=bout_s,
            paused=self.paused,
            dnd=self._dnd(),
            posture=self.posture.posture(bout_s, summary.current_bout_flexion_s),
        )
        if was_showing and not self.policy.showing and not nudges:
            self.notifier.close()  # a natural break answered the nudge
        for nudge in nudges:
            self._show_nudge(nudge)
        self._check_storage()
        self._update_tray()

    def _check_storage(self) -> None:
        """Tell the user once when the history stops being saved, and log when it works again."""
        error = getattr(self.events, "error", None)
        if error == self.storage_error:
            return
        self.storage_error = error
        if error is None:
            log.info("the history is being saved again")
            return
        log.warning("%s", error)
        self.notifier.notify("HipCheck cannot save your history", error, (), lambda _key: None)

    def on_frame(self) -> None:
        """A new frame for the windows showing the camera (the worker keeps only the latest)."""
        image = self.worker.take_frame()
        if image is None:
            return
        windows = (
            self.live_view,
            self.first_run_window,
            self.settings_dialog,
            self.calibration_dialog,
        )
        for window in windows:
            if window is not None and window.isVisible() and hasattr(window, "set_frame"):
                window.set_frame(image)

    def want_frames(self, viewer: str, wanted: bool) -> None:
        """A window showing the camera picture opened or closed; frames flow while any is open.

        The windows share the monitor's own camera feed: nothing opens the camera a second time.
        """
        if wanted:
            self._frame_viewers.add(viewer)
        else:
            self._frame_viewers.discard(viewer)
        self.worker.set_frames_wanted(bool(self._frame_viewers))

    def on_status(self, status: WorkerStatus) -> None:
        """The worker's state changed (running, paused, camera problem, ended)."""
        if status.message:
            log.info("camera worker: %s — %s", status.state.value, status.message)
        self.status = status
        if status.state is WorkerState.CAMERA_PROBLEM:
            self._camera_down()
        elif status.state is WorkerState.RUNNING:
            self._camera_back()
        if self.live_view is not None:
            self.live_view.set_paused(
                self._paused_text() if status.state is WorkerState.PAUSED else ""
            )
        self._show_problem_in_live_view()
        self._update_tray()

    # ---- no camera: say it once, remind by the clock, resume by itself ---------------------------

    def _camera_down(self) -> None:
        problem = (
            self._camera_problem(self.status.message) if self._camera_problem is not None else None
        )
        self.problem = problem
        if self.timer is None:
            now_s = self.worker.now_s()
            self.timer = TimerBout(now_s, natural_break_s=self.settings.natural_break_min * 60.0)
            self._timer_tick.start()
            log.info("no camera: reminding by the clock")
        if not self.problem_notified:
            # Once per outage: the retries that follow change nothing the user can act on.
            self.problem_notified = True
            title = str(
                getattr(self.problem, "title", "")
                or f"HipCheck cannot use the camera: {self.problem_short()}"
            )
            self.notifier.notify(
                title,
                self.problem_message(),
                ((CHOOSE_CAMERA, "Choose camera…"),),
                self._on_problem_action,
            )

    def _camera_back(self) -> None:
        if self.timer is None and not self.problem_notified:
            return
        self._finish_timer()
        if self.problem_notified:
            log.info("the camera is back: measuring again")
            self.notifier.close()
        self.problem = None
        self.problem_notified = False
        self.timer_bout_s = 0.0

    def _finish_timer(self) -> None:
        """Stop timing by the clock and store what it timed."""
        timer, self.timer = self.timer, None
        self._timer_tick.stop()
        if timer is not None and self._timer_sink is not None:
            try:
                self._timer_sink.finish(timer, self.worker.now_s(), self.clock.wall())
            except Exception:  # never lose the app over a failing disk
                log.warning("could not store the timer-only time", exc_info=True)

    def _on_problem_action(self, key: str) -> None:
        if key in (CHOOSE_CAMERA, DEFAULT):
            self.open_settings()

    def problem_short(self) -> str:
        """ "camera busy": the camera problem for the status line."""
        short = getattr(self.problem, "short", "")
        return str(short) if short else "no camera"

    def problem_message(self) -> str:
        """What is wrong with the camera and what to do, in full."""
        message = getattr(self.problem, "message", "")
        return str(message) if message else (self.status.message or "The camera is not available")

    def _show_problem_in_live_view(self) -> None:
        """The live view and the first run say what is wrong with the camera (or nothing)."""
        message = self.problem_message() if self.timer is not None else ""
        for window in (self.live_view, self.first_run_window):
            setter = getattr(window, "set_camera_problem", None)
            if setter is not None:
                setter(message)

    def on_timer_tick(self) -> None:
        """Without a camera: advance the clock bout (idle time counts as a break), nudge, store."""
        timer = self.timer
        if timer is None:
            return
        now_s = self.worker.now_s()
        wall = self.clock.wall()
        if self.paused:
            # Like the camera's gap, a pause (or a locked screen) counts as time away.
            timer.update(now_s, now_s - self._paused_at_s)
            self.timer_bout_s = 0.0 if timer.away else self.timer_bout_s
            return
        reading = timer.update(now_s, self._idle_s())
        self.timer_bout_s = reading.bout_s
        was_showing = self.policy.showing
        nudges = self.policy.update(
            now_s,
            wall,
            sitting=not reading.away,
            bout_s=reading.bout_s,
            paused=self.paused,
            dnd=self._dnd(),
            posture=BoutPosture(reading.bout_s, timer_only=True),
        )
        if was_showing and not self.policy.showing and not nudges:
            self.notifier.close()  # the idle time answered the nudge
        for nudge in nudges:
            self._show_nudge(nudge)
        if self._timer_sink is not None:
            try:
                self._timer_sink.write(timer, now_s, wall)
            except Exception:
                log.warning("could not store the timer-only time", exc_info=True)
        self._update_tray()

    def took_break(self) -> None:
        """ "I just took a break": the sitting count starts again from now."""
        now_s = self.worker.now_s()
        if self.timer is not None:
            self.timer.took_break(now_s)
            self.timer_bout_s = 0.0
        self.notifier.close()
        self.policy.break_done(now_s, day=self.clock.wall().date())
        self._record_event(EVENT_TOLD_BREAK, None)
        self._update_tray()

    # ---- pause / resume ------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """Monitoring is off: paused by the user, or the session is locked/asleep."""
        return self.user_paused or self.session_inactive

    def pause(self, choice: PauseChoice, *, until: datetime | None = None) -> datetime | None:
        """Pause monitoring (the camera is released) until the chosen time or until resumed.

        An explicit ``until`` makes it a timed pause, whatever ``choice`` says.
        """
        now = self.clock.wall()
        self.paused_until = (
            until if until is not None else pause_until(choice, now, self.settings.work_start_h)
        )
        if not self.paused:
            self._paused_at_s = self.worker.now_s()
        self.user_paused = True
        self.worker.pause()
        self.actions.set_paused(True)
        self._record_event(
            EVENT_PAUSED,
            {
                "choice": TIMED_CHOICE if until is not None else choice.value,
                "until": self.paused_until.isoformat() if self.paused_until else None,
            },
        )
        self._arm_deadline()
        self._update_tray()
        return self.paused_until

    def _arm_deadline(self) -> None:
        """Start the one-shot timer for the pause's deadline (stop it when there is none)."""
        self._deadline_timer.stop()
        if self.user_paused and self.paused_until is not None:
            remaining_s = (self.paused_until - self.clock.wall()).total_seconds()
            # At most a day per shot (QTimer takes an int of ms); check_pause_deadline re-arms.
            self._deadline_timer.start(int(min(max(remaining_s, 0.0), 86_400.0) * 1000) + 1)

    def resume(self, *, reason: str = "user") -> None:
        """Resume monitoring (the camera reopens), unless the screen is locked."""
        if not self.user_paused:
            return
        self.user_paused = False
        self.paused_until = None
        self._deadline_timer.stop()
        self.actions.set_paused(False)
        if not self.session_inactive:
            self.worker.resume()
        self._record_event(EVENT_RESUMED, {"reason": reason})
        self._update_tray()

    def check_pause_deadline(self) -> None:
        """Resume when a timed pause is over (wall clock, so it also ends across a suspend)."""
        if (
            self.user_paused
            and self.paused_until is not None
            and self.clock.wall() >= self.paused_until
        ):
            self.resume(reason="timer")
        elif self.user_paused and not self._deadline_timer.isActive():
            self._arm_deadline()  # woke early (coarse timer, a clock change): wait the rest

    def on_session_inactive(self, inactive: bool) -> None:
        """Screen locked or machine asleep: pause monitoring; that time is a gap, counted as away."""
        if inactive and not self.paused:
            self._paused_at_s = self.worker.now_s()
        self.session_inactive = inactive
        if inactive:
            self.worker.pause()
        elif not self.user_paused:
            self.worker.resume()
        self._update_tray()

    def on_slept(self, seconds: float) -> None:
        """The machine slept ``seconds`` without the worker's clock counting them."""
        self.worker.add_slept(seconds)

    # ---- nudges and breaks -----------------------------------------------------------------------

    def _show_nudge(self, nudge: Nudge) -> None:
        self.nudges.append(nudge)
        self._record_event(
            EVENT_NUDGE,
            event_detail(
                nudge.choice,
                nudge_kind=nudge.kind.value,
                bout_s=round(nudge.bout_s, 1),
                held_back=nudge.held_back,
            ),
        )
        log.info("nudge: %s", nudge.title)
        self.notifier.notify(
            nudge.title,
            nudge.body,
            nudge_actions(nudge.can_snooze, self.settings.snooze_min),
            self.on_notification_action,
        )

    def on_notification_action(self, key: str) -> None:
        """The user answered the notification (on the GUI thread)."""
        now_s = self.worker.now_s()
        log.info("notification action: %s", key)
        if key == DEFAULT:
            self.start_break()
        elif key == SNOOZE:
            active = self.policy.active_nudge
            if self.policy.snooze(now_s) and active is not None:
                self._record_event(
                    EVENT_SNOOZE, event_detail(active.choice, snoozes=self.policy.snoozes_in_row)
                )
        elif key == DISMISSED:
            self.policy.dismissed(now_s)

    def start_break(self, choice: ExerciseChoice | None = None) -> Any:
        """Open the break window (from a notification or "Take a break now")."""
        if self.break_window is not None and self.break_window.isVisible():
            self.break_window.raise_()
            self.break_window.activateWindow()
            return self.break_window
        self.notifier.close()
        chosen = self.policy.break_started(self.worker.now_s(), choice)
        self._break_choice = chosen
        self._record_event(EVENT_BREAK_STARTED, event_detail(chosen))
        window = self.windows.break_window(
            chosen,
            on_done=self._break_done,
            on_skip=self._break_skipped,
            on_postpone=self._break_postponed,
        )
        self.break_window = window
        window.show()
        window.raise_()
        emit(self.break_opened, window)
        return window

    def _break_done(self, reason: str) -> None:
        choice = self._break_choice
        self.policy.break_done(self.worker.now_s(), day=self.clock.wall().date())
        if choice is not None:
            self._record_event(EVENT_BREAK_DONE, event_detail(choice, how=reason))
        self._break_finished()

    def _break_postponed(self, seconds: float) -> None:
        choice = self._break_choice
        self.policy.break_postponed(self.worker.now_s(), seconds)
        if choice is not None:
            self._record_event(EVENT_SNOOZE, event_detail(choice, how="postpone"))
        self._break_finished()

    def _break_skipped(self, reason: str) -> None:
        choice = self._break_choice
        self.policy.break_skipped(self.worker.now_s())
        if choice is not None:
            self._record_event(EVENT_BREAK_SKIPPED, event_detail(choice, how=reason))
        self._break_finished()

    def _break_finished(self) -> None:
        # A window that counted the break on standing up stays open until the user closes it.
        window = self.break_window
        if window is not None and not window.isVisible():
            self.break_window = None
        QTimer.singleShot(0, self._forget_closed_break)

    def _forget_closed_break(self) -> None:
        if self.break_window is not None and not self.break_window.isVisible():
            self.break_window = None

    # ---- windows ---------------------------------------------------------------------------------

    def open_live_view(self) -> Any:
        """Show the live view (frames flow only while it is visible)."""
        if self.live_view is None:
            self.live_view = self.windows.live_view()
            # The worker's thread runs no event loop; want_frames only sets a thread-safe flag.
            self.live_view.visibility_changed.connect(lambda on: self.want_frames("live", on))
            choose = getattr(self.live_view, "choose_camera_requested", None)
            if choose is not None:
                choose.connect(self.open_settings)
            pointed = getattr(self.live_view, "user_pointed", None)
            if pointed is not None:
                pointed.connect(self.worker.point_at)
        if self.last_record is not None:
            self.live_view.set_record(self.last_record)
        self.live_view.set_paused(self._paused_text() if self.paused else "")
        self._show_problem_in_live_view()
        self.live_view.show()
        self.live_view.raise_()
        return self.live_view

    def open_report(self) -> Any:
        """Show today's report."""
        if self.windows.report is None:
            return None
        if self.report_window is None or not self.report_window.isVisible():
            self.report_window = self.windows.report()
        self.report_window.show()
        self.report_window.raise_()
        return self.report_window

    def open_settings(self) -> Any:
        """Show the settings dialog; its edits apply live."""
        if self.windows.settings is None:
            return None
        if self.settings_dialog is None:
            self.settings_dialog = self.windows.settings(self.apply_settings)
            calibrate = getattr(self.settings_dialog, "calibrate_requested", None)
            if calibrate is not None and self.windows.calibration is not None:
                calibrate.connect(self.open_calibration)
            frames = getattr(self.settings_dialog, "frames_wanted", None)
            if frames is not None:
                frames.connect(lambda on: self.want_frames("settings", on))
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        return self.settings_dialog

    def open_about(self) -> Any:
        """Show the About window (version, licences, where data lives)."""
        if self.windows.about is None:
            return None
        if self.about_window is None:
            self.about_window = self.windows.about()
        self.about_window.show()
        self.about_window.raise_()
        return self.about_window

    def open_first_run(self) -> Any:
        """Show the first-run window (again); it is fed the worker's frames like the live view."""
        if self.windows.first_run is None:
            return None
        if self.first_run_window is None or not self.first_run_window.isVisible():
            self.first_run_window = self.windows.first_run()
            changed = getattr(self.first_run_window, "visibility_changed", None)
            if changed is not None:
                changed.connect(lambda on: self.want_frames("first_run", on))
            applied = getattr(self.first_run_window, "settings_applied", None)
            if applied is not None:
                applied.connect(self.apply_settings)
            calibrate = getattr(self.first_run_window, "calibrate_requested", None)
            if calibrate is not None and self.windows.calibration is not None:
                calibrate.connect(self.open_calibration)
            choose = getattr(self.first_run_window, "choose_camera_requested", None)
            if choose is not None:
                choose.connect(self.open_settings)
        self._show_problem_in_live_view()
        self.first_run_window.show()
        self.first_run_window.raise_()
        self.first_run_window.activateWindow()
        return self.first_run_window

    def open_calibration(self) -> Any:
        """Show the calibration dialog, fed with the worker's samples."""
        if self.windows.calibration is None:
            return None
        self.calibration_dialog = self.windows.calibration()
        frames = getattr(self.calibration_dialog, "frames_wanted", None)
        if frames is not None:
            frames.connect(lambda on: self.want_frames("calibration", on))
        self.calibration_dialog.show()
        return self.calibration_dialog

    def apply_settings(self, settings: Settings) -> None:
        """New settings from the dialog: engine, sample rate, reminders; a new camera reopens."""
        camera_changed = settings.camera != self.settings.camera
        self.settings = settings
        self.worker.apply_settings(settings)
        self.policy.apply_settings(settings)
        if self.timer is not None:
            self.timer.natural_break_s = settings.natural_break_min * 60.0
        set_front = getattr(self.live_view, "set_front", None)
        if set_front is not None:
            set_front(settings.camera_position == "front")
        if self._on_settings_changed is not None:
            self._on_settings_changed(settings)
        if camera_changed and not self.paused:
            self.worker.pause()
            self.worker.resume()
        self._update_tray()

    # ---- status ------------------------------------------------------------------------------------

    def status_dict(self) -> dict[str, Any]:
        """What ``hipcheck status`` prints."""
        record = self.last_record
        out: dict[str, Any] = {
            "state": "paused"
            if self.paused
            else (record.state.value if record else self.status.state.value),
            "paused": self.paused,
            "camera": self.status.state.value,
        }
        if self.paused_until is not None:
            out["paused_until"] = self.paused_until.isoformat(timespec="seconds")
        if self.session_inactive and not self.user_paused:
            out["paused_reason"] = "screen_locked"
        bout_s = 0.0
        if record is not None and record.summary.in_bout:
            bout_s = record.summary.current_bout_s
            out["bout_s"] = round(bout_s)
        if record is not None:
            due_s = self.policy.due_in_s(record.timestamp_s, bout_s)
            if due_s is not None:
                out["next_break_in_s"] = round(due_s)
        block = self.policy.blocked_at(self.clock.wall(), dnd=self._dnd())
        if block is not None:
            out["reminders_held"] = block.value
        out["today_sitting_s"] = round(self._today_totals(record)[0])
        if self.status.message:
            out["camera_message"] = redact_url(self.status.message)
        if self.timer is not None:
            # The clock's count stands in for the camera's: what is wrong, and when the break is.
            out["timer_only"] = True
            out["camera_message"] = redact_url(self.problem_message())
            due_s = self.policy.due_in_s(self.worker.now_s(), self.timer_bout_s)
            if due_s is not None:
                out["next_break_in_s"] = round(due_s)
        out["status_line"] = redact_url(self.current_status_line())
        if self.storage_error:
            out["storage_error"] = self.storage_error
        return out

    def handle_command(self, command: str, params: dict[str, Any]) -> dict[str, Any]:
        """Answer the single-instance socket (``hipcheck status|pause|resume``, a second start)."""
        if command == "status":
            return self.status_dict()
        if command == "pause":
            minutes = params.get("minutes")
            until = None
            if isinstance(minutes, (int, float)) and not isinstance(minutes, bool):
                until = self.clock.wall() + timedelta(minutes=float(minutes))
            self.pause(PauseChoice.UNTIL_RESUMED, until=until)
            text = (
                f"HipCheck is paused until {clock_time_from(until, self.clock.wall())}."
                if until
                else "HipCheck is paused until you resume it (`hipcheck resume`)."
            )
            return {"paused": True, "message": text}
        if command == "resume":
            self.resume()
            return {"paused": self.paused, "message": "HipCheck is monitoring again."}
        if command == "show":
            self.open_live_view()
            return {}
        return {"error": f"unknown command {command!r}"}

    def refresh_today(self) -> None:
        """Re-read today's stored sitting and flexion totals for the tooltip."""
        if self._day_totals is None:
            return
        day = self.clock.wall().date()
        try:
            sitting_s, flexion_s = self._day_totals(day)
        except Exception:  # the tooltip must never take the app down
            log.debug("reading today's totals failed", exc_info=True)
            return
        self._today = (day, sitting_s, flexion_s)
        self._update_tray()

    def _paused_text(self) -> str:
        if self.session_inactive and not self.user_paused:
            return "Paused while the screen is locked"
        if self.paused_until is not None:
            # "14:00" today, "Wed 08:00" on another day.
            return f"Paused until {clock_time_from(self.paused_until, self.clock.wall())}"
        return "Paused until you resume"

    def _today_totals(self, record: SampleRecord | None) -> tuple[float, float]:
        """Today's sitting and hips-bent seconds: stored totals, else this run's."""
        if self._today is not None and self._today[0] == self.clock.wall().date():
            return self._today[1], self._today[2]
        if record is not None:
            return record.summary.sitting_s, record.summary.flexion_s
        return 0.0, 0.0

    def current_status(self) -> Status:
        """What the status line and the tray icon say now."""
        limit_s = self.policy.limit_s
        now_s = self.worker.now_s()
        wall = self.clock.wall()
        if self.paused or self.status.state is WorkerState.PAUSED:
            return Status(Activity.PAUSED, limit_s=limit_s, paused=self._paused_text())
        if self.timer is not None:
            away = self.timer.away
            bout_s = self.timer_bout_s
            return self._with_break(
                Status(
                    Activity.AWAY if away else Activity.SITTING,
                    sitting_s=None if away else self.policy.since_break_s(bout_s),
                    limit_s=limit_s,
                    timer_only=self.problem_short(),
                ),
                now_s,
                bout_s,
                wall,
            )
        if self.status.state in (WorkerState.CAMERA_PROBLEM, WorkerState.ENDED):
            return Status(Activity.CAMERA_PROBLEM, limit_s=limit_s)
        record = self.last_record
        if record is None:
            return Status(Activity.STARTING, limit_s=limit_s)
        activity = {
            State.SITTING: Activity.SITTING,
            State.STANDING: Activity.STANDING,
            State.AWAY: Activity.AWAY,
            State.UNKNOWN: Activity.LOOKING,
        }[record.state]
        bout_s = record.summary.current_bout_s if record.summary.in_bout else 0.0
        if activity is not Activity.SITTING:
            return Status(activity, limit_s=limit_s)
        return self._with_break(
            Status(activity, sitting_s=self.policy.since_break_s(bout_s), limit_s=limit_s),
            now_s,
            bout_s,
            wall,
        )

    def _with_break(self, status: Status, now_s: float, bout_s: float, wall: datetime) -> Status:
        """Add when the break comes (or why none will) to a sitting status."""
        from dataclasses import replace

        block = self.policy.blocked_at(wall, dnd=self._dnd())
        if block is not None:
            return replace(status, why_not=WHY_NOT[block])
        if status.activity is not Activity.SITTING:
            return status
        return replace(status, break_in_s=self.policy.due_in_s(now_s, bout_s))

    def current_status_line(self) -> str:
        """ "Sitting 23 min · break in 22 min" (or why not)."""
        return status_line(self.current_status())

    def tray_view(self) -> TrayView:
        """What the tray should show now."""
        status = self.current_status()
        line = status_line(status)
        sitting_s, flexion_s = self._today_totals(self.last_record)
        detail = ""
        if status.timer_only:
            detail = self.problem_message()
        elif status.activity is Activity.CAMERA_PROBLEM:
            detail = self.status.message or "The camera is not available"
        mode = {
            Activity.STARTING: TrayMode.STARTING,
            Activity.LOOKING: TrayMode.STARTING,
            Activity.SITTING: TrayMode.SITTING,
            Activity.STANDING: TrayMode.STANDING,
            Activity.AWAY: TrayMode.AWAY,
            Activity.PAUSED: TrayMode.PAUSED,
            Activity.CAMERA_PROBLEM: TrayMode.CAMERA_PROBLEM,
        }[status.activity]
        return TrayView(
            mode=mode,
            fill=status.fill,
            due=status.due,
            camera_badge=bool(status.timer_only),
            status=line,
            tooltip=tooltip_text(line, sitting_s, flexion_s, detail),
        )

    def _update_tray(self) -> None:
        self._show_view(self.tray_view())

    def _record_event(self, kind: str, detail: dict[str, Any] | None) -> None:
        if self.events is None:
            return
        try:
            self.events.record_event(self.clock.wall(), kind, detail)
        except Exception:  # never lose the app over a failing disk; the sink reports it
            log.warning("could not store the %s event", kind, exc_info=True)

    def shutdown(self) -> None:
        """Close windows and notifications at quit."""
        self._pause_timer.stop()
        self._today_timer.stop()
        self._finish_timer()
        self.notifier.close()
        for window in (
            self.live_view,
            self.report_window,
            self.settings_dialog,
            self.break_window,
            self.about_window,
            self.first_run_window,
        ):
            if window is not None:
                window.hide()
