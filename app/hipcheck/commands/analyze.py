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

from hipcheck.cli import add_common_options
from hipcheck.core.settings import Settings
from hipcheck.errors import UserError
from hipcheck.paths import resolve_paths
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


def register(subparsers: Any) -> None:
    """Add the ``analyze`` sub-command."""
    sub = subparsers.add_parser(
        "analyze",
        help="analyse a video, an image or a camera and print how much time was spent sitting",
        description="Run HipCheck's pipeline on SOURCE and print a summary (or JSON with --json).",
    )
    add_common_options(sub)
    sub.add_argument("source", metavar="SOURCE", help="video file, image file, camera index or URL")
    sub.add_argument(
        "--fps",
        type=_fps,
        default=None,
        metavar="N",
        help="pose samples per second of video (default: the sample_rate_hz setting, 2)",
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
    sub.set_defaults(func=run_analyze)


def _settings(args: argparse.Namespace) -> Settings:
    """The user's settings, their --set overrides and --fps (a file run never rewrites them)."""
    loaded = settings_for_run(args, repair=False)
    for warning in loaded.warnings:
        print(f"hipcheck: warning: {warning}", file=sys.stderr)
    if args.fps is not None:
        # --fps may exceed the live setting's bounds: a file can be analysed frame by frame.
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
    """Analyse ``args.source`` and print the summary; 0 on success."""
    paths = resolve_paths(args.data_dir)
    for folder in {paths.config_dir, paths.data_dir}:
        if folder.exists() and not folder.is_dir():
            raise UserError(f"the data folder {folder} is a file, not a folder")
    if args.recorded_at is not None and not args.store:
        raise UserError("--recorded-at files stored footage; add --store to store it")
    settings = _settings(args)
    # Imported here so `hipcheck --help` and other sub-commands do not load OpenCV and MediaPipe.
    from hipcheck.store.db import RecordingSink, Store, StoreError
    from hipcheck.vision.engine import Engine, SampleRecord
    from hipcheck.vision.source import SourceLost, open_source

    source = open_source(args.source)
    store: Store | None = None
    recorder: RecordingSink | None = None
    try:
        # Read a frame before loading the model or touching the store: a file that opens but
        # holds no picture is bad input, reported before anything else is written or logged.
        first = source.next_frame()
        if first is None:
            raise UserError(f"no picture could be read from {args.source}")
        if args.store:
            if source.is_live and _app_records(paths):
                raise UserError(
                    "HipCheck is running and records this data folder itself; analyse the"
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
            engine = Engine(settings, recorder=recorder, wall_at=wall_at, adaptive=False)
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
        print(format_summary(args.source, summary))
        if store is None:
            print("Intervals not stored (add --store to keep them in the history)")
        else:
            print(
                f"Intervals stored in {paths.database}, filed from {start_wall:%Y-%m-%d %H:%M:%S %z}"
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
        "mean_hip_angle_sitting_deg": _r(last.mean_hip_angle_sitting_deg, 1),
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
    """The human-readable summary."""

    def share(part: float) -> str:
        return f"{100 * part / s['duration_s']:5.1f} %" if s["duration_s"] else "    - "

    angle = s["mean_hip_angle_sitting_deg"]
    lines = [
        f"{source}: {s['duration_s']:.1f} s analysed, {s['samples']} samples at "
        f"{s['sample_rate_hz']:g}/s, final state {s['state']}",
        f"  sitting    {s['sitting_s']:8.1f} s  {share(s['sitting_s'])}",
        f"  in flexion {s['flexion_s']:8.1f} s  {share(s['flexion_s'])}",
        f"  standing   {s['standing_s']:8.1f} s  {share(s['standing_s'])}",
        f"  away       {s['away_s']:8.1f} s  {share(s['away_s'])}",
        f"  unknown    {s['unknown_s']:8.1f} s  {share(s['unknown_s'])}",
        f"  sitting bouts {s['bouts']}, longest {s['longest_bout_s']:.1f} s",
        "  mean hip angle while sitting "
        + ("n/a (hips not measured)" if angle is None else f"{angle:.0f}°"),
        f"  hips visible in {100 * s['hips_visible_share']:.0f} % of samples",
    ]
    return "\n".join(lines)
