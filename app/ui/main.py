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
    """Scale reader, printer probe and test functions for the window, from the bench's settings."""
    from app.devices.errors import DeviceError
    from app.devices.printers.tcp import TcpLabelPrinter
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

    hooks: dict[str, Any] = {"test_scale": test_scale, "test_printer": test_printer}
    if settings.slip_printer:
        from app.devices.receipts import print_packing_slip

        uri = settings.slip_printer
        hooks["slip_printer"] = lambda slip: print_packing_slip(uri, slip)
    if settings.scale_port:
        scale = open_scale(settings.scale_port, settings.scale_protocol, baudrate=settings.scale_baud)
        hooks["scale_read"] = scale.read
    if settings.label_printer:
        printer = open_label_printer(settings.label_printer)
        hooks["printer"] = printer
        if isinstance(printer, TcpLabelPrinter):

            def probe() -> tuple[str, bool]:
                try:
                    st = printer.status()
                except DeviceError as exc:
                    return str(exc), False
                return ("ready", True) if not st.faults else ("; ".join(st.faults), False)

            hooks["printer_probe"] = probe
        else:
            hooks["printer_probe"] = lambda: ("ready (no status from this printer)", True)
    return hooks


def run_bench(args: argparse.Namespace) -> int:
    """Open the configured bench; with no settings yet, the settings screen guides the first run."""
    from app.bench.engine import BenchEngine
    from app.bench.packing import WeightTolerance
    from app.bench.settings import BenchSettings
    from app.ui import theme
    from app.ui.main_window import BenchWindow

    app = _qt_app()
    data_dir = Path(getattr(args, "data_dir", None) or bench_data_dir())
    settings_path = data_dir / "settings.json"
    settings = BenchSettings.load(settings_path)
    theme.apply(app, settings.ui_scale)
    hooks = device_hooks(settings)
    engine = BenchEngine(
        data_dir,
        hub_url=settings.hub_url,
        printer=hooks.pop("printer", None),
        slip_printer=hooks.pop("slip_printer", None),
        tolerance=WeightTolerance(settings.weight_tolerance_pct, settings.weight_tolerance_min_g),
        offline_sign_in_hours=settings.offline_sign_in_hours,
    )
    from app.bench.labels import HubLabels

    engine.labels = HubLabels(engine.client, settings.printer_profile())  # every label for this printer
    if engine.enrolled:
        engine.start()
    window = BenchWindow(engine, settings, save_settings=lambda s: s.save(settings_path), **hooks)
    window.show()
    code: int = app.exec()
    engine.close()
    return code


def run_demo(args: argparse.Namespace) -> int:
    """The bench with an embedded hub and simulated devices (see ``app.ui.demo``)."""
    from app.ui.demo import run_demo as run

    return run(args)


def hub_has_labels(engine: Any) -> bool:
    """True when the hub offers the carrier label path (else the demo uses the local fallback label)."""
    try:
        r = engine.client._http.get("/openapi.json")
        paths = r.json().get("paths", {}) if r.status_code == 200 else {}
    except Exception:
        return False
    return any(p.endswith("/label") for p in paths)
