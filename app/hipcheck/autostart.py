"""Start HipCheck at login: an XDG autostart entry (Linux), a LaunchAgent (macOS) or a Startup-folder script (Windows)."""

from __future__ import annotations

import os
import plistlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LAUNCH_AGENT_LABEL = "org.hipcheck.HipCheck"


@dataclass(frozen=True)
class Platform:
    """Where autostart entries go: the OS name (``sys.platform``), home folder and environment."""

    name: str
    home: Path
    env: Mapping[str, str]

    @classmethod
    def current(cls) -> Platform:
        """The machine this runs on."""
        return cls(sys.platform, Path.home(), os.environ)


def default_command(data_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """The command that starts the tray app with this Python (and ``--data-dir`` if given)."""
    if getattr(sys, "frozen", False):
        # The PyInstaller build: sys.executable is the hipcheck binary itself, not a Python.
        command = [str(Path(sys.executable).resolve())]
        if data_dir is not None:
            command += ["--data-dir", str(Path(data_dir).expanduser().resolve())]
        return command
    python = Path(sys.executable)
    if sys.platform == "win32" and python.with_name("pythonw.exe").exists():
        python = python.with_name("pythonw.exe")  # no console window at login
    command = [str(python), "-m", "hipcheck"]
    if data_dir is not None:
        command += ["--data-dir", str(Path(data_dir).expanduser().resolve())]
    return command


def autostart_path(platform: Platform | None = None) -> Path:
    """The file whose presence makes HipCheck start at login on ``platform``."""
    p = platform or Platform.current()
    if p.name == "win32":
        appdata = Path(p.env.get("APPDATA") or p.home / "AppData" / "Roaming")
        return appdata / "Microsoft/Windows/Start Menu/Programs/Startup/HipCheck.cmd"
    if p.name == "darwin":
        return p.home / "Library/LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
    config = Path(p.env.get("XDG_CONFIG_HOME") or p.home / ".config")
    return config / "autostart" / "hipcheck.desktop"


def _desktop_exec(command: Sequence[str]) -> str:
    """Quote arguments for a desktop entry's Exec key (the spec's double-quote rules)."""
    out = []
    for arg in command:
        if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`%="):
            out.append(arg)
        else:
            escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
            out.append(f'"{escaped}"')
    return " ".join(out)


def autostart_contents(command: Sequence[str], platform: Platform | None = None) -> bytes:
    """The autostart file's bytes for ``platform`` running ``command``."""
    p = platform or Platform.current()
    if p.name == "win32":
        quoted = " ".join(f'"{arg}"' for arg in command)
        return f'@echo off\r\nstart "" {quoted}\r\n'.encode()
    if p.name == "darwin":
        plist = {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": list(command),
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
        return plistlib.dumps(plist)
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Name=HipCheck",
        "Comment=Watches how you sit and gets you out of the chair",
        f"Exec={_desktop_exec(command)}",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
        "",
    ]
    return "\n".join(lines).encode()


def is_autostart_enabled(platform: Platform | None = None) -> bool:
    """Whether the autostart entry exists."""
    return autostart_path(platform).is_file()


def set_autostart(
    enabled: bool, command: Sequence[str] | None = None, platform: Platform | None = None
) -> Path:
    """Write (``enabled``) or remove the autostart entry; returns its path. Raises OSError."""
    path = autostart_path(platform)
    if not enabled:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(autostart_contents(command or default_command(), platform))
    os.replace(tmp, path)
    return path
