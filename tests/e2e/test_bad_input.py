"""Bad input everywhere: every sub-command and option fed wrong values, missing files, unreadable
videos, a camera that does not exist -> one line on stderr, exit status 2, no traceback.

Table-driven: ``ROWS`` lists hand-written cases (each names what the one line must say), and
``generated_rows`` adds one case for every typed or choice option the parser declares, so a new
option is covered the day it is added. ``test_every_sub_command_has_rows`` fails when a sub-command
has no hand-written case.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import POSTURE_DATA, run_hipcheck

from hipcheck.cli import build_parser

CLIP = POSTURE_DATA / "videos" / "front_sit_upper_body_01.mp4"


@dataclass(frozen=True)
class Row:
    """One bad invocation and a piece of what its one line must say (case-insensitive)."""

    argv: tuple[str, ...]
    says: str

    @property
    def id(self) -> str:
        return " ".join(self.argv)


def r(says: str, *argv: str) -> Row:
    return Row(tuple(argv), says)


# Placeholders, filled in per test run: {missing} a path that does not exist, {text} a text file,
# {empty} an empty file, {dir} a directory, {garbage_mp4} random bytes named .mp4, {cut_mp4} the
# first 4 KiB of a real clip, {garbage_png} random bytes named .png, {clip} a real clip.
ROWS: list[Row] = [
    # the dispatcher and global options
    r("invalid choice", "no-such-command"),
    r("unrecognized arguments", "--no-such-option"),
    r("expected one argument", "--data-dir"),
    r("expected one argument", "--source"),
    r("KEY=VALUE", "--set", "nonsense", "status"),
    r("setting", "--set", "no_such_setting=1", "status"),
    r("sample_rate_hz", "--set", "sample_rate_hz=fast", "status"),
    r("sample_rate_hz", "--set", "sample_rate_hz=1000", "status"),
    # status / pause / resume
    r("unrecognized arguments", "status", "extra"),
    r("MINUTES", "pause", "soon"),
    r("MINUTES", "pause", "0"),
    r("MINUTES", "pause", "-5"),
    r("MINUTES", "pause", "inf"),
    r("MINUTES", "pause", "100000"),
    r("unrecognized arguments", "pause", "5", "6"),
    r("unrecognized arguments", "resume", "now"),
    # analyze: sources that cannot be read
    r("the following arguments are required", "analyze"),
    r("{missing}", "analyze", "{missing}"),
    r("{text}", "analyze", "{text}"),
    r("{empty}", "analyze", "{empty}"),
    r("{dir}", "analyze", "{dir}"),
    r("{garbage_mp4}", "analyze", "{garbage_mp4}"),
    r("{cut_mp4}", "analyze", "{cut_mp4}"),
    r("{garbage_png}", "analyze", "{garbage_png}"),
    r("camera", "analyze", "7"),
    r("-1", "analyze", "-1"),
    r("--fps", "analyze", "{clip}", "--fps", "0"),
    r("--fps", "analyze", "{clip}", "--fps", "many"),
    r("--fps", "analyze", "{clip}", "--fps", "nan"),
    r("--duration", "analyze", "{clip}", "--duration", "-3"),
    r("flexion_threshold_deg", "analyze", "{clip}", "--set", "flexion_threshold_deg=5"),
    r("data", "analyze", "{clip}", "--data-dir", "{text}"),
    # report: bad dates, an output that cannot be written, a data dir that is a file
    r("--date 'tomorrow' is not a day", "report", "--date", "tomorrow"),
    r("--date '2026-13-01' is not a day", "report", "--date", "2026-13-01"),
    r("{dir}", "report", "-o", "{dir}"),
    r("{missing}", "report", "--format", "html", "-o", "{missing}/report.html"),
    r("data", "report", "--data-dir", "{text}"),
    # report
    r("--date 2999-01-01 is in the future", "report", "--date", "2999-01-01"),
    r("--date '+3' is not a day", "report", "--date", "+3"),
    r("--format", "report", "--format", "pdf"),
    r("does not exist", "report", "-o", "{missing}/report.html"),
    r("directory", "report", "-o", "{dir}"),
    r("unrecognized arguments", "report", "extra"),
    r("data", "report", "--data-dir", "{text}"),
    # settings
    r("unrecognized arguments", "settings", "extra"),
    r("no_such_setting", "settings", "--set", "no_such_setting=1"),
    r("sound: expected true or false", "settings", "--set", "sound=loud"),
    r("data", "settings", "--data-dir", "{text}"),
    # the tray app's own options
    r("{missing}", "--source", "{missing}"),
    r("{garbage_mp4}", "--source", "{garbage_mp4}"),
]


def generated_rows(parser: argparse.ArgumentParser) -> list[Row]:
    """A wrong value for every typed or choice option of every sub-command."""
    rows: list[Row] = []
    sub_actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for sub_action in sub_actions:
        for name, sub in sub_action.choices.items():
            positionals = [
                "{clip}" for a in sub._actions if not a.option_strings and a.nargs in (None, 1)
            ]
            for action in sub._actions:
                if not action.option_strings or action.nargs == 0:
                    continue
                flag = action.option_strings[-1]
                if action.choices is not None:
                    rows.append(r(flag, name, *positionals, flag, "no-such-choice"))
                elif action.type not in (None, str):
                    rows.append(r(flag, name, *positionals, flag, "not-a-value"))
    return rows


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The placeholder files."""
    root = tmp_path_factory.mktemp("bad-input")
    (root / "notes.txt").write_text("not a video\n")
    (root / "empty.mp4").write_bytes(b"")
    (root / "folder").mkdir()
    (root / "garbage.mp4").write_bytes(os.urandom(50_000))
    (root / "garbage.png").write_bytes(os.urandom(5_000))
    cut = root / "cut.mp4"
    if CLIP.is_file():
        cut.write_bytes(CLIP.read_bytes()[:4096])
    return {
        "missing": str(root / "no-such-video.mp4"),
        "text": str(root / "notes.txt"),
        "empty": str(root / "empty.mp4"),
        "dir": str(root / "folder"),
        "garbage_mp4": str(root / "garbage.mp4"),
        "garbage_png": str(root / "garbage.png"),
        "cut_mp4": str(cut),
        "clip": str(CLIP),
        "data": str(root / "data"),
    }


def fill(text: str, files: dict[str, str]) -> str:
    return text.format(**files)


ALL_ROWS = ROWS + generated_rows(build_parser())


@pytest.fixture(scope="module")
def results(
    files: dict[str, str], posture_data: Path
) -> Iterator[dict[str, subprocess.CompletedProcess[str]]]:
    """Every row run once in its own process, four at a time."""

    def run(row: Row) -> subprocess.CompletedProcess[str]:
        argv = [fill(a, files) for a in row.argv]
        if "--data-dir" not in argv:
            argv = ["--data-dir", files["data"], *argv]
        return run_hipcheck(argv)

    with ThreadPoolExecutor(max_workers=4) as pool:
        done = dict(zip([row.id for row in ALL_ROWS], pool.map(run, ALL_ROWS), strict=True))
    yield done


@pytest.mark.parametrize("row", ALL_ROWS, ids=[row.id for row in ALL_ROWS])
def test_bad_input_is_one_line_and_exit_2(
    row: Row, results: dict[str, subprocess.CompletedProcess[str]], files: dict[str, str]
) -> None:
    proc = results[row.id]
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert fill(row.says, files).lower() in lines[0].lower(), lines[0]


def test_every_sub_command_has_rows() -> None:
    parser = build_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    covered = {row.argv[0] for row in ROWS}
    missing = sorted(set(subs.choices) - covered)
    assert missing == [], f"add bad-input rows for: {missing}"
