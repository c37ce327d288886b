"""Orders: create (once per channel order id), get, list and filter, hold, release, cancel."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status

from app.hub.api import schemas as s
from app.hub.api import views
from app.hub.api.deps import ADMINISTRATION, DB, SUPERVISION, Caller, Filter, Offset, allow
from app.hub.api.shipping import Config
from app.hub.services import orders, pipeline, scope
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])


@router.post(
    "",
    response_model=s.OrderOut,
    status_code=status.HTTP_201_CREATED,
    **allow(
        *ADMINISTRATION,
        scope=Scope.NONE,
        responses={200: {"description": "the same channel order was stored before; nothing changed"}},
    ),
)
def create_order(body: s.OrderIn, session: DB, cfg: Config, response: Response) -> s.OrderOut:
    new = orders.NewOrder(
        channel=body.channel,
        channel_order_id=body.channel_order_id,
        lines=[orders.NewOrderLine(**ln.model_dump()) for ln in body.lines],
        ship_to=body.ship_to.model_dump(),
        priority=body.priority,
        ship_by=body.ship_by,
        paid=body.paid,
        currency=body.currency.upper(),
        order_type=body.order_type,
        service_level=body.service_level,
        customer_email=body.customer_email,
    )
    result = pipeline.submit(session, new, cfg.order_rules)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return views.order(session, orders.get_order(session, result.number))


@router.get("", response_model=s.OrderList, **allow(*SUPERVISION, scope=Scope.ORDER))
def list_orders(
    session: DB,
    caller: Caller,
    status_: str | None = Query(None, alias="status", max_length=20),
    channel: Filter = None,
    location: Filter = None,
    q: Filter = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: Offset = 0,
) -> s.OrderList:
    rows, total = orders.list_orders(
        session,
        status=status_,
        channel=channel,
        location_code=scope.visible_location_code(caller, location),
        search=q,
        limit=limit,
        offset=offset,
    )
    return s.OrderList(total=total, orders=[views.order(session, o, parts=False) for o in rows])


@router.get("/{number}", response_model=s.OrderOut, **allow(*SUPERVISION, scope=Scope.ORDER))
def get_order(number: str, session: DB) -> s.OrderOut:
    return views.order(session, orders.get_order(session, number), history=True)


@router.post("/{number}/hold", response_model=s.OrderOut, **allow(*SUPERVISION, scope=Scope.ORDER))
def hold_order(number: str, body: s.ReasonIn, session: DB) -> s.OrderOut:
    order = orders.get_order(session, number, for_update=True)
    pipeline.hold(session, order, body.reason)
    return views.order(session, order)


@router.post("/{number}/release", response_model=s.OrderOut, **allow(*SUPERVISION, scope=Scope.ORDER))
def release_order(number: str, session: DB, cfg: Config) -> s.OrderOut:
    """Release a hold: a channel change held for a person is applied now (unless it was packed)."""
    order = orders.get_order(session, number, for_update=True)
    pipeline.release(session, order, cfg.order_rules)
    return views.order(session, order)


@router.post("/{number}/cancel", response_model=s.OrderOut, **allow(*SUPERVISION, scope=Scope.ORDER))
def cancel_order(number: str, body: s.ReasonIn, session: DB) -> s.OrderOut:
    order = orders.get_order(session, number, for_update=True)
    pipeline.cancel(session, order, body.reason)
    return views.order(session, order)


@router.post(
    "/{number}/reroute",
    response_model=s.OrderOut,
    **allow(
        *SUPERVISION,
        scope=Scope.ORDER,
        responses={409: {"description": "the order cannot be re-routed (so): nothing changed"}},
    ),
)
def reroute_order(number: str, body: s.RerouteIn, session: DB, cfg: Config) -> s.OrderOut:
    """Route the order again through the rule chain, to ``location`` when named."""
    order = orders.get_order(session, number, for_update=True)
    pipeline.reroute(session, order, cfg.order_rules, body.location)
    return views.order(session, order)
