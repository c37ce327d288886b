"""Returns (RMAs)."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from app.hub.api import schemas as s
from app.hub.api import views
from app.hub.api.deps import DB, RECEIVING, SUPERVISION, allow
from app.hub.services import returns

router = APIRouter(prefix="/api/v1/returns", tags=["returns"])


@router.post("", response_model=s.RmaOut, status_code=status.HTTP_201_CREATED, **allow(*SUPERVISION))
def create_rma(body: s.RmaIn, session: DB) -> s.RmaOut:
    rma = returns.create_rma(
        session,
        order_number=body.order_number.upper(),
        lines=[returns.NewRmaLine(**ln.model_dump()) for ln in body.lines],
        resolution=body.resolution,
        return_tracking_number=body.return_tracking_number,
    )
    return views.rma(session, rma)


@router.get("/lookup", response_model=list[s.RmaOut], **allow(*RECEIVING))
def lookup(session: DB, code: str = Query(min_length=1, max_length=64)) -> list[s.RmaOut]:
    """Find returns by RMA number, order number, or a return or outbound tracking number."""
    return [views.rma(session, r) for r in returns.lookup(session, code)]
