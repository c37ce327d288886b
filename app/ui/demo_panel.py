"""The demo's stand-in for hardware: scan codes at a scanner's speed, put parcels on the simulated scale.

Scans are typed into the app as key events at the timing of a real keyboard-wedge scanner, so they
travel the same path as a real scan (the wedge decoder tells them from typing). The scale buttons
set the simulated scale on its pseudo-terminal; the app reads it through the real serial driver.
"""

from __future__ import annotations

import random
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bench.packing import PackState
from app.devices.sim.wedge_sim import WedgeScannerSimulator


def type_like_a_scanner(code: str, target: QWidget, simulator: WedgeScannerSimulator | None = None) -> None:
    """Post ``code`` + Enter to ``target`` as key events spaced as a wedge scanner spaces them."""
    sim = simulator or WedgeScannerSimulator()
    for char, offset in sim.keystrokes(code):
        key = Qt.Key.Key_Return if char == "\r" else Qt.Key(ord(char.upper())) if char.isalnum() else Qt.Key.Key_unknown

        def send(c: str = char, k: Qt.Key = key) -> None:
            focus = QApplication.focusWidget() or target
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.postEvent(focus, QKeyEvent(kind, k, Qt.KeyboardModifier.NoModifier, c))

        QTimer.singleShot(round(offset * 1000), send)


class DemoPanel(QDockWidget):
    area = Qt.DockWidgetArea.RightDockWidgetArea

    def __init__(self, window: Any, scale_sim: Any, printer_sim: Any) -> None:
        super().__init__(window.tr("Demo: simulated scanner and scale"))
        self.window_ = window
        self.scale_sim = scale_sim
        self.printer_sim = printer_sim
        self.scanner = WedgeScannerSimulator()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel(self.tr("Double-click a code to scan it:")))
        self.codes = QListWidget()
        self.codes.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.codes.itemDoubleClicked.connect(self._scan_item)
        layout.addWidget(self.codes, 1)
        for text, handler in [
            (self.tr("Put the parcel on the scale"), self.right_weight),
            (self.tr("Put a wrong weight (+300 g)"), self.wrong_weight),
            (self.tr("Wobble the scale"), lambda: self.scale_sim.set_motion(True)),
            (self.tr("Empty the scale"), lambda: self.scale_sim.set_weight(0)),
            (self.tr("Printer: paper out / back"), self.toggle_paper),
        ]:
            b = QPushButton(text)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(handler)
            layout.addWidget(b)
        self.printed = QLabel("")
        layout.addWidget(self.printed)
        self.setWidget(body)
        self.timer = QTimer(self)
        self.timer.setInterval(700)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self._last: list[str] = []

    def suggestions(self) -> list[tuple[str, str]]:
        """(code, what it is) pairs that make sense now."""
        engine = self.window_.engine
        pack = engine.pack
        out: list[tuple[str, str]] = []
        order = pack.order
        if order is not None and pack.state == PackState.SCANNING:
            for sku, left in pack.outstanding().items():
                p = engine.store.product(sku)
                code = p.barcodes[0] if p and p.barcodes else sku
                out.append((code, f"{p.name if p else sku} (still {left})"))
            others = [o for o in engine.orders_to_pack() if o.number != order.number]
            for o in others[:1]:
                for sku in o.lines:
                    if sku not in order.lines:
                        p = engine.store.product(sku)
                        out.append((p.barcodes[0] if p and p.barcodes else sku, "a WRONG item"))
                        break
            out.append(("CMD:SHORT_PICK", "command card: short pick"))
        elif pack.state == PackState.WEIGHT_MISMATCH:
            out.append(("SV-1001", "supervisor badge: accept the weight"))
        elif pack.state == PackState.SLIP:
            out.append(("CMD:SLIP_DONE", "command card: packing slip done"))
        for o in engine.orders_to_pack()[:8]:
            out.append((o.number, f"order, {sum(o.lines.values())} unit(s)"))
        out.append(("9999999999994", "an unknown product code"))
        return out

    def refresh(self) -> None:
        rows = [f"{code}    {what}" for code, what in self.suggestions()]
        if rows != self._last:
            self._last = rows
            self.codes.clear()
            for code, what in self.suggestions():
                item = QListWidgetItem(f"{code}    — {what}")
                item.setData(Qt.ItemDataRole.UserRole, code)
                self.codes.addItem(item)
        self.printed.setText(
            self.tr("Labels printed by the simulated printer: %1").replace("%1", str(len(self.printer_sim.printed)))
        )

    def _scan_item(self, item: QListWidgetItem) -> None:
        type_like_a_scanner(str(item.data(Qt.ItemDataRole.UserRole)), self.window_, self.scanner)

    def _expected(self) -> int | None:
        pack = self.window_.engine.pack
        parcel = pack.current
        return pack.expected_weight_g(parcel) if parcel is not None else None

    def right_weight(self) -> None:
        expected = self._expected()
        if expected is not None:
            self.scale_sim.set_weight(expected + random.randint(-5, 5))

    def wrong_weight(self) -> None:
        expected = self._expected()
        self.scale_sim.set_weight((expected or 500) + 300)

    def toggle_paper(self) -> None:
        self.printer_sim.set_paper_out(not self.printer_sim.paper_out)
