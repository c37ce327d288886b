"""Bench fixtures: a seeded demo hub in this process (fast) or as a separate process (fault tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.demo.embedded_hub import EmbeddedHub, free_port
from app.hub import demo
from app.hub.database import make_engine, make_session_factory, migrate, unit_of_work

ROOT = Path(__file__).resolve().parents[2]
PACKBENCH = [sys.executable, "-m", "app"]


@pytest.fixture
def demo_hub(tmp_path: Path) -> Iterator[EmbeddedHub]:
    """The demo data (30 orders for bench BENCH-1 at WH-LDS) served by uvicorn on a thread."""
    with EmbeddedHub(tmp_path, orders=30) as hub:
        yield hub


@dataclass
class HubProcess:
    """``packbench hub serve`` as a real process that a test can stop and start again on the same port."""

    db_url: str
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        cmd = [*PACKBENCH, "hub", "serve", "--db", self.db_url, "--port", str(self.port), "--log-level", "warning"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"hub did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[tuple[HubProcess, str]]:
    """A seeded hub (demo data) as a separate process; yields it and the station enrolment code."""
    db_url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    migrate(db_url)
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        code = demo.seed(session, orders=40).enrolment_code
    engine.dispose()
    hub = HubProcess(db_url, free_port(), tmp_path / "hub.log")
    hub.start()
    try:
        yield hub, code
    finally:
        hub.stop()


def bench_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
