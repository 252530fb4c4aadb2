"""The computer's time zone as a real zone with its daylight-saving rules (not a fixed offset)."""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_LOCALTIME = Path("/etc/localtime")


def local_zone() -> tzinfo:
    """$TZ, else /etc/localtime, else the current fixed offset (DST-blind, the last resort)."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        # A symlink into the zoneinfo tree names the zone; otherwise read the file's rules.
        target = str(_LOCALTIME.resolve())
        if "zoneinfo/" in target:
            return ZoneInfo(target.split("zoneinfo/", 1)[1])
        with _LOCALTIME.open("rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    except (OSError, ValueError, ZoneInfoNotFoundError):
        pass
    fixed = datetime.now().astimezone().tzinfo
    assert fixed is not None
    return fixed
