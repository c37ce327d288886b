"""The robot picker of ``packbench demo --headless --pick``: cluster batches into totes through the real engine,
then the robot packer scans those totes at the pack bench and packs their orders.

Every scan is typed as a keyboard-wedge scanner types it and decoded by the real wedge decoder (the
shift's devices). The robot makes some wrong scans (a wrong bin, a wrong item; each must be refused
and change nothing) and some short picks (bin empty: the hub offers the next bin or holds the order).
Its report is the ``picking`` object of the shift report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from app.bench.feedback import Feedback, FeedbackKind
from app.bench.hub_client import HubOffline
from app.bench.picking import PickState, PickStop

if TYPE_CHECKING:
    from app.demo.shift import RobotShift

K = FeedbackKind
TOTES_PER_CART = 4


@dataclass
class PickReport:
    batches: int = 0
    lines: int = 0  # stops confirmed with at least one unit
    units_picked: int = 0
    short_picks: int = 0
    wrong_scans_refused: int = 0
    totes: int = 0
    orders_picked: int = 0
    orders_held_at_pick: int = 0
    orders_from_totes_packed: int = 0
    walk: list[list[int]] = field(default_factory=list)  # per batch: walk_seq of its stops in the order visited

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class PickRobot:
    def __init__(self, shift: RobotShift) -> None:
        self.shift = shift
        self.engine = shift.engine
        self.cfg = shift.cfg
        self.rnd = shift.rnd
        self.report = PickReport()
        self.totes_to_pack: list[str] = []
        self._tote_no = 0

    def _scan(self, code: str) -> Feedback:
        return self.shift.devices.scan(code, self.engine.picking.scan)

    def run(self) -> PickReport:
        while self.report.orders_picked < self.cfg.orders:
            want = min(TOTES_PER_CART, self.cfg.orders - self.report.orders_picked)
            try:
                fb = self.engine.picking.lease_batch("cluster", max_orders=want, totes=want)
            except HubOffline:
                break
            if fb.kind != K.BATCH_STARTED:
                break  # the queue is empty (or the hub is away)
            self._pick_batch()
        self._pack_totes()
        return self.report

    # ------------------------------------------------------------------ picking
    def _pick_batch(self) -> None:
        s = self.engine.picking.session
        self.report.batches += 1
        while s.state == PickState.TOTES:
            self._tote_no += 1
            fb = self._scan(f"TOTE-R{self._tote_no:04d}")
            if fb.kind != K.TOTE_ASSIGNED:
                raise RuntimeError(f"robot tote refused: {fb.message}")
        while s.state not in (PickState.DONE, PickState.IDLE):
            stop = s.current
            assert stop is not None
            self._pick_stop(stop)
        self.report.walk.append(list(s.visited))
        self.report.orders_picked += len(s.orders)
        self.report.orders_held_at_pick += len(s.held)
        self.report.totes += len(s.totes)
        self.report.lines += sum(1 for x in s.stops if x.picked)
        self.report.units_picked += s.units_picked()
        held = set(s.held)
        self.totes_to_pack += [t for t, numbers in s.tote_orders().items() if not held & set(numbers)]

    def _pick_stop(self, stop: PickStop) -> None:
        s = self.engine.picking.session
        wrong_bin = next((x.bin for x in s.stops if x.bin != stop.bin), "Z-99-99-9")
        if self.rnd.random() < self.cfg.pick_wrong_scan_share:
            self._refused(self._scan(wrong_bin), K.WRONG_BIN)
        if self._scan(stop.bin).kind != K.BIN_CONFIRMED:
            raise RuntimeError(f"robot could not open bin {stop.bin}")
        if self.rnd.random() < self.cfg.pick_short_share:
            fb = self._scan("CMD:SHORT_BIN_EMPTY")
            if fb.kind != K.PICK_SHORT:
                raise RuntimeError(f"robot short pick refused: {fb.message}")
            self.report.short_picks += 1
            return
        others = [x for x in s.stops if x.sku != stop.sku]
        if others and self.rnd.random() < self.cfg.pick_wrong_scan_share:
            self._refused(self._scan(self._code(others[0])), K.WRONG_ITEM)
        if stop.left > 1:
            self.engine.picking.scan(str(stop.left))  # a quantity keyed by hand (the key-in field), for many
        if self._scan(self._code(stop)).kind != K.UNIT_PICKED:
            raise RuntimeError(f"robot pick of {stop.sku} at {stop.bin} refused")
        if self._scan(s.tote_for(stop)).kind not in (K.STOP_DONE, K.BATCH_DONE):
            raise RuntimeError(f"robot tote {s.tote_for(stop)} refused")

    def _refused(self, fb: Feedback, kind: FeedbackKind) -> None:
        if fb.kind != kind or fb.accepted:
            raise RuntimeError(f"a wrong scan was not refused as {kind}: {fb.message}")
        self.report.wrong_scans_refused += 1

    @staticmethod
    def _code(stop: PickStop) -> str:
        return stop.barcode or stop.sku

    # ------------------------------------------------------------------ packing the totes
    def _pack_totes(self) -> None:
        shift = self.shift
        for tote in self.totes_to_pack:
            fb = shift._scan(tote)
            order = self.engine.pack.order
            if fb.kind != K.ORDER_STARTED or order is None:
                continue  # the hub held it meanwhile (a short pick), or it is already packed
            shift.report.orders_attempted += 1
            packed = shift.report.orders_packed
            shift._finish_order(order)
            self.report.orders_from_totes_packed += shift.report.orders_packed - packed
