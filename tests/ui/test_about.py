"""The About window: the version as its title, licences and where the user's data lives."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from tests.conftest import REPO

from hipcheck import __version__
from hipcheck.paths import notice_file, resolve_paths
from hipcheck.ui.about import LICENCES, AboutWindow, notice_line
from hipcheck.vision.pose import MODEL_ATTRIBUTION


def test_about_names_the_version_licences_and_data_folders(qtbot: QtBot, tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data")
    window = AboutWindow(paths)
    qtbot.addWidget(window)
    assert window.title.text() == f"HipCheck {__version__}" and window.title.font().bold()
    body = window.label.text()
    assert all(f"{name}: {licence}" in body for name, licence in LICENCES)
    assert str(paths.data_dir) in body and str(paths.log_dir) in body
    assert f"HipCheck {__version__}" not in body  # said once, as the title


def test_about_gives_the_model_attribution_and_where_its_licence_is(
    qtbot: QtBot, tmp_path: Path
) -> None:
    window = AboutWindow(resolve_paths(tmp_path / "data"))
    qtbot.addWidget(window)
    body = window.label.text()
    assert f"• {MODEL_ATTRIBUTION}\n" in body
    licence = REPO / "LICENSES" / "Apache-2.0.txt"
    assert notice_file() == REPO / "NOTICE"  # from a source checkout
    assert f"{REPO / 'NOTICE'} and {licence}" in body


def test_the_notice_carries_the_attribution_and_the_licence_in_full() -> None:
    assert MODEL_ATTRIBUTION in (REPO / "NOTICE").read_text(encoding="utf-8").splitlines()
    licence = (REPO / "LICENSES" / "Apache-2.0.txt").read_text(encoding="utf-8")
    assert licence.lstrip().startswith("Apache License\n")
    assert "END OF TERMS AND CONDITIONS" in licence
    assert "9. Accepting Warranty or Additional Liability." in licence


def test_notice_line_names_only_files_that_exist(tmp_path: Path) -> None:
    notice = tmp_path / "NOTICE"
    assert "NOTICE file that comes with HipCheck" in notice_line(notice)
    notice.write_text("x")
    assert notice_line(notice).endswith(f": {notice}")
    (tmp_path / "LICENSES").mkdir()
    (tmp_path / "LICENSES" / "Apache-2.0.txt").write_text("x")
    assert notice_line(notice).endswith(f"{notice} and {tmp_path / 'LICENSES' / 'Apache-2.0.txt'}")
