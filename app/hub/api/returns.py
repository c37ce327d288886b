"""Returns (RMAs)."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from app.hub.api import schemas as s
from app.hub.api import views
from app.hub.api.deps import DB, RECEIVING, SUPERVISION, Caller, allow
from app.hub.services import returns, scope
from app.hub.services.errors import NotFound
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1/returns", tags=["returns"])


@router.post(
    "", response_model=s.RmaOut, status_code=status.HTTP_201_CREATED, **allow(*SUPERVISION, scope=Scope.RETURN)
)
def create_rma(body: s.RmaIn, session: DB, caller: Caller) -> s.RmaOut:
    scope.require_order(session, caller, body.order_number.upper())
    rma = returns.create_rma(
        session,
        order_number=body.order_number.upper(),
        lines=[returns.NewRmaLine(**ln.model_dump()) for ln in body.lines],
        resolution=body.resolution,
        return_tracking_number=body.return_tracking_number,
    )
    return views.rma(session, rma)


@router.get("/lookup", response_model=list[s.RmaOut], **allow(*RECEIVING, scope=Scope.RETURN))
def lookup(session: DB, caller: Caller, code: str = Query(min_length=1, max_length=64)) -> list[s.RmaOut]:
    """Find returns by RMA number, order number, or a return or outbound tracking number; a station
    finds only the returns of orders its location fulfilled."""
    found = [r for r in returns.lookup(session, code) if scope.rma_in_scope(session, caller, r)]
    if not found:
        raise NotFound(f"no return found for {code!r}")
    return [views.rma(session, r) for r in found]
