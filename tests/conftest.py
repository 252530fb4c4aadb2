"""Shared test fixtures: where the footage is, and skipping that turns into failing on CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
POSTURE_DATA = Path(os.environ.get("HIPCHECK_POSTURE_DATA", REPO.parent / "shared/data/posture"))


def need(condition: bool, reason: str) -> None:
    """Skip with ``reason`` unless ``condition``; on CI ($HIPCHECK_REQUIRE_ALL) fail instead."""
    if condition:
        return
    if os.environ.get("HIPCHECK_REQUIRE_ALL"):
        pytest.fail(f"required on CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def posture_data() -> Path:
    """The shared posture footage folder (../shared/data/posture)."""
    need((POSTURE_DATA / "labels.csv").is_file(), f"posture footage not found at {POSTURE_DATA}")
    return POSTURE_DATA
