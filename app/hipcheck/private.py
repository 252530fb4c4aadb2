"""Everything HipCheck writes is private to the user: files 0600, folders 0700.

A sitting history says when someone was at their desk; settings may hold a camera password. The
command line sets a process umask that keeps group and others out of every file it creates
(SQLite's database, WAL and SHM files, backups, exports, logs), whatever the user's own umask is;
the writers that own their files also set the mode explicitly, so the rule holds when HipCheck is
used as a library. Files and folders an older version left readable are tightened at start-up.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

from hipcheck.paths import AppPaths, default_paths

log = logging.getLogger(__name__)

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
_POSIX = os.name == "posix"

# The names HipCheck writes in its folders (database, its WAL/SHM, backups and moved-aside copies,
# settings and their repair backups, calibration, logs); tightened at start-up.
_OUR_FILE_PREFIXES = ("hipcheck.sqlite3", "settings.toml", "calibration.json", "hipcheck.log")


def restrict_umask() -> None:
    """Keep group and others out of every file and folder this process creates from now on."""
    if _POSIX:
        old = os.umask(0o077)
        os.umask(old | 0o077)


def chmod_private(target: int | str | os.PathLike[str], mode: int = PRIVATE_FILE_MODE) -> None:
    """Give an open file (a descriptor) or a path ``mode`` (owner only); a no-op off POSIX."""
    if _POSIX:
        os.chmod(target, mode)


def make_private_dir(path: str | os.PathLike[str], *, tighten: bool = True) -> Path:
    """Create ``path`` and any missing parents as 0700 folders; with ``tighten`` an existing
    ``path`` that this user owns is made 0700 too (its parents are left alone)."""
    folder = Path(path)
    missing = []
    probe = folder
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    for created in missing:  # mkdir's mode is masked by the umask; set it exactly
        with contextlib.suppress(OSError):
            chmod_private(created, PRIVATE_DIR_MODE)
    if tighten and not missing:
        _tighten(folder, PRIVATE_DIR_MODE, stat.S_ISDIR)
    return folder


def _tighten(path: Path, mode: int, kind: object) -> None:
    """Set ``mode`` on ``path`` if it is this user's own ``kind`` (no symlinks followed)."""
    if not _POSIX:
        return
    try:
        st = path.lstat()
        if not kind(st.st_mode) or st.st_uid != os.geteuid():  # type: ignore[operator]
            return
        if stat.S_IMODE(st.st_mode) & ~mode:
            os.chmod(path, stat.S_IMODE(st.st_mode) & mode)
            log.info("made %s private (mode %o)", path, stat.S_IMODE(st.st_mode) & mode)
    except OSError as exc:
        log.debug("could not tighten %s: %s", path, exc)


def tighten_existing(paths: AppPaths) -> None:
    """Make HipCheck's existing files in ``paths``' folders 0600, and the folders 0700.

    The default folders are HipCheck's own; a folder the user named with ``--data-dir`` keeps its
    mode (it may be their home), its HipCheck files do not. The log folder is always HipCheck's.
    """
    folders = {paths.config_dir, paths.data_dir, paths.state_dir}
    default = default_paths()
    own_folders = folders <= {default.config_dir, default.data_dir, default.state_dir}
    log_dir = paths.log_dir
    for folder in sorted({*folders, log_dir}):
        if not folder.is_dir():
            continue
        if own_folders or folder == log_dir:
            _tighten(folder, PRIVATE_DIR_MODE, stat.S_ISDIR)
        try:
            names = [p for p in folder.iterdir() if p.name.startswith(_OUR_FILE_PREFIXES)]
        except OSError:
            continue
        for file in names:
            _tighten(file, PRIVATE_FILE_MODE, stat.S_ISREG)
