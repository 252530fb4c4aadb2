"""Start at login: the entry is written where each desktop looks for it, and removed again."""

from __future__ import annotations

import configparser
import plistlib
import shlex
from pathlib import Path

from hipcheck.autostart import (
    Platform,
    autostart_path,
    default_command,
    is_autostart_enabled,
    set_autostart,
)

COMMAND = ["/opt/py env/bin/python", "-m", "hipcheck", "--data-dir", "/home/me/50% data"]


def test_linux_xdg_entry_written_and_removed(tmp_path: Path) -> None:
    linux = Platform("linux", tmp_path, {})
    path = set_autostart(True, COMMAND, linux)
    assert path == tmp_path / ".config/autostart/hipcheck.desktop"
    assert is_autostart_enabled(linux)
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(path)
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Name"] == "HipCheck"
    # The Exec line un-quotes (desktop-entry rules: %% is a literal %) to the same argv.
    assert shlex.split(desktop["Exec"].replace("%%", "%")) == COMMAND
    set_autostart(False, platform=linux)
    assert not path.exists() and not is_autostart_enabled(linux)
    set_autostart(False, platform=linux)  # removing twice is fine


def test_linux_honours_xdg_config_home(tmp_path: Path) -> None:
    linux = Platform("linux", tmp_path, {"XDG_CONFIG_HOME": str(tmp_path / "cfg")})
    assert autostart_path(linux) == tmp_path / "cfg/autostart/hipcheck.desktop"


def test_macos_launch_agent(tmp_path: Path) -> None:
    mac = Platform("darwin", tmp_path, {})
    path = set_autostart(True, COMMAND, mac)
    assert path == tmp_path / "Library/LaunchAgents/org.hipcheck.HipCheck.plist"
    plist = plistlib.loads(path.read_bytes())
    assert plist["ProgramArguments"] == COMMAND and plist["RunAtLoad"] is True
    set_autostart(False, platform=mac)
    assert not path.exists()


def test_windows_startup_folder(tmp_path: Path) -> None:
    win = Platform("win32", tmp_path, {"APPDATA": str(tmp_path / "Roaming")})
    path = set_autostart(True, COMMAND, win)
    assert path.parent == tmp_path / "Roaming/Microsoft/Windows/Start Menu/Programs/Startup"
    text = path.read_bytes().decode()
    assert text.startswith("@echo off\r\n")
    assert '"/opt/py env/bin/python" "-m" "hipcheck"' in text
    set_autostart(False, platform=win)
    assert not path.exists()


def test_default_command_runs_this_python(tmp_path: Path) -> None:
    command = default_command(tmp_path)
    assert command[1:3] == ["-m", "hipcheck"]
    assert command[3:] == ["--data-dir", str(tmp_path.resolve())]
    assert Path(command[0]).exists()
