"""The pick queue (leases) and the bench event batch endpoint."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hub import models as m
from app.hub.api import schemas as s
from app.hub.api import views
from app.hub.api.deps import BENCH, DB, SUPERVISION, Caller, Factory, allow
from app.hub.services import events, queue, scope
from app.hub.services.errors import NotFound
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1", tags=["queue"])


def _station(session: Session, caller: Caller) -> m.Station:
    station = session.get(m.Station, caller.require_station())
    if station is None:
        raise NotFound("station not found")
    return station


def _lease_out(session: Session, result: queue.LeaseResult) -> s.LeaseOut:
    skus = {ln.sku for o in result.orders for ln in o.lines}
    products = session.scalars(select(m.Product).where(m.Product.sku.in_(skus)).order_by(m.Product.sku)).all()
    cartons = session.scalars(select(m.Carton).order_by(m.Carton.code)).all()
    loc = session.get(m.Location, result.lease.location_id)
    return s.LeaseOut(
        lease_id=result.lease.id,
        location=loc.code if loc else "",
        expires_at=result.lease.expires_at,
        orders=[views.leased_order(o) for o in result.orders],
        products=[s.PackProduct(**views.product(p).model_dump()) for p in products],
        cartons=[s.CartonOut.model_validate(c) for c in cartons],
    )


@router.post("/queue/leases", response_model=s.LeaseOut, **allow(*BENCH, scope=Scope.STATION))
def lease(body: s.LeaseIn, session: DB, caller: Caller) -> s.LeaseOut:
    """Lease up to ``batch_size`` of this location's orders, with all that is needed to pack them offline."""
    station = _station(session, caller)
    result = queue.lease_batch(session, station, batch_size=body.batch_size, lease_seconds=body.lease_seconds)
    return _lease_out(session, result)


@router.post("/queue/leases/{lease_id}/renew", response_model=s.LeaseOut, **allow(*BENCH, scope=Scope.LEASE))
def renew(lease_id: str, body: s.RenewIn, session: DB, caller: Caller) -> s.LeaseOut:
    """Extend a lease; the answer lists every order of the lease as it is now (cancelled, held…)."""
    station = _station(session, caller)
    return _lease_out(session, queue.renew(session, station, lease_id, body.lease_seconds))


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
