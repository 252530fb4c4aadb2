"""The About window: the version as its title, licences and where the user's data lives."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from hipcheck import __version__
from hipcheck.paths import resolve_paths
from hipcheck.ui.about import LICENCES, AboutWindow


def test_about_names_the_version_licences_and_data_folders(qtbot: QtBot, tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data")
    window = AboutWindow(paths)
    qtbot.addWidget(window)
    assert window.title.text() == f"HipCheck {__version__}" and window.title.font().bold()
    body = window.label.text()
    assert all(f"{name}: {licence}" in body for name, licence in LICENCES)
    assert str(paths.data_dir) in body and str(paths.log_dir) in body
    assert f"HipCheck {__version__}" not in body  # said once, as the title
