"""Everything HipCheck writes is private to the user: files 0600, folders 0700, whatever the umask.

A sitting history tells when someone was at their desk; settings may hold a camera password. Each
row is one file or folder HipCheck makes, made under the common umask 022 (which would give 0644
and 0755). Files an older version left readable are tightened at start-up; a folder the user named
with ``--data-dir`` keeps its own mode (it may be their home), HipCheck's files in it do not.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import run_hipcheck

from hipcheck.commands.status import NOT_RUNNING

DRIVER = r"""
import json, os, sys
from datetime import datetime, timezone
from pathlib import Path
os.umask(0o022)
from hipcheck.cli import main
from hipcheck.paths import resolve_paths

data = Path(sys.argv[1])
# The command line: makes the folders and the log, sets the umask, then fails (no such file).
status = main(["--data-dir", str(data), "analyze", str(data / "missing.mp4")])
assert status == 2, status

from hipcheck.core.calibration import calibrate, repair_calibration, save_calibration
from hipcheck.core.settings import Settings, load_settings, save_settings
from hipcheck.data_archive import export_all_data
from hipcheck.store.db import Store
from tests.core.test_calibration import SEATED, STANDING

now = datetime(2026, 11, 29, 3, 4, 5, tzinfo=timezone.utc)
paths = resolve_paths(data)
modes = {}


def note(path):
    modes[str(path.relative_to(data))] = oct(os.stat(path).st_mode & 0o777)


store = Store.open(paths.database)
store.record_event(now, "paused", {"choice": "timed"})
for suffix in ("", "-wal", "-shm"):
    note(Path(f"{paths.database}{suffix}"))
save_settings(paths.settings_file, Settings(sound=False))
note(paths.settings_file)
paths.settings_file.write_text("[[[ broken")
load_settings(paths.settings_file, now=now)
note(next(data.glob("settings.toml.bak-*")))
cal = data / "calibration.json"
save_calibration(cal, calibrate(SEATED, STANDING, "x"))
note(cal)
cal.write_text("{{{")
repair_calibration(cal, now)
note(next(data.glob("calibration.json.bak-*")))
export = export_all_data(paths, data / "exports" / "hipcheck.zip", Settings(), now)
note(export)
note(export.parent)
store.close()
note(data)
note(data / "log")
note(data / "log" / "hipcheck.log")
print(json.dumps(modes))
"""

EXPECTED = {
    ".": "0o700",
    "log": "0o700",
    "log/hipcheck.log": "0o600",
    "hipcheck.sqlite3": "0o600",
    "hipcheck.sqlite3-wal": "0o600",
    "hipcheck.sqlite3-shm": "0o600",
    "settings.toml": "0o600",
    "settings.toml.bak-20261129T030405Z": "0o600",
    "calibration.json": "0o600",
    "calibration.json.bak-20261129T030405Z": "0o600",
    "exports/hipcheck.zip": "0o600",
    "exports": "0o700",
}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def created_modes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("modes") / "data"
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    modes: dict[str, str] = json.loads(proc.stdout.splitlines()[-1])
    return modes


@pytest.mark.parametrize(("name", "mode"), list(EXPECTED.items()), ids=list(EXPECTED))
def test_what_hipcheck_creates_is_private(
    created_modes: dict[str, str], name: str, mode: str
) -> None:
    assert created_modes[name] == mode


def _loose(root: Path, state: Path) -> dict[Path, int]:
    """Files and folders an older HipCheck left readable, plus a file of the user's own."""
    made = {}
    for rel in (
        "hipcheck.sqlite3",
        "hipcheck.sqlite3.v1-20260101T000000Z.bak",
        "settings.toml",
        "settings.toml.bak-20260101T000000Z",
        "calibration.json",
        "log/hipcheck.log",
        "log/hipcheck.log.1",
        "notes.txt",
    ):
        path = (state if rel.startswith("log/") else root) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o755)
        path.write_text("x")
        path.chmod(0o644)
        made[path] = 0o600 if rel != "notes.txt" else 0o644
    return made


def test_loose_files_in_the_default_folders_are_tightened(tmp_path: Path) -> None:
    env = dict(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "share"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
    )
    (tmp_path / "run").mkdir(mode=0o700)
    data = tmp_path / "share" / "hipcheck"
    made = _loose(data, tmp_path / "state" / "hipcheck")
    config = tmp_path / "config" / "hipcheck"
    config.mkdir(parents=True)
    config.chmod(0o755)
    proc = run_hipcheck(["status"], env=env)
    assert (proc.returncode, proc.stderr) == (1, NOT_RUNNING + "\n")
    for path, mode in made.items():
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
    for folder in (data, tmp_path / "state" / "hipcheck" / "log", config):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_folder_named_with_data_dir_keeps_its_mode(tmp_path: Path) -> None:
    data = tmp_path / "mine"
    made = _loose(data, data)
    data.chmod(0o755)
    (tmp_path / "run").mkdir(mode=0o700)
    proc = run_hipcheck(
        ["--data-dir", str(data), "status"], env={"XDG_RUNTIME_DIR": str(tmp_path / "run")}
    )
    assert proc.returncode == 1
    assert stat.S_IMODE(data.stat().st_mode) == 0o755
    for path, mode in made.items():
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
    assert stat.S_IMODE((data / "log").stat().st_mode) == 0o700
