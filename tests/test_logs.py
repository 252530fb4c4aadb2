"""Logging: rotating file in the state directory, --verbose console, never a frame."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from hipcheck import logs
from hipcheck.logs import log_file, setup_logging
from hipcheck.paths import resolve_paths


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Put the root logger and excepthook back as they were."""
    root = logging.getLogger()
    handlers, level, hook = list(root.handlers), root.level, sys.excepthook
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)
    sys.excepthook = hook


def test_file_log_in_state_dir(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    path = setup_logging(paths)
    assert path == log_file(paths) == tmp_path / "log" / "hipcheck.log"
    logging.getLogger("hipcheck.test").info("hello %s", "file")
    assert "hello file" in path.read_text()


def test_rotates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_LOG_BYTES", 2000)
    path = setup_logging(resolve_paths(tmp_path))
    assert path is not None
    for i in range(400):
        logging.getLogger("hipcheck.test").info("line %d %s", i, "x" * 40)
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated == ["hipcheck.log", "hipcheck.log.1", "hipcheck.log.2", "hipcheck.log.3"]
    assert all(p.stat().st_size <= 2000 for p in path.parent.iterdir())


def test_frames_are_withheld(tmp_path: Path) -> None:
    path = setup_logging(resolve_paths(tmp_path))
    assert path is not None
    frame = np.full((48, 64, 3), 7, dtype=np.uint8)
    log = logging.getLogger("hipcheck.test")
    log.info("frame %s", frame)
    log.info(frame)
    log.info("raw %r", frame.tobytes())
    text = path.read_text()
    assert "<array 48x64x3 withheld>" in text
    assert "<9216 bytes withheld>" in text
    assert "7 7 7" not in text and "\\x07" not in text


def test_setup_twice_does_not_duplicate(tmp_path: Path) -> None:
    setup_logging(resolve_paths(tmp_path))
    path = setup_logging(resolve_paths(tmp_path))
    assert path is not None
    logging.getLogger("hipcheck.test").warning("once")
    assert path.read_text().count("once") == 1


def test_log_dir_that_is_a_file_is_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "log").write_text("not a directory")
    assert setup_logging(resolve_paths(tmp_path)) is None
    logging.getLogger("hipcheck.test").info("still fine")


def run_cli(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import logging, sys; from hipcheck.cli import main; "
        "import hipcheck.commands.status as s; "
        "s.run_resume = lambda a: (logging.getLogger('hipcheck.x').debug('dbg'), "
        "logging.getLogger('hipcheck.x').warning('careful'), 0)[-1]; "
        "sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "--data-dir", str(tmp_path), *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_sets_up_logging_quiet_by_default(tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "resume")
    assert proc.returncode == 0
    assert proc.stderr == "hipcheck: WARNING: careful\n"
    text = (tmp_path / "log" / "hipcheck.log").read_text()
    assert "careful" in text and "dbg" not in text


def test_cli_verbose_logs_debug_to_console(tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "resume", "--verbose")
    assert proc.returncode == 0
    assert "DEBUG hipcheck.x [MainThread]: dbg" in proc.stderr
    assert "dbg" in (tmp_path / "log" / "hipcheck.log").read_text()
