"""Soak benchmark: what HipCheck costs over a working day, and what adaptive sampling saves.

Run: ``.venv/bin/python benchmarks/soak.py [--minutes N] [--skip-live] [--compare] [--json]``.

1. simulated day: a scripted 8-hour working day (sitting bouts, a coffee, lunch away, a suspended
   laptop, noisy per-sample verdicts) through the core — tracker, adaptive sampling policy and a
   real SQLite store — on a fake clock, with and without adaptive sampling. Finishes in seconds.
   Reports samples taken (each one is a pose-model run), the core's own CPU per sample, and how far
   the day's totals moved because of the slower sampling.
2. live: the real tray app (offscreen) on a looped clip in real time for ``--minutes`` (default
   10): CPU seconds per minute, RSS at start and end (fails beyond +10 MB), OS and Python threads at
   start and end. ``--compare`` runs it again with ``adaptive_sampling=false`` to measure the
   saving on the real app.

Exit status 1 if a target is missed (RSS growth, thread growth, simulated totals drifting).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "app"))

from hipcheck.core.clock import FakeClock  # noqa: E402
from hipcheck.core.sampling import AdaptiveRate  # noqa: E402
from hipcheck.core.settings import Settings  # noqa: E402
from hipcheck.core.tracker import SittingTracker  # noqa: E402
from hipcheck.core.types import Observation, State  # noqa: E402
from hipcheck.store.db import RecordingSink, Store  # noqa: E402

POSTURE_DATA = Path(os.environ.get("HIPCHECK_POSTURE_DATA", REPO.parent / "shared/data/posture"))
DEFAULT_CLIP = POSTURE_DATA / "videos/front_sit_upper_body_01.mp4"
MAX_RSS_GROWTH_MB = 10.0
WARM_UP_S = 30.0  # model load and first samples are not the steady state
DAY_START = datetime(2026, 3, 9, 8, 30)

# The scripted day: (minutes, what the camera sees). "suspend" means no samples at all.
DAY: list[tuple[float, str]] = [
    (105, "sitting"),
    (5, "standing"),
    (100, "sitting"),
    (45, "away"),
    (30, "sitting"),
    (0.5, "standing"),
    (40, "sitting"),
    (0.3, "standing"),
    (35, "sitting"),
    (3, "unknown"),
    (20, "suspend"),
    (96.2, "sitting"),
]
NOISE = 0.02  # share of samples whose verdict is wrong (a flicker of the model)


@dataclass
class SimResult:
    """One simulated day."""

    adaptive: bool
    samples: int
    core_cpu_s: float
    core_us_per_sample: float
    sitting_s: float
    standing_s: float
    away_s: float
    unknown_s: float
    bouts: int
    stored_intervals: int
    wall_s: float


def _observation(kind: str, t_s: float) -> Observation:
    if kind == "sitting":
        return Observation(
            t_s, True, State.SITTING, hips_visible=True, knees_visible=True,
            hip_angle_deg=100.0, confidence=0.9,
        )  # fmt: skip
    if kind == "standing":
        return Observation(t_s, True, State.STANDING, hips_visible=True, confidence=0.9)
    if kind == "unknown":
        return Observation(t_s, True, State.UNKNOWN, confidence=0.3)
    return Observation(t_s, False, State.AWAY)


def simulate_day(adaptive: bool, db_path: Path, seed: int = 5) -> SimResult:
    """Run the scripted day through tracker, sampling policy and store on a fake clock."""
    settings = Settings(adaptive_sampling=adaptive)
    rng = random.Random(seed)
    clock = FakeClock(now_s=0.0, wall_start=DAY_START.astimezone())
    tracker = SittingTracker.from_settings(settings)
    rate = AdaptiveRate.from_settings(settings)
    kinds = ["sitting", "standing", "away", "unknown"]
    samples = 0
    wall_started = time.perf_counter()
    cpu_started = time.process_time()
    with Store.open(db_path) as store:
        sink = RecordingSink(store)
        for minutes, kind in DAY:
            end_s = clock.monotonic() + minutes * 60.0
            if kind == "suspend":
                clock.now_s = end_s
                rate.reset()  # the worker restarts its loop after a resume
                continue
            while clock.monotonic() < end_s:
                now = clock.monotonic()
                seen = kind if rng.random() >= NOISE else rng.choice(kinds)
                obs = _observation(seen, now)
                tracker.update(obs, now)
                sink.write(tracker, now, clock.wall())
                samples += 1
                # As the engine does: slow while the smoothed state holds, a quick look again
                # after a raw state that differs from it.
                smoothed = tracker.summary().state
                clock.now_s = now + rate.update(smoothed, now, unsettled=obs.state != smoothed)
        sink.finish(tracker, clock.monotonic(), clock.wall())
        stored = sum(len(store.load_day(d).intervals) for d in store.days())
    cpu = time.process_time() - cpu_started
    summary = tracker.summary()
    return SimResult(
        adaptive=adaptive,
        samples=samples,
        core_cpu_s=round(cpu, 3),
        core_us_per_sample=round(1e6 * cpu / samples, 1),
        sitting_s=round(summary.sitting_s, 1),
        standing_s=round(summary.standing_s, 1),
        away_s=round(summary.away_s, 1),
        unknown_s=round(summary.unknown_s, 1),
        bouts=summary.bouts,
        stored_intervals=stored,
        wall_s=round(time.perf_counter() - wall_started, 2),
    )


# ---- live ---------------------------------------------------------------------------------------

# Runs inside the app's process: reports Python's own thread count and RSS every few seconds.
_PROBE = r"""
import json, os, sys, threading, time
out = open(sys.argv[1], "a", buffering=1)
def probe():
    while True:
        with open("/proc/self/statm") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        out.write(json.dumps({"t": time.monotonic(), "py_threads": threading.active_count() - 1,
                              "rss": rss, "cpu": time.process_time()}) + "\n")
        time.sleep(5)
threading.Thread(target=probe, daemon=True, name="soak-probe").start()
from hipcheck.cli import main
sys.exit(main(sys.argv[2:]))
"""


@dataclass
class LiveResult:
    """One real-time run of the app."""

    adaptive: bool
    minutes: float
    cpu_s_per_min: float
    rss_start_mb: float
    rss_end_mb: float
    rss_growth_mb: float
    os_threads_start: int
    os_threads_end: int
    py_threads_start: int
    py_threads_end: int
    intervals_stored: int
    exit_code: int | None


def run_live(minutes: float, adaptive: bool, clip: Path, work: Path) -> LiveResult:
    """The tray app on ``clip`` looped, offscreen, for ``minutes`` after a warm-up."""
    import psutil

    data = work / ("live-adaptive" if adaptive else "live-fixed")
    data.mkdir(parents=True, exist_ok=True)
    probe_file = data / "probe.jsonl"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("HIPCHECK_DATA_DIR", None)
    argv = ["--data-dir", str(data), "--source", str(clip), "--loop"]
    argv += ["--set", f"adaptive_sampling={'true' if adaptive else 'false'}"]
    proc = subprocess.Popen(
        [sys.executable, "-c", _PROBE, str(probe_file), *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    ps = psutil.Process(proc.pid)
    time.sleep(WARM_UP_S)
    if proc.poll() is not None:
        raise SystemExit(
            f"the app exited during warm-up: {proc.stderr.read() if proc.stderr else ''}"
        )
    cpu0 = sum(ps.cpu_times()[:2])
    rss0 = ps.memory_info().rss
    threads0 = ps.num_threads()
    t0 = time.monotonic()
    py0 = _last_probe(probe_file)
    time.sleep(minutes * 60.0)
    alive = proc.poll() is None
    cpu1 = sum(ps.cpu_times()[:2]) if alive else cpu0
    rss1 = ps.memory_info().rss if alive else 0
    threads1 = ps.num_threads() if alive else 0
    elapsed_min = (time.monotonic() - t0) / 60.0
    py1 = _last_probe(probe_file)
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait(10)
    rows = 0
    db = data / "hipcheck.sqlite3"
    if db.exists():
        import sqlite3

        with sqlite3.connect(db) as conn:
            rows = int(conn.execute("SELECT count(*) FROM intervals").fetchone()[0])
    return LiveResult(
        adaptive=adaptive,
        minutes=round(elapsed_min, 2),
        cpu_s_per_min=round((cpu1 - cpu0) / elapsed_min, 3),
        rss_start_mb=round(rss0 / 2**20, 1),
        rss_end_mb=round(rss1 / 2**20, 1),
        rss_growth_mb=round((rss1 - rss0) / 2**20, 1),
        os_threads_start=threads0,
        os_threads_end=threads1,
        py_threads_start=int(py0.get("py_threads", -1)),
        py_threads_end=int(py1.get("py_threads", -1)),
        intervals_stored=rows,
        exit_code=None if alive else code,
    )


def _last_probe(path: Path) -> dict[str, Any]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    return json.loads(lines[-1]) if lines else {}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="live run length (default 10)")
    parser.add_argument("--skip-live", action="store_true", help="only the simulated day")
    parser.add_argument(
        "--compare", action="store_true", help="also run live with adaptive sampling off"
    )
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)

    failures: list[str] = []
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hipcheck-soak-") as tmp:
        work = Path(tmp)
        fixed = simulate_day(False, work / "fixed.sqlite3")
        adaptive = simulate_day(True, work / "adaptive.sqlite3")
        saving = 1.0 - adaptive.samples / fixed.samples
        report["simulated_day"] = {
            "fixed": asdict(fixed),
            "adaptive": asdict(adaptive),
            "samples_saved_share": round(saving, 3),
        }
        drift = abs(adaptive.sitting_s - fixed.sitting_s) / fixed.sitting_s
        report["simulated_day"]["sitting_drift_share"] = round(drift, 4)
        if drift > 0.02:
            failures.append(f"adaptive sampling moved the day's sitting time by {drift:.1%}")
        if fixed.bouts != adaptive.bouts:
            failures.append(f"bouts differ: fixed {fixed.bouts}, adaptive {adaptive.bouts}")

        if not args.skip_live:
            if not args.clip.is_file():
                raise SystemExit(f"soak: clip not found: {args.clip}")
            live = [run_live(args.minutes, True, args.clip, work)]
            if args.compare:
                live.append(run_live(args.minutes, False, args.clip, work))
            report["live"] = [asdict(r) for r in live]
            for r in live:
                label = "adaptive" if r.adaptive else "fixed"
                if r.exit_code is not None:
                    failures.append(f"live ({label}): the app exited early with {r.exit_code}")
                if r.rss_growth_mb > MAX_RSS_GROWTH_MB:
                    failures.append(f"live ({label}): RSS grew {r.rss_growth_mb} MB")
                if r.py_threads_end > r.py_threads_start or r.os_threads_end > r.os_threads_start:
                    failures.append(f"live ({label}): threads grew")
                if r.intervals_stored == 0:
                    failures.append(f"live ({label}): nothing was recorded")
            if len(live) == 2 and live[1].cpu_s_per_min > 0:
                report["live_cpu_saved_share"] = round(
                    1.0 - live[0].cpu_s_per_min / live[1].cpu_s_per_min, 3
                )
    report["failures"] = failures
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        _print(report)
    return 1 if failures else 0


def _print(report: dict[str, Any]) -> None:
    sim = report["simulated_day"]
    print("Simulated 8-hour day (core + SQLite, fake clock):")
    for name in ("fixed", "adaptive"):
        r = sim[name]
        print(
            f"  {name:8s} {r['samples']:6d} samples  core {r['core_us_per_sample']:6.1f} µs/sample"
            f"  sitting {r['sitting_s'] / 3600:5.2f} h  bouts {r['bouts']}"
            f"  {r['stored_intervals']} intervals  ({r['wall_s']:.1f} s)"
        )
    print(
        f"  adaptive sampling takes {100 * sim['samples_saved_share']:.0f} % fewer samples; "
        f"sitting time moved {100 * sim['sitting_drift_share']:.2f} %"
    )
    for r in report.get("live", []):
        label = "adaptive" if r["adaptive"] else "fixed"
        print(
            f"Live app ({label}, {r['minutes']:.1f} min): {r['cpu_s_per_min']:.2f} CPU s/min, "
            f"RSS {r['rss_start_mb']} -> {r['rss_end_mb']} MB ({r['rss_growth_mb']:+.1f}), "
            f"OS threads {r['os_threads_start']} -> {r['os_threads_end']}, "
            f"Python threads {r['py_threads_start']} -> {r['py_threads_end']}, "
            f"{r['intervals_stored']} intervals stored"
        )
    if "live_cpu_saved_share" in report:
        print(f"  adaptive sampling saves {100 * report['live_cpu_saved_share']:.0f} % CPU live")
    for failure in report["failures"]:
        print(f"MISS: {failure}")


if __name__ == "__main__":
    sys.exit(main())
