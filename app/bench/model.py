"""What the workflows need to know about orders, products, cartons and returns, as plain values.

``PackCatalog`` is the one port a ``PackSession`` reads through. The local store implements it over
SQLite; ``MemoryCatalog`` implements it in memory (tests, the robot's look-ahead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from app.domain.barcodes import product_code_key
from app.domain.catalog import Carton, Dimensions, Product

STOPPED = ("cancelled", "on_hold", "lost")


@dataclass(frozen=True)
class PackOrder:
    """A leased order as the bench holds it. ``status`` is the hub's status as last synced."""

    number: str
    status: str
    lines: dict[str, int]
    ship_to: dict[str, Any] = field(default_factory=dict)
    service_level: str = "standard"
    tote: str | None = None
    lease_id: str | None = None
    priority: int = 0
    ship_by: str | None = None  # ISO 8601 UTC, as the hub sent it
    created_at: str | None = None
    channel: str = ""
    lost_detail: str = ""  # why this bench's lease no longer holds it (status "lost")

    @property
    def stopped(self) -> bool:
        """True when the hub says this order must not be packed or shipped here (cancelled, on hold, or
        ``lost``: this bench's lease no longer holds it, e.g. another bench took it after the lease ran out)."""
        return self.status in STOPPED


class PackCatalog(Protocol):
    def order(self, number: str) -> PackOrder | None: ...

    def order_for_tote(self, tote: str) -> PackOrder | None: ...

    def product(self, sku: str) -> Product | None: ...

    def product_for_code(self, key: str) -> Product | None:
        """The product whose barcode (as ``product_code_key``) or SKU is ``key``."""
        ...

    def cartons(self) -> list[Carton]: ...


class MemoryCatalog:
    """A ``PackCatalog`` over dicts; ``set_status`` stands in for a sync that pulled a cancellation."""

    def __init__(
        self, orders: Sequence[PackOrder] = (), products: Sequence[Product] = (), cartons: Sequence[Carton] = ()
    ) -> None:
        self.orders = {o.number: o for o in orders}
        self.products = {p.sku: p for p in products}
        self._codes = {k: p for p in products for k in p.code_keys()}
        self._cartons = list(cartons)

    def order(self, number: str) -> PackOrder | None:
        return self.orders.get(number)

    def order_for_tote(self, tote: str) -> PackOrder | None:
        return next((o for o in self.orders.values() if o.tote == tote), None)

    def product(self, sku: str) -> Product | None:
        return self.products.get(sku)

    def product_for_code(self, key: str) -> Product | None:
        return self._codes.get(product_code_key(key))

    def cartons(self) -> list[Carton]:
        return list(self._cartons)

    def set_status(self, number: str, status: str) -> None:
        o = self.orders[number]
        self.orders[number] = replace(o, status=status)


def product_from_wire(p: dict[str, Any]) -> Product:
    """A product from the hub's lease or lookup answer (``sku, name, weight_g, *_mm, barcodes``)."""
    return Product(
        sku=str(p["sku"]),
        name=str(p.get("name", p["sku"])),
        weight_g=int(p.get("weight_g", 0)),
        dimensions=Dimensions(int(p["length_mm"]), int(p["width_mm"]), int(p["height_mm"])),
        barcodes=tuple(p.get("barcodes") or ()),
    )


def carton_from_wire(c: dict[str, Any]) -> Carton:
    return Carton(
        code=str(c["code"]),
        inner=Dimensions(int(c["length_mm"]), int(c["width_mm"]), int(c["height_mm"])),
        tare_g=int(c["tare_g"]),
        max_weight_g=int(c.get("max_weight_g", 30_000)),
        name=str(c.get("name", "")),
    )


def order_from_wire(o: dict[str, Any], lease_id: str | None = None) -> PackOrder:
    lines: dict[str, int] = {}
    for ln in o.get("lines", []):
        lines[str(ln["sku"])] = lines.get(str(ln["sku"]), 0) + int(ln["quantity"])
    return PackOrder(
        number=str(o["number"]),
        status=str(o["status"]),
        lines=lines,
        ship_to=dict(o.get("ship_to") or {}),
        service_level=str(o.get("service_level", "standard")),
        lease_id=lease_id,
        priority=int(o.get("priority") or 0),
        ship_by=o.get("ship_by"),
        created_at=o.get("created_at"),
        channel=str(o.get("channel") or ""),
        lost_detail=str(o.get("lost_detail") or ""),
    )


@dataclass(frozen=True)
class RmaLineInfo:
    sku: str
    name: str
    quantity: int
    received_quantity: int
    barcodes: tuple[str, ...] = ()

    @property
    def outstanding(self) -> int:
        return max(0, self.quantity - self.received_quantity)

    def code_keys(self) -> set[str]:
        return {product_code_key(b) for b in self.barcodes} | {product_code_key(self.sku)}


@dataclass(frozen=True)
class RmaInfo:
    """An RMA as the hub's ``/returns/lookup`` answers it."""

    number: str
    order_number: str
    status: str
    lines: tuple[RmaLineInfo, ...]
    return_tracking_number: str | None = None

    @property
    def open(self) -> bool:
        return any(ln.outstanding for ln in self.lines)

    @classmethod
    def from_wire(cls, r: dict[str, Any]) -> RmaInfo:
        return cls(
            number=str(r["number"]),
            order_number=str(r["order_number"]),
            status=str(r["status"]),
            return_tracking_number=r.get("return_tracking_number"),
            lines=tuple(
                RmaLineInfo(
                    sku=str(ln["sku"]),
                    name=str(ln.get("name", ln["sku"])),
                    quantity=int(ln["quantity"]),
                    received_quantity=int(ln.get("received_quantity", 0)),
                    barcodes=tuple(ln.get("barcodes") or ()),
                )
                for ln in r["lines"]
            ),
        )
