"""``hipcheck analyze SOURCE``: run the whole engine on a video, an image or a camera; summarise.

The same pipeline the tray app runs (pose model, posture rules, smoothing, sitting tracker), on a
file as fast as it decodes. The timeline's ``state`` is the smoothed state HipCheck acts on;
``raw_state`` is what that one sample showed. A single image has no time to smooth over, so its one
entry's ``state`` is the raw state.

Nothing goes into the history unless ``--store`` asks for it; the tray app owns live recording.
Stored footage is filed at the time it was recorded: ``--recorded-at``, else a file's
modification time minus its length (a camera or stream: now). Where it overlaps what the tray
app recorded, the report counts that time once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hipcheck.cli import add_command
from hipcheck.core.glossary import (
    BENT_HIPS,
    STRETCHES_LABEL,
    duration,
    hip_angle,
    plural,
    state_name,
)
from hipcheck.core.redact import redact_url
from hipcheck.core.settings import Settings
from hipcheck.errors import UserError
from hipcheck.paths import check_folders, resolve_paths
from hipcheck.settings_run import settings_for_run

MAX_FPS = 60.0


def _fps(text: str) -> float:
    """Parse --fps: samples per second, more than 0 and at most 60."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--fps must be a number, got {text!r}") from None
    if not 0 < value <= MAX_FPS:  # also rejects nan and inf
        raise argparse.ArgumentTypeError(
            f"--fps must be more than 0 and at most {MAX_FPS:g}, got {text}"
        )
    return value


def _seconds(text: str) -> float:
    """Parse --duration: seconds, more than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--duration must be a number, got {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"--duration must be more than 0, got {text}")
    return value


def _recorded_at(text: str) -> datetime:
    """Parse --recorded-at: an ISO date and time; without an offset it is local time."""
    try:
        when = datetime.fromisoformat(text)
        return when if when.tzinfo is not None else when.astimezone()
    except (ValueError, OverflowError, OSError):
        raise argparse.ArgumentTypeError(
            f"--recorded-at must be a date and time as YYYY-MM-DDTHH:MM[:SS][+HH:MM], got {text!r}"
        ) from None


def footage_start(source: Any, now: datetime) -> datetime:
    """When the footage of ``source`` started: a file's modification time minus its length
    (the file was written as it was recorded), a camera's or stream's ``now``."""
    path = getattr(source, "path", None)
    if getattr(source, "is_live", True) or path is None:
        return now
    mtime = datetime.fromtimestamp(os.stat(path).st_mtime).astimezone()
    return mtime - timedelta(seconds=video_length_s(path))


def video_length_s(path: Any) -> float:
    """A video's length from its header (frames / rate); 0 for a still or an unknown length."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        frames = float(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0)
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    finally:
        cap.release()
    length = frames / fps if frames > 0 and fps > 0 else 0.0
    return length if math.isfinite(length) else 0.0


def _point(text: str) -> tuple[float, float]:
    """Parse --user-at X,Y: two fractions of the frame width and height, each 0 to 1."""
    parts = text.split(",")
    try:
        x, y = (float(p) for p in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        x = y = math.nan
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise argparse.ArgumentTypeError(
            f"--user-at takes X,Y as fractions of the picture's width and height (0 to 1), "
            f"e.g. 0.7,0.4; got {text!r}"
        )
    return x, y


def register(subparsers: Any) -> None:
    """Add the ``analyze`` sub-command."""
    sub = add_command(
        subparsers,
        "analyze",
        summary="analyze a video, an image or a camera and say how much of it is sitting",
        description="Analyze SOURCE with the same steps as the tray app (pose model, posture "
        "rules, smoothing, sitting stretches) as fast as the file decodes, and print a summary "
        "(or JSON with --json). Nothing goes to the history unless --store is given; stored "
        "footage is filed at the time it was recorded. "
        "An image is analyzed once; a camera runs until Ctrl-C or --duration.",
        examples=(
            ("hipcheck analyze recording.mp4", "summary (the history is left alone)"),
            ("hipcheck analyze photo.jpg", "one picture: sitting or standing?"),
            ("hipcheck analyze recording.mp4 --json", "summary, timeline and events"),
            ("hipcheck analyze recording.mp4 --store", "add it to the history, when it was filmed"),
            ("hipcheck analyze 0 --duration 60", "the first camera for a minute"),
        ),
    )
    sub.add_argument(
        "source", metavar="SOURCE", help="a video or image file, a camera number or a stream URL"
    )
    sub.add_argument(
        "--fps",
        type=_fps,
        default=None,
        metavar="N",
        help="pictures analyzed per second of video (default: the sample_rate_hz setting, 2)",
    )
    sub.add_argument("--json", action="store_true", help="print the summary and timeline as JSON")
    storing = sub.add_mutually_exclusive_group()
    storing.add_argument(
        "--store",
        action="store_true",
        help="write the intervals to the history, filed at the time the footage was recorded",
    )
    storing.add_argument(
        "--no-store", action="store_true", help="do not write to the history (the default)"
    )
    sub.add_argument(
        "--recorded-at",
        type=_recorded_at,
        default=None,
        metavar="TIME",
        help="with --store: when the footage started, as YYYY-MM-DDTHH:MM[:SS][+HH:MM] (default:"
        " a file's modification time minus its length; a camera: now)",
    )
    sub.add_argument(
        "--duration",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="stop after SECONDS of footage (a camera runs until Ctrl-C otherwise)",
    )
    sub.add_argument(
        "--user-at",
        type=_point,
        default=None,
        metavar="X,Y",
        help="the user is the person nearest this point when first seen (fractions of the "
        "picture's width and height, e.g. 0.7,0.4), when someone else is more prominent",
    )
    sub.set_defaults(func=run_analyze)


def _settings(args: argparse.Namespace) -> Settings:
    """The user's settings, their --set overrides and --fps (a file run never rewrites them)."""
    loaded = settings_for_run(args, repair=False)
    for warning in loaded.warnings:
        print(f"hipcheck: warning: {warning}", file=sys.stderr)
    if args.fps is not None:
        # --fps may exceed the live setting's bounds: a file can be analyzed frame by frame.
        return replace(loaded.settings, sample_rate_hz=args.fps)
    return loaded.settings


@contextlib.contextmanager
def native_stderr_silenced(enabled: bool = True) -> Iterator[None]:
    """Send what C/C++ libraries write to fd 2 (MediaPipe's start-up chatter) to /dev/null.

    Python's own ``sys.stderr`` keeps going to the terminal through a duplicate of the old fd 2.
    """
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved_fd = os.dup(2)
    null_fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null_fd, 2)
    os.close(null_fd)
    python_stderr = sys.stderr
    sys.stderr = os.fdopen(os.dup(saved_fd), "w", encoding=python_stderr.encoding, buffering=1)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = python_stderr
        os.dup2(saved_fd, 2)
        os.close(saved_fd)


def run_analyze(args: argparse.Namespace) -> int:
    """Analyze ``args.source`` and print the summary; 0 on success."""
    paths = resolve_paths(args.data_dir)
    check_folders(paths)
    if args.recorded_at is not None and not args.store:
        raise UserError("--recorded-at files stored footage; add --store to store it")
    settings = _settings(args)
    # Imported here so `hipcheck --help` and other sub-commands do not load OpenCV and MediaPipe.
    from hipcheck.store.db import RecordingSink, Store, StoreError
    from hipcheck.vision.engine import Engine, SampleRecord
    from hipcheck.vision.source import ImageFileSource, SourceLost, open_source

    source = open_source(args.source)
    store: Store | None = None
    recorder: RecordingSink | None = None
    try:
        # Read a frame before loading the model or touching the store: a file that opens but
        # holds no picture is bad input, reported before anything else is written or logged.
        first = source.next_frame()
        if first is None:
            raise UserError(f"no picture could be read from {redact_url(args.source)}")
        if args.store:
            if source.is_live and _app_records(paths):
                raise UserError(
                    "HipCheck is running and records this data folder itself; analyze the"
                    " camera without --store, or quit HipCheck first"
                )
            try:
                store = Store.open(paths.database)
            except StoreError as exc:
                raise UserError(str(exc)) from None
            except OSError as exc:
                raise UserError(f"cannot open the history in {paths.data_dir}: {exc}") from None
            if store.warning is not None:  # a damaged history was moved aside: say so
                print(f"hipcheck: warning: {store.warning}", file=sys.stderr)
        records: list[SampleRecord] = []
        start_wall = args.recorded_at or footage_start(source, datetime.now().astimezone())

        def wall_at(t_s: float) -> datetime:
            """File the footage at the time it was recorded."""
            return start_wall + timedelta(seconds=t_s - first.timestamp_s)

        def should_stop() -> bool:
            """Stop after --duration seconds of footage."""
            return args.duration is not None and (
                records[-1].timestamp_s - first.timestamp_s >= args.duration
            )

        recorder = RecordingSink(store) if store is not None else None
        # MediaPipe and TensorFlow Lite print start-up notes from C++; --verbose keeps them.
        with native_stderr_silenced(not args.verbose):
            engine = Engine(
                settings,
                recorder=recorder,
                wall_at=wall_at,
                adaptive=False,
                still=isinstance(source, ImageFileSource),
            )
            if args.user_at is not None:
                engine.point_at(*args.user_at)
            try:
                try:
                    records.append(engine.process(first))
                    engine.run(source, on_sample=records.append, should_stop=should_stop)
                except KeyboardInterrupt:
                    # A camera runs until Ctrl-C; summarise what was seen, if anything was.
                    if not records:
                        raise
                except SourceLost as exc:
                    # A camera unplugged mid-run: what was seen so far still counts.
                    print(f"hipcheck: warning: {exc}; summarising what was seen", file=sys.stderr)
                engine.finish()
                summary = build_summary(records, settings.sample_rate_hz)
            finally:
                engine.close()
    finally:
        source.release()
        if store is not None:
            store.close()
    timeline = build_timeline(records)
    if args.json:
        doc = {"summary": summary, "timeline": timeline, "events": build_events(records)}
        print(json.dumps(doc, indent=1))
    else:
        print(format_summary(redact_url(args.source), summary))
        if store is None:
            print("Not added to the history (add --store to keep it).")
        else:
            print(
                f"Added to the history in {paths.database}, from {start_wall:%Y-%m-%d %H:%M:%S %z}."
            )
    if recorder is not None and recorder.error is not None:
        print(f"hipcheck: warning: {recorder.error}", file=sys.stderr)
    return 0


def _app_records(paths: Any) -> bool:
    """Whether the tray app runs on this data folder (it owns live recording there)."""
    from hipcheck import instance

    try:
        return bool(instance.is_running(paths))
    except Exception:  # no Qt networking here: nothing can be running through it either
        return False


def _r(value: float | None, digits: int = 2) -> float | None:
    """Round for output, keeping None."""
    return None if value is None else round(value, digits)


def build_summary(records: list[Any], sample_rate_hz: float) -> dict[str, Any]:
    """The summary of a finished run from its per-sample records (the last holds the totals)."""
    last = records[-1].summary
    single = len(records) == 1
    present = [r for r in records if r.observation.person_present]
    return {
        "duration_s": _r(records[-1].timestamp_s - records[0].timestamp_s),
        "samples": len(records),
        "sample_rate_hz": sample_rate_hz,
        "state": (records[0].raw_state if single else last.state).value,
        "sitting_s": _r(last.sitting_s),
        "flexion_s": _r(last.flexion_s),
        "standing_s": _r(last.standing_s),
        "away_s": _r(last.away_s),
        "unknown_s": _r(last.unknown_s),
        "bouts": last.bouts,
        "longest_bout_s": _r(last.longest_bout_s),
        # A still is one moment: its own angle when it shows someone sitting.
        "mean_hip_angle_sitting_deg": _r(
            records[0].observation.hip_angle_deg
            if single and records[0].raw_state.value == "sitting"
            else last.mean_hip_angle_sitting_deg,
            1,
        ),
        "hips_visible_share": _r(
            sum(r.observation.hips_visible for r in records) / len(records), 3
        ),
        "person_share": _r(len(present) / len(records), 3),
    }


def build_timeline(records: list[Any]) -> list[dict[str, Any]]:
    """One entry per sample; a single sample reports its raw state (nothing to smooth over)."""
    t0 = records[0].timestamp_s
    single = len(records) == 1
    return [
        {
            "t": _r(r.timestamp_s - t0, 3),
            "state": (r.raw_state if single else r.state).value,
            "raw_state": r.raw_state.value,
            "hip_angle_deg": _r(r.observation.hip_angle_deg, 1),
            "flexion_deg": _r(r.observation.flexion_deg, 1),
            "hips_visible": r.observation.hips_visible,
        }
        for r in records
    ]


def build_events(records: list[Any]) -> list[dict[str, Any]]:
    """The tracker's events (state changes, bouts, natural breaks, gaps), seconds from the start."""
    from hipcheck.vision.engine import event_detail, event_kind

    t0 = records[0].timestamp_s
    return [
        {"t": _r(e.t_s - t0, 3), "kind": event_kind(e), **event_detail(e)}
        for r in records
        for e in r.events
    ]


def format_summary(source: str, s: dict[str, Any]) -> str:
    """The human-readable summary (durations in the glossary's format, shares of the footage)."""

    def row(label: str, seconds: float) -> str:
        share = f"{100 * seconds / s['duration_s']:5.1f} %" if s["duration_s"] else "    - "
        return f"  {label:<18}{duration(seconds):>12}  {share}"

    angle = hip_angle(s["mean_hip_angle_sitting_deg"], missing="not measured (hips hidden)")
    if s["samples"] == 1:  # a still: one moment, nothing to add up
        return "\n".join(
            [
                f"{source}: one picture, analyzed once: {state_name(s['state']).lower()}",
                f"  Hip angle: {angle}" if s["state"] == "sitting" else "",
                f"  Hips in view: {'yes' if s['hips_visible_share'] else 'no'}",
            ]
        ).replace("\n\n", "\n")
    samples = plural(s["samples"], "picture")
    length = duration(s["duration_s"])
    longest = duration(s["longest_bout_s"]) if s["bouts"] else "-"
    lines = [
        f"{source}: {length} analyzed ({samples}); last seen: {state_name(s['state']).lower()}",
        row(state_name("sitting"), s["sitting_s"]),
        row(f"  {BENT_HIPS}", s["flexion_s"]),
        row(state_name("standing"), s["standing_s"]),
        row(state_name("away"), s["away_s"]),
        row(state_name("unknown"), s["unknown_s"]),
        f"  {STRETCHES_LABEL:<18}{s['bouts']:>12}  longest {longest}",
        f"  Mean hip angle sitting: {angle}",
        f"  Hips in view in {100 * s['hips_visible_share']:.0f} % of the pictures",
    ]
    return "\n".join(lines)
