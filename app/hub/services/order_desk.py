"""An order's timeline for the supervisors' order desk (finding it: ``order_search``), built
from what the hub keeps about the order: its status history (holds, releases, routing, packing),
the channel's edits and what became of them, pack exceptions, parcels with their labels and
tracking, and returns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hub import models as m
from app.hub.services import pipeline
from app.hub.shipping_models import ShippingLabel
from app.hub.sync_models import OrderChange


def _entry(at: datetime, kind: str, text: str) -> dict[str, Any]:
    return {"at": at, "kind": kind, "text": text}


def timeline(session: Session, order: m.Order) -> dict[str, Any]:
    """What happened to ``order``, oldest first, and its parcels (label, tracking) and returns."""
    entries = [_entry(order.created_at, "received", f"received from {order.channel} as {order.channel_order_id}")]
    for h in session.scalars(
        select(m.OrderStatusChange).where(m.OrderStatusChange.order_id == order.id).order_by(m.OrderStatusChange.id)
    ):
        if h.status == h.note == "received":
            continue  # the first entry says so, with where from
        entries.append(_entry(h.at, "status", f"{h.status}: {h.note}" if h.note else h.status))
    for c in session.scalars(select(OrderChange).where(OrderChange.order_id == order.id).order_by(OrderChange.id)):
        entries.append(_entry(c.at, "change", f"{c.source} edit {c.outcome or 'recorded'}: {pipeline.summary(c.diff)}"))
    for x in session.scalars(
        select(m.PackException).where(m.PackException.order_id == order.id).order_by(m.PackException.id)
    ):
        what = f" {x.sku} x{x.quantity}" if x.sku else ""
        entries.append(_entry(x.occurred_at, "exception", f"{x.kind}{what}: {x.detail}".rstrip(": ")))
    labels: dict[int, ShippingLabel] = {}
    for lb in session.scalars(
        select(ShippingLabel).where(ShippingLabel.order_id == order.id).order_by(ShippingLabel.id)
    ):
        if lb.status == "voided":
            entries.append(
                _entry(lb.updated_at, "label", f"parcel {lb.parcel_no}: label voided ({lb.void_reason or ''})")
            )
            continue
        labels[lb.parcel_no] = lb
        if lb.tracking_number:
            entries.append(_entry(lb.created_at, "label", f"parcel {lb.parcel_no}: {lb.carrier} {lb.tracking_number}"))
        if lb.tracking_status:
            entries.append(_entry(lb.updated_at, "tracking", f"{lb.tracking_number}: {lb.tracking_status}"))
    parcels = []
    for p in session.scalars(select(m.Parcel).where(m.Parcel.order_id == order.id).order_by(m.Parcel.parcel_no)):
        found = labels.get(p.parcel_no)
        packed_at = order.packed_at or order.updated_at
        what = f"{p.carton_code}, {p.weight_g} g"
        if p.tracking_number:
            what += f", {p.carrier or ''} {p.tracking_number}"
        entries.append(_entry(order.shipped_at or packed_at, "parcel", f"parcel {p.parcel_no}: {what}"))
        parcels.append(
            {
                "parcel_no": p.parcel_no,
                "carton_code": p.carton_code,
                "weight_g": p.weight_g,
                "carrier": p.carrier or (found.carrier if found else None),
                "tracking_number": p.tracking_number or (found.tracking_number if found else None),
                "tracking_url": found.tracking_url if found else "",
                "tracking_status": found.tracking_status if found else None,
            }
        )
    returns = []
    for r in session.scalars(select(m.Rma).where(m.Rma.order_id == order.id).order_by(m.Rma.id)):
        returns.append({"number": r.number or "", "status": r.status, "tracking_number": r.return_tracking_number})
        entries.append(_entry(r.created_at, "return", f"return {r.number} authorised ({r.status})"))
    entries.sort(key=lambda e: e["at"])
    return {"entries": entries, "parcels": parcels, "returns": returns}
