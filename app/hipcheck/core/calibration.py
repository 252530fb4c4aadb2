"""Calibration: the user's seated and standing upper-body baselines and seat region.

Front laptop cameras hide the hips, so the hip angle cannot tell sitting from standing. What the
camera does see is where the shoulders and nose are in the frame and how wide the shoulders look;
standing up lifts them by about a thigh length. A short guided step records both postures and
``classify_with_calibration`` compares a new sample against them. All positions are normalised by
the frame height (x by the frame height too, so widths are aspect-correct).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hipcheck.core.types import (
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    PoseSample,
    State,
)
from hipcheck.core.userfile import backup_copy, failure_reason, read_limited

CALIBRATION_VERSION = 1
CALIBRATION_FILENAME = "calibration.json"
MIN_VISIBILITY = 0.5
MIN_SAMPLES = 3
# Standing must lift the shoulders at least this much (frame heights) to be told from sitting.
MIN_RISE = 0.05
# Without a standing baseline (standing leaves the frame), a rise of this many seated shoulder
# widths counts as standing: a thigh is roughly 1.1 shoulder widths long, so half of it is safe.
RISE_PER_SHOULDER_WIDTH = 0.6
# A shoulder width this far off both baselines means another distance or person: no verdict.
WIDTH_RATIO_RANGE = (0.6, 1.6)


class CalibrationError(ValueError):
    """Calibration could not be computed or read; the message says what to do, in one line."""


class CalibrationFromNewer(CalibrationError):
    """The calibration file is from a newer HipCheck: kept as it is, not used, not overwritten."""


@dataclass(frozen=True)
class UpperBody:
    """Upper-body measurements of one sample, in frame heights (y down, 0 is the top)."""

    shoulder_x: float
    shoulder_y: float
    shoulder_width: float
    nose_y: float | None
    hip_y: float | None


@dataclass(frozen=True)
class Baseline:
    """The median upper body over the samples of one posture."""

    shoulder_x: float
    shoulder_y: float
    shoulder_width: float
    nose_y: float | None
    samples: int


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in frame heights (x0, y0) top-left to (x1, y1) bottom-right."""

    x0: float
    y0: float
    x1: float
    y1: float

    def contains(self, x: float, y: float) -> bool:
        """Whether the point lies inside the box."""
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


@dataclass(frozen=True)
class Calibration:
    """Seated and standing baselines plus the seat region; ``standing`` is None when standing
    takes the upper body out of the frame."""

    seated: Baseline
    standing: Baseline | None
    seat_region: Box
    frame_aspect: float
    created: str = ""

    def threshold_y(self) -> float:
        """Shoulder height (frame heights) above which (smaller y) the user counts as standing."""
        if self.standing is not None:
            return (self.seated.shoulder_y + self.standing.shoulder_y) / 2
        return self.seated.shoulder_y - RISE_PER_SHOULDER_WIDTH * self.seated.shoulder_width


def upper_body(sample: PoseSample | None) -> UpperBody | None:
    """The upper-body measurements of ``sample``, or None without two visible shoulders."""
    if sample is None:
        return None
    lm = sample.image
    ls, rs = lm[LEFT_SHOULDER], lm[RIGHT_SHOULDER]
    if min(ls.visibility, rs.visibility) < MIN_VISIBILITY:
        return None
    aspect = sample.image_size[0] / sample.image_size[1]
    # x in frame heights, so a width means the same in portrait and landscape frames.
    lx, rx = ls.x * aspect, rs.x * aspect
    width = ((lx - rx) ** 2 + (ls.y - rs.y) ** 2) ** 0.5
    nose = lm[NOSE]
    hips = [lm[i] for i in (LEFT_HIP, RIGHT_HIP) if lm[i].visibility >= MIN_VISIBILITY]
    return UpperBody(
        shoulder_x=(lx + rx) / 2,
        shoulder_y=(ls.y + rs.y) / 2,
        shoulder_width=width,
        nose_y=nose.y if nose.visibility >= MIN_VISIBILITY else None,
        hip_y=statistics.fmean(h.y for h in hips) if hips else None,
    )


def _baseline(bodies: Sequence[UpperBody]) -> Baseline:
    noses = [b.nose_y for b in bodies if b.nose_y is not None]
    return Baseline(
        shoulder_x=statistics.median(b.shoulder_x for b in bodies),
        shoulder_y=statistics.median(b.shoulder_y for b in bodies),
        shoulder_width=statistics.median(b.shoulder_width for b in bodies),
        nose_y=statistics.median(noses) if noses else None,
        samples=len(bodies),
    )


def _seat_region(seated: Baseline, aspect: float) -> Box:
    """Where a seated user's shoulders are expected: one shoulder width around the baseline."""
    w = seated.shoulder_width
    return Box(
        x0=max(0.0, seated.shoulder_x - 1.5 * w),
        y0=max(0.0, seated.shoulder_y - 1.0 * w),
        x1=min(aspect, seated.shoulder_x + 1.5 * w),
        y1=min(1.0, seated.shoulder_y + 1.0 * w),
    )


def calibrate(
    seated_samples: Iterable[PoseSample | None],
    standing_samples: Iterable[PoseSample | None],
    created: str = "",
) -> Calibration:
    """Compute a Calibration from samples taken while sitting and then standing.

    Raises CalibrationError when too few samples show the seated user, or when standing does not
    move the shoulders enough to be told from sitting (e.g. the camera rises with the desk).
    """
    seated_list = list(seated_samples)
    aspects = [s.image_size[0] / s.image_size[1] for s in seated_list if s is not None]
    seated = [b for b in map(upper_body, seated_list) if b is not None]
    if len(seated) < MIN_SAMPLES:
        raise CalibrationError(
            f"saw your shoulders in {len(seated)} of {len(seated_list)} seated samples "
            f"(need {MIN_SAMPLES}); sit facing the camera and try again"
        )
    standing = [b for b in map(upper_body, standing_samples) if b is not None]
    seated_base = _baseline(seated)
    standing_base = _baseline(standing) if len(standing) >= MIN_SAMPLES else None
    if standing_base is not None and (seated_base.shoulder_y - standing_base.shoulder_y < MIN_RISE):
        raise CalibrationError(
            "standing looked the same as sitting to the camera (does it move with the desk?); "
            "HipCheck will rely on the hips instead"
        )
    aspect = statistics.median(aspects)
    return Calibration(
        seated=seated_base,
        standing=standing_base,
        seat_region=_seat_region(seated_base, aspect),
        frame_aspect=aspect,
        created=created,
    )


def classify_with_calibration(sample: PoseSample | None, calibration: Calibration) -> State | None:
    """Sitting or standing from the shoulders' height against the baselines; None if unsure."""
    body = upper_body(sample)
    if body is None:
        return None
    lo, hi = WIDTH_RATIO_RANGE
    widths = [calibration.seated.shoulder_width]
    if calibration.standing is not None:
        widths.append(calibration.standing.shoulder_width)
    if not any(lo <= body.shoulder_width / w <= hi for w in widths):
        return None
    return State.STANDING if body.shoulder_y < calibration.threshold_y() else State.SITTING


def in_seat_region(sample: PoseSample | None, calibration: Calibration) -> bool:
    """Whether the sample's shoulders are where the calibrated user sits (to follow them)."""
    body = upper_body(sample)
    return body is not None and calibration.seat_region.contains(body.shoulder_x, body.shoulder_y)


# ---- on disk: JSON next to the settings file -------------------------------------------------


def calibration_fits(calibration: Calibration, image_size: tuple[int, int]) -> bool:
    """Whether ``calibration`` was made with pictures of this shape (another camera or
    resolution puts the shoulders somewhere else)."""
    width, height = image_size
    return height > 0 and abs(calibration.frame_aspect - width / height) <= 0.02


def standing_region(calibration: Calibration) -> Box | None:
    """Where the calibrated user's shoulders are when standing at the desk (None if unseen)."""
    if calibration.standing is None:
        return None
    return _seat_region(calibration.standing, calibration.frame_aspect)


def at_the_desk(sample: PoseSample | None, calibration: Calibration) -> bool:
    """Whether the sample's shoulders are where the calibrated user sits or stands."""
    body = upper_body(sample)
    if body is None:
        return False
    boxes = [calibration.seat_region, standing_region(calibration)]
    return any(b is not None and b.contains(body.shoulder_x, body.shoulder_y) for b in boxes)


def calibration_path(settings_file: str | os.PathLike[str]) -> Path:
    """Where the calibration lives: ``calibration.json`` beside the settings file."""
    return Path(settings_file).with_name(CALIBRATION_FILENAME)


def calibration_to_dict(calibration: Calibration) -> dict[str, Any]:
    """The calibration as JSON-ready data with a version."""
    return {"version": CALIBRATION_VERSION, **asdict(calibration)}


def _number(value: Any, name: str) -> float:
    """A finite number from JSON (not a bool or a string); ValueError naming ``name`` if not."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


def _checked_baseline(data: Any) -> Baseline:
    """A Baseline from JSON with every value checked (widths above zero, sample counts >= 1)."""
    nose = data["nose_y"]
    baseline = Baseline(
        shoulder_x=_number(data["shoulder_x"], "shoulder_x"),
        shoulder_y=_number(data["shoulder_y"], "shoulder_y"),
        shoulder_width=_number(data["shoulder_width"], "shoulder_width"),
        nose_y=None if nose is None else _number(nose, "nose_y"),
        samples=int(_number(data["samples"], "samples")),
    )
    if baseline.shoulder_width <= 0 or baseline.samples < 1:
        raise ValueError("a baseline needs a shoulder width above 0 and at least one sample")
    return baseline


def calibration_from_dict(data: Any) -> Calibration:
    """Rebuild a Calibration from ``calibration_to_dict`` output; CalibrationError if malformed."""
    try:
        version = data.get("version")
        newer = isinstance(version, int) and not isinstance(version, bool)
        if newer and version > CALIBRATION_VERSION:
            raise CalibrationFromNewer(
                f"{CALIBRATION_FILENAME} is from a newer HipCheck (version {version}); "
                "it is kept as it is and not used"
            )
        if version != CALIBRATION_VERSION:
            raise CalibrationError(f"calibration version {version!r} is not supported")
        standing = data["standing"]
        calibration = Calibration(
            seated=_checked_baseline(data["seated"]),
            standing=_checked_baseline(standing) if standing is not None else None,
            seat_region=Box(**{k: _number(v, k) for k, v in data["seat_region"].items()}),
            frame_aspect=_number(data["frame_aspect"], "frame_aspect"),
            created=str(data.get("created", "")),
        )
        box = calibration.seat_region
        if calibration.frame_aspect <= 0 or box.x0 > box.x1 or box.y0 > box.y1:
            raise ValueError("the picture shape or the seat region is impossible")
        return calibration
    except CalibrationError:
        raise
    except Exception as exc:  # any shape a hostile file can take (huge numbers, deep nesting)
        raise CalibrationError(
            f"calibration file is malformed ({failure_reason(exc)}); calibrate again"
        ) from None


def save_calibration(path: str | os.PathLike[str], calibration: Calibration) -> None:
    """Write the calibration JSON atomically (0600); CalibrationFromNewer rather than replace a
    file from a newer HipCheck."""
    file = Path(path)
    try:
        load_calibration(file)
    except CalibrationFromNewer:
        raise
    except CalibrationError:
        pass  # a damaged file is replaced
    if not file.parent.is_dir():
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(calibration_to_dict(calibration), out, indent=2)
            out.write("\n")
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_calibration(path: str | os.PathLike[str]) -> Calibration | None:
    """The saved calibration, None if there is none; CalibrationError if the file is unusable
    (whatever is wrong with it: unreadable, too large, not JSON, nested too deeply...)."""
    file = Path(path)
    try:
        raw = read_limited(file)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise CalibrationError(f"cannot read {file.name} ({exc}); calibrate again") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))  # a BOM from a Windows editor is fine
    except Exception as exc:
        raise CalibrationError(
            f"{file.name} is not valid JSON ({failure_reason(exc)}); calibrate again"
        ) from None
    return calibration_from_dict(data)


def repair_calibration(path: str | os.PathLike[str], now: datetime) -> str | None:
    """Move an unusable calibration file aside to a backup; the warning to show, or None.

    A file from a newer HipCheck stays where it is (the warning says it is not used). When the
    backup cannot be written the file is left in place and the warning says so; it is not used.
    """
    file = Path(path)
    try:
        load_calibration(file)
    except CalibrationFromNewer as exc:
        return str(exc)
    except CalibrationError as exc:
        problem = str(exc)
    else:
        return None
    try:
        backup = backup_copy(file, read_limited(file), now)
        file.unlink()
    except (OSError, ValueError) as exc:
        return f"{problem}; it could not be moved aside ({exc}) and is not used"
    return f"{problem}; the file was moved to {backup.name}"


class SavedCalibration:
    """The calibration file as the running monitor sees it: re-read whenever the file changes.

    Calibrating or deleting all data rewrites or removes the file from the GUI thread; the camera
    worker calls ``current()`` once per sample and gets the new baselines from the next sample on
    (``save_calibration`` replaces the file, so its inode changes even when size and time do not). A broken file counts as no calibration (``problem`` says
    why) rather than stopping the monitor.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.problem: str | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._calibration: Calibration | None = None

    def current(self) -> Calibration | None:
        """The calibration in the file now, None if there is none or it is unusable."""
        try:
            st = self.path.stat()
            stamp: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            self._stamp = stamp
            self._calibration, self.problem = None, None
            if stamp is not None:
                try:
                    self._calibration = load_calibration(self.path)
                except CalibrationError as exc:
                    self.problem = str(exc)
        return self._calibration
