"""What the screens show, as plain frozen values: built by the engine on its worker thread after each step
(or when asked), carried to the GUI thread by a Qt signal. The GUI never reads the sessions or the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from app.bench.feedback import Feedback
from app.bench.model import PackOrder, RmaInfo
from app.bench.pack_types import PackState
from app.bench.picking import PickState, PickStop
from app.domain.returns import Condition, Disposition


@dataclass(frozen=True)
class LineView:
    name: str
    sku: str
    quantity: int
    scanned: int
    code: str  # the code a scanner reads for it (its first barcode, else the SKU)


@dataclass(frozen=True)
class ParcelView:
    parcel_no: int
    carton_code: str | None
    weight_g: int | None
    expected_g: int
    allowed_g: int
    label: str  # none | printed | pending | void
    carrier: str | None
    tracking_number: str | None


@dataclass(frozen=True)
class PackView:
    """The pack session as the pack screen shows it."""

    state: PackState = PackState.IDLE
    scale_cleared: bool = True
    order_number: str | None = None
    ship_to: dict[str, Any] = field(default_factory=dict)
    service_level: str = ""
    lines: tuple[LineView, ...] = ()
    parcel: ParcelView | None = None
    picked: dict[str, int] = field(default_factory=dict)  # units per SKU the pick confirmed (a picked tote)

    def outstanding(self) -> dict[str, int]:
        return {ln.sku: ln.quantity - ln.scanned for ln in self.lines if ln.quantity > ln.scanned}


@dataclass(frozen=True)
class QueueView:
    """The orders still to pack here, and the stop banner when the hub stopped the order in hand."""

    orders: tuple[PackOrder, ...] = ()
    stop_notice: Feedback | None = None


class StopPlace(NamedTuple):
    """Where a stop is and what is picked there (never changes while a batch is picked)."""

    bin: str
    sku: str
    barcode: str


@dataclass(frozen=True)
class PickView:
    """The pick session as the pick screen (and the demo panel) shows it (the stops in hand are copies)."""

    state: PickState = PickState.IDLE
    mode: str = ""
    batch_id: str = ""
    orders: int = 0
    places: tuple[StopPlace, ...] = ()  # every stop of the batch
    done: int = 0  # stops behind the picker
    next_slot: int | None = None
    current: PickStop | None = None
    after: PickStop | None = None
    current_tote: str = ""  # the tote the current stop's units go into
    totes: dict[int, str] = field(default_factory=dict)  # cart slot -> tote
    ready_totes: tuple[str, ...] = ()  # picked totes to take to packing (a held order's tote is set aside)


@dataclass(frozen=True)
class UnitView:
    sku: str
    condition: Condition
    disposition: Disposition
    bin: str


@dataclass(frozen=True)
class ReturnView:
    """The return session as the returns screen shows it."""

    state: str = "idle"
    rma: RmaInfo | None = None
    candidates: tuple[RmaInfo, ...] = ()
    received: dict[str, int] = field(default_factory=dict)
    outstanding: dict[str, int] = field(default_factory=dict)
    units: tuple[UnitView, ...] = ()
    pending_condition: Condition | None = None
    suggested: Disposition | None = None
