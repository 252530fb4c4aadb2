"""Small files HipCheck reads back (settings, calibration): read bounded, back up before repair.

Every such file may be hostile or damaged: too large, not UTF-8, nested deeper than a parser's
recursion limit, numbers beyond Python's digit limit. Readers bound what they read and turn any
parse failure into a one-line reason; a repair first copies the original beside it.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

MAX_USER_FILE_BYTES = 1_000_000
"""Settings and calibration are a few kilobytes; a larger file is treated as damaged."""


class FileTooLarge(ValueError):
    """The file is larger than any file of its kind can be."""


def read_limited(file: Path, max_bytes: int = MAX_USER_FILE_BYTES) -> bytes:
    """The file's bytes; FileTooLarge if there are more than ``max_bytes``; OSError as raised."""
    with file.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(f"larger than {max_bytes // 1000} kB")
    return data


def failure_reason(exc: BaseException) -> str:
    """A short, one-line reason for a parse failure of any type."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, MemoryError):
        return "too large"
    text = " ".join(str(exc).split())
    return text[:120] or type(exc).__name__


def backup_copy(path: Path, data: bytes, now: datetime) -> Path:
    """Write ``data`` to ``path.bak-<UTC timestamp>`` (0600, never over an older backup).

    A copy that cannot be written completely (full disk) is removed rather than left short or
    empty; the OSError is raised.
    """
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    n = 0
    while True:
        target = path.with_name(f"{path.name}.bak-{stamp}" + (f"-{n}" if n else ""))
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            n += 1
            continue
        break
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target
