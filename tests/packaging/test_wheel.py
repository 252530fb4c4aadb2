"""A plain ``pip install`` of the wheel: the icons, illustrations and desktop files come along."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

APP_ID = "io.github.hipcheck.HipCheck"


def test_the_wheel_installs_the_assets_where_hipcheck_finds_them(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("hipcheck-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    # Only what hipcheck.paths needs: the point is where the files land, not the whole app.
    done = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel), "platformdirs"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    code = "from hipcheck.paths import assets_dir; print(assets_dir())"
    where = subprocess.run(
        [str(py), "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert where.returncode == 0, where.stderr
    assets = Path(where.stdout.strip())
    assert assets == venv / "share" / "hipcheck" / "assets"
    names = {p.name for p in (assets / "exercises").glob("*.svg")}
    assert names == {p.name for p in (REPO / "assets" / "exercises").glob("*.svg")}
    share = venv / "share"
    assert (share / "applications" / f"{APP_ID}.desktop").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    icon = share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert icon.read_bytes() == (REPO / "assets" / "hipcheck.svg").read_bytes()
