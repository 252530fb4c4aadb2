"""The reminder policy on a fake clock: limit, snooze cap, natural breaks, hours, hold-back, breaks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import pytest

from hipcheck.core.clock import FakeClock
from hipcheck.core.exercise import BoutPosture, BreakLog, Exercise
from hipcheck.core.reminders import (
    EVENT_BREAK_DONE,
    Block,
    Nudge,
    NudgeKind,
    ReminderPolicy,
    event_detail,
)
from hipcheck.core.settings import Settings

MIN = 60.0
TICK_S = 10.0
MONDAY_9 = datetime(2026, 1, 5, 9, 0).astimezone()  # 2026-01-05 is a Monday


@dataclass
class Desk:
    """A user at a desk: a fake clock, a bout that grows while at the desk, and the policy."""

    policy: ReminderPolicy
    clock: FakeClock = field(default_factory=lambda: FakeClock(wall_start=MONDAY_9))
    sitting: bool = True
    bout_s: float = 0.0
    paused: bool = False
    dnd: bool = False
    nudges: list[Nudge] = field(default_factory=list)

    def run(self, seconds: float) -> list[Nudge]:
        """Tick every 10 s for ``seconds``; return the nudges shown meanwhile."""
        shown: list[Nudge] = []
        end = self.clock.now_s + seconds
        while self.clock.now_s < end - 1e-9:
            self.clock.advance(TICK_S)
            self.bout_s += TICK_S  # short stands count into the bout, as in the tracker
            shown += self.tick()
        self.nudges += shown
        return shown

    def tick(self) -> list[Nudge]:
        return self.policy.update(
            self.clock.monotonic(),
            self.clock.wall(),
            sitting=self.sitting,
            bout_s=self.bout_s,
            paused=self.paused,
            dnd=self.dnd,
        )

    def end_bout(self) -> None:
        """The tracker ended the bout (natural break) and a new one starts at 0."""
        self.bout_s = 0.0


def desk(**kw: object) -> Desk:
    return Desk(ReminderPolicy(limit_s=45 * MIN, snooze_s=10 * MIN, snooze_max=3, **kw))  # type: ignore[arg-type]


def at(nudges: list[Nudge]) -> list[float]:
    return [n.at_s for n in nudges]


def test_nudges_once_when_the_bout_reaches_the_limit() -> None:
    d = desk()
    assert d.run(45 * MIN - TICK_S) == []
    shown = d.run(TICK_S)
    assert at(shown) == [45 * MIN]
    n = shown[0]
    assert n.kind is NudgeKind.LIMIT and n.can_snooze and n.snoozes_left == 3
    assert n.bout_s == 45 * MIN and not n.held_back
    assert n.choice.spec.name in n.title
    assert "45 min" in n.body
    assert d.policy.showing and d.policy.active_nudge == n
    # Left unanswered it comes back once per snooze length, without using up a snooze.
    again = d.run(20 * MIN)
    assert at(again) == [55 * MIN, 65 * MIN]
    assert all(x.kind is NudgeKind.REPEAT and x.snoozes_left == 3 for x in again)


def test_snooze_is_capped_and_the_last_nudge_offers_none() -> None:
    d = desk()
    d.run(45 * MIN)
    offered = [d.nudges[-1].can_snooze]
    for _ in range(3):
        assert d.policy.snooze(d.clock.now_s)
        assert not d.policy.showing
        assert d.run(10 * MIN - TICK_S) == []
        shown = d.run(TICK_S)
        assert len(shown) == 1 and shown[0].kind is NudgeKind.SNOOZE_OVER
        offered.append(shown[0].can_snooze)
    assert offered == [True, True, True, False]
    assert [n.snoozes_left for n in d.nudges] == [3, 2, 1, 0]
    assert not d.policy.snooze(d.clock.now_s)
    assert d.policy.showing  # a refused snooze leaves the nudge out


@pytest.mark.parametrize("how", ["bout_drops", "natural_break_call"])
def test_natural_break_cancels_pending_nudges_and_resets_snoozes(how: str) -> None:
    d = desk()
    d.run(45 * MIN)
    d.policy.snooze(d.clock.now_s)
    d.policy.snooze(d.clock.now_s + 1)  # a second snooze while snoozed is allowed and counted
    assert d.policy.snoozes_in_row == 2
    d.sitting = False
    d.run(2 * MIN)
    if how == "bout_drops":
        d.end_bout()
        d.tick()
    else:
        d.policy.natural_break(d.clock.now_s)
        d.end_bout()
    assert not d.policy.showing and d.policy.snoozes_in_row == 0
    d.sitting = True
    # The snooze would have ended 10 min after it began; nothing shows then, nor before a new limit.
    assert d.run(45 * MIN - TICK_S) == []
    shown = d.run(TICK_S)
    assert len(shown) == 1 and shown[0].kind is NudgeKind.LIMIT and shown[0].snoozes_left == 3


def test_natural_break_withdraws_a_shown_nudge() -> None:
    d = desk()
    d.run(45 * MIN)
    assert d.policy.showing
    d.end_bout()
    d.tick()
    assert not d.policy.showing and d.policy.active_nudge is None


def test_a_user_who_stood_up_is_never_nagged() -> None:
    d = desk()
    d.run(44 * MIN)
    d.sitting = False  # up before the limit, for less than a natural break
    assert d.run(90.0) == []
    # Standing through the limit and the snooze length: still nothing.
    d.run(15 * MIN)
    assert d.nudges == []
    d.sitting = True  # sat down again in the same bout: now the nudge comes
    shown = d.run(TICK_S)
    assert len(shown) == 1 and shown[0].kind is NudgeKind.LIMIT


@pytest.mark.parametrize(
    ("start", "work_start_h", "work_end_h", "days", "expected"),
    [
        # (wall time the bout starts, hours, days) -> minute of the bout the nudge comes, or None
        (datetime(2026, 1, 5, 9, 0), 8, 18, "mon", 45.0),
        (datetime(2026, 1, 5, 7, 0), 8, 18, "mon", 60.0),  # due 07:45, held until 08:00
        (datetime(2026, 1, 5, 7, 30), 8, 18, "mon", 45.0),  # due 08:15, inside
        (datetime(2026, 1, 5, 17, 0), 8, 18, "mon", 45.0),  # due 17:45, inside
        (datetime(2026, 1, 5, 17, 30), 8, 18, "mon", None),  # due 18:15, after hours
        (datetime(2026, 1, 5, 17, 14), 8, 17.5, "mon", None),  # due 17:59, end at 17:30
        (datetime(2026, 1, 10, 9, 0), 8, 18, "mon", None),  # Saturday: day off
        (datetime(2026, 1, 10, 9, 0), 8, 18, "mon,sat", 45.0),
        (datetime(2026, 1, 5, 23, 0), 22, 6, "mon", 45.0),  # overnight shift
        (datetime(2026, 1, 6, 2, 0), 22, 6, "mon", 45.0),  # Tuesday 02:00 is Monday's shift
        (datetime(2026, 1, 6, 6, 0), 22, 6, "mon", None),  # the shift ended at 06:00
        (datetime(2026, 1, 5, 3, 0), 0, 24, "mon", 45.0),
        (datetime(2026, 1, 5, 3, 0), 9, 9, "mon", 45.0),  # equal start and end: all day
    ],
)
def test_working_hours_and_days_off(
    start: datetime,
    work_start_h: float,
    work_end_h: float,
    days: str,
    expected: float | None,
) -> None:
    d = desk(work_start_h=work_start_h, work_end_h=work_end_h, work_days=days.split(","))
    d.clock.wall_start = start.astimezone()
    d.run(75 * MIN)
    first = d.nudges[0].at_s / MIN if d.nudges else None
    assert first == expected
    if expected is not None and expected > 45.0:
        assert d.nudges[0].held_back


@pytest.mark.parametrize("block", ["dnd", "paused"])
def test_held_back_then_delivered_when_the_block_ends(block: str) -> None:
    d = desk()
    setattr(d, block, True)
    assert d.run(50 * MIN) == []
    assert d.policy.held_back is (Block.DND if block == "dnd" else Block.PAUSED)
    setattr(d, block, False)
    shown = d.run(TICK_S)
    assert len(shown) == 1 and shown[0].held_back and shown[0].kind is NudgeKind.LIMIT
    assert shown[0].at_s == 50 * MIN + TICK_S
    assert d.policy.held_back is None


def test_held_back_nudge_waits_for_a_user_who_is_up_when_the_block_ends() -> None:
    d = desk()
    d.dnd = True
    d.run(50 * MIN)
    d.sitting = False
    d.dnd = False
    assert d.run(MIN) == []  # up: not nagged
    d.sitting = True
    shown = d.run(TICK_S)
    assert len(shown) == 1 and shown[0].held_back


def test_held_back_nudge_is_dropped_when_the_bout_ends() -> None:
    d = desk()
    d.dnd = True
    d.run(50 * MIN)
    d.sitting = False
    d.run(3 * MIN)
    d.end_bout()
    d.dnd = False
    d.sitting = True
    assert d.run(44 * MIN) == []


def test_snooze_ending_in_dnd_is_held_back() -> None:
    d = desk()
    d.run(45 * MIN)
    d.policy.snooze(d.clock.now_s)
    d.dnd = True
    assert d.run(15 * MIN) == []
    d.dnd = False
    shown = d.run(TICK_S)
    assert len(shown) == 1 and shown[0].kind is NudgeKind.SNOOZE_OVER and shown[0].held_back
    assert shown[0].snoozes_left == 2


def test_break_done_logs_the_exercise_and_restarts_the_count() -> None:
    d = desk()
    d.run(45 * MIN)
    nudge = d.nudges[-1]
    d.policy.snooze(d.clock.now_s)
    choice = d.policy.break_started(d.clock.now_s)
    assert choice == nudge.choice and d.policy.in_break and not d.policy.showing
    assert d.run(30 * MIN) == []  # no nudges during a break, however long
    d.policy.break_done(d.clock.now_s)
    assert d.policy.break_log.history(MONDAY_9.date()).today(choice.exercise) == 1
    assert d.policy.snoozes_in_row == 0
    # The tracker's bout kept running (the break was short): the next nudge comes a limit later.
    assert d.run(45 * MIN - TICK_S) == []
    assert len(d.run(TICK_S)) == 1


def test_break_postponed_comes_back_after_five_minutes() -> None:
    """ "Postpone 5 min" in the break window: no break logged; the nudge returns 5 min later."""
    d = desk()
    d.run(45 * MIN)
    d.policy.break_started(d.clock.now_s)
    d.policy.break_postponed(d.clock.now_s, 5 * MIN)
    assert not d.policy.in_break
    assert d.run(5 * MIN - TICK_S) == []
    shown = d.run(TICK_S)
    assert len(shown) == 1 and shown[0].kind is NudgeKind.SNOOZE_OVER
    history = d.policy.break_log.history(MONDAY_9.date())
    assert history.glute_today + history.deadbug_today == 0


def test_break_skipped_logs_nothing_and_waits_a_full_limit() -> None:
    d = desk()
    d.run(45 * MIN)
    d.policy.break_started(d.clock.now_s)
    d.policy.break_skipped(d.clock.now_s)
    history = d.policy.break_log.history(MONDAY_9.date())
    assert history.glute_today + history.deadbug_today == 0
    assert d.run(45 * MIN - TICK_S) == []
    assert len(d.run(TICK_S)) == 1


def test_break_now_from_the_tray_and_the_bout_ending_during_the_break() -> None:
    d = desk()
    d.run(20 * MIN)
    choice = d.policy.break_started(d.clock.now_s)  # "Take a break now": no nudge out
    assert choice.exercise in Exercise
    d.sitting = False
    d.run(3 * MIN)
    d.end_bout()  # standing up for the exercise ended the tracker's bout
    d.tick()
    assert d.policy.in_break
    d.policy.break_done(d.clock.now_s)
    assert d.policy.break_log.history(MONDAY_9.date()).today(choice.exercise) == 1


def test_the_exercise_follows_the_bout_posture_and_the_days_breaks() -> None:
    policy = ReminderPolicy(limit_s=10 * MIN)
    folded = BoutPosture(bout_s=10 * MIN, mean_flexion_deg=85, mean_trunk_lean_deg=25)
    picks = []
    for i in range(3):
        now = (i + 1) * 100 * MIN
        (nudge,) = policy.update(
            now, MONDAY_9, sitting=True, bout_s=now, posture=replace(folded, bout_s=now)
        )
        assert "folded forward" in nudge.choice.reason
        policy.break_started(now)
        policy.break_done(now)
        picks.append(nudge.choice.exercise)
    assert picks == [Exercise.GLUTE_BRIDGE, Exercise.GLUTE_BRIDGE, Exercise.DEADBUG]


def test_event_detail_round_trips_through_the_break_log() -> None:
    choice = ReminderPolicy().choose(MONDAY_9, BoutPosture(bout_s=50 * MIN))
    detail = event_detail(choice, reason_kind="done")
    assert detail["key"] == choice.spec.key and detail["reason"] == choice.reason
    log = BreakLog.from_events([(MONDAY_9.date(), EVENT_BREAK_DONE, detail)])
    assert log.history(MONDAY_9.date()).today(choice.exercise) == 1


def test_settings_apply_live() -> None:
    d = Desk(ReminderPolicy.from_settings(Settings()))
    assert (d.policy.limit_s, d.policy.snooze_s, d.policy.snooze_max) == (45 * MIN, 10 * MIN, 3)
    d.run(35 * MIN)
    d.policy.apply_settings(
        replace(
            Settings(),
            sitting_limit_min=30.0,
            snooze_max=0,
            exercise_variant="office",
            preferred_exercise="deadbug",
        )
    )
    (nudge,) = d.run(TICK_S)
    assert not nudge.can_snooze
    assert nudge.choice.spec.key == "standing_march"
    assert not d.policy.snooze(d.clock.now_s)
    d.policy.apply_settings(replace(Settings(), work_days=("sat",)))
    d.policy.dismissed(d.clock.now_s)
    assert d.run(30 * MIN) == []
    assert d.policy.held_back is Block.DAY_OFF


@pytest.mark.parametrize(
    "kwargs",
    [{"limit_s": 0}, {"snooze_s": -1}, {"snooze_max": -1}, {"work_days": ("mon", "funday")}],
)
def test_bad_thresholds_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ReminderPolicy(**kwargs)  # type: ignore[arg-type]


def test_dismissed_nudge_comes_back_after_a_snooze_length_without_using_one() -> None:
    d = desk()
    d.run(45 * MIN)
    d.policy.dismissed(d.clock.now_s)
    assert not d.policy.showing
    shown = d.run(10 * MIN)
    assert at(shown) == [55 * MIN] and shown[0].kind is NudgeKind.REPEAT
    assert shown[0].snoozes_left == 3


def test_due_in_counts_down_to_the_nudge_and_the_snooze() -> None:
    """``due_in_s``: the limit minus this stretch's sitting, 0 while a nudge is out, the snooze's
    end while snoozed, None during a break; ``blocked_at`` names what would hold a nudge back."""
    d = desk()
    d.run(10 * MIN)
    now = d.clock.monotonic()
    assert d.policy.due_in_s(now, d.bout_s) == pytest.approx(35 * MIN)
    d.run(35 * MIN)
    assert d.nudges and d.policy.due_in_s(d.clock.monotonic(), d.bout_s) == 0.0
    assert d.policy.snooze(d.clock.monotonic())
    assert d.policy.due_in_s(d.clock.monotonic(), d.bout_s) == pytest.approx(10 * MIN)
    d.policy.break_started(d.clock.monotonic())
    assert d.policy.due_in_s(d.clock.monotonic(), d.bout_s) is None
    assert d.policy.blocked_at(MONDAY_9) is None
    assert d.policy.blocked_at(MONDAY_9.replace(hour=20)) is Block.OFF_HOURS
    assert d.policy.blocked_at(MONDAY_9, dnd=True) is Block.DND
