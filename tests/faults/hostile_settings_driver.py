"""Runs inside ``unshare --map-root-user --mount``: a settings repair on a real full disk and a
real read-only folder. Prints one JSON line per case.

Usage: ``python hostile_settings_driver.py MOUNTPOINT``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from hipcheck.core.settings import load_settings

BROKEN = b"sitting_limit_min = = 30\n[[["
NOW = datetime(2026, 11, 29, 3, 4, 5, tzinfo=timezone.utc)


def case(name: str, folder: Path) -> None:
    try:
        loaded = load_settings(folder / "settings.toml", now=NOW)
    except BaseException as exc:  # the test asserts there is none
        print(json.dumps({"case": name, "raised": f"{type(exc).__name__}: {exc}"}), flush=True)
        return
    files = {p.name: p.stat().st_size for p in folder.iterdir() if p.name != "filler"}
    row = {
        "case": name,
        "raised": None,
        "defaults": loaded.settings == type(loaded.settings)(),
        "warnings": loaded.warnings,
        "files": files,
        "content": (folder / "settings.toml").read_bytes().decode("latin-1"),
    }
    print(json.dumps(row), flush=True)


def main() -> int:
    mnt = Path(sys.argv[1])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], check=True)
    full = mnt / "full"
    full.mkdir()
    (full / "settings.toml").write_bytes(BROKEN)
    filler = full / "filler"
    try:
        with filler.open("wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
    except OSError:
        pass
    case("full disk", full)
    filler.unlink()
    readonly = mnt / "readonly"
    readonly.mkdir()
    (readonly / "settings.toml").write_bytes(BROKEN)
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    case("read-only folder", readonly)
    return 0


if __name__ == "__main__":
    sys.exit(main())
