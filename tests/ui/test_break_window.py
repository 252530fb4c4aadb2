"""The break window (pytest-qt, offscreen): content, countdown on a fake clock, Done, Skip, stood up."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from hipcheck.core.clock import FakeClock
from hipcheck.core.exercise import CATALOGUE, Exercise, ExerciseChoice, Variant
from hipcheck.core.glossary import about, countdown
from hipcheck.ui.break_window import (
    CLOSED,
    DONE,
    SKIP,
    STOOD_UP,
    BreakWindow,
    card_reason,
    exercise_asset,
)

CHOICE = ExerciseChoice(
    Exercise.GLUTE_BRIDGE, Variant.FLOOR, "You've been sitting folded forward for 52 min."
)


class Outcomes:
    """Records the callbacks a window makes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def done(self, reason: str) -> None:
        self.calls.append(("done", reason))

    def skip(self, reason: str) -> None:
        self.calls.append(("skip", reason))


def make(qtbot, choice: ExerciseChoice = CHOICE) -> tuple[BreakWindow, FakeClock, Outcomes]:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    out = Outcomes()
    window = BreakWindow(choice, on_done=out.done, on_skip=out.skip, clock=clock)
    qtbot.addWidget(window)
    window.show()
    return window, clock, out


def _dark_pixels(window: BreakWindow) -> int:
    image = window.illustration.grab().toImage()
    dark = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            if QColor(image.pixel(x, y)).lightness() < 80:
                dark += 1
    return dark


@pytest.mark.parametrize(("key", "spec"), [(s.key, s) for s in CATALOGUE.values()])
def test_shows_the_exercise_with_its_illustration(qtbot, key, spec) -> None:  # type: ignore[no-untyped-def]
    window, _, _ = make(qtbot, ExerciseChoice(spec.exercise, spec.variant, "Because."))
    assert window.name_label.text() == spec.name
    # The dose and what the countdown is: "10 reps · about 1 min 30 s".
    assert window.dose_label.text() == f"{spec.dose} · {about(spec.duration_s)}"
    assert window.reason_label.text().startswith("Because.")
    if spec.variant is Variant.OFFICE:  # the reason names the family; the card says how they match
        assert spec.name.lower() in window.reason_label.text()
    for step in spec.steps:
        assert step.replace("'", "&#x27;") in window.steps_label.text()
    assert exercise_asset(spec.svg).is_file()
    assert window.illustration.renderer().isValid()
    assert _dark_pixels(window) > 50  # the figure is really drawn
    assert window.countdown_label.text() == countdown(spec.duration_s)


def test_countdown_ticks_on_the_clock(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, clock, out = make(qtbot)
    assert window.countdown_label.text() == "1:30"
    clock.advance(0.4)
    window.tick()
    assert window.countdown_label.text() == "1:30"  # rounds up until the second is over
    clock.advance(30.0)
    window.tick()
    assert window.countdown_label.text() == "1:00"
    assert window.progress.value() == 30
    clock.advance(59.0)
    window.tick()
    assert window.countdown_label.text() == "0:01"
    clock.advance(5.0)
    window.tick()
    assert window.countdown_label.text() == "Nice work!"  # encouraging, never "Time's up"
    assert window.remaining_s == 0.0 and window.progress.value() == 90
    assert out.calls == []  # the countdown never decides for the user


def test_the_timer_drives_the_countdown(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, clock, _ = make(qtbot)
    clock.advance(45.0)
    qtbot.waitUntil(lambda: window.countdown_label.text() == "0:45", timeout=2000)


def test_done_counts_once_and_closes(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _, out = make(qtbot)
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    assert out.calls == [("done", DONE)]
    assert not window.isVisible()
    assert window.outcome == DONE


def test_skip_and_close(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _, out = make(qtbot)
    qtbot.mouseClick(window.skip_button, Qt.MouseButton.LeftButton)
    assert out.calls == [("skip", SKIP)] and not window.isVisible()
    window2, _, out2 = make(qtbot)
    window2.close()
    assert out2.calls == [("skip", CLOSED)]


def test_keyboard_enter_is_done_and_escape_skips(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, _, out = make(qtbot)
    qtbot.waitExposed(window)
    # Enter goes to the widget with the focus, as typed keys do.
    assert window.focusWidget() is window.done_button
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)
    assert out.calls == [("done", DONE)] and not window.isVisible()
    window2, _, out2 = make(qtbot)
    qtbot.waitExposed(window2)
    qtbot.keyClick(window2, Qt.Key.Key_Escape)
    assert out2.calls == [("skip", CLOSED)] and not window2.isVisible()
    # Tabbed to Skip, Enter skips: it does not count the break.
    window3, _, out3 = make(qtbot)
    qtbot.waitExposed(window3)
    window3.skip_button.setFocus()
    qtbot.keyClick(window3.skip_button, Qt.Key.Key_Return)
    assert out3.calls == [("skip", SKIP)] and not window3.isVisible()


def test_standing_up_counts_the_break_without_done(qtbot) -> None:  # type: ignore[no-untyped-def]
    window, clock, out = make(qtbot)
    clock.advance(20.0)
    window.user_stood_up()
    assert out.calls == [("done", STOOD_UP)]
    assert window.isVisible()  # the steps stay up while the user does the exercise
    assert window.status_label.isVisible() and "counts" in window.status_label.text()
    assert not window.skip_button.isVisible()
    window.user_stood_up()  # the camera may say so again
    qtbot.mouseClick(window.done_button, Qt.MouseButton.LeftButton)
    assert out.calls == [("done", STOOD_UP)]  # still exactly one outcome
    assert not window.isVisible()


def test_reason_and_card_are_about_the_same_exercise() -> None:
    """A dead-bug reason above the standing march says the march stands in for the dead bug."""
    choice = ExerciseChoice(
        Exercise.DEADBUG, Variant.OFFICE, "Today's breaks have had fewer dead bugs."
    )
    assert card_reason(choice) == (
        "Today's breaks have had fewer dead bugs. The standing march is the standing, office"
        " version of the dead bug."
    )
    floor = ExerciseChoice(Exercise.DEADBUG, Variant.FLOOR, "Fewer dead bugs today.")
    assert card_reason(floor) == "Fewer dead bugs today."


def test_buttons_say_what_closing_means_and_postpone_reports_once(qtbot) -> None:  # type: ignore[no-untyped-def]
    """ "Skip this break" (closing skips too); "Postpone 5 min" calls back with 300 s, once."""
    clock = FakeClock()
    out = Outcomes()
    postponed: list[float] = []
    window = BreakWindow(
        CHOICE, on_done=out.done, on_skip=out.skip, on_postpone=postponed.append, clock=clock
    )
    qtbot.addWidget(window)
    window.show()
    assert window.skip_button.text().replace("&", "") == "Skip this break"
    assert "skips" in window.skip_button.toolTip()
    assert window.postpone_button.isVisible()
    assert window.postpone_button.text().replace("&", "") == "Postpone 5 min"
    qtbot.mouseClick(window.postpone_button, Qt.MouseButton.LeftButton)
    assert postponed == [300.0] and out.calls == [] and not window.isVisible()
    plain, _, _ = make(qtbot)  # without a postpone callback there is no such button
    assert not plain.postpone_button.isVisible()
