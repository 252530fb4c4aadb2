"""Every window in the light and dark palettes, at 1280×720, at 1024×600 and at 2× scale.

Each screen runs ``tests/ui/screens.py`` in its own process (Qt reads the screen at start-up),
which saves a PNG of every window to ``test-artifacts/screens/`` for a person to look at and
reports what a person would notice: a window larger than the work area, cut text, and text under
4.5:1 contrast on the background painted under it (sampled from the screenshot).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import REPO

SCREENS = REPO / "test-artifacts" / "screens"
DRIVER = Path(__file__).with_name("screens.py")
WINDOWS = {
    "report",
    "settings-1-reminders",
    "settings-2-camera",
    "settings-3-privacy-and-start-up",
    "settings-4-advanced",
    "calibration-intro",
    "calibration-seated",
    "break-glute-bridge",
    "break-standing-march",
    "first-run",
    "first-run-no-camera-no-tray",
    "no-tray",
    "tray-menu",
    "about",
}


def shoot(*args: str) -> dict[str, dict[str, object]]:
    """Run the driver on one screen; its JSON report."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    result = subprocess.run(
        [sys.executable, str(DRIVER), "--out", str(SCREENS), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, dict[str, object]] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize(
    ("scheme", "size", "dpr", "scale"),
    [
        ("light", "1280x720", "1", "1"),
        ("dark", "1280x720", "1", "1"),
        ("light", "1024x600", "1", "1"),
        ("dark", "1024x600", "2", "1"),  # a 2× screen (device pixel ratio 2)
        ("light", "2560x1440", "1", "2"),  # QT_SCALE_FACTOR=2: 1280×720 logical
        ("high-contrast", "1280x720", "1", "1"),
    ],
)
def test_every_window_fits_and_reads(scheme: str, size: str, dpr: str, scale: str) -> None:
    """No window outside the work area, no cut text, every text at least 4.5:1."""
    report = shoot("--scheme", scheme, "--size", size, "--dpr", dpr, "--scale-factor", scale)
    assert set(report) == WINDOWS
    width, height = (int(v) // int(scale) for v in size.split("x"))
    for name, found in report.items():
        png = Path(str(found["png"]))
        assert png.is_file() and png.stat().st_size > 5_000, name
        w, h = found["size"]  # type: ignore[misc]
        assert w <= width and h <= height, name
        assert found["problems"] == [], name


def test_the_checker_catches_grey_on_grey_and_cut_text(tmp_path: Path) -> None:
    """The checks can fail: a muted label on its own background colour, a squeezed button and a
    page too wide for its scroll area."""
    code = f"""
import sys, json
sys.path[:0] = [{str(REPO)!r}, {str(REPO / "tests")!r}]
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea, QWidget
from ui.screens import _problems
app = QApplication([])
w = QWidget(); w.resize(300, 120); w.setStyleSheet("background: #3a3b3e;")
label = QLabel("Camera index (0 is the first camera)", w); label.move(10, 10)
label.setStyleSheet("color: #666666;")
button = QPushButton("Restore defaults", w); button.setGeometry(10, 60, 40, 30)
scroll = QScrollArea(w); scroll.setGeometry(150, 10, 140, 100); scroll.setWidgetResizable(True)
scroll.setWidget(QLabel("A help text far wider than the page it is on"))
w.show(); app.processEvents()
image = w.grab().toImage()
print(json.dumps(_problems(w, image, image.devicePixelRatio())))
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    problems = json.loads(result.stdout)
    assert any(p.startswith("contrast: QLabel 'Camera index") for p in problems), problems
    assert any(p.startswith("clipped: QPushButton 'Restore defaults'") for p in problems), problems
    assert any(p.startswith("sideways:") for p in problems), problems
