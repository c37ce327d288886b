"""``packbench demo``: the bench over a hub inside the process, simulated devices, and the demo panel.

The hub runs on a temporary SQLite file with the demo catalog and orders, a few orders an earlier
bench shipped and RMAs open against some of them; the scale is simulated on a pseudo-terminal and the
Zebra printer on TCP. Ctrl+C or SIGTERM stop it cleanly: the window closes, the devices and the hub
stop, and the temporary folder is removed.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication

from app.bench.engine import BenchEngine
from app.demo.embedded_hub import EmbeddedHub
from app.devices.sim.scale_sim import ScaleSimulator
from app.devices.sim.zebra_sim import ZebraSimulator
from app.ui.demo_panel import DemoPanel
from app.ui.main_window import BenchWindow
from app.ui.sounds import SoundBoard


@dataclass
class DemoBench:
    hub: EmbeddedHub
    engine: BenchEngine
    window: BenchWindow
    panel: DemoPanel
    scale_sim: ScaleSimulator
    printer_sim: ZebraSimulator


@contextmanager
def demo_bench(folder: Path, *, orders: int = 60, sounds: SoundBoard | None = None) -> Iterator[DemoBench]:
    """The demo bench in ``folder`` (hub file, bench store), enrolled, with its lease taken; the window
    is built with the demo panel docked but not shown. Everything stops when the block ends."""
    from app.bench.compose import FROM_SETTINGS, enrolled_bench
    from app.bench.settings import BenchSettings
    from app.devices.printers.tcp import TcpLabelPrinter
    from app.ui.main import bench_window

    with (
        EmbeddedHub(folder, orders=orders, history=True) as hub,
        ScaleSimulator("sics") as scale_sim,
        ZebraSimulator() as printer_sim,
    ):
        settings = BenchSettings(
            hub_url=hub.url, scale_port=scale_sim.port, scale_protocol="sics", label_printer=printer_sim.uri
        )
        settings_path = folder / "bench" / "settings.json"
        settings.save(settings_path)
        bench = enrolled_bench(
            hub.url,
            folder / "bench",
            hub.enrolment_code,
            printer=TcpLabelPrinter(printer_sim.host, printer_sim.port),
            settings=settings,
            scale=FROM_SETTINGS,
            sync_interval_s=1.0,
        )
        engine = bench.engine
        window: BenchWindow | None = None
        panel: DemoPanel | None = None
        try:
            engine.start()
            engine.lease()
            window = bench_window(bench, save_settings=lambda s: s.save(settings_path), sounds=sounds)
            panel = DemoPanel(window, scale_sim, printer_sim, returns=hub.returns)
            window.addDockWidget(panel.area, panel)
            yield DemoBench(hub, engine, window, panel, scale_sim, printer_sim)
        finally:
            if panel is not None:
                panel.timer.stop()  # it reads the bench's store, which closes below
            if window is not None:
                window.shutdown()
                window.close()
            bench.close()


@contextmanager
def quit_on_signals(app: QApplication) -> Iterator[list[int]]:
    """SIGINT (Ctrl+C) and SIGTERM quit the Qt event loop, so the code after ``exec()`` cleans up.

    Python runs its signal handlers only when the interpreter gets control, which a running Qt loop
    does not give it: the C-level handler writes to a socket (``set_wakeup_fd``) that Qt watches, and
    the notifier's callback lets the Python handler run. The list yielded holds the signals received.
    """
    received: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        app.quit()

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def drain() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)

    notifier.activated.connect(drain)
    old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)
        signal.set_wakeup_fd(old_fd)
        notifier.setEnabled(False)
        reader.close()
        writer.close()


def print_start(demo: DemoBench, out: Any = sys.stdout) -> None:
    """What a new user needs on the terminal: where the hub is and how to reach it as an admin."""
    hub = demo.hub
    print(f"packbench demo: hub on {hub.url} (API docs at {hub.url}/docs)", file=out)
    print(
        f"  admin token: packbench hub token --badge AD-1001 --pin 4444 --db {hub.db_url}",
        file=out,
    )
    print("  sign in: packer PK-1001/1111, receiver RC-1001/2222, supervisor SV-1001/3333", file=out)
    if hub.returns:
        numbers = ", ".join(r.rma_number for r in hub.returns)
        print(f"  open returns (returns screen, F2): {numbers}", file=out)
    print("  stop: close the window or press Ctrl+C here", file=out, flush=True)


def run_demo(args: Any) -> int:
    """The bench with an embedded hub and simulated devices, for a first look (``packbench demo``)."""
    from app.ui import theme
    from app.ui.main import _qt_app

    app = _qt_app()
    theme.apply(app)
    orders = max(60, getattr(args, "orders", 60))
    with (
        quit_on_signals(app) as received,
        tempfile.TemporaryDirectory(prefix="packbench-demo-") as tmp,
        demo_bench(Path(tmp), orders=orders) as demo,
    ):
        print_start(demo)
        demo.window.show()
        code: int = 0 if received else app.exec()
    if received:
        print(f"packbench demo: stopped ({signal.Signals(received[0]).name}), temporary files removed", file=sys.stderr)
    return code
