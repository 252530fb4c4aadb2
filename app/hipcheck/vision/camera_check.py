"""Why the camera cannot be used, in words a person can act on: which camera, what is wrong
(missing, busy, no permission), and what to do.

The reader only says "no camera at index 0" or "stopped delivering frames"; this looks at the
device node (Linux: ``/dev/videoN`` and its name under ``/sys/class/video4linux``) to tell a
missing camera from one held by another app or one the user may not open.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hipcheck.core.redact import redact_url
from hipcheck.core.settings import spec_of
from hipcheck.vision.source import is_url

TIMER_NOTE = "Until then HipCheck reminds you by the clock."


class Problem(str, enum.Enum):
    """What is wrong with the camera."""

    MISSING = "missing"
    BUSY = "busy"
    NO_PERMISSION = "no_permission"
    NO_FILE = "no_file"
    STREAM = "stream"
    FAILED = "failed"


SHORT = {
    Problem.MISSING: "no camera",
    Problem.BUSY: "camera busy",
    Problem.NO_PERMISSION: "camera not allowed",
    Problem.NO_FILE: "no video file",
    Problem.STREAM: "stream unreachable",
    Problem.FAILED: "not measuring",
}
STOPPED = "Monitoring stopped"
"""How the camera worker's message starts when measuring itself failed (not the camera)."""


@dataclass(frozen=True, slots=True)
class CameraProblem:
    """A camera problem for the user: ``short`` for the status line, ``message`` to act on."""

    problem: Problem
    camera: str
    message: str

    @property
    def title(self) -> str:
        """The notification's title."""
        if self.problem is Problem.FAILED:
            return "HipCheck is not measuring"
        return f"HipCheck cannot use the camera: {self.short}"

    @property
    def short(self) -> str:
        """ "camera busy", for the status line and the tooltip."""
        return SHORT[self.problem]


def camera_name(index: int, sys_root: Path = Path("/sys/class/video4linux")) -> str:
    """ "Integrated Camera (/dev/video0)", or "camera 0 (/dev/video0)" without a name."""
    device = f"/dev/video{index}"
    try:
        name = (sys_root / f"video{index}" / "name").read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    return f"{name} ({device})" if name else f"camera {index} ({device})"


def describe_camera_problem(
    spec: str,
    reason: str = "",
    *,
    dev_root: Path = Path("/dev"),
    sys_root: Path = Path("/sys/class/video4linux"),
    access: Callable[[Path, int], bool] = os.access,
) -> CameraProblem:
    """Why ``spec`` (a camera index, file or URL) cannot be read now, and what to do about it.

    ``reason`` is what the reader said; a failure of the measuring itself (the pose model) is
    passed on as it is, since no camera choice fixes it.
    """
    text = spec.strip()
    choose = f"or choose another camera in Settings → {spec_of('camera').shown_in}"
    if reason.startswith(STOPPED):
        return CameraProblem(
            Problem.FAILED,
            redact_url(text),
            f"{redact_url(reason)}. Please report this problem. {TIMER_NOTE}",
        )
    if text.isdigit():
        index = int(text)
        device = dev_root / f"video{index}"
        name = camera_name(index, sys_root)
        if not device.exists():
            return CameraProblem(
                Problem.MISSING,
                name,
                f"No camera found at {device} (camera {index}). Plug in a webcam, {choose}. "
                f"{TIMER_NOTE}",
            )
        if not access(device, os.R_OK | os.W_OK):
            return CameraProblem(
                Problem.NO_PERMISSION,
                name,
                f"HipCheck may not open {name}: permission denied. Add yourself to the "
                f'"video" group (sudo usermod -aG video $USER, then log in again), {choose}. '
                f"{TIMER_NOTE}",
            )
        return CameraProblem(
            Problem.BUSY,
            name,
            f"{name} is in use by another app (a video call?) or not answering. Close that app "
            f"and HipCheck takes the camera back by itself, {choose}. {TIMER_NOTE}",
        )
    if is_url(text):
        shown = redact_url(text)  # a stream URL may carry a password
        return CameraProblem(
            Problem.STREAM,
            shown,
            f"The camera stream {shown} does not answer. Check that it is on and reachable, "
            f"{choose}. {TIMER_NOTE}",
        )
    what = "does not exist" if not Path(text).expanduser().exists() else "cannot be read"
    return CameraProblem(
        Problem.NO_FILE,
        text,
        f"The video {text} {what}. HipCheck starts using it as soon as it can, {choose}. "
        f"{TIMER_NOTE}",
    )
