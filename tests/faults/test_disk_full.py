"""Disk full and a read-only data folder: monitoring goes on, the user is told, nothing crashes,
and what could not be written is written once the disk has room again.

A real filesystem: ``disk_driver.py`` runs in its own user and mount namespace
(``unshare --map-root-user --mount``) on a 4 MB tmpfs that it fills up, frees, and remounts
read-only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import need

DRIVER = Path(__file__).with_name("disk_driver.py")


def unshare_works() -> bool:
    tool = shutil.which("unshare")
    if tool is None:
        return False
    probe = subprocess.run([tool, "--map-root-user", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def phases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    need(unshare_works(), "unshare --map-root-user --mount is not permitted here")
    mnt = tmp_path_factory.mktemp("tmpfs")
    proc = subprocess.run(
        ["unshare", "--map-root-user", "--mount", sys.executable, str(DRIVER), str(mnt)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    return {row["phase"]: row for row in rows}


def test_full_disk_is_reported_and_monitoring_goes_on(phases: dict[str, dict[str, Any]]) -> None:
    assert phases["normal"]["error"] is None
    full = phases["full"]
    assert full["error"] is not None and "full" in full["error"]
    # the tracker kept following the user while nothing could be saved
    assert full["state"] == "standing"
    assert full["samples"] > phases["normal"]["samples"]


def test_writing_resumes_and_nothing_is_lost(phases: dict[str, dict[str, Any]]) -> None:
    assert phases["freed"]["error"] is None and phases["freed"]["unwritten"] == 0
    end = phases["end"]
    assert end["integrity"] == "ok"
    # 60 s + 30 s + 30 s sitting and the 120 s of standing recorded while the disk was full
    assert end["totals"]["standing"] == pytest.approx(120, abs=2)
    assert end["totals"]["sitting"] == pytest.approx(120, abs=3)


def test_read_only_data_folder_is_one_clear_error(phases: dict[str, dict[str, Any]]) -> None:
    error = phases["read_only"]["store_error"]
    assert error is not None and "hipcheck.sqlite3" in error and "\n" not in error
    assert phases["writable_again"]["error"] is None


CLIP = "videos/front_sit_upper_body_01.mp4"


def app_status(data_dir: Path) -> dict[str, Any] | None:
    """``hipcheck status --json`` of the app using ``data_dir``; None if it does not answer."""
    proc = subprocess.run(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data_dir), "status", "--json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return json.loads(proc.stdout) if proc.returncode == 0 else None


def wait_until(check: Any, timeout_s: float, what: str, log: Path) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1.0)
    raise AssertionError(f"timed out waiting for {what}: {log.read_text(errors='replace')[-3000:]}")


@pytest.mark.footage
def test_app_on_a_full_disk(posture_data: Path, tmp_path: Path) -> None:
    """The real app: the disk fills while it monitors; it keeps going, says so, and recovers."""
    need(unshare_works(), "unshare --map-root-user --mount is not permitted here")
    mnt, control = tmp_path / "mnt", tmp_path / "control"
    mnt.mkdir()
    control.mkdir()
    data_dir = mnt / "data"  # the same path inside the namespace, so the socket name matches
    log = control / "app.log"
    driver = subprocess.Popen(
        ["unshare", "--map-root-user", "--mount", sys.executable,
         str(Path(__file__).with_name("app_disk_driver.py")), str(mnt), str(control),
         "--source", str(posture_data / CLIP), "--loop"],
    )  # fmt: skip
    try:
        wait_until(
            lambda: (app_status(data_dir) or {}).get("state") == "sitting", 120, "sitting", log
        )
        (control / "fill").write_text("")
        wait_until(lambda: (control / "filled").exists(), 30, "the disk to fill", log)
        full = wait_until(
            lambda: (s := app_status(data_dir)) and s.get("storage_error") and s, 60,
            "the app to report the full disk", log,
        )  # fmt: skip
        assert "full" in full["storage_error"]
        assert full["camera"] == "running"  # monitoring goes on
        (control / "free").write_text("")
        wait_until(
            lambda: (s := app_status(data_dir)) is not None and not s.get("storage_error"), 60,
            "the app to save again", log,
        )  # fmt: skip
    finally:
        (control / "stop").write_text("")
        driver.wait(90)
    assert (control / "exit").read_text() == "0", log.read_text(errors="replace")[-3000:]
    result, rows = (control / "integrity").read_text().split()
    assert result == "ok" and int(rows) > 0
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
