"""The pick queue (leases) and the bench event batch endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hub import models as m
from app.hub.api import schemas as s
from app.hub.api import views
from app.hub.api.deps import BENCH, DB, SUPERVISION, Caller, Factory, allow
from app.hub.services import events, queue, scope
from app.hub.services.errors import NotFound
from app.hub.services.lease_payload import lease_payload
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1", tags=["queue"])


@dataclass(frozen=True)
class _StationAt:
    id: int
    location_id: int


def _station(session: Session, caller: Caller) -> m.Station:
    station = session.get(m.Station, caller.require_station())
    if station is None:
        raise NotFound("station not found")
    return station


def _lease_parts(session: Session, lease: m.Lease, orders: list[m.Order]) -> dict[str, Any]:
    skus = {ln.sku for o in orders for ln in o.lines}
    products = session.scalars(select(m.Product).where(m.Product.sku.in_(skus)).order_by(m.Product.sku)).all()
    cartons = session.scalars(select(m.Carton).order_by(m.Carton.code)).all()
    loc = session.get(m.Location, lease.location_id)
    return {
        "lease_id": lease.id,
        "location": loc.code if loc else "",
        "expires_at": lease.expires_at,
        "products": [s.PackProduct(**views.product(p).model_dump()) for p in products],
        "cartons": [s.CartonOut.model_validate(c) for c in cartons],
    }


def _lease_out(session: Session, result: queue.LeaseResult) -> s.LeaseOut:
    orders = [views.leased_order(o) for o in result.orders]
    return s.LeaseOut(orders=orders, **_lease_parts(session, result.lease, result.orders))


def _renew_out(session: Session, result: queue.RenewResult) -> s.RenewOut:
    orders = [
        s.RenewedOrder(
            **views.leased_order(r.order).model_dump(),
            lease="held" if r.lost is None else "lost",
            lost_reason=r.lost.value if r.lost is not None else None,
            lost_detail=r.detail,
        )
        for r in result.renewed
    ]
    return s.RenewOut(orders=orders, **_lease_parts(session, result.lease, result.orders))


@router.post("/queue/leases", response_model=s.LeaseOut, **allow(*BENCH, scope=Scope.STATION))
def lease(body: s.LeaseIn, session: DB, caller: Caller, f: Factory) -> Any:
    """Lease up to ``batch_size`` of this location's orders, with all that is needed to pack them offline."""
    station_id = caller.require_station()
    if caller.location_id is not None and session.get_bind().dialect.name == "postgresql":
        # One round trip: one statement, atomic on its own (autocommit), and the station's location from the
        # caller's cached principal.
        at = _StationAt(station_id, caller.location_id)
        with f() as own:
            own.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            built = lease_payload(
                own, at, caller.location_code or "", batch_size=body.batch_size, lease_seconds=body.lease_seconds
            )
        return Response(built, media_type="application/json")
    station = _station(session, caller)
    result = queue.lease_batch(session, station, batch_size=body.batch_size, lease_seconds=body.lease_seconds)
    return _lease_out(session, result)


@router.post("/queue/leases/{lease_id}/renew", response_model=s.RenewOut, **allow(*BENCH, scope=Scope.LEASE))
def renew(lease_id: str, body: s.RenewIn, session: DB, caller: Caller) -> s.RenewOut:
    """Extend a lease; the answer says for every order of the lease whether it is still ``held`` (its
    expiry moved on) or ``lost`` and why (``taken`` by another bench after the lease ran out,
    ``cancelled``, ``on_hold``, ``packed``, ``released``). Stop work on a lost order at once."""
    station = _station(session, caller)
    return _renew_out(session, queue.renew(session, station, lease_id, body.lease_seconds))


@router.post("/queue/leases/{lease_id}/release", **allow(*BENCH, scope=Scope.LEASE))
def release(lease_id: str, body: s.ReleaseIn, session: DB, caller: Caller) -> dict[str, int]:
    station = _station(session, caller)
    return {"released": queue.release(session, station, lease_id, body.order_numbers)}


@router.get("/queue", **allow(*SUPERVISION, scope=Scope.ORDER))
def queue_depth(session: DB, caller: Caller) -> list[dict[str, object]]:
    return [
        {"location": code, "depth": depth, "oldest_created_at": oldest.isoformat() if oldest else None}
        for code, depth, oldest in queue.queue_depth(session, scope.visible_location_id(caller))
    ]


@router.post("/events", response_model=s.EventBatchOut, **allow(*BENCH, scope=Scope.EVENT))
def post_events(body: s.EventBatchIn, factory: Factory, caller: Caller) -> s.EventBatchOut:
    """Apply each event once by its id; the answer says per event: applied, duplicate or rejected (why)."""
    results = events.apply_batch(factory, caller, body.events)
    return s.EventBatchOut(
        results=[s.EventResultOut(event_id=r.event_id, status=r.status.value, reason=r.reason) for r in results]
    )
