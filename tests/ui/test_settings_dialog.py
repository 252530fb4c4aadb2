"""The generated settings dialog: a widget per setting, bounds, live apply + save, recovery."""

from __future__ import annotations

import sqlite3
import zipfile
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QMessageBox,
    QSpinBox,
)
from pytestqt.qtbot import QtBot
from tests.conftest import need

from hipcheck.autostart import Platform
from hipcheck.core.calibration import calibration_path
from hipcheck.core.glossary import banned_in
from hipcheck.core.settings import (
    Settings,
    load_settings,
    setting_names,
    shown_value,
    spec_of,
)
from hipcheck.paths import AppPaths, resolve_paths
from hipcheck.ui.settings_dialog import (
    CameraChoice,
    CameraEditor,
    HoursSpinBox,
    MinutesSpinBox,
    SettingsDialog,
    WeekdaysEditor,
    _v4l2_cameras,
    camera_label,
)

CAMERA_TAB = 1
NOW = datetime(2026, 11, 29, 3, 0, tzinfo=timezone.utc)
FAKE_CAMERAS = [
    CameraChoice("0", "Test Camera (/dev/video0)"),
    CameraChoice("2", "USB (/dev/video2)"),
]


class Recorder:
    """Collects what the dialog passes to on_change."""

    def __init__(self) -> None:
        self.calls: list[Settings] = []

    def __call__(self, settings: Settings) -> None:
        self.calls.append(settings)


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return resolve_paths(tmp_path / "data")


def make_dialog(
    qtbot: QtBot,
    paths: AppPaths,
    tmp_path: Path,
    settings: Settings | None = None,
    **kw: object,
) -> tuple[SettingsDialog, Recorder]:
    rec = Recorder()
    dlg = SettingsDialog(
        settings or Settings(),
        rec,
        paths=paths,
        cameras=lambda: list(FAKE_CAMERAS),
        autostart_platform=Platform("linux", tmp_path / "home", {}),
        autostart_command=["/usr/bin/python3", "-m", "hipcheck"],
        now=lambda: NOW,
        **kw,  # type: ignore[arg-type]
    )
    qtbot.addWidget(dlg)
    return dlg, rec


def test_every_declared_setting_has_an_editor_in_its_tab(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    dlg, _ = make_dialog(qtbot, paths, tmp_path)
    assert list(dlg.editors) == list(setting_names())
    tabs = [dlg.tabs.tabText(i).replace("&&", "&") for i in range(dlg.tabs.count())]
    # The sitting limit's tab first and the sitting limit at its top; technical ones last.
    assert tabs == ["Reminders", "Camera", "Privacy & start-up", "Advanced"]
    first = dlg.tabs.widget(0)
    editors_in_first = [n for n, e in dlg.editors.items() if first.isAncestorOf(e)]
    assert editors_in_first[0] == "sitting_limit_min"
    for name, editor in dlg.editors.items():
        spec = spec_of(name)
        page = dlg.tabs.widget(tabs.index(spec.shown_in))
        assert page.isAncestorOf(editor), name
        assert editor.toolTip() == spec.help, name
    assert isinstance(dlg.editors["camera"], CameraEditor)
    assert isinstance(dlg.editors["work_days"], WeekdaysEditor)
    assert isinstance(dlg.editors["work_start_h"], HoursSpinBox)
    assert isinstance(dlg.editors["sound"], QCheckBox)
    assert isinstance(dlg.editors["preferred_exercise"], QComboBox)
    assert isinstance(dlg.editors["sitting_limit_min"], MinutesSpinBox)
    assert not dlg.warning_label.isVisibleTo(dlg)


def test_spin_boxes_clamp_to_the_declared_bounds(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    dlg, rec = make_dialog(qtbot, paths, tmp_path)
    spins = {n: e for n, e in dlg.editors.items() if isinstance(e, QSpinBox | QDoubleSpinBox)}
    assert len(spins) >= 9
    for name, spin in spins.items():
        spec = spec_of(name)
        # A hip angle is shown: the stored flexion's bounds, seen from the other end.
        highest_shown = shown_value(name, spec.maximum)
        lowest_shown = shown_value(name, spec.minimum)
        at_top, at_bottom = (
            (spec.minimum, spec.maximum) if spec.shown_as else (spec.maximum, spec.minimum)
        )
        assert (spin.minimum(), spin.maximum()) == tuple(sorted((lowest_shown, highest_shown))), (
            name
        )
        spin.setValue(max(lowest_shown, highest_shown) * 10 + 100)
        assert getattr(dlg.settings, name) == at_top, name
        spin.setValue(-1000)
        assert getattr(dlg.settings, name) == at_bottom, name
    # Every accepted value was handed on and is valid by the declarations.
    assert rec.calls and rec.calls[-1] == dlg.settings
    assert load_settings(paths.settings_file).settings == dlg.settings


def test_typed_out_of_bounds_number_is_clamped(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    dlg, _ = make_dialog(qtbot, paths, tmp_path)
    dlg.show()
    spin = dlg.editors["snooze_max"]
    assert isinstance(spin, QSpinBox)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "99")
    spin.interpretText()
    assert spin.value() <= 10 and dlg.settings.snooze_max <= 10


def test_a_change_is_applied_and_saved_at_once(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    dlg, rec = make_dialog(qtbot, paths, tmp_path)
    with qtbot.waitSignal(dlg.settings_changed, timeout=1000) as sig:
        dlg.editors["sound"].click()  # type: ignore[attr-defined]
    assert sig.args[0].sound is False
    assert rec.calls == [Settings(sound=False)]
    assert load_settings(paths.settings_file).settings == Settings(sound=False)

    combo = dlg.editors["preferred_exercise"]
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("deadbug"))
    days = dlg.editors["work_days"]
    assert isinstance(days, WeekdaysEditor)
    days.boxes["sat"].click()
    days.boxes["mon"].click()
    hours = dlg.editors["work_start_h"]
    assert isinstance(hours, HoursSpinBox)
    assert hours.text() == "08:00"
    hours.setValue(7.5)
    assert hours.text() == "07:30"
    expected = Settings(
        sound=False,
        preferred_exercise="deadbug",
        work_days=("tue", "wed", "thu", "fri", "sat"),
        work_start_h=7.5,
    )
    assert rec.calls[-1] == expected == dlg.settings
    assert load_settings(paths.settings_file).settings == expected
    assert dlg.status_label.text() == "✓ “Working hours start” saved at 03:00"


def test_retention_change_says_what_will_be_deleted(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    dlg, rec = make_dialog(qtbot, paths, tmp_path)  # today is 29 Nov 2026
    assert dlg.set_value("retention_days", 30)
    assert rec.calls[-1].retention_days == 30
    # The last 30 days, today included: 31 October to 29 November.
    assert dlg.status_label.text() == (
        "✓ “Keep data for” saved at 03:00; records from before 31 Oct 2026 are deleted within the hour"
    )


def test_dialog_shows_the_settings_it_was_given(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    custom = Settings(sitting_limit_min=30.0, standing_desk=True, exercise_variant="office")
    dlg, rec = make_dialog(qtbot, paths, tmp_path, custom)
    assert dlg.editors["sitting_limit_min"].value() == 30.0  # type: ignore[attr-defined]
    assert dlg.editors["standing_desk"].isChecked()  # type: ignore[attr-defined]
    assert dlg.editors["exercise_variant"].currentData() == "office"  # type: ignore[attr-defined]
    assert rec.calls == [] and not paths.settings_file.exists()  # showing is not editing
    dlg.settings_applied_elsewhere(Settings(snooze_max=5))
    assert dlg.editors["snooze_max"].value() == 5  # type: ignore[attr-defined]
    assert rec.calls == []


def test_corrupt_file_recovered_with_a_warning_naming_the_key(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    paths.settings_file.parent.mkdir(parents=True)
    paths.settings_file.write_text("version = 1\nsitting_limit_min = 9000\nsnooze_min = 20\n")
    loaded = load_settings(paths.settings_file)
    dlg, _ = make_dialog(qtbot, paths, tmp_path, loaded.settings, warnings=loaded.warnings)
    assert dlg.warning_label.isVisibleTo(dlg)
    text = dlg.warning_label.text()
    spec = spec_of("sitting_limit_min")
    bounds = f"outside {spec.minimum:g}–{spec.maximum:g} min"
    assert "sitting_limit_min: 9000 is" in text and bounds in text and ".bak-" in text
    assert dlg.editors["sitting_limit_min"].value() == 45.0  # type: ignore[attr-defined]
    assert dlg.editors["snooze_min"].value() == 20.0  # type: ignore[attr-defined]
    backups = list(paths.settings_file.parent.glob("settings.toml.bak-*"))
    assert len(backups) == 1 and "9000" in backups[0].read_text()


def test_unparsable_file_shows_warning(qtbot: QtBot, paths: AppPaths, tmp_path: Path) -> None:
    paths.settings_file.parent.mkdir(parents=True)
    paths.settings_file.write_text("this is [not toml")
    loaded = load_settings(paths.settings_file)
    dlg, _ = make_dialog(qtbot, paths, tmp_path, loaded.settings, warnings=loaded.warnings)
    assert "not valid TOML" in dlg.warning_label.text()
    assert dlg.settings == Settings()


def test_start_at_login_writes_and_removes_the_autostart_entry(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    dlg, rec = make_dialog(qtbot, paths, tmp_path)
    entry = tmp_path / "home/.config/autostart/hipcheck.desktop"
    dlg.editors["start_at_login"].click()  # type: ignore[attr-defined]
    assert entry.is_file() and "Exec=/usr/bin/python3 -m hipcheck" in entry.read_text()
    assert rec.calls[-1].start_at_login is True
    dlg.editors["start_at_login"].click()  # type: ignore[attr-defined]
    assert not entry.exists() and rec.calls[-1].start_at_login is False


def test_start_at_login_failure_is_reported_and_not_applied(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home/.config").write_text("a file where a folder should be")
    dlg, rec = make_dialog(qtbot, paths, tmp_path)
    box = dlg.editors["start_at_login"]
    assert isinstance(box, QCheckBox)
    box.click()
    assert not box.isChecked() and rec.calls == [] and dlg.settings.start_at_login is False
    assert "Could not change start at login" in dlg.status_label.text()


def test_camera_list_and_typed_source(qtbot: QtBot, paths: AppPaths, tmp_path: Path) -> None:
    dlg, rec = make_dialog(qtbot, paths, tmp_path)
    cam = dlg.camera_editor
    assert cam is not None
    labels = [cam.combo.itemText(i) for i in range(cam.combo.count())]
    assert labels == ["Test Camera (/dev/video0)", "USB (/dev/video2)"]
    cam.combo.setCurrentIndex(1)
    cam.combo.activated.emit(1)
    assert dlg.settings.camera == "2"
    cam.combo.setEditText("/videos/desk.mp4")
    cam.combo.lineEdit().editingFinished.emit()
    assert dlg.settings.camera == "/videos/desk.mp4" and rec.calls[-1].camera == "/videos/desk.mp4"


def test_v4l2_listing_skips_metadata_nodes(tmp_path: Path) -> None:
    for node, name, index in [("video0", "Integrated Camera", "0"), ("video1", "Integrated Camera", "1"),
                              ("video2", "USB Cam", "0")]:  # fmt: skip
        (tmp_path / node).mkdir()
        (tmp_path / node / "name").write_text(name + "\n")
        (tmp_path / node / "index").write_text(index + "\n")
    assert _v4l2_cameras(tmp_path) == [
        CameraChoice("0", "Camera 1 — Integrated Camera"),
        CameraChoice("2", "Camera 2 — USB Cam"),
    ]


def test_preview_shows_real_frames_only_while_monitoring_tab_is_open(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path, posture_data: Path
) -> None:
    video = posture_data / "videos/front_sit_upper_body_01.mp4"
    need(video.is_file(), f"{video} missing")
    dlg, _ = make_dialog(qtbot, paths, tmp_path, Settings(camera=str(video)))
    cam = dlg.camera_editor
    assert cam is not None and not cam.preview.active  # nothing opened before showing
    dlg.show()
    assert not cam.preview.active  # the dialog opens on Reminders
    dlg.tabs.setCurrentIndex(CAMERA_TAB)
    qtbot.waitUntil(lambda: cam.preview.active, timeout=2000)
    pixmap = cam.preview.pixmap()
    assert pixmap is not None and not pixmap.isNull() and pixmap.width() > 100
    # A real picture, not a flat fill.
    image = pixmap.toImage()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 16) for y in range(0, image.height(), 16)
    }
    assert len(colours) > 10
    dlg.tabs.setCurrentIndex(0)
    assert not cam.preview.active
    dlg.tabs.setCurrentIndex(CAMERA_TAB)
    assert cam.preview.active
    dlg.close()
    assert not cam.preview.active


def test_preview_of_a_missing_camera_says_so(qtbot: QtBot, paths: AppPaths, tmp_path: Path) -> None:
    dlg, _ = make_dialog(qtbot, paths, tmp_path, Settings(camera=str(tmp_path / "none.mp4")))
    dlg.show()
    dlg.tabs.setCurrentIndex(CAMERA_TAB)
    cam = dlg.camera_editor
    assert cam is not None
    assert not cam.preview.active and "No picture" in cam.preview.text()


def test_calibrate_button_and_status(qtbot: QtBot, paths: AppPaths, tmp_path: Path) -> None:
    dlg, _ = make_dialog(qtbot, paths, tmp_path)
    assert dlg.calibration_label.text() == "Not calibrated"
    with qtbot.waitSignal(dlg.calibrate_requested, timeout=1000):
        dlg.calibrate_button.click()
    path = calibration_path(paths.settings_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{broken")
    dlg.refresh_calibration_status()
    assert dlg.calibration_label.text().startswith("Calibration unusable")


def _filled_database(paths: AppPaths) -> None:
    from hipcheck.store.db import Store

    start = datetime(2026, 11, 28, 9, 0).astimezone()
    with Store.open(paths.database) as store:
        store.record_interval(start, start.replace(hour=10), "sitting", 100.0, 1200.0, 10, 10)
        store.record_event(start.replace(hour=10), "nudge")


def test_export_all_data_zip(qtbot: QtBot, paths: AppPaths, tmp_path: Path) -> None:
    _filled_database(paths)
    calibration_path(paths.settings_file).write_text('{"version": 1}')
    dlg, _ = make_dialog(qtbot, paths, tmp_path, Settings(sitting_limit_min=30.0))
    out = dlg.export_to(tmp_path / "out/export.zip")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert names == {"settings.toml", "settings.json", "calibration.json",
                         "hipcheck.sqlite3", "manifest.json"}  # fmt: skip
        assert "sitting_limit_min = 30.0" in zf.read("settings.toml").decode()
        zf.extract("hipcheck.sqlite3", tmp_path / "unzipped")
    copy = sqlite3.connect(tmp_path / "unzipped/hipcheck.sqlite3")
    assert copy.execute("SELECT COUNT(*) FROM intervals").fetchone()[0] == 1
    assert copy.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1
    copy.close()


def test_export_button_uses_the_chosen_file(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dlg, _ = make_dialog(qtbot, paths, tmp_path)
    dest = tmp_path / "chosen.zip"
    monkeypatch.setattr(
        "hipcheck.ui.settings_dialog.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(dest), "Zip archives (*.zip)"),
    )
    dlg.export_button.click()
    assert zipfile.is_zipfile(dest) and str(dest) in dlg.status_label.text()


@pytest.mark.parametrize(
    "answer", [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
)
def test_delete_all_data_asks_first_then_empties_the_store(
    qtbot: QtBot,
    paths: AppPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: QMessageBox.StandardButton,
) -> None:
    from hipcheck.store.db import Store

    _filled_database(paths)
    cal = calibration_path(paths.settings_file)
    cal.write_text("{}")
    dlg, _ = make_dialog(qtbot, paths, tmp_path, Settings(sound=False))
    monkeypatch.setattr("hipcheck.ui.settings_dialog.QMessageBox.question", lambda *a, **k: answer)
    dlg.delete_button.click()
    with Store.open(paths.database) as store:
        left = store.days()
    if answer == QMessageBox.StandardButton.Yes:
        assert left == [] and not cal.exists()
        assert dlg.status_label.text() == "All recorded data deleted"
    else:
        assert len(left) == 1 and cal.exists()
    assert dlg.settings == Settings(sound=False)  # settings are kept either way


def test_delete_all_goes_through_the_apps_callback(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    called: list[bool] = []
    dlg, _ = make_dialog(qtbot, paths, tmp_path, delete_all=lambda: called.append(True))
    dlg.delete_all_data()
    assert called == [True]


def test_settings_dataclass_field_count_guard() -> None:
    # If a setting is added without a widget kind the dialog knows, this points here.
    kinds = {type(getattr(Settings(), f.name)) for f in fields(Settings)}
    assert kinds <= {bool, int, float, str, tuple}


def test_a_set_override_never_reaches_the_settings_file(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    """``--set`` for one run, then one unrelated change in the dialog: only that change is saved."""
    import argparse

    from hipcheck.core.settings import save_settings
    from hipcheck.settings_run import settings_for_run
    from hipcheck.ui.app import make_settings_dialog

    save_settings(paths.settings_file, Settings(snooze_min=5.0))
    args = argparse.Namespace(
        data_dir=str(paths.data_dir),
        overrides=["sitting_limit_min=0.5", "work_start_h=0", "sound=false"],
    )
    loaded = settings_for_run(args)
    assert loaded.settings.sitting_limit_min == 0.5 and loaded.settings.snooze_min == 5.0
    rec = Recorder()
    dlg = make_settings_dialog(loaded, loaded.settings, rec, paths)
    qtbot.addWidget(dlg)
    assert dlg.set_value("snooze_max", 1)
    on_disk = load_settings(paths.settings_file).settings
    assert on_disk == Settings(snooze_min=5.0, snooze_max=1)  # no override leaked in
    limit_label = spec_of("sitting_limit_min").label
    assert dlg._labels["sitting_limit_min"].text() == f"{limit_label} (for this run):"
    assert dlg._labels["snooze_max"].text() == f"{spec_of('snooze_max').label}:"
    # The running app keeps its overrides and gets the change.
    assert rec.calls[-1].sitting_limit_min == 0.5 and rec.calls[-1].snooze_max == 1
    assert rec.calls[-1].sound is False

    # Changing an overridden value in the dialog is the user's choice: saved, no longer marked.
    assert dlg.set_value("sitting_limit_min", 30.0)
    assert load_settings(paths.settings_file).settings.sitting_limit_min == 30.0
    assert load_settings(paths.settings_file).settings.sound is True
    assert dlg._labels["sitting_limit_min"].text() == f"{limit_label}:"

    # Restore defaults: the --set values on restored settings are gone, the file keeps its own.
    dlg.restore_defaults()
    assert load_settings(paths.settings_file).settings == Settings()
    assert dlg.settings == Settings() and not dlg.for_this_run
    assert dlg._labels["sound"].text() == f"{spec_of('sound').label}:"


def test_restore_defaults_keeps_the_camera_and_saves(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    """Every preference back to its default, the camera kept, saved, announced once."""
    changed = Settings(camera="2", sitting_limit_min=30.0, sound=False, sample_rate_hz=5.0)
    dlg, rec = make_dialog(qtbot, paths, tmp_path, changed)
    dlg.restore_defaults()
    assert rec.calls[-1] == Settings(camera="2") == dlg.settings
    assert load_settings(paths.settings_file).settings == Settings(camera="2")
    assert dlg.status_label.text() == "✓ Defaults restored and saved at 03:00"
    spin = dlg.editors["sitting_limit_min"]
    assert isinstance(spin, QDoubleSpinBox) and spin.value() == 45.0


def test_the_preview_can_share_the_monitors_pictures(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    """With shared frames the dialog asks for the monitor's pictures and never opens a camera."""
    opened: list[str] = []

    def opener(source: str) -> object:
        opened.append(source)
        raise AssertionError("the camera must not be opened twice")

    dlg = SettingsDialog(
        Settings(), lambda _s: None, paths=paths, cameras=lambda: [], capture_opener=opener,  # type: ignore[arg-type]
        shared_frames=True,
    )  # fmt: skip
    qtbot.addWidget(dlg)
    wanted: list[bool] = []
    dlg.frames_wanted.connect(wanted.append)
    dlg.show()
    assert dlg.tabs.tabText(CAMERA_TAB) == "Camera"
    dlg.tabs.setCurrentIndex(CAMERA_TAB)
    assert wanted == [True]
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    image.fill(0x336699)
    dlg.set_frame(image)
    cam = dlg.camera_editor
    assert (
        cam is not None and cam.preview.pixmap() is not None and not cam.preview.pixmap().isNull()
    )
    dlg.tabs.setCurrentIndex(0)
    assert wanted == [True, False] and opened == []


def test_a_camera_is_named_never_a_bare_index(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    """Without a camera list entry for the saved index, the list says "Camera 1", not "0"."""
    dlg = SettingsDialog(Settings(camera="0"), lambda _s: None, paths=paths, cameras=lambda: [])
    qtbot.addWidget(dlg)
    cam = dlg.camera_editor
    assert cam is not None and cam.combo.currentText() == "Camera 1"
    assert cam.value() == "0"
    assert camera_label("2") == "Camera 3" and camera_label("clip.mp4") == "clip.mp4"


def test_bent_hips_setting_is_shown_as_a_hip_angle(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    """The file keeps flexion (45); the dialog shows and takes the hip angle (135°)."""
    dlg, _rec = make_dialog(qtbot, paths, tmp_path)
    spin = dlg.editors["flexion_threshold_deg"]
    assert isinstance(spin, QDoubleSpinBox)
    assert spin.value() == 135.0 and (spin.minimum(), spin.maximum()) == (90.0, 170.0)
    spin.setValue(120.0)
    assert dlg.settings.flexion_threshold_deg == 60.0
    assert load_settings(paths.settings_file).settings.flexion_threshold_deg == 60.0


def test_choices_read_as_glossary_words(qtbot: QtBot, paths: AppPaths, tmp_path: Path) -> None:
    """The exercise choice says "Dead bug" (the stored value stays "deadbug")."""
    dlg, _rec = make_dialog(qtbot, paths, tmp_path)
    combo = dlg.editors["preferred_exercise"]
    assert isinstance(combo, QComboBox)
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert "Dead bug" in texts and "Deadbug" not in texts
    assert combo.itemData(texts.index("Dead bug")) == "deadbug"


def test_lengths_and_numbers_read_as_the_glossary_writes_them(
    qtbot: QtBot, paths: AppPaths, tmp_path: Path
) -> None:
    """ "45 min", "2 min", "2 per s" (never "45.0 min"); a typed "1 h 30 min" or "30 s" is taken."""
    dlg, _rec = make_dialog(qtbot, paths, tmp_path)
    limit, brk = dlg.editors["sitting_limit_min"], dlg.editors["natural_break_min"]
    rate = dlg.editors["sample_rate_hz"]
    assert isinstance(limit, MinutesSpinBox) and isinstance(brk, MinutesSpinBox)
    assert isinstance(rate, QDoubleSpinBox)
    assert (limit.text(), brk.text(), rate.text()) == ("45 min", "2 min", "2 per s")
    for editor, typed, minutes in ((limit, "1 h 30 min", 90.0), (brk, "30 s", 0.5)):
        editor.lineEdit().selectAll()
        qtbot.keyClicks(editor.lineEdit(), typed)
        qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return)
        assert editor.value() == minutes and editor.text() == typed
    assert dlg.settings.sitting_limit_min == 90.0 and dlg.settings.natural_break_min == 0.5
    brk.stepBy(5)  # 0.5 min steps: an exact part minute, never rounded away
    assert brk.text() == "3 min"
    brk.stepBy(-1)
    assert brk.text() == "2 min 30 s"
    assert all(banned_in(e.text()) == [] for e in (limit, brk, rate))
