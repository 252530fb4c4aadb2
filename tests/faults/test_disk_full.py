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
