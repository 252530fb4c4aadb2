"""benchmarks/soak.py keeps working: the simulated 8-hour day runs in seconds and adaptive sampling
saves samples without moving the day's totals."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_simulated_day() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "soak.py"), "--skip-live", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    day = report["simulated_day"]
    # 8 h minus a 20 min suspend at 2/s, give or take the segment edges
    assert 54_000 < day["fixed"]["samples"] < 56_000
    assert day["samples_saved_share"] > 0.3
    assert day["sitting_drift_share"] < 0.02
    assert day["fixed"]["bouts"] == day["adaptive"]["bouts"] >= 3
    assert report["failures"] == []
