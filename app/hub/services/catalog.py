"""Products, locations and cartons."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.barcodes import product_code_key
from app.domain.catalog import LocationKind
from app.hub import models as m
from app.hub.services.errors import Conflict, Invalid, NotFound


def create_location(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str = "warehouse",
    latitude: float = 0.0,
    longitude: float = 0.0,
    rank: int = 100,
    daily_capacity: int | None = None,
    ships: bool = True,
    accepts_pickup: bool = False,
) -> m.Location:
    if kind not in set(LocationKind):
        raise Invalid(f"location kind must be one of {sorted(LocationKind)}")
    if session.scalar(select(m.Location).where(m.Location.code == code)) is not None:
        raise Conflict(f"location {code} exists already")
    loc = m.Location(
        code=code,
        name=name,
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        rank=rank,
        daily_capacity=daily_capacity,
        ships=ships,
        accepts_pickup=accepts_pickup,
    )
    session.add(loc)
    session.flush()
    return loc


def location_by_code(session: Session, code: str) -> m.Location:
    loc = session.scalar(select(m.Location).where(m.Location.code == code))
    if loc is None:
        raise NotFound(f"unknown location {code!r}")
    return loc


def create_product(
    session: Session,
    *,
    sku: str,
    name: str,
    weight_g: int,
    length_mm: int,
    width_mm: int,
    height_mm: int,
    barcodes: Iterable[str] = (),
    image_url: str | None = None,
) -> m.Product:
    if session.scalar(select(m.Product.id).where(m.Product.sku == sku)) is not None:
        raise Conflict(f"product {sku} exists already")
    product = m.Product(
        sku=sku,
        name=name,
        weight_g=weight_g,
        length_mm=length_mm,
        width_mm=width_mm,
        height_mm=height_mm,
        image_url=image_url,
    )
    keys: dict[str, str] = {}
    for raw in [*barcodes, sku]:
        keys.setdefault(product_code_key(raw), raw)
    taken = session.scalars(select(m.ProductBarcode).where(m.ProductBarcode.code_key.in_(keys))).all()
    if taken:
        clash = ", ".join(sorted(t.raw for t in taken))
        raise Conflict(f"barcode already belongs to another product: {clash}")
    product.barcodes = [m.ProductBarcode(code_key=k, raw=v) for k, v in keys.items()]
    session.add(product)
    session.flush()
    return product


def products_by_sku(session: Session, skus: Iterable[str]) -> dict[str, m.Product]:
    wanted = set(skus)
    if not wanted:
        return {}
    rows = session.scalars(select(m.Product).where(m.Product.sku.in_(wanted))).all()
    return {p.sku: p for p in rows}


def product_by_code(session: Session, code: str) -> m.Product:
    row = session.scalar(
        select(m.Product)
        .join(m.ProductBarcode, m.ProductBarcode.product_id == m.Product.id)
        .where(m.ProductBarcode.code_key == product_code_key(code))
    )
    if row is None:
        raise NotFound(f"no product has the code {code!r}")
    return row


def create_carton(
    session: Session,
    *,
    code: str,
    length_mm: int,
    width_mm: int,
    height_mm: int,
    tare_g: int,
    max_weight_g: int = 30000,
    name: str = "",
) -> m.Carton:
    if session.scalar(select(m.Carton.id).where(m.Carton.code == code)) is not None:
        raise Conflict(f"carton {code} exists already")
    carton = m.Carton(
        code=code,
        name=name or code,
        length_mm=length_mm,
        width_mm=width_mm,
        height_mm=height_mm,
        tare_g=tare_g,
        max_weight_g=max_weight_g,
    )
    session.add(carton)
    session.flush()
    return carton
