"""A headless shift: a robot packer (and clerk) works through the real engine and the real device code.

The scale is the devices package's simulator on a pseudo-terminal, read through the real SICS
driver; labels go to the Zebra simulator over TCP through the real ``TcpLabelPrinter``; scans are
typed as a keyboard-wedge scanner types them (key stream with timings) and decoded by the real
wedge decoder. Shares of wrong scans, weight mismatches, short picks, damaged items, hub-side
cancellations and returns are configurable. The result is a JSON-able ``ShiftReport``.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.bench.compose import build_bench
from app.bench.engine import BenchEngine
from app.bench.feedback import Feedback, FeedbackKind
from app.bench.hub_client import HubOffline, HubRefused
from app.bench.model import PackOrder
from app.bench.packing import PackState
from app.bench.settings import BenchSettings
from app.bench.sync import Backoff, fault_point
from app.devices.printers.tcp import TcpLabelPrinter
from app.devices.scales.base import open_scale
from app.devices.scanners.wedge import KeyboardWedgeDecoder, WedgeScan
from app.devices.sim.scale_sim import ScaleSimulator
from app.devices.sim.wedge_sim import WedgeScannerSimulator
from app.devices.sim.zebra_sim import ZebraSimulator
from app.domain.returns import Condition, Disposition, default_disposition
from app.printing.profile import DEFAULT_PROFILE, PrinterProfile

_PW = re.compile(rb"\^PW(\d+)")


@dataclass
class ShiftConfig:
    hub_url: str
    data_dir: Path
    orders: int = 50
    enrol_code: str | None = None
    wrong_scan_share: float = 0.05
    weight_mismatch_share: float = 0.05
    short_pick_share: float = 0.02
    damaged_share: float = 0.01
    cancel_share: float = 0.0
    multi_parcel_share: float = 0.1
    returns_share: float = 0.05
    seed: int = 1
    lease_batch: int = 20
    packer: tuple[str, str] = ("PK-1001", "1111")
    receiver: tuple[str, str] = ("RC-1001", "2222")
    supervisor: tuple[str, str] = ("SV-1001", "3333")
    labels: str = "auto"  # auto | hub | local-fallback
    printer: PrinterProfile = DEFAULT_PROFILE  # the label printer's profile every label is made for
    offline_wait_s: float = 120.0  # how long to wait for the hub when there is nothing left to pack
    drain_timeout_s: float = 60.0
    pick: bool = False  # a robot picker picks cluster batches into totes first; the packer packs those totes
    pick_wrong_scan_share: float = 0.1  # share of stops with a wrong bin (and of those with a wrong item) scanned
    pick_short_share: float = 0.08  # share of stops short-picked (bin empty)


@dataclass
class ShiftReport:
    orders_attempted: int = 0
    orders_packed: int = 0
    orders_put_aside: int = 0
    orders_stopped_by_hub: int = 0
    labels_printed: int = 0
    labels_pending: int = 0
    label_source: str = ""
    label_widths: list[int] = field(default_factory=list)  # ^PW of every label format printed
    exceptions: dict[str, int] = field(default_factory=dict)
    weight_overrides: int = 0
    returns_received: int = 0
    units_returned: int = 0
    units_restocked: int = 0
    events_sent: int = 0
    events_applied: int = 0
    duplicates_rejected: int = 0
    events_rejected: int = 0
    outbox_pending: int = 0
    hub: dict[str, Any] = field(default_factory=dict)
    wall_seconds: float = 0.0
    balanced: bool = False
    picking: dict[str, Any] = field(default_factory=dict)  # with ``pick``: app.demo.pick_robot.PickReport

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Devices:
    """The simulated bench hardware, driven through the real drivers."""

    def __init__(self, seed: int) -> None:
        self.scale_sim = ScaleSimulator("sics").start()
        self.scale = open_scale(self.scale_sim.port, "sics", timeout_s=2.0)
        self.printer_sim = ZebraSimulator().start()
        self.printer = TcpLabelPrinter(self.printer_sim.host, self.printer_sim.port, timeout_s=3.0, settle_s=5.0)
        self.scanner = WedgeScannerSimulator(seed=seed)
        self.decoder = KeyboardWedgeDecoder()
        self._t = 0.0

    def scan(self, code: str, sink: Callable[[str], Feedback]) -> Feedback:
        """Type ``code`` as the scanner would and hand the decoded scan to ``sink``."""
        self._t += 1.0  # one second between scans on the scanner's clock
        result: Feedback | None = None
        for char, t in self.scanner.keystrokes(code, start=self._t):
            for ev in self.decoder.feed(char, t):
                if isinstance(ev, WedgeScan):
                    result = sink(ev.text)
        if result is None:
            raise RuntimeError(f"the wedge decoder did not recognise {code!r} as a scan")
        return result

    def close(self) -> None:
        close = getattr(self.scale, "close", None)
        if close is not None:
            close()
        self.scale_sim.stop()
        self.printer_sim.stop()


class RobotShift:
    def __init__(self, cfg: ShiftConfig) -> None:
        self.cfg = cfg
        self.rnd = random.Random(cfg.seed)
        self.report = ShiftReport()
        self.devices = Devices(cfg.seed)
        settings = BenchSettings(
            hub_url=cfg.hub_url, printer_dpi=cfg.printer.dpi, label_size=cfg.printer.size, label_printer=""
        )
        settings.extra["printer_unicode_font"] = cfg.printer.unicode_font
        try:
            self.bench = build_bench(
                settings,
                cfg.data_dir,
                printer=self.devices.printer,
                slip_printer=None,
                scale=None,
                labels=cfg.labels if cfg.labels in ("hub", "local-fallback") else "auto",  # type: ignore[arg-type]
                enrol_code=cfg.enrol_code,
                lease_batch=cfg.lease_batch,
                sync_interval_s=1.0,
                label_recheck_s=1.0,
                backoff=Backoff(base_s=0.2, cap_s=2.0, rng=random.Random(cfg.seed)),
            )
        except BaseException:
            self.devices.close()
            raise
        self.engine: BenchEngine = self.bench.engine
        self.store = self.bench.store
        self.supervisor_token = ""

    # ------------------------------------------------------------------ set up
    def _prepare(self) -> None:
        e = self.engine
        if not e.enrolled:
            raise SystemExit("this data folder has no enrolled bench: pass --enroll CODE")
        self.report.label_source = self.bench.label_source
        self.supervisor_token = e.sign_in(*self.cfg.supervisor).token
        e.sign_in(*self.cfg.packer)
        e.start()

    def run(self) -> ShiftReport:
        started = time.monotonic()
        try:
            self._prepare()
            self._resume_open_session()
            if self.cfg.pick:
                from app.demo.pick_robot import PickRobot

                self.report.picking = PickRobot(self).run().to_json()
            else:
                self._pack_orders()
            self._returns()
            self._drain()
            first = self.store.first_event_at()
            self._fill_report((first or datetime.now(UTC)) - timedelta(seconds=5))
        finally:
            self.bench.close()
            self.devices.close()
        self.report.wall_seconds = round(time.monotonic() - started, 2)
        return self.report

    # ------------------------------------------------------------------ packing
    def _next_order(self) -> PackOrder | None:
        waited_since: float | None = None
        while True:
            todo = self.engine.orders_to_pack(1)
            if todo:
                return todo[0]
            remaining = self.cfg.orders - self.report.orders_attempted
            try:
                if self.engine.lease(min(self.cfg.lease_batch, remaining)) == 0:
                    return None  # the queue is empty
                continue
            except HubOffline:
                waited_since = waited_since or time.monotonic()
                if time.monotonic() - waited_since > self.cfg.offline_wait_s:
                    return None
                time.sleep(0.2)

    def _resume_open_session(self) -> None:
        """After a crash the engine restored the session: finish the order in hand first."""
        if self.engine.pack.state in (PackState.SCANNING, PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            order = self.engine.pack.order
            if order is not None:
                self.report.orders_attempted += 1
                self._finish_order(order, resumed=True)

    def _pack_orders(self) -> None:
        while self.report.orders_attempted < self.cfg.orders:
            order = self._next_order()
            if order is None:
                break
            self.report.orders_attempted += 1
            if self.rnd.random() < self.cfg.cancel_share:
                self._cancel_at_hub(order)
            fb = self._scan(order.number)
            if fb.kind in (FeedbackKind.CANCELLED, FeedbackKind.ON_HOLD):
                self.report.orders_stopped_by_hub += 1
                continue
            if fb.kind != FeedbackKind.ORDER_STARTED:
                raise RuntimeError(f"robot could not start {order.number}: {fb.message}")
            self._finish_order(order)

    def _cancel_at_hub(self, order: PackOrder) -> None:
        """Play the customer service desk: cancel a leased order at the hub, then let the bench sync."""
        try:
            self.engine.client.cancel_order(self.supervisor_token, order.number, "customer cancelled")
            self.engine.syncer.renew()
        except (HubOffline, HubRefused):
            pass

    def _finish_order(self, order: PackOrder, *, resumed: bool = False) -> None:
        e = self.engine
        left = [sku for sku, q in sorted(e.pack.outstanding().items()) for _ in range(q)]
        roll = self.rnd.random()
        if not resumed and roll < self.cfg.short_pick_share and len(left) > 1:
            self._scan_item(left[0])
            self._end(self._scan("CMD:SHORT_PICK"))
            return
        if not resumed and roll < self.cfg.short_pick_share + self.cfg.damaged_share:
            self._scan_item(left[0])
            self._end(self._scan("CMD:DAMAGED"))
            return
        split_after = len(left) // 2 if len(left) >= 3 and self.rnd.random() < self.cfg.multi_parcel_share else -1
        for i, sku in enumerate(left):
            while e.pack.state in (PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
                self._weigh()  # a parcel closed before this item: weigh it first
            if self.rnd.random() < self.cfg.wrong_scan_share:
                self._wrong_scan(order)
            fb = self._scan_item(sku)
            if fb.kind != FeedbackKind.RIGHT:
                raise RuntimeError(f"robot scan of {sku} for {order.number} refused: {fb.message}")
            if i + 1 == split_after:
                self._scan("CMD:CLOSE_PARCEL")
        while e.pack.state in (PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            self._weigh()
        self._end(None)

    def _end(self, fb: Feedback | None) -> None:
        e = self.engine
        if e.pack.state == PackState.SLIP:
            self.report.orders_packed += 1
            e.pack_command("SLIP_DONE")
        elif e.pack.state == PackState.HELD:
            self.report.orders_put_aside += 1
        elif e.pack.state == PackState.DONE:
            self.report.orders_packed += 1
        else:
            raise RuntimeError(f"order ended in state {e.pack.state}: {fb.message if fb else ''}")

    def _scan(self, code: str) -> Feedback:
        return self.devices.scan(code, self.engine.scan)

    def _scan_item(self, sku: str) -> Feedback:
        product = self.store.product(sku)
        code = product.barcodes[0] if product and product.barcodes else sku
        fb = self._scan(code)
        pack = self.engine.pack
        if pack.state == PackState.SCANNING and any(p.items for p in pack.parcels):
            fault_point("mid_scan")  # crash tests: SIGKILL with an order half scanned (PACKBENCH_FAULT)
        return fb

    def _wrong_scan(self, order: PackOrder) -> None:
        others = [p for p in self._all_products() if p not in order.lines]
        if others:
            fb = self._scan_item(self.rnd.choice(others))
            assert fb.kind == FeedbackKind.WRONG_ITEM, fb.message

    def _all_products(self) -> list[str]:
        skus: set[str] = set()
        for o in self.store.orders_to_pack():
            skus.update(o.lines)
        current = self.engine.pack.order
        if current:
            skus.update(current.lines)
        return sorted(skus)

    def _read_stable(self) -> Feedback:
        """Read the scale through its driver until the engine takes a stable reading."""
        for _ in range(50):
            fb = self.engine.weigh(self.devices.scale.read())
            if fb.kind != FeedbackKind.WAITING:
                return fb
            time.sleep(0.01)
        raise RuntimeError("the scale never settled")

    def _weigh(self) -> None:
        e = self.engine
        parcel = e.pack.current
        assert parcel is not None
        if parcel.carton_code is None:
            e.pack_command("CARTON", code=max(self.store.cartons(), key=lambda c: c.inner.volume_mm3).code)
        expected = e.pack.expected_weight_g(parcel)
        mismatch = self.rnd.random() < self.cfg.weight_mismatch_share
        sim = self.devices.scale_sim
        sim.set_motion(True)
        self.engine.weigh(self.devices.scale.read())  # a parcel landing: in motion, does not count
        sim.set_weight(expected + (max(150, expected // 4) if mismatch else self.rnd.randint(-5, 5)))
        fb = self._read_stable()
        if fb.kind == FeedbackKind.WEIGHT_MISMATCH:
            if self.rnd.random() < 0.5:
                fb = self._scan(self.cfg.supervisor[0])  # the supervisor vouches for it
                self.report.weight_overrides += 1
            else:
                sim.set_weight(expected)  # the packer finds the extra item and takes it out
                fb = self._read_stable()
        sim.set_weight(0)

    # ------------------------------------------------------------------ returns
    def _returns(self) -> None:
        packed = self._packed_orders()
        count = round(len(packed) * self.cfg.returns_share)
        if not count:
            return
        try:
            self.engine.sync_now()  # the hub must have the orders as packed before it takes returns
        except HubOffline:
            return
        e = self.engine
        e.sign_in(*self.cfg.receiver)
        for i, (number, lines) in enumerate(self.rnd.sample(packed, count)):
            sku = sorted(lines)[0]
            rma_lines = {sku: lines[sku]}
            try:
                rma = e.client.create_rma(self.supervisor_token, number, rma_lines, f"RT{number[2:]}{i}")
            except (HubOffline, HubRefused):
                continue
            code = (rma["number"], number, rma["return_tracking_number"])[i % 3]
            fb = e.return_scan(code)
            if fb.kind != FeedbackKind.RETURN_STARTED:
                continue
            for _ in range(lines[sku]):
                self._scan_return_item(sku)
                cond = self.rnd.choices(list(Condition), weights=[70, 15, 10, 5])[0]
                e.return_grade(cond)
                disp = default_disposition(cond)
                e.return_dispose(disp)
                self.report.units_returned += 1
                if disp == Disposition.RESTOCK:
                    self.report.units_restocked += 1
            if e.return_finish().kind == FeedbackKind.RECEIVED:
                self.report.returns_received += 1

    def _scan_return_item(self, sku: str) -> None:
        product = self.store.product(sku)
        code = product.barcodes[0] if product and product.barcodes else sku
        self.devices.scan(code, self.engine.return_scan)

    def _packed_orders(self) -> list[tuple[str, dict[str, int]]]:
        out = []
        for ev in self.store.outbox_events():
            if ev["type"] == "order_packed" and ev["outbox_status"] != "rejected":
                items: Counter[str] = Counter()
                for p in ev["payload"]["parcels"]:
                    items.update(p["items"])
                out.append((ev["payload"]["order_number"], dict(items)))
        return out

    # ------------------------------------------------------------------ end of shift
    def _drain(self) -> None:
        """Push everything and print what waited, until the outbox is empty (or the hub stays away)."""
        deadline = time.monotonic() + self.cfg.drain_timeout_s
        while time.monotonic() < deadline:
            try:
                self.engine.sync_now()
            except HubOffline:
                time.sleep(0.2)
                continue
            if not self.store.outbox_depth() and not self.store.pending_labels():
                return
            time.sleep(0.05)

    def _fill_report(self, since: datetime) -> None:
        r = self.report
        store = self.store
        counts = store.outbox_counts()
        r.events_sent = counts.get("applied", 0) + counts.get("duplicate", 0) + counts.get("rejected", 0)
        r.duplicates_rejected = counts.get("duplicate", 0)
        r.events_rejected = counts.get("rejected", 0)
        r.outbox_pending = counts.get("pending", 0)
        kinds: Counter[str] = Counter()
        for ev in store.outbox_events():
            if ev["type"] == "pack_exception":
                kinds[ev["payload"]["kind"]] += 1
            if ev["type"] == "label_printed":
                r.labels_printed += 1
        r.exceptions = dict(sorted(kinds.items()))
        r.labels_pending = len(store.pending_labels())
        r.label_widths = sorted({int(m.group(1)) for f in self.devices.printer_sim.printed if (m := _PW.search(f))})
        try:
            hub = self.engine.client.shift_report(self.supervisor_token, since.isoformat())
        except (HubOffline, HubRefused) as exc:
            r.hub = {"error": str(exc)}
        else:
            r.events_applied = int(hub.get("events_applied", 0))
            r.hub = {
                "orders_packed": hub.get("orders_packed"),
                "exceptions_by_kind": hub.get("exceptions_by_kind"),
                "units_restocked": hub.get("units_restocked"),
            }
        r.balanced = (
            r.events_sent == r.events_applied
            and r.outbox_pending == 0
            and r.orders_packed + r.orders_put_aside + r.orders_stopped_by_hub == r.orders_attempted
        )


def run_shift(cfg: ShiftConfig) -> ShiftReport:
    return RobotShift(cfg).run()
