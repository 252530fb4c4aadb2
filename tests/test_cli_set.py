"""``hipcheck --set KEY=VALUE`` end to end: bad overrides are one line and exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import need

from hipcheck.commands import COMMAND_MODULES


def run(*argv: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", "--data-dir", str(data_dir), *argv],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("sample_rate_hz=99", "hipcheck: error: sample_rate_hz: 99.0 is outside 0.2–10 per s"),
        ("colour=red", "hipcheck: error: unknown setting 'colour'"),
        ("sound=perhaps", "hipcheck: error: sound: expected true or false, got 'perhaps'"),
        ("nokey", "hipcheck: error: --set expects KEY=VALUE, got 'nokey'"),
    ],
)
def test_bad_override_is_one_line_and_exit_2(
    tmp_path: Path, posture_data: Path, override: str, message: str
) -> None:
    need("analyze" in COMMAND_MODULES, "the analyze command is not registered yet")
    video = posture_data / "videos/front_sit_upper_body_01.mp4"
    # --set before and after the sub-command name both work.
    for argv in (
        ("--set", override, "analyze", str(video)),
        ("analyze", str(video), "--set", override),
    ):
        out = run(*argv, data_dir=tmp_path)
        assert out.returncode == 2, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(message), out.stderr
        assert "Traceback" not in out.stderr and out.stdout == ""
    assert list(tmp_path.iterdir()) == [] or not (tmp_path / "settings.toml").exists()
