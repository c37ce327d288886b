"""Routing an order to a fulfilment location and reserving its stock there.

The default rule: among locations that ship, try them by rank (then distance to the customer when
both have coordinates) and take the first where every line can be reserved at once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.catalog import Location as DomainLocation
from app.hub import models as m
from app.hub.services import stock


def units_by_product(order: m.Order) -> dict[int, int]:
    out: dict[int, int] = {}
    for line in order.lines:
        out[line.product_id] = out.get(line.product_id, 0) + line.quantity
    return out


def route_and_reserve(session: Session, order: m.Order) -> tuple[m.Location | None, str]:
    """Reserve the order's units at one location; returns (location or None, why)."""
    locations = list(session.scalars(select(m.Location).where(m.Location.ships.is_(True))).all())
    lat = order.ship_to.get("latitude")
    lon = order.ship_to.get("longitude")

    def key(loc: m.Location) -> tuple[int, float, str]:
        dist = 0.0
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            dist = DomainLocation(loc.code, loc.name, latitude=loc.latitude, longitude=loc.longitude).distance_km(
                float(lat), float(lon)
            )
        return (loc.rank, dist, loc.code)

    units = units_by_product(order)
    tried: list[str] = []
    for loc in sorted(locations, key=key):
        if stock.try_reserve(session, loc.id, units):
            why = f"{loc.code}: first location by rank with every line in stock"
            if tried:
                why += f" (not {', '.join(tried)}: short of stock)"
            return loc, why
        tried.append(loc.code)
    return None, "no location has every line in stock"
