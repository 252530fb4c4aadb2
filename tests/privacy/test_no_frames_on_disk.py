"""No image or video frame is written anywhere on disk while HipCheck runs on real footage."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.privacy.conftest import GuardedRun, guarded, snapshot

IMAGE_VIDEO_EXT = {
    ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".pnm",
    ".exr", ".hdr", ".jp2", ".heic", ".avif", ".npy", ".npz", ".raw", ".yuv", ".y4m",
    ".mp4", ".avi", ".mkv", ".mov", ".webm", ".mjpeg", ".mpg", ".mpeg", ".wmv", ".ogv",
}  # fmt: skip


def looks_like_image_or_video(path: Path) -> bool:
    """By extension or by the first bytes (PNG, JPEG, GIF, BMP, TIFF, PNM, WebP/AVI, MP4, MKV, Y4M)."""
    if path.suffix.lower() in IMAGE_VIDEO_EXT:
        return True
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return False
    return (
        head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*"))
        or (head.startswith(b"BM") and len(head) >= 6
        and int.from_bytes(head[2:6], "little") == path.stat().st_size)
        or (head[:2] in (b"P5", b"P6") and head[2:3].isspace())
        or (head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"AVI "))
        or head[4:8] == b"ftyp"
        or head.startswith((b"\x1aE\xdf\xa3", b"YUV4MPEG2"))
    )  # fmt: skip


def frames_written(run: GuardedRun) -> list[str]:
    """Everything either witness saw that could be an image or a video."""
    found = [f"{r['call']}({r['args']})" for r in run.of_kind("image_write")]
    found += [
        f"opened for writing: {r['path']}"
        for r in run.of_kind("open_write")
        if Path(r["path"]).suffix.lower() in IMAGE_VIDEO_EXT
    ]
    after = snapshot(run.root)
    for name, mtime in after.items():
        if run.before.get(name) != mtime and looks_like_image_or_video(Path(name)):
            found.append(f"on disk: {name}")
    return found


def test_scan_and_hooks_catch_frames(tmp_path: Path) -> None:
    """The witnesses work: a process that does write images is caught by all three."""
    os.environ["HIPCHECK_GUARD_SELFTEST"] = "1"
    try:
        run = guarded("selftest", tmp_path, ["status"])
    finally:
        del os.environ["HIPCHECK_GUARD_SELFTEST"]
    found = frames_written(run)
    assert any(f.startswith("cv2.imwrite") for f in found)
    assert any(f.startswith("cv2.VideoWriter") for f in found)
    assert "opened for writing: selftest.jpg" in found
    assert f"on disk: {tmp_path / 'selftest.jpg'}" in found


@pytest.mark.parametrize("run_fixture", ["analyze_run", "app_run"])
def test_no_frame_written(run_fixture: str, request: pytest.FixtureRequest) -> None:
    run: GuardedRun = request.getfixturevalue(run_fixture)
    assert frames_written(run) == []
    # Only the store, settings and logs appear in the data folder.
    allowed = ("hipcheck.sqlite3", "settings.toml", "calibration.json", "log")
    names = sorted(p.name for p in run.data_dir.iterdir())
    assert names and all(n.startswith(allowed) for n in names), names
    assert "hipcheck.sqlite3" in names
