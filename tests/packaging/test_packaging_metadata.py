"""The desktop metadata validates, the icon renders, the spec names what the app needs."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import REPO, need

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PACKAGING = REPO / "packaging"
APP_ID = "io.github.hipcheck.HipCheck"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
ICON = REPO / "assets" / "hipcheck.svg"


def test_desktop_file_validates() -> None:
    tool = shutil.which("desktop-file-validate")
    need(tool is not None, "desktop-file-validate not installed (apt: desktop-file-utils)")
    assert tool is not None
    proc = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_desktop_file_runs_hipcheck_commands_that_exist() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    execs = [entry[s]["Exec"] for s in entry.sections()]
    assert entry["Desktop Entry"]["Icon"] == APP_ID
    assert execs[0] == "hipcheck"
    from hipcheck.cli import build_parser

    parser = build_parser()
    for line in execs:
        argv = line.split()[1:]
        parser.parse_args(argv)  # exits (fails the test) if a shortcut names a wrong command


def test_metainfo_validates() -> None:
    tool = shutil.which("appstreamcli")
    need(tool is not None, "appstreamcli not installed (apt: appstream)")
    assert tool is not None
    proc = subprocess.run(
        [tool, "validate", "--no-net", "--pedantic", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f'<launchable type="desktop-id">{DESKTOP.name}</launchable>' in METAINFO.read_text()


def test_icon_renders(qapp: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(ICON))
    assert renderer.isValid()
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    # Opaque in the middle (the badge), transparent in the rounded-off corner.
    assert image.pixelColor(32, 32).alpha() == 255
    assert image.pixelColor(0, 0).alpha() == 0


def test_spec_bundles_the_pose_model_the_native_library_and_the_notice() -> None:
    spec = (PACKAGING / "hipcheck.spec").read_text()
    from PyInstaller.utils.hooks import collect_data_files, collect_dynamic_libs

    # The model is package data of hipcheck; the spec's pattern must pick it up.
    assert '"**/*.task"' in spec
    model = "hipcheck/vision/models"
    assert any(dest == model for _, dest in collect_data_files("hipcheck", includes=["**/*.task"]))
    # mediapipe opens its native library with ctypes: the spec collects it by name.
    assert 'collect_dynamic_libs("mediapipe")' in spec
    libs = collect_dynamic_libs("mediapipe")
    assert [Path(src).name for src, _ in libs] == ["libmediapipe.so"], libs
    # The legacy solution's graph and models are gone from mediapipe 1.2; none is asked for.
    assert "pose_landmark_cpu.binarypb" not in spec and "modules/pose_landmark" not in spec
    assert '(str(REPO / "assets"), "assets")' in spec
    assert '(str(REPO / "NOTICE"), ".")' in spec and '(str(REPO / "LICENSES"), "LICENSES")' in spec
    # What tasks_api imports by name is named for PyInstaller too.
    for module in (
        "mediapipe.tasks.python.vision.pose_landmarker",
        "mediapipe.tasks.python.vision.core.image",
        "mediapipe.tasks.python.vision.core.vision_task_running_mode",
        "mediapipe.tasks.python.core.base_options",
    ):
        assert f'"{module}"' in spec
        assert f'"{module}"' in (REPO / "app/hipcheck/vision/pose.py").read_text()
    assert '"matplotlib"' in spec


def test_autostart_runs_the_built_binary_when_frozen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """In the PyInstaller build sys.executable is hipcheck itself: no ``-m hipcheck`` after it."""
    from hipcheck import autostart

    exe = tmp_path / "opt" / "hipcheck" / "hipcheck"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert autostart.default_command() == [str(exe)]
    assert autostart.default_command(tmp_path / "d") == [
        str(exe),
        "--data-dir",
        str((tmp_path / "d").resolve()),
    ]


def test_assets_dir_from_source_and_frozen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from hipcheck.paths import assets_dir

    assert (assets_dir() / "hipcheck.svg").is_file()
    assert (assets_dir() / "exercises").is_dir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert assets_dir() == tmp_path / "assets"


def test_notice_file_from_source_and_frozen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from hipcheck.paths import notice_file

    assert notice_file() == REPO / "NOTICE" and notice_file().is_file()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert notice_file() == tmp_path / "NOTICE"
