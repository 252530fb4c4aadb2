"""What the command line says, from the real ``hipcheck`` in a subprocess: exit status and words.

Help pages (a description and examples for every command, the top level saying that no command
starts the tray app), ``hipcheck settings`` (keys, values, where each comes from), dates
(``today``, ``yesterday``, ``-N``; a bad or future one named once), ``hipcheck status`` in
sentences and as stable JSON (against a scripted app behind the real socket), and the line the
tray app prints when it starts. Every run must be free of tracebacks and of the words the
glossary bans.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hipcheck.commands.status import NOT_RUNNING, STATUS_KEYS
from hipcheck.core.glossary import banned_in, day_name
from hipcheck.core.settings import Settings, setting_names, settings_to_dict
from hipcheck.core.types import State
from hipcheck.instance import serve
from hipcheck.paths import resolve_paths
from hipcheck.store.db import Store

COMMANDS = ("status", "pause", "resume", "report", "analyze", "settings")
BERLIN_ENV = {"TZ": "Europe/Berlin"}


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("HIPCHECK_")}
    out["QT_QPA_PLATFORM"] = "offscreen"
    out.update(extra)
    return out


def command(data_dir: Path, *argv: str) -> list[str]:
    return [sys.executable, "-m", "hipcheck", "--data-dir", str(data_dir), *argv]


def run(data_dir: Path, *argv: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """``hipcheck --data-dir DATA_DIR ARGV``; never a traceback, whatever the outcome."""
    proc = subprocess.run(
        command(data_dir, *argv),
        capture_output=True,
        text=True,
        timeout=60,
        env=env(**extra_env),
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# ---- help ----------------------------------------------------------------------------------------


def test_top_level_help_says_no_command_starts_the_app_and_shows_examples(tmp_path: Path) -> None:
    proc = run(tmp_path, "--help")
    assert proc.returncode == 0
    text = proc.stdout
    assert "`hipcheck` with no command starts the tray app" in text
    assert "No command below\nstarts it" in text
    examples = text.split("examples:\n", 1)[1]
    assert re.search(r"^  hipcheck +start the tray app$", examples, re.M)
    for name in COMMANDS:
        assert re.search(rf"^    {name} +\S", text, re.M), name  # listed with a summary
        assert f"hipcheck {name}" in examples or name in ("resume",), name
    assert banned_in(text) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_description_and_examples(tmp_path: Path, name: str) -> None:
    proc = run(tmp_path, name, "--help")
    assert proc.returncode == 0
    text = proc.stdout
    usage, _, rest = text.partition("\n\n")
    assert usage.startswith(f"usage: hipcheck {name}")
    description = rest.split("\n\n", 1)[0]
    assert len(description) > 60 and not description.startswith(("options:", "positional")), text
    examples = text.split("examples:\n", 1)[1]
    assert re.search(rf"^  hipcheck {name}\b", examples, re.M), text
    assert all(len(line) <= 100 for line in text.splitlines()), text
    assert banned_in(text) == [], banned_in(text)


def test_analyze_help_spells_analyze_one_way(tmp_path: Path) -> None:
    """The command is "analyze"; its help never switches to "analyse"."""
    text = run(tmp_path, "analyze", "--help").stdout + run(tmp_path, "--help").stdout
    assert "analyze" in text and not re.search(r"analys", text, re.I)


# ---- settings ----------------------------------------------------------------------------------


def table(stdout: str) -> dict[str, tuple[str, str]]:
    """``hipcheck settings``'s rows: key -> (value, source)."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in setting_names():
            rows[parts[0]] = (parts[1], parts[2])
    return rows


def test_settings_lists_keys_values_and_where_they_come_from(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text("version = 1\nsitting_limit_min = 30\n")
    proc = run(tmp_path, "settings", "--set", "sound=false", "--set", "work_days=mon,fri")
    assert proc.returncode == 0 and proc.stderr == ""
    rows = table(proc.stdout)
    assert list(rows) == list(setting_names())  # every key, in declaration order
    assert rows["sitting_limit_min"] == ("30", "file")
    assert rows["sound"] == ("false", "--set")
    assert rows["work_days"] == ("mon,fri", "--set")
    assert rows["snooze_min"] == ("10", "default")
    assert f"Settings file: {tmp_path / 'settings.toml'}" in proc.stdout
    assert "hipcheck --set KEY=VALUE" in proc.stdout


def test_settings_json_has_stable_keys(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text("version = 1\nflexion_threshold_deg = 60\n")
    proc = run(tmp_path, "settings", "--json")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["file"] == str(tmp_path / "settings.toml")
    assert list(doc["settings"]) == list(setting_names())
    defaults = settings_to_dict(Settings())
    for name, entry in doc["settings"].items():
        assert set(entry) == {"value", "source", "default", "unit", "minimum", "maximum",
                              "choices", "label", "help", "advanced"}, name  # fmt: skip
        assert entry["default"] == defaults[name]
    bent = doc["settings"]["flexion_threshold_deg"]
    assert (bent["value"], bent["source"]) == (60, "file")
    assert "hip angle of 135°" in bent["help"]  # the stored value explained as a hip angle
    assert doc["settings"]["sample_rate_hz"]["advanced"] is True


def test_settings_with_a_bad_value_warns_and_leaves_the_file_alone(tmp_path: Path) -> None:
    file = tmp_path / "settings.toml"
    file.write_text("version = 1\nsnooze_min = 999\n")
    proc = run(tmp_path, "settings")
    assert proc.returncode == 0
    assert one_line(proc).startswith("hipcheck: warning: snooze_min: 999 is outside 1–60 min")
    assert table(proc.stdout)["snooze_min"] == ("10", "default")
    assert file.read_text() == "version = 1\nsnooze_min = 999\n"  # read-only: nothing rewritten


# ---- dates ---------------------------------------------------------------------------------------


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A data folder with a history (one interval a week ago)."""
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("Europe/Berlin"))
    start = (now - timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    with Store.open(tmp_path / "hipcheck.sqlite3") as store:
        store.record_interval(start, start + timedelta(minutes=30), State.SITTING, 100.0, 0.0)
    return tmp_path


def berlin_today() -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Berlin")).date()


@pytest.mark.parametrize(
    ("word", "days_ago"), [("today", 0), ("yesterday", 1), ("-1", 1), ("-7", 7), ("-30", 30)]
)
def test_dates_accept_today_yesterday_and_days_ago(history: Path, word: str, days_ago: int) -> None:
    proc = run(history, "report", "--date", word, **BERLIN_ENV)
    assert proc.returncode == 0, proc.stderr
    day = berlin_today() - timedelta(days=days_ago)
    assert proc.stdout.splitlines()[0] == f"HipCheck report for {day_name(day)}"
    if days_ago == 7:
        assert re.search(r"Sitting\s+30 min", proc.stdout)


@pytest.mark.parametrize("bad", ["someday", "2026-02-30", "1.12.2026"])
def test_a_bad_date_is_named_once(history: Path, bad: str) -> None:
    proc = run(history, "report", "--date", bad, **BERLIN_ENV)
    assert proc.returncode == 2 and proc.stdout == ""
    line = one_line(proc)
    assert line.count(bad) == 1 and line.count("--date") == 1 and "argument" not in line
    assert "YYYY-MM-DD, today, yesterday or -N" in line


def test_a_future_date_says_it_is_in_the_future(history: Path) -> None:
    tomorrow = berlin_today() + timedelta(days=1)
    proc = run(history, "report", "--date", tomorrow.isoformat(), **BERLIN_ENV)
    assert proc.returncode == 2
    line = one_line(proc)
    assert f"--date {tomorrow.isoformat()} is in the future" in line
    assert "not watching" not in line


def test_a_typed_option_error_is_not_doubled(tmp_path: Path) -> None:
    """argparse's "argument X: X must..." prefix is gone: the option is named once."""
    line = one_line(run(tmp_path, "pause", "soon"))
    assert line == "hipcheck pause: error: MINUTES: 'soon' is not a number of minutes (see --help)"


# ---- status against a scripted app behind the real socket -------------------------------------


class ScriptedApp:
    """Answers ``status`` with a prepared reply, ``pause``/``resume`` like the app does."""

    def __init__(self) -> None:
        self.reply: dict[str, Any] = {}

    def __call__(self, command: str, params: dict[str, Any]) -> dict[str, Any]:
        if command == "status":
            return self.reply
        return {"paused": command == "pause", "message": f"answered {command}"}


@pytest.fixture
def scripted(qapp: Any, tmp_path: Path) -> Any:
    app = ScriptedApp()
    server = serve(app, resolve_paths(tmp_path))
    assert server is not None
    yield tmp_path, app
    server.close()


def ask(qtbot: Any, data_dir: Path, *argv: str) -> tuple[int, str, str]:
    """Run the CLI while this process's Qt loop answers on the socket."""
    proc = subprocess.Popen(
        command(data_dir, *argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env(),
    )  # fmt: skip
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    out, err = proc.communicate()
    assert "Traceback" not in err, err
    return proc.returncode, out, err


RUNNING = {"paused": False, "camera": "running"}
STATUS_CASES = [
    (
        {**RUNNING, "state": "sitting", "bout_s": 840, "next_break_in_s": 1860,
         "today_sitting_s": 7500},
        "HipCheck is monitoring. Sitting for 14 min · break in 31 min. Today: 2 h 5 min sitting.",
    ),
    (
        {**RUNNING, "state": "sitting", "bout_s": 2700, "next_break_in_s": 0,
         "today_sitting_s": 2700},
        "HipCheck is monitoring. Sitting for 45 min · break due now. Today: 45 min sitting.",
    ),
    (
        {**RUNNING, "state": "sitting", "bout_s": 55, "next_break_in_s": 2645,
         "reminders_held": "off_hours", "today_sitting_s": 55},
        "HipCheck is monitoring. Sitting for 55 s. No reminders outside working hours."
        " Today: 55 s sitting.",
    ),
    (
        {**RUNNING, "state": "standing", "today_sitting_s": 3600},
        "HipCheck is monitoring. You are standing. Today: 1 h sitting.",
    ),
    (
        {**RUNNING, "state": "away", "today_sitting_s": 0},
        "HipCheck is monitoring. You are away from the desk. Today: 0 min sitting.",
    ),
    (
        {**RUNNING, "state": "unknown"},
        "HipCheck is monitoring. It cannot tell yet whether you sit or stand.",
    ),
    (
        {"state": "paused", "paused": True, "camera": "paused"},
        "HipCheck is paused until you resume it (`hipcheck resume`).",
    ),
    (
        {"state": "paused", "paused": True, "camera": "paused", "paused_reason": "screen_locked"},
        "HipCheck is paused while the screen is locked.",
    ),
    (
        {"state": "camera_problem", "paused": False, "camera": "camera_problem",
         "camera_message": "camera 0 stopped delivering frames"},
        "HipCheck cannot watch: camera 0 stopped delivering frames.",
    ),
    (
        {"state": "ended", "paused": False, "camera": "ended",
         "camera_message": "The image was analyzed once: an image has no frames to loop over."},
        "HipCheck has stopped watching. The image was analyzed once: an image has no frames to"
        " loop over.",
    ),
    (
        {"state": "stopped", "paused": False, "camera": "stopped"},
        "HipCheck has stopped watching; its log says why (`hipcheck --verbose` shows it).",
    ),
    (
        {"state": "starting", "paused": False, "camera": "starting", "today_sitting_s": 0},
        "HipCheck is starting: looking for the camera and for you. Today: 0 min sitting.",
    ),
    (
        {**RUNNING, "state": "standing", "storage_error": "the disk is full; records are kept"
         " in memory"},
        "HipCheck is monitoring. You are standing.\n"
        "Warning: the disk is full; records are kept in memory",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("reply", "said"), STATUS_CASES, ids=[s[:40] for _, s in STATUS_CASES])
def test_status_speaks_in_sentences(
    qtbot: Any, scripted: Any, reply: dict[str, Any], said: str
) -> None:
    data_dir, app = scripted
    app.reply = reply
    rc, out, err = ask(qtbot, data_dir, "status")
    assert (rc, err, out) == (0, "", said + "\n")
    assert banned_in(out) == []
    assert not re.search(r"\w+_\w+: |True|False|\d{4}-\d\d-\d\dT", out)  # no raw fields


def test_status_until_a_time_names_the_time(qtbot: Any, scripted: Any) -> None:
    data_dir, app = scripted
    until = datetime.now().astimezone() + timedelta(minutes=30)
    app.reply = {"state": "paused", "paused": True, "paused_until": until.isoformat()}
    rc, out, _ = ask(qtbot, data_dir, "status")
    assert rc == 0 and out.startswith("HipCheck is paused until ")
    assert f"{until:%H:%M}." in out and "T" not in out.split("until ")[1]


def test_status_json_has_every_key_every_time(qtbot: Any, scripted: Any) -> None:
    data_dir, app = scripted
    app.reply = STATUS_CASES[0][0]
    rc, out, _ = ask(qtbot, data_dir, "status", "--json")
    doc = json.loads(out)
    assert rc == 0 and list(doc) == list(STATUS_KEYS)
    assert doc["running"] is True and doc["state"] == "sitting"
    assert (doc["sitting_s"], doc["next_break_in_s"], doc["today_sitting_s"]) == (840, 1860, 7500)
    assert doc["message"] == STATUS_CASES[0][1]
    app.reply = STATUS_CASES[6][0]
    doc = json.loads(ask(qtbot, data_dir, "status", "--json")[1])
    assert list(doc) == list(STATUS_KEYS) and doc["paused"] is True and doc["sitting_s"] is None


def test_pause_and_resume_print_the_apps_answer(qtbot: Any, scripted: Any) -> None:
    data_dir, _app = scripted
    assert ask(qtbot, data_dir, "pause", "5") == (0, "answered pause\n", "")
    assert ask(qtbot, data_dir, "resume") == (0, "answered resume\n", "")


def test_status_when_not_running(tmp_path: Path) -> None:
    """One line saying how to start it, exit 1; --json says running: false on stdout."""
    proc = run(tmp_path, "status")
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", NOT_RUNNING + "\n")
    assert NOT_RUNNING == "HipCheck is not running; start it with `hipcheck`."
    proc = run(tmp_path, "status", "--json")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 1 and list(doc) == list(STATUS_KEYS)
    assert doc["running"] is False and doc["message"] == NOT_RUNNING


# ---- the tray app says it started; an image does not loop -------------------------------------


@pytest.mark.footage
def test_the_app_says_it_is_running_and_an_image_is_analyzed_once(
    posture_data: Path, tmp_path: Path
) -> None:
    from hipcheck.vision.source import IMAGE_ONCE

    image = posture_data / "images" / "front_sit_01.jpg"
    log = tmp_path / "app.log"
    data_dir = tmp_path / "data"
    with log.open("wb") as out:
        app = subprocess.Popen(
            command(data_dir, "--source", str(image), "--loop"),
            stdout=out, stderr=subprocess.STDOUT, env=env(),
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while "HipCheck is running" not in log.read_text(errors="replace"):
            assert app.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.3)
        text = log.read_text(errors="replace")
        assert f"hipcheck: note: --loop plays a video over and over; {IMAGE_ONCE}" in text
        assert (
            "HipCheck is running in a small window (this desktop has no tray);"
            " `hipcheck status` says what it sees, Quit in its menu stops it." in text
        )
        while True:
            doc = json.loads(run(data_dir, "status", "--json").stdout)
            if doc["camera"] == "ended":
                break
            assert time.monotonic() < deadline, doc
            time.sleep(0.5)
        assert doc["camera_message"] == IMAGE_ONCE
        said = run(data_dir, "status").stdout
        assert said.startswith(f"HipCheck has stopped watching. {IMAGE_ONCE}")
        assert "--loop to" not in said
    finally:
        app.send_signal(signal.SIGTERM)
        assert app.wait(30) == 0, log.read_text(errors="replace")[-3000:]
