"""Locations, products, cartons and stock."""

from __future__ import annotations

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from app.hub import models as m
from app.hub.api import schemas as s
from app.hub.api import views
from app.hub.api.deps import ADMINISTRATION, BENCH, DB, SUPERVISION, Caller, Filter, Offset, allow
from app.hub.services import catalog, scope, stock
from app.hub.services.scope import Scope

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/locations", response_model=list[s.LocationOut], **allow(*BENCH, scope=Scope.NONE))
def list_locations(session: DB) -> list[m.Location]:
    return list(session.scalars(select(m.Location).order_by(m.Location.code)))


@router.post(
    "/locations",
    response_model=s.LocationOut,
    status_code=status.HTTP_201_CREATED,
    **allow(*ADMINISTRATION, scope=Scope.NONE),
)
def create_location(body: s.LocationIn, session: DB) -> m.Location:
    return catalog.create_location(session, **body.model_dump())


@router.get("/products", response_model=list[s.ProductOut], **allow(*BENCH, scope=Scope.NONE))
def list_products(session: DB, limit: int = Query(500, ge=1, le=5000), offset: Offset = 0) -> list[s.ProductOut]:
    rows = session.scalars(select(m.Product).order_by(m.Product.sku).limit(limit).offset(offset))
    return [views.product(p) for p in rows]


@router.post(
    "/products",
    response_model=s.ProductOut,
    status_code=status.HTTP_201_CREATED,
    **allow(*ADMINISTRATION, scope=Scope.NONE),
)
def create_product(body: s.ProductIn, session: DB) -> s.ProductOut:
    return views.product(catalog.create_product(session, **body.model_dump()))


@router.get("/products/by-code/{code}", response_model=s.ProductOut, **allow(*BENCH, scope=Scope.NONE))
def product_by_code(code: str, session: DB) -> s.ProductOut:
    return views.product(catalog.product_by_code(session, code))


@router.get("/cartons", response_model=list[s.CartonOut], **allow(*BENCH, scope=Scope.NONE))
def list_cartons(session: DB) -> list[m.Carton]:
    return list(session.scalars(select(m.Carton).order_by(m.Carton.code)))


@router.post(
    "/cartons",
    response_model=s.CartonOut,
    status_code=status.HTTP_201_CREATED,
    **allow(*ADMINISTRATION, scope=Scope.NONE),
)
def create_carton(body: s.CartonIn, session: DB) -> m.Carton:
    return catalog.create_carton(session, **body.model_dump())


@router.get("/stock", response_model=list[s.StockLevelOut], **allow(*BENCH, scope=Scope.STOCK))
def stock_levels(session: DB, caller: Caller, location: Filter = None, sku: Filter = None) -> list[s.StockLevelOut]:
    """Stock levels; a station (and whoever is signed in at it) sees its own location's only."""
    return [
        s.StockLevelOut(location=loc, sku=k, on_hand=oh, reserved=r, available=oh - r)
        for loc, k, oh, r in stock.levels(session, location_code=scope.visible_location_code(caller, location), sku=sku)
    ]


@router.post("/stock/adjustments", response_model=s.StockLevelOut, **allow(*SUPERVISION, scope=Scope.STOCK))
def adjust_stock(body: s.StockAdjustmentIn, session: DB, caller: Caller) -> s.StockLevelOut:
    scope.require_location(session, caller, body.location)
    level = stock.adjust(
        session,
        location_code=body.location,
        sku=body.sku,
        delta=body.delta,
        reason=body.reason,
        note=body.note,
        operator_id=caller.operator_id,
    )
    return s.StockLevelOut(
        location=body.location,
        sku=body.sku,
        on_hand=level.on_hand,
        reserved=level.reserved,
        available=level.on_hand - level.reserved,
    )
