"""The exercise rule on real side-view stills: the real model, posture and the signed trunk lean."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import pytest

from hipcheck.core.exercise import (
    BoutPostureAccumulator,
    Exercise,
    ExerciseHistory,
    choose_exercise,
    signed_trunk_lean_deg,
)
from hipcheck.core.posture import observe
from hipcheck.core.types import State
from hipcheck.vision.pose import MediaPipePoseEstimator

pytestmark = pytest.mark.footage

BOUT_S = 50 * 60.0


def _side_stills(root: Path) -> list[tuple[str, str]]:
    with (root / "labels.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (r["file"], r["posture"])
        for r in rows
        if r["file"].startswith("images/side_sit_")
        and r["posture"] in ("upright", "forward", "reclined")
    ]


def test_forward_stills_get_a_bridge_reclined_a_deadbug(
    posture_data: Path, still_estimator: MediaPipePoseEstimator
) -> None:
    stills = _side_stills(posture_data)
    assert len(stills) == 12
    leans: dict[str, list[float]] = {"upright": [], "forward": [], "reclined": []}
    for name, label in stills:
        image = cv2.imread(str(posture_data / name))
        assert image is not None, name
        sample = still_estimator.estimate(image, 0.0)
        assert sample is not None, name
        obs = observe(sample)
        assert obs.state is State.SITTING and obs.side is not None, name
        lean = signed_trunk_lean_deg(sample, obs.side)
        assert lean is not None, name
        leans[label].append(lean)
        # A whole bout spent in this posture, fed at 2 samples/s for the first minute.
        acc = BoutPostureAccumulator()
        for i in range(121):
            acc.update(obs, i * 0.5, sitting=True, sample=sample)
        posture = acc.posture(BOUT_S, flexion_s=0.0)
        choice = choose_exercise(posture, ExerciseHistory())
        if label == "forward":
            assert choice.exercise is Exercise.GLUTE_BRIDGE, (name, posture, choice)
            assert "folded forward for 50 min" in choice.reason, name
        elif label == "reclined":
            assert choice.exercise is Exercise.DEADBUG, (name, posture, choice)
            assert "leaning back" in choice.reason, name
        else:
            # Upright: the posture casts no vote; balance (here: nothing done yet) decides.
            assert choice.reason.startswith("You've been sitting for 50 min"), (name, posture)
    assert min(leans["forward"]) > max(leans["upright"]) > max(leans["reclined"])
    assert min(leans["forward"]) >= 15.0 and max(leans["reclined"]) <= -20.0
