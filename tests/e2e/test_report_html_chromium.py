"""The HTML export opened in headless Chromium (Debian's ``chromium``) and screenshotted.

The screenshots are kept in ``test-artifacts/`` (gitignored) for a person to look at. The test
checks what a person would: the page is not blank, and the charts were drawn (the sitting colour
and the standing colour are both on screen), with no network access needed; and the page follows
the browser's dark mode (``--force-dark-mode`` makes ``prefers-color-scheme: dark`` true).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from tests.conftest import REPO, need

from hipcheck.core.colours import DARK, LIGHT, contrast_ratio
from hipcheck.core.report import build_day_report
from hipcheck.reporting import write_report
from hipcheck.store.db import Store
from reporting.sample_days import BERLIN, TUESDAY, fill_tuesday, fill_work_week

ARTIFACTS = REPO / "test-artifacts"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real store with a week of known days."""
    s = Store.open(tmp_path / "hipcheck.sqlite3")
    fill_tuesday(s)
    fill_work_week(s)
    yield s
    s.close()


def screenshot(html: Path, png: Path, tmp_path: Path, *, dark: bool = False) -> None:
    """Open ``html`` in headless Chromium and save a 1100×1600 screenshot to ``png``."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    need(browser is not None, "chromium is not installed (scripts/setup --dev installs it)")
    assert browser is not None
    png.unlink(missing_ok=True)
    profile = tmp_path / "chromium-profile"
    result = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            *(["--force-dark-mode"] if dark else []),
            "--window-size=1100,1600",
            html.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def colour_counts(png: Path) -> dict[int, int]:
    """How many pixels of each RGB colour the screenshot has (every 2nd pixel each way)."""
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert not image.isNull(), f"{png} is not a readable PNG"
    counts: dict[int, int] = {}
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            rgb = image.pixel(x, y) & 0xFFFFFF
            counts[rgb] = counts.get(rgb, 0) + 1
    return counts


def near(counts: dict[int, int], hex_colour: str, tolerance: int = 12) -> int:
    """Pixels within ``tolerance`` per channel of ``hex_colour``."""
    want = int(hex_colour.lstrip("#"), 16)
    wr, wg, wb = want >> 16, (want >> 8) & 0xFF, want & 0xFF
    return sum(
        n
        for rgb, n in counts.items()
        if abs((rgb >> 16) - wr) <= tolerance
        and abs(((rgb >> 8) & 0xFF) - wg) <= tolerance
        and abs((rgb & 0xFF) - wb) <= tolerance
    )


def test_html_export_renders_in_chromium(store: Store, tmp_path: Path) -> None:
    """The known Tuesday's HTML shows its charts in a real browser; the screenshot is kept."""
    report = build_day_report(store, TUESDAY, tz=BERLIN)
    html = write_report(report, "html", tmp_path / "report.html")
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / f"report-{TUESDAY.isoformat()}.png"
    screenshot(html, png, tmp_path)
    assert png.is_file() and png.stat().st_size > 10_000
    counts = colour_counts(png)
    assert len(counts) > 50, "the screenshot is (nearly) one colour"
    # Not blank: the sitting and standing colours of the charts are drawn, in visible amounts.
    assert near(counts, LIGHT.sitting) > 2000
    assert near(counts, LIGHT.standing) > 100
    # The light page: the light background most of all, none of the dark scheme's charts.
    assert max(counts, key=counts.__getitem__) == int(LIGHT.background[1:], 16)
    assert near(counts, DARK.sitting, tolerance=6) < 50


def test_html_export_follows_dark_mode_in_chromium(store: Store, tmp_path: Path) -> None:
    """In a dark browser the page, its text and its charts are the dark scheme's."""
    report = build_day_report(store, TUESDAY, tz=BERLIN)
    html = write_report(report, "html", tmp_path / "report.html")
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / f"report-{TUESDAY.isoformat()}-dark.png"
    screenshot(html, png, tmp_path, dark=True)
    counts = colour_counts(png)
    background = max(counts, key=counts.__getitem__)
    assert background == int(DARK.background[1:], 16)
    assert near(counts, DARK.sitting, tolerance=6) > 2000
    assert near(counts, LIGHT.sitting, tolerance=6) < 50  # the light charts are hidden
    assert near(counts, DARK.text, tolerance=20) > 300  # light text is drawn…
    assert contrast_ratio(DARK.text, DARK.background) >= 4.5  # …and readable on it


def test_empty_day_html_renders_in_chromium(store: Store, tmp_path: Path) -> None:
    """An empty day's page says so; no sitting colour on the day's own charts."""
    report = build_day_report(store, date(2026, 11, 9), tz=BERLIN)
    assert not report.has_data
    html = write_report(report, "html", tmp_path / "empty.html")
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "report-empty-day.png"
    screenshot(html, png, tmp_path)
    counts = colour_counts(png)
    assert len(counts) > 20
    assert "No data recorded on Monday 9 November 2026" in html.read_text(encoding="utf-8")
