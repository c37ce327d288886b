"""Starting the bench app: ``packbench`` (the configured bench, or first-run setup) and ``packbench demo``.

The demo (``app.ui.demo``) runs a hub inside the process on a temporary SQLite file with the demo
catalog and orders, a simulated scale on a pseudo-terminal and a simulated Zebra printer on TCP, and
opens the bench already enrolled, with a demo panel that "scans" codes through the keyboard-wedge
path and puts parcels on the simulated scale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.ui.platform_check import check_or_explain


def bench_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("packbench", appauthor=False)) / "bench"


def _qt_app() -> Any:
    problem = check_or_explain()
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(3)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("packbench")
    return app


def device_hooks(settings: Any) -> dict[str, Any]:
    """The settings screen's device tests (scale, test label) for the settings being edited."""
    from app.devices.printers.uri import open_label_printer
    from app.devices.scales.base import open_scale

    def test_scale(s: Any) -> str:
        if not s.scale_port:
            raise ValueError("no scale port set")
        scale = open_scale(s.scale_port, s.scale_protocol, baudrate=s.scale_baud)
        try:
            return f"Scale says: {scale.read().describe()}"
        finally:
            close = getattr(scale, "close", None)
            if close:
                close()

    def test_printer(s: Any) -> str:
        from app.devices.cli import test_label
        from app.printing.zpl import render_zpl

        if not s.label_printer:
            raise ValueError("no label printer set")
        profile = s.printer_profile()
        zpl = render_zpl(test_label(profile.size, profile.dpi), profile=profile)
        open_label_printer(s.label_printer).send(zpl)
        return "Test label sent and confirmed by the printer."

    return {"test_scale": test_scale, "test_printer": test_printer}


def bench_window(bench: Any, *, save_settings: Any, **kw: Any) -> Any:
    """The bench window over a built bench (``app.bench.compose.Bench``): its devices, its settings."""
    from app.ui.main_window import BenchWindow

    hooks: dict[str, Any] = {**device_hooks(bench.settings), **kw}
    hooks.setdefault("scale_read", bench.scale_read)
    hooks.setdefault("printer_probe", bench.printer_probe)
    return BenchWindow(bench.engine, bench.settings, save_settings=save_settings, **hooks)


def run_bench(args: argparse.Namespace) -> int:
    """Open the configured bench; with no settings yet, the settings screen guides the first run."""
    from app.bench.compose import build_bench
    from app.bench.settings import BenchSettings
    from app.ui import theme

    app = _qt_app()
    data_dir = Path(getattr(args, "data_dir", None) or bench_data_dir())
    settings_path = data_dir / "settings.json"
    settings = BenchSettings.load(settings_path)
    theme.apply(app, settings.ui_scale)
    bench = build_bench(settings, data_dir)  # every label is made for this bench's printer profile
    if bench.engine.enrolled:
        bench.engine.start()
    window = bench_window(bench, save_settings=lambda s: s.save(settings_path))
    window.show()
    code: int = app.exec()
    bench.close()
    return code


def run_demo(args: argparse.Namespace) -> int:
    """The bench with an embedded hub and simulated devices (see ``app.ui.demo``)."""
    from app.ui.demo import run_demo as run

    return run(args)
