"""The first run: walked with the keyboard, it saves its answers (never a --set override)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from pytestqt.qtbot import QtBot

from hipcheck.core.settings import Settings, load_settings, save_settings
from hipcheck.paths import resolve_paths
from hipcheck.ui.app import save_first_run
from hipcheck.ui.first_run import NO_FIRST_RUN_ENV, FirstRunWindow, first_run_wanted


def make(qtbot: QtBot, tmp_path: Path, running: Settings) -> tuple[FirstRunWindow, dict[str, Any]]:
    paths = resolve_paths(tmp_path / "data")
    seen: dict[str, Any] = {"done": 0}

    def mark() -> None:
        seen["done"] += 1
        paths.first_run_done.parent.mkdir(parents=True, exist_ok=True)
        paths.first_run_done.touch()

    window = FirstRunWindow(
        running, save=lambda changes: save_first_run(paths, running, changes), mark_done=mark
    )
    qtbot.addWidget(window)
    window.settings_applied.connect(lambda s: seen.__setitem__("applied", s))
    seen["paths"] = paths
    return window, seen


def test_walked_with_keys_it_saves_the_answers_but_not_an_override(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # This run has --set sitting_limit_min=0.5; the file holds the default.
    window, seen = make(qtbot, tmp_path, Settings(sitting_limit_min=0.5))
    window.show()
    qtbot.waitExposed(window)
    beside = next(b for b in window.position.buttons() if b.property("value") == "side")
    beside.setFocus()
    qtbot.keyClick(beside, Qt.Key.Key_Space)
    window.work_end.setFocus()  # the hour is selected: type over it
    window.work_end.setSelectedSection(window.work_end.Section.HourSection)
    qtbot.keyClicks(window.work_end, "17")
    qtbot.keyClick(window.work_end, Qt.Key.Key_Return)  # Enter is Done
    assert window.result == "done" and not window.isVisible()
    saved = load_settings(seen["paths"].settings_file).settings
    assert saved.camera_position == "side" and saved.exercise_variant == "office"
    assert saved.work_end_h == 17.0
    assert saved.sitting_limit_min == 45.0  # the override stayed out of the file
    assert seen["applied"].sitting_limit_min == 0.5 and seen["applied"].work_end_h == 17.0
    assert seen["done"] == 1 and not first_run_wanted(seen["paths"].first_run_done)


def test_escape_skips_and_saves_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    window, seen = make(qtbot, tmp_path, Settings())
    window.show()
    qtbot.waitExposed(window)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.result == "skipped" and seen["done"] == 1
    assert not seen["paths"].settings_file.exists()


def test_it_runs_once_and_never_in_tests_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "first-run-done"
    monkeypatch.delenv(NO_FIRST_RUN_ENV, raising=False)
    assert first_run_wanted(marker)
    marker.touch()
    assert not first_run_wanted(marker)
    assert first_run_wanted(marker, forced=True)
    marker.unlink()
    monkeypatch.setenv(NO_FIRST_RUN_ENV, "1")
    assert not first_run_wanted(marker)


def grab(widget: Any, scale: int) -> QImage:
    pixmap = QPixmap(widget.size() * scale)
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(QColor("white"))
    widget.render(pixmap)
    return pixmap.toImage()


def test_first_run_screenshots_at_1x_and_2x(qtbot: QtBot, tmp_path: Path, artefacts: Path) -> None:
    window, _ = make(qtbot, tmp_path, Settings())
    window.show()
    qtbot.waitExposed(window)
    frame = QImage(640, 360, QImage.Format.Format_RGB32)
    frame.fill(QColor("#556070"))
    window.set_frame(frame)
    for scale in (1, 2):
        assert grab(window, scale).save(str(artefacts / f"first-run-{scale}x.png"))
    save_settings(seen_file := tmp_path / "unused.toml", Settings())
    assert seen_file.exists()


def test_a_camera_problem_reads_in_full_where_the_picture_would_be(
    qtbot: QtBot, tmp_path: Path, artefacts: Path
) -> None:
    window, _ = make(qtbot, tmp_path, Settings())
    window.show()
    qtbot.waitExposed(window)
    message = (
        "The video /tmp/a/rather/long/path/to/no-camera.mp4 does not exist. HipCheck starts using "
        "it as soon as it can, or choose another camera in Settings → Camera."
    )
    window.set_camera_problem(message)
    qtbot.wait(50)
    label = window.camera_label
    assert label.text() == message
    assert label.height() >= label.heightForWidth(label.width())  # not cut
    assert window.frame_view._placeholder.startswith("No picture")
    assert grab(window, 1).save(str(artefacts / "first-run-no-camera-1x.png"))


def test_the_camera_line_takes_the_colour_of_what_it_says(qtbot: QtBot, tmp_path: Path) -> None:
    """A problem in the palette's error colour; once the camera is back, plain text again."""
    from hipcheck.ui.palette import roles_of

    window, _ = make(qtbot, tmp_path, Settings())
    roles = roles_of(window.palette())
    window.set_camera_problem("The camera is in use by another program.")
    assert window.camera_tone == "error"
    assert roles.error in window.camera_label.styleSheet()
    window.set_camera_problem("")
    assert window.camera_label.text() == "Waiting for the camera…"
    assert roles.text in window.camera_label.styleSheet()
