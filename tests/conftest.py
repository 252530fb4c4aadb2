"""Shared test fixtures: where the footage is, and skipping that turns into failing on CI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The first-run window never opens in tests unless a test asks for it (--first-run).
os.environ.setdefault("HIPCHECK_NO_FIRST_RUN", "1")
POSTURE_DATA = Path(os.environ.get("HIPCHECK_POSTURE_DATA", REPO.parent / "shared/data/posture"))


def need(condition: bool, reason: str) -> None:
    """Skip with ``reason`` unless ``condition``; on CI ($HIPCHECK_REQUIRE_ALL) fail instead."""
    if condition:
        return
    if os.environ.get("HIPCHECK_REQUIRE_ALL"):
        pytest.fail(f"required on CI: {reason}")
    pytest.skip(reason)


def run_hipcheck(
    argv: Sequence[str], *, env: Mapping[str, str | None] | None = None, timeout: float = 60.0
) -> subprocess.CompletedProcess[str]:
    """``python -m hipcheck ARGV`` to its end: offscreen Qt, no stdin, no $HIPCHECK_DATA_DIR,
    ``env`` added to (or, for a None value, removed from) this process's environment."""
    full = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    full.pop("HIPCHECK_DATA_DIR", None)
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def posture_data() -> Path:
    """The shared posture footage folder (../shared/data/posture)."""
    need((POSTURE_DATA / "labels.csv").is_file(), f"posture footage not found at {POSTURE_DATA}")
    return POSTURE_DATA


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Exit with pytest's status before interpreter finalisation.

    PySide6 6.12.0's ``SignalInstance.emit`` drops a reference to ``True`` on every call (see
    ``hipcheck.ui.signals``); after a whole suite of Qt tests the garbage collector at shutdown can
    abort with ``bool_dealloc`` even though every test passed. The result is already reported here.
    """
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(getattr(config, "_hipcheck_exitstatus", 0)))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remember pytest's exit status for ``pytest_unconfigure``."""
    session.config._hipcheck_exitstatus = int(exitstatus)  # type: ignore[attr-defined]


@pytest.fixture
def artefacts(request: pytest.FixtureRequest) -> Path:
    """``test-artifacts/<test module>/``: screenshots kept for a look (ignored by git)."""
    folder = REPO / "test-artifacts" / Path(str(request.node.path)).stem
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def _user_proxy_settings() -> Iterator[None]:
    """Each test starts with the user's proxy settings: a test that started MediaPipe in this
    process pointed them at HipCheck's offline proxy, which programs such as pip must not see."""
    from hipcheck import offline

    restore = offline.child_environment()
    for name in offline.PROXY_NAMES:
        if os.environ.get(name) == offline.NO_NETWORK_PROXY:
            if name in restore:
                os.environ[name] = restore[name]
            else:
                del os.environ[name]
    yield


def stored_seconds(db: Path, where: str = "") -> float:
    """Seconds of intervals in the history at ``db`` (optionally ``WHERE ...``), read-only."""
    if not db.exists():
        return 0.0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            (total,) = conn.execute(
                f"SELECT coalesce(sum(end_utc - start_utc), 0) FROM intervals {where}"
            ).fetchone()
    except sqlite3.Error:
        return 0.0
    return float(total)
