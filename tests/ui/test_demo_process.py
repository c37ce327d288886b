"""``packbench demo`` as a real process: it prints where its hub is and how to reach it, seeds returns to
receive, and Ctrl+C (SIGINT) or SIGTERM stop it cleanly, leaving nothing in the temp dir."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _start_demo(tmp: Path) -> tuple[subprocess.Popen[str], list[str]]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp))
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if line.startswith("  stop:"):
            return proc, lines
    proc.kill()
    raise AssertionError("the demo did not start: " + "\n".join(lines))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_demo_stops_cleanly_on_a_signal_and_leaves_no_temp_folders(tmp_path: Path, sig: signal.Signals) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc, lines = _start_demo(tmp)
    try:
        head = next(ln for ln in lines if ln.startswith("packbench demo: hub on "))
        url = head.split()[4]
        assert httpx.get(url + "/health", timeout=10).status_code == 200
        assert any("packbench hub token --badge AD-1001 --pin 4444 --db sqlite:///" in ln for ln in lines)
        assert any("open returns" in ln and "RMA-" in ln for ln in lines)
        assert any(p.name.startswith("packbench-demo-") for p in tmp.iterdir())  # it did use this temp dir
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    assert f"stopped ({sig.name})" in out
    assert [p.name for p in tmp.iterdir()] == []
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/health", timeout=2)
