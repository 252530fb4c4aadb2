"""Who is the user, with the real model on the real clips of ../shared/data/posture.

The production engine (the people search: a multi-person scan and a crop that follows the user)
runs at 10 samples a second on a cut of each clip, as ``hipcheck analyze --fps 10`` would; the
labels and the scoring rule are those of ``timelines.json`` and ``benchmarks/timelines.py``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hipcheck.core.people import describe
from hipcheck.core.settings import Settings
from hipcheck.core.types import State
from hipcheck.vision.engine import Engine, SampleRecord
from hipcheck.vision.source import VideoFileSource

pytestmark = pytest.mark.footage

TIMELINES_PY = Path(__file__).resolve().parents[2] / "benchmarks" / "timelines.py"


def _timelines() -> ModuleType:
    """``benchmarks/timelines.py`` as a module (its scoring rule is the one used here)."""
    name = "hipcheck_benchmarks_timelines"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TIMELINES_PY)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


timelines = _timelines()


def labels(posture_data: Path, clip: str) -> dict[str, Any]:
    """The clip's entry in timelines.json."""
    spec: dict[str, Any] = json.loads((posture_data / "timelines.json").read_text())[clip]
    return spec


def run(
    posture_data: Path, clip: str, start_s: float, end_s: float, *, point: bool = False
) -> list[SampleRecord]:
    """The engine's records at 10 samples/s from ``start_s`` to ``end_s`` of the clip (with the
    labelled "that's me" point when ``point``)."""
    engine = Engine(replace(Settings(), sample_rate_hz=timelines.FPS), adaptive=False)
    if point:
        at = labels(posture_data, clip)["user_at"]
        engine.point_at(at["x"], at["y"])
    records = []
    try:
        with VideoFileSource(posture_data / clip) as source:
            while (frame := source.next_frame(engine.next_sample_s or start_s)) is not None:
                if frame.timestamp_s > end_s:
                    break
                records.append(engine.process(frame))
    finally:
        engine.close()
    assert records and records[0].timestamp_s < start_s + 0.5
    return records


def timeline(records: list[SampleRecord]) -> list[dict[str, Any]]:
    """The records as ``analyze --json`` timeline entries (what the scoring reads)."""
    return [{"t": r.timestamp_s, "state": r.state.value} for r in records]


def windows_within(spec: dict[str, Any], start_s: float, end_s: float) -> list[dict[str, Any]]:
    """The labelled windows cut to [start_s, end_s] (a window cut at the start keeps its state
    but starts at ``start_s``, so the scoring's allowance covers the user's arrival)."""
    out = []
    for w in spec["windows"]:
        t0, t1 = max(float(w["t0"]), start_s), min(float(w["t1"]), end_s)
        if t1 > t0:
            out.append({**w, "t0": t0, "t1": t1})
    return out


def user_x(record: SampleRecord) -> float | None:
    """The chosen user's torso centre as a share of the frame width, or None."""
    if record.sample is None:
        return None
    return describe(record.sample).centre_x / record.image_size[0]


def test_an_arrival_is_the_user_within_seconds_of_being_in_view(posture_data: Path) -> None:
    clip = "videos/c_intel_standtable_01.mp4"
    # Someone stands at the table from 50.2 s (after the room was empty from 45.2 s).
    records = run(posture_data, clip, 47.0, 56.0)
    before = [r for r in records if r.timestamp_s < 50.0]
    assert all(r.sample is None for r in before)
    assert [r.state for r in before if r.timestamp_s >= 49.0] == [State.AWAY] * 10
    found = [r.timestamp_s for r in records if r.sample is not None]
    assert found and found[0] <= 50.2 + 3.0, found[:1]
    # From then on the user is followed, and the smoothed state reads standing soon after.
    after = [r for r in records if r.timestamp_s >= found[0]]
    assert sum(r.sample is not None for r in after) >= 0.9 * len(after)
    standing = [r.timestamp_s for r in records if r.state is State.STANDING]
    assert standing and standing[0] <= 50.2 + 4.0
    scores = timelines.score_timeline(
        timeline(records), windows_within(labels(posture_data, clip), 47.0, 56.0)
    )
    assert scores and all(s.passed for s in scores), [(s.state, s.counts) for s in scores]


def test_an_arrival_on_the_sofa_from_the_bottom_edge(posture_data: Path) -> None:
    clip = "videos/a_kalininator_sofa_01.mp4"
    # The room is empty until about 21 s, when the head comes up at the bottom edge.
    records = run(posture_data, clip, 16.0, 30.0)
    empty = [r for r in records if r.timestamp_s < 20.4]
    assert all(r.sample is None and r.state in (State.AWAY, State.UNKNOWN) for r in empty)
    found = [r.timestamp_s for r in records if r.sample is not None]
    assert found and found[0] <= 22.2 + 3.0, found[:1]
    after = [r for r in records if r.timestamp_s >= found[0]]
    assert sum(r.sample is not None for r in after) >= 0.9 * len(after)
    spec = labels(posture_data, clip)
    (away,) = [
        s for s in timelines.score_timeline(timeline(records), windows_within(spec, 16.0, 20.4))
    ]
    assert away.passed, away.counts


# The walker passes near or in front of the user around 3, 9-10 and 17-18 s; the standing man
# stands beside the user throughout. "That's me" points at the seated user at the right edge.
POINTED = [("videos/b_upfall_walkby_01.mp4", 19.0), ("videos/d_upfall_standing_01.mp4", 15.0)]


@pytest.mark.parametrize(("clip", "end_s"), POINTED, ids=["passer-by", "bystander"])
def test_the_other_person_never_makes_the_pointed_user_stand(
    posture_data: Path, clip: str, end_s: float
) -> None:
    records = run(posture_data, clip, 0.0, end_s, point=True)
    assert not [r.timestamp_s for r in records if r.state is State.STANDING]
    # Whenever a pose is taken for the user, it is the user at the right edge, never the other.
    xs = [x for r in records if (x := user_x(r)) is not None]
    assert xs and min(xs) >= 0.75, min(xs)
    assert any(r.choice is not None and r.choice.others >= 1 for r in records if r.sample)
    # Once found, the user is followed and seen sitting.
    found = next(r.timestamp_s for r in records if r.sample is not None)
    after = [r for r in records if r.timestamp_s >= found + 1.0]
    assert sum(r.sample is not None for r in after) >= 0.95 * len(after)
    assert sum(r.state is State.SITTING for r in after) >= 0.95 * len(after)


@pytest.mark.parametrize(("clip", "end_s"), POINTED, ids=["passer-by", "bystander"])
def test_the_pointed_user_is_never_away_while_seated(
    posture_data: Path, clip: str, end_s: float
) -> None:
    records = run(posture_data, clip, 0.0, end_s, point=True)
    spec = labels(posture_data, clip)
    scores = timelines.score_timeline(timeline(records), windows_within(spec, 0.0, end_s))
    assert scores and all(s.passed for s in scores), [(s.state, s.counts) for s in scores]


@pytest.mark.parametrize(("start_s", "left_s", "end_s"), [(40.0, 45.2, 50.0), (83.0, 87.4, 92.0)])
def test_a_departure_is_away_within_seconds(
    posture_data: Path, start_s: float, left_s: float, end_s: float
) -> None:
    clip = "videos/c_intel_standtable_01.mp4"
    records = run(posture_data, clip, start_s, end_s)
    present = [r for r in records if start_s + 2.0 <= r.timestamp_s < left_s - 1.0]
    assert all(r.state is State.STANDING for r in present), [r.state.value for r in present]
    nobody = [r.timestamp_s for r in records if r.timestamp_s >= left_s and r.sample is None]
    away = [r.timestamp_s for r in records if r.timestamp_s >= left_s and r.state is State.AWAY]
    assert nobody and nobody[0] <= left_s + 2.0, nobody[:1]
    assert away and away[0] <= left_s + 3.0, away[:1]
    assert all(r.state is State.AWAY for r in records if r.timestamp_s >= away[0])
