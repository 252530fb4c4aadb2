"""Posture accuracy on labelled footage: per-still state, confusion table and hip-angle error.

Run: ``.venv/bin/python benchmarks/accuracy.py LABELS_CSV [--angle-space image|world] [--size WxH]
[--json]`` where LABELS_CSV is a ``labels.csv`` laid out like ``../shared/data/posture`` (columns
``file,state``; files relative to the CSV's folder; an optional ``hip_angles_keypoints.csv``
beside it). Stills go through the real model in static-image mode and ``core.posture.observe``;
videos are sampled at 2/s through the people search in video mode (as the app sees a clip: the user
chosen among everyone found) and scored per sample. Hip angles
are measured per annotated person: the model runs on a crop around the person's box (so every
annotated person is measured, not only the one the model prefers on the full frame), the side is
matched by the nearest hip, and the angle is compared in the image plane and in MediaPipe's world
coordinates. Bad input prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "app") not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO / "app"))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from hipcheck.core.geometry import joint_angle_deg, to_pixels, to_world  # noqa: E402
from hipcheck.core.posture import AngleSpace, observe  # noqa: E402
from hipcheck.core.types import (  # noqa: E402
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    Observation,
    PoseSample,
    State,
)
from hipcheck.errors import UserError  # noqa: E402
from hipcheck.vision.people import Crop, PeopleSearch, uncrop  # noqa: E402
from hipcheck.vision.pose import MediaPipePoseEstimator, PoseEstimator, estimate_one  # noqa: E402

STATES = ("sitting", "standing", "away", "unknown")
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"})
VIDEO_SAMPLE_RATE_HZ = 2.0
_SIDE_POINTS = {
    "left": (LEFT_SHOULDER, LEFT_HIP, LEFT_KNEE),
    "right": (RIGHT_SHOULDER, RIGHT_HIP, RIGHT_KNEE),
}


@dataclass(frozen=True)
class Label:
    """One labelled file."""

    file: str
    state: str


@dataclass(frozen=True)
class AnnotatedSide:
    """One annotated person's side with its keypoint angle."""

    file: str
    person: str
    bbox_xywh: tuple[float, float, float, float] | None
    side: str
    shoulder: tuple[float, float]
    hip: tuple[float, float]
    knee: tuple[float, float]
    angle_2d_deg: float
    angle_3d_deg: float | None


@dataclass(frozen=True)
class StillResult:
    """The verdict on one labelled file (a still, or one sample of a video)."""

    file: str
    expected: str
    got: str
    hips_visible: bool
    hip_angle_deg: float | None


@dataclass(frozen=True)
class AngleResult:
    """The model's hip angle for one annotated person's side, in both spaces."""

    file: str
    person: str
    side: str
    matched_side: str
    truth_2d_deg: float
    truth_3d_deg: float | None
    image_deg: float
    world_deg: float | None
    hip_error_torso: float


def _csv_rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a CSV file that has the ``required`` columns; UserError otherwise."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise UserError(f"{path} lacks column(s) {', '.join(missing)}")
            return list(reader)
    except FileNotFoundError:
        raise UserError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None


def load_labels(labels_csv: Path) -> list[Label]:
    """The ``file,state`` rows of a labels CSV; UserError on bad content."""
    labels = []
    for n, row in enumerate(_csv_rows(labels_csv, ("file", "state")), start=2):
        state = (row["state"] or "").strip()
        if state not in STATES:
            raise UserError(
                f"{labels_csv}:{n}: state must be one of {', '.join(STATES)}, got {state!r}"
            )
        labels.append(Label(row["file"].strip(), state))
    if not labels:
        raise UserError(f"{labels_csv} has no labelled files")
    return labels


def _xy(text: str) -> tuple[float, float]:
    """'x y' -> (x, y)."""
    x, y = text.split()
    return float(x), float(y)


def load_annotated_angles(angles_csv: Path) -> list[AnnotatedSide]:
    """The annotated sides that carry keypoints (rows marked not labelled are left out)."""
    columns = (
        "file",
        "person_ann_id",
        "bbox_xywh",
        "side",
        "shoulder_xy",
        "hip_xy",
        "knee_xy",
        "hip_angle_2d_deg",
        "hip_angle_3d_deg",
    )
    out = []
    for n, row in enumerate(_csv_rows(angles_csv, columns), start=2):
        if not row["hip_xy"].strip():
            continue
        try:
            bbox = (
                tuple(float(v) for v in row["bbox_xywh"].split())
                if row["bbox_xywh"].strip()
                else None
            )
            if bbox is not None and len(bbox) != 4:
                raise ValueError("bbox_xywh needs 4 numbers")
            out.append(
                AnnotatedSide(
                    file=row["file"].strip(),
                    person=row["person_ann_id"].strip(),
                    bbox_xywh=bbox,  # type: ignore[arg-type]
                    side=row["side"].strip(),
                    shoulder=_xy(row["shoulder_xy"]),
                    hip=_xy(row["hip_xy"]),
                    knee=_xy(row["knee_xy"]),
                    angle_2d_deg=float(row["hip_angle_2d_deg"]),
                    angle_3d_deg=float(row["hip_angle_3d_deg"])
                    if row["hip_angle_3d_deg"].strip()
                    else None,
                )
            )
        except ValueError as exc:
            raise UserError(f"{angles_csv}:{n}: {exc}") from None
    return out


def read_image(path: Path) -> np.ndarray:
    """A still as BGR; UserError when it cannot be read."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise UserError(f"cannot read {path} as an image")
    return image


def letterbox(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` scaled into a ``size`` (width, height) frame without distortion, black padding."""
    width, height = size
    scale = min(width / image.shape[1], height / image.shape[0])
    new = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    out = np.zeros((height, width, 3), np.uint8)
    x, y = (width - new[0]) // 2, (height - new[1]) // 2
    out[y : y + new[1], x : x + new[0]] = cv2.resize(image, new, interpolation=cv2.INTER_AREA)
    return out


def evaluate_still(
    path: Path,
    estimator: PoseEstimator,
    *,
    angle_space: AngleSpace = "image",
    size: tuple[int, int] | None = None,
) -> tuple[Observation, PoseSample | None]:
    """The observation on one still (optionally letterboxed to ``size`` like a camera frame)."""
    image = read_image(path)
    if size is not None:
        image = letterbox(image, size)
    sample = estimate_one(estimator, image, 0.0)
    return observe(sample, angle_space=angle_space), sample


def evaluate_video(
    path: Path,
    estimator: PoseEstimator,
    *,
    focus: PoseEstimator | None = None,
    angle_space: AngleSpace = "image",
) -> list[Observation]:
    """Observations at 2 samples/s of the user the people search finds (``estimator`` scans the
    whole frame, ``focus``, if given, follows the user on a crop between scans)."""
    from hipcheck.vision.source import open_source

    search = PeopleSearch(estimator, focus)
    observations = []
    with open_source(str(path)) as source:
        next_s: float | None = None
        while (frame := source.next_frame(next_s)) is not None:
            _, choice = search.find(frame.image, frame.timestamp_s)
            if choice.sample is None and choice.present:  # arriving or hidden: as the app sees it
                observations.append(Observation(frame.timestamp_s, True, State.UNKNOWN))
            else:
                seen = observe(choice.sample, angle_space=angle_space)
                observations.append(replace(seen, timestamp_s=frame.timestamp_s))
            next_s = frame.timestamp_s + 1.0 / VIDEO_SAMPLE_RATE_HZ
    return observations


def person_box(
    side: AnnotatedSide, group: Sequence[AnnotatedSide]
) -> tuple[float, float, float, float]:
    """The person's box (x0, y0, x1, y1): the annotated one, else around all their keypoints."""
    if side.bbox_xywh is not None:
        x, y, w, h = side.bbox_xywh
        return x, y, x + w, y + h
    points = [p for s in group for p in (s.shoulder, s.hip, s.knee)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def measure_person(
    image: np.ndarray,
    group: Sequence[AnnotatedSide],
    estimator: PoseEstimator,
) -> list[AngleResult]:
    """Run the model on a crop around one annotated person; compare each annotated side."""
    height, width = image.shape[:2]
    x0, y0, x1, y1 = person_box(group[0], group)
    # Keypoint boxes hold only shoulders to knees: grow them to take in head and legs.
    grow = 0.25 if group[0].bbox_xywh is not None else 0.9
    bw, bh = x1 - x0, y1 - y0
    crop = Crop(
        max(0, int(x0 - grow * bw)),
        max(0, int(y0 - grow * bh)),
        min(width, math.ceil(x1 + grow * bw)),
        min(height, math.ceil(y1 + grow * bh)),
    )
    found = estimate_one(
        estimator, np.ascontiguousarray(image[crop.y0 : crop.y1, crop.x0 : crop.x1]), 0.0
    )
    if found is None:
        return []
    sample = uncrop(found, crop, (width, height))
    hips = {
        name: to_pixels(sample.image[pts[1]], sample.image_size)
        for name, pts in _SIDE_POINTS.items()
    }
    # Datasets disagree on left/right conventions: map the annotated sides to the model's sides
    # as a whole (straight or swapped), whichever puts the hips closer.
    straight = {t.side: t.side for t in group if t.side in hips}
    swapped = {t.side: ("right" if t.side == "left" else "left") for t in group if t.side in hips}
    mapping = min(
        (straight, swapped),
        key=lambda m: sum(math.dist(hips[m[t.side]], t.hip) for t in group if t.side in m),
    )
    results = []
    for truth in group:
        if truth.side not in mapping:
            continue
        name = mapping[truth.side]
        i_sh, i_hip, i_knee = _SIDE_POINTS[name]
        pts = [to_pixels(sample.image[i], sample.image_size) for i in (i_sh, i_hip, i_knee)]
        image_deg = joint_angle_deg(*pts)
        world_deg = None
        if sample.world is not None:
            world_deg = joint_angle_deg(*(to_world(sample.world[i]) for i in (i_sh, i_hip, i_knee)))
        torso = math.dist(truth.shoulder, truth.hip)
        if image_deg is None:
            continue
        results.append(
            AngleResult(
                file=truth.file,
                person=truth.person,
                side=truth.side,
                matched_side=name,
                truth_2d_deg=truth.angle_2d_deg,
                truth_3d_deg=truth.angle_3d_deg,
                image_deg=image_deg,
                world_deg=world_deg,
                hip_error_torso=math.dist(pts[1], truth.hip) / max(torso, 1.0),
            )
        )
    return results


def measure_angles(
    folder: Path, annotated: Sequence[AnnotatedSide], estimator: PoseEstimator
) -> list[AngleResult]:
    """Every annotated person measured by the model; persons whose hip is missed are left out."""
    people: dict[tuple[str, str], list[AnnotatedSide]] = {}
    for side in annotated:
        people.setdefault((side.file, side.person), []).append(side)
    results = []
    for (file, _), group in people.items():
        image = read_image(folder / file)
        for result in measure_person(image, group, estimator):
            # Half a torso off the annotated hip means the model found someone else.
            if result.hip_error_torso <= 0.5:
                results.append(result)
    return results


def angle_errors(results: Sequence[AngleResult]) -> dict[str, dict[str, float | int | None]]:
    """Mean and median absolute error against the 2D annotation, per angle space."""
    out: dict[str, dict[str, float | int | None]] = {}
    for space in ("image", "world"):
        errors = [
            abs((r.image_deg if space == "image" else r.world_deg) - r.truth_2d_deg)  # type: ignore[operator]
            for r in results
            if space == "image" or r.world_deg is not None
        ]
        out[space] = {
            "n": len(errors),
            "mean_abs_deg": statistics.fmean(errors) if errors else None,
            "median_abs_deg": statistics.median(errors) if errors else None,
        }
    three_d = [r for r in results if r.truth_3d_deg is not None and r.world_deg is not None]
    for space in ("image", "world"):
        errs = [
            abs((r.image_deg if space == "image" else r.world_deg) - r.truth_3d_deg)  # type: ignore[operator]
            for r in three_d
        ]
        out[f"{space}_vs_3d"] = {
            "n": len(errs),
            "mean_abs_deg": statistics.fmean(errs) if errs else None,
        }
    return out


def confusion(results: Sequence[StillResult]) -> dict[str, dict[str, int]]:
    """Counts of (expected -> got)."""
    table: dict[str, dict[str, int]] = {e: dict.fromkeys(STATES, 0) for e in STATES}
    for r in results:
        table[r.expected][r.got] += 1
    return {e: row for e, row in table.items() if sum(row.values())}


def run(
    labels_csv: Path,
    *,
    angle_space: AngleSpace = "image",
    size: tuple[int, int] | None = None,
    include_videos: bool = True,
) -> dict[str, Any]:
    """Evaluate a labelled folder; returns every figure (see the module docstring)."""
    folder = labels_csv.parent
    labels = load_labels(labels_csv)
    for label in labels:
        if not (folder / label.file).is_file():
            raise UserError(f"{labels_csv}: labelled file not found: {folder / label.file}")
    stills = [lb for lb in labels if Path(lb.file).suffix.lower() not in VIDEO_SUFFIXES]
    videos = [lb for lb in labels if Path(lb.file).suffix.lower() in VIDEO_SUFFIXES]
    still_results = []
    static = MediaPipePoseEstimator(static_image_mode=True)
    try:
        for label in stills:
            obs, _ = evaluate_still(folder / label.file, static, angle_space=angle_space, size=size)
            still_results.append(
                StillResult(
                    label.file, label.state, obs.state.value, obs.hips_visible, obs.hip_angle_deg
                )
            )
        angles_csv = folder / "hip_angles_keypoints.csv"
        angle_results = (
            measure_angles(folder, load_annotated_angles(angles_csv), static)
            if angles_csv.is_file()
            else []
        )
    finally:
        static.close()
    video_results: dict[str, dict[str, Any]] = {}
    if include_videos and videos:
        from hipcheck.vision.engine import make_search

        search = make_search()
        try:
            for label in videos:
                observations = evaluate_video(
                    folder / label.file, search.scan, focus=search.focus, angle_space=angle_space
                )
                states = Counter(o.state.value for o in observations)
                total = sum(states.values())
                video_results[label.file] = {
                    "expected": label.state,
                    "samples": total,
                    "states": dict(states),
                    "accuracy": states[label.state] / total if total else 0.0,
                }
                # A blank frame ends the tracks so the next clip starts afresh.
                for model in (search.scan, search.focus):
                    if model is not None:
                        model.detect(np.zeros((64, 64, 3), np.uint8), -1.0)
        finally:
            search.close()
    correct = sum(r.expected == r.got for r in still_results)
    return {
        "labels": str(labels_csv),
        "angle_space": angle_space,
        "size": None if size is None else f"{size[0]}x{size[1]}",
        "stills": len(still_results),
        "still_accuracy": correct / len(still_results) if still_results else None,
        "confusion": confusion(still_results),
        "still_results": [asdict(r) for r in still_results],
        "videos": video_results,
        "angle_errors": angle_errors(angle_results),
        "angle_results": [asdict(r) for r in angle_results],
    }


def _fmt(value: float | None, digits: int = 1) -> str:
    """A number or n/a."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def format_report(report: dict[str, Any]) -> str:
    """The report as text: accuracy, confusion table, misses, angle errors, videos."""
    lines = [
        f"Posture accuracy on {report['labels']} (angles in {report['angle_space']} space"
        + (f", stills letterboxed to {report['size']})" if report["size"] else ")")
    ]
    if report["stills"]:
        n_ok = round(report["still_accuracy"] * report["stills"])
        lines.append(
            f"State accuracy (stills): {n_ok}/{report['stills']} = {report['still_accuracy']:.1%}"
        )
        lines.append("Confusion (rows expected, columns got):")
        lines.append("  " + "expected".ljust(10) + "".join(s.rjust(10) for s in STATES))
        for expected, row in report["confusion"].items():
            lines.append("  " + expected.ljust(10) + "".join(str(row[s]).rjust(10) for s in STATES))
        for r in report["still_results"]:
            if r["expected"] != r["got"]:
                lines.append(f"  miss: {r['file']}: expected {r['expected']}, got {r['got']}")
    for file, v in report["videos"].items():
        lines.append(
            f"Video {file}: {v['accuracy']:.1%} of {v['samples']} samples {v['expected']} ({v['states']})"
        )
    errors = report["angle_errors"]
    if report["angle_results"]:
        lines.append(f"Hip angle vs annotated keypoints ({errors['image']['n']} person-sides):")
        for space in ("image", "world"):
            e = errors[space]
            lines.append(
                f"  {space:5s}: mean abs {_fmt(e['mean_abs_deg'])}°, median abs {_fmt(e['median_abs_deg'])}°"
            )
        for space in ("image", "world"):
            e = errors[f"{space}_vs_3d"]
            if e["n"]:
                lines.append(
                    f"  {space:5s} vs 3D annotation ({e['n']}): mean abs {_fmt(e['mean_abs_deg'])}°"
                )
    return "\n".join(lines)


def _size(text: str) -> tuple[int, int]:
    """'640x480' -> (640, 480)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x480, got {text!r}") from None
    if w <= 0 or h <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return w, h


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, exit 2."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        print(f"accuracy: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = _Parser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "labels_csv", type=Path, help="labels.csv of a folder laid out like shared/data/posture"
    )
    parser.add_argument("--angle-space", choices=("image", "world"), default="image")
    parser.add_argument(
        "--size", type=_size, default=None, help="letterbox stills to WxH first (e.g. 640x480)"
    )
    parser.add_argument("--no-videos", action="store_true", help="stills only")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        report = run(
            args.labels_csv,
            angle_space=args.angle_space,
            size=args.size,
            include_videos=not args.no_videos,
        )
    except UserError as exc:
        print(f"accuracy: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=1) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
