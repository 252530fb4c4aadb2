"""The report window (pytest-qt, offscreen): numbers, day navigation, empty day, export."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QApplication
from tests.conftest import REPO

from hipcheck.store.db import Store
from hipcheck.ui.report_window import ReportWindow
from reporting.sample_days import BERLIN, TUESDAY, at, fill_tuesday, fill_work_week

ARTIFACTS = REPO / "test-artifacts"
WEDNESDAY = date(2026, 11, 11)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real store with the known Tuesday and the week before it."""
    s = Store.open(tmp_path / "hipcheck.sqlite3")
    fill_tuesday(s)
    fill_work_week(s)
    yield s
    s.close()


@pytest.fixture
def window(qtbot: object, store: Store) -> ReportWindow:
    """The window opened on Tuesday, with Wednesday as today (nothing recorded yet)."""
    w = ReportWindow(store, today=WEDNESDAY, tz=BERLIN, now=lambda: at(2026, 11, 11, 10, 0))
    qtbot.addWidget(w)  # type: ignore[attr-defined]
    w.show_day(TUESDAY)
    return w


def test_numbers_of_the_known_day(window: ReportWindow) -> None:
    """Tuesday's totals as a person reads them: 5 h 14 min sitting, 6 sitting stretches."""
    labels = {name: label.text() for name, label in window.value_labels.items()}
    # fill_tuesday 119 min + the afternoon's 35+20+40+30+50+20 = 195 min: 314 min sitting.
    assert labels["Sitting"] == "5 h 14 min"
    assert labels["Sitting stretches"] == "6"
    assert labels["Longest sitting stretch"] == "1 h 30 min"
    assert labels["Nudges sent"] == "4"
    assert labels["Snoozed"] == "2"
    assert window.numbers.isVisibleTo(window) and not window.empty_label.isVisibleTo(window)
    assert window.title_label.text() == "Tuesday 10 November 2026"


def test_previous_and_next_move_one_day(qtbot: object, window: ReportWindow) -> None:
    """Previous goes to Monday (empty), Next back to Tuesday; Next stops at today."""
    qtbot.mouseClick(window.prev_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert window.day == date(2026, 11, 9)
    assert window.date_edit.date() == QDate(2026, 11, 9)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert window.day == WEDNESDAY
    assert not window.next_button.isEnabled()


def test_the_day_picker_shows_the_picked_day(window: ReportWindow) -> None:
    """Setting the date edit (as the calendar popup does) shows that day."""
    window.date_edit.setDate(QDate(2026, 11, 6))
    assert window.day == date(2026, 11, 6)
    assert window.value_labels["Sitting"].text() == "55 min"


def test_an_empty_day_says_so(window: ReportWindow) -> None:
    """Monday has no data: a message, and no numbers shown as zeros."""
    window.show_day(date(2026, 11, 9))
    assert window.empty_label.isVisibleTo(window)
    assert "No data recorded on Monday 9 November 2026" in window.empty_label.text()
    assert not window.numbers.isVisibleTo(window)
    assert window.report is not None and window.report.sitting_s is None


def test_no_history_file_is_an_empty_window_and_creates_nothing(
    qtbot: object, tmp_path: Path
) -> None:
    """A path that does not exist yet: "No data recorded yet", and no database appears."""
    path = tmp_path / "none" / "hipcheck.sqlite3"
    w = ReportWindow(path, today=TUESDAY, tz=BERLIN)
    qtbot.addWidget(w)  # type: ignore[attr-defined]
    assert "No data recorded yet" in w.empty_label.text()
    assert not path.exists()


@pytest.mark.parametrize("fmt", ["html", "csv", "json"])
def test_export_writes_the_shown_day(window: ReportWindow, tmp_path: Path, fmt: str) -> None:
    """The export function behind the button writes the shown day's file."""
    out = window.export_to(tmp_path / f"day.{fmt}", fmt)
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(text)["sitting_s"] == 314 * 60.0
    elif fmt == "csv":
        assert text.startswith("record,start,end")
        assert text.count("\ninterval,") == 17
    else:
        assert (
            "Tuesday 10 November 2026" in text and text.count("<svg ") == 8
        )  # each chart in the light and the dark scheme


def test_today_opens_with_the_dst_day_in_reach(qtbot: object, store: Store) -> None:
    """A 25-hour day is labelled as such in the window."""
    store.record_interval(
        datetime(2026, 10, 25, 1, 0, tzinfo=BERLIN),
        datetime(2026, 10, 25, 4, 0, tzinfo=BERLIN),
        "sitting",
        100.0,
        0.0,
    )
    w = ReportWindow(store, today=date(2026, 10, 25), tz=BERLIN)
    qtbot.addWidget(w)  # type: ignore[attr-defined]
    assert "25-hour day" in w.subtitle_label.text()
    assert w.value_labels["Sitting"].text() == "4 h"


def test_screenshots_for_a_person_to_look_at(window: ReportWindow) -> None:
    """Grab the window on a full day and an empty day into test-artifacts/ (not blank)."""
    ARTIFACTS.mkdir(exist_ok=True)
    window.resize(1040, 1000)
    window.show()
    for day, name in (
        (TUESDAY, "report-window.png"),
        (date(2026, 11, 9), "report-window-empty.png"),
    ):
        window.show_day(day)
        image = window.grab().toImage()
        assert image.save(str(ARTIFACTS / name))
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 7)
            for y in range(0, image.height(), 7)
        }
        assert len(colours) > 20


def test_keyboard_moves_between_days_and_escape_closes(qtbot: object, window: ReportWindow) -> None:
    """← goes a day back, → a day on (never past today), Home to today, Esc closes."""
    window.show()
    window.activateWindow()
    # Shortcuts need the active window.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # type: ignore[attr-defined]
    window.prev_button.setFocus()
    qtbot.keyClick(window.prev_button, Qt.Key.Key_Left)  # type: ignore[attr-defined]
    assert window.day == date(2026, 11, 9)
    qtbot.keyClick(window.prev_button, Qt.Key.Key_Right)  # type: ignore[attr-defined]
    assert window.day == TUESDAY
    qtbot.keyClick(window.prev_button, Qt.Key.Key_Home)  # type: ignore[attr-defined]
    assert window.day == WEDNESDAY
    qtbot.keyClick(window.prev_button, Qt.Key.Key_Right)  # type: ignore[attr-defined]
    assert window.day == WEDNESDAY
    qtbot.keyClick(window.prev_button, Qt.Key.Key_Escape)  # type: ignore[attr-defined]
    assert not window.isVisible()


def test_markers_explain_themselves_on_hover(window: ReportWindow) -> None:
    """The timeline's nudge at 09:45 has a tooltip saying what it was; empty space has none."""
    chart = window.chart_widgets["timeline"]
    nudge = next(h for h in chart.hotspots if "09:45" in h.text)
    assert nudge.text == "09:45 · Nudge: time to get up, after 45 min sitting"
    size = chart.renderer().defaultSize()
    at = QPoint(round(nudge.x * chart.width() / size.width()), round(nudge.y))
    assert chart.hotspot_at(at) == nudge
    assert chart.hotspot_at(QPoint(2, 170)) is None


def test_the_window_fits_the_screen_and_speaks_of_the_recorded_day(
    window: ReportWindow,
) -> None:
    """Never taller than the work area; no time zone; shares of the recorded time."""
    area = window.screen().availableGeometry()
    assert window.height() <= area.height() and window.width() <= area.width()
    assert "Time zone" not in window.subtitle_label.text()
    assert window.subtitle_label.text().startswith("Recorded ")
    assert window.value_labels["Recorded"].text() != "no data"
    assert window.share_labels["Sitting"].text().endswith("%")
    assert "Not recorded" not in window.value_labels
