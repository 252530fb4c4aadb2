"""Guarded runs shared by the privacy tests: ``analyze`` and the tray app on real footage.

Each run happens once per session in a subprocess started through ``guarded_run.py`` (audit hooks:
network refused and recorded, writes recorded) and, where ``strace`` exists, under strace as a
second witness that also sees connections made from C/C++ code. HOME, TMPDIR and the XDG folders
point into the test's own folder, so every file the run creates can be scanned afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import REPO, need

GUARD = Path(__file__).with_name("guarded_run.py")
CLIP = "videos/front_sit_upper_body_01.mp4"
APP_RUN_S = 20.0


@dataclass
class GuardedRun:
    """What one guarded run did."""

    name: str
    returncode: int
    stdout: str
    stderr: str
    root: Path  # HOME, TMPDIR, XDG dirs and the data dir all live under here
    data_dir: Path
    report: list[dict[str, Any]]
    strace_lines: list[str] | None
    before: dict[str, float]  # file -> mtime under ``root`` before the run

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """Report entries of one kind."""
        return [r for r in self.report if r["kind"] == kind]


def snapshot(root: Path) -> dict[str, float]:
    """Every file under ``root`` with its modification time."""
    return {str(p): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}


def _children(pid: int) -> list[int]:
    """The direct children of ``pid`` (the traced app under strace)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key, sub in (
        ("HOME", "home"),
        ("TMPDIR", "tmp"),
        ("XDG_CONFIG_HOME", "home/.config"),
        ("XDG_DATA_HOME", "home/.local/share"),
        ("XDG_STATE_HOME", "home/.local/state"),
        ("XDG_CACHE_HOME", "home/.cache"),
    ):
        (root / sub).mkdir(parents=True, exist_ok=True)
        env[key] = str(root / sub)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("HIPCHECK_DATA_DIR", None)
    return env


def guarded(
    name: str,
    root: Path,
    argv: list[str],
    run_s: float | None = None,
    until: Callable[[Path], bool] | None = None,
    max_s: float = 120.0,
) -> GuardedRun:
    """Run ``hipcheck ARGV`` guarded; stop it with SIGTERM after ``run_s`` if given.

    With ``until`` (given the data dir), the run lasts ``run_s`` *after* ``until`` first holds,
    ``max_s`` at most: a slow, busy machine still gets a whole window of monitoring.
    """
    data_dir = root / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _environment(root)
    report = root / "report.jsonl"
    cmd = [sys.executable, str(GUARD), str(report), "--data-dir", str(data_dir), *argv]
    strace = shutil.which("strace")
    need(strace is not None, "strace not installed (apt: strace)")
    trace_file = root / "strace.txt"
    if strace is not None:
        cmd = [strace, "-f", "-qq", "--seccomp-bpf", "-e", "signal=none",
               "-e", "trace=connect,sendto,sendmsg", "-o", str(trace_file), *cmd]  # fmt: skip
    before = snapshot(root)
    # Its own process group: strace and the app under it are stopped together.
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        if until is not None and run_s is not None:
            deadline = time.monotonic() + max_s
            while proc.poll() is None and time.monotonic() < deadline and not until(data_dir):
                time.sleep(0.5)
            run_s = max(0.0, min(run_s, deadline - time.monotonic()))
        out, err = proc.communicate(timeout=run_s if run_s is not None else 600)
    except subprocess.TimeoutExpired:
        # SIGTERM to the app itself (strace would only detach), then wait for both.
        for pid in _children(proc.pid) or [proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
    entries = (
        [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    )
    lines = trace_file.read_text().splitlines() if trace_file.exists() else None
    return GuardedRun(name, proc.returncode, out, err, root, data_dir, entries, lines, before)


@pytest.fixture(scope="session")
def analyze_run(posture_data: Path, tmp_path_factory: pytest.TempPathFactory) -> GuardedRun:
    """``hipcheck analyze CLIP --json`` (stored), guarded."""
    root = tmp_path_factory.mktemp("privacy-analyze")
    run = guarded("analyze", root, ["analyze", str(posture_data / CLIP), "--json", "--store"])
    assert run.returncode == 0, run.stderr[-3000:]
    return run


@pytest.fixture(scope="session")
def app_run(posture_data: Path, tmp_path_factory: pytest.TempPathFactory) -> GuardedRun:
    """The tray app on a looped clip, guarded: monitoring for a while, then SIGTERM."""
    root = tmp_path_factory.mktemp("privacy-app")
    started = time.monotonic()
    argv = ["--source", str(posture_data / CLIP), "--loop", "--verbose"]
    run = guarded("app", root, argv, run_s=APP_RUN_S, until=_has_recorded)
    # It must have been running (not crashed at start) for the whole window, and quit cleanly.
    assert time.monotonic() - started >= APP_RUN_S, run.stderr[-3000:]
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.of_kind("started"), run.stderr[-3000:]
    return run


def _has_recorded(data_dir: Path) -> bool:
    """Whether the app has stored its first interval (the model is loaded and monitoring)."""
    import sqlite3

    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{data_dir / 'hipcheck.sqlite3'}?mode=ro", uri=True)
        ) as db:
            return bool(db.execute("SELECT count(*) FROM intervals").fetchone()[0])
    except sqlite3.Error:
        return False


__all__ = ["REPO", "GuardedRun", "snapshot"]
