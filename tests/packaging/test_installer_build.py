"""The PyInstaller one-folder build (installer.spec) builds here and the built app works offscreen."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("PyInstaller") is None,
        reason="PyInstaller is not installed (pip install -e '.[packaging]')",
    ),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/packbench built from installer.spec into a temporary folder (about two minutes)."""
    out = tmp_path_factory.mktemp("pyinstaller")
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    cmd += ["--distpath", str(out / "dist"), "--workpath", str(out / "build"), str(ROOT / "installer.spec")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    return out / "dist" / "packbench"


def program(folder: Path) -> Path:
    name = "packbench-console.exe" if sys.platform == "win32" else "packbench"
    return folder / name


def run_built(folder: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [str(program(folder)), *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=folder, check=False
    )


def test_the_built_folder_holds_the_resources_and_the_migrations(built: Path) -> None:
    internal = built / "_internal"
    assert program(built).is_file()
    assert sorted(p.name for p in (internal / "resources" / "sounds").glob("*.wav"))
    assert (internal / "app" / "hub" / "migrations" / "env.py").is_file()
    assert list((internal / "app" / "hub" / "migrations" / "versions").glob("0001_*.py"))
    assert list((internal / "PySide6" / "Qt" / "plugins" / "platforms").iterdir())


def test_the_built_app_reports_its_version(built: Path) -> None:
    done = run_built(built, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"packbench {__version__}"


def test_the_built_app_passes_its_self_test_offscreen(built: Path) -> None:
    done = run_built(built, "self-test", timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout[done.stdout.index("{") :])
    checks = report["checks"] if isinstance(report, dict) and "checks" in report else report
    failed = [c for c in checks if not c["ok"]]
    assert checks and not failed, failed
