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
    return AppPaths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        state_dir=Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
    )


APP_ID = "io.github.hipcheck.HipCheck"
"""The installed app id: desktop file, icon name, notifications' desktop-entry."""
ASSETS_DATA_DIR = f"share/{APP_ID}/assets"  # where a wheel puts them


def assets_dir() -> Path:
    """The folder with HipCheck's icons and exercise pictures (``assets/``).

    In the PyInstaller build it sits beside the bundled code (``sys._MEIPASS``); from a source
    checkout it is the repository's ``assets/`` folder; installed from a wheel, it is
    ``ASSETS_DATA_DIR`` under the data root pip installed into (the environment's prefix, the
    user's ``~/.local`` for ``--user``, ``/usr/local`` for a system pip on Debian).
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "assets"
    import sysconfig

    roots = [sys.prefix, sysconfig.get_path("data")]
    with contextlib.suppress(KeyError, AttributeError):
        roots.append(sysconfig.get_path("data", sysconfig.get_preferred_scheme("user")))
    candidates = [Path(__file__).resolve().parents[2] / "assets"]
    candidates += [Path(root) / ASSETS_DATA_DIR for root in dict.fromkeys(roots)]
    return next((c for c in candidates if (c / "hipcheck.svg").is_file()), candidates[0])
