"""Every file HipCheck reads back may be hostile: settings.toml and calibration.json.

Each row is a file a damaged disk, another program or a person could leave. Whatever it holds,
loading never raises: an unreadable file is backed up byte for byte and replaced by defaults with
a warning; a valid file is never rewritten; a file from a newer HipCheck is kept and refused; a
repair that cannot write says so and runs on settings in memory, leaving no empty backup behind.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import need, run_hipcheck
from tests.core.test_calibration import SEATED, STANDING
from tests.faults.test_disk_full import unshare_works

from hipcheck.core.calibration import (
    CalibrationFromNewer,
    calibrate,
    calibration_to_dict,
    load_calibration,
    repair_calibration,
    save_calibration,
)
from hipcheck.core.settings import (
    Settings,
    SettingsFileRefused,
    load_settings,
    save_settings,
    settings_to_toml,
)

NOW = datetime(2026, 11, 29, 3, 4, 5, tzinfo=timezone.utc)
BOM = b"\xef\xbb\xbf"
DRIVER = Path(__file__).with_name("hostile_settings_driver.py")


@dataclass(frozen=True)
class SettingsCase:
    """One settings file and what loading it must do."""

    name: str
    content: bytes
    settings: Settings  # what the run uses
    warning: str | None  # a substring of the first warning; None: no warning at all
    repaired: bool  # backed up (byte for byte) and rewritten


HAND_WRITTEN = b"# mine\nsitting_limit_min = 30\nsound = false\n"
CASES = [
    SettingsCase(
        "a 4301-digit integer",
        b"sitting_limit_min = " + b"9" * 4301 + b"\n",
        Settings(),
        "not readable",
        True,
    ),
    SettingsCase(
        "a 4000-digit integer for a number setting",
        b"version = 1\nsitting_limit_min = " + b"9" * 4000 + b"\n",
        Settings(),
        "sitting_limit_min: expected a finite number",
        True,
    ),
    SettingsCase(
        "an array 3000 deep",
        b"work_days = " + b"[" * 3000 + b"]" * 3000 + b"\n",
        Settings(),
        "nested too deeply",
        True,
    ),
    SettingsCase(
        "inline tables 3000 deep",
        b"camera = " + b"{a=" * 3000 + b"1" + b"}" * 3000 + b"\n",
        Settings(),
        "nested too deeply",
        True,
    ),
    SettingsCase("not UTF-8", b"camera = '\xff\xfe'\n", Settings(), "not readable", True),
    SettingsCase("NUL bytes", b"\0" * 64, Settings(), "not valid TOML", True),
    SettingsCase("not TOML", b"sitting_limit_min = = 30\n[[[", Settings(), "not valid TOML", True),
    SettingsCase(
        "a valid hand-written file without version",
        HAND_WRITTEN,
        Settings(sitting_limit_min=30.0, sound=False),
        None,
        False,
    ),
    SettingsCase(
        "a UTF-8 BOM before valid settings",
        BOM + b"version = 1\nsnooze_min = 20\nsound = false\n",
        Settings(snooze_min=20.0, sound=False),
        None,
        False,
    ),
    SettingsCase(
        "a UTF-8 BOM before a file HipCheck wrote",
        BOM + settings_to_toml(Settings(retention_days=30)).encode(),
        Settings(retention_days=30),
        None,
        False,
    ),
    SettingsCase(
        "a file from a newer HipCheck",
        b"version = 7\nsnooze_min = 20\nhologram = true\n",
        Settings(),
        "from a newer HipCheck (settings version 7)",
        False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_any_settings_file_loads(tmp_path: Path, case: SettingsCase) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(case.content)
    loaded = load_settings(path, now=NOW)
    assert loaded.settings == case.settings
    if case.warning is None:
        assert loaded.warnings == []
    else:
        assert loaded.warnings and case.warning in loaded.warnings[0], loaded.warnings
        assert all("\n" not in w and len(w) < 400 for w in loaded.warnings)
    backups = sorted(tmp_path.glob("settings.toml.bak-*"))
    if case.repaired:
        # The user's bytes are kept exactly, privately; the file is now a clean one.
        assert len(backups) == 1 and backups[0].read_bytes() == case.content
        assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
        assert loaded.backup == backups[0] and backups[0].name in loaded.warnings[-1]
        again = load_settings(path, now=NOW)
        assert again.warnings == [] and again.settings == case.settings
    else:
        assert backups == [] and path.read_bytes() == case.content


def test_a_newer_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    newer = b"version = 7\nsnooze_min = 20\n"
    path.write_bytes(newer)
    with pytest.raises(SettingsFileRefused, match="newer HipCheck"):
        save_settings(path, Settings(snooze_min=3.0))
    assert isinstance(SettingsFileRefused("x"), OSError)  # every "could not save" path shows it
    assert path.read_bytes() == newer and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_file_larger_than_any_settings_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"# " + b"x" * 2_000_000 + b"\n")
    loaded = load_settings(path, now=NOW)
    assert loaded.settings == Settings() and "cannot be read" in loaded.warnings[0]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_repair_that_cannot_write_warns_and_runs_in_memory(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A real full tmpfs and a real read-only remount, in a private mount namespace."""
    need(unshare_works(), "unshare --map-root-user --mount is not permitted here")
    mnt = tmp_path_factory.mktemp("tmpfs")
    proc = subprocess.run(
        ["unshare", "--map-root-user", "--mount", sys.executable, str(DRIVER), str(mnt)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    rows = {row["case"]: row for row in map(json.loads, proc.stdout.splitlines())}
    assert set(rows) == {"full disk", "read-only folder"}
    for row in rows.values():
        assert row["raised"] is None
        assert row["defaults"]
        assert "could not repair settings.toml" in row["warnings"][-1]
        assert "used for this run only" in row["warnings"][-1]
        # The damaged file is untouched and no empty or short backup is left behind.
        assert row["content"] == "sitting_limit_min = = 30\n[[["
        assert set(row["files"]) == {"settings.toml"}, row["files"]


# ---- calibration.json --------------------------------------------------------------------------


def _good_calibration() -> dict[str, Any]:
    return calibration_to_dict(calibrate(SEATED, STANDING, created="x"))


CALIBRATION_CASES = [
    ("nested 100000 deep", b"[" * 100_000 + b"]" * 100_000),
    ("objects nested 5000 deep", b'{"a":' * 5000 + b"1" + b"}" * 5000),
    ("a 5000-digit number", b'{"version": 1, "frame_aspect": ' + b"9" * 5000 + b"}"),
    ("not UTF-8", b'{"version": 1, "created": "\xff"}'),
    ("not JSON", b"{{{"),
    ("a list", b"[1, 2, 3]"),
    ("an empty file", b""),
]


@pytest.mark.parametrize(
    "content", [c for _, c in CALIBRATION_CASES], ids=[n for n, _ in CALIBRATION_CASES]
)
def test_a_broken_calibration_is_moved_aside_with_a_warning(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "calibration.json"
    path.write_bytes(content)
    note = repair_calibration(path, NOW)
    assert note is not None and "\n" not in note and "calibrate again" in note
    backup = tmp_path / "calibration.json.bak-20261129T030405Z"
    assert backup.name in note and backup.read_bytes() == content
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert not path.exists() and load_calibration(path) is None


def test_a_calibration_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    path.write_bytes(BOM + json.dumps(_good_calibration()).encode())
    assert repair_calibration(path, NOW) is None
    assert load_calibration(path) is not None


def test_a_newer_calibration_is_kept_and_refused(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    newer = json.dumps({**_good_calibration(), "version": 9}).encode()
    path.write_bytes(newer)
    note = repair_calibration(path, NOW)
    assert note is not None and "newer HipCheck" in note
    with pytest.raises(CalibrationFromNewer):
        load_calibration(path)
    with pytest.raises(CalibrationFromNewer):
        save_calibration(path, calibrate(SEATED, STANDING, created="x"))
    assert path.read_bytes() == newer and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_valid_calibration_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    text = json.dumps(_good_calibration())
    path.write_text(text)
    assert repair_calibration(path, NOW) is None and path.read_text() == text


CLI_CASES = [c for c in CASES if c.repaired]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_every_command_starts_on_a_hostile_settings_file(
    tmp_path: Path, case: SettingsCase
) -> None:
    """``analyze`` reads the file without touching it; the tray app repairs it, then goes on
    (here to a missing video, so it stops at its one-line error before opening a window)."""
    data = tmp_path / "data"
    data.mkdir()
    settings = data / "settings.toml"
    settings.write_bytes(case.content)
    missing = str(tmp_path / "missing.mp4")

    proc = run_hipcheck(["--data-dir", str(data), "analyze", missing])
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.splitlines()[-1] == f"hipcheck: error: no such file: {missing}"
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("hipcheck: warning: ")]
    assert case.warning is not None and case.warning in warnings[0], proc.stderr
    assert settings.read_bytes() == case.content and not list(data.glob("*.bak-*"))

    proc = run_hipcheck(["--data-dir", str(data), "--source", missing])
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.splitlines()[-1] == f"hipcheck: error: no such file: {missing}"
    backups = list(data.glob("settings.toml.bak-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == case.content
    assert load_settings(settings).warnings == []


def test_the_tray_app_moves_a_hostile_calibration_aside_and_keeps_running(tmp_path: Path) -> None:
    """The calibration was read on every sample; 100,000-deep JSON took the app down."""
    data = tmp_path / "data"
    data.mkdir()
    content = b"[" * 100_000 + b"]" * 100_000
    (data / "calibration.json").write_bytes(content)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data), "--source", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        log = data / "log" / "hipcheck.log"
        while time.monotonic() < deadline and "HipCheck running" not in (
            log.read_text() if log.exists() else ""
        ):
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            time.sleep(0.2)
        time.sleep(2)  # the camera worker has asked for the calibration by now
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert "RecursionError" not in err and "RecursionError" not in log.read_text()
    backups = list(data.glob("calibration.json.bak-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert "calibration: calibration.json is not valid JSON (nested too deeply)" in log.read_text()
    assert not (data / "calibration.json").exists()
