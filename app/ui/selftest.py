"""``packbench self-test``: prove an install works without hardware or a screen.

Opens the real bench window offscreen over an embedded hub, reads the simulated scale through the
serial driver on a pseudo-terminal, prints a test label to the simulated Zebra printer over TCP,
checks the shipped resources, and exits 0 only when every check passed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import __version__
from app.resources import resources_dir
from app.ui.sounds import SOUNDS


def _check(results: list[dict[str, Any]], name: str, fn: Callable[[], str]) -> None:
    started = time.monotonic()
    try:
        detail = fn()
        ok = True
    except Exception as exc:  # every failure is reported, none stops the other checks
        detail, ok = f"{exc.__class__.__name__}: {exc}", False
    results.append({"check": name, "ok": ok, "detail": detail, "seconds": round(time.monotonic() - started, 3)})


# What Qt's offscreen platform says about every window it cannot size for a window manager: harmless
# here (there is no window manager), and not something a person checking an install should read.
OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints()",)


def _quiet_offscreen_noise() -> None:
    """Keep Qt's own messages on stderr, except the offscreen plugin's known harmless one."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(_kind: QtMsgType, _context: object, message: str) -> None:
        if not any(noise in message for noise in OFFSCREEN_NOISE):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def run_self_test() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    _quiet_offscreen_noise()

    from app.bench.compose import Bench, enrolled_bench
    from app.demo.embedded_hub import EmbeddedHub
    from app.devices.printers.tcp import TcpLabelPrinter
    from app.devices.scales.base import open_scale
    from app.devices.sim.scale_sim import ScaleSimulator
    from app.devices.sim.zebra_sim import ZebraSimulator
    from app.printing.layout import LABEL_4X6, Code128, Label, Text
    from app.printing.zpl import render_zpl
    from app.ui.main_window import BenchWindow
    from app.ui.sounds import SoundBoard

    results: list[dict[str, Any]] = []

    def resources() -> str:
        folder = resources_dir()
        missing = [f"sounds/{n}.wav" for n in SOUNDS if not (folder / "sounds" / f"{n}.wav").exists()]
        if missing:
            raise FileNotFoundError(", ".join(missing))
        return str(folder)

    _check(results, "resources", resources)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="packbench-selftest-") as tmp, ScaleSimulator("sics") as scale_sim:
        folder = Path(tmp)
        with ZebraSimulator() as printer_sim:
            scale = open_scale(scale_sim.port, "sics", timeout_s=2.0)
            scale_sim.set_weight(1234)
            _check(results, "scale (MT-SICS over a pty)", lambda: _expect(scale.read().describe(), "1234 g stable"))
            printer = TcpLabelPrinter(printer_sim.host, printer_sim.port)

            def label() -> str:
                printer.send(render_zpl(Label(LABEL_4X6, (Text(5, 5, "self-test"), Code128(5, 15, "SELFTEST")))))
                if len(printer_sim.printed) != 1:
                    raise RuntimeError(f"the printer holds {len(printer_sim.printed)} labels, expected 1")
                return f"1 label printed at {printer_sim.uri}"

            _check(results, "label printer (ZPL over TCP 9100)", label)
            (folder / "hub").mkdir()
            with EmbeddedHub(folder / "hub", orders=12) as hub:
                built: Bench | None = None
                window: Any = None

                def bench() -> str:
                    nonlocal window, built
                    built = enrolled_bench(
                        hub.url, folder / "bench", hub.enrolment_code, printer=printer, sync_interval_s=0.5
                    )
                    engine = built.engine
                    name = engine.station_name
                    engine.start()
                    leased = engine.lease(3)
                    window = BenchWindow(
                        engine,
                        built.settings,
                        save_settings=lambda s: None,
                        test_scale=lambda s: "",
                        test_printer=lambda s: "",
                        scale_read=scale.read,
                        sounds=SoundBoard(enabled=False),
                    )
                    window.show()
                    deadline = time.monotonic() + 10
                    while "1234 g" not in window.status.scale.text() and time.monotonic() < deadline:
                        app.processEvents()
                        time.sleep(0.02)
                    return f"enrolled {name}, leased {leased} orders; status bar: {window.status.scale.text()}"

                _check(results, "bench window with an embedded hub", bench)
                if window is not None:
                    _check(
                        results,
                        "live weight on screen",
                        lambda: _expect(window.status.scale.text(), "1234 g stable"),
                    )
                    window.shutdown()
                    window.close()
                if built is not None:
                    built.close()
            close = getattr(scale, "close", None)
            if close:
                close()
    ok = all(r["ok"] for r in results)
    print(json.dumps({"packbench": __version__, "ok": ok, "checks": results}, indent=2))
    return 0 if ok else 1


def _expect(text: str, wanted: str) -> str:
    if wanted not in text:
        raise AssertionError(f"expected {wanted!r} in {text!r}")
    return text
