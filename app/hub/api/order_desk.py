"""The order desk's timeline: what happened to one order, for supervisors and admins.

Finding orders is ``GET /api/v1/orders?q=`` (exact, indexed keys: ``services.order_search``);
release, cancel and re-route are the order routes themselves.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from app.hub.api import views
from app.hub.api.deps import DB, SUPERVISION, allow
from app.hub.api.schemas import OrderOut
from app.hub.services import order_desk, orders
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])


class TimelineEntry(BaseModel):
    at: datetime
    kind: str  # received, status, change, exception, label, tracking, return
    text: str


class TimelineParcel(BaseModel):
    parcel_no: int
    carton_code: str
    weight_g: int
    carrier: str | None
    tracking_number: str | None
    tracking_url: str
    tracking_status: str | None


class TimelineReturn(BaseModel):
    number: str
    status: str
    tracking_number: str | None


class TimelineOut(BaseModel):
    order: OrderOut
    entries: list[TimelineEntry]
    parcels: list[TimelineParcel]
    returns: list[TimelineReturn]


@router.get("/{number}/timeline", response_model=TimelineOut, **allow(*SUPERVISION, scope=Scope.ORDER))
def order_timeline(number: str, session: DB) -> TimelineOut:
    """The order (as ``GET /orders/{number}`` answers it) and what happened to it, oldest first."""
    row = orders.get_order(session, number)
    built = order_desk.timeline(session, row)
    return TimelineOut(order=views.order(session, row), **built)
