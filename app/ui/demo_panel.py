"""The demo's stand-in for hardware: scan codes at a scanner's speed, put parcels on the simulated scale.

Scans are typed into the app as key events at the timing of a real keyboard-wedge scanner, so they
travel the same path as a real scan (the wedge decoder tells them from typing). The scale buttons
set the simulated scale on its pseudo-terminal; the app reads it through the real serial driver.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
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
from app.bench.picking import PickState
from app.bench.receiving import ReturnState
from app.devices.sim.wedge_sim import WedgeScannerSimulator
from app.domain.returns import Condition, Disposition
from app.hub.demo import DEMO_OPERATORS, DemoReturn
from app.ui.demo_pick import pick_suggestions

# (badge, PIN, role) of the demo's operators: the panel scans a badge on the sign-in screen.
DEMO_BADGES = [(badge, pin, role) for _name, badge, pin, role in DEMO_OPERATORS]


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
    """Docked on the right at a fixed width, so the bench window with it still fits 1366 x 768; it can
    be pulled out as a window of its own. What it offers to scan follows the screen and the step."""

    area = Qt.DockWidgetArea.RightDockWidgetArea
    WIDTH_PX = 290

    def __init__(self, window: Any, scale_sim: Any, printer_sim: Any, returns: Sequence[DemoReturn] = ()) -> None:
        super().__init__(window.tr("Demo: scanner and scale"))
        self.setObjectName("demo_panel")
        self.window_ = window
        self.scale_sim = scale_sim
        self.printer_sim = printer_sim
        self.returns = list(returns)
        self.scanner = WedgeScannerSimulator()
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        body = QWidget()
        body.setObjectName("demo_body")
        body.setFixedWidth(self.WIDTH_PX)
        body.setStyleSheet("QWidget#demo_body, QWidget#demo_body * { font-size: 11pt; }")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        hint = QLabel(self.tr("Double-click a code to scan it:"))
        layout.addWidget(hint)
        self.codes = QListWidget()
        self.codes.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.codes.setWordWrap(True)
        self.codes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.codes.itemDoubleClicked.connect(self._scan_item)
        layout.addWidget(self.codes, 1)
        self.buttons: dict[str, QPushButton] = {}
        for word, text, handler in [
            ("right", self.tr("Put the parcel on the scale"), self.right_weight),
            ("wrong", self.tr("Put a wrong weight (+300 g)"), self.wrong_weight),
            ("wobble", self.tr("Wobble the scale"), lambda: self.scale_sim.set_motion(True)),
            ("empty", self.tr("Take the parcel off the scale"), lambda: self.scale_sim.set_weight(0)),
            ("paper", self.tr("Printer: paper out / back"), self.toggle_paper),
        ]:
            b = QPushButton(text)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(handler)
            layout.addWidget(b)
            self.buttons[word] = b
        self.printed = QLabel("")
        self.printed.setWordWrap(True)
        layout.addWidget(self.printed)
        self.setWidget(body)
        self.timer = QTimer(self)
        self.timer.setInterval(700)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self._last: list[tuple[str, str]] = []
        # Read on the window's worker thread (never the GUI's): carton codes and a wrong item to offer.
        self._cartons: list[tuple[str, str]] = []
        self._wrong: tuple[str, str] | None = None  # (order number in hand, code of an item not on it)
        self._gathering = False
        self.refresh()

    def suggestions(self) -> list[tuple[str, str]]:
        """(code, what it is) pairs that make sense on the screen showing, at the step in hand."""
        screen = self.window_.current()
        if screen == "signin":
            return [(badge, f"{role} badge, then type PIN {pin}") for badge, pin, role in DEMO_BADGES]
        if screen == "returns":
            return self._return_suggestions()
        if screen == "pack":
            return self._pack_suggestions()
        if screen == "orders":  # the order desk finds an order by any of its keys
            waiting = [(o.number, "an order waiting at this bench") for o in self.window_.engine.orders_to_pack()[:2]]
            shipped = [(r.order_number, "a shipped order, by number") for r in self.returns[:1]]
            shipped += [
                (r.return_tracking_number, f"order {r.order_number} by its return label") for r in self.returns[:1]
            ]
            return waiting + shipped
        if screen == "pick":
            return pick_suggestions(self.window_.pick.view)
        return []

    def _pack_suggestions(self) -> list[tuple[str, str]]:
        screen = self.window_.pack
        view = screen.view
        orders = screen.queue_view_.orders
        out: list[tuple[str, str]] = []
        if view.order_number is not None and view.state == PackState.SCANNING:
            for ln in view.lines:
                if ln.quantity > ln.scanned:
                    out.append((ln.code, f"{ln.name} (still {ln.quantity - ln.scanned})"))
            if self._wrong is not None and self._wrong[0] == view.order_number:
                out.append((self._wrong[1], "a WRONG item"))
            out.append(("CMD:CLOSE_PARCEL", "command card: close this parcel"))
            out.append(("CMD:SHORT_PICK", "command card: short pick"))
        elif view.state in (PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            parcel = view.parcel
            if view.state == PackState.WEIGHT_MISMATCH:
                out.append(("SV-1001", "supervisor badge: accept the weight"))
            what = "no carton fits: scan the one you use" if parcel and parcel.carton_code is None else "another carton"
            for code, name in self._cartons:
                out.append((code, f"carton {name}: {what}"))
        elif view.state == PackState.SLIP:
            out.append(("CMD:SLIP_DONE", "command card: packing slip done"))
        if view.state not in (PackState.SCANNING, PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            picks = self.window_.pick.view  # the pick screen's last view: its totes are ready to pack
            out += pick_suggestions(picks) if picks.state == PickState.DONE else []
        for o in orders[:8]:
            out.append((o.number, f"order, {sum(o.lines.values())} unit(s)"))
        out.append(("9999999999994", "an unknown product code"))
        return out

    def _gather(
        self, view: Any, orders: Sequence[Any], cartons: list[tuple[str, str]]
    ) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
        """On the worker thread: the cartons (read once), and an item of another order to scan as the wrong one."""
        engine = self.window_.engine
        cartons = cartons or [(c.code, c.name) for c in engine.cartons()]
        wrong = None
        if view.order_number is not None:
            skus = {ln.sku for ln in view.lines}
            for o in orders:
                sku = next((s for s in o.lines if s not in skus), None)
                if o.number != view.order_number and sku is not None:
                    p = engine.product(sku)
                    wrong = (view.order_number, p.barcodes[0] if p and p.barcodes else sku)
                    break
        return cartons, wrong

    def _gathered(self, found: tuple[list[tuple[str, str]], tuple[str, str] | None]) -> None:
        self._gathering = False
        self._cartons, self._wrong = found

    def _gather_failed(self, _exc: Exception) -> None:
        self._gathering = False

    def _return_suggestions(self) -> list[tuple[str, str]]:
        session = self.window_.returns.view
        state = ReturnState(session.state)
        if state == ReturnState.SCANNING:
            codes = (
                {ln.sku: (ln.barcodes[0] if ln.barcodes else ln.sku) for ln in session.rma.lines} if session.rma else {}
            )
            out = [(codes.get(sku, sku), f"returned item {sku} (still {n})") for sku, n in session.outstanding.items()]
            return [*out, ("CMD:DONE", "command card: finish the return")]
        if state == ReturnState.GRADING:
            return [(f"CMD:{c.value.upper()}", f"grade: {c.value}") for c in Condition]
        if state == ReturnState.DISPOSING:
            return [(f"CMD:{d.value.upper()}", f"goes to: {d.value.replace('_', ' ')}") for d in Disposition]
        if state == ReturnState.CHOOSING:
            return [(r.number, f"RMA for order {r.order_number}") for r in session.candidates]
        out = []
        for r in self.returns:
            out += [
                (r.rma_number, f"return of order {r.order_number} by RMA number"),
                (r.return_tracking_number, f"the same return by its return label ({r.rma_number})"),
                (r.order_number, f"the same return by order number ({r.rma_number})"),
            ]
        return out

    def refresh(self) -> None:
        view, orders, cartons = self.window_.pack.view, self.window_.pack.queue_view_.orders, self._cartons
        wrong_for = self._wrong[0] if self._wrong else None
        if not self._gathering and (not cartons or (view.order_number and view.order_number != wrong_for)):
            self._gathering = True
            self.window_.runner.run(lambda: self._gather(view, orders, cartons), self._gathered, self._gather_failed)
        rows = self.suggestions()
        if rows != self._last:
            self._last = rows
            self.codes.clear()
            for code, what in rows:
                item = QListWidgetItem(f"{code}\n   {what}")
                item.setData(Qt.ItemDataRole.UserRole, code)
                self.codes.addItem(item)
        self.printed.setText(
            self.tr("Labels printed by the simulated printer: %1").replace("%1", str(len(self.printer_sim.printed)))
        )

    def _scan_item(self, item: QListWidgetItem) -> None:
        type_like_a_scanner(str(item.data(Qt.ItemDataRole.UserRole)), self.window_, self.scanner)

    def _expected(self) -> int | None:
        parcel = self.window_.pack.view.parcel
        return parcel.expected_g if parcel is not None else None

    def right_weight(self) -> None:
        expected = self._expected()
        if expected is not None:
            self.scale_sim.set_weight(expected + random.randint(-5, 5))

    def wrong_weight(self) -> None:
        expected = self._expected()
        self.scale_sim.set_weight((expected or 500) + 300)

    def toggle_paper(self) -> None:
        self.printer_sim.set_paper_out(not self.printer_sim.paper_out)
