"""A small warehouse for the picking tests: WH1 with aisles A and B, pickable bins and one reserve bin."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.pick_events import PickConfirmed, PickShort, ShortReason, ToteAssigned
from app.hub import models as m
from app.hub.bin_models import Bin, BinStock
from tests.hub.conftest import Hub

# bin, zone, aisle, bay, level, pickable, sku, quantity
LAYOUT = [
    ("A-01-01-1", "A", "A", 1, 1, "true", "A", 3),
    ("A-02-01-1", "A", "A", 2, 1, "true", "B", 20),
    ("A-03-01-1", "A", "A", 3, 1, "true", "", ""),
    ("B-01-01-1", "B", "B", 1, 1, "true", "A", 5),
    ("B-03-01-1", "B", "B", 3, 1, "true", "C", 10),
    ("R-01-01-1", "R", "R", 1, 1, "false", "A", 40),
]


def layout_csv(rows: list[tuple[Any, ...]] = LAYOUT) -> str:
    head = "bin,zone,aisle,bay,level,pickable,sku,quantity\n"
    return head + "".join(",".join(str(c) for c in r) + "\n" for r in rows)


def warehouse(hub: Hub, *, orders: list[dict[str, int]] | None = None) -> dict[str, str]:
    """WH1, products A/B/C slotted by LAYOUT (no stock outside bins), the orders queued; BENCH-1's headers."""
    hub.location("WH1")
    for sku in ("A", "B", "C"):
        hub.product(sku, [])
    hub.carton("BOX-M")
    hub.ok("POST", "/api/v1/admin/bins/import", params={"location": "WH1"}, json={"csv": layout_csv()})
    for i, lines in enumerate(orders or []):
        hub.order(f"o{i}", lines, priority=len(orders or []) - i)  # queue order = list order
    return hub.station()


def lease(hub: Hub, station: dict[str, str], mode: str = "cluster", **kw: Any) -> Any:
    body = {"mode": mode, "max_orders": kw.pop("max_orders", 8), "totes": kw.pop("totes", 8), "lease_seconds": 600}
    return hub.ok("POST", "/api/v1/picks/batches", headers=station, json=body)


def bin_qty(hub: Hub, code: str, sku: str) -> int:
    with hub.factory() as s:
        q = (
            select(BinStock.on_hand)
            .join(Bin, Bin.id == BinStock.bin_id)
            .join(m.Product, m.Product.id == BinStock.product_id)
            .where(Bin.code == code, m.Product.sku == sku)
        )
        return int(s.scalar(q) or 0)


def location_qty(hub: Hub, sku: str) -> tuple[int, int]:
    row = hub.ok("GET", "/api/v1/stock", params={"sku": sku, "location": "WH1"})[0]
    return row["on_hand"], row["reserved"]


def tote(batch: str, number: str | None, code: str, slot: int = 1) -> dict[str, Any]:
    return ToteAssigned(batch_id=batch, order_number=number, tote=code, slot=slot).to_wire()


def pick(batch: str, number: str | None, bin_code: str, sku: str, qty: int, code: str) -> dict[str, Any]:
    return PickConfirmed(batch_id=batch, order_number=number, bin=bin_code, sku=sku, quantity=qty, tote=code).to_wire()


def short(batch: str, number: str | None, bin_code: str, sku: str, qty: int, reason: str = "bin_empty") -> Any:
    return PickShort(
        batch_id=batch, order_number=number, bin=bin_code, sku=sku, quantity=qty, reason=ShortReason(reason)
    ).to_wire()
