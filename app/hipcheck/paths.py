"""Where HipCheck keeps its settings, database and logs; ``--data-dir`` or $HIPCHECK_DATA_DIR moves all."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "HIPCHECK_DATA_DIR"
APP_NAME = "hipcheck"


@dataclass(frozen=True)
class AppPaths:
    """The directories HipCheck uses."""

    config_dir: Path
    data_dir: Path
    state_dir: Path

    @property
    def settings_file(self) -> Path:
        """The human-readable settings file."""
        return self.config_dir / "settings.toml"

    @property
    def database(self) -> Path:
        """The SQLite store."""
        return self.data_dir / "hipcheck.sqlite3"

    @property
    def first_run_done(self) -> Path:
        """Present once the first-run window was finished or skipped."""
        return self.config_dir / "first-run-done"

    @property
    def log_dir(self) -> Path:
        """Where rotating logs go."""
        return self.state_dir / "log"


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """Pick the directories: an explicit ``data_dir``, else $HIPCHECK_DATA_DIR, else platformdirs."""
    chosen = data_dir if data_dir is not None else os.environ.get(ENV_DATA_DIR) or None
    if chosen is not None:
        root = Path(chosen).expanduser()
        return AppPaths(config_dir=root, data_dir=root, state_dir=root)
    return default_paths()


def default_paths() -> AppPaths:
    """The platform's folders for HipCheck (``~/.config/hipcheck``... on Linux): its own."""
    return AppPaths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        state_dir=Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
    )


def folder_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot hold HipCheck's files (one line), or None if it is or can become a folder.

    A file in its place, a symbolic link to nothing, or a file where a parent folder should be.
    """
    probe = folder
    while True:
        if probe.is_symlink() and not probe.exists():
            target = os.readlink(probe)
            return f"the data folder {folder} is a symbolic link to {target}, which does not exist"
        if probe.exists():
            if probe.is_dir():
                return None
            if probe == folder:
                return f"the data folder {folder} is a file, not a folder"
            return f"the data folder {folder} cannot be made: {probe} is a file, not a folder"
        if probe.parent == probe:
            return None
        probe = probe.parent


def check_folders(paths: AppPaths) -> None:
    """Raise UserError naming the first of ``paths``' folders that cannot be a folder."""
    from hipcheck.errors import UserError

    for folder in dict.fromkeys((paths.data_dir, paths.config_dir, paths.state_dir)):
        problem = folder_problem(folder)
        if problem is not None:
            raise UserError(problem)


APP_ID = "io.github.hipcheck.HipCheck"
"""The installed app id: desktop file, icon name, notifications' desktop-entry."""
SHARE_DATA_DIR = f"share/{APP_ID}"  # where a wheel puts assets/, NOTICE and LICENSES/
ASSETS_DATA_DIR = f"{SHARE_DATA_DIR}/assets"


def shipped_dir() -> Path:
    """The folder holding HipCheck's ``assets/``, ``NOTICE`` and ``LICENSES/``.

    In the PyInstaller build it is the bundle beside the code (``sys._MEIPASS``); from a source
    checkout it is the repository; installed from a wheel, it is ``SHARE_DATA_DIR`` under the data
    root pip installed into (the environment's prefix, the user's ``~/.local`` for ``--user``,
    ``/usr/local`` for a system pip on Debian).
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle)
    import sysconfig

    roots = [sys.prefix, sysconfig.get_path("data")]
    with contextlib.suppress(KeyError, AttributeError):
        roots.append(sysconfig.get_path("data", sysconfig.get_preferred_scheme("user")))
    candidates = [Path(__file__).resolve().parents[2]]
    candidates += [Path(root) / SHARE_DATA_DIR for root in dict.fromkeys(roots)]
    return next((c for c in candidates if (c / "assets" / "hipcheck.svg").is_file()), candidates[0])


def assets_dir() -> Path:
    """The folder with HipCheck's icons and exercise pictures (``assets/``)."""
    return shipped_dir() / "assets"


def notice_file() -> Path:
    """HipCheck's NOTICE: its own notice and the pose model's attribution (licence texts beside it
    in ``LICENSES/``)."""
    return shipped_dir() / "NOTICE"
