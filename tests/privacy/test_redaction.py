"""Secrets never leave memory: a stream URL's credentials are hidden wherever a source is shown.

Tables of text in and text shown (URLs, terminal escape sequences), then the places a source is
shown: the log file, a command's error line and the running app's status.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_hipcheck

from hipcheck.core.redact import printable, redact_url
from hipcheck.logs import log_file, setup_logging
from hipcheck.paths import resolve_paths

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

URLS = [
    ("rtsp://bob:s3cret@10.0.0.5:554/live", "rtsp://***@10.0.0.5:554/live"),
    ("rtsp://s3cret@cam/x", "rtsp://***@cam/x"),
    ("rtsp://bob:p@ss:w0rd@cam/x", "rtsp://***@cam/x"),
    ("HTTP://bob:s3cret@cam", "HTTP://***@cam"),
    (
        "http://cam/video.cgi?user=admin&pwd=s3cret&res=hd",
        "http://cam/video.cgi?user=***&pwd=***&res=hd",
    ),
    ("https://cam/x?access_token=s3cret", "https://cam/x?access_token=***"),
    ("https://cam/x#auth=s3cret", "https://cam/x#auth=***"),
    (
        "cannot open stream rtsp://a:s3cret@h/1 or rtsp://b:s3cret@h/2",
        "cannot open stream rtsp://***@h/1 or rtsp://***@h/2",
    ),
    ("rtsp://cam.local/live", "rtsp://cam.local/live"),
    ("http://cam/x?res=hd&fps=30", "http://cam/x?res=hd&fps=30"),
    ("0", "0"),
    ("/home/me/clip@2x.mp4", "/home/me/clip@2x.mp4"),
    ("/home/me/token=1.mp4", "/home/me/token=1.mp4"),
    ("mail me at bob@example.com", "mail me at bob@example.com"),
]


@pytest.mark.parametrize(("text", "shown"), URLS, ids=[t for t, _ in URLS])
def test_redact_url(text: str, shown: str) -> None:
    assert redact_url(text) == shown
    assert "s3cret" not in redact_url(text)


TEXTS = [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b]0;a new title\x07Paused", "Paused"),
    ("\x1b]52;c;cGFzdGU=\x1b\\Paused", "Paused"),
    ("\x9b2JPaused\x9d0;title\x9c", "Paused"),
    ("bell\x07 nul\x00 del\x7f", "bell nul del"),
    ("two\nlines\tand a tab", "two\nlines\tand a tab"),
    ("hip angle 92°, café", "hip angle 92°, café"),
]


@pytest.mark.parametrize(("text", "shown"), TEXTS, ids=[repr(t) for t, _ in TEXTS])
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert printable(text, keep_newlines=False) == shown.replace("\n", " ")


def test_the_log_never_holds_a_url_password(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    setup_logging(paths)
    log = logging.getLogger("hipcheck.test")
    url = "rtsp://bob:s3cret@cam/live?pwd=s3cret"
    log.warning("cannot open %s", url)
    log.info("source " + url)
    log.info("source %(url)s", {"url": url})
    try:
        raise OSError(f"stream {url} refused")
    except OSError:
        log.exception("camera failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file(paths).read_text()
    assert text.count("rtsp://***@cam/live?pwd=***") >= 4, text
    assert "s3cret" not in text


def test_an_analyze_error_hides_the_password(tmp_path: Path) -> None:
    proc = run_hipcheck(
        ["--data-dir", str(tmp_path), "analyze", "rtsp://bob:s3cret@127.0.0.1:9/live"]
    )
    assert proc.returncode == 2
    assert proc.stderr == "hipcheck: error: cannot open stream rtsp://***@127.0.0.1:9/live\n"
    assert "s3cret" not in log_file(resolve_paths(tmp_path)).read_text()


def test_the_settings_window_shows_a_camera_url_without_its_password(qtbot: Any) -> None:
    from hipcheck.ui.settings_dialog import CameraEditor

    url = "rtsp://bob:s3cret@cam.local/live"
    editor = CameraEditor(cameras=list, opener=lambda source: None)
    qtbot.addWidget(editor)
    changes: list[str] = []
    editor.changed.connect(changes.append)
    editor.set_value(url)
    assert editor.combo.currentText() == "rtsp://***@cam.local/live"
    # Leaving the field unchanged keeps the real value (the camera needs the password).
    editor.line_edit.editingFinished.emit()
    assert editor.value() == url and changes == []
    editor.combo.setEditText("rtsp://bob:n3w@cam.local/live")
    editor.line_edit.editingFinished.emit()
    assert changes == ["rtsp://bob:n3w@cam.local/live"]
