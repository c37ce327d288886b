"""Picking at the hub: pick batches, tote claims at the pack bench, the picking report, bin import."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.domain.picking import PickMode
from app.hub import models as m
from app.hub.api import schemas as s
from app.hub.api import views
from app.hub.api.deps import ADMINISTRATION, BENCH, DB, SUPERVISION, Caller, UtcTime, allow
from app.hub.api.queue import _lease_parts, _station
from app.hub.services import bin_import, picking_report, picks, scope, tote_claim
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1", tags=["picking"])


class PickBatchIn(s.Strict):
    mode: Literal["single", "batch", "cluster"] = "cluster"
    max_orders: int = Field(8, ge=1, le=picks.MAX_ORDERS)
    totes: int = Field(8, ge=1, le=picks.MAX_TOTES)
    lease_seconds: int = Field(1800, ge=30, le=picks.MAX_LEASE_SECONDS)


class PickLine(BaseModel):
    sku: str
    name: str
    barcode: str | None
    quantity: int


class PickOrder(BaseModel):
    number: str
    tote_slot: int | None
    priority: int
    ship_by: datetime | None
    lines: list[PickLine]


class AlternateOut(BaseModel):
    bin: str
    walk_seq: int
    available: int


class StopOut(BaseModel):
    seq: int
    bin: str
    zone: str
    walk_seq: int
    sku: str
    name: str
    barcode: str | None
    quantity: int
    order_number: str | None
    tote_slot: int | None
    alternates: list[AlternateOut]


class PickBatchOut(BaseModel):
    batch_id: str
    lease_id: str
    mode: str
    expires_at: datetime
    orders: list[PickOrder]
    stops: list[StopOut]
    held: list[str] = Field(default_factory=list, description="orders taken off the queue: no pickable stock")


class ClaimIn(s.Strict):
    lease_seconds: int = Field(1800, ge=30, le=picks.MAX_LEASE_SECONDS)


class PickedOut(BaseModel):
    sku: str
    quantity: int


class ClaimedOrder(s.LeasedOrder):
    picked: list[PickedOut]


class ClaimOut(BaseModel):
    lease_id: str
    location: str
    expires_at: datetime
    tote: str
    mode: str
    orders: list[ClaimedOrder]
    products: list[s.PackProduct]
    cartons: list[s.CartonOut]


class BinImportIn(s.Strict):
    csv: str = Field(min_length=1, max_length=5_000_000, description="the CSV file's text (see import-bins)")


class BinImportOut(BaseModel):
    bins: int
    stock_rows: int
    errors: list[str]


@router.post("/picks/batches", response_model=PickBatchOut, **allow(*BENCH, scope=Scope.STATION))
def lease_batch(body: PickBatchIn, session: DB, caller: Caller) -> PickBatchOut:
    """Lease a pick batch of this location's orders (queue order; the queue lease's rules) with its walk."""
    station = _station(session, caller)
    plan = picks.lease_pick_batch(
        session,
        station,
        mode=PickMode(body.mode),
        max_orders=body.max_orders,
        totes=body.totes,
        lease_seconds=body.lease_seconds,
    )
    skus = {ln.sku for o in plan.orders for ln in o.lines}
    products = {p.sku: p for p in session.scalars(select(m.Product).where(m.Product.sku.in_(skus)))}

    def barcode(sku: str) -> str | None:
        p = products.get(sku)
        return min((b.raw for b in p.barcodes), default=None) if p else None

    def name(sku: str) -> str:
        p = products.get(sku)
        return p.name if p else sku

    orders = [
        PickOrder(
            number=o.number or "",
            tote_slot=plan.slots.get(o.number or ""),
            priority=o.priority,
            ship_by=o.ship_by,
            lines=[
                PickLine(sku=ln.sku, name=ln.name or name(ln.sku), barcode=barcode(ln.sku), quantity=ln.quantity)
                for ln in o.lines
            ],
        )
        for o in plan.orders
    ]
    stops = [
        StopOut(
            seq=p.seq,
            bin=p.stop.bin_code,
            zone=p.zone,
            walk_seq=p.stop.walk_seq,
            sku=p.stop.sku,
            name=name(p.stop.sku),
            barcode=barcode(p.stop.sku),
            quantity=p.stop.quantity,
            order_number=p.stop.order_number,
            tote_slot=p.stop.tote,
            alternates=[AlternateOut(bin=a.bin, walk_seq=a.walk_seq, available=a.available) for a in p.alternates],
        )
        for p in plan.stops
    ]
    return PickBatchOut(
        batch_id=plan.batch.id,
        lease_id=plan.lease.id,
        mode=plan.batch.mode,
        expires_at=plan.lease.expires_at,
        orders=orders,
        stops=stops,
        held=plan.held,
    )


@router.post("/totes/{code}/claim", response_model=ClaimOut, **allow(*BENCH, scope=Scope.STATION))
def claim_tote(code: str, session: DB, caller: Caller, body: ClaimIn | None = None) -> ClaimOut:
    """Open a picked tote at this pack bench: its order (batch mode: every order of its batch) is leased to
    this station, with what the pick already put in the tote."""
    station = _station(session, caller)
    claim = tote_claim.claim(session, station, code[:40], (body or ClaimIn()).lease_seconds)
    orders = [
        ClaimedOrder(
            **views.leased_order(o).model_dump(),
            picked=[PickedOut(sku=k, quantity=q) for k, q in sorted(claim.picked.get(o.id, {}).items())],
        )
        for o in claim.orders
    ]
    return ClaimOut(tote=claim.tote, mode=claim.mode, orders=orders, **_lease_parts(session, claim.lease, claim.orders))


@router.get("/reports/picking", **allow(*SUPERVISION, scope=Scope.NONE))
def picking(session: DB, caller: Caller, since: UtcTime = None) -> dict[str, Any]:
    """Picks per hour per picker, lines and units, short picks by reason and bin, count tasks, totes in use."""
    return picking_report.report(session, since, scope.visible_location_id(caller))


@router.post("/admin/bins/import", response_model=BinImportOut, **allow(*ADMINISTRATION, scope=Scope.STOCK))
def import_bins(body: BinImportIn, session: DB, location: str = Query(min_length=1, max_length=32)) -> BinImportOut:
    """Bins and bin stock from CSV (columns bin, zone, aisle, bay, level, pickable, sku, quantity): all or
    nothing — with any bad row nothing is stored and the answer (422) lists each bad row."""
    result = bin_import.import_bins(session, location, body.csv)
    if result.errors:
        raise bin_import.BinFileError("; ".join(result.errors[:50]))
    return BinImportOut(bins=result.bins, stock_rows=result.stock_rows, errors=[])
