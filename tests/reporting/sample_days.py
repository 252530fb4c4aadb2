"""Known days written into a real store, shared by the report tests (core, reporting, ui, e2e).

All times are Europe/Berlin wall-clock times; the expected numbers are worked out by hand in the
docstrings so the tests compare against arithmetic, not against the code under test.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hipcheck.core.types import State
from hipcheck.store.db import Store

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 11, 10)
MIN = 60.0


def at(y: int, m: int, d: int, hh: int, mm: int, *, fold: int = 0) -> datetime:
    """A Berlin wall-clock time (``fold=1`` picks the second 02:xx of the autumn change)."""
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN, fold=fold)


def fill_tuesday(store: Store) -> None:
    """2026-11-10: two bouts (90 and 30 min), a short break inside the first, reminders.

    Sitting 50 + 39 + 30 = 119 min, flexion 4200 s, standing 11 min, away 5 min, unknown 5 min,
    recorded 09:00–11:20 (140 min). Bouts 09:00–10:30 and 10:45–11:15. Events: 2 nudges, 1 break
    started and 1 done (glute bridge), 1 snooze, 1 break skipped.
    """
    iv = store.record_interval
    iv(at(2026, 11, 10, 9, 0), at(2026, 11, 10, 9, 50), State.SITTING, 100.0, 3000.0)
    iv(at(2026, 11, 10, 9, 50), at(2026, 11, 10, 9, 51), State.STANDING, None, 0.0)
    iv(at(2026, 11, 10, 9, 51), at(2026, 11, 10, 10, 30), State.SITTING, 125.0, 1200.0)
    iv(at(2026, 11, 10, 10, 30), at(2026, 11, 10, 10, 40), State.STANDING, None, 0.0)
    iv(at(2026, 11, 10, 10, 40), at(2026, 11, 10, 10, 45), State.UNKNOWN, None, 0.0)
    iv(at(2026, 11, 10, 10, 45), at(2026, 11, 10, 11, 15), State.SITTING, None, 0.0)
    iv(at(2026, 11, 10, 11, 15), at(2026, 11, 10, 11, 20), State.AWAY, None, 0.0)
    ev = store.record_event
    ev(at(2026, 11, 10, 9, 45), "nudge", {"bout_s": 2700})
    ev(at(2026, 11, 10, 10, 31), "break_started", {"exercise": "glute_bridge"})
    ev(at(2026, 11, 10, 10, 32), "break_done", {"exercise": "glute_bridge"})
    ev(at(2026, 11, 10, 11, 10), "nudge", {})
    ev(at(2026, 11, 10, 11, 11), "snooze", {})
    ev(at(2026, 11, 10, 11, 12), "break_skipped", {})


def tuesday_data_dir(tmp_path: Path) -> Path:
    """A data folder ``tmp_path/data`` whose history holds ``fill_tuesday``'s day."""
    root = tmp_path / "data"
    with Store.open(root / "hipcheck.sqlite3") as store:
        fill_tuesday(store)
    return root


def fill_work_week(store: Store) -> None:
    """A plausible week before Tuesday 2026-11-10 plus that day's afternoon, for looking at.

    Monday 9th: nothing (an empty day in the trend). Each of Wed 4th – Sun 8th except Saturday:
    a morning of ``45 + 5 × (day index)`` minutes of sitting at 100°, then 10 min standing and a
    deadbug break (Thu, Sun) or a glute-bridge break (the others). Tuesday 10th also gets a
    13:00–17:00 afternoon with an angle spread, on top of ``fill_tuesday``.
    """
    for i, day in enumerate(date(2026, 11, 4) + timedelta(days=k) for k in range(5)):
        if day.weekday() == 5:
            continue
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=BERLIN)
        sit = timedelta(minutes=45 + 5 * i)
        store.record_interval(start, start + sit, State.SITTING, 100.0, sit.total_seconds())
        store.record_interval(
            start + sit, start + sit + timedelta(minutes=10), State.STANDING, None, 0.0
        )
        exercise = "deadbug" if day.weekday() in (3, 6) else "glute_bridge"
        store.record_event(start + sit, "nudge", {})
        store.record_event(start + sit + timedelta(minutes=1), "break_done", {"exercise": exercise})
    t = at(2026, 11, 10, 13, 0)
    plan = [
        (State.SITTING, 35, 92.0),
        (State.SITTING, 20, 118.0),
        (State.STANDING, 4, None),
        (State.SITTING, 40, 104.0),
        (State.AWAY, 25, None),
        (State.SITTING, 30, 141.0),
        (State.UNKNOWN, 6, None),
        (State.SITTING, 50, 97.0),
        (State.STANDING, 14, None),
        (State.SITTING, 20, 128.0),
    ]
    for state, minutes, angle in plan:
        end = t + timedelta(minutes=minutes)
        flexion = minutes * 60.0 if angle is not None and angle <= 135 else 0.0
        store.record_interval(t, end, state, angle, flexion)
        t = end
    store.record_event(at(2026, 11, 10, 14, 35), "nudge", {})
    store.record_event(at(2026, 11, 10, 14, 36), "break_done", {"exercise": "deadbug"})
    store.record_event(at(2026, 11, 10, 16, 10), "nudge", {})
    store.record_event(at(2026, 11, 10, 16, 11), "snooze", {})
