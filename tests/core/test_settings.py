"""Settings: declarations, validation, the file on disk (migration, repair, backup), overrides."""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import tomllib

from hipcheck.core.settings import (
    SETTINGS_VERSION,
    Settings,
    SettingsError,
    SettingsFileRefused,
    apply_overrides,
    iter_specs,
    load_settings,
    markdown_table,
    parse_override,
    parse_value,
    save_settings,
    setting_names,
    spec_of,
    validate_value,
    with_value,
)
from hipcheck.errors import UserError
from hipcheck.settings_run import settings_for_run

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 3, 4, 5, tzinfo=timezone.utc)


def test_every_setting_is_fully_declared() -> None:
    names = setting_names()
    assert len(names) == len(set(names)) >= 15
    for name, spec, default in iter_specs():
        assert spec.label and spec.help and spec.tab, name
        if spec.minimum is not None:
            assert spec.minimum <= default <= spec.maximum, name
        if spec.choices and isinstance(default, str):
            assert default in spec.choices, name
        assert validate_value(name, default) == default


def test_issue_settings_exist_in_their_tabs() -> None:
    wanted = {
        "camera": "Camera", "sample_rate_hz": "Advanced", "standing_desk": "Camera",
        "adaptive_sampling": "Advanced",
        "flexion_threshold_deg": "Advanced", "natural_break_min": "Advanced",
        "sitting_limit_min": "Reminders", "snooze_min": "Reminders", "snooze_max": "Reminders",
        "work_start_h": "Reminders", "work_end_h": "Reminders", "work_days": "Reminders",
        "sound": "Reminders", "preferred_exercise": "Reminders", "exercise_variant": "Reminders",
        "retention_days": "Privacy & start-up", "start_at_login": "Privacy & start-up",
    }  # fmt: skip
    assert {name: spec_of(name).shown_in for name in wanted} == wanted


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("sample_rate_hz", 10.5, "outside 0.2–10 per s"),
        ("sample_rate_hz", 0.1, "outside"),
        ("sample_rate_hz", "2", "expected a number"),
        ("sample_rate_hz", True, "expected a number"),
        ("sample_rate_hz", math.nan, "finite"),
        ("snooze_max", 2.5, "whole number"),
        ("snooze_max", 11, "outside 0–10"),
        ("sound", "yes", "expected true or false"),
        ("sound", 1, "expected true or false"),
        ("camera", 0, "expected text"),
        ("preferred_exercise", "squats", "not one of"),
        ("work_days", ["mon", "funday"], "'funday' is not one of"),
        ("work_days", "mon", "expected a list"),
        ("no_such_key", 1, "unknown setting 'no_such_key'"),
    ],
)
def test_validate_value_rejects_with_one_line_naming_the_key(
    name: str, value: object, message: str
) -> None:
    with pytest.raises(SettingsError) as info:
        validate_value(name, value)
    text = str(info.value)
    assert message in text and name in text and "\n" not in text


def test_validate_value_normalises() -> None:
    assert validate_value("sample_rate_hz", 3) == 3.0
    assert isinstance(validate_value("sample_rate_hz", 3), float)
    assert validate_value("snooze_max", 4.0) == 4
    assert validate_value("work_days", ["fri", "mon", "mon"]) == ("mon", "fri")
    assert validate_value("sample_rate_hz", 10.0) == 10.0  # bounds are inclusive


def test_parse_value_from_text() -> None:
    assert parse_value("sound", " Off ") is False
    assert parse_value("standing_desk", "yes") is True
    assert parse_value("snooze_max", "2") == 2
    assert parse_value("work_days", "sat, sun") == ("sat", "sun")
    assert parse_value("camera", "/tmp/clip.mp4") == "/tmp/clip.mp4"
    with pytest.raises(SettingsError, match="snooze_max: expected a whole number"):
        parse_value("snooze_max", "2.5")
    with pytest.raises(SettingsError, match="sample_rate_hz: expected a number"):
        parse_value("sample_rate_hz", "fast")


def test_overrides() -> None:
    s = apply_overrides(Settings(), ["sample_rate_hz=5", "sound=false", "camera=clip.mp4"])
    assert (s.sample_rate_hz, s.sound, s.camera) == (5.0, False, "clip.mp4")
    assert apply_overrides(s, []) is s
    assert parse_override("camera=rtsp://h/x?a=b") == ("camera", "rtsp://h/x?a=b")
    for bad, message in [
        ("sample_rate_hz=99", "outside"),
        ("sample_rate_hz", "KEY=VALUE"),
        ("=3", "KEY=VALUE"),
        ("colour=red", "unknown setting 'colour' \\(`hipcheck settings` lists them all\\)"),
        ("sample_rate=3", "unknown setting 'sample_rate' \\(did you mean sample_rate_hz\\?\\)"),
        ("sound=maybe", "true or false"),
    ]:
        with pytest.raises(SettingsError, match=message):
            apply_overrides(Settings(), [bad])


def test_with_value_validates() -> None:
    assert with_value(Settings(), "sitting_limit_min", 30).sitting_limit_min == 30.0
    with pytest.raises(SettingsError):
        with_value(Settings(), "sitting_limit_min", 1000)


def test_missing_file_gives_defaults_without_writing(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "settings.toml")
    assert loaded.settings == Settings() and loaded.warnings == []
    assert list(tmp_path.iterdir()) == []


def test_save_and_load_round_trip_is_human_readable(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "settings.toml"
    custom = Settings(sample_rate_hz=4.5, work_days=("sat",), sound=False, camera="1")
    save_settings(path, custom)
    text = path.read_text()
    assert f"version = {SETTINGS_VERSION}" in text
    assert (
        "# Sitting limit: Remind me after sitting this long without a break. (0.5–240 min)" in text
    )
    assert tomllib.loads(text)["work_days"] == ["sat"]
    loaded = load_settings(path, now=NOW)
    assert loaded.settings == custom and loaded.warnings == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.toml"]  # no temp left


def test_defaults_merged_for_missing_keys(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f"version = {SETTINGS_VERSION}\nsitting_limit_min = 30\n")
    loaded = load_settings(path, now=NOW)
    assert loaded.settings == Settings(sitting_limit_min=30.0)
    assert loaded.warnings == []


def test_bad_keys_fall_back_to_defaults_with_warnings_and_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    original = (
        f"version = {SETTINGS_VERSION}\n"
        "sitting_limit_min = 30\n"
        "sample_rate_hz = 50          # out of bounds\n"
        'sound = "loud"               # wrong type\n'
        "colour = 'red'               # unknown\n"
    )
    path.write_text(original)
    loaded = load_settings(path, now=NOW)
    s = loaded.settings
    assert s.sitting_limit_min == 30.0  # good keys survive
    assert s.sample_rate_hz == Settings().sample_rate_hz and s.sound is True
    joined = "\n".join(loaded.warnings)
    for key in ("sample_rate_hz", "sound", "colour"):
        assert any(w.startswith(key) for w in loaded.warnings), (key, joined)
    backup = tmp_path / "settings.toml.bak-20261129T030405Z"
    assert loaded.backup == backup and backup.read_text() == original
    assert backup.name in loaded.warnings[-1]
    # Repaired on disk: the next load is clean and keeps the good value.
    again = load_settings(path, now=NOW)
    assert again.warnings == [] and again.settings == s


def test_unparsable_file_backed_up_and_defaults_used(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("sitting_limit_min = = 30\n[[[")
    loaded = load_settings(path, now=NOW)
    assert loaded.settings == Settings()
    assert "settings.toml: not valid TOML" in loaded.warnings[0]
    assert (
        loaded.backup is not None and loaded.backup.read_text() == "sitting_limit_min = = 30\n[[["
    )
    # A second broken load the same second does not overwrite the first backup.
    path.write_text("broken again ===")
    second = load_settings(path, now=NOW)
    assert second.backup is not None and second.backup != loaded.backup
    assert loaded.backup.read_text().startswith("sitting_limit_min")


def test_load_without_repair_leaves_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("version = 1\nsound = 3\n")
    loaded = load_settings(path, now=NOW, repair=False)
    assert loaded.warnings and path.read_text() == "version = 1\nsound = 3\n"
    assert loaded.backup is None and list(tmp_path.iterdir()) == [path]


def test_migration_from_version_0(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    v0 = (
        "camera = 1\n"
        "sitting_limit = 50\n"
        "snooze = 5\n"
        "flexion_threshold = 60\n"
        'work_hours = "07:30-16:00"\n'
        'work_days = ["mon", "wed"]\n'
    )
    path.write_text(v0)
    loaded = load_settings(path, now=NOW)
    s = loaded.settings
    assert loaded.warnings == []
    assert (s.camera, s.sitting_limit_min, s.snooze_min, s.flexion_threshold_deg) == (
        "1", 50.0, 5.0, 60.0,
    )  # fmt: skip
    assert (s.work_start_h, s.work_end_h, s.work_days) == (7.5, 16.0, ("mon", "wed"))
    assert loaded.backup is not None and loaded.backup.read_text() == v0
    assert tomllib.loads(path.read_text())["version"] == SETTINGS_VERSION


def test_newer_version_is_kept_and_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    newer = "version = 99\nsnooze_min = 7\nhologram = true\n"
    path.write_text(newer)
    loaded = load_settings(path, now=NOW)
    assert loaded.settings == Settings() and loaded.backup is None
    assert loaded.warnings == [
        "settings.toml is from a newer HipCheck (settings version 99); this run uses the "
        "defaults and leaves the file as it is"
    ]
    with pytest.raises(SettingsFileRefused, match="newer HipCheck"):
        save_settings(path, Settings(snooze_min=3.0))
    assert path.read_text() == newer and list(tmp_path.iterdir()) == [path]


def test_settings_for_run_uses_data_dir_and_overrides(tmp_path: Path) -> None:
    save_settings(tmp_path / "settings.toml", Settings(snooze_min=20.0))
    args = argparse.Namespace(data_dir=str(tmp_path), overrides=["sound=no"])
    loaded = settings_for_run(args)
    assert loaded.settings == Settings(snooze_min=20.0, sound=False)
    with pytest.raises(UserError, match=r"^sample_rate_hz: 99\.0 is outside"):
        settings_for_run(
            argparse.Namespace(data_dir=str(tmp_path), overrides=["sample_rate_hz=99"])
        )


def test_readme_lists_every_setting_as_generated() -> None:
    readme = (REPO / "README.md").read_text()
    start, end = "<!-- settings-table:start -->\n", "<!-- settings-table:end -->"
    assert start in readme and end in readme, "README needs the generated settings table"
    table = readme.split(start, 1)[1].split(end, 1)[0].strip("\n") + "\n"
    assert table == markdown_table(), (
        "README settings table is stale: python -m hipcheck.core.settings --markdown"
    )
    for name in setting_names():
        assert f"| `{name}` |" in table


def test_markdown_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hipcheck.core.settings", "--markdown"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout == markdown_table()


def test_update_readme_regenerates_only_between_the_markers() -> None:
    from hipcheck.core.settings import update_readme

    text = "intro\n<!-- settings-table:start -->\nold table\n<!-- settings-table:end -->\noutro\n"
    new = update_readme(text)
    assert new.startswith("intro\n<!-- settings-table:start -->\n| Key |")
    assert new.endswith("<!-- settings-table:end -->\noutro\n") and "old table" not in new
    with pytest.raises(SettingsError, match="markers"):
        update_readme("no markers here")


def test_flexion_is_shown_as_a_hip_angle_and_stored_back() -> None:
    """flexion_threshold_deg is stored as flexion and shown as the hip angle (180° − flexion)."""
    from hipcheck.core.settings import shown_bounds, shown_value, stored_value

    assert shown_value("flexion_threshold_deg", 45.0) == 135.0
    assert stored_value("flexion_threshold_deg", 120.0) == 60.0
    assert shown_bounds("flexion_threshold_deg") == (90.0, 170.0)
    # Other settings are shown as stored.
    assert shown_value("sitting_limit_min", 45.0) == 45.0
    assert shown_bounds("sitting_limit_min") == (0.5, 240.0)


def test_labels_and_help_speak_the_glossary() -> None:
    """No "bout", "flexion", "natural break" or "samples/s" where people read a setting."""
    from hipcheck.core.glossary import banned_in

    for name, spec, _default in iter_specs():
        assert banned_in(f"{spec.label} {spec.help} {spec.unit}") == [], name


def test_technical_settings_are_advanced() -> None:
    """How often HipCheck looks, the bent-hips limit and the break length are declared advanced
    (shown on the Advanced tab, also in the README's table); the sitting limit is not."""
    advanced = {name for name, spec, _ in iter_specs() if spec.advanced}
    assert advanced == {
        "sample_rate_hz",
        "adaptive_sampling",
        "flexion_threshold_deg",
        "natural_break_min",
    }
    assert spec_of("sample_rate_hz").shown_in == "Advanced"
    assert spec_of("sitting_limit_min").shown_in == "Reminders"
    assert "| per s | 0.2 – 10 | Advanced |" in markdown_table()


def test_loaded_settings_say_where_each_value_comes_from(tmp_path: Path) -> None:
    """A key from the file says file, a bad one and a missing one default, --set wins."""
    path = tmp_path / "settings.toml"
    path.write_text("version = 1\nsitting_limit_min = 30\nsnooze_min = 999\n", encoding="utf-8")
    loaded = load_settings(path, repair=False)
    assert loaded.source_of("sitting_limit_min") == "file"
    assert loaded.source_of("snooze_min") == "default"  # out of bounds: the default is used
    assert loaded.source_of("sound") == "default"
    args = argparse.Namespace(data_dir=str(tmp_path), overrides=["sound=false"])
    run = settings_for_run(args, repair=False)
    assert run.source_of("sound") == "--set" and run.settings.sound is False
