"""Export all of a user's HipCheck data into one zip: settings, calibration and a database copy."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from hipcheck import __version__
from hipcheck.core.calibration import calibration_path
from hipcheck.core.settings import Settings, settings_to_dict, settings_to_toml
from hipcheck.paths import AppPaths
from hipcheck.store.db import StoreError, connect_readonly


def export_all_data(paths: AppPaths, dest: str | Path, settings: Settings, now: datetime) -> Path:
    """Write ``dest`` (a zip) holding settings.toml, settings.json, calibration.json and the database.

    The database is copied with SQLite's online backup, so the copy is consistent even while the
    app keeps writing to it. Returns the path written.
    """
    target = Path(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {
        "hipcheck_version": __version__,
        "exported_at": now.isoformat(timespec="seconds"),
        "files": [],
    }
    files: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hipcheck-export-") as tmp:
        tmp_zip = Path(tmp) / "export.zip"
        with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("settings.toml", settings_to_toml(settings))
            zf.writestr("settings.json", json.dumps(settings_to_dict(settings), indent=2) + "\n")
            files += ["settings.toml", "settings.json"]
            calibration = calibration_path(paths.settings_file)
            if calibration.is_file():
                zf.write(calibration, "calibration.json")
                files.append("calibration.json")
            if paths.database.is_file():
                copy = Path(tmp) / paths.database.name
                _backup_database(paths.database, copy)
                zf.write(copy, paths.database.name)
                files.append(paths.database.name)
            manifest["files"] = files
            zf.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
        # Written in a temporary folder then moved, so a failed export leaves no half a zip.
        tmp_zip.replace(target) if _same_device(tmp_zip, target) else _copy(tmp_zip, target)
    return target


def _backup_database(source: Path, dest: Path) -> None:
    """Copy the database read-only: its path is escaped into the URI (a ``#`` or ``?`` in a folder
    name stays part of the name), so nothing else is opened, let alone created."""
    try:
        src = connect_readonly(source)
    except StoreError as exc:
        raise OSError(str(exc)) from None
    try:
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
        finally:
            out.close()
    except sqlite3.Error as exc:  # a damaged history: the export says so, one line
        raise OSError(f"the history {source} cannot be copied ({exc})") from None
    finally:
        src.close()


def _same_device(a: Path, b: Path) -> bool:
    return a.stat().st_dev == b.parent.stat().st_dev


def _copy(source: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(source.read_bytes())
    partial.replace(target)
