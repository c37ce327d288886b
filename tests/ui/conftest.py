"""A real bench window over an embedded hub, a simulated scale on a pty and a simulated Zebra on TCP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.bench.compose import enrolled_bench
from app.bench.engine import BenchEngine
from app.bench.feedback import Feedback, FeedbackKind
from app.bench.settings import BenchSettings
from app.demo.embedded_hub import EmbeddedHub
from app.devices.printers.tcp import TcpLabelPrinter
from app.devices.scales.base import open_scale
from app.devices.sim.scale_sim import ScaleSimulator
from app.devices.sim.zebra_sim import ZebraSimulator
from app.ui.main import bench_window
from app.ui.main_window import BenchWindow
from app.ui.sounds import SoundBoard


@dataclass
class Bench:
    qtbot: QtBot
    window: BenchWindow
    engine: BenchEngine
    hub: EmbeddedHub
    scale_sim: ScaleSimulator
    printer_sim: ZebraSimulator
    heard: list[str]

    def scan(self, code: str, widget: Any = None) -> None:
        """Type ``code`` + Enter at scanner speed into the window, as a keyboard-wedge scanner does."""
        target = widget or self.window.stack.currentWidget()
        self.qtbot.keyClicks(target, code)
        self.qtbot.keyClick(target, "\r")

    def scan_and_wait(self, code: str, screen: Any = None) -> Feedback:
        screen = screen or self.window.stack.currentWidget()
        before = len(screen.history)
        self.scan(code)
        self.qtbot.waitUntil(lambda: len(screen.history) > before, timeout=15000)
        fb: Feedback = screen.history[-1]
        return fb

    def wait_kind(self, screen: Any, *kinds: FeedbackKind, timeout: int = 15000) -> Feedback:
        self.qtbot.waitUntil(lambda: bool(screen.history) and screen.history[-1].kind in kinds, timeout=timeout)
        fb: Feedback = screen.history[-1]
        return fb

    def sign_in(self, badge: str, pin: str) -> None:
        s = self.window.signin
        self.window.show_screen("signin")
        s.badge.setText(badge)
        s.pin.setText(pin)
        with self.qtbot.waitSignal(s.signed_in, timeout=15000):
            s.submit()

    def drain(self) -> None:
        """Wait until the outbox is empty (the sync thread pushed everything)."""
        deadline = time.monotonic() + 30
        while self.engine.store.outbox_depth() and time.monotonic() < deadline:
            self.engine.syncer.kick()
            self.qtbot.wait(100)
        assert self.engine.store.outbox_depth() == 0


@pytest.fixture
def bench(qtbot: QtBot, tmp_path: Path) -> Iterator[Bench]:
    (tmp_path / "hub").mkdir()
    with (
        EmbeddedHub(tmp_path / "hub", orders=40) as hub,
        ScaleSimulator("sics") as scale_sim,
        ZebraSimulator() as printer_sim,
    ):
        printer = TcpLabelPrinter(printer_sim.host, printer_sim.port, timeout_s=3.0, settle_s=5.0)
        settings = BenchSettings(hub_url=hub.url, scale_port=scale_sim.port, label_printer=printer_sim.uri)
        built = enrolled_bench(
            hub.url,
            tmp_path / "bench",
            hub.enrolment_code,
            printer=printer,
            settings=settings,
            scale=open_scale(scale_sim.port, "sics", timeout_s=3.0),
            sync_interval_s=0.3,
        )
        engine = built.engine
        engine.start()
        engine.lease(5)
        sounds = SoundBoard(enabled=False)
        heard: list[str] = []
        sounds.played.connect(heard.append)
        window = bench_window(
            built,
            save_settings=lambda s: s.save(tmp_path / "settings.json"),
            test_scale=lambda s: "ok",
            test_printer=lambda s: "ok",
            sounds=sounds,
        )
        qtbot.addWidget(window)
        window.show()
        try:
            yield Bench(qtbot, window, engine, hub, scale_sim, printer_sim, heard)
        finally:
            window.shutdown()
            built.close()
