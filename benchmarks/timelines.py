"""Score HipCheck's sitting timeline against hand-labelled clips.

Any folder laid out like ``../shared/data/posture`` can be scored: a ``timelines.json`` mapping
each clip's path (relative to the folder) to ``windows`` (``t0``, ``t1`` in seconds of video time,
``state``) and optionally ``user_at`` (``x``, ``y`` fractions of the frame: "that's me").

Each clip runs through ``hipcheck analyze --json --no-store --fps 10`` (with ``--user-at`` where
given), exactly as a user would run it. The rule, from that folder's README: a window is scored on
the smoothed ``state`` from ``t0 + 2 s`` to ``t1``; windows shorter than 0.5 s after that are
skipped. A window passes when at least 80 % of its samples say the labelled state and none says a
contradicting one (sitting vs standing, away while the user is there, sitting or standing in an
away window; ``unknown`` never contradicts). Sample accuracy is the share of all scored samples
that say the labelled state.

    .venv/bin/python benchmarks/timelines.py [FOLDER] [--clip NAME] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = REPO.parent / "shared/data/posture"
ALLOWANCE_S = 2.0
MIN_WINDOW_S = 0.5
PASS_SHARE = 0.8
FPS = 10.0


def contradicts(labelled: str, said: str) -> bool:
    """Whether a sample saying ``said`` contradicts a window labelled ``labelled``."""
    if said == "unknown" or said == labelled:
        return False
    if labelled == "away":
        return said in ("sitting", "standing")
    return said in ("sitting", "standing", "away")


@dataclass
class WindowScore:
    """One labelled window's verdict."""

    t0: float
    t1: float
    state: str
    samples: int
    right: int
    contradicting: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """At least 80 % right and nothing contradicting."""
        return (
            self.samples > 0 and self.right >= PASS_SHARE * self.samples and not self.contradicting
        )


def score_timeline(
    timeline: list[dict[str, Any]], windows: list[dict[str, Any]]
) -> list[WindowScore]:
    """Score an ``analyze --json`` timeline against labelled windows (skipped ones left out)."""
    scores = []
    for w in windows:
        start, end = float(w["t0"]) + ALLOWANCE_S, float(w["t1"])
        if end - start < MIN_WINDOW_S:
            continue
        said = [e["state"] for e in timeline if start <= float(e["t"]) <= end]
        counts: dict[str, int] = {}
        for s in said:
            counts[s] = counts.get(s, 0) + 1
        scores.append(
            WindowScore(
                t0=float(w["t0"]),
                t1=end,
                state=w["state"],
                samples=len(said),
                right=counts.get(w["state"], 0),
                contradicting=sum(n for s, n in counts.items() if contradicts(w["state"], s)),
                counts=counts,
            )
        )
    return scores


def analyze_clip(
    path: Path, user_at: dict[str, float] | None, fps: float = FPS
) -> tuple[list[dict[str, Any]], float]:
    """The clip's ``analyze`` timeline at ``fps`` samples/s, and the seconds it took."""
    with tempfile.TemporaryDirectory() as data_dir:
        cmd = [sys.executable, "-m", "hipcheck", "analyze", str(path), "--json", "--no-store"]
        cmd += ["--fps", f"{fps:g}", "--data-dir", data_dir]
        if user_at is not None:
            cmd += ["--user-at", f"{user_at['x']},{user_at['y']}"]
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
        took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"analyze failed on {path}: {done.stderr.strip()}")
    return json.loads(done.stdout)["timeline"], took


def main(argv: list[str] | None = None) -> int:
    """Score every clip (or ``--clip``) of FOLDER and print per clip and in total."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--clip", action="append", help="only clips whose name contains this")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--verbose", action="store_true", help="print each window's counts")
    parser.add_argument(
        "--fps",
        type=float,
        default=FPS,
        help=f"samples per second (default {FPS:g}, the scoring rule's; the app samples at 2)",
    )
    args = parser.parse_args(argv)
    labels_file = args.folder / "timelines.json"
    if not labels_file.is_file():
        print(f"timelines.py: no timelines.json in {args.folder}", file=sys.stderr)
        return 2
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    total_windows = passed_windows = total_samples = right_samples = 0
    report: dict[str, Any] = {}
    for clip, spec in labels.items():
        if args.clip and not any(c in clip for c in args.clip):
            continue
        timeline, took = analyze_clip(args.folder / clip, spec.get("user_at"), args.fps)
        scores = score_timeline(timeline, spec["windows"])
        passed = sum(s.passed for s in scores)
        samples = sum(s.samples for s in scores)
        right = sum(s.right for s in scores)
        total_windows += len(scores)
        passed_windows += passed
        total_samples += samples
        right_samples += right
        report[clip] = {
            "windows": len(scores),
            "passed": passed,
            "samples": samples,
            "right": right,
            "seconds": round(took, 1),
            "detail": [s.__dict__ | {"passed": s.passed} for s in scores],
        }
        if not args.json:
            share = 100 * right / samples if samples else 0.0
            print(
                f"{clip:42s} windows {passed:2d}/{len(scores):2d}  samples {share:5.1f} %"
                f"  ({took:.0f} s)",
                flush=True,
            )
            if args.verbose:
                for s in scores:
                    mark = "ok " if s.passed else "BAD"
                    print(f"    {mark} {s.t0:6.1f}-{s.t1:6.1f} {s.state:9s} {s.counts}")
    share = 100 * right_samples / total_samples if total_samples else 0.0
    if args.json:
        report["total"] = {
            "windows": total_windows,
            "passed": passed_windows,
            "samples": total_samples,
            "right": right_samples,
        }
        print(json.dumps(report, indent=1))
    else:
        print(
            f"{'TOTAL':42s} windows {passed_windows:2d}/{total_windows:2d}  samples {share:5.1f} %"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
