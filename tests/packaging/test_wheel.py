"""A plain ``pip install`` of the wheel: the icons, illustrations and desktop files come along."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import REPO, need

APP_ID = "io.github.hipcheck.HipCheck"
WHERE = "from hipcheck.paths import assets_dir; print(assets_dir())"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheels = tmp_path_factory.mktemp("wheels")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = wheels.glob("hipcheck-*.whl")
    return found


def _same_files(assets: Path) -> None:
    names = {p.name for p in (assets / "exercises").glob("*.svg")}
    assert names == {p.name for p in (REPO / "assets" / "exercises").glob("*.svg")}
    assert (assets / "hipcheck.svg").read_bytes() == (REPO / "assets" / "hipcheck.svg").read_bytes()


def test_a_venv_install_finds_its_assets_under_the_prefix(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    # Only what hipcheck.paths needs: the point is where the files land, not the whole app.
    done = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel), "platformdirs"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    where = subprocess.run([str(py), "-c", WHERE], capture_output=True, text=True, cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assets = Path(where.stdout.strip())
    assert assets == venv / "share" / APP_ID / "assets"
    _same_files(assets)
    share = venv / "share"
    assert (share / "applications" / f"{APP_ID}.desktop").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    icon = share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert icon.read_bytes() == (REPO / "assets" / "hipcheck.svg").read_bytes()


def test_a_user_install_finds_its_assets_beside_the_data_folder(
    wheel: Path, tmp_path: Path
) -> None:
    """``pip install --user``: the files land under ~/.local/share, not in HipCheck's own data
    folder ~/.local/share/hipcheck (which "delete all my data" removes)."""
    base = getattr(sys, "_base_executable", sys.executable)  # the Python this venv was made from
    has_pip = subprocess.run([base, "-m", "pip", "--version"], capture_output=True, timeout=60)
    need(has_pip.returncode == 0, f"{base} has no pip for a --user install")
    userbase = tmp_path / "home" / ".local"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONNOUSERSITE")}
    env |= {"PYTHONUSERBASE": str(userbase), "PIP_BREAK_SYSTEM_PACKAGES": "1"}
    done = subprocess.run(
        [base, "-m", "pip", "install", "-q", "--user", "--no-deps", "--ignore-installed",
         "--no-warn-script-location", str(wheel), "platformdirs"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    where = subprocess.run(
        [base, "-c", WHERE], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert where.returncode == 0, where.stderr
    assets = Path(where.stdout.strip())
    assert assets == userbase / "share" / APP_ID / "assets"
    _same_files(assets)
    assert not (userbase / "share" / "hipcheck").exists()
