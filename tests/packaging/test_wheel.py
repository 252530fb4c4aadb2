"""A plain ``pip install`` of the wheel: the icons, illustrations, desktop files and the notice come
along; and under a second Python ($HIPCHECK_EXTRA_PYTHON, the newest one the machine has) the
wheel installs with its dependencies and analyses real footage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from tests.conftest import REPO, need

APP_ID = "io.github.hipcheck.HipCheck"
WHERE = "from hipcheck.paths import assets_dir; print(assets_dir())"
NOTICE = "from hipcheck.paths import notice_file; print(notice_file())"
EXTRA_PYTHON = "HIPCHECK_EXTRA_PYTHON"
CLIP = "videos/e_headpulse_sitting_01.mkv"  # 19 s, a man sitting at his webcam the whole time


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
    notice = subprocess.run([str(py), "-c", NOTICE], capture_output=True, text=True, cwd=tmp_path)
    assert Path(notice.stdout.strip()) == share / APP_ID / "NOTICE", notice.stderr
    _same_notice(share / APP_ID)


def _same_notice(folder: Path) -> None:
    for rel in ("NOTICE", "LICENSES/Apache-2.0.txt"):
        assert (folder / rel).read_bytes() == (REPO / rel).read_bytes(), rel


def test_the_wheel_carries_the_notice_and_the_model(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zipped:
        names = set(zipped.namelist())
        (info,) = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
        for rel in ("NOTICE", "LICENSES/Apache-2.0.txt"):
            assert zipped.read(f"{info}/licenses/{rel}") == (REPO / rel).read_bytes(), rel
        metadata = zipped.read(f"{info}/METADATA").decode()
        assert "License-File: NOTICE" in metadata
        model = REPO / "app" / "hipcheck" / "vision" / "models" / "pose_landmarker_full.task"
        assert zipped.read("hipcheck/vision/models/pose_landmarker_full.task") == model.read_bytes()


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


def test_the_wheel_analyzes_real_footage_under_another_python(
    wheel: Path, posture_data: Path, tmp_path: Path
) -> None:
    """$HIPCHECK_EXTRA_PYTHON (CI sets the newest Python it finds, 3.13 here): a venv of it gets
    the wheel and its dependencies from the package index, and ``hipcheck analyze`` finds the
    shipped model and MediaPipe's native library there."""
    python = os.environ.get(EXTRA_PYTHON)
    if not python:
        pytest.skip(f"set {EXTRA_PYTHON}=python3.13 (or another Python) to install the wheel there")
    runs = subprocess.run(
        [python, "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    need(runs.returncode == 0, f"{EXTRA_PYTHON}={python} does not run: {runs.stderr.strip()}")
    version = tuple(int(v) for v in runs.stdout.split())
    assert (3, 10) <= version <= (3, 14), f"{python} is Python {version}, outside requires-python"
    venv = tmp_path / "venv"
    made = subprocess.run(
        [python, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300
    )
    assert made.returncode == 0, made.stderr[-3000:]
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env |= {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    analysed = subprocess.run(
        [str(venv / "bin" / "hipcheck"), "analyze", str(posture_data / CLIP), "--no-store",
         "--json"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert analysed.returncode == 0, analysed.stderr[-3000:]
    assert analysed.stderr == ""  # MediaPipe's start-up notes stay off the terminal
    summary = json.loads(analysed.stdout)["summary"]
    # 19 s of one man sitting at his webcam: found in (nearly) every sample, and sitting.
    assert summary["duration_s"] > 18
    assert summary["person_share"] > 0.9
    assert summary["state"] == "sitting" and summary["sitting_s"] > 15
    assert summary["away_s"] == 0 and summary["standing_s"] == 0
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import sys, hipcheck.vision.pose as p; print(*sys.version_info[:2]); print(p.__file__)"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    used_version, module = where.stdout.splitlines()
    assert tuple(int(v) for v in used_version.split()) == version
    assert Path(module).is_relative_to(venv)  # the installed wheel, not the source tree
